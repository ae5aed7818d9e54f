// SPDX-License-Identifier: GPL-2.0
/* getppid_loop ITERATIONS - a syscall-heavy workload that maps nothing: it
 * measures what the always-attached raw sys_enter/sys_exit programs cost a
 * process that is not traced (they run for every syscall on the machine).
 */
#include "bw.h"

int main(int argc, char **argv)
{
	long iterations = arg_count(argc, argv, 1, 2000000);

	for (long i = 0; i < iterations; i++)
		syscall(SYS_getppid);
	return 0;
}
