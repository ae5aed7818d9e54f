// SPDX-License-Identifier: GPL-2.0
/* features.c - what each probed kernel fact means for maptrace: names, the
 * mechanism each job uses, and the `maptrace features` report. Pure logic
 * (probe.c asks the kernel), so every kernel's answer can be unit-tested.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/features.h"
#include "base/json.h"
#include "kernel/sizing.h"

static const struct {
	const char *name, *desc;
} facts[MT_FT__COUNT] = {
	[MT_FT_BTF] = { "kernel_btf", "kernel BTF at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)" },
	[MT_FT_RINGBUF] = { "ringbuf", "BPF ring buffer (Linux 5.8)" },
	[MT_FT_TP_SYS_EXIT] = { "tp_btf_sys_exit", "tp_btf/sys_exit" },
	[MT_FT_TP_SCHED] = { "tp_btf_sched", "tp_btf/sched_process_fork, _exec, _exit" },
	[MT_FT_TP_MMAP_LOCK] = { "tp_mmap_lock", "tp_btf/mmap_lock_acquire_returned (Linux 5.11)" },
	[MT_FT_EXIT_SEES_MM] = { "exit_sees_mm", "sched_process_exit before exit_mm() (Linux 6.16)" },
	[MT_FT_TP_PREEMPTIBLE] = { "tp_preemptible", "tracepoint programs may be preempted (SRCU-fast tracepoints, 7.x)" },
	[MT_FT_TRACEFS] = { "tracefs", "tracefs mounted, or mountable by root (classic tracepoints' event ids)" },
	[MT_FT_TASK_STORAGE] = { "task_storage", "task-local storage map (Linux 5.13 for tracing)" },
	[MT_FT_CURRENT_TASK_BTF] = { "current_task_btf", "bpf_get_current_task_btf() (Linux 5.11)" },
	[MT_FT_TASK_PT_REGS] = { "task_pt_regs", "bpf_task_pt_regs() (Linux 5.15)" },
	[MT_FT_FIND_VMA] = { "find_vma", "bpf_find_vma() (Linux 5.17)" },
	[MT_FT_LOOP] = { "loop", "bpf_loop() (Linux 5.17)" },
	[MT_FT_TASK_VMA_ITER] = { "task_vma_iter", "task_vma iterator (Linux 5.12)" },
	[MT_FT_VMA_KFUNCS] = { "vma_iter_kfuncs", "bpf_iter_task_vma_* kfuncs (Linux 6.7)" },
	[MT_FT_PROG_SYSCALL] = { "prog_syscall", "BPF_PROG_TYPE_SYSCALL (Linux 5.14)" },
	[MT_FT_PROCMAP_QUERY] = { "procmap_query", "PROCMAP_QUERY ioctl on /proc/PID/maps (Linux 6.11)" },
	[MT_FT_FEXIT_MM_LOCKS] = { "fexit_mm_locks", "fexit on down_write(_killable), down_read_killable, "
				   "mm_access, safe where they sleep (where the kernel allows fexit)" },
	[MT_FT_CLASSIC_TP] = { "classic_tp", "tracefs events raw_syscalls/sys_enter, sys_exit, "
			       "sched/sched_process_fork, _exec, _exit, signal/signal_deliver" },
	[MT_FT_CLASSIC_MMAP_LOCK] = { "classic_mmap_lock", "tracefs event "
				      "mmap_lock/mmap_lock_acquire_returned (Linux 5.11)" },
	[MT_FT_KPROBES] = { "kprobes", "kprobes on up_write() and downgrade_write() "
			    "(CONFIG_KPROBE_EVENTS; asked only where the no-BTF object needs them)" },
};

int mt_features_pretend(struct mt_features *f, const char *list, bool value, const char **bad)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		int i;

		for (i = 0; i < MT_FT__COUNT; i++)
			if (strlen(facts[i].name) == n && !strncmp(p, facts[i].name, n))
				break;
		if (i == MT_FT__COUNT) {
			*bad = p;
			return -1;
		}
		f->has[i] = value;
		p += n + (p[n] == ',');
	}
	return 0;
}

const char *mt_feature_name(enum mt_feature ft)
{
	return ft < MT_FT__COUNT ? facts[ft].name : "?";
}

const char *mt_feature_desc(enum mt_feature ft)
{
	return ft < MT_FT__COUNT ? facts[ft].desc : "?";
}

/* A fact some object needs, and what to say without it. */
struct requirement {
	enum mt_feature ft;
	const char *why;
};

/* Facts the objects for kernels with BTF need (without: nobtf_missing()). */
static const struct requirement required[] = {
	{ MT_FT_RINGBUF, "this kernel has no BPF ring buffer (Linux 5.8 or later is required)" },
	{ MT_FT_TP_SYS_EXIT, "this kernel's BTF has no sys_exit tracepoint (CONFIG_FTRACE_SYSCALLS)" },
	{ MT_FT_TP_SCHED, "this kernel's BTF lacks the sched_process_fork/exec/exit tracepoints" },
};

/* Facts the modern object needs; without one of them the legacy object
 * traces, if fexit on the mmap lock's rwsem calls works. */
static const struct requirement modern_needs[] = {
	{ MT_FT_TP_MMAP_LOCK, "this kernel has no mmap_lock tracepoints (Linux 5.11 or later with "
			      "CONFIG_TRACING)" },
	{ MT_FT_TASK_STORAGE, "this kernel has no task storage for tracing programs (Linux 5.13 or "
			      "later)" },
	{ MT_FT_CURRENT_TASK_BTF, "this kernel lacks bpf_get_current_task_btf() (Linux 5.11 or later)" },
	{ MT_FT_TASK_PT_REGS, "this kernel lacks bpf_task_pt_regs() (Linux 5.15 or later)" },
	{ MT_FT_FIND_VMA, "this kernel lacks bpf_find_vma() (Linux 5.17 or later)" },
	{ MT_FT_LOOP, "this kernel lacks bpf_loop() (Linux 5.17 or later)" },
	{ MT_FT_TASK_VMA_ITER, "this kernel has no task_vma iterator (Linux 5.12 or later)" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The first modern requirement missing, NULL if none. */
static const char *modern_missing(const struct mt_features *f)
{
	for (size_t i = 0; i < NELEM(modern_needs); i++)
		if (!f->has[modern_needs[i].ft])
			return modern_needs[i].why;
	return NULL;
}

/* What the no-BTF object lacks here, NULL if nothing. */
static const char *nobtf_missing(const struct mt_features *f)
{
	if (!f->btf_file && !f->has[MT_FT_BTF])
		return f->kernel_btf_off ?
			"MAPTRACE_KERNEL_BTF=none and no --btf FILE: give this kernel's BTF with "
			"--btf FILE (make min-btf, or pahole -J; see README: embedded boards)" :
			"kernel BTF not found at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF): give "
			"this kernel's BTF with --btf FILE (make min-btf, or pahole -J from its "
			"vmlinux; see README: embedded boards)";
	if (!f->has[MT_FT_RINGBUF])
		return "this kernel has no BPF ring buffer (Linux 5.8 or later is required)";
	if (!f->has[MT_FT_TRACEFS] || !f->has[MT_FT_CLASSIC_TP])
		return "no tracefs with the raw_syscalls, sched and signal events "
		       "(CONFIG_FTRACE_SYSCALLS, tracefs mountable by root) for the no-BTF object";
	if (!f->has[MT_FT_CLASSIC_MMAP_LOCK] && !f->has[MT_FT_KPROBES])
		return "no mmap_lock tracepoints (Linux 5.11) and no kprobes on "
		       "up_write()/downgrade_write(): maptrace cannot order an address space's "
		       "changes here";
	return NULL;
}

enum mt_bpf_object mt_features_object(const struct mt_features *f)
{
	if (!f->has[MT_FT_BTF])
		return nobtf_missing(f) ? MT_OBJ_NONE : MT_OBJ_NOBTF;
	for (size_t i = 0; i < NELEM(required); i++)
		if (!f->has[required[i].ft])
			return MT_OBJ_NONE;
	if (!modern_missing(f))
		return MT_OBJ_MODERN;
	if (f->has[MT_FT_FEXIT_MM_LOCKS])
		return MT_OBJ_LEGACY;
	/* a kernel with BTF where fexit is refused (arm64 5.10): the no-BTF
	 * object, relocated from the kernel's own BTF */
	return nobtf_missing(f) ? MT_OBJ_NONE : MT_OBJ_NOBTF;
}

const char *mt_features_blocker(const struct mt_features *f)
{
	static char why[512];

	if (!f->has[MT_FT_BTF])
		return nobtf_missing(f);
	for (size_t i = 0; i < NELEM(required); i++)
		if (!f->has[required[i].ft])
			return required[i].why;
	if (mt_features_object(f) != MT_OBJ_NONE)
		return NULL;
	/* Without the tracepoints, tickets drawn anywhere but under the write
	 * lock would misorder events: refuse rather than guess. */
	snprintf(why, sizeof(why), "%s, fexit on down_write_killable()/down_write()/"
		 "down_read_killable()/mm_access() (the legacy object) is unavailable or refused, "
		 "and for the no-BTF object: %s", modern_missing(f), nobtf_missing(f));
	return why;
}

/* Where no dump is taken at exit: the exit check of the objects for older
 * kernels. */
static const char exit_stop_how[] = "the started command and every process it forks are "
	"stopped in exit (ptrace PTRACE_O_TRACEEXIT) and compared with /proc";

static struct mt_mechanism mech(const char *job, const char *how, const char *degraded)
{
	return (struct mt_mechanism){ .job = job, .how = how, .degraded = degraded };
}

/* The legacy object (Linux 5.10-like kernels). */
static void legacy_mechanisms(struct mt_mechanism out[MT_JOB__COUNT])
{
	out[MT_JOB_ATTACH] = mech("calls", "legacy object: tp_btf/sys_enter and sys_exit on every "
		"syscall, the call's state in a thread-id hash (no task storage for tracing)",
		"no bpf_find_vma() (Linux 5.17): shmat, io_setup and shared anonymous or device "
		"mmaps carry no vma, so the address space is re-read after each; DWARF stack "
		"samples are taken without the thread stack's bounds");
	out[MT_JOB_ORDER] = mech("ordering", "per-address-space tickets drawn in fexit of "
		"down_write_killable()/down_write() on the caller's mm->mmap_lock (no mmap_lock "
		"tracepoints)", NULL);
	out[MT_JOB_EXEC_SEED] = mech("exec", "/proc/PID/maps read after the exec event, stamped "
		"with the address space's ticket (no task_vma iterator)", NULL);
	out[MT_JOB_EXIT_CHECK] = mech("exit check", exit_stop_how,
		"no vma iterator kfuncs (Linux < 6.7): a process killed by a signal, and "
		"-p/-a targets, are compared only at periodic checkpoints (-i)");
	out[MT_JOB_SNAPSHOT] = mech("snapshot", "/proc/PID/maps, its mm named by fexit on "
		"mm_access() and stamped with the ticket count seen at each read-locked batch of "
		"lines (fexit on down_read_killable()); read again when a change came between two",
		NULL);
}

/* The no-BTF object (kernels without CONFIG_DEBUG_INFO_BTF). */
static void nobtf_mechanisms(const struct mt_features *f, struct mt_mechanism out[MT_JOB__COUNT])
{
	out[MT_JOB_ATTACH] = mech("calls", f->has[MT_FT_BTF] ?
		"no-BTF object (neither the modern nor the legacy one can run here): classic "
		"tracepoints raw_syscalls/sys_enter (the arguments, kept in a thread-id hash) and "
		"sys_exit" :
		"no-BTF object: classic tracepoints raw_syscalls/sys_enter (the arguments, kept in "
		"a thread-id hash) and sys_exit, relocated from the --btf file",
		"the no-BTF object: stacks are frame-pointer walks only (no user registers for "
		"DWARF samples); shmat, io_setup and shared anonymous or device mmaps carry no "
		"vma, so the address space is re-read after each");
	out[MT_JOB_ORDER] = f->has[MT_FT_CLASSIC_MMAP_LOCK] ?
		mech("ordering", "per-address-space tickets drawn under the mmap write lock "
		     "(classic mmap_lock_acquire_returned tracepoint)", NULL) :
		mech("ordering", "per-address-space tickets drawn by kprobes at the entry of "
		     "up_write()/downgrade_write() on the caller's mm->mmap_lock, the write lock "
		     "still held (no mmap_lock tracepoints)", NULL);
	out[MT_JOB_EXEC_SEED] = mech("exec", "/proc/PID/smaps read while the process is stopped "
		"at its exec (ptrace), stamped with the address space's ticket",
		"a -p/-a target that execs is stopped (SIGSTOP/SIGCONT) while it is read");
	out[MT_JOB_EXIT_CHECK] = mech("exit check", exit_stop_how,
		"no in-kernel dumps: a process killed by SIGKILL, and -p/-a targets, are compared "
		"only at periodic checkpoints (-i)");
	out[MT_JOB_SNAPSHOT] = mech("snapshot", "/proc/PID/smaps read while the process is "
		"stopped (SIGSTOP, then SIGCONT), stamped with its mm's ticket count; its mm is "
		"learnt as it takes the SIGSTOP (signal_deliver)", "the process is stopped for "
		"the read (its parent may see the stop); -a cannot keep shadows");
}

bool mt_features_dumps(const struct mt_features *f)
{
	return f->has[MT_FT_VMA_KFUNCS] && mt_features_object(f) == MT_OBJ_MODERN;
}

bool mt_features_classic_syscall_tp(const struct mt_features *f)
{
	return f->has[MT_FT_TP_PREEMPTIBLE] && f->has[MT_FT_TRACEFS] && f->has[MT_FT_TASK_PT_REGS];
}

void mt_features_mechanisms(const struct mt_features *f, struct mt_mechanism out[MT_JOB__COUNT])
{
	bool kfuncs = f->has[MT_FT_VMA_KFUNCS];

	if (mt_features_object(f) == MT_OBJ_LEGACY) {
		legacy_mechanisms(out);
		return;
	}
	if (mt_features_object(f) == MT_OBJ_NOBTF) {
		nobtf_mechanisms(f, out);
		return;
	}

	if (!f->has[MT_FT_TP_PREEMPTIBLE])
		out[MT_JOB_ATTACH] = mech("calls", "tp_btf/sys_exit, one program for every syscall; "
					  "arguments from the saved user registers", NULL);
	else if (mt_features_classic_syscall_tp(f))
		out[MT_JOB_ATTACH] = mech("calls", "classic tracepoints (raw_syscalls/sys_exit, "
			"mmap_lock, sched), which run BPF with preemption off: a tp_btf run can be "
			"preempted on these kernels, and the kernel then skips it for other tasks on "
			"its CPU; arguments from bpf_task_pt_regs()", NULL);
	else
		out[MT_JOB_ATTACH] = mech("calls", "tp_btf/sys_exit; arguments from the saved user "
			"registers", "no tracefs (or no bpf_task_pt_regs()) for classic tracepoints: "
			"runs the kernel skips while another is preempted on the same CPU are "
			"counted as lost events, and their address spaces re-read");
	out[MT_JOB_ORDER] = mech("ordering", "per-address-space tickets drawn under the mmap write "
				 "lock (mmap_lock_acquire_returned)", NULL);
	out[MT_JOB_EXEC_SEED] = kfuncs ?
		mech("exec", "in-kernel dump at sched_process_exec (vma iterator kfuncs)", NULL) :
		mech("exec", "task_vma iterator read after the exec event, stamped with the address "
		     "space's ticket (no vma iterator kfuncs: Linux < 6.7)", NULL);
	if (kfuncs && f->has[MT_FT_EXIT_SEES_MM])
		out[MT_JOB_EXIT_CHECK] = mech("exit check", "in-kernel dump at sched_process_exit "
					      "(exit_group() and fatal signals alike)", NULL);
	else if (kfuncs)
		out[MT_JOB_EXIT_CHECK] = mech("exit check", "in-kernel dump as exit_mm() read-locks the "
			"address space (mmap_lock tracepoint; sched_process_exit runs after exit_mm() "
			"before Linux 6.16), exit_group() and fatal signals alike", NULL);
	else
		out[MT_JOB_EXIT_CHECK] = mech("exit check", "the started command and every process and "
			"thread it creates are stopped in exit (ptrace PTRACE_O_TRACEEXIT) and compared "
			"with /proc",
			"no vma iterator kfuncs (Linux < 6.7): a process that does not stop in exit "
			"(ptrace may not stop one killed by SIGKILL, and follows no CLONE_UNTRACED "
			"child) and -p/-a targets are compared only at periodic checkpoints (-i)");
	out[MT_JOB_SNAPSHOT] = mech("snapshot", "task_vma iterator: one pass under the mmap read "
				    "lock, stamped with the ticket count", NULL);
}

void mt_features_print(FILE *out, const struct mt_features *f, bool json)
{
	struct mt_mechanism mech[MT_JOB__COUNT];
	const char *blocker = mt_features_blocker(f);

	mt_features_mechanisms(f, mech);
	if (json) {
		struct mt_json j;

		mt_json_init(&j);
		mt_json_obj_begin(&j);
		mt_json_key(&j, "kernel");
		mt_json_str(&j, f->release, strlen(f->release));
		mt_json_key(&j, "machine");
		mt_json_str(&j, f->machine, strlen(f->machine));
		mt_json_key(&j, "features");
		mt_json_obj_begin(&j);
		for (int i = 0; i < MT_FT__COUNT; i++) {
			mt_json_key(&j, facts[i].name);
			mt_json_bool(&j, f->has[i]);
		}
		mt_json_obj_end(&j);
		mt_json_key(&j, "memory_bytes");
		mt_json_u64(&j, f->mem_bytes);
		mt_json_key(&j, "cpus");
		mt_json_i64(&j, f->ncpus);
		mt_json_key(&j, "ringbuf_bytes");
		mt_json_obj_begin(&j);
		mt_json_key(&j, "one_target");
		mt_json_u64(&j, mt_ringbuf_default(f->mem_bytes, f->ncpus, false));
		mt_json_key(&j, "system_wide");
		mt_json_u64(&j, mt_ringbuf_default(f->mem_bytes, f->ncpus, true));
		mt_json_obj_end(&j);
		mt_json_key(&j, "can_trace");
		mt_json_bool(&j, !blocker);
		if (blocker) {
			mt_json_key(&j, "cannot_trace_because");
			mt_json_str(&j, blocker, strlen(blocker));
		}
		mt_json_key(&j, "mechanisms");
		mt_json_arr_begin(&j);
		for (int i = 0; i < MT_JOB__COUNT && !blocker; i++) {
			mt_json_obj_begin(&j);
			mt_json_key(&j, "job");
			mt_json_str(&j, mech[i].job, strlen(mech[i].job));
			mt_json_key(&j, "how");
			mt_json_str(&j, mech[i].how, strlen(mech[i].how));
			mt_json_key(&j, "degraded");
			if (mech[i].degraded)
				mt_json_str(&j, mech[i].degraded, strlen(mech[i].degraded));
			else
				mt_json_null(&j);
			mt_json_obj_end(&j);
		}
		mt_json_arr_end(&j);
		mt_json_obj_end(&j);
		mt_json_flush_line(&j, out);
		mt_json_free(&j);
		return;
	}
	fprintf(out, "kernel %s %s\n", f->release, f->machine);
	for (int i = 0; i < MT_FT__COUNT; i++)
		fprintf(out, "  %-3s %-17s %s\n", f->has[i] ? "yes" : "no", facts[i].name, facts[i].desc);
	if (blocker) {
		fprintf(out, "tracing: not possible: %s\n", blocker);
		return;
	}
	fprintf(out, "tracing: possible\n");
	for (int i = 0; i < MT_JOB__COUNT; i++) {
		fprintf(out, "  %-10s %s\n", mech[i].job, mech[i].how);
		if (mech[i].degraded)
			fprintf(out, "  %-10s DEGRADED: %s\n", "", mech[i].degraded);
	}
	fprintf(out, "sizes (%llu MiB of memory, %d CPUs): ring buffer %llu MiB for one target, "
		"%llu MiB with -a (--buffer SIZE sets it)\n",
		(unsigned long long)(f->mem_bytes >> 20), f->ncpus,
		(unsigned long long)(mt_ringbuf_default(f->mem_bytes, f->ncpus, false) >> 20),
		(unsigned long long)(mt_ringbuf_default(f->mem_bytes, f->ncpus, true) >> 20));
}
