// SPDX-License-Identifier: GPL-2.0
/* main.c - maptrace's entry point: dispatch to a subcommand, top-level help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"

#define MAPTRACE_VERSION "0.1.0"

/* The commands, as bpftool and perf dispatch them: the name, the function
 * given the words after the name, one line for the help. */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "explain", cmd_explain, "what each region of a process is, how much memory it uses (works without eBPF)" },
	{ "trace", cmd_trace, "stream mapping events, one per line (or JSON Lines)" },
	{ "verify", cmd_verify, "prove the shadow exact: compare it with the kernel page by page" },
	{ "stat", cmd_stat, "summarise calls, bytes, churn and peak sizes at the end (CI budgets)" },
	{ "diff", cmd_diff, "compare two `stat --json` summaries; fail past thresholds" },
	{ "top", cmd_top, "live mapping activity per process, machine-wide" },
	{ "serve", cmd_serve, "mapping activity as Prometheus metrics, per cgroup and command" },
	{ "features", cmd_features, "what this kernel offers maptrace, and what is degraded here" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fputs("Usage: maptrace [-v] [--btf FILE] COMMAND [OPTIONS] TARGET\n"
	      "\n"
	      "Explain Linux process memory mappings: watch every call that changes an\n"
	      "address space (eBPF), keep an exact shadow of it, check it against the\n"
	      "kernel's /proc/<pid>/maps.\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "TARGET (for every command):\n"
	      "  -p PID[,PID...]     processes already running (and their new children)\n"
	      "  -a                  every process on the machine\n"
	      "  -- COMMAND [ARGS]   run COMMAND, trace it and its descendants, exit with its status\n"
	      "\n"
	      "Every tracing command also takes -b/--buffer SIZE, -d/--duration S,\n"
	      "-v/--verbose and --btf FILE; -v and --btf may come before COMMAND too.\n"
	      "\n"
	      "Examples:\n"
	      "  maptrace explain -p 1234\n"
	      "  maptrace trace -- python3 -c 'import numpy'\n"
	      "  maptrace trace --json -o events.jsonl -p 1234\n"
	      "  maptrace verify -- make -j2\n"
	      "\n"
	      "Run 'maptrace COMMAND --help' for a command's options.\n"
	      "Needs root (or CAP_BPF+CAP_PERFMON); a kernel without BTF needs --btf FILE.\n", f);
}

/* Options given before the command (maptrace -v verify ...) are the
 * command's: move them after its name. */
static int global_options(int argc, char **argv)
{
	int i = 1;

	while (i < argc && (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose") ||
			    !strncmp(argv[i], "--btf=", 6) ||
			    (!strcmp(argv[i], "--btf") && i + 1 < argc)))
		i += !strcmp(argv[i], "--btf") ? 2 : 1;
	if (i == 1 || i >= argc)
		return i;
	/* argv[1..i-1] are global options, argv[i] the command: rotate it first */
	{
		char *cmd = argv[i];

		memmove(argv + 2, argv + 1, (size_t)(i - 1) * sizeof(*argv));
		argv[1] = cmd;
	}
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (global_options(argc, argv) >= argc) {
		fprintf(stderr, "maptrace: which command? (see: maptrace --help)\n");
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("maptrace %s\n", MAPTRACE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "maptrace: unknown command '%s' (see: maptrace --help)\n", argv[1]);
	return 2;
}
