/* SPDX-License-Identifier: GPL-2.0 */
/* elfsyms.h - whether an ELF file defines a symbol in its dynamic symbol
 * table: how a runtime linked into a program is known when the program
 * exports its API (node exports V8's for its addons). User-only. */
#ifndef MAPTRACE_ELFSYMS_H
#define MAPTRACE_ELFSYMS_H

/* 1 when the file at path defines name (in .dynsym, with a section: not
 * an import), 0 when it does not, -errno when it cannot be read. */
int mt_elf_defines(const char *path, const char *name);

#endif /* MAPTRACE_ELFSYMS_H */
