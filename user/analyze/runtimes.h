/* SPDX-License-Identifier: GPL-2.0 */
/* runtimes.h - which language runtime a process runs (from the files it
 * maps, or its executable's Go build information), and what the runtime
 * says about its own ranges, as claims for the classifier (classify.h)
 * and one sentence for the report. User-only. */
#ifndef MAPTRACE_RUNTIMES_H
#define MAPTRACE_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "analyze/classify.h"
#include "core/maps.h"
#include "proc/hotspot.h"

enum mt_runtime {
	MT_RUNTIME_NONE = 0,
	MT_RUNTIME_HOTSPOT,   /* a JVM: libjvm.so */
	MT_RUNTIME_GO,        /* a Go program: .go.buildinfo in its executable */
	MT_RUNTIME_V8,        /* V8 (node): its API exported, or libnode mapped */
	MT_RUNTIME_CPYTHON,   /* CPython: Py_Initialize exported, or libpython mapped */
};

/* The runtime the regions' files name, MT_RUNTIME_NONE when none (Go, and
 * V8 or CPython linked into the program, are told by its executable:
 * mt_runtime_ask). */
enum mt_runtime mt_runtime_of_regions(const struct mt_region *r, size_t n);

/* How a process may be asked about its runtime. */
struct mt_runtime_query {
	pid_t pid;          /* its thread group */
	bool live;          /* running (-p), not stopped in its exit */
	bool no_attach;     /* --no-attach: never connect to it */
};

/* Which runtime the process runs and what it says about its ranges: claims
 * added to out, f->runtime set, and line (len > 0) the report's "runtime:"
 * sentence, which says what was asked or why nothing could be ("" when no
 * runtime is known). 0 or -ENOMEM. */
int mt_runtime_ask(const struct mt_runtime_query *q, const struct mt_maps *m,
		   struct mt_proc_facts *f, struct mt_claims *out, char *line, size_t len);

/* Claims from a HotSpot report, each range as the kind of its category;
 * without NMT (which lists thread stacks), also every region holding a
 * thread's stack pointer: every thread of a JVM is HotSpot's. (The guard
 * zone below such a stack follows it in the classifier's claims pass.)
 * 0 or -ENOMEM. */
int mt_hotspot_claims(const struct mt_hs_report *rep, const struct mt_region *r, size_t n,
		      const struct mt_proc_facts *f, struct mt_claims *out);

#endif /* MAPTRACE_RUNTIMES_H */
