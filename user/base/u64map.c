// SPDX-License-Identifier: GPL-2.0
/* u64map.c - open-addressing hash map, 64-bit keys to pointers.
 *
 * Linear probing with deleted markers; grows at 50% fill so probes stay
 * short. Keys are mixed with a 64-bit finaliser because mm addresses and
 * pids are far from uniformly distributed in their low bits. */
#include <errno.h>
#include <stdlib.h>
#include "base/u64map.h"

struct mt_u64map_slot {
	uint64_t key;
	void *value;    /* NULL = empty */
	int deleted;
};

static struct mt_u64map_slot *find_slot(const struct mt_u64map *m, uint64_t key)
{
	size_t mask = m->cap - 1;

	for (size_t i = mt_mix64(key) & mask;; i = (i + 1) & mask) {
		struct mt_u64map_slot *s = &m->slots[i];

		if (!s->value && !s->deleted)
			return s;
		if (s->value && s->key == key)
			return s;
	}
}

void *mt_u64map_get(const struct mt_u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	return find_slot(m, key)->value;
}

static int grow(struct mt_u64map *m)
{
	struct mt_u64map old = *m;
	size_t cap = m->cap ? m->cap * 2 : 64;

	if (m->used * 4 < m->cap)
		cap = m->cap; /* mostly deleted markers: rehash in place */
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->used = m->filled = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].value)
			mt_u64map_put(m, old.slots[i].key, old.slots[i].value);
	free(old.slots);
	return 0;
}

int mt_u64map_put(struct mt_u64map *m, uint64_t key, void *value)
{
	struct mt_u64map_slot *s;

	if ((m->filled + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	s = find_slot(m, key);
	if (!s->value) {
		m->used++;
		m->filled++;
	}
	s->key = key;
	s->value = value;
	s->deleted = 0;
	return 0;
}

void *mt_u64map_del(struct mt_u64map *m, uint64_t key)
{
	struct mt_u64map_slot *s;
	void *v;

	if (!m->cap)
		return NULL;
	s = find_slot(m, key);
	v = s->value;
	if (v) {
		s->value = NULL;
		s->deleted = 1;
		m->used--;
	}
	return v;
}

void mt_u64map_free(struct mt_u64map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->used = m->filled = 0;
}

void mt_u64map_free_values(struct mt_u64map *m)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	while (mt_u64map_next(m, &pos, &key, &v))
		free(v);
	mt_u64map_free(m);
}

int mt_u64map_next(const struct mt_u64map *m, size_t *pos, uint64_t *key, void **value)
{
	while (*pos < m->cap) {
		struct mt_u64map_slot *s = &m->slots[(*pos)++];

		if (s->value) {
			*key = s->key;
			*value = s->value;
			return 1;
		}
	}
	return 0;
}
