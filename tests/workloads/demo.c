// SPDX-License-Identifier: GPL-2.0
/* demo - a short, typical program for the README's demo.
 *
 * Maps its own executable read-only (a file mapping), allocates 1 MiB with
 * malloc (above the mmap threshold: an anonymous mmap), starts two threads
 * (each gets a stack: a PROT_NONE mmap, then an mprotect that makes all but
 * its guard page read-write), turns one page of the buffer into a guard
 * page (mprotect), grows a table with mremap, frees everything and exits.
 * Threads do not allocate, so the calls are the same on every run.
 */
#include <pthread.h>
#include <sys/stat.h>

#include "wl.h"

static void *work(void *arg)
{
	unsigned long *sum = arg;

	for (unsigned long i = 0; i < 100000; i++)
		*sum += i;
	return NULL;
}

int main(void)
{
	unsigned long sums[2] = { 0, 0 };
	pthread_t t[2];
	struct stat st;
	char *exe, *buf, *guard, *table;
	int fd, err;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		die("/proc/self/exe: %s", strerror(errno));
	exe = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (exe == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	close(fd);
	if (memcmp(exe, "\177ELF", 4))
		die("the executable does not start with ELF");

	buf = malloc(1 << 20);
	if (!buf)
		die("malloc: %s", strerror(errno));
	memset(buf, 0x5a, 1 << 20);

	for (int i = 0; i < 2; i++)
		if ((err = pthread_create(&t[i], NULL, work, &sums[i])))
			die("pthread_create: %s", strerror(err));
	for (int i = 0; i < 2; i++)
		if ((err = pthread_join(t[i], NULL)))
			die("pthread_join: %s", strerror(err));

	guard = (char *)(((uintptr_t)buf + 8 * PG) & ~(PG - 1));
	if (mprotect(guard, PG, PROT_NONE))
		die("mprotect: %s", strerror(errno));

	table = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (table == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(table, 1, 4 * PG);
	table = mremap(table, 4 * PG, 16 * PG, MREMAP_MAYMOVE);
	if (table == MAP_FAILED)
		die("mremap: %s", strerror(errno));
	memset(table + 4 * PG, 2, 12 * PG);

	if (mprotect(guard, PG, PROT_READ | PROT_WRITE))
		die("mprotect: %s", strerror(errno));
	free(buf);
	if (munmap(table, 16 * PG) || munmap(exe, (size_t)st.st_size))
		die("munmap: %s", strerror(errno));
	return sums[0] == sums[1] ? 0 : 1;
}
