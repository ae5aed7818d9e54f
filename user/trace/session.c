// SPDX-License-Identifier: GPL-2.0
/* session.c - what every tracing command does: pick the targets, start the
 * tracer, seed shadows, poll, resynchronise after losses, and stop cleanly.
 *
 * A started command is forked paused (blocked on a pipe) until its pid is in
 * the BPF filter, so its exec and everything after it is traced. Processes
 * given with -p are seeded from a task_vma iterator snapshot that is exact at
 * a known ticket. Ctrl-C or SIGTERM ends the loop; a second Ctrl-C kills.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <sys/ptrace.h>

#include "base/clock.h"
#include "base/parse.h"
#include "proc/procinfo.h"
#include "trace/session.h"
#include "trace/freeze.h"

volatile sig_atomic_t mt_stop_requested;

#define SNAPSHOT_ATTEMPTS 50

static void on_signal(int sig)
{
	mt_stop_requested = 1;
	if (sig == SIGINT)
		signal(SIGINT, SIG_DFL); /* a second Ctrl-C kills */
}

static void session_event(const struct mt_event *e, const char *path, void *ctx)
{
	struct mt_session *s = ctx;

	s->events++;
	if (e->ts_ns > s->last_event_ns)
		s->last_event_ns = e->ts_ns;
	/* the command's family, so the run ends when all of it has */
	if (s->child && e->kind == MT_EV_FORK && !(e->flags & MT_EVF_THREAD))
		mt_u64map_put(&s->live, e->aux[1], s);
	else if (s->child && e->kind == MT_EV_EXIT)
		mt_u64map_del(&s->live, e->pid);
	if (s->keep_shadows)
		mt_aspaces_feed(&s->reg, e, path);
	if (s->on_event)
		s->on_event(s, e, path);
}

/* Seed tgid from an iterator snapshot; retry while mapping calls race it.
 * The comm of a process we attach to is read here (exec and fork events
 * carry it for the others). */
static int seed_pid_read(struct mt_session *s, pid_t tgid)
{
	for (int attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
		struct mt_maps snap = { 0 };
		uint64_t mm, stamp;
		int err;

		/* Fork and exec records from before the snapshot first: one
		 * arriving after the seed would undo it. Nothing is read from
		 * the ring between the snapshot and the seed: an event read
		 * then could be newer than the snapshot (a process runs on while
		 * it is read) and, applied to the shadow being replaced, lost.
		 * Whatever was read before it has a ticket the snapshot covers. */
		mt_tracer_drain(s->tracer);
		err = mt_tracer_snapshot(s->tracer, tgid, &snap, &mm, &stamp);
		if (!err)
			err = mt_aspaces_seed(&s->reg, tgid, mm, stamp, &snap);
		mt_maps_free(&snap);
		if (!err && mt_aspaces_by_tgid(&s->reg, tgid) &&
		    !mt_aspaces_by_tgid(&s->reg, tgid)->comm[0])
			mt_proc_read_comm(tgid, 0, mt_aspaces_by_tgid(&s->reg, tgid)->comm);
		if (err != -EAGAIN)
			return err;
	}
	return -EAGAIN;
}

static void service_tracees(void *arg)
{
	mt_session_service_tracees(arg);
}

/* Seed tgid's shadow from a snapshot. Where a snapshot cannot be stamped
 * while its process runs (no kernel BTF), the process is stopped for it
 * (SIGSTOP; our tracees' stops are answered meanwhile), unless it already
 * is, and resumed after. */
static int seed_pid(struct mt_session *s, pid_t tgid)
{
	bool stop = mt_tracer_snapshots_stop(s->tracer) && !s->all_stopped &&
		    tgid != s->ptrace_stopped;
	int err;

	if (stop) {
		pid_t one = tgid;
		int n;

		s->seeding = true;
		n = mt_freeze(&one, 1, NULL, service_tracees, s);
		s->seeding = false;
		if (!n)
			return kill(tgid, 0) && errno == ESRCH ? -ESRCH : -EPERM;
	}
	err = seed_pid_read(s, tgid);
	if (stop)
		mt_thaw(&tgid, 1);
	return err;
}

/* SIGCHLD as a file descriptor in the poll loop's epoll set: the loop
 * wakes as soon as the command stops or ends, not at its next timeout
 * (which made every run up to poll_ms longer). Returns the signal mask to
 * give the command back. */
static sigset_t watch_sigchld(struct mt_session *s)
{
	sigset_t chld, old;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	s->sigchld_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigchld_fd >= 0 && mt_tracer_watch_fd(s->tracer, s->sigchld_fd)) {
		close(s->sigchld_fd);
		s->sigchld_fd = -1;
	}
	return old;
}

static void drain_sigchld(struct mt_session *s)
{
	struct signalfd_siginfo si;

	if (s->sigchld_fd >= 0)
		while (read(s->sigchld_fd, &si, sizeof(si)) == sizeof(si))
			;
}

static int start_command(struct mt_session *s)
{
	int go[2], status[2], err = 0;
	sigset_t mask = watch_sigchld(s);
	char c = 0;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) || pipe2(status, O_CLOEXEC)) {
		fprintf(stderr, "maptrace: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "maptrace: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* wait until the parent has put us in the BPF filter */
		close(go[1]);
		close(status[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		execvp(s->target.argv[0], s->target.argv);
		err = errno;
		if (write(status[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(status[1]);
	s->child = pid;
	mt_u64map_put(&s->live, (uint64_t)pid, s);
	/* Where the kernel takes no dump at exec, a command could exit before
	 * its new address space was read, and what it mapped would be
	 * unknown: it, and all it creates, stop at each exec until the read
	 * is done (handle_ptrace_stop). */
	if (s->keep_shadows && !mt_features_dumps(&s->features)) {
		s->exec_stops = true;
		s->stop_descendants = true;
	}
	/* PTRACE_O_TRACEEXIT stops it in exit before its mm is released;
	 * TRACEEXEC replaces the SIGTRAP a ptraced exec would otherwise get */
	if ((s->stop_at_exit || s->exec_stops) &&
	    ptrace(PTRACE_SEIZE, pid, 0, (s->stop_at_exit ? PTRACE_O_TRACEEXIT : 0) |
		   PTRACE_O_TRACEEXEC |
		   /* threads too: one that execs becomes the leader of the new
		    * image, which must stop in exit as well */
		   (s->stop_descendants ? PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		    PTRACE_O_TRACECLONE : 0)) != 0) {
		fprintf(stderr, "maptrace: cannot stop '%s' at its exec and exit (ptrace: %s): is "
			"it already being traced?\n", s->target.argv[0], strerror(errno));
		s->stop_at_exit = false;
		s->exec_stops = false;
	}
	if (mt_tracer_add_pid(s->tracer, pid))
		fprintf(stderr, "maptrace: cannot add pid %d to the filter: %s\n", pid, strerror(errno));
	if (write(go[1], &c, 1) != 1)
		err = errno;
	close(go[1]);
	/* EOF: exec succeeded (close-on-exec); an int: exec failed */
	if (read(status[0], &err, sizeof(err)) == sizeof(err)) {
		fprintf(stderr, "maptrace: cannot run '%s': %s\n", s->target.argv[0], strerror(err));
		waitpid(pid, NULL, 0);
		s->child = 0;
		close(status[0]);
		return -1;
	}
	close(status[0]);
	return 0;
}

static int attach_pids(struct mt_session *s)
{
	for (int i = 0; i < s->target.npids; i++) {
		pid_t pid = s->target.pids[i];
		int err;

		if (kill(pid, 0) && errno == ESRCH) {
			fprintf(stderr, "maptrace: no process with pid %d (check it with: ps -p %d)\n",
				pid, pid);
			return -1;
		}
		if (mt_tracer_add_pid(s->tracer, pid)) {
			fprintf(stderr, "maptrace: cannot add pid %d to the filter: %s\n", pid,
				strerror(errno));
			return -1;
		}
		if (!s->keep_shadows)
			continue;
		err = seed_pid(s, pid);
		/* the iterator saw no vma: gone now, or it never had an mm */
		if (err == -ESRCH || err == -EINVAL) {
			char *buf = NULL;
			size_t cap = 0;
			bool gone = kill(pid, 0) && errno == ESRCH;
			bool no_mm = !gone && mt_proc_has_mm(pid, &buf, &cap) == -ESRCH;

			free(buf);
			if (gone) {
				fprintf(stderr, "maptrace: pid %d exited while its address space was read\n",
					pid);
				return -1;
			}
			if (no_mm) {
				fprintf(stderr, "maptrace: pid %d has no address space (a zombie or a kernel "
					"thread): nothing to trace\n", pid);
				return -1;
			}
		}
		if (err) {
			fprintf(stderr, "maptrace: cannot read the address space of pid %d: %s\n", pid,
				strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* -a with shadows: seed every process that has an address space. */
static void seed_all(struct mt_session *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);

		if (pid > 0 && pid != getpid())
			seed_pid(s, pid); /* kernel threads and vanished pids fail: fine */
	}
	closedir(d);
}

bool mt_gate_area(struct mt_region *out)
{
	struct mt_maps self = { 0 };
	bool found = false;

	/* every 64-bit process has the same gate area as we do */
	if (mt_maps_read_pid(getpid(), &self))
		return false;
	for (size_t i = 0; i < self.count && !found; i++) {
		if (self.regions[i].name && !strcmp(self.regions[i].name, "[vsyscall]")) {
			*out = self.regions[i];
			out->name = "[vsyscall]";
			found = true;
		}
	}
	mt_maps_free(&self);
	return found;
}

uint64_t mt_gate_bytes(void)
{
	struct mt_region gate;

	return mt_gate_area(&gate) ? gate.end - gate.start : 0;
}

/* on_bytes behind the registry's callbacks: a change's bytes are counted
 * against the shadow before it is applied, or against none when a resync's
 * snapshot already showed it. */
static void bytes_applied(struct mt_aspace *as, const struct mt_event *e, bool after, void *arg)
{
	struct mt_session *s = arg;

	if (e && !after)
		s->on_bytes(s, as, e, mt_event_bytes(e, as->shadow));
}

static void bytes_stale(struct mt_aspace *as, const struct mt_event *e, void *arg)
{
	struct mt_session *s = arg;
	struct mt_event_bytes b = mt_event_bytes(e, NULL);

	/* the shadow is the snapshot taken after the change: what it removed
	 * is not there to be looked at (by age, for churn) */
	b.removed_start = b.removed_end = 0;
	s->on_bytes(s, as, e, b);
}

int mt_session_start(struct mt_session *s)
{
	struct sigaction sa = { .sa_handler = on_signal };

	s->sigchld_fd = -1;
	mt_aspaces_init(&s->reg);
	s->reg.on_dump = s->on_dump;
	s->reg.on_apply = s->on_bytes ? bytes_applied : s->on_apply;
	s->reg.on_stale = s->on_bytes ? bytes_stale : s->on_stale;
	s->reg.on_release = s->on_release;
	s->reg.on_stack = s->on_stack;
	s->reg.ctx = s;
	s->reg.has_gate = mt_gate_area(&s->reg.gate);
	if (!s->poll_ms)
		s->poll_ms = 100;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->topts.trace_all = s->target.all;
	s->topts.features = &s->features;
	if (!s->topts.btf_path && getenv("MAPTRACE_BTF") && *getenv("MAPTRACE_BTF"))
		s->topts.btf_path = getenv("MAPTRACE_BTF");
	if (mt_tracer_open(&s->tracer, &s->topts, session_event, s))
		return -1;
	s->t0_ns = mt_now_ns();
	if (s->target.argv)
		return start_command(s);
	if (s->target.all) {
		if (s->keep_shadows && mt_tracer_snapshots_stop(s->tracer) && s->shadows_optional) {
			fprintf(stderr, "maptrace: without kernel BTF, -a keeps no shadows (every "
				"process would be stopped to be read): what needs them is not "
				"measured\n");
			s->keep_shadows = false;
		} else if (s->keep_shadows && mt_tracer_snapshots_stop(s->tracer)) {
			fprintf(stderr, "maptrace: without kernel BTF, -a keeps no exact shadows "
				"(every process would be stopped to be read): trace with -p PID or "
				"-- COMMAND, or give the kernel BTF\n");
			return -1;
		}
		if (s->keep_shadows)
			seed_all(s);
		return 0;
	}
	return attach_pids(s);
}

/* Descendants of the command still running (their exit event may have been
 * lost: ask the kernel too). */
static bool family_alive(struct mt_session *s)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	while (mt_u64map_next(&s->live, &pos, &key, &v))
		if (kill((pid_t)key, 0) && errno == ESRCH)
			mt_u64map_del(&s->live, key);
	return s->live.used > 0;
}

static bool targets_alive(struct mt_session *s)
{
	if (s->target.all)
		return true;
	for (int i = 0; i < s->target.npids; i++)
		if (kill(s->target.pids[i], 0) == 0 || errno != ESRCH)
			return true;
	/* children of the given pids may still be traced */
	return s->keep_shadows && s->reg.by_tgid.used > 0;
}

void mt_session_sync(struct mt_session *s)
{
	uint64_t lost[256];
	int n;
	size_t pos = 0;
	uint64_t key;
	void *v;

	uint64_t missed;

	mt_tracer_drain(s->tracer);
	while ((n = mt_tracer_take_lost_mms(s->tracer, lost, 256)) > 0)
		for (int i = 0; i < n; i++)
			mt_aspaces_lost(&s->reg, lost[i], 1);
	if (!s->keep_shadows)
		return;
	/* a skipped run names no address space: re-read them all */
	missed = mt_tracer_missed_runs(s->tracer);
	if (missed != s->missed_runs) {
		s->missed_runs = missed;
		while (mt_u64map_next(&s->reg.by_mm, &pos, &key, &v))
			((struct mt_aspace *)v)->resync = true;
		pos = 0;
	}
	while (mt_u64map_next(&s->reg.by_mm, &pos, &key, &v)) {
		struct mt_aspace *as = v;

		pid_t pid = as->pid;

		if (!as->resync || !pid || as->exited)
			continue;
		/* while a process is being stopped for its snapshot, only one
		 * stopped under ptrace (in its exit, being compared) is read:
		 * the others' resync would stop and resume processes meanwhile */
		if (s->seeding && pid != s->ptrace_stopped)
			continue;
		/* Still set while the snapshot is taken: events drained before it
		 * are applied to the shadow being replaced, and a fork among them
		 * copies that shadow into its child, which must then be re-read
		 * too (seed_child: the child inherits the flag). The seed clears
		 * it; a failed one here, once: a process that cannot be read is
		 * not retried forever. By key: seeding may retire this address
		 * space (the process exec'd). */
		s->resyncs++;
		if (seed_pid(s, pid)) {
			s->resync_failures++;
			as = mt_aspaces_by_mm(&s->reg, key);
			if (as) {
				as->resync = false;
				as->stale = true;
			}
		}
		pos = 0; /* the map may have changed: walk it again */
	}
}

/* A tracee stopped under ptrace: in exit (our checkpoint), at exec or
 * fork, at its first stop after being attached, in a group stop, or for a
 * signal, which is passed on unchanged (ptrace(2) "Stopped states"). */
static void handle_ptrace_stop(struct mt_session *s, pid_t pid, int st)
{
	int event = (st >> 16) & 0xff, sig = WSTOPSIG(st);

	if (event == PTRACE_EVENT_EXIT) {
		s->ptrace_stopped = pid;
		mt_session_sync(s);
		if (s->on_exit_stop)
			s->on_exit_stop(s, pid);
		s->ptrace_stopped = 0;
		sig = 0;
	} else if (event == PTRACE_EVENT_EXEC && s->exec_stops) {
		/* sched_process_exec, run before this stop, sent the exec event
		 * and asked for the new address space to be read: read it now,
		 * while nothing can change it (mt_session_sync's resync) */
		s->ptrace_stopped = pid;
		mt_session_sync(s);
		s->ptrace_stopped = 0;
		sig = 0;
	} else if (event == PTRACE_EVENT_STOP && (sig == SIGSTOP || sig == SIGTSTP ||
						 sig == SIGTTIN || sig == SIGTTOU)) {
		/* a group stop of a seized tracee: stay stopped as without us
		 * (a checkpoint's SIGSTOP, or the user's), until SIGCONT */
		ptrace(PTRACE_LISTEN, pid, 0, 0);
		return;
	} else if (event) {
		sig = 0; /* exec, fork and attach stops are ours, not the program's */
	}
	ptrace(PTRACE_CONT, pid, 0, sig);
}

bool mt_session_caught_up(struct mt_session *s, const struct mt_aspace *as)
{
	uint64_t last;

	return !mt_tracer_ticket_last(s->tracer, as->mm, &last) && last < as->next_seq;
}

void mt_session_service_tracees(struct mt_session *s)
{
	pid_t r;
	int st;

	if (!s->child)
		return;
	/* the command, and with stop_descendants every process it forked:
	 * they are our tracees (__WALL: whatever their kind); a descendant's
	 * end is its own parent's to reap */
	while ((r = waitpid(s->stop_at_exit || s->exec_stops ? -1 : s->child, &st,
			    WNOHANG | __WALL)) > 0) {
		if (WIFSTOPPED(st)) {
			if (r == s->child)
				s->child_status = st;
			handle_ptrace_stop(s, r, st);
		} else if (r == s->child) {
			s->child_status = st;
			s->child_done = true;
			mt_u64map_del(&s->live, (uint64_t)s->child);
		}
	}
}

int mt_session_run(struct mt_session *s)
{
	while (!mt_stop_requested) {
		int n = mt_tracer_poll(s->tracer, s->poll_ms);

		drain_sigchld(s);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "maptrace: reading the ring buffer failed: %s\n", strerror(-n));
			break;
		}
		mt_session_service_tracees(s);
		if (s->child_done && (mt_tracer_drain(s->tracer), !family_alive(s)))
			break; /* the command and every traced descendant ended */
		if (!s->child && !targets_alive(s))
			break;
		mt_session_sync(s);
		/* -d: as a Ctrl-C would (what commands do after the run is the same) */
		if (s->duration_ns && mt_now_ns() - s->t0_ns >= s->duration_ns)
			mt_stop_requested = 1;
		if (s->on_tick)
			s->on_tick(s);
	}
	mt_session_sync(s);
	return 0;
}

void mt_session_finish_shadows(struct mt_session *s)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	if (!s->reg.on_release)
		return;
	while (mt_u64map_next(&s->reg.by_mm, &pos, &key, &v))
		s->reg.on_release(v, s);
}

uint64_t mt_session_untraced(struct mt_session *s)
{
	uint64_t st[MT_STAT__COUNT];

	mt_tracer_stats(s->tracer, st);
	return st[MT_STAT_COMPAT];
}

uint64_t mt_session_lost(struct mt_session *s)
{
	uint64_t st[MT_STAT__COUNT];

	mt_tracer_stats(s->tracer, st);
	return st[MT_STAT_DROPPED] + st[MT_STAT_DROPPED_DUMP] + st[MT_STAT_INFLIGHT_FULL] +
	       st[MT_STAT_SEQ_FULL] + mt_tracer_missed_runs(s->tracer);
}

/* A /proc/self/status figure in KiB ("VmHWM:"), 0 if unreadable. */
unsigned long long mt_self_status_kib(const char *key)
{
	char line[256];
	unsigned long long v = 0;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl)) {
			v = strtoull(line + kl, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

uint64_t mt_session_report_end(struct mt_session *s, FILE *f)
{
	uint64_t lost = mt_session_lost(s), untraced = mt_session_untraced(s), *percpu, missed;
	int n, ncpus = s->features.ncpus > 0 ? s->features.ncpus : 1;

	if (s->topts.verbose)
		fprintf(f, "maptrace: loader peak RSS %llu KiB, ring buffer %llu KiB\n",
			mt_self_status_kib("VmHWM:"),
			(unsigned long long)(mt_tracer_ringbuf_bytes(s->tracer) >> 10));

	if (untraced)
		fprintf(f, "maptrace: 32-bit (ia32) processes are not traced: %llu of their system "
			"calls were ignored, so their mapping calls are missing\n",
			(unsigned long long)untraced);

	if (!lost)
		return 0;
	missed = mt_tracer_missed_runs(s->tracer);
	if (missed) {
		char which[256];

		mt_tracer_missed_runs_str(s->tracer, which, sizeof(which));
		fprintf(f, "maptrace: the kernel skipped %llu runs of maptrace's BPF programs (%s; "
			"a run still in progress on the same CPU: bpftool prog shows them as "
			"recursion_misses): the events they would have sent are missing\n",
			(unsigned long long)missed, which);
	}
	if (lost == missed)
		return lost;
	fprintf(f, "maptrace: %llu events lost (ring buffer full); per CPU:",
		(unsigned long long)(lost - missed));
	percpu = calloc((size_t)ncpus, sizeof(*percpu));
	n = percpu ? mt_tracer_drops_per_cpu(s->tracer, percpu, ncpus) : 0;
	for (int c = 0; c < n; c++)
		if (percpu[c])
			fprintf(f, " cpu%d=%llu", c, (unsigned long long)percpu[c]);
	free(percpu);
	fprintf(f, "\nmaptrace: %llu address spaces were re-read to stay exact; raise the buffer "
		"with --buffer SIZE (now %llu KiB)\n", (unsigned long long)s->resyncs,
		(unsigned long long)(mt_tracer_ringbuf_bytes(s->tracer) >> 10));
	return lost;
}

int mt_session_child_exit_code(const struct mt_session *s)
{
	if (!s->child_done)
		return 0;
	if (WIFEXITED(s->child_status))
		return WEXITSTATUS(s->child_status);
	if (WIFSIGNALED(s->child_status))
		return 128 + WTERMSIG(s->child_status);
	return 1;
}

void mt_session_close(struct mt_session *s)
{
	/* (a session that never started has a zeroed sigchld_fd and no tracer) */
	if (s->tracer && s->sigchld_fd >= 0)
		close(s->sigchld_fd);
	s->sigchld_fd = -1;
	mt_u64map_free(&s->live);
	mt_aspaces_free(&s->reg);
	mt_tracer_close(s->tracer);
	free(s->target.pids);
	s->tracer = NULL;
}
