// SPDX-License-Identifier: GPL-2.0
/* probe.c - ask the running kernel what it offers (features.h).
 *
 * Three kinds of question, each the way libbpf-tools and bpftool ask it:
 * the kernel's BTF names what exists (a tracepoint is there when its
 * btf_trace_<name> typedef is; an iterator or kfunc when its function is),
 * a test load tells what the verifier accepts (map types, helpers, program
 * types: libbpf_probe_*), and an ioctl tells what /proc answers. With
 * tracer.c, the only module that calls libbpf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel/features.h"
#include "proc/procmaps.h"

static bool btf_has(const struct btf *btf, const char *name, __u32 kind)
{
	return btf && btf__find_by_name_kind(btf, name, kind) >= 0;
}

/* Does struct sname have a member mname? */
static bool btf_has_member(const struct btf *btf, const char *sname, const char *mname)
{
	int id = btf ? btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT) : -1;
	const struct btf_type *t;
	const struct btf_member *m;

	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), mname))
			return true;
	return false;
}

static bool tracepoint(const struct btf *btf, const char *name)
{
	char tn[128];

	snprintf(tn, sizeof(tn), "btf_trace_%s", name);
	return btf_has(btf, tn, BTF_KIND_TYPEDEF);
}

/* libbpf answers 1 (yes), 0 (no) or <0 (cannot tell: not privileged). */
static bool helper(enum bpf_func_id id)
{
	/* raw tracepoint programs get the tracing helpers (bpf_tracing_func_proto) */
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, id, NULL) == 1;
}

/* Does an fexit program load for, and attach to, the kernel function name?
 * As libbpf-tools' fentry_can_attach(): the program is two instructions,
 * attached for a moment. Kernels that refuse fentry/fexit (lockdown, some
 * distribution builds) or a function ftrace cannot patch say no here. */
static bool fexit_attaches(const struct btf *btf, const char *name)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) : -1;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FEXIT,
		    .attach_btf_id = id > 0 ? (__u32)id : 0);
	int prog, link;

	if (id <= 0)
		return false;
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "mt_probe", "GPL", insns, 2, &opts);
	if (prog < 0)
		return false;
	link = bpf_raw_tracepoint_open(NULL, prog); /* how tracing programs attach (5.5) */
	if (link >= 0)
		close(link);
	close(prog);
	return link >= 0;
}

/* The legacy object draws tickets in fexit programs on the mmap lock's
 * rwsem calls, which sleep when the lock is contended. Until "bpf: Fix
 * fexit trampoline" (5.12, e21aa341785c; backported to 5.10.y) detaching
 * such a program freed the trampoline a sleeping task would return to:
 * its struct bpf_tramp_image tells a fixed kernel. */
static bool fexit_mm_locks(const struct btf *btf)
{
	static const char *const funcs[] = { "down_write_killable", "down_write",
					     "down_read_killable", "mm_access" };

	if (!btf_has(btf, "bpf_tramp_image", BTF_KIND_STRUCT))
		return false;
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (!fexit_attaches(btf, funcs[i]))
			return false;
	return true;
}

/* Where libbpf reads a tracepoint's event id: debugfs's view of tracefs if
 * debugfs is mounted, else tracefs's own mount point (libbpf 1.1:
 * tracefs_path()). Boot services usually mount it; a fresh VM or an
 * initramfs may not. */
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"
#define TRACEFS "/sys/kernel/tracing"
#define SYS_EXIT_ID "/events/raw_syscalls/sys_exit/id"

static bool tracefs_mounted(void)
{
	if (!access(DEBUGFS_TRACING, F_OK))
		return !access(DEBUGFS_TRACING SYS_EXIT_ID, R_OK);
	return !access(TRACEFS SYS_EXIT_ID, R_OK);
}

/* Mounted, or this kernel has tracefs and we may mount it. */
static bool tracefs_available(void)
{
	char line[128];
	bool known = false;
	FILE *f;

	if (tracefs_mounted())
		return true;
	if (geteuid() != 0 || !(f = fopen("/proc/filesystems", "re")))
		return false;
	while (!known && fgets(line, sizeof(line), f))
		known = strcmp(line, "nodev\ttracefs\n") == 0;
	fclose(f);
	return known;
}

int mt_tracefs_mount(void)
{
	if (tracefs_mounted())
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	return tracefs_mounted() ? 0 : -ENOENT;
}

/* A tracefs event of this kernel (tracefs mounted). */
static bool tracefs_event(const char *event)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events/%s/id",
		 access(DEBUGFS_TRACING, F_OK) ? TRACEFS : DEBUGFS_TRACING, event);
	return access(path, R_OK) == 0;
}

/* kprobes can be placed on these functions: kprobe events are built in,
 * the functions exist and are not on the kprobe blacklist. */
static bool kprobes_on(const char *const *funcs, size_t n)
{
	char line[256], name[128];
	size_t found = 0;
	FILE *f;

	if (access(TRACEFS "/kprobe_events", F_OK) && access(DEBUGFS_TRACING "/kprobe_events", F_OK))
		return false;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return false;
	while (found < n && fgets(line, sizeof(line), f)) {
		char type;

		if (sscanf(line, "%*s %c %127s", &type, name) != 2 || (type != 'T' && type != 't'))
			continue;
		for (size_t i = 0; i < n; i++)
			found += !strcmp(name, funcs[i]);
	}
	fclose(f);
	if (found < n || !(f = fopen("/sys/kernel/debug/kprobes/blacklist", "re")))
		return found == n;
	while (found == n && fgets(line, sizeof(line), f))
		for (size_t i = 0; i < n; i++)
			if (sscanf(line, "%*s %127s", name) == 1 && !strcmp(name, funcs[i]))
				found = 0;
	fclose(f);
	return found == n;
}

/* What the no-BTF object attaches to. Where it may be the one to run,
 * tracefs is mounted to look (root): it attaches through it anyway. */
static void probe_without_btf(struct mt_features *f)
{
	static const char *const unlocks[] = { "up_write", "downgrade_write" };

	/* (only where the no-BTF object may be the one to run: no kernel BTF,
	 * or neither of the others can) */
	bool needed = !f->has[MT_FT_BTF] || mt_features_object(f) == MT_OBJ_NONE;

	if (!f->has[MT_FT_TRACEFS] || (!tracefs_mounted() && (!needed || mt_tracefs_mount())))
		return;
	f->has[MT_FT_CLASSIC_TP] = tracefs_event("raw_syscalls/sys_enter") &&
				   tracefs_event("raw_syscalls/sys_exit") &&
				   tracefs_event("sched/sched_process_fork") &&
				   tracefs_event("sched/sched_process_exec") &&
				   tracefs_event("sched/sched_process_exit") &&
				   tracefs_event("signal/signal_deliver");
	f->has[MT_FT_CLASSIC_MMAP_LOCK] = tracefs_event("mmap_lock/mmap_lock_acquire_returned");
	/* /proc/kallsyms is read whole (~50 ms on Debian's kernels): only
	 * where kprobes may order the no-BTF object's events */
	f->has[MT_FT_KPROBES] = needed && !f->has[MT_FT_CLASSIC_MMAP_LOCK] && kprobes_on(unlocks, 2);
}

void mt_features_probe(struct mt_features *f)
{
	libbpf_print_fn_t old = libbpf_set_print(NULL); /* probes fail by design: keep quiet */
	const char *kbtf = getenv("MAPTRACE_KERNEL_BTF");
	bool btf_off = kbtf && !strcmp(kbtf, "none");
	struct btf *btf = btf_off ? NULL : btf__load_vmlinux_btf();
	struct mt_maps_reader rd = { 0 };
	const char *missing = getenv("MAPTRACE_PRETEND_MISSING"), *bad;
	const char *present = getenv("MAPTRACE_PRETEND_PRESENT");
	struct utsname u;

	memset(f, 0, sizeof(*f));
	if (libbpf_get_error(btf))
		btf = NULL;
	f->kernel_btf_off = btf_off;
	f->btf_file = getenv("MAPTRACE_BTF") && *getenv("MAPTRACE_BTF");
	{
		struct sysinfo si;

		if (!sysinfo(&si))
			f->mem_bytes = (uint64_t)si.totalram * si.mem_unit;
		f->ncpus = libbpf_num_possible_cpus();
		if (f->ncpus < 0)
			f->ncpus = 0;
	}
	if (!uname(&u)) {
		snprintf(f->release, sizeof(f->release), "%s", u.release);
		snprintf(f->machine, sizeof(f->machine), "%s", u.machine);
	}
	f->has[MT_FT_BTF] = btf && access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	f->has[MT_FT_RINGBUF] = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	f->has[MT_FT_TP_SYS_EXIT] = tracepoint(btf, "sys_exit");
	f->has[MT_FT_TP_SCHED] = tracepoint(btf, "sched_process_fork") &&
				 tracepoint(btf, "sched_process_exec") &&
				 tracepoint(btf, "sched_process_exit");
	f->has[MT_FT_TP_MMAP_LOCK] = tracepoint(btf, "mmap_lock_acquire_returned");
	/* tracepoints call their probes under guard(srcu_fast_notrace) rather
	 * than with preemption off (7.x): a program run can be preempted, and
	 * the kernel skips that program on its CPU until it resumes */
	f->has[MT_FT_TP_PREEMPTIBLE] = btf_has(btf, "class_srcu_fast_notrace_t", BTF_KIND_TYPEDEF);
	f->has[MT_FT_TRACEFS] = tracefs_available();
	/* "exit: move and extend sched_process_exit() tracepoint" (6.16) */
	f->has[MT_FT_EXIT_SEES_MM] = btf_has_member(btf, "trace_event_raw_sched_process_exit",
						    "group_dead");
	f->has[MT_FT_TASK_STORAGE] = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
	f->has[MT_FT_CURRENT_TASK_BTF] = helper(BPF_FUNC_get_current_task_btf);
	f->has[MT_FT_TASK_PT_REGS] = helper(BPF_FUNC_task_pt_regs);
	f->has[MT_FT_FIND_VMA] = helper(BPF_FUNC_find_vma);
	f->has[MT_FT_LOOP] = helper(BPF_FUNC_loop);
	/* DEFINE_BPF_ITER_FUNC(task_vma, ...) defines bpf_iter_task_vma() */
	f->has[MT_FT_TASK_VMA_ITER] = btf_has(btf, "bpf_iter_task_vma", BTF_KIND_FUNC);
	f->has[MT_FT_VMA_KFUNCS] = btf_has(btf, "bpf_iter_task_vma_new", BTF_KIND_FUNC) &&
				   btf_has(btf, "bpf_iter_task_vma_next", BTF_KIND_FUNC) &&
				   btf_has(btf, "bpf_iter_task_vma_destroy", BTF_KIND_FUNC);
	f->has[MT_FT_PROG_SYSCALL] = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL) == 1;
	f->has[MT_FT_PROCMAP_QUERY] = mt_maps_reader_query(&rd, getpid()) == 0;
	f->has[MT_FT_FEXIT_MM_LOCKS] = fexit_mm_locks(btf);
	probe_without_btf(f);
	mt_maps_reader_free(&rd);
	btf__free(btf);
	libbpf_set_print(old);
	f->probed = true;
	if (missing && mt_features_pretend(f, missing, false, &bad))
		fprintf(stderr, "maptrace: MAPTRACE_PRETEND_MISSING: unknown feature at '%s' "
			"(names: see maptrace features --json)\n", bad);
	if (present && mt_features_pretend(f, present, true, &bad))
		fprintf(stderr, "maptrace: MAPTRACE_PRETEND_PRESENT: unknown feature at '%s' "
			"(names: see maptrace features --json)\n", bad);
}
