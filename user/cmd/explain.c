// SPDX-License-Identifier: GPL-2.0
/* explain.c - `maptrace explain -p PID`: what every region of a process
 * is and how much memory it uses, from /proc alone (no BPF, no root for
 * one's own processes). JSON schema: docs/explain.md.
 *
 * Reads, in this order: /proc/PID/status and the threads' stack pointers
 * (proc/procinfo.c), /proc/PID/smaps in one pass (proc/smaps.c), the
 * program headers of the mapped ELF files (proc/elfsegs.c); then
 * classifies (analyze/classify.c) and prints the report
 * (out/explained.c): a summary by kind followed by the regions.
 */
#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/array.h"
#include "base/file.h"
#include "base/parse.h"
#include "analyze/classify.h"
#include "analyze/runtimes.h"
#include "analyze/signatures.h"
#include "analyze/stats.h"
#include "analyze/timeline.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "trace/session.h"
#include "analyze/unwind.h"
#include "out/explained.h"
#include "out/evfmt.h"
#include "proc/elfsegs.h"
#include "base/json.h"
#include "proc/smaps.h"
#include "proc/procinfo.h"
#include "base/clock.h"

static const char explain_usage[] =
"Usage: maptrace explain -p PID [OPTIONS]\n"
"       maptrace explain -p PID --trace SECONDS [OPTIONS]\n"
"       maptrace explain [OPTIONS] -- COMMAND [ARGS...]\n"
"\n"
"Say what every region of /proc/PID/maps is and how much memory it uses:\n"
"ELF text/data/bss of the program and each library, heap, main and thread\n"
"stacks with their guard pages, glibc malloc arenas and their reserves,\n"
"large malloc chunks, shared memory, memfds, named regions, JIT code, vdso...\n"
"First a summary by kind (sorted by RSS, with a total), then one line per\n"
"region. Reads /proc only: no BPF and no root needed for your own processes\n"
"(root for other users'; root also reads every thread's stack pointer).\n"
"\n"
"Options:\n"
"  -p, --pid PID         the process to explain (any of its thread ids works)\n"
"  -j, --json            one JSON document instead of text (schema: docs/explain.md);\n"
"                        sizes in bytes\n"
"      --html FILE       write a self-contained HTML report to FILE instead of the\n"
"                        text: a treemap of the address space by kind and region,\n"
"                        each region's details and creating stack, the summary as\n"
"                        a sortable table, a filter (docs/report.md)\n"
"  -s, --sort KEY        order of the regions table: addr (default), size, rss,\n"
"                        pss or swap (largest first)\n"
"  -k, --kind KIND[,KIND...]\n"
"                        only regions of these kinds (see below)\n"
"      --min-size SIZE   only regions of at least SIZE of address space\n"
"                        (bytes, or with a K/M/G suffix)\n"
"      --anon            only memory no file on disk backs: everything but ELF\n"
"                        text/rodata/data, plain files, devices and deleted files\n"
"  -t, --trace S, -d, --duration S\n"
"                        trace the process that long first (eBPF, root): regions\n"
"                        created meanwhile show the call, thread, time and user\n"
"                        call stack that created them\n"
"  -- COMMAND [ARGS]     run COMMAND traced from its start and explain its address\n"
"                        space as it exits (stopped in exit with ptrace)\n"
"      --at peak|exit    with -- COMMAND: show its address space when its virtual\n"
"                        size peaked (within 1% or 1 MiB; sizes only, RSS is known\n"
"                        at exit) or as it exits (default)\n"
"      --stacks MODE     how to capture creating stacks: dwarf (default: unwinds\n"
"                        binaries built without frame pointers), fp, or none\n"
"      --stack-size N    bytes of user stack a DWARF sample copies (default 8192,\n"
"                        at most 16384): deeper stacks need more\n"
"      --rules FILE      signatures of creating stacks to apply before the built-in\n"
"                        ones: lines 'KIND[/RESERVED-KIND] PATTERN' (docs/explain.md)\n"
"      --no-attach       do not ask a runtime about itself (a JVM: its attach\n"
"                        socket, started with SIGQUIT as jcmd does when it is not\n"
"                        running): its regions are then labelled by shape\n"
"  -b, --buffer SIZE, -v, --verbose, --btf FILE\n"
"                        as for trace, when explain traces\n"
"  -h, --help            this text\n"
"Filters apply to both the summary and the table; %RSS stays a share of the\n"
"whole process's RSS.\n"
"\n"
"Kinds:\n"
"  elf-text elf-rodata elf-data elf-bss   segments of the program, libraries, loader\n"
"  heap main-stack thread-stack guard-page malloc-arena arena-reserve\n"
"  large-malloc reservation jit-code shared-anon sysv-shm memfd deleted-file\n"
"  anon-named vdso vvar vsyscall io-ring perf-ring bpf-ring device file anon\n"
"  java-heap java-metaspace java-class-space java-cds java-code-cache java-gc\n"
"  java-thread-stack java-other             a JVM's, in HotSpot's own categories\n"
"  jemalloc tcmalloc mimalloc musl-malloc   a malloc other than glibc's\n"
"  v8-heap v8-cage v8-code wasm-memory go-heap go-metadata python-arena\n"
"                                           from creating stacks (traced)\n"
"A kind marked ~ in the table was decided by the region's shape alone.\n"
"\n"
"Columns: SIZE is address space, RSS resident memory, PSS RSS divided among\n"
"the processes sharing it, SWAP swapped out, PRIV-DIRTY modified memory only\n"
"this process has (what it alone costs; it cannot be dropped, only swapped).\n"
"\n"
"Examples:\n"
"  maptrace explain -p 1234\n"
"  maptrace explain -p 1234 --anon --sort rss\n"
"  maptrace explain -p 1234 --kind thread-stack,guard-page,malloc-arena\n"
"  maptrace explain -p 1234 --min-size 1M\n"
"  maptrace explain -p \"$(pidof myapp)\" --json | jq '.summary[] | {kind, rss}'\n"
"  maptrace explain --anon -- ./myapp --selftest\n"
"  maptrace explain -p 1234 --trace 10 --min-size 1M\n";

struct explain_opts {
	pid_t pid;
	int trace_s;          /* --trace SECONDS, 0 = not traced */
	char **argv;          /* -- COMMAND */
	struct mt_tracer_opts topts; /* -b, -v, --btf and the stack options, when traced */
	bool at_peak;         /* -- COMMAND: its address space when largest, not at exit */
	bool no_attach;       /* --no-attach: never ask the runtime */
	const char *rules;    /* --rules FILE */
	struct mt_explain_view view; /* what to show, and how */
};

struct explain {
	struct explain_opts o;
	struct mt_explained x;       /* what is shown (out/explained.h) */
	char runtime[512];           /* x.runtime's text */
	struct mt_signatures sig;    /* --rules, then the built-in table */
};

/* ---- options ------------------------------------------------------------ */

static int parse_kinds(const char *s, uint64_t *mask)
{
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		int k = mt_kind_parse(s, len);

		if (k < 0) {
			fprintf(stderr, "maptrace explain: unknown kind '%.*s' (kinds: see maptrace explain --help)\n",
				(int)len, s);
			return -1;
		}
		*mask |= 1ull << k;
		s += len + (comma != NULL);
	}
	if (!*mask) {
		fprintf(stderr, "maptrace explain: --kind needs at least one kind (see: maptrace explain --help)\n");
		return -1;
	}
	return 0;
}

enum {
	OPT_JSON = 1, OPT_HTML, OPT_SORT, OPT_KIND, OPT_MIN_SIZE, OPT_ANON, OPT_TRACE, OPT_AT, OPT_NO_ATTACH,
	OPT_RULES,
};

static const struct mt_option explain_options[] = {
	{ "json", 'j', false, OPT_JSON },
	{ "html", 0, true, OPT_HTML },
	{ "sort", 's', true, OPT_SORT },
	{ "kind", 'k', true, OPT_KIND },
	{ "min-size", 0, true, OPT_MIN_SIZE },
	{ "anon", 0, false, OPT_ANON },
	{ "trace", 't', true, OPT_TRACE },
	{ "at", 0, true, OPT_AT },
	{ "no-attach", 0, false, OPT_NO_ATTACH },
	{ "rules", 0, true, OPT_RULES },
	MT_STACK_OPTIONS,
	MT_COMMON_OPTIONS,
	{ 0 }
};

static int parse_sort(const char *val, enum mt_explain_sort *out)
{
	static const char *const keys[] = { [MT_SORT_ADDR] = "addr", [MT_SORT_SIZE] = "size",
					    [MT_SORT_RSS] = "rss", [MT_SORT_PSS] = "pss",
					    [MT_SORT_SWAP] = "swap" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (!strcmp(val, keys[k])) {
			*out = (enum mt_explain_sort)k;
			return 0;
		}
	}
	return mt_usage_error("explain", "bad sort key '%s' (addr, size, rss, pss or swap)", val);
}

/* One of explain's own options (id, val) into o: 0, or 2 when refused. */
static int explain_option(void *ctx, int id, const char *val)
{
	struct explain_opts *o = ctx;
	unsigned long long v;

	switch (id) {
	case OPT_HTML:
		o->view.html = val;
		return 0;
	case OPT_JSON:
		o->view.json = true;
		return 0;
	case OPT_ANON:
		o->view.anon_only = true;
		return 0;
	case OPT_NO_ATTACH:
		o->no_attach = true;
		return 0;
	case OPT_RULES:
		o->rules = val;
		return 0;
	case OPT_SORT:
		return parse_sort(val, &o->view.sort);
	case OPT_KIND:
		return parse_kinds(val, &o->view.kinds) ? 2 : 0;
	case OPT_MIN_SIZE:
		if (mt_parse_size(val, &v))
			return mt_usage_error("explain", "bad size '%s' (e.g. 4096, 128K, 8M)", val);
		o->view.min_size = v;
		return 0;
	case OPT_TRACE:
		if (mt_opt_uint("explain", "--trace", val, 1, 86400, &v))
			return 2;
		o->trace_s = (int)v;
		return 0;
	case OPT_AT:
		if (strcmp(val, "peak") && strcmp(val, "exit"))
			return mt_usage_error("explain", "--at is peak or exit");
		o->at_peak = !strcmp(val, "peak");
		return 0;
	}
	return mt_stack_option("explain", id, val, &o->topts.stack_mode, &o->topts.stack_bytes) == 2 ?
		2 : 0;
}

/* explain looks at one process: -p PID or -- COMMAND, and the session
 * options (-b, -v, --btf) for the tracing it may do. 1: --help answered;
 * 2: refused. */
static int parse_args(int argc, char **argv, struct explain_opts *o, struct mt_session *s)
{
	int rc = mt_command_options(s, argc, argv, "explain", explain_options, explain_usage,
				    explain_option, o);

	if (rc != MT_OPTS_GO)
		return rc ? 2 : 1;
	if (s->target.all)
		return mt_usage_error("explain", "explain looks at one process: give -p PID or "
				      "-- COMMAND");
	/* -d S, every tracing command's duration, is explain's --trace S */
	if (s->duration_ns && !o->trace_s)
		o->trace_s = (int)((s->duration_ns + 999999999) / 1000000000);
	o->topts.ringbuf_bytes = s->topts.ringbuf_bytes;
	o->topts.verbose = s->topts.verbose;
	o->topts.btf_path = s->topts.btf_path;
	if (s->target.npids > 1)
		return mt_usage_error("explain", "explain looks at one process: give one -p PID");
	if (s->target.npids)
		o->pid = s->target.pids[0];
	o->argv = s->target.argv;
	if (!o->pid && !o->argv)
		return mt_usage_error("explain", "which process? give -p PID or -- COMMAND");
	if (o->pid && o->argv)
		return mt_usage_error("explain", "give -p PID or -- COMMAND, not both");
	if (o->at_peak && !o->argv)
		return mt_usage_error("explain", "--at peak is for -- COMMAND");
	if (o->trace_s && o->argv)
		return mt_usage_error("explain", "--trace is for -p PID; a COMMAND is traced until "
				      "it exits");
	return 0;
}

/* ---- gathering ---------------------------------------------------------- */

/* The owner of /proc/PID (the process's effective uid); -1 unknown. */
static uid_t owner_of(pid_t pid)
{
	char path[64];
	struct stat sb;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &sb) ? (uid_t)-1 : sb.st_uid;
}

/* What the creating stacks of traced regions say, as claims. */
static int traced_claims(struct explain *e, const struct mt_shadow *origins)
{
	if (!origins || !e->x.uw)
		return 0;
	return mt_signatures_claims(&e->sig, origins, e->x.uw, &e->x.claims);
}

/* What the process's runtime says about its ranges, as claims, and the
 * report's "runtime:" line. 0 or -ENOMEM. */
static int ask_runtime(struct explain *e)
{
	struct mt_runtime_query q = {
		.pid = e->x.info.tgid, .live = !e->o.argv, .no_attach = e->o.no_attach,
	};
	int err = mt_runtime_ask(&q, &e->x.sm.maps, &e->x.info.facts, &e->x.claims, e->runtime,
				 sizeof(e->runtime));

	e->x.runtime = e->runtime[0] ? e->runtime : NULL;
	return err;
}

/* One clear line per failure; returns the exit status (0 = go on). */
static int gather(struct explain *e)
{
	pid_t pid = e->o.pid;
	int err;

	err = mt_proc_info_read(pid, &e->x.info);
	if (err == -ESRCH) {
		fprintf(stderr, "maptrace: no process with pid %d (check it with: ps -p %d)\n", (int)pid, (int)pid);
		return 1;
	}
	if (err) {
		fprintf(stderr, "maptrace explain: reading /proc/%d failed: %s\n", (int)pid, strerror(-err));
		return 1;
	}
	if (!e->x.info.has_mm) {
		fprintf(stderr, "maptrace explain: pid %d (%s) has no address space: it is %s\n", (int)pid,
			e->x.info.facts.comm, e->x.info.state == 'Z' ? "a zombie (exited, not yet reaped)" :
			e->x.info.kthread ? "a kernel thread" : "exiting (its address space is gone)");
		return 1;
	}
	err = mt_smaps_read_pid(e->x.info.mm_pid, &e->x.sm);
	switch (err) {
	case 0:
		break;
	case -ESRCH:
		fprintf(stderr, "maptrace explain: process %d exited while it was being read\n", (int)e->x.info.tgid);
		return 1;
	case -EACCES:
		if (geteuid() != 0 && owner_of(e->x.info.tgid) != geteuid())
			fprintf(stderr, "maptrace explain: not permitted to read /proc/%d/smaps: the process belongs to another user"
				" (try: sudo maptrace explain -p %d)\n", (int)e->x.info.tgid, (int)pid);
		else
			fprintf(stderr, "maptrace explain: not permitted to read /proc/%d/smaps: the process is protected"
				" (not dumpable, or another user namespace) or maptrace lacks CAP_SYS_PTRACE\n",
				(int)e->x.info.tgid);
		return 1;
	case -EAGAIN:
		fprintf(stderr, "maptrace explain: the address space of process %d kept changing while being read; try again\n",
			(int)e->x.info.tgid);
		return 1;
	default:
		fprintf(stderr, "maptrace explain: reading /proc/%d/smaps failed: %s\n", (int)e->x.info.tgid, strerror(-err));
		return 1;
	}
	if (mt_elf_read_mapped(e->x.info.mm_pid, &e->x.sm.maps, &e->x.elves, &e->x.nelves,
			       &e->x.elf_unreadable)) {
		fprintf(stderr, "maptrace explain: out of memory\n");
		return 1;
	}
	e->x.info.facts.elves = e->x.elves;
	e->x.info.facts.nelves = e->x.nelves;
	e->x.info.facts.libc = mt_libc_of_regions(e->x.sm.maps.regions, e->x.sm.maps.count);
	e->x.info.facts.allocator = mt_allocator_of_regions(e->x.sm.maps.regions, e->x.sm.maps.count);
	if (e->x.info.facts.libc == MT_LIBC_UNKNOWN) { /* a static program */
		char exe[64];

		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)e->x.info.mm_pid);
		e->x.info.facts.libc = mt_libc_of_file(exe);
	}
	if (ask_runtime(e) || traced_claims(e, e->x.origins)) {
		fprintf(stderr, "maptrace explain: out of memory\n");
		return 1;
	}
	e->x.cls = calloc(e->x.sm.maps.count ? e->x.sm.maps.count : 1, sizeof(*e->x.cls));
	e->x.rows = calloc(e->x.sm.maps.count ? e->x.sm.maps.count : 1, sizeof(*e->x.rows));
	if (!e->x.cls || !e->x.rows ||
	    mt_classify(e->x.sm.maps.regions, e->x.sm.stats, e->x.sm.maps.count, &e->x.info.facts, &e->x.claims, e->x.cls)) {
		fprintf(stderr, "maptrace explain: out of memory\n");
		return 1;
	}
	return 0;
}

/* ---- the command -------------------------------------------------------- */

static void explain_free(struct explain *e)
{
	mt_proc_info_free(&e->x.info);
	mt_smaps_free(&e->x.sm);
	mt_claims_free(&e->x.claims);
	mt_signatures_free(&e->sig);
	free(e->x.elves);
	free(e->x.cls);
	free(e->x.rows);
}

/* Gather, classify and print the process e->o.pid. Returns an exit status. */
static int explain_now(struct explain *e)
{
	int status = gather(e);

	return status ? status : mt_explained_print(&e->x, stdout);
}

/* ---- traced modes -------------------------------------------------------- */

struct traced {
	struct explain *e;
	struct mt_unwinder *uw;
	int status;
	bool explained;
	/* --at peak: the command's largest address space seen */
	struct mt_shadow *peak;
	uint64_t peak_vm, peak_ns;
	struct mt_timeline timeline;    /* its calls and sizes over the traced time */
	pid_t pid;                      /* --trace: the process traced (-- COMMAND: s->child) */
	bool record;                    /* keep the timeline (--json, --html) */
	uint64_t gate_bytes;            /* [vsyscall]: in maps, no vma */
};

/* Each change the traced address space takes, with the sizes it leaves,
 * into the timeline (explain's JSON and HTML). */
static void record_call(struct traced *t, struct mt_session *s, struct mt_aspace *as,
			const struct mt_event *ev)
{
	struct mt_sizes z = mt_aspace_sizes(as, t->gate_bytes);
	struct mt_timeline_point p = mt_timeline_change(ev, (uint32_t)as->pid, ev->ts_ns, s->t0_ns);

	p.vm = z.vm;
	p.anon = z.anon;
	p.stack = as->applying_stack;

	if (mt_timeline_add(&t->timeline, &p))
		fprintf(stderr, "maptrace explain: out of memory: the timeline misses a call\n");
}

/* The process explain traces: the command it started, or -p's. */
static pid_t traced_pid(const struct mt_session *s, const struct traced *t)
{
	return s->child ? s->child : t->pid;
}

/* Its resident size now and then (the calls do not tell it). */
static void sample_rss(struct mt_session *s)
{
	struct traced *t = s->ctx;
	uint64_t vm, rss;

	if (!s->child_done && !mt_proc_statm(traced_pid(s, t), &vm, &rss))
		mt_timeline_sample(&t->timeline, mt_now_ns() - s->t0_ns, rss);
}

/* After each change to the traced address space: the timeline, and
 * with --at peak a copy of its shadow whenever it grew by more than 1% (or
 * 1 MiB) past the last copy; copying at every new byte of peak would make
 * a run that only grows quadratic. */
static void track_command(struct mt_aspace *as, const struct mt_event *ev, bool after, void *arg)
{
	struct mt_session *s = arg;
	struct traced *t = s->ctx;
	uint64_t vm, step;

	if (!after || !as->shadow || as->pid != traced_pid(s, t))
		return;
	if (t->record && ev && mt_event_is_call(ev->kind))
		record_call(t, s, as, ev);
	if (!t->e->o.at_peak)
		return;
	vm = mt_shadow_bytes(as->shadow);
	step = t->peak_vm / 100 > (1u << 20) ? t->peak_vm / 100 : (1u << 20);
	if (t->peak && vm < t->peak_vm + step)
		return;
	mt_shadow_free(t->peak);
	t->peak = mt_shadow_clone(as->shadow, false);
	t->peak_vm = vm;
	t->peak_ns = ev ? ev->ts_ns : s->last_event_ns;
}

/* Show the peak copy instead of the maps read at exit: the same process
 * facts (ELF files, threads), the regions of the peak, no smaps figures. */
static int use_peak(struct explain *e, const struct mt_shadow *peak, uint64_t when)
{
	struct mt_smaps sm = { 0 };

	for (const struct mt_region *r = mt_shadow_lower_bound(peak, 0); r; r = mt_shadow_next(peak, r))
		if (mt_maps_append(&sm.maps, r, r->name, r->name ? strlen(r->name) : 0))
			goto oom;
	sm.stats = calloc(sm.maps.count ? sm.maps.count : 1, sizeof(*sm.stats));
	free(e->x.cls);
	free(e->x.rows);
	e->x.cls = calloc(sm.maps.count ? sm.maps.count : 1, sizeof(*e->x.cls));
	e->x.rows = calloc(sm.maps.count ? sm.maps.count : 1, sizeof(*e->x.rows));
	if (!sm.stats || !e->x.cls || !e->x.rows)
		goto oom;
	mt_smaps_free(&e->x.sm);
	e->x.sm = sm;
	e->x.nrows = 0;
	e->x.peak_ns = when;
	mt_claims_free(&e->x.claims);   /* the peak's regions, the peak's origins */
	if (traced_claims(e, peak) ||
	    mt_classify(e->x.sm.maps.regions, e->x.sm.stats, e->x.sm.maps.count, &e->x.info.facts, &e->x.claims, e->x.cls))
		return -ENOMEM;
	return 0;
oom:
	mt_smaps_free(&sm);
	return -ENOMEM;
}

static uint32_t unwind_origin(struct mt_aspace *as, const struct mt_event *ev, uint32_t flags,
			      const void *sample, size_t len, void *arg)
{
	struct mt_session *s = arg;
	struct traced *t = s->ctx;

	return mt_unwind(t->uw, as->shadow, (pid_t)ev->tid, flags, sample, len);
}

/* Explain pid now, with the origins its shadow recorded. */
static void explain_traced_now(struct mt_session *s, pid_t pid)
{
	struct traced *t = s->ctx;
	struct mt_aspace *as = mt_aspaces_by_tgid(&s->reg, pid);

	if (t->explained)
		return;
	t->explained = true;
	t->e->o.pid = pid;
	t->e->x.origins = as ? as->shadow : NULL;
	t->e->x.uw = t->uw;
	t->e->x.t0_ns = s->t0_ns;
	t->status = gather(t->e);
	if (!t->status && t->e->o.at_peak && t->peak) {
		if (use_peak(t->e, t->peak, t->peak_ns)) {
			fprintf(stderr, "maptrace explain: out of memory\n");
			t->status = 1;
			return;
		}
		t->e->x.origins = t->peak;
	}
	if (!t->status)
		t->status = mt_explained_print(&t->e->x, stdout);
}

static int explain_traced(struct explain *e)
{
	struct traced t = { .e = e };
	struct mt_session s = { .keep_shadows = true };
	pid_t pid = e->o.pid;
	int status;

	t.uw = mt_unwinder_new();
	if (!t.uw)
		return 1;
	s.topts = e->o.topts;
	s.on_stack = unwind_origin;
	s.ctx = &t;
	mt_timeline_init(&t.timeline, MT_TIMELINE_POINTS, MT_TIMELINE_SAMPLES);
	t.gate_bytes = mt_gate_bytes();
	t.pid = pid;
	t.record = e->o.view.json || e->o.view.html;   /* the text shows no timeline */
	s.on_apply = track_command;
	if (t.record) {
		s.on_tick = sample_rss;
		s.poll_ms = 50;
		e->x.timeline = &t.timeline;
	}
	if (e->o.argv) {
		s.target.argv = e->o.argv;
		s.stop_at_exit = true;
		s.on_exit_stop = explain_traced_now;
	} else {
		s.target.pids = &pid;
		s.target.npids = 1;
		s.duration_ns = (uint64_t)e->o.trace_s * 1000000000ull;
	}
	if (mt_session_start(&s)) {
		s.target.pids = NULL;
		mt_session_close(&s);
		mt_unwinder_free(t.uw);
		return 1;
	}
	mt_session_run(&s);
	if (!e->o.argv && !mt_stop_requested)
		fprintf(stderr, "maptrace explain: pid %d exited while traced\n", pid);
	else if (!e->o.argv)
		explain_traced_now(&s, pid);
	mt_session_report_end(&s, stderr);
	status = t.explained ? t.status : 1;
	if (e->o.argv) {
		if (!t.explained)
			fprintf(stderr, "maptrace explain: '%s' ended before it could be explained\n",
				e->o.argv[0]);
		else if (!status)
			status = mt_session_child_exit_code(&s);
	}
	s.target.pids = NULL; /* not ours to free */
	mt_session_close(&s);
	mt_shadow_free(t.peak);
	mt_timeline_free(&t.timeline);
	e->x.timeline = NULL;
	mt_unwinder_free(t.uw);
	return status;
}

/* --rules FILE, then the built-in signatures. Returns 0, or 1 after
 * saying what is wrong (e->sig.n is then 0 for a bad file). */
static int load_rules(struct explain *e)
{
	char err[320], *text;
	size_t len;
	int rc;

	if (e->o.rules) {
		rc = mt_file_read(e->o.rules, &text, &len);
		if (rc) {
			fprintf(stderr, "maptrace explain: cannot read --rules %s: %s\n", e->o.rules,
				strerror(-rc));
			return 1;
		}
		rc = mt_signatures_parse(&e->sig, text, e->o.rules, err, sizeof(err));
		free(text);
		if (rc) {
			mt_signatures_free(&e->sig);
			fprintf(stderr, "maptrace explain: %s\n", rc == -ENOMEM ? "out of memory" : err);
			return 1;
		}
	}
	if (mt_signatures_builtin(&e->sig)) {
		fprintf(stderr, "maptrace explain: out of memory\n");
		return 1;
	}
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	struct explain e = { .o.topts.stack_mode = MT_STACKS_DWARF };
	struct mt_session parsed = { 0 };
	int status, rc = parse_args(argc, argv, &e.o, &parsed);

	free(parsed.target.pids);
	if (rc)
		return rc == 1 ? 0 : 2;
	e.x.view = e.o.view;
	if (load_rules(&e))
		status = e.sig.n ? 1 : 2;
	else
		status = e.o.trace_s || e.o.argv ? explain_traced(&e) : explain_now(&e);
	explain_free(&e);
	return status;
}
