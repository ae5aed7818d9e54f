// SPDX-License-Identifier: GPL-2.0
/* mmap_loop ITERATIONS [THREADS] - workloads (a) and (d).
 *
 * Each thread, ITERATIONS times: mmap 4 anonymous read-write pages, touch
 * one, mprotect them read-only, munmap them: 3 mapping calls and one page
 * fault per iteration. THREADS (default 1) threads run the loop at once in
 * one address space, so their calls contend for its mmap lock.
 */
#include <pthread.h>
#include "bw.h"

#define LEN (4 * PG)

static long iterations;

static void *loop(void *arg)
{
	for (long i = 0; i < iterations; i++) {
		char *p = raw_mmap(LEN, PROT_READ | PROT_WRITE);

		*(volatile char *)p = 1;
		raw_mprotect(p, LEN, PROT_READ);
		raw_munmap(p, LEN);
	}
	return arg;
}

int main(int argc, char **argv)
{
	long nthreads;
	pthread_t tid[64];

	iterations = arg_count(argc, argv, 1, 200000);
	nthreads = arg_count(argc, argv, 2, 1);
	if (nthreads > 64)
		die("at most 64 threads");
	for (long t = 1; t < nthreads; t++) {
		int err = pthread_create(&tid[t], NULL, loop, NULL);

		if (err)
			die("pthread_create: %s", strerror(err));
	}
	loop(NULL);
	for (long t = 1; t < nthreads; t++)
		pthread_join(tid[t], NULL);
	return 0;
}
