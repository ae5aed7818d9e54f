/* SPDX-License-Identifier: GPL-2.0 */
/* loadlog.h - libbpf's messages while maptrace's objects load. User-only. */
#ifndef MAPTRACE_LOADLOG_H
#define MAPTRACE_LOADLOG_H

/* Route libbpf's messages: warnings always, info with -v, debug with -vv. */
void mt_loadlog_setup(int verbose);
/* Around one object's load: keep its warnings. */
void mt_loadlog_begin(void);
void mt_loadlog_end(void);
/* After a failed load: one line naming the refused program or map of
 * object ("modern", "legacy", "no-BTF") and the kernel's reason. */
void mt_loadlog_explain(int err, const char *object);

#endif /* MAPTRACE_LOADLOG_H */
