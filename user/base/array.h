/* SPDX-License-Identifier: GPL-2.0 */
/* array.h - growing arrays: the one doubling realloc every reader and
 * table uses. User-only. */
#ifndef MAPTRACE_ARRAY_H
#define MAPTRACE_ARRAY_H

#include <stddef.h>

/* Make *arr (of *cap elements of elem bytes) hold at least need, doubling.
 * 0 or -ENOMEM (then *arr is unchanged). */
int mt_array_grow(void **arr, size_t *cap, size_t need, size_t elem);

#endif /* MAPTRACE_ARRAY_H */
