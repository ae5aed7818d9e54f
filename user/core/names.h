/* SPDX-License-Identifier: GPL-2.0 */
/* names.h - the strings a shadow's regions are named by. Each is stored once
 * and shared by the shadows cloned from one another (refcounted, atomic:
 * they may live on different threads); a table per shadow counts the
 * regions using each. User-only. */
#ifndef MAPTRACE_NAMES_H
#define MAPTRACE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct mt_name_slot;

struct mt_names {
	struct mt_name_slot *slots; /* linear probing, load <= 1/2 */
	size_t cap;                 /* 0 or a power of two */
	size_t used;
};

/* The table's copy of str, with one more use; NULL on ENOMEM. */
const char *mt_names_intern(struct mt_names *t, const char *str);
/* One more, or one less, use of a string of this table (NULL: none). */
void mt_names_get(struct mt_names *t, const char *str);
void mt_names_put(struct mt_names *t, const char *str);
/* One more use of a string another table interned (a clone): 0 or -ENOMEM. */
int mt_names_adopt(struct mt_names *t, const char *str);
/* Whether str is one of the table's strings. */
bool mt_names_has(const struct mt_names *t, const char *str);
/* The table's invariants hold, and its uses add up to named. */
bool mt_names_check(const struct mt_names *t, size_t named);
void mt_names_free(struct mt_names *t);

#endif /* MAPTRACE_NAMES_H */
