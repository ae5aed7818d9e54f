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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/series.h"
#include "analyze/stats.h"
#include "base/u64map.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/event.h"
#include "out/httpd.h"
#include "out/prom.h"
#include "proc/cgroups.h"
#include "trace/session.h"
#include "trace/tracer.h"

#define DEFAULT_LISTEN     "127.0.0.1:9464"
#define DEFAULT_MAX_SERIES 1000
#define CGROUP_UNKNOWN     "unknown"   /* gone before its cgroup was read */

static const char serve_usage[] =
"Usage: maptrace serve [OPTIONS] [-p PID[,PID...]]\n"
"\n"
"Export mapping activity as Prometheus metrics: traces every process (or\n"
"the given ones) and serves /metrics (Prometheus text format, or OpenMetrics\n"
"when the scraper asks for it) and / (what the metrics mean). Series are per\n"
"cgroup (the service or container, by its cgroup path) and command name,\n"
"never per process: calls by kind and result, bytes mapped and unmapped, what\n"
"the live processes hold (virtual, anonymous and resident bytes), and\n"
"maptrace's own health (events, lost events, its memory).\n"
"\n"
"Options:\n"
"  -l, --listen ADDR     HOST:PORT to serve on (default " DEFAULT_LISTEN ": loopback\n"
"                        only; 0.0.0.0:9464 for every interface, port 0 for any)\n"
"  -m, --max-series N    series besides 'other' (default 1000): (cgroup, command)\n"
"                        pairs past it are counted in cgroup=\"other\", comm=\"other\"\n"
MT_COMMON_USAGE
"\n"
"Examples:\n"
"  maptrace serve\n"
"  maptrace serve --listen 0.0.0.0:9464 --max-series 200\n"
"  curl -s localhost:9464/metrics | grep maptrace_mapping_calls_total\n";

static const char index_page[] =
"<!DOCTYPE html>\n<html><head><title>maptrace serve</title></head><body>\n"
"<h1>maptrace serve</h1>\n"
"<p>Linux memory-mapping activity, traced with eBPF, as <a href=\"/metrics\">metrics</a>. "
"Each series is one cgroup (a service or container) and command name.</p>\n<ul>\n"
"<li><code>maptrace_mapping_calls_total{cgroup,comm,kind,result}</code>: mmap, munmap, "
"mprotect, brk, mremap, shmat... calls, ok or failed</li>\n"
"<li><code>maptrace_mapped_bytes_total</code>, <code>maptrace_unmapped_bytes_total</code>: "
"address space mapped and unmapped</li>\n"
"<li><code>maptrace_virtual_bytes</code>, <code>maptrace_anonymous_bytes</code>, "
"<code>maptrace_resident_bytes</code>: what the live "
"processes hold now</li>\n"
"<li><code>maptrace_events_total</code>, <code>maptrace_lost_events_total</code>, "
"<code>maptrace_resyncs_total</code>, <code>maptrace_series_folded_total</code>, "
"<code>maptrace_series</code>, <code>maptrace_processes</code>, "
"<code>maptrace_loader_resident_bytes</code>: maptrace's own health</li>\n"
"</ul>\n</body></html>\n";

struct serve_ctx {
	const char *listen;
	size_t max_series;
	struct mt_httpd httpd;
	struct mt_series_set series;
	struct mt_cgroup_names names;   /* cgroup v2 ids as paths */
	struct mt_u64map cgroups;   /* without ids: tgid -> its cgroup path (malloc'd) */
	struct mt_u64map ids;       /* tgid -> the cgroup id of its latest event */
	uint64_t gate_bytes;        /* [vsyscall]: in maps, yet no vma */
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

static struct mt_figures *figures_of(struct serve_ctx *c, pid_t pid, uint64_t cgroup,
				      const char *comm)
{
	char name[MT_COMM_LEN + 1];
	const char *cg = cgroup_of(c, pid, cgroup);
	struct mt_series *se;

	memcpy(name, comm, MT_COMM_LEN);
	name[MT_COMM_LEN] = '\0';
	if (!cg || !(se = mt_series_of(&c->series, cg, name))) {
		c->oom = true;
		return NULL;
	}
	return &se->fig;
}

/* Calls as they arrive; a process's cgroup forgotten when it exits. */
static void on_event(struct mt_session *s, const struct mt_event *e, const char *path)
{
	struct serve_ctx *c = s->ctx;
	struct mt_figures *fig;

	(void)path;
	if (e->kind == MT_EV_EXIT && e->tid == e->pid) {
		free(mt_u64map_del(&c->cgroups, e->pid));
		mt_u64map_del(&c->ids, e->pid);
		return;
	}
	if (e->cgroup && (uintptr_t)mt_u64map_get(&c->ids, e->pid) != e->cgroup &&
	    mt_u64map_put(&c->ids, e->pid, (void *)(uintptr_t)e->cgroup))
		c->oom = true;
	if (e->kind == MT_EV_NONE || e->kind >= MT_STAT_KINDS ||
	    !(fig = figures_of(c, (pid_t)e->pid, e->cgroup, e->comm)))
		return;
	fig->calls[e->kind]++;
	if (mt_event_failed(e))
		fig->failed[e->kind]++;
}

/* Bytes as changes are applied in the kernel's order, by stat's rule. */
static void count_bytes(struct mt_session *s, const struct mt_aspace *as, const struct mt_event *e,
			struct mt_event_bytes b)
{
	struct mt_figures *fig;

	if ((!b.mapped && !b.unmapped) || !(fig = figures_of(s->ctx, as->pid, e->cgroup, as->comm)))
		return;
	fig->bytes_mapped += b.mapped;
	fig->bytes_unmapped += b.unmapped;
}

/* Resident bytes of process pid (/proc/PID/statm), 0 when it is gone. */
static uint64_t resident_bytes(pid_t pid)
{
	char path[64];
	unsigned long long size, resident;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	return n == 2 ? resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

/* What the live processes hold now, summed into their series' gauges. */
static void sum_holdings(struct serve_ctx *c)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	for (size_t i = 0; i < c->series.n; i++)
		c->series.v[i]->now = (struct mt_series_now){ 0 };
	while (mt_u64map_next(&c->s->reg.by_mm, &pos, &key, &v)) {
		struct mt_aspace *as = v;
		uint64_t id = (uintptr_t)mt_u64map_get(&c->ids, (uint64_t)as->pid);
		const char *cg;
		struct mt_series *se;
		struct mt_sizes z;

		if (!as->shadow || as->exited)
			continue;
		if (!(cg = cgroup_of(c, as->pid, id)) || !(se = mt_series_of(&c->series, cg, as->comm))) {
			c->oom = true;
			continue;
		}
		z = mt_aspace_sizes(as, c->gate_bytes);
		se->now.processes++;
		se->now.vm += z.vm;
		se->now.anon += z.anon;
		se->now.rss += resident_bytes(as->pid);
	}
}

static void answer(void *ctx, const char *path, const char *accept, FILE *body,
		   struct mt_http_reply *reply)
{
	struct serve_ctx *c = ctx;
	bool om = strstr(accept, "application/openmetrics-text") != NULL;

	if (!strcmp(path, "/metrics")) {
		struct mt_prom_health h = {
			.events = c->s->events, .lost = mt_session_lost(c->s), .resyncs = c->s->resyncs,
			.rss_bytes = mt_self_status_kib("VmRSS:") * 1024, .pids = c->s->reg.by_mm.used,
			.start_s = c->start_s,
		};

		reply->content_type = om ? MT_PROM_OPENMETRICS_TYPE : MT_PROM_TEXT_TYPE;
		sum_holdings(c);
		mt_prom_write(body, &c->series, &h, om);
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

/* [vsyscall]'s size where the machine has one: maps shows it, VmSize and
 * the vma count leave it out (it is no vma: get_gate_vma()). */
static uint64_t gate_bytes(void)
{
	struct mt_region gate;

	return mt_gate_area(&gate) ? gate.end - gate.start : 0;
}

enum { OPT_LISTEN = 1, OPT_MAX_SERIES };

static const struct mt_option serve_options[] = {
	{ "listen", 'l', true, OPT_LISTEN },
	{ "max-series", 'm', true, OPT_MAX_SERIES },
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
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct mt_session s = { .keep_shadows = true };
	struct serve_ctx c = { .listen = DEFAULT_LISTEN, .max_series = DEFAULT_MAX_SERIES, .s = &s };
	char why[256];
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
	c.gate_bytes = gate_bytes();
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
	mt_cgroup_names_free(&c.names);
	mt_series_free(&c.series);
	mt_httpd_close(&c.httpd);
	return status;
}
