// SPDX-License-Identifier: GPL-2.0
/* export.c - Chrome Trace Event JSON and folded stacks.
 *
 * Trace events (the "JSON Object Format" of the Trace Event Format that
 * Perfetto and chrome://tracing document): one "C" counter sample per
 * process whenever its mapped or anonymous size changes, one "X" complete
 * event per mapping call spanning it from entry to exit, an "i" instant
 * per fork/exec/exit with its details, "M" metadata naming the process
 * tracks. Timestamps are microseconds from the start of the run.
 * Folded stacks: one line per distinct stack, weighted by bytes mapped;
 * until user stacks are captured the stack is process;call;file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "out/export.h"
#include "out/evfmt.h"


struct mt_folded_entry {
	char *stack;
	uint64_t bytes;
};

void mt_export_init(struct mt_export *x, FILE *trace_events, bool folded, uint64_t t0_ns)
{
	memset(x, 0, sizeof(*x));
	x->trace_events = trace_events;
	x->fold = folded;
	x->te_first = true;
	x->t0_ns = t0_ns;
	mt_json_init(&x->j);
	if (trace_events)
		fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", trace_events);
}

/* ts in microseconds, with ns precision */
static void json_ts(struct mt_export *x, uint64_t ts_ns)
{
	mt_json_key(&x->j, "ts");
	mt_json_fixed3(&x->j, ts_ns > x->t0_ns ? ts_ns - x->t0_ns : 0);
}

static void te_emit(struct mt_export *x)
{
	if (!x->te_first)
		fputs(",\n", x->trace_events);
	x->te_first = false;
	fwrite(x->j.buf, 1, x->j.len, x->trace_events);
	mt_json_reset(&x->j);
}

static void te_common(struct mt_export *x, const char *name, const char *ph, uint32_t pid,
		      uint32_t tid, uint64_t ts_ns)
{
	mt_json_obj_begin(&x->j);
	mt_json_key(&x->j, "name");
	mt_json_str(&x->j, name, strlen(name));
	mt_json_key(&x->j, "ph");
	mt_json_str(&x->j, ph, strlen(ph));
	json_ts(x, ts_ns);
	mt_json_key(&x->j, "pid");
	mt_json_u64(&x->j, pid);
	mt_json_key(&x->j, "tid");
	mt_json_u64(&x->j, tid);
}

static void fold(struct mt_export *x, const struct mt_event *e, const char *path, uint64_t bytes)
{
	char stack[MT_PATH_MAX + 64], file[MT_PATH_MAX + 32];
	const char *name = mt_event_kind_name(e->kind);
	size_t i;

	if (!bytes)
		return;
	if (mt_event_path(e, path, file, sizeof(file)) == 0)
		snprintf(file, sizeof(file), "[anonymous]");
	/* ';' separates frames and a newline ends the line: keep them out */
	for (char *p = file; *p; p++)
		if (*p == ';' || *p == '\n' || *p == ' ')
			*p = '_';
	snprintf(stack, sizeof(stack), "%.16s;%s;%s", e->comm, name, file);
	for (char *p = stack; *p; p++)
		if (*p == ' ' || *p == '\n')
			*p = '_';
	for (i = 0; i < x->nfolded; i++)
		if (!strcmp(x->folded[i].stack, stack))
			break;
	if (i == x->nfolded) {
		if (mt_array_grow((void **)&x->folded, &x->folded_cap, x->nfolded + 1,
				  sizeof(*x->folded)))
			return;
		x->folded[i].stack = strdup(stack);
		if (!x->folded[i].stack)
			return;
		x->folded[i].bytes = 0;
		x->nfolded++;
	}
	x->folded[i].bytes += bytes;
}

void mt_export_event(struct mt_export *x, const struct mt_event *e, const char *path)
{
	const char *name = mt_event_kind_name(e->kind);
	bool call = mt_event_is_call(e->kind) && e->enter_ns && e->enter_ns <= e->ts_ns;

	if (!name || (e->kind >= MT_EV_VMA && e->kind <= MT_EV_STACK))
		return;
	if (x->fold && e->kind == MT_EV_MMAP && !mt_event_failed(e))
		fold(x, e, path, MT_PAGE_ALIGN(e->args[1]));
	if (!x->trace_events)
		return;
	if (call) {
		/* a complete ("X") event spans the call: viewers that draw only
		 * durations (speedscope) show it, and group calls by name and
		 * args, so args hold only what stays the same: the file */
		char file[MT_PATH_MAX + 32];
		size_t n = mt_event_path(e, path, file, sizeof(file));

		te_common(x, name, "X", e->pid, e->tid, e->enter_ns);
		mt_json_key(&x->j, "dur");
		mt_json_fixed3(&x->j, e->ts_ns - e->enter_ns);
		mt_json_key(&x->j, "cat");
		mt_json_str(&x->j, mt_event_failed(e) ? "failed" : "mapping",
			    mt_event_failed(e) ? 6 : 7);
		mt_json_key(&x->j, "args");
		mt_json_obj_begin(&x->j);
		if (n)
			mt_json_kv_bytes(&x->j, "file", file, n);
		mt_json_obj_end(&x->j);
		mt_json_obj_end(&x->j);
		te_emit(x);
		return;
	}
	te_common(x, name, "i", e->pid, e->tid, e->ts_ns);
	mt_json_key(&x->j, "s");
	mt_json_str(&x->j, "t", 1);
	mt_json_key(&x->j, "cat");
	mt_json_str(&x->j, "process", 7);
	mt_json_key(&x->j, "args");
	/* the JSON Lines object of `trace --json`, as the arguments */
	mt_event_json(&x->j, e, path, x->t0_ns);
	mt_json_obj_end(&x->j);
	te_emit(x);
}

void mt_export_counter(struct mt_export *x, uint32_t pid, uint64_t ts_ns, uint64_t vm, uint64_t anon)
{
	if (!x->trace_events)
		return;
	te_common(x, "memory", "C", pid, pid, ts_ns);
	mt_json_key(&x->j, "args");
	mt_json_obj_begin(&x->j);
	mt_json_key(&x->j, "mapped_bytes");
	mt_json_u64(&x->j, vm);
	mt_json_key(&x->j, "anonymous_bytes");
	mt_json_u64(&x->j, anon);
	mt_json_obj_end(&x->j);
	mt_json_obj_end(&x->j);
	te_emit(x);
}

void mt_export_process_name(struct mt_export *x, uint32_t pid, const char *comm)
{
	if (!x->trace_events)
		return;
	te_common(x, "process_name", "M", pid, pid, x->t0_ns);
	mt_json_key(&x->j, "args");
	mt_json_obj_begin(&x->j);
	mt_json_kv_bytes(&x->j, "name", comm, strnlen(comm, MT_COMM_LEN));
	mt_json_obj_end(&x->j);
	mt_json_obj_end(&x->j);
	te_emit(x);
}

int mt_export_finish(struct mt_export *x)
{
	if (!x->trace_events)
		return 0;
	fputs("\n]}\n", x->trace_events);
	if (fflush(x->trace_events) || ferror(x->trace_events))
		return -(errno ? errno : EIO);
	return 0;
}

int mt_export_folded(struct mt_export *x, FILE *out)
{
	for (size_t i = 0; i < x->nfolded; i++)
		fprintf(out, "%s %llu\n", x->folded[i].stack, (unsigned long long)x->folded[i].bytes);
	if (fflush(out) || ferror(out))
		return -(errno ? errno : EIO);
	return 0;
}

void mt_export_free(struct mt_export *x)
{
	for (size_t i = 0; i < x->nfolded; i++)
		free(x->folded[i].stack);
	free(x->folded);
	mt_json_free(&x->j);
}
