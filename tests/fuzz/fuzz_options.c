// SPDX-License-Identifier: GPL-2.0
/* fuzz_options.c - the command-line parser (user/cmd/options.c) with the
 * options every tracing command shares (user/cmd/common.c: TARGET, -b, -v,
 * --btf, -d), and mt_target_check.
 *
 * The common options apply to a session, which drives the tracer: this
 * target links every user/ layer but cmd/main.c, with libbpf, libelf and
 * libdw; only the parsers run.
 *
 * Input: the arguments of a command, separated by NUL bytes (at most 64),
 * read the way every command reads them, up to the first error (where a
 * command exits 2). Checked, besides "no crash, leak or hang": the parser's
 * index stays inside argv and only moves forward; once all are parsed:
 * pids are in 1..4194304 (PID_MAX_LIMIT); "-- COMMAND" points into argv at
 * a non-NULL command; mt_target_check accepts exactly one kind of target.
 * Parsers report bad options on stderr: run with -close_fd_mask=2.
 */
#include <string.h>

#include "cmd/common.h"
#include "fuzz_util.h"

#define MAX_ARGS 64

static const struct mt_option options[] = {
	MT_COMMON_OPTIONS,
	{ 0 }
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), *argv[MAX_ARGS + 2];
	struct mt_session s;
	struct mt_args args;
	const char *val;
	int argc = 1, kinds, id, rc = 0, before;

	FUZZ_CHECK(buf, "out of memory");
	buf[0] = '\0'; /* argv[0]: the command's name */
	memcpy(buf + 1, data, size);
	buf[size + 1] = '\0';
	argv[0] = buf;
	for (char *p = buf + 1; p < buf + size + 2 && argc < MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	memset(&s, 0, sizeof(s));
	mt_args_init(&args, argc, argv, "fuzz");
	for (before = args.i; (id = mt_opt_next(&args, options, &val)) != MT_OPT_END; before = args.i) {
		FUZZ_CHECK(args.i > before && args.i <= argc, "index %d after %d of %d", args.i, before, argc);
		rc = id == MT_OPT_ERROR ? 2 : mt_common_option(&s, &args, id, val);
		if (rc == 2)
			break;
	}
	if (rc == 2) { /* the command stops here (exit 2): what was parsed is moot */
		free(s.target.pids);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(s.target.npids >= 0, "npids %d", s.target.npids);
	for (int k = 0; k < s.target.npids; k++)
		FUZZ_CHECK(s.target.pids[k] > 0 && s.target.pids[k] <= 4194304, "pid %d",
			   s.target.pids[k]);
	if (s.target.argv) {
		FUZZ_CHECK(s.target.argv > argv && s.target.argv < argv + argc + 1, "command outside argv");
		FUZZ_CHECK(s.target.argv[0] != NULL, "empty command");
	}
	kinds = (s.target.npids > 0) + s.target.all + (s.target.argv != NULL);
	FUZZ_CHECK((mt_target_check(&s.target, "fuzz") == 0) == (kinds == 1), "target check");
	free(s.target.pids);
	free(buf);
	return 0;
}
