/* procmaps.c - parse /proc/<pid>/maps into regions, and read it for a pid.
 *
 * Design: a hand-rolled single-pass line parser (no sscanf: 65,000 lines
 * must parse in a few milliseconds) and a whole-text parser that sizes its
 * two allocations up front, so the region array and the name arena never
 * move and every region's name can point straight into the arena. Reading a
 * pid is kept apart from parsing so the parser can be tested on fixed text.
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maptrace/procmaps.h"

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

/* At least one hex digit; false on none or on overflowing 64 bits. */
static bool take_hex(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	for (; p < end; p++) {
		unsigned d = hex_plus1[(unsigned char)*p];

		if (!d)
			break;
		if (v >> 60)
			return false;
		v = v << 4 | (d - 1);
	}
	if (p == *pp)
		return false;
	*out = v;
	*pp = p;
	return true;
}

/* At least one decimal digit; false on none or on overflowing 64 bits. */
static bool take_dec(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (p == end || *p < '0' || *p > '9')
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

/* The name part: unescape, strip the deletion suffix, set flags. Returns
 * the name's length or -errno. */
static long take_name(const char *p, const char *end, struct mt_region *r,
		      char *name_buf, size_t name_cap)
{
	long n = unescape_name(p, end, name_buf, name_cap);

	if (n < 0)
		return n;
	/* d_path() appends " (deleted)" to an unlinked file's path (memfd,
	 * SysV shm and MAP_SHARED|MAP_ANONYMOUS's "/dev/zero" always are).
	 * A file literally named "x (deleted)" is indistinguishable. */
	if (has_suffix(name_buf, (size_t)n, DELETED_SUFFIX, DELETED_SUFFIX_LEN)) {
		n -= (long)DELETED_SUFFIX_LEN;
		name_buf[n] = '\0';
		r->flags |= MT_RF_DELETED;
	}
	/* VM_GROWSDOWN is not printed; only the main stack is known to have
	 * it ("[stack]" is that VMA alone since Linux 4.5). */
	if (n == 7 && memcmp(name_buf, "[stack]", 7) == 0)
		r->flags |= MT_RF_GROWSDOWN;
	r->name = name_buf;
	return n;
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

static size_t count_lines(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	size_t n = 0;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p = nl + 1;
	}
	return n + (p < end);
}

/* Parse into *out. *torn is set when the lines parse but contradict each
 * other (a region starting before the previous one ends): what a read of
 * maps split over several read() calls can show while the address space
 * changes, since the kernel resumes each read at the last printed end. */
static int parse_text(const char *text, size_t len, struct mt_maps *out,
		      size_t *bad_line, bool *torn)
{
	const char *p = text, *end = text + len;
	size_t lines = count_lines(text, len);

	memset(out, 0, sizeof(*out));
	*torn = false;
	if (lines == 0)
		return 0;
	out->regions = calloc(lines, sizeof(*out->regions));
	/* every name is at most its raw line, whose '\n' pays for the NUL;
	 * +1 for a last line without '\n' */
	out->names = malloc(len + 1);
	if (!out->regions || !out->names) {
		mt_maps_free(out);
		return -ENOMEM;
	}
	out->capacity = lines;
	out->names_cap = len + 1;

	for (size_t i = 0; i < lines; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct mt_region *r = &out->regions[i];
		size_t name_len;
		int err;

		err = parse_line(p, line_len, r, out->names + out->names_len,
				 out->names_cap - out->names_len, &name_len);
		if (!err && i > 0 && r->start < out->regions[i - 1].end) {
			*torn = true;
			err = -EINVAL;
		}
		if (err) {
			if (bad_line)
				*bad_line = i + 1;
			mt_maps_free(out);
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

	return parse_text(text, len, out, bad_line, &torn);
}

int mt_array_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int mt_maps_append(struct mt_maps *m, const struct mt_region *r, const char *name, size_t len)
{
	char *old_names = m->names;
	struct mt_region *nr;

	if (mt_array_grow((void **)&m->regions, &m->capacity, m->count + 1, sizeof(*m->regions)))
		return -ENOMEM;
	if (name && mt_array_grow((void **)&m->names, &m->names_cap, m->names_len + len + 1, 1))
		return -ENOMEM;
	if (m->names != old_names && old_names) {
		/* the arena moved: rebase every name that pointed into it */
		for (size_t i = 0; i < m->count; i++)
			if (m->regions[i].name)
				m->regions[i].name = m->names +
					((uintptr_t)m->regions[i].name - (uintptr_t)old_names);
	}
	nr = &m->regions[m->count++];
	*nr = *r;
	nr->name = NULL;
	if (name) {
		memcpy(m->names + m->names_len, name, len);
		m->names[m->names_len + len] = '\0';
		nr->name = m->names + m->names_len;
		m->names_len += len + 1;
	}
	return 0;
}

void mt_maps_free(struct mt_maps *m)
{
	free(m->regions);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

const char *mt_perms_str(uint32_t perms, char buf[5])
{
	buf[0] = perms & MT_PERM_READ ? 'r' : '-';
	buf[1] = perms & MT_PERM_WRITE ? 'w' : '-';
	buf[2] = perms & MT_PERM_EXEC ? 'x' : '-';
	buf[3] = perms & MT_PERM_SHARED ? 's' : 'p';
	buf[4] = '\0';
	return buf;
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

		if (*cap - *len < 2) {
			size_t ncap = *cap ? *cap * 2 : READ_CHUNK_MIN;
			char *nbuf = realloc(*buf, ncap);

			if (!nbuf) {
				err = -ENOMEM;
				break;
			}
			*buf = nbuf;
			*cap = ncap;
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
static int read_once(pid_t pid, struct mt_maps *out, char **buf, size_t *cap,
		     char **sbuf, size_t *scap)
{
	char path[64];
	size_t len;
	bool torn;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	err = mt_proc_read_whole(path, buf, cap, &len);
	if (err)
		return err;
	/* Checked after reading, so that a process that exited mid-read is
	 * not reported from a cut-short text. (An execve() mid-read also cuts
	 * the old mm's text short and is not detectable here.) */
	err = mt_proc_has_mm(pid, sbuf, scap);
	if (err)
		return err;
	if (len == 0)
		return -EAGAIN;
	err = parse_text(*buf, len, out, NULL, &torn);
	return torn ? -EAGAIN : err;
}

int mt_maps_read_pid(pid_t pid, struct mt_maps *out)
{
	char *buf = NULL, *sbuf = NULL;
	size_t cap = 0, scap = 0;
	int err = -ESRCH;

	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return -ESRCH;
	for (int i = 0; i < READ_ATTEMPTS; i++) {
		err = read_once(pid, out, &buf, &cap, &sbuf, &scap);
		if (err != -EAGAIN)
			break;
	}
	free(buf);
	free(sbuf);
	return err;
}
