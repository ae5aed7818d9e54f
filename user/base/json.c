// SPDX-License-Identifier: GPL-2.0
/* json.c - streaming JSON Lines writer into a growable buffer.
 *
 * Commas: need_comma says a value was already written at the current
 * nesting level. Opening a container consumes it (the container is the
 * value), closing one sets it again (the parent now holds at least that
 * container), and a key clears it so its value gets no comma. That is all
 * the state the rule needs, so no nesting stack is kept.
 *
 * Strings are arbitrary bytes. Valid UTF-8 passes through; each byte that
 * is not part of a well-formed sequence (Unicode Table 3-7: no overlongs,
 * no surrogates, nothing past U+10FFFF, no truncated sequence) becomes
 * "\ufffd" and the string is reported as lossy.
 *
 * Allocation failure sets oom and turns every later write into a no-op, so
 * callers check once, at mt_json_flush_line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

#define JSON_CAP_MIN 256

static const char hexdig[] = "0123456789abcdef";

void mt_json_init(struct mt_json *j)
{
	memset(j, 0, sizeof(*j));
}

void mt_json_free(struct mt_json *j)
{
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

void mt_json_reset(struct mt_json *j)
{
	j->len = 0;
	j->need_comma = false;
	j->oom = false;
}

/* Make room for n more bytes; false (and oom) when that fails. */
static bool reserve(struct mt_json *j, size_t n)
{
	size_t ncap;
	char *nbuf;

	if (j->oom)
		return false;
	if (j->cap - j->len >= n)
		return true;
	if (n > SIZE_MAX / 2 - j->len) {
		j->oom = true;
		return false;
	}
	ncap = j->cap ? j->cap : JSON_CAP_MIN;
	while (ncap - j->len < n)
		ncap *= 2;
	nbuf = realloc(j->buf, ncap);
	if (!nbuf) {
		j->oom = true;
		return false;
	}
	j->buf = nbuf;
	j->cap = ncap;
	return true;
}

static void put(struct mt_json *j, const char *s, size_t n)
{
	if (!reserve(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void put_str(struct mt_json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Start a value (or a key) at the current level. */
static void sep(struct mt_json *j)
{
	if (j->need_comma)
		put(j, ",", 1);
}

static void container_open(struct mt_json *j, char c)
{
	sep(j);
	put(j, &c, 1);
	j->need_comma = false;
}

static void container_close(struct mt_json *j, char c)
{
	put(j, &c, 1);
	j->need_comma = true;
}

void mt_json_obj_begin(struct mt_json *j) { container_open(j, '{'); }
void mt_json_obj_end(struct mt_json *j)   { container_close(j, '}'); }
void mt_json_arr_begin(struct mt_json *j) { container_open(j, '['); }
void mt_json_arr_end(struct mt_json *j)   { container_close(j, ']'); }

/* "key<suffix>": with key trusted ASCII */
static void key_suffixed(struct mt_json *j, const char *key, const char *suffix)
{
	sep(j);
	put(j, "\"", 1);
	put_str(j, key);
	put_str(j, suffix);
	put(j, "\":", 2);
	j->need_comma = false;
}

void mt_json_key(struct mt_json *j, const char *key)
{
	key_suffixed(j, key, "");
}

/* A scalar written verbatim (number or literal). */
static void scalar(struct mt_json *j, const char *s, size_t n)
{
	sep(j);
	put(j, s, n);
	j->need_comma = true;
}

/* Decimal digits of v, right-aligned ending at end; returns the start. */
static char *fmt_dec(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void mt_json_u64(struct mt_json *j, uint64_t v)
{
	char tmp[24], *end = tmp + sizeof(tmp);
	char *s = fmt_dec(end, v);

	scalar(j, s, (size_t)(end - s));
}

void mt_json_fixed3(struct mt_json *j, uint64_t thousandths)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu.%03llu", (unsigned long long)(thousandths / 1000),
			 (unsigned long long)(thousandths % 1000));

	scalar(j, tmp, (size_t)n);
}

void mt_json_i64(struct mt_json *j, int64_t v)
{
	char tmp[24], *end = tmp + sizeof(tmp);
	/* negate in unsigned arithmetic: -INT64_MIN overflows int64_t */
	char *s = fmt_dec(end, v < 0 ? -(uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--s = '-';
	scalar(j, s, (size_t)(end - s));
}

void mt_json_bool(struct mt_json *j, bool v)
{
	if (v)
		scalar(j, "true", 4);
	else
		scalar(j, "false", 5);
}

void mt_json_null(struct mt_json *j)
{
	scalar(j, "null", 4);
}

void mt_json_hex(struct mt_json *j, uint64_t v)
{
	char tmp[24], *end = tmp + sizeof(tmp), *s = end;

	*--s = '"';
	do {
		*--s = hexdig[v & 0xf];
		v >>= 4;
	} while (v);
	*--s = 'x';
	*--s = '0';
	*--s = '"';
	scalar(j, s, (size_t)(end - s));
}

/* Length of the well-formed UTF-8 sequence at s (n bytes available), or 0
 * when s[0] does not start one. The second byte's range depends on the
 * lead byte (Unicode Table 3-7): that is where overlongs (E0, F0),
 * surrogates (ED) and values past U+10FFFF (F4) are excluded. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t want;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		want = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		want = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		want = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < want || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < want; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return want;
}

/* Write the JSON escape for an ASCII byte that needs one into out (at
 * least 6 bytes); returns its length, 0 when c needs no escape. */
static size_t ascii_escape(unsigned char c, char *out)
{
	char short_form = 0;

	switch (c) {
	case '"':  short_form = '"'; break;
	case '\\': short_form = '\\'; break;
	case '\b': short_form = 'b'; break;
	case '\f': short_form = 'f'; break;
	case '\n': short_form = 'n'; break;
	case '\r': short_form = 'r'; break;
	case '\t': short_form = 't'; break;
	default:
		if (c >= 0x20 && c != 0x7f)
			return 0;
		memcpy(out, "\\u00", 4);
		out[4] = hexdig[c >> 4];
		out[5] = hexdig[c & 0xf];
		return 6;
	}
	out[0] = '\\';
	out[1] = short_form;
	return 2;
}

bool mt_json_str(struct mt_json *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	bool exact = true;
	size_t i = 0;

	sep(j);
	j->need_comma = true;
	/* worst case: every byte becomes a 6-byte escape, plus the quotes */
	if (len > (SIZE_MAX - 2) / 6 || !reserve(j, len * 6 + 2))
		return false;
	j->buf[j->len++] = '"';
	while (i < len) {
		char *out = j->buf + j->len;
		size_t n;

		if (p[i] < 0x80) {
			n = ascii_escape(p[i], out);
			if (n == 0)
				out[n++] = (char)p[i];
			j->len += n;
			i++;
		} else if ((n = utf8_len(p + i, len - i)) > 0) {
			memcpy(out, p + i, n);
			j->len += n;
			i += n;
		} else {
			memcpy(out, "\\ufffd", 6);
			j->len += 6;
			exact = false;
			i++;
		}
	}
	j->buf[j->len++] = '"';
	return exact;
}

void mt_json_kv_bytes(struct mt_json *j, const char *key, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	mt_json_key(j, key);
	if (mt_json_str(j, s, len) || j->oom)
		return;
	key_suffixed(j, key, "_hex");
	sep(j);
	j->need_comma = true;
	if (len > (SIZE_MAX - 2) / 2 || !reserve(j, len * 2 + 2))
		return;
	j->buf[j->len++] = '"';
	for (size_t i = 0; i < len; i++) {
		j->buf[j->len++] = hexdig[p[i] >> 4];
		j->buf[j->len++] = hexdig[p[i] & 0xf];
	}
	j->buf[j->len++] = '"';
}

int mt_json_flush_line(struct mt_json *j, FILE *f)
{
	int err = 0;

	put(j, "\n", 1);
	if (j->oom) {
		err = -ENOMEM;
	} else {
		errno = 0;
		if (fwrite(j->buf, 1, j->len, f) != j->len || ferror(f))
			err = errno ? -errno : -EIO;
	}
	mt_json_reset(j);
	return err;
}
