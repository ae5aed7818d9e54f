/* SPDX-License-Identifier: GPL-2.0 */
/* vmlinux.h - kernel types (from BTF) for CO-RE builds, per architecture.
 * Regenerate the header for this machine with `make vmlinux`. */
#if defined(__TARGET_ARCH_x86)
#include "vmlinux_x86.h"
#elif defined(__TARGET_ARCH_arm64)
#include "vmlinux_arm64.h"
#else
#error "no vmlinux header for this architecture: run `make vmlinux`"
#endif
