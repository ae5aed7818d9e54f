// SPDX-License-Identifier: GPL-2.0
/* test_sizing.c - the default ring-buffer size a machine gets: a 512 MiB
 * board, a server, many CPUs, an unknown machine. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kernel/sizing.h"

#define MiB (1ull << 20)

static void test_small_board(void **state)
{
	/* a 512 MiB board reports a little less as MemTotal */
	assert_int_equal(mt_ringbuf_default(480 * MiB, 2, false), 8 * MiB);
	assert_int_equal(mt_ringbuf_default(480 * MiB, 2, true), 16 * MiB);
	assert_int_equal(mt_ringbuf_default(256 * MiB, 1, false), 4 * MiB);
	assert_int_equal(mt_ringbuf_default(64 * MiB, 1, false), MT_RINGBUF_MIN);
}

static void test_server_keeps_the_maximum(void **state)
{
	assert_int_equal(mt_ringbuf_default(24ull << 30, 2, false), MT_RINGBUF_MAX);
	assert_int_equal(mt_ringbuf_default(24ull << 30, 2, true), MT_RINGBUF_MAX);
	assert_int_equal(mt_ringbuf_default(0, 0, false), MT_RINGBUF_MAX); /* unknown */
}

static void test_every_cpu_bursts_at_once(void **state)
{
	/* 1 MiB per CPU at least, a power of two, never past the maximum */
	assert_int_equal(mt_ringbuf_default(480 * MiB, 24, false), 32 * MiB);
	assert_int_equal(mt_ringbuf_default(480 * MiB, 512, false), MT_RINGBUF_MAX);
	assert_int_equal(mt_ringbuf_default(100 * MiB, 3, false), 4 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_board),
		cmocka_unit_test(test_server_keeps_the_maximum),
		cmocka_unit_test(test_every_cpu_bursts_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
