/* SPDX-License-Identifier: GPL-2.0 */
/* classify.h - say what each region of an address space is, from /proc facts alone.
 *
 * mt_classify() is a pure function of plain data: the regions (with their
 * smaps figures when known), the process's threads and their stack
 * pointers, and the PT_LOAD program headers of the mapped ELF files. The
 * facts are gathered by mt_proc_facts_read() (threads, exe, comm, stack
 * limit: the one function here that reads /proc) and by elfsegs.h (the ELF
 * reader, which needs libelf and so lives outside the unit-tested logic).
 * User-only.
 */
#ifndef MAPTRACE_CLASSIFY_H
#define MAPTRACE_CLASSIFY_H

#if defined(__KERNEL__) || defined(__bpf__)
#error "classify.h is a user-space header"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/region.h"
#include "proc/smaps.h"
#include "proc/elfsegs.h"
#include "proc/procinfo.h"
#include "base/units.h"

/* What a region is. The string ids (mt_kind_id) are part of the JSON
 * schema (docs/explain.md): never renumber them in output, only add. */
enum mt_kind {
	MT_KIND_ANON = 0,       /* anonymous, origin unknown */
	MT_KIND_ELF_TEXT,       /* code of an ELF file */
	MT_KIND_ELF_RODATA,     /* read-only data, ELF headers, RELRO */
	MT_KIND_ELF_DATA,       /* initialised writable data */
	MT_KIND_ELF_BSS,        /* zero-initialised data past the file's end */
	MT_KIND_HEAP,           /* [heap]: the brk area */
	MT_KIND_MAIN_STACK,     /* [stack] */
	MT_KIND_THREAD_STACK,   /* a pthread stack */
	MT_KIND_GUARD_PAGE,     /* PROT_NONE page(s) below a stack */
	MT_KIND_MALLOC_ARENA,   /* rw part of a glibc arena heap */
	MT_KIND_ARENA_RESERVE,  /* PROT_NONE rest of a glibc arena heap */
	MT_KIND_LARGE_MALLOC,   /* likely an mmap'd malloc chunk */
	MT_KIND_RESERVATION,    /* other PROT_NONE anonymous */
	MT_KIND_JIT_CODE,       /* anonymous (or memfd) executable */
	MT_KIND_SHARED_ANON,    /* MAP_SHARED|MAP_ANONYMOUS (/dev/zero (deleted)) */
	MT_KIND_SYSV_SHM,       /* System V shared memory */
	MT_KIND_MEMFD,          /* memfd_create() file */
	MT_KIND_DELETED_FILE,   /* file unlinked after mapping */
	MT_KIND_ANON_NAMED,     /* [anon:NAME], [anon_shmem:NAME] */
	MT_KIND_VDSO,
	MT_KIND_VVAR,
	MT_KIND_VSYSCALL,
	MT_KIND_IO_RING,        /* io_uring rings, AIO ring */
	MT_KIND_PERF_RING,      /* perf_event ring buffer */
	MT_KIND_BPF_RING,       /* BPF map memory */
	MT_KIND_DEVICE,         /* a file under /dev */
	MT_KIND_FILE,           /* other file mappings */
	/* runtimes, in their own words (from runtime facts or creating stacks) */
	MT_KIND_JAVA_HEAP,         /* HotSpot: the Java heap (its whole reservation) */
	MT_KIND_JAVA_METASPACE,    /* HotSpot: metaspace (class metadata) */
	MT_KIND_JAVA_CLASS_SPACE,  /* HotSpot: compressed class space */
	MT_KIND_JAVA_CDS,          /* HotSpot: the CDS archive (shared classes) */
	MT_KIND_JAVA_CODE_CACHE,   /* HotSpot: the code cache (JIT-compiled methods) */
	MT_KIND_JAVA_GC,           /* HotSpot: GC data (card table, bitmaps, remembered sets) */
	MT_KIND_JAVA_THREAD_STACK, /* HotSpot: a thread's stack (with its guard zones) */
	MT_KIND_JAVA_OTHER,        /* HotSpot: other memory it reserved (NMT's other categories) */
	MT_KIND_V8_HEAP,           /* V8: heap pages (new, old, large-object, code space) */
	MT_KIND_V8_CAGE,           /* V8: the pointer-compression cage reservation */
	MT_KIND_V8_CODE,           /* V8: the code range */
	MT_KIND_WASM_MEMORY,       /* WebAssembly linear memory */
	MT_KIND_GO_HEAP,           /* Go: heap arenas */
	MT_KIND_GO_METADATA,       /* Go: runtime metadata (spans, bitmaps, GC structures) */
	MT_KIND_PYTHON_ARENA,      /* CPython: obmalloc arenas */
	MT_KIND_JEMALLOC,          /* jemalloc extents */
	MT_KIND_TCMALLOC,          /* tcmalloc spans */
	MT_KIND_MIMALLOC,          /* mimalloc segments and arenas */
	MT_KIND_MUSL_MALLOC,       /* musl's mallocng groups in their own mmaps */
	MT_KIND_DIRECT_MMAP,       /* traced: mapped by the program's own mmap call */
	MT_KIND_COUNT
};

/* How a region's kind was decided. The string ids (mt_evidence_id) are
 * part of the JSON schema. */
enum mt_evidence {
	MT_EVIDENCE_KERNEL = 0,  /* what the kernel says: the region's name, its
				    file and that file's ELF headers, a thread's
				    stack pointer inside it, its permissions */
	MT_EVIDENCE_TRACED,      /* the stack of the call that created it */
	MT_EVIDENCE_RUNTIME,     /* what the runtime publishes about itself */
	MT_EVIDENCE_HEURISTIC,   /* its shape alone: size, neighbours, alignment */
	MT_EVIDENCE_COUNT
};
const char *mt_evidence_id(enum mt_evidence e); /* "kernel", "traced", "runtime", "heuristic" */

/* What a runtime (or a creating stack) says about a range of the address
 * space: that it is of this kind. Claims are applied after the /proc
 * passes, to regions a name or ELF file does not already decide. */
struct mt_claim {
	uint64_t start, end;
	uint32_t kind;          /* enum mt_kind */
	uint32_t evidence;      /* MT_EVIDENCE_RUNTIME or MT_EVIDENCE_TRACED */
	const char *source;     /* where it was read: "NMT: Java Heap"; for a traced
	                           claim how by_func decided ("created in",
	                           "mapped by"); static storage */
	/* traced: the frame of the creating stack that decided, which
	 * outlives the classification: the one a rule matched, or the caller
	 * that mapped the region itself (the first frame outside the C
	 * library); by_func NULL for a runtime's claim */
	const char *by_func, *by_file;
	int by_line;
};

/* A growing list of claims. */
struct mt_claims {
	struct mt_claim *v;
	size_t n, cap;
};
/* Add [start, end) as kind; 0 or -ENOMEM. */
int mt_claims_add(struct mt_claims *c, uint64_t start, uint64_t end, enum mt_kind kind,
		  enum mt_evidence evidence, const char *source);
void mt_claims_free(struct mt_claims *c);

/* For ELF kinds: which kind of object the file is. */
enum mt_role {
	MT_ROLE_NONE = 0,
	MT_ROLE_PROGRAM,   /* the process's executable */
	MT_ROLE_LIBRARY,   /* a shared library (or other mapped ELF object) */
	MT_ROLE_LOADER,    /* the dynamic loader (ld-linux*, ld-musl*) */
};

const char *mt_kind_id(enum mt_kind k);       /* "thread-stack"; "?" when out of range */
const char *mt_kind_about(enum mt_kind k);    /* one plain sentence on the kind */
int mt_kind_parse(const char *s, size_t len); /* enum value, -1 when unknown */
const char *mt_role_id(enum mt_role r);       /* "program", "library", "loader"; NULL for none */

/* A malloc that replaces the C library's, as a library the process maps
 * (LD_PRELOAD or linked): then glibc's arenas are not made, and the
 * anonymous memory nothing else explains is its. */
enum mt_allocator {
	MT_ALLOCATOR_LIBC = 0,   /* the C library's own */
	MT_ALLOCATOR_JEMALLOC,   /* libjemalloc.so */
	MT_ALLOCATOR_TCMALLOC,   /* libtcmalloc*.so (gperftools) */
	MT_ALLOCATOR_MIMALLOC,   /* libmimalloc.so */
};
enum mt_allocator mt_allocator_of_regions(const struct mt_region *r, size_t n);
/* Its malloc, in one phrase, when not the C library's (else NULL). */
const char *mt_allocator_about(enum mt_allocator a);
/* The kind of its memory (MT_KIND_JEMALLOC...); MT_KIND_ANON for the C library's. */
enum mt_kind mt_allocator_kind(enum mt_allocator a);

const char *mt_libc_id(enum mt_libc l);         /* "glibc", "musl", "uclibc-ng", "other", "unknown" */
const char *mt_libc_allocator(enum mt_libc l);  /* its malloc, in one phrase */
/* glibc's words (main arena, arenas, its thread-stack cache) fit a process
 * on glibc, and one whose C library is not known (as before it was asked) */
bool mt_libc_glibc_terms(enum mt_libc l);
/* "musl's", "uClibc-ng's", "the program's" malloc */
const char *mt_libc_malloc_owner(enum mt_libc l);
/* The C library a dynamically linked process maps (its libc or loader
 * names it: libc.so.6, ld-musl-*, libuClibc-*), UNKNOWN if none does (a
 * static program: see mt_libc_of_file() in elfsegs.h). */
enum mt_libc mt_libc_of_regions(const struct mt_region *r, size_t n);
/* The kind's sentence for a process on libc l (heap, thread stacks and
 * large malloc blocks are described in that library's terms). */
const char *mt_kind_about_libc(enum mt_kind k, enum mt_libc l);

#define MT_DESC_MAX 160

/* The answer for one region. */
struct mt_class {
	uint32_t kind;        /* enum mt_kind */
	uint32_t role;        /* enum mt_role (ELF kinds, deleted ELF files) */
	int32_t tid;          /* thread-stack / guard-page / main-stack: the thread, 0 unknown */
	uint32_t index;       /* malloc-arena / arena-reserve: arena heap number (1-based) */
	uint32_t evidence;    /* enum mt_evidence */
	char desc[MT_DESC_MAX]; /* one line, plain language; may quote raw name bytes */
};

/* Classify n regions (address order, as parsed). stats may be NULL (no
 * smaps); f may have no threads or ELF files; claims may be NULL or empty
 * (in any order). out has n entries. Returns 0, -ENOMEM, or -EINVAL when
 * the regions are not in address order. */
int mt_classify(const struct mt_region *regions, const struct mt_smaps_stat *stats,
		size_t n, const struct mt_proc_facts *f, const struct mt_claims *claims,
		struct mt_class *out);

#endif /* MAPTRACE_CLASSIFY_H */
