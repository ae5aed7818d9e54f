/* SPDX-License-Identifier: GPL-2.0 */
/* options.h - one command-line parser for every command: a table of
 * options per command, the spellings every command accepts alike (-o FILE,
 * -oFILE, --output FILE, --output=FILE), and one way to say what is wrong
 * (maptrace CMD: WHAT (see: maptrace CMD --help), exit status 2).
 * User-only. */
#ifndef MAPTRACE_OPTIONS_H
#define MAPTRACE_OPTIONS_H

#include <stdbool.h>

/* One option of a command. */
struct mt_option {
	const char *name;  /* long name without "--" ("output") */
	char short_name;   /* 'o', or 0 for none */
	bool has_value;    /* takes a value (the next word, or after '=') */
	int id;            /* what mt_opt_next() returns for it (> 0) */
};

/* Returned by mt_opt_next() besides an option's id. */
enum {
	MT_OPT_END = 0,         /* no more words */
	MT_OPT_ERROR = -1,      /* a bad word: said, exit status 2 */
	MT_OPT_POSITIONAL = -2, /* a word that is no option: *val */
	MT_OPT_COMMAND = -3,    /* "--": the words after it are a command (*rest) */
};

/* The words of one command line being read. */
struct mt_args {
	int argc;
	char **argv;
	int i;             /* the next word */
	const char *cmd;   /* the command's name, for messages */
	char **rest;       /* after MT_OPT_COMMAND: the command's words */
};

void mt_args_init(struct mt_args *a, int argc, char **argv, const char *cmd);

/* The next option of table (terminated by an entry with id 0), its value
 * in *val. */
int mt_opt_next(struct mt_args *a, const struct mt_option *table, const char **val);

/* Print "maptrace CMD: WHAT (see: maptrace CMD --help)" and return 2. */
int mt_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Values, each refused with mt_usage_error() naming the option (returns 0
 * or 2): a whole number in [min, max], a number of seconds (fractions
 * allowed) above 0 and at most 10^9, a size (4096, 64K, 16M, 1G). */
int mt_opt_uint(const char *cmd, const char *opt, const char *val, unsigned long long min,
		unsigned long long max, unsigned long long *out);
int mt_opt_seconds(const char *cmd, const char *opt, const char *val, double *out);
int mt_opt_size(const char *cmd, const char *opt, const char *val, unsigned long long *out);

#endif /* MAPTRACE_OPTIONS_H */
