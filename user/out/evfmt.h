/* SPDX-License-Identifier: GPL-2.0 */
/* evfmt.h - turn events into words: names, decoded arguments, text lines
 * like strace's and JSON Lines objects (schema in docs/events.md). User-only. */
#ifndef MAPTRACE_EVFMT_H
#define MAPTRACE_EVFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "core/event.h"
#include "base/json.h"
#include "analyze/unwind.h"

/* One human-readable line (with '\n'); time is relative to t0_ns. */
void mt_event_print_text(FILE *f, const struct mt_event *e, const char *raw, __u64 t0_ns);
/* One JSON object (no newline) into j. */
void mt_event_json(struct mt_json *j, const struct mt_event *e, const char *raw, __u64 t0_ns);
/* The same with the call's user stack as "stack": an array of frame
 * objects (mt_frame_json), innermost first; none when nframes is 0. */
void mt_event_json_stack(struct mt_json *j, const struct mt_event *e, const char *raw, __u64 t0_ns,
			 const struct mt_frame *const *frames, int nframes);

/* One stack frame as a line: indent, "#N  func[+0xoff] (file:line) [module]"
 * (the offset with with_offset, when func is a symbol; the module by its
 * file name), like perf script and strace -k print them. */
void mt_frame_print_text(FILE *f, const char *indent, int index, const struct mt_frame *fr,
			 bool with_offset);
/* One stack frame as a JSON object: pc, function, offset (symbols only),
 * file and line (with debug info), module (path). */
void mt_frame_json(struct mt_json *j, const struct mt_frame *fr);
/* A stack as a JSON array of those objects, innermost first. */
void mt_frames_json(struct mt_json *j, const struct mt_frame *const *frames, int nframes);

/* Decoders shared with other output: flags into "MAP_PRIVATE|MAP_ANONYMOUS"
 * style text. */
void mt_prot_str(__u64 prot, char *buf, size_t cap);
void mt_map_flags_str(__u64 flags, char *buf, size_t cap);
void mt_mremap_flags_str(__u64 flags, char *buf, size_t cap);

#endif /* MAPTRACE_EVFMT_H */
