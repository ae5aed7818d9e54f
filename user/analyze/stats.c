// SPDX-License-Identifier: GPL-2.0
/* stats.c - per-process figures of a traced run, for `maptrace stat`.
 *
 * Counts are taken from every event as it arrives; sizes are taken around
 * each change the registry applies in the kernel's order (mt_apply_fn), so
 * peaks are the peaks the kernel went through, not an artefact of the order
 * events reached the ring buffer in. Byte figures follow the arguments the
 * way one would add them up from `strace -f` output (page-aligned lengths);
 * shmdt and io_destroy, whose sizes the arguments do not tell, use the
 * shadow. Churn counts unmapped bytes whose pages were created while traced
 * (region origin kind != 0; seeded regions have kind 0).
 */
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "analyze/stats.h"
#include "core/event.h"


#define KIND_FIGURES(k) "calls." k, "failed." k
const char *const mt_figure_names[] = {
	KIND_FIGURES("mmap"), KIND_FIGURES("munmap"), KIND_FIGURES("mprotect"),
	KIND_FIGURES("pkey_mprotect"), KIND_FIGURES("brk"), KIND_FIGURES("mremap"),
	KIND_FIGURES("shmat"), KIND_FIGURES("shmdt"), KIND_FIGURES("remap_file_pages"),
	KIND_FIGURES("io_setup"), KIND_FIGURES("io_destroy"), KIND_FIGURES("madvise"),
	KIND_FIGURES("prctl"),
	"bytes_mapped", "bytes_unmapped", "churn_bytes", "peak_vm_bytes", "final_vm_bytes",
	"peak_anon_bytes", "final_anon_bytes", "final_mappings", NULL,
};

void mt_stats_init(struct mt_stats *st, uint64_t gate_bytes)
{
	memset(st, 0, sizeof(*st));
	st->gate_bytes = gate_bytes;
}

void mt_stats_free(struct mt_stats *st)
{
	mt_u64map_free_values(&st->by_pid);
	free(st->order);
}

static struct mt_proc_stats *proc(struct mt_stats *st, pid_t pid, const char *comm)
{
	struct mt_proc_stats *ps = mt_u64map_get(&st->by_pid, (uint64_t)pid);

	if (ps)
		return ps;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return NULL;
	if (mt_array_grow((void **)&st->order, &st->order_cap, st->norder + 1, sizeof(*st->order))) {
		free(ps);
		return NULL;
	}
	if (mt_u64map_put(&st->by_pid, (uint64_t)pid, ps)) {
		free(ps);
		return NULL;
	}
	st->order[st->norder++] = pid;
	ps->pid = pid;
	if (comm)
		memcpy(ps->comm, comm, MT_COMM_LEN);
	return ps;
}

void mt_stats_event(struct mt_stats *st, const struct mt_event *e)
{
	struct mt_proc_stats *ps;

	if (e->kind == MT_EV_EXIT) {
		ps = proc(st, (pid_t)e->pid, e->comm);
		if (ps) {
			ps->exited = true;
			ps->exit_status = (int)e->ret;
		}
		return;
	}
	if (e->kind == MT_EV_EXEC) {
		ps = proc(st, (pid_t)e->pid, e->comm);
		if (ps)
			memcpy(ps->comm, e->comm, MT_COMM_LEN); /* the name after exec */
		return;
	}
	if (e->kind == MT_EV_NONE || e->kind >= MT_STAT_KINDS)
		return;
	ps = proc(st, (pid_t)e->pid, e->comm);
	if (!ps)
		return;
	ps->f.calls[e->kind]++;
	if (mt_event_failed(e))
		ps->f.failed[e->kind]++;
}

uint64_t mt_created_bytes_in(const struct mt_shadow *s, uint64_t start, uint64_t end,
			     uint64_t since_ns)
{
	uint64_t n = 0;

	for (const struct mt_region *r = mt_shadow_lower_bound(s, start); r && r->start < end;
	     r = mt_shadow_next(s, r)) {
		uint64_t a = r->start > start ? r->start : start, b = r->end < end ? r->end : end;

		if (r->origin.kind && r->origin.ts_ns >= since_ns)
			n += b - a;
	}
	return n;
}

struct mt_sizes mt_aspace_sizes(const struct mt_aspace *as, uint64_t gate_bytes)
{
	struct mt_sizes z = { 0 };

	if (!as->shadow)
		return z;
	z.vm = mt_shadow_bytes(as->shadow);
	z.vm = z.vm >= gate_bytes ? z.vm - gate_bytes : z.vm;
	z.anon = mt_shadow_anon_bytes(as->shadow);
	return z;
}

/* Its mappings as maps counts them (a walk of the shadow), without the gate. */
static uint64_t aspace_mappings(const struct mt_aspace *as, uint64_t gate_bytes)
{
	uint64_t n = as->shadow ? mt_shadow_count_merged(as->shadow) : 0;

	return gate_bytes && n ? n - 1 : n;
}

static void track_sizes(struct mt_stats *st, struct mt_proc_stats *ps, struct mt_aspace *as)
{
	struct mt_sizes z = mt_aspace_sizes(as, st->gate_bytes);
	uint64_t vm = z.vm, anon = z.anon;

	/* the run-wide totals move by this address space's change (mod 2^64) */
	st->vm_now += vm - as->acct_vm;
	st->anon_now += anon - as->acct_anon;
	as->acct_vm = vm;
	as->acct_anon = anon;
	ps->f.final_vm = vm;
	ps->f.final_anon = anon;
	if (vm > ps->f.peak_vm)
		ps->f.peak_vm = vm;
	if (anon > ps->f.peak_anon)
		ps->f.peak_anon = anon;
	if (st->vm_now > st->peak_vm_total)
		st->peak_vm_total = st->vm_now;
	if (st->anon_now > st->peak_anon_total)
		st->peak_anon_total = st->anon_now;
}

void mt_stats_apply(struct mt_stats *st, struct mt_aspace *as, const struct mt_event *e, bool after)
{
	struct mt_proc_stats *ps = proc(st, as->pid, as->comm);
	struct mt_event_bytes b;

	if (!ps || !as->shadow || (e && mt_event_failed(e)))
		return; /* a failed call mapped nothing (what it may have changed is resynced) */
	if (!e) {
		track_sizes(st, ps, as); /* (re)seeded: exec, fork or attach */
		return;
	}
	if (!after) {
		b = mt_event_bytes(e, as->shadow);
		st->pending_unmap = b.unmapped;
		st->pending_churn = b.removed_end > b.removed_start ?
			mt_created_bytes_in(as->shadow, b.removed_start, b.removed_end, 0) : 0;
		ps->f.bytes_mapped += b.mapped;
		return;
	}
	ps->f.bytes_unmapped += st->pending_unmap;
	ps->f.churn_bytes += st->pending_churn;
	st->pending_unmap = st->pending_churn = 0;
	track_sizes(st, ps, as);
}

void mt_stats_stale(struct mt_stats *st, struct mt_aspace *as, const struct mt_event *e)
{
	struct mt_proc_stats *ps = proc(st, as->pid, as->comm);
	struct mt_event_bytes b;

	if (!ps)
		return;
	b = mt_event_bytes(e, NULL);
	ps->f.bytes_mapped += b.mapped;
	ps->f.bytes_unmapped += b.unmapped;
}

void mt_stats_final(struct mt_stats *st, struct mt_aspace *as, const struct mt_maps *kernel)
{
	struct mt_proc_stats *ps = proc(st, as->pid, as->comm);

	/* its memory is gone from the run-wide totals */
	st->vm_now -= as->acct_vm;
	st->anon_now -= as->acct_anon;
	as->acct_vm = as->acct_anon = 0;
	as->final_taken = true;
	if (!ps || !as->shadow)
		return;
	if (kernel) {
		uint64_t n = kernel->count;

		/* the dump includes the gate area, which is no vma */
		if (st->gate_bytes && n)
			n--;
		ps->f.final_mappings = n;
	} else {
		ps->f.final_mappings = aspace_mappings(as, st->gate_bytes);
	}
}

void mt_stats_total(const struct mt_stats *st, struct mt_figures *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < st->norder; i++) {
		const struct mt_proc_stats *ps = mt_u64map_get(&st->by_pid, (uint64_t)st->order[i]);

		if (!ps)
			continue;
		for (int k = 0; k < MT_STAT_KINDS; k++) {
			out->calls[k] += ps->f.calls[k];
			out->failed[k] += ps->f.failed[k];
		}
		out->bytes_mapped += ps->f.bytes_mapped;
		out->bytes_unmapped += ps->f.bytes_unmapped;
		out->churn_bytes += ps->f.churn_bytes;
		out->final_vm += ps->f.final_vm;
		out->final_anon += ps->f.final_anon;
		out->final_mappings += ps->f.final_mappings;
	}
	out->peak_vm = st->peak_vm_total;
	out->peak_anon = st->peak_anon_total;
}

bool mt_figure_get(const struct mt_figures *f, const char *name, uint64_t *value)
{
	static const struct { const char *name; size_t off; } scalars[] = {
		{ "bytes_mapped", offsetof(struct mt_figures, bytes_mapped) },
		{ "bytes_unmapped", offsetof(struct mt_figures, bytes_unmapped) },
		{ "churn_bytes", offsetof(struct mt_figures, churn_bytes) },
		{ "peak_vm_bytes", offsetof(struct mt_figures, peak_vm) },
		{ "final_vm_bytes", offsetof(struct mt_figures, final_vm) },
		{ "peak_anon_bytes", offsetof(struct mt_figures, peak_anon) },
		{ "final_anon_bytes", offsetof(struct mt_figures, final_anon) },
		{ "final_mappings", offsetof(struct mt_figures, final_mappings) },
	};
	const uint64_t *arr = NULL;
	const char *kind = NULL;

	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		if (!strcmp(name, scalars[i].name)) {
			memcpy(value, (const char *)f + scalars[i].off, sizeof(*value));
			return true;
		}
	}
	if (!strncmp(name, "calls.", 6)) {
		arr = f->calls;
		kind = name + 6;
	} else if (!strncmp(name, "failed.", 7)) {
		arr = f->failed;
		kind = name + 7;
	}
	for (int k = MT_EV_MMAP; arr && k < MT_STAT_KINDS; k++) {
		if (!strcmp(kind, mt_event_kind_name(k))) {
			*value = arr[k];
			return true;
		}
	}
	return false;
}

void mt_figures_json(struct mt_json *j, const struct mt_figures *f)
{
	mt_json_obj_begin(j);
	for (int pass = 0; pass < 2; pass++) {
		const uint64_t *arr = pass ? f->failed : f->calls;

		mt_json_key(j, pass ? "failed" : "calls");
		mt_json_obj_begin(j);
		for (int k = MT_EV_MMAP; k < MT_STAT_KINDS; k++) {
			mt_json_key(j, mt_event_kind_name(k));
			mt_json_u64(j, arr[k]);
		}
		mt_json_obj_end(j);
	}
	for (const char *const *n = mt_figure_names; *n; n++) {
		uint64_t v;

		if (!strchr(*n, '.') && mt_figure_get(f, *n, &v)) {
			mt_json_key(j, *n);
			mt_json_u64(j, v);
		}
	}
	mt_json_obj_end(j);
}

static const char *human(uint64_t v, char *buf, size_t cap)
{
	static const char units[] = "BKMGT";
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, cap, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, cap, "%.1f %ciB", d, units[u]);
	return buf;
}

static void print_figures(FILE *out, const struct mt_figures *f)
{
	char b[32];

	for (int k = MT_EV_MMAP; k < MT_STAT_KINDS; k++) {
		if (!f->calls[k])
			continue;
		fprintf(out, "  %12llu  %-17s", (unsigned long long)f->calls[k], mt_event_kind_name(k));
		if (f->failed[k])
			fprintf(out, " (%llu failed)", (unsigned long long)f->failed[k]);
		fputc('\n', out);
	}
	fprintf(out, "  %12s  bytes mapped\n", human(f->bytes_mapped, b, sizeof(b)));
	fprintf(out, "  %12s  bytes unmapped\n", human(f->bytes_unmapped, b, sizeof(b)));
	fprintf(out, "  %12s  churn (mapped and unmapped again while traced)\n",
		human(f->churn_bytes, b, sizeof(b)));
	fprintf(out, "  %12s  peak virtual size", human(f->peak_vm, b, sizeof(b)));
	fprintf(out, " (final %s)\n", human(f->final_vm, b, sizeof(b)));
	fprintf(out, "  %12s  peak anonymous size", human(f->peak_anon, b, sizeof(b)));
	fprintf(out, " (final %s)\n", human(f->final_anon, b, sizeof(b)));
	fprintf(out, "  %12llu  mappings at the end\n", (unsigned long long)f->final_mappings);
}

void mt_stats_print(FILE *out, const struct mt_stats *st, double seconds)
{
	struct mt_figures total;

	for (size_t i = 0; i < st->norder; i++) {
		const struct mt_proc_stats *ps = mt_u64map_get(&st->by_pid, (uint64_t)st->order[i]);

		if (!ps)
			continue;
		fprintf(out, "\n pid %d (%s)%s\n\n", ps->pid, ps->comm, ps->exited ? "" : " still running");
		print_figures(out, &ps->f);
	}
	mt_stats_total(st, &total);
	fprintf(out, "\n total: %zu processes, %.3f seconds\n\n", st->norder, seconds);
	print_figures(out, &total);
	fputc('\n', out);
}
