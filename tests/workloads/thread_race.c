// SPDX-License-Identifier: GPL-2.0
/* thread_race - threads of one process racing on the same address space.
 *
 * 4 threads start together (barrier) and each runs 5000 iterations of: mmap
 * 1-4 anonymous pages, touch them, sometimes mprotect part of them (a split)
 * or unmap the first page on its own, then munmap. An address one thread
 * frees is at once handed to another thread's mmap, so the events of
 * different CPUs reach the ring buffer in either order: the shadow is right
 * only if maptrace applies them in the order the kernel did.
 *
 * The calls each thread makes depend only on its index and iteration (a
 * fixed LCG), never on timing: the per-kind counts are the same every run.
 * Threads never call malloc (its arena creation would add timing-dependent
 * calls) and never print unless they fail.
 */
#include <pthread.h>

#include "wl.h"

#define NTHREADS 4
#define ITERS    5000

static pthread_barrier_t start;

static void *worker(void *arg)
{
	uint32_t x = 0x9e3779b9u * ((uint32_t)(uintptr_t)arg + 1);

	pthread_barrier_wait(&start);
	for (int i = 0; i < ITERS; i++) {
		size_t pages;
		char *p;

		x = x * 1664525u + 1013904223u;
		pages = 1 + (x >> 16) % 4;
		p = xanon(NULL, pages * PG, PROT_READ | PROT_WRITE, 0);
		touch(p, pages * PG);
		if (i % 8 == 0)
			xmprotect(p, PG, PROT_READ);                  /* split off the first page */
		else if (i % 8 == 4 && pages > 2)
			xmprotect(p + PG, PG, PROT_NONE);             /* split in three */
		if (i % 5 == 0 && pages > 1) {
			xmunmap(p, PG);                               /* the first page alone */
			xmunmap(p + PG, (pages - 1) * PG);
		} else {
			xmunmap(p, pages * PG);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];
	int err;

	if ((err = pthread_barrier_init(&start, NULL, NTHREADS)))
		die("pthread_barrier_init: %s", strerror(err));
	/* all created before any is joined: no stack is reused from glibc's
	 * cache, so each pthread_create maps its stack the same way */
	for (int i = 0; i < NTHREADS; i++)
		if ((err = pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i)))
			die("pthread_create: %s", strerror(err));
	for (int i = 0; i < NTHREADS; i++)
		if ((err = pthread_join(t[i], NULL)))
			die("pthread_join: %s", strerror(err));
	return 0;
}
