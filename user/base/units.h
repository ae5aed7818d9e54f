/* SPDX-License-Identifier: GPL-2.0 */
/* units.h - sizes in words. User-only. */
#ifndef MAPTRACE_UNITS_H
#define MAPTRACE_UNITS_H

#include <stdint.h>

/* "132K", "8.0M", "64M", "1.5G", "0": bytes in binary units, at most one
 * decimal, exact values without one. buf needs 16 bytes. */
const char *mt_size_str(uint64_t bytes, char buf[16]);

#endif /* MAPTRACE_UNITS_H */
