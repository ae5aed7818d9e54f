// SPDX-License-Identifier: GPL-2.0
/* threads3.c - the workload recorded as threads3.* (see capture.sh).
 *
 * Three threads each malloc 200 KiB (above glibc's 128 KiB mmap
 * threshold: its own anonymous mapping) and 100 bytes (which needs the
 * thread's own malloc arena), touch both, and sleep; the main thread
 * waits for them. Prints "ready" once every thread has allocated.
 *
 *   cc -O2 -pthread -o threads3 threads3.c
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_barrier_t ready;

static void *worker(void *arg)
{
	char *big = malloc(200 * 1024), *small = malloc(100);

	(void)arg;
	if (!big || !small)
		abort();
	memset(big, 1, 200 * 1024);
	memset(small, 1, 100);
	pthread_barrier_wait(&ready);
	sleep(3600);
	free(small);
	free(big);
	return NULL;
}

int main(void)
{
	pthread_t t[3];

	pthread_barrier_init(&ready, NULL, 4);
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			return 1;
	pthread_barrier_wait(&ready);
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}
