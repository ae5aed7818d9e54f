// SPDX-License-Identifier: GPL-2.0
/* fuzz_jsonread.c - the JSON reader (user/base/jsonread.c) on any bytes.
 *
 * Input: a JSON text (or not). Checked, besides "no crash, leak or hang":
 *  - every text the strict validator (fuzz_util.h) accepts with containers
 *    nested at most 64 deep (the reader's limit) is accepted;
 *  - a failure's error offset lies within the text;
 *  - in the tree: strings are NUL-terminated at their length, object keys
 *    exist and mt_jget finds the first member of each name, a number marked
 *    exact (is_u64) has the value strtod gave it;
 *  - the tree written back as JSON (by a small writer here: the project's
 *    writer takes only trusted keys) and read again is the same tree.
 */
#include <math.h>
#include <string.h>

#include "base/jsonread.h"
#include "fuzz_util.h"

#define READER_MAX_DEPTH 64

static void check_tree(const struct mt_jval *v)
{
	switch (v->type) {
	case MT_J_STR:
		FUZZ_CHECK(v->str && v->str[v->len] == '\0', "string not terminated at its length");
		break;
	case MT_J_NUM:
		/* exact integers agree with the double strtod made of the same text */
		FUZZ_CHECK(!v->is_u64 || (double)v->u64 == v->num,
			   "is_u64 %llu but the number is %.17g", (unsigned long long)v->u64, v->num);
		break;
	case MT_J_OBJ:
		for (size_t i = 0; i < v->len; i++) {
			const struct mt_jval *got;
			size_t first = i;

			FUZZ_CHECK(v->keys && v->keys[i], "member %zu has no key", i);
			for (size_t k = 0; k < i; k++)
				if (!strcmp(v->keys[k], v->keys[i])) {
					first = k;
					break;
				}
			got = mt_jget(v, v->keys[i]);
			FUZZ_CHECK(got == &v->items[first], "mt_jget(\"%s\") is not member %zu",
				   v->keys[i], first);
		}
		/* fall through */
	case MT_J_ARR:
		for (size_t i = 0; i < v->len; i++)
			check_tree(&v->items[i]);
		break;
	default:
		break;
	}
}

static void write_str(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void write_tree(FILE *f, const struct mt_jval *v)
{
	switch (v->type) {
	case MT_J_NULL:
		fputs("null", f);
		break;
	case MT_J_BOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case MT_J_NUM:
		if (v->is_u64)
			fprintf(f, "%llu", (unsigned long long)v->u64);
		else if (isinf(v->num))
			fputs(v->num < 0 ? "-1e999" : "1e999", f);
		else    /* an exponent keeps it from reading back as an exact integer */
			fprintf(f, "%.17e", v->num);
		break;
	case MT_J_STR:
		write_str(f, v->str, v->len);
		break;
	case MT_J_ARR:
	case MT_J_OBJ:
		fputc(v->type == MT_J_OBJ ? '{' : '[', f);
		for (size_t i = 0; i < v->len; i++) {
			if (i)
				fputc(',', f);
			if (v->type == MT_J_OBJ) {
				write_str(f, v->keys[i], strlen(v->keys[i]));
				fputc(':', f);
			}
			write_tree(f, &v->items[i]);
		}
		fputc(v->type == MT_J_OBJ ? '}' : ']', f);
		break;
	}
}

static bool same_tree(const struct mt_jval *a, const struct mt_jval *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case MT_J_NULL:
		return true;
	case MT_J_BOOL:
		return a->b == b->b;
	case MT_J_NUM:
		if (a->is_u64 != b->is_u64 || (a->is_u64 && a->u64 != b->u64))
			return false;
		return a->num == b->num || (isnan(a->num) && isnan(b->num));
	case MT_J_STR:
		return a->len == b->len && !memcmp(a->str, b->str, a->len);
	case MT_J_ARR:
	case MT_J_OBJ:
		if (a->len != b->len)
			return false;
		for (size_t i = 0; i < a->len; i++) {
			/* keys hold no NUL: the reader's keys are C strings */
			if (a->type == MT_J_OBJ && strcmp(a->keys[i], b->keys[i]))
				return false;
			if (!same_tree(&a->items[i], &b->items[i]))
				return false;
		}
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	struct mt_jval v, again;
	size_t err_off = (size_t)-1;
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;
	int err;

	FUZZ_CHECK(text, "out of memory");
	memcpy(text, data, size);
	err = mt_jparse(text, size, &v, &err_off);
	if (err) {
		FUZZ_CHECK(err_off <= size, "error offset %zu past %zu bytes", err_off, size);
		FUZZ_CHECK(!json_valid_depth(text, size, READER_MAX_DEPTH),
			   "valid JSON refused at offset %zu", err_off);
		free(text);
		return 0;
	}
	check_tree(&v);

	f = open_memstream(&out, &out_len);
	FUZZ_CHECK(f, "open_memstream");
	write_tree(f, &v);
	fclose(f);
	err = mt_jparse(out, out_len, &again, &err_off);
	FUZZ_CHECK(err == 0, "written back, refused at offset %zu: %.*s", err_off, (int)out_len, out);
	FUZZ_CHECK(same_tree(&v, &again), "written back, reads differently: %.*s", (int)out_len, out);
	mt_jfree(&again);
	mt_jfree(&v);
	free(out);
	free(text);
	return 0;
}
