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
#include "maptrace/region.h"

/* A parsed maps file: regions in address order. Every region's name points
 * into memory owned by this struct (freed by mt_maps_free). */
struct mt_maps {
	struct mt_region *regions;
	size_t count;
	size_t capacity;
	char *names;         /* arena holding the unescaped names */
	size_t names_len;
	size_t names_cap;
};

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

/* Append a copy of r named by len bytes of name (NULL: no name) to m, which
 * must be in address order after it. Names already in m stay valid only
 * through m->regions (the arena may move). Returns 0 or -ENOMEM. */
int mt_maps_append(struct mt_maps *m, const struct mt_region *r, const char *name, size_t len);

void mt_maps_free(struct mt_maps *m);

/* Make *arr (of *cap elements of elem bytes) hold at least need, doubling.
 * 0 or -ENOMEM (then *arr is unchanged). Shared by the /proc parsers. */
int mt_array_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* Read a whole /proc file into *buf (grown as needed, *cap its size, one
 * spare byte for a NUL), *len bytes. seq_file hands out a page or so per
 * read(): loops to EOF. -ESRCH for a vanished process, -EACCES, -errno. */
int mt_proc_read_whole(const char *path, char **buf, size_t *cap, size_t *len);
/* 0 when pid is a live process with an address space; -ESRCH when it is
 * gone, a zombie, a kernel thread or past exit_mm(). buf, cap: scratch. */
int mt_proc_has_mm(pid_t pid, char **buf, size_t *cap);

/* Format perms as the 4 characters maps shows ("r-xp"); buf needs 5 bytes. */
const char *mt_perms_str(uint32_t perms, char buf[5]);

#endif /* MAPTRACE_PROCMAPS_H */
