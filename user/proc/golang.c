// SPDX-License-Identifier: GPL-2.0
/* golang.c - a Go program's build information (see proc/golang.h).
 *
 * The layout is Go's cmd/go/internal/version and debug/buildinfo: a 32-byte
 * header, "\xff Go buildinf:" then the pointer size and a flags byte; with
 * flag 2 ("version inline", Go 1.18) the version follows as a
 * uvarint-prefixed string. Before 1.18 the header holds pointers to Go
 * string headers elsewhere in the binary instead; a Go program it still is.
 */
#include <errno.h>
#include <string.h>

#include "proc/elfsyms.h"
#include "proc/golang.h"

#define BUILDINFO_MAGIC "\xff Go buildinf:"
#define BUILDINFO_HDR   32
#define FLAG_INLINE     0x2u

int mt_go_buildinfo_parse(const uint8_t *data, size_t n, char *ver, size_t len)
{
	size_t magic = sizeof(BUILDINFO_MAGIC) - 1, at = BUILDINFO_HDR;
	uint64_t vlen = 0;

	if (!len)
		return -EINVAL;
	ver[0] = '\0';
	if (n < BUILDINFO_HDR || memcmp(data, BUILDINFO_MAGIC, magic))
		return -EINVAL;
	if (!(data[magic + 1] & FLAG_INLINE))
		return 0;
	for (unsigned shift = 0; at < n && shift < 64; shift += 7) {
		uint8_t b = data[at++];

		vlen |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
	}
	if (vlen > n - at)
		return -EINVAL;
	if (vlen >= len)
		vlen = len - 1;
	memcpy(ver, data + at, vlen);
	ver[vlen] = '\0';
	return 0;
}

/* The contents of the section named name, NULL when there is none. */
static Elf_Data *section_named(Elf *e, const char *name)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *s;

		if (!gelf_getshdr(scn, &sh) || !(s = elf_strptr(e, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(s, name))
			return sh.sh_type == SHT_NOBITS ? NULL : elf_getdata(scn, NULL);
	}
	return NULL;
}

struct version_buf {
	char *ver;
	size_t len;
};

static int read_buildinfo(Elf *e, void *arg)
{
	struct version_buf *v = arg;
	Elf_Data *d = section_named(e, ".go.buildinfo");

	if (!d || !d->d_buf)
		return -ENOENT;
	return mt_go_buildinfo_parse(d->d_buf, d->d_size, v->ver, v->len) ? -ENOENT : 0;
}

int mt_go_buildinfo_read(const char *path, char *ver, size_t len)
{
	struct version_buf v = { ver, len };
	int err = mt_elf_with(path, read_buildinfo, &v);

	return err == -ENOEXEC ? -ENOENT : err;
}
