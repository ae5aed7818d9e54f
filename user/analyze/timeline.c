// SPDX-License-Identifier: GPL-2.0
/* timeline.c - a traced run's story, bounded (see analyze/timeline.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/timeline.h"
#include "base/array.h"

int mt_timeline_init(struct mt_timeline *tl, size_t max, size_t max_rss)
{
	*tl = (struct mt_timeline){
		.max = max < 2 ? 2 : max, .keep_every = 1,
		.rss_max = max_rss < 2 ? 2 : max_rss, .rss_every = 1,
	};
	return 0;
}

/* Halve an array of n elements of size elem, keeping the even ones. */
static size_t halve(void *v, size_t n, size_t elem)
{
	char *b = v;
	size_t k = 0;

	for (size_t i = 0; i < n; i += 2, k++)
		memmove(b + k * elem, b + i * elem, elem);
	return k;
}

int mt_timeline_add(struct mt_timeline *tl, const struct mt_timeline_point *p)
{
	uint64_t n = tl->calls++;

	if (!n || p->vm > tl->peak.vm)
		tl->peak = *p;
	if (n % tl->keep_every)
		return 0;
	if (tl->npoints == tl->max) {
		tl->npoints = halve(tl->points, tl->npoints, sizeof(*tl->points));
		tl->keep_every *= 2;
		if (n % tl->keep_every)
			return 0;
	}
	if (mt_array_grow((void **)&tl->points, &tl->cap, tl->npoints + 1, sizeof(*tl->points)))
		return -ENOMEM;
	tl->points[tl->npoints++] = *p;
	return 0;
}

int mt_timeline_sample(struct mt_timeline *tl, uint64_t t_ns, uint64_t rss)
{
	uint64_t n = tl->rss_seen++;

	if (n % tl->rss_every)
		return 0;
	if (tl->nrss == tl->rss_max) {
		tl->nrss = halve(tl->rss, tl->nrss, sizeof(*tl->rss));
		tl->rss_every *= 2;
		if (n % tl->rss_every)
			return 0;
	}
	if (mt_array_grow((void **)&tl->rss, &tl->rss_cap, tl->nrss + 1, sizeof(*tl->rss)))
		return -ENOMEM;
	tl->rss[tl->nrss++] = (struct mt_timeline_sample){ t_ns, rss };
	return 0;
}

void mt_timeline_free(struct mt_timeline *tl)
{
	free(tl->points);
	free(tl->rss);
	*tl = (struct mt_timeline){ 0 };
}
