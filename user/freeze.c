/* freeze.c - stop and resume thread groups for verify's checkpoints.
 *
 * kill(SIGSTOP) starts a group stop; each thread stops when it next returns
 * to user space (kernel/signal.c do_signal_stop), so we poll every thread's
 * state in /proc/<pid>/task/<tid>/stat until all show 't' or 'T'. A thread in
 * an uninterruptible sleep stops when it wakes. */
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

#include "maptrace/freeze.h"

#define FREEZE_TIMEOUT_MS 5000

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

/* true when every thread is stopped, dead or a zombie */
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
		if (st && st != 't' && st != 'T' && st != 'Z' && st != 'X') {
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
	struct timespec pause = { 0, 200000 };
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
		if (waited++ > FREEZE_TIMEOUT_MS * 5)
			break; /* compare anyway; a moving target shows up as divergence */
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
