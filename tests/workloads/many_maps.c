// SPDX-License-Identifier: GPL-2.0
/* many_maps - an address space with 60,000 regions.
 *
 * Maps 60,000 one-page anonymous regions, alternately PROT_READ and
 * PROT_READ|PROT_WRITE so that the kernel cannot merge neighbours (each is a
 * VMA of its own, close to vm.max_map_count = 65530), then unmaps every
 * read-only one (half), and exits with 30,000 regions still mapped: the exit
 * check compares a dump of that size. Exactly 60,000 mmaps and 30,000
 * munmaps per run.
 */
#include "wl.h"

#define N 60000

static char *region[N];

int main(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "re");
	long max = 0;

	if (!f || fscanf(f, "%ld", &max) != 1)
		die("cannot read /proc/sys/vm/max_map_count");
	fclose(f);
	if (max < N + 200)
		die("vm.max_map_count is %ld: %d regions need at least %d", max, N, N + 200);

	for (int i = 0; i < N; i++) {
		int prot = i & 1 ? PROT_READ | PROT_WRITE : PROT_READ;

		region[i] = xanon(NULL, PG, prot, 0);
		if (i & 1)
			*(volatile char *)region[i] = 1;
	}
	for (int i = 0; i < N; i += 2)
		xmunmap(region[i], PG);
	return 0;
}
