// SPDX-License-Identifier: GPL-2.0
/* attach_loop - a target for attaching (-p): wait, then keep changing.
 *
 *   attach_loop [ITERATIONS [THREADS]]     (default 600 rounds, about 3 s; 1 thread)
 *
 * Blocks until standard input has a byte or reaches end of file (so a test
 * can attach first, then release it; with stdin at /dev/null it starts at
 * once), then each of THREADS threads runs ITERATIONS rounds 5 ms apart.
 * Each round maps a region, reprotects part of it and unmaps the region the
 * thread mapped 8 rounds earlier, so the address space keeps changing under
 * an attaching tracer (from several CPUs with THREADS > 1) while about 8
 * regions per thread stay live. The calls are fixed by the arguments.
 */
#include <pthread.h>
#include <time.h>

#include "wl.h"

#define LIVE 8
#define MAX_THREADS 16

static long iters = 600;

static void *loop(void *arg)
{
	struct { char *p; size_t len; } live[LIVE] = { { NULL, 0 } };

	for (long i = 0; i < iters; i++) {
		struct timespec ts = { 0, 5 * 1000000 };
		int slot = (int)(i % LIVE);
		size_t len = (size_t)(1 + i % 4) * PG;
		char *p;

		if (live[slot].p)
			xmunmap(live[slot].p, live[slot].len);
		p = xanon(NULL, len, PROT_READ | PROT_WRITE, 0);
		touch(p, len);
		if (len > PG)
			xmprotect(p + PG, PG, PROT_READ);
		live[slot].p = p;
		live[slot].len = len;
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return arg;
}

int main(int argc, char **argv)
{
	long nthreads = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
	pthread_t t[MAX_THREADS];
	int err;
	char c;

	if (argc > 1)
		iters = strtol(argv[1], NULL, 10);
	if (iters <= 0 || nthreads <= 0 || nthreads > MAX_THREADS)
		die("usage: attach_loop [ITERATIONS > 0 [THREADS 1..%d]]", MAX_THREADS);
	while (read(0, &c, 1) < 0)
		if (errno != EINTR)
			die("read stdin: %s", strerror(errno));

	/* threads 1..n-1 are created before any is joined: each maps its stack */
	for (long i = 1; i < nthreads; i++)
		if ((err = pthread_create(&t[i], NULL, loop, NULL)))
			die("pthread_create: %s", strerror(err));
	loop(NULL);
	for (long i = 1; i < nthreads; i++)
		if ((err = pthread_join(t[i], NULL)))
			die("pthread_join: %s", strerror(err));
	return 0;
}
