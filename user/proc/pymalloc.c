// SPDX-License-Identifier: GPL-2.0
/* pymalloc.c - CPython's obmalloc arenas in a process (see proc/pymalloc.h).
 *
 * Objects/obmalloc.c (3.10 to 3.13, 64-bit) cuts each 1 MiB arena into
 * 16 KiB pools, each starting with struct pool_header:
 *   0 ref.count (uint), 8 freeblock, 16 nextpool, 24 prevpool (pointers),
 *   32 arenaindex, 36 szidx, 40 nextoffset, 44 maxnextoffset (uint).
 * init_pool() sets, for size class szidx (blocks of (szidx + 1) * 16
 * bytes), maxnextoffset = POOL_SIZE - size and nextoffset = 48 + 2 * size,
 * which grows by size; freeblock is NULL or a block of the pool. An
 * emptied pool goes back to its arena with szidx DUMMY_SIZE_IDX (0xffff)
 * and count 0, its other fields kept. Random data meets all of that
 * rarely; the arena index then groups pools into arenas.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/array.h"
#include "base/u64map.h"
#include "proc/pymalloc.h"

#define ALIGNMENT      16u       /* obmalloc's on 64-bit */
#define SIZE_CLASSES   32u       /* SMALL_REQUEST_THRESHOLD 512 / ALIGNMENT */
#define DUMMY_SIZE_IDX 0xffffu
#define MAX_ARENAS     (1u << 24) /* an index beyond is no arena's (16 TiB) */

static uint32_t u32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int mt_py_pool_header(const uint8_t *hdr, uint64_t at, uint32_t *index)
{
	uint64_t count = u64_at(hdr), freeblock = u64_at(hdr + 8);
	uint32_t arena = u32_at(hdr + 32), szidx = u32_at(hdr + 36);
	uint32_t next = u32_at(hdr + 40), max = u32_at(hdr + 44), size;

	if (arena >= MAX_ARENAS || at % MT_PY_POOL)
		return 0;
	/* the size class the offsets were set for (kept by an emptied pool) */
	if (max >= MT_PY_POOL || (MT_PY_POOL - max) % ALIGNMENT ||
	    (size = MT_PY_POOL - max) > SIZE_CLASSES * ALIGNMENT)
		return 0;
	if (next < MT_PY_POOL_HDR + 2 * size || next > max + size || (next - MT_PY_POOL_HDR) % size)
		return 0;
	if (freeblock && (freeblock < at + MT_PY_POOL_HDR || freeblock >= at + MT_PY_POOL))
		return 0;
	if (szidx == DUMMY_SIZE_IDX) {
		if (count)
			return 0;
	} else if (szidx != size / ALIGNMENT - 1 || count > (MT_PY_POOL - MT_PY_POOL_HDR) / size) {
		return 0;
	}
	*index = arena;
	return 1;
}

static bool anon_rw(const struct mt_region *r)
{
	return !r->name && !mt_region_has_file(r) && !(r->perms & MT_PERM_SHARED) &&
	       (r->perms & (MT_PERM_READ | MT_PERM_WRITE | MT_PERM_EXEC)) == (MT_PERM_READ | MT_PERM_WRITE);
}

/* The pools of one region: a pool whose arena is new starts an arena;
 * the scan then jumps to that arena's last pool. */
static int scan_region(int fd, const struct mt_region *r, struct mt_u64map *seen, struct mt_py_arenas *out)
{
	uint64_t at = (r->start + MT_PY_POOL - 1) / MT_PY_POOL * MT_PY_POOL;

	for (; at + MT_PY_POOL_HDR <= r->end; at += MT_PY_POOL) {
		uint8_t hdr[MT_PY_POOL_HDR];
		uint32_t index;

		if (pread(fd, hdr, sizeof(hdr), (off_t)at) != (ssize_t)sizeof(hdr))
			return 0;   /* unreadable: the region is skipped */
		if (!mt_py_pool_header(hdr, at, &index) || mt_u64map_get(seen, index + 1ull))
			continue;
		if (mt_u64map_put(seen, index + 1ull, (void *)1) ||
		    mt_array_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v)))
			return -ENOMEM;
		out->v[out->n++] = (struct mt_py_arena){ .first_pool = at, .index = index };
		at += MT_PY_ARENA - 2 * MT_PY_POOL;   /* to its 63rd pool, then on */
	}
	return 0;
}

int mt_py_arenas_read(pid_t pid, const struct mt_region *r, size_t n, struct mt_py_arenas *out)
{
	struct mt_u64map seen = { 0 };
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < n && !err; i++)
		if (anon_rw(&r[i]))
			err = scan_region(fd, &r[i], &seen, out);
	mt_u64map_free(&seen);
	close(fd);
	return err;
}

void mt_py_arenas_free(struct mt_py_arenas *a)
{
	free(a->v);
	*a = (struct mt_py_arenas){ 0 };
}
