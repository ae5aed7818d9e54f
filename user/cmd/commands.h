/* SPDX-License-Identifier: GPL-2.0 */
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
int cmd_serve(int argc, char **argv);
int cmd_features(int argc, char **argv);

#endif /* MAPTRACE_COMMANDS_H */
