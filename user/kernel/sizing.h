/* SPDX-License-Identifier: GPL-2.0 */
/* sizing.h - how big maptrace's buffers are on a machine.
 *
 * One default does not fit both a 512 MiB board and a server: the ring
 * buffer is mapped into the loader (its data pages twice, for wrap-around),
 * and what the loader touches of it is resident. So the default scales with
 * the machine's memory, is never smaller than what bursts from every CPU at
 * once need, and is larger for -a (every process) than for one target.
 * Pure logic: probe.c measures the machine. User-only.
 */
#ifndef MAPTRACE_SIZING_H
#define MAPTRACE_SIZING_H

#include <stdbool.h>
#include <stdint.h>

#define MT_RINGBUF_MIN      (2ull << 20)  /* never less */
#define MT_RINGBUF_PER_CPU  (1ull << 20)  /* ...nor less than this per CPU */
#define MT_RINGBUF_MAX      (64ull << 20) /* the default never grows past it */

/* The default ring-buffer size for a machine with mem_bytes of memory and
 * ncpus CPUs (0 if unknown: the largest default), tracing every process or
 * not: a power of two. */
uint64_t mt_ringbuf_default(uint64_t mem_bytes, int ncpus, bool system_wide);

#endif /* MAPTRACE_SIZING_H */
