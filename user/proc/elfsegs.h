/* SPDX-License-Identifier: GPL-2.0 */
/* elfsegs.h - what the ELF files of a process say: the PT_LOAD program headers
 * of a mapped file, and which C library a static program was linked with.
 *
 * The classifier (classify.h) takes segments as plain data; this reader
 * fills them with libelf, so it stays out of the unit-tested logic.
 * User-only.
 */
#ifndef MAPTRACE_ELFSEGS_H
#define MAPTRACE_ELFSEGS_H

#include <stdint.h>
#include <sys/types.h>

#include "core/region.h"
#include "core/maps.h"

/* The C library a process runs on: whose malloc made its heap, and so which
 * words describe it (glibc's arenas are glibc's alone). */
enum mt_libc {
	MT_LIBC_UNKNOWN = 0,
	MT_LIBC_GLIBC,
	MT_LIBC_MUSL,
	MT_LIBC_UCLIBC,     /* uClibc-ng */
	MT_LIBC_OTHER,      /* a static program without glibc (musl, uClibc-ng, Go...) */
};
/* One PT_LOAD program header. */
enum mt_seg_flag { MT_SEG_X = 1u, MT_SEG_W = 2u, MT_SEG_R = 4u }; /* = PF_X, PF_W, PF_R */

struct mt_elf_seg {
	uint64_t offset, vaddr, filesz, memsz;
	uint32_t flags;   /* enum mt_seg_flag */
	uint32_t _pad;
};

#define MT_ELF_MAX_SEGS 16

/* The loadable segments of one mapped file, keyed like regions are. */
struct mt_elf_file {
	uint64_t inode;
	uint32_t dev;          /* kernel encoding, as in struct mt_region */
	uint32_t nseg;
	struct mt_elf_seg seg[MT_ELF_MAX_SEGS];
};


/* Read the PT_LOAD headers of the file that region r of process pid maps:
 * through /proc/pid/map_files (the exact mapped file, even deleted; needs
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), else the path seen from the
 * process's root, else the path itself (both checked by inode). out->dev
 * and out->inode are r's. Returns 0, -ENOEXEC when the file is not ELF,
 * -ENOENT when no way to open it worked, other -errno. */
int mt_elf_read_segs(pid_t pid, const struct mt_region *r, struct mt_elf_file *out);

/* The C library linked into the static program at path (nothing in its
 * maps names one), from strings only that library puts there: glibc's
 * malloc tunables ("glibc.malloc.", in every static glibc since 2.26),
 * musl's strerror text for 0 ("No error information", where strerror is
 * linked), uClibc's name; MT_LIBC_OTHER if none is there (not glibc: musl,
 * uClibc-ng, Go...). MT_LIBC_UNKNOWN for a dynamic program (its library is
 * in its maps) or an unreadable file. */
enum mt_libc mt_libc_of_file(const char *path);

/* The PT_LOAD headers of every distinct file m maps (pid's, read through
 * /proc/PID/map_files), once per file: sorted by identity, as a process may
 * map thousands. Fills *elves (NULL and *nelves 0 on entry); counts in
 * *unreadable the files that map code yet could not be read. 0 or
 * -ENOMEM. */
int mt_elf_read_mapped(pid_t pid, const struct mt_maps *m, struct mt_elf_file **elves, size_t *nelves,
		       unsigned *unreadable);

#endif /* MAPTRACE_ELFSEGS_H */
