// SPDX-License-Identifier: GPL-2.0
/* fuzz_options.c - the TARGET and common option parser (user/trace/session.c:
 * mt_target_parse through mt_session_parse_common, and mt_target_check).
 *
 * session.c is not pure logic (it drives the tracer), so this target links
 * every user/ object but main.c, with libbpf, libelf and libdw; only the
 * parsers run.
 *
 * Input: the arguments of a command, separated by NUL bytes (at most 64),
 * walked the way every command's loop walks them, up to the first error
 * (where a command exits 2). Checked, besides "no crash, leak or hang": the
 * index a parser leaves stays inside argv and moves by what it consumed;
 * once all are parsed: pids are in 1..4194304 (PID_MAX_LIMIT);
 * "-- COMMAND" points into argv at a non-NULL command; mt_target_check
 * accepts exactly one kind of target.
 * Parsers report bad options on stderr: run with -close_fd_mask=2.
 */
#include <string.h>

#include "trace/session.h"
#include "fuzz_util.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 1];
	struct mt_session s;
	int argc = 0, kinds, n = 0;

	FUZZ_CHECK(buf, "out of memory");
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *p = buf; p < buf + size + 1 && argc < MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < argc; i++) {
		int before = i;

		n = mt_session_parse_common(&s, argc, argv, &i, "fuzz");
		if (n < 0)
			break;
		FUZZ_CHECK(i >= before && i < argc, "index %d after %d of %d", i, before, argc);
		if (n > 0 && strcmp(argv[before], "--"))
			FUZZ_CHECK(i - before == n - 1, "consumed %d, moved %d", n, i - before);
	}
	if (n < 0) {    /* the command stops here (exit 2): what was parsed is moot */
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
