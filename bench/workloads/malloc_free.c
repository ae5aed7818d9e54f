// SPDX-License-Identifier: GPL-2.0
/* malloc_free ITERATIONS - workload (b): malloc/free above the mmap threshold.
 *
 * With M_MMAP_THRESHOLD fixed at 128 KiB (which also turns off glibc's
 * dynamic threshold), each 256 KiB malloc is an mmap and each free a munmap.
 * The pointer is `char * volatile` and one byte is touched so that gcc
 * cannot elide the malloc/free pair.
 */
#include <malloc.h>
#include "bw.h"

int main(int argc, char **argv)
{
	long iterations = arg_count(argc, argv, 1, 200000);

	if (!mallopt(M_MMAP_THRESHOLD, 128 * 1024))
		die("mallopt(M_MMAP_THRESHOLD) failed");
	for (long i = 0; i < iterations; i++) {
		char *volatile p = malloc(256 * 1024);

		if (!p)
			die("malloc: %s", strerror(errno));
		p[0] = 1;
		free(p);
	}
	return 0;
}
