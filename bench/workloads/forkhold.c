// SPDX-License-Identifier: GPL-2.0
/* forkhold PROCS MAPS - PROCS child processes that each hold MAPS mappings
 * (one-page vmas of alternating protection, see bw.h), for the tracer memory
 * benchmark. Prints "ready\n" on stdout once every child has its mappings,
 * then waits; SIGTERM ends the children and then the parent.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "bw.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	long procs = arg_count(argc, argv, 1, 1000);
	long maps = arg_count(argc, argv, 2, 1000);
	pid_t *pids = calloc((size_t)procs, sizeof(*pids));
	int ready[2];
	char c;

	if (!pids || pipe(ready))
		die("setup: %s", strerror(errno));
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (long i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			int err = errno;

			for (long j = 0; j < i; j++)
				kill(pids[j], SIGKILL);
			die("fork %ld of %ld: %s (check ulimit -u)", i + 1, procs, strerror(err));
		}
		if (pids[i] == 0) {
			/* the children die with the parent, whatever kills it */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			close(ready[0]);
			map_alternating(maps);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	close(ready[1]);
	for (long i = 0; i < procs; i++)
		if (read(ready[0], &c, 1) != 1)
			die("a child died before it was ready");
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	for (long i = 0; i < procs; i++)
		kill(pids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	return 0;
}
