// SPDX-License-Identifier: GPL-2.0
/* kinds.c - the names and plain sentences of the region kinds, and which C
 * library's words describe them (classify.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analyze/classify.h"

static const struct {
	const char *id;
	const char *about;
} kinds[MT_KIND_COUNT] = {
	[MT_KIND_ANON]          = { "anon", "anonymous memory of unknown origin" },
	[MT_KIND_ELF_TEXT]      = { "elf-text", "machine code of program and libraries (shared)" },
	[MT_KIND_ELF_RODATA]    = { "elf-rodata", "read-only data of program and libraries, incl. RELRO" },
	[MT_KIND_ELF_DATA]      = { "elf-data", "initialised globals of program and libraries" },
	[MT_KIND_ELF_BSS]       = { "elf-bss", "zero-initialised globals (.bss) of program and libraries" },
	[MT_KIND_HEAP]          = { "heap", "brk heap: malloc's main arena (small allocations)" },
	[MT_KIND_MAIN_STACK]    = { "main-stack", "stack of the main thread" },
	[MT_KIND_THREAD_STACK]  = { "thread-stack", "stacks of the other threads (8 MiB each by default)" },
	[MT_KIND_GUARD_PAGE]    = { "guard-page", "PROT_NONE pages below stacks that catch overflows" },
	[MT_KIND_MALLOC_ARENA]  = { "malloc-arena", "glibc malloc arenas of threads (used part of 64 MiB blocks)" },
	[MT_KIND_ARENA_RESERVE] = { "arena-reserve", "untouched rest of malloc arenas' 64 MiB blocks (PROT_NONE)" },
	[MT_KIND_LARGE_MALLOC]  = { "large-malloc", "malloc blocks of 128 KiB or more, each its own mmap" },
	[MT_KIND_RESERVATION]   = { "reservation", "address space reserved with PROT_NONE (no memory)" },
	[MT_KIND_JIT_CODE]      = { "jit-code", "anonymous executable memory: JIT code, trampolines" },
	[MT_KIND_SHARED_ANON]   = { "shared-anon", "shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS)" },
	[MT_KIND_SYSV_SHM]      = { "sysv-shm", "System V shared memory (shmget/shmat)" },
	[MT_KIND_MEMFD]         = { "memfd", "memfd_create() files: memory with a file descriptor" },
	[MT_KIND_DELETED_FILE]  = { "deleted-file", "files deleted or replaced after they were mapped" },
	[MT_KIND_ANON_NAMED]    = { "anon-named", "anonymous memory the program named (PR_SET_VMA)" },
	[MT_KIND_VDSO]          = { "vdso", "kernel code for fast system calls (vDSO)" },
	[MT_KIND_VVAR]          = { "vvar", "kernel data the vDSO reads (clocks)" },
	[MT_KIND_VSYSCALL]      = { "vsyscall", "legacy fixed-address system call page" },
	[MT_KIND_IO_RING]       = { "io-ring", "io_uring and AIO rings shared with the kernel" },
	[MT_KIND_PERF_RING]     = { "perf-ring", "perf_event ring buffers" },
	[MT_KIND_BPF_RING]      = { "bpf-ring", "BPF maps mapped into memory (ring buffers, arrays)" },
	[MT_KIND_DEVICE]        = { "device", "mappings of device files (/dev)" },
	[MT_KIND_FILE]          = { "file", "other mapped files (data, locales, caches)" },
	[MT_KIND_JAVA_HEAP]     = { "java-heap", "Java heap: the objects of a JVM (HotSpot), its whole reservation" },
	[MT_KIND_JAVA_METASPACE] = { "java-metaspace", "JVM metaspace: class metadata, methods, constant pools" },
	[MT_KIND_JAVA_CLASS_SPACE] = { "java-class-space", "JVM compressed class space: class structures addressed by 32-bit offsets" },
	[MT_KIND_JAVA_CDS]      = { "java-cds", "JVM class data sharing archive: pre-parsed classes mapped from a file" },
	[MT_KIND_JAVA_CODE_CACHE] = { "java-code-cache", "JVM code cache: JIT-compiled methods, stubs, the interpreter" },
	[MT_KIND_JAVA_GC]       = { "java-gc", "JVM garbage collector data: card table, mark bitmaps, remembered sets" },
	[MT_KIND_JAVA_THREAD_STACK] = { "java-thread-stack", "JVM thread stacks, with HotSpot's guard zones" },
	[MT_KIND_JAVA_OTHER]    = { "java-other", "other memory the JVM reserved itself (NMT's other categories)" },
	[MT_KIND_V8_HEAP]       = { "v8-heap", "V8 heap pages: new, old and large-object spaces" },
	[MT_KIND_V8_CAGE]       = { "v8-cage", "V8 pointer-compression cage: the heap's reserved 4 GiB" },
	[MT_KIND_V8_CODE]       = { "v8-code", "V8 code range: JIT-compiled JavaScript" },
	[MT_KIND_WASM_MEMORY]   = { "wasm-memory", "WebAssembly linear memory (with its guard reservation)" },
	[MT_KIND_GO_HEAP]       = { "go-heap", "Go heap arenas (64 MiB each on 64-bit)" },
	[MT_KIND_GO_METADATA]   = { "go-metadata", "Go runtime metadata: spans, heap bitmaps, GC work" },
	[MT_KIND_PYTHON_ARENA]  = { "python-arena", "CPython small-object allocator (obmalloc) arenas" },
	[MT_KIND_JEMALLOC]      = { "jemalloc", "jemalloc extents: its arenas' memory" },
	[MT_KIND_TCMALLOC]      = { "tcmalloc", "tcmalloc page heap spans" },
	[MT_KIND_MIMALLOC]      = { "mimalloc", "mimalloc segments and arenas" },
	[MT_KIND_MUSL_MALLOC]   = { "musl-malloc", "musl malloc (mallocng) groups and large blocks in their own mmaps" },
	[MT_KIND_DIRECT_MMAP]   = { "direct-mmap", "anonymous memory the program (or a library) mapped itself, not through malloc" },
};

static const char *const evidences[MT_EVIDENCE_COUNT] = {
	[MT_EVIDENCE_KERNEL] = "kernel",
	[MT_EVIDENCE_TRACED] = "traced",
	[MT_EVIDENCE_RUNTIME] = "runtime",
	[MT_EVIDENCE_HEURISTIC] = "heuristic",
};

const char *mt_evidence_id(enum mt_evidence e)
{
	return (unsigned)e < MT_EVIDENCE_COUNT ? evidences[e] : "?";
}

const char *mt_kind_id(enum mt_kind k)
{
	return (unsigned)k < MT_KIND_COUNT ? kinds[k].id : "?";
}

const char *mt_kind_about(enum mt_kind k)
{
	return (unsigned)k < MT_KIND_COUNT ? kinds[k].about : "?";
}

static const struct {
	const char *id, *allocator;
} libcs[] = {
	[MT_LIBC_UNKNOWN] = { "unknown", "its C library's malloc (not recognised)" },
	[MT_LIBC_GLIBC]   = { "glibc", "glibc malloc: the brk heap, per-thread arenas in 64 MiB blocks, mmap at 128 KiB and up" },
	[MT_LIBC_MUSL]    = { "musl", "musl's malloc (mallocng): groups in the brk heap and in mmaps, mmap at about 128 KiB and up" },
	[MT_LIBC_UCLIBC]  = { "uclibc-ng", "uClibc-ng's malloc: the brk heap, mmap above its threshold" },
	[MT_LIBC_OTHER]   = { "other", "not glibc's: a static program without glibc (musl, uClibc-ng, Go...), its allocator not recognised" },
};

bool mt_libc_glibc_terms(enum mt_libc l)
{
	return l == MT_LIBC_GLIBC || l == MT_LIBC_UNKNOWN;
}

const char *mt_libc_malloc_owner(enum mt_libc l)
{
	return l == MT_LIBC_MUSL ? "musl's" : l == MT_LIBC_UCLIBC ? "uClibc-ng's" : "the program's";
}

const char *mt_libc_id(enum mt_libc l)
{
	return (unsigned)l <= MT_LIBC_OTHER ? libcs[l].id : "?";
}

const char *mt_libc_allocator(enum mt_libc l)
{
	return (unsigned)l <= MT_LIBC_OTHER ? libcs[l].allocator : "?";
}

/* a file name (the part after the last '/') that starts with prefix */
static bool base_starts(const char *name, const char *prefix)
{
	const char *slash = strrchr(name, '/');

	return !strncmp(slash ? slash + 1 : name, prefix, strlen(prefix));
}

static const struct {
	const char *lib;      /* file name prefix */
	enum mt_kind kind;
	const char *about;
} allocators[] = {
	[MT_ALLOCATOR_JEMALLOC] = { "libjemalloc.so", MT_KIND_JEMALLOC,
		"jemalloc (replaces the C library's): extents of its arenas, in their own mmaps" },
	[MT_ALLOCATOR_TCMALLOC] = { "libtcmalloc", MT_KIND_TCMALLOC,
		"tcmalloc (replaces the C library's): its page heap, from sbrk first, then mmap" },
	[MT_ALLOCATOR_MIMALLOC] = { "libmimalloc.so", MT_KIND_MIMALLOC,
		"mimalloc (replaces the C library's): segments and arenas in their own mmaps" },
};

enum mt_allocator mt_allocator_of_regions(const struct mt_region *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!r[i].name || r[i].name[0] != '/')
			continue;
		for (size_t a = 1; a < sizeof(allocators) / sizeof(allocators[0]); a++)
			if (base_starts(r[i].name, allocators[a].lib))
				return (enum mt_allocator)a;
	}
	return MT_ALLOCATOR_LIBC;
}

const char *mt_allocator_about(enum mt_allocator a)
{
	return a > MT_ALLOCATOR_LIBC && (size_t)a < sizeof(allocators) / sizeof(allocators[0]) ?
		allocators[a].about : NULL;
}

enum mt_kind mt_allocator_kind(enum mt_allocator a)
{
	return a > MT_ALLOCATOR_LIBC && (size_t)a < sizeof(allocators) / sizeof(allocators[0]) ?
		allocators[a].kind : MT_KIND_ANON;
}

enum mt_libc mt_libc_of_regions(const struct mt_region *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = r[i].name;

		if (!name || name[0] != '/')
			continue;
		if (base_starts(name, "libc.so.6") || base_starts(name, "ld-linux"))
			return MT_LIBC_GLIBC;
		/* musl's loader is its libc: ld-musl-ARCH.so.1, which Debian
		 * links to /usr/lib/ARCH-linux-musl/libc.so (maps shows that) */
		if (base_starts(name, "ld-musl-") || base_starts(name, "libc.musl-") ||
		    (base_starts(name, "libc.so") && strstr(name, "musl")))
			return MT_LIBC_MUSL;
		if (base_starts(name, "libuClibc") || base_starts(name, "ld-uClibc") ||
		    base_starts(name, "ld64-uClibc"))
			return MT_LIBC_UCLIBC;
	}
	return MT_LIBC_UNKNOWN;
}

const char *mt_kind_about_libc(enum mt_kind k, enum mt_libc l)
{
	if (mt_libc_glibc_terms(l))
		return mt_kind_about(k);
	switch (k) {
	case MT_KIND_HEAP:
		return l == MT_LIBC_MUSL ? "brk heap: musl's malloc (small allocations)" :
		       l == MT_LIBC_UCLIBC ? "brk heap: uClibc-ng's malloc (small allocations)" :
					     "brk heap: the program's malloc (small allocations)";
	case MT_KIND_THREAD_STACK:
		return "stacks of the other threads";
	case MT_KIND_LARGE_MALLOC:
		return "large malloc blocks, each its own mmap";
	default:
		return mt_kind_about(k);
	}
}

int mt_kind_parse(const char *s, size_t len)
{
	for (int k = 0; k < MT_KIND_COUNT; k++)
		if (strlen(kinds[k].id) == len && !memcmp(kinds[k].id, s, len))
			return k;
	return -1;
}

const char *mt_role_id(enum mt_role r)
{
	switch (r) {
	case MT_ROLE_PROGRAM: return "program";
	case MT_ROLE_LIBRARY: return "library";
	case MT_ROLE_LOADER:  return "loader";
	default:              return NULL;
	}
}
