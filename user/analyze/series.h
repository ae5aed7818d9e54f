/* SPDX-License-Identifier: GPL-2.0 */
/* series.h - mapping activity aggregated into labelled series for an
 * exporter (`maptrace serve`): one series per (cgroup, comm), never per
 * pid, so their number follows the services a machine runs, not the
 * processes it starts; past a cap, new pairs fold into one "other" series
 * and what was folded is counted. Counters only grow: a series outlives
 * the processes that fed it. Pure logic. User-only. */
#ifndef MAPTRACE_SERIES_H
#define MAPTRACE_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/stats.h"
#include "base/u64map.h"

#define MT_SERIES_LABEL_MAX 256   /* bytes of a cgroup path kept, NUL included */
#define MT_SERIES_OTHER     "other"

/* What the live processes of a series hold now (gauges, summed at each
 * scrape). */
struct mt_series_now {
	uint64_t processes;
	uint64_t vm, anon, rss;
	uint64_t mappings;    /* vmas, as /proc/PID/maps lists them */
};

/* Failed calls of one kind with one errno. */
struct mt_failure {
	uint32_t kind;   /* enum mt_event_kind */
	int32_t err;     /* errno (positive) */
	uint64_t n;
};

struct mt_series {
	char cgroup[MT_SERIES_LABEL_MAX];   /* "/system.slice/nginx.service" */
	char comm[MT_COMM_LEN + 1];
	uint32_t pid;                       /* a process's own series (--per-pid), else 0 */
	struct mt_figures fig;              /* calls, failed, bytes_mapped/_unmapped, churn_bytes */
	struct mt_failure *failures;        /* failed calls by kind and errno, in first-seen order */
	size_t nfailures, failures_cap;
	struct mt_series_now now;
};

struct mt_series_set {
	struct mt_series **v;     /* v[0]: "other", where pairs past the cap go */
	size_t n, cap;
	size_t max;               /* series besides "other" */
	struct mt_u64map index;   /* hash of (cgroup, comm) -> series */
	uint64_t folded;          /* lookups of pairs that got no series of their own */
};

/* An empty set of at most max series besides "other"; 0 or -ENOMEM. */
int mt_series_init(struct mt_series_set *s, size_t max);
/* The series of (cgroup, comm), made at first sight, or "other" past the
 * cap (counted in folded); NULL only when out of memory. */
struct mt_series *mt_series_of(struct mt_series_set *s, const char *cgroup, const char *comm);
void mt_series_free(struct mt_series_set *s);

/* A series outside any set (a process's own), and its release. */
struct mt_series *mt_series_new(const char *cgroup, const char *comm);
void mt_series_destroy(struct mt_series *se);

/* Sort series by their calls, most first (then by pid, for a stable
 * order from one scrape to the next). */
void mt_series_sort_busiest(struct mt_series **v, size_t n);

/* Count a call of kind that failed with errno err: 0 or -ENOMEM. The
 * pairs a series sees are few (kinds times the errnos each can return). */
int mt_series_count_failure(struct mt_series *se, uint32_t kind, int err);

#endif /* MAPTRACE_SERIES_H */
