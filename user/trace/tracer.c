// SPDX-License-Identifier: GPL-2.0
/* tracer.c - load, attach and run maptrace's BPF programs.
 *
 * The loader lifecycle of libbpf-bootstrap: check the machine, open the
 * skeleton, set rodata knobs and the ring-buffer size, load, attach, poll.
 * Three objects are built from one source (bpf/maptrace.bpf.c): the modern
 * one; for kernels without the mmap_lock tracepoints and the newer helpers
 * (Linux 5.10), the legacy one; and for kernels without BTF, the no-BTF
 * one. mt_features_object() picks one from the probed facts, and the modern
 * one is loaded with tp_btf or classic tracepoint programs (7.x, where
 * tracepoint programs can be preempted). Past loading, every object is used
 * through the same maps, found by name, so the rest does not care which
 * runs; snapshots are snapshot.c's, libbpf's messages loadlog.c's. Every
 * failure a user can hit is turned into one line that says what failed and
 * what to do.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/epoll.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "trace/tracer.h"
#include "kernel/sizing.h"
#include "trace/loadlog.h"
#include "trace/tracer_obj.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"



/* This architecture's syscall numbers for each event kind. */
static const struct { long nr; __u8 kind; } syscall_kinds[] = {
	{ SYS_mmap, MT_EV_MMAP },
	{ SYS_munmap, MT_EV_MUNMAP },
	{ SYS_mprotect, MT_EV_MPROTECT },
	{ SYS_pkey_mprotect, MT_EV_PKEY_MPROTECT },
	{ SYS_brk, MT_EV_BRK },
	{ SYS_mremap, MT_EV_MREMAP },
	{ SYS_shmat, MT_EV_SHMAT },
	{ SYS_shmdt, MT_EV_SHMDT },
	{ SYS_remap_file_pages, MT_EV_REMAP_FILE_PAGES },
	{ SYS_io_setup, MT_EV_IO_SETUP },
	{ SYS_io_destroy, MT_EV_IO_DESTROY },
	{ SYS_madvise, MT_EV_MADVISE },
	{ SYS_prctl, MT_EV_PRCTL_VMA_NAME },
	{ SYS_clone, MT_EV_FORK },
	{ SYS_clone3, MT_EV_FORK },
#ifdef SYS_fork
	{ SYS_fork, MT_EV_FORK },
	{ SYS_vfork, MT_EV_FORK },
#endif
#ifdef SYS_arch_prctl
	{ SYS_arch_prctl, MT_EV_MAP_VDSO }, /* (x86) only ARCH_MAP_VDSO_*: call_wanted() */
#endif
	{ SYS_exit_group, MT_SC_EXIT_GROUP },
};

/* Whether the effective capability set holds cap (linux/capability.h). */
static bool have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

static int preflight(struct mt_features *f, bool btf_file, int verbose)
{
	const char *blocker;

	/* CAP_BPF with CAP_PERFMON load and attach tracing programs and read
	 * the iterator; CAP_SYS_ADMIN implies both. /proc of processes of our
	 * own uid needs nothing more. */
	if (geteuid() != 0 && !have_cap(CAP_SYS_ADMIN) &&
	    !(have_cap(CAP_BPF) && have_cap(CAP_PERFMON))) {
		fprintf(stderr, "maptrace: needs root or CAP_BPF+CAP_PERFMON, and %s missing "
			"(try: sudo maptrace ...)\n", have_cap(CAP_BPF) ? "CAP_PERFMON is" :
			have_cap(CAP_PERFMON) ? "CAP_BPF is" : "both are");
		return -EPERM;
	}
	/* (after the privilege check: the probes load programs) */
	if (!f->probed)
		mt_features_probe(f);
	f->btf_file |= btf_file;
	if (verbose)
		mt_features_print(stderr, f, false);
	blocker = mt_features_blocker(f);
	if (blocker) {
		fprintf(stderr, "maptrace: cannot trace on kernel %s: %s (see: maptrace features)\n",
			f->release, blocker);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct mt_tracer *t = ctx;
	const struct mt_event *e = data;

	if (size < sizeof(*e) || size < sizeof(*e) + e->path_len)
		return 0; /* cannot happen with a matching ABI; never crash on it */
	t->fn(e, (const char *)(e + 1), t->ctx);
	t->delivered++;
	return 0;
}

static uint64_t round_pow2(uint64_t v)
{
	uint64_t p = 4096;

	while (p < v)
		p <<= 1;
	return p;
}

/* sys_enter runs only for call durations: a second program on every
 * syscall costs ~150 ns per mapping call. */
static bool needs_sys_enter(const struct mt_tracer_opts *opts)
{
	return opts->enter_times;
}

/* The number of per-mm ticket slots (bpf/tickets.bpf.h). Tests set
 * MAPTRACE_TICKET_SLOTS=0 so that every mm keeps its ticket counter in the
 * hash that takes the slots' overflow, and 1 for a mix of both. */
static int ticket_slots(uint32_t *out)
{
	const char *v = getenv("MAPTRACE_TICKET_SLOTS");
	unsigned long n;
	char *end;

	*out = MT_TICKET_SLOTS;
	if (!v)
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > MT_TICKET_SLOTS || (n & (n - 1))) {
		fprintf(stderr, "maptrace: MAPTRACE_TICKET_SLOTS='%s' is neither 0 nor a power of two "
			"up to %u; unset it\n", v, MT_TICKET_SLOTS);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

/* No slots: the map keeps its one entry, owned by an address no mm has. */
static int retire_only_ticket_slot(struct mt_tracer *t)
{
	struct mt_ticket_slot taken = { .mm = 1 };
	uint32_t zero = 0;

	if (!bpf_map__update_elem(t->ticket_slots, &zero, sizeof(zero), &taken,
				  sizeof(taken), BPF_ANY))
		return 0;
	fprintf(stderr, "maptrace: setting up the ticket slots failed: %s\n", strerror(errno));
	return -errno;
}

/* The knobs both objects take, before load. */
#define SET_KNOBS(sk) do {								\
	(sk)->rodata->trace_all = opts->trace_all;					\
	(sk)->rodata->tracer_tgid = getpid();						\
	(sk)->rodata->dump_exit = opts->dump_exit;					\
	(sk)->rodata->stack_mode = opts->stack_mode;					\
	if (opts->stack_bytes)								\
		(sk)->rodata->stack_bytes = opts->stack_bytes > MT_STACK_MAX ?		\
					    MT_STACK_MAX : opts->stack_bytes;		\
	for (size_t i_ = 0; i_ < sizeof(syscall_kinds) / sizeof(syscall_kinds[0]); i_++) \
		(sk)->rodata->syscall_kind[syscall_kinds[i_].nr] = syscall_kinds[i_].kind; \
	bpf_map__set_max_entries((sk)->maps.events, ring);				\
	/* a small buffer must wake us well before it is full */			\
	(sk)->rodata->wakeup_bytes = ring / 8;						\
	bpf_map__set_max_entries((sk)->maps.ticket_slots, slots ? slots : 1);		\
	(sk)->rodata->ticket_slot_mask = slots ? slots - 1 : 0;				\
	(sk)->rodata->enter_times = opts->enter_times;					\
	(sk)->rodata->vma_kfuncs = f->has[MT_FT_VMA_KFUNCS];				\
	(sk)->rodata->exit_tp_sees_mm = f->has[MT_FT_EXIT_SEES_MM];			\
	(sk)->rodata->event_times = !opts->untimed;					\
	(sk)->rodata->event_cgroups = opts->cgroups;					\
} while (0)

#define TAKE_MAPS(t, sk) do {						\
	(t)->events = (sk)->maps.events;				\
	(t)->traced = (sk)->maps.traced;				\
	(t)->stats = (sk)->maps.stats;					\
	(t)->lost_mms = (sk)->maps.lost_mms;				\
	(t)->ticket_slots = (sk)->maps.ticket_slots;			\
	(t)->mm_seq = (sk)->maps.mm_seq;				\
	(t)->lost_mm_notes = &(sk)->bss->lost_mm_notes;			\
} while (0)

/* Load with libbpf's warnings kept, to name what the kernel refused. */
#define LOAD_LOGGED(err, call) do {					\
	mt_loadlog_begin();						\
	(err) = (call);							\
	mt_loadlog_end();						\
} while (0)

/* A --btf file must be BTF: say so in one line before libbpf does in many. */
static int check_btf_file(const char *path)
{
	struct btf *btf = btf__parse(path, NULL);
	long err = libbpf_get_error(btf);

	if (!err) {
		btf__free(btf);
		return 0;
	}
	fprintf(stderr, "maptrace: --btf %s: not a readable BTF file (%s); make one with `make "
		"min-btf` or pahole -J from the kernel's vmlinux\n", path, strerror((int)-err));
	return (int)err;
}

/* The steps every object goes through, for skeleton type NAME (maptrace_bpf,
 * maptrace_legacy_bpf, ...) held in sk; what names the object in messages.
 * Each returns from the caller on failure, having said what failed. */
#define OPEN_SKEL(sk, NAME, what) do {						\
	(sk) = NAME##__open_opts(&oo);						\
	if (!(sk)) {								\
		fprintf(stderr, "maptrace: opening the %s BPF object failed: %s\n",	\
			what, strerror(errno));					\
		return -errno;							\
	}									\
	SET_KNOBS(sk);								\
} while (0)
#define LOAD_SKEL(sk, NAME, what) do {						\
	LOAD_LOGGED(err, NAME##__load(sk));					\
	if (err) {								\
		mt_loadlog_explain(err, what);					\
		return err;							\
	}									\
	TAKE_MAPS(t, sk);							\
} while (0)

/* Load one of a program's two forms, NAME_btf or NAME_tp (classic). */
#define PICK_FORM(sk, name, classic, load) do {					\
	bpf_program__set_autoload((sk)->progs.name##_btf, (load) && !(classic));	\
	bpf_program__set_autoload((sk)->progs.name##_tp, (load) && (classic));	\
} while (0)

static int open_modern(struct mt_tracer *t, const struct mt_tracer_opts *opts,
		       const struct mt_features *f, uint32_t slots, uint64_t ring)
{
	/* CO-RE relocations from --btf's file where given, else the kernel's BTF */
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = opts->btf_path);
	bool classic = mt_features_classic_syscall_tp(f);
	struct bpf_program *sys_enter;
	struct bpf_link **sys_enter_link;
	int err;

	if (classic && (err = mt_tracefs_mount())) {
		fprintf(stderr, "maptrace: mounting tracefs at /sys/kernel/tracing failed (%s): "
			"syscalls are seen through tp_btf, and its runs the kernel skips are lost "
			"events\n", strerror(-err));
		classic = false;
	}
	OPEN_SKEL(t->skel, maptrace_bpf, "modern");
	/* iterators are read on demand, never auto-attached */
	bpf_program__set_autoattach(t->skel->progs.seed_vmas, false);
	/* each tracepoint's program in one of its two forms: tp_btf, or the
	 * classic tracepoint where a tp_btf run can be preempted
	 * (bpf/maptrace.bpf.c); sys_enter, a program on every syscall, only if
	 * it has work (below) */
	PICK_FORM(t->skel, sys_exit, classic, true);
	PICK_FORM(t->skel, mm_lock, classic, true);
	PICK_FORM(t->skel, on_fork, classic, true);
	PICK_FORM(t->skel, on_exec, classic, true);
	PICK_FORM(t->skel, on_exit, classic, true);
	PICK_FORM(t->skel, sys_enter, classic, needs_sys_enter(opts));
	bpf_program__set_autoattach(t->skel->progs.sys_enter_btf, false);
	bpf_program__set_autoattach(t->skel->progs.sys_enter_tp, false);
	sys_enter = classic ? t->skel->progs.sys_enter_tp : t->skel->progs.sys_enter_btf;
	sys_enter_link = classic ? &t->skel->links.sys_enter_tp : &t->skel->links.sys_enter_btf;

	LOAD_SKEL(t->skel, maptrace_bpf, "modern");
	t->slot_mask = slots ? slots - 1 : 0;
	if (!slots && (err = retire_only_ticket_slot(t)))
		return err;
	err = maptrace_bpf__attach(t->skel);
	if (!err && needs_sys_enter(opts)) {
		*sys_enter_link = bpf_program__attach(sys_enter);
		err = *sys_enter_link ? 0 : -errno;
	}
	if (err)
		fprintf(stderr, "maptrace: attaching the BPF programs failed: %s\n", strerror(-err));
	return err;
}

/* The legacy object: every program attaches (sys_enter keeps each call's
 * state there), and no ticket slot is ever claimed (tickets.bpf.h). */
static int open_legacy(struct mt_tracer *t, const struct mt_tracer_opts *opts,
		       const struct mt_features *f, uint32_t slots, uint64_t ring)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = opts->btf_path);
	int err;

	slots = 0;
	OPEN_SKEL(t->lskel, maptrace_legacy_bpf, "legacy");
	LOAD_SKEL(t->lskel, maptrace_legacy_bpf, "legacy");
	t->proc_snap = &t->lskel->bss->proc_snap;
	err = maptrace_legacy_bpf__attach(t->lskel);
	if (err)
		fprintf(stderr, "maptrace: attaching the legacy BPF programs failed: %s\n",
			strerror(-err));
	return err;
}

/* The no-BTF object: tickets from the classic mmap_lock tracepoint where
 * the kernel has it, else from kprobes on the unlocks; everything else
 * attaches as it is. Stacks are frame-pointer walks (no user registers). */
static int open_nobtf(struct mt_tracer *t, const struct mt_tracer_opts *opts,
		      const struct mt_features *f, uint32_t slots, uint64_t ring)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = opts->btf_path);
	bool tp_lock = f->has[MT_FT_CLASSIC_MMAP_LOCK];
	int err;

	if ((err = mt_tracefs_mount())) {
		fprintf(stderr, "maptrace: mounting tracefs at /sys/kernel/tracing failed (%s): "
			"without kernel BTF maptrace attaches to its events\n", strerror(-err));
		return err;
	}
	slots = 0;
	OPEN_SKEL(t->nskel, maptrace_nobtf_bpf, "no-BTF");
	if (opts->stack_mode == MT_STACKS_DWARF) {
		fprintf(stderr, "maptrace: no kernel BTF: stacks are walked by frame pointers "
			"(DWARF samples need the user registers)\n");
		t->nskel->rodata->stack_mode = MT_STACKS_FP;
	}
	bpf_program__set_autoload(t->nskel->progs.mm_lock_nobtf, tp_lock);
	bpf_program__set_autoload(t->nskel->progs.up_write_nobtf, !tp_lock);
	bpf_program__set_autoload(t->nskel->progs.downgrade_write_nobtf, !tp_lock);
	LOAD_SKEL(t->nskel, maptrace_nobtf_bpf, "no-BTF");
	t->tgid_mm = t->nskel->maps.tgid_mm;
	err = maptrace_nobtf_bpf__attach(t->nskel);
	if (err)
		fprintf(stderr, "maptrace: attaching the no-BTF BPF programs failed: %s\n",
			strerror(-err));
	return err;
}

int mt_tracer_open(struct mt_tracer **out, const struct mt_tracer_opts *opts,
		   mt_event_fn fn, void *ctx)
{
	static struct mt_features probed; /* when the caller probed nothing */
	struct mt_features *f = opts->features ? opts->features : &probed;
	struct mt_tracer *t;
	uint32_t slots;
	uint64_t ring;
	int err;

	mt_loadlog_setup(opts->verbose);
	err = opts->btf_path ? check_btf_file(opts->btf_path) : 0;
	if (!err)
		err = preflight(f, opts->btf_path != NULL, opts->verbose);
	if (!err)
		err = ticket_slots(&slots);
	if (err)
		return err;
	/* (after preflight: the machine's size is among the probed facts) */
	ring = round_pow2(opts->ringbuf_bytes ? opts->ringbuf_bytes :
			  mt_ringbuf_default(f->mem_bytes, f->ncpus, opts->trace_all));

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->ctx = ctx;
	t->ring_bytes = ring;
	t->ncpus = libbpf_num_possible_cpus();
	t->run_stats_fd = -1;

	switch (mt_features_object(f)) {
	case MT_OBJ_LEGACY:
		err = open_legacy(t, opts, f, slots, ring);
		break;
	case MT_OBJ_NOBTF:
		err = open_nobtf(t, opts, f, slots, ring);
		break;
	default:
		err = open_modern(t, opts, f, slots, ring);
	}
	if (err)
		goto fail;
	t->rb = ring_buffer__new(bpf_map__fd(t->events), on_sample, t, NULL);
	if (!t->rb) {
		err = -errno;
		fprintf(stderr, "maptrace: creating the ring buffer reader failed: %s\n",
			strerror(errno));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	mt_tracer_close(t);
	return err < 0 ? err : -EINVAL;
}

void mt_tracer_close(struct mt_tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	maptrace_bpf__destroy(t->skel);
	maptrace_legacy_bpf__destroy(t->lskel);
	maptrace_nobtf_bpf__destroy(t->nskel);
	if (t->run_stats_fd >= 0)
		close(t->run_stats_fd);
	free(t);
}

int mt_tracer_add_pid(struct mt_tracer *t, pid_t tgid)
{
	__u32 key = tgid;
	__u8 one = 1;

	if (bpf_map__update_elem(t->traced, &key, sizeof(key), &one, sizeof(one), BPF_ANY))
		return -errno;
	return 0;
}

int mt_tracer_poll(struct mt_tracer *t, int timeout_ms)
{
	int err;

	t->delivered = 0;
	err = ring_buffer__poll(t->rb, timeout_ms);
	if (err < 0)
		return err;
	/* Records are submitted without waking us (BPF_RB_NO_WAKEUP) until an
	 * eighth of the buffer piles up, and ring_buffer__poll() only reads rings
	 * epoll reported: read whatever is there once the timeout expired. */
	err = ring_buffer__consume(t->rb);
	if (err < 0)
		return err;
	return t->delivered;
}

int mt_tracer_watch_fd(struct mt_tracer *t, int fd)
{
	/* ring_buffer__poll() reads the ring whose index an epoll event
	 * carries: 0, our only ring, which we read after the poll anyway */
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 0 };

	return epoll_ctl(ring_buffer__epoll_fd(t->rb), EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int mt_tracer_drain(struct mt_tracer *t)
{
	int err;

	t->delivered = 0;
	err = ring_buffer__consume(t->rb);
	if (err < 0)
		return err;
	return t->delivered;
}

static void read_stat(struct mt_tracer *t, __u32 idx, uint64_t *percpu)
{
	memset(percpu, 0, sizeof(*percpu) * t->ncpus);
	bpf_map__lookup_elem(t->stats, &idx, sizeof(idx), percpu,
			     sizeof(*percpu) * t->ncpus, 0);
}

void mt_tracer_stats(struct mt_tracer *t, uint64_t out[MT_STAT__COUNT])
{
	uint64_t percpu[t->ncpus];

	for (__u32 i = 0; i < MT_STAT__COUNT; i++) {
		read_stat(t, i, percpu);
		out[i] = 0;
		for (int c = 0; c < t->ncpus; c++)
			out[i] += percpu[c];
	}
}

/* The kernel's figures of a loaded program; false when it is not loaded
 * (an object's programs for other kernels) or cannot be asked. */
static bool prog_info(const struct bpf_program *p, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_program__fd(p);

	memset(info, 0, sizeof(*info));
	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, info, &len);
}

static uint64_t prog_missed_runs(const struct bpf_program *p)
{
	struct bpf_prog_info info;

	return prog_info(p, &info) ? info.recursion_misses : 0;
}

/* The object loaded, whichever it is. */
static struct bpf_object *tracer_object(struct mt_tracer *t)
{
	return t->skel ? t->skel->obj : t->lskel ? t->lskel->obj : t->nskel->obj;
}

uint64_t mt_tracer_ringbuf_bytes(const struct mt_tracer *t)
{
	return t->ring_bytes;
}

int mt_tracer_ticket_last(struct mt_tracer *t, uint64_t mm, uint64_t *last)
{
	uint32_t idx = mt_ticket_slot_index(mm, t->slot_mask);
	struct mt_ticket_slot slot;

	/* where the BPF side keeps mm's counter (bpf/tickets.bpf.h) */
	if (bpf_map__lookup_elem(t->ticket_slots, &idx, sizeof(idx), &slot, sizeof(slot), 0))
		return -errno;
	if (slot.mm == mm) {
		*last = slot.seq;
		return 0;
	}
	if (!bpf_map__lookup_elem(t->mm_seq, &mm, sizeof(mm), last, sizeof(*last), 0))
		return 0;
	if (errno != ENOENT)
		return -errno;
	*last = 0; /* no ticket drawn yet */
	return 0;
}

uint64_t mt_tracer_missed_runs(struct mt_tracer *t)
{
	struct bpf_program *p;
	uint64_t n = 0;

	bpf_object__for_each_program(p, tracer_object(t))
		n += prog_missed_runs(p);
	return n;
}

void mt_tracer_missed_runs_str(struct mt_tracer *t, char *buf, size_t cap)
{
	struct bpf_program *p;
	size_t len = 0;

	buf[0] = '\0';
	bpf_object__for_each_program(p, tracer_object(t)) {
		uint64_t n = prog_missed_runs(p);

		if (n && len < cap)
			len += snprintf(buf + len, cap - len, "%s%s=%llu", len ? " " : "",
					bpf_program__name(p), (unsigned long long)n);
	}
}

int mt_tracer_enable_run_stats(struct mt_tracer *t)
{
	int fd;

	if (t->run_stats_fd >= 0)
		return 0;
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0)
		return fd;
	t->run_stats_fd = fd;
	return 0;
}

int mt_tracer_prog_runtimes(struct mt_tracer *t, struct mt_prog_runtime *out, int cap)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, tracer_object(t)) {
		struct bpf_prog_info info;

		if (n >= cap || !prog_info(p, &info))
			continue;
		snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(p));
		out[n].run_ns = info.run_time_ns;
		out[n].runs = info.run_cnt;
		n++;
	}
	return n;
}

int mt_tracer_drops_per_cpu(struct mt_tracer *t, uint64_t *out, int cap)
{
	uint64_t percpu[t->ncpus], dump[t->ncpus];
	int n = t->ncpus < cap ? t->ncpus : cap;

	read_stat(t, MT_STAT_DROPPED, percpu);
	read_stat(t, MT_STAT_DROPPED_DUMP, dump);
	for (int c = 0; c < n; c++)
		out[c] = percpu[c] + dump[c];
	return n;
}

int mt_tracer_take_lost_mms(struct mt_tracer *t, uint64_t *mms, int cap)
{
	const struct bpf_map *m = t->lost_mms;
	__u64 key, next, notes = __atomic_load_n(t->lost_mm_notes, __ATOMIC_ACQUIRE);
	int n = 0;
	void *prev = NULL;

	if (notes == t->lost_mm_notes_seen)
		return 0;
	while (n < cap && bpf_map__get_next_key(m, prev, &next, sizeof(next)) == 0) {
		mms[n++] = next;
		key = next;
		prev = &key;
	}
	for (int i = 0; i < n; i++)
		bpf_map__delete_elem(m, &mms[i], sizeof(mms[i]), 0);
	if (n < cap)
		t->lost_mm_notes_seen = notes; /* all taken (later notes: next time) */
	return n;
}
