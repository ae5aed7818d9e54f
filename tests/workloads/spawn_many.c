// SPDX-License-Identifier: GPL-2.0
/* spawn_many - many short-lived processes, for leak checks of the tracer.
 *
 *   spawn_many [N [CONCURRENT [NAMES]]]   (default 10000 processes, 16 at a time)
 *
 * Forks N children, at most CONCURRENT alive at once. Each maps two pages,
 * makes one read-only (a split), unmaps one and exits; every 50th execs
 * /bin/true instead (a new address space through exec). Every child is
 * reaped, so when this program ends none of them exists: a tracer must end
 * holding no state for any of them. With NAMES, child i names itself
 * "wNAMES-i" first (prctl PR_SET_NAME), "w7-123": a new command name for
 * every child (an exporter's series must stay bounded). Prints
 * "spawned N".
 */
#include <sys/prctl.h>

#include "wl.h"

static void child(long i, const char *names)
{
	char *p, name[64];

	if (names) {   /* (the kernel keeps 15 bytes of it) */
		snprintf(name, sizeof(name), "w%s-%ld", names, i);
		prctl(PR_SET_NAME, name);
	}
	if (i % 50 == 0) {
		execl("/bin/true", "true", (char *)NULL);
		die("execl /bin/true: %s", strerror(errno));
	}
	p = xanon(NULL, 2 * PG, PROT_READ | PROT_WRITE, 0);
	touch(p, 2 * PG);
	xmprotect(p, PG, PROT_READ);
	xmunmap(p + PG, PG);
	_exit(0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000, conc = argc > 2 ? atol(argv[2]) : 16;
	const char *names = argc > 3 ? argv[3] : NULL;
	long started = 0, alive = 0;

	if (n < 1 || conc < 1)
		die("usage: spawn_many [N [CONCURRENT [NAMES]]]");
	while (started < n || alive) {
		if (started < n && alive < conc) {
			pid_t pid = fork();

			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (pid == 0)
				child(started, names);
			started++;
			alive++;
			continue;
		}
		reap(-1);
		alive--;
	}
	printf("spawned %ld\n", n);
	return 0;
}
