/* SPDX-License-Identifier: GPL-2.0 */
/* tracer.h - the BPF side's lifecycle seen from user space.
 *
 * Checks the machine (privileges, BTF, tracefs), opens, sizes, loads and
 * attaches the programs (the modern or the legacy object, as the probed
 * facts say), delivers events, reports drops, and reads seeding snapshots
 * (the task_vma iterator, or /proc/PID/maps stamped by the legacy object).
 * The only module that calls libbpf.
 */
#ifndef MAPTRACE_TRACER_H
#define MAPTRACE_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "maptrace/events.h"
#include "analyze/stats.h"
#include "proc/procmaps.h"
#include "kernel/features.h"

struct mt_tracer_opts {
	bool trace_all;          /* -a: every process */
	bool dump_exit;          /* dump each address space at its last exit (verify) */
	bool enter_times;        /* events carry enter_ns (costs a program on sys_enter) */
	bool untimed;            /* events carry no ts_ns: nothing shows it (saves a clock read each) */
	bool cgroups;            /* events carry their task's cgroup v2 id (a helper call each) */
	uint64_t ringbuf_bytes;  /* power of two; 0 = the machine's default (sizing.h) */
	uint32_t stack_mode;     /* enum mt_stack_mode */
	uint32_t stack_bytes;    /* DWARF sample size; 0 = default */
	int verbose;             /* libbpf debug output */
	const char *btf_path;    /* CO-RE relocations from this BTF file (--btf,
				    MAPTRACE_BTF); NULL: the kernel's own */
	/* what this kernel offers: probed by mt_tracer_open() unless the
	 * caller already did (features->probed) */
	struct mt_features *features;
};

/* Called for each event in ring-buffer order; path has e->path_len bytes. */
typedef void (*mt_event_fn)(const struct mt_event *e, const char *path, void *ctx);

struct mt_tracer;

#define MT_TICKET_SLOTS    32768u  /* per-mm ticket counters kept in an array (512 KiB) */

/* Returns 0, or prints one line saying what failed and what to do and
 * returns -errno. */
int mt_tracer_open(struct mt_tracer **out, const struct mt_tracer_opts *opts,
		   mt_event_fn fn, void *ctx);
void mt_tracer_close(struct mt_tracer *t);

/* Trace this thread group (and, from now on, its children). */
int mt_tracer_add_pid(struct mt_tracer *t, pid_t tgid);

/* Deliver what is waiting, sleeping up to timeout_ms for more. Returns the
 * number of events delivered or -errno (-EINTR on a signal). */
int mt_tracer_poll(struct mt_tracer *t, int timeout_ms);
/* Make mt_tracer_poll() return as soon as fd is readable too (the caller
 * reads fd). Returns 0 or -errno. */
int mt_tracer_watch_fd(struct mt_tracer *t, int fd);
/* Deliver everything already in the buffer without sleeping. */
int mt_tracer_drain(struct mt_tracer *t);

/* Sum of the per-CPU counters (enum mt_stat). */
void mt_tracer_stats(struct mt_tracer *t, uint64_t out[MT_STAT__COUNT]);
/* Runs of maptrace's programs the kernel skipped (bpf_prog_info's
 * recursion_misses, Linux 5.12): a program still running on a CPU, preempted
 * or interrupted, makes the kernel skip the next run there, silently. */
uint64_t mt_tracer_missed_runs(struct mt_tracer *t);
/* The same per program, as "name=N ..." into buf (empty when none). */
void mt_tracer_missed_runs_str(struct mt_tracer *t, char *buf, size_t cap);
/* Turn the run statistics on for as long as the tracer is open
 * (BPF_ENABLE_STATS, Linux 5.8; each run then reads the clock twice):
 * 0 or -errno. */
int mt_tracer_enable_run_stats(struct mt_tracer *t);
/* The loaded programs' CPU time (analyze/stats.h) into out (at most cap);
 * returns how many. */
int mt_tracer_prog_runtimes(struct mt_tracer *t, struct mt_prog_runtime *out, int cap);
/* Per-CPU dropped-event counts, for the report; returns the number of CPUs
 * written (at most cap). */
int mt_tracer_drops_per_cpu(struct mt_tracer *t, uint64_t *out, int cap);

/* The ring buffer's size in bytes. */
uint64_t mt_tracer_ringbuf_bytes(const struct mt_tracer *t);

/* The last ticket mm has drawn (0 if none) into *last: 0, or -errno. A
 * shadow whose next ticket to apply is at most *last lags a change the
 * kernel already made (its event is still to come). */
int mt_tracer_ticket_last(struct mt_tracer *t, uint64_t mm, uint64_t *last);

/* Take (read and clear) the mms that lost events. Returns how many were
 * written to mms (at most cap). */
int mt_tracer_take_lost_mms(struct mt_tracer *t, uint64_t *mms, int cap);

/* Whether a snapshot needs its process stopped by the caller (the no-BTF
 * object: /proc read with nothing to stamp it while it runs). */
bool mt_tracer_snapshots_stop(const struct mt_tracer *t);

/* Snapshot the address space of tgid with the task_vma iterator (legacy
 * object: /proc/PID/maps, stamped at each read-locked batch; no-BTF object:
 * /proc/PID/smaps of a process the caller stopped): regions
 * into *out (which must be empty), its mm into *mm, and into *stamp the mm's
 * ticket count while the vmas were read. Returns 0 when every vma was read at
 * the same ticket (an exact image after event *stamp), -EAGAIN when the mm
 * changed during the read (retry), -ESRCH when the process is gone. */
int mt_tracer_snapshot(struct mt_tracer *t, pid_t tgid, struct mt_maps *out,
		       uint64_t *mm, uint64_t *stamp);

#endif /* MAPTRACE_TRACER_H */
