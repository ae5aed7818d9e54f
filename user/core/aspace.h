/* SPDX-License-Identifier: GPL-2.0 */
/* aspace.h - every traced address space, kept exact from the event stream.
 *
 * Keyed by the kernel's mm identity, not by pid: threads and CLONE_VM
 * children share one, exec makes a new one. Events of one mm are applied in
 * ticket order (see bpf/maptrace.bpf.c); those that arrive early wait in a
 * per-mm heap. Seeding comes from in-kernel dumps (exec), fork copies, or a
 * snapshot (attach, resync). Pure logic: fed events, never reads the kernel,
 * so it is unit-tested with synthetic streams. User-only.
 */
#ifndef MAPTRACE_ASPACE_H
#define MAPTRACE_ASPACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "maptrace/events.h"
#include "core/shadow.h"
#include "core/maps.h"
#include "base/u64map.h"

struct mt_pending;

struct mt_aspace {
	uint64_t mm;
	struct mt_shadow *shadow;   /* NULL until seeded */
	uint64_t next_seq;          /* the next ticket to apply, once seeded */
	struct mt_pending *heap;    /* events (and dumps) waiting for their turn */
	size_t npending, cap;
	uint32_t users;             /* thread groups using this mm */
	pid_t pid;                  /* the latest of them, for /proc and freezing */
	char comm[MT_COMM_LEN + 1];
	bool resync;                /* lost events or an uncertain change: re-snapshot */
	bool stale;                 /* a re-snapshot failed (the process exited while
				       it was read): the shadow is not known to be right */
	uint64_t lost;              /* events lost to full buffers */
	uint64_t applied;           /* events applied to the shadow */
	uint64_t verified;          /* checkpoints this address space passed through */
	bool replaced_by_exec;      /* released because its only user exec'd */
	bool exited;                /* no user left, but ordered items (its exit
				       dump) still wait for their turn */
	uint64_t acct_vm, acct_anon; /* what it adds to run-wide totals (stats.c) */
	bool final_taken;           /* stats took its final figures */
	uint32_t applying_stack;    /* stack id of the change being applied (its origin), until
	                               on_apply after it returned */
	uint64_t dump_id;           /* in-kernel dump being received */
	struct mt_maps dump;
};

/* A view of the kernel taken at a known point of an mm's order: an exit
 * dump reaches verify through this callback once every earlier event has
 * been applied, so both sides describe the same instant. */
typedef void (*mt_dump_fn)(struct mt_aspace *as, const struct mt_maps *kernel,
			   uint32_t reason, void *ctx);
/* An address space is about to be freed (its last user exited). */
typedef void (*mt_release_fn)(struct mt_aspace *as, void *ctx);
/* A call that creates mappings came with a user stack sample (an
 * MT_EV_STACK record): turn it into a stack id for the regions' origin,
 * while as->shadow still shows the modules mapped at that call. */
typedef uint32_t (*mt_stack_fn)(struct mt_aspace *as, const struct mt_event *e, uint32_t flags,
				const void *sample, size_t len, void *ctx);
/* A change is applied to as->shadow in the kernel's order: called before
 * (after = false) and after it, with e the event, or e = NULL after the
 * shadow was (re)seeded from a snapshot. */
typedef void (*mt_apply_fn)(struct mt_aspace *as, const struct mt_event *e, bool after,
			    void *ctx);
/* A change that a snapshot (a resync) already reflected reached its turn:
 * it happened, but is not applied to as->shadow a second time. */
typedef void (*mt_stale_fn)(struct mt_aspace *as, const struct mt_event *e, void *ctx);

struct mt_aspaces {
	struct mt_u64map by_mm;     /* mm -> struct mt_aspace * */
	struct mt_u64map by_tgid;   /* tgid -> struct mt_aspace * */
	mt_dump_fn on_dump;
	mt_release_fn on_release;
	mt_apply_fn on_apply;
	mt_stale_fn on_stale;
	mt_stack_fn on_stack;
	void *ctx;
	struct mt_u64map stacks;    /* tid -> the STACK record waiting for its event */
	uint64_t stale;             /* events already reflected by a snapshot */
	uint64_t reordered;         /* events that reached us before an earlier ticket */
	uint64_t unseeded_drops;    /* events for an mm that never got a shadow */
	uint64_t incomplete_dumps;
	uint64_t dumps_not_taken;   /* the kernel cannot dump (MT_DUMP_NOT_TAKEN) */
	/* The gate area ([vsyscall] on x86_64): maps prints it for every
	 * 64-bit process, yet it is no vma (get_gate_vma()), so no dump or
	 * iterator reports it. Added to every seeded shadow when present. */
	struct mt_region gate;
	bool has_gate;
};

void mt_aspaces_init(struct mt_aspaces *reg);
void mt_aspaces_free(struct mt_aspaces *reg);

/* Feed one event in ring-buffer order (path: e->path_len bytes). */
void mt_aspaces_feed(struct mt_aspaces *reg, const struct mt_event *e, const char *path);

/* Seed (or reseed) the address space of tgid from a snapshot that reflects
 * every event of mm up to ticket stamp. Takes the regions of snap. */
int mt_aspaces_seed(struct mt_aspaces *reg, pid_t tgid, uint64_t mm, uint64_t stamp,
		    const struct mt_maps *snap);

struct mt_aspace *mt_aspaces_by_tgid(struct mt_aspaces *reg, pid_t tgid);
struct mt_aspace *mt_aspaces_by_mm(struct mt_aspaces *reg, uint64_t mm);
/* Mark an mm as having lost events (it will be resynchronised). */
void mt_aspaces_lost(struct mt_aspaces *reg, uint64_t mm, uint64_t count);

#endif /* MAPTRACE_ASPACE_H */
