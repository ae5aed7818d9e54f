/* SPDX-License-Identifier: GPL-2.0 */
/* stats.h - per-process figures of a traced run (`maptrace stat`).
 *
 * Call counts come from the event stream (every call, as strace lists
 * them); sizes come from the shadows (exact, in the kernel's order): bytes
 * mapped and unmapped, churn (bytes mapped during the run and unmapped again
 * within it), peak and final virtual and anonymous size, mapping count.
 * Pure logic. User-only.
 */
#ifndef MAPTRACE_STATS_H
#define MAPTRACE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "core/aspace.h"
#include "base/json.h"
#include "base/u64map.h"

/* The syscall kinds a summary counts (MT_EV_MMAP .. MT_EV_PRCTL_VMA_NAME). */
#define MT_STAT_KINDS (MT_EV_PRCTL_VMA_NAME + 1)

struct mt_figures {
	uint64_t calls[MT_STAT_KINDS];
	uint64_t failed[MT_STAT_KINDS];
	uint64_t bytes_mapped;      /* mmap, shmat, io_setup, brk and mremap growth */
	uint64_t bytes_unmapped;    /* munmap, shmdt, io_destroy, brk and mremap shrink */
	uint64_t churn_bytes;       /* unmapped bytes that were mapped during the run */
	uint64_t peak_vm;           /* largest virtual size seen */
	uint64_t final_vm;
	uint64_t peak_anon;         /* largest anonymous size seen */
	uint64_t final_anon;
	uint64_t final_mappings;    /* vmas at the end (as /proc/<pid>/maps counts them) */
};

/* An address space's virtual and anonymous bytes as /proc/PID/status
 * counts them, without the gate area (gate_bytes: [vsyscall], which maps
 * shows but is no vma). */
struct mt_sizes {
	uint64_t vm, anon;
};
struct mt_sizes mt_aspace_sizes(const struct mt_aspace *as, uint64_t gate_bytes);

/* Bytes of [start, end) in regions created while traced, at or after
 * since_ns (CLOCK_MONOTONIC; 0: at any time): what an unmap of that range
 * takes back of what was mapped during the run (churn). */
uint64_t mt_created_bytes_in(const struct mt_shadow *s, uint64_t start, uint64_t end,
			     uint64_t since_ns);

/* CPU time of one loaded BPF program (bpf_prog_info run_time_ns, run_cnt),
 * counted only while the kernel's BPF run statistics are on (the tracer's
 * mt_tracer_enable_run_stats, or sysctl kernel.bpf_stats_enabled). */
struct mt_prog_runtime {
	char name[32];
	uint64_t run_ns, runs;
};

struct mt_proc_stats {
	pid_t pid;
	char comm[MT_COMM_LEN + 1];
	bool exited;
	int exit_status;            /* wait status */
	struct mt_figures f;
};

struct mt_stats {
	struct mt_u64map by_pid;    /* tgid -> struct mt_proc_stats * */
	pid_t *order;               /* tgids in order of first appearance */
	size_t norder, order_cap;
	uint64_t gate_bytes;        /* the gate area is in every shadow, not in VmSize */
	uint64_t vm_now, anon_now;  /* all traced address spaces together */
	uint64_t peak_vm_total, peak_anon_total;
	uint64_t pending_unmap;     /* between the before/after hooks of one change */
	uint64_t pending_churn;
};

void mt_stats_init(struct mt_stats *st, uint64_t gate_bytes);
void mt_stats_free(struct mt_stats *st);

/* Every event in ring order: counts calls. */
void mt_stats_event(struct mt_stats *st, const struct mt_event *e);
/* The registry's mt_apply_fn: sizes, in the kernel's order. */
void mt_stats_apply(struct mt_stats *st, struct mt_aspace *as, const struct mt_event *e, bool after);
/* The registry's mt_stale_fn: a change a resync's snapshot already showed
 * still counts in the bytes mapped and unmapped (from its arguments; what
 * it churned is unknown: the snapshot does not say which pages it made). */
void mt_stats_stale(struct mt_stats *st, struct mt_aspace *as, const struct mt_event *e);
/* Take the final figures of as (its last process exits, or the run ends).
 * final_mappings comes from kernel (an exit dump) when given. */
void mt_stats_final(struct mt_stats *st, struct mt_aspace *as, const struct mt_maps *kernel);

/* Sum over all processes (peaks: of everything traced at once). */
void mt_stats_total(const struct mt_stats *st, struct mt_figures *out);

/* Look up one figure by its name ("bytes_mapped", "calls.mmap",
 * "failed.munmap", "peak_vm_bytes"...). Returns false for an unknown name. */
bool mt_figure_get(const struct mt_figures *f, const char *name, uint64_t *value);
/* Names of all figures, NULL-terminated (for budgets, diffs, help). */
extern const char *const mt_figure_names[];

void mt_figures_json(struct mt_json *j, const struct mt_figures *f);
void mt_stats_print(FILE *out, const struct mt_stats *st, double seconds);

#endif /* MAPTRACE_STATS_H */
