// SPDX-License-Identifier: GPL-2.0
/* prom.c - the exposition of `maptrace serve` (see out/prom.h).
 *
 * Names follow Prometheus's conventions: a maptrace_ prefix, base units
 * (bytes, seconds), _total on counters. The two formats differ where
 * OpenMetrics 1.0 says: a counter family is named without _total in its
 * HELP and TYPE lines (its samples keep it), and the text ends "# EOF".
 * Label values escape backslash, double quote and newline in both. Only
 * series with a non-zero count are written: a kind a service never calls
 * makes no series.
 *
 * The per-process series (--per-pid) are the same families under
 * maptrace_process_, with a pid label: kept apart so that summing a family
 * never counts a call twice. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/event.h"
#include "out/prom.h"

/* One group of series written under one prefix. */
struct view {
	const char *prefix;              /* "maptrace_" or "maptrace_process_" */
	struct mt_series *const *v;
	size_t n;
	bool om;
	const struct mt_prom_health *h;
};

static void put_label(FILE *f, const char *name, const char *value, bool last)
{
	fprintf(f, "%s=\"", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f), fputc(*p, f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputs(last ? "\"" : "\",", f);
}

/* HELP and TYPE of a family: a counter's family is NAME without _total in
 * OpenMetrics. */
static void family(FILE *f, const char *prefix, const char *name, const char *type,
		   const char *help, bool om)
{
	size_t len = strlen(name);

	if (om && !strcmp(type, "counter") && len > 6 && !strcmp(name + len - 6, "_total"))
		len -= 6;
	fprintf(f, "# HELP %s%.*s %s\n# TYPE %s%.*s %s\n", prefix, (int)len, name, help, prefix,
		(int)len, name, type);
}

/* "PREFIXNAME{pid=..,cgroup=..,comm=.." and, when last, the closing brace */
static void sample_start(FILE *f, const struct view *w, const char *name,
			 const struct mt_series *se, bool last)
{
	fprintf(f, "%s%s{", w->prefix, name);
	if (se->pid)
		fprintf(f, "pid=\"%u\",", se->pid);
	put_label(f, "cgroup", se->cgroup, false);
	put_label(f, "comm", se->comm, last);
	if (last)
		fputc('}', f);
}

static void calls(FILE *f, const struct view *w)
{
	family(f, w->prefix, "mapping_calls_total", "counter",
	       "Mapping system calls made, by cgroup, command, kind and result.", w->om);
	for (size_t i = 0; i < w->n; i++)
		for (int k = 1; k < MT_STAT_KINDS; k++) {
			const struct mt_figures *fig = &w->v[i]->fig;
			uint64_t failed = fig->failed[k], ok = fig->calls[k] - failed;

			for (int r = 0; r < 2; r++) {
				uint64_t n = r ? failed : ok;

				if (!n)
					continue;
				sample_start(f, w, "mapping_calls_total", w->v[i], false);
				put_label(f, "kind", mt_event_kind_name((uint32_t)k), false);
				put_label(f, "result", r ? "failed" : "ok", true);
				fprintf(f, "} %llu\n", (unsigned long long)n);
			}
		}
}

static void failures(FILE *f, const struct view *w)
{
	family(f, w->prefix, "mapping_failures_total", "counter",
	       "Mapping system calls that failed, by kind and errno.", w->om);
	for (size_t i = 0; i < w->n; i++)
		for (size_t j = 0; j < w->v[i]->nfailures; j++) {
			const struct mt_failure *x = &w->v[i]->failures[j];
			const char *name = strerrorname_np(x->err);
			char num[16];

			if (!name) {
				snprintf(num, sizeof(num), "%d", (int)x->err);
				name = num;
			}
			sample_start(f, w, "mapping_failures_total", w->v[i], false);
			put_label(f, "kind", mt_event_kind_name(x->kind), false);
			put_label(f, "errno", name, true);
			fprintf(f, "} %llu\n", (unsigned long long)x->n);
		}
}

/* One sample per series of the number at off: in its figures (a counter,
 * written when not 0) or in what it holds now (a gauge, written for a
 * series with live processes). */
static void u64_samples(FILE *f, const struct view *w, const char *name, bool gauge, size_t off)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct mt_series *se = w->v[i];
		const char *base = gauge ? (const char *)&se->now : (const char *)&se->fig;
		uint64_t v;

		memcpy(&v, base + off, sizeof(v));
		if (gauge ? !se->now.processes : !v)
			continue;
		sample_start(f, w, name, se, true);
		fprintf(f, " %llu\n", (unsigned long long)v);
	}
}

/* The byte counters. */
static void bytes(FILE *f, const struct view *w)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} c[] = {
		{ "mapped_bytes_total",
		  "Bytes of address space mapped (mmap, shmat, io_setup, brk and mremap growth).",
		  offsetof(struct mt_figures, bytes_mapped) },
		{ "unmapped_bytes_total",
		  "Bytes of address space unmapped (munmap, shmdt, io_destroy, brk and mremap shrink).",
		  offsetof(struct mt_figures, bytes_unmapped) },
		{ "churn_bytes_total", NULL, offsetof(struct mt_figures, churn_bytes) },
	};
	char churn_help[160];

	snprintf(churn_help, sizeof(churn_help),
		 "Bytes unmapped within %g s of being mapped (short-lived mappings: churn).",
		 w->h->churn_window_s);
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		/* not measured without shadows: absent rather than 0 */
		if (w->h->no_shadows && c[k].off == offsetof(struct mt_figures, churn_bytes))
			continue;
		family(f, w->prefix, c[k].name, "counter", c[k].help ? c[k].help : churn_help, w->om);
		u64_samples(f, w, c[k].name, false, c[k].off);
	}
}

/* The gauges of what live processes hold, for series that have any. */
static void holdings(FILE *f, const struct view *w)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} g[] = {
		{ "virtual_bytes", "Virtual size of the live processes (VmSize, summed).",
		  offsetof(struct mt_series_now, vm) },
		{ "anonymous_bytes", "Anonymous mappings' size of the live processes (virtual).",
		  offsetof(struct mt_series_now, anon) },
		{ "resident_bytes", "Resident memory of the live processes (VmRSS, summed).",
		  offsetof(struct mt_series_now, rss) },
		{ "mappings", "Mappings (vmas) of the live processes, as /proc/PID/maps lists them.",
		  offsetof(struct mt_series_now, mappings) },
		{ "processes", "Live processes of the series.",
		  offsetof(struct mt_series_now, processes) },
	};

	for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		/* a process's own series need no count of processes */
		if (w->n && w->v[0]->pid && !strcmp(g[k].name, "processes"))
			continue;
		if (w->h->no_shadows && g[k].off == offsetof(struct mt_series_now, anon))
			continue;
		family(f, w->prefix, g[k].name, "gauge", g[k].help, w->om);
		u64_samples(f, w, g[k].name, true, g[k].off);
	}
}

/* BPF CPU time per program, when the kernel measured it. */
static void bpf_time(FILE *f, const struct mt_prom_health *h, bool om)
{
	if (h->nprogs < 0)
		return;
	family(f, "maptrace_", "bpf_cpu_seconds_total", "counter",
	       "CPU time spent in maptrace's BPF programs, per program (bpf_prog_info run_time_ns).",
	       om);
	for (int i = 0; i < h->nprogs; i++) {
		fputs("maptrace_bpf_cpu_seconds_total{", f);
		put_label(f, "program", h->progs[i].name, true);
		fprintf(f, "} %.9f\n", (double)h->progs[i].run_ns / 1e9);
	}
	family(f, "maptrace_", "bpf_runs_total", "counter",
	       "Runs of maptrace's BPF programs, per program (bpf_prog_info run_cnt).", om);
	for (int i = 0; i < h->nprogs; i++) {
		fputs("maptrace_bpf_runs_total{", f);
		put_label(f, "program", h->progs[i].name, true);
		fprintf(f, "} %llu\n", (unsigned long long)h->progs[i].runs);
	}
}

static void health(FILE *f, const struct mt_series_set *s, const struct mt_prom_health *h, bool om)
{
	static const struct {
		const char *name, *type, *help;
	} m[] = {
		{ "events_total", "counter", "Events read from the kernel's ring buffer." },
		{ "lost_events_total", "counter",
		  "Events the kernel dropped because the ring buffer was full (their calls are not counted)." },
		{ "resyncs_total", "counter", "Address spaces re-read from /proc after lost events." },
		{ "series_folded_total", "counter",
		  "Lookups of (cgroup, comm) pairs past --max-series, counted in the series labelled other." },
		{ "series", "gauge", "Series of mapping activity, other included." },
		{ "followed_processes", "gauge", "Processes (address spaces) being followed." },
		{ "loader_resident_bytes", "gauge", "Resident memory of maptrace itself." },
		{ "start_time_seconds", "gauge", "When maptrace serve started, in seconds since the epoch." },
	};
	const double v[] = { (double)h->events, (double)h->lost, (double)h->resyncs, (double)s->folded,
			     (double)s->n, (double)h->pids, (double)h->rss_bytes, h->start_s };

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		family(f, "maptrace_", m[i].name, m[i].type, m[i].help, om);
		fprintf(f, "maptrace_%s %.17g\n", m[i].name, v[i]);
	}
	bpf_time(f, h, om);
}

static void families(FILE *f, const struct view *w)
{
	calls(f, w);
	failures(f, w);
	bytes(f, w);
	holdings(f, w);
}

int mt_prom_write(FILE *f, const struct mt_prom_scrape *scrape, bool openmetrics)
{
	const struct mt_prom_health *h = scrape->health;
	struct view series = { "maptrace_", scrape->series->v, scrape->series->n, openmetrics, h };
	struct view procs = { "maptrace_process_", scrape->procs, scrape->nprocs, openmetrics, h };

	families(f, &series);
	if (procs.n)
		families(f, &procs);
	health(f, scrape->series, h, openmetrics);
	if (openmetrics)
		fputs("# EOF\n", f);
	return ferror(f) ? -EIO : 0;
}
