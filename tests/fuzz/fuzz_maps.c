// SPDX-License-Identifier: GPL-2.0
/* fuzz_maps.c - the /proc/<pid>/maps parser (user/proc/procmaps.c) on any text.
 *
 * Input: the text of a maps file. Checked, besides "no crash, leak or hang":
 *  - a parse that succeeds gives regions in address order, non-empty, with
 *    names NUL-terminated inside the arena; a failing one names a line that
 *    exists;
 *  - every line parsed alone (mt_maps_parse_line) gives the same region,
 *    succeeds with a name buffer of exactly the unescaped name plus NUL and
 *    fails with -ENAMETOOLONG one byte short;
 *  - the regions written back in the kernel's format (newline as "\012",
 *    " (deleted)" appended again) parse to the same regions;
 *  - copying them with mt_maps_append (the arena moves) keeps every name.
 * The same bytes also go to the other one-file /proc parsers of the
 * classifier (task syscall, task stat, limits) and mt_size_str.
 */
#include <errno.h>
#include <string.h>

#include "proc/procmaps.h"
#include "analyze/classify.h"
#include "fuzz_util.h"

#define DELETED " (deleted)"

static bool same_region(const struct mt_region *a, const struct mt_region *b)
{
	if (a->start != b->start || a->end != b->end || a->offset != b->offset ||
	    a->inode != b->inode || a->dev != b->dev || a->perms != b->perms ||
	    a->flags != b->flags)
		return false;
	if (!a->name || !b->name)
		return a->name == b->name;
	return strcmp(a->name, b->name) == 0;
}

/* Append one region as show_map_vma() prints it. */
static void format_region(FILE *f, const struct mt_region *r)
{
	char perms[5];
	int n;

	n = fprintf(f, "%08llx-%08llx %s %08llx %02x:%02x %llu ", (unsigned long long)r->start,
		    (unsigned long long)r->end, mt_perms_str(r->perms, perms),
		    (unsigned long long)r->offset, MT_DEV_MAJOR(r->dev), MT_DEV_MINOR(r->dev),
		    (unsigned long long)r->inode);
	if (r->name) {
		for (; n < 73; n++)
			fputc(' ', f);
		for (const char *p = r->name; *p; p++) {
			if (*p == '\n')
				fputs("\\012", f);
			else
				fputc(*p, f);
		}
		if (r->flags & MT_RF_DELETED)
			fputs(DELETED, f);
	}
	fputc('\n', f);
}

static void check_line_alone(const char *line, size_t len, const struct mt_region *want)
{
	struct mt_region r;
	size_t name_len = want->name ? strlen(want->name) : 0;
	/* the buffer holds the name before " (deleted)" is stripped */
	size_t need = want->name ? name_len + 1 + (want->flags & MT_RF_DELETED ? strlen(DELETED) : 0) : 0;
	char *buf = malloc(need ? need : 1);
	int err;

	FUZZ_CHECK(buf, "out of memory");
	if (need) {
		err = mt_maps_parse_line(line, len, &r, buf, need);
		FUZZ_CHECK(err == 0, "line alone: %d with a buffer of %zu", err, need);
		FUZZ_CHECK(same_region(&r, want), "line alone parses differently");
		err = mt_maps_parse_line(line, len, &r, buf, need - 1);
		FUZZ_CHECK(err == -ENAMETOOLONG, "one byte short: %d", err);
	} else {
		err = mt_maps_parse_line(line, len, &r, NULL, 0);
		FUZZ_CHECK(err == 0 && same_region(&r, want), "nameless line alone: %d", err);
	}
	free(buf);
}

static void check_maps(const char *text, size_t len, const struct mt_maps *m)
{
	const char *p = text, *end = text + len;
	struct mt_maps again = { 0 }, copy = { 0 };
	char *out = NULL;
	size_t out_len = 0, bad = 0;
	FILE *f;
	int err;

	for (size_t i = 0; i < m->count; i++) {
		const struct mt_region *r = &m->regions[i];
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		FUZZ_CHECK(r->start < r->end, "empty region %zu", i);
		FUZZ_CHECK(i == 0 || r->start >= m->regions[i - 1].end, "region %zu out of order", i);
		if (r->name) {
			FUZZ_CHECK(r->name >= m->names && r->name < m->names + m->names_len,
				   "name %zu outside the arena", i);
			FUZZ_CHECK(memchr(r->name, '\0', (size_t)(m->names + m->names_len - r->name)),
				   "name %zu not terminated in the arena", i);
			FUZZ_CHECK(r->name[0] != '\0', "empty name %zu", i);
		}
		check_line_alone(p, line_len, r);
		FUZZ_CHECK(mt_maps_append(&copy, r, r->name, r->name ? strlen(r->name) : 0) == 0,
			   "append");
		p += line_len + 1;
	}
	for (size_t i = 0; i < m->count; i++)
		FUZZ_CHECK(same_region(&copy.regions[i], &m->regions[i]), "append changed region %zu", i);
	mt_maps_free(&copy);

	f = open_memstream(&out, &out_len);
	FUZZ_CHECK(f, "open_memstream");
	for (size_t i = 0; i < m->count; i++)
		format_region(f, &m->regions[i]);
	fclose(f);
	err = mt_maps_parse(out, out_len, &again, &bad);
	FUZZ_CHECK(err == 0, "written back, line %zu does not parse (%d)", bad, err);
	FUZZ_CHECK(again.count == m->count, "written back: %zu regions, not %zu", again.count,
		   m->count);
	for (size_t i = 0; i < m->count; i++)
		FUZZ_CHECK(same_region(&again.regions[i], &m->regions[i]),
			   "region %zu differs after writing back", i);
	mt_maps_free(&again);
	free(out);
}

static void other_parsers(const uint8_t *data, size_t size)
{
	struct mt_thread t = { 0 };
	uint64_t v = 0;
	char buf[16];

	mt_parse_task_syscall((const char *)data, size, &t);
	mt_parse_task_stat_sp((const char *)data, size, &t);
	mt_parse_limits_stack((const char *)data, size, &v);
	if (size >= 8)
		memcpy(&v, data, 8);
	mt_size_str(v, buf);
	FUZZ_CHECK(memchr(buf, '\0', sizeof(buf)), "mt_size_str unterminated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact copy, so reading one byte past the text is caught */
	char *text = malloc(size ? size : 1);
	struct mt_maps m = { 0 };
	size_t bad = 0, lines = 0;
	int err;

	FUZZ_CHECK(text, "out of memory");
	memcpy(text, data, size);
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	lines += size && text[size - 1] != '\n';

	err = mt_maps_parse(text, size, &m, &bad);
	if (err == 0) {
		FUZZ_CHECK(m.count == lines, "%zu regions from %zu lines", m.count, lines);
		check_maps(text, size, &m);
	} else {
		/* the arena is sized so a name always fits: only -EINVAL */
		FUZZ_CHECK(err == -EINVAL, "unexpected error %d", err);
		FUZZ_CHECK(bad >= 1 && bad <= lines, "bad line %zu of %zu", bad, lines);
		FUZZ_CHECK(m.count == 0 && !m.regions && !m.names, "failed parse left memory");
	}
	mt_maps_free(&m);
	other_parsers(data, size);
	free(text);
	return 0;
}
