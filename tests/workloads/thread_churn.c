// SPDX-License-Identifier: GPL-2.0
/* thread_churn - threads exiting while others map.
 *
 *   thread_churn [WAVES]      (default 200)
 *
 * Two mapper threads loop over mmap, mprotect (a split) and munmap for the
 * whole run, while the main thread starts WAVES waves of 8 short-lived
 * threads. Each short thread maps a region, leaves it mapped (a dead thread's
 * mappings belong to the process) and exits: half with pthread_exit(),
 * half by returning, detached or joined; glibc unmaps or caches their
 * stacks (with 1 MiB stacks set here, more than its stack cache holds), so
 * stack munmaps from exiting threads interleave with the mappers' calls.
 * Exits 0 with every region the short threads left still mapped.
 */
#include <pthread.h>

#include "wl.h"

#define PER_WAVE 8
#define MAPPERS 2

static volatile int stop;

static void *mapper(void *arg)
{
	(void)arg;
	while (!stop) {
		char *p = xanon(NULL, 3 * PG, PROT_READ | PROT_WRITE, 0);

		touch(p, 3 * PG);
		xmprotect(p + PG, PG, PROT_READ);
		xmunmap(p, 3 * PG);
	}
	return NULL;
}

static void *short_lived(void *arg)
{
	long i = (long)arg;

	touch(xanon(NULL, PG, PROT_READ | PROT_WRITE, 0), PG);
	if (i & 1)
		pthread_exit(NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	long waves = argc > 1 ? atol(argv[1]) : 200;
	pthread_t m[MAPPERS], t[PER_WAVE];
	pthread_attr_t joinable, detached;
	int err;

	pthread_attr_init(&joinable);
	pthread_attr_init(&detached);
	pthread_attr_setstacksize(&joinable, 1 << 20);
	pthread_attr_setstacksize(&detached, 1 << 20);
	pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < MAPPERS; i++)
		if ((err = pthread_create(&m[i], &joinable, mapper, NULL)))
			die("pthread_create: %s", strerror(err));
	for (long w = 0; w < waves; w++) {
		for (long i = 0; i < PER_WAVE; i++)
			if ((err = pthread_create(&t[i], i < PER_WAVE / 2 ? &joinable : &detached,
						  short_lived, (void *)i)))
				die("pthread_create: %s", strerror(err));
		for (long i = 0; i < PER_WAVE / 2; i++)
			if ((err = pthread_join(t[i], NULL)))
				die("pthread_join: %s", strerror(err));
	}
	stop = 1;
	for (int i = 0; i < MAPPERS; i++)
		if ((err = pthread_join(m[i], NULL)))
			die("pthread_join: %s", strerror(err));
	return 0;
}
