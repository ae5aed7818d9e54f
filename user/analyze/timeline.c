// SPDX-License-Identifier: GPL-2.0
/* timeline.c - a traced run's story, bounded (see analyze/timeline.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/timeline.h"
#include "base/array.h"

struct mt_timeline_point mt_timeline_change(const struct mt_event *e, uint32_t pid, uint64_t ts_ns,
					    uint64_t t0_ns)
{
	struct mt_timeline_point p = { .t_ns = ts_ns > t0_ns ? ts_ns - t0_ns : 0, .pid = pid };
	struct mt_event_bytes b;

	if (!e)
		return p;
	b = mt_event_bytes(e, NULL);
	p.kind = e->kind;
	p.tid = e->tid;
	p.addr = e->kind == MT_EV_MMAP && !mt_event_failed(e) ? (uint64_t)e->ret : e->args[0];
	p.len = b.mapped + b.unmapped;
	return p;
}

int mt_timeline_init(struct mt_timeline *tl, size_t max, size_t max_rss)
{
	*tl = (struct mt_timeline){
		.max = max < 2 ? 2 : max, .keep_every = 1,
		.rss_max = max_rss < 2 ? 2 : max_rss, .rss_every = 1,
	};
	return 0;
}

/* Whether the nth item offered to a bounded array of *n (at most max)
 * elements of size elem is kept: only every *every-th one is; a full
 * array is halved first (the even ones stay) and *every doubled, so what
 * is kept stays spread over everything offered. Then append it: 0, or
 * -ENOMEM; 1 when it is not kept. */
static int keep(void **v, size_t *n, size_t *cap, size_t max, size_t elem, uint64_t *every,
		uint64_t nth)
{
	char *b = *v;

	if (nth % *every)
		return 1;
	if (*n == max) {
		size_t k = 0;

		for (size_t i = 0; i < *n; i += 2, k++)
			memmove(b + k * elem, b + i * elem, elem);
		*n = k;
		*every *= 2;
		if (nth % *every)
			return 1;
	}
	return mt_array_grow(v, cap, *n + 1, elem) ? -ENOMEM : 0;
}

int mt_timeline_add(struct mt_timeline *tl, const struct mt_timeline_point *p)
{
	uint64_t n = tl->calls++;
	int rc;

	if (!n || p->vm > tl->peak.vm)
		tl->peak = *p;
	rc = keep((void **)&tl->points, &tl->npoints, &tl->cap, tl->max, sizeof(*p), &tl->keep_every, n);
	if (!rc)
		tl->points[tl->npoints++] = *p;
	return rc < 0 ? rc : 0;
}

int mt_timeline_sample(struct mt_timeline *tl, uint64_t t_ns, uint64_t rss)
{
	int rc = keep((void **)&tl->rss, &tl->nrss, &tl->rss_cap, tl->rss_max, sizeof(*tl->rss),
		      &tl->rss_every, tl->rss_seen++);

	if (!rc)
		tl->rss[tl->nrss++] = (struct mt_timeline_sample){ t_ns, rss };
	return rc < 0 ? rc : 0;
}

void mt_timeline_free(struct mt_timeline *tl)
{
	free(tl->points);
	free(tl->rss);
	*tl = (struct mt_timeline){ 0 };
}
