// SPDX-License-Identifier: GPL-2.0
/* sizing.c - the default sizes of maptrace's buffers on a machine (see
 * sizing.h). */
#include "kernel/sizing.h"

static uint64_t pow2_ceil(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

uint64_t mt_ringbuf_default(uint64_t mem_bytes, int ncpus, bool system_wide)
{
	/* 1/64 of memory for one target, 1/32 for every process, rounded up
	 * to a power of two: 8 and 16 MiB on a 512 MiB board (whose MemTotal
	 * is a little less), the maximum from 4 GiB up */
	uint64_t size = mem_bytes ? mem_bytes / (system_wide ? 32 : 64) : MT_RINGBUF_MAX;
	uint64_t floor = ncpus > 0 ? (uint64_t)ncpus * MT_RINGBUF_PER_CPU : MT_RINGBUF_MIN;

	if (size < floor)
		size = floor;
	if (size < MT_RINGBUF_MIN)
		size = MT_RINGBUF_MIN;
	size = pow2_ceil(size);
	return size > MT_RINGBUF_MAX ? MT_RINGBUF_MAX : size;
}
