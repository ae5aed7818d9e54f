// SPDX-License-Identifier: GPL-2.0
/* thread_pool.c - a running multi-threaded program for `explain -p`: three
 * threads each malloc 200 KiB (a large chunk) and 100 bytes (their arena),
 * then block until stdin closes, so every thread stack, guard page, arena
 * and chunk is there to be labelled. Prints "ready" when they all are. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_barrier_t ready;
static char *volatile keep[6];

static void *worker(void *arg)
{
	long i = (long)arg;
	char c;

	keep[2 * i] = malloc(200 * 1024);
	keep[2 * i + 1] = malloc(100);
	memset(keep[2 * i], 1, 4096);
	pthread_barrier_wait(&ready);
	while (read(0, &c, 1) > 0)
		;
	return NULL;
}

int main(void)
{
	pthread_t t[3];

	pthread_barrier_init(&ready, NULL, 4);
	for (long i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i))
			return 1;
	pthread_barrier_wait(&ready);
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}
