// SPDX-License-Identifier: GPL-2.0
/* test_aspace.c - the address-space registry on synthetic event streams:
 * ticket ordering (events that reach the ring buffer out of order), stale
 * events after a snapshot, fork copies, exec dumps, exit dumps and release. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>

#include "core/aspace.h"

#define MM1 0xffff888100001000ULL
#define MM2 0xffff888100002000ULL
#define PID 100
#define A   0x7f0000000000ULL
#define PG  4096ULL

static struct mt_event ev(uint32_t kind, uint64_t mm, uint64_t seq)
{
	struct mt_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.mm = mm;
	e.seq = seq;
	e.pid = e.tid = PID;
	return e;
}

static struct mt_event ev_mmap(uint64_t mm, uint64_t seq, uint64_t addr, uint64_t len, uint64_t prot)
{
	struct mt_event e = ev(MT_EV_MMAP, mm, seq);

	e.args[1] = len;
	e.args[2] = prot;
	e.args[3] = 0x22; /* MAP_PRIVATE|MAP_ANONYMOUS */
	e.ret = (int64_t)addr;
	return e;
}

static struct mt_event ev_munmap(uint64_t mm, uint64_t seq, uint64_t addr, uint64_t len)
{
	struct mt_event e = ev(MT_EV_MUNMAP, mm, seq);

	e.args[0] = addr;
	e.args[1] = len;
	return e;
}

static struct mt_event ev_vma(uint64_t mm, uint64_t seq, uint64_t id, uint64_t start, uint64_t end)
{
	struct mt_event e = ev(MT_EV_VMA, mm, seq);

	e.args[0] = start;
	e.args[1] = end;
	e.args[3] = MT_VM_READ | MT_VM_WRITE;
	e.args[4] = id;
	return e;
}

static void feed(struct mt_aspaces *reg, struct mt_event e)
{
	mt_aspaces_feed(reg, &e, "");
}

/* a registry with one empty address space MM1 for PID, exact after ticket stamp */
static void seed_empty(struct mt_aspaces *reg, uint64_t stamp)
{
	struct mt_maps none = { 0 };

	mt_aspaces_init(reg);
	assert_int_equal(mt_aspaces_seed(reg, PID, MM1, stamp, &none), 0);
}

static void test_reordered_munmap_then_mmap(void **state)
{
	struct mt_aspaces reg;
	struct mt_aspace *as;

	seed_empty(&reg, 0);
	/* kernel order: 1 mmap A, 2 munmap A, 3 mmap A (another thread reuses it);
	 * ring order: 3, 1, 2 */
	feed(&reg, ev_mmap(MM1, 3, A, PG, 1));
	as = mt_aspaces_by_tgid(&reg, PID);
	assert_non_null(as);
	assert_null(mt_shadow_find(as->shadow, A)); /* 3 waits for 1 and 2 */
	assert_int_equal(as->npending, 1);
	feed(&reg, ev_mmap(MM1, 1, A, 2 * PG, 3));
	feed(&reg, ev_munmap(MM1, 2, A, 2 * PG));
	assert_int_equal(as->npending, 0);
	assert_int_equal(as->next_seq, 4);
	assert_non_null(mt_shadow_find(as->shadow, A));
	assert_int_equal(mt_shadow_find(as->shadow, A)->end, A + PG);
	assert_int_equal(mt_shadow_find(as->shadow, A)->perms, MT_PERM_READ);
	assert_int_equal(as->applied, 3);
	assert_int_equal(reg.reordered, 1); /* only ticket 3 arrived early */
	mt_aspaces_free(&reg);
}

static void count_stale(struct mt_aspace *as, const struct mt_event *e, void *ctx)
{
	(*(int *)ctx)++;
	assert_int_equal(e->seq, 4);
}

static void test_stale_events_after_snapshot(void **state)
{
	struct mt_aspaces reg;
	int stale_seen = 0;

	seed_empty(&reg, 5);
	reg.on_stale = count_stale; /* stat still counts its bytes */
	reg.ctx = &stale_seen;
	feed(&reg, ev_mmap(MM1, 4, A, PG, 3)); /* already in the snapshot */
	assert_int_equal(reg.stale, 1);
	assert_int_equal(stale_seen, 1);
	assert_null(mt_shadow_find(mt_aspaces_by_mm(&reg, MM1)->shadow, A));
	feed(&reg, ev_mmap(MM1, 6, A, PG, 3));
	assert_non_null(mt_shadow_find(mt_aspaces_by_mm(&reg, MM1)->shadow, A));
	mt_aspaces_free(&reg);
}

static void test_void_ticket_fills_gap(void **state)
{
	struct mt_aspaces reg;

	seed_empty(&reg, 0);
	feed(&reg, ev_mmap(MM1, 2, A, PG, 3));
	assert_null(mt_shadow_find(mt_aspaces_by_mm(&reg, MM1)->shadow, A));
	feed(&reg, ev(MT_EV_SEQ_VOID, MM1, 1));
	assert_non_null(mt_shadow_find(mt_aspaces_by_mm(&reg, MM1)->shadow, A));
	mt_aspaces_free(&reg);
}

static struct mt_event ev_mprotect(uint64_t mm, uint64_t seq, uint64_t addr, uint64_t len,
				   uint64_t prot, int64_t ret)
{
	struct mt_event e = ev(MT_EV_MPROTECT, mm, seq);

	e.args[0] = addr;
	e.args[1] = len;
	e.args[2] = prot;
	e.ret = ret;
	return e;
}

/* A failed call with a ticket: what it changed comes from the reseed dump
 * the BPF side takes right after it (needs_reseed), or the resync its
 * MT_DUMP_NOT_TAKEN asks for; user space changes nothing itself. */
static void test_failed_calls_wait_for_the_reseed(void **state)
{
	struct mt_aspaces reg;
	struct mt_aspace *as;
	struct mt_event e;

	seed_empty(&reg, 0);
	feed(&reg, ev_mmap(MM1, 1, A, 2 * PG, 1));
	as = mt_aspaces_by_mm(&reg, MM1);
	/* EACCES: some vma refused PROT_WRITE, those before it changed */
	feed(&reg, ev_mprotect(MM1, 2, A, 2 * PG, 3, -13));
	assert_int_equal(mt_shadow_find(as->shadow, A)->perms, MT_PERM_READ);
	/* ENOMEM splitting at the map count limit, before unmapping */
	e = ev_munmap(MM1, 3, A + PG, PG);
	e.ret = -12;
	feed(&reg, e);
	assert_non_null(mt_shadow_find(as->shadow, A + PG));
	/* shmat with SHM_REMAP failing in its MAP_FIXED mmap */
	e = ev(MT_EV_SHMAT, MM1, 4);
	e.args[0] = A;
	e.args[2] = 040000;
	e.ret = -12;
	feed(&reg, e);
	assert_non_null(mt_shadow_find(as->shadow, A));
	assert_false(as->resync);
	assert_int_equal(as->applied, 4);
	mt_aspaces_free(&reg);
}

/* mm/mprotect.c do_mprotect_pkey: vma after vma from start, ENOMEM at the
 * first gap (or past the last vma), the vmas before it changed. */
static void test_failed_mprotect_applies_up_to_the_gap(void **state)
{
	struct mt_aspaces reg;
	struct mt_shadow *s;
	struct mt_event e;

	seed_empty(&reg, 0);
	feed(&reg, ev_mmap(MM1, 1, A, 2 * PG, 3));
	feed(&reg, ev_mmap(MM1, 2, A + 2 * PG, PG, 1));
	feed(&reg, ev_mmap(MM1, 3, A + 4 * PG, PG, 3));
	feed(&reg, ev_mprotect(MM1, 4, A + PG, 4 * PG, 4 | 1, -12));
	s = mt_aspaces_by_mm(&reg, MM1)->shadow;
	assert_int_equal(mt_shadow_find(s, A)->perms, MT_PERM_READ | MT_PERM_WRITE);
	assert_int_equal(mt_shadow_find(s, A + PG)->perms, MT_PERM_READ | MT_PERM_EXEC);
	assert_int_equal(mt_shadow_find(s, A + PG)->start, A + PG);
	assert_int_equal(mt_shadow_find(s, A + 2 * PG)->perms, MT_PERM_READ | MT_PERM_EXEC);
	assert_int_equal(mt_shadow_find(s, A + 2 * PG)->end, A + 3 * PG);
	assert_null(mt_shadow_find(s, A + 3 * PG));
	/* after the gap: untouched */
	assert_int_equal(mt_shadow_find(s, A + 4 * PG)->perms, MT_PERM_READ | MT_PERM_WRITE);
	assert_false(mt_aspaces_by_mm(&reg, MM1)->resync);

	/* past the end of the last vma: all of it changed */
	feed(&reg, ev_mprotect(MM1, 5, A + 4 * PG, 8 * PG, 0, -12));
	assert_int_equal(mt_shadow_find(s, A + 4 * PG)->perms, 0);
	/* starting in a gap: nothing changed */
	feed(&reg, ev_mprotect(MM1, 6, A + 3 * PG, 2 * PG, 0, -12));
	assert_int_equal(mt_shadow_find(s, A + 2 * PG)->perms, MT_PERM_READ | MT_PERM_EXEC);
	/* pkey_mprotect is the same walk */
	e = ev_mprotect(MM1, 7, A, 3 * PG + 1, 1, -12);
	e.kind = MT_EV_PKEY_MPROTECT;
	e.args[3] = (uint64_t)-1;
	feed(&reg, e);
	assert_int_equal(mt_shadow_find(s, A)->perms, MT_PERM_READ);
	assert_int_equal(mt_shadow_find(s, A + 2 * PG)->perms, MT_PERM_READ);
	assert_false(mt_aspaces_by_mm(&reg, MM1)->resync);
	assert_int_equal(mt_aspaces_by_mm(&reg, MM1)->applied, 7);
	mt_aspaces_free(&reg);
}

/* ENOMEM with no gap in range came from mprotect_fixup() (commit charge,
 * the map count limit) at a vma we cannot tell: left as it is until the
 * reseed dump that follows. */
static void test_failed_mprotect_without_gap_waits_for_the_reseed(void **state)
{
	struct mt_aspaces reg;

	seed_empty(&reg, 0);
	feed(&reg, ev_mmap(MM1, 1, A, 4 * PG, 1));
	feed(&reg, ev_mprotect(MM1, 2, A, 4 * PG, 3, -12));
	assert_false(mt_aspaces_by_mm(&reg, MM1)->resync);
	assert_int_equal(mt_shadow_find(mt_aspaces_by_mm(&reg, MM1)->shadow, A)->perms,
			 MT_PERM_READ);
	mt_aspaces_free(&reg);
}

/* A failure the shadow cannot model is followed by a dump of the whole
 * address space (MT_DUMP_RESEED), stamped with the mm's ticket when it was
 * read: the shadow becomes that dump and the resync is no longer needed;
 * events stamped before it are stale, later ones apply on top. */
static void test_reseed_dump_after_failed_call(void **state)
{
	struct mt_aspaces reg;
	struct mt_aspace *as;
	struct mt_event e;

	seed_empty(&reg, 0);
	feed(&reg, ev_mmap(MM1, 1, A, 2 * PG, 1));
	feed(&reg, ev_mprotect(MM1, 2, A, 2 * PG, 3, -1)); /* EPERM: a sealed vma */
	as = mt_aspaces_by_mm(&reg, MM1);
	assert_false(as->resync); /* the dump follows */
	feed(&reg, ev_mmap(MM1, 4, A + 8 * PG, PG, 3)); /* after the dump: waits */
	feed(&reg, ev_vma(MM1, 3, 5, A, A + PG));     /* rw-: changed before the seal */
	e = ev_vma(MM1, 3, 5, A + PG, A + 2 * PG);
	e.args[3] = MT_VM_READ;
	feed(&reg, e);
	e = ev(MT_EV_DUMP_END, MM1, 3);
	e.args[0] = 5;
	e.args[1] = 2;
	e.aux[0] = MT_DUMP_RESEED;
	feed(&reg, e);
	assert_ptr_equal(mt_aspaces_by_mm(&reg, MM1), as);
	assert_false(as->resync);
	assert_int_equal(mt_shadow_find(as->shadow, A)->perms, MT_PERM_READ | MT_PERM_WRITE);
	assert_int_equal(mt_shadow_find(as->shadow, A + PG)->perms, MT_PERM_READ);
	assert_non_null(mt_shadow_find(as->shadow, A + 8 * PG)); /* ticket 4, applied */
	assert_int_equal(as->next_seq, 5);
	assert_int_equal(as->pid, PID);
	feed(&reg, ev_munmap(MM1, 3, A, PG)); /* the dump's own ticket arriving late */
	assert_int_equal(reg.stale, 1);
	assert_non_null(mt_shadow_find(as->shadow, A));
	mt_aspaces_free(&reg);
}

/* arch_prctl(ARCH_MAP_VDSO_64) maps [vvar]/[vdso] where and as large as
 * the kernel's image says: the event asks for a re-read, and the reseed
 * dump that follows it answers (and shows the new vdso). */
static void test_map_vdso_learnt_from_the_reseed_dump(void **state)
{
	static const char vdso[] = "[vdso]";
	struct mt_aspaces reg;
	struct mt_aspace *as;
	struct mt_event e;

	seed_empty(&reg, 0);
	e = ev(MT_EV_MAP_VDSO, MM1, 1);
	e.args[0] = 0x2003; /* ARCH_MAP_VDSO_64 */
	e.args[1] = A;
	feed(&reg, e);
	as = mt_aspaces_by_mm(&reg, MM1);
	assert_true(as->resync);
	assert_null(mt_shadow_find(as->shadow, A));
	e = ev_vma(MM1, 1, 3, A, A + 2 * PG);
	e.args[3] = MT_VM_READ | MT_VM_EXEC;
	e.flags = 0;
	e.path_len = 0;
	mt_aspaces_feed(&reg, &e, vdso);
	e = ev(MT_EV_DUMP_END, MM1, 1);
	e.args[0] = 3;
	e.args[1] = 1;
	e.aux[0] = MT_DUMP_RESEED;
	feed(&reg, e);
	assert_false(as->resync);
	assert_non_null(mt_shadow_find(as->shadow, A + PG));
	assert_int_equal(mt_shadow_find(as->shadow, A)->perms, MT_PERM_READ | MT_PERM_EXEC);
	assert_int_equal(as->next_seq, 2);
	mt_aspaces_free(&reg);
}

/* No dump on this kernel (before 6.7): the reseed's MT_DUMP_NOT_TAKEN asks
 * for a resync instead. */
static void test_reseed_not_taken_asks_for_a_resync(void **state)
{
	struct mt_aspaces reg;
	struct mt_event e;

	seed_empty(&reg, 0);
	feed(&reg, ev_mprotect(MM1, 1, A, PG, 1, -1));
	assert_false(mt_aspaces_by_mm(&reg, MM1)->resync);
	e = ev(MT_EV_DUMP_END, MM1, 1);
	e.args[0] = 6;
	e.aux[0] = MT_DUMP_RESEED;
	e.args[2] = MT_DUMP_NOT_TAKEN;
	feed(&reg, e);
	assert_true(mt_aspaces_by_mm(&reg, MM1)->resync);
	assert_int_equal(reg.dumps_not_taken, 1);
	mt_aspaces_free(&reg);
}

static void test_fork_copies_parent_at_its_ticket(void **state)
{
	struct mt_aspaces reg;
	struct mt_event f;
	struct mt_aspace *child;

	seed_empty(&reg, 0);
	feed(&reg, ev_mmap(MM1, 1, A, PG, 3));
	f = ev(MT_EV_FORK, MM1, 3);
	f.aux[0] = MM2;
	f.aux[1] = PID + 1;
	f.aux[2] = PID + 1;
	/* the child's own first event arrives before the fork is applicable */
	feed(&reg, f);
	feed(&reg, ev_mmap(MM2, 1, A + 16 * PG, PG, 1));
	child = mt_aspaces_by_tgid(&reg, PID + 1);
	assert_non_null(child);
	assert_null(child->shadow); /* waits for parent ticket 2 */
	/* parent ticket 2 unmaps A: the child must not see A */
	feed(&reg, ev_munmap(MM1, 2, A, PG));
	assert_non_null(child->shadow);
	assert_null(mt_shadow_find(child->shadow, A));
	assert_non_null(mt_shadow_find(child->shadow, A + 16 * PG));
	mt_aspaces_free(&reg);
}

/* A resync of the parent read a snapshot after its fork drew ticket 4 but
 * before the fork record arrived: the record is stale, the child must still
 * get the parent's address space, exactly when no later ticket was applied. */
static void test_fork_older_than_a_snapshot_still_seeds_the_child(void **state)
{
	struct mt_aspaces reg;
	struct mt_event f = ev(MT_EV_FORK, MM1, 4);
	struct mt_aspace *child;

	seed_empty(&reg, 0);
	feed(&reg, ev_mmap(MM1, 1, A, PG, 3));
	/* the snapshot at ticket 4 (A and B mapped) replaces the shadow */
	{
		struct mt_maps snap = { 0 };
		struct mt_region a = { .start = A, .end = A + PG, .perms = MT_PERM_READ | MT_PERM_WRITE };
		struct mt_region b = { .start = A + 16 * PG, .end = A + 17 * PG, .perms = MT_PERM_READ };

		assert_int_equal(mt_maps_append(&snap, &a, "", 0), 0);
		assert_int_equal(mt_maps_append(&snap, &b, "", 0), 0);
		assert_int_equal(mt_aspaces_seed(&reg, PID, MM1, 4, &snap), 0);
		mt_maps_free(&snap);
	}
	f.aux[0] = MM2;
	f.aux[1] = PID + 1;
	f.aux[2] = PID + 1;
	feed(&reg, f);
	child = mt_aspaces_by_tgid(&reg, PID + 1);
	assert_non_null(child);
	assert_non_null(child->shadow);
	assert_non_null(mt_shadow_find(child->shadow, A));
	assert_non_null(mt_shadow_find(child->shadow, A + 16 * PG));
	assert_false(child->resync); /* the parent was exactly at ticket 4 */

	/* a later ticket applied before the stale record: the copy is uncertain */
	feed(&reg, ev_munmap(MM1, 5, A, PG));
	f.seq = 3;
	f.aux[0] = MM2 + 0x1000;
	f.aux[1] = f.aux[2] = PID + 2;
	feed(&reg, f);
	child = mt_aspaces_by_tgid(&reg, PID + 2);
	assert_non_null(child);
	assert_non_null(child->shadow);
	assert_true(child->resync);
	mt_aspaces_free(&reg);
}

static void test_fork_skips_dontcopy(void **state)
{
	struct mt_aspaces reg;
	struct mt_event f, m;

	seed_empty(&reg, 0);
	feed(&reg, ev_mmap(MM1, 1, A, 2 * PG, 3));
	m = ev(MT_EV_MADVISE, MM1, 2);
	m.args[0] = A;
	m.args[1] = PG;
	m.args[2] = 10; /* MADV_DONTFORK */
	feed(&reg, m);
	f = ev(MT_EV_FORK, MM1, 3);
	f.aux[0] = MM2;
	f.aux[1] = PID + 1;
	feed(&reg, f);
	assert_null(mt_shadow_find(mt_aspaces_by_mm(&reg, MM2)->shadow, A));
	assert_non_null(mt_shadow_find(mt_aspaces_by_mm(&reg, MM2)->shadow, A + PG));
	mt_aspaces_free(&reg);
}

static int dumps_seen;
static uint64_t dump_regions;

static void count_dump(struct mt_aspace *as, const struct mt_maps *kernel, uint32_t reason, void *ctx)
{
	dumps_seen++;
	dump_regions = kernel->count;
	/* everything before the stamp is applied when the dump is delivered */
	assert_int_equal(as->next_seq, 3);
	assert_non_null(mt_shadow_find(as->shadow, A + PG));
}

static void test_exec_dump_seeds_and_exit_dump_is_ordered(void **state)
{
	struct mt_aspaces reg;
	struct mt_event e;

	mt_aspaces_init(&reg);
	reg.on_dump = count_dump;
	dumps_seen = 0;
	feed(&reg, ev(MT_EV_EXEC, MM1, 0));
	feed(&reg, ev_vma(MM1, 0, 7, A, A + PG));
	e = ev(MT_EV_DUMP_END, MM1, 0);
	e.args[0] = 7;
	e.args[1] = 1;
	e.aux[0] = MT_DUMP_EXEC;
	feed(&reg, e);
	assert_non_null(mt_aspaces_by_tgid(&reg, PID)->shadow);
	assert_non_null(mt_shadow_find(mt_aspaces_by_tgid(&reg, PID)->shadow, A));

	/* exit dump stamped 2 arrives before ticket 2 */
	feed(&reg, ev_mmap(MM1, 1, A + PG, PG, 3));
	feed(&reg, ev_vma(MM1, 2, 8, A, A + PG));
	feed(&reg, ev_vma(MM1, 2, 8, A + PG, A + 2 * PG));
	e = ev(MT_EV_DUMP_END, MM1, 2);
	e.args[0] = 8;
	e.args[1] = 2;
	e.aux[0] = MT_DUMP_EXIT;
	feed(&reg, e);
	assert_int_equal(dumps_seen, 0);
	feed(&reg, ev(MT_EV_SEQ_VOID, MM1, 2));
	assert_int_equal(dumps_seen, 1);
	assert_int_equal(dump_regions, 2);

	feed(&reg, ev(MT_EV_EXIT, 0, 0));
	assert_null(mt_aspaces_by_mm(&reg, MM1)); /* last user gone: released */
	mt_aspaces_free(&reg);
}

/* The exit record may reach user space before the ticket its exit dump
 * waits for (another thread's last call, on another CPU): the address
 * space stays until the dump has been delivered, then goes. */
static void test_exit_before_earlier_ticket_keeps_the_dump(void **state)
{
	struct mt_aspaces reg;
	struct mt_event e;

	mt_aspaces_init(&reg);
	reg.on_dump = count_dump;
	dumps_seen = 0;
	feed(&reg, ev(MT_EV_EXEC, MM1, 0));
	e = ev(MT_EV_DUMP_END, MM1, 0);
	e.aux[0] = MT_DUMP_EXEC;
	feed(&reg, e);
	feed(&reg, ev_mmap(MM1, 1, A + PG, PG, 3));
	feed(&reg, ev_vma(MM1, 2, 8, A + PG, A + 2 * PG));
	e = ev(MT_EV_DUMP_END, MM1, 2);
	e.args[0] = 8;
	e.args[1] = 1;
	e.aux[0] = MT_DUMP_EXIT;
	feed(&reg, e);
	feed(&reg, ev(MT_EV_EXIT, 0, 0));
	assert_non_null(mt_aspaces_by_mm(&reg, MM1)); /* the dump still waits */
	assert_true(mt_aspaces_by_mm(&reg, MM1)->exited);
	assert_null(mt_aspaces_by_tgid(&reg, PID));
	feed(&reg, ev(MT_EV_SEQ_VOID, MM1, 2));
	assert_int_equal(dumps_seen, 1);
	assert_null(mt_aspaces_by_mm(&reg, MM1)); /* delivered: released */
	mt_aspaces_free(&reg);
}

static void test_incomplete_dump_requests_resync(void **state)
{
	struct mt_aspaces reg;
	struct mt_event e;

	mt_aspaces_init(&reg);
	feed(&reg, ev(MT_EV_EXEC, MM1, 0));
	feed(&reg, ev_vma(MM1, 0, 9, A, A + PG));
	e = ev(MT_EV_DUMP_END, MM1, 0);
	e.args[0] = 9;
	e.args[1] = 2; /* the kernel sent two records, one was lost */
	e.aux[0] = MT_DUMP_EXEC;
	feed(&reg, e);
	assert_true(mt_aspaces_by_mm(&reg, MM1)->resync);
	assert_null(mt_aspaces_by_mm(&reg, MM1)->shadow);
	assert_int_equal(reg.incomplete_dumps, 1);
	mt_aspaces_free(&reg);
}

static bool released_by_exec;

static void note_release(struct mt_aspace *as, void *ctx)
{
	released_by_exec = as->replaced_by_exec;
}

/* exec_mmap() frees the old mm before sched_process_exec sends the exec
 * record, so a fork on another CPU can reuse its address first: the child
 * still registered there exec'd, and is retired as such. */
static void test_mm_reused_before_exec_record(void **state)
{
	struct mt_aspaces reg;
	struct mt_event f;

	seed_empty(&reg, 0);
	reg.on_release = note_release;
	f = ev(MT_EV_FORK, MM1, 1);
	f.aux[0] = MM2;
	f.aux[1] = PID + 1;
	feed(&reg, f);
	assert_non_null(mt_aspaces_by_tgid(&reg, PID + 1)->shadow);
	released_by_exec = false;
	f = ev(MT_EV_FORK, MM1, 2);
	f.aux[0] = MM2; /* PID + 1 exec'd: its old mm's address, reused */
	f.aux[1] = PID + 2;
	feed(&reg, f);
	assert_true(released_by_exec);
	assert_null(mt_aspaces_by_tgid(&reg, PID + 1));
	assert_ptr_equal(mt_aspaces_by_tgid(&reg, PID + 2), mt_aspaces_by_mm(&reg, MM2));
	mt_aspaces_free(&reg);
}

static void test_clone_vm_child_shares_and_exec_moves(void **state)
{
	struct mt_aspaces reg;
	struct mt_event f, x;

	seed_empty(&reg, 0);
	f = ev(MT_EV_FORK, MM1, 0);
	f.flags = MT_EVF_VM;
	f.aux[0] = MM1;
	f.aux[1] = PID + 1;
	feed(&reg, f);
	assert_ptr_equal(mt_aspaces_by_tgid(&reg, PID + 1), mt_aspaces_by_mm(&reg, MM1));
	assert_int_equal(mt_aspaces_by_mm(&reg, MM1)->users, 2);
	/* while the child runs in it (the parent waits in vfork), its pid
	 * is the one to stop at a checkpoint */
	assert_int_equal(mt_aspaces_by_mm(&reg, MM1)->pid, PID + 1);
	x = ev(MT_EV_EXEC, MM2, 0);
	x.pid = PID + 1;
	feed(&reg, x); /* vfork child execs: leaves the shared mm */
	assert_int_equal(mt_aspaces_by_mm(&reg, MM1)->users, 1);
	assert_ptr_equal(mt_aspaces_by_tgid(&reg, PID + 1), mt_aspaces_by_mm(&reg, MM2));
	/* the parent's again: checkpoints and resyncs read /proc/PID */
	assert_int_equal(mt_aspaces_by_mm(&reg, MM1)->pid, PID);
	assert_int_equal(mt_aspaces_by_mm(&reg, MM2)->pid, PID + 1);
	mt_aspaces_free(&reg);
}

/* posix_spawn's child (CLONE_VM|CLONE_VFORK) may also exit without exec
 * (exec failed: _exit(127)): the mm is the parent's alone again. */
static void test_clone_vm_child_exit_gives_the_mm_back(void **state)
{
	struct mt_aspaces reg;
	struct mt_event f, x;

	seed_empty(&reg, 0);
	f = ev(MT_EV_FORK, MM1, 0);
	f.flags = MT_EVF_VM;
	f.aux[0] = MM1;
	f.aux[1] = PID + 1;
	feed(&reg, f);
	x = ev(MT_EV_EXIT, MM1, 0);
	x.pid = x.tid = PID + 1;
	x.flags = MT_EVF_GROUP_DEAD;
	feed(&reg, x);
	assert_ptr_equal(mt_aspaces_by_tgid(&reg, PID), mt_aspaces_by_mm(&reg, MM1));
	assert_null(mt_aspaces_by_tgid(&reg, PID + 1));
	assert_int_equal(mt_aspaces_by_mm(&reg, MM1)->users, 1);
	assert_int_equal(mt_aspaces_by_mm(&reg, MM1)->pid, PID);
	mt_aspaces_free(&reg);
}

/* ipc/shm.c ksys_shmdt: with the page at addr unmapped, the first fragment
 * above it whose offset is its distance from addr still names the segment,
 * and every fragment of that attachment goes. */
static void test_shmdt_after_first_page_unmapped(void **state)
{
	struct mt_aspaces reg;
	struct mt_maps seed = { 0 };
	struct mt_region frag = { .perms = MT_PERM_READ | MT_PERM_WRITE | MT_PERM_SHARED,
				  .dev = 1, .inode = 77, .name = "/SYSV00000000" };
	struct mt_region other = { .start = A + 8 * PG, .end = A + 9 * PG, .perms = 3 };
	struct mt_shadow *s;

	frag.start = A + PG;           /* page 0 was munmapped */
	frag.end = A + 2 * PG;
	frag.offset = PG;
	assert_int_equal(mt_maps_append(&seed, &frag, frag.name, 13), 0);
	frag.start = A + 2 * PG;       /* split off by an mprotect */
	frag.end = A + 4 * PG;
	frag.offset = 2 * PG;
	frag.perms = MT_PERM_READ | MT_PERM_SHARED;
	assert_int_equal(mt_maps_append(&seed, &frag, frag.name, 13), 0);
	assert_int_equal(mt_maps_append(&seed, &other, NULL, 0), 0);
	mt_aspaces_init(&reg);
	assert_int_equal(mt_aspaces_seed(&reg, PID, MM1, 0, &seed), 0);
	mt_maps_free(&seed);

	struct mt_event e = ev(MT_EV_SHMDT, MM1, 1);
	e.args[0] = A;
	feed(&reg, e);
	s = mt_aspaces_by_mm(&reg, MM1)->shadow;
	assert_null(mt_shadow_find(s, A + PG));
	assert_null(mt_shadow_find(s, A + 3 * PG));
	assert_non_null(mt_shadow_find(s, A + 8 * PG)); /* not part of the segment */
	assert_false(mt_aspaces_by_mm(&reg, MM1)->resync);
	mt_aspaces_free(&reg);
}

/* shmat of a 4-page segment at A, as the BPF side reports it: the vma,
 * and its file, a pseudo file of the shm mount (device 1) named name. */
static void feed_shmat(struct mt_aspaces *reg, uint64_t seq, const char *name, uint64_t ino)
{
	struct mt_event e = ev(MT_EV_SHMAT, MM1, seq);

	e.ret = (int64_t)A;
	e.flags = MT_EVF_VMA_INFO | MT_EVF_FILE | MT_EVF_PSEUDO;
	e.dev = 1;
	e.ino = ino;
	e.aux[0] = A;
	e.aux[1] = A + 4 * PG;
	e.path_len = strlen(name);
	mt_aspaces_feed(reg, &e, name);
}

/* The first segment after boot has shmid 0, so its file's inode is 0
 * ("00:01 0 /SYSV00000000 (deleted)" in maps): still a file whose offset
 * advances across the pieces an mprotect makes, and one shmdt removes
 * every piece. */
static void test_shm_segment_with_inode_0(void **state)
{
	static const char name[] = "SYSV00000000";
	struct mt_aspaces reg;
	struct mt_event e;
	struct mt_shadow *s;

	seed_empty(&reg, 0);
	feed_shmat(&reg, 1, name, 0);
	e = ev(MT_EV_MPROTECT, MM1, 2);
	e.args[0] = A + PG;
	e.args[1] = PG;
	e.args[2] = 1; /* PROT_READ */
	feed(&reg, e);
	s = mt_aspaces_by_mm(&reg, MM1)->shadow;
	assert_int_equal(mt_shadow_find(s, A + PG)->offset, PG);
	assert_int_equal(mt_shadow_find(s, A + 2 * PG)->offset, 2 * PG);
	e = ev(MT_EV_SHMDT, MM1, 3);
	e.args[0] = A;
	feed(&reg, e);
	for (uint64_t pg = 0; pg < 4; pg++)
		assert_null(mt_shadow_find(s, A + pg * PG));
	assert_false(mt_aspaces_by_mm(&reg, MM1)->resync);
	mt_aspaces_free(&reg);
}

/* A file of a real file system named like a segment ("/SYSV<key>
 * (deleted)": a file created at / and unlinked) mapped where an
 * attachment's first page was: ksys_shmdt() goes by the vma's operations,
 * so it detaches the segment's rest and leaves the file. */
static void test_shmdt_passes_a_file_named_like_a_segment(void **state)
{
	static const char seg[] = "SYSV00000000", file[] = "SYSV4d540001/";
	struct mt_aspaces reg;
	struct mt_event e;
	struct mt_shadow *s;

	seed_empty(&reg, 0);
	feed_shmat(&reg, 1, seg, 5);
	e = ev(MT_EV_MUNMAP, MM1, 2);
	e.args[0] = A;
	e.args[1] = PG;
	feed(&reg, e);
	e = ev(MT_EV_MMAP, MM1, 3);
	e.ret = (int64_t)A;
	e.args[0] = A;
	e.args[1] = PG;
	e.args[2] = 3;           /* PROT_READ|PROT_WRITE */
	e.args[3] = 0x01 | 0x10; /* MAP_SHARED|MAP_FIXED */
	e.flags = MT_EVF_FILE | MT_EVF_DELETED | MT_EVF_PATH_REVERSED;
	e.dev = 8 << 20 | 1;     /* the root file system's */
	e.ino = 1234;
	e.path_len = sizeof(file) - 1;
	mt_aspaces_feed(&reg, &e, file);
	s = mt_aspaces_by_mm(&reg, MM1)->shadow;
	assert_string_equal(mt_shadow_find(s, A)->name, "/SYSV4d540001");
	e = ev(MT_EV_SHMDT, MM1, 4);
	e.args[0] = A;
	feed(&reg, e);
	assert_non_null(mt_shadow_find(s, A)); /* the file stays */
	for (uint64_t pg = 1; pg < 4; pg++)
		assert_null(mt_shadow_find(s, A + pg * PG));
	assert_false(mt_aspaces_by_mm(&reg, MM1)->resync);
	mt_aspaces_free(&reg);
}

/* A kernel without the vma iterator kfuncs (before 6.7) sends no exec
 * dump, only its end marked MT_DUMP_NOT_TAKEN: the new address space is
 * read by the iterator instead (a resync), and no dump counts as lost. */
static void test_exec_dump_not_taken_asks_for_a_snapshot(void **state)
{
	struct mt_aspaces reg;
	struct mt_event e;

	mt_aspaces_init(&reg);
	feed(&reg, ev(MT_EV_EXEC, MM2, 0));
	e = ev(MT_EV_DUMP_END, MM2, 0);
	e.aux[0] = MT_DUMP_EXEC;
	e.args[0] = 1;
	e.args[2] = MT_DUMP_NOT_TAKEN;
	feed(&reg, e);
	assert_true(mt_aspaces_by_mm(&reg, MM2)->resync);
	assert_null(mt_aspaces_by_mm(&reg, MM2)->shadow);
	assert_int_equal(reg.dumps_not_taken, 1);
	assert_int_equal(reg.incomplete_dumps, 0);
	mt_aspaces_free(&reg);
}

static void test_vma_to_region(void **state)
{
	struct mt_region r;

	mt_vma_to_region(A, A + PG, 3, MT_VM_READ | MT_VM_EXEC | MT_VM_MAYSHARE, 0xfd00001, 42, &r);
	assert_int_equal(r.perms, MT_PERM_READ | MT_PERM_EXEC | MT_PERM_SHARED);
	assert_int_equal(r.offset, 3 * PG);
	mt_vma_to_region(A, A + PG, A / PG, MT_VM_READ | MT_VM_WRITE, 0, 0, &r);
	assert_int_equal(r.offset, 0); /* anonymous: maps prints 0 */
}

/* A pid and its mm_struct both recycled (tests/workloads/pid_reuse shows the
 * kernel does hand a new process the freed mm at once): the first owner's
 * events, one still waiting in its heap for a lost ticket and its exit
 * record lost, must never reach the second owner's shadow. The second owner
 * is a copy of its parent at the fork ticket, and its own tickets restart
 * at 1. */
static void test_pid_and_mm_recycled(void **state)
{
	struct mt_aspaces reg;
	struct mt_event f, m;
	struct mt_aspace *second;

	seed_empty(&reg, 0);                       /* the parent: PID at MM1 */
	f = ev(MT_EV_FORK, MM1, 1);
	f.aux[0] = MM2;
	f.aux[1] = f.aux[2] = PID + 1;
	feed(&reg, f);                             /* first owner of PID + 1 at MM2 */
	m = ev_mmap(MM2, 1, A, PG, 3);
	m.pid = m.tid = PID + 1;
	feed(&reg, m);
	m = ev_mmap(MM2, 3, A + 4 * PG, PG, 3);    /* ticket 2 was lost: waits */
	m.pid = m.tid = PID + 1;
	feed(&reg, m);
	assert_int_equal(mt_aspaces_by_mm(&reg, MM2)->npending, 1);
	/* its exit record is lost too; the same pid and mm come back */
	f = ev(MT_EV_FORK, MM1, 2);
	f.aux[0] = MM2;
	f.aux[1] = f.aux[2] = PID + 1;
	feed(&reg, f);
	second = mt_aspaces_by_tgid(&reg, PID + 1);
	assert_non_null(second);
	assert_ptr_equal(second, mt_aspaces_by_mm(&reg, MM2));
	assert_non_null(second->shadow);
	assert_int_equal(second->npending, 0);
	assert_int_equal(second->next_seq, 1);
	assert_null(mt_shadow_find(second->shadow, A));
	assert_null(mt_shadow_find(second->shadow, A + 4 * PG));
	/* its own ticket 1 applies; the first owner's ticket 3 is gone for good */
	m = ev_mmap(MM2, 1, A + 8 * PG, PG, 1);
	m.pid = m.tid = PID + 1;
	feed(&reg, m);
	assert_non_null(mt_shadow_find(second->shadow, A + 8 * PG));
	assert_null(mt_shadow_find(second->shadow, A + 4 * PG));
	assert_int_equal(second->applied, 1);
	mt_aspaces_free(&reg);
}

/* Found by tests/fuzz/fuzz_events.c (seed gen-hostile-numbers): a FORK
 * record whose child mm is the parent's own mm (create() retired the parent)
 * or whose child tgid was the parent's only user (set_tgid_mm() released
 * it) left on_fork reading the freed parent. The child is then learned
 * later (resync), and nothing is read after it is freed. */
static void test_fork_naming_parent_mm_or_tgid(void **state)
{
	struct mt_aspaces reg;
	struct mt_event f;
	struct mt_aspace *child;

	seed_empty(&reg, 0);
	f = ev(MT_EV_FORK, MM1, 1);
	f.aux[0] = MM1;          /* child mm = parent mm, no CLONE_VM */
	f.aux[1] = PID + 1;
	feed(&reg, f);
	child = mt_aspaces_by_mm(&reg, MM1);
	assert_non_null(child);
	assert_null(child->shadow);
	assert_true(child->resync);
	assert_ptr_equal(mt_aspaces_by_tgid(&reg, PID + 1), child);
	mt_aspaces_free(&reg);

	seed_empty(&reg, 0);
	f = ev(MT_EV_FORK, MM1, 1);
	f.aux[0] = MM2;
	f.aux[1] = PID;          /* child tgid = the parent's only user */
	feed(&reg, f);
	assert_null(mt_aspaces_by_mm(&reg, MM1));
	child = mt_aspaces_by_mm(&reg, MM2);
	assert_non_null(child);
	assert_null(child->shadow);
	assert_true(child->resync);
	mt_aspaces_free(&reg);
}

/* Found by tests/fuzz/fuzz_events.c (this record, minimised): a VMA record
 * of an anonymous vma named by prctl (ret = MT_NAME_ANON) without
 * MT_EVF_FILE reached mt_maps_append_named with no name bytes, which
 * passed NULL to memcpy (undefined even for 0 bytes). (The 168-byte
 * layout: 8 zero bytes of cgroup at offset 120.) */
static void test_vma_record_anon_name_without_bytes(void **state)
{
	static const unsigned char rec[] = {
		0x18, 0x9c, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24, 0x9a, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x10, 0x00, 0x00, 0x81, 0x88, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xfe, 0x7f, 0x00, 0x00, 0x00, 0x10, 0x02, 0x00, 0xfe, 0x7f, 0x00, 0x00,
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x11, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x74, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct mt_aspaces reg;
	struct mt_event e;
	struct mt_aspace *as;

	assert_int_equal(sizeof(rec), sizeof(e));
	memcpy(&e, rec, sizeof(e));
	assert_int_equal(e.kind, MT_EV_VMA);
	assert_int_equal(e.ret, MT_NAME_ANON);
	seed_empty(&reg, 0);
	mt_aspaces_feed(&reg, &e, "");
	as = mt_aspaces_by_mm(&reg, MM1);
	assert_non_null(as);
	assert_int_equal(as->dump.count, 1);
	assert_string_equal(as->dump.regions[0].name, "[anon:]");
	assert_true(as->dump.regions[0].start == 0x7ffe00000000ULL);
	mt_aspaces_free(&reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reordered_munmap_then_mmap),
		cmocka_unit_test(test_stale_events_after_snapshot),
		cmocka_unit_test(test_void_ticket_fills_gap),
		cmocka_unit_test(test_failed_calls_wait_for_the_reseed),
		cmocka_unit_test(test_failed_mprotect_applies_up_to_the_gap),
		cmocka_unit_test(test_failed_mprotect_without_gap_waits_for_the_reseed),
		cmocka_unit_test(test_reseed_dump_after_failed_call),
		cmocka_unit_test(test_reseed_not_taken_asks_for_a_resync),
		cmocka_unit_test(test_map_vdso_learnt_from_the_reseed_dump),
		cmocka_unit_test(test_fork_copies_parent_at_its_ticket),
		cmocka_unit_test(test_fork_older_than_a_snapshot_still_seeds_the_child),
		cmocka_unit_test(test_fork_skips_dontcopy),
		cmocka_unit_test(test_exec_dump_seeds_and_exit_dump_is_ordered),
		cmocka_unit_test(test_incomplete_dump_requests_resync),
		cmocka_unit_test(test_clone_vm_child_shares_and_exec_moves),
		cmocka_unit_test(test_clone_vm_child_exit_gives_the_mm_back),
		cmocka_unit_test(test_fork_naming_parent_mm_or_tgid),
		cmocka_unit_test(test_pid_and_mm_recycled),
		cmocka_unit_test(test_vma_record_anon_name_without_bytes),
		cmocka_unit_test(test_shmdt_after_first_page_unmapped),
		cmocka_unit_test(test_shm_segment_with_inode_0),
		cmocka_unit_test(test_shmdt_passes_a_file_named_like_a_segment),
		cmocka_unit_test(test_exec_dump_not_taken_asks_for_a_snapshot),
		cmocka_unit_test(test_exit_before_earlier_ticket_keeps_the_dump),
		cmocka_unit_test(test_mm_reused_before_exec_record),
		cmocka_unit_test(test_vma_to_region),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
