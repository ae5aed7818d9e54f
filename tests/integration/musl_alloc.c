// SPDX-License-Identifier: GPL-2.0
/* musl_alloc - a program for explain to read when built with musl-gcc:
 * small and large malloc blocks and a second thread; prints "ready" and
 * waits for its standard input to close. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *worker(void *arg)
{
	char *p = malloc(300 << 10); /* a large block, from the thread */

	memset(p, 1, 300 << 10);
	return p;
}

int main(void)
{
	char *big = malloc(1 << 20), c;
	pthread_t t;

	memset(big, 2, 1 << 20);
	for (int i = 0; i < 100; i++)
		memset(malloc(1000), 3, 1000);
	if (pthread_create(&t, NULL, worker, NULL) || pthread_join(t, NULL))
		return 1;
	puts("ready");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
