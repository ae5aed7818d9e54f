// SPDX-License-Identifier: GPL-2.0
/* series.c - labelled series for an exporter (see analyze/series.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/series.h"
#include "base/array.h"

/* FNV-1a over both labels, a NUL between them */
static uint64_t key_of(const char *cgroup, const char *comm)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *p = cgroup;; p++) {
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
		if (!*p)
			break;
	}
	for (const char *p = comm; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	return h;
}

struct mt_series *mt_series_new(const char *cgroup, const char *comm)
{
	struct mt_series *se = calloc(1, sizeof(*se));

	if (!se)
		return NULL;
	strncpy(se->cgroup, cgroup, sizeof(se->cgroup) - 1);
	strncpy(se->comm, comm, sizeof(se->comm) - 1);
	return se;
}

void mt_series_destroy(struct mt_series *se)
{
	if (se)
		free(se->failures);
	free(se);
}

int mt_series_count_failure(struct mt_series *se, uint32_t kind, int err)
{
	for (size_t i = 0; i < se->nfailures; i++)
		if (se->failures[i].kind == kind && se->failures[i].err == err) {
			se->failures[i].n++;
			return 0;
		}
	if (mt_array_grow((void **)&se->failures, &se->failures_cap, se->nfailures + 1,
			  sizeof(*se->failures)))
		return -ENOMEM;
	se->failures[se->nfailures++] = (struct mt_failure){ .kind = kind, .err = err, .n = 1 };
	return 0;
}

static bool same(const struct mt_series *se, const char *cgroup, const char *comm)
{
	return !strncmp(se->cgroup, cgroup, sizeof(se->cgroup) - 1) &&
	       !strncmp(se->comm, comm, sizeof(se->comm) - 1);
}

int mt_series_init(struct mt_series_set *s, size_t max)
{
	*s = (struct mt_series_set){ .max = max };
	if (mt_array_grow((void **)&s->v, &s->cap, 1, sizeof(*s->v)) ||
	    !(s->v[0] = mt_series_new(MT_SERIES_OTHER, MT_SERIES_OTHER))) {
		free(s->v);
		return -ENOMEM;
	}
	s->n = 1;
	return 0;
}

struct mt_series *mt_series_of(struct mt_series_set *s, const char *cgroup, const char *comm)
{
	uint64_t key = key_of(cgroup, comm);
	struct mt_series *se;

	/* a key another pair hashed to first is probed past (linearly) */
	while ((se = mt_u64map_get(&s->index, key))) {
		if (same(se, cgroup, comm))
			return se;
		key++;
	}
	if (s->n - 1 >= s->max) {
		s->folded++;
		return s->v[0];
	}
	if (mt_array_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)) ||
	    !(se = mt_series_new(cgroup, comm)))
		return NULL;
	if (mt_u64map_put(&s->index, key, se)) {
		mt_series_destroy(se);
		return NULL;
	}
	s->v[s->n++] = se;
	return se;
}

void mt_series_free(struct mt_series_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		mt_series_destroy(s->v[i]);
	free(s->v);
	mt_u64map_free(&s->index);
	*s = (struct mt_series_set){ 0 };
}

static uint64_t total_calls(const struct mt_series *se)
{
	uint64_t n = 0;

	for (int k = 1; k < MT_STAT_KINDS; k++)
		n += se->fig.calls[k];
	return n;
}

/* Busiest first; the lower pid first among equals, so scrapes agree. */
static int busier(const void *a, const void *b)
{
	const struct mt_series *x = *(struct mt_series *const *)a, *y = *(struct mt_series *const *)b;
	uint64_t nx = total_calls(x), ny = total_calls(y);

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void mt_series_sort_busiest(struct mt_series **v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), busier);
}
