/* SPDX-License-Identifier: GPL-2.0 */
/* timeline.h - a traced run's story for the HTML report: after each call
 * that changed the address space, the call and the virtual and anonymous
 * bytes it left; the resident bytes sampled as the run goes; the peak.
 * Bounded whatever the run's length: past max points, every other point
 * is dropped and only every second call after is kept (and so on), so
 * the points stay spread over the whole run; the peak is kept apart
 * (out/timeline.c puts it back among the points).
 * Pure logic. User-only. */
#ifndef MAPTRACE_TIMELINE_H
#define MAPTRACE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

/* The bounds explain and stat use: a page draws every point kept. */
#define MT_TIMELINE_POINTS  20000
#define MT_TIMELINE_SAMPLES 4096

struct mt_timeline_point {
	uint64_t t_ns;        /* since the run started */
	uint64_t vm, anon;    /* after the call */
	uint64_t addr, len;   /* what the call changed */
	uint32_t kind;        /* enum mt_event_kind */
	uint32_t tid;
	uint32_t pid;
	uint32_t stack;       /* its creating stack's id (analyze/unwind.h), 0 if none */
};

struct mt_timeline_sample {
	uint64_t t_ns, rss;
};

struct mt_timeline {
	struct mt_timeline_point *points;
	size_t npoints, cap, max;
	uint64_t calls;          /* calls seen (points kept or not) */
	uint64_t keep_every;     /* a call is kept when its number is a multiple */
	struct mt_timeline_point peak;   /* the largest vm (the first such call) */
	struct mt_timeline_sample *rss;
	size_t nrss, rss_cap, rss_max;
	uint64_t rss_every, rss_seen;
};

/* An empty timeline of at most max points and max_rss samples (each at
 * least 2); 0. */
int mt_timeline_init(struct mt_timeline *tl, size_t max, size_t max_rss);
/* The point of a change to process pid's address space: the call e
 * (NULL: an address space copied or read, no call) at ts_ns, relative to
 * t0_ns, and what it changed (the address it mapped or named, the bytes
 * it mapped or unmapped); the sizes and the stack are the caller's. */
struct mt_timeline_point mt_timeline_change(const struct mt_event *e, uint32_t pid, uint64_t ts_ns,
					    uint64_t t0_ns);
/* Record a call; 0 or -ENOMEM (the point is then not kept). */
int mt_timeline_add(struct mt_timeline *tl, const struct mt_timeline_point *p);
/* Record a resident-size sample; 0 or -ENOMEM. */
int mt_timeline_sample(struct mt_timeline *tl, uint64_t t_ns, uint64_t rss);
void mt_timeline_free(struct mt_timeline *tl);

#endif /* MAPTRACE_TIMELINE_H */
