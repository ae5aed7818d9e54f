// SPDX-License-Identifier: GPL-2.0
/* diff.c - `maptrace diff BASE.json NEW.json`: compare two `stat --json`
 * summaries figure by figure and fail (exit 3) when one grew past its
 * threshold: the CI question "did this change make the program map more, or
 * churn more?". */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "base/file.h"
#include "base/jsonread.h"
#include "analyze/budget.h"
#include "analyze/stats.h"

static const char diff_usage[] =
"Usage: maptrace diff [OPTIONS] BASE.json NEW.json\n"
"\n"
"Compare the totals of two `maptrace stat --json` summaries. Prints every\n"
"figure that changed (base, new, change); with thresholds, exits 3 when a\n"
"figure grew by more than its threshold.\n"
"\n"
"Options:\n"
"  -t, --threshold FIGURE=LIMIT   allowed growth: absolute (200, 16M) or percent\n"
"                                 of the base (10%); FIGURE 'all' sets every\n"
"                                 figure without its own threshold (repeatable)\n"
"  -a, --all                      print unchanged figures too\n"
"  -h, --help                     this text\n"
"\n"
"Exit status: 0 within thresholds, 3 past one, 1 unreadable input, 2 usage.\n"
"\n"
"Examples:\n"
"  maptrace diff base.json new.json\n"
"  maptrace diff -t all=5% -t calls.mmap=0 base.json new.json\n";

struct threshold {
	char figure[48];
	uint64_t limit;
	double percent;
	bool is_percent;
};

static int load_doc(const char *path, struct mt_jval *doc)
{
	char *buf;
	size_t len, err_off = 0;
	int rc = mt_file_read(path, &buf, &len);

	if (rc) {
		fprintf(stderr, "maptrace diff: cannot read '%s': %s\n", path, strerror(-rc));
		return -1;
	}
	rc = mt_jparse(buf, len, doc, &err_off);
	free(buf);
	if (rc) {
		fprintf(stderr, "maptrace diff: '%s' is not valid JSON (byte %zu)\n", path, err_off);
		return -1;
	}
	if (!mt_jget(doc, "schema") || mt_jget(doc, "schema")->type != MT_J_STR ||
	    strcmp(mt_jget(doc, "schema")->str, "maptrace-stat") || !mt_jget(doc, "total")) {
		fprintf(stderr, "maptrace diff: '%s' is not a maptrace stat summary "
			"(make one with: maptrace stat --json -o FILE -- CMD)\n", path);
		mt_jfree(doc);
		return -1;
	}
	return 0;
}

/* A figure of a summary's totals; false when absent. */
static bool figure_of(const struct mt_jval *doc, const char *name, uint64_t *v)
{
	const struct mt_jval *t = mt_jget(doc, "total"), *x;
	const char *dot = strchr(name, '.');

	if (dot) {
		char group[16];
		size_t n = (size_t)(dot - name);

		if (n >= sizeof(group))
			return false;
		memcpy(group, name, n);
		group[n] = '\0';
		x = mt_jget(mt_jget(t, group), dot + 1);
	} else {
		x = mt_jget(t, name);
	}
	if (!x || x->type != MT_J_NUM || !x->is_u64)
		return false;
	*v = x->u64;
	return true;
}

static int parse_threshold(const char *arg, struct threshold *t)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : 0;
	struct mt_figures zero = { 0 };
	uint64_t probe;
	char *end;

	memset(t, 0, sizeof(*t));
	if (!eq || !n || n >= sizeof(t->figure)) {
		fprintf(stderr, "maptrace diff: bad threshold '%s' (FIGURE=LIMIT or FIGURE=PERCENT%%)\n", arg);
		return -1;
	}
	memcpy(t->figure, arg, n);
	if (strcmp(t->figure, "all") && !mt_figure_get(&zero, t->figure, &probe)) {
		fprintf(stderr, "maptrace diff: unknown figure '%s' (see: maptrace stat --help)\n", t->figure);
		return -1;
	}
	if (eq[1] && eq[strlen(eq) - 1] == '%') {
		t->percent = strtod(eq + 1, &end);
		t->is_percent = true;
		if (end == eq + 1 || *end != '%' || !isfinite(t->percent) || t->percent < 0) {
			fprintf(stderr, "maptrace diff: bad percentage in '%s'\n", arg);
			return -1;
		}
		return 0;
	}
	if (mt_parse_value(eq + 1, &t->limit)) {
		fprintf(stderr, "maptrace diff: bad limit in '%s' (e.g. 200, 16M, 10%%)\n", arg);
		return -1;
	}
	return 0;
}

static const struct threshold *threshold_for(const struct threshold *ts, int n, const char *fig)
{
	const struct threshold *all = NULL;

	for (int i = 0; i < n; i++) {
		if (!strcmp(ts[i].figure, fig))
			return &ts[i];
		if (!strcmp(ts[i].figure, "all"))
			all = &ts[i];
	}
	return all;
}

static bool exceeds(const struct threshold *t, uint64_t base, uint64_t now)
{
	uint64_t growth;

	if (!t || now <= base)
		return false;
	growth = now - base;
	if (!t->is_percent)
		return growth > t->limit;
	return base == 0 || 100.0 * (double)growth / (double)base > t->percent;
}

enum { OPT_THRESHOLD = 1, OPT_ALL, OPT_HELP };

static const struct mt_option diff_options[] = {
	{ "threshold", 't', true, OPT_THRESHOLD },
	{ "all", 'a', false, OPT_ALL },
	{ "help", 'h', false, OPT_HELP },
	{ 0 }
};

int cmd_diff(int argc, char **argv)
{
	struct threshold *ts = calloc((size_t)argc, sizeof(*ts));
	const char *paths[2] = { 0 };
	struct mt_jval docs[2] = { 0 };
	int nts = 0, npaths = 0, over = 0, status = 0, id;
	bool show_all = false;
	struct mt_args args;
	const char *val;

	if (!ts)
		return 1;
	mt_args_init(&args, argc, argv, "diff");
	while ((id = mt_opt_next(&args, diff_options, &val)) != MT_OPT_END) {
		if (id == OPT_HELP) {
			fputs(diff_usage, stdout);
			free(ts);
			return 0;
		}
		if (id == OPT_THRESHOLD && !parse_threshold(val, &ts[nts]))
			nts++;
		else if (id == OPT_ALL)
			show_all = true;
		else if (id == MT_OPT_POSITIONAL && npaths < 2)
			paths[npaths++] = val;
		else if (id == MT_OPT_POSITIONAL || id == MT_OPT_COMMAND)
			npaths = 3;
		else {
			free(ts);
			return 2;
		}
	}
	if (npaths != 2) {
		fprintf(stderr, "maptrace diff: give exactly two files: BASE.json NEW.json\n");
		free(ts);
		return 2;
	}
	if (load_doc(paths[0], &docs[0]) || load_doc(paths[1], &docs[1])) {
		status = 1;
		goto out;
	}
	printf("%-24s %16s %16s %16s\n", "figure", "base", "new", "change");
	for (const char *const *name = mt_figure_names; *name; name++) {
		uint64_t base = 0, now = 0;
		const struct threshold *t = threshold_for(ts, nts, *name);
		bool bad;

		figure_of(&docs[0], *name, &base);
		figure_of(&docs[1], *name, &now);
		if (base == now && !show_all)
			continue;
		bad = exceeds(t, base, now);
		over += bad;
		printf("%-24s %16llu %16llu %+16lld", *name, (unsigned long long)base,
		       (unsigned long long)now, (long long)(now - base));
		if (base)
			printf(" %+7.1f%%", 100.0 * ((double)now - (double)base) / (double)base);
		printf("%s\n", bad ? "  over threshold" : "");
	}
	if (over) {
		printf("maptrace diff: %d figure%s grew past %s threshold\n", over, over > 1 ? "s" : "",
		       over > 1 ? "their" : "its");
		status = 3;
	}
out:
	mt_jfree(&docs[0]);
	mt_jfree(&docs[1]);
	free(ts);
	return status;
}
