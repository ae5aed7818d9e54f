/* SPDX-License-Identifier: GPL-2.0 */
/* common.h - the options every tracing command takes alike: TARGET
 * (-p PID[,PID...], -a, -- COMMAND), -b/--buffer SIZE, -v/--verbose,
 * --btf FILE, -d/--duration S and -h/--help. User-only. */
#ifndef MAPTRACE_COMMON_H
#define MAPTRACE_COMMON_H

#include <stdint.h>

#include "cmd/options.h"
#include "trace/session.h"

/* ids of the common options: a command's own take ids below this */
enum {
	MT_OPT_PID = 1000,
	MT_OPT_ALL,
	MT_OPT_BUFFER,
	MT_OPT_VERBOSE,
	MT_OPT_BTF,
	MT_OPT_HELP,
	MT_OPT_STACKS,
	MT_OPT_STACK_SIZE,
	MT_OPT_DURATION,
};

/* The common options, for a command's table: end the table with
 * MT_COMMON_OPTIONS, { 0 } */
#define MT_COMMON_OPTIONS                                   \
	{ "pid", 'p', true, MT_OPT_PID },                   \
	{ "all", 'a', false, MT_OPT_ALL },                  \
	{ "buffer", 'b', true, MT_OPT_BUFFER },             \
	{ "verbose", 'v', false, MT_OPT_VERBOSE },          \
	{ "btf", 0, true, MT_OPT_BTF },                     \
	{ "duration", 'd', true, MT_OPT_DURATION },         \
	{ "help", 'h', false, MT_OPT_HELP }

/* Apply what mt_opt_next() returned (id, val) if it is a common option or
 * "--": 1 when done so, 0 when it is the command's own, 2 after printing
 * what is wrong with it (exit status 2). -h is the command's to answer. */
int mt_common_option(struct mt_session *s, const struct mt_args *a, int id, const char *val);

/* The stack options of the commands that take stack samples */
#define MT_STACK_OPTIONS                                    \
	{ "stacks", 0, true, MT_OPT_STACKS },               \
	{ "stack-size", 0, true, MT_OPT_STACK_SIZE }

/* --stacks MODE (none, fp, dwarf) into *mode, --stack-size BYTES into
 * *bytes: 1 when id is one of them, 0 when not, 2 after saying what is
 * wrong. */
int mt_stack_option(const char *cmd, int id, const char *val, uint32_t *mode, uint32_t *bytes);

/* A comma-separated pid list (1 to 4194304, PID_MAX_LIMIT) into t: 0, or
 * 2 after saying what is wrong. */
int mt_target_pids(struct mt_target *t, const char *cmd, const char *list);

/* Exactly one TARGET was given: 0, or 2 after saying what to give. */
int mt_target_check(const struct mt_target *t, const char *cmd);

#endif /* MAPTRACE_COMMON_H */
