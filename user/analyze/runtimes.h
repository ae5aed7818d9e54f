/* SPDX-License-Identifier: GPL-2.0 */
/* runtimes.h - which language runtime a process runs, from the files it
 * maps, and what a runtime's own report says its ranges are, as claims
 * for the classifier (classify.h). User-only. */
#ifndef MAPTRACE_RUNTIMES_H
#define MAPTRACE_RUNTIMES_H

#include <stddef.h>

#include "analyze/classify.h"
#include "proc/hotspot.h"

enum mt_runtime {
	MT_RUNTIME_NONE = 0,
	MT_RUNTIME_HOTSPOT,   /* a JVM: libjvm.so */
};

/* The runtime the regions' files name, MT_RUNTIME_NONE when none. */
enum mt_runtime mt_runtime_of_regions(const struct mt_region *r, size_t n);

/* Claims from a HotSpot report, each range as the kind of its category;
 * without NMT (which lists thread stacks), also every region holding a
 * thread's stack pointer: every thread of a JVM is HotSpot's. (The guard
 * zone below such a stack follows it in the classifier's claims pass.)
 * 0 or -ENOMEM. */
int mt_hotspot_claims(const struct mt_hs_report *rep, const struct mt_region *r, size_t n,
		      const struct mt_proc_facts *f, struct mt_claims *out);

#endif /* MAPTRACE_RUNTIMES_H */
