// SPDX-License-Identifier: GPL-2.0
/* churn.c - the glibc mmap-threshold trap: malloc/free of a block above a
 * fixed M_MMAP_THRESHOLD in a loop, so every pair is an mmap and a munmap.
 * argv[1]: seconds to run (default 3). */
#include <malloc.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 3);

	/* a fixed threshold also stops glibc raising it after the first free */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	while (time(NULL) < end) {
		for (int i = 0; i < 1000; i++) {
			char *volatile p = malloc(256 * 1024); /* volatile: keep the pair */

			p[0] = 1;
			free(p);
		}
	}
	return 0;
}
