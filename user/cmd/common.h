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

/* The common options' help, for a command's usage text (after its own). */
#define MT_COMMON_USAGE                                                                     \
	"  -b, --buffer SIZE     ring buffer size (default: scaled to memory, at most 64M)\n" \
	"  -d, --duration S      stop after S seconds\n"                                       \
	"  -v, --verbose         libbpf messages (twice: verifier debug output)\n"              \
	"      --btf FILE        CO-RE relocations from FILE (default: the kernel's BTF)\n"     \
	"  -h, --help            this text\n"

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

/* A command's own option (id, val) applied to ctx: 0, or 2 after saying
 * what is wrong. */
typedef int (*mt_own_option_fn)(void *ctx, int id, const char *val);

/* Read a tracing command's words with table: the common options into s,
 * its own through own(ctx, ...), --help answered with usage. Returns
 * MT_OPTS_GO to go on, 0 after --help (exit status 0), 2 when refused. */
#define MT_OPTS_GO (-1)
int mt_command_options(struct mt_session *s, int argc, char **argv, const char *cmd,
		       const struct mt_option *table, const char *usage, mt_own_option_fn own,
		       void *ctx);

/* Exactly one TARGET was given: 0, or 2 after saying what to give. */
int mt_target_check(const struct mt_target *t, const char *cmd);

#endif /* MAPTRACE_COMMON_H */
