// SPDX-License-Identifier: GPL-2.0
/* hold_maps - a running process with tens of thousands of mappings, for
 * explain -p and its HTML report at that scale.
 *
 *   hold_maps [N]    N one-page regions (default 65,000)
 *
 * Maps N one-page anonymous regions, alternately PROT_READ and
 * PROT_READ|PROT_WRITE so that no two merge (each is a vma of its own;
 * vm.max_map_count must leave room: 65,530 by default), writes to the
 * writable ones, prints "ready" and holds them until stdin has a byte or
 * ends. */
#include "wl.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 65000;
	char c;

	for (long i = 0; i < n; i++) {
		int prot = i & 1 ? PROT_READ | PROT_WRITE : PROT_READ;
		char *p = xanon(NULL, PG, prot, 0);

		if (i & 1)
			*(volatile char *)p = 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}
