// SPDX-License-Identifier: GPL-2.0
/* maptrace_legacy.bpf.c - maptrace.bpf.c built for kernels without mmap_lock
 * tracepoints, task storage or bpf_loop() (Linux 5.10): one source, a second
 * object and skeleton, chosen by the loader from probed facts. What differs
 * and why is said at the top of maptrace.bpf.c (MT_LEGACY). */
#define MT_LEGACY 1
#include "maptrace.bpf.c"
