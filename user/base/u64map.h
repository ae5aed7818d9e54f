/* SPDX-License-Identifier: GPL-2.0 */
/* u64map.h - a hash map from 64-bit keys to pointers (open addressing).
 * Used to find address spaces by mm and thread groups by tgid. User-only. */
#ifndef MAPTRACE_U64MAP_H
#define MAPTRACE_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct mt_u64map {
	struct mt_u64map_slot *slots;
	size_t cap;     /* power of two, 0 when empty */
	size_t used;    /* live entries */
	size_t filled;  /* live + deleted markers */
};

/* A 64-bit finaliser (MurmurHash3's fmix64): every input bit moves every
 * output bit, for keys far from uniform in their low bits. */
static inline uint64_t mt_mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

void *mt_u64map_get(const struct mt_u64map *m, uint64_t key);
/* Insert or replace. Returns 0 or -ENOMEM. value must not be NULL. */
int mt_u64map_put(struct mt_u64map *m, uint64_t key, void *value);
/* Remove; returns the old value or NULL. */
void *mt_u64map_del(struct mt_u64map *m, uint64_t key);
void mt_u64map_free(struct mt_u64map *m);
/* free() every value, then the map: for maps that own malloc'd values. */
void mt_u64map_free_values(struct mt_u64map *m);

/* Iterate: *pos starts at 0; returns 0 when done. */
int mt_u64map_next(const struct mt_u64map *m, size_t *pos, uint64_t *key, void **value);

#endif /* MAPTRACE_U64MAP_H */
