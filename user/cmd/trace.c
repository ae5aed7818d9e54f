// SPDX-License-Identifier: GPL-2.0
/* trace.c - `maptrace trace`: stream mapping events like strace does,
 * or as JSON Lines (schema: docs/events.md).
 *
 * With --stacks, the BPF side sends a STACK record just before the event of
 * each call that creates a mapping (same thread). The sample is unwound as
 * soon as it arrives, against the shadow of its address space (kept only
 * for that: the files mapped are the modules), and its frames wait for the
 * thread's event; only pointers to the unwinder's cached frames are kept,
 * so a stack costs no allocation once its thread has a slot.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "trace/session.h"
#include "out/evfmt.h"
#include "base/json.h"
#include "analyze/unwind.h"

static const char trace_usage[] =
"Usage: maptrace trace [OPTIONS] TARGET\n"
"\n"
"Print every call that changes a traced address space, one per line: time,\n"
"pid/tid, comm, the call with decoded arguments, its result, and the path of\n"
"mapped files. Process lifecycle (fork, exec, exit) is shown too.\n"
"\n"
"Options:\n"
"  -j, --json            JSON Lines: one object per event, \"kind\" names it\n"
"  -o, --output FILE     write events to FILE instead of stdout\n"
"      --stacks MODE     print the user call stack of each call that creates a\n"
"                        mapping (mmap, mremap, brk, shmat, io_setup): dwarf\n"
"                        (unwinds binaries built without frame pointers), fp\n"
"                        (frame pointers, cheaper), or none (default)\n"
"      --stack-size N    bytes of user stack a DWARF sample copies (default 8192,\n"
"                        at most 16384): deeper stacks need more\n"
MT_COMMON_USAGE
"\n"
"TARGET: -p PID[,PID...] | -a | -- COMMAND [ARGS...]\n"
"\n"
"Examples:\n"
"  maptrace trace -- ls /\n"
"  maptrace trace -p 1234 -o maps.log\n"
"  maptrace trace --stacks dwarf -- python3 -c 'bytearray(1 << 20)'\n"
"  maptrace trace --json -a | jq 'select(.kind==\"mmap\")'\n";

/* The unwound stack of a thread's call, waiting for the call's event. */
struct pending_stack {
	uint64_t mm, seq;   /* the ticket of the call it was taken in */
	uint32_t pid;       /* its thread group, to free it when the group exits */
	int n;              /* frames; 0 when none is waiting */
	const struct mt_frame *frames[MT_UNWIND_MAX_FRAMES];
};

struct trace_ctx {
	FILE *out;
	bool json;
	struct mt_json j;
	int write_err;
	struct mt_unwinder *uw;      /* --stacks */
	struct mt_u64map pending;    /* tid -> struct pending_stack */
};

/* A STACK record: unwind it now, while the shadow shows the modules. */
static void take_stack(struct mt_session *s, struct trace_ctx *c, const struct mt_event *e,
		       const char *raw)
{
	struct mt_aspace *as = mt_aspaces_by_tgid(&s->reg, (pid_t)e->pid);
	struct pending_stack *p = mt_u64map_get(&c->pending, e->tid);
	const struct mt_frame *const *frames;
	int n;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p || mt_u64map_put(&c->pending, e->tid, p)) {
			free(p);
			return;
		}
	}
	n = mt_unwind_frames(c->uw, as ? as->shadow : NULL, (pid_t)e->tid, e->flags, raw, e->path_len,
			     &frames);
	memcpy(p->frames, frames, (size_t)(n > 0 ? n : 0) * sizeof(frames[0]));
	p->n = n;
	p->mm = e->mm;
	p->seq = e->seq;
	p->pid = e->pid;
}

/* A thread group ended: free the slots of all its threads (only the last
 * thread's exit is an event). */
static void drop_group_stacks(struct trace_ctx *c, uint32_t pid)
{
	size_t pos = 0;
	uint64_t tid;
	void *v;

	while (mt_u64map_next(&c->pending, &pos, &tid, &v)) {
		if (((struct pending_stack *)v)->pid != pid)
			continue;
		/* (a deletion leaves a marker and moves nothing: the walk goes on) */
		free(mt_u64map_del(&c->pending, tid));
	}
}

/* Take the stack waiting for e: its number of frames (into *frames), 0 if
 * none. It was taken in the exit of this very call, which carries the same
 * ticket (a stack whose event was lost must not be shown under the
 * thread's next call). Calls that create mappings hold the mmap write
 * lock, so each has a ticket. Either way the thread's slot is used up. */
static int take_stack_of(struct trace_ctx *c, const struct mt_event *e,
			 const struct mt_frame *const **frames)
{
	struct pending_stack *p = c->uw ? mt_u64map_get(&c->pending, e->tid) : NULL;
	int n;

	if (!p || p->n <= 0)
		return 0;
	n = p->seq == e->seq && p->mm == e->mm && e->seq ? p->n : 0;
	p->n = 0;
	*frames = p->frames;
	return n;
}

static void print_event(struct mt_session *s, const struct mt_event *e, const char *path)
{
	struct trace_ctx *c = s->ctx;
	const struct mt_frame *const *frames = NULL;
	int n;

	if (e->kind == MT_EV_STACK && c->uw) {
		take_stack(s, c, e, path);
		return;
	}
	if (!mt_event_kind_name(e->kind) || (e->kind >= MT_EV_VMA && e->kind <= MT_EV_STACK))
		return;
	n = take_stack_of(c, e, &frames);
	if (c->json) {
		mt_event_json_stack(&c->j, e, path, s->t0_ns, n ? frames : NULL, n);
		if (mt_json_flush_line(&c->j, c->out) && !c->write_err)
			c->write_err = errno ? errno : EIO;
	} else {
		mt_event_print_text(c->out, e, path, s->t0_ns);
		for (int i = 0; i < n; i++)
			mt_frame_print_text(c->out, "        ", i, frames[i], true);
	}
	if (e->kind == MT_EV_EXIT && c->uw)
		drop_group_stacks(c, e->pid);
}

/* --stacks MODE / --stack-size N, also as --stacks=MODE: 0 if argv[*i] is
 * neither, else 1 and *i past the value, or -1 after a message. */
enum { OPT_JSON = 1, OPT_OUTPUT };

static const struct mt_option trace_options[] = {
	{ "json", 'j', false, OPT_JSON },
	{ "output", 'o', true, OPT_OUTPUT },
	MT_STACK_OPTIONS,
	MT_COMMON_OPTIONS,
	{ 0 }
};

struct trace_args {
	struct mt_session *s;
	struct trace_ctx *c;
	const char *out_path;
};

static int trace_option(void *ctx, int id, const char *val)
{
	struct trace_args *ta = ctx;

	switch (id) {
	case OPT_JSON:
		ta->c->json = true;
		return 0;
	case OPT_OUTPUT:
		ta->out_path = val;
		return 0;
	}
	return mt_stack_option("trace", id, val, &ta->s->topts.stack_mode, &ta->s->topts.stack_bytes) == 2 ?
		2 : 0;
}

int cmd_trace(int argc, char **argv)
{
	struct mt_session s = { 0 };
	struct trace_ctx c = { .out = stdout };
	const char *out_path = NULL;
	int status = 0;

	struct trace_args ta = { .s = &s, .c = &c };
	int rc = mt_command_options(&s, argc, argv, "trace", trace_options, trace_usage, trace_option,
				    &ta);

	if (rc != MT_OPTS_GO)
		return rc;
	out_path = ta.out_path;
	if (mt_target_check(&s.target, "trace"))
		return 2;
	if (out_path) {
		c.out = fopen(out_path, "w");
		if (!c.out) {
			fprintf(stderr, "maptrace trace: cannot write '%s': %s\n", out_path, strerror(errno));
			return 1;
		}
	}
	if (s.topts.stack_mode != MT_STACKS_NONE) {
		/* the shadows give each sample its modules */
		s.keep_shadows = true;
		c.uw = mt_unwinder_new();
		if (!c.uw) {
			fprintf(stderr, "maptrace trace: out of memory\n");
			return 1;
		}
	}
	mt_json_init(&c.j);
	s.on_event = print_event;
	s.ctx = &c;
	if (mt_session_start(&s)) {
		status = 1;
		goto out;
	}
	mt_session_run(&s);
	status = s.child ? mt_session_child_exit_code(&s) : 0;
	if (c.uw && s.topts.verbose) {
		struct mt_unwind_stats us;

		mt_unwind_get_stats(c.uw, &us);
		fprintf(stderr, "maptrace trace: %llu stacks unwound, %llu of them from the cache; "
			"%llu module sets loaded\n", (unsigned long long)us.samples,
			(unsigned long long)us.memo_hits, (unsigned long long)us.dwfl_builds);
	}
	if (mt_session_report_end(&s, stderr) && !status)
		status = 1;
out:
	mt_session_close(&s);
	mt_json_free(&c.j);
	{
		size_t pos = 0;
		uint64_t tid;
		void *p;

		while (mt_u64map_next(&c.pending, &pos, &tid, &p))
			free(p);
		mt_u64map_free(&c.pending);
	}
	mt_unwinder_free(c.uw);
	if (fflush(c.out) || ferror(c.out) || c.write_err) {
		fprintf(stderr, "maptrace trace: writing %s failed: %s\n", out_path ? out_path : "stdout",
			strerror(c.write_err ? c.write_err : errno));
		status = 1;
	}
	if (out_path && fclose(c.out)) {
		fprintf(stderr, "maptrace trace: closing '%s' failed: %s\n", out_path, strerror(errno));
		status = 1;
	}
	return status;
}
