// SPDX-License-Identifier: GPL-2.0
/* elfsyms.c - an ELF file read by path with libelf, and a symbol it
 * defines (see proc/elfsyms.h). The symbol is found by a linear walk of
 * .dynsym: node's 75,000 entries take a few milliseconds, read through
 * libelf's mapping of the file. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "proc/elfsyms.h"

int mt_elf_with(const char *path, int (*fn)(Elf *e, void *arg), void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -ENOEXEC;
	Elf *e;

	if (fd < 0)
		return -errno;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		close(fd);
		return -ENOTSUP;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e && elf_kind(e) == ELF_K_ELF)
		ret = fn(e, arg);
	elf_end(e);
	close(fd);
	return ret;
}

static int defines(Elf *e, void *arg)
{
	const char *name = arg;
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			s = elf_strptr(e, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name))
				return 1;
		}
	}
	return 0;
}

int mt_elf_defines(const char *path, const char *name)
{
	int ret = mt_elf_with(path, defines, (void *)name);

	return ret == -ENOEXEC ? 0 : ret;
}
