// SPDX-License-Identifier: GPL-2.0
/* maptrace_nobtf.bpf.c - maptrace.bpf.c built for kernels without BTF
 * (CONFIG_DEBUG_INFO_BTF unset: Raspberry Pi OS, Yocto, many vendor
 * kernels): classic tracepoints and kprobes only, CO-RE relocated from a
 * BTF file the user supplies (--btf). One source, a third object; what
 * differs and why is said at the top of maptrace.bpf.c (MT_NOBTF). */
#define MT_LEGACY 1
#define MT_NOBTF 1
#include "maptrace.bpf.c"
