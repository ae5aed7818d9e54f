// SPDX-License-Identifier: GPL-2.0
/* heap_brk - the program break: brk(2) directly, sbrk(3), and malloc's heap.
 *
 * Exercises, before anything else has used the heap: brk(0); raw brk growth,
 * shrink and regrowth (syscall(SYS_brk), so glibc adds no call); a brk
 * request below the start of the heap, which the kernel refuses by
 * returning the current break (brk never fails with an errno); a brk back to
 * where the heap started (empty heap). Then glibc's sbrk growing and
 * shrinking, and malloc: many small blocks grow the heap with brk, a large
 * one is an mmap, free() and malloc_trim(0) give memory back (brk shrink).
 * The sequence of calls is fixed, so the counts are the same every run.
 */
#include <malloc.h>

#include "wl.h"

static char *raw_brk(void *want)
{
	return (char *)syscall(SYS_brk, want);
}

int main(void)
{
	char *b0 = raw_brk(NULL), *b, *s0;
	void *small[200], *big;

	if (b0 != raw_brk(NULL))
		die("brk(0) is not stable");
	b = raw_brk(b0 + 64 * PG);
	if (b != b0 + 64 * PG)
		die("brk grow to %p returned %p", (void *)(b0 + 64 * PG), (void *)b);
	touch(b0, 64 * PG);
	b = raw_brk(b0 + 16 * PG);
	if (b != b0 + 16 * PG)
		die("brk shrink to %p returned %p", (void *)(b0 + 16 * PG), (void *)b);
	b = raw_brk(b0 + 40 * PG + 100);             /* not page aligned */
	if (b != b0 + 40 * PG + 100)
		die("brk regrow returned %p", (void *)b);
	touch(b0, 40 * PG);
	b = raw_brk(b0 - (1ul << 30));               /* below start_brk: refused */
	if (b != b0 + 40 * PG + 100)
		die("brk below the heap start returned %p, not the current break", (void *)b);
	b = raw_brk(b0);                             /* empty heap again: glibc's view */
	if (b != b0)
		die("brk back to the start returned %p", (void *)b);

	s0 = sbrk(0);
	if (s0 == (void *)-1 || sbrk(32 * PG) == (void *)-1)
		die("sbrk grow: %s", strerror(errno));
	touch(s0, 32 * PG);
	if (sbrk(-16 * (intptr_t)PG) == (void *)-1 || sbrk(-16 * (intptr_t)PG) == (void *)-1)
		die("sbrk shrink: %s", strerror(errno));
	if (sbrk(0) != s0)
		die("sbrk did not come back to %p", (void *)s0);

	/* below the mmap threshold: from the brk heap */
	for (int i = 0; i < 200; i++) {
		small[i] = malloc(1000);
		if (!small[i])
			die("malloc: %s", strerror(errno));
		memset(small[i], i, 1000);
	}
	big = malloc(1 << 20);                       /* above it: an mmap */
	if (!big)
		die("malloc: %s", strerror(errno));
	memset(big, 1, 1 << 20);
	free(big);
	for (int i = 0; i < 200; i++)
		free(small[i]);
	malloc_trim(0);
	return 0;
}
