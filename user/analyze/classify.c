// SPDX-License-Identifier: GPL-2.0
/* classify.c - say what each region is, from /proc facts alone (see analyze/classify.h).
 *
 * Design: mt_classify() labels regions in passes, each using what earlier
 * passes decided; a region keeps the first label it gets.
 *   1. names: [heap], [stack], [vdso], [anon:X], memfd, SysV shm,
 *      /dev/zero (deleted), ring buffers, devices; file mappings are matched
 *      to the PT_LOAD segment whose file range covers their offset (text,
 *      rodata/RELRO, data), or guessed from perms when the ELF file could
 *      not be read.
 *   2. bss: the anonymous rw region that starts where a data segment's file
 *      part ends and lies within its p_memsz (ld.so and the kernel map the
 *      zero-fill tail anonymously).
 *   3. glibc arenas: new_heap() (malloc/arena.c) maps 2*HEAP_MAX_SIZE
 *      PROT_NONE, keeps the HEAP_MAX_SIZE-aligned half and mprotects its
 *      start read-write as it grows. HEAP_MAX_SIZE is
 *      2*DEFAULT_MMAP_THRESHOLD_MAX = 64 MiB on 64-bit. So: a rw region at
 *      a 64 MiB boundary followed by PROT_NONE up to the next boundary.
 *      3b. a Go program's heap arenas, at the runtime's fixed addresses.
 *   4. thread stacks from stack pointers: the region holding a thread's sp
 *      is its stack, the PROT_NONE region right below it the guard
 *      (allocate_stack() in nptl/allocatestack.c puts the guard at the low
 *      end). The main thread's stack is [stack].
 *   5. stacks of threads whose sp is unknown, by shape: rw over a PROT_NONE
 *      guard, sized like glibc's default stack (RLIMIT_STACK, else 8 MiB),
 *      or marked VM_NOHUGEPAGE ("nh"), which MAP_STACK sets since Linux 6.7.
 *      5b. a V8 process's heap pages and code range, by where V8 maps them.
 *   6. what is left: executable anonymous memory is JIT code, PROT_NONE is
 *      a reservation, rw of at least malloc's 128 KiB mmap threshold is
 *      likely a large malloc chunk, anything else is "origin unknown". A
 *      process that maps another malloc (jemalloc, tcmalloc, mimalloc)
 *      makes no glibc arenas, and its rw anonymous memory of 64 KiB or
 *      more is that malloc's (tcmalloc's [heap] too). A Go program's
 *      anonymous memory outside its arenas is its runtime's metadata.
 *   7. claims (classify_claims.c): what a runtime publishes about its
 *      ranges, and what creating stacks say, relabel the regions no name
 *      or ELF file decided.
 * Each answer says how it was decided (enum mt_evidence): the passes that
 * go by shape alone (arenas, stacks without a stack pointer, large malloc
 * chunks, JIT code) are heuristics.
 *
 * The kinds' names and sentences are kinds.c's; what /proc says comes from
 * proc/procinfo.c and the ELF files' segments from proc/elfsegs.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/classify.h"
#include "analyze/classify_ctx.h"
#include "analyze/runtimes.h"
#include "base/units.h"
#include "maptrace/events.h"

/* ---- classification --------------------------------------------------- */

/* "/SYSV0000abcd": the key in hex */
static bool sysv_key(const char *name, uint32_t *key)
{
	char *end;

	if (strncmp(name, "/SYSV", 5) || strlen(name) != 13)
		return false;
	for (int i = 5; i < 13; i++)
		if (!strchr("0123456789abcdefABCDEF", name[i]))
			return false;
	*key = (uint32_t)strtoul(name + 5, &end, 16);
	return true;
}

/* Pass 1: everything a name decides. */
/* Names in brackets: the kernel's special mappings and named anonymous
 * memory (fs/proc/task_mmu.c show_map_vma()). */
static void bracketed_name(struct ctx *x, const struct mt_region *r, struct mt_class *c,
			   const char *name, size_t len)
{
	char nb[NAME_CLIP + 4];

	if (!strcmp(name, "[heap]") && x->f->allocator == MT_ALLOCATOR_TCMALLOC) {
		/* TCMalloc_SystemAlloc() tries sbrk before mmap (gperftools
		 * system-alloc.cc, SbrkSysAllocator first) */
		attest(c, MT_KIND_TCMALLOC);
		setd(c, "brk heap: tcmalloc's page heap (tcmalloc, which this process maps, grows it "
		     "with sbrk before it uses mmap)");
	} else if (!strcmp(name, "[heap]")) {
		set(c, MT_KIND_HEAP);
		if (!mt_libc_glibc_terms(x->f->libc))
			setd(c, "brk heap: %s malloc (small allocations)", mt_libc_malloc_owner(x->f->libc));
		else
			setd(c, "brk heap: malloc's main arena (the main thread's small allocations)");
	} else if (!strcmp(name, "[stack]")) {
		set(c, MT_KIND_MAIN_STACK);
		c->tid = x->f->pid;
		setd(c, "stack of the main thread (TID %d)", (int)x->f->pid);
	} else if (!strcmp(name, "[vdso]")) {
		set(c, MT_KIND_VDSO);
		setd(c, "kernel-provided code for fast system calls (gettimeofday, clock_gettime)");
	} else if (!strcmp(name, "[vvar]") || !strcmp(name, "[vvar_vclock]")) {
		set(c, MT_KIND_VVAR);
		setd(c, "kernel data read by the vDSO (clock%s)", name[5] == '_' ? " source pages" : "s, time namespace");
	} else if (!strcmp(name, "[vsyscall]")) {
		set(c, MT_KIND_VSYSCALL);
		setd(c, "legacy fixed-address system call page (emulated by the kernel)");
	} else if (has_prefix(name, "[anon:") || has_prefix(name, "[anon_shmem:")) {
		bool shmem = name[5] == '_';
		size_t skip = shmem ? 12 : 6;
		size_t nlen = len - skip - (name[len - 1] == ']');

		set(c, MT_KIND_ANON_NAMED);
		setd(c, "%s memory named \"%s\" by the program (prctl PR_SET_VMA_ANON_NAME)",
		     shmem ? "shared anonymous" : prot(r) & MT_PERM_EXEC ? "executable anonymous" : "anonymous",
		     clip(name + skip, nlen, nb));
	} else if (!strcmp(name, "[uprobes]")) {
		set(c, MT_KIND_ANON);
		setd(c, "the kernel's uprobe trampoline page (a uprobe is attached to this process)");
	} else {
		set(c, MT_KIND_ANON);
		setd(c, "special mapping the kernel named %s", clip(name, len, nb));
	}
}

/* anon_inode:NAME: kernel objects mapped through their file descriptor. */
static void anon_inode_name(struct mt_class *c, const char *what)
{
	char nb[NAME_CLIP + 4];

	if (!strcmp(what, "[io_uring]")) {
		set(c, MT_KIND_IO_RING);
		setd(c, "io_uring submission/completion rings shared with the kernel");
	} else if (!strcmp(what, "[perf_event]")) {
		set(c, MT_KIND_PERF_RING);
		setd(c, "perf_event ring buffer (a profiler or tracer reads it)");
	} else if (has_prefix(what, "bpf")) {
		set(c, MT_KIND_BPF_RING);
		setd(c, "BPF map memory (%s): ring buffer or mmapable array", clip(what, strlen(what), nb));
	} else {
		set(c, MT_KIND_FILE);
		setd(c, "kernel object %s mapped through its file descriptor", clip(what, strlen(what), nb));
	}
}

static void pass_names(struct ctx *x, size_t i)
{
	const struct mt_region *r = &x->r[i];
	struct mt_class *c = &x->out[i];
	const char *name = r->name;
	size_t len;
	uint32_t key;
	char nb[NAME_CLIP + 4];

	if (!name) {
		if (r->inode != 0) {   /* a file without a name: not from maps */
			set(c, MT_KIND_FILE);
			setd(c, "file mapping (name unknown)");
		}
		return;
	}
	len = strlen(name);
	if (name[0] == '[') {
		bracketed_name(x, r, c, name, len);
		return;
	}
	if (has_prefix(name, "anon_inode:")) {
		anon_inode_name(c, name + 11);
		return;
	}
	if (!strcmp(name, "/[aio]")) {
		set(c, MT_KIND_IO_RING);
		setd(c, "Linux AIO completion ring (io_setup)");
		return;
	}
	if ((r->flags & MT_RF_DELETED) && !strcmp(name, "/dev/zero") && (r->perms & MT_PERM_SHARED)) {
		set(c, MT_KIND_SHARED_ANON);
		setd(c, "shared anonymous memory (mmap MAP_SHARED|MAP_ANONYMOUS): shared with forked processes");
		return;
	}
	if ((r->flags & MT_RF_DELETED) && sysv_key(name, &key)) {
		set(c, MT_KIND_SYSV_SHM);
		if (key)
			setd(c, "System V shared memory, key 0x%08x (shmid %llu)", key, (unsigned long long)r->inode);
		else
			setd(c, "System V shared memory, IPC_PRIVATE (shmid %llu)", (unsigned long long)r->inode);
		return;
	}
	if (has_prefix(name, "/memfd:")) {
		if (prot(r) & MT_PERM_EXEC) {
			set(c, MT_KIND_JIT_CODE);
			setd(c, "executable memfd \"%s\": JIT-compiled code (mapped twice: writable and executable)",
			     clip(name + 7, len - 7, nb));
		} else {
			set(c, MT_KIND_MEMFD);
			setd(c, "memfd \"%s\" (memfd_create): memory with a file descriptor, shareable%s",
			     clip(name + 7, len - 7, nb), r->flags & MT_RF_DELETED ? "" : " (not deleted?)");
		}
		return;
	}
	if (has_prefix(name, "/dev/") && !has_prefix(name, "/dev/shm/") && !has_prefix(name, "/dev/hugepages/")) {
		set(c, MT_KIND_DEVICE);
		setd(c, "device mapping: driver memory, a frame buffer or device registers");
		return;
	}
	if (name[0] != '/') {
		set(c, MT_KIND_FILE);
		setd(c, "mapping the kernel names %s", clip(name, len, nb));
		return;
	}
	mt_cls_file(x, i);
}

/* Pass 2: bss right after a data segment. */
static void pass_bss(struct ctx *x, size_t i)
{
	const struct mt_region *r = &x->r[i], *d;
	const struct mt_elf_seg *s;
	struct mt_class *c = &x->out[i];
	uint64_t mem_end = UINT64_MAX;
	char ob[NAME_CLIP + 16], sb[16];
	const char *obj;

	if (!unset(x, i) || !anon_rw(r) || !adjacent_below(x, i) || x->sc[i - 1].elf_kind != MT_KIND_ELF_DATA)
		return;
	d = &x->r[i - 1];
	s = x->sc[i - 1].seg;
	if (s) {
		/* the segment's memory end: its file offset maps to
		 * d->start + (s->offset - d->offset) */
		mem_end = page_up(d->start + s->offset + s->memsz - d->offset, x->page);
		if (r->start >= mem_end)
			return;     /* no zero-fill tail past the data's last page */
	}
	obj = mt_cls_object_phrase(d, (enum mt_role)x->out[i - 1].role, ob, sizeof(ob));
	set(c, MT_KIND_ELF_BSS);
	c->role = x->out[i - 1].role;
	if (s && r->end > mem_end)
		setd(c, "zero-initialised data (.bss) of %s, plus %s of other anonymous memory merged into it",
		     obj, mt_size_str(r->end - mem_end, sb));
	else
		setd(c, "zero-initialised data (.bss) of %s%s", obj, s ? "" : " (likely: ELF headers unreadable)");
}

/* Pass 3: glibc arena heaps and their reserves (the shape is glibc's: not
 * looked for in a process known to run on another C library). */
static void pass_arenas(struct ctx *x)
{
	uint32_t idx = 0;
	char sb[16];

	if (!mt_libc_glibc_terms(x->f->libc) || x->f->allocator != MT_ALLOCATOR_LIBC)
		return;   /* another malloc: glibc's arenas are never made */

	for (size_t i = 0; i < x->n; i++) {
		const struct mt_region *r = &x->r[i];
		bool full, reserve;

		if (!unset(x, i) || !anon_rw(r) || r->start % ARENA_BLOCK || size_of(r) > ARENA_BLOCK)
			continue;
		full = size_of(r) == ARENA_BLOCK;
		reserve = i + 1 < x->n && unset(x, i + 1) && anon_none(&x->r[i + 1]) &&
			  x->r[i + 1].start == r->end && x->r[i + 1].end == r->start + ARENA_BLOCK;
		if (!full && !reserve)
			continue;
		idx++;
		guess(&x->out[i], MT_KIND_MALLOC_ARENA);
		x->out[i].index = idx;
		setd(&x->out[i], "glibc malloc arena #%u (threads' malloc): %s of its 64 MiB block opened read-write",
		     idx, mt_size_str(size_of(r), sb));
		if (reserve) {
			guess(&x->out[i + 1], MT_KIND_ARENA_RESERVE);
			x->out[i + 1].index = idx;
			setd(&x->out[i + 1], "rest of malloc arena #%u's 64 MiB block, not yet used (PROT_NONE, no memory)",
			     idx);
		}
	}
}

static void guard_below(struct ctx *x, size_t i, int32_t tid)
{
	struct mt_class *g;
	uint64_t sz;

	if (!adjacent_below(x, i) || !unset(x, i - 1) || !anon_none(&x->r[i - 1]) ||
	    (sz = size_of(&x->r[i - 1])) > GUARD_MAX)
		return;
	g = &x->out[i - 1];
	set(g, MT_KIND_GUARD_PAGE);
	g->tid = tid;
	if (tid)
		setd(g, "guard %s below the stack of thread %d (PROT_NONE: overflows fault here)",
		     sz > x->page ? "pages" : "page", (int)tid);
	else
		setd(g, "guard %s below a thread stack (PROT_NONE: overflows fault here)",
		     sz > x->page ? "pages" : "page");
}

/* Go's heap arenas (64 MiB each) come from fixed hints on 64-bit, tried
 * in order from 0xc000000000, each 1 TiB above the one before
 * (runtime/malloc.go, mallocinit), and grow upward: what a Go program maps
 * in [hint, next TiB) is its heap. The last two hints' windows hold the
 * kernel's top-down mmap area (the randomized mmap_base is within 1 TiB
 * below the stack): metadata lands there, and a heap would need over
 * 125 TiB to. Where the address space is too small for the hints (39-bit
 * arm64), Go takes any address: see docs/explain.md. */
#define GO_HINT_STRIDE (1ull << 40)
#define GO_HINT_FIRST  (0xc0ull << 32)
#define GO_HINTS       0x7eull

static bool go_arena_address(uint64_t a)
{
	return a < GO_HINTS * GO_HINT_STRIDE && a % GO_HINT_STRIDE >= GO_HINT_FIRST;
}

/* Pass 3b: a Go program's heap arenas, before the stacks: its goroutines'
 * stacks, and its threads' but the first, are in them. */
static void pass_go_heap(struct ctx *x)
{
	if (x->f->runtime != MT_RUNTIME_GO)
		return;
	for (size_t i = 0; i < x->n; i++) {
		const struct mt_region *r = &x->r[i];
		bool none = anon_none(r);

		if (!unset(x, i) || !(anon_rw(r) || none) || !go_arena_address(r->start))
			continue;
		attest(&x->out[i], MT_KIND_GO_HEAP);
		setd(&x->out[i], none ? "Go heap arena address space reserved, not yet in use (PROT_NONE)"
			: "Go heap arena: heap spans and goroutine stacks (at the runtime's fixed arena address)");
	}
}

/* Pass 4: regions holding a thread's stack pointer. */
static void pass_thread_sp(struct ctx *x)
{
	char cb[NAME_CLIP + 4];

	for (size_t t = 0; t < x->f->nthreads; t++) {
		const struct mt_thread *th = &x->f->threads[t];
		size_t i;

		if (!(th->flags & MT_THREAD_SP_KNOWN) || (i = find_region(x, th->sp)) == x->n)
			continue;
		if (x->out[i].kind == MT_KIND_MAIN_STACK) {
			if (th->tid != x->f->pid)   /* not the main thread: say so */
				setd(&x->out[i], "stack of the main thread (TID %d), also holding the stack pointer of thread %d",
				     (int)x->f->pid, (int)th->tid);
			continue;
		}
		if (x->out[i].kind == MT_KIND_ANON_NAMED || x->out[i].kind == MT_KIND_THREAD_STACK ||
		    (unset(x, i) && anon_rw(&x->r[i]))) {
			if (x->sc[i].nstack++ == 0 || th->tid < x->out[i].tid) {
				x->out[i].tid = th->tid;
				x->sc[i].thread = (uint32_t)t;
			}
			if (unset(x, i))
				set(&x->out[i], MT_KIND_THREAD_STACK);
		}
	}
	for (size_t i = 0; i < x->n; i++) {
		struct mt_class *c = &x->out[i];
		const char *comm;

		if (!x->sc[i].nstack)
			continue;
		comm = x->f->threads[x->sc[i].thread].comm;
		if (c->kind == MT_KIND_ANON_NAMED) {
			size_t l = strlen(c->desc);

			snprintf(c->desc + l, sizeof(c->desc) - l, "; holds the stack of thread %d", (int)c->tid);
			continue;
		}
		if (x->sc[i].nstack > 1)
			setd(c, "stack of thread %d (%s) and %u more threads' stack pointers (stacks without guard pages merge)",
			     (int)c->tid, clip(comm, strlen(comm), cb), (unsigned)(x->sc[i].nstack - 1));
		else
			setd(c, "stack of thread %d (%s)", (int)c->tid, clip(comm, strlen(comm), cb));
		guard_below(x, i, c->tid);
	}
}

/* Pass 5: the main stack's guard, and stacks of unknown threads by shape. */
static void pass_stack_shapes(struct ctx *x)
{
	const struct mt_proc_facts *f = x->f;
	uint64_t limit = f->stack_limit && f->stack_limit <= 1024 * MiB ? page_up(f->stack_limit, x->page) : 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct mt_region *r = &x->r[i];
		const struct mt_smaps_stat *st = x->st ? &x->st[i] : NULL;
		bool nostack_hint;

		if (x->out[i].kind == MT_KIND_MAIN_STACK) {
			guard_below(x, i, f->pid);
			continue;
		}
		if (!unset(x, i) || !anon_rw(r) || !adjacent_below(x, i) || !unset(x, i - 1) ||
		    !anon_none(&x->r[i - 1]) || size_of(&x->r[i - 1]) > GUARD_MAX)
			continue;
		/* MAP_STACK sets VM_NOHUGEPAGE since 6.7; arenas use MAP_NORESERVE */
		nostack_hint = st && (st->keys & MT_SK_VMFLAGS) && (st->vmflags & MT_VMF_NH) &&
			       !(st->vmflags & MT_VMF_NR);
		if (!near(size_of(r), limit) && !near(size_of(r), DEFAULT_STACK) && !nostack_hint)
			continue;
		guess(&x->out[i], MT_KIND_THREAD_STACK);
		if (f->nthreads && !f->sp_unreadable && mt_libc_glibc_terms(f->libc))
			setd(&x->out[i], "thread stack no live thread is using (glibc keeps exited threads' stacks for reuse)");
		else if (f->nthreads && !f->sp_unreadable)
			setd(&x->out[i], "thread stack no live thread is using");
		else
			setd(&x->out[i], "thread stack (thread unknown: not every stack pointer was readable)");
		guard_below(x, i, 0);
	}
}

/* V8 maps each heap page (256 KiB; a large object's, larger) on its own,
 * at a random address aligned to the page size that its page allocator
 * draws below 64 TiB on 64-bit (src/base/platform/platform-posix.cc,
 * GetRandomMmapAddr), far below the kernel's mmap area; the kernel takes
 * such a hint when the range is free. Its code range is one reservation
 * (128 to 512 MiB) that its JIT code pages are opened in. Both are shapes
 * V8's placement makes, not facts it publishes: guesses. */
#define V8_PAGE       (256 * KiB)
#define V8_HINT_LIMIT (1ull << 46)

/* The run of touching anonymous regions around executable region i: a
 * code range. */
static void v8_code_range(struct ctx *x, size_t i)
{
	size_t lo = i, hi = i;

	while (lo > 0 && adjacent_below(x, lo) && plain_anon(&x->r[lo - 1]) && unset(x, lo - 1))
		lo--;
	while (hi + 1 < x->n && adjacent_below(x, hi + 1) && plain_anon(&x->r[hi + 1]) && unset(x, hi + 1))
		hi++;
	for (size_t k = lo; k <= hi; k++) {
		guess(&x->out[k], MT_KIND_V8_CODE);
		if (prot(&x->r[k]) & MT_PERM_EXEC)
			setd(&x->out[k], "V8's JIT-compiled code, in its code range");
		else if (mt_region_prot_none(&x->r[k]))
			setd(&x->out[k], "V8's code range, reserved and not yet in use (PROT_NONE)");
		else
			setd(&x->out[k], "V8's code range: its own data (page headers, jump tables)");
	}
}

/* Pass 5b: a V8 process's code range and heap pages, among the regions
 * left: the arenas and thread stacks next to a code range are not its. */
static void pass_v8(struct ctx *x)
{
	if (x->f->runtime != MT_RUNTIME_V8)
		return;
	for (size_t i = 0; i < x->n; i++) {
		const struct mt_region *r = &x->r[i];

		if (!unset(x, i) || !plain_anon(r))
			continue;
		if (prot(r) & MT_PERM_EXEC) {
			v8_code_range(x, i);
		} else if (r->start % V8_PAGE == 0 && r->start < V8_HINT_LIMIT) {
			guess(&x->out[i], MT_KIND_V8_HEAP);
			setd(&x->out[i], "%s (at a random 256 KiB-aligned address, where V8 maps its pages)",
			     mt_region_prot_none(r) ? "V8 heap page, uncommitted (PROT_NONE)" :
			     size_of(r) > V8_PAGE ? "V8 heap: a large object's page, or pages side by side" :
			     "V8 heap page");
		}
	}
}

/* The kind of the memory of a malloc whose mmaps are known to be its own:
 * one replacing the C library's, or musl's, which mmaps its groups and
 * large blocks (mallocng); 0 (MT_KIND_ANON) for glibc's, whose shapes
 * the passes above know. */
static enum mt_kind own_malloc(const struct mt_proc_facts *f)
{
	if (f->allocator != MT_ALLOCATOR_LIBC)
		return mt_allocator_kind((enum mt_allocator)f->allocator);
	return f->libc == MT_LIBC_MUSL ? MT_KIND_MUSL_MALLOC : MT_KIND_ANON;
}

/* Pass 6: whatever anonymous memory is left. */
static void pass_rest(struct ctx *x, size_t i)
{
	const struct mt_region *r = &x->r[i];
	const struct mt_smaps_stat *st = x->st ? &x->st[i] : NULL;
	struct mt_class *c = &x->out[i];
	bool noreserve = st && (st->keys & MT_SK_VMFLAGS) && (st->vmflags & MT_VMF_NR);

	if (!unset(x, i))
		return;
	if (x->f->runtime == MT_RUNTIME_GO && (anon_rw(r) || anon_none(r))) {
		/* the Go runtime maps its own metadata and never calls malloc;
		 * C code linked in (cgo) may */
		if (mt_libc_glibc_terms(x->f->libc) || x->f->libc == MT_LIBC_MUSL) {
			guess(c, MT_KIND_GO_METADATA);
			setd(c, "likely Go runtime metadata (or C code's malloc: the program calls C)");
		} else {
			attest(c, MT_KIND_GO_METADATA);
			setd(c, "%s", mt_region_prot_none(r) ?
			     "Go runtime address space reserved for metadata (PROT_NONE)" :
			     "Go runtime metadata: spans, heap bitmaps, GC work (outside the heap arenas)");
		}
	} else if (own_malloc(x->f) && anon_rw(r) && size_of(r) >= ALLOCATOR_MIN) {
		/* the process's malloc is another library's, or musl's: what
		 * malloc would explain is its (a runtime fact: the library it
		 * maps); jemalloc and mimalloc map with MAP_NORESERVE */
		attest(c, own_malloc(x->f));
		if (x->f->allocator != MT_ALLOCATOR_LIBC)
			setd(c, "memory of %s", mt_allocator_about((enum mt_allocator)x->f->allocator));
		else
			setd(c, "musl's malloc (mallocng): a group of slots or a large block in its own mmap");
	} else if (prot(r) & MT_PERM_EXEC) {
		guess(c, MT_KIND_JIT_CODE);
		setd(c, "anonymous executable memory: JIT-compiled code or trampolines");
	} else if (mt_region_prot_none(r)) {
		set(c, MT_KIND_RESERVATION);
		setd(c, "PROT_NONE: reserved address space, no memory (a runtime's heap reserve or an unused part of a mapping)");
	} else if (anon_rw(r) && size_of(r) >= MMAP_THRESHOLD && size_of(r) % x->page == 0 && !noreserve) {
		guess(c, MT_KIND_LARGE_MALLOC);
		if (!mt_libc_glibc_terms(x->f->libc))
			setd(c, "likely a large malloc block (%s malloc maps large blocks on their own)",
			     mt_libc_malloc_owner(x->f->libc));
		else
			setd(c, "likely a large malloc chunk (above the 128 KiB mmap threshold; adjacent chunks merge into one region)");
	} else {
		guess(c, MT_KIND_ANON);
		if (noreserve)
			setd(c, "anonymous, origin unknown (mapped MAP_NORESERVE: not a malloc chunk)");
		else if (!(prot(r) & MT_PERM_WRITE))
			setd(c, "anonymous read-only memory, origin unknown");
		else
			setd(c, "anonymous, origin unknown (small: mapped by the program or a library itself)");
	}
}

int mt_classify(const struct mt_region *regions, const struct mt_smaps_stat *stats,
		size_t n, const struct mt_proc_facts *f, const struct mt_claims *claims,
		struct mt_class *out)
{
	struct ctx x = {
		.r = regions, .st = stats, .n = n, .f = f, .out = out, .claims = claims,
		.page = f->page_size ? f->page_size : MT_PAGE_SIZE,
	};
	int err = 0;

	for (size_t i = 0; i < n; i++)
		if (regions[i].start >= regions[i].end || (i > 0 && regions[i].start < regions[i - 1].end))
			return -EINVAL;
	if ((x.page & (x.page - 1)) != 0)
		return -EINVAL;
	if (n == 0)
		return 0;
	x.sc = calloc(n, sizeof(*x.sc));
	x.elves = calloc(f->nelves ? f->nelves : 1, sizeof(*x.elves));
	if (!x.sc || !x.elves) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < f->nelves; i++)
		x.elves[i] = &f->elves[i];
	qsort(x.elves, f->nelves, sizeof(*x.elves), mt_cls_cmp_elves);
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].kind = UNSET;
		x.sc[i].elf_kind = UNSET;
	}
	mt_cls_scan_file_runs(&x);
	for (size_t i = 0; i < n; i++)
		pass_names(&x, i);
	for (size_t i = 0; i < n; i++)
		pass_bss(&x, i);
	pass_arenas(&x);
	pass_go_heap(&x);
	pass_thread_sp(&x);
	pass_stack_shapes(&x);
	pass_v8(&x);
	for (size_t i = 0; i < n; i++)
		pass_rest(&x, i);
	err = mt_cls_claims(&x);
out:
	free(x.sc);
	free(x.elves);
	return err;
}
