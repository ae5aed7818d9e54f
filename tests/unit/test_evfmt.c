// SPDX-License-Identifier: GPL-2.0
/* test_evfmt.c - events in words: path decoding (reversed components,
 * pseudo files), text lines, JSON objects with hostile bytes, stack frames. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/evfmt.h"

static struct mt_event file_event(const char *raw, uint32_t flags)
{
	struct mt_event e;

	memset(&e, 0, sizeof(e));
	e.kind = MT_EV_MMAP;
	e.flags = MT_EVF_FILE | flags;
	e.path_len = (uint32_t)strlen(raw);
	return e;
}

static void assert_path(const char *raw, uint32_t flags, const char *want)
{
	struct mt_event e = file_event(raw, flags);
	char out[256];
	size_t n = mt_event_path(&e, raw, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_path_reversed(void **state)
{
	assert_path("libc.so.6/x86_64-linux-gnu/lib/usr/", MT_EVF_PATH_REVERSED,
		    "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_path("a b\nc/tmp/", MT_EVF_PATH_REVERSED, "/tmp/a b\nc");
	assert_path("", MT_EVF_PATH_REVERSED, "/");
}

static void test_path_pseudo(void **state)
{
	assert_path("memfd:jit", MT_EVF_PSEUDO, "/memfd:jit");
	assert_path("[io_uring]", MT_EVF_PSEUDO | MT_EVF_ANON_INODE, "anon_inode:[io_uring]");
	assert_path("SYSV0000abcd", MT_EVF_PSEUDO, "/SYSV0000abcd");
}

static void test_path_truncates_to_buffer(void **state)
{
	struct mt_event e = file_event("leaf/dir/", MT_EVF_PATH_REVERSED);
	char out[6];

	mt_event_path(&e, "leaf/dir/", out, sizeof(out));
	assert_string_equal(out, "/dir"); /* whole components only */
}

/* Found by tests/fuzz/fuzz_events.c (the record below, as it came): with
 * MT_EVF_ANON_INODE set and a buffer shorter than "anon_inode:", the prefix
 * was copied whole past the end of the buffer. At most cap - 1 bytes. */
static void test_path_short_buffer_fuzz_regression(void **state)
{
	static const unsigned char rec[] = {
		0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
		0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
		0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
		0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
		0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x0a,
	};
	static const char *const want[] = { "", "a", "an", "anon_in" };
	static const size_t caps[] = { 1, 2, 3, 8 };
	struct mt_event e;
	const char *raw = (const char *)rec + sizeof(e);

	assert_int_equal(sizeof(rec), sizeof(e) + 2);
	memcpy(&e, rec, sizeof(e));
	assert_true(e.flags & MT_EVF_ANON_INODE);
	e.path_len = 2; /* clamped to the bytes that follow, as the fuzzer does */
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char *out = malloc(caps[i]); /* exact size: ASan sees any overrun */

		assert_non_null(out);
		assert_int_equal(mt_event_path(&e, raw, out, caps[i]), strlen(want[i]));
		assert_string_equal(out, want[i]);
		free(out);
	}
}

static void test_deleted_rules(void **state)
{
	struct mt_event e = file_event("x", MT_EVF_PSEUDO);

	assert_true(mt_event_file_deleted(&e));      /* memfd & co always print (deleted) */
	e.flags |= MT_EVF_ANON_INODE;
	assert_false(mt_event_file_deleted(&e));     /* anon_inode:[...] never does */
	e = file_event("x/", MT_EVF_PATH_REVERSED | MT_EVF_DELETED);
	assert_true(mt_event_file_deleted(&e));
}

static char *render_json(const struct mt_event *e, const char *raw)
{
	struct mt_json j;
	char *s;

	mt_json_init(&j);
	mt_event_json(&j, e, raw, 0);
	s = strndup(j.buf, j.len);
	mt_json_free(&j);
	return s;
}

static void test_json_mmap_file(void **state)
{
	const char *raw = "f\xff\"/tmp/";
	struct mt_event e = file_event(raw, MT_EVF_PATH_REVERSED);
	char *s;

	e.ts_ns = 1500;
	e.pid = 7;
	e.tid = 8;
	memcpy(e.comm, "a\nb", 3);
	e.mm = 0xffff888100000000ULL;
	e.seq = 3;
	e.args[1] = 4096;
	e.args[2] = 1;
	e.args[3] = 2;
	e.args[4] = 3;
	e.ret = 0x7f0000000000;
	e.dev = 0xfe00000;
	e.ino = 42;
	s = render_json(&e, raw);
	assert_string_equal(s,
		"{\"kind\":\"mmap\",\"time_ns\":1500,\"pid\":7,\"tid\":8,\"comm\":\"a\\nb\","
		"\"mm\":\"0xffff888100000000\",\"seq\":3,\"args\":{\"addr\":\"0x0\",\"length\":4096,"
		"\"prot\":\"PROT_READ\",\"flags\":\"MAP_PRIVATE\",\"fd\":3,\"offset\":\"0x0\"},"
		"\"ret\":139637976727552,\"result\":\"0x7f0000000000\",\"path\":\"/tmp/f\\ufffd\\\"\","
		"\"path_hex\":\"2f746d702f66ff22\",\"dev\":266338304,\"inode\":42,\"deleted\":false}");
	free(s);
}

static void test_json_failure_has_error(void **state)
{
	struct mt_event e;
	char *s;

	memset(&e, 0, sizeof(e));
	e.kind = MT_EV_MPROTECT;
	e.ret = -12;
	s = render_json(&e, "");
	assert_non_null(strstr(s, "\"ret\":-12,\"error\":\"ENOMEM\"}"));
	free(s);
}

static void test_json_lifecycle(void **state)
{
	struct mt_event e;
	char *s;

	memset(&e, 0, sizeof(e));
	e.kind = MT_EV_EXIT;
	e.ret = 3 << 8;
	s = render_json(&e, "");
	assert_non_null(strstr(s, "\"kind\":\"exit\""));
	assert_non_null(strstr(s, "\"status\":3,\"signal\":0}"));
	free(s);
	e.kind = MT_EV_FORK;
	e.flags = MT_EVF_THREAD | MT_EVF_VM;
	e.aux[1] = 10;
	e.aux[2] = 11;
	s = render_json(&e, "");
	assert_non_null(strstr(s, "\"child_pid\":10,\"child_tid\":11"));
	assert_non_null(strstr(s, "\"thread\":true,\"shares_mm\":true"));
	free(s);
}

static void test_text_line(void **state)
{
	struct mt_event e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	memset(&e, 0, sizeof(e));
	e.kind = MT_EV_MUNMAP;
	e.ts_ns = 2000001000;
	e.pid = e.tid = 42;
	memcpy(e.comm, "w", 1);
	e.args[0] = 0x7f0000001000;
	e.args[1] = 8192;
	mt_event_print_text(f, &e, "", 1000);
	fclose(f);
	assert_string_equal(buf, "     2.000000      42/42      w               munmap(0x7f0000001000, 8192) = 0\n");
	free(buf);
}

/* Frames as trace and explain print them: symbol+offset when asked, the
 * source line with debug info, the module by its file name. */
static char frame_func[] = "make_big_buffer", frame_file[] = "origins.c",
	    frame_mod[] = "/work/.output/workloads/origins", frame_hex[] = "0x7f0000002000";
static const struct mt_frame frames[] = {
	{ .pc = 0x401136, .offset = 0x1d, .func = frame_func, .file = frame_file, .line = 16,
	  .symbol = true, .module = frame_mod },
	{ .pc = 0x7f0000002000, .func = frame_hex },
};

static void test_frame_text(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mt_frame_print_text(f, "    ", 0, &frames[0], true);
	mt_frame_print_text(f, "    ", 11, &frames[0], false);
	mt_frame_print_text(f, "", 2, &frames[1], true);
	fclose(f);
	assert_string_equal(buf, "    #0  make_big_buffer+0x1d (origins.c:16) [origins]\n"
				 "    #11 make_big_buffer (origins.c:16) [origins]\n"
				 "#2  0x7f0000002000\n");
	free(buf);
}

static void test_json_stack(void **state)
{
	const struct mt_frame *fp[] = { &frames[0], &frames[1] };
	struct mt_event e;
	struct mt_json j;
	char *s;

	memset(&e, 0, sizeof(e));
	e.kind = MT_EV_MMAP;
	e.ret = 0x7f0000010000;
	mt_json_init(&j);
	mt_event_json_stack(&j, &e, "", 0, fp, 2);
	s = strndup(j.buf, j.len);
	mt_json_free(&j);
	assert_non_null(strstr(s, ",\"stack\":[{\"pc\":\"0x401136\",\"function\":\"make_big_buffer\","
				  "\"offset\":29,\"file\":\"origins.c\",\"line\":16,"
				  "\"module\":\"/work/.output/workloads/origins\"},"
				  "{\"pc\":\"0x7f0000002000\",\"function\":\"0x7f0000002000\"}]}"));
	free(s);
	/* no frames: no "stack" at all, as without --stacks */
	s = render_json(&e, "");
	assert_null(strstr(s, "stack"));
	free(s);
}

static void test_flag_decoding(void **state)
{
	char b[128];

	mt_map_flags_str(0x22, b, sizeof(b));
	assert_string_equal(b, "MAP_PRIVATE|MAP_ANONYMOUS");
	mt_map_flags_str(0x03 | 0x10, b, sizeof(b));
	assert_string_equal(b, "MAP_SHARED_VALIDATE|MAP_FIXED");
	mt_prot_str(0, b, sizeof(b));
	assert_string_equal(b, "PROT_NONE");
	mt_prot_str(0x80000007, b, sizeof(b));
	assert_string_equal(b, "PROT_READ|PROT_WRITE|PROT_EXEC|0x80000000");
	mt_mremap_flags_str(5, b, sizeof(b));
	assert_string_equal(b, "MREMAP_MAYMOVE|MREMAP_DONTUNMAP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_reversed),
		cmocka_unit_test(test_path_pseudo),
		cmocka_unit_test(test_path_truncates_to_buffer),
		cmocka_unit_test(test_path_short_buffer_fuzz_regression),
		cmocka_unit_test(test_deleted_rules),
		cmocka_unit_test(test_json_mmap_file),
		cmocka_unit_test(test_json_failure_has_error),
		cmocka_unit_test(test_json_lifecycle),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_flag_decoding),
		cmocka_unit_test(test_frame_text),
		cmocka_unit_test(test_json_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
