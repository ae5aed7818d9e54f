// SPDX-License-Identifier: GPL-2.0
/* freeze.c - stop and resume thread groups for verify's checkpoints.
 *
 * kill(SIGSTOP) starts a group stop; each thread stops when it next returns
 * to user space (kernel/signal.c do_signal_stop), so we poll every thread's
 * state in /proc/<pid>/task/<tid>/stat until all show 't' or 'T'. A thread in
 * an uninterruptible sleep stops when it wakes.
 *
 * An exec races with this. A thread that execs while other threads live
 * kills them and cancels a group stop in progress (fs/exec.c de_thread ->
 * zap_other_threads() sets group_stop_count to 0), then takes the leader's
 * pid (exchange_tids). Seen from /proc meanwhile, the leader is a zombie
 * and the exec'ing thread's tid vanishes while it builds the new address
 * space. So a tid that vanishes between the listing and the read means "look
 * again", not "gone", and SIGSTOP is sent again while a group has not
 * stopped: a spare one is harmless, as SIGCONT discards pending stop
 * signals (kernel/signal.c prepare_signal). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace/freeze.h"

#define FREEZE_TIMEOUT_MS 5000
#define POLL_US 200
#define RESTOP_EVERY_MS 20

/* The state letter of a thread, 0 if it is gone. The comm field may hold
 * ')' and spaces: the state follows the last ')'. */
static char thread_state(pid_t pid, const char *tid)
{
	char path[300], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* true when every thread is stopped or a zombie, and none vanished while
 * we looked */
static bool group_stopped(pid_t pid, bool *gone)
{
	char path[64];
	struct dirent *de;
	bool all = true;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	*gone = !d;
	if (!d)
		return true;
	while ((de = readdir(d))) {
		char st;

		if (de->d_name[0] == '.')
			continue;
		st = thread_state(pid, de->d_name);
		if (st != 't' && st != 'T' && st != 'Z' && st != 'X') {
			all = false;
			break;
		}
	}
	closedir(d);
	return all;
}

int mt_freeze(pid_t *pids, int n, void (*refused)(pid_t pid, void *arg),
	      void (*service)(void *arg), void *arg)
{
	struct timespec pause = { 0, POLL_US * 1000 };
	int kept = 0, waited = 0;

	for (int i = 0; i < n; i++) {
		if (pids[i] == 1 || kill(pids[i], SIGSTOP) == 0)
			pids[kept++] = pids[i];
		else if (errno == EPERM && refused)
			refused(pids[i], arg);
	}
	for (int i = 0; i < kept;) {
		bool gone = false;

		/* init ignores SIGSTOP (kernel/signal.c sig_task_ignored for
		 * SIGNAL_UNKILLABLE): compare it running */
		if (pids[i] == 1 || group_stopped(pids[i], &gone)) {
			if (gone) {
				pids[i] = pids[--kept];
				continue;
			}
			i++;
			continue;
		}
		if (waited++ > FREEZE_TIMEOUT_MS * 1000 / POLL_US)
			break; /* compare anyway; a moving target shows up as divergence */
		if (waited % (RESTOP_EVERY_MS * 1000 / POLL_US) == 0)
			kill(pids[i], SIGSTOP); /* an exec may have cancelled the stop */
		if (service)
			service(arg);
		nanosleep(&pause, NULL);
	}
	return kept;
}

void mt_thaw(const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] != 1)
			kill(pids[i], SIGCONT);
}
