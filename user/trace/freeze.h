/* SPDX-License-Identifier: GPL-2.0 */
/* freeze.h - stop traced processes for a checkpoint and let them go again.
 * SIGSTOP stops every thread of a group at its next return to user space,
 * so no mapping call is half done while both sides are compared. User-only. */
#ifndef MAPTRACE_FREEZE_H
#define MAPTRACE_FREEZE_H

#include <sys/types.h>

/* Stop the thread groups in pids[]; wait until every thread is stopped (or
 * gone). Returns how many groups were stopped; they are listed back in pids
 * (those that vanished are dropped). refused (if any) is told of each group
 * that is alive but not ours to signal (EPERM). service (if any) runs while
 * waiting: a ptraced group stops only once its tracer passes SIGSTOP on. */
int mt_freeze(pid_t *pids, int n, void (*refused)(pid_t pid, void *arg),
	      void (*service)(void *arg), void *arg);
void mt_thaw(const pid_t *pids, int n);

#endif /* MAPTRACE_FREEZE_H */
