// SPDX-License-Identifier: GPL-2.0
/* common.c - the options every tracing command takes alike (common.h). */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "cmd/common.h"

#define PID_MAX_LIMIT 4194304 /* include/linux/threads.h, 64-bit */

int mt_target_pids(struct mt_target *t, const char *cmd, const char *list)
{
	const char *p = list;

	if (!*p)
		return mt_usage_error(cmd, "bad pid list '': expected -p PID[,PID...]");
	while (*p) {
		char *end = (char *)p;
		long v;
		pid_t *np;

		errno = 0;
		v = isdigit((unsigned char)*p) ? strtol(p, &end, 10) : 0; /* no spaces, signs */
		if (errno || v < 1 || v > PID_MAX_LIMIT || (*end && *end != ',') ||
		    (*end == ',' && !end[1]))
			return mt_usage_error(cmd, "bad pid list '%s': expected -p PID[,PID...]", list);
		np = realloc(t->pids, sizeof(*np) * (t->npids + 1));
		if (!np)
			return mt_usage_error(cmd, "out of memory");
		t->pids = np;
		t->pids[t->npids++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int mt_common_option(struct mt_session *s, const struct mt_args *a, int id, const char *val)
{
	unsigned long long size;

	switch (id) {
	case MT_OPT_COMMAND:
		if (!a->rest[0])
			return mt_usage_error(a->cmd, "nothing to run after '--'");
		s->target.argv = a->rest;
		return 1;
	case MT_OPT_PID:
		return mt_target_pids(&s->target, a->cmd, val) ? 2 : 1;
	case MT_OPT_ALL:
		s->target.all = true;
		return 1;
	case MT_OPT_BUFFER:
		if (mt_opt_size(a->cmd, "--buffer", val, &size))
			return 2;
		s->topts.ringbuf_bytes = size;
		return 1;
	case MT_OPT_VERBOSE:
		s->topts.verbose++;
		return 1;
	case MT_OPT_BTF:
		s->topts.btf_path = val;
		return 1;
	case MT_OPT_DURATION: {
		double secs;

		if (mt_opt_seconds(a->cmd, "--duration", val, &secs))
			return 2;
		s->duration_ns = (uint64_t)(secs * 1e9);
		return 1;
	}
	case MT_OPT_POSITIONAL:
		return mt_usage_error(a->cmd, "unexpected argument '%s' (a command to run goes after '--')",
				      val);
	}
	return 0;
}

int mt_stack_option(const char *cmd, int id, const char *val, uint32_t *mode, uint32_t *bytes)
{
	unsigned long long v;

	if (id == MT_OPT_STACKS) {
		if (!strcmp(val, "none"))
			*mode = MT_STACKS_NONE;
		else if (!strcmp(val, "fp"))
			*mode = MT_STACKS_FP;
		else if (!strcmp(val, "dwarf"))
			*mode = MT_STACKS_DWARF;
		else
			return mt_usage_error(cmd, "--stacks is none, fp or dwarf, not '%s'", val);
		return 1;
	}
	if (id != MT_OPT_STACK_SIZE)
		return 0;
	if (mt_parse_size(val, &v) || v < 512 || v > MT_STACK_MAX)
		return mt_usage_error(cmd, "--stack-size is 512 to %d bytes, not '%s'", MT_STACK_MAX, val);
	*bytes = (uint32_t)v;
	return 1;
}

int mt_command_options(struct mt_session *s, int argc, char **argv, const char *cmd,
		       const struct mt_option *table, const char *usage, mt_own_option_fn own,
		       void *ctx)
{
	struct mt_args args;
	const char *val;
	int id, rc;

	mt_args_init(&args, argc, argv, cmd);
	while ((id = mt_opt_next(&args, table, &val)) != MT_OPT_END) {
		if (id == MT_OPT_ERROR)
			return 2;
		if (id == MT_OPT_HELP) {
			fputs(usage, stdout);
			return 0;
		}
		rc = mt_common_option(s, &args, id, val);
		if (!rc)
			rc = own(ctx, id, val);
		if (rc == 2)
			return 2;
	}
	return MT_OPTS_GO;
}

int mt_target_check(const struct mt_target *t, const char *cmd)
{
	int n = (t->npids > 0) + t->all + (t->argv != NULL);

	if (n == 1)
		return 0;
	return mt_usage_error(cmd, "%s", n ? "give only one of -p PID, -a or -- COMMAND" :
				   "say what to trace: -p PID[,PID...], -a, or -- COMMAND [ARGS...]");
}
