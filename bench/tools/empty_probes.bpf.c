// SPDX-License-Identifier: GPL-2.0
/* empty_probes.bpf.c - BPF programs that do nothing, on the two tracepoints
 * on maptrace's hot path (bench section 2): what the kernel charges for
 * running any program there, before a program does any work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_exit")
int empty_sys_exit(void *ctx)
{
	return 0;
}

SEC("tp_btf/mmap_lock_acquire_returned")
int empty_mmap_lock(void *ctx)
{
	return 0;
}
