/* SPDX-License-Identifier: GPL-2.0 */
/* prom.h - series of mapping activity (analyze/series.h) in Prometheus's
 * text exposition format, or OpenMetrics 1.0 when the scraper asks for it,
 * with the exporter's own health. User-only. */
#ifndef MAPTRACE_PROM_H
#define MAPTRACE_PROM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/series.h"

/* The exporter's own figures. */
struct mt_prom_health {
	const struct mt_prog_runtime *progs; /* BPF CPU time per program, when measured */
	int nprogs;                          /* -1: not measured (no run statistics) */
	uint64_t events;          /* events read from the ring buffer */
	uint64_t lost;            /* events the kernel dropped (ring buffer full) */
	uint64_t resyncs;         /* address spaces re-read after losses */
	uint64_t rss_bytes;       /* the loader's resident memory */
	uint64_t pids;            /* address spaces being followed (processes) */
	double start_s;           /* when it started, seconds since the epoch */
	double churn_window_s;    /* churn: unmapped within this long of being mapped */
	bool no_shadows;          /* no shadows (no kernel BTF): anonymous bytes and churn
	                             not measured, their families left out */
};

/* What a scrape shows: the series of a set, and the processes' own series
 * (--per-pid, labelled pid; may be none). */
struct mt_prom_scrape {
	const struct mt_series_set *series;
	struct mt_series *const *procs;
	size_t nprocs;
	const struct mt_prom_health *health;
};

#define MT_PROM_TEXT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define MT_PROM_OPENMETRICS_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* Write every series and the health figures; 0 or -EIO. */
int mt_prom_write(FILE *f, const struct mt_prom_scrape *scrape, bool openmetrics);

#endif /* MAPTRACE_PROM_H */
