/* SPDX-License-Identifier: GPL-2.0 */
/* event.h - what an event means, decided in one place: its kind's name,
 * whether it is a call and whether it failed, the path it names, and the
 * bytes it maps and unmaps. The registry, stats, top and the formatter all
 * read events through these. User-only. */
#ifndef MAPTRACE_EVENT_H
#define MAPTRACE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "maptrace/events.h"

struct mt_shadow;

/* "mmap", "munmap", ... as JSON "kind" values; NULL for an unknown kind */
const char *mt_event_kind_name(__u32 kind);

/* A system call's event (a mapping call), not a lifecycle, dump or stack record. */
bool mt_event_is_call(__u32 kind);

/* Whether the call failed (ret is -errno; brk returns the break either way). */
bool mt_event_failed(const struct mt_event *e);

/* The path an event carries, decoded: reversed components put back in
 * order, pseudo files named as /proc/<pid>/maps names them ("/memfd:x
 * (deleted)", "anon_inode:[io_uring]"). Writes at most cap-1 bytes plus a
 * NUL and returns the length (0 when the event has no path). */
size_t mt_event_path(const struct mt_event *e, const char *raw, char *out, size_t cap);

/* Whether maps shows the event's file with " (deleted)" (unlinked files,
 * and the internal shmem files behind memfd, SysV shm and shared anonymous
 * memory, which d_path always prints so). */
bool mt_event_file_deleted(const struct mt_event *e);

/* What a successful call maps and unmaps, by its arguments and result. */
struct mt_event_bytes {
	uint64_t mapped, unmapped;
	uint64_t removed_start, removed_end; /* the range it unmaps, if any */
};

/* The bytes of a successful call. shmdt and io_destroy unmap whatever
 * region is at their address: shadow (before the call is applied) tells
 * its size, and without one they count 0. */
struct mt_event_bytes mt_event_bytes(const struct mt_event *e, const struct mt_shadow *shadow);

#endif /* MAPTRACE_EVENT_H */
