// SPDX-License-Identifier: GPL-2.0
/* test_programs.c - maptrace's BPF programs, loaded in this process (as the
 * kernel's selftests/bpf prog_tests do): open the object the loader would
 * choose here, let a child make known mapping calls, and assert on exactly
 * what the ring buffer carried, field by field, and on the programs'
 * counters: plain calls and their tickets, brk and mremap, a fork and an
 * exec, and a snapshot of an address space against /proc. The no-BTF object is tested the same way (MAPTRACE_KERNEL_BTF
 * =none, with a BTF cut from this kernel's), so both paths the kernel
 * matrix runs are checked here too. Needs root; without it, every test is
 * skipped with the reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/event.h"
#include "kernel/features.h"
#include "proc/procmaps.h"
#include "trace/tracer.h"

#define PG 4096
#define MAX_SEEN 512
#define MAX_PROCS 4

/* What the ring buffer carried for the child and the processes it forked. */
struct seen {
	pid_t procs[MAX_PROCS];  /* [0] the child, then its children in fork order */
	int nprocs;
	int exited;              /* thread groups whose last thread exited */
	struct mt_event ev[MAX_SEEN];
	char path[MAX_SEEN][64]; /* each event's path, cut and NUL-terminated */
	int n;
};

static bool ours(const struct seen *s, pid_t pid)
{
	for (int i = 0; i < s->nprocs; i++)
		if (s->procs[i] == pid)
			return true;
	return false;
}

static void collect(const struct mt_event *e, const char *path, void *ctx)
{
	struct seen *s = ctx;
	size_t len = e->path_len < 63 ? e->path_len : 63;

	if (!ours(s, (pid_t)e->pid) || s->n == MAX_SEEN)
		return;
	memcpy(s->path[s->n], path, len);
	s->path[s->n][len] = '\0';
	s->ev[s->n++] = *e;
	/* the sched_process_fork event comes before any of the child's own */
	if (e->kind == MT_EV_FORK && !(e->flags & MT_EVF_THREAD) && s->nprocs < MAX_PROCS)
		s->procs[s->nprocs++] = (pid_t)e->aux[1];
	if (e->kind == MT_EV_EXIT && (e->flags & MT_EVF_GROUP_DEAD))
		s->exited++;
}

static const struct mt_event *find(const struct seen *s, uint32_t kind, int nth)
{
	for (int i = 0; i < s->n; i++)
		if (s->ev[i].kind == kind && !nth--)
			return &s->ev[i];
	return NULL;
}

static const char *path_of(const struct seen *s, const struct mt_event *e)
{
	return s->path[e - s->ev];
}

/* A traced child: the tracer opened with the object this kernel (and the
 * environment: MAPTRACE_KERNEL_BTF, MAPTRACE_BTF) selects, and a child that
 * runs its calls once it is traced. */
struct run {
	struct mt_tracer *t;
	struct mt_features f;
	struct seen s;
	int go;                  /* write end: the child starts on a byte */
};

typedef void (*child_fn)(void);

static void start_traced(struct run *r, child_fn calls)
{
	struct mt_tracer_opts opts = { .untimed = false };
	int go[2];
	char c;

	memset(r, 0, sizeof(*r));
	opts.features = &r->f;
	opts.btf_path = getenv("MAPTRACE_BTF");
	assert_int_equal(mt_tracer_open(&r->t, &opts, collect, &r->s), 0);
	assert_int_equal(pipe(go), 0);
	r->s.procs[0] = fork();
	assert_true(r->s.procs[0] >= 0);
	if (!r->s.procs[0]) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		calls();
		_exit(0);
	}
	r->s.nprocs = 1;
	close(go[0]);
	r->go = go[1];
	assert_int_equal(mt_tracer_add_pid(r->t, r->s.procs[0]), 0);
}

static void let_go(struct run *r)
{
	assert_int_equal(write(r->go, "x", 1), 1);
	close(r->go);
}

/* Wait for the child (it reaps its own children), then deliver events
 * until every traced process has exited; nothing may have been lost. */
static void finish_traced(struct run *r)
{
	uint64_t stats[MT_STAT__COUNT];
	int st;

	assert_int_equal(waitpid(r->s.procs[0], &st, 0), r->s.procs[0]);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	for (int i = 0; i < 100 && r->s.exited < r->s.nprocs; i++)
		mt_tracer_poll(r->t, 20);
	mt_tracer_drain(r->t);
	assert_int_equal(r->s.exited, r->s.nprocs);
	mt_tracer_stats(r->t, stats);
	assert_int_equal(stats[MT_STAT_DROPPED], 0);
	assert_int_equal(stats[MT_STAT_INFLIGHT_FULL], 0);
	assert_int_equal(mt_tracer_missed_runs(r->t), 0);
	mt_tracer_close(r->t);
}

/* ---- mmap, mprotect, munmap, and a munmap that fails ------------------- */

static void calls_basic(void)
{
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(3);
	if (mprotect(p + PG, PG, PROT_READ))
		_exit(4);
	if (munmap(p, 3 * PG))
		_exit(5);
	/* fails: EINVAL (unaligned), checked under the write lock */
	if (munmap(p + 1, PG) == 0)
		_exit(6);
}

/* Every field that matters of each call, and the tickets in call order. */
static void calls_in_ticket_order(void **state)
{
	struct run r;
	const struct mt_event *mm, *mp, *mu, *bad;

	(void)state;
	start_traced(&r, calls_basic);
	let_go(&r);
	finish_traced(&r);

	mm = find(&r.s, MT_EV_MMAP, 0);
	mp = find(&r.s, MT_EV_MPROTECT, 0);
	mu = find(&r.s, MT_EV_MUNMAP, 0);
	bad = find(&r.s, MT_EV_MUNMAP, 1);
	assert_non_null(mm);
	assert_non_null(mp);
	assert_non_null(mu);
	assert_non_null(bad);
	/* the mmap: its arguments as called, its result the address */
	assert_int_equal(mm->args[1], 3 * PG);
	assert_int_equal(mm->args[2], PROT_READ | PROT_WRITE);
	assert_int_equal(mm->args[3], MAP_PRIVATE | MAP_ANONYMOUS);
	assert_int_equal((int)mm->args[4], -1);
	assert_false(mt_event_failed(mm));
	/* the mprotect and munmap at that address, in ticket order */
	assert_int_equal(mp->args[0], (uint64_t)mm->ret + PG);
	assert_int_equal(mp->args[1], PG);
	assert_int_equal(mp->args[2], PROT_READ);
	assert_int_equal(mp->ret, 0);
	assert_int_equal(mu->args[0], (uint64_t)mm->ret);
	assert_int_equal(mu->args[1], 3 * PG);
	assert_int_equal(mu->ret, 0);
	assert_true(mm->seq > 0);
	assert_int_equal(mp->seq, mm->seq + 1);
	assert_int_equal(mu->seq, mp->seq + 1);
	assert_int_equal(mm->mm, mu->mm);
	/* the unaligned munmap failed, with the next ticket: __vm_munmap()
	 * takes the write lock before do_vmi_munmap() (__do_munmap() in 5.10)
	 * checks the alignment */
	assert_true(mt_event_failed(bad));
	assert_int_equal(bad->ret, -EINVAL);
	assert_int_equal(bad->seq, mu->seq + 1);
	/* the exit of its only thread, with its status */
	assert_int_equal(find(&r.s, MT_EV_EXIT, 0)->flags & MT_EVF_GROUP_DEAD, MT_EVF_GROUP_DEAD);
}

/* ---- brk and mremap ----------------------------------------------------- */

static void calls_brk_mremap(void)
{
	long cur = syscall(SYS_brk, 0);
	char *p, *q;

	if (syscall(SYS_brk, cur + 2 * PG) != cur + 2 * PG)
		_exit(3);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(4);
	q = mremap(p, PG, 4 * PG, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		_exit(5);
}

/* brk carries the break before the call (which a shadow needs to know
 * what grew); mremap its arguments and the new address. */
static void brk_and_mremap(void **state)
{
	struct run r;
	const struct mt_event *query, *grow, *mm, *mr;

	(void)state;
	start_traced(&r, calls_brk_mremap);
	let_go(&r);
	finish_traced(&r);

	query = find(&r.s, MT_EV_BRK, 0);
	grow = find(&r.s, MT_EV_BRK, 1);
	mm = find(&r.s, MT_EV_MMAP, 0);
	mr = find(&r.s, MT_EV_MREMAP, 0);
	assert_non_null(query);
	assert_non_null(grow);
	assert_non_null(mm);
	assert_non_null(mr);
	/* brk(0) answers the break; brk(break + 2 pages) moves it */
	assert_int_equal(query->args[0], 0);
	assert_int_equal(grow->args[0], (uint64_t)query->ret + 2 * PG);
	assert_int_equal(grow->ret, query->ret + 2 * PG);
	assert_int_equal(grow->aux[1], (uint64_t)query->ret);
	assert_true(grow->aux[0] <= grow->aux[1]);
	assert_true(grow->seq > 0);
	/* mremap of the one-page mmap to four pages */
	assert_int_equal(mr->args[0], (uint64_t)mm->ret);
	assert_int_equal(mr->args[1], PG);
	assert_int_equal(mr->args[2], 4 * PG);
	assert_int_equal(mr->args[3], MREMAP_MAYMOVE);
	assert_false(mt_event_failed(mr));
	assert_int_equal(mr->seq, mm->seq + 1);
	assert_true(grow->seq < mm->seq);
}

/* ---- fork and exec ----------------------------------------------------- */

static void calls_fork_exec(void)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		_exit(3);
	if (!pid) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(4);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		_exit(5);
}

/* A traced process's child is traced from its fork on: the fork names it
 * and its new mm, its exec the program and another mm, and both processes'
 * ends are seen. */
static void fork_and_exec(void **state)
{
	struct run r;
	const struct mt_event *fk, *ex;
	uint64_t parent_mm = 0;

	(void)state;
	start_traced(&r, calls_fork_exec);
	let_go(&r);
	finish_traced(&r);

	assert_int_equal(r.s.nprocs, 2);
	fk = find(&r.s, MT_EV_FORK, 0);
	ex = find(&r.s, MT_EV_EXEC, 0);
	assert_non_null(fk);
	assert_non_null(ex);
	assert_int_equal(fk->pid, r.s.procs[0]);
	assert_int_equal(fk->aux[1], r.s.procs[1]);
	assert_int_equal(fk->aux[2], r.s.procs[1]);
	assert_int_equal(fk->flags & (MT_EVF_THREAD | MT_EVF_VM), 0);
	for (int i = 0; i < r.s.n; i++)
		if (r.s.ev[i].pid == (uint32_t)r.s.procs[0] && r.s.ev[i].mm)
			parent_mm = r.s.ev[i].mm;
	assert_true(fk->aux[0] != 0);
	assert_true(fk->aux[0] != parent_mm);
	assert_int_equal(ex->pid, r.s.procs[1]);
	assert_string_equal(path_of(&r.s, ex), "/bin/true");
	assert_true(ex->mm != fk->aux[0]);
	assert_int_equal(ex->aux[0], r.s.procs[1]);
}

/* ---- a snapshot equals /proc ------------------------------------------- */

static int ready[2], resume[2];   /* child -> test, test -> child */

static void calls_then_wait(void)
{
	char c;
	char *p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + 2 * PG, 3 * PG, PROT_NONE))
		_exit(3);
	if (write(ready[1], "r", 1) != 1 || read(resume[0], &c, 1) != 1)
		_exit(4);
}

static bool user_region(const struct mt_region *reg)
{
	/* not x86's [vsyscall]: no vma, so not in the iterator's walk, but
	 * in every /proc file */
	return reg->start < (1ull << 56);
}

/* What mt_tracer_snapshot() reads (the task_vma iterator, or /proc/PID/
 * smaps of a stopped process without kernel BTF) is the address space
 * /proc/PID/maps shows, stamped with the mm's last ticket. */
static void snapshot_matches_proc(void **state)
{
	struct run r;
	struct mt_maps snap = { 0 }, proc = { 0 };
	uint64_t mm = 0, stamp = 0, last = 0;
	size_t i, j = 0;
	int st, rc = -EAGAIN;
	char c;

	(void)state;
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(resume), 0);
	start_traced(&r, calls_then_wait);
	close(ready[1]);
	close(resume[0]);
	let_go(&r);
	assert_int_equal(read(ready[0], &c, 1), 1);
	if (mt_tracer_snapshots_stop(r.t)) {
		kill(r.s.procs[0], SIGSTOP);
		assert_int_equal(waitpid(r.s.procs[0], &st, WUNTRACED), r.s.procs[0]);
		assert_true(WIFSTOPPED(st));
	}
	for (int tries = 0; tries < 5 && rc == -EAGAIN; tries++) {
		mt_maps_free(&snap);
		rc = mt_tracer_snapshot(r.t, r.s.procs[0], &snap, &mm, &stamp);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(mt_maps_read_pid(r.s.procs[0], &proc), 0);
	assert_int_equal(mt_tracer_ticket_last(r.t, mm, &last), 0);
	assert_int_equal(stamp, last);
	for (i = 0; i < proc.count; i++) {
		const struct mt_region *want = &proc.regions[i];

		if (!user_region(want))
			continue;
		while (j < snap.count && !user_region(&snap.regions[j]))
			j++;
		assert_true(j < snap.count);
		assert_int_equal(snap.regions[j].start, want->start);
		assert_int_equal(snap.regions[j].end, want->end);
		assert_int_equal(snap.regions[j].perms, want->perms);
		assert_int_equal(snap.regions[j].inode, want->inode);
		assert_int_equal(snap.regions[j].offset, want->offset);
		j++;
	}
	while (j < snap.count && !user_region(&snap.regions[j]))
		j++;
	assert_int_equal(j, snap.count);
	mt_maps_free(&snap);
	mt_maps_free(&proc);
	if (mt_tracer_snapshots_stop(r.t))
		kill(r.s.procs[0], SIGCONT);
	assert_int_equal(write(resume[1], "g", 1), 1);
	finish_traced(&r);
	close(ready[0]);
	close(resume[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calls_in_ticket_order),
		cmocka_unit_test(brk_and_mremap),
		cmocka_unit_test(fork_and_exec),
		cmocka_unit_test(snapshot_matches_proc),
	};

	if (geteuid() != 0) {
		printf("SKIP bpf-programs: not root: the BPF programs cannot be loaded\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
