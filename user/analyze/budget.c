// SPDX-License-Identifier: GPL-2.0
/* budget.c - limits on stat figures: parse them, check a run against them. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "analyze/budget.h"

int mt_parse_value(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (shift && (*end == 'B' || *end == 'b'))
		end++;
	while (isspace((unsigned char)*end))
		end++;
	if (*end || (shift && v > (~0ULL >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int mt_budget_add(struct mt_budget *b, const char *entry, const char *what)
{
	const char *op = strstr(entry, "<=");
	size_t oplen = 2, namelen;
	struct mt_limit l = { 0 };
	uint64_t probe;
	struct mt_figures zero = { 0 };

	if (!op) {
		op = strchr(entry, '=');
		oplen = 1;
	}
	if (!op) {
		fprintf(stderr, "maptrace: %s: '%s' is not FIGURE <= VALUE\n", what, entry);
		return -1;
	}
	while (isspace((unsigned char)*entry))
		entry++;
	namelen = (size_t)(op - entry);
	while (namelen && isspace((unsigned char)entry[namelen - 1]))
		namelen--;
	if (!namelen || namelen >= sizeof(l.figure)) {
		fprintf(stderr, "maptrace: %s: missing figure name in '%s'\n", what, entry);
		return -1;
	}
	memcpy(l.figure, entry, namelen);
	if (!mt_figure_get(&zero, l.figure, &probe)) {
		fprintf(stderr, "maptrace: %s: unknown figure '%s' (see: maptrace stat --help)\n",
			what, l.figure);
		return -1;
	}
	if (mt_parse_value(op + oplen, &l.max)) {
		fprintf(stderr, "maptrace: %s: bad limit '%s' for %s (e.g. 200, 64M)\n", what,
			op + oplen, l.figure);
		return -1;
	}
	if (mt_array_grow((void **)&b->limits, &b->cap, b->count + 1, sizeof(*b->limits)))
		return -1;
	b->limits[b->count++] = l;
	return 0;
}

int mt_budget_load(struct mt_budget *b, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], what[600];
	int lineno = 0, err = 0;

	if (!f) {
		fprintf(stderr, "maptrace: cannot read budget '%s': %s\n", path, strerror(errno));
		return -1;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *p = line;

		lineno++;
		if (hash)
			*hash = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			continue;
		snprintf(what, sizeof(what), "%s:%d", path, lineno);
		err = mt_budget_add(b, p, what);
	}
	fclose(f);
	return err;
}

int mt_budget_check(const struct mt_budget *b, const struct mt_figures *f, FILE *out)
{
	int over = 0;

	for (size_t i = 0; i < b->count; i++) {
		const struct mt_limit *l = &b->limits[i];
		uint64_t v = 0;

		mt_figure_get(f, l->figure, &v);
		if (v <= l->max)
			continue;
		over++;
		fprintf(out, "maptrace: over budget: %s = %llu, limit %llu (+%llu", l->figure,
			(unsigned long long)v, (unsigned long long)l->max,
			(unsigned long long)(v - l->max));
		if (l->max)
			fprintf(out, ", +%.1f%%", 100.0 * (double)(v - l->max) / (double)l->max);
		fprintf(out, ")\n");
	}
	return over;
}

void mt_budget_free(struct mt_budget *b)
{
	free(b->limits);
	memset(b, 0, sizeof(*b));
}
