// SPDX-License-Identifier: GPL-2.0
/* mangled_names.c - mappings made by functions whose symbols are mangled
 * as a C++ compiler and rustc (v0) would name them, for the demangling of
 * `trace --stacks` and `explain`: cxx_allocate is
 * "_ZN8maptrace4demo8allocateEm" (maptrace::demo::allocate(unsigned
 * long)), rust_allocate "_RNvNtCs1234_7mycrate5inner8allocate"
 * (mycrate::inner::allocate). Each maps 11 pages (a length nothing else
 * uses) and keeps them. */
#include <stdio.h>
#include <sys/mman.h>

#define LEN (11 * 4096UL)

static void *volatile last;   /* stored after the call: no tail call */

void *cxx_allocate(unsigned long len) __asm__("_ZN8maptrace4demo8allocateEm");
void *rust_allocate(unsigned long len) __asm__("_RNvNtCs1234_7mycrate5inner8allocate");

__attribute__((noinline)) void *cxx_allocate(unsigned long len)
{
	last = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return last;
}

__attribute__((noinline)) void *rust_allocate(unsigned long len)
{
	last = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return last;
}

int main(void)
{
	if (cxx_allocate(LEN) == MAP_FAILED || rust_allocate(LEN) == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	return 0;
}
