// SPDX-License-Identifier: GPL-2.0
/* features.c - `maptrace features`: what this kernel offers, which
 * mechanism each job uses here, and what is degraded and why. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "kernel/features.h"

static const char features_usage[] =
"Usage: maptrace features [--json] [--btf FILE]\n"
"\n"
"Probe the running kernel (its BTF, test loads of BPF maps, helpers and\n"
"program types, /proc ioctls) and print what it offers maptrace, how each\n"
"job is done here (calls, ordering, exec, exit check, snapshot) and what is\n"
"degraded and why. The same report heads the output of any tracing command\n"
"run with -v. Probes need root (or CAP_BPF+CAP_PERFMON); without it, facts\n"
"that need a test load read as missing.\n"
"Without kernel BTF, tracing needs a BTF file of the kernel (--btf FILE, or\n"
"MAPTRACE_BTF=FILE); MAPTRACE_KERNEL_BTF=none acts as if the kernel had none.\n"
"Exit status: 0 when maptrace can trace on this kernel, 1 when it cannot.\n"
"\n"
"Options:\n"
"  --json      one JSON object instead of text\n"
"  --btf FILE  tracing would take its CO-RE relocations from FILE\n"
"  -h, --help  this text\n";

enum { OPT_JSON = 1, OPT_BTF, OPT_HELP };

static const struct mt_option features_options[] = {
	{ "json", 'j', false, OPT_JSON },
	{ "btf", 0, true, OPT_BTF },
	{ "help", 'h', false, OPT_HELP },
	{ 0 }
};

int cmd_features(int argc, char **argv)
{
	struct mt_features f;
	const char *btf = NULL, *val;
	bool json = false;
	struct mt_args args;
	int id;

	mt_args_init(&args, argc, argv, "features");
	while ((id = mt_opt_next(&args, features_options, &val)) != MT_OPT_END) {
		switch (id) {
		case OPT_HELP:
			fputs(features_usage, stdout);
			return 0;
		case OPT_JSON:
			json = true;
			break;
		case OPT_BTF:
			btf = val;
			break;
		case MT_OPT_ERROR:
			return 2;
		default:
			return mt_usage_error("features", "unexpected argument '%s'", val ? val : "--");
		}
	}
	if (geteuid() != 0)
		fprintf(stderr, "maptrace features: not root: facts that need a test load may read "
			"as missing (try: sudo maptrace features)\n");
	mt_features_probe(&f);
	f.btf_file |= btf != NULL;
	mt_features_print(stdout, &f, json);
	return mt_features_blocker(&f) ? 1 : 0;
}
