// SPDX-License-Identifier: GPL-2.0
/* test_shadow.c - unit tests for the shadow table (user/core/shadow.c).
 *
 * Each operation is checked against the layout the kernel would leave:
 * MAP_FIXED over parts of regions, munmap and mprotect splits (file offsets
 * of right-hand parts advanced, holes reported), every mremap form, fork
 * copies with and without VM_DONTCOPY, and the lifetime of interned names.
 * A randomized test mirrors 20,000 operations in a one-entry-per-page
 * reference model and compares every page; a 65,000-region shadow checks
 * that nothing degrades to linear behaviour (no timing assertions).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/shadow.h"

#define PS     ((uint64_t)MT_PAGE_SIZE)
#define BASE   0x7f0000000000ull
#define PG(n)  (BASE + (uint64_t)(n) * PS) /* address of page n */
#define OFF(n) ((uint64_t)(n) * PS)        /* file offset of page n */
#define RW     (MT_PERM_READ | MT_PERM_WRITE)
#define RX     (MT_PERM_READ | MT_PERM_EXEC)
#define R      MT_PERM_READ
#define DEV    MT_MKDEV(8, 1)

static struct mt_region anon(uint64_t from, uint64_t to, uint32_t perms)
{
	return (struct mt_region){ .start = PG(from), .end = PG(to), .perms = perms };
}

static struct mt_region file(uint64_t from, uint64_t to, uint32_t perms,
			     uint64_t inode, uint64_t off_pages, const char *name)
{
	return (struct mt_region){
		.start = PG(from), .end = PG(to), .perms = perms, .dev = DEV,
		.inode = inode, .offset = OFF(off_pages), .name = name,
	};
}

/* The expected layout, region by region, in pages. */
struct want {
	uint64_t from, to;
	uint32_t perms;
	uint64_t off_pages;
	const char *name;
};

static void assert_layout_(const struct mt_shadow *s, const struct want *w, size_t n)
{
	const struct mt_region *r = mt_shadow_lower_bound(s, 0);
	uint64_t bytes = 0;

	assert_true(mt_shadow_check(s));
	for (size_t i = 0; i < n; i++, r = mt_shadow_next(s, r)) {
		assert_non_null(r);
		assert_int_equal(r->start, PG(w[i].from));
		assert_int_equal(r->end, PG(w[i].to));
		assert_int_equal(r->perms, w[i].perms);
		assert_int_equal(r->offset, OFF(w[i].off_pages));
		if (w[i].name)
			assert_string_equal(r->name, w[i].name);
		else
			assert_null(r->name);
		bytes += r->end - r->start;
	}
	assert_null(r);
	assert_int_equal(mt_shadow_count(s), n);
	assert_int_equal(mt_shadow_bytes(s), bytes);
}

#define WANT(...) ((const struct want[]){ __VA_ARGS__ })
#define assert_layout(s, ...) \
	assert_layout_((s), WANT(__VA_ARGS__), sizeof(WANT(__VA_ARGS__)) / sizeof(struct want))

static void map_ok(struct mt_shadow *s, struct mt_region r)
{
	assert_int_equal(mt_shadow_map(s, &r), 0);
}

static int setup(void **state)
{
	*state = mt_shadow_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	bool ok = mt_shadow_check(*state);

	mt_shadow_free(*state);
	return ok ? 0 : -1;
}

/* ---- map ------------------------------------------------------------ */

static void test_empty(void **state)
{
	struct mt_shadow *s = *state;

	assert_int_equal(mt_shadow_count(s), 0);
	assert_int_equal(mt_shadow_bytes(s), 0);
	assert_null(mt_shadow_find(s, PG(0)));
	assert_null(mt_shadow_lower_bound(s, 0));
	assert_true(mt_shadow_check(s));
	mt_shadow_clear(s);
	assert_int_equal(mt_shadow_unmap(s, PG(0), PG(4)), 0);
	assert_int_equal(mt_shadow_count(s), 0);
}

static void test_map_into_empty(void **state)
{
	struct mt_shadow *s = *state;
	struct mt_region r = file(0, 4, RX, 42, 2, "/usr/lib/libc.so.6");

	r.origin = (struct mt_origin){ .ts_ns = 5, .seq = 7, .kind = 1, .tid = 99 };
	r.flags = MT_RF_DELETED;
	map_ok(s, r);
	assert_layout(s, { 0, 4, RX, 2, "/usr/lib/libc.so.6" });

	const struct mt_region *f = mt_shadow_find(s, PG(3) + 17);
	assert_non_null(f);
	assert_int_equal(f->dev, DEV);
	assert_int_equal(f->inode, 42);
	assert_int_equal(f->flags, MT_RF_DELETED);
	assert_int_equal(f->origin.seq, 7);
	assert_int_equal(f->origin.tid, 99);
	assert_true(f->name != r.name); /* a copy, not the caller's string */
	assert_null(mt_shadow_find(s, PG(4)));
	assert_null(mt_shadow_find(s, PG(0) - 1));
	assert_int_equal(mt_shadow_bytes(s), 4 * PS);
}

static void test_map_invalid(void **state)
{
	struct mt_shadow *s = *state;
	struct mt_region r = anon(2, 2, RW);

	assert_int_equal(mt_shadow_map(s, &r), -EINVAL); /* empty */
	r = anon(3, 2, RW);
	assert_int_equal(mt_shadow_map(s, &r), -EINVAL); /* start > end */
	r = anon(0, 2, RW);
	r.start += 1;
	assert_int_equal(mt_shadow_map(s, &r), -EINVAL); /* unaligned start */
	r = anon(0, 2, RW);
	r.end -= 8;
	assert_int_equal(mt_shadow_map(s, &r), -EINVAL); /* unaligned end */
	assert_int_equal(mt_shadow_unmap(s, PG(2), PG(2)), -EINVAL);
	assert_int_equal(mt_shadow_unmap(s, PG(2) + 1, PG(3)), -EINVAL);
	assert_int_equal(mt_shadow_protect(s, PG(2), PG(1), R, NULL), -EINVAL);
	assert_int_equal(mt_shadow_set_flags(s, PG(2), PG(2), MT_RF_DONTCOPY, 0), -EINVAL);
	assert_int_equal(mt_shadow_count(s), 0);
}

/* MAP_FIXED over the middle of a file region: three regions, the right
 * part's offset advanced by its distance from the original start. */
static void test_map_fixed_middle(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 10, RX, 42, 100, "/lib/a.so"));
	map_ok(s, anon(3, 5, RW));
	assert_layout(s,
		      { 0, 3, RX, 100, "/lib/a.so" },
		      { 3, 5, RW, 0, NULL },
		      { 5, 10, RX, 105, "/lib/a.so" });
	assert_int_equal(mt_shadow_find(s, PG(7))->inode, 42);
	assert_int_equal(mt_shadow_find(s, PG(4))->inode, 0);
}

static void test_map_fixed_across_several(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 4, RX, 1, 0, "/a"));
	map_ok(s, anon(4, 6, RW));
	map_ok(s, anon(8, 9, R));      /* after a hole */
	map_ok(s, file(9, 14, RW, 2, 10, "/b"));
	map_ok(s, anon(20, 22, RW));   /* untouched */
	map_ok(s, file(2, 11, R, 3, 50, "/c"));
	assert_layout(s,
		      { 0, 2, RX, 0, "/a" },
		      { 2, 11, R, 50, "/c" },
		      { 11, 14, RW, 12, "/b" },
		      { 20, 22, RW, 0, NULL });
}

static void test_map_fixed_exact_region(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, anon(0, 2, RW));
	map_ok(s, file(2, 5, RX, 9, 0, "/x"));
	map_ok(s, anon(5, 7, RW));
	map_ok(s, anon(2, 5, R));
	assert_layout(s, { 0, 2, RW, 0, NULL }, { 2, 5, R, 0, NULL }, { 5, 7, RW, 0, NULL });
	/* and the same range again, over itself */
	map_ok(s, file(2, 5, RX, 9, 3, "/x"));
	assert_layout(s, { 0, 2, RW, 0, NULL }, { 2, 5, RX, 3, "/x" }, { 5, 7, RW, 0, NULL });
}

/* Adjacent alike regions stay separate nodes: merging is mapdiff's job. */
static void test_map_adjacent_not_merged(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, anon(0, 2, RW));
	map_ok(s, anon(2, 4, RW));
	assert_layout(s, { 0, 2, RW, 0, NULL }, { 2, 4, RW, 0, NULL });
}

/* ---- munmap --------------------------------------------------------- */

static void test_unmap_partial_left(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 8, RX, 1, 10, "/f"));
	assert_int_equal(mt_shadow_unmap(s, PG(0), PG(3)), 0);
	assert_layout(s, { 3, 8, RX, 13, "/f" });
}

static void test_unmap_partial_right(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 8, RX, 1, 10, "/f"));
	assert_int_equal(mt_shadow_unmap(s, PG(5), PG(8)), 0);
	assert_layout(s, { 0, 5, RX, 10, "/f" });
}

static void test_unmap_middle(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 8, RX, 1, 10, "/f"));
	assert_int_equal(mt_shadow_unmap(s, PG(2), PG(5)), 0);
	assert_layout(s, { 0, 2, RX, 10, "/f" }, { 5, 8, RX, 15, "/f" });
	/* anonymous regions keep their offset on both sides */
	map_ok(s, anon(20, 30, RW));
	assert_int_equal(mt_shadow_unmap(s, PG(22), PG(23)), 0);
	assert_layout(s, { 0, 2, RX, 10, "/f" }, { 5, 8, RX, 15, "/f" },
		      { 20, 22, RW, 0, NULL }, { 23, 30, RW, 0, NULL });
}

static void test_unmap_spanning(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, anon(0, 3, RW));
	map_ok(s, file(3, 6, RX, 1, 0, "/f"));
	map_ok(s, anon(8, 10, R));
	map_ok(s, file(10, 16, R, 2, 4, "/g"));
	assert_int_equal(mt_shadow_unmap(s, PG(1), PG(12)), 0);
	assert_layout(s, { 0, 1, RW, 0, NULL }, { 12, 16, R, 6, "/g" });
	assert_int_equal(mt_shadow_unmap(s, PG(0), PG(100)), 0);
	assert_int_equal(mt_shadow_count(s), 0);
	assert_int_equal(mt_shadow_bytes(s), 0);
}

static void test_unmap_hole(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, anon(0, 2, RW));
	map_ok(s, anon(6, 8, RW));
	assert_int_equal(mt_shadow_unmap(s, PG(2), PG(6)), 0);
	assert_int_equal(mt_shadow_unmap(s, PG(50), PG(60)), 0);
	assert_layout(s, { 0, 2, RW, 0, NULL }, { 6, 8, RW, 0, NULL });
}

/* ---- mprotect / madvise flags --------------------------------------- */

static void test_protect_middle_split_three(void **state)
{
	struct mt_shadow *s = *state;
	uint64_t hole = 99;
	struct mt_region r = file(0, 10, RW | MT_PERM_SHARED, 5, 20, "/shm");

	r.origin.seq = 3;
	map_ok(s, r);
	assert_int_equal(mt_shadow_protect(s, PG(4), PG(6), R, &hole), 0);
	assert_int_equal(hole, 0);
	/* MT_PERM_SHARED is kept: mprotect never changes VM_SHARED */
	assert_layout(s,
		      { 0, 4, RW | MT_PERM_SHARED, 20, "/shm" },
		      { 4, 6, R | MT_PERM_SHARED, 24, "/shm" },
		      { 6, 10, RW | MT_PERM_SHARED, 26, "/shm" });
	/* split parts keep the original's origin */
	for (const struct mt_region *p = mt_shadow_lower_bound(s, 0); p; p = mt_shadow_next(s, p))
		assert_int_equal(p->origin.seq, 3);
	/* a whole region, exactly: no split */
	assert_int_equal(mt_shadow_protect(s, PG(4), PG(6), 0, NULL), 0);
	assert_int_equal(mt_shadow_count(s), 3);
	assert_int_equal(mt_shadow_find(s, PG(5))->perms, MT_PERM_SHARED);
	/* shared bit in rwx is ignored */
	assert_int_equal(mt_shadow_protect(s, PG(0), PG(1), R | MT_PERM_SHARED, NULL), 0);
	assert_int_equal(mt_shadow_find(s, PG(0))->perms, R | MT_PERM_SHARED);
}

static void test_protect_over_holes(void **state)
{
	struct mt_shadow *s = *state;
	uint64_t hole = 0;

	map_ok(s, anon(2, 5, RW));
	map_ok(s, anon(7, 9, MT_PERM_READ));
	assert_int_equal(mt_shadow_protect(s, PG(0), PG(12), RX, &hole), 0);
	assert_int_equal(hole, 7 * PS); /* pages 0-1, 5-6, 9-11 */
	assert_layout(s, { 2, 5, RX, 0, NULL }, { 7, 9, RX, 0, NULL });
	assert_int_equal(mt_shadow_protect(s, PG(3), PG(8), R, &hole), 0);
	assert_int_equal(hole, 2 * PS);
	assert_layout(s, { 2, 3, RX, 0, NULL }, { 3, 5, R, 0, NULL },
		      { 7, 8, R, 0, NULL }, { 8, 9, RX, 0, NULL });
	assert_int_equal(mt_shadow_protect(s, PG(20), PG(22), R, &hole), 0);
	assert_int_equal(hole, 2 * PS);
	assert_int_equal(mt_shadow_count(s), 4);
}

static void test_set_flags_split(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 6, RW, 3, 0, "/data"));
	assert_int_equal(mt_shadow_set_flags(s, PG(2), PG(4), MT_RF_DONTCOPY, 0), 0);
	assert_layout(s, { 0, 2, RW, 0, "/data" }, { 2, 4, RW, 2, "/data" }, { 4, 6, RW, 4, "/data" });
	assert_int_equal(mt_shadow_find(s, PG(1))->flags, 0);
	assert_int_equal(mt_shadow_find(s, PG(2))->flags, MT_RF_DONTCOPY);
	assert_int_equal(mt_shadow_find(s, PG(4))->flags, 0);
	/* MADV_DOFORK over part of it splits again */
	assert_int_equal(mt_shadow_set_flags(s, PG(3), PG(10), MT_RF_GROWSDOWN, MT_RF_DONTCOPY), 0);
	assert_int_equal(mt_shadow_count(s), 4);
	assert_int_equal(mt_shadow_find(s, PG(2))->flags, MT_RF_DONTCOPY);
	assert_int_equal(mt_shadow_find(s, PG(3))->flags, MT_RF_GROWSDOWN);
	assert_int_equal(mt_shadow_find(s, PG(5))->flags, MT_RF_GROWSDOWN);
	assert_int_equal(mt_shadow_find(s, PG(3))->offset, OFF(3));
	assert_true(mt_shadow_check(s));
}

/* ---- mremap --------------------------------------------------------- */

static const struct mt_origin ORIG = { .ts_ns = 1000, .seq = 77, .kind = 5, .tid = 4242 };

/* Grow in place: the added pages take the attributes of the region holding
 * the last old page, file offset continuing, and the mremap's origin. */
static void test_remap_grow_in_place(void **state)
{
	struct mt_shadow *s = *state;
	struct mt_region r = file(2, 4, RW, 7, 30, "/grow");

	map_ok(s, anon(0, 2, R));
	r.origin.seq = 1;
	map_ok(s, r);
	assert_int_equal(mt_shadow_remap(s, PG(0), 4 * PS, PG(0), 7 * PS, false, &ORIG), 0);
	assert_layout(s, { 0, 2, R, 0, NULL }, { 2, 4, RW, 30, "/grow" }, { 4, 7, RW, 32, "/grow" });
	assert_int_equal(mt_shadow_find(s, PG(3))->origin.seq, 1);
	assert_int_equal(mt_shadow_find(s, PG(4))->origin.seq, 77);
	assert_int_equal(mt_shadow_find(s, PG(6))->origin.tid, 4242);
	assert_int_equal(mt_shadow_find(s, PG(6))->inode, 7);
	/* anonymous growth keeps offset 0 */
	map_ok(s, anon(20, 21, RW));
	assert_int_equal(mt_shadow_remap(s, PG(20), PS, PG(20), 3 * PS, false, &ORIG), 0);
	assert_int_equal(mt_shadow_find(s, PG(22))->offset, 0);
	assert_int_equal(mt_shadow_find(s, PG(22))->perms, RW);
	assert_int_equal(mt_shadow_bytes(s), 10 * PS);
}

static void test_remap_shrink_in_place(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 3, RX, 1, 0, "/a"));
	map_ok(s, file(3, 8, RW, 2, 5, "/b"));
	assert_int_equal(mt_shadow_remap(s, PG(0), 8 * PS, PG(0), 2 * PS, false, &ORIG), 0);
	assert_layout(s, { 0, 2, RX, 0, "/a" });
	assert_int_equal(mt_shadow_find(s, PG(0))->origin.seq, 0); /* not moved */
	/* same size: nothing happens */
	assert_int_equal(mt_shadow_remap(s, PG(0), 2 * PS, PG(0), 2 * PS, false, &ORIG), 0);
	assert_layout(s, { 0, 2, RX, 0, "/a" });
}

static void test_remap_move(void **state)
{
	struct mt_shadow *s = *state;
	struct mt_region r = file(0, 4, RW, 9, 10, "/moved");

	r.flags = MT_RF_DONTCOPY;
	map_ok(s, r);
	assert_int_equal(mt_shadow_remap(s, PG(1), 2 * PS, PG(40), 2 * PS, false, &ORIG), 0);
	assert_layout(s, { 0, 1, RW, 10, "/moved" }, { 3, 4, RW, 13, "/moved" },
		      { 40, 42, RW, 11, "/moved" });
	const struct mt_region *m = mt_shadow_find(s, PG(41));
	assert_int_equal(m->origin.seq, 77);
	assert_int_equal(m->flags, MT_RF_DONTCOPY);
	assert_int_equal(m->inode, 9);
	assert_int_equal(m->dev, DEV);
	assert_int_equal(mt_shadow_find(s, PG(0))->origin.seq, 0);
}

static void test_remap_move_grow(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 3, R, 9, 10, "/mg"));
	assert_int_equal(mt_shadow_remap(s, PG(0), 3 * PS, PG(50), 6 * PS, false, &ORIG), 0);
	assert_layout(s, { 50, 53, R, 10, "/mg" }, { 53, 56, R, 13, "/mg" });
	/* move + shrink: only the first pages travel, the rest is gone */
	assert_int_equal(mt_shadow_remap(s, PG(50), 6 * PS, PG(10), 2 * PS, false, &ORIG), 0);
	assert_layout(s, { 10, 12, R, 10, "/mg" });
}

/* The kernel allows one source vma only; the shadow copies page by page
 * from several, each piece keeping its own attributes. */
static void test_remap_move_several_sources(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 2, RX, 1, 0, "/one"));
	map_ok(s, anon(2, 3, RW));
	map_ok(s, file(3, 6, R, 2, 8, "/two"));
	assert_int_equal(mt_shadow_remap(s, PG(1), 4 * PS, PG(30), 6 * PS, false, &ORIG), 0);
	assert_layout(s,
		      { 0, 1, RX, 0, "/one" },
		      { 5, 6, R, 10, "/two" },
		      { 30, 31, RX, 1, "/one" },
		      { 31, 32, RW, 0, NULL },
		      { 32, 34, R, 8, "/two" },
		      { 34, 36, R, 10, "/two" }); /* growth: offset continuing */
}

/* MREMAP_FIXED: whatever the target held is unmapped first. */
static void test_remap_fixed_over_existing(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, anon(0, 2, RW));
	map_ok(s, file(10, 14, RX, 3, 0, "/t1"));
	map_ok(s, file(14, 20, R, 4, 0, "/t2"));
	assert_int_equal(mt_shadow_remap(s, PG(0), 2 * PS, PG(12), 4 * PS, false, &ORIG), 0);
	assert_layout(s,
		      { 10, 12, RX, 0, "/t1" },
		      { 12, 14, RW, 0, NULL },
		      { 14, 16, RW, 0, NULL },
		      { 16, 20, R, 2, "/t2" });
}

static void test_remap_dontunmap(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, anon(0, 4, RW));
	assert_int_equal(mt_shadow_remap(s, PG(0), 4 * PS, PG(10), 4 * PS, true, &ORIG), 0);
	assert_layout(s, { 0, 4, RW, 0, NULL }, { 10, 14, RW, 0, NULL });
	assert_int_equal(mt_shadow_find(s, PG(0))->origin.seq, 0);
	assert_int_equal(mt_shadow_find(s, PG(13))->origin.seq, 77);
}

/* old_len == 0 duplicates new_len bytes of a shared mapping, source kept. */
static void test_remap_duplicate_old_len_zero(void **state)
{
	struct mt_shadow *s = *state;

	map_ok(s, file(0, 8, RW | MT_PERM_SHARED, 5, 0, "/dev/zero"));
	assert_int_equal(mt_shadow_remap(s, PG(2), 0, PG(20), 3 * PS, false, &ORIG), 0);
	assert_layout(s, { 0, 8, RW | MT_PERM_SHARED, 0, "/dev/zero" },
		      { 20, 23, RW | MT_PERM_SHARED, 2, "/dev/zero" });
	/* the source must hold new_len bytes */
	assert_int_equal(mt_shadow_remap(s, PG(6), 0, PG(30), 3 * PS, false, &ORIG), -ENOENT);
	assert_int_equal(mt_shadow_count(s), 2);
}

static void test_remap_unmapped_source(void **state)
{
	struct mt_shadow *s = *state;

	assert_int_equal(mt_shadow_remap(s, PG(0), PS, PG(10), PS, false, &ORIG), -ENOENT);
	map_ok(s, anon(0, 2, RW));
	map_ok(s, anon(3, 5, RW));
	/* a hole inside the source: refused, nothing changed */
	assert_int_equal(mt_shadow_remap(s, PG(0), 5 * PS, PG(10), 5 * PS, false, &ORIG), -ENOENT);
	assert_int_equal(mt_shadow_remap(s, PG(1), 2 * PS, PG(1), 4 * PS, false, &ORIG), -ENOENT);
	assert_layout(s, { 0, 2, RW, 0, NULL }, { 3, 5, RW, 0, NULL });
	/* invalid arguments */
	assert_int_equal(mt_shadow_remap(s, PG(0), PS, PG(10), 0, false, &ORIG), -EINVAL);
	assert_int_equal(mt_shadow_remap(s, PG(0) + 1, PS, PG(10), PS, false, &ORIG), -EINVAL);
	assert_int_equal(mt_shadow_remap(s, PG(0), PS, PG(10), PS + 1, false, &ORIG), -EINVAL);
	/* origin may be NULL: the moved pages get an empty origin */
	assert_int_equal(mt_shadow_remap(s, PG(0), PS, PG(10), PS, false, NULL), 0);
	assert_int_equal(mt_shadow_find(s, PG(10))->origin.seq, 0);
}

/* ---- fork, names, lookups ------------------------------------------- */

static void test_clone(void **state)
{
	struct mt_shadow *s = *state, *all, *some;
	struct mt_region r = file(4, 8, RW, 3, 0, "/keep");

	map_ok(s, anon(0, 2, RW));
	r.flags = MT_RF_DONTCOPY;
	map_ok(s, r);
	map_ok(s, file(10, 12, RX, 2, 0, "/lib"));

	all = mt_shadow_clone(s, false);
	some = mt_shadow_clone(s, true);
	assert_non_null(all);
	assert_non_null(some);
	assert_layout(all, { 0, 2, RW, 0, NULL }, { 4, 8, RW, 0, "/keep" }, { 10, 12, RX, 0, "/lib" });
	assert_layout(some, { 0, 2, RW, 0, NULL }, { 10, 12, RX, 0, "/lib" });
	/* copies are independent */
	assert_int_equal(mt_shadow_unmap(all, PG(0), PG(100)), 0);
	assert_int_equal(mt_shadow_count(all), 0);
	assert_int_equal(mt_shadow_count(s), 3);
	assert_int_equal(mt_shadow_protect(some, PG(10), PG(11), R, NULL), 0);
	assert_int_equal(mt_shadow_find(s, PG(10))->perms, RX);
	mt_shadow_free(all);
	mt_shadow_free(some);

	/* clone of an empty shadow */
	mt_shadow_clear(s);
	all = mt_shadow_clone(s, true);
	assert_non_null(all);
	assert_int_equal(mt_shadow_count(all), 0);
	assert_true(mt_shadow_check(all));
	mt_shadow_free(all);
}

/* Names are copied once: split parts share the copy, the caller's string
 * may go away, a child outlives its parent. */
static void test_name_interning(void **state)
{
	struct mt_shadow *s = *state, *child;
	char *name = strdup("/usr/lib/x86_64-linux-gnu/libm.so.6");
	char *same = strdup(name);
	const struct mt_region *a, *b, *c;

	assert_non_null(name);
	map_ok(s, file(0, 8, RX, 1, 0, name));
	memset(name, 'X', strlen(name));
	free(name);
	assert_int_equal(mt_shadow_protect(s, PG(2), PG(4), R, NULL), 0);
	a = mt_shadow_find(s, PG(0));
	b = mt_shadow_find(s, PG(2));
	c = mt_shadow_find(s, PG(5));
	assert_ptr_equal(a->name, b->name);
	assert_ptr_equal(a->name, c->name);
	assert_string_equal(c->name, "/usr/lib/x86_64-linux-gnu/libm.so.6");

	/* the same string mapped again, from another buffer: the same copy */
	map_ok(s, file(20, 21, R, 1, 0, same));
	free(same);
	assert_ptr_equal(mt_shadow_find(s, PG(20))->name, mt_shadow_find(s, PG(0))->name);

	/* mapping a region's own name back over it (a lookup result) */
	map_ok(s, *mt_shadow_find(s, PG(20)));
	assert_string_equal(mt_shadow_find(s, PG(20))->name, "/usr/lib/x86_64-linux-gnu/libm.so.6");

	/* unmap the original's first parts: the rest keeps a valid name */
	assert_int_equal(mt_shadow_unmap(s, PG(0), PG(4)), 0);
	assert_string_equal(mt_shadow_find(s, PG(5))->name, "/usr/lib/x86_64-linux-gnu/libm.so.6");

	/* a clone shares the strings and outlives the parent */
	child = mt_shadow_clone(s, false);
	assert_non_null(child);
	assert_ptr_equal(mt_shadow_find(child, PG(5))->name, mt_shadow_find(s, PG(5))->name);
	mt_shadow_clear(s);
	assert_true(mt_shadow_check(s));
	assert_string_equal(mt_shadow_find(child, PG(5))->name, "/usr/lib/x86_64-linux-gnu/libm.so.6");
	assert_int_equal(mt_shadow_protect(child, PG(6), PG(7), RW, NULL), 0);
	assert_string_equal(mt_shadow_find(child, PG(7))->name, "/usr/lib/x86_64-linux-gnu/libm.so.6");
	assert_true(mt_shadow_check(child));
	mt_shadow_free(child);

	/* many distinct names: the table grows and shrinks back */
	for (int i = 0; i < 200; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "/name/%d", i);
		map_ok(s, file(i, i + 1, R, 1, 0, buf));
	}
	assert_true(mt_shadow_check(s));
	for (int i = 0; i < 200; i += 2)
		assert_int_equal(mt_shadow_unmap(s, PG(i), PG(i + 1)), 0);
	assert_true(mt_shadow_check(s));
	assert_string_equal(mt_shadow_find(s, PG(199))->name, "/name/199");
	assert_string_equal(mt_shadow_find(s, PG(1))->name, "/name/1");
}

static void test_lookups(void **state)
{
	struct mt_shadow *s = *state;
	const struct mt_region *r;

	map_ok(s, anon(2, 4, RW));
	map_ok(s, anon(6, 7, R));
	assert_null(mt_shadow_find(s, PG(1)));
	assert_int_equal(mt_shadow_find(s, PG(2))->start, PG(2));
	assert_int_equal(mt_shadow_find(s, PG(4) - 1)->start, PG(2));
	assert_null(mt_shadow_find(s, PG(4)));
	assert_int_equal(mt_shadow_lower_bound(s, 0)->start, PG(2));
	assert_int_equal(mt_shadow_lower_bound(s, PG(3))->start, PG(2));
	assert_int_equal(mt_shadow_lower_bound(s, PG(4))->start, PG(6));
	assert_int_equal(mt_shadow_lower_bound(s, PG(5))->start, PG(6));
	assert_null(mt_shadow_lower_bound(s, PG(7)));
	r = mt_shadow_lower_bound(s, 0);
	r = mt_shadow_next(s, r);
	assert_int_equal(r->start, PG(6));
	assert_null(mt_shadow_next(s, r));
}

/* ---- randomized, against a page-array model ------------------------- */

#define W_PAGES 4096
#define RAND_OPS 20000
#define BATCH 8

struct page {
	bool mapped;
	uint32_t perms, flags, dev;
	uint64_t inode, off, seq;
	const char *name;
};

static const char *const NAMES[] = {
	NULL, "/usr/lib/libc.so.6", "[heap]", "/tmp/a file", "[anon:arena]", "",
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

static bool page_file(const struct page *p)
{
	return p->inode || (p->flags & MT_RF_IDENT_UNKNOWN);
}

/* Compare every page of the window; honour: as a dontcopy clone sees it. */
static void compare_model(const struct mt_shadow *s, const struct page *m, bool honour)
{
	uint64_t mapped = 0;

	assert_true(mt_shadow_check(s));
	for (size_t i = 0; i < W_PAGES; i++) {
		const struct mt_region *r = mt_shadow_find(s, PG(i));
		bool want = m[i].mapped && !(honour && (m[i].flags & MT_RF_DONTCOPY));

		if (!want) {
			if (r)
				fail_msg("page %zu mapped in shadow only", i);
			continue;
		}
		if (!r)
			fail_msg("page %zu mapped in model only", i);
		mapped++;
		assert_int_equal(r->perms, m[i].perms);
		assert_int_equal(r->flags, m[i].flags);
		assert_int_equal(r->dev, m[i].dev);
		assert_int_equal(r->inode, m[i].inode);
		assert_int_equal(r->origin.seq, m[i].seq);
		assert_int_equal(page_file(&m[i]) ? r->offset + (PG(i) - r->start) : r->offset,
				 m[i].off);
		if (m[i].name)
			assert_string_equal(r->name, m[i].name);
		else
			assert_null(r->name);
	}
	assert_int_equal(mt_shadow_bytes(s), mapped * PS);
	assert_true(mt_shadow_count(s) <= mapped);
}

static void rand_range(size_t *from, size_t *len)
{
	*len = 1 + rnd(rnd(8) ? 48 : 600);
	*from = rnd(W_PAGES);
	if (*from + *len > W_PAGES)
		*len = W_PAGES - *from;
}

static void op_map(struct mt_shadow *s, struct page *m, uint64_t seq)
{
	size_t from, len, ni = rnd(sizeof(NAMES) / sizeof(NAMES[0]));
	struct mt_region r = { .perms = (uint32_t)rnd(16) };
	char buf[64];

	rand_range(&from, &len);
	r.start = PG(from);
	r.end = PG(from + len);
	r.origin.seq = seq;
	r.flags = (uint32_t)rnd(2) * MT_RF_DONTCOPY | (uint32_t)rnd(2) * MT_RF_GROWSDOWN;
	if (rnd(2)) {
		r.inode = 1 + rnd(3);
		r.dev = DEV;
		r.offset = OFF(rnd(1000));
	} else if (!rnd(6)) {
		r.flags |= MT_RF_IDENT_UNKNOWN;
		r.offset = OFF(rnd(1000));
	}
	if (NAMES[ni]) { /* a transient buffer: the shadow must copy it */
		snprintf(buf, sizeof(buf), "%s", NAMES[ni]);
		r.name = buf;
	}
	assert_int_equal(mt_shadow_map(s, &r), 0);
	memset(buf, '#', sizeof(buf));
	for (size_t i = 0; i < len; i++) {
		struct page *p = &m[from + i];

		*p = (struct page){
			.mapped = true, .perms = r.perms, .flags = r.flags, .dev = r.dev,
			.inode = r.inode, .seq = seq, .name = NAMES[ni],
		};
		p->off = page_file(p) ? r.offset + OFF(i) : r.offset;
	}
}

static void op_unmap(struct mt_shadow *s, struct page *m)
{
	size_t from, len;

	rand_range(&from, &len);
	assert_int_equal(mt_shadow_unmap(s, PG(from), PG(from + len)), 0);
	for (size_t i = 0; i < len; i++)
		m[from + i].mapped = false;
}

static void op_protect(struct mt_shadow *s, struct page *m)
{
	size_t from, len, holes = 0;
	uint32_t rwx = (uint32_t)rnd(16); /* the shared bit must be ignored */
	uint64_t hole_bytes;

	rand_range(&from, &len);
	assert_int_equal(mt_shadow_protect(s, PG(from), PG(from + len), rwx, &hole_bytes), 0);
	for (size_t i = 0; i < len; i++) {
		struct page *p = &m[from + i];

		if (!p->mapped)
			holes++;
		else
			p->perms = (p->perms & MT_PERM_SHARED) | (rwx & ~(uint32_t)MT_PERM_SHARED);
	}
	assert_int_equal(hole_bytes, holes * PS);
}

static void op_set_flags(struct mt_shadow *s, struct page *m)
{
	const uint32_t bits[] = { MT_RF_DONTCOPY, MT_RF_GROWSDOWN, MT_RF_DELETED };
	uint32_t set = bits[rnd(3)], clear = bits[rnd(3)] | bits[rnd(3)];
	size_t from, len;

	rand_range(&from, &len);
	assert_int_equal(mt_shadow_set_flags(s, PG(from), PG(from + len), set, clear), 0);
	for (size_t i = 0; i < len; i++)
		if (m[from + i].mapped)
			m[from + i].flags = (m[from + i].flags & ~clear) | set;
}

static void op_remap(struct mt_shadow *s, struct page *m, uint64_t seq)
{
	static struct page src[W_PAGES];
	struct mt_origin o = { .seq = seq };
	size_t old, old_len, src_len, nw, new_len, copy;
	bool keep = !rnd(4), mapped = true;
	int rc;

	rand_range(&old, &old_len);
	new_len = 1 + rnd(64);
	if (!rnd(10))
		old_len = 0; /* duplicate new_len bytes */
	if (rnd(3)) {
		nw = rnd(W_PAGES - new_len + 1);
	} else {
		nw = old; /* in place */
	}
	if ((nw == old || !old_len) && old + new_len > W_PAGES)
		new_len = W_PAGES - old;
	src_len = old_len ? old_len : new_len;
	for (size_t i = 0; i < src_len; i++)
		mapped = mapped && m[old + i].mapped;

	rc = mt_shadow_remap(s, PG(old), OFF(old_len), PG(nw), OFF(new_len), keep, &o);
	if (!mapped) {
		assert_int_equal(rc, -ENOENT);
		return;
	}
	assert_int_equal(rc, 0);
	if (!old_len)
		keep = true;
	memcpy(src, &m[old], src_len * sizeof(*src));
	if (nw == old) {
		keep = true; /* only the tail changes */
		for (size_t i = new_len; i < src_len; i++)
			m[old + i].mapped = false;
	}
	if (!keep)
		for (size_t i = 0; i < src_len; i++)
			m[old + i].mapped = false;
	copy = new_len < src_len ? new_len : src_len;
	for (size_t i = 0; i < new_len; i++) {
		struct page *p = &m[nw + i];

		if (nw == old && i < copy)
			continue; /* in place: unmoved pages stay as they are */
		if (i < copy) {
			*p = src[i];
		} else { /* growth: like the last old page, offset continuing */
			*p = src[src_len - 1];
			if (page_file(p))
				p->off += OFF(i - (src_len - 1));
		}
		p->seq = seq;
	}
}

static void test_random_against_model(void **state)
{
	struct mt_shadow *s = *state;
	static struct page m[W_PAGES];

	memset(m, 0, sizeof(m));
	for (uint64_t op = 1; op <= RAND_OPS; op++) {
		switch (rnd(10)) {
		case 0: case 1: case 2:
			op_map(s, m, op);
			break;
		case 3: case 4:
			op_unmap(s, m);
			break;
		case 5: case 6:
			op_protect(s, m);
			break;
		case 7:
			op_set_flags(s, m);
			break;
		default:
			op_remap(s, m, op);
			break;
		}
		if (op % BATCH == 0)
			compare_model(s, m, false);
		if (op % 2000 == 0) {
			struct mt_shadow *c = mt_shadow_clone(s, true);

			assert_non_null(c);
			compare_model(c, m, true);
			mt_shadow_free(c);
		}
	}
	compare_model(s, m, false);
}

/* ---- scale ---------------------------------------------------------- */

/* 65,000 regions (max_map_count is 65530) inserted in scattered order,
 * looked up, walked, thinned, cloned. No timing: a linear structure would
 * turn this into minutes under ASan. */
static void test_65000_regions(void **state)
{
	struct mt_shadow *s = *state, *c;
	const size_t n = 65000;
	const struct mt_region *r;
	size_t walked = 0;

	for (size_t k = 0; k < n; k++) {
		size_t i = (k * 40503u) % n; /* 40503 is coprime with 65000 */
		struct mt_region reg = file(2 * i, 2 * i + 1, (i & 1) ? R : RW, 1 + i % 5,
					    i, (i & 2) ? "/usr/lib/libbig.so" : NULL);

		map_ok(s, reg);
	}
	assert_int_equal(mt_shadow_count(s), n);
	assert_true(mt_shadow_check(s));
	for (size_t i = 0; i < n; i++) {
		r = mt_shadow_find(s, PG(2 * i) + 100);
		assert_non_null(r);
		assert_int_equal(r->start, PG(2 * i));
		assert_int_equal(r->offset, OFF(i));
		assert_null(mt_shadow_find(s, PG(2 * i + 1)));
		r = mt_shadow_lower_bound(s, PG(2 * i + 1));
		if (i + 1 < n)
			assert_int_equal(r->start, PG(2 * i + 2));
		else
			assert_null(r);
	}
	for (r = mt_shadow_lower_bound(s, 0); r; r = mt_shadow_next(s, r))
		walked++;
	assert_int_equal(walked, n);
	for (size_t i = 0; i < n; i += 2)
		assert_int_equal(mt_shadow_unmap(s, PG(2 * i), PG(2 * i + 1)), 0);
	assert_int_equal(mt_shadow_count(s), n / 2);
	assert_true(mt_shadow_check(s));
	c = mt_shadow_clone(s, false);
	assert_non_null(c);
	assert_int_equal(mt_shadow_count(c), n / 2);
	assert_true(mt_shadow_check(c));
	mt_shadow_free(c);
	/* one unmap over everything */
	assert_int_equal(mt_shadow_unmap(s, PG(0), PG(2 * n)), 0);
	assert_int_equal(mt_shadow_count(s), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty),
		T(test_map_into_empty),
		T(test_map_invalid),
		T(test_map_fixed_middle),
		T(test_map_fixed_across_several),
		T(test_map_fixed_exact_region),
		T(test_map_adjacent_not_merged),
		T(test_unmap_partial_left),
		T(test_unmap_partial_right),
		T(test_unmap_middle),
		T(test_unmap_spanning),
		T(test_unmap_hole),
		T(test_protect_middle_split_three),
		T(test_protect_over_holes),
		T(test_set_flags_split),
		T(test_remap_grow_in_place),
		T(test_remap_shrink_in_place),
		T(test_remap_move),
		T(test_remap_move_grow),
		T(test_remap_move_several_sources),
		T(test_remap_fixed_over_existing),
		T(test_remap_dontunmap),
		T(test_remap_duplicate_old_len_zero),
		T(test_remap_unmapped_source),
		T(test_clone),
		T(test_name_interning),
		T(test_lookups),
		T(test_random_against_model),
		T(test_65000_regions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
