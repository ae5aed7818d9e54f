/* SPDX-License-Identifier: GPL-2.0 */
/* mapdiff.h - compare a shadow with the kernel's maps, page by page.
 *
 * For every page, mapped or not: perms, shared/private, file identity
 * (dev, inode) and file offset must agree. Differences only in where one
 * region ends and the next begins (the kernel merges or splits neighbours
 * that look alike) are counted apart and are not divergence. User-only.
 */
#ifndef MAPTRACE_MAPDIFF_H
#define MAPTRACE_MAPDIFF_H

#include <stdint.h>
#include "core/region.h"
#include "core/shadow.h"
#include "proc/procmaps.h"

enum mt_diff_kind {
	MT_DIFF_MISSING = 1, /* kernel maps the pages, shadow does not */
	MT_DIFF_EXTRA,       /* shadow maps the pages, kernel does not */
	MT_DIFF_PERMS,       /* r/w/x or shared/private differ */
	MT_DIFF_FILE,        /* dev or inode differ */
	MT_DIFF_OFFSET,      /* same file, different file offset */
};

/* One maximal run of pages that diverge the same way. shadow/kernel point
 * at the regions involved (NULL on the side that has no mapping). */
struct mt_divergence {
	uint64_t start, end;
	enum mt_diff_kind kind;
	const struct mt_region *shadow;
	const struct mt_region *kernel;
};

struct mt_diff_stats {
	uint64_t divergent_pages;   /* pages in all divergences */
	uint64_t divergences;       /* number of divergence runs reported */
	uint64_t boundary_only;     /* region boundaries that differ with no page divergence */
};

typedef void (*mt_divergence_fn)(const struct mt_divergence *d, void *ctx);

/* Compare; call fn (may be NULL) for each divergence run in address order.
 * Regions with MT_RF_IDENT_UNKNOWN compare only mapped/perms/shared.
 * Anonymous regions (inode 0) ignore the offset. page_size is the page
 * size (4096 on x86_64). */
void mt_diff(const struct mt_shadow *shadow, const struct mt_maps *kernel,
	     uint64_t page_size, mt_divergence_fn fn, void *ctx,
	     struct mt_diff_stats *stats);

/* Before a diff, adopt what the kernel changes without any mapping syscall,
 * so it is not reported as divergence: a MT_RF_GROWSDOWN or "[stack]"
 * region that the kernel shows extending further down (stack growth on
 * fault) is extended to match, and regions flagged MT_RF_IDENT_UNKNOWN take
 * the kernel's dev/inode/offset/name where the kernel's region covers them
 * exactly with the same perms. Returns the number of regions adjusted. */
int mt_diff_learn(struct mt_shadow *shadow, const struct mt_maps *kernel);

const char *mt_diff_kind_name(enum mt_diff_kind k);

#endif /* MAPTRACE_MAPDIFF_H */
