// SPDX-License-Identifier: GPL-2.0
/* brk_loop ITERATIONS - workload (c): grow the heap by 64 KiB, touch the new
 * top page, shrink it back: 2 brk calls and one page fault per iteration.
 * No malloc in the loop, so glibc never moves the break behind our back.
 */
#include "bw.h"

#define STEP (64 * 1024UL)

int main(int argc, char **argv)
{
	long iterations = arg_count(argc, argv, 1, 200000);
	unsigned long base = (unsigned long)syscall(SYS_brk, 0);

	for (long i = 0; i < iterations; i++) {
		if ((unsigned long)syscall(SYS_brk, base + STEP) != base + STEP)
			die("brk grow to %#lx failed", base + STEP);
		*(volatile char *)(base + STEP - 1) = 1;
		if ((unsigned long)syscall(SYS_brk, base) != base)
			die("brk shrink to %#lx failed", base);
	}
	return 0;
}
