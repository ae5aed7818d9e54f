// SPDX-License-Identifier: GPL-2.0
/* test_programs.c - maptrace's BPF programs, loaded in this process (as the
 * kernel's selftests/bpf prog_tests do): open the object the loader would
 * choose here, let a child make known mapping calls, and assert on exactly
 * what the ring buffer carried, field by field, and on the programs'
 * counters. The no-BTF object is tested the same way (MAPTRACE_KERNEL_BTF
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/event.h"
#include "kernel/features.h"
#include "trace/tracer.h"

#define PG 4096
#define MAX_SEEN 256

/* What the ring buffer carried for the child. */
struct seen {
	pid_t child;
	struct mt_event ev[MAX_SEEN];
	int n;
	bool exited;
};

static void collect(const struct mt_event *e, const char *path, void *ctx)
{
	struct seen *s = ctx;

	if ((pid_t)e->pid != s->child || s->n == MAX_SEEN)
		return;
	s->ev[s->n++] = *e;
	if (e->kind == MT_EV_EXIT)
		s->exited = true;
}

/* The child's calls, at an address it chose free first: each one is
 * asserted below. It waits on go[0] until it is traced. */
static void child_calls(int go)
{
	char c;
	char *p;

	if (read(go, &c, 1) != 1)
		_exit(2);
	p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(3);
	if (mprotect(p + PG, PG, PROT_READ))
		_exit(4);
	if (munmap(p, 3 * PG))
		_exit(5);
	/* fails: EINVAL (unaligned), checked under the write lock */
	if (munmap(p + 1, PG) == 0)
		_exit(6);
	_exit(0);
}

static const struct mt_event *find(const struct seen *s, uint32_t kind, int nth)
{
	for (int i = 0; i < s->n; i++)
		if (s->ev[i].kind == kind && !nth--)
			return &s->ev[i];
	return NULL;
}

/* Trace one child's calls with the object this kernel (and the
 * environment) selects; assert on every field that matters. */
static void trace_child(void **state)
{
	struct mt_tracer_opts opts = { .untimed = false };
	struct mt_features f = { 0 };
	struct mt_tracer *t;
	struct seen s = { 0 };
	uint64_t stats[MT_STAT__COUNT];
	const struct mt_event *mm, *mp, *mu, *bad;
	int go[2], st;

	(void)state;
	opts.features = &f;
	opts.btf_path = getenv("MAPTRACE_BTF");
	assert_int_equal(mt_tracer_open(&t, &opts, collect, &s), 0);
	assert_int_equal(pipe(go), 0);
	s.child = fork();
	assert_true(s.child >= 0);
	if (!s.child) {
		close(go[1]);
		child_calls(go[0]);
	}
	close(go[0]);
	assert_int_equal(mt_tracer_add_pid(t, s.child), 0);
	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);
	assert_int_equal(waitpid(s.child, &st, 0), s.child);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	for (int i = 0; i < 100 && !s.exited; i++)
		mt_tracer_poll(t, 20);
	mt_tracer_drain(t);
	assert_true(s.exited);

	mm = find(&s, MT_EV_MMAP, 0);
	mp = find(&s, MT_EV_MPROTECT, 0);
	mu = find(&s, MT_EV_MUNMAP, 0);
	bad = find(&s, MT_EV_MUNMAP, 1);
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
	assert_int_equal(find(&s, MT_EV_EXIT, 0)->flags & MT_EVF_GROUP_DEAD, MT_EVF_GROUP_DEAD);
	/* nothing dropped, nothing skipped */
	mt_tracer_stats(t, stats);
	assert_int_equal(stats[MT_STAT_DROPPED], 0);
	assert_int_equal(stats[MT_STAT_INFLIGHT_FULL], 0);
	assert_int_equal(mt_tracer_missed_runs(t), 0);
	mt_tracer_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_child),
	};

	if (geteuid() != 0) {
		printf("SKIP bpf-programs: not root: the BPF programs cannot be loaded\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
