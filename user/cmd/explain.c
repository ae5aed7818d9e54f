// SPDX-License-Identifier: GPL-2.0
/* explain.c - `maptrace explain -p PID`: what every region of a process
 * is and how much memory it uses, from /proc alone (no BPF, no root for
 * one's own processes). JSON schema: docs/explain.md.
 *
 * Reads, in this order: /proc/PID/status and the threads' stack pointers
 * (classify.c), /proc/PID/smaps in one pass (smaps.c), the program headers
 * of the mapped ELF files (elfsegs.c); then classifies (classify.c) and
 * prints a summary by kind followed by the regions.
 */
#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/parse.h"
#include "analyze/classify.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "trace/session.h"
#include "analyze/unwind.h"
#include "out/evfmt.h"
#include "proc/elfsegs.h"
#include "base/json.h"
#include "proc/smaps.h"

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

enum sort_key { SORT_ADDR, SORT_SIZE, SORT_RSS, SORT_PSS, SORT_SWAP };

struct explain_opts {
	pid_t pid;
	int trace_s;          /* --trace SECONDS, 0 = not traced */
	char **argv;          /* -- COMMAND */
	struct mt_tracer_opts topts; /* -b, -v, --btf and the stack options, when traced */
	bool at_peak;         /* -- COMMAND: its address space when largest, not at exit */
	bool json;
	enum sort_key sort;
	uint64_t kinds;       /* bit per enum mt_kind; 0 = all */
	uint64_t min_size;
	bool anon_only;
};

struct explain {
	struct explain_opts o;
	struct mt_proc_info info;
	struct mt_smaps sm;
	struct mt_elf_file *elves;
	size_t nelves;
	unsigned elf_unreadable;     /* ELF-looking files we could not open */
	struct mt_class *cls;
	size_t *rows;                /* selected region indexes, in output order */
	size_t nrows;
	/* traced modes: where regions came from */
	const struct mt_shadow *origins;
	const struct mt_unwinder *uw;
	uint64_t t0_ns;
	uint64_t peak_ns;            /* --at peak: when the snapshot shown was taken */
};

struct sum {
	uint64_t regions, size, rss, pss, swap, private_dirty;
};

_Static_assert(MT_KIND_COUNT <= 64, "kinds must fit the filter mask");

static bool file_backed_kind(uint32_t k)
{
	return k == MT_KIND_ELF_TEXT || k == MT_KIND_ELF_RODATA || k == MT_KIND_ELF_DATA ||
	       k == MT_KIND_FILE || k == MT_KIND_DEVICE || k == MT_KIND_DELETED_FILE;
}

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
	OPT_JSON = 1, OPT_SORT, OPT_KIND, OPT_MIN_SIZE, OPT_ANON, OPT_TRACE, OPT_AT,
};

static const struct mt_option explain_options[] = {
	{ "json", 'j', false, OPT_JSON },
	{ "sort", 's', true, OPT_SORT },
	{ "kind", 'k', true, OPT_KIND },
	{ "min-size", 0, true, OPT_MIN_SIZE },
	{ "anon", 0, false, OPT_ANON },
	{ "trace", 't', true, OPT_TRACE },
	{ "at", 0, true, OPT_AT },
	MT_STACK_OPTIONS,
	MT_COMMON_OPTIONS,
	{ 0 }
};

static int parse_sort(const char *val, enum sort_key *out)
{
	static const char *const keys[] = { [SORT_ADDR] = "addr", [SORT_SIZE] = "size",
					    [SORT_RSS] = "rss", [SORT_PSS] = "pss",
					    [SORT_SWAP] = "swap" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (!strcmp(val, keys[k])) {
			*out = (enum sort_key)k;
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
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_ANON:
		o->anon_only = true;
		return 0;
	case OPT_SORT:
		return parse_sort(val, &o->sort);
	case OPT_KIND:
		return parse_kinds(val, &o->kinds) ? 2 : 0;
	case OPT_MIN_SIZE:
		if (mt_parse_size(val, &v))
			return mt_usage_error("explain", "bad size '%s' (e.g. 4096, 128K, 8M)", val);
		o->min_size = v;
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

static bool worth_reading_elf(const struct mt_region *r)
{
	const char *n = r->name;

	return n && n[0] == '/' && r->inode != 0 && strncmp(n, "/memfd:", 7) &&
	       strncmp(n, "/SYSV", 5) && strncmp(n, "/dev/", 5) && strcmp(n, "/[aio]");
}

/* Whether the file mapped at region i has an executable mapping among its
 * consecutive mappings (so it is a program or library worth a note). */
static bool maps_code(const struct mt_maps *m, size_t i)
{
	for (size_t j = i; j < m->count && m->regions[j].inode == m->regions[i].inode &&
			   m->regions[j].dev == m->regions[i].dev; j++)
		if (m->regions[j].perms & MT_PERM_EXEC)
			return true;
	return false;
}

struct file_key {
	uint64_t inode;
	uint32_t dev;
	uint32_t _pad;
	size_t region;   /* its first mapping */
};

static int cmp_file_keys(const void *a, const void *b)
{
	const struct file_key *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->region < y->region ? -1 : x->region > y->region;
}

/* The PT_LOAD headers of every distinct mapped file, read once per file
 * (sorted by identity: a process may map thousands of files). */
static int read_elves(struct explain *e)
{
	const struct mt_maps *m = &e->sm.maps;
	struct file_key *keys = calloc(m->count ? m->count : 1, sizeof(*keys));
	size_t nkeys = 0, cap = 0;

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < m->count; i++)
		if (worth_reading_elf(&m->regions[i]) && (i == 0 || !(m->regions[i - 1].inode == m->regions[i].inode &&
								     m->regions[i - 1].dev == m->regions[i].dev)))
			keys[nkeys++] = (struct file_key){ .inode = m->regions[i].inode, .dev = m->regions[i].dev,
							   .region = i };
	qsort(keys, nkeys, sizeof(*keys), cmp_file_keys);
	for (size_t k = 0; k < nkeys; k++) {
		const struct mt_region *r = &m->regions[keys[k].region];
		int rc;

		if (k > 0 && keys[k].inode == keys[k - 1].inode && keys[k].dev == keys[k - 1].dev)
			continue;
		if (e->nelves == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct mt_elf_file *n = realloc(e->elves, ncap * sizeof(*n));

			if (!n) {
				free(keys);
				return -ENOMEM;
			}
			e->elves = n;
			cap = ncap;
		}
		rc = mt_elf_read_segs(e->info.mm_pid, r, &e->elves[e->nelves]);
		if (rc == 0)
			e->nelves++;
		else if (rc != -ENOEXEC && maps_code(m, keys[k].region))
			e->elf_unreadable++;
	}
	free(keys);
	return 0;
}

/* The owner of /proc/PID (the process's effective uid); -1 unknown. */
static uid_t owner_of(pid_t pid)
{
	char path[64];
	struct stat sb;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &sb) ? (uid_t)-1 : sb.st_uid;
}

/* One clear line per failure; returns the exit status (0 = go on). */
static int gather(struct explain *e)
{
	pid_t pid = e->o.pid;
	int err;

	err = mt_proc_info_read(pid, &e->info);
	if (err == -ESRCH) {
		fprintf(stderr, "maptrace: no process with pid %d (check it with: ps -p %d)\n", (int)pid, (int)pid);
		return 1;
	}
	if (err) {
		fprintf(stderr, "maptrace explain: reading /proc/%d failed: %s\n", (int)pid, strerror(-err));
		return 1;
	}
	if (!e->info.has_mm) {
		fprintf(stderr, "maptrace explain: pid %d (%s) has no address space: it is %s\n", (int)pid,
			e->info.facts.comm, e->info.state == 'Z' ? "a zombie (exited, not yet reaped)" :
			e->info.kthread ? "a kernel thread" : "exiting (its address space is gone)");
		return 1;
	}
	err = mt_smaps_read_pid(e->info.mm_pid, &e->sm);
	switch (err) {
	case 0:
		break;
	case -ESRCH:
		fprintf(stderr, "maptrace explain: process %d exited while it was being read\n", (int)e->info.tgid);
		return 1;
	case -EACCES:
		if (geteuid() != 0 && owner_of(e->info.tgid) != geteuid())
			fprintf(stderr, "maptrace explain: not permitted to read /proc/%d/smaps: the process belongs to another user"
				" (try: sudo maptrace explain -p %d)\n", (int)e->info.tgid, (int)pid);
		else
			fprintf(stderr, "maptrace explain: not permitted to read /proc/%d/smaps: the process is protected"
				" (not dumpable, or another user namespace) or maptrace lacks CAP_SYS_PTRACE\n",
				(int)e->info.tgid);
		return 1;
	case -EAGAIN:
		fprintf(stderr, "maptrace explain: the address space of process %d kept changing while being read; try again\n",
			(int)e->info.tgid);
		return 1;
	default:
		fprintf(stderr, "maptrace explain: reading /proc/%d/smaps failed: %s\n", (int)e->info.tgid, strerror(-err));
		return 1;
	}
	if (read_elves(e)) {
		fprintf(stderr, "maptrace explain: out of memory\n");
		return 1;
	}
	e->info.facts.elves = e->elves;
	e->info.facts.nelves = e->nelves;
	e->info.facts.libc = mt_libc_of_regions(e->sm.maps.regions, e->sm.maps.count);
	if (e->info.facts.libc == MT_LIBC_UNKNOWN) { /* a static program */
		char exe[64];

		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)e->info.mm_pid);
		e->info.facts.libc = mt_libc_of_file(exe);
	}
	e->cls = calloc(e->sm.maps.count ? e->sm.maps.count : 1, sizeof(*e->cls));
	e->rows = calloc(e->sm.maps.count ? e->sm.maps.count : 1, sizeof(*e->rows));
	if (!e->cls || !e->rows ||
	    mt_classify(e->sm.maps.regions, e->sm.stats, e->sm.maps.count, &e->info.facts, e->cls)) {
		fprintf(stderr, "maptrace explain: out of memory\n");
		return 1;
	}
	return 0;
}

/* ---- selecting and summing ---------------------------------------------- */

static bool selected(const struct explain *e, size_t i)
{
	const struct mt_region *r = &e->sm.maps.regions[i];
	uint32_t k = e->cls[i].kind;

	if (e->o.kinds && !(e->o.kinds & (1ull << k)))
		return false;
	if (e->o.anon_only && file_backed_kind(k))
		return false;
	return r->end - r->start >= e->o.min_size;
}

static uint64_t sort_value(const struct explain *e, size_t i)
{
	const struct mt_smaps_stat *st = &e->sm.stats[i];

	switch (e->o.sort) {
	case SORT_SIZE: return e->sm.maps.regions[i].end - e->sm.maps.regions[i].start;
	case SORT_RSS:  return st->rss;
	case SORT_PSS:  return st->pss;
	case SORT_SWAP: return st->swap;
	default:        return 0;
	}
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct explain *e = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	uint64_t vi = sort_value(e, i), vj = sort_value(e, j);

	if (vi != vj)
		return vi > vj ? -1 : 1;
	return i < j ? -1 : i > j;
}

static void add(struct sum *s, const struct mt_region *r, const struct mt_smaps_stat *st)
{
	s->regions++;
	s->size += r->end - r->start;
	s->rss += st->rss;
	s->pss += st->pss;
	s->swap += st->swap;
	s->private_dirty += st->private_dirty;
}

static int cmp_sums(const void *a, const void *b, void *arg)
{
	const struct sum *sums = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	if (sums[i].rss != sums[j].rss)
		return sums[i].rss > sums[j].rss ? -1 : 1;
	if (sums[i].size != sums[j].size)
		return sums[i].size > sums[j].size ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* Per-kind sums of the selected rows, the kinds present in summary order. */
static size_t summarize(const struct explain *e, struct sum sums[MT_KIND_COUNT], struct sum *sel,
			struct sum *all, uint32_t order[MT_KIND_COUNT])
{
	size_t n = 0;

	memset(sums, 0, sizeof(struct sum) * MT_KIND_COUNT);
	memset(sel, 0, sizeof(*sel));
	memset(all, 0, sizeof(*all));
	for (size_t i = 0; i < e->sm.maps.count; i++)
		add(all, &e->sm.maps.regions[i], &e->sm.stats[i]);
	for (size_t r = 0; r < e->nrows; r++) {
		size_t i = e->rows[r];

		add(&sums[e->cls[i].kind], &e->sm.maps.regions[i], &e->sm.stats[i]);
		add(sel, &e->sm.maps.regions[i], &e->sm.stats[i]);
	}
	for (uint32_t k = 0; k < MT_KIND_COUNT; k++)
		if (sums[k].regions)
			order[n++] = k;
	qsort_r(order, n, sizeof(order[0]), cmp_sums, sums);
	return n;
}

/* ---- text output -------------------------------------------------------- */

/* Names are raw bytes: show control bytes as \ooo (as the kernel shows
 * '\n' in maps) so one region stays one line. Returns the display width. */
static size_t put_text(FILE *f, const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\%03o", c);
			w += 4;
		} else {
			fputc(c, f);
			w += (c & 0xc0) != 0x80;   /* count characters, not bytes */
		}
	}
	return w;
}

static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		w += c < 0x20 || c == 0x7f ? 4 : (c & 0xc0) != 0x80;
	}
	return w;
}

static void percent(char buf[16], uint64_t part, uint64_t whole)
{
	if (!whole)
		snprintf(buf, 16, "-");
	else
		snprintf(buf, 16, "%.1f%%", (double)part * 100.0 / (double)whole);
}

static void print_sum_line(FILE *f, const char *label, const struct sum *s, uint64_t rss_total,
			   const char *about)
{
	char b1[16], b2[16], b3[16], b4[16], pc[16];

	percent(pc, s->rss, rss_total);
	fprintf(f, "%-14s %7llu %8s %8s %8s %8s %6s%s%s\n", label, (unsigned long long)s->regions,
		mt_size_str(s->size, b1), mt_size_str(s->rss, b2), mt_size_str(s->pss, b3),
		mt_size_str(s->swap, b4), pc, *about ? "  " : "", about);
}

/* ---- origins (traced modes) --------------------------------------------- */

#define MAX_ORIGINS 4      /* per region: the kernel merges alike neighbours */
#define MAX_TEXT_FRAMES 12

/* The distinct origins of regions created while traced inside [start, end). */
static size_t origins_in(const struct explain *e, const struct mt_region *r,
			 const struct mt_origin **out)
{
	size_t n = 0;

	if (!e->origins)
		return 0;
	for (const struct mt_region *s = mt_shadow_lower_bound(e->origins, r->start);
	     s && s->start < r->end && n < MAX_ORIGINS; s = mt_shadow_next(e->origins, s)) {
		bool seen = false;

		if (!s->origin.kind)
			continue; /* there before tracing started */
		for (size_t k = 0; k < n; k++)
			seen |= out[k]->seq == s->origin.seq && out[k]->kind == s->origin.kind;
		if (!seen)
			out[n++] = &s->origin;
	}
	return n;
}

static void print_origins(const struct explain *e, const struct mt_region *r, FILE *f)
{
	const struct mt_origin *o[MAX_ORIGINS];
	size_t n = origins_in(e, r, o);

	for (size_t k = 0; k < n; k++) {
		const struct mt_stack *st = mt_stack_get(e->uw, o[k]->stack);
		uint64_t t = o[k]->ts_ns > e->t0_ns ? o[k]->ts_ns - e->t0_ns : 0;

		fprintf(f, "    created by %s in thread %u, %llu.%03llu s after start%s\n",
			mt_event_kind_name(o[k]->kind), o[k]->tid, (unsigned long long)(t / 1000000000),
			(unsigned long long)(t % 1000000000 / 1000000), st ? ":" : "");
		for (int i = 0; st && i < st->nframes && i < MAX_TEXT_FRAMES; i++)
			mt_frame_print_text(f, "        ", i, st->frames[i], false);
		if (st && st->nframes > MAX_TEXT_FRAMES)
			fprintf(f, "        ... %d more frames (--json has them all)\n",
				st->nframes - MAX_TEXT_FRAMES);
	}
}

static void json_origins(struct mt_json *j, const struct explain *e, const struct mt_region *r)
{
	const struct mt_origin *o[MAX_ORIGINS];
	size_t n = origins_in(e, r, o);

	if (!e->origins)
		return;
	mt_json_key(j, "origins");
	mt_json_arr_begin(j);
	for (size_t k = 0; k < n; k++) {
		const struct mt_stack *st = mt_stack_get(e->uw, o[k]->stack);
		const char *call = mt_event_kind_name(o[k]->kind);

		mt_json_obj_begin(j);
		mt_json_key(j, "call");
		mt_json_str(j, call, strlen(call));
		mt_json_key(j, "tid");
		mt_json_u64(j, o[k]->tid);
		mt_json_key(j, "time_ns");
		mt_json_u64(j, o[k]->ts_ns > e->t0_ns ? o[k]->ts_ns - e->t0_ns : 0);
		mt_json_key(j, "stack");
		mt_json_arr_begin(j);
		for (int i = 0; st && i < st->nframes; i++)
			mt_frame_json(j, st->frames[i]);
		mt_json_arr_end(j);
		mt_json_obj_end(j);
	}
	mt_json_arr_end(j);
}

static void print_text(struct explain *e, FILE *f)
{
	const struct mt_proc_facts *pf = &e->info.facts;
	struct sum sums[MT_KIND_COUNT], sel, all;
	uint32_t order[MT_KIND_COUNT];
	size_t nk = summarize(e, sums, &sel, &all, order);
	bool filtered = e->nrows != e->sm.maps.count;
	char b1[16], b2[16], b3[16], b4[16], b5[16];
	int addr_w = 1;
	size_t desc_w = 11;

	fprintf(f, "pid %d (", (int)pf->pid);
	put_text(f, pf->comm, strlen(pf->comm));
	fputc(')', f);
	if (pf->exe) {
		fputs(" ", f);
		put_text(f, pf->exe, strlen(pf->exe));
	}
	fprintf(f, ": %zu thread%s, %llu regions, virtual %s, RSS %s, PSS %s, swap %s\n",
		pf->nthreads, pf->nthreads == 1 ? "" : "s", (unsigned long long)all.regions,
		mt_size_str(all.size, b1), mt_size_str(all.rss, b2), mt_size_str(all.pss, b3),
		mt_size_str(all.swap, b4));
	fprintf(f, "C library: %s; malloc: %s\n", mt_libc_id(pf->libc), mt_libc_allocator(pf->libc));
	if (e->peak_ns) {
		uint64_t t = e->peak_ns > e->t0_ns ? e->peak_ns - e->t0_ns : 0;

		fprintf(f, "at its peak virtual size, %llu.%03llu s after start (within 1%% or 1 MiB): "
			"sizes are address space; RSS, PSS and swap are only known at exit\n",
			(unsigned long long)(t / 1000000000), (unsigned long long)(t % 1000000000 / 1000000));
	}
	if (filtered)
		fprintf(f, "selected: %zu of %llu regions\n", e->nrows, (unsigned long long)all.regions);
	fputc('\n', f);

	fprintf(f, "%-14s %7s %8s %8s %8s %8s %6s  %s\n", "KIND", "REGIONS", "VIRTUAL", "RSS", "PSS",
		"SWAP", "%RSS", "WHAT IT IS");
	for (size_t k = 0; k < nk; k++)
		print_sum_line(f, mt_kind_id(order[k]), &sums[order[k]], all.rss,
			       mt_kind_about_libc(order[k], pf->libc));
	print_sum_line(f, filtered ? "total selected" : "total", &sel, all.rss, "");

	if (pf->sp_unreadable && pf->nthreads && geteuid() != 0)
		fprintf(f, "note: the stack pointer of %u of %zu threads could not be read (reading "
			"/proc/PID/task/TID/syscall needs ptrace access: run as root); their stacks are "
			"recognised by shape only\n", pf->sp_unreadable, pf->nthreads);
	else if (pf->sp_unreadable && pf->nthreads)
		fprintf(f, "note: %u of %zu threads were running on a CPU, so their stack pointers are "
			"unknown; their stacks are recognised by shape only\n", pf->sp_unreadable, pf->nthreads);
	if (e->elf_unreadable)
		fprintf(f, "note: %u mapped program files could not be opened to read their ELF headers; "
			"their segments are guessed from the perms\n", e->elf_unreadable);
	fputc('\n', f);

	if (e->nrows == 0) {
		fprintf(f, "no region matches the filters\n");
		return;
	}
	for (size_t r = 0; r < e->nrows; r++) {
		size_t i = e->rows[r];
		int w = snprintf(NULL, 0, "%llx-%llx", (unsigned long long)e->sm.maps.regions[i].start,
				 (unsigned long long)e->sm.maps.regions[i].end);
		size_t dw = text_width(e->cls[i].desc);

		if (w > addr_w)
			addr_w = w;
		if (dw > desc_w)
			desc_w = dw;
	}
	fprintf(f, "%-*s %-5s %8s %8s %8s %8s %10s %-13s %-*s %s\n", addr_w, "ADDRESS", "PERMS",
		"SIZE", "RSS", "PSS", "SWAP", "PRIV-DIRTY", "KIND", (int)desc_w, "DESCRIPTION", "NAME");
	for (size_t r = 0; r < e->nrows; r++) {
		size_t i = e->rows[r];
		const struct mt_region *rg = &e->sm.maps.regions[i];
		const struct mt_smaps_stat *st = &e->sm.stats[i];
		const struct mt_class *c = &e->cls[i];
		char perms[5], addr[40];
		size_t dw;

		snprintf(addr, sizeof(addr), "%llx-%llx", (unsigned long long)rg->start, (unsigned long long)rg->end);
		fprintf(f, "%-*s %-5s %8s %8s %8s %8s %10s %-13s ", addr_w, addr, mt_perms_str(rg->perms, perms),
			mt_size_str(rg->end - rg->start, b1), mt_size_str(st->rss, b2), mt_size_str(st->pss, b3),
			mt_size_str(st->swap, b4), mt_size_str(st->private_dirty, b5), mt_kind_id(c->kind));
		dw = put_text(f, c->desc, strlen(c->desc));
		if (rg->name) {
			fprintf(f, "%*s ", (int)(desc_w - dw), "");
			put_text(f, rg->name, strlen(rg->name));
			if (rg->flags & MT_RF_DELETED)
				fputs(" (deleted)", f);
		}
		fputc('\n', f);
		print_origins(e, rg, f);
	}
}

/* ---- JSON output -------------------------------------------------------- */

static void json_sum(struct mt_json *j, const struct sum *s)
{
	mt_json_key(j, "regions");
	mt_json_u64(j, s->regions);
	mt_json_key(j, "size");
	mt_json_u64(j, s->size);
	mt_json_key(j, "rss");
	mt_json_u64(j, s->rss);
	mt_json_key(j, "pss");
	mt_json_u64(j, s->pss);
	mt_json_key(j, "swap");
	mt_json_u64(j, s->swap);
	mt_json_key(j, "private_dirty");
	mt_json_u64(j, s->private_dirty);
}

static void json_u64_kv(struct mt_json *j, const char *key, uint64_t v)
{
	mt_json_key(j, key);
	mt_json_u64(j, v);
}

static void json_region(struct mt_json *j, const struct explain *e, size_t i)
{
	const struct mt_region *r = &e->sm.maps.regions[i];
	const struct mt_smaps_stat *st = &e->sm.stats[i];
	const struct mt_class *c = &e->cls[i];
	char perms[5], dev[24];
	const char *role = mt_role_id((enum mt_role)c->role);

	mt_json_obj_begin(j);
	mt_json_key(j, "start");
	mt_json_hex(j, r->start);
	mt_json_key(j, "end");
	mt_json_hex(j, r->end);
	mt_json_key(j, "perms");
	mt_json_str(j, mt_perms_str(r->perms, perms), 4);
	json_u64_kv(j, "offset", r->offset);
	snprintf(dev, sizeof(dev), "%02x:%02x", MT_DEV_MAJOR(r->dev), MT_DEV_MINOR(r->dev));
	mt_json_key(j, "dev");
	mt_json_str(j, dev, strlen(dev));
	json_u64_kv(j, "inode", r->inode);
	if (r->name) {
		mt_json_kv_bytes(j, "name", r->name, strlen(r->name));
	} else {
		mt_json_key(j, "name");
		mt_json_null(j);
	}
	mt_json_key(j, "deleted");
	mt_json_bool(j, r->flags & MT_RF_DELETED);
	mt_json_key(j, "kind");
	mt_json_str(j, mt_kind_id(c->kind), strlen(mt_kind_id(c->kind)));
	mt_json_key(j, "role");
	if (role)
		mt_json_str(j, role, strlen(role));
	else
		mt_json_null(j);
	mt_json_key(j, "tid");
	if (c->tid)
		mt_json_i64(j, c->tid);
	else
		mt_json_null(j);
	mt_json_key(j, "arena");
	if (c->index)
		mt_json_u64(j, c->index);
	else
		mt_json_null(j);
	mt_json_kv_bytes(j, "description", c->desc, strlen(c->desc));
	json_u64_kv(j, "size", r->end - r->start);
	json_u64_kv(j, "rss", st->rss);
	json_u64_kv(j, "pss", st->pss);
	json_u64_kv(j, "pss_dirty", st->pss_dirty);
	json_u64_kv(j, "shared_clean", st->shared_clean);
	json_u64_kv(j, "shared_dirty", st->shared_dirty);
	json_u64_kv(j, "private_clean", st->private_clean);
	json_u64_kv(j, "private_dirty", st->private_dirty);
	json_u64_kv(j, "referenced", st->referenced);
	json_u64_kv(j, "anonymous", st->anonymous);
	json_u64_kv(j, "swap", st->swap);
	json_u64_kv(j, "swap_pss", st->swap_pss);
	json_u64_kv(j, "locked", st->locked);
	mt_json_key(j, "thp_eligible");
	mt_json_bool(j, st->thp_eligible);
	mt_json_key(j, "vmflags");
	mt_json_arr_begin(j);
	for (int b = 0; b < 64; b++) {
		uint64_t bit = 1ull << b;
		const char *mn = mt_vmflag_name(bit);

		if ((st->vmflags & bit) && mn)
			mt_json_str(j, mn, 2);
	}
	if (st->vmflags & MT_VMF_OTHER)
		mt_json_str(j, "?", 1);
	mt_json_arr_end(j);
	json_origins(j, e, r);
	mt_json_obj_end(j);
}

static int print_json(struct explain *e, FILE *f)
{
	const struct mt_proc_facts *pf = &e->info.facts;
	struct sum sums[MT_KIND_COUNT], sel, all;
	uint32_t order[MT_KIND_COUNT];
	size_t nk = summarize(e, sums, &sel, &all, order);
	struct mt_json j;
	int err;

	mt_json_init(&j);
	mt_json_obj_begin(&j);
	mt_json_key(&j, "pid");
	mt_json_i64(&j, pf->pid);
	mt_json_kv_bytes(&j, "comm", pf->comm, strlen(pf->comm));
	if (pf->exe) {
		mt_json_kv_bytes(&j, "exe", pf->exe, strlen(pf->exe));
	} else {
		mt_json_key(&j, "exe");
		mt_json_null(&j);
	}
	mt_json_key(&j, "libc");
	mt_json_str(&j, mt_libc_id(pf->libc), strlen(mt_libc_id(pf->libc)));
	mt_json_key(&j, "allocator");
	mt_json_str(&j, mt_libc_allocator(pf->libc), strlen(mt_libc_allocator(pf->libc)));
	mt_json_key(&j, "threads");
	mt_json_arr_begin(&j);
	for (size_t t = 0; t < pf->nthreads; t++) {
		const struct mt_thread *th = &pf->threads[t];

		mt_json_obj_begin(&j);
		mt_json_key(&j, "tid");
		mt_json_i64(&j, th->tid);
		mt_json_kv_bytes(&j, "comm", th->comm, strlen(th->comm));
		mt_json_key(&j, "sp");
		if (th->flags & MT_THREAD_SP_KNOWN)
			mt_json_hex(&j, th->sp);
		else
			mt_json_null(&j);
		mt_json_key(&j, "running");
		mt_json_bool(&j, th->flags & MT_THREAD_RUNNING);
		mt_json_obj_end(&j);
	}
	mt_json_arr_end(&j);
	mt_json_key(&j, "total");
	mt_json_obj_begin(&j);
	json_sum(&j, &all);
	mt_json_obj_end(&j);
	mt_json_key(&j, "selected");
	mt_json_obj_begin(&j);
	json_sum(&j, &sel);
	mt_json_obj_end(&j);
	mt_json_key(&j, "summary");
	mt_json_arr_begin(&j);
	for (size_t k = 0; k < nk; k++) {
		const char *id = mt_kind_id(order[k]), *about = mt_kind_about_libc(order[k], pf->libc);

		mt_json_obj_begin(&j);
		mt_json_key(&j, "kind");
		mt_json_str(&j, id, strlen(id));
		json_sum(&j, &sums[order[k]]);
		mt_json_key(&j, "about");
		mt_json_str(&j, about, strlen(about));
		mt_json_obj_end(&j);
	}
	mt_json_arr_end(&j);
	mt_json_key(&j, "regions");
	mt_json_arr_begin(&j);
	for (size_t r = 0; r < e->nrows; r++)
		json_region(&j, e, e->rows[r]);
	mt_json_arr_end(&j);
	mt_json_obj_end(&j);
	err = mt_json_flush_line(&j, f);
	mt_json_free(&j);
	return err;
}

/* ---- the command -------------------------------------------------------- */

static void explain_free(struct explain *e)
{
	mt_proc_info_free(&e->info);
	mt_smaps_free(&e->sm);
	free(e->elves);
	free(e->cls);
	free(e->rows);
}

/* Select, sort and print what e holds. Returns an exit status. */
static int print_explained(struct explain *e)
{
	int rc;

	for (size_t i = 0; i < e->sm.maps.count; i++)
		if (selected(e, i))
			e->rows[e->nrows++] = i;
	if (e->o.sort != SORT_ADDR)
		qsort_r(e->rows, e->nrows, sizeof(e->rows[0]), cmp_rows, e);
	errno = 0;
	if (e->o.json) {
		if ((rc = print_json(e, stdout)) == -ENOMEM) {
			fprintf(stderr, "maptrace explain: out of memory\n");
			return 1;
		}
	} else {
		print_text(e, stdout);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "maptrace explain: writing stdout failed: %s\n", strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

/* Gather, classify and print the process e->o.pid. Returns an exit status. */
static int explain_now(struct explain *e)
{
	int status = gather(e);

	return status ? status : print_explained(e);
}

/* ---- traced modes -------------------------------------------------------- */

struct traced {
	struct explain *e;
	struct mt_unwinder *uw;
	uint64_t end_ns;       /* --trace: when to stop */
	int status;
	bool explained;
	/* --at peak: the command's largest address space seen */
	struct mt_shadow *peak;
	uint64_t peak_vm, peak_ns;
};

/* --at peak: keep a copy of the command's shadow whenever it grew by more
 * than 1% (or 1 MiB) past the last copy; copying at every new byte of peak
 * would make a run that only grows quadratic. */
static void track_peak(struct mt_aspace *as, const struct mt_event *ev, bool after, void *arg)
{
	struct mt_session *s = arg;
	struct traced *t = s->ctx;
	uint64_t vm, step;

	if (!after || !as->shadow || as->pid != s->child)
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
	free(e->cls);
	free(e->rows);
	e->cls = calloc(sm.maps.count ? sm.maps.count : 1, sizeof(*e->cls));
	e->rows = calloc(sm.maps.count ? sm.maps.count : 1, sizeof(*e->rows));
	if (!sm.stats || !e->cls || !e->rows)
		goto oom;
	mt_smaps_free(&e->sm);
	e->sm = sm;
	e->nrows = 0;
	e->peak_ns = when;
	if (mt_classify(e->sm.maps.regions, e->sm.stats, e->sm.maps.count, &e->info.facts, e->cls))
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
	t->e->origins = as ? as->shadow : NULL;
	t->e->uw = t->uw;
	t->e->t0_ns = s->t0_ns;
	t->status = gather(t->e);
	if (!t->status && t->e->o.at_peak && t->peak) {
		if (use_peak(t->e, t->peak, t->peak_ns)) {
			fprintf(stderr, "maptrace explain: out of memory\n");
			t->status = 1;
			return;
		}
		t->e->origins = t->peak;
	}
	if (!t->status)
		t->status = print_explained(t->e);
}

static void traced_tick(struct mt_session *s)
{
	struct traced *t = s->ctx;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (t->end_ns && (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec >= t->end_ns)
		mt_stop_requested = 1;
}

static int explain_traced(struct explain *e)
{
	struct traced t = { .e = e };
	struct mt_session s = { .keep_shadows = true };
	pid_t pid = e->o.pid;
	struct timespec ts;
	int status;

	t.uw = mt_unwinder_new();
	if (!t.uw)
		return 1;
	s.topts = e->o.topts;
	s.on_stack = unwind_origin;
	s.on_tick = traced_tick;
	if (e->o.at_peak)
		s.on_apply = track_peak;
	s.ctx = &t;
	if (e->o.argv) {
		s.target.argv = e->o.argv;
		s.stop_at_exit = true;
		s.on_exit_stop = explain_traced_now;
	} else {
		s.target.pids = &pid;
		s.target.npids = 1;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t.end_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec +
			   (uint64_t)e->o.trace_s * 1000000000ull;
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
	mt_unwinder_free(t.uw);
	return status;
}

int cmd_explain(int argc, char **argv)
{
	struct explain e = { .o.topts.stack_mode = MT_STACKS_DWARF };
	struct mt_session parsed = { 0 };
	int status, rc = parse_args(argc, argv, &e.o, &parsed);

	free(parsed.target.pids);
	if (rc)
		return rc == 1 ? 0 : 2;
	status = e.o.trace_s || e.o.argv ? explain_traced(&e) : explain_now(&e);
	explain_free(&e);
	return status;
}
