// SPDX-License-Identifier: GPL-2.0
/* tracer.c - load, attach and run maptrace's BPF programs.
 *
 * The loader lifecycle of libbpf-bootstrap: check the machine, open the
 * skeleton, set rodata knobs and the ring-buffer size, load, attach, poll.
 * Every program attaches to a tp_btf tracepoint, an fexit or an iterator by
 * name, so tracefs need not be mounted; except where tracepoint programs
 * can be preempted (7.x): there syscalls are seen through the classic
 * raw_syscalls tracepoints, attached by tracefs event id, and tracefs is
 * mounted if it is not.
 * Two objects are built from one source (bpf/maptrace.bpf.c): the modern one
 * and, for kernels without the mmap_lock tracepoints and the newer helpers
 * (Linux 5.10), the legacy one; mt_features_object() picks one from the
 * probed facts. Past loading, both are used through the same maps, found
 * by name, so the rest of this file does not care which runs.
 * Every failure a user can hit is turned into one line that says what failed
 * and what to do. Nothing else in maptrace talks to libbpf.
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
#include "core/event.h"
#include "core/maps.h"
#include "proc/smaps.h"
#include "kernel/sizing.h"
#include "maptrace.skel.h"
#include "maptrace_legacy.skel.h"
#include "maptrace_nobtf.skel.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"

struct mt_tracer {
	struct maptrace_bpf *skel;          /* the modern object, or */
	struct maptrace_legacy_bpf *lskel;  /* the legacy one, or */
	struct maptrace_nobtf_bpf *nskel;   /* the one for kernels without BTF */
	struct bpf_map *tgid_mm;            /* no-BTF: each traced process's mm */
	/* the maps both objects have */
	struct bpf_map *events, *traced, *stats, *lost_mms, *ticket_slots, *mm_seq;
	__u64 *lost_mm_notes;               /* in the mmap'ed .bss */
	struct mt_proc_snap *proc_snap;     /* legacy .bss: the /proc read being stamped */
	uint32_t slot_mask;
	uint64_t ring_bytes;                /* the ring buffer's size */
	struct ring_buffer *rb;
	mt_event_fn fn;
	void *ctx;
	int delivered;
	int ncpus;
	uint64_t lost_mm_notes_seen; /* bss->lost_mm_notes when lost_mms was last emptied */
};

static int verbosity;

/* libbpf's warnings while an object loads, kept to name what failed */
static struct {
	bool on;
	char *buf;
	size_t len, cap;
} load_log;

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

/* Keep a libbpf warning in load_log; of a verifier log (megabytes when
 * the verifier gives up) only the last MiB, which says why. */
__attribute__((format(printf, 1, 0)))
static void keep_warning(const char *fmt, va_list args)
{
	const size_t tail = 1u << 20;
	va_list copy;
	char *msg, *b;
	size_t n, keep;
	int len;

	va_copy(copy, args);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len <= 0 || !(msg = malloc((size_t)len + 1)))
		return;
	va_copy(copy, args);
	vsnprintf(msg, (size_t)len + 1, fmt, copy);
	va_end(copy);
	n = (size_t)len;
	keep = n > tail ? tail : n;
	if (load_log.len + keep + 1 > load_log.cap && load_log.len + keep + 1 <= 8 * tail) {
		b = realloc(load_log.buf, (load_log.len + keep + 1) * 2);
		if (b) {
			load_log.buf = b;
			load_log.cap = (load_log.len + keep + 1) * 2;
		}
	}
	if (load_log.len + keep + 1 <= load_log.cap) {
		memcpy(load_log.buf + load_log.len, msg + n - keep, keep);
		load_log.len += keep;
		load_log.buf[load_log.len] = '\0';
	}
	free(msg);
}

/* libbpf's format strings: the attribute tells clang's -Wformat-nonliteral so */
__attribute__((format(printf, 2, 0)))
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (load_log.on && level == LIBBPF_WARN)
		keep_warning(fmt, args);
	if (level == LIBBPF_DEBUG && verbosity < 2)
		return 0;
	if (level == LIBBPF_INFO && verbosity < 1)
		return 0;
	return vfprintf(stderr, fmt, args);
}

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

	/* CAP_BPF (39) with CAP_PERFMON (38) load and attach tracing programs
	 * and read the iterator; CAP_SYS_ADMIN (21) implies both. /proc of
	 * processes of our own uid needs nothing more. */
	if (geteuid() != 0 && !have_cap(21) && !(have_cap(39) && have_cap(38))) {
		fprintf(stderr, "maptrace: needs root or CAP_BPF+CAP_PERFMON, and %s missing "
			"(try: sudo maptrace ...)\n", have_cap(39) ? "CAP_PERFMON is" :
			have_cap(38) ? "CAP_BPF is" : "both are");
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

/* The line of text that starts at or before p, copied into out. */
static void line_at(const char *text, const char *p, char *out, size_t cap)
{
	const char *b = p, *e = strchr(p, '\n');

	while (b > text && b[-1] != '\n')
		b--;
	if (!e)
		e = p + strlen(p);
	snprintf(out, cap, "%.*s", (int)(e - b), b);
}

static const char *last_of(const char *hay, const char *needle)
{
	const char *p, *last = NULL;

	for (p = hay; (p = strstr(p, needle)); p++)
		last = p;
	return last;
}

/* Say which program or map the kernel refused and why, from libbpf's
 * warnings ("prog 'X': BPF program load failed", the verifier's log whose
 * last words precede "processed N insns", "map 'X': failed to create"). */
static void explain_load_error(int err, const char *object)
{
	const char *log = load_log.buf ? load_log.buf : "", *p, *q;
	char name[64] = "", why[512] = "";

	if ((p = strstr(log, "prog '")) && (q = strstr(p, "': BPF program load failed"))) {
		snprintf(name, sizeof(name), "%.*s", (int)(q - p - 6), p + 6);
		/* the verifier's verdict: the line before its statistics (the
		 * last: subprograms have their own), or the log's last line when
		 * it stopped early */
		if ((q = last_of(log, "\nprocessed ")) || (q = strstr(p, "\n-- END PROG LOAD LOG --"))) {
			const char *b = q;

			while (b > log && b[-1] != '\n')
				b--;
			if (b > log)
				line_at(log, b - 1, why, sizeof(why));
		}
		/* libbpf poisons an instruction whose relocation found no match */
		fprintf(stderr, "maptrace: the kernel refused BPF program '%s' of the %s object: %s "
			"(%s%s; the verifier's log is above)\n", name, object,
			why[0] ? why : "no verifier message", strerror(-err),
			strstr(why, "invalid CO-RE relocation") ?
			"; a kernel type or field it needs is missing from the BTF it was relocated "
			"against: with --btf FILE, cut FILE from this kernel's BTF (make min-btf)" : "");
	} else if ((p = strstr(log, "map '")) && (q = strstr(p, "': failed to create"))) {
		line_at(log, p, why, sizeof(why));
		fprintf(stderr, "maptrace: the kernel refused a BPF map of the %s object: %s\n",
			object, why);
	} else if (err == -EPERM && geteuid() != 0) {
		fprintf(stderr, "maptrace: loading the %s BPF object was refused (%s) although "
			"CAP_BPF+CAP_PERFMON are held (run with -v for libbpf's messages)\n", object,
			strerror(-err));
	} else {
		fprintf(stderr, "maptrace: loading the %s BPF object failed: %s (run with -v for "
			"libbpf's messages)\n", object, strerror(-err));
	}
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
	load_log.on = true;						\
	load_log.len = 0;						\
	if (load_log.buf)						\
		load_log.buf[0] = '\0';					\
	(err) = (call);							\
	load_log.on = false;						\
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
		explain_load_error(err, what);					\
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

	verbosity = opts->verbose;
	libbpf_set_print(print_libbpf);
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

static uint64_t prog_missed_runs(const struct bpf_program *p)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(p);

	memset(&info, 0, sizeof(info));
	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.recursion_misses : 0;
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

/* Read all of an iterator fd: a read() returns at most one seq_file batch. */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 1 << 16;
	char *b = malloc(cap);

	*len = 0;
	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cap - *len < 8192) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		n = read(fd, b + *len, cap - *len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(b);
			return -errno;
		}
		if (n == 0)
			break;
		*len += n;
	}
	*buf = b;
	return 0;
}

/* A snapshot is read in batches, and one cut short by the process's exit
 * looks complete: the task_vma iterator moves on to the next task, and
 * /proc's m_start() stops, when the task has no mm any more (kernel/bpf/
 * task_iter.c, fs/proc/task_mmu.c). The stamp cannot tell (an exit draws
 * no ticket), so ask afterwards: exit_mm() is final, and an mm still there
 * after the read was there throughout it. */
static int still_has_mm(pid_t tgid)
{
	char *buf = NULL;
	size_t cap = 0;
	int err = mt_proc_has_mm(tgid, &buf, &cap);

	free(buf);
	return err == -ENOENT ? -ESRCH : err;
}

/* /proc/PID/smaps as regions. smaps rather than maps: its VmFlags say what
 * maps does not and the shadow needs, "dc" (MADV_DONTFORK: what the next
 * fork leaves out) and "gd" (grows down). */
static int smaps_regions(const char *buf, size_t len, struct mt_maps *out)
{
	struct mt_smaps sm = { 0 };
	int err = mt_smaps_parse(buf, len, &sm, NULL);

	for (size_t i = 0; !err && i < sm.maps.count; i++) {
		struct mt_region r = sm.maps.regions[i];

		if (sm.stats[i].vmflags & MT_VMF_DC)
			r.flags |= MT_RF_DONTCOPY;
		if (sm.stats[i].vmflags & MT_VMF_GD)
			r.flags |= MT_RF_GROWSDOWN;
		err = mt_maps_append(out, &r, r.name, r.name ? strlen(r.name) : 0);
	}
	mt_smaps_free(&sm);
	return err;
}

/* The regions of smaps text buf (freed here) read for tgid, unless err:
 * none means the process has no address space (any more), and one it
 * lost during the read is no snapshot (still_has_mm). */
static int proc_snapshot_regions(pid_t tgid, char *buf, size_t len, int err, struct mt_maps *out)
{
	if (!err)
		err = smaps_regions(buf, len, out);
	free(buf);
	if (!err && !out->count)
		err = kill(tgid, 0) == 0 ? -EINVAL : -ESRCH;
	return err ? err : still_has_mm(tgid);
}

static int read_smaps(pid_t tgid, char **buf, size_t *len)
{
	char path[40];
	size_t cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)tgid);
	*len = 0;
	return mt_proc_read_whole(path, buf, &cap, len);
}

/* The legacy object's snapshot: /proc/PID/smaps, whose mm and ticket count
 * at each read-locked batch the BPF side noted (proc_snap in
 * bpf/maptrace.bpf.c). The same count at the first and the last batch: an
 * exact image after that ticket, as the iterator's. */
static int snapshot_proc(struct mt_tracer *t, pid_t tgid, struct mt_maps *out,
			 uint64_t *mm, uint64_t *stamp)
{
	volatile struct mt_proc_snap *ps = t->proc_snap;
	struct mt_proc_snap snap;
	char *buf = NULL;
	size_t len;
	int err;

	ps->mm = 0;
	err = read_smaps(tgid, &buf, &len);
	/* written by our own open() and read() calls, which have returned */
	snap.mm = ps->mm;
	snap.first = ps->first;
	snap.last = ps->last;
	snap.batches = ps->batches;
	if (!err && (!snap.mm || !snap.batches))
		err = kill(tgid, 0) == 0 ? -EINVAL : -ESRCH; /* no address space (any more) */
	else if (!err && snap.first != snap.last)
		err = -EAGAIN; /* a mapping call ran between two batches */
	err = proc_snapshot_regions(tgid, buf, len, err, out);
	*mm = snap.mm;
	*stamp = snap.first;
	return err;
}

/* The no-BTF object's snapshot, of a process the caller has stopped (its
 * threads are out of their calls, and nothing else changes an mm's
 * layout): /proc/PID/smaps, of the mm the BPF side last saw the process
 * have (at fork, exec, or the SIGSTOP that stopped it), stamped with that
 * mm's ticket count, all of whose events are in the ring buffer. */
static int snapshot_stopped(struct mt_tracer *t, pid_t tgid, struct mt_maps *out,
			    uint64_t *mm, uint64_t *stamp)
{
	__u32 key = tgid;
	__u64 val = 0;
	char *buf = NULL;
	size_t len;
	int err;

	if (bpf_map__lookup_elem(t->tgid_mm, &key, sizeof(key), &val, sizeof(val), 0))
		return kill(tgid, 0) == 0 ? -ENOKEY : -ESRCH;
	err = read_smaps(tgid, &buf, &len);
	err = proc_snapshot_regions(tgid, buf, len, err, out);
	*mm = val;
	if (mt_tracer_ticket_last(t, val, stamp))
		*stamp = 0; /* no ticket drawn yet */
	return err;
}

bool mt_tracer_snapshots_stop(const struct mt_tracer *t)
{
	return t->nskel != NULL;
}

int mt_tracer_snapshot(struct mt_tracer *t, pid_t tgid, struct mt_maps *out,
		       uint64_t *mm, uint64_t *stamp)
{
	union bpf_iter_link_info info = { .task.pid = tgid };
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info, .link_info_len = sizeof(info));
	struct bpf_link *link;
	char *buf = NULL;
	size_t len = 0, off = 0;
	bool first = true;
	int fd, err;

	if (t->proc_snap)
		return snapshot_proc(t, tgid, out, mm, stamp);
	if (t->nskel)
		return snapshot_stopped(t, tgid, out, mm, stamp);
	link = bpf_program__attach_iter(t->skel->progs.seed_vmas, &opts);
	if (!link)
		return errno == ESRCH || errno == ENOENT ? -ESRCH : -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		bpf_link__destroy(link);
		return err;
	}
	err = read_all(fd, &buf, &len);
	close(fd);
	bpf_link__destroy(link);
	if (err)
		return err;

	*mm = 0;
	*stamp = 0;
	while (!err && off + sizeof(struct mt_iter_vma) <= len) {
		struct mt_iter_vma v;
		struct mt_region r;

		memcpy(&v, buf + off, sizeof(v));
		off += sizeof(v);
		if (off + v.path_len > len) {
			err = -EIO;
			break;
		}
		if (first) {
			*mm = v.mm;
			*stamp = v.seq;
			first = false;
		} else if (v.seq != *stamp || v.mm != *mm) {
			err = -EAGAIN; /* a mapping call ran between two batches */
		}
		mt_vma_to_region(v.start, v.end, v.pgoff, v.vm_flags, v.dev, v.ino, &r);
		if (!err)
			err = mt_maps_append_vma(out, &r, v.file_flags, v.name_kind, buf + off,
						 v.path_len);
		off += v.path_len;
	}
	free(buf);
	if (!err && first) {
		/* no vma at all: the process is gone (or a kernel thread) */
		err = kill(tgid, 0) == 0 ? -EINVAL : -ESRCH;
	}
	return err ? err : still_has_mm(tgid);
}
