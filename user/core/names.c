// SPDX-License-Identifier: GPL-2.0
/* names.c - the strings a shadow's regions are named by (names.h):
 * immutable, refcounted across the shadows that share them, interned in a
 * per-shadow open-addressing table that counts the regions using each. */
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"

#define NAMES_MIN 16 /* first table capacity (a power of two) */

struct interned {
	atomic_size_t refs; /* name tables (shadows) holding this string */
	size_t hash;
	char str[];
};

struct mt_name_slot {
	struct interned *n; /* NULL: empty slot */
	size_t uses;       /* regions of this shadow naming n */
};

static struct interned *name_of(const char *str)
{
	return (struct interned *)(str - offsetof(struct interned, str));
}

static size_t str_hash(const char *str)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)str; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return (size_t)h;
}

static void name_unref(struct interned *n)
{
	if (atomic_fetch_sub_explicit(&n->refs, 1, memory_order_acq_rel) == 1)
		free(n);
}

/* Slot index of n, or slots_cap when n is not in the table. */
static size_t slot_of(const struct mt_names *s, const struct interned *n)
{
	size_t mask = s->cap - 1;

	if (!s->cap)
		return 0;
	for (size_t i = n->hash & mask;; i = (i + 1) & mask) {
		if (s->slots[i].n == n)
			return i;
		if (!s->slots[i].n)
			return s->cap;
	}
}

static void slot_place(struct mt_name_slot *t, size_t cap, struct mt_name_slot v)
{
	size_t i = v.n->hash & (cap - 1);

	while (t[i].n)
		i = (i + 1) & (cap - 1);
	t[i] = v;
}

static int slots_grow(struct mt_names *s)
{
	size_t cap = s->cap ? s->cap * 2 : NAMES_MIN;
	struct mt_name_slot *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].n)
			slot_place(t, cap, s->slots[i]);
	free(s->slots);
	s->slots = t;
	s->cap = cap;
	return 0;
}

/* Add n (not in the table yet) with one use; the table takes a reference. */
static int slot_add(struct mt_names *s, struct interned *n)
{
	if ((s->used + 1) * 2 > s->cap && slots_grow(s) < 0)
		return -ENOMEM;
	slot_place(s->slots, s->cap, (struct mt_name_slot){ .n = n, .uses = 1 });
	s->used++;
	atomic_fetch_add_explicit(&n->refs, 1, memory_order_relaxed);
	return 0;
}

/* Backward-shift deletion keeps every probe chain unbroken without
 * tombstones (Knuth 6.4, algorithm R). */
static void slot_remove(struct mt_names *s, size_t i)
{
	size_t mask = s->cap - 1, j = i;

	s->used--;
	for (;;) {
		s->slots[i].n = NULL;
		for (;;) {
			j = (j + 1) & mask;
			if (!s->slots[j].n)
				return;
			size_t home = s->slots[j].n->hash & mask;
			/* j may move to i unless its home lies cyclically in (i, j] */
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		s->slots[i] = s->slots[j];
		i = j;
	}
}

const char *mt_names_intern(struct mt_names *s, const char *str)
{
	size_t h = str_hash(str), len;
	struct interned *n;

	for (size_t i = h & (s->cap - 1); s->cap && s->slots[i].n;
	     i = (i + 1) & (s->cap - 1)) {
		n = s->slots[i].n;
		if (n->hash == h && !strcmp(n->str, str)) {
			s->slots[i].uses++;
			return n->str;
		}
	}
	len = strlen(str);
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	atomic_init(&n->refs, 0);
	n->hash = h;
	memcpy(n->str, str, len + 1);
	if (slot_add(s, n) < 0) {
		free(n);
		return NULL;
	}
	return n->str;
}

void mt_names_get(struct mt_names *s, const char *str)
{
	size_t i;

	if (!str)
		return;
	i = slot_of(s, name_of(str));
	assert(i < s->cap);
	s->slots[i].uses++;
}

void mt_names_put(struct mt_names *s, const char *str)
{
	struct interned *n;
	size_t i;

	if (!str)
		return;
	n = name_of(str);
	i = slot_of(s, n);
	assert(i < s->cap);
	if (--s->slots[i].uses)
		return;
	slot_remove(s, i);
	name_unref(n);
}

int mt_names_adopt(struct mt_names *s, const char *str)
{
	size_t i;

	if (!str)
		return 0;
	i = slot_of(s, name_of(str));
	if (i < s->cap) {
		s->slots[i].uses++;
		return 0;
	}
	return slot_add(s, name_of(str));
}

bool mt_names_has(const struct mt_names *s, const char *str)
{
	return slot_of(s, name_of(str)) < s->cap;
}

bool mt_names_check(const struct mt_names *s, size_t named)
{
	size_t used = 0, uses = 0;

	for (size_t i = 0; i < s->cap; i++) {
		const struct interned *n = s->slots[i].n;

		if (!n)
			continue;
		if (!s->slots[i].uses || n->hash != str_hash(n->str) || !atomic_load(&n->refs))
			return false;
		used++;
		uses += s->slots[i].uses;
	}
	return used == s->used && uses == named;
}

void mt_names_free(struct mt_names *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
