/* SPDX-License-Identifier: GPL-2.0 */
/* session.h - one tracing run: targets, the BPF tracer, the address-space
 * registry and the poll loop that `trace` and `verify` share. User-only. */
#ifndef MAPTRACE_SESSION_H
#define MAPTRACE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <sys/types.h>
#include "trace/tracer.h"
#include "core/aspace.h"
#include "core/event.h"

struct mt_target {
	pid_t *pids;          /* -p PID[,PID...] */
	int npids;
	bool all;             /* -a */
	char **argv;          /* -- COMMAND [ARGS...] */
};

struct mt_session;
typedef void (*mt_session_event_fn)(struct mt_session *s, const struct mt_event *e,
				    const char *path);
/* Called every tick of the loop (about every poll_ms). */
typedef void (*mt_session_tick_fn)(struct mt_session *s);
/* The bytes one change mapped and unmapped (mt_event_bytes: stat's rule),
 * as the registry applies it in the kernel's order, or as a
 * resync finds it already shown (then with no removed range: the shadow
 * is already past the change). */
typedef void (*mt_session_bytes_fn)(struct mt_session *s, const struct mt_aspace *as,
				    const struct mt_event *e, struct mt_event_bytes b);

struct mt_session {
	struct mt_target target;
	struct mt_tracer_opts topts;
	struct mt_features features; /* probed at start unless the command did first */
	struct mt_tracer *tracer;
	struct mt_aspaces reg;
	bool keep_shadows;          /* feed events to the registry */
	/* With -a where shadows would need every process stopped to be read
	 * (no kernel BTF: mt_tracer_snapshots_stop), go on without them
	 * (keep_shadows cleared, a note on stderr) rather than refuse. */
	bool shadows_optional;
	mt_session_event_fn on_event;
	mt_session_tick_fn on_tick;
	/* registry callbacks (their ctx is the session) */
	mt_dump_fn on_dump;         /* in-kernel dumps reaching their turn */
	mt_apply_fn on_apply;       /* each change applied in the kernel's order */
	mt_stale_fn on_stale;       /* each change a resync's snapshot already showed */
	mt_release_fn on_release;   /* an address space's last user exited */
	mt_stack_fn on_stack;       /* a stack sample reached its event */
	mt_session_bytes_fn on_bytes; /* each change's bytes (instead of on_apply, on_stale) */
	/* With stop_at_exit, the started command is ptrace'd (PTRACE_O_TRACEEXIT)
	 * and on_exit_stop runs while it is stopped in exit, its address space
	 * still whole and readable in /proc, after the ring buffer is drained. */
	bool stop_at_exit;
	bool stop_descendants;      /* ... and every process and thread it creates */
	/* Set by mt_session_start() where the kernel takes no dump at exec: the
	 * command and all it creates stop at each exec (PTRACE_O_TRACEEXEC)
	 * until their new address space has been read. */
	bool exec_stops;
	void (*on_exit_stop)(struct mt_session *s, pid_t pid);
	void *ctx;
	int poll_ms;
	uint64_t duration_ns;       /* -d: stop this long after the start (0: never) */
	pid_t child;                /* the started command, 0 if none */
	int child_status;           /* its wait status, once it ended */
	bool child_done;
	int sigchld_fd;             /* -- COMMAND: signalfd waking the loop (-1: none) */
	uint64_t t0_ns;             /* CLOCK_MONOTONIC at start */
	uint64_t events;            /* events delivered */
	uint64_t last_event_ns;     /* kernel time of the latest event */
	struct mt_u64map live;      /* -- COMMAND: tgids of it and its traced descendants */
	uint64_t resyncs;           /* address spaces re-read after losses */
	uint64_t resync_failures;
	uint64_t missed_runs;       /* program runs the kernel skipped, as last seen */
	/* Where snapshots need their process stopped (mt_tracer_snapshots_stop):
	 * processes already stopped, which seeding must neither stop again nor
	 * resume. */
	pid_t ptrace_stopped;       /* a tracee in its exec or exit stop, being handled */
	bool all_stopped;           /* verify's checkpoint froze every traced process */
	bool seeding;               /* a process is being stopped for its snapshot */
};

/* Open the tracer, start or attach to the targets, seed their shadows.
 * Returns 0 or -1 after printing what went wrong. */
int mt_session_start(struct mt_session *s);
/* Poll until the command ends, the traced processes are all gone (-p), or
 * SIGINT/SIGTERM. Returns 0. */
int mt_session_run(struct mt_session *s);
/* Handle whatever the started command (and its traced descendants) reported
 * to us under ptrace, without waiting: stops are answered, its end noted. */
void mt_session_service_tracees(struct mt_session *s);
/* Deliver everything already in the ring buffer and resynchronise the
 * address spaces that lost events. */
void mt_session_sync(struct mt_session *s);
/* Whether as->shadow shows every change the kernel has made to its address
 * space so far: no ticket drawn beyond the last one applied. A thread can
 * be stopped, or never stop, between a change and its syscall's return
 * (where the event is sent): a userfaultfd monitor's event wait, a fault
 * the mapping call takes after the change. False if the count is
 * unreadable. */
bool mt_session_caught_up(struct mt_session *s, const struct mt_aspace *as);
/* System calls of traced 32-bit processes, which are not classified. */
uint64_t mt_session_untraced(struct mt_session *s);
/* Lost events so far (dropped in the kernel). */
uint64_t mt_session_lost(struct mt_session *s);
/* The run is over: hand every address space still alive to on_release. */
void mt_session_finish_shadows(struct mt_session *s);
/* The gate area ([vsyscall]) as this machine maps it; false if none. */
bool mt_gate_area(struct mt_region *out);
/* Its size, 0 if none: maps shows it, VmSize and the vma count leave it out
 * (it is no vma: get_gate_vma()). */
uint64_t mt_gate_bytes(void);
/* A /proc/self/status figure of the loader in KiB ("VmHWM:"), 0 if unreadable. */
unsigned long long mt_self_status_kib(const char *key);
/* What the user must know as the session ends, on f: the per-CPU drop
 * report if anything was lost, ignored 32-bit calls, and under -v the
 * loader's peak RSS and ring-buffer size. Returns the events lost. */
uint64_t mt_session_report_end(struct mt_session *s, FILE *f);
/* Exit status for the command's wait status (128+signal for a signal). */
int mt_session_child_exit_code(const struct mt_session *s);
void mt_session_close(struct mt_session *s);

/* set by SIGINT/SIGTERM */
extern volatile sig_atomic_t mt_stop_requested;

#endif /* MAPTRACE_SESSION_H */
