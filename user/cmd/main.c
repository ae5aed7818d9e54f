// SPDX-License-Identifier: GPL-2.0
/* main.c - maptrace's entry point: dispatch to a subcommand, top-level help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"

#define MAPTRACE_VERSION "0.1.0"

static const char usage[] =
"Usage: maptrace COMMAND [OPTIONS] TARGET\n"
"\n"
"Explain Linux process memory mappings: watch every call that changes an\n"
"address space (eBPF), keep an exact shadow of it, check it against the\n"
"kernel's /proc/<pid>/maps.\n"
"\n"
"Commands:\n"
"  explain  what each region of a process is, how much memory it uses (works without eBPF)\n"
"  trace    stream mapping events, one per line (or JSON Lines)\n"
"  verify   prove the shadow exact: compare it with the kernel page by page\n"
"  stat     summarise calls, bytes, churn and peak sizes at the end (CI budgets)\n"
"  diff     compare two `stat --json` summaries; fail past thresholds\n"
"  top      live mapping activity per process, machine-wide\n"
"  features what this kernel offers maptrace, and what is degraded here\n"
"\n"
"TARGET (for every command):\n"
"  -p PID[,PID...]     processes already running (and their new children)\n"
"  -a                  every process on the machine\n"
"  -- COMMAND [ARGS]   run COMMAND, trace it and its descendants, exit with its status\n"
"\n"
"Examples:\n"
"  maptrace explain -p 1234\n"
"  maptrace trace -- python3 -c 'import numpy'\n"
"  maptrace trace --json -o events.jsonl -p 1234\n"
"  maptrace verify -- make -j2\n"
"\n"
"Run 'maptrace COMMAND --help' for a command's options.\n"
"Needs root (or CAP_BPF+CAP_PERFMON) and a kernel with BTF.\n";

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("maptrace %s\n", MAPTRACE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "explain"))
		return cmd_explain(argc - 1, argv + 1);
	if (!strcmp(argv[1], "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stat"))
		return cmd_stat(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return cmd_diff(argc - 1, argv + 1);
	if (!strcmp(argv[1], "top"))
		return cmd_top(argc - 1, argv + 1);
	if (!strcmp(argv[1], "features"))
		return cmd_features(argc - 1, argv + 1);
	fprintf(stderr, "maptrace: unknown command '%s' (see: maptrace --help)\n", argv[1]);
	return 2;
}
