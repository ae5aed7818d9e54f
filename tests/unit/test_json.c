// SPDX-License-Identifier: GPL-2.0
/* test_json.c - unit tests for the JSON Lines writer (user/base/json.c).
 *
 * Every test asserts the exact bytes written: escaping of each ASCII byte,
 * UTF-8 pass-through and each class of invalid sequence, comma placement
 * in nested structures, the key_hex companion field, and flushing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"

/* The buffer as a NUL-terminated string (tests only write small output). */
static const char *out(struct mt_json *j)
{
	static char s[4096];

	assert_false(j->oom);
	assert_true(j->len < sizeof(s));
	memcpy(s, j->buf, j->len);
	s[j->len] = '\0';
	return s;
}

/* Write s[0..len) as a lone string value; check output and exactness. */
static void check_str(const char *s, size_t len, const char *want, bool exact)
{
	struct mt_json j;

	mt_json_init(&j);
	assert_int_equal(mt_json_str(&j, s, len), exact);
	assert_string_equal(out(&j), want);
	mt_json_free(&j);
}

#define CHECK_STR(lit, want, exact) check_str(lit, sizeof(lit) - 1, want, exact)

static void test_every_ascii_byte(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 0x80; c++) {
		char in = (char)c, want[16];

		switch (c) {
		case '"':  strcpy(want, "\"\\\"\""); break;
		case '\\': strcpy(want, "\"\\\\\""); break;
		case '\b': strcpy(want, "\"\\b\""); break;
		case '\f': strcpy(want, "\"\\f\""); break;
		case '\n': strcpy(want, "\"\\n\""); break;
		case '\r': strcpy(want, "\"\\r\""); break;
		case '\t': strcpy(want, "\"\\t\""); break;
		default:
			if (c < 0x20 || c == 0x7f)
				snprintf(want, sizeof(want), "\"\\u%04x\"", c);
			else
				snprintf(want, sizeof(want), "\"%c\"", c);
		}
		check_str(&in, 1, want, true);
	}
}

static void test_control_bytes_exact(void **state)
{
	(void)state;
	CHECK_STR("\x00\x01\x1f\x7f", "\"\\u0000\\u0001\\u001f\\u007f\"", true);
	CHECK_STR("a\"b\\c/d", "\"a\\\"b\\\\c/d\"", true);
	CHECK_STR("\x1b[0m\x0b", "\"\\u001b[0m\\u000b\"", true);
	CHECK_STR("", "\"\"", true);
}

static void test_valid_utf8_passes(void **state)
{
	(void)state;
	CHECK_STR("\xc2\x80", "\"\xc2\x80\"", true);                 /* U+0080 */
	CHECK_STR("\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\"", true); /* été */
	CHECK_STR("\xdf\xbf", "\"\xdf\xbf\"", true);                 /* U+07FF */
	CHECK_STR("\xe0\xa0\x80", "\"\xe0\xa0\x80\"", true);         /* U+0800 */
	CHECK_STR("\xe2\x82\xac", "\"\xe2\x82\xac\"", true);         /* € */
	CHECK_STR("\xed\x9f\xbf", "\"\xed\x9f\xbf\"", true);         /* U+D7FF */
	CHECK_STR("\xee\x80\x80", "\"\xee\x80\x80\"", true);         /* U+E000 */
	CHECK_STR("\xef\xbf\xbf", "\"\xef\xbf\xbf\"", true);         /* U+FFFF */
	CHECK_STR("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"", true); /* U+10000 */
	CHECK_STR("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"", true); /* 😀 */
	CHECK_STR("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", true); /* U+10FFFF */
}

#define R "\\ufffd"

static void test_invalid_utf8_replaced(void **state)
{
	(void)state;
	/* stray continuation bytes and bytes that never start a sequence */
	CHECK_STR("\x80", "\"" R "\"", false);
	CHECK_STR("a\xbf" "b", "\"a" R "b\"", false);
	CHECK_STR("\xfe\xff", "\"" R R "\"", false);
	/* overlongs */
	CHECK_STR("\xc0\x80", "\"" R R "\"", false);
	CHECK_STR("\xc1\xbf", "\"" R R "\"", false);
	CHECK_STR("\xe0\x80\x80", "\"" R R R "\"", false);
	CHECK_STR("\xe0\x9f\xbf", "\"" R R R "\"", false);
	CHECK_STR("\xf0\x80\x80\x80", "\"" R R R R "\"", false);
	CHECK_STR("\xf0\x8f\xbf\xbf", "\"" R R R R "\"", false);
	/* UTF-16 surrogates U+D800..U+DFFF */
	CHECK_STR("\xed\xa0\x80", "\"" R R R "\"", false);
	CHECK_STR("\xed\xbf\xbf", "\"" R R R "\"", false);
	/* past U+10FFFF */
	CHECK_STR("\xf4\x90\x80\x80", "\"" R R R R "\"", false);
	CHECK_STR("\xf5\x80\x80\x80", "\"" R R R R "\"", false);
	/* truncated: at the end, and followed by ASCII */
	CHECK_STR("\xe2\x82", "\"" R R "\"", false);
	CHECK_STR("\xe2\x82" "A", "\"" R R "A\"", false);
	CHECK_STR("\xf0\x9f\x98", "\"" R R R "\"", false);
	CHECK_STR("x\xc3", "\"x" R "\"", false);
	/* truncated by len although the bytes after it would complete it */
	check_str("\xc3\xa9", 1, "\"" R "\"", false);
	check_str("\xf0\x9f\x98\x80", 3, "\"" R R R "\"", false);
	/* a bad byte does not swallow the valid sequence after it */
	CHECK_STR("\xc3\xc3\xa9", "\"" R "\xc3\xa9\"", false);
}

static void test_scalars(void **state)
{
	struct mt_json j;

	(void)state;
	mt_json_init(&j);
	mt_json_arr_begin(&j);
	mt_json_u64(&j, 0);
	mt_json_u64(&j, UINT64_MAX);
	mt_json_i64(&j, -1);
	mt_json_i64(&j, INT64_MIN);
	mt_json_i64(&j, INT64_MAX);
	mt_json_bool(&j, true);
	mt_json_bool(&j, false);
	mt_json_null(&j);
	mt_json_hex(&j, 0);
	mt_json_hex(&j, 0x7ffc0000f00dULL);
	mt_json_hex(&j, UINT64_MAX);
	mt_json_arr_end(&j);
	assert_string_equal(out(&j),
		"[0,18446744073709551615,-1,-9223372036854775808,"
		"9223372036854775807,true,false,null,\"0x0\",\"0x7ffc0000f00d\","
		"\"0xffffffffffffffff\"]");
	mt_json_free(&j);
}

static void test_nested_commas(void **state)
{
	struct mt_json j;

	(void)state;
	mt_json_init(&j);
	mt_json_obj_begin(&j);
	mt_json_key(&j, "a");
	mt_json_u64(&j, 1);
	mt_json_key(&j, "b");
	mt_json_arr_begin(&j);
	mt_json_u64(&j, 1);
	mt_json_arr_begin(&j);
	mt_json_arr_end(&j);
	mt_json_obj_begin(&j);
	mt_json_key(&j, "c");
	mt_json_null(&j);
	mt_json_key(&j, "d");
	mt_json_obj_begin(&j);
	mt_json_obj_end(&j);
	mt_json_obj_end(&j);
	mt_json_str(&j, "s", 1);
	mt_json_arr_end(&j);
	mt_json_key(&j, "e");
	mt_json_obj_begin(&j);
	mt_json_key(&j, "f");
	mt_json_arr_begin(&j);
	mt_json_obj_begin(&j);
	mt_json_obj_end(&j);
	mt_json_obj_begin(&j);
	mt_json_obj_end(&j);
	mt_json_arr_end(&j);
	mt_json_obj_end(&j);
	mt_json_key(&j, "g");
	mt_json_bool(&j, false);
	mt_json_obj_end(&j);
	assert_string_equal(out(&j),
		"{\"a\":1,\"b\":[1,[],{\"c\":null,\"d\":{}},\"s\"],"
		"\"e\":{\"f\":[{},{}]},\"g\":false}");
	mt_json_free(&j);
}

/* 40 levels, beyond any fixed-depth stack: commas stay right. */
static void test_deep_nesting(void **state)
{
	struct mt_json j;
	char want[512] = "";

	(void)state;
	mt_json_init(&j);
	for (int i = 0; i < 40; i++) {
		mt_json_arr_begin(&j);
		mt_json_u64(&j, (uint64_t)i);
		strcat(want, i ? ",[" : "[");
		snprintf(want + strlen(want), 8, "%d", i);
	}
	for (int i = 0; i < 40; i++) {
		mt_json_arr_end(&j);
		strcat(want, "]");
	}
	assert_string_equal(out(&j), want);
	mt_json_free(&j);
}

static void test_kv_bytes(void **state)
{
	struct mt_json j;

	(void)state;
	mt_json_init(&j);
	mt_json_obj_begin(&j);
	mt_json_kv_bytes(&j, "path", "/tmp/ok \xc3\xa9", 10);
	mt_json_kv_bytes(&j, "name", "a\xff\n", 3);
	mt_json_kv_bytes(&j, "empty", "", 0);
	mt_json_key(&j, "after");
	mt_json_u64(&j, 7);
	mt_json_obj_end(&j);
	assert_string_equal(out(&j),
		"{\"path\":\"/tmp/ok \xc3\xa9\","
		"\"name\":\"a\\ufffd\\n\",\"name_hex\":\"61ff0a\","
		"\"empty\":\"\",\"after\":7}");
	mt_json_free(&j);
}

static void test_kv_bytes_in_array_of_objects(void **state)
{
	struct mt_json j;

	(void)state;
	mt_json_init(&j);
	mt_json_arr_begin(&j);
	mt_json_obj_begin(&j);
	mt_json_kv_bytes(&j, "n", "\xed\xa0\x80", 3);
	mt_json_obj_end(&j);
	mt_json_obj_begin(&j);
	mt_json_kv_bytes(&j, "n", "\xed\xa0\x80", 3);
	mt_json_obj_end(&j);
	mt_json_arr_end(&j);
	assert_string_equal(out(&j),
		"[{\"n\":\"" R R R "\",\"n_hex\":\"eda080\"},"
		"{\"n\":\"" R R R "\",\"n_hex\":\"eda080\"}]");
	mt_json_free(&j);
}

/* Long strings grow the buffer past its first size. */
static void test_long_string(void **state)
{
	static char in[5000], want[5000 * 6 + 3];
	struct mt_json j;

	(void)state;
	memset(in, '\x01', sizeof(in));
	want[0] = '"';
	for (size_t i = 0; i < sizeof(in); i++)
		memcpy(want + 1 + i * 6, "\\u0001", 6);
	memcpy(want + 1 + sizeof(in) * 6, "\"", 2);
	mt_json_init(&j);
	assert_true(mt_json_str(&j, in, sizeof(in)));
	assert_false(j.oom);
	assert_int_equal(j.len, strlen(want));
	assert_memory_equal(j.buf, want, j.len);
	mt_json_free(&j);
}

static void test_flush_line(void **state)
{
	struct mt_json j;
	char got[256];
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	mt_json_init(&j);
	mt_json_obj_begin(&j);
	mt_json_key(&j, "a");
	mt_json_u64(&j, 1);
	mt_json_obj_end(&j);
	assert_int_equal(mt_json_flush_line(&j, f), 0);
	assert_int_equal(j.len, 0);
	assert_false(j.need_comma);
	/* after the reset, a new top-level value gets no leading comma */
	mt_json_arr_begin(&j);
	mt_json_arr_end(&j);
	assert_int_equal(mt_json_flush_line(&j, f), 0);
	rewind(f);
	got[fread(got, 1, sizeof(got) - 1, f)] = '\0';
	assert_string_equal(got, "{\"a\":1}\n[]\n");
	fclose(f);
	mt_json_free(&j);
}

static void test_flush_line_write_error(void **state)
{
	struct mt_json j;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	mt_json_init(&j);
	mt_json_null(&j);
	assert_int_equal(mt_json_flush_line(&j, f), -ENOSPC);
	assert_int_equal(j.len, 0);
	fclose(f);
	mt_json_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_ascii_byte),
		cmocka_unit_test(test_control_bytes_exact),
		cmocka_unit_test(test_valid_utf8_passes),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_nested_commas),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_kv_bytes),
		cmocka_unit_test(test_kv_bytes_in_array_of_objects),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_flush_line),
		cmocka_unit_test(test_flush_line_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
