// SPDX-License-Identifier: GPL-2.0
/* killed_child - a fork child that maps, then waits to be killed by SIGKILL.
 *
 * Its address space ends with no exit_group() and no exit stop under ptrace
 * (ptrace_stop() does not stop a task with SIGKILL pending, since 5.19):
 * only an in-kernel dump in the exit path sees it whole. The child tells
 * the parent it is ready through a pipe, so the kill always lands while it
 * sleeps in read(), never halfway through a call: one mmap, one mprotect,
 * the same every run.
 */
#include <signal.h>

#include "wl.h"

int main(void)
{
	int ready[2], hold[2];
	char c = 0;
	pid_t pid;

	if (pipe(ready) || pipe(hold))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		char *p = xanon(NULL, 4 * PG, PROT_READ | PROT_WRITE, 0);

		touch(p, 4 * PG);
		xmprotect(p, PG, PROT_READ);
		if (write(ready[1], &c, 1) != 1)
			_exit(3);
		(void)!read(hold[0], &c, 1); /* until killed */
		_exit(4);
	}
	if (read(ready[0], &c, 1) != 1)
		die("the child did not get ready");
	if (kill(pid, SIGKILL))
		die("kill: %s", strerror(errno));
	{
		int st;

		if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
			die("the child did not end by SIGKILL");
	}
	return 0;
}
