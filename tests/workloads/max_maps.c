// SPDX-License-Identifier: GPL-2.0
/* max_maps - a process at vm.max_map_count.
 *
 * Maps one-page anonymous regions, alternately read-only and read-write so
 * that none can merge, until mmap fails with ENOMEM at the limit. Then, at
 * the limit: two more mmaps, an mprotect and a munmap that would each split
 * a region must fail with ENOMEM too (a split needs one more vma); an
 * mprotect of a whole region and a munmap of one succeed. Prints
 * "regions R, failed: mmap M, mprotect P, munmap U" (the failed calls), so
 * that a test can compare them with the failures a tracer reports.
 */
#include "wl.h"

#define MAX_REGIONS (1 << 20)

int main(void)
{
	static char *region[MAX_REGIONS];
	long n = 0, fail_mmap = 0, fail_mprotect = 0, fail_munmap = 0;
	char *big;

	/* a three-page region to split later: middle page read-only */
	big = xanon(NULL, 3 * PG, PROT_READ | PROT_WRITE, 0);
	for (;;) {
		void *p = raw_mmap(NULL, PG, n & 1 ? PROT_READ | PROT_WRITE : PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			if (errno != ENOMEM)
				die("mmap: %s, expected ENOMEM at the limit", strerror(errno));
			fail_mmap++;
			break;
		}
		if (n == MAX_REGIONS)
			die("no limit after %d regions", MAX_REGIONS);
		region[n++] = p;
	}
	for (int i = 0; i < 2; i++, fail_mmap++)
		expect_err("mmap at the limit", raw_mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
							 -1, 0), ENOMEM);
	expect_err("mprotect splitting at the limit", raw_mprotect(big + PG, PG, PROT_READ), ENOMEM);
	fail_mprotect++;
	expect_err("munmap splitting at the limit", raw_munmap(big + PG, PG), ENOMEM);
	fail_munmap++;
	/* whole regions: no split, so they work at the limit */
	xmprotect(region[0], PG, PROT_NONE);
	xmunmap(region[1], PG);
	printf("regions %ld, failed: mmap %ld, mprotect %ld, munmap %ld\n", n + 1, fail_mmap,
	       fail_mprotect, fail_munmap);
	return 0;
}
