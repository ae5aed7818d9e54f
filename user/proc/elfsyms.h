/* SPDX-License-Identifier: GPL-2.0 */
/* elfsyms.h - an ELF file's symbols and sections, by path: whether it
 * defines a symbol in its dynamic symbol table (how a runtime linked into
 * a program is known when the program exports its API: node exports V8's
 * for its addons), and a way to read it with libelf. User-only. */
#ifndef MAPTRACE_ELFSYMS_H
#define MAPTRACE_ELFSYMS_H

#include <gelf.h>

/* Open the ELF file at path with libelf and return fn(e, arg): -errno when
 * it cannot be opened, -ENOEXEC when it is no ELF file. */
int mt_elf_with(const char *path, int (*fn)(Elf *e, void *arg), void *arg);

/* 1 when the file at path defines name (in .dynsym, with a section: not
 * an import), 0 when it does not, -errno when it cannot be read. */
int mt_elf_defines(const char *path, const char *name);

#endif /* MAPTRACE_ELFSYMS_H */
