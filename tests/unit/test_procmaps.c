// SPDX-License-Identifier: GPL-2.0
/* test_procmaps.c - unit tests for the /proc/<pid>/maps parser (user/proc/procmaps.c).
 *
 * Lines are built the way the kernel builds them (header, seq_pad() to
 * column 72, one space, name) so the odd names are tested in their real
 * framing: escapes, spaces, control bytes, " (deleted)", special names,
 * wide fields, 4 KB paths and malformed text. The last tests read this
 * process's own maps and those of children in known states (named files
 * with newlines, a zombie, a pid that does not exist).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc/procmaps.h"

#define KERNEL_PAD 72   /* seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) */

/* Append to *line the way show_map_vma() frames a name after header
 * (which ends with the inode's trailing space): pad to KERNEL_PAD, then
 * one space. Returns the line length. */
static size_t kline(char *line, size_t cap, const char *header,
		    const char *name, size_t name_len)
{
	size_t n = strlen(header);

	assert_true(n + KERNEL_PAD + name_len + 2 < cap);
	memcpy(line, header, n);
	if (name) {
		while (n < KERNEL_PAD)
			line[n++] = ' ';
		line[n++] = ' ';
		memcpy(line + n, name, name_len);
		n += name_len;
	}
	line[n] = '\0';
	return n;
}

/* Parse header+name as one kernel line; expect success. */
static void parse_named(const char *header, const char *name, size_t name_len,
			struct mt_region *r, char *name_buf, size_t name_cap)
{
	char line[16384];
	size_t n = kline(line, sizeof(line), header, name, name_len);

	assert_int_equal(mt_maps_parse_line(line, n, r, name_buf, name_cap), 0);
}

/* Expect the raw kernel name `raw` to parse to `want` with `flags`. */
static void check_name(const char *raw, size_t raw_len, const char *want,
		       size_t want_len, uint32_t flags)
{
	struct mt_region r;
	char nb[8192];

	parse_named("7f0000000000-7f0000001000 r--p 00000000 fe:00 1234 ",
		    raw, raw_len, &r, nb, sizeof(nb));
	assert_non_null(r.name);
	assert_ptr_equal(r.name, nb);
	assert_int_equal(strlen(r.name), want_len);
	assert_memory_equal(r.name, want, want_len);
	assert_int_equal(r.flags, flags);
}

#define CHECK_NAME(raw, want, flags) \
	check_name(raw, sizeof(raw) - 1, want, sizeof(want) - 1, flags)

static void test_anonymous_trailing_space(void **state)
{
	const char *line = "5646c0bae000-5646c0bbe000 rw-p 00000000 00:00 0 ";
	struct mt_region r;
	char nb[16];

	(void)state;
	assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, nb, sizeof(nb)), 0);
	assert_int_equal(r.start, 0x5646c0bae000ULL);
	assert_int_equal(r.end, 0x5646c0bbe000ULL);
	assert_int_equal(r.perms, MT_PERM_READ | MT_PERM_WRITE);
	assert_int_equal(r.offset, 0);
	assert_int_equal(r.dev, 0);
	assert_int_equal(r.inode, 0);
	assert_int_equal(r.flags, 0);
	assert_null(r.name);
	/* tolerated: no trailing space */
	assert_int_equal(mt_maps_parse_line(line, strlen(line) - 1, &r, nb, sizeof(nb)), 0);
	assert_null(r.name);
	assert_int_equal(r.end, 0x5646c0bbe000ULL);
}

static void test_file_backed_fields(void **state)
{
	struct mt_region r;
	char nb[64];

	(void)state;
	parse_named("55c54ca4c000-55c54ca51000 r-xp 00002000 fe:00 247134 ",
		    "/usr/bin/cat", 12, &r, nb, sizeof(nb));
	assert_int_equal(r.start, 0x55c54ca4c000ULL);
	assert_int_equal(r.end, 0x55c54ca51000ULL);
	assert_int_equal(r.perms, MT_PERM_READ | MT_PERM_EXEC);
	assert_int_equal(r.offset, 0x2000);
	assert_int_equal(r.dev, MT_MKDEV(0xfe, 0));
	assert_int_equal(r.inode, 247134);
	assert_string_equal(r.name, "/usr/bin/cat");
	assert_int_equal(r.flags, 0);
	assert_int_equal(r.origin.kind, 0);
	assert_int_equal(r.origin.ts_ns, 0);
}

static void test_perms(void **state)
{
	static const char *const all[] = {
		"---p", "r--p", "-w-p", "rw-p", "--xp", "r-xp", "-wxp", "rwxp",
		"---s", "r--s", "-w-s", "rw-s", "--xs", "r-xs", "-wxs", "rwxs",
	};
	char line[128], buf[5];
	struct mt_region r;

	(void)state;
	for (uint32_t i = 0; i < 16; i++) {
		snprintf(line, sizeof(line), "1000-2000 %s 00000000 00:00 0 ", all[i]);
		assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, NULL, 0), 0);
		/* table order is the bit order: r=1 w=2 x=4 s=8 */
		assert_int_equal(r.perms, i);
		assert_string_equal(mt_perms_str(r.perms, buf), all[i]);
	}
}

static void test_name_spaces_and_trailing_space(void **state)
{
	(void)state;
	CHECK_NAME("/tmp/a b  c", "/tmp/a b  c", 0);
	CHECK_NAME("/tmp/trailing ", "/tmp/trailing ", 0);
	CHECK_NAME("/tmp/two trailing  ", "/tmp/two trailing  ", 0);
	/* trailing space before the kernel's suffix is part of the name */
	CHECK_NAME("/tmp/x  (deleted)", "/tmp/x ", MT_RF_DELETED);
}

static void test_name_newline_escape(void **state)
{
	(void)state;
	CHECK_NAME("/tmp/a\\012b", "/tmp/a\nb", 0);
	CHECK_NAME("/tmp/\\012\\012", "/tmp/\n\n", 0);
	CHECK_NAME("/tmp/\\0123", "/tmp/\n3", 0);
	CHECK_NAME("\\012", "\n", 0);
}

/* Only "\012" is an escape; any other backslash text is the name itself. */
static void test_name_literal_backslashes(void **state)
{
	(void)state;
	CHECK_NAME("/tmp/a\\b", "/tmp/a\\b", 0);
	CHECK_NAME("/tmp/\\011tab", "/tmp/\\011tab", 0);
	CHECK_NAME("/tmp/\\040sp", "/tmp/\\040sp", 0);
	CHECK_NAME("/tmp/\\\\", "/tmp/\\\\", 0);
	CHECK_NAME("/tmp/\\01", "/tmp/\\01", 0);    /* cut short at the end */
	CHECK_NAME("/tmp/x\\", "/tmp/x\\", 0);
	CHECK_NAME("/tmp/\\\\012", "/tmp/\\\n", 0);  /* "\" then "\012" */
}

static void test_name_raw_bytes(void **state)
{
	(void)state;
	CHECK_NAME("/tmp/a\tb", "/tmp/a\tb", 0);
	CHECK_NAME("/tmp/\x01\x1b[31m\x7f", "/tmp/\x01\x1b[31m\x7f", 0);
	CHECK_NAME("/tmp/\xff\xfe\xc0\x80", "/tmp/\xff\xfe\xc0\x80", 0);
	CHECK_NAME("/tmp/\xc3\xa9t\xc3\xa9", "/tmp/\xc3\xa9t\xc3\xa9", 0);
	CHECK_NAME("/tmp/\r", "/tmp/\r", 0);
}

static void test_name_deleted(void **state)
{
	(void)state;
	CHECK_NAME("/tmp/gone (deleted)", "/tmp/gone", MT_RF_DELETED);
	CHECK_NAME("/memfd:my buf (deleted)", "/memfd:my buf", MT_RF_DELETED);
	CHECK_NAME("/memfd: (deleted)", "/memfd:", MT_RF_DELETED);
	CHECK_NAME("/SYSV0000abcd (deleted)", "/SYSV0000abcd", MT_RF_DELETED);
	CHECK_NAME("/dev/zero (deleted)", "/dev/zero", MT_RF_DELETED);
	CHECK_NAME("/tmp/a\\012 (deleted)", "/tmp/a\n", MT_RF_DELETED);
	/* only a real suffix counts */
	CHECK_NAME("/tmp/(deleted)", "/tmp/(deleted)", 0);
	CHECK_NAME("/tmp/x (deleted) ", "/tmp/x (deleted) ", 0);
	CHECK_NAME("/tmp/x(deleted)", "/tmp/x(deleted)", 0);
	/* twice: a deleted file literally named "x (deleted)"; one is stripped */
	CHECK_NAME("/tmp/x (deleted) (deleted)", "/tmp/x (deleted)", MT_RF_DELETED);
}

static void test_special_names(void **state)
{
	(void)state;
	CHECK_NAME("[heap]", "[heap]", 0);
	CHECK_NAME("[stack]", "[stack]", MT_RF_GROWSDOWN);
	CHECK_NAME("[vdso]", "[vdso]", 0);
	CHECK_NAME("[vvar]", "[vvar]", 0);
	CHECK_NAME("[vvar_vclock]", "[vvar_vclock]", 0);
	CHECK_NAME("[vsyscall]", "[vsyscall]", 0);
	CHECK_NAME("[uprobes]", "[uprobes]", 0);
	CHECK_NAME("[anon:my region]", "[anon:my region]", 0);
	CHECK_NAME("[anon:[stack]]", "[anon:[stack]]", 0);
	CHECK_NAME("[anon_shmem:shared one]", "[anon_shmem:shared one]", 0);
	CHECK_NAME("anon_inode:[io_uring]", "anon_inode:[io_uring]", 0);
	CHECK_NAME("[stack] ", "[stack] ", 0);
}

static void test_wide_dev(void **state)
{
	struct mt_region r;
	char nb[64];

	(void)state;
	parse_named("7f0000000000-7f0000001000 r--s 00000000 00:1a5 42 ",
		    "/dev/shm/x", 10, &r, nb, sizeof(nb));
	assert_int_equal(r.dev, MT_MKDEV(0, 0x1a5));
	assert_int_equal(MT_DEV_MINOR(r.dev), 0x1a5);
	assert_int_equal(r.perms, MT_PERM_READ | MT_PERM_SHARED);
	parse_named("7f0000000000-7f0000001000 r--p 00000000 103:fffff 42 ",
		    "/x", 2, &r, nb, sizeof(nb));
	assert_int_equal(MT_DEV_MAJOR(r.dev), 0x103);
	assert_int_equal(MT_DEV_MINOR(r.dev), 0xfffff);
	parse_named("7f0000000000-7f0000001000 r--p 00000000 fff:00 42 ",
		    "/x", 2, &r, nb, sizeof(nb));
	assert_int_equal(MT_DEV_MAJOR(r.dev), 0xfff);
}

/* A header past the pad width: the name follows one space (as the
 * brief describes) or two (the header's own plus seq_pad()'s, as
 * show_map_vma() writes it); both must parse to the same region. */
static void test_wide_header(void **state)
{
	static const char *const lines[] = {
		"ffffffffff600000-ffffffffff601000 --xp 7ffffffffffff000 fff:fffff "
		"18446744073709551615 /x y",
		"ffffffffff600000-ffffffffff601000 --xp 7ffffffffffff000 fff:fffff "
		"18446744073709551615  /x y",
	};
	struct mt_region r;
	char nb[64];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(mt_maps_parse_line(lines[i], strlen(lines[i]), &r,
						    nb, sizeof(nb)), 0);
		assert_int_equal(r.start, 0xffffffffff600000ULL);
		assert_int_equal(r.end, 0xffffffffff601000ULL);
		assert_int_equal(r.perms, MT_PERM_EXEC);
		assert_int_equal(r.offset, 0x7ffffffffffff000ULL);
		assert_int_equal(r.dev, MT_MKDEV(0xfff, 0xfffff));
		assert_int_equal(r.inode, UINT64_MAX);
		assert_string_equal(r.name, "/x y");
	}
}

/* The hex and decimal fields take any number of leading zeros (the
 * overflow bound is on significant digits), and 16 hex / 20 decimal
 * significant digits exactly at the 64-bit limit. */
static void test_long_numbers(void **state)
{
	static const char *const good[] = {
		"00000000000000001000-000000000000000000002000 r--p 0000000000000000000000 "
		"000:00000 000000000000000000000000000000007",
		"1000-FFFFFFFFFFFFF000 r--p FfFfFfFfFfFfF000 00:00 18446744073709551615",
		"1000-2000 r--p 0 00:00 0000000000000000000018446744073709551615",
		"1000-2000 r--p 0 00:00 9999999999999999999",   /* 19 digits, no check needed */
		"1000-2000 r--p 0 00:00 10000000000000000000",  /* 20 digits, fits */
	};
	static const uint64_t inode[] = { 7, UINT64_MAX, UINT64_MAX, 9999999999999999999ULL,
					  10000000000000000000ULL };
	static const char *const bad[] = {
		"1000-10000000000000000 r--p 0 00:00 0",        /* 17 significant digits */
		"1000-00010000000000000000 r--p 0 00:00 0",     /* the same behind zeros */
		"1000-2000 r--p 0 00:00 018446744073709551616", /* UINT64_MAX + 1 behind a zero */
		"1000-2000 r--p 0 00:00 20000000000000000000",
	};
	struct mt_region r;
	char nb[16];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (mt_maps_parse_line(good[i], strlen(good[i]), &r, nb, sizeof(nb)) != 0)
			fail_msg("good line %zu \"%s\" refused", i, good[i]);
		assert_int_equal(r.inode, inode[i]);
	}
	assert_int_equal(mt_maps_parse_line(good[0], strlen(good[0]), &r, nb, sizeof(nb)), 0);
	assert_int_equal(r.start, 0x1000);
	assert_int_equal(r.end, 0x2000);
	assert_int_equal(r.offset, 0);
	assert_int_equal(mt_maps_parse_line(good[1], strlen(good[1]), &r, nb, sizeof(nb)), 0);
	assert_int_equal(r.end, 0xFFFFFFFFFFFFF000ULL);
	assert_int_equal(r.offset, 0xFFFFFFFFFFFFF000ULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mt_maps_parse_line(bad[i], strlen(bad[i]), &r, nb, sizeof(nb)) != -EINVAL)
			fail_msg("bad line %zu \"%s\" accepted", i, bad[i]);
	/* a text that ends in a long run of zeros: the leading-zero scan must
	 * stop at the text's end (exactly sized, so ASan sees any overread) */
	{
		static const char z[] = "1000-000000000000000000000000";
		char *line = malloc(sizeof(z) - 1);

		assert_non_null(line);
		memcpy(line, z, sizeof(z) - 1);
		assert_int_equal(mt_maps_parse_line(line, sizeof(z) - 1, &r, nb, sizeof(nb)), -EINVAL);
		free(line);
	}
}

static void test_vsyscall_line(void **state)
{
	const char *line = "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
			   "                  [vsyscall]";
	struct mt_region r;
	char nb[64];

	(void)state;
	assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, nb, sizeof(nb)), 0);
	assert_int_equal(r.start, 0xffffffffff600000ULL);
	assert_string_equal(r.name, "[vsyscall]");
}

static void test_name_looks_like_a_line(void **state)
{
	(void)state;
	CHECK_NAME("/tmp/00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/x",
		   "/tmp/00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/x", 0);
	CHECK_NAME("/tmp/1000-2000 rw-p 00000000 00:00 0 \\0121000-2000 rw-p 0 00:00 0",
		   "/tmp/1000-2000 rw-p 00000000 00:00 0 \n1000-2000 rw-p 0 00:00 0", 0);
}

static void test_long_path(void **state)
{
	static char raw[4200], want[4200];
	struct mt_region r;
	char small[100];

	(void)state;
	raw[0] = '/';
	for (size_t i = 1; i < 4100; i++)
		raw[i] = (i % 256 == 0) ? '/' : (char)('a' + i % 26);
	memcpy(want, raw, 4100);
	check_name(raw, 4100, want, 4100, 0);
	/* with escapes and the suffix, 4 KB of newlines */
	for (size_t i = 0; i < 1024; i++)
		memcpy(raw + 1 + i * 4, "\\012", 4);
	memcpy(raw + 1 + 1024 * 4, " (deleted)", 10);
	memset(want + 1, '\n', 1024);
	check_name(raw, 1 + 1024 * 4 + 10, want, 1 + 1024, MT_RF_DELETED);
	/* a buffer that is too small */
	{
		char line[8192];
		size_t n = kline(line, sizeof(line), "1000-2000 r--p 00000000 00:00 1 ",
				 raw, 4100);

		assert_int_equal(mt_maps_parse_line(line, n, &r, small, sizeof(small)),
				 -ENAMETOOLONG);
		assert_int_equal(mt_maps_parse_line(line, n, &r, NULL, 0), -ENAMETOOLONG);
	}
}

/* Exactly enough room: name plus NUL. */
static void test_name_buffer_exact(void **state)
{
	const char *line = "1000-2000 r--p 00000000 00:00 1 /abc";
	struct mt_region r;
	char nb[5];

	(void)state;
	assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, nb, 5), 0);
	assert_string_equal(r.name, "/abc");
	assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, nb, 4),
			 -ENAMETOOLONG);
	/* ... also when the last byte is an unescaped backslash or escape */
	line = "1000-2000 r--p 00000000 00:00 1 /a\\";
	assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, nb, 4), 0);
	assert_string_equal(r.name, "/a\\");
	assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, nb, 3),
			 -ENAMETOOLONG);
	line = "1000-2000 r--p 00000000 00:00 1 /a\\012";
	assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, nb, 4), 0);
	assert_string_equal(r.name, "/a\n");
	assert_int_equal(mt_maps_parse_line(line, strlen(line), &r, nb, 3),
			 -ENAMETOOLONG);
}

static void test_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"",
		" ",
		"1000-2000",
		"1000-2000 rw-p",
		"1000-2000 rw-p 00000000",
		"1000-2000 rw-p 00000000 00:00",
		"1000-2000 rw-p 00000000 00:00 ",
		"1000 2000 rw-p 00000000 00:00 0",
		"1000-2000 rw-x 00000000 00:00 0",      /* 4th perm must be p/s */
		"1000-2000 rw- 00000000 00:00 0",
		"1000-2000 rwxpp 00000000 00:00 0",
		"1000-2000 RW-p 00000000 00:00 0",
		"1000-2000 rw-p 0000000g 00:00 0",
		"1000-2000 rw-p 00000000 0000 0",
		"1000-2000 rw-p 00000000 00:00 x",
		"1000-2000 rw-p 00000000 00:00 0x",
		"1000-2000 rw-p 00000000 00:00 -1",
		"1000-2000  rw-p 00000000 00:00 0",
		"0x1000-2000 rw-p 00000000 00:00 0",
		"-2000 rw-p 00000000 00:00 0",
		"2000-1000 rw-p 00000000 00:00 0",      /* end before start */
		"1000-1000 rw-p 00000000 00:00 0",      /* empty */
		"10000000000000000-20000000000000000 rw-p 00000000 00:00 0",
		"1-10000000000001000 rw-p 00000000 00:00 0",  /* would wrap to 0x1000 */
		"1000-2000 rw-p 10000000000000000 00:00 0",
		"1000-2000 rw-p 00000000 1000:00 0",    /* major > 12 bits */
		"1000-2000 rw-p 00000000 00:100000 0",  /* minor > 20 bits */
		"1000-2000 rw-p 00000000 00:00 18446744073709551616",
		"1000-2000 rw-p 00000000 00:00 99999999999999999999",
		"1000-2000\trw-p 00000000 00:00 0",
		"1000-2000 rw-p 00000000 00:00 0\t/x",
	};
	struct mt_region r;
	char nb[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = mt_maps_parse_line(bad[i], strlen(bad[i]), &r, nb, sizeof(nb));

		if (rc != -EINVAL)
			fail_msg("line %zu \"%s\": got %d, want -EINVAL", i, bad[i], rc);
	}
	/* a NUL inside the name */
	assert_int_equal(mt_maps_parse_line("1000-2000 r--p 0 00:00 1 /a\0b", 29, &r,
					    nb, sizeof(nb)), -EINVAL);
}

static void test_parse_text(void **state)
{
	const char text[] =
		"55c54ca4a000-55c54ca4c000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n"
		"55c5788b0000-55c5788d1000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f4da8daf000-7f4da8dd1000 rw-p 00000000 00:00 0 \n"
		"7f4da9017000-7f4da901e000 r--s 00000000 fe:00 332280                     /a\\012b (deleted)\n"
		"7fff6166e000-7fff6168f000 rw-p 00000000 00:00 0                          [stack]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";
	struct mt_maps m = { 0 };
	size_t bad = 99;

	(void)state;
	assert_int_equal(mt_maps_parse(text, sizeof(text) - 1, &m, &bad), 0);
	assert_int_equal(bad, 99);
	assert_int_equal(m.count, 6);
	assert_string_equal(m.regions[0].name, "/usr/bin/cat");
	assert_string_equal(m.regions[1].name, "[heap]");
	assert_null(m.regions[2].name);
	assert_string_equal(m.regions[3].name, "/a\nb");
	assert_int_equal(m.regions[3].flags, MT_RF_DELETED);
	assert_int_equal(m.regions[3].perms, MT_PERM_READ | MT_PERM_SHARED);
	assert_string_equal(m.regions[4].name, "[stack]");
	assert_int_equal(m.regions[4].flags, MT_RF_GROWSDOWN);
	assert_string_equal(m.regions[5].name, "[vsyscall]");
	assert_int_equal(m.regions[5].end, 0xffffffffff601000ULL);
	/* names live in the arena */
	for (size_t i = 0; i < m.count; i++)
		if (m.regions[i].name)
			assert_true(m.regions[i].name >= m.names &&
				    m.regions[i].name < m.names + m.names_len);
	mt_maps_free(&m);
	assert_null(m.regions);
	assert_int_equal(m.count, 0);

	/* same text with a final newline: same result */
	{
		char with_nl[sizeof(text) + 1];

		memcpy(with_nl, text, sizeof(text) - 1);
		with_nl[sizeof(text) - 1] = '\n';
		assert_int_equal(mt_maps_parse(with_nl, sizeof(text), &m, NULL), 0);
		assert_int_equal(m.count, 6);
		assert_string_equal(m.regions[5].name, "[vsyscall]");
		mt_maps_free(&m);
	}
}

static void test_parse_empty(void **state)
{
	struct mt_maps m = { 0 };

	(void)state;
	assert_int_equal(mt_maps_parse("", 0, &m, NULL), 0);
	assert_int_equal(m.count, 0);
	mt_maps_free(&m);
}

static void expect_bad_line(const char *text, size_t want_line)
{
	struct mt_maps m = { 0 };
	size_t bad = 0;

	assert_int_equal(mt_maps_parse(text, strlen(text), &m, &bad), -EINVAL);
	assert_int_equal(bad, want_line);
	assert_null(m.regions);
	assert_null(m.names);
	assert_int_equal(m.count, 0);
}

static void test_parse_errors_line_numbers(void **state)
{
	(void)state;
	expect_bad_line("garbage", 1);
	expect_bad_line("\n", 1);
	expect_bad_line("1000-2000 r--p 0 00:00 0 \n"
			"3000-4000 r--p 0 00:00 0 /x\n"
			"5000-4000 r--p 0 00:00 0 \n", 3);
	expect_bad_line("1000-2000 r--p 0 00:00 0 \n\n3000-4000 r--p 0 00:00 0\n", 2);
	/* overlap and disorder: what a torn multi-read() snapshot can show */
	expect_bad_line("1000-3000 r--p 0 00:00 0 \n2000-4000 r--p 0 00:00 0 \n", 2);
	expect_bad_line("5000-6000 r--p 0 00:00 0 \n1000-2000 r--p 0 00:00 0 \n", 2);
	expect_bad_line("1000-2000 r--p 0 00:00 0 \n1000-2000 r--p 0 00:00 0 \n", 2);
}

static void test_parse_adjacent_ok(void **state)
{
	const char *text = "1000-2000 r--p 0 00:00 0 \n2000-3000 rw-p 0 00:00 0 \n";
	struct mt_maps m = { 0 };

	(void)state;
	assert_int_equal(mt_maps_parse(text, strlen(text), &m, NULL), 0);
	assert_int_equal(m.count, 2);
	mt_maps_free(&m);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 65,000 lines (the default vm.max_map_count) parse quickly. The bound
 * is loose because this build runs under ASan; it catches quadratic
 * behaviour, not microseconds. */
static void test_parse_65000_lines(void **state)
{
	const size_t lines = 65000;
	size_t cap = lines * 128, len = 0;
	char *text = malloc(cap);
	struct mt_maps m = { 0 };
	double t0;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < lines; i++) {
		char header[96];
		uint64_t a = 0x7f0000000000ULL + i * 0x2000;

		snprintf(header, sizeof(header), "%llx-%llx r-xp %08llx fe:01 %zu ",
			 (unsigned long long)a, (unsigned long long)(a + 0x1000),
			 (unsigned long long)(i * 0x1000), i);
		if (i % 2)
			len += kline(text + len, cap - len, header, "/usr/lib/x86_64-linux-gnu/libfoo.so.1", 37);
		else
			len += kline(text + len, cap - len, header, NULL, 0);
		text[len++] = '\n';
	}
	t0 = now_ms();
	assert_int_equal(mt_maps_parse(text, len, &m, NULL), 0);
	assert_true(now_ms() - t0 < 1000.0);
	assert_int_equal(m.count, lines);
	assert_null(m.regions[64998].name);
	assert_string_equal(m.regions[64999].name, "/usr/lib/x86_64-linux-gnu/libfoo.so.1");
	assert_int_equal(m.regions[64999].inode, 64999);
	mt_maps_free(&m);
	free(text);
}

/* ---- reading real processes ---- */

static const struct mt_region *find_addr(const struct mt_maps *m, uint64_t a)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->regions[i].start <= a && a < m->regions[i].end)
			return &m->regions[i];
	return NULL;
}

static const struct mt_region *find_name(const struct mt_maps *m, const char *name)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->regions[i].name && strcmp(m->regions[i].name, name) == 0)
			return &m->regions[i];
	return NULL;
}

static void test_read_self(void **state)
{
	volatile int local = 1;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const struct mt_region *r;
	struct mt_maps m;
	struct stat st;

	(void)state;
	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(stat(exe, &st), 0);
	assert_int_equal(mt_maps_read_pid(getpid(), &m), 0);
	assert_true(m.count > 5);
	for (size_t i = 1; i < m.count; i++)
		assert_true(m.regions[i - 1].end <= m.regions[i].start);

	/* our own text: executable, named after the binary, same inode */
	r = find_addr(&m, (uint64_t)(uintptr_t)&test_read_self);
	assert_non_null(r);
	assert_true(r->perms & MT_PERM_EXEC);
	assert_false(r->perms & MT_PERM_WRITE);
	assert_non_null(r->name);
	assert_string_equal(r->name, exe);
	assert_int_equal(r->inode, st.st_ino);
	assert_int_equal(r->flags, 0);

	/* a stack variable (on ASan's fake stack it is still mapped rw) */
	r = find_addr(&m, (uint64_t)(uintptr_t)&local);
	assert_non_null(r);
	assert_true((r->perms & (MT_PERM_READ | MT_PERM_WRITE)) ==
		    (MT_PERM_READ | MT_PERM_WRITE));
	r = find_name(&m, "[stack]");
	assert_non_null(r);
	assert_int_equal(r->flags, MT_RF_GROWSDOWN);
	(void)local;
	mt_maps_free(&m);
}

static void test_read_missing_pid(void **state)
{
	struct mt_maps m;

	(void)state;
	assert_int_equal(mt_maps_read_pid(0x3fffffff, &m), -ESRCH);
	assert_int_equal(m.count, 0);
	assert_int_equal(mt_maps_read_pid(0, &m), -ESRCH);
	assert_int_equal(mt_maps_read_pid(-1, &m), -ESRCH);
}

/* Poll /proc/<pid>/stat until the state is `want`. */
static void wait_state(pid_t pid, char want)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 2000; i++) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		const char *p;

		if (f)
			fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == want)
			return;
		usleep(1000);
	}
	fail_msg("pid %d never reached state %c", (int)pid, want);
}

static void test_read_zombie(void **state)
{
	struct mt_maps m;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	wait_state(pid, 'Z');
	assert_int_equal(mt_maps_read_pid(pid, &m), -ESRCH);
	assert_int_equal(m.count, 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(mt_maps_read_pid(pid, &m), -ESRCH);
}

/* First kernel thread (PF_KTHREAD in stat's flags) visible here, or 0. */
static pid_t find_kthread(void)
{
	for (pid_t pid = 2; pid < 4096; pid++) {
		char path[64], buf[512];
		unsigned long flags;
		const char *p;
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		/* ") S ppid pgrp session tty tpgid flags" */
		if (p && sscanf(p, ") %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 &&
		    (flags & 0x00200000))
			return pid;
	}
	return 0;
}

/* A kernel thread has no mm: its maps read empty, which is not a region
 * list but "no address space". */
static void test_read_kernel_thread(void **state)
{
	pid_t pid = find_kthread();
	struct mt_maps m;

	(void)state;
	if (!pid)
		skip();
	assert_int_equal(mt_maps_read_pid(pid, &m), -ESRCH);
	assert_int_equal(m.count, 0);
}

/* A child maps files whose names need escaping and one that is unlinked,
 * then reads its own maps; this also exercises names longer than one
 * read() of the seq_file and many lines. Result is the exit status. */
static int child_named_files(const char *dir)
{
	static const char *const names[] = {
		"a\nb", "sp ace ", "tab\there", "lit\\012eral", "ctl\x01\x7f", "bad\xff\xfe",
	};
	char path[4200], got[4200];
	const size_t nnames = sizeof(names) / sizeof(names[0]);
	void *addr[8];
	struct mt_maps m;
	size_t dlen;
	int fd;

	for (size_t i = 0; i < nnames; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 4096))
			return 10;
		addr[i] = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (addr[i] == MAP_FAILED)
			return 11;
	}
	/* a long path: nested 200-byte directories up to ~4000 bytes */
	dlen = (size_t)snprintf(path, sizeof(path), "%s", dir);
	while (dlen < 4000) {
		path[dlen++] = '/';
		memset(path + dlen, 'd', 200);
		dlen += 200;
		path[dlen] = '\0';
		if (mkdir(path, 0700))
			return 12;
	}
	memcpy(path + dlen, "/f (deleted)", 13);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 4096))
		return 13;
	addr[nnames] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (addr[nnames] == MAP_FAILED || unlink(path))
		return 14;

	if (mt_maps_read_pid(getpid(), &m))
		return 20;
	for (size_t i = 0; i < nnames; i++) {
		const struct mt_region *r = find_addr(&m, (uint64_t)(uintptr_t)addr[i]);

		snprintf(got, sizeof(got), "%s/%s", dir, names[i]);
		if (!r || !r->name || r->flags)
			return 30 + (int)i;
		/* the kernel writes a literal "\012" as is: it reads back as '\n' */
		if (strcmp(names[i], "lit\\012eral") == 0)
			snprintf(got, sizeof(got), "%s/lit\neral", dir);
		if (strcmp(r->name, got) != 0)
			return 40 + (int)i;
		if (r->perms != (MT_PERM_READ | MT_PERM_SHARED))
			return 50 + (int)i;
	}
	{
		const struct mt_region *r =
			find_addr(&m, (uint64_t)(uintptr_t)addr[nnames]);

		/* "f (deleted)" unlinked: the suffix appears twice, once stripped */
		if (!r || r->flags != MT_RF_DELETED || !r->name)
			return 60;
		if (strcmp(r->name, path) != 0)
			return 61;
	}
	/* The PROCMAP_QUERY walk sees the same regions with the same names,
	 * except that it has no escape to undo: the file literally named
	 * "lit\012eral" keeps its backslash. (Only these regions: this
	 * process's allocations may add others between the two reads.) */
	{
		struct mt_maps_reader q = { 0 };
		int err = mt_maps_reader_query(&q, getpid());

		if (err == -EOPNOTSUPP)    /* kernel before 6.11: nothing to compare */
			goto done;
		if (err)
			return 70;
		for (size_t i = 0; i <= nnames; i++) {
			const struct mt_region *a = find_addr(&m, (uint64_t)(uintptr_t)addr[i]);
			const struct mt_region *b = find_addr(&q.maps, (uint64_t)(uintptr_t)addr[i]);

			if (!a || !b)
				return 71;
			if (a->start != b->start || a->end != b->end || a->perms != b->perms ||
			    a->offset != b->offset || a->dev != b->dev || a->inode != b->inode ||
			    a->flags != b->flags || !a->name || !b->name)
				return 72;
			if (strcmp(a->name, b->name) != 0 &&
			    !(strstr(a->name, "/lit\neral") && strstr(b->name, "/lit\\012eral")))
				return 73;
		}
		mt_maps_reader_free(&q);
	}
done:
	mt_maps_free(&m);
	return 0;
}

static void rm_tree(const char *dir)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_read_named_files(void **state)
{
	char dir[] = "/tmp/mt_procmaps_XXXXXX";
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_named_files(dir));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	rm_tree(dir);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Many small regions: the text spans many seq_file read() chunks. */
static void test_read_many_regions(void **state)
{
	const size_t n = 3000;
	char *base;
	struct mt_maps m;
	size_t found = 0;

	(void)state;
	base = mmap(NULL, n * 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(base != MAP_FAILED);
	/* alternate perms so the kernel cannot merge neighbours */
	for (size_t i = 0; i < n * 2; i += 2)
		assert_int_equal(mprotect(base + i * 4096, 4096, PROT_READ), 0);
	assert_int_equal(mt_maps_read_pid(getpid(), &m), 0);
	for (size_t i = 0; i < m.count; i++) {
		const struct mt_region *r = &m.regions[i];

		if (r->start >= (uintptr_t)base &&
		    r->end <= (uintptr_t)base + n * 2 * 4096)
			found++;
	}
	assert_int_equal(found, n * 2);
	mt_maps_free(&m);
	munmap(base, n * 2 * 4096);
}

static void assert_same_maps(const struct mt_maps *a, const struct mt_maps *b)
{
	assert_int_equal(a->count, b->count);
	for (size_t i = 0; i < a->count; i++) {
		const struct mt_region *x = &a->regions[i], *y = &b->regions[i];

		assert_int_equal(x->start, y->start);
		assert_int_equal(x->end, y->end);
		assert_int_equal(x->perms, y->perms);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->dev, y->dev);
		assert_int_equal(x->inode, y->inode);
		assert_int_equal(x->flags, y->flags);
		if (x->name || y->name)
			assert_string_equal(x->name, y->name);
	}
}

/* A child holding n more one-page regions of alternating protection
 * (the kernel cannot merge them), stopped, so that its address space stays
 * exactly as it is while it is read several ways. Reading this process
 * instead would race with its own allocations. */
static pid_t hold_regions(size_t n)
{
	int fds[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *base = mmap(NULL, n * 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (base == MAP_FAILED)
			_exit(1);
		for (size_t i = 0; i < n * 2; i += 2)
			if (mprotect(base + i * 4096, 4096, PROT_READ))
				_exit(1);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void unhold(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A reader gives what mt_maps_read_pid gives, read after read, for a
 * bigger and then a smaller address space (whose read reuses the storage). */
static void test_reader_reuse(void **state)
{
	struct mt_maps_reader rd = { 0 };
	const struct mt_region *regions;
	struct mt_maps m;
	pid_t big = hold_regions(2000), small = hold_regions(10);

	(void)state;
	assert_int_equal(mt_maps_reader_read(&rd, big), 0);
	assert_true(rd.maps.count >= 4000);
	assert_int_equal(mt_maps_reader_read(&rd, big), 0);
	assert_int_equal(mt_maps_read_pid(big, &m), 0);
	assert_same_maps(&rd.maps, &m);
	mt_maps_free(&m);

	regions = rd.maps.regions;
	assert_int_equal(mt_maps_reader_read(&rd, small), 0);
	assert_ptr_equal(rd.maps.regions, regions);
	assert_int_equal(mt_maps_read_pid(small, &m), 0);
	assert_same_maps(&rd.maps, &m);
	mt_maps_free(&m);

	/* a failed read leaves no regions behind, and the reader usable */
	assert_int_equal(mt_maps_reader_read(&rd, 0x7ffffff0), -ESRCH);
	assert_int_equal(rd.maps.count, 0);
	assert_int_equal(mt_maps_reader_read(&rd, big), 0);
	assert_true(rd.maps.count >= 4000);
	mt_maps_reader_free(&rd);
	assert_null(rd.maps.regions);
	assert_null(rd.text);
	unhold(big);
	unhold(small);
}

/* The ioctl walk gives the text's regions exactly (but [vsyscall], which
 * it cannot see), repeated into the same reader. */
static void test_query_equals_text(void **state)
{
	struct mt_maps_reader q = { 0 }, t = { 0 };
	pid_t pid;
	int err;

	(void)state;
	if (getenv("MT_UNIT_EMULATED"))
		skip(); /* a live process (see main) */
	pid = hold_regions(3000);
	err = mt_maps_reader_query(&q, pid);
	if (err == -EOPNOTSUPP) {
		unhold(pid);
		skip();
	}
	assert_int_equal(err, 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(mt_maps_reader_query(&q, pid), 0);
		assert_int_equal(mt_maps_reader_read(&t, pid), 0);
		if (t.maps.count && t.maps.regions[t.maps.count - 1].name &&
		    strcmp(t.maps.regions[t.maps.count - 1].name, "[vsyscall]") == 0)
			t.maps.count--;
		assert_true(q.maps.count >= 6000);
		assert_same_maps(&t.maps, &q.maps);
	}
	assert_int_equal(mt_maps_reader_query(&q, 0x7ffffff0), -ESRCH);
	assert_int_equal(q.maps.count, 0);
	mt_maps_reader_free(&q);
	mt_maps_reader_free(&t);
	unhold(pid);
}

/* Without the rights to ptrace-read the target, open() fails: -EACCES. */
static void test_read_not_permitted(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mt_maps m;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(mt_maps_read_pid(getppid(), &m) == -EACCES ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anonymous_trailing_space),
		cmocka_unit_test(test_file_backed_fields),
		cmocka_unit_test(test_perms),
		cmocka_unit_test(test_name_spaces_and_trailing_space),
		cmocka_unit_test(test_name_newline_escape),
		cmocka_unit_test(test_name_literal_backslashes),
		cmocka_unit_test(test_name_raw_bytes),
		cmocka_unit_test(test_name_deleted),
		cmocka_unit_test(test_special_names),
		cmocka_unit_test(test_wide_dev),
		cmocka_unit_test(test_wide_header),
		cmocka_unit_test(test_long_numbers),
		cmocka_unit_test(test_vsyscall_line),
		cmocka_unit_test(test_name_looks_like_a_line),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_name_buffer_exact),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_parse_text),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_errors_line_numbers),
		cmocka_unit_test(test_parse_adjacent_ok),
		cmocka_unit_test(test_parse_65000_lines),
		cmocka_unit_test(test_read_self),
		cmocka_unit_test(test_read_missing_pid),
		cmocka_unit_test(test_read_zombie),
		cmocka_unit_test(test_read_kernel_thread),
		cmocka_unit_test(test_read_named_files),
		cmocka_unit_test(test_read_many_regions),
		cmocka_unit_test(test_read_not_permitted),
		cmocka_unit_test(test_reader_reuse),
		cmocka_unit_test(test_query_equals_text),
	};

	/* under qemu-user (make ARCH=arm64 unit) /proc shows the emulator, not
	 * this program: the tests that read a live process do not apply */
	if (getenv("MT_UNIT_EMULATED"))
		cmocka_set_skip_filter("test_re*");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
