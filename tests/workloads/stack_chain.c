// SPDX-License-Identifier: GPL-2.0
/* stack_chain.c - mappings made at the end of a known call chain, for
 * `trace --stacks`: main -> stk_outer -> stk_middle (odd calls: stk_twin)
 * -> stk_inner, which
 * issues mmap(2) itself (inline syscall, 13 pages, a length nothing else
 * uses) so even frame-pointer unwinding sees every function: a libc
 * wrapper without a frame would hide its caller. Built twice: like
 * distribution binaries (no frame pointers: only DWARF names the chain) and
 * as stack_chain_fp with frame pointers. ITERATIONS (default 4) calls. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define LEN (13 * 4096L)

static volatile long sink;

/* noipa: no clones (stk_inner.constprop.0) nor inlining, so the names are
 * exact. clang has no noipa (it warns, and -Werror stops the cross build):
 * there noinline on functions of global linkage does it, clang changes the
 * signature or return value of local functions only. */
#if defined(__clang__)
#define NOIPA __attribute__((noinline))
#define LOCAL
#else
#define NOIPA __attribute__((noipa))
#define LOCAL static
#endif
/* clang: they are global only to stay exact; -Wmissing-prototypes */
LOCAL void stk_touch(void);
LOCAL long stk_inner(long len);
LOCAL long stk_middle(long len);
LOCAL long stk_twin(long len);
LOCAL long stk_outer(long len, long i);

NOIPA LOCAL void stk_touch(void)
{
	sink++;
}

/* The call first makes stk_inner no leaf: with frame pointers, its frame
 * is set up before the syscall (gcc omits it in leaf functions). */
NOIPA LOCAL long stk_inner(long len)
{
	long ret;

	stk_touch();
#if defined(__x86_64__)
	{
		/* set after the call, which may clobber them */
		register long r10 __asm__("r10") = MAP_PRIVATE | MAP_ANONYMOUS;
		register long r8 __asm__("r8") = -1;
		register long r9 __asm__("r9") = 0;

		__asm__ volatile("syscall"
				 : "=a"(ret)
				 : "0"((long)SYS_mmap), "D"(0L), "S"(len), "d"((long)(PROT_READ | PROT_WRITE)),
				   "r"(r10), "r"(r8), "r"(r9)
				 : "rcx", "r11", "memory");
	}
#elif defined(__aarch64__)
	{
		register long x8 __asm__("x8") = SYS_mmap;
		register long x0 __asm__("x0") = 0;
		register long x1 __asm__("x1") = len;
		register long x2 __asm__("x2") = PROT_READ | PROT_WRITE;
		register long x3 __asm__("x3") = MAP_PRIVATE | MAP_ANONYMOUS;
		register long x4 __asm__("x4") = -1;
		register long x5 __asm__("x5") = 0;

		__asm__ volatile("svc #0"
				 : "+r"(x0)
				 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
				 : "memory");
		ret = x0;
	}
#else
#error "stack_chain: an inline mmap system call for this architecture is missing"
#endif
	sink = ret;   /* after the call: no tail call, every frame stays */
	return ret;
}

NOIPA LOCAL long stk_middle(long len)
{
	long r = stk_inner(len);

	sink += 1;
	return r;
}

/* stk_middle's twin: the same frame, so the syscall sees the same rsp and
 * registers; only the return address on the stack tells them apart (the
 * unwinder's cache must see that) */
NOIPA LOCAL long stk_twin(long len)
{
	long r = stk_inner(len);

	sink += 1;
	return r;
}

NOIPA LOCAL long stk_outer(long len, long i)
{
	long r = i & 1 ? stk_twin(len) : stk_middle(len);

	sink += 2;
	return r;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 4;

	for (long i = 0; i < n; i++) {
		long p = stk_outer(LEN, i);

		if (p < 0 && p > -4096) {
			fprintf(stderr, "stack_chain: mmap failed\n");
			return 1;
		}
		munmap((void *)p, LEN);
	}
	return 0;
}
