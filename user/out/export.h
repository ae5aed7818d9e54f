/* SPDX-License-Identifier: GPL-2.0 */
/* export.h - files other tools open: Chrome Trace Event JSON (Perfetto UI,
 * chrome://tracing, speedscope) and folded stacks (flamegraph.pl, inferno,
 * speedscope). User-only. */
#ifndef MAPTRACE_EXPORT_H
#define MAPTRACE_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "maptrace/events.h"
#include "base/json.h"

struct mt_folded_entry;

struct mt_export {
	FILE *trace_events;         /* NULL: not written */
	bool te_first;
	struct mt_json j;
	uint64_t t0_ns;
	bool fold;                  /* collect folded stacks (per-event string work) */
	struct mt_folded_entry *folded;
	size_t nfolded, folded_cap;
};

void mt_export_init(struct mt_export *x, FILE *trace_events, bool folded, uint64_t t0_ns);
/* An event, as an instant on its thread's track (calls, fork, exec, exit). */
void mt_export_event(struct mt_export *x, const struct mt_event *e, const char *path);
/* A process's sizes changed (mapped and anonymous bytes): a counter sample. */
void mt_export_counter(struct mt_export *x, uint32_t pid, uint64_t ts_ns, uint64_t vm,
		       uint64_t anon);
/* Name a process's track. */
void mt_export_process_name(struct mt_export *x, uint32_t pid, const char *comm);
/* Close the trace-event document. Returns 0 or -errno (write errors). */
int mt_export_finish(struct mt_export *x);
/* Write "frame;frame;... bytes" lines: stacks weighted by bytes mapped.
 * Returns 0 or -errno. */
int mt_export_folded(struct mt_export *x, FILE *out);
void mt_export_free(struct mt_export *x);

#endif /* MAPTRACE_EXPORT_H */
