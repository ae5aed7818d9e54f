/* SPDX-License-Identifier: GPL-2.0 */
/* features.h - what the running kernel offers maptrace, probed, never assumed.
 *
 * Kernel versions say little: verifier trust rules differ between builds of
 * one version, and distributions backport. So every fact maptrace depends on
 * is asked of this kernel (its BTF, a test load, an ioctl), and each command
 * picks its mechanism from the answers (see mt_features_mechanisms()). The
 * probes talk to libbpf; the decisions are pure logic. User-only.
 */
#ifndef MAPTRACE_FEATURES_H
#define MAPTRACE_FEATURES_H

#ifdef __KERNEL__
#error "features.h is user-space only"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One probed fact. */
enum mt_feature {
	MT_FT_BTF = 0,          /* kernel BTF at /sys/kernel/btf/vmlinux */
	MT_FT_RINGBUF,          /* BPF ring buffer map (5.8) */
	MT_FT_TP_SYS_EXIT,      /* tp_btf/sys_exit */
	MT_FT_TP_SCHED,         /* tp_btf/sched_process_fork, _exec, _exit */
	MT_FT_TP_MMAP_LOCK,     /* tp_btf/mmap_lock_acquire_returned (5.11) */
	MT_FT_EXIT_SEES_MM,     /* sched_process_exit runs before exit_mm() (6.16) */
	MT_FT_TP_PREEMPTIBLE,   /* tracepoint callbacks run preemptibly (SRCU-fast, 7.x) */
	MT_FT_TRACEFS,          /* tracefs mounted, or root may mount it: classic
				   tracepoints are attached by its event ids */
	MT_FT_TASK_STORAGE,     /* task-local storage for tracing programs (5.13) */
	MT_FT_CURRENT_TASK_BTF, /* bpf_get_current_task_btf() (5.11) */
	MT_FT_TASK_PT_REGS,     /* bpf_task_pt_regs() (5.15) */
	MT_FT_FIND_VMA,         /* bpf_find_vma() (5.17) */
	MT_FT_LOOP,             /* bpf_loop() (5.17) */
	MT_FT_TASK_VMA_ITER,    /* the task_vma iterator (5.12) */
	MT_FT_VMA_KFUNCS,       /* bpf_iter_task_vma_new/_next/_destroy kfuncs (6.7) */
	MT_FT_PROG_SYSCALL,     /* BPF_PROG_TYPE_SYSCALL (5.14) */
	MT_FT_PROCMAP_QUERY,    /* PROCMAP_QUERY ioctl on /proc/PID/maps (6.11) */
	MT_FT_FEXIT_MM_LOCKS,   /* fexit attaches to down_write_killable, down_write,
				   down_read_killable, mm_access, and is safe on
				   functions that sleep (the legacy object) */
	/* what the no-BTF object attaches to, asked of tracefs and kallsyms */
	MT_FT_CLASSIC_TP,       /* classic raw_syscalls, sched_process_* and
				   signal_deliver tracepoints */
	MT_FT_CLASSIC_MMAP_LOCK, /* classic mmap_lock_acquire_returned (5.11) */
	MT_FT_KPROBES,          /* kprobes on up_write() and downgrade_write() */
	MT_FT__COUNT
};

struct mt_features {
	bool probed;
	bool has[MT_FT__COUNT];
	char release[65];       /* uname -r */
	char machine[65];       /* uname -m */
	uint64_t mem_bytes;     /* the machine's memory (MemTotal), 0 if unknown */
	int ncpus;              /* possible CPUs, 0 if unknown */
	bool kernel_btf_off;    /* MAPTRACE_KERNEL_BTF=none: act as if the kernel had none */
	bool btf_file;          /* CO-RE relocations come from a --btf file (not a
				   kernel fact: set by whoever has the options) */
};

/* Which BPF object traces on a kernel: the one built for kernels with the
 * mmap_lock tracepoints, task storage, bpf_loop() and the vma helpers, or
 * the legacy one (bpf/maptrace_legacy.bpf.c) that orders calls by fexit on
 * the rwsem calls behind the mmap lock. Chosen from facts, never versions. */
enum mt_bpf_object {
	MT_OBJ_NONE = 0,     /* cannot trace: see mt_features_blocker() */
	MT_OBJ_MODERN,
	MT_OBJ_LEGACY,
	MT_OBJ_NOBTF,        /* no kernel BTF: classic tracepoints and kprobes,
				relocated from a --btf file (maptrace_nobtf.bpf.c) */
};

enum mt_bpf_object mt_features_object(const struct mt_features *f);

/* Whether the kernel dumps an address space itself as a process execs and
 * exits (the modern object with the vma iterator kfuncs, 6.7): elsewhere
 * user space must read it while the process is stopped. */
bool mt_features_dumps(const struct mt_features *f);

/* Whether the modern object sees syscalls through the classic (perf)
 * raw_syscalls tracepoints rather than tp_btf: where tracepoint programs
 * can be preempted, and tracefs and bpf_task_pt_regs() are there. */
bool mt_features_classic_syscall_tp(const struct mt_features *f);

/* Probe the running kernel (root or CAP_BPF for the test loads; without them
 * those facts read as missing). MAPTRACE_PRETEND_MISSING=NAME[,NAME...]
 * (names as mt_feature_name()) makes facts read as missing, and
 * MAPTRACE_PRETEND_PRESENT=NAME[,...] as present where that is safe (a
 * precaution such as tp_preemptible), so that tests run every fallback on
 * any kernel. */
void mt_features_probe(struct mt_features *f);

/* Make tracefs reachable where libbpf looks for event ids, mounting it at
 * /sys/kernel/tracing if need be: 0, or -errno. */
int mt_tracefs_mount(void);

/* Set the facts named in a comma-separated list to value; returns -1 and
 * names the first unknown one in *bad (pure: probe.c applies the variables). */
int mt_features_pretend(struct mt_features *f, const char *list, bool value, const char **bad);

/* A fact's name ("ringbuf") and what it is, for reports. */
const char *mt_feature_name(enum mt_feature ft);
const char *mt_feature_desc(enum mt_feature ft);

/* How maptrace works on a kernel with these facts: one line per job. */
enum mt_mechanism_job {
	MT_JOB_ATTACH = 0,   /* how mapping calls are seen */
	MT_JOB_ORDER,        /* how events of one address space are ordered */
	MT_JOB_EXEC_SEED,    /* how a new (exec'd) address space is learned */
	MT_JOB_EXIT_CHECK,   /* verify's checkpoint as a process exits */
	MT_JOB_SNAPSHOT,     /* how a running process is read (-p, resync) */
	MT_JOB__COUNT
};

struct mt_mechanism {
	const char *job;     /* "ordering" */
	const char *how;     /* what is used */
	const char *degraded;/* NULL, or what is lost and why */
};

void mt_features_mechanisms(const struct mt_features *f, struct mt_mechanism out[MT_JOB__COUNT]);

/* Can maptrace trace at all here? NULL if so, else why not (one line). */
const char *mt_features_blocker(const struct mt_features *f);

/* The report of `maptrace features` (and -v): text or JSON. */
void mt_features_print(FILE *out, const struct mt_features *f, bool json);

#endif /* MAPTRACE_FEATURES_H */
