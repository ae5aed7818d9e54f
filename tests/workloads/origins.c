// SPDX-License-Identifier: GPL-2.0
/* origins.c - regions with known creators, for explain's origin stacks:
 * a 1 MiB malloc in make_big_buffer(), a 2 MiB anonymous mmap in
 * map_direct(), two pool threads from start_pool() (stacks and an arena),
 * all alive at exit. Built like distribution binaries: -O2, no frame
 * pointers, so only DWARF unwinding names these functions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static char *volatile keep[4];

__attribute__((noinline)) static char *make_big_buffer(void)
{
	char *p = malloc(1 << 20);

	if (p)
		memset(p, 1, 4096);
	return p;
}

__attribute__((noinline)) static char *map_direct(void)
{
	char *p = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void *pool_worker(void *arg)
{
	keep[3] = malloc(100); /* a thread's first malloc creates its arena */
	return arg;
}

__attribute__((noinline)) static int start_pool(pthread_t *t, int n)
{
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, pool_worker, NULL))
			return -1;
	return 0;
}

int main(void)
{
	pthread_t t[2];

	keep[0] = make_big_buffer();
	keep[1] = map_direct();
	if (!keep[0] || !keep[1] || start_pool(t, 2)) {
		fprintf(stderr, "origins: setup failed\n");
		return 1;
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return 0;
}
