// SPDX-License-Identifier: GPL-2.0
/* libmapper.c - a shared library that maps memory of its own, loaded with
 * dlopen() by jit_dlopen; after dlclose() its region stays, and explain must
 * still name mapper_alloc as its creator (symbolized while it was mapped). */
#include <stddef.h>
#include <sys/mman.h>

void *mapper_alloc(size_t len);

__attribute__((noinline)) void *mapper_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}
