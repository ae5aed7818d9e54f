// SPDX-License-Identifier: GPL-2.0
/* stat.c - `maptrace stat`: what a run mapped, like `perf stat` for
 * address spaces. A summary per process and in total at the end (command
 * exit, -d SECONDS, or Ctrl-C); --json writes the versioned schema of
 * docs/stat.md; --budget/--max fail the run (exit 3) when a figure exceeds
 * its limit, which is what CI pipelines use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "trace/session.h"
#include "analyze/stats.h"
#include "analyze/budget.h"
#include "analyze/timeline.h"
#include "out/export.h"
#include "out/report.h"
#include "out/timeline.h"
#include "proc/procinfo.h"

#define STAT_SCHEMA_VERSION 1

static const char stat_usage[] =
"Usage: maptrace stat [OPTIONS] TARGET\n"
"\n"
"Count what TARGET did to its address spaces and summarise at the end (command\n"
"exit, -d SECONDS, or Ctrl-C): per process and in total, calls per kind (and\n"
"failures), bytes mapped and unmapped, churn (bytes mapped and unmapped again\n"
"while traced), peak and final virtual and anonymous size, mappings at the end.\n"
"The summary goes to stderr (like perf stat) unless -o is given.\n"
"\n"
"Options:\n"
"  -j, --json            JSON (schema \"maptrace-stat\" version 1, docs/stat.md)\n"
"      --html FILE       also a self-contained HTML report: the figures per process\n"
"                        and a timeline of the traced processes' virtual, anonymous\n"
"                        and resident bytes with the calls (docs/report.md)\n"
"  -o, --output FILE     write the summary to FILE\n"
"  -B, --budget FILE     limits, one per line: FIGURE <= VALUE  (# comments)\n"
"  -m, --max FIGURE=VALUE  one limit (repeatable)\n"
"                        exit status 3 when a figure exceeds its limit\n"
"      --trace-event FILE  Chrome Trace Event JSON (Perfetto UI, chrome://tracing,\n"
"                        speedscope): a memory counter track per process, each\n"
"                        mapping call as a span from entry to exit, fork/exec/exit\n"
"                        as instants\n"
"      --folded FILE     folded stacks weighted by bytes mapped (flamegraph.pl,\n"
"                        inferno, speedscope): process;call;file\n"
MT_COMMON_USAGE
"\n"
"FIGUREs: calls.KIND, failed.KIND (KIND: mmap munmap mprotect pkey_mprotect brk\n"
"mremap shmat shmdt remap_file_pages io_setup io_destroy madvise prctl),\n"
"bytes_mapped, bytes_unmapped, churn_bytes, peak_vm_bytes, final_vm_bytes,\n"
"peak_anon_bytes, final_anon_bytes, final_mappings. VALUEs take K/M/G suffixes.\n"
"\n"
"Exit status: the command's status; 1 on errors or lost events; 3 over budget.\n"
"\n"
"TARGET: -p PID[,PID...] | -a | -- COMMAND [ARGS...]\n"
"\n"
"Examples:\n"
"  maptrace stat -- ./my-test\n"
"  maptrace stat --json -o stat.json -- make -j2\n"
"  maptrace stat --max calls.mmap=200 --max churn_bytes=16M -- ./server --selftest\n"
"  maptrace stat -B ci/map-budget.txt -- ./my-test && echo within budget\n";

struct stat_ctx {
	struct mt_stats st;
	struct mt_export x;
	struct mt_timeline *timeline;   /* --html: the run's sizes after each change */
	uint64_t start_ns;
	uint64_t unmeasured;     /* address spaces that ended unread, changes unapplied */
	pid_t unmeasured_pid;
};

static void on_event(struct mt_session *s, const struct mt_event *e, const char *path)
{
	struct stat_ctx *c = s->ctx;

	mt_stats_event(&c->st, e);
	if (e->kind == MT_EV_EXEC)
		mt_export_process_name(&c->x, e->pid, e->comm);
	mt_export_event(&c->x, e, path);
}

static void on_stale(struct mt_aspace *as, const struct mt_event *e, void *arg)
{
	struct mt_session *s = arg;
	struct stat_ctx *c = s->ctx;

	mt_stats_stale(&c->st, as, e);
}

/* --html: every traced address space together after a change (a call, or
 * an address space copied or read: e NULL), into the timeline. */
static void record_change(struct mt_session *s, struct stat_ctx *c, const struct mt_aspace *as,
			  const struct mt_event *e)
{
	struct mt_timeline_point p = mt_timeline_change(e, (uint32_t)as->pid,
							e ? e->ts_ns : s->last_event_ns, s->t0_ns);

	p.vm = c->st.vm_now;
	p.anon = c->st.anon_now;
	if (mt_timeline_add(c->timeline, &p))
		fprintf(stderr, "maptrace stat: out of memory: the timeline misses a change\n");
}

/* --html: the traced processes' resident size together, now and then. */
static void sample_rss(struct mt_session *s)
{
	struct stat_ctx *c = s->ctx;
	uint64_t total = 0, vm, rss, key;
	size_t pos = 0;
	void *v;

	while (mt_u64map_next(&s->reg.by_mm, &pos, &key, &v)) {
		const struct mt_aspace *as = v;

		if (!as->exited && !mt_proc_statm(as->pid, &vm, &rss))
			total += rss;
	}
	mt_timeline_sample(c->timeline, mt_now_ns() - s->t0_ns, total);
}

static void on_apply(struct mt_aspace *as, const struct mt_event *e, bool after, void *arg)
{
	struct mt_session *s = arg;
	struct stat_ctx *c = s->ctx;

	mt_stats_apply(&c->st, as, e, after);
	if (after && as->shadow)
		mt_export_counter(&c->x, as->pid, e ? e->ts_ns : s->last_event_ns, as->acct_vm,
				  as->acct_anon);
	if (after && as->shadow && c->timeline)
		record_change(s, c, as, e);
}

static void on_dump(struct mt_aspace *as, const struct mt_maps *kernel, uint32_t reason, void *arg)
{
	struct mt_session *s = arg;
	struct stat_ctx *c = s->ctx;

	/* the exit dump holds the kernel's own count of the final vmas */
	if (reason == MT_DUMP_EXIT)
		mt_stats_final(&c->st, as, kernel);
}

static void on_release(struct mt_aspace *as, void *arg)
{
	struct mt_session *s = arg;
	struct stat_ctx *c = s->ctx;

	if (!as->final_taken)
		mt_stats_final(&c->st, as, NULL);
	/* never read (seeded), its changes still queued: what they mapped is
	 * in no figure, which would read as less than the truth */
	if (!as->shadow && as->npending && !c->unmeasured++)
		c->unmeasured_pid = as->pid;
}

static void write_json(FILE *out, struct mt_session *s, struct stat_ctx *c, double seconds,
		       uint64_t lost, int status)
{
	struct mt_json j;
	struct mt_figures total;

	mt_json_init(&j);
	mt_json_obj_begin(&j);
	mt_json_key(&j, "schema");
	mt_json_str(&j, "maptrace-stat", 13);
	mt_json_key(&j, "version");
	mt_json_u64(&j, STAT_SCHEMA_VERSION);
	if (s->target.argv) {
		mt_json_key(&j, "command");
		mt_json_arr_begin(&j);
		for (char **a = s->target.argv; *a; a++)
			mt_json_str(&j, *a, strlen(*a));
		mt_json_arr_end(&j);
		mt_json_key(&j, "exit_status");
		mt_json_i64(&j, status);
	}
	mt_json_key(&j, "duration_ns");
	mt_json_u64(&j, (uint64_t)(seconds * 1e9));
	mt_json_key(&j, "lost_events");
	mt_json_u64(&j, lost);
	mt_json_key(&j, "unmeasured_address_spaces");
	mt_json_u64(&j, c->unmeasured);
	mt_stats_total(&c->st, &total);
	mt_json_key(&j, "total");
	mt_figures_json(&j, &total);
	mt_json_key(&j, "processes");
	mt_json_arr_begin(&j);
	for (size_t i = 0; i < c->st.norder; i++) {
		const struct mt_proc_stats *ps = mt_u64map_get(&c->st.by_pid, (uint64_t)c->st.order[i]);

		if (!ps)
			continue;
		mt_json_obj_begin(&j);
		mt_json_key(&j, "pid");
		mt_json_u64(&j, ps->pid);
		mt_json_kv_bytes(&j, "comm", ps->comm, strlen(ps->comm));
		mt_json_key(&j, "exited");
		mt_json_bool(&j, ps->exited);
		mt_json_key(&j, "figures");
		mt_figures_json(&j, &ps->f);
		mt_json_obj_end(&j);
	}
	mt_json_arr_end(&j);
	if (c->timeline)
		mt_timeline_json(&j, c->timeline, NULL);
	mt_json_obj_end(&j);
	mt_json_flush_line(&j, out);
	mt_json_free(&j);
}

enum { OPT_JSON = 1, OPT_OUTPUT, OPT_BUDGET, OPT_MAX, OPT_TRACE_EVENT, OPT_FOLDED, OPT_HTML };

static const struct mt_option stat_options[] = {
	{ "json", 'j', false, OPT_JSON },
	{ "output", 'o', true, OPT_OUTPUT },
	{ "budget", 'B', true, OPT_BUDGET },
	{ "max", 'm', true, OPT_MAX },
	{ "trace-event", 0, true, OPT_TRACE_EVENT },
	{ "folded", 0, true, OPT_FOLDED },
	{ "html", 0, true, OPT_HTML },
	MT_COMMON_OPTIONS,
	{ 0 }
};

/* What stat's own options ask for. */
struct stat_opts {
	struct mt_budget budget;
	const char *out_path, *te_path, *folded_path, *html_path;
	bool json;
};

static int stat_option(void *ctx, int id, const char *val)
{
	struct stat_opts *o = ctx;

	switch (id) {
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_OUTPUT:
		o->out_path = val;
		return 0;
	case OPT_BUDGET:
		return mt_budget_load(&o->budget, val) ? 2 : 0;
	case OPT_MAX:
		return mt_budget_add(&o->budget, val, "--max") ? 2 : 0;
	case OPT_TRACE_EVENT:
		o->te_path = val;
		return 0;
	case OPT_FOLDED:
		o->folded_path = val;
		return 0;
	case OPT_HTML:
		o->html_path = val;
		return 0;
	}
	return 0;
}

/* What write_json is given, for mt_report_write's callback. */
struct stat_end {
	struct mt_session *s;
	struct stat_ctx *c;
	double seconds;
	uint64_t lost;
	int status;
};

static int end_json(FILE *f, void *arg)
{
	const struct stat_end *a = arg;

	write_json(f, a->s, a->c, a->seconds, a->lost, a->status);
	return ferror(f) ? -EIO : 0;
}

/* --html: the JSON document in a page that draws it (out/report.h), and
 * to json_out too unless NULL. */
static int write_html(const char *path, struct stat_end *end, FILE *json_out)
{
	char title[96];
	int rc;

	snprintf(title, sizeof(title), "maptrace stat: %s",
		 end->s->target.argv ? end->s->target.argv[0] : "processes");
	rc = mt_report_write(path, title, "stat", end_json, end, json_out);
	if (rc)
		fprintf(stderr, "maptrace stat: writing '%s' failed: %s (check the directory exists "
			"and is writable)\n", path, strerror(-rc));
	return rc;
}

/* After the run: the exports, the figures (text or JSON) and the budget.
 * Returns the exit status. */
static int stat_report(struct mt_session *s, struct stat_ctx *c, struct stat_opts *o, FILE *out)
{
	int status = 0;
	uint64_t lost;
	double seconds;

	if (mt_export_finish(&c->x)) {
		fprintf(stderr, "maptrace stat: writing '%s' failed: %s\n", o->te_path, strerror(errno));
		status = 1;
	}
	seconds = (double)(mt_now_ns() - c->start_ns) / 1e9;
	mt_session_finish_shadows(s);
	lost = mt_session_report_end(s, stderr);
	if (!status)
		status = s->child ? mt_session_child_exit_code(s) : 0;
	if (lost && !status)
		status = 1;
	if (c->unmeasured) {
		fprintf(stderr, "maptrace stat: %llu address spaces ended before maptrace could read "
			"them (first: pid %d): the byte and size figures leave out what they mapped\n",
			(unsigned long long)c->unmeasured, (int)c->unmeasured_pid);
		if (!status)
			status = 1;
	}
	if (o->folded_path) {
		FILE *f = fopen(o->folded_path, "w");

		if (!f || mt_export_folded(&c->x, f) || fclose(f)) {
			fprintf(stderr, "maptrace stat: writing '%s' failed: %s\n", o->folded_path,
				strerror(errno));
			status = 1;
		}
	}
	if (o->html_path) {
		struct stat_end end = { s, c, seconds, lost, status };

		/* with --json, the one document goes to both */
		if (write_html(o->html_path, &end, o->json ? out : NULL))
			status = 1;
	} else if (o->json) {
		write_json(out, s, c, seconds, lost, status);
	}
	if (!o->json)
		mt_stats_print(out, &c->st, seconds);
	if (o->budget.count) {
		struct mt_figures total;

		mt_stats_total(&c->st, &total);
		if (mt_budget_check(&o->budget, &total, stderr))
			status = 3;
	}
	return status;
}

int cmd_stat(int argc, char **argv)
{
	struct mt_session s = { .keep_shadows = true, .topts.dump_exit = true };
	struct stat_ctx c = { 0 };
	struct stat_opts o = { 0 };
	FILE *te = NULL;
	FILE *out = stderr;
	int status;

	status = mt_command_options(&s, argc, argv, "stat", stat_options, stat_usage, stat_option, &o);
	if (status != MT_OPTS_GO) {
		mt_budget_free(&o.budget);
		return status;
	}
	status = 0;
	if (mt_target_check(&s.target, "stat"))
		goto usage;
	if (o.out_path && !(out = fopen(o.out_path, "w"))) {
		fprintf(stderr, "maptrace stat: cannot write '%s': %s\n", o.out_path, strerror(errno));
		mt_budget_free(&o.budget);
		return 1;
	}
	if (o.te_path && !(te = fopen(o.te_path, "w"))) {
		fprintf(stderr, "maptrace stat: cannot write '%s': %s\n", o.te_path, strerror(errno));
		status = 1;
		goto out;
	}

	/* before the session starts: seeding -p targets already counts */
	mt_stats_init(&c.st, mt_gate_bytes());
	mt_export_init(&c.x, te, o.folded_path != NULL, mt_now_ns());
	s.on_event = on_event;
	s.on_dump = on_dump;
	s.on_apply = on_apply;
	s.on_stale = on_stale;
	s.on_release = on_release;
	s.ctx = &c;
	s.topts.enter_times = te != NULL; /* the trace's spans need each call's entry */
	/* nothing else in stat shows when an event happened */
	s.topts.untimed = te == NULL && !o.html_path;
	if (o.html_path) {
		if (!(c.timeline = malloc(sizeof(*c.timeline)))) {
			status = 1;
			goto out;
		}
		mt_timeline_init(c.timeline, MT_TIMELINE_POINTS, MT_TIMELINE_SAMPLES);
		s.on_tick = sample_rss;
		s.poll_ms = 50;
	}
	if (mt_session_start(&s)) {
		status = 1;
		goto out;
	}
	c.start_ns = mt_now_ns();
	mt_session_run(&s);
	status = stat_report(&s, &c, &o, out);
out:
	mt_session_close(&s);
	mt_stats_free(&c.st);
	mt_export_free(&c.x);
	if (c.timeline)
		mt_timeline_free(c.timeline);
	free(c.timeline);
	if (te && fclose(te)) {
		fprintf(stderr, "maptrace stat: writing '%s' failed: %s\n", o.te_path, strerror(errno));
		status = 1;
	}
	mt_budget_free(&o.budget);
	if (out != stderr && fclose(out)) {
		fprintf(stderr, "maptrace stat: writing '%s' failed: %s\n", o.out_path, strerror(errno));
		status = 1;
	}
	return status;
usage:
	mt_budget_free(&o.budget);
	return 2;
}
