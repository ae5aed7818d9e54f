/* SPDX-License-Identifier: GPL-2.0 */
/* explained.h - what `maptrace explain` found about one process, and how
 * it is shown: the report the command fills and this module prints.
 * User-only. */
#ifndef MAPTRACE_EXPLAINED_H
#define MAPTRACE_EXPLAINED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/classify.h"
#include "analyze/timeline.h"
#include "analyze/unwind.h"
#include "core/shadow.h"
#include "proc/procinfo.h"
#include "proc/smaps.h"

enum mt_explain_sort { MT_SORT_ADDR, MT_SORT_SIZE, MT_SORT_RSS, MT_SORT_PSS, MT_SORT_SWAP };

/* What to show (explain's filters and form). */
struct mt_explain_view {
	bool json;
	const char *html;     /* --html FILE: the report page too (instead of the text) */
	enum mt_explain_sort sort;
	uint64_t kinds;       /* bit per enum mt_kind; 0 = all */
	uint64_t min_size;
	bool anon_only;
};

struct mt_explained {
	struct mt_explain_view view;
	struct mt_proc_info info;
	struct mt_smaps sm;
	struct mt_elf_file *elves;
	size_t nelves;
	unsigned elf_unreadable;     /* ELF-looking files we could not open */
	struct mt_claims claims;     /* what runtimes and creating stacks said */
	const char *runtime;         /* the runtime facts came from ("HotSpot 17.0.15 (NMT)"), or NULL */
	struct mt_class *cls;
	size_t *rows;                /* selected region indexes, in output order (sm.maps.count) */
	size_t nrows;
	/* traced modes: where regions came from */
	const struct mt_shadow *origins;
	const struct mt_unwinder *uw;
	uint64_t t0_ns;
	uint64_t peak_ns;            /* --at peak: when the snapshot shown was taken */
	const struct mt_timeline *timeline;  /* traced from the start: the run's story (JSON, HTML) */
};

/* Select, sort and print x to out as the view says. Returns an exit
 * status (1 after saying why it could not write). */
int mt_explained_print(struct mt_explained *x, FILE *out);

#endif /* MAPTRACE_EXPLAINED_H */
