/* SPDX-License-Identifier: GPL-2.0 */
/* cfi_deps.h - what a DWARF unwinding depended on, so that the unwinder may
 * reuse it for a sample equal in those. User-only. */
#ifndef MAPTRACE_CFI_DEPS_H
#define MAPTRACE_CFI_DEPS_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

/* One stack word libdwfl read while unwinding. */
struct mt_read_rec {
	uint64_t addr, val;
	bool ok;
	bool relevant;   /* the value mattered (else only ok must match) */
};

/* The initial registers (a bit per DWARF register number) the unwinding
 * of the frames at pcs (n of them) depended on, marking in log which of
 * its reads mattered; -1 when it cannot be told (the memo is not used). */
int64_t mt_cfi_register_deps(Dwfl *dwfl, const uint64_t *pcs, int n, struct mt_read_rec *log,
			     uint32_t nlog);

#endif /* MAPTRACE_CFI_DEPS_H */
