/* SPDX-License-Identifier: GPL-2.0 */
/* clock.h - the one clock maptrace measures time with: CLOCK_MONOTONIC,
 * the clock bpf_ktime_get_ns() reads, so user and kernel times compare.
 * User-only. */
#ifndef MAPTRACE_CLOCK_H
#define MAPTRACE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t mt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* MAPTRACE_CLOCK_H */
