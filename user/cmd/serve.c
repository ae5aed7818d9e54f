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
"lost events, its memory, its BPF programs' CPU time with --bpf-stats).\n"
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
"      --bpf-stats       measure maptrace's BPF programs' CPU time: turns the\n"
"                        kernel's BPF run statistics on, for every program on the\n"
"                        machine, while serve runs (unless already on)\n"
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
	bool bpf_stats;             /* --bpf-stats: turn the kernel's run statistics on */
	struct mt_httpd httpd;
	struct mt_series_set series;
	struct mt_u64map procs;     /* tgid -> struct served, until the process ends */
	struct mt_cgroup_names names;   /* cgroup v2 ids as paths */
	uint64_t gate_bytes;        /* [vsyscall]: in maps, yet no vma */
	bool run_stats;             /* the kernel measures the BPF programs' CPU time */
	double start_s;
	struct mt_session *s;
	bool oom;
};

/* What serve keeps of a process from its first event (or scrape) to its
 * end: memory follows the live processes. */
struct served {
	char comm[MT_COMM_LEN + 1]; /* the process's name: its main thread's, not another's */
	uint64_t cgroup_id;         /* its latest event's cgroup v2 id, 0 if none yet */
	char *cgroup;               /* without ids: its /proc/PID/cgroup path, read once */
	struct mt_series *own;      /* --per-pid: its own series */
};

static void served_free(struct served *sv)
{
	if (!sv)
		return;
	free(sv->cgroup);
	mt_series_destroy(sv->own);
	free(sv);
}

/* The process pid, known from now on: named as the process is (its
 * shadow's name, else /proc/PID/comm; a thread's name, such as a JVM's
 * "C2 CompilerThre", would make a series per thread name), else as the
 * event's thread is; NULL when out of memory. */
static struct served *served_of(struct serve_ctx *c, pid_t pid, const char *thread_comm)
{
	struct served *sv = mt_u64map_get(&c->procs, (uint64_t)pid);
	struct mt_aspace *as;

	if (sv)
		return sv;
	if (!(sv = calloc(1, sizeof(*sv))) || mt_u64map_put(&c->procs, (uint64_t)pid, sv)) {
		free(sv);
		c->oom = true;
		return NULL;
	}
	as = c->s->keep_shadows ? mt_aspaces_by_tgid(&c->s->reg, pid) : NULL;
	if (as && as->comm[0])
		memcpy(sv->comm, as->comm, MT_COMM_LEN);
	else
		mt_proc_read_comm(pid, 0, sv->comm);
	if (!sv->comm[0])
		memcpy(sv->comm, thread_comm, MT_COMM_LEN);
	sv->comm[MT_COMM_LEN] = '\0';
	return sv;
}

/* The process ended: forget it (its calls stay in its series). */
static void forget(struct serve_ctx *c, pid_t pid)
{
	served_free(mt_u64map_del(&c->procs, (uint64_t)pid));
}

/* The cgroup of a process's call: the cgroup v2 id the call carried (id;
 * 0: the process's latest) named, else (no cgroup2 mount, or a kernel that
 * gave no id) the process's /proc entry, read once. */
static const char *cgroup_of(pid_t pid, struct serve_ctx *c, struct served *sv, uint64_t id)
{
	const char *name = mt_cgroup_name(&c->names, id ? id : sv->cgroup_id);

	if (name)
		return name;
	if (!sv->cgroup && !(sv->cgroup = mt_cgroup_of_pid(pid)) && !(sv->cgroup = strdup(CGROUP_UNKNOWN)))
		c->oom = true;
	return sv->cgroup;
}

/* The series a call (made in cgroup id) counts in: its process's
 * (cgroup, comm) series and, with --per-pid, the process's own. Returns
 * how many (0 when out of memory). */
static int series_for(struct serve_ctx *c, pid_t pid, struct served *sv, uint64_t id,
		      struct mt_series *out[2])
{
	const char *cg = sv ? cgroup_of(pid, c, sv, id) : NULL;
	int n = 0;

	if (!cg || !(out[n++] = mt_series_of(&c->series, cg, sv->comm))) {
		c->oom = true;
		return 0;
	}
	if (c->per_pid) {
		if (!sv->own && (sv->own = mt_series_new(cg, sv->comm)))
			sv->own->pid = (uint32_t)pid;
		if (!sv->own) {
			c->oom = true;
			return n;
		}
		/* its own series is labelled as the process is now: exec renames
		 * it, and it may move to another cgroup */
		memcpy(sv->own->comm, sv->comm, sizeof(sv->own->comm));
		if (strncmp(sv->own->cgroup, cg, sizeof(sv->own->cgroup) - 1))
			snprintf(sv->own->cgroup, sizeof(sv->own->cgroup), "%s", cg);
		out[n++] = sv->own;
	}
	return n;
}

/* A change's bytes, and what it took back of recent mappings (churn). */
static void add_bytes(struct serve_ctx *c, pid_t pid, struct served *sv, uint64_t id,
		      struct mt_event_bytes b, uint64_t churn)
{
	struct mt_series *se[2];
	int n;

	if (!b.mapped && !b.unmapped)
		return;
	n = series_for(c, pid, sv, id, se);
	for (int i = 0; i < n; i++) {
		se[i]->fig.bytes_mapped += b.mapped;
		se[i]->fig.bytes_unmapped += b.unmapped;
		se[i]->fig.churn_bytes += churn;
	}
}

/* Calls as they arrive. A process is forgotten when it ends: here without
 * shadows (its one exit event, sent by its last thread), else when the
 * registry releases its address space (on_release: changes still queued
 * behind the exit are applied, and counted, first). */
static void on_event(struct mt_session *s, const struct mt_event *e, const char *path)
{
	struct serve_ctx *c = s->ctx;
	struct mt_series *se[2];
	struct served *sv;
	int n;

	(void)path;
	if (e->kind == MT_EV_EXIT) {
		if (!s->keep_shadows || !mt_aspaces_by_tgid(&s->reg, (pid_t)e->pid))
			forget(c, (pid_t)e->pid);
		return;
	}
	if (!(sv = served_of(c, (pid_t)e->pid, e->comm)))
		return;
	if (e->cgroup)
		sv->cgroup_id = e->cgroup;
	/* the main thread's name is the process's (exec sets it, and so does
	 * prctl(PR_SET_NAME) in the main thread); other threads' are theirs */
	if (e->tid == e->pid) {
		memcpy(sv->comm, e->comm, MT_COMM_LEN);
		sv->comm[MT_COMM_LEN] = '\0';
	}
	if (e->kind == MT_EV_NONE || e->kind >= MT_STAT_KINDS)
		return;
	n = series_for(c, (pid_t)e->pid, sv, e->cgroup, se);
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
		add_bytes(c, (pid_t)e->pid, sv, e->cgroup, mt_event_bytes(e, NULL), 0);
}

static void on_release(struct mt_aspace *as, void *arg)
{
	struct mt_session *s = arg;

	forget(s->ctx, as->pid);
}

/* Bytes as changes are applied in the kernel's order, by stat's rule; the
 * shadow is as it was before the change, so the age of what an unmap
 * takes is known (churn; none for a change a resync's snapshot already
 * showed: session.c passes no range for those). */
static void count_bytes(struct mt_session *s, const struct mt_aspace *as, const struct mt_event *e,
			struct mt_event_bytes b)
{
	struct serve_ctx *c = s->ctx;
	struct served *sv = served_of(c, as->pid, as->comm);
	uint64_t churn = 0;

	if (b.removed_end > b.removed_start && as->shadow)
		churn = mt_created_bytes_in(as->shadow, b.removed_start, b.removed_end,
					    e->ts_ns > c->churn_window_ns ? e->ts_ns - c->churn_window_ns : 1);
	if (sv)
		add_bytes(c, as->pid, sv, e->cgroup, b, churn);
}

/* What process pid holds now, added to its series' gauges: virtual and
 * anonymous bytes from its shadow (NULL: none kept; then VmSize, and no
 * anonymous figure), resident bytes and mappings from /proc. */
static void hold(struct serve_ctx *c, pid_t pid, const char *comm, const struct mt_sizes *shadow)
{
	struct mt_sizes z;
	struct served *sv;
	struct mt_series *se[2];
	uint64_t vm, rss, maps;
	const char *cg;

	if (mt_proc_statm(pid, &vm, &rss) || (!shadow && !vm))
		return;     /* gone, or (read from /proc) a kernel thread */
	z = shadow ? *shadow : (struct mt_sizes){ .vm = vm };
	if (!(sv = served_of(c, pid, comm)) || !(cg = cgroup_of(pid, c, sv, 0)) ||
	    !(se[0] = mt_series_of(&c->series, cg, sv->comm))) {
		c->oom = true;
		return;
	}
	se[1] = sv->own;
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
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid > 0)
			hold(c, pid, "", NULL);   /* named from /proc */
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
		if (((struct served *)v)->own)
			((struct served *)v)->own->now = (struct mt_series_now){ 0 };
	if (!c->s->keep_shadows) {
		hold_from_proc(c);
		return;
	}
	pos = 0;
	while (mt_u64map_next(&c->s->reg.by_mm, &pos, &key, &v)) {
		struct mt_aspace *as = v;

		if (as->shadow && !as->exited) {
			struct mt_sizes z = mt_aspace_sizes(as, c->gate_bytes);

			hold(c, as->pid, as->comm, &z);
		}
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
		struct mt_series *se = ((struct served *)val)->own;

		if (!se || !se->now.processes)
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
			.rss_bytes = mt_self_status_kib("VmRSS:") * 1024,
			/* without shadows: the processes known from their calls or /proc */
			.pids = c->s->keep_shadows ? c->s->reg.by_mm.used : c->procs.used,
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

/* Whether the kernel measures BPF programs' run time: turned on with
 * --bpf-stats (for every program on the machine while serve runs: each
 * run then reads the clock twice), or already on (sysctl
 * kernel.bpf_stats_enabled); said at start when not. */
static bool run_stats_on(struct serve_ctx *c)
{
	char on = '0';
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");
	int err;

	if (f) {
		on = (char)fgetc(f);
		fclose(f);
	}
	if (!c->bpf_stats) {
		if (on != '1')
			fprintf(stderr, "maptrace serve: BPF CPU time not measured: --bpf-stats turns the "
				"kernel's BPF run statistics on (for every program while serve runs)\n");
		return on == '1';
	}
	if (!(err = mt_tracer_enable_run_stats(c->s->tracer)))
		return true;
	fprintf(stderr, "maptrace serve: BPF CPU time not measured (BPF_ENABLE_STATS: %s; Linux 5.8 "
		"and CAP_SYS_ADMIN needed): no maptrace_bpf_cpu_seconds_total\n", strerror(-err));
	return false;
}

enum { OPT_LISTEN = 1, OPT_MAX_SERIES, OPT_PER_PID, OPT_CHURN_WINDOW, OPT_BPF_STATS };

static const struct mt_option serve_options[] = {
	{ "listen", 'l', true, OPT_LISTEN },
	{ "max-series", 'm', true, OPT_MAX_SERIES },
	{ "per-pid", 0, true, OPT_PER_PID },
	{ "churn-window", 0, true, OPT_CHURN_WINDOW },
	{ "bpf-stats", 0, false, OPT_BPF_STATS },
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
	case OPT_BPF_STATS:
		c->bpf_stats = true;
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
	void *sv;
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
	s.on_release = on_release;
	s.on_tick = on_tick;
	s.ctx = &c;
	s.poll_ms = 100;
	c.start_s = (double)time(NULL);
	status = 1;
	if (!mt_session_start(&s)) {
		/* the figure is left out rather than shown as 0 */
		c.run_stats = run_stats_on(&c);
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
	for (size_t pos = 0; mt_u64map_next(&c.procs, &pos, &key, &sv);)
		served_free(sv);
	mt_u64map_free(&c.procs);
	mt_cgroup_names_free(&c.names);
	mt_series_free(&c.series);
	mt_httpd_close(&c.httpd);
	return status;
}
