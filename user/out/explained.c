// SPDX-License-Identifier: GPL-2.0
/* explained.c - explain's report (explained.h): the regions the view
 * selects, sorted, summed by kind, as text or as JSON (docs/explain.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "out/evfmt.h"
#include "out/explained.h"
#include "out/report.h"
#include "out/timeline.h"

struct sum {
	uint64_t regions, size, committed, rss, pss, swap, private_dirty;
};

_Static_assert(MT_KIND_COUNT <= 64, "kinds must fit the filter mask");

static bool file_backed_kind(uint32_t k)
{
	return k == MT_KIND_ELF_TEXT || k == MT_KIND_ELF_RODATA || k == MT_KIND_ELF_DATA ||
	       k == MT_KIND_FILE || k == MT_KIND_DEVICE || k == MT_KIND_DELETED_FILE;
}

/* ---- selecting and summing ---------------------------------------------- */

static bool selected(const struct mt_explained *e, size_t i)
{
	const struct mt_region *r = &e->sm.maps.regions[i];
	uint32_t k = e->cls[i].kind;

	if (e->view.kinds && !(e->view.kinds & (1ull << k)))
		return false;
	if (e->view.anon_only && file_backed_kind(k))
		return false;
	return r->end - r->start >= e->view.min_size;
}

static uint64_t sort_value(const struct mt_explained *e, size_t i)
{
	const struct mt_smaps_stat *st = &e->sm.stats[i];

	switch (e->view.sort) {
	case MT_SORT_SIZE: return e->sm.maps.regions[i].end - e->sm.maps.regions[i].start;
	case MT_SORT_RSS:  return st->rss;
	case MT_SORT_PSS:  return st->pss;
	case MT_SORT_SWAP: return st->swap;
	default:        return 0;
	}
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct mt_explained *e = arg;
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
	if (!mt_region_prot_none(r))
		s->committed += r->end - r->start;
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
static size_t summarize(const struct mt_explained *e, struct sum sums[MT_KIND_COUNT], struct sum *sel,
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

static void print_sum_line(FILE *f, int label_w, const char *label, const struct sum *s,
			   uint64_t rss_total, const char *about)
{
	char b1[16], b2[16], b3[16], b4[16], pc[16];

	percent(pc, s->rss, rss_total);
	fprintf(f, "%-*s %7llu %8s %8s %8s %8s %6s%s%s\n", label_w, label, (unsigned long long)s->regions,
		mt_size_str(s->size, b1), mt_size_str(s->rss, b2), mt_size_str(s->pss, b3),
		mt_size_str(s->swap, b4), pc, *about ? "  " : "", about);
}

/* ---- origins (traced modes) --------------------------------------------- */

#define MAX_ORIGINS 4      /* per region: the kernel merges alike neighbours */
#define MAX_TEXT_FRAMES 12

/* The distinct origins of regions created while traced inside [start, end). */
static size_t origins_in(const struct mt_explained *e, const struct mt_region *r,
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

static void print_origins(const struct mt_explained *e, const struct mt_region *r, FILE *f)
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

static void json_origins(struct mt_json *j, const struct mt_explained *e, const struct mt_region *r)
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
		mt_frames_json(j, st ? st->frames : NULL, st ? st->nframes : 0);
		mt_json_obj_end(j);
	}
	mt_json_arr_end(j);
}

/* The width of the widest kind id among the selected rows (at least w),
 * counting the mark of a heuristic; whether any row is a heuristic. */
static int kind_width(const struct mt_explained *e, int w, bool *heuristics)
{
	*heuristics = false;
	for (size_t r = 0; r < e->nrows; r++) {
		const struct mt_class *c = &e->cls[e->rows[r]];
		bool guess = c->evidence == MT_EVIDENCE_HEURISTIC;
		int kw = (int)strlen(mt_kind_id(c->kind)) + guess;

		*heuristics |= guess;
		if (kw > w)
			w = kw;
	}
	return w;
}

/* One line per selected region, columns sized to what they hold; a kind
 * decided by shape alone is marked '~'. */
static void print_table(const struct mt_explained *e, FILE *f)
{
	char b1[16], b2[16], b3[16], b4[16], b5[16], kind[32];
	int addr_w = 1;
	size_t desc_w = 11;
	bool heuristics;
	int kind_w = kind_width(e, 13, &heuristics);

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
	if (heuristics)
		fprintf(f, "KIND~: decided by the region's shape alone (a heuristic); other kinds by the "
			"kernel's facts, the runtime's own report, or the stack that created the region\n\n");
	fprintf(f, "%-*s %-5s %8s %8s %8s %8s %10s %-*s %-*s %s\n", addr_w, "ADDRESS", "PERMS",
		"SIZE", "RSS", "PSS", "SWAP", "PRIV-DIRTY", kind_w, "KIND", (int)desc_w, "DESCRIPTION", "NAME");
	for (size_t r = 0; r < e->nrows; r++) {
		size_t i = e->rows[r];
		const struct mt_region *rg = &e->sm.maps.regions[i];
		const struct mt_smaps_stat *st = &e->sm.stats[i];
		const struct mt_class *c = &e->cls[i];
		char perms[5], addr[40];
		size_t dw;

		snprintf(addr, sizeof(addr), "%llx-%llx", (unsigned long long)rg->start, (unsigned long long)rg->end);
		snprintf(kind, sizeof(kind), "%s%s", mt_kind_id(c->kind),
			 c->evidence == MT_EVIDENCE_HEURISTIC ? "~" : "");
		fprintf(f, "%-*s %-5s %8s %8s %8s %8s %10s %-*s ", addr_w, addr, mt_perms_str(rg->perms, perms),
			mt_size_str(rg->end - rg->start, b1), mt_size_str(st->rss, b2), mt_size_str(st->pss, b3),
			mt_size_str(st->swap, b4), mt_size_str(st->private_dirty, b5), kind_w, kind);
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

/* Threads whose stacks the selected regions of kind k hold: the
 * accessible ones (a thread's guard zone has its tid too). */
static size_t count_threads(const struct mt_explained *e, enum mt_kind k)
{
	size_t n = 0;

	for (size_t r = 0; r < e->nrows; r++) {
		size_t i = e->rows[r];
		const struct mt_class *c = &e->cls[i];

		n += c->kind == (uint32_t)k && c->tid && !mt_region_prot_none(&e->sm.maps.regions[i]);
	}
	return n;
}

/* The process's malloc, in one phrase: another library's, or its C library's. */
static const char *allocator_of(const struct mt_proc_facts *pf)
{
	const char *other = mt_allocator_about((enum mt_allocator)pf->allocator);

	return other ? other : mt_libc_allocator(pf->libc);
}

/* The runtime's own parts first, in its words: for a JVM, "Java heap
 * 1.1G committed of 5.9G reserved, 84M resident", then each other part. */
static const struct {
	enum mt_kind kind;
	const char *owner, *label;
} runtime_parts[] = {
	{ MT_KIND_JAVA_HEAP, "the JVM", "Java heap" },
	{ MT_KIND_JAVA_METASPACE, "the JVM", "metaspace" },
	{ MT_KIND_JAVA_CLASS_SPACE, "the JVM", "class space" },
	{ MT_KIND_JAVA_CDS, "the JVM", "CDS archive" },
	{ MT_KIND_JAVA_CODE_CACHE, "the JVM", "code cache" },
	{ MT_KIND_JAVA_GC, "the JVM", "GC data" },
	{ MT_KIND_JAVA_THREAD_STACK, "the JVM", "thread stacks" },
	{ MT_KIND_JAVA_OTHER, "the JVM", "other" },
	{ MT_KIND_GO_HEAP, "the Go runtime", "heap arenas" },
	{ MT_KIND_GO_METADATA, "the Go runtime", "metadata" },
	{ MT_KIND_V8_HEAP, "V8", "heap pages" },
	{ MT_KIND_V8_CODE, "V8", "code range" },
	{ MT_KIND_PYTHON_ARENA, "CPython", "obmalloc arenas" },
};

static void print_runtime_parts(const struct mt_explained *e, const struct sum sums[MT_KIND_COUNT],
				FILE *f)
{
	char b1[16], b2[16], b3[16];
	const char *owner = NULL;
	bool any = false;

	for (size_t p = 0; p < sizeof(runtime_parts) / sizeof(runtime_parts[0]); p++) {
		const struct sum *s = &sums[runtime_parts[p].kind];

		if (!s->regions)
			continue;
		if (owner != runtime_parts[p].owner)
			fprintf(f, "%s%s's own parts:\n", any ? "\n" : "", runtime_parts[p].owner);
		owner = runtime_parts[p].owner;
		any = true;
		fprintf(f, "  %-14s %8s committed of %8s reserved, %8s resident", runtime_parts[p].label,
			mt_size_str(s->committed, b1), mt_size_str(s->size, b2), mt_size_str(s->rss, b3));
		if (runtime_parts[p].kind == MT_KIND_JAVA_THREAD_STACK)
			fprintf(f, " (%zu threads)", count_threads(e, MT_KIND_JAVA_THREAD_STACK));
		fputc('\n', f);
	}
	if (any)
		fputc('\n', f);
}

static void print_text(struct mt_explained *e, FILE *f)
{
	const struct mt_proc_facts *pf = &e->info.facts;
	struct sum sums[MT_KIND_COUNT], sel, all;
	uint32_t order[MT_KIND_COUNT];
	size_t nk = summarize(e, sums, &sel, &all, order);
	bool filtered = e->nrows != e->sm.maps.count;
	char b1[16], b2[16], b3[16], b4[16];
	int label_w = 14;   /* "total selected" */

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
	fprintf(f, "C library: %s; malloc: %s\n", mt_libc_id(pf->libc), allocator_of(pf));
	if (e->runtime)
		fprintf(f, "runtime: %s\n", e->runtime);
	if (e->peak_ns) {
		uint64_t t = e->peak_ns > e->t0_ns ? e->peak_ns - e->t0_ns : 0;

		fprintf(f, "at its peak virtual size, %llu.%03llu s after start (within 1%% or 1 MiB): "
			"sizes are address space; RSS, PSS and swap are only known at exit\n",
			(unsigned long long)(t / 1000000000), (unsigned long long)(t % 1000000000 / 1000000));
	}
	if (filtered)
		fprintf(f, "selected: %zu of %llu regions\n", e->nrows, (unsigned long long)all.regions);
	fputc('\n', f);
	print_runtime_parts(e, sums, f);

	for (size_t k = 0; k < nk; k++)
		if ((int)strlen(mt_kind_id(order[k])) > label_w)
			label_w = (int)strlen(mt_kind_id(order[k]));
	fprintf(f, "%-*s %7s %8s %8s %8s %8s %6s  %s\n", label_w, "KIND", "REGIONS", "VIRTUAL", "RSS",
		"PSS", "SWAP", "%RSS", "WHAT IT IS");
	for (size_t k = 0; k < nk; k++)
		print_sum_line(f, label_w, mt_kind_id(order[k]), &sums[order[k]], all.rss,
			       mt_kind_about_libc(order[k], pf->libc));
	print_sum_line(f, label_w, filtered ? "total selected" : "total", &sel, all.rss, "");

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

	print_table(e, f);
}

/* ---- JSON output -------------------------------------------------------- */

static void json_u64_kv(struct mt_json *j, const char *key, uint64_t v)
{
	mt_json_key(j, key);
	mt_json_u64(j, v);
}

static void json_sum(struct mt_json *j, const struct sum *s)
{
	json_u64_kv(j, "regions", s->regions);
	json_u64_kv(j, "size", s->size);
	json_u64_kv(j, "committed", s->committed);
	json_u64_kv(j, "rss", s->rss);
	json_u64_kv(j, "pss", s->pss);
	json_u64_kv(j, "swap", s->swap);
	json_u64_kv(j, "private_dirty", s->private_dirty);
}

static void json_region(struct mt_json *j, const struct mt_explained *e, size_t i)
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
	mt_json_key(j, "evidence");
	mt_json_str(j, mt_evidence_id(c->evidence), strlen(mt_evidence_id(c->evidence)));
	json_u64_kv(j, "size", r->end - r->start);
	for (size_t k = 0; k < mt_smaps_nfields; k++)
		if (mt_smaps_fields[k].figure)
			json_u64_kv(j, mt_smaps_fields[k].name, mt_smaps_value(st, &mt_smaps_fields[k]));
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

/* The process's threads: id, name, stack pointer when known. */
static void json_threads(struct mt_json *j, const struct mt_proc_facts *pf)
{
	mt_json_key(j, "threads");
	mt_json_arr_begin(j);
	for (size_t t = 0; t < pf->nthreads; t++) {
		const struct mt_thread *th = &pf->threads[t];

		mt_json_obj_begin(j);
		mt_json_key(j, "tid");
		mt_json_i64(j, th->tid);
		mt_json_kv_bytes(j, "comm", th->comm, strlen(th->comm));
		mt_json_key(j, "sp");
		if (th->flags & MT_THREAD_SP_KNOWN)
			mt_json_hex(j, th->sp);
		else
			mt_json_null(j);
		mt_json_key(j, "running");
		mt_json_bool(j, th->flags & MT_THREAD_RUNNING);
		mt_json_obj_end(j);
	}
	mt_json_arr_end(j);
}

static int print_json(struct mt_explained *e, FILE *f)
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
	mt_json_str(&j, allocator_of(pf), strlen(allocator_of(pf)));
	mt_json_key(&j, "runtime");
	if (e->runtime)
		mt_json_str(&j, e->runtime, strlen(e->runtime));
	else
		mt_json_null(&j);
	json_threads(&j, pf);
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
	if (e->timeline && mt_timeline_json(&j, e->timeline, e->uw)) {
		mt_json_free(&j);
		return -ENOMEM;
	}
	mt_json_obj_end(&j);
	err = mt_json_flush_line(&j, f);
	mt_json_free(&j);
	return err;
}

static int json_of(FILE *f, void *e)
{
	return print_json(e, f);
}

/* The report page: the JSON document in an HTML file that draws it, and
 * the document to json_out too unless NULL. */
static int write_html(struct mt_explained *e, FILE *json_out)
{
	char title[64];
	int rc;

	snprintf(title, sizeof(title), "maptrace explain: %s (%d)", e->info.facts.comm,
		 (int)e->info.facts.pid);
	rc = mt_report_write(e->view.html, title, "explain", json_of, e, json_out);
	if (rc)
		fprintf(stderr, "maptrace explain: writing %s failed: %s (check the directory exists "
			"and is writable)\n", e->view.html, strerror(-rc));
	return rc ? 1 : 0;
}

int mt_explained_print(struct mt_explained *e, FILE *out)
{
	int rc;

	for (size_t i = 0; i < e->sm.maps.count; i++)
		if (selected(e, i))
			e->rows[e->nrows++] = i;
	if (e->view.sort != MT_SORT_ADDR)
		qsort_r(e->rows, e->nrows, sizeof(e->rows[0]), cmp_rows, e);
	errno = 0;
	if (e->view.html) {
		/* with --json, the one document goes to both */
		if (write_html(e, e->view.json ? out : NULL))
			return 1;
		if (!e->view.json) {
			fprintf(stderr, "maptrace explain: wrote %s (%zu regions): open it in a browser\n",
				e->view.html, e->nrows);
			return 0;
		}
	} else if (e->view.json) {
		if ((rc = print_json(e, out)) == -ENOMEM) {
			fprintf(stderr, "maptrace explain: out of memory\n");
			return 1;
		}
	} else {
		print_text(e, out);
	}
	if (fflush(out) || ferror(out)) {
		fprintf(stderr, "maptrace explain: writing the report failed: %s\n", strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}
