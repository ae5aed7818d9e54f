/* commands.h - the maptrace subcommands: each takes the arguments after its
 * name and returns the process exit status (0 ok, 1 failure/finding, 2 usage). */
#ifndef MAPTRACE_COMMANDS_H
#define MAPTRACE_COMMANDS_H

#include <stddef.h>

int cmd_explain(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_features(int argc, char **argv);

/* Parse a size like 64M, 1G, 4096; returns 0 or -1. */
int mt_parse_size(const char *s, unsigned long long *out);

/* "--opt=value": copy "--opt" into name (cap bytes) and return the value;
 * NULL when arg has no '=' after "--" or its name does not fit. */
const char *mt_split_option(const char *arg, char *name, size_t cap);

#endif /* MAPTRACE_COMMANDS_H */
