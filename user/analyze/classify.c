// SPDX-License-Identifier: GPL-2.0
/* classify.c - say what each region is, from /proc facts alone (see maptrace/classify.h).
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
 *   4. thread stacks from stack pointers: the region holding a thread's sp
 *      is its stack, the PROT_NONE region right below it the guard
 *      (allocate_stack() in nptl/allocatestack.c puts the guard at the low
 *      end). The main thread's stack is [stack].
 *   5. stacks of threads whose sp is unknown, by shape: rw over a PROT_NONE
 *      guard, sized like glibc's default stack (RLIMIT_STACK, else 8 MiB),
 *      or marked VM_NOHUGEPAGE ("nh"), which MAP_STACK sets since Linux 6.7.
 *   6. what is left: executable anonymous memory is JIT code, PROT_NONE is
 *      a reservation, rw of at least malloc's 128 KiB mmap threshold is
 *      likely a large malloc chunk, anything else is "origin unknown".
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
#include "base/units.h"
#include "maptrace/events.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)
#define ARENA_BLOCK     (64 * MiB)   /* glibc HEAP_MAX_SIZE on 64-bit */
#define MMAP_THRESHOLD  (128 * KiB)  /* glibc DEFAULT_MMAP_THRESHOLD_MIN */
#define DEFAULT_STACK   (8 * MiB)    /* glibc's default when RLIMIT_STACK is unlimited */
#define STACK_SLACK     (64 * KiB)   /* "about the default stack size" */
#define GUARD_MAX       (1 * MiB)    /* a larger PROT_NONE neighbour is no guard */
#define NAME_CLIP       48           /* bytes of a name quoted in a description */

#define UNSET MT_KIND_COUNT

/* ---- classification --------------------------------------------------- */

struct ctx {
	const struct mt_region *r;
	const struct mt_smaps_stat *st;
	size_t n;
	const struct mt_proc_facts *f;
	struct mt_class *out;
	uint64_t page;
	struct scratch *sc;                 /* per region */
	const struct mt_elf_file **elves;   /* f->elves sorted by inode, dev */
};

/* What the passes learn about each region besides its answer. Everything
 * that depends on a region's neighbours is computed once, so a process
 * with 65,000 regions costs O(n log n). */
struct scratch {
	const struct mt_elf_seg *seg;  /* its PT_LOAD (pass 1), NULL unknown */
	size_t zero;        /* the same file's offset-0 mapping at or before it
			       among consecutive mappings of that file; SIZE_MAX none */
	uint32_t nstack;    /* threads whose stack pointer lies in it */
	uint32_t thread;    /* index in f->threads of the lowest such tid */
	uint8_t elf_kind;   /* the ELF kind even when deleted-file, else UNSET */
	bool run_x;         /* consecutive mappings of its file include an executable one */
};

__attribute__((format(printf, 2, 3)))
static void setd(struct mt_class *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
}

static void set(struct mt_class *c, enum mt_kind k)
{
	c->kind = k;
}

static bool has_prefix(const char *s, const char *pfx)
{
	return strncmp(s, pfx, strlen(pfx)) == 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* At most NAME_CLIP bytes of s[0..len), cut before a UTF-8 continuation
 * byte so a clipped name stays valid UTF-8 when it was; "..." if cut. */
static const char *clip(const char *s, size_t len, char buf[NAME_CLIP + 4])
{
	size_t n = len;

	if (n > NAME_CLIP) {
		n = NAME_CLIP;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	if (n < len)
		memcpy(buf + n, "...", 3), n += 3;
	buf[n] = '\0';
	return buf;
}

static uint64_t size_of(const struct mt_region *r)
{
	return r->end - r->start;
}

static uint32_t prot(const struct mt_region *r)
{
	return r->perms & (MT_PERM_READ | MT_PERM_WRITE | MT_PERM_EXEC);
}

/* private anonymous: no file, no name */
static bool plain_anon(const struct mt_region *r)
{
	return !r->name && !mt_region_has_file(r) && !(r->perms & MT_PERM_SHARED);
}

static bool anon_rw(const struct mt_region *r)
{
	return plain_anon(r) && prot(r) == (MT_PERM_READ | MT_PERM_WRITE);
}

static bool anon_none(const struct mt_region *r)
{
	return plain_anon(r) && prot(r) == 0;
}

static bool unset(const struct ctx *x, size_t i)
{
	return x->out[i].kind == UNSET;
}

/* i and i-1 touch */
static bool adjacent_below(const struct ctx *x, size_t i)
{
	return i > 0 && x->r[i - 1].end == x->r[i].start;
}

static bool near(uint64_t v, uint64_t want)
{
	return want && v + STACK_SLACK >= want && v <= want + STACK_SLACK;
}

static uint64_t page_up(uint64_t v, uint64_t page)
{
	return (v + page - 1) & ~(page - 1);
}

/* Region holding addr, or n. */
static size_t find_region(const struct ctx *x, uint64_t addr)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->n && x->r[lo].start <= addr ? lo : x->n;
}

static enum mt_role role_of(const struct ctx *x, const struct mt_region *r)
{
	const struct mt_proc_facts *f = x->f;
	const char *b = base_name(r->name);

	if (f->exe && (!strcmp(r->name, f->exe) ||
		       (f->exe_inode && r->inode == f->exe_inode && !strcmp(b, base_name(f->exe)))))
		return MT_ROLE_PROGRAM;
	if (has_prefix(b, "ld-linux") || has_prefix(b, "ld64.so") || has_prefix(b, "ld-musl") ||
	    (has_prefix(b, "ld-") && strstr(b, ".so")))
		return MT_ROLE_LOADER;
	return MT_ROLE_LIBRARY;
}

/* "the program", "the dynamic loader", "library libc.so.6" */
static const char *object_phrase(const struct mt_region *r, enum mt_role role, char *buf, size_t cap)
{
	char nb[NAME_CLIP + 4];
	const char *b = base_name(r->name);

	if (role == MT_ROLE_PROGRAM)
		return "the program";
	if (role == MT_ROLE_LOADER)
		return "the dynamic loader";
	snprintf(buf, cap, "library %s", clip(b, strlen(b), nb));
	return buf;
}

static int cmp_file_key(uint64_t ia, uint32_t da, uint64_t ib, uint32_t db)
{
	if (ia != ib)
		return ia < ib ? -1 : 1;
	return da < db ? -1 : da > db;
}

static int cmp_elves(const void *a, const void *b)
{
	const struct mt_elf_file *x = *(const struct mt_elf_file *const *)a;
	const struct mt_elf_file *y = *(const struct mt_elf_file *const *)b;

	return cmp_file_key(x->inode, x->dev, y->inode, y->dev);
}

static const struct mt_elf_file *find_elf(const struct ctx *x, const struct mt_region *r)
{
	size_t lo = 0, hi = x->f->nelves;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_file_key(x->elves[mid]->inode, x->elves[mid]->dev, r->inode, r->dev);

		if (c == 0)
			return x->elves[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool same_file(const struct mt_region *a, const struct mt_region *b)
{
	return a->inode && a->inode == b->inode && a->dev == b->dev;
}

/* Fill zero and run_x: a file's mappings are consecutive in address order. */
static void scan_file_runs(struct ctx *x)
{
	size_t start = 0;

	for (size_t i = 0; i <= x->n; i++) {
		bool run_x = false;

		if (i < x->n && i > start && same_file(&x->r[i], &x->r[i - 1]))
			continue;
		/* [start, i) is one run */
		for (size_t j = start; j < i; j++)
			run_x |= (x->r[j].perms & MT_PERM_EXEC) != 0;
		for (size_t j = start, zero = SIZE_MAX; j < i; j++) {
			if (x->r[j].offset == 0)
				zero = j;
			x->sc[j].zero = zero;
			x->sc[j].run_x = run_x;
		}
		start = i;
	}
}

/* The load bias of the file region i maps, from the same file's mapping
 * of offset 0 (its ELF headers; the file's mappings are contiguous):
 * that page is the first PT_LOAD's first page. false when not mapped. */
static bool load_bias(const struct ctx *x, size_t i, const struct mt_elf_file *e, uint64_t *bias)
{
	const struct mt_elf_seg *first = NULL;
	size_t j = x->sc[i].zero;

	if (j == SIZE_MAX)
		return false;
	for (uint32_t k = 0; k < e->nseg && k < MT_ELF_MAX_SEGS; k++)
		if ((e->seg[k].offset & ~(x->page - 1)) == 0)
			first = first && first->vaddr <= e->seg[k].vaddr ? first : &e->seg[k];
	if (!first)
		return false;
	*bias = x->r[j].start - (first->vaddr & ~(x->page - 1));
	return true;
}

/* The PT_LOAD whose file range covers the region's offset. When two
 * segments share that file page (small binaries: .rodata ends and .data
 * begins in one page, mapped twice), the one whose memory range holds the
 * region's address; then the one that starts at that page; then the one
 * whose X/W perms match. */
static const struct mt_elf_seg *seg_for(const struct ctx *x, size_t i, const struct mt_elf_file *e)
{
	const struct mt_region *r = &x->r[i];
	const struct mt_elf_seg *best = NULL;
	int best_score = -1;
	uint64_t bias = 0;
	bool have_bias = load_bias(x, i, e, &bias);

	for (uint32_t k = 0; k < e->nseg && k < MT_ELF_MAX_SEGS; k++) {
		const struct mt_elf_seg *s = &e->seg[k];
		uint64_t lo = s->offset & ~(x->page - 1), hi = s->offset + s->filesz;
		int score = 0;

		if (s->filesz == 0 || r->offset < lo || r->offset >= hi)
			continue;
		if (have_bias && r->start >= ((bias + s->vaddr) & ~(x->page - 1)) &&
		    r->start < page_up(bias + s->vaddr + s->memsz, x->page))
			score += 8;
		score += lo == r->offset ? 4 : 0;
		score += !!(s->flags & MT_SEG_X) == !!(r->perms & MT_PERM_EXEC);
		score += !!(s->flags & MT_SEG_W) == !!(r->perms & MT_PERM_WRITE);
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

/* Without program headers: is the file an ELF object? It is when it is the
 * program or loader, has an executable mapping next to this one (the same
 * file's mappings are contiguous), or is named like a library. */
static bool looks_elf(const struct ctx *x, size_t i, enum mt_role role)
{
	return role != MT_ROLE_LIBRARY || strstr(base_name(x->r[i].name), ".so") || x->sc[i].run_x;
}

static void classify_plain_file(struct ctx *x, size_t i)
{
	const struct mt_region *r = &x->r[i];
	struct mt_class *c = &x->out[i];
	bool shared = r->perms & MT_PERM_SHARED, w = r->perms & MT_PERM_WRITE;

	set(c, MT_KIND_FILE);
	if (has_prefix(r->name, "/dev/shm/"))
		setd(c, "POSIX shared memory object (shm_open)%s", shared ? "" : ", private copy-on-write");
	else if (has_prefix(r->name, "/dev/hugepages/"))
		setd(c, "file on hugetlbfs (huge pages)");
	else if (!strcmp(base_name(r->name), "locale-archive") || strstr(r->name, "/locale/"))
		setd(c, "locale data (setlocale), shared with other processes");
	else if (shared && w)
		setd(c, "file mapped shared and writable: writes go to the file");
	else if (shared)
		setd(c, "file mapped shared, read-only");
	else if (w)
		setd(c, "file mapped private and writable (copy-on-write: changes stay in memory)");
	else if (r->perms & MT_PERM_EXEC)
		setd(c, "executable file mapping (not recognised as an ELF object)");
	else
		setd(c, "file mapped read-only (data, caches, fonts...)");
}

/* File-backed regions: ELF segment or plain file. */
static void classify_file(struct ctx *x, size_t i)
{
	const struct mt_region *r = &x->r[i];
	struct mt_class *c = &x->out[i];
	const struct mt_elf_file *e = find_elf(x, r);
	enum mt_role role = role_of(x, r);
	const struct mt_elf_seg *s = NULL;
	enum mt_kind k;
	char ob[NAME_CLIP + 16];
	const char *obj = object_phrase(r, role, ob, sizeof(ob));
	const char *what;
	bool guessed = false;

	if (e) {
		s = seg_for(x, i, e);
		if (!s && prot(r)) {
			c->role = role;
			set(c, r->flags & MT_RF_DELETED ? MT_KIND_DELETED_FILE : MT_KIND_FILE);
			setd(c, "part of %s outside its loadable segments%s", obj,
			     r->flags & MT_RF_DELETED ? " (file deleted since mapped)" : "");
			return;
		}
	} else if (!looks_elf(x, i, role)) {
		if (r->flags & MT_RF_DELETED) {
			set(c, MT_KIND_DELETED_FILE);
			setd(c, "file deleted (or replaced) after it was mapped");
			return;
		}
		if (prot(r) == 0) {
			set(c, MT_KIND_RESERVATION);
			setd(c, "file mapped PROT_NONE: address space only, no memory");
			return;
		}
		classify_plain_file(x, i);
		return;
	} else {
		guessed = true;
	}
	c->role = role;
	if (prot(r) == 0) {
		set(c, MT_KIND_RESERVATION);
		setd(c, "gap between the segments of %s (PROT_NONE: address space only, no memory)", obj);
		return;
	}
	x->sc[i].seg = s;
	if (s ? s->flags & MT_SEG_X : r->perms & MT_PERM_EXEC) {
		k = MT_KIND_ELF_TEXT;
		what = "code (.text) of";
	} else if (s ? (s->flags & MT_SEG_W) && (r->perms & MT_PERM_WRITE) : (r->perms & MT_PERM_WRITE) != 0) {
		k = MT_KIND_ELF_DATA;
		what = "initialised data (.data, .got) of";
	} else if (s && (s->flags & MT_SEG_W)) {
		k = MT_KIND_ELF_RODATA;
		what = "relocated data made read-only after start-up (RELRO) of";
	} else {
		k = MT_KIND_ELF_RODATA;
		what = r->offset == 0 ? "ELF headers and read-only data of" : "read-only data (.rodata, .eh_frame) of";
	}
	x->sc[i].elf_kind = (uint8_t)k;
	if (r->flags & MT_RF_DELETED) {
		set(c, MT_KIND_DELETED_FILE);
		setd(c, "%s %s (file deleted or replaced since it was mapped)", what, obj);
	} else {
		set(c, k);
		setd(c, "%s %s%s", what, obj, guessed ? " (from perms: ELF headers unreadable)" : "");
	}
}

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
		if (!strcmp(name, "[heap]")) {
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
		return;
	}
	if (has_prefix(name, "anon_inode:")) {
		const char *what = name + 11;

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
	classify_file(x, i);
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
	obj = object_phrase(d, (enum mt_role)x->out[i - 1].role, ob, sizeof(ob));
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

	if (!mt_libc_glibc_terms(x->f->libc))
		return;

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
		set(&x->out[i], MT_KIND_MALLOC_ARENA);
		x->out[i].index = idx;
		setd(&x->out[i], "glibc malloc arena #%u (threads' malloc): %s of its 64 MiB block opened read-write",
		     idx, mt_size_str(size_of(r), sb));
		if (reserve) {
			set(&x->out[i + 1], MT_KIND_ARENA_RESERVE);
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
		set(&x->out[i], MT_KIND_THREAD_STACK);
		if (f->nthreads && !f->sp_unreadable && mt_libc_glibc_terms(f->libc))
			setd(&x->out[i], "thread stack no live thread is using (glibc keeps exited threads' stacks for reuse)");
		else if (f->nthreads && !f->sp_unreadable)
			setd(&x->out[i], "thread stack no live thread is using");
		else
			setd(&x->out[i], "thread stack (thread unknown: not every stack pointer was readable)");
		guard_below(x, i, 0);
	}
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
	if (prot(r) & MT_PERM_EXEC) {
		set(c, MT_KIND_JIT_CODE);
		setd(c, "anonymous executable memory: JIT-compiled code or trampolines");
	} else if (prot(r) == 0) {
		set(c, MT_KIND_RESERVATION);
		setd(c, "PROT_NONE: reserved address space, no memory (a runtime's heap reserve or an unused part of a mapping)");
	} else if (anon_rw(r) && size_of(r) >= MMAP_THRESHOLD && size_of(r) % x->page == 0 && !noreserve) {
		set(c, MT_KIND_LARGE_MALLOC);
		if (!mt_libc_glibc_terms(x->f->libc))
			setd(c, "likely a large malloc block (%s malloc maps large blocks on their own)",
			     mt_libc_malloc_owner(x->f->libc));
		else
			setd(c, "likely a large malloc chunk (above the 128 KiB mmap threshold; adjacent chunks merge into one region)");
	} else {
		set(c, MT_KIND_ANON);
		if (noreserve)
			setd(c, "anonymous, origin unknown (mapped MAP_NORESERVE: not a malloc chunk)");
		else if (!(prot(r) & MT_PERM_WRITE))
			setd(c, "anonymous read-only memory, origin unknown");
		else
			setd(c, "anonymous, origin unknown (small: mapped by the program or a library itself)");
	}
}

int mt_classify(const struct mt_region *regions, const struct mt_smaps_stat *stats,
		size_t n, const struct mt_proc_facts *f, struct mt_class *out)
{
	struct ctx x = {
		.r = regions, .st = stats, .n = n, .f = f, .out = out,
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
	qsort(x.elves, f->nelves, sizeof(*x.elves), cmp_elves);
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].kind = UNSET;
		x.sc[i].elf_kind = UNSET;
	}
	scan_file_runs(&x);
	for (size_t i = 0; i < n; i++)
		pass_names(&x, i);
	for (size_t i = 0; i < n; i++)
		pass_bss(&x, i);
	pass_arenas(&x);
	pass_thread_sp(&x);
	pass_stack_shapes(&x);
	for (size_t i = 0; i < n; i++)
		pass_rest(&x, i);
out:
	free(x.sc);
	free(x.elves);
	return err;
}
