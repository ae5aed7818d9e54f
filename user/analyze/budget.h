/* SPDX-License-Identifier: GPL-2.0 */
/* budget.h - limits on stat figures, for CI: "calls.mmap <= 200".
 * Pure logic. User-only. */
#ifndef MAPTRACE_BUDGET_H
#define MAPTRACE_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "analyze/stats.h"

struct mt_limit {
	char figure[48];
	uint64_t max;
};

struct mt_budget {
	struct mt_limit *limits;
	size_t count, cap;
};

/* Parse a value with an optional K/M/G (binary) suffix. 0 or -1. */
int mt_parse_value(const char *s, uint64_t *out);
/* Add "FIGURE=VALUE" or "FIGURE <= VALUE"; what names the source for
 * messages ("--max", "budget.txt:3"). Prints an error and returns -1 on a bad
 * entry or an unknown figure. */
int mt_budget_add(struct mt_budget *b, const char *entry, const char *what);
/* Load a file of entries, one per line; '#' starts a comment. */
int mt_budget_load(struct mt_budget *b, const char *path);
/* Print each figure over its limit and by how much; returns how many are. */
int mt_budget_check(const struct mt_budget *b, const struct mt_figures *f, FILE *out);
void mt_budget_free(struct mt_budget *b);

#endif /* MAPTRACE_BUDGET_H */
