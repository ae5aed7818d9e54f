// SPDX-License-Identifier: GPL-2.0
/* test_mapdiff.c - unit tests for the shadow/kernel page diff (user/analyze/mapdiff.c).
 *
 * The kernel side is a struct mt_maps filled by hand (no parser): each
 * divergence kind is checked with its exact range, page count and the
 * regions involved; boundary-only differences (the kernel merged what the
 * shadow keeps apart, or the reverse) must never count as divergence; and
 * mt_diff_learn must adopt stack growth and unknown file identities.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyze/mapdiff.h"

#define PS     ((uint64_t)MT_PAGE_SIZE)
#define BASE   0x7ffc00000000ull
#define PG(n)  (BASE + (uint64_t)(n) * PS)
#define OFF(n) ((uint64_t)(n) * PS)
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

static struct mt_region named(struct mt_region r, const char *name, uint32_t flags)
{
	r.name = name;
	r.flags = flags;
	return r;
}

/* The kernel's side, regions in address order. */
#define KMAPS(...) ((struct mt_maps){                                     \
	.regions = (struct mt_region[]){ __VA_ARGS__ },                   \
	.count = sizeof((struct mt_region[]){ __VA_ARGS__ }) / sizeof(struct mt_region) })

static struct mt_shadow *shadow_of(const struct mt_region *r, size_t n)
{
	struct mt_shadow *s = mt_shadow_new();

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(mt_shadow_map(s, &r[i]), 0);
	return s;
}

#define SHADOW(...) shadow_of((const struct mt_region[]){ __VA_ARGS__ }, \
	sizeof((const struct mt_region[]){ __VA_ARGS__ }) / sizeof(struct mt_region))

#define MAX_DIVS 16

struct seen {
	struct mt_divergence d[MAX_DIVS];
	size_t n;
};

static void collect(const struct mt_divergence *d, void *ctx)
{
	struct seen *seen = ctx;

	assert_true(seen->n < MAX_DIVS);
	seen->d[seen->n++] = *d;
}

static struct mt_diff_stats diff(const struct mt_shadow *s, const struct mt_maps *k,
				 struct seen *seen)
{
	struct mt_diff_stats st;

	memset(seen, 0, sizeof(*seen));
	memset(&st, 0xff, sizeof(st)); /* every field must be written */
	mt_diff(s, k, PS, collect, seen, &st);
	assert_int_equal(st.divergences, seen->n);
	return st;
}

/* Divergence i is [from, to) pages of kind, with these regions. */
static void assert_div(const struct seen *seen, size_t i, uint64_t from, uint64_t to,
		       enum mt_diff_kind kind, const struct mt_region *sr,
		       const struct mt_region *kr)
{
	const struct mt_divergence *d = &seen->d[i];

	assert_true(i < seen->n);
	assert_int_equal(d->start, PG(from));
	assert_int_equal(d->end, PG(to));
	assert_int_equal(d->kind, kind);
	assert_ptr_equal(d->kernel, kr);
	if (sr) {
		assert_non_null(d->shadow);
		assert_int_equal(d->shadow->start, sr->start);
		assert_int_equal(d->shadow->end, sr->end);
	} else {
		assert_null(d->shadow);
	}
}

static void assert_stats(struct mt_diff_stats st, uint64_t divs, uint64_t pages,
			 uint64_t boundary)
{
	assert_int_equal(st.divergences, divs);
	assert_int_equal(st.divergent_pages, pages);
	assert_int_equal(st.boundary_only, boundary);
}

/* ---- agreement ------------------------------------------------------ */

static void test_identical(void **state)
{
	struct mt_maps k = KMAPS(file(0, 4, RX, 7, 0, "/bin/prog"),
				 file(4, 6, R, 7, 4, "/bin/prog"),
				 named(anon(10, 20, RW), "[heap]", 0),
				 file(30, 31, RW | MT_PERM_SHARED, 9, 3, "/dev/shm/x"),
				 named(anon(100, 132, RW), "[stack]", 0));
	struct mt_shadow *s = shadow_of(k.regions, k.count);
	struct seen seen;

	(void)state;
	assert_stats(diff(s, &k, &seen), 0, 0, 0);
	mt_shadow_free(s);
}

static void test_both_empty(void **state)
{
	struct mt_shadow *s = mt_shadow_new();
	struct mt_maps k = { 0 };
	struct seen seen;

	(void)state;
	assert_stats(diff(s, &k, &seen), 0, 0, 0);
	mt_shadow_free(s);
}

/* maps prints offset 0 for anonymous memory, whatever vm_pgoff is */
static void test_anonymous_offset_ignored(void **state)
{
	struct mt_region sr = anon(0, 4, RW);
	struct mt_shadow *s;
	struct mt_maps k = KMAPS(anon(0, 4, RW));
	struct seen seen;

	(void)state;
	sr.offset = OFF(123);
	s = shadow_of(&sr, 1);
	assert_stats(diff(s, &k, &seen), 0, 0, 0);
	mt_shadow_free(s);
}

/* ---- each kind ------------------------------------------------------ */

static void test_missing(void **state)
{
	struct mt_shadow *s = SHADOW(anon(0, 4, RW));
	struct mt_maps k = KMAPS(anon(0, 4, RW), file(6, 9, RX, 3, 0, "/lib/new.so"));
	struct seen seen;

	(void)state;
	assert_stats(diff(s, &k, &seen), 1, 3, 0);
	assert_div(&seen, 0, 6, 9, MT_DIFF_MISSING, NULL, &k.regions[1]);
	mt_shadow_free(s);
}

static void test_extra(void **state)
{
	struct mt_shadow *s = SHADOW(anon(0, 4, RW), anon(10, 12, R));
	struct mt_maps k = KMAPS(anon(2, 4, RW));
	struct seen seen;
	struct mt_region a = anon(0, 4, RW), b = anon(10, 12, R);

	(void)state;
	assert_stats(diff(s, &k, &seen), 2, 4, 0);
	assert_div(&seen, 0, 0, 2, MT_DIFF_EXTRA, &a, NULL);
	assert_div(&seen, 1, 10, 12, MT_DIFF_EXTRA, &b, NULL);
	mt_shadow_free(s);
}

static void test_perms(void **state)
{
	struct mt_region sr = anon(0, 8, RW);
	struct mt_shadow *s = SHADOW(sr, file(10, 12, RW, 4, 0, "/f"));
	struct mt_maps k = KMAPS(anon(0, 3, RW), anon(3, 5, R), anon(5, 8, RW),
				 file(10, 12, RW | MT_PERM_SHARED, 4, 0, "/f"));
	struct mt_region fr = file(10, 12, RW, 4, 0, "/f");
	struct seen seen;

	(void)state;
	/* boundaries at 3 and 5 border the divergence: not boundary-only */
	assert_stats(diff(s, &k, &seen), 2, 4, 0);
	assert_div(&seen, 0, 3, 5, MT_DIFF_PERMS, &sr, &k.regions[1]);
	/* private vs shared is a perms difference too */
	assert_div(&seen, 1, 10, 12, MT_DIFF_PERMS, &fr, &k.regions[3]);
	mt_shadow_free(s);
}

static void test_file_identity(void **state)
{
	struct mt_region a = file(0, 2, R, 5, 0, "/a"), b = file(2, 4, R, 6, 0, "/b");
	struct mt_region c = anon(4, 6, R), d = file(6, 8, R, 8, 0, "/d");
	struct mt_shadow *s = SHADOW(a, b, c, d);
	struct mt_region kb = file(2, 4, R, 6, 0, "/b");
	struct mt_maps k;
	struct seen seen;

	(void)state;
	kb.dev = MT_MKDEV(8, 2); /* same inode number, other device */
	k = KMAPS(file(0, 2, R, 50, 0, "/a"), kb, file(4, 6, R, 8, 0, "/c"), anon(6, 8, R));
	assert_stats(diff(s, &k, &seen), 4, 8, 0);
	assert_div(&seen, 0, 0, 2, MT_DIFF_FILE, &a, &k.regions[0]);
	assert_div(&seen, 1, 2, 4, MT_DIFF_FILE, &b, &k.regions[1]);
	assert_div(&seen, 2, 4, 6, MT_DIFF_FILE, &c, &k.regions[2]); /* anon vs file */
	assert_div(&seen, 3, 6, 8, MT_DIFF_FILE, &d, &k.regions[3]); /* file vs anon */
	mt_shadow_free(s);
}

static void test_offset(void **state)
{
	struct mt_region sr = file(0, 6, R, 5, 0, "/lib/a.so");
	struct mt_shadow *s = SHADOW(sr);
	struct mt_maps k = KMAPS(file(0, 2, R, 5, 0, "/lib/a.so"),
				 file(2, 6, R, 5, 9, "/lib/a.so"));
	struct seen seen;

	(void)state;
	assert_stats(diff(s, &k, &seen), 1, 4, 0);
	assert_div(&seen, 0, 2, 6, MT_DIFF_OFFSET, &sr, &k.regions[1]);
	mt_shadow_free(s);
}

/* Several kinds and runs in one walk, reported in address order, and a
 * shadow hole across two kernel regions is two runs (one per region). */
static void test_runs_in_order(void **state)
{
	struct mt_region s1 = anon(0, 4, RW), s2 = file(20, 24, RX, 3, 0, "/x");
	struct mt_shadow *s = SHADOW(s1, s2);
	struct mt_maps k = KMAPS(anon(0, 2, RW), anon(2, 4, R),
				 anon(8, 10, RW), anon(10, 11, R),
				 file(20, 24, RX, 3, 1, "/x"));
	struct seen seen;
	struct mt_diff_stats st;

	(void)state;
	assert_stats(diff(s, &k, &seen), 4, 9, 0);
	assert_div(&seen, 0, 2, 4, MT_DIFF_PERMS, &s1, &k.regions[1]);
	assert_div(&seen, 1, 8, 10, MT_DIFF_MISSING, NULL, &k.regions[2]);
	assert_div(&seen, 2, 10, 11, MT_DIFF_MISSING, NULL, &k.regions[3]);
	assert_div(&seen, 3, 20, 24, MT_DIFF_OFFSET, &s2, &k.regions[4]);

	/* no callback, and no stats: both optional */
	mt_diff(s, &k, PS, NULL, NULL, &st);
	assert_stats(st, 4, 9, 0);
	memset(&seen, 0, sizeof(seen));
	mt_diff(s, &k, PS, collect, &seen, NULL);
	assert_int_equal(seen.n, 4);
	mt_shadow_free(s);
}

/* ---- boundary-only differences -------------------------------------- */

/* The kernel split what the shadow holds as one region (e.g. the shadow
 * missed nothing, the kernel just could not merge): not divergence. */
static void test_boundary_kernel_split(void **state)
{
	struct mt_shadow *s = SHADOW(anon(0, 8, RW));
	struct mt_maps k = KMAPS(anon(0, 4, RW), anon(4, 8, RW));
	struct seen seen;

	(void)state;
	assert_stats(diff(s, &k, &seen), 0, 0, 1);
	mt_shadow_free(s);
}

/* The kernel merged what the shadow keeps apart (vma_merge). */
static void test_boundary_shadow_split(void **state)
{
	struct mt_shadow *s = SHADOW(anon(0, 4, RW), anon(4, 8, RW), anon(8, 9, RW));
	struct mt_maps k = KMAPS(anon(0, 9, RW));
	struct seen seen;

	(void)state;
	assert_stats(diff(s, &k, &seen), 0, 0, 2);
	mt_shadow_free(s);
}

/* Adjacent mappings of one file with continuous offsets merge. */
static void test_boundary_file_continuous(void **state)
{
	struct mt_shadow *s = SHADOW(file(0, 3, R, 5, 10, "/f"), file(3, 7, R, 5, 13, "/f"));
	struct mt_maps k = KMAPS(file(0, 7, R, 5, 10, "/f"));
	struct seen seen;

	(void)state;
	assert_stats(diff(s, &k, &seen), 0, 0, 1);
	mt_shadow_free(s);
}

/* Same boundary on both sides, or a hole between: nothing to count. */
static void test_boundary_not_counted(void **state)
{
	struct mt_shadow *s = SHADOW(anon(0, 4, RW), anon(4, 8, R), anon(10, 12, RW));
	struct mt_maps k = KMAPS(anon(0, 4, RW), anon(4, 8, R), anon(10, 12, RW));
	struct seen seen;

	(void)state;
	assert_stats(diff(s, &k, &seen), 0, 0, 0);
	mt_shadow_free(s);
}

/* ---- unknown identity ----------------------------------------------- */

static void test_ident_unknown_skipped(void **state)
{
	struct mt_region u = named(anon(0, 4, RX), NULL, MT_RF_IDENT_UNKNOWN);
	struct mt_region v = named(anon(4, 6, RX), NULL, MT_RF_IDENT_UNKNOWN);
	struct mt_shadow *s;
	struct mt_maps k = KMAPS(file(0, 4, RX, 7, 3, "/lib/m.so"), file(4, 6, R, 7, 7, "/lib/m.so"),
				 file(6, 8, RX, 7, 9, "/lib/m.so"));
	struct seen seen;

	(void)state;
	u.offset = OFF(99);
	s = SHADOW(u, v);
	/* identity and offset are skipped, perms and mapping still compared */
	assert_stats(diff(s, &k, &seen), 2, 4, 0);
	assert_div(&seen, 0, 4, 6, MT_DIFF_PERMS, &v, &k.regions[1]);
	assert_div(&seen, 1, 6, 8, MT_DIFF_MISSING, NULL, &k.regions[2]);
	mt_shadow_free(s);
}

/* ---- learn ---------------------------------------------------------- */

static void test_learn_stack_growth(void **state)
{
	struct mt_shadow *s = SHADOW(anon(0, 4, RX), named(anon(100, 110, RW), "[stack]", 0),
				     named(anon(200, 204, RW), NULL, MT_RF_GROWSDOWN));
	struct mt_maps k = KMAPS(anon(0, 4, RX), named(anon(92, 110, RW), "[stack]", 0),
				 anon(196, 204, RW));
	struct seen seen;
	const struct mt_region *r;

	(void)state;
	assert_stats(diff(s, &k, &seen), 2, 12, 0);
	assert_int_equal(mt_diff_learn(s, &k), 2);
	assert_true(mt_shadow_check(s));
	r = mt_shadow_find(s, PG(92));
	assert_non_null(r);
	assert_int_equal(r->end, PG(100));
	assert_string_equal(r->name, "[stack]");
	assert_int_equal(r->perms, RW);
	assert_int_equal(r->origin.kind, 0);
	r = mt_shadow_find(s, PG(196));
	assert_non_null(r);
	assert_int_equal(r->flags, MT_RF_GROWSDOWN);
	/* now only where the shadow's regions end differs */
	assert_stats(diff(s, &k, &seen), 0, 0, 2);
	/* nothing more to learn */
	assert_int_equal(mt_diff_learn(s, &k), 0);
	mt_shadow_free(s);
}

/* Growth stops at the shadow's previous region; perms must agree. */
static void test_learn_stack_limits(void **state)
{
	struct mt_region below = anon(80, 97, R);
	struct mt_shadow *s = SHADOW(below, named(anon(100, 110, RW), "[stack]", 0),
				     named(anon(150, 160, RW), "[stack]", 0));
	struct mt_maps k = KMAPS(anon(80, 95, R), named(anon(95, 110, RW), "[stack]", 0),
				 named(anon(140, 160, R), "[stack]", 0));
	struct seen seen;

	(void)state;
	assert_int_equal(mt_diff_learn(s, &k), 1);
	assert_int_equal(mt_shadow_find(s, PG(97))->end, PG(100));
	assert_null(mt_shadow_find(s, PG(149)));
	assert_stats(diff(s, &k, &seen), 3, 2 + 10 + 10, 1);
	assert_div(&seen, 0, 95, 97, MT_DIFF_PERMS, &below, &k.regions[1]);
	assert_div(&seen, 1, 140, 150, MT_DIFF_MISSING, NULL, &k.regions[2]);
	mt_shadow_free(s);
}

static void test_learn_identity(void **state)
{
	char *kname = strdup("/usr/lib/libz.so.1");
	struct mt_region u = named(anon(10, 14, RX), NULL, MT_RF_IDENT_UNKNOWN);
	struct mt_region w = named(anon(20, 22, RW), NULL, MT_RF_IDENT_UNKNOWN | MT_RF_DONTCOPY);
	struct mt_region x = named(anon(30, 32, RW), NULL, MT_RF_IDENT_UNKNOWN);
	struct mt_region y = named(anon(40, 44, R), NULL, MT_RF_IDENT_UNKNOWN);
	struct mt_shadow *s;
	struct mt_maps k;
	struct seen seen;
	const struct mt_region *r;

	(void)state;
	assert_non_null(kname);
	u.offset = OFF(1); /* a guess, replaced */
	u.origin.seq = 12;
	s = SHADOW(u, w, x, y);
	k = KMAPS(file(10, 14, RX, 77, 4, kname),
		  named(file(18, 24, RW, 78, 0, "/tmp/gone"), "/tmp/gone", MT_RF_DELETED),
		  file(30, 32, R, 79, 0, "/perms/differ"),
		  file(40, 43, R, 80, 0, "/too/short"));
	assert_int_equal(mt_diff_learn(s, &k), 2);
	memset(kname, 0, strlen(kname)); /* the kernel's maps may go away */
	free(kname);

	r = mt_shadow_find(s, PG(10));
	assert_int_equal(r->inode, 77);
	assert_int_equal(r->dev, DEV);
	assert_int_equal(r->offset, OFF(4));
	assert_string_equal(r->name, "/usr/lib/libz.so.1");
	assert_int_equal(r->flags, 0);
	assert_int_equal(r->origin.seq, 12); /* still the traced creator */
	/* covered by a larger kernel region: offset of the first page */
	r = mt_shadow_find(s, PG(20));
	assert_int_equal(r->start, PG(20));
	assert_int_equal(r->end, PG(22));
	assert_int_equal(r->inode, 78);
	assert_int_equal(r->offset, OFF(2));
	assert_int_equal(r->flags, MT_RF_DONTCOPY | MT_RF_DELETED);
	/* perms differ, or not covered: left unknown */
	assert_true(mt_shadow_find(s, PG(30))->flags & MT_RF_IDENT_UNKNOWN);
	assert_true(mt_shadow_find(s, PG(40))->flags & MT_RF_IDENT_UNKNOWN);
	assert_true(mt_shadow_check(s));
	diff(s, &k, &seen);
	assert_div(&seen, 0, 18, 20, MT_DIFF_MISSING, NULL, &k.regions[1]);
	assert_div(&seen, 1, 22, 24, MT_DIFF_MISSING, NULL, &k.regions[1]);
	mt_shadow_free(s);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(mt_diff_kind_name(MT_DIFF_MISSING), "missing");
	assert_string_equal(mt_diff_kind_name(MT_DIFF_EXTRA), "extra");
	assert_string_equal(mt_diff_kind_name(MT_DIFF_PERMS), "perms");
	assert_string_equal(mt_diff_kind_name(MT_DIFF_FILE), "file");
	assert_string_equal(mt_diff_kind_name(MT_DIFF_OFFSET), "offset");
	assert_string_equal(mt_diff_kind_name((enum mt_diff_kind)0), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_both_empty),
		cmocka_unit_test(test_anonymous_offset_ignored),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_extra),
		cmocka_unit_test(test_perms),
		cmocka_unit_test(test_file_identity),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_runs_in_order),
		cmocka_unit_test(test_boundary_kernel_split),
		cmocka_unit_test(test_boundary_shadow_split),
		cmocka_unit_test(test_boundary_file_continuous),
		cmocka_unit_test(test_boundary_not_counted),
		cmocka_unit_test(test_ident_unknown_skipped),
		cmocka_unit_test(test_learn_stack_growth),
		cmocka_unit_test(test_learn_stack_limits),
		cmocka_unit_test(test_learn_identity),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
