// SPDX-License-Identifier: GPL-2.0
/* jsonread.c - recursive-descent JSON parser into a small DOM.
 * Depth is limited so hostile input cannot exhaust the stack. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonread.h"

#define MAX_DEPTH 64

struct parser {
	const char *p, *end, *start;
	int depth;
};

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int parse_value(struct parser *ps, struct mt_jval *v);

static int hex4(const char *p, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
		if (d > 15)
			return -1;
		*out = *out << 4 | d;
	}
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* at the opening quote; *out gets a malloc'd unescaped copy */
static int parse_string(struct parser *ps, char **out, size_t *olen)
{
	const char *p = ps->p + 1;
	char *buf, *o;

	/* unescaped text is never longer than the escaped text */
	buf = malloc((size_t)(ps->end - p) + 1);
	if (!buf)
		return -1;
	o = buf;
	while (p < ps->end && *p != '"') {
		unsigned cp, lo;

		if ((unsigned char)*p < 0x20)
			goto bad;
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		if (++p >= ps->end)
			goto bad;
		switch (*p) {
		case '"': case '\\': case '/': *o++ = *p; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (ps->end - p < 5 || hex4(p + 1, &cp))
				goto bad;
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && ps->end - p >= 7 && p[1] == '\\' &&
			    p[2] == 'u' && !hex4(p + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
			o += put_utf8(o, cp);
			break;
		default:
			goto bad;
		}
		p++;
	}
	if (p >= ps->end)
		goto bad;
	*o = '\0';
	*out = buf;
	*olen = (size_t)(o - buf);
	ps->p = p + 1;
	return 0;
bad:
	ps->p = p;
	free(buf);
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 8259 number grammar first: strtod alone also takes white space of its
 * own ("\v-12"), '+', hex, "inf" and "nan", and strtoull then made "\v-12"
 * the "exact" 2^64-12 (and "0x10" an exact 0 worth 16.0). A number past
 * 2^64-1 is no exact u64 either (ERANGE). The text is NUL-terminated. */
static int parse_number(struct parser *ps, struct mt_jval *v)
{
	char *end;
	const char *p = ps->p, *q = p;
	bool integer = true;

	if (*q == '-') {
		integer = false;
		q++;
	}
	if (*q == '0')
		q++;
	else if (is_digit(*q))
		while (is_digit(*q))
			q++;
	else
		return -1;
	if (*q == '.') {
		integer = false;
		if (!is_digit(*++q))
			return -1;
		while (is_digit(*q))
			q++;
	}
	if (*q == 'e' || *q == 'E') {
		integer = false;
		if (*++q == '+' || *q == '-')
			q++;
		if (!is_digit(*q))
			return -1;
		while (is_digit(*q))
			q++;
	}
	v->num = strtod(p, &end);
	if (end != q)
		return -1;
	if (integer) {
		errno = 0;
		v->u64 = strtoull(p, NULL, 10);
		v->is_u64 = errno == 0;
	}
	v->type = MT_J_NUM;
	ps->p = end;
	return 0;
}

static int push(struct mt_jval *v, size_t *cap, bool with_key)
{
	if (v->len < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 8;
	struct mt_jval *items = realloc(v->items, *cap * sizeof(*items));
	if (!items)
		return -1;
	v->items = items;
	if (with_key) {
		char **keys = realloc(v->keys, *cap * sizeof(*keys));
		if (!keys)
			return -1;
		v->keys = keys;
	}
	return 0;
}

static int parse_container(struct parser *ps, struct mt_jval *v, bool obj)
{
	size_t cap = 0;
	char close = obj ? '}' : ']';

	v->type = obj ? MT_J_OBJ : MT_J_ARR;
	if (++ps->depth > MAX_DEPTH)
		return -1;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		size_t klen;

		if (push(v, &cap, obj))
			return -1;
		memset(&v->items[v->len], 0, sizeof(v->items[0]));
		if (obj) {
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != '"' || parse_string(ps, &v->keys[v->len], &klen))
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				v->len++; /* the key is owned now */
				return -1;
			}
			ps->p++;
		}
		v->len++;
		if (parse_value(ps, &v->items[v->len - 1]))
			return -1;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return -1;
	}
}

static int parse_value(struct parser *ps, struct mt_jval *v)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return -1;
	switch (*ps->p) {
	case '{':
		return parse_container(ps, v, true);
	case '[':
		return parse_container(ps, v, false);
	case '"':
		v->type = MT_J_STR;
		return parse_string(ps, &v->str, &v->len);
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = { "true", "false", "null" };

		for (int i = 0; i < 3; i++) {
			size_t n = strlen(words[i]);

			if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, words[i], n)) {
				v->type = i == 2 ? MT_J_NULL : MT_J_BOOL;
				v->b = i == 0;
				ps->p += n;
				return 0;
			}
		}
		return -1;
	}
	default:
		return parse_number(ps, v);
	}
}

int mt_jparse(const char *text, size_t len, struct mt_jval *out, size_t *err_off)
{
	struct parser ps = { .p = text, .end = text + len, .start = text };
	char *copy = malloc(len + 1);
	int err;

	/* strtod needs a terminated buffer */
	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	ps.p = ps.start = copy;
	ps.end = copy + len;
	memset(out, 0, sizeof(*out));
	err = parse_value(&ps, out);
	if (!err) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			err = -1;
	}
	if (err) {
		if (err_off)
			*err_off = (size_t)(ps.p - ps.start);
		mt_jfree(out);
	}
	free(copy);
	return err ? -1 : 0;
}

void mt_jfree(struct mt_jval *v)
{
	if (v->type == MT_J_ARR || v->type == MT_J_OBJ) {
		for (size_t i = 0; i < v->len; i++) {
			mt_jfree(&v->items[i]);
			if (v->keys)
				free(v->keys[i]);
		}
		free(v->items);
		free(v->keys);
	}
	free(v->str);
	memset(v, 0, sizeof(*v));
}

const struct mt_jval *mt_jget(const struct mt_jval *obj, const char *key)
{
	if (!obj || obj->type != MT_J_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->len; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}
