// SPDX-License-Identifier: GPL-2.0
/* serve.c - `maptrace serve`: mapping activity as Prometheus metrics.
 *
 * Traces every process (or the given ones) as `top -a` does and serves
 * /metrics: per (cgroup, comm) series of calls by kind and result and of
 * bytes mapped and unmapped (analyze/series.c), in Prometheus's text format
 * or OpenMetrics (out/prom.c), over a minimal HTTP server on loopback
 * unless told otherwise (out/httpd.c), polled between ring-buffer reads.
 * Each event carries its task's cgroup v2 id (taken in the kernel as the
 * call happens: a process moved between cgroups, or gone before its event
 * is read, is still counted where it was), named by proc/cgroups.c; where
 * there is no cgroup2 mount, a process's /proc/PID/cgroup is read at its
 * first event and forgotten at its exit. Memory follows the live
 * processes, the cgroups that exist and the series cap, not how many
 * processes ever ran.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/series.h"
#include "base/array.h"
#include "analyze/stats.h"
#include "base/u64map.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/event.h"
#include "out/httpd.h"
#include "out/prom.h"
#include "proc/cgroups.h"
#include "proc/procinfo.h"
#include "trace/session.h"
#include "trace/tracer.h"

#define DEFAULT_LISTEN     "127.0.0.1:9464"
#define DEFAULT_MAX_SERIES 1000
#define CGROUP_UNKNOWN     "unknown"   /* gone before its cgroup was read */
#define DEFAULT_CHURN_S    1           /* --churn-window */
#define MAX_PROGS          64          /* BPF programs reported */

static const char serve_usage[] =
"Usage: maptrace serve [OPTIONS] [-p PID[,PID...]]\n"
"\n"
"Export mapping activity as Prometheus metrics: traces every process (or\n"
"the given ones) and serves /metrics (Prometheus text format, or OpenMetrics\n"
"when the scraper asks for it) and / (what the metrics mean). Series are per\n"
"cgroup (the service or container, by its cgroup path) and command name,\n"
"never per process unless asked: calls by kind and result, failures by errno,\n"
"bytes mapped, unmapped and churned, what the live processes hold (virtual,\n"
"anonymous and resident bytes, mappings), and maptrace's own health (events,\n"
"lost events, its memory, its BPF programs' CPU time).\n"
"\n"
"Options:\n"
"  -l, --listen ADDR     HOST:PORT to serve on (default " DEFAULT_LISTEN ": loopback\n"
"                        only; 0.0.0.0:9464 for every interface, port 0 for any)\n"
"  -m, --max-series N    series besides 'other' (default 1000): (cgroup, command)\n"
"                        pairs past it are counted in cgroup=\"other\", comm=\"other\"\n"
"      --per-pid N       also the N busiest live processes' own series, labelled\n"
"                        pid (maptrace_process_*): most calls first\n"
"      --churn-window S  churn is what is unmapped within S seconds of being\n"
"                        mapped (default 1)\n"
MT_COMMON_USAGE
"\n"
"Examples:\n"
"  maptrace serve\n"
"  maptrace serve --listen 0.0.0.0:9464 --max-series 200\n"
"  maptrace serve --per-pid 10\n"
"  curl -s localhost:9464/metrics | grep maptrace_mapping_calls_total\n";

static const char index_page[] =
"<!DOCTYPE html>\n<html><head><title>maptrace serve</title></head><body>\n"
"<h1>maptrace serve</h1>\n"
"<p>Linux memory-mapping activity, traced with eBPF, as <a href=\"/metrics\">metrics</a>. "
"Each series is one cgroup (a service or container) and command name.</p>\n<ul>\n"
"<li><code>maptrace_mapping_calls_total{cgroup,comm,kind,result}</code>: mmap, munmap, "
"mprotect, brk, mremap, shmat... calls, ok or failed</li>\n"
"<li><code>maptrace_mapping_failures_total{cgroup,comm,kind,errno}</code>: the failed ones "
"by errno</li>\n"
"<li><code>maptrace_mapped_bytes_total</code>, <code>maptrace_unmapped_bytes_total</code>: "
"address space mapped and unmapped; <code>maptrace_churn_bytes_total</code>: unmapped "
"soon after being mapped (--churn-window)</li>\n"
"<li><code>maptrace_virtual_bytes</code>, <code>maptrace_anonymous_bytes</code>, "
"<code>maptrace_resident_bytes</code>, <code>maptrace_mappings</code>, "
"<code>maptrace_processes</code>: what the live processes hold now</li>\n"
"<li><code>maptrace_process_*{pid,cgroup,comm}</code>: the same for each of the busiest "
"processes, with --per-pid</li>\n"
"<li><code>maptrace_events_total</code>, <code>maptrace_lost_events_total</code>, "
"<code>maptrace_resyncs_total</code>, <code>maptrace_series_folded_total</code>, "
"<code>maptrace_series</code>, <code>maptrace_followed_processes</code>, "
"<code>maptrace_loader_resident_bytes</code>, "
"<code>maptrace_bpf_cpu_seconds_total{program}</code>: maptrace's own health</li>\n"
"</ul>\n</body></html>\n";

struct serve_ctx {
	const char *listen;
	size_t max_series;
	size_t per_pid;             /* --per-pid N: the N busiest processes' own series */
	uint64_t churn_window_ns;
	struct mt_httpd httpd;
	struct mt_series_set series;
	struct mt_u64map procs;     /* with --per-pid: tgid -> its own series, until it exits */
	struct mt_cgroup_names names;   /* cgroup v2 ids as paths */
	struct mt_u64map cgroups;   /* without ids: tgid -> its cgroup path (malloc'd) */
	struct mt_u64map ids;       /* tgid -> the cgroup id of its latest event */
	uint64_t gate_bytes;        /* [vsyscall]: in maps, yet no vma */
	bool run_stats;             /* the kernel measures the BPF programs' CPU time */
	double start_s;
	struct mt_session *s;
	bool oom;
};

/* The cgroup of an event's task: its cgroup v2 id named, else (no cgroup2
 * mount, or a kernel that gave no id) the process's /proc entry, read at
 * its first event and kept until it exits. */
static const char *cgroup_of(struct serve_ctx *c, pid_t pid, uint64_t id)
{
	const char *name = mt_cgroup_name(&c->names, id);
	char *cg;

	if (name)
		return name;
	if ((cg = mt_u64map_get(&c->cgroups, (uint64_t)pid)))
		return cg;
	if (!(cg = mt_cgroup_of_pid(pid)) && !(cg = strdup(CGROUP_UNKNOWN)))
		return NULL;
	if (mt_u64map_put(&c->cgroups, (uint64_t)pid, cg)) {
		free(cg);
		return NULL;
	}
	return cg;
}

/* The series a process's calls count in: its (cgroup, comm) series and,
 * with --per-pid, its own.
 * Returns how many (0 when out of memory). */
static int series_for(struct serve_ctx *c, pid_t pid, uint64_t cgroup, const char *comm,
		      struct mt_series *out[2])
{
	char name[MT_COMM_LEN + 1];
	const char *cg = cgroup_of(c, pid, cgroup);
	int n = 0;

	memcpy(name, comm, MT_COMM_LEN);
	name[MT_COMM_LEN] = '\0';
	if (!cg || !(out[n++] = mt_series_of(&c->series, cg, name))) {
		c->oom = true;
		return 0;
	}
	if (c->per_pid) {
		struct mt_series *own = mt_u64map_get(&c->procs, (uint64_t)pid);

		if (!own && (own = mt_series_new(cg, name))) {
			own->pid = (uint32_t)pid;
			if (mt_u64map_put(&c->procs, (uint64_t)pid, own)) {
				mt_series_destroy(own);
				own = NULL;
			}
		}
		/* its own series is labelled as the process is now: exec renames
		 * it, and it may move to another cgroup */
		if (own && strcmp(own->comm, name))
			memcpy(own->comm, name, sizeof(own->comm));
		if (own && strncmp(own->cgroup, cg, sizeof(own->cgroup) - 1))
			snprintf(own->cgroup, sizeof(own->cgroup), "%s", cg);
		if (own)
			out[n++] = own;
		else
			c->oom = true;
	}
	return n;
}

/* A change's bytes, and what it took back of recent mappings (churn). */
static void add_bytes(struct serve_ctx *c, pid_t pid, uint64_t cgroup, const char *comm,
		      struct mt_event_bytes b, uint64_t churn)
{
	struct mt_series *se[2];
	int n;

	if (!b.mapped && !b.unmapped)
		return;
	n = series_for(c, pid, cgroup, comm, se);
	for (int i = 0; i < n; i++) {
		se[i]->fig.bytes_mapped += b.mapped;
		se[i]->fig.bytes_unmapped += b.unmapped;
		se[i]->fig.churn_bytes += churn;
	}
}

/* Calls as they arrive; a process's cgroup and own series forgotten when
 * it exits (its calls stay counted in its (cgroup, comm) series). */
static void on_event(struct mt_session *s, const struct mt_event *e, const char *path)
{
	struct serve_ctx *c = s->ctx;
	struct mt_series *se[2];
	int n;

	(void)path;
	if (e->kind == MT_EV_EXIT && e->tid == e->pid) {
		free(mt_u64map_del(&c->cgroups, e->pid));
		mt_u64map_del(&c->ids, e->pid);
		mt_series_destroy(mt_u64map_del(&c->procs, e->pid));
		return;
	}
	if (e->cgroup && (uintptr_t)mt_u64map_get(&c->ids, e->pid) != e->cgroup &&
	    mt_u64map_put(&c->ids, e->pid, (void *)(uintptr_t)e->cgroup))
		c->oom = true;
	if (e->kind == MT_EV_NONE || e->kind >= MT_STAT_KINDS)
		return;
	n = series_for(c, (pid_t)e->pid, e->cgroup, e->comm, se);
	for (int i = 0; i < n; i++) {
		se[i]->fig.calls[e->kind]++;
		if (!mt_event_failed(e))
			continue;
		se[i]->fig.failed[e->kind]++;
		if (mt_series_count_failure(se[i], e->kind, (int)-e->ret))
			c->oom = true;
	}
	/* without shadows, bytes by the call's arguments alone (shmdt and
	 * io_destroy, which name no length, count none) */
	if (!s->keep_shadows)
		add_bytes(c, (pid_t)e->pid, e->cgroup, e->comm, mt_event_bytes(e, NULL), 0);
}

/* Bytes as changes are applied in the kernel's order, by stat's rule; the
 * shadow is as it was before the change, so the age of what an unmap
 * takes is known (churn). */
static void count_bytes(struct mt_session *s, const struct mt_aspace *as, const struct mt_event *e,
			struct mt_event_bytes b)
{
	struct serve_ctx *c = s->ctx;
	uint64_t churn = 0;

	if (b.removed_end > b.removed_start && as->shadow)
		churn = mt_created_bytes_in(as->shadow, b.removed_start, b.removed_end,
					    e->ts_ns > c->churn_window_ns ? e->ts_ns - c->churn_window_ns : 1);
	add_bytes(c, as->pid, e->cgroup, as->comm, b, churn);
}

/* What process pid holds now (z.vm, z.anon: from its shadow, or VmSize
 * and nothing without one), added to its series' gauges. */
static void hold(struct serve_ctx *c, pid_t pid, const char *comm, struct mt_sizes z)
{
	uint64_t id = (uintptr_t)mt_u64map_get(&c->ids, (uint64_t)pid);
	struct mt_series *own = mt_u64map_get(&c->procs, (uint64_t)pid), *se[2] = { NULL, own };
	uint64_t vm, rss, maps;
	const char *cg;

	if (!(cg = cgroup_of(c, pid, id)) || !(se[0] = mt_series_of(&c->series, cg, comm))) {
		c->oom = true;
		return;
	}
	if (mt_proc_statm(pid, &vm, &rss))
		return;     /* gone */
	if (!c->s->keep_shadows)
		z.vm = vm;
	maps = mt_proc_maps_lines(pid);
	/* [vsyscall] is a line of maps and no vma */
	if (maps && c->gate_bytes)
		maps--;
	for (int i = 0; i < 2 && se[i]; i++) {
		struct mt_series_now *now = &se[i]->now;

		now->processes++;
		now->vm += z.vm;
		now->anon += z.anon;
		now->rss += rss;
		now->mappings += maps;
	}
}

/* Without shadows: every process /proc lists that has an address space. */
static void hold_from_proc(struct serve_ctx *c)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char comm[MT_COMM_LEN + 1];
		uint64_t vm, rss;
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0 || mt_proc_statm(pid, &vm, &rss) || !vm)
			continue;   /* gone, or a kernel thread */
		mt_proc_read_comm(pid, 0, comm);
		hold(c, pid, comm, (struct mt_sizes){ 0 });
	}
	closedir(d);
}

/* What the live processes hold now, summed into their series' gauges. */
static void sum_holdings(struct serve_ctx *c)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	for (size_t i = 0; i < c->series.n; i++)
		c->series.v[i]->now = (struct mt_series_now){ 0 };
	while (mt_u64map_next(&c->procs, &pos, &key, &v))
		((struct mt_series *)v)->now = (struct mt_series_now){ 0 };
	if (!c->s->keep_shadows) {
		hold_from_proc(c);
		return;
	}
	pos = 0;
	while (mt_u64map_next(&c->s->reg.by_mm, &pos, &key, &v)) {
		struct mt_aspace *as = v;

		if (as->shadow && !as->exited)
			hold(c, as->pid, as->comm, mt_aspace_sizes(as, c->gate_bytes));
	}
}

/* The live processes' own series, the busiest --per-pid of them first;
 * returns how many to show (at most per_pid), or 0 (none, or no memory). */
static size_t busiest_processes(struct serve_ctx *c, struct mt_series ***out)
{
	struct mt_series **v = NULL;
	size_t n = 0, cap = 0, pos = 0;
	uint64_t key;
	void *val;

	*out = NULL;
	while (mt_u64map_next(&c->procs, &pos, &key, &val)) {
		struct mt_series *se = val;

		if (!se->now.processes)
			continue;
		if (mt_array_grow((void **)&v, &cap, n + 1, sizeof(*v))) {
			c->oom = true;
			break;
		}
		v[n++] = se;
	}
	mt_series_sort_busiest(v, n);
	*out = v;
	return n < c->per_pid ? n : c->per_pid;
}

static void answer(void *ctx, const char *path, const char *accept, FILE *body,
		   struct mt_http_reply *reply)
{
	struct serve_ctx *c = ctx;
	bool om = strstr(accept, "application/openmetrics-text") != NULL;

	if (!strcmp(path, "/metrics")) {
		struct mt_prog_runtime progs[MAX_PROGS];
		struct mt_prom_health h = {
			.events = c->s->events, .lost = mt_session_lost(c->s), .resyncs = c->s->resyncs,
			.rss_bytes = mt_self_status_kib("VmRSS:") * 1024, .pids = c->s->reg.by_mm.used,
			.start_s = c->start_s, .churn_window_s = (double)c->churn_window_ns / 1e9,
			.no_shadows = !c->s->keep_shadows,
			.progs = progs,
			.nprogs = c->run_stats ? mt_tracer_prog_runtimes(c->s->tracer, progs, MAX_PROGS) : -1,
		};
		struct mt_prom_scrape scrape = { .series = &c->series, .health = &h };
		struct mt_series **procs;

		reply->content_type = om ? MT_PROM_OPENMETRICS_TYPE : MT_PROM_TEXT_TYPE;
		sum_holdings(c);
		scrape.nprocs = busiest_processes(c, &procs);
		scrape.procs = procs;
		mt_prom_write(body, &scrape, om);
		free(procs);
	} else if (!strcmp(path, "/")) {
		reply->content_type = "text/html; charset=utf-8";
		fputs(index_page, body);
	} else {
		reply->status = 404;
		fputs("not found: see / and /metrics\n", body);
	}
}

static void on_tick(struct mt_session *s)
{
	struct serve_ctx *c = s->ctx;

	mt_httpd_serve_pending(&c->httpd, answer, c);
}

enum { OPT_LISTEN = 1, OPT_MAX_SERIES, OPT_PER_PID, OPT_CHURN_WINDOW };

static const struct mt_option serve_options[] = {
	{ "listen", 'l', true, OPT_LISTEN },
	{ "max-series", 'm', true, OPT_MAX_SERIES },
	{ "per-pid", 0, true, OPT_PER_PID },
	{ "churn-window", 0, true, OPT_CHURN_WINDOW },
	MT_COMMON_OPTIONS,
	{ 0 }
};

static int serve_option(void *ctx, int id, const char *val)
{
	struct serve_ctx *c = ctx;
	unsigned long long n;

	switch (id) {
	case OPT_LISTEN: {
		const char *colon = strrchr(val, ':');

		if (!colon || !colon[1] || colon[1 + strspn(colon + 1, "0123456789")])
			return mt_usage_error("serve", "--listen wants HOST:PORT (e.g. 127.0.0.1:9464), "
					      "not '%s'", val);
		c->listen = val;
		return 0;
	}
	case OPT_MAX_SERIES:
		if (mt_opt_uint("serve", "--max-series", val, 1, 1000000, &n))
			return 2;
		c->max_series = (size_t)n;
		return 0;
	case OPT_PER_PID:
		if (mt_opt_uint("serve", "--per-pid", val, 1, 10000, &n))
			return 2;
		c->per_pid = (size_t)n;
		return 0;
	case OPT_CHURN_WINDOW:
		if (mt_opt_uint("serve", "--churn-window", val, 1, 86400, &n))
			return 2;
		c->churn_window_ns = n * 1000000000ull;
		return 0;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct mt_session s = { .keep_shadows = true, .shadows_optional = true };
	struct serve_ctx c = { .listen = DEFAULT_LISTEN, .max_series = DEFAULT_MAX_SERIES,
			       .churn_window_ns = DEFAULT_CHURN_S * 1000000000ull, .s = &s };
	char why[256];
	uint64_t key;
	void *own;
	int status;

	status = mt_command_options(&s, argc, argv, "serve", serve_options, serve_usage, serve_option, &c);
	if (status != MT_OPTS_GO)
		return status;
	if (s.target.argv)
		return mt_usage_error("serve", "serve watches processes: use -p or nothing");
	if (mt_httpd_listen(&c.httpd, c.listen, why, sizeof(why))) {
		fprintf(stderr, "maptrace serve: %s\n", why);
		return 1;
	}
	if (mt_series_init(&c.series, c.max_series)) {
		fprintf(stderr, "maptrace serve: out of memory\n");
		mt_httpd_close(&c.httpd);
		return 1;
	}
	if (mt_cgroup_names_init(&c.names) == -ENOMEM) {
		fprintf(stderr, "maptrace serve: out of memory\n");
		mt_series_free(&c.series);
		mt_httpd_close(&c.httpd);
		return 1;
	}
	s.topts.cgroups = c.names.root != NULL;
	c.gate_bytes = mt_gate_bytes();
	if (!s.target.npids)
		s.target.all = true;
	s.on_event = on_event;
	s.on_bytes = count_bytes;
	s.on_tick = on_tick;
	s.ctx = &c;
	s.poll_ms = 100;
	c.start_s = (double)time(NULL);
	status = 1;
	if (!mt_session_start(&s)) {
		int err = mt_tracer_enable_run_stats(s.tracer);

		/* the figure is left out rather than shown as 0 */
		c.run_stats = !err;
		if (err)
			fprintf(stderr, "maptrace serve: BPF CPU time not measured (BPF_ENABLE_STATS: %s; "
				"Linux 5.8 and CAP_SYS_ADMIN needed): no maptrace_bpf_cpu_seconds_total\n",
				strerror(-err));
		/* a scrape wakes the loop as an event does */
		if (mt_tracer_watch_fd(s.tracer, c.httpd.fd))
			fprintf(stderr, "maptrace serve: scrapes wait for the next tick (up to %d ms)\n",
				s.poll_ms);
		fprintf(stderr, "maptrace serve: serving http://%s/metrics (port %d)\n", c.listen,
			mt_httpd_port(&c.httpd));
		mt_session_run(&s);
		status = mt_session_report_end(&s, stderr) || c.oom ? 1 : 0;
		if (c.oom)
			fprintf(stderr, "maptrace serve: out of memory: some calls were not counted\n");
	}
	mt_session_close(&s);
	mt_u64map_free_values(&c.cgroups);
	mt_u64map_free(&c.ids);
	for (size_t pos = 0; mt_u64map_next(&c.procs, &pos, &key, &own);)
		mt_series_destroy(own);
	mt_u64map_free(&c.procs);
	mt_cgroup_names_free(&c.names);
	mt_series_free(&c.series);
	mt_httpd_close(&c.httpd);
	return status;
}
