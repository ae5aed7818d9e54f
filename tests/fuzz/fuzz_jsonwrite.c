// SPDX-License-Identifier: GPL-2.0
/* fuzz_jsonwrite.c - the JSON writer's strings (user/base/json.c) on any bytes,
 * read back by the JSON reader (user/base/jsonread.c).
 *
 * Input: arbitrary bytes (file names are not UTF-8 by law). They are
 * written as one document:
 *   {"s": STR(all), "a": [STR(head), STR(tail), u64, i64, hex, fixed3, true,
 *    null], "b": STR(all) [, "b_hex": HEX(all) when lossy]}
 * (the split point and the numbers come from the input too). Checked:
 *  - the document is valid JSON (fuzz_util.h's strict validator: grammar
 *    and well-formed UTF-8) and mt_jparse accepts it;
 *  - mt_json_str says "exact" exactly when the bytes are valid UTF-8;
 *  - each string reads back as the bytes when exact, and otherwise as the
 *    bytes with each byte that starts no well-formed sequence replaced by
 *    U+FFFD (what json.h promises); "b_hex" is present exactly when lossy
 *    and decodes to the bytes;
 *  - the numbers read back as written.
 */
#include <inttypes.h>
#include <string.h>

#include "base/json.h"
#include "base/jsonread.h"
#include "fuzz_util.h"

/* The bytes as json.h promises to carry them; returns whether exact. */
static bool expected(const uint8_t *s, size_t len, char **out, size_t *out_len)
{
	char *o = malloc(len * 3 + 1);
	size_t n = 0;
	bool exact = true;

	FUZZ_CHECK(o, "out of memory");
	for (size_t i = 0; i < len;) {
		size_t k = jc_utf8(s + i, s + len);

		if (k) {
			memcpy(o + n, s + i, k);
			n += k;
			i += k;
		} else {
			memcpy(o + n, "\xef\xbf\xbd", 3);
			n += 3;
			exact = false;
			i++;
		}
	}
	*out = o;
	*out_len = n;
	return exact;
}

static void check_str(const struct mt_jval *v, const uint8_t *s, size_t len, const char *what)
{
	char *want;
	size_t want_len;

	FUZZ_CHECK(v && v->type == MT_J_STR, "%s: not a string", what);
	expected(s, len, &want, &want_len);
	FUZZ_CHECK(v->len == want_len && !memcmp(v->str, want, want_len),
		   "%s: reads back differently (%zu bytes, expected %zu)", what, v->len, want_len);
	free(want);
}

static uint64_t take_u64(const uint8_t *data, size_t size, size_t at)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 8 && at + i < size; i++)
		v |= (uint64_t)data[at + i] << (8 * i);
	return v;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t split = size ? data[0] % (size + 1) : 0;
	uint64_t u = take_u64(data, size, 1), fx = take_u64(data, size, 9);
	int64_t i64 = (int64_t)take_u64(data, size, 5);
	struct mt_json j;
	struct mt_jval doc;
	const struct mt_jval *a, *hex;
	char *want;
	size_t want_len, err_off = 0;
	bool exact, ex_all, ex_head, ex_tail;
	char buf[32];

	exact = expected(data, size, &want, &want_len);
	free(want);

	mt_json_init(&j);
	mt_json_obj_begin(&j);
	mt_json_key(&j, "s");
	ex_all = mt_json_str(&j, s, size);
	mt_json_key(&j, "a");
	mt_json_arr_begin(&j);
	ex_head = mt_json_str(&j, s, split);
	ex_tail = mt_json_str(&j, s + split, size - split);
	mt_json_u64(&j, u);
	mt_json_i64(&j, i64);
	mt_json_hex(&j, u);
	mt_json_fixed3(&j, fx);
	mt_json_bool(&j, true);
	mt_json_null(&j);
	mt_json_arr_end(&j);
	mt_json_kv_bytes(&j, "b", s, size);
	mt_json_obj_end(&j);

	FUZZ_CHECK(!j.oom, "writer out of memory");
	FUZZ_CHECK(ex_all == exact, "mt_json_str says %s", ex_all ? "exact" : "lossy");
	FUZZ_CHECK(!ex_head || !ex_tail || exact, "both halves exact, the whole lossy");
	FUZZ_CHECK(json_valid(j.buf, j.len), "invalid JSON: %.*s", (int)j.len, j.buf);
	FUZZ_CHECK(mt_jparse(j.buf, j.len, &doc, &err_off) == 0, "mt_jparse refused at %zu: %.*s",
		   err_off, (int)j.len, j.buf);

	check_str(mt_jget(&doc, "s"), data, size, "s");
	check_str(mt_jget(&doc, "b"), data, size, "b");
	a = mt_jget(&doc, "a");
	FUZZ_CHECK(a && a->type == MT_J_ARR && a->len == 8, "array shape");
	check_str(&a->items[0], data, split, "head");
	check_str(&a->items[1], data + split, size - split, "tail");
	FUZZ_CHECK(a->items[2].type == MT_J_NUM && a->items[2].is_u64 && a->items[2].u64 == u,
		   "u64 %" PRIu64 " reads back as %" PRIu64, u, a->items[2].u64);
	FUZZ_CHECK(a->items[3].type == MT_J_NUM && (i64 < 0 || (a->items[3].is_u64 &&
		   a->items[3].u64 == (uint64_t)i64)), "i64 %" PRId64, i64);
	FUZZ_CHECK(a->items[3].num == (double)i64, "i64 %" PRId64 " reads back as %.17g", i64,
		   a->items[3].num);
	snprintf(buf, sizeof(buf), "0x%" PRIx64, u);
	FUZZ_CHECK(a->items[4].type == MT_J_STR && !strcmp(a->items[4].str, buf), "hex");
	FUZZ_CHECK(a->items[5].type == MT_J_NUM && !a->items[5].is_u64, "fixed3");
	FUZZ_CHECK(a->items[6].type == MT_J_BOOL && a->items[6].b, "bool");
	FUZZ_CHECK(a->items[7].type == MT_J_NULL, "null");

	hex = mt_jget(&doc, "b_hex");
	FUZZ_CHECK(!hex == exact, "b_hex %s for %s bytes", hex ? "present" : "absent",
		   exact ? "exact" : "lossy");
	if (hex) {
		FUZZ_CHECK(hex->type == MT_J_STR && hex->len == 2 * size, "b_hex length");
		for (size_t i = 0; i < size; i++) {
			int hi = hexval(hex->str[2 * i]), lo = hexval(hex->str[2 * i + 1]);

			FUZZ_CHECK(hi >= 0 && lo >= 0 && (hi << 4 | lo) == data[i], "b_hex byte %zu", i);
		}
	}
	mt_jfree(&doc);
	mt_json_free(&j);
	return 0;
}
