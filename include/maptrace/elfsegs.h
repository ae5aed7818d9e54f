/* elfsegs.h - read the PT_LOAD program headers of a file mapped in a process.
 *
 * The classifier (classify.h) takes segments as plain data; this reader
 * fills them with libelf, so it stays out of the unit-tested logic.
 * User-only.
 */
#ifndef MAPTRACE_ELFSEGS_H
#define MAPTRACE_ELFSEGS_H

#include <sys/types.h>

#include "maptrace/classify.h"

/* Read the PT_LOAD headers of the file that region r of process pid maps:
 * through /proc/pid/map_files (the exact mapped file, even deleted; needs
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), else the path seen from the
 * process's root, else the path itself (both checked by inode). out->dev
 * and out->inode are r's. Returns 0, -ENOEXEC when the file is not ELF,
 * -ENOENT when no way to open it worked, other -errno. */
int mt_elf_read_segs(pid_t pid, const struct mt_region *r, struct mt_elf_file *out);

#endif /* MAPTRACE_ELFSEGS_H */
