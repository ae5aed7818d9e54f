// SPDX-License-Identifier: GPL-2.0
/* elfsegs.c - PT_LOAD program headers of mapped files, with libelf (see proc/elfsegs.h).
 *
 * Only the ELF and program headers are read (ELF_C_READ reads lazily), and
 * only after the first four bytes say ELF, so a large data file mapped by
 * the target costs one small read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/array.h"
#include "proc/elfsegs.h"

/* Open the mapped file; -ENOENT when no way worked. */
static int open_mapped(pid_t pid, const struct mt_region *r)
{
	char path[4096 + 64];
	struct stat sb;
	int fd;

	/* the exact file the region maps, deleted or in another mount namespace */
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)r->start, (unsigned long long)r->end);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0)
		return fd;
	if (!r->name || r->name[0] != '/' || (r->flags & MT_RF_DELETED))
		return -ENOENT;
	/* by name, from the process's root, then ours; same inode or nothing */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt == 0)
			snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, r->name);
		else
			snprintf(path, sizeof(path), "%s", r->name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			continue;
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_ino == r->inode)
			return fd;
		close(fd);
	}
	return -ENOENT;
}

static int read_phdrs(int fd, struct mt_elf_file *out)
{
	Elf *e;
	size_t n;
	int err = 0;

	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return -ENOEXEC;
	if (elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &n) != 0) {
		err = -ENOEXEC;
		goto out;
	}
	for (size_t i = 0; i < n && out->nseg < MT_ELF_MAX_SEGS; i++) {
		GElf_Phdr ph;
		struct mt_elf_seg *s;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			err = -ENOEXEC;
			goto out;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		s = &out->seg[out->nseg++];
		s->offset = ph.p_offset;
		s->vaddr = ph.p_vaddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		s->flags = ph.p_flags & (MT_SEG_R | MT_SEG_W | MT_SEG_X);
	}
	if (out->nseg == 0)
		err = -ENOEXEC;
out:
	elf_end(e);
	return err;
}

int mt_elf_read_segs(pid_t pid, const struct mt_region *r, struct mt_elf_file *out)
{
	static bool initialised;
	unsigned char magic[4];
	struct stat sb;
	int fd, err;

	memset(out, 0, sizeof(*out));
	out->dev = r->dev;
	out->inode = r->inode;
	if (!initialised) {
		if (elf_version(EV_CURRENT) == EV_NONE)
			return -ENOSYS;
		initialised = true;
	}
	fd = open_mapped(pid, r);
	if (fd < 0)
		return fd;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) ||
	    pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) || memcmp(magic, ELFMAG, SELFMAG))
		err = -ENOEXEC;
	else
		err = read_phdrs(fd, out);
	close(fd);
	return err;
}

/* What only one C library leaves in a static program: glibc's malloc
 * tunables (in every static glibc since 2.26), musl's strerror text for 0
 * (where strerror is linked), uClibc's name. */
static const struct {
	const char *text;
	enum mt_libc libc;
} libc_markers[] = {
	{ "glibc.malloc.", MT_LIBC_GLIBC },
	{ "No error information", MT_LIBC_MUSL },
	{ "uClibc", MT_LIBC_UCLIBC },
};

#define LIBC_SCAN (64u << 20)  /* bytes of a program read at most */
#define MARKER_MAX 32          /* longer than every marker */

/* The library of the first marker found in the file at fd, in one pass of
 * chunks that overlap by a marker's length; UNKNOWN if none. */
static enum mt_libc libc_marker_in(int fd)
{
	char buf[(1 << 16) + MARKER_MAX];
	size_t have = 0, total = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return MT_LIBC_UNKNOWN;
	while (total < LIBC_SCAN && (n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)n;
		total += (size_t)n;
		for (size_t i = 0; i < sizeof(libc_markers) / sizeof(libc_markers[0]); i++)
			if (memmem(buf, have, libc_markers[i].text, strlen(libc_markers[i].text)))
				return libc_markers[i].libc;
		if (have >= MARKER_MAX) { /* keep the tail a marker may start in */
			memmove(buf, buf + have - (MARKER_MAX - 1), MARKER_MAX - 1);
			have = MARKER_MAX - 1;
		}
	}
	return MT_LIBC_UNKNOWN;
}

/* Whether the ELF file at fd names a program interpreter (is dynamically
 * linked); -1 if it is no ELF file. */
static int has_interp(int fd)
{
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t n;
	int found = -1;

	if (e && elf_kind(e) == ELF_K_ELF && elf_getphdrnum(e, &n) == 0) {
		found = 0;
		for (size_t i = 0; i < n && !found; i++) {
			GElf_Phdr ph;

			found = gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP;
		}
	}
	elf_end(e);
	return found;
}

enum mt_libc mt_libc_of_file(const char *path)
{
	enum mt_libc found = MT_LIBC_UNKNOWN;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return MT_LIBC_UNKNOWN;
	/* a dynamic program's C library is a mapped file, named in maps */
	if (elf_version(EV_CURRENT) != EV_NONE && has_interp(fd) == 0) {
		found = libc_marker_in(fd);
		/* no glibc tunables: not glibc (2.26 and later) */
		if (!found)
			found = MT_LIBC_OTHER;
	}
	close(fd);
	return found;
}

/* ---- every mapped file ---------------------------------------------------- */

static bool worth_reading_elf(const struct mt_region *r)
{
	const char *n = r->name;

	return n && n[0] == '/' && r->inode != 0 && strncmp(n, "/memfd:", 7) &&
	       strncmp(n, "/SYSV", 5) && strncmp(n, "/dev/", 5) && strcmp(n, "/[aio]");
}

/* Whether the file mapped at region i has an executable mapping among its
 * consecutive mappings (so it is a program or library worth a note). */
static bool maps_code(const struct mt_maps *m, size_t i)
{
	for (size_t j = i; j < m->count && m->regions[j].inode == m->regions[i].inode &&
			   m->regions[j].dev == m->regions[i].dev; j++)
		if (m->regions[j].perms & MT_PERM_EXEC)
			return true;
	return false;
}

struct file_key {
	uint64_t inode;
	uint32_t dev;
	uint32_t _pad;
	size_t region;   /* its first mapping */
};

static int cmp_file_keys(const void *a, const void *b)
{
	const struct file_key *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->region < y->region ? -1 : x->region > y->region;
}

int mt_elf_read_mapped(pid_t pid, const struct mt_maps *m, struct mt_elf_file **elves, size_t *nelves,
		       unsigned *unreadable)
{
	struct file_key *keys = calloc(m->count ? m->count : 1, sizeof(*keys));
	size_t nkeys = 0, cap = 0;

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < m->count; i++)
		if (worth_reading_elf(&m->regions[i]) && (i == 0 || !(m->regions[i - 1].inode == m->regions[i].inode &&
								     m->regions[i - 1].dev == m->regions[i].dev)))
			keys[nkeys++] = (struct file_key){ .inode = m->regions[i].inode, .dev = m->regions[i].dev,
							   .region = i };
	qsort(keys, nkeys, sizeof(*keys), cmp_file_keys);
	for (size_t k = 0; k < nkeys; k++) {
		const struct mt_region *r = &m->regions[keys[k].region];
		int rc;

		if (k > 0 && keys[k].inode == keys[k - 1].inode && keys[k].dev == keys[k - 1].dev)
			continue;
		if (mt_array_grow((void **)elves, &cap, *nelves + 1, sizeof(**elves))) {
			free(keys);
			return -ENOMEM;
		}
		rc = mt_elf_read_segs(pid, r, &(*elves)[*nelves]);
		if (rc == 0)
			(*nelves)++;
		else if (rc != -ENOEXEC && maps_code(m, keys[k].region))
			(*unreadable)++;
	}
	free(keys);
	return 0;
}
