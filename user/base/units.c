// SPDX-License-Identifier: GPL-2.0
/* units.c - sizes in words (units.h). */
#include <stdio.h>

#include "base/units.h"

const char *mt_size_str(uint64_t v, char buf[16])
{
	static const char units[] = "KMGTPE";
	uint64_t unit = 1024;
	int u = 0;

	if (v < 1024) {
		snprintf(buf, 16, "%llu%s", (unsigned long long)v, v ? "B" : "");
		return buf;
	}
	while (u < 5 && v / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	if (v % unit == 0 || v / unit >= 10)   /* rounded, without overflowing v + unit / 2 */
		snprintf(buf, 16, "%llu%c", (unsigned long long)(v / unit + (v % unit >= unit / 2)), units[u]);
	else
		snprintf(buf, 16, "%.1f%c", (double)v / (double)unit, units[u]);
	return buf;
}
