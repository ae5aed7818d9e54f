/* SPDX-License-Identifier: GPL-2.0 */
/* procmaps.h - parse the text of /proc/<pid>/maps into regions.
 *
 * The kernel's own account of an address space: used to seed shadows, to
 * verify them, and by `explain` when no BPF is available. Pure parsing lives
 * apart from file reading so the unit tests (and fuzzers) need no /proc.
 */
#ifndef MAPTRACE_PROCMAPS_H
#define MAPTRACE_PROCMAPS_H

#include <stddef.h>
#include <sys/types.h>
#include "core/maps.h"

/* Parse one line (without its '\n') into *r; the unescaped name (kernel
 * "\012" -> '\n', " (deleted)" stripped and MT_RF_DELETED set) is written
 * NUL-terminated to name_buf (r->name = name_buf, or NULL when the line has
 * no name). Returns 0, or -EINVAL for a malformed line, -ENAMETOOLONG when
 * name_cap is too small. */
int mt_maps_parse_line(const char *line, size_t len, struct mt_region *r,
		       char *name_buf, size_t name_cap);

/* Parse a whole maps text (len bytes, need not be NUL-terminated) into
 * *out (which must be zeroed or freshly freed). Returns 0 or -errno; on
 * -EINVAL, *bad_line (if not NULL) is set to the 1-based line number. */
int mt_maps_parse(const char *text, size_t len, struct mt_maps *out,
		  size_t *bad_line);

/* Read and parse /proc/<pid>/maps. Returns 0, -ESRCH when the process does
 * not exist or exited while being read (never an empty success), -EACCES
 * when not permitted, other -errno otherwise. */
int mt_maps_read_pid(pid_t pid, struct mt_maps *out);

/* Repeated snapshots (verify's checkpoints): the text, the regions and the
 * name arena are kept between reads and reused, so a read of an address
 * space no larger than the last one allocates nothing and takes no page
 * fault. Start zeroed; free with mt_maps_reader_free. */
struct mt_maps_reader {
	struct mt_maps maps;  /* the last read's result, valid until the next read */
	char *text;           /* the maps text as read */
	size_t text_cap;
	char *stat;           /* /proc/<pid>/stat, for mt_proc_has_mm */
	size_t stat_cap;
};

/* mt_maps_read_pid into rd->maps (count 0 on error), same returns. */
int mt_maps_reader_read(struct mt_maps_reader *rd, pid_t pid);
/* The same address space through the PROCMAP_QUERY ioctl (Linux 6.11+),
 * one call per vma, into rd->maps. The regions equal the text's except:
 * no [vsyscall] (the gate area is no vma: maps prints it apart, the ioctl
 * cannot find it), and names come unescaped by construction (a file named
 * with a literal backslash-0-1-2 stays so; the text makes it a newline).
 * -EOPNOTSUPP on an older kernel, else as mt_maps_reader_read. */
int mt_maps_reader_query(struct mt_maps_reader *rd, pid_t pid);
void mt_maps_reader_free(struct mt_maps_reader *rd);

/* Read a whole /proc file into *buf (grown as needed, *cap its size, one
 * spare byte for a NUL), *len bytes. seq_file hands out a page or so per
 * read(): loops to EOF. -ESRCH for a vanished process, -EACCES, -errno. */
int mt_proc_read_whole(const char *path, char **buf, size_t *cap, size_t *len);
/* 0 when pid is a live process with an address space; -ESRCH when it is
 * gone, a zombie, a kernel thread or past exit_mm(). buf, cap: scratch. */
int mt_proc_has_mm(pid_t pid, char **buf, size_t *cap);

#endif /* MAPTRACE_PROCMAPS_H */
