// SPDX-License-Identifier: GPL-2.0
/* options.c - the command-line parser every command uses (options.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "cmd/options.h"

#define MAX_SECONDS 1000000000 /* 31 years: as nanoseconds, far inside 64 bits */

void mt_args_init(struct mt_args *a, int argc, char **argv, const char *cmd)
{
	a->argc = argc;
	a->argv = argv;
	a->i = 1; /* argv[0] is the command's name */
	a->cmd = cmd;
	a->rest = NULL;
}

int mt_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "maptrace %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see: maptrace %s --help)\n", cmd);
	return 2;
}

static const struct mt_option *by_long(const struct mt_option *t, const char *name, size_t len)
{
	for (; t->id; t++)
		if (strlen(t->name) == len && !strncmp(t->name, name, len))
			return t;
	return NULL;
}

static const struct mt_option *by_short(const struct mt_option *t, char c)
{
	for (; t->id; t++)
		if (t->short_name && t->short_name == c)
			return t;
	return NULL;
}

/* The value of o: attached (inline, non-NULL) or the next word. */
static int take_value(struct mt_args *a, const struct mt_option *o, const char *word,
		      const char *inline_val, const char **val)
{
	if (!o->has_value) {
		if (inline_val) {
			mt_usage_error(a->cmd, "%s takes no value", word);
			return MT_OPT_ERROR;
		}
		return o->id;
	}
	if (inline_val) {
		*val = inline_val;
		return o->id;
	}
	if (a->i >= a->argc) {
		mt_usage_error(a->cmd, "%s needs a value", word);
		return MT_OPT_ERROR;
	}
	*val = a->argv[a->i++];
	return o->id;
}

int mt_opt_next(struct mt_args *a, const struct mt_option *table, const char **val)
{
	const struct mt_option *o;
	const char *w;

	*val = NULL;
	if (a->i >= a->argc)
		return MT_OPT_END;
	w = a->argv[a->i++];
	if (!strcmp(w, "--")) {
		a->rest = a->argv + a->i;
		a->i = a->argc;
		return MT_OPT_COMMAND;
	}
	if (w[0] != '-' || !w[1]) {
		*val = w;
		return MT_OPT_POSITIONAL;
	}
	if (w[1] == '-') {
		const char *eq = strchr(w + 2, '=');
		size_t len = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
		char word[64];

		o = by_long(table, w + 2, len);
		snprintf(word, sizeof(word), "--%.*s", (int)len, w + 2);
		if (!o) {
			mt_usage_error(a->cmd, "unknown option '%s'", w);
			return MT_OPT_ERROR;
		}
		return take_value(a, o, word, eq ? eq + 1 : NULL, val);
	}
	o = by_short(table, w[1]);
	if (!o) {
		mt_usage_error(a->cmd, "unknown option '%s'", w);
		return MT_OPT_ERROR;
	}
	{
		char word[3] = { '-', w[1], 0 };

		/* -oFILE; a flag's short form stands alone */
		if (w[2] && !o->has_value) {
			mt_usage_error(a->cmd, "unknown option '%s'", w);
			return MT_OPT_ERROR;
		}
		return take_value(a, o, word, w[2] ? w + 2 : NULL, val);
	}
}

int mt_opt_uint(const char *cmd, const char *opt, const char *val, unsigned long long min,
		unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = isdigit((unsigned char)*val) ? strtoull(val, &end, 10) : 0;
	if (!isdigit((unsigned char)*val) || errno || *end || v < min || v > max)
		return mt_usage_error(cmd, "%s wants a whole number from %llu to %llu, not '%s'", opt,
				      min, max, val);
	*out = v;
	return 0;
}

int mt_opt_seconds(const char *cmd, const char *opt, const char *val, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = isdigit((unsigned char)*val) || *val == '.' ? strtod(val, &end) : -1;
	if (v <= 0 || v > MAX_SECONDS || errno || *end || !isfinite(v))
		return mt_usage_error(cmd, "%s wants a number of seconds above 0 and at most %d, not '%s'",
				      opt, MAX_SECONDS, val);
	*out = v;
	return 0;
}

int mt_opt_size(const char *cmd, const char *opt, const char *val, unsigned long long *out)
{
	if (mt_parse_size(val, out) || !*out)
		return mt_usage_error(cmd, "%s wants a size (e.g. 4096, 64K, 16M), not '%s'", opt, val);
	return 0;
}
