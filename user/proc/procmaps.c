// SPDX-License-Identifier: GPL-2.0
/* procmaps.c - parse /proc/<pid>/maps into regions, and read it for a pid.
 *
 * Design: a hand-rolled single-pass line parser (no sscanf: 65,000 lines
 * must parse in a few milliseconds) and a whole-text parser that sizes its
 * two allocations up front from the text's length, so the name arena never
 * moves and every region's name can point straight into it. A reader keeps
 * the text, regions and arena between snapshots: at 65,000 vmas, page
 * faults on fresh buffers cost as much as the parsing. Reading a pid is
 * kept apart from parsing so the parser can be tested on fixed text.
 *
 * The line format is the kernel's show_vma_header_prefix() +
 * show_map_vma() (fs/proc/task_mmu.c):
 *
 *   start-end perms offset major:minor inode ' ' [pad ' ' name] '\n'
 *
 * The header always ends with one space after the inode; a name is
 * preceded by seq_pad() padding to column 72 plus one more space.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#include "base/array.h"
#include "proc/procmaps.h"

/* The PROCMAP_QUERY ioctl on /proc/<pid>/maps (Linux 6.11, commit
 * ed5d583a88a9 "fs/procfs: implement efficient VMA querying API for
 * /proc/<pid>/maps"). Debian 12's linux-libc-dev (6.1) predates it: the
 * ABI below is copied from include/uapi/linux/fs.h of 6.11 (only the
 * fields maptrace uses are named; the layout is the kernel's). */
#ifndef PROCMAP_QUERY
struct procmap_query {
	__u64 size;             /* sizeof(struct procmap_query): the ABI's version */
	__u64 query_flags;      /* in: PROCMAP_QUERY_* below */
	__u64 query_addr;       /* in */
	__u64 vma_start;        /* out */
	__u64 vma_end;          /* out */
	__u64 vma_flags;        /* out: PROCMAP_QUERY_VMA_* */
	__u64 vma_page_size;    /* out */
	__u64 vma_offset;       /* out: vm_pgoff << PAGE_SHIFT, 0 without a file */
	__u64 inode;            /* out */
	__u32 dev_major;        /* out */
	__u32 dev_minor;        /* out */
	__u32 vma_name_size;    /* in: buffer size; out: name length + NUL, 0 for none */
	__u32 build_id_size;    /* in/out */
	__u64 vma_name_addr;    /* in */
	__u64 build_id_addr;    /* in */
};
#define PROCMAP_QUERY_VMA_READABLE         0x01
#define PROCMAP_QUERY_VMA_WRITABLE         0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE       0x04
#define PROCMAP_QUERY_VMA_SHARED           0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#define PROCFS_IOCTL_MAGIC 'f'
#define PROCMAP_QUERY _IOWR(PROCFS_IOCTL_MAGIC, 17, struct procmap_query)
#endif

/* kernel dev_t (include/linux/kdev_t.h): MINORBITS 20, 12 bits of major */
#define DEV_MAJOR_MAX 0xfffu
#define DEV_MINOR_MAX 0xfffffu

#define DELETED_SUFFIX " (deleted)"
#define DELETED_SUFFIX_LEN (sizeof(DELETED_SUFFIX) - 1)

/* How often mt_maps_read_pid re-reads a torn (self-contradicting) text. */
#define READ_ATTEMPTS 5
#define READ_CHUNK_MIN 65536

/* hex digit value + 1, 0 for a non-digit: a table, because the header's
 * five hex fields are most of the parsing time */
static const uint8_t hex_plus1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* At least one hex digit; false on none or on overflowing 64 bits.
 * The loop has no per-digit overflow test (it is most of the parsing
 * time): 16 digits cannot overflow, and only a longer run is checked, by
 * its significant digits (leading zeros are harmless). */
static bool take_hex(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp, *q;
	uint64_t v = 0;
	unsigned d;

	for (; p < end && (d = hex_plus1[(unsigned char)*p]) != 0; p++)
		v = v << 4 | (d - 1);
	if (p == *pp)
		return false;
	if (p - *pp > 16) {
		for (q = *pp; q < p && *q == '0'; q++)
			;
		if (p - q > 16)
			return false;
	}
	*out = v;
	*pp = p;
	return true;
}

/* At least one decimal digit; false on none or on overflowing 64 bits.
 * Up to 19 digits cannot overflow (10^19 - 1 < 2^64); longer runs are
 * checked digit by digit. */
static bool take_dec(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	for (; p < end && *p >= '0' && *p <= '9' && p - *pp < 19; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == *pp)
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	*pp = p;
	return true;
}

static bool take_char(const char **pp, const char *end, char c)
{
	if (*pp == end || **pp != c)
		return false;
	(*pp)++;
	return true;
}

/* One perms position: the letter sets bit, '-' leaves it clear. */
static bool take_perm(const char **pp, const char *end, char set, char clear,
		      uint32_t bit, uint32_t *perms)
{
	if (*pp == end)
		return false;
	if (**pp == set)
		*perms |= bit;
	else if (**pp != clear)
		return false;
	(*pp)++;
	return true;
}

static bool take_perms(const char **pp, const char *end, uint32_t *perms)
{
	*perms = 0;
	return take_perm(pp, end, 'r', '-', MT_PERM_READ, perms) &&
	       take_perm(pp, end, 'w', '-', MT_PERM_WRITE, perms) &&
	       take_perm(pp, end, 'x', '-', MT_PERM_EXEC, perms) &&
	       take_perm(pp, end, 's', 'p', MT_PERM_SHARED, perms);
}

/* Everything up to and including the inode; *pp is left after the inode. */
static bool take_header(const char **pp, const char *end, struct mt_region *r)
{
	uint64_t major, minor;

	if (!(take_hex(pp, end, &r->start) && take_char(pp, end, '-') &&
	      take_hex(pp, end, &r->end) && take_char(pp, end, ' ') &&
	      take_perms(pp, end, &r->perms) && take_char(pp, end, ' ') &&
	      take_hex(pp, end, &r->offset) && take_char(pp, end, ' ') &&
	      take_hex(pp, end, &major) && take_char(pp, end, ':') &&
	      take_hex(pp, end, &minor) && take_char(pp, end, ' ') &&
	      take_dec(pp, end, &r->inode)))
		return false;
	if (r->start >= r->end || major > DEV_MAJOR_MAX || minor > DEV_MINOR_MAX)
		return false;
	r->dev = MT_MKDEV(major, minor);
	return true;
}

/* Copy the raw name to buf, undoing the kernel's only escape.
 *
 * seq_path()/seq_file_path() call mangle_path() with esc = "\n": a newline
 * becomes the four characters "\012" and nothing else is escaped, not
 * even the backslash. A file really named with backslash-0-1-2 therefore
 * reads back as a newline; the text cannot tell the two apart. Spaces,
 * tabs, other control bytes and invalid UTF-8 appear raw. Returns the
 * unescaped length, or -ENAMETOOLONG if it (plus NUL) exceeds cap, or
 * -EINVAL on a NUL byte (no kernel name holds one). */
static long unescape_name(const char *p, const char *end, char *buf, size_t cap)
{
	size_t n = 0;

	if (memchr(p, '\0', (size_t)(end - p)))
		return -EINVAL;
	/* invariant: n < cap, so the NUL always fits */
	if (cap == 0)
		return -ENAMETOOLONG;
	while (p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		size_t span = (size_t)((bs ? bs : end) - p);

		if (span >= cap - n)
			return -ENAMETOOLONG;
		memcpy(buf + n, p, span);
		n += span;
		p += span;
		if (p == end)
			break;
		if (n + 1 >= cap)
			return -ENAMETOOLONG;
		if (end - p >= 4 && memcmp(p, "\\012", 4) == 0) {
			buf[n++] = '\n';
			p += 4;
		} else {
			buf[n++] = '\\';
			p++;
		}
	}
	buf[n] = '\0';
	return (long)n;
}

static bool has_suffix(const char *s, size_t len, const char *suf, size_t suf_len)
{
	return len >= suf_len && memcmp(s + len - suf_len, suf, suf_len) == 0;
}

/* What a name says beyond itself, for the text parser and the ioctl walk
 * alike: strips the deletion suffix from name (n bytes, NUL-terminated),
 * sets r's flags and name. Returns the new length. */
static size_t name_flags(char *name, size_t n, struct mt_region *r)
{
	/* d_path() appends " (deleted)" to an unlinked file's path (memfd,
	 * SysV shm and MAP_SHARED|MAP_ANONYMOUS's "/dev/zero" always are).
	 * A file literally named "x (deleted)" is indistinguishable. */
	if (has_suffix(name, n, DELETED_SUFFIX, DELETED_SUFFIX_LEN)) {
		n -= DELETED_SUFFIX_LEN;
		name[n] = '\0';
		r->flags |= MT_RF_DELETED;
	}
	/* VM_GROWSDOWN is not printed; only the main stack is known to have
	 * it ("[stack]" is that VMA alone since Linux 4.5). */
	if (n == 7 && memcmp(name, "[stack]", 7) == 0)
		r->flags |= MT_RF_GROWSDOWN;
	r->name = name;
	return n;
}

/* The name part: unescape, strip the deletion suffix, set flags. Returns
 * the name's length or -errno. */
static long take_name(const char *p, const char *end, struct mt_region *r,
		      char *name_buf, size_t name_cap)
{
	long n = unescape_name(p, end, name_buf, name_cap);

	if (n < 0)
		return n;
	return (long)name_flags(name_buf, (size_t)n, r);
}

/* mt_maps_parse_line, also giving the name's length (0 without a name). */
static int parse_line(const char *line, size_t len, struct mt_region *r,
		      char *name_buf, size_t name_cap, size_t *name_len)
{
	const char *p = line, *end = line + len;
	long n;

	memset(r, 0, sizeof(*r));
	*name_len = 0;
	if (name_cap > 0)
		name_buf[0] = '\0';
	if (!take_header(&p, end, r))
		return -EINVAL;
	if (p < end && *p != ' ')
		return -EINVAL;         /* e.g. a letter glued to the inode */
	/* Skip the separator and padding by content, not by column: the pad
	 * width is per-architecture (72 on 64-bit, 48 on 32-bit), and a header
	 * past the width gets two spaces (the header's own plus seq_pad's).
	 * No kernel-made name starts with a space: d_path() results start
	 * with '/', d_dname() ones with a prefix ("anon_inode:"), special
	 * names with '['. Anonymous lines end in one space (or none). */
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	n = take_name(p, end, r, name_buf, name_cap);
	if (n < 0)
		return (int)n;
	*name_len = (size_t)n;
	return 0;
}

int mt_maps_parse_line(const char *line, size_t len, struct mt_region *r,
		       char *name_buf, size_t name_cap)
{
	size_t name_len;

	return parse_line(line, len, r, name_buf, name_cap, &name_len);
}

/* The shortest line the kernel prints: show_vma_header_prefix() pads
 * start, end and offset to 8 hex digits and the device to 2+2, so
 * "00000000-00000000 ---p 00000000 00:00 0 \n" is 41 bytes. len / 41 + 1
 * regions therefore hold any maps text in one allocation. */
#define MIN_KERNEL_LINE 41

/* Parse into *out, reusing the storage it has (zeroed, or an earlier
 * result: then no memory is allocated when the text is not larger, and no
 * page of it is touched for the first time - for 65,000 vmas that is 5.7 MB
 * of regions whose page faults cost more than parsing them). On error
 * out->count is 0 and the storage is kept. *torn is set when the lines
 * parse but contradict each other (a region starting before the previous
 * one ends): what a read of maps split over several read() calls can show
 * while the address space changes, since the kernel resumes each read at
 * the last printed end. */
static int parse_into(const char *text, size_t len, struct mt_maps *out,
		      size_t *bad_line, bool *torn)
{
	const char *p = text, *end = text + len;

	out->count = 0;
	out->names_len = 0;
	*torn = false;
	if (len == 0)
		return 0;
	/* Every name is at most its raw line, whose '\n' pays for the NUL;
	 * +1 for a last line without '\n'. Sized up front, the arena never
	 * moves while parsing, so names can point straight into it. */
	if (out->names_cap < len + 1) {
		free(out->names);
		out->names_cap = 0;
		out->names = malloc(len + 1);
		if (!out->names)
			return -ENOMEM;
		out->names_cap = len + 1;
	}
	if (mt_array_grow((void **)&out->regions, &out->capacity, len / MIN_KERNEL_LINE + 1,
			  sizeof(*out->regions)))
		return -ENOMEM;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct mt_region *r;
		size_t name_len;
		int err;

		/* only text that is not the kernel's has shorter lines */
		if (out->count == out->capacity &&
		    mt_array_grow((void **)&out->regions, &out->capacity, out->count + 1,
				  sizeof(*out->regions))) {
			out->count = 0;
			return -ENOMEM;
		}
		r = &out->regions[out->count];
		err = parse_line(p, line_len, r, out->names + out->names_len,
				 out->names_cap - out->names_len, &name_len);
		if (!err && out->count > 0 && r->start < out->regions[out->count - 1].end) {
			*torn = true;
			err = -EINVAL;
		}
		if (err) {
			if (bad_line)
				*bad_line = out->count + 1;
			out->count = 0;
			out->names_len = 0;
			return err;
		}
		if (r->name)
			out->names_len += name_len + 1;
		out->count++;
		p += line_len + 1;
	}
	return 0;
}

int mt_maps_parse(const char *text, size_t len, struct mt_maps *out,
		  size_t *bad_line)
{
	bool torn;
	int err;

	memset(out, 0, sizeof(*out));
	err = parse_into(text, len, out, bad_line, &torn);
	if (err)
		mt_maps_free(out);
	return err;
}

static int proc_errno(int err)
{
	if (err == ENOENT || err == ESRCH)
		return -ESRCH;
	if (err == EACCES || err == EPERM)
		return -EACCES;
	return -err;
}

/* Read a whole /proc file into *buf (grown as needed; *cap is its size),
 * setting *len. seq_file hands out at most a page per read(), so loop to
 * EOF. One spare byte is always left for a NUL. */
int mt_proc_read_whole(const char *path, char **buf, size_t *cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	*len = 0;
	if (fd < 0)
		return proc_errno(errno);
	for (;;) {
		ssize_t n;

		if (mt_array_grow((void **)buf, cap, *len + (*cap ? 2 : READ_CHUNK_MIN), 1)) {
			err = -ENOMEM;
			break;
		}
		n = read(fd, *buf + *len, *cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = proc_errno(errno);
			break;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	return err;
}

/* 0 when pid is a live process that has an address space; -ESRCH when it
 * is gone, a zombie, a kernel thread or past exit_mm() (its maps read
 * empty or cut short, never an error: m_start() just stops when the mm
 * is gone). Fields per proc(5): state is the first after the last ')',
 * vsize the 20th after state, 0 exactly when there is no mm. */
int mt_proc_has_mm(pid_t pid, char **buf, size_t *cap)
{
	char path[64];
	const char *p;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	err = mt_proc_read_whole(path, buf, cap, &len);
	if (err)
		return err;
	(*buf)[len] = '\0';
	p = strrchr(*buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EIO;
	p += 2;
	if (*p == 'Z' || *p == 'X' || *p == 'x')
		return -ESRCH;
	for (int field = 0; field < 20; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	return strtoull(p, NULL, 10) == 0 ? -ESRCH : 0;
}

/* One attempt: read maps, check the process still has its mm, parse.
 * Returns -EAGAIN when the text is torn or empty for a live process. */
static int read_once(struct mt_maps_reader *rd, pid_t pid)
{
	char path[64];
	size_t len;
	bool torn;
	int err;

	rd->maps.count = 0;
	rd->maps.names_len = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	err = mt_proc_read_whole(path, &rd->text, &rd->text_cap, &len);
	if (err)
		return err;
	/* Checked after reading, so that a process that exited mid-read is
	 * not reported from a cut-short text. (An execve() mid-read also cuts
	 * the old mm's text short and is not detectable here.) */
	err = mt_proc_has_mm(pid, &rd->stat, &rd->stat_cap);
	if (err)
		return err;
	if (len == 0)
		return -EAGAIN;
	err = parse_into(rd->text, len, &rd->maps, NULL, &torn);
	return torn ? -EAGAIN : err;
}

/* Snapshot pid with once(), again while it comes back torn (-EAGAIN);
 * the regions are empty on error. */
static int reader_retry(struct mt_maps_reader *rd, pid_t pid,
			int (*once)(struct mt_maps_reader *, pid_t))
{
	int err = -ESRCH;

	rd->maps.count = 0;
	rd->maps.names_len = 0;
	if (pid <= 0)
		return -ESRCH;
	for (int i = 0; i < READ_ATTEMPTS; i++) {
		err = once(rd, pid);
		if (err != -EAGAIN)
			break;
	}
	if (err)
		rd->maps.count = 0;
	return err;
}

int mt_maps_reader_read(struct mt_maps_reader *rd, pid_t pid)
{
	return reader_retry(rd, pid, read_once);
}

void mt_maps_reader_free(struct mt_maps_reader *rd)
{
	mt_maps_free(&rd->maps);
	free(rd->text);
	free(rd->stat);
	memset(rd, 0, sizeof(*rd));
}

int mt_maps_read_pid(pid_t pid, struct mt_maps *out)
{
	struct mt_maps_reader rd = { 0 };
	int err = mt_maps_reader_read(&rd, pid);

	/* the caller owns the result; the text and stat buffers go */
	*out = rd.maps;
	rd.maps = (struct mt_maps){ 0 };
	if (err)
		mt_maps_free(out);
	mt_maps_reader_free(&rd);
	return err;
}

/* One walk with PROCMAP_QUERY: each ioctl returns the vma covering or
 * following an address, with the fields maps prints and its name, taken
 * under that one vma's lock - no text to generate or parse. */
static int query_once(struct mt_maps_reader *rd, pid_t pid)
{
	char path[64], name[PATH_MAX];
	uint64_t addr = 0;
	int fd, err = 0;

	rd->maps.count = 0;
	rd->maps.names_len = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return proc_errno(errno);
	for (;;) {
		struct procmap_query q = {
			.size = sizeof(q),
			.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
			.query_addr = addr,
			.vma_name_addr = (uintptr_t)name,
			.vma_name_size = sizeof(name),
		};
		struct mt_region r = { 0 };
		size_t n;

		if (ioctl(fd, PROCMAP_QUERY, &q) < 0) {
			/* ENOENT: no vma at or above addr, the walk is done */
			if (errno == ENOENT)
				break;
			err = errno == ENOTTY ? -EOPNOTSUPP : proc_errno(errno);
			break;
		}
		r.start = q.vma_start;
		r.end = q.vma_end;
		r.offset = q.vma_offset;
		r.inode = q.inode;
		if (q.dev_major > DEV_MAJOR_MAX || q.dev_minor > DEV_MINOR_MAX || r.start >= r.end ||
		    r.start < addr) {
			err = -EIO;
			break;
		}
		r.dev = MT_MKDEV(q.dev_major, q.dev_minor);
		r.perms = (q.vma_flags & PROCMAP_QUERY_VMA_READABLE ? MT_PERM_READ : 0) |
			  (q.vma_flags & PROCMAP_QUERY_VMA_WRITABLE ? MT_PERM_WRITE : 0) |
			  (q.vma_flags & PROCMAP_QUERY_VMA_EXECUTABLE ? MT_PERM_EXEC : 0) |
			  (q.vma_flags & PROCMAP_QUERY_VMA_SHARED ? MT_PERM_SHARED : 0);
		/* the name comes raw (no "\012" escape) with its NUL counted */
		n = q.vma_name_size && q.vma_name_size <= sizeof(name) ? q.vma_name_size - 1 : 0;
		name[n] = '\0';
		if (n)
			n = name_flags(name, n, &r);
		err = mt_maps_append(&rd->maps, &r, n ? name : NULL, n);
		if (err)
			break;
		addr = q.vma_end;
	}
	close(fd);
	if (err)
		return err;
	/* as for the text: a process that exited mid-walk is not reported */
	err = mt_proc_has_mm(pid, &rd->stat, &rd->stat_cap);
	if (!err && rd->maps.count == 0)
		err = -EAGAIN;
	return err;
}

int mt_maps_reader_query(struct mt_maps_reader *rd, pid_t pid)
{
	return reader_retry(rd, pid, query_once);
}
