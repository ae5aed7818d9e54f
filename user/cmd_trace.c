/* cmd_trace.c - `maptrace trace`: stream mapping events like strace does,
 * or as JSON Lines (schema: docs/events.md). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maptrace/commands.h"
#include "maptrace/session.h"
#include "maptrace/evfmt.h"
#include "maptrace/json.h"

static const char trace_usage[] =
"Usage: maptrace trace [OPTIONS] TARGET\n"
"\n"
"Print every call that changes a traced address space, one per line: time,\n"
"pid/tid, comm, the call with decoded arguments, its result, and the path of\n"
"mapped files. Process lifecycle (fork, exec, exit) is shown too.\n"
"\n"
"Options:\n"
"  -j, --json          JSON Lines: one object per event, \"kind\" names it\n"
"  -o, --output FILE   write events to FILE instead of stdout\n"
"  -b, --buffer SIZE   ring buffer size (default 64M; K/M/G suffixes)\n"
"  -v, --verbose       libbpf messages (twice: verifier debug output)\n"
"  -h, --help          this text\n"
"\n"
"TARGET: -p PID[,PID...] | -a | -- COMMAND [ARGS...]\n"
"\n"
"Examples:\n"
"  maptrace trace -- ls /\n"
"  maptrace trace -p 1234 -o maps.log\n"
"  maptrace trace --json -a | jq 'select(.kind==\"mmap\")'\n";

struct trace_ctx {
	FILE *out;
	bool json;
	struct mt_json j;
	int write_err;
};

int mt_parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -1; /* strtoull would take spaces, '+' and '-' */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	int shift = 0;

	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if ((*end && strcmp(end, "iB") && strcmp(end, "B")) || v > (~0ULL >> shift))
		return -1; /* a suffix shifting bits out would silently wrap */
	*out = v << shift;
	return 0;
}

static void print_event(struct mt_session *s, const struct mt_event *e, const char *path)
{
	struct trace_ctx *c = s->ctx;

	if (!mt_event_kind_name(e->kind) || e->kind >= MT_EV_VMA)
		return;
	if (c->json) {
		mt_event_json(&c->j, e, path, s->t0_ns);
		if (mt_json_flush_line(&c->j, c->out) && !c->write_err)
			c->write_err = errno ? errno : EIO;
	} else {
		mt_event_print_text(c->out, e, path, s->t0_ns);
	}
}

int cmd_trace(int argc, char **argv)
{
	struct mt_session s = { 0 };
	struct trace_ctx c = { .out = stdout };
	const char *out_path = NULL;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int n = mt_session_parse_common(&s, argc, argv, &i, "trace");

		if (n < 0)
			return 2;
		if (n > 0)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(trace_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			c.json = true;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
			out_path = argv[++i];
						} else {
			fprintf(stderr, "maptrace trace: unknown option '%s' (see: maptrace trace --help)\n", a);
			return 2;
		}
	}
	if (mt_target_check(&s.target, "trace"))
		return 2;
	if (out_path) {
		c.out = fopen(out_path, "w");
		if (!c.out) {
			fprintf(stderr, "maptrace trace: cannot write '%s': %s\n", out_path, strerror(errno));
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
	if (mt_session_report_drops(&s, stderr) && !status)
		status = 1;
out:
	mt_session_close(&s);
	mt_json_free(&c.j);
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
