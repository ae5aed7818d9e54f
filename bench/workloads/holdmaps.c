// SPDX-License-Identifier: GPL-2.0
/* holdmaps N - a process with N more mappings than its own (N one-page
 * vmas of alternating protection, see bw.h), for the snapshot benchmarks.
 * Writes "ready\n" on stdout once they exist, then waits to be killed.
 */
#include <signal.h>
#include "bw.h"

int main(int argc, char **argv)
{
	long n = arg_count(argc, argv, 1, 100);

	map_alternating(n);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
