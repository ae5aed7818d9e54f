/* SPDX-License-Identifier: GPL-2.0 */
/* tracer_obj.h - the loaded BPF object behind struct mt_tracer, shared by
 * the loader (tracer.c) and the snapshots (snapshot.c) only. User-only. */
#ifndef MAPTRACE_TRACER_OBJ_H
#define MAPTRACE_TRACER_OBJ_H

#include <bpf/libbpf.h>

#include "trace/tracer.h"
#include "maptrace.skel.h"
#include "maptrace_legacy.skel.h"
#include "maptrace_nobtf.skel.h"

struct mt_tracer {
	struct maptrace_bpf *skel;          /* the modern object, or */
	struct maptrace_legacy_bpf *lskel;  /* the legacy one, or */
	struct maptrace_nobtf_bpf *nskel;   /* the one for kernels without BTF */
	struct bpf_map *tgid_mm;            /* no-BTF: each traced process's mm */
	/* the maps both objects have */
	struct bpf_map *events, *traced, *stats, *lost_mms, *ticket_slots, *mm_seq;
	__u64 *lost_mm_notes;               /* in the mmap'ed .bss */
	struct mt_proc_snap *proc_snap;     /* legacy .bss: the /proc read being stamped */
	uint32_t slot_mask;
	uint64_t ring_bytes;                /* the ring buffer's size */
	struct ring_buffer *rb;
	mt_event_fn fn;
	void *ctx;
	int delivered;
	int ncpus;
	int run_stats_fd;            /* BPF_ENABLE_STATS's while it keeps them on, else -1 */
	uint64_t lost_mm_notes_seen; /* bss->lost_mm_notes when lost_mms was last emptied */
};

#endif /* MAPTRACE_TRACER_OBJ_H */
