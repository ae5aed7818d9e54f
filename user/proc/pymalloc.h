/* SPDX-License-Identifier: GPL-2.0 */
/* pymalloc.h - CPython's small-object allocator (obmalloc) as it lies in a
 * process's memory: its 1 MiB arenas, found by the headers of the 16 KiB
 * pools they are cut into (CPython 3.10 and later on 64-bit), read through
 * /proc/PID/mem. User-only. */
#ifndef MAPTRACE_PYMALLOC_H
#define MAPTRACE_PYMALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/region.h"

#define MT_PY_POOL      (16u * 1024)     /* POOL_SIZE (3.10: with the arena radix tree) */
#define MT_PY_ARENA     (1024u * 1024)   /* ARENA_SIZE */
#define MT_PY_POOL_HDR  48u              /* sizeof(struct pool_header), 64-bit */

/* One arena: where its first pool is. An arena is an mmap of MT_PY_ARENA
 * bytes, its pools start at the first pool boundary in it, so it is
 * [first_pool - (MT_PY_POOL - page), first_pool + MT_PY_ARENA) at most and
 * holds [first_pool, first_pool + 63 pools) at least. */
struct mt_py_arena {
	uint64_t first_pool;
	uint32_t index;           /* its place in obmalloc's arena table */
};

struct mt_py_arenas {
	struct mt_py_arena *v;
	size_t n, cap;
};

/* Whether hdr (MT_PY_POOL_HDR bytes read at address at, pool-aligned) is
 * the header of one of obmalloc's pools, in use or emptied; *index gets
 * its arena's index. */
int mt_py_pool_header(const uint8_t *hdr, uint64_t at, uint32_t *index);

/* The arenas in the private anonymous read-write regions of r[0..n) of
 * process pid, appended to out: 0, -ENOMEM, or -errno of opening its
 * memory (an unreadable region is skipped). */
int mt_py_arenas_read(pid_t pid, const struct mt_region *r, size_t n, struct mt_py_arenas *out);

void mt_py_arenas_free(struct mt_py_arenas *a);

#endif /* MAPTRACE_PYMALLOC_H */
