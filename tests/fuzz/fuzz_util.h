/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz_util.h - shared by the libFuzzer targets: an invariant check that
 * aborts (libFuzzer then saves the input as a reproducer) and a strict
 * JSON validator (RFC 8259 grammar, well-formed UTF-8 as I-JSON, RFC 7493,
 * requires). The validator is independent of user/base/jsonread.c on purpose:
 * mt_jparse is lenient (strtod accepts "inf", hex, a leading '+'), so it
 * cannot prove that what maptrace writes is JSON.
 */
#ifndef MAPTRACE_FUZZ_UTIL_H
#define MAPTRACE_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* fuzz targets have no prototypes in a header of their own */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz invariant failed at %s:%d: %s: ",  \
				__FILE__, __LINE__, #cond);                    \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

struct jcheck {
	const unsigned char *p, *end;
	int depth, max_depth;
};

static inline bool jc_value(struct jcheck *c);

static inline void jc_ws(struct jcheck *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline bool jc_lit(struct jcheck *c, const char *w)
{
	for (; *w; w++, c->p++)
		if (c->p >= c->end || *c->p != (unsigned char)*w)
			return false;
	return true;
}

/* Length of a well-formed UTF-8 sequence at p (Unicode Table 3-7), 0 if none. */
static inline size_t jc_utf8(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p), want;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		want = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		want = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		want = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < want || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < want; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return want;
}

static inline int jc_hex4(const unsigned char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static inline bool jc_string(struct jcheck *c)
{
	c->p++; /* '"' */
	while (c->p < c->end && *c->p != '"') {
		size_t n;

		if (*c->p < 0x20)
			return false;
		if (*c->p != '\\') {
			if (!(n = jc_utf8(c->p, c->end)))
				return false;
			c->p += n;
			continue;
		}
		if (c->end - c->p < 2)
			return false;
		switch (c->p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			c->p += 2;
			break;
		case 'u': {
			int cp;

			if (c->end - c->p < 6 || (cp = jc_hex4(c->p + 2)) < 0)
				return false;
			c->p += 6;
			/* a surrogate must be a high one followed by a low one */
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return false;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				int lo;

				if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' ||
				    (lo = jc_hex4(c->p + 2)) < 0xdc00 || lo > 0xdfff)
					return false;
				c->p += 6;
			}
			break;
		}
		default:
			return false;
		}
	}
	if (c->p >= c->end)
		return false;
	c->p++;
	return true;
}

static inline bool jc_digits(struct jcheck *c)
{
	const unsigned char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s;
}

static inline bool jc_number(struct jcheck *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!jc_digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!jc_digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!jc_digits(c))
			return false;
	}
	return true;
}

static inline bool jc_container(struct jcheck *c, bool obj)
{
	unsigned char close = obj ? '}' : ']';

	if (++c->depth > c->max_depth)
		return false;
	c->p++;
	jc_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return true;
	}
	for (;;) {
		jc_ws(c);
		if (obj) {
			if (c->p >= c->end || *c->p != '"' || !jc_string(c))
				return false;
			jc_ws(c);
			if (c->p >= c->end || *c->p != ':')
				return false;
			c->p++;
		}
		if (!jc_value(c))
			return false;
		jc_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == close) {
			c->p++;
			c->depth--;
			return true;
		}
		return false;
	}
}

static inline bool jc_value(struct jcheck *c)
{
	jc_ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '{': return jc_container(c, true);
	case '[': return jc_container(c, false);
	case '"': return jc_string(c);
	case 't': return jc_lit(c, "true");
	case 'f': return jc_lit(c, "false");
	case 'n': return jc_lit(c, "null");
	default:  return jc_number(c);
	}
}

/* Whether s[0..len) is exactly one JSON text (RFC 8259, UTF-8) with
 * containers nested at most max_depth deep. */
static inline bool json_valid_depth(const char *s, size_t len, int max_depth)
{
	struct jcheck c = { (const unsigned char *)s, (const unsigned char *)s + len, 0, max_depth };

	if (!jc_value(&c))
		return false;
	jc_ws(&c);
	return c.p == c.end;
}

static inline bool json_valid(const char *s, size_t len)
{
	return json_valid_depth(s, len, 512);
}

/* The shared /dev/null stream for output that is exercised, not checked. */
static inline FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

#endif /* MAPTRACE_FUZZ_UTIL_H */
