// SPDX-License-Identifier: GPL-2.0
/* maptrace.bpf.c - watch the kernel change address spaces.
 *
 * Design:
 *  - The raw sys_exit tracepoint (tp_btf: no tracefs needed, and one
 *    attachment instead of one per syscall, each of which costs an RCU grace
 *    period to detach) sees every syscall; `syscall_kind`, filled by the
 *    loader with this architecture's numbers, picks the ones that create,
 *    remove, move or re-protect a mapping, and emits one mt_event with the
 *    arguments (still in the saved user registers at exit) and the result.
 *    No enter-side program runs on the hot path: a second program on every
 *    syscall cost ~150 ns per mapping call. sys_enter is attached only for
 *    call durations (enter_times) and, on kernels whose exit tracepoint
 *    fires after the mm is gone, for the exit_group() dump.
 *  - Order: the ring buffer is not the order in which the kernel changed an
 *    address space (two threads on two CPUs reach it in either order). While
 *    such a syscall holds the mmap write lock, the mmap_lock tracepoint gives
 *    it a ticket from a per-mm counter (tickets.bpf.h); tickets are therefore in
 *    the order of the write-lock critical sections, and user space applies
 *    events of one mm by ticket. mmap_write_unlock() traces before up_write()
 *    and the acquire tracepoint fires with the lock held (include/linux/
 *    mmap_lock.h), so no two sections can draw tickets out of order.
 *  - Process lifecycle from sched tracepoints: fork (children of traced
 *    processes become traced), exec (a new mm, dumped VMA by VMA right here
 *    so user space starts from an exact image) and exit.
 *  - Filtering happens here: `traced` holds the tgids to follow unless
 *    trace_all; everything else returns after one hash lookup.
 *  - Every record that cannot be reserved is counted (per-CPU `stats`) and
 *    its mm remembered in `lost_mms` so user space resynchronises it.
 *
 * The legacy object (MT_LEGACY, built from this file by
 * maptrace_legacy.bpf.c, Tetragon-style one object per kernel range) is for
 * kernels that lack what the above needs (Linux 5.10: no mmap_lock
 * tracepoints, task storage, bpf_get_current_task_btf(), bpf_task_pt_regs(),
 * bpf_loop(), bpf_find_vma(), task_vma iterator, fetching atomics). The
 * loader picks it from probed facts. It differs only where it must:
 *  - the call state lives in a hash keyed by thread id, created at sys_enter
 *    for wanted calls of traced threads and always deleted at sys_exit (and
 *    at the thread's exit): sys_enter is attached there on every syscall;
 *  - tickets are drawn in fexit programs on down_write_killable() and
 *    down_write(), the rwsem calls behind mmap_write_lock_killable() and
 *    mmap_write_lock() before 5.11 (include/linux/mmap_lock.h), when the
 *    semaphore is the caller's mm->mmap_lock, it was taken (0 returned) and
 *    the thread is in a wanted call: an fexit program runs after the lock is
 *    taken and before the caller can release it, the same guarantee as the
 *    acquire tracepoint. fexit rather than kretprobe: it sees the argument
 *    and the result in one program, and has no maxactive instance limit
 *    (a kretprobe on a lock that sleeps silently misses returns under
 *    contention, and a missed ticket is a misordered event);
 *  - the current task is read with bpf_get_current_task() and CO-RE probe
 *    reads; the dentry path walk is a bounded loop; there is no vma lookup
 *    (events carry no MT_EVF_VMA_INFO: user space re-reads the address
 *    space) and no in-kernel dump (MT_DUMP_NOT_TAKEN, as without kfuncs);
 *  - snapshots are /proc/PID/maps read by the loader: fexit on mm_access()
 *    tells it which mm the file it opened shows, and fexit on
 *    down_read_killable() that mm's ticket count at each batch of lines
 *    (proc_snap), which stamps the text.
 *
 * The no-BTF object (MT_NOBTF, on top of MT_LEGACY, built by
 * maptrace_nobtf.bpf.c) is for kernels without CONFIG_DEBUG_INFO_BTF: no
 * program may need the kernel's BTF to load or attach, so no tp_btf, fexit
 * or iterator, and no BTF-typed helper. CO-RE relocations come from a BTF
 * file the user supplies (--btf). It differs from the legacy object where
 * it must:
 *  - classic (perf) tracepoints for syscalls and the sched events; the
 *    record of raw_syscalls/sys_enter holds the arguments, which the call
 *    state keeps for sys_exit, whose record has only the number and result
 *    (no user registers: stacks are frame-pointer walks, bpf_get_stack());
 *  - tickets from the classic mmap_lock_acquire_returned tracepoint (5.11),
 *    else from kprobes on up_write() and downgrade_write() at their entry,
 *    where the mmap write lock is still held: the same order as the
 *    acquire. brk's old break is then read at sys_enter, and trusted only
 *    when no other write-locked call of the mm came in between;
 *  - snapshots are /proc read while the process is stopped (user space),
 *    stamped with its mm's ticket count; the mm of a process seen through
 *    no event yet is learnt when it takes the SIGSTOP that stops it
 *    (signal_deliver).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maptrace/events.h"
#include "file.bpf.h"
#include "syscall.bpf.h"
#include "tickets.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Knobs, set by the loader before load (0 = off). */
const volatile bool trace_all = false;   /* every process but the tracer */
const volatile __u32 tracer_tgid = 0;    /* never trace ourselves */
const volatile bool dump_exit = false;   /* dump each address space at its last exit (verify) */
const volatile bool enter_times = false; /* record when each call entered (sys_enter attached) */
const volatile bool event_times = true;  /* stamp each event (a clock read: ~35 ns) */
const volatile bool event_cgroups;       /* name each event's cgroup (serve's series) */
const volatile __u32 wakeup_bytes = MT_WAKEUP_BYTES; /* wake the loader once this much waits */
const volatile __u32 stack_mode = MT_STACKS_NONE; /* enum mt_stack_mode */
const volatile __u32 stack_bytes = 8192;         /* DWARF sample size, <= MT_STACK_MAX */
const volatile bool vma_kfuncs = true;  /* dump with the bpf_iter_task_vma kfuncs (6.7) */
/* sched_process_exit runs before exit_mm() (6.16, "exit: move and extend
 * sched_process_exit() tracepoint"); before that, the exit dump is taken
 * in exit_mm() itself (on_mmap_lock). Probed by the loader (features.h). */
const volatile bool exit_tp_sees_mm = true;
/* syscall number -> enum mt_event_kind (or MT_SC_EXIT_GROUP); 0 = not ours */
const volatile __u8 syscall_kind[MT_MAX_SYSCALLS] = {};

#define EPERM 1
#define ENOMEM 12
#define READ_IMPLIES_EXEC 0x0400000 /* include/uapi/linux/personality.h */
#define S_IFMT  00170000
#define S_IFCHR 0020000
#define PF_EXITING 0x00000004 /* include/linux/sched.h */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by the loader (--buffer) */
} events SEC(".maps");

/* tgids to trace (value unused); children are added at fork */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/* The mapping call a thread is in, between the mmap lock and sys_exit, in
 * the thread's own task-local storage: no hashing or bucket locks, no table
 * to size, and nothing left behind by a thread that dies inside a call.
 * Only traced threads get one, so finding it also answers "is this thread
 * traced?" without the `traced` lookup. sys_exit clears it. */
struct call_state {
	__u64 enter_ns; /* when the call entered (enter_times), else 0 */
	__u64 mm;       /* mm whose write lock the call took (ticket's mm) */
	__u64 seq;      /* ticket, 0 = no write lock taken (yet) */
	__u64 aux[2];   /* brk: start_brk and brk when it took the write lock;
			   legacy fork: aux[0] = clone flags, from sys_enter */
	__u64 stack_mm, stack_lo, stack_hi; /* the thread's stack vma, as last found (DWARF stacks) */
#ifdef MT_LEGACY
	__u32 kind;     /* the call's enum mt_event_kind (no bpf_task_pt_regs()) */
	__u32 pad;
#endif
#ifdef MT_NOBTF
	__u64 args[6];  /* from sys_enter's record: sys_exit's has none */
	__u64 enter_seq; /* brk: the mm's ticket count when aux[] was read */
#endif
};

#ifdef MT_LEGACY
/* No task storage for tracing programs before 5.13: a hash keyed by thread
 * id. Preallocated, so creating an entry never allocates in a tracing
 * program; sized for the threads that are inside a mapping call at once. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct call_state);
} call_states SEC(".maps");

static __always_inline struct call_state *call_state_get(bool create)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (create) {
		struct call_state fresh = {};

		if (bpf_map_update_elem(&call_states, &tid, &fresh, BPF_ANY))
			return NULL;
	}
	return bpf_map_lookup_elem(&call_states, &tid);
}

/* No BTF-typed current task before 5.11 (bpf_get_current_task_btf()):
 * every field is a CO-RE probe read. */
#define current_task() ((struct task_struct *)bpf_get_current_task())
#else
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call_state);
} call_states SEC(".maps");

static __always_inline struct call_state *call_state_get(bool create)
{
	return bpf_task_storage_get(&call_states, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

#define current_task() bpf_get_current_task_btf()
#endif

#ifdef MT_NOBTF
/* tgid -> mm of each traced process, as last seen: at fork, at exec and as
 * it takes a SIGSTOP. The loader stops a process to read its address space
 * (no in-kernel snapshot without BTF) and stamps what it read with that
 * mm's ticket count; a -p target is seen first as it takes that SIGSTOP. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} tgid_mm SEC(".maps");


static __always_inline void note_tgid_mm(__u32 tgid, __u64 mm)
{
	if (mm)
		bpf_map_update_elem(&tgid_mm, &tgid, &mm, BPF_ANY);
}
#endif

/* mms that lost events, with how many (user space resynchronises them) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} lost_mms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MT_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* an event being built: too big for the 512-byte BPF stack */
struct scratch {
	struct mt_event e;
	char path[MT_PATH_BUF];
};

/* Each program builds its events in its own per-CPU slot. A program cannot
 * overlap itself on a CPU (the kernel skips a run while one is in
 * progress), but since tracepoint callbacks became preemptible (they run
 * under SRCU-fast, migration disabled, in 7.x), a run preempted halfway
 * lets any other program run on its CPU: a shared buffer would be
 * overwritten under it. */
enum scratch_slot {
	SLOT_SYS_EXIT = 0,
	SLOT_MM_LOCK,
	SLOT_FORK,
	SLOT_EXEC,
	SLOT_EXIT,
	SLOT__COUNT
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOT__COUNT);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Describe a mapped file into this CPU's scratch event and path (of slot).
 * A global function, so the verifier checks it once per program instead of
 * once per call site and loop state: inlined into the dump's VMA loop it
 * made each program that dumps cost ~97,000 verified instructions and 60 ms
 * of load time (kernel/bpf/verifier.c verifies global subprograms
 * independently). */
__noinline int describe_scratch_file(__u64 file, __u32 slot)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch, &slot);

	if (!s || !file)
		return -1;
	describe_file((struct file *)file, &s->e, s->path);
	return 0;
}

/* a user stack being sent: registers and up to MT_STACK_MAX bytes of stack */
struct stack_scratch {
	struct mt_event e;
	struct mt_user_regs regs;
	__u8 stack[MT_STACK_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOT_SYS_EXIT + 1); /* stacks are sent from sys_exit only */
	__type(key, __u32);
	__type(value, struct stack_scratch);
} stack_scratch SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &stat);

	if (v)
		*v += 1;
}

static __always_inline bool trace_allowed(__u32 tgid)
{
	if (tgid == tracer_tgid)
		return false;
	if (trace_all)
		return true;
	return bpf_map_lookup_elem(&traced, &tgid) != NULL;
}

/* The fields every record starts with. */
static __always_inline void event_init(struct mt_event *e, __u32 kind)
{
#ifdef MT_LEGACY
	__u64 id = bpf_get_current_pid_tgid();

	__builtin_memset(e, 0, sizeof(*e));
	if (event_times)
		e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->kind = kind;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (event_cgroups)
		e->cgroup = bpf_get_current_cgroup_id();
#else
	struct task_struct *task = bpf_get_current_task_btf();

	__builtin_memset(e, 0, sizeof(*e));
	if (event_times)
		e->ts_ns = bpf_ktime_get_ns();
	/* plain loads from the task rather than two helper calls per event */
	e->pid = task->tgid;
	e->tid = task->pid;
	e->kind = kind;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	/* (a helper since 4.18: the cgroup v2 id, whatever v1 hierarchies
	 * the task is in too) */
	if (event_cgroups)
		e->cgroup = bpf_get_current_cgroup_id();
#endif
}

/* An event that may carry a path is built in per-CPU scratch memory and
 * copied out by submit(): its length is known only at the end. */
static __always_inline struct scratch *scratch_event(__u32 slot, __u32 kind)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch, &slot);

	if (s)
		event_init(&s->e, kind);
	return s;
}

/* Bytes each CPU submitted since it last looked at the ring's fill level. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} since_wakeup_check SEC(".maps");

static __always_inline __u64 wakeup_flags(__u64 bytes)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&since_wakeup_check, &zero);

	/* Waking the consumer per record costs microseconds; let data pile up
	 * (user space polls on a short timeout) unless there is plenty. Even
	 * the fill level is read only after an eighth of the threshold per
	 * CPU (counted in bytes: stack records are 100 times larger than
	 * calls): it lives on the consumer's cache line, which the loader
	 * writes as it reads. */
	if (n && (*n += bytes) < wakeup_bytes / 8)
		return BPF_RB_NO_WAKEUP;
	if (n)
		*n = 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* How many losses were noted in lost_mms: user space reads it from the
 * mmap'ed .bss every tick and walks lost_mms only when it moved (a hash
 * walk costs a syscall per bucket scan: it took 40% of the loader's CPU). */
__u64 lost_mm_notes;

static __always_inline void note_lost_mm(__u64 mm)
{
	__u64 one = 1, *n;

	if (!mm)
		return;
	n = bpf_map_lookup_elem(&lost_mms, &mm);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&lost_mms, &mm, &one, BPF_NOEXIST);
	/* after the entry exists: a loader that sees the count move must find it */
	__sync_fetch_and_add(&lost_mm_notes, 1);
}

/* Send s->e and its path with these ring-buffer flags; count and remember
 * the loss if the buffer is full. */
static __always_inline int submit_flags(struct scratch *s, __u32 drop_stat, __u64 flags)
{
	__u32 len = s->e.path_len;

	if (len > MT_PATH_MAX)
		len = MT_PATH_MAX;
	s->e.path_len = len;
	if (bpf_ringbuf_output(&events, s, sizeof(s->e) + len, flags)) {
		count(drop_stat);
		note_lost_mm(s->e.mm);
		return -1;
	}
	return 0;
}

static __always_inline int submit(struct scratch *s, __u32 drop_stat)
{
	return submit_flags(s, drop_stat, wakeup_flags(sizeof(s->e) + s->e.path_len));
}

static __always_inline __u64 current_mm(void)
{
#ifdef MT_LEGACY
	return (__u64)BPF_CORE_READ(current_task(), mm);
#else
	return (__u64)bpf_get_current_task_btf()->mm;
#endif
}

#ifndef MT_LEGACY
/* The current task's saved user registers (its syscall's arguments and
 * number): what a tp_btf syscall tracepoint hands over, for every other
 * program (bpf_task_pt_regs(), 5.15). */
static __always_inline struct pt_regs *current_user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}
#endif

/* ---- which calls --------------------------------------------------------- */

/* The mapping-call kind of a native syscall number, 0 if none. */
static __always_inline __u32 native_syscall_kind(long nr)
{
	if (nr < 0 || nr >= MT_MAX_SYSCALLS)
		return 0;
	return syscall_kind[nr];
}

/* The mapping-call kind of the syscall the current thread is in (or returns
 * from), 0 if none. ia32 syscalls have other numbers (ia32 9 is link, not
 * mmap): they are only counted. */
static __always_inline __u32 syscall_kind_of(long nr)
{
	return compat_syscall() ? 0 : native_syscall_kind(nr);
}

/* Whether a call of this kind, with these arguments, is one we report:
 * only the madvise() advice that changes what fork copies, only the prctl()
 * that names anonymous memory, only the arch_prctl() that maps a vDSO. */
static __always_inline bool call_args_wanted(__u32 kind, const __u64 args[6])
{
	if (kind == MT_EV_MADVISE)
		return args[2] == MT_MADV_DONTFORK || args[2] == MT_MADV_DOFORK;
	if (kind == MT_EV_MAP_VDSO)
		return args[0] >= MT_ARCH_MAP_VDSO_X32 && args[0] <= MT_ARCH_MAP_VDSO_64;
	if (kind == MT_EV_PRCTL_VMA_NAME)
		return args[0] == MT_PR_SET_VMA && args[1] == MT_PR_SET_VMA_ANON_NAME;
	return kind != 0 && kind != MT_SC_EXIT_GROUP;
}

/* The same, reading the arguments only for the kinds that need them. */
static __always_inline bool call_wanted(__u32 kind, struct pt_regs *regs)
{
	__u64 args[6];

	if (kind != MT_EV_MADVISE && kind != MT_EV_PRCTL_VMA_NAME && kind != MT_EV_MAP_VDSO)
		return kind != 0 && kind != MT_SC_EXIT_GROUP;
	syscall_args(regs, args);
	return call_args_wanted(kind, args);
}

/* ---- enter side (only for call durations and old kernels' exit dump) ---- */

static __always_inline void dump_current_mm(__u32 slot, __u32 reason);

static __always_inline int on_sys_enter(struct pt_regs *regs, long nr)
{
	__u32 kind = syscall_kind_of(nr);
	struct call_state *c;

#ifdef MT_LEGACY
	/* the call state tells the lock's fexit program which call it is in */
	if (!call_wanted(kind, regs) || !trace_allowed(bpf_get_current_pid_tgid() >> 32))
		return 0;
#else
	if (!enter_times || !call_wanted(kind, regs) ||
	    !trace_allowed(bpf_get_current_pid_tgid() >> 32))
		return 0;
#endif
	c = call_state_get(true);
	if (!c) {
		count(MT_STAT_INFLIGHT_FULL);
		return 0;
	}
#ifdef MT_LEGACY
	c->kind = kind;
	if (kind == MT_EV_FORK)
		c->aux[0] = syscall_arg0(regs); /* for on_fork: no bpf_task_pt_regs() */
	if (!enter_times)
		return 0;
#endif
	c->enter_ns = bpf_ktime_get_ns();
	return 0;
}

#ifndef MT_NOBTF
SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long nr)
{
	return on_sys_enter(regs, nr);
}
#else
/* The call state of a wanted call of a traced thread, with its arguments
 * (sys_exit's record has none) and, for brk, the break before the call:
 * tickets drawn at the unlock come after brk() moved it. */
SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter_nobtf(struct trace_event_raw_sys_enter *rec)
{
	__u32 kind = syscall_kind_of(rec->id);
	struct call_state *c;
	__u64 args[6];

	if (!kind || kind == MT_SC_EXIT_GROUP)
		return 0;
	/* one load per field at a constant offset: the verifier refuses a
	 * context pointer moved by a loop index */
	args[0] = rec->args[0];
	args[1] = rec->args[1];
	args[2] = rec->args[2];
	args[3] = rec->args[3];
	args[4] = rec->args[4];
	args[5] = rec->args[5];
	if (!call_args_wanted(kind, args) || !trace_allowed(bpf_get_current_pid_tgid() >> 32))
		return 0;
	c = call_state_get(true);
	if (!c) {
		count(MT_STAT_INFLIGHT_FULL);
		note_lost_mm(current_mm()); /* its event cannot be built */
		return 0;
	}
	c->kind = kind;
	for (int i = 0; i < 6; i++)
		c->args[i] = args[i];
	if (kind == MT_EV_FORK)
		c->aux[0] = args[0];
	if (kind == MT_EV_BRK) {
		struct mm_struct *mm = (struct mm_struct *)current_mm();

		c->enter_seq = ticket_last((__u64)mm);
		c->aux[0] = BPF_CORE_READ(mm, start_brk);
		c->aux[1] = BPF_CORE_READ(mm, brk);
	}
	if (enter_times)
		c->enter_ns = bpf_ktime_get_ns();
	return 0;
}
#endif

/* ---- ordering tickets --------------------------------------------------- */

static __always_inline void emit_void(__u32 slot, __u64 mm, __u64 seq)
{
	struct scratch *s = scratch_event(slot, MT_EV_SEQ_VOID);

	if (!s)
		return;
	s->e.mm = mm;
	s->e.seq = seq;
	submit(s, MT_STAT_DROPPED);
}

/* Give the call in c its ticket for mm, whose write lock the current thread
 * has just taken, or, at_unlock, is about to release (every object: the
 * lock hook differs, the counting not). */
static __always_inline void draw_ticket(struct call_state *c, __u64 mm, __u32 kind, bool at_unlock)
{
	__u64 *counter;

	/* A call that write-locks twice wastes its first ticket: say so, or
	 * user space would wait for it forever. */
	if (c->seq)
		emit_void(SLOT_MM_LOCK, c->mm, c->seq);
	c->seq = 0;
	/* c->mm keeps the call's mm and is the cell that turns the pointer
	 * into a number for the slot hash (pointer_value_in) */
	counter = ticket_counter(pointer_value_in(&c->mm, mm), true);
	if (!counter) {
		count(MT_STAT_SEQ_FULL);
		note_lost_mm(mm);
		return;
	}
	c->seq = ticket_next(counter);
#ifdef MT_NOBTF
	/* brk() has moved the break by its unlock: the one read at sys_enter
	 * holds if no other write-locked call of the mm came in between */
	if (at_unlock) {
		if (kind == MT_EV_BRK && c->seq != c->enter_seq + 1)
			note_lost_mm(mm);
		return;
	}
#endif
	if (kind == MT_EV_BRK) {
		/* the heap before this call changes it: brk() reads mm->brk
		 * right after taking this lock (mm/mmap.c) */
#ifdef MT_LEGACY
		c->aux[0] = BPF_CORE_READ((struct mm_struct *)mm, start_brk);
		c->aux[1] = BPF_CORE_READ((struct mm_struct *)mm, brk);
#else
		/* mm is the current task's (on_mmap_lock): read it through the
		 * task's BTF pointer, as a classic tracepoint's record holds
		 * only its address */
		struct mm_struct *own = bpf_get_current_task_btf()->mm;

		c->aux[0] = own->start_brk;
		c->aux[1] = own->brk;
#endif
	}
}

#if defined(MT_LEGACY) && !defined(MT_NOBTF)
/* The rwsem a thread just took for writing: a ticket when it is the mmap
 * lock of the thread's own mm (not the child's in dup_mmap(), not an inode's
 * i_rwsem) and the thread is inside a wanted mapping call (its call state,
 * created at sys_enter, exists only then: work after sys_exit, such as a
 * signal frame, draws none). */
static __always_inline int on_write_lock(__u64 sem)
{
	struct call_state *c = call_state_get(false);
	__u64 mm;

	if (!c)
		return 0;
	mm = (__u64)BPF_CORE_READ(current_task(), mm);
	if (!mm || sem != mm + bpf_core_field_offset(struct mm_struct, mmap_lock))
		return 0;
	draw_ticket(c, mm, c->kind, false);
	return 0;
}

/* mmap_write_lock_killable(): mmap, munmap, mprotect, brk, mremap, shmat,
 * shmdt, madvise, aio ring setup and teardown, fork's dup_mmap() */
SEC("fexit/down_write_killable")
int BPF_PROG(dwk_exit, struct rw_semaphore *sem, int ret)
{
	if (ret)
		return 0; /* -EINTR: not taken */
	return on_write_lock((__u64)sem);
}

/* mmap_write_lock(): remap_file_pages() */
SEC("fexit/down_write")
int BPF_PROG(dw_exit, struct rw_semaphore *sem)
{
	return on_write_lock((__u64)sem);
}
#elif defined(MT_NOBTF)
/* The current thread holds the write lock of mm (taking it, or about to
 * release it): a ticket when mm is its own (not the child's in dup_mmap())
 * and it is inside a wanted mapping call (the call state exists only
 * between sys_enter and sys_exit). */
static __always_inline int on_own_write_lock(__u64 mm, bool at_unlock)
{
	struct call_state *c = call_state_get(false);

	if (!c || !mm || mm != current_mm())
		return 0;
	draw_ticket(c, mm, c->kind, at_unlock);
	return 0;
}

/* Linux 5.11 and later */
SEC("tracepoint/mmap_lock/mmap_lock_acquire_returned")
int mm_lock_nobtf(struct trace_event_raw_mmap_lock_acquire_returned *rec)
{
	if (!rec->write || !rec->success)
		return 0;
	return on_own_write_lock((__u64)rec->mm, false);
}

/* Before: mmap_write_unlock() is up_write(&mm->mmap_lock) and
 * mmap_write_downgrade() downgrade_write() (include/linux/mmap_lock.h,
 * 5.8-5.10); at their entry the lock is still held for writing. */
static __always_inline int on_write_unlock(__u64 sem)
{
	__u64 mm = current_mm();

	if (!mm || sem != mm + bpf_core_field_offset(struct mm_struct, mmap_lock))
		return 0;
	return on_own_write_lock(mm, true);
}

SEC("kprobe/up_write")
int BPF_KPROBE(up_write_nobtf, struct rw_semaphore *sem)
{
	return on_write_unlock((__u64)sem);
}

SEC("kprobe/downgrade_write")
int BPF_KPROBE(downgrade_write_nobtf, struct rw_semaphore *sem)
{
	return on_write_unlock((__u64)sem);
}
#else
static __always_inline int on_mmap_lock(__u64 mm, __u8 write, __u8 success)
{
	struct task_struct *task;
	struct pt_regs *regs;
	struct call_state *c;
	__u32 kind;

	if (!success || (!write && (!dump_exit || exit_tp_sees_mm)))
		return 0;
	task = bpf_get_current_task_btf();
	if (mm != (__u64)task->mm)
		return 0; /* e.g. the child's mm in dup_mmap(), or a kernel thread */
	if (!write) {
		/* Before 6.16 the exit dump is taken here: exit_mm() read-locks
		 * the mm before it clears task->mm (kernel/exit.c), after every
		 * thread of the group has entered do_exit() (signal->live is 0:
		 * nothing can change the mm any more), whether the group
		 * called exit_group() or was killed by a signal, and with
		 * interrupts on (the vma iterator's trylock fails with them off,
		 * as in the signal_deliver tracepoint). Several dying threads
		 * may each dump it: each dump is exact. */
		if ((task->flags & PF_EXITING) &&
		    BPF_CORE_READ(task, signal, live.counter) == 0 &&
		    trace_allowed(task->tgid))
			dump_current_mm(SLOT_MM_LOCK, MT_DUMP_EXIT);
		return 0;
	}
	/* inside which syscall? (pt_regs of the user entry) */
	regs = current_user_regs();
	kind = syscall_kind_of(syscall_nr(regs));
	if (!call_wanted(kind, regs) || !in_syscall_body(regs))
		return 0;
	c = call_state_get(false); /* found: the thread is traced */
	if (!c) {
		if (!trace_allowed(bpf_get_current_pid_tgid() >> 32))
			return 0;
		c = call_state_get(true);
		if (!c) {
			count(MT_STAT_INFLIGHT_FULL);
			note_lost_mm(mm);
			return 0;
		}
	}
	draw_ticket(c, mm, kind, false);
	return 0;
}

/* The tracepoint's arguments changed in 6.13 ("mm: mmap_lock: replace the
 * memcg path with an id" dropped memcg_path, the second argument). Its
 * event record tells the layouts apart; the relocation is a constant at
 * load time, so the verifier never walks the branch for the other layout
 * (and never sees an argument this kernel's tracepoint lacks). */
struct trace_event_raw_mmap_lock_acquire_returned___memcg_path {
	__u32 __data_loc_memcg_path;
} __attribute__((preserve_access_index));

SEC("tp_btf/mmap_lock_acquire_returned")
int mm_lock_btf(__u64 *ctx)
{
	if (bpf_core_field_exists(struct trace_event_raw_mmap_lock_acquire_returned___memcg_path,
				  __data_loc_memcg_path))
		return on_mmap_lock(ctx[0], ctx[2], ctx[3]); /* (mm, memcg_path, write, success) */
	return on_mmap_lock(ctx[0], ctx[1], ctx[2]);         /* (mm, write, success) */
}
#endif

/* ---- exit side ---------------------------------------------------------- */

#ifndef MT_LEGACY
struct vma_info_ctx {
	struct mt_event *e;
	char *path;
	__u32 slot;
};

static long read_vma_info(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_info_ctx *c = data;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	c->e->flags |= MT_EVF_VMA_INFO;
	/* the kernel decides some of these: Linux 7.x marks the aio ring
	 * VM_DONTCOPY (a fork child no longer inherits it) */
	if (BPF_CORE_READ(vma, vm_flags) & MT_VM_DONTCOPY)
		c->e->flags |= MT_EVF_VMA_DONTCOPY;
	c->e->aux[0] = BPF_CORE_READ(vma, vm_start);
	c->e->aux[1] = BPF_CORE_READ(vma, vm_end);
	c->e->aux[2] = BPF_CORE_READ(vma, vm_pgoff);
	if (f) {
		describe_scratch_file((__u64)f, c->slot); /* c->e is that slot's event */
	} else {
		/* the vma is anonymous (a private /dev/zero mapping) */
		c->e->flags &= ~(MT_EVF_FILE | MT_EVF_PATH_REVERSED | MT_EVF_PSEUDO | MT_EVF_DELETED);
		c->e->dev = 0;
		c->e->ino = 0;
		c->e->path_len = 0;
	}
	return 0;
}
#endif

/* The vma at addr, for calls whose result the arguments do not describe
 * (shmat's size, the aio ring, the inode of shared anonymous memory).
 * bpf_find_vma() only trylocks the mmap lock: under contention the event says
 * MT_EVF_VMA_LOCKED and user space learns the rest at its next snapshot. */
static __always_inline void find_vma_info(struct scratch *s, __u32 slot, __u64 addr)
{
#ifndef MT_LEGACY
	struct vma_info_ctx c = { .e = &s->e, .path = s->path, .slot = slot };

	if (bpf_find_vma(bpf_get_current_task_btf(), addr, read_vma_info, &c, 0))
		s->e.flags |= MT_EVF_VMA_LOCKED;
#endif
	/* (legacy: no bpf_find_vma() before 5.17; without MT_EVF_VMA_INFO
	 * user space re-reads the address space) */
}

static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *t = current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#ifndef MT_LEGACY
struct vma_bounds {
	__u64 start, end;
};

static long read_vma_bounds(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_bounds *b = data;

	b->start = vma->vm_start;
	b->end = vma->vm_end;
	return 0;
}
#endif

/* Where the stack holding sp ends: the unwinder needs nothing above it. The
 * main thread's frames all lie below mm->start_stack (its sp at entry;
 * argv and the environment come above); a thread's stack is its vma, found
 * once per thread and kept in the call state. 0 if unknown. */
static __always_inline __u64 stack_end(__u64 sp, struct call_state *st)
{
#ifdef MT_LEGACY
	/* no bpf_find_vma(): only the main thread's stack top is known; a
	 * thread's sample is stack_bytes, halved where it crosses its end */
	__u64 top = BPF_CORE_READ(current_task(), mm, start_stack);

	return top >= sp ? top + 64 : 0;
#else
	struct mm_struct *mm = bpf_get_current_task_btf()->mm;
	struct vma_bounds b = {};
	__u64 top = mm->start_stack;

	/* (an exec gives the thread a new mm: the cached bounds are void) */
	if (st && st->stack_mm == (__u64)mm && sp >= st->stack_lo && sp < st->stack_hi) {
		b.start = st->stack_lo;
		b.end = st->stack_hi;
	} else if (bpf_find_vma(bpf_get_current_task_btf(), sp, read_vma_bounds, &b, 0) == 0 && st) {
		st->stack_mm = (__u64)mm;
		st->stack_lo = b.start;
		st->stack_hi = b.end;
	}
	if (top >= sp && top < b.end)
		return top + 64; /* _start's own frame reaches just past it */
	return b.end;
#endif
}

/* Send the user stack of the current call, just before its event, for
 * calls that create mappings (their origin is what `explain` shows). At
 * sys_exit the saved user registers are those of the syscall instruction. */
static __always_inline void emit_stack(void *ctx, struct pt_regs *regs, struct call_state *st,
				       __u32 slot)
{
	__u32 len = 0;
	struct stack_scratch *s = bpf_map_lookup_elem(&stack_scratch, &slot);

	if (!s)
		return;
	event_init(&s->e, MT_EV_STACK);
	if (st) {
		/* the call's ticket ties the sample to its event */
		s->e.mm = st->mm;
		s->e.seq = st->seq;
	}
	if (stack_mode == MT_STACKS_FP) {
		long n = bpf_get_stack(ctx, &s->regs, MT_FP_FRAMES * 8, BPF_F_USER_STACK);

		if (n <= 0)
			return;
		s->e.flags = MT_EVF_STACK_FP;
		len = n;
	} else {
#ifndef MT_NOBTF /* (no user registers: the loader refuses DWARF stacks) */
		__u32 want = stack_bytes > MT_STACK_MAX ? MT_STACK_MAX : stack_bytes;
		__u64 sp, end;

		user_regs_dwarf(regs, s->regs.regs);
		s->e.flags = MT_EVF_STACK_DWARF;
		/* only the live part of the stack: most samples are far smaller
		 * than stack_bytes, and every byte is copied twice here and read
		 * once by the loader */
		sp = s->regs.regs[USER_SP_REG];
		end = stack_end(sp, st);
		if (end > sp && end - sp < want)
			want = ((end - sp) + 7) & ~7ULL;
		/* near the top of a stack the full sample would cross its end and
		 * the read fail as a whole: halve until it fits */
		for (int i = 0; i < 4 && want >= 8; i++, want >>= 1) {
			if (want > MT_STACK_MAX)
				break; /* (for the verifier: cannot happen) */
			if (!bpf_probe_read_user(s->stack, want, (void *)sp)) {
				len = sizeof(s->regs) + want;
				break;
			}
		}
		if (!len)
			len = sizeof(s->regs); /* registers alone still give the first frame */
#else
		return;
#endif
	}
	if (len > sizeof(s->regs) + MT_STACK_MAX)
		len = sizeof(s->regs) + MT_STACK_MAX;
	s->e.path_len = len;
	if (bpf_ringbuf_output(&events, s, sizeof(s->e) + len, wakeup_flags(sizeof(s->e) + len)))
		count(MT_STAT_DROPPED);
}

/* A mapping call at its exit. */
struct call {
	__u64 args[6];
	__u32 kind;
	struct call_state *state; /* NULL if the thread never had one (no write lock, no enter time) */
	/* current->mm, read once: each load of a pointer from a BTF object
	 * costs the verifier a linear search of the kernel's BTF for its
	 * trust annotations (btf_nested_type_is_trusted), ~1 ms of load time
	 * per loaded copy of the instruction */
	__u64 cur_mm;
};

/* The mm the call changed: the one whose write lock gave it a ticket. */
static __always_inline __u64 call_mm(struct call *c)
{
	return c->state && c->state->seq ? c->state->mm : c->cur_mm;
}

/* The call's own fields: arguments, result, timing, order ticket. */
static __always_inline void fill_call(struct mt_event *e, struct call *c, __s64 ret)
{
	struct call_state *st = c->state;

	e->ret = ret;
	for (int i = 0; i < 6; i++)
		e->args[i] = c->args[i];
	e->mm = call_mm(c);
	if (st) {
		e->seq = st->seq;
		e->enter_ns = st->enter_ns;
		e->aux[0] = st->aux[0];
		e->aux[1] = st->aux[1];
	}
	/* mmap and mprotect add PROT_EXEC to PROT_READ under this personality */
#ifdef MT_LEGACY
	if (BPF_CORE_READ(current_task(), personality) & READ_IMPLIES_EXEC)
#else
	if (bpf_get_current_task_btf()->personality & READ_IMPLIES_EXEC)
#endif
		e->flags |= MT_EVF_READ_IMPLIES_EXEC;
}

/* Does the event of this call carry a path or the VMA it made (read at exit)? */
static __always_inline bool call_has_path(struct call *c, bool ok)
{
	__u64 flags = c->args[3];

	switch (c->kind) {
	case MT_EV_MMAP:
		return ok && (!(flags & MT_MAP_ANONYMOUS) ||
			      (flags & MT_MAP_SHARED_VALIDATE) == MT_MAP_SHARED ||
			      (flags & MT_MAP_SHARED_VALIDATE) == MT_MAP_SHARED_VALIDATE);
	case MT_EV_SHMAT:
	case MT_EV_IO_SETUP:
		return ok;
	case MT_EV_PRCTL_VMA_NAME:
		return c->args[4] != 0;
	}
	return false;
}

/* Most calls (anonymous mmap, munmap, mprotect, brk, ...) carry no path:
 * build them in place in a reserved record, with no scratch copy. */
static __always_inline void emit_plain_call(struct call *c, __s64 ret)
{
	struct mt_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count(MT_STAT_DROPPED);
		note_lost_mm(call_mm(c));
		return;
	}
	event_init(e, c->kind);
	fill_call(e, c, ret);
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
}

/* Calls whose event names a file or a VMA read after the call. */
static __always_inline void emit_call_with_path(struct call *c, __s64 ret, bool ok, __u32 slot)
{
	struct scratch *s = scratch_event(slot, c->kind);

	if (!s)
		return;
	fill_call(&s->e, c, ret);
	if (ok) {
		switch (c->kind) {
		case MT_EV_MMAP:
			if (!(c->args[3] & MT_MAP_ANONYMOUS)) {
				struct file *file = fd_file((int)c->args[4]);

				if (file)
					describe_scratch_file((__u64)file, slot);
				/* a device's mmap may replace the file: /dev/zero maps
				 * shmem when shared, anonymous memory when private
				 * (drivers/char/mem.c mmap_zero) */
				if (file && (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) == S_IFCHR) {
#ifdef MT_LEGACY
					/* no vma to read: the file's identity is left
					 * for user space to learn from /proc */
					s->e.flags &= ~(MT_EVF_FILE | MT_EVF_PATH_REVERSED |
							MT_EVF_PSEUDO | MT_EVF_DELETED);
					s->e.dev = 0;
					s->e.ino = 0;
					s->e.path_len = 0;
#else
					find_vma_info(s, slot, (__u64)ret);
#endif
				}
			} else {
				find_vma_info(s, slot, (__u64)ret); /* shared anonymous: its shmem inode */
			}
			break;
		case MT_EV_SHMAT:
			find_vma_info(s, slot, (__u64)ret);
			break;
		case MT_EV_IO_SETUP: {
			__u64 ring = 0;

			/* the aio context id is the ring's user address (fs/aio.c) */
			bpf_probe_read_user(&ring, sizeof(ring), (void *)c->args[1]);
			s->e.aux[2] = ring;
			if (ring)
				find_vma_info(s, slot, ring);
			break;
		}
		}
	}
	/* the name asked for, whether or not the kernel could set it */
	if (c->kind == MT_EV_PRCTL_VMA_NAME) {
		long n = bpf_probe_read_user_str(s->path, MT_NAME_MAX, (void *)c->args[4]);

		s->e.path_len = n > 0 ? n - 1 : 0;
	}
	submit(s, MT_STAT_DROPPED);
}

/* Whether the address space must be sent whole after this call (a dump
 * that reseeds the shadow, MT_DUMP_RESEED), because its event cannot say
 * what it changed. Only calls that took the write lock (a ticket) qualify;
 * user space applies nothing of a failed one (aspace.c apply_failed()).
 *  - any failure but those known to change nothing: do_mprotect_pkey()
 *    changes vma after vma and stops at the first it cannot change (EACCES
 *    for a missing VM_MAY* bit, EPERM for a sealed vma since mseal moved
 *    to can_modify_vma() in mprotect_fixup(), 6.12, ENOMEM at a hole or
 *    for a split over the map count limit), leaving the ones before
 *    changed (mm/mprotect.c); a MAP_FIXED mmap, shmat(SHM_REMAP) or mremap
 *    may fail after unmapping the target range; madvise and PR_SET_VMA
 *    apply to every vma around a hole, then return ENOMEM
 *    (madvise_walk_vmas). A dump now, rather than a re-read by user space
 *    later, which a process that exits first would cut short.
 *  - changing nothing: munmap fails while splitting its edges, before it
 *    unmaps (__do_munmap() in 5.10, do_vmi_align_munmap()'s gather phase
 *    from 6.1; a split moves no page); shmdt fails only when it found no
 *    segment to unmap (ipc/shm.c ksys_shmdt()); shmat without SHM_REMAP
 *    refuses a range in use before do_mmap(), and a mmap without MAP_FIXED
 *    undoes its own failures.
 *  - ARCH_MAP_VDSO_*: map_vdso() maps [vvar] pages and [vdso] at an address
 *    and with sizes of the kernel's vdso image (arch/x86/entry/vdso/vma.c). */
static __always_inline bool needs_reseed(struct call *c, bool ok)
{
	if (c->kind == MT_EV_MAP_VDSO)
		return true;
	if (ok)
		return false;
	switch (c->kind) {
	case MT_EV_MUNMAP:
	case MT_EV_SHMDT:
		return false;
	case MT_EV_SHMAT:
		return c->args[2] & MT_SHM_REMAP;
	case MT_EV_MMAP:
		return c->args[3] & MT_MAP_FIXED;
	}
	return true;
}

#ifndef MT_LEGACY
static __always_inline void call_state_clear(struct call_state *st)
{
	st->enter_ns = 0;
	st->seq = 0;
	st->aux[0] = 0;
	st->aux[1] = 0;
}
#endif

/* A syscall's exit, handled with the scratch of slot. regs: the saved user
 * registers (NULL in the no-BTF object, which has the call's arguments from
 * its sys_enter). */
static __always_inline int on_sys_exit(void *ctx, struct pt_regs *regs, long nr, long ret,
				       __u32 slot)
{
	/* every syscall of every task passes here: reject the others with an
	 * array read before any map lookup */
	struct call c = {};
	bool ok, reseed;

	if (compat_syscall()) {
		if (trace_allowed(bpf_get_current_pid_tgid() >> 32))
			count(MT_STAT_COMPAT);
		return 0;
	}
	c.kind = native_syscall_kind(nr);
	if (!c.kind)
		return 0;
	if (c.kind == MT_SC_EXIT_GROUP)
		return 0; /* (never returns) */
	c.state = call_state_get(false);
#ifdef MT_NOBTF
	/* sys_enter made one for each wanted call of a traced thread */
	if (!c.state)
		return 0;
#else
	if (!c.state && !trace_allowed(bpf_get_current_pid_tgid() >> 32))
		return 0;
#endif
	if (c.kind == MT_EV_FORK) {
		/* The fork event was sent from sched_process_fork with the
		 * ticket of the copy. One left here: a fork that failed after
		 * copying, or a clone sharing the mm that still write-locked it
		 * (x86 shadow stacks: alloc_shstk() maps the thread's), which
		 * changed it where we cannot see: re-read it. */
		if (c.state && c.state->seq)
			note_lost_mm(c.state->mm);
		goto out;
	}
#ifdef MT_NOBTF
	for (int i = 0; i < 6; i++)
		c.args[i] = c.state->args[i];
#else
	if (!call_wanted(c.kind, regs))
		goto out; /* on_mmap_lock asked the same: no ticket either */
	/* the arguments are still in the saved user registers: syscalls read
	 * them from there and only ptrace or seccomp rewrite them, at entry */
	syscall_args(regs, c.args);
#endif
	c.cur_mm = current_mm();
	ok = ret >= 0 || ret < -4095; /* success (mmap returns addresses) */
	if (ok && stack_mode && (c.kind == MT_EV_MMAP || c.kind == MT_EV_MREMAP ||
				 c.kind == MT_EV_BRK || c.kind == MT_EV_SHMAT ||
				 c.kind == MT_EV_IO_SETUP))
		emit_stack(ctx, regs, c.state, slot);
	reseed = c.state && c.state->seq && needs_reseed(&c, ok);
	if (call_has_path(&c, ok))
		emit_call_with_path(&c, ret, ok, slot);
	else
		emit_plain_call(&c, ret);
	if (c.state)
		c.state->seq = 0; /* carried by the event */
	/* after the event: user space applies its ticket, then reseeds from
	 * this dump, stamped with whatever ticket the mm has reached by now */
	if (reseed)
		dump_current_mm(slot, MT_DUMP_RESEED);
out:
	if (c.state) {
		/* a ticket no event carries must still be retired, or user
		 * space would wait for it forever */
		if (c.state->seq)
			emit_void(slot, c.state->mm, c.state->seq);
#ifdef MT_LEGACY
		/* created at sys_enter, always deleted here */
		{
			__u32 tid = (__u32)bpf_get_current_pid_tgid();

			bpf_map_delete_elem(&call_states, &tid);
		}
#else
		call_state_clear(c.state);
#endif
	}
	return 0;
}

#ifndef MT_NOBTF
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit(ctx, regs, syscall_nr(regs), ret, SLOT_SYS_EXIT);
}
#else
SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit_nobtf(struct trace_event_raw_sys_exit *rec)
{
	return on_sys_exit(rec, NULL, rec->id, rec->ret, SLOT_SYS_EXIT);
}
#endif

/* ---- in-kernel address-space dumps -------------------------------------- */

static __u64 dump_ids;

/* The end of a dump this kernel cannot take: user space reads the address
 * space itself (the task_vma iterator, or /proc), stamped with its ticket. */
static __always_inline void dump_not_taken(__u32 slot, __u64 mmkey, __u64 id, __u32 reason)
{
	struct scratch *s = scratch_event(slot, MT_EV_DUMP_END);

	if (!s)
		return;
	s->e.mm = mmkey;
	s->e.seq = ticket_last(mmkey);
	s->e.aux[0] = reason;
	s->e.args[0] = id;
	s->e.args[2] = MT_DUMP_NOT_TAKEN;
	submit(s, MT_STAT_DROPPED_DUMP);
}

#ifdef MT_LEGACY
/* No vma iterator kfuncs (6.7) nor fetching atomics (5.12). */
static __always_inline void dump_current_mm(__u32 slot, __u32 reason)
{
	__u64 mmkey = current_mm();

	/* (ids are only told apart per mm: a racing increment is harmless) */
	if (mmkey)
		dump_not_taken(slot, mmkey, ++dump_ids, reason);
}
#else
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task,
				 __u64 addr) __weak __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __weak __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __weak __ksym;

/* Describe one vma as an MT_EV_VMA record. */
static __always_inline void fill_vma_record(struct scratch *s, __u32 slot,
					    struct vm_area_struct *vma, struct mm_struct *mm)
{
	struct file *file = BPF_CORE_READ(vma, vm_file);
	__u64 start = BPF_CORE_READ(vma, vm_start), end = BPF_CORE_READ(vma, vm_end);

	s->e.args[0] = start;
	s->e.args[1] = end;
	s->e.args[2] = BPF_CORE_READ(vma, vm_pgoff);
	s->e.args[3] = BPF_CORE_READ(vma, vm_flags);
	if (file) {
		describe_scratch_file((__u64)file, slot);
		return;
	}
	/* the names show_map_vma() gives file-less vmas (fs/proc/task_mmu.c) */
	if (start <= BPF_CORE_READ(mm, brk) && end >= BPF_CORE_READ(mm, start_brk)) {
		s->e.ret = MT_NAME_HEAP;
	} else {
		__u64 sp = BPF_CORE_READ(mm, start_stack);

		if (start <= sp && end >= sp)
			s->e.ret = MT_NAME_STACK;
	}
}

/* Dump the current task's address space; one MT_EV_VMA per vma, then a
 * MT_EV_DUMP_END. The iterator holds the mmap read lock throughout, so the
 * dump is one instant of the mm and the ticket counter read here tells user
 * space which events it already reflects. */
static __always_inline void dump_current_mm(__u32 slot, __u32 reason)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = BPF_CORE_READ(task, mm); /* a probe read: see struct call */
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct scratch *s;
	__u64 id = __sync_fetch_and_add(&dump_ids, 1) + 1, n = 0, lost = 0, seq = 0;
	__u64 mmkey = (__u64)mm;
	int err;

	if (!mm)
		return;
	if (!vma_kfuncs || !bpf_iter_task_vma_new) {
		dump_not_taken(slot, mmkey, id, reason); /* the kfuncs arrived in 6.7 */
		return;
	}
	err = bpf_iter_task_vma_new(&it, task, 0);
	seq = ticket_last(mmkey);
	while (!err && (vma = bpf_iter_task_vma_next(&it))) {
		s = scratch_event(slot, MT_EV_VMA);
		if (!s)
			break;
		s->e.mm = mmkey;
		s->e.seq = seq;
		s->e.aux[0] = reason;
		s->e.args[4] = id;
		fill_vma_record(s, slot, vma, mm);
		if (submit(s, MT_STAT_DROPPED_DUMP))
			lost++;
		n++;
	}
	bpf_iter_task_vma_destroy(&it);

	s = scratch_event(slot, MT_EV_DUMP_END);
	if (!s)
		return;
	s->e.mm = mmkey;
	s->e.seq = seq;
	s->e.aux[0] = reason;
	s->e.args[0] = id;
	s->e.args[1] = n;
	s->e.args[2] = err || lost ? MT_DUMP_INCOMPLETE : MT_DUMP_COMPLETE;
	submit(s, MT_STAT_DROPPED_DUMP);
}
#endif

/* ---- process lifecycle --------------------------------------------------- */

/* A new task, seen by its parent (sched_process_fork). */
struct fork_seen {
	__u32 ptgid, ctgid, ctid;
	__u64 parent_mm, child_mm;
};

static __always_inline int on_fork(const struct fork_seen *f)
{
	struct call_state *c;
	struct scratch *s;
	__u8 one = 1;

	if (!trace_allowed(f->ptgid))
		return 0;
	if (!trace_all && f->ctgid != f->ptgid)
		bpf_map_update_elem(&traced, &f->ctgid, &one, BPF_ANY);
#ifdef MT_NOBTF
	if (f->ctgid != f->ptgid)
		note_tgid_mm(f->ctgid, f->child_mm);
#endif
	if (f->child_mm && f->child_mm != f->parent_mm)
		ticket_counter_reset(f->child_mm);

	s = scratch_event(SLOT_FORK, MT_EV_FORK);
	if (!s)
		return 0;
	s->e.mm = f->parent_mm;
	s->e.aux[0] = f->child_mm;
	s->e.aux[1] = f->ctgid;
	s->e.aux[2] = f->ctid;
	if (f->ctgid == f->ptgid)
		s->e.flags |= MT_EVF_THREAD;
	if (f->child_mm == f->parent_mm)
		s->e.flags |= MT_EVF_VM;
#ifdef MT_LEGACY
	/* clone's flags, saved at sys_enter (no bpf_task_pt_regs()) */
	c = call_state_get(false);
	s->e.args[0] = c ? c->aux[0] : 0;
#else
	/* clone's flags (a struct pointer for clone3), from the caller's registers */
	s->e.args[0] = syscall_arg0(current_user_regs());
	c = call_state_get(false);
#endif
	/* dup_mmap() copied the parent under this ticket (only a new mm is a
	 * copy; sys_exit deals with a ticket a clone sharing the mm drew) */
	if (c && c->seq && c->mm == s->e.mm && f->child_mm != f->parent_mm) {
		s->e.seq = c->seq;
		c->seq = 0;
	}
	submit(s, MT_STAT_DROPPED);
	return 0;
}

#ifndef MT_NOBTF
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	struct fork_seen f = {
		.ptgid = parent->tgid,
		.ctgid = child->tgid,
		.ctid = child->pid,
		/* probe reads, not BTF loads: see struct call */
		.parent_mm = (__u64)BPF_CORE_READ(parent, mm),
		.child_mm = (__u64)BPF_CORE_READ(child, mm),
	};

	return on_fork(&f);
}
#endif

/* The current task has just exec'd filename (a kernel string). */
static __always_inline int on_exec(struct task_struct *task, pid_t old_pid, const char *filename)
{
	struct scratch *s;
	__u64 key;
	long n;

	if (!trace_allowed(BPF_CORE_READ(task, tgid)))
		return 0;
	key = (__u64)BPF_CORE_READ(task, mm); /* (a probe read: see struct call) */
	ticket_counter_reset(key);
#ifdef MT_NOBTF
	note_tgid_mm(BPF_CORE_READ(task, tgid), key);
#endif
	s = scratch_event(SLOT_EXEC, MT_EV_EXEC);
	if (!s)
		return 0;
	s->e.mm = key;
	s->e.aux[0] = old_pid;
	n = bpf_probe_read_kernel_str(s->path, MT_NAME_LEN, filename);
	s->e.path_len = n > 0 ? n - 1 : 0;
	submit(s, MT_STAT_DROPPED);
	dump_current_mm(SLOT_EXEC, MT_DUMP_EXEC);
	return 0;
}

#ifndef MT_NOBTF
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec_btf, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec(task, old_pid, BPF_CORE_READ(bprm, filename));
}
#endif

/* A thread of the current task's group exits (sched_process_exit). */
static __always_inline int on_exit_task(struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 mm = (__u64)BPF_CORE_READ(task, mm); /* (a probe read: see struct call) */
	struct scratch *s;

	if (!trace_allowed(tgid))
		return 0;
#ifdef MT_LEGACY
	{
		/* a thread that dies inside a call leaves no state behind */
		__u32 tid = BPF_CORE_READ(task, pid);

		bpf_map_delete_elem(&call_states, &tid);
	}
#endif
	/* signal->live was decremented before this tracepoint (kernel/exit.c) */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	/* the last thread, with the whole address space still there: verify's
	 * final checkpoint, whether the process called exit_group() or was
	 * killed by a signal */
	if (dump_exit && exit_tp_sees_mm && mm)
		dump_current_mm(SLOT_EXIT, MT_DUMP_EXIT);
	s = scratch_event(SLOT_EXIT, MT_EV_EXIT);
	if (!s)
		return 0;
	s->e.mm = mm;
	s->e.flags |= MT_EVF_GROUP_DEAD;
	s->e.ret = BPF_CORE_READ(task, exit_code);
	/* the loader may be waiting for this exit to finish: wake it now */
	submit_flags(s, MT_STAT_DROPPED, BPF_RB_FORCE_WAKEUP);
	if (!trace_all)
		bpf_map_delete_elem(&traced, &tgid);
#ifdef MT_NOBTF
	bpf_map_delete_elem(&tgid_mm, &tgid);
#endif
	return 0;
}

#ifndef MT_NOBTF
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit_btf, struct task_struct *task)
{
	return on_exit_task(task);
}
#endif

#if !defined(MT_LEGACY) || defined(MT_NOBTF)
/* ---- the same programs on classic tracepoints (7.x) --------------------- */

/* Since Linux 7.x calls tracepoint probes under SRCU-fast rather than with
 * preemption off ("tracing: Guard __DECLARE_TRACE() use of
 * __DO_TRACE_CALL() with SRCU-fast"), a tp_btf run can be preempted
 * halfway. Its per-CPU recursion counter stays raised meanwhile
 * (__bpf_trace_run: prog->active), and the kernel skips the program for
 * every other task that hits the tracepoint on that CPU (recursion_misses):
 * on Debian's 7.2 under qemu thread_race lost 457 of its 20,011 mmap calls
 * at sys_exit, and a few ticket draws and exits. The perf side of the same
 * tracepoints still disables preemption before it runs BPF
 * (perf_trace_##call(), perf_syscall_exit(): guard(preempt_notrace)), so
 * the programs below, attached through perf by tracefs event id, run
 * whole once started. A tracepoint hit inside one of them (the mmap read
 * lock that bpf_find_vma() and the vma iterator try) finds perf's per-CPU
 * recursion context taken and is dropped before any program runs
 * (perf_trace_buf_alloc()): only maptrace's own read locks, of no use to
 * it (an exit dump's read lock is exit_mm()'s, never nested). A run is
 * skipped, and counted in recursion_misses, only while something else
 * holds bpf_prog_active on the CPU (trace_call_bpf()), such as a BPF map
 * syscall preempted halfway. Their contexts are the events' records, not
 * BTF arguments: the task is current at each of these tracepoints, and
 * current_user_regs() gives the saved user registers. The loader loads
 * them instead of the tp_btf ones where its probe says tracepoint
 * programs can be preempted. */
#ifndef MT_LEGACY
SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter_tp(struct trace_event_raw_sys_enter *rec)
{
	return on_sys_enter(current_user_regs(), rec->id);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit_tp(struct trace_event_raw_sys_exit *rec)
{
	return on_sys_exit(rec, current_user_regs(), rec->id, rec->ret, SLOT_SYS_EXIT);
}

SEC("tracepoint/mmap_lock/mmap_lock_acquire_returned")
int mm_lock_tp(struct trace_event_raw_mmap_lock_acquire_returned *rec)
{
	return on_mmap_lock((__u64)rec->mm, rec->write, rec->success);
}
#endif /* the no-BTF object has its own (sys_enter_nobtf, ...) */

/* The task copy_process() has just created for the current one (the
 * record has only its pid): it links the new task last, to its thread
 * group's list or to its parent's children (kernel/fork.c), and another
 * clone of the same group may have linked one after it since, so a few
 * entries from the end are looked at. NULL if not found. */
#define NEW_TASK_SEARCH 8

static __always_inline struct task_struct *new_task_in(struct list_head *head, __u32 off, pid_t pid)
{
	struct list_head *pos = BPF_CORE_READ(head, prev);

	for (int i = 0; i < NEW_TASK_SEARCH && pos && pos != head; i++) {
		struct task_struct *t = (void *)pos - off;

		if (BPF_CORE_READ(t, pid) == pid)
			return t;
		pos = BPF_CORE_READ(pos, prev);
	}
	return NULL;
}

static __always_inline struct task_struct *new_task(pid_t pid)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	struct signal_struct *sig = BPF_CORE_READ(cur, signal);
	struct task_struct *parent = BPF_CORE_READ(cur, real_parent);
	__u32 sibling = bpf_core_field_offset(struct task_struct, sibling);
	struct task_struct *t;

	/* (addresses of fields, relocated by CO-RE: no loads) */
	t = new_task_in(&sig->thread_head, bpf_core_field_offset(struct task_struct, thread_node), pid);
	if (!t)
		t = new_task_in(&cur->children, sibling, pid);
	if (!t) /* CLONE_PARENT: a sibling */
		t = new_task_in(&parent->children, sibling, pid);
	return t;
}

SEC("tracepoint/sched/sched_process_fork")
int on_fork_tp(struct trace_event_raw_sched_process_fork *rec)
{
	struct task_struct *parent = current_task(), *child;
	struct fork_seen f = {
		.ptgid = BPF_CORE_READ(parent, tgid),
		.ctid = rec->child_pid,
		.parent_mm = (__u64)BPF_CORE_READ(parent, mm),
	};

	/* (every fork of the machine passes here: the list walk only for ours) */
	if (!trace_allowed(f.ptgid))
		return 0;
	child = new_task(rec->child_pid);
	if (!child) {
		/* (cannot happen while the lists work as above) */
		note_lost_mm(f.parent_mm);
		return 0;
	}
	f.ctgid = BPF_CORE_READ(child, tgid);
	f.child_mm = (__u64)BPF_CORE_READ(child, mm);
	return on_fork(&f);
}

SEC("tracepoint/sched/sched_process_exec")
int on_exec_tp(struct trace_event_raw_sched_process_exec *rec)
{
	/* __data_loc: the string's offset in the record, in the low 16 bits */
	const char *filename = (const char *)rec + (rec->__data_loc_filename & 0xffff);

	return on_exec(current_task(), rec->old_pid, filename);
}

SEC("tracepoint/sched/sched_process_exit")
int on_exit_tp(void *rec)
{
	return on_exit_task(current_task());
}
#endif /* !MT_LEGACY || MT_NOBTF */

#ifdef MT_NOBTF
/* ---- the mm of a process no event has shown yet ------------------------- */

#define SIGSTOP 19

SEC("tracepoint/signal/signal_deliver")
int on_signal_deliver(struct trace_event_raw_signal_deliver *rec)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (rec->sig != SIGSTOP || !trace_allowed(tgid))
		return 0;
	note_tgid_mm(tgid, current_mm());
	return 0;
}
#endif

#if defined(MT_LEGACY) && !defined(MT_NOBTF)
/* ---- seeding: /proc/PID/maps, read by user space ------------------------ */

/* The /proc/PID/maps read the loader is doing (it reads one at a time):
 * the mm the file shows (proc_maps_open() keeps the one mm_access()
 * returned), and that mm's ticket count each time the read took its mmap
 * read lock (m_start(): mmap_read_lock_killable(), once per batch of lines).
 * The same count at every batch means no write-locked change came between
 * two of them, and none can come during one: the text is the address space
 * after exactly that ticket, as the task_vma iterator's records are. */
struct mt_proc_snap proc_snap;

static __always_inline bool from_loader(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == tracer_tgid;
}

SEC("fexit/mm_access")
int BPF_PROG(mm_access_exit, struct task_struct *task, unsigned int mode, struct mm_struct *ret)
{
	__u64 mm = (__u64)ret;

	if (!from_loader() || !mm || mm >= (__u64)-4095) /* IS_ERR_OR_NULL() */
		return 0;
	proc_snap.mm = mm;
	proc_snap.batches = 0;
	proc_snap.first = 0;
	proc_snap.last = 0;
	return 0;
}

SEC("fexit/down_read_killable")
int BPF_PROG(drk_exit, struct rw_semaphore *sem, int ret)
{
	__u64 mm = proc_snap.mm, seq;

	if (ret || !mm || !from_loader() ||
	    (__u64)sem != mm + bpf_core_field_offset(struct mm_struct, mmap_lock))
		return 0;
	seq = ticket_last(mm);
	if (!proc_snap.batches)
		proc_snap.first = seq;
	proc_snap.last = seq;
	proc_snap.batches++;
	return 0;
}
#elif !defined(MT_LEGACY)
/* ---- seeding: the task_vma iterator, read by user space ------------------ */

/* The iterator's own scratch: it runs preemptibly and must not share a
 * buffer with a tracepoint program that may run on this CPU meanwhile. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} iter_scratch SEC(".maps");

/* Files are described by the same path walk as events (file.bpf.h), not by
 * bpf_d_path(): the helper wants a trusted struct path, and how far trust
 * reaches from the iterator's vma differs between kernel builds (a 6.18
 * build marks vma->vm_file untrusted and refuses the whole object). */
SEC("iter/task_vma")
int seed_vmas(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct seq_file *seq = ctx->meta->seq;
	struct mt_iter_vma rec = {};
	struct mm_struct *mm;
	struct file *file;
	__u64 key;
	__u32 zero = 0;
	struct scratch *s;

	if (!vma || !task)
		return 0;
	/* only the thread-group leader: threads share its vmas */
	if (task->pid != task->tgid)
		return 0;
	s = bpf_map_lookup_elem(&iter_scratch, &zero);
	if (!s)
		return 0;
	mm = task->mm;
	key = (__u64)BPF_CORE_READ(task, mm); /* the same, as a plain number */
	rec.mm = key;
	rec.seq = ticket_last(key);
	rec.start = vma->vm_start;
	rec.end = vma->vm_end;
	rec.pgoff = vma->vm_pgoff;
	rec.vm_flags = vma->vm_flags;
	file = BPF_CORE_READ(vma, vm_file);
	if (file) {
		s->e.flags = 0;
		describe_file(file, &s->e, s->path);
		rec.dev = s->e.dev;
		rec.ino = s->e.ino;
		rec.file_flags = s->e.flags;
		rec.path_len = s->e.path_len;
	} else if (rec.start <= mm->brk && rec.end >= mm->start_brk) {
		rec.name_kind = MT_NAME_HEAP;
	} else if (rec.start <= mm->start_stack && rec.end >= mm->start_stack) {
		rec.name_kind = MT_NAME_STACK;
	}
	/* the mask below must not turn a full-length path into an empty one */
	if (rec.path_len > MT_PATH_MAX - 1)
		rec.path_len = MT_PATH_MAX - 1;
	bpf_seq_write(seq, &rec, sizeof(rec));
	if (rec.path_len)
		bpf_seq_write(seq, s->path, rec.path_len & (MT_PATH_MAX - 1));
	return 0;
}
#endif
