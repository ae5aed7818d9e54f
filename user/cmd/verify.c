// SPDX-License-Identifier: GPL-2.0
/* verify.c - `maptrace verify`: prove the shadows exact.
 *
 * Two kinds of checkpoint compare a shadow with the kernel, page by page:
 *  - periodic: every --interval ms the traced processes are stopped, the
 *    ring buffer drained, and each shadow compared with /proc/<pid>/maps;
 *  - at exit: as a process's last thread exits (at exit_group() on kernels
 *    before 6.16) the BPF side dumps its address space (one instant, under
 *    the mmap lock), and the shadow is compared with the dump once every
 *    earlier event has been applied.
 * Boundary differences caused only by the kernel merging or splitting alike
 * neighbours are counted apart; they are not divergence.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <stdbool.h>

#include "base/clock.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "trace/session.h"
#include "analyze/mapdiff.h"
#include "trace/freeze.h"
#include "kernel/features.h"


static const char verify_usage[] =
"Usage: maptrace verify [OPTIONS] TARGET\n"
"\n"
"Trace TARGET, keep a shadow of every address space, and prove it right:\n"
"at checkpoints the traced processes are stopped and each shadow is compared\n"
"with /proc/<pid>/maps page by page (mapped or not, perms, shared/private,\n"
"file identity and offset); each process is also checked as it exits, from\n"
"an in-kernel dump taken as its last thread exits. Prints each divergence, then one\n"
"line:  verify: C checkpoints, S address spaces, D divergent pages, L lost events\n"
"Exit status: 1 when D or L is not 0 or a process could not be read, else the\n"
"command's status (0 for -p/-a).\n"
"\n"
"Options:\n"
"  -i, --interval MS     stop and compare every MS milliseconds (default 200; 0: only at exit)\n"
"  -q, --quiet           print only the summary line and divergences\n"
MT_COMMON_USAGE
"\n"
"TARGET: -p PID[,PID...] | -a | -- COMMAND [ARGS...]\n"
"\n"
"Examples:\n"
"  maptrace verify -- python3 -c 'import threading'\n"
"  maptrace verify -i 50 -- ./my-allocator-test\n"
"  maptrace verify -p 1234 -d 10\n";

struct verify_ctx {
	int interval_ms;
	bool quiet;
	uint64_t last_ns;
	uint64_t start_ns;
	uint64_t checkpoints;
	uint64_t address_spaces;
	uint64_t divergent_pages;
	uint64_t boundary_only;
	uint64_t unreadable;     /* comparisons not permitted (stop or /proc read) */
	pid_t unreadable_pid;
	uint64_t uncompared;     /* address spaces that ended without any comparison */
	pid_t uncompared_pid;
	char uncompared_comm[MT_COMM_LEN + 1];
	uint64_t exec_uncompared; /* ... because an exec replaced them first */
	uint64_t stale;          /* comparisons not made: a shadow that could not be re-read */
	uint64_t mid_call;       /* comparisons put off: a change made, its event to come */
	uint64_t mid_exec;       /* comparisons not made: /proc showed an exec's new mm */
	const char *where;       /* what the current comparison is, for messages */
	struct mt_aspace *as;
	struct mt_maps_reader kernel; /* /proc/PID/maps at checkpoints, buffers reused */
	struct mt_session *session;
};

static void describe(const struct mt_region *r, char *buf, size_t cap)
{
	char perms[5];

	if (!r) {
		snprintf(buf, cap, "unmapped");
		return;
	}
	snprintf(buf, cap, "%s %llx:%llx inode %llu offset %#llx %s", mt_perms_str(r->perms, perms),
		 (unsigned long long)MT_DEV_MAJOR(r->dev), (unsigned long long)MT_DEV_MINOR(r->dev),
		 (unsigned long long)r->inode, (unsigned long long)r->offset,
		 r->name ? r->name : "[anonymous]");
}

static void print_divergence(const struct mt_divergence *d, void *arg)
{
	struct verify_ctx *v = arg;
	char a[MT_PATH_MAX + 96], b[MT_PATH_MAX + 96];

	describe(d->shadow, a, sizeof(a));
	describe(d->kernel, b, sizeof(b));
	printf("verify: DIVERGENCE pid %d (%s) %s: %#llx-%#llx (%llu pages) %s\n"
	       "        shadow: %s\n        kernel: %s\n",
	       v->as->pid, v->as->comm, v->where, (unsigned long long)d->start,
	       (unsigned long long)d->end, (unsigned long long)((d->end - d->start) / MT_PAGE_SIZE),
	       mt_diff_kind_name(d->kind), a, b);
}

static void compare(struct verify_ctx *v, struct mt_aspace *as, const struct mt_maps *kernel,
		    const char *where)
{
	struct mt_diff_stats st = { 0 };

	if (as->stale) {
		v->stale++;
		return; /* not a comparison: see print_degraded */
	}
	v->as = as;
	v->where = where;
	mt_diff_learn(as->shadow, kernel);
	mt_diff(as->shadow, kernel, MT_PAGE_SIZE, print_divergence, v, &st);
	v->divergent_pages += st.divergent_pages;
	v->boundary_only += st.boundary_only;
	if (as->verified++ == 0)
		v->address_spaces++;
}

static void on_dump(struct mt_aspace *as, const struct mt_maps *kernel, uint32_t reason, void *arg)
{
	struct mt_session *s = arg;
	struct verify_ctx *v = s->ctx;

	if (reason != MT_DUMP_EXIT || !as->shadow)
		return;
	v->checkpoints++;
	compare(v, as, kernel, "at exit");
}

/* A process that could not be stopped or read: not proven, so verify must
 * not pass as if it had been. */
static void not_compared(struct verify_ctx *v, pid_t pid)
{
	if (!v->unreadable++)
		v->unreadable_pid = pid;
}

/* An address space ends: one never compared (seeded or not) was never
 * proven. One that an exec replaced before any checkpoint is counted apart:
 * no kernel hook shows an address space at exec before it is gone. */
static void on_release(struct mt_aspace *as, void *arg)
{
	struct mt_session *s = arg;
	struct verify_ctx *v = s->ctx;

	if (as->verified)
		return;
	if (as->replaced_by_exec) {
		v->exec_uncompared++;
	} else if (!v->uncompared++) {
		v->uncompared_pid = as->pid;
		memcpy(v->uncompared_comm, as->comm, sizeof(v->uncompared_comm));
	}
}

/* The end of the main stack ([stack]) among n regions, or 0. */
static uint64_t stack_end(const struct mt_region *r, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (r[i].name && !strcmp(r[i].name, "[stack]"))
			return r[i].end;
	return 0;
}

static uint64_t shadow_stack_end(const struct mt_shadow *s)
{
	uint64_t end = 0;

	for (const struct mt_region *r = mt_shadow_lower_bound(s, 0); r; r = mt_shadow_next(s, r))
		if (r->name && !strcmp(r->name, "[stack]"))
			end = r->end;
	return end;
}

/* Compare as with /proc/pid/maps, its process stopped (a checkpoint, or
 * an exit stop). */
static void compare_with_proc(struct verify_ctx *v, struct mt_aspace *as, pid_t pid,
			      const char *where)
{
	int err = mt_maps_reader_read(&v->kernel, pid);

	if (err == -EACCES)
		not_compared(v, pid);
	if (err)
		return; /* gone: it was checked at its exit */
	/* /proc/PID/maps is empty once the leader thread has released the mm
	 * while others live on: a leader that exited alone, or one an exec
	 * from another thread is killing (de_thread()), as when that thread's
	 * exit stop holds the exec under ptrace. It says nothing of the
	 * address space: not a comparison. */
	if (!v->kernel.maps.count)
		return;
	/* The same race a moment later: the exec'ing thread has made the new
	 * mm its own (exec_mmap()) and /proc shows it, with only its [stack]
	 * so far, before the exec's event exists (sched_process_exec comes at
	 * the end of exec). An mm's main stack never moves (its top is fixed
	 * by setup_arg_pages()): a [stack] that ends elsewhere is another
	 * address space's. Seen on 6.12 without kernel BTF, lifecycle's exec
	 * from a non-leader thread; the exec's event replaces the shadow. */
	{
		uint64_t theirs = stack_end(v->kernel.maps.regions, v->kernel.maps.count);
		uint64_t ours = shadow_stack_end(as->shadow);

		if (theirs && ours && theirs != ours) {
			v->mid_exec++;
			return;
		}
	}
	/* Read after /proc: if no ticket beyond the shadow's was drawn by
	 * now, /proc shows exactly the changes the shadow has applied. A
	 * thread inside a mapping call that has changed the address space but
	 * not yet returned (the event comes at sys_exit) makes it differ:
	 * one that a stop cannot end, such as a userfaultfd event wait whose
	 * monitor is stopped too, and any thread of a process that did not
	 * stop in time. Not a comparison: the next one or the exit's will be. */
	if (!mt_session_caught_up(v->session, as)) {
		v->mid_call++;
		return;
	}
	compare(v, as, &v->kernel.maps, where);
}

/* Kernels that cannot dump an address space as it exits: the started
 * command and what it creates are stopped in exit by ptrace (mm still
 * whole) and compared with /proc after the ring buffer was drained. */
static void on_exit_stop(struct mt_session *s, pid_t pid)
{
	struct verify_ctx *v = s->ctx;
	struct mt_aspace *as = mt_aspaces_by_tgid(&s->reg, pid);

	if (!as || !as->shadow)
		return;
	v->checkpoints++;
	compare_with_proc(v, as, pid, "at exit (stopped by ptrace)");
}

/* our ptraced processes stop only once their SIGSTOP is passed on */
static void service_tracees(void *arg)
{
	struct verify_ctx *v = arg;

	mt_session_service_tracees(v->session);
}

/* alive but not stopped: not ours to signal, so not compared */
static void not_stopped(pid_t pid, void *arg)
{
	not_compared(arg, pid);
}

/* Stop everything traced, drain, compare each shadow with /proc, resume. */
static void checkpoint(struct mt_session *s)
{
	struct verify_ctx *v = s->ctx;
	size_t pos = 0, n = 0, cap = s->reg.by_mm.used + 1;
	pid_t *pids = calloc(cap, sizeof(*pids));
	uint64_t key;
	void *val;
	int frozen;

	if (!pids)
		return;
	while (mt_u64map_next(&s->reg.by_mm, &pos, &key, &val) && n < cap) {
		struct mt_aspace *as = val;

		if (as->shadow && as->pid && !as->exited)
			pids[n++] = as->pid;
	}
	if (!n) {
		free(pids);
		return;
	}
	frozen = mt_freeze(pids, (int)n, not_stopped, service_tracees, v);
	s->all_stopped = true; /* a resync now reads them as they are */
	mt_session_sync(s);
	v->checkpoints++;
	for (int i = 0; i < frozen; i++) {
		struct mt_aspace *as = mt_aspaces_by_tgid(&s->reg, pids[i]);

		if (as && as->shadow)
			compare_with_proc(v, as, pids[i], "at a checkpoint");
	}
	s->all_stopped = false;
	mt_thaw(pids, frozen);
	free(pids);
}

static void on_tick(struct mt_session *s)
{
	struct verify_ctx *v = s->ctx;
	uint64_t now = mt_now_ns();

	if (!v->interval_ms || now - v->last_ns < (uint64_t)v->interval_ms * 1000000ull)
		return;
	checkpoint(s);
	v->last_ns = mt_now_ns();
}

/* What this kernel made verify do differently, said before the verdict. */
static void print_degraded(struct mt_session *s, const struct verify_ctx *v)
{
	struct mt_mechanism mech[MT_JOB__COUNT];

	if (v->exec_uncompared && !v->quiet)
		printf("verify: %llu address spaces were replaced by exec before any checkpoint "
		       "(not compared)\n", (unsigned long long)v->exec_uncompared);
	if (v->stale && !v->quiet)
		printf("verify: %llu comparisons not made: the address space changed in a way its "
		       "events cannot describe and was gone before it could be re-read\n",
		       (unsigned long long)v->stale);
	if (v->mid_exec && !v->quiet)
		printf("verify: %llu checkpoint comparisons not made: /proc showed the address space "
		       "an exec was building, before its event\n", (unsigned long long)v->mid_exec);
	if (v->mid_call && !v->quiet)
		printf("verify: %llu checkpoint comparisons put off: a thread was inside a mapping "
		       "call that had changed its address space and not yet returned\n",
		       (unsigned long long)v->mid_call);
	if (!s->features.probed)
		return;
	mt_features_mechanisms(&s->features, mech);
	for (int i = 0; i < MT_JOB__COUNT; i++)
		if (mech[i].degraded && (i != MT_JOB_EXIT_CHECK || s->topts.dump_exit))
			printf("verify: degraded on this kernel: %s: %s\n", mech[i].job,
			       mech[i].degraded);
}

/* -v: what the registry still holds as the run ends, so that a test can
 * prove nothing leaks, and the loader's memory (the ring buffer is most of
 * its RSS, file-backed; shadows and queues are the anonymous part). An address space whose process is gone must have
 * been released by its exit event; one that exited after the last drain is
 * not a leak, so those seen gone are counted only if they are still there
 * after one more drain (their exit event was in the buffer by then). */
static void print_registry(struct mt_session *s)
{
	size_t pos = 0, n = 0, cap = s->reg.by_mm.used + 1, gone = 0, queued = 0;
	struct { uint64_t mm; struct mt_aspace *as; } *dead = calloc(cap, sizeof(*dead));
	uint64_t key;
	void *val;

	while (dead && mt_u64map_next(&s->reg.by_mm, &pos, &key, &val) && n < cap) {
		struct mt_aspace *as = val;

		if (!as->pid || (kill(as->pid, 0) && errno == ESRCH))
			dead[n++] = (typeof(*dead)){ key, as };
	}
	mt_session_sync(s);
	for (size_t i = 0; i < n; i++)
		gone += mt_aspaces_by_mm(&s->reg, dead[i].mm) == dead[i].as;
	free(dead);
	pos = 0;
	while (mt_u64map_next(&s->reg.by_mm, &pos, &key, &val))
		queued += ((struct mt_aspace *)val)->npending;
	printf("verify: registry at the end: %zu address spaces (%zu of exited processes), "
	       "%zu queued events, %zu stack samples; loader RSS %llu KiB, anonymous %llu KiB\n",
	       s->reg.by_mm.used, gone, queued, s->reg.stacks.used, mt_self_status_kib("VmRSS:"),
	       mt_self_status_kib("RssAnon:"));
}

enum { OPT_INTERVAL = 1, OPT_QUIET };

static const struct mt_option verify_options[] = {
	{ "interval", 'i', true, OPT_INTERVAL },
	{ "quiet", 'q', false, OPT_QUIET },
	MT_COMMON_OPTIONS,
	{ 0 }
};

static int verify_option(void *ctx, int id, const char *val)
{
	struct verify_ctx *v = ctx;
	unsigned long long ms;

	switch (id) {
	case OPT_INTERVAL:
		if (mt_opt_uint("verify", "--interval", val, 0, 3600000, &ms))
			return 2;
		v->interval_ms = (int)ms;
		return 0;
	case OPT_QUIET:
		v->quiet = true;
		return 0;
	}
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct mt_session s = { .keep_shadows = true, .topts.dump_exit = true };
	struct verify_ctx v = { .interval_ms = 200, .session = &s };
	uint64_t lost, untraced;
	int status;

	status = mt_command_options(&s, argc, argv, "verify", verify_options, verify_usage,
				    verify_option, &v);
	if (status != MT_OPTS_GO)
		return status;
	if (mt_target_check(&s.target, "verify"))
		return 2;
	/* poll at least as often as checkpoints are due */
	if (v.interval_ms && v.interval_ms < 100)
		s.poll_ms = v.interval_ms;
	s.on_tick = on_tick;
	s.ctx = &v;
	s.on_dump = on_dump;
	s.on_release = on_release;
	if (s.target.argv) {
		mt_features_probe(&s.features);
		/* no in-kernel exit dump: no kfuncs, or the legacy object */
		if (!mt_features_dumps(&s.features)) {
			s.stop_at_exit = true;
			s.stop_descendants = true;
			s.on_exit_stop = on_exit_stop;
		}
	}
	if (mt_session_start(&s)) {
		mt_session_close(&s);
		return 1;
	}
	v.start_ns = v.last_ns = mt_now_ns();
	mt_session_run(&s);
	if (!s.child)
		checkpoint(&s); /* -p/-a: a final look before detaching */
	if (s.topts.verbose)
		print_registry(&s);
	lost = mt_session_report_end(&s, stderr);
	status = s.child ? mt_session_child_exit_code(&s) : 0;
	if (!v.quiet && s.reg.reordered)
		printf("verify: %llu events reached user space before an earlier change of their address space and were applied in kernel order\n",
		       (unsigned long long)s.reg.reordered);
	if (!v.quiet && v.boundary_only)
		printf("verify: %llu region boundaries differ only by kernel merging/splitting (not divergence)\n",
		       (unsigned long long)v.boundary_only);
	print_degraded(&s, &v);
	printf("verify: %llu checkpoints, %llu address spaces, %llu divergent pages, %llu lost events\n",
	       (unsigned long long)v.checkpoints, (unsigned long long)v.address_spaces,
	       (unsigned long long)v.divergent_pages, (unsigned long long)lost);
	if (v.uncompared)
		fprintf(stderr, "maptrace verify: %llu address spaces ended without being compared "
			"(first: pid %d, %s): nothing about them is proven (%s)\n",
			(unsigned long long)v.uncompared, (int)v.uncompared_pid, v.uncompared_comm,
			s.target.argv ? "try a shorter --interval, and see: maptrace features" :
			"attached to running processes: one that ends while maptrace attaches may "
			"never be compared");
	if (!v.address_spaces)
		fprintf(stderr, "maptrace verify: no address space was compared: nothing is proven\n");
	if (v.unreadable)
		fprintf(stderr, "maptrace verify: %llu checkpoint comparisons were not permitted "
			"(first: pid %d): stopping it or reading /proc/PID/maps was refused (another "
			"user's process needs root)\n", (unsigned long long)v.unreadable,
			(int)v.unreadable_pid);
	/* calls of 32-bit processes were not seen: nothing about them is proven */
	untraced = mt_session_untraced(&s);
	mt_session_close(&s);
	mt_maps_reader_free(&v.kernel);
	/* -- COMMAND: every address space descends from it and must be
	 * proven; -p/-a attach to a running system, where a process may
	 * start and end unseen while maptrace attaches (said above) */
	if (v.divergent_pages || lost || untraced || v.unreadable || !v.address_spaces ||
	    (v.uncompared && s.target.argv))
		return 1;
	return status;
}
