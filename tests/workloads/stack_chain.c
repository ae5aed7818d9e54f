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

__attribute__((noipa)) static void stk_touch(void)
{
	sink++;
}

/* noipa: no clones (stk_inner.constprop.0) nor inlining, so the names are
 * exact. The call first makes stk_inner no leaf: with frame pointers, its
 * frame is set up before the syscall (gcc omits it in leaf functions). */
__attribute__((noipa)) static long stk_inner(long len)
{
	long ret;

	stk_touch();
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
	sink = ret;   /* after the call: no tail call, every frame stays */
	return ret;
}

__attribute__((noipa)) static long stk_middle(long len)
{
	long r = stk_inner(len);

	sink += 1;
	return r;
}

/* stk_middle's twin: the same frame, so the syscall sees the same rsp and
 * registers; only the return address on the stack tells them apart (the
 * unwinder's cache must see that) */
__attribute__((noipa)) static long stk_twin(long len)
{
	long r = stk_inner(len);

	sink += 1;
	return r;
}

__attribute__((noipa)) static long stk_outer(long len, long i)
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
