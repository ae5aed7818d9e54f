// SPDX-License-Identifier: GPL-2.0
/* prom.c - the exposition of `maptrace serve` (see out/prom.h).
 *
 * Names follow Prometheus's conventions: a maptrace_ prefix, base units
 * (bytes, seconds), _total on counters. The two formats differ where
 * OpenMetrics 1.0 says: a counter family is named without _total in its
 * HELP and TYPE lines (its samples keep it), and the text ends "# EOF".
 * Label values escape backslash, double quote and newline in both. Only
 * series with a non-zero count are written: a kind a service never calls
 * makes no series. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/event.h"
#include "out/prom.h"

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
static void family(FILE *f, const char *name, const char *type, const char *help, bool om)
{
	size_t len = strlen(name);

	if (om && !strcmp(type, "counter") && len > 6 && !strcmp(name + len - 6, "_total"))
		len -= 6;
	fprintf(f, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)len, name, help, (int)len, name, type);
}

static void series_labels(FILE *f, const struct mt_series *se, bool last)
{
	put_label(f, "cgroup", se->cgroup, false);
	put_label(f, "comm", se->comm, last);
}

static void calls(FILE *f, const struct mt_series_set *s, bool om)
{
	family(f, "maptrace_mapping_calls_total", "counter",
	       "Mapping system calls made, by cgroup, command, kind and result.", om);
	for (size_t i = 0; i < s->n; i++)
		for (int k = 1; k < MT_STAT_KINDS; k++) {
			const struct mt_figures *fig = &s->v[i]->fig;
			uint64_t failed = fig->failed[k], ok = fig->calls[k] - failed;

			for (int r = 0; r < 2; r++) {
				uint64_t n = r ? failed : ok;

				if (!n)
					continue;
				fputs("maptrace_mapping_calls_total{", f);
				series_labels(f, s->v[i], false);
				put_label(f, "kind", mt_event_kind_name((uint32_t)k), false);
				put_label(f, "result", r ? "failed" : "ok", true);
				fprintf(f, "} %llu\n", (unsigned long long)n);
			}
		}
}

static void bytes(FILE *f, const struct mt_series_set *s, bool om, bool mapped)
{
	const char *name = mapped ? "maptrace_mapped_bytes_total" : "maptrace_unmapped_bytes_total";

	family(f, name, "counter", mapped ?
	       "Bytes of address space mapped (mmap, shmat, io_setup, brk and mremap growth)." :
	       "Bytes of address space unmapped (munmap, shmdt, io_destroy, brk and mremap shrink).", om);
	for (size_t i = 0; i < s->n; i++) {
		uint64_t n = mapped ? s->v[i]->fig.bytes_mapped : s->v[i]->fig.bytes_unmapped;

		if (!n)
			continue;
		fprintf(f, "%s{", name);
		series_labels(f, s->v[i], true);
		fprintf(f, "} %llu\n", (unsigned long long)n);
	}
}

/* The gauges of what live processes hold, for series that have any. */
static void holdings(FILE *f, const struct mt_series_set *s, bool om)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} g[] = {
		{ "maptrace_virtual_bytes", "Virtual size of the live processes (VmSize, summed).",
		  offsetof(struct mt_series_now, vm) },
		{ "maptrace_anonymous_bytes", "Anonymous mappings' size of the live processes (virtual).",
		  offsetof(struct mt_series_now, anon) },
		{ "maptrace_resident_bytes", "Resident memory of the live processes (VmRSS, summed).",
		  offsetof(struct mt_series_now, rss) },
	};

	for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		family(f, g[k].name, "gauge", g[k].help, om);
		for (size_t i = 0; i < s->n; i++) {
			const struct mt_series_now *now = &s->v[i]->now;
			uint64_t v;

			if (!now->processes)
				continue;
			memcpy(&v, (const char *)now + g[k].off, sizeof(v));
			fprintf(f, "%s{", g[k].name);
			series_labels(f, s->v[i], true);
			fprintf(f, "} %llu\n", (unsigned long long)v);
		}
	}
}

static void health(FILE *f, const struct mt_series_set *s, const struct mt_prom_health *h, bool om)
{
	static const struct {
		const char *name, *type, *help;
	} m[] = {
		{ "maptrace_events_total", "counter", "Events read from the kernel's ring buffer." },
		{ "maptrace_lost_events_total", "counter",
		  "Events the kernel dropped because the ring buffer was full (their calls are not counted)." },
		{ "maptrace_resyncs_total", "counter", "Address spaces re-read from /proc after lost events." },
		{ "maptrace_series_folded_total", "counter",
		  "Lookups of (cgroup, comm) pairs past --max-series, counted in the series labelled other." },
		{ "maptrace_series", "gauge", "Series of mapping activity, other included." },
		{ "maptrace_processes", "gauge", "Processes (address spaces) being followed." },
		{ "maptrace_loader_resident_bytes", "gauge", "Resident memory of maptrace itself." },
		{ "maptrace_start_time_seconds", "gauge", "When maptrace serve started, in seconds since the epoch." },
	};
	const double v[] = { (double)h->events, (double)h->lost, (double)h->resyncs, (double)s->folded,
			     (double)s->n, (double)h->pids, (double)h->rss_bytes, h->start_s };

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		family(f, m[i].name, m[i].type, m[i].help, om);
		fprintf(f, "%s %.17g\n", m[i].name, v[i]);
	}
}

int mt_prom_write(FILE *f, const struct mt_series_set *s, const struct mt_prom_health *h,
		  bool openmetrics)
{
	calls(f, s, openmetrics);
	bytes(f, s, openmetrics, true);
	bytes(f, s, openmetrics, false);
	holdings(f, s, openmetrics);
	health(f, s, h, openmetrics);
	if (openmetrics)
		fputs("# EOF\n", f);
	return ferror(f) ? -EIO : 0;
}
