// SPDX-License-Identifier: GPL-2.0
/* hold.c - a program on a malloc other than the C library's: built once
 * per allocator (make workloads: alloc_hold_jemalloc, _tcmalloc,
 * _mimalloc, linked with it). It mallocs and touches N large blocks of
 * 1 MiB (default 64), 20,000 small ones of 1000 bytes and 200 of 200,000
 * bytes, prints what the allocator itself says it holds, then waits for a
 * line or the end of stdin:
 *   "resident BYTES"   jemalloc: stats.resident (pages it maps that are
 *                      resident, metadata included); tcmalloc:
 *                      generic.heap_size less tcmalloc.pageheap_unmapped_bytes
 *   "committed BYTES"  mimalloc: what it committed (mi_process_info); it
 *                      keeps no resident figure
 * for explain's runtimes tier to compare with. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(USE_JEMALLOC)
#include <jemalloc/jemalloc.h>
static void report(void)
{
	uint64_t epoch = 1;
	size_t esz = sizeof(epoch), v = 0, vsz = sizeof(v);

	/* stats are a snapshot refreshed by writing "epoch" */
	mallctl("epoch", &epoch, &esz, &epoch, esz);
	if (mallctl("stats.resident", &v, &vsz, NULL, 0))
		exit(3);
	printf("resident %zu\n", v);
}
#elif defined(USE_TCMALLOC)
#include <gperftools/malloc_extension_c.h>
static void report(void)
{
	size_t heap = 0, unmapped = 0;

	if (!MallocExtension_GetNumericProperty("generic.heap_size", &heap) ||
	    !MallocExtension_GetNumericProperty("tcmalloc.pageheap_unmapped_bytes", &unmapped))
		exit(3);
	printf("resident %zu\n", heap - unmapped);
}
#elif defined(USE_MIMALLOC)
#include <mimalloc.h>
static void report(void)
{
	size_t elapsed, user, sys, rss, peak_rss, commit, peak_commit, faults;

	mi_process_info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
	printf("committed %zu\n", commit);
}
#else
#error "build with -DUSE_JEMALLOC, -DUSE_TCMALLOC or -DUSE_MIMALLOC"
#endif

static void *keep(size_t n)
{
	void *p = malloc(n);

	if (!p)
		exit(2);
	memset(p, 1, n);
	return p;
}

int main(int argc, char **argv)
{
	int big = argc > 1 ? atoi(argv[1]) : 64;

	for (int i = 0; i < big; i++)
		keep(1 << 20);
	for (int i = 0; i < 20000; i++)
		keep(1000);
	for (int i = 0; i < 200; i++)
		keep(200000);
	report();
	fflush(stdout);
	getchar();
	return 0;
}
