// SPDX-License-Identifier: GPL-2.0
/* test_timeline.c - a traced run's timeline (analyze/timeline.c): every
 * call kept while there is room; past it, every other point dropped and
 * every second call kept after, so the points stay spread over the whole
 * run in order; the peak kept whatever was dropped; the RSS samples
 * bounded the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analyze/timeline.h"

static struct mt_timeline_point call(uint64_t i, uint64_t vm)
{
	return (struct mt_timeline_point){ .t_ns = i * 1000, .vm = vm, .kind = 1, .tid = 7 };
}

/* Below the bound: everything, in order. */
static void test_all_kept(void **state)
{
	struct mt_timeline tl;

	(void)state;
	mt_timeline_init(&tl, 16, 4);
	for (uint64_t i = 0; i < 16; i++) {
		struct mt_timeline_point p = call(i, 4096 * (i + 1));

		assert_int_equal(mt_timeline_add(&tl, &p), 0);
	}
	assert_int_equal(tl.npoints, 16);
	assert_int_equal(tl.calls, 16);
	assert_int_equal(tl.keep_every, 1);
	assert_int_equal(tl.points[15].t_ns, 15000);
	assert_int_equal(tl.peak.vm, 4096 * 16);
	mt_timeline_free(&tl);
}

/* 1000 calls into 16 points: spread over the run, each a multiple of the
 * kept stride, increasing; a peak in a dropped call is still the peak. */
static void test_bounded(void **state)
{
	struct mt_timeline tl;

	(void)state;
	mt_timeline_init(&tl, 16, 4);
	for (uint64_t i = 0; i < 1000; i++) {
		struct mt_timeline_point p = call(i, i == 333 ? 1u << 30 : 4096);

		assert_int_equal(mt_timeline_add(&tl, &p), 0);
	}
	assert_int_equal(tl.calls, 1000);
	assert_true(tl.npoints <= 16);
	assert_true(tl.npoints >= 8);
	for (size_t i = 0; i < tl.npoints; i++) {
		assert_int_equal(tl.points[i].t_ns / 1000 % tl.keep_every, 0);
		if (i)
			assert_true(tl.points[i].t_ns > tl.points[i - 1].t_ns);
	}
	/* the last point is within one stride of the run's end */
	assert_true(tl.points[tl.npoints - 1].t_ns / 1000 + tl.keep_every >= 999);
	assert_int_equal(tl.peak.vm, 1u << 30);
	assert_int_equal(tl.peak.t_ns, 333000);
	for (uint64_t i = 0; i < 100; i++)
		assert_int_equal(mt_timeline_sample(&tl, i, i * 4096), 0);
	assert_true(tl.nrss <= 4 && tl.nrss >= 2);
	assert_int_equal(tl.rss[0].t_ns, 0);
	mt_timeline_free(&tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_kept),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
