// SPDX-License-Identifier: GPL-2.0
/* test_runtimes.c - what runtimes say about their memory: a HotSpot
 * JVM's report on its ranges, parsed from recorded reports of OpenJDK 17
 * with the serial collector (tests/unit/data/hotspot17-serial.*: jcmd
 * VM.native_memory detail, VM.info and VM.metaspace vslist, cut to their
 * address lines), those ranges as claims applied by the classifier, a
 * malloc other than glibc's, known by the library a process maps, a Go
 * program (its build information and its runtime's fixed layout), a V8
 * process (where V8 maps its pages) and CPython's obmalloc pool headers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/classify.h"
#include "analyze/runtimes.h"
#include "proc/golang.h"
#include "proc/hotspot.h"
#include "proc/pymalloc.h"

#define MiB (1024ull * 1024)

static char *slurp(const char *name)
{
	char path[128];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "tests/unit/data/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t count(const struct mt_hs_ranges *r, enum mt_hs_category c, bool committed)
{
	size_t n = 0;

	for (size_t k = 0; k < r->n; k++)
		n += r->v[k].category == c && r->v[k].committed == committed;
	return n;
}

/* Every reservation with its category; committed parts flagged; the
 * stack frames under each line ignored. */
static void test_nmt(void **state)
{
	char *text = slurp("hotspot17-serial.nmt");
	struct mt_hs_ranges r = { 0 };

	(void)state;
	assert_int_equal(mt_hs_parse_nmt(text, &r), 0);
	assert_int_equal(count(&r, MT_HS_JAVA_HEAP, false), 1);
	assert_int_equal(count(&r, MT_HS_CLASS, false), 1);
	assert_int_equal(count(&r, MT_HS_METASPACE, false), 1);
	assert_int_equal(count(&r, MT_HS_SHARED_CLASS, false), 1);
	assert_int_equal(count(&r, MT_HS_CODE, false), 4);
	assert_int_equal(count(&r, MT_HS_GC, false), 2);
	assert_int_equal(count(&r, MT_HS_THREAD_STACK, false), 14);
	assert_int_equal(count(&r, MT_HS_OTHER, false), 3);   /* Internal x2, Safepoint */
	assert_true(count(&r, MT_HS_JAVA_HEAP, true) >= 1);
	/* the heap: the first line of the map */
	assert_int_equal(r.v[0].category, MT_HS_JAVA_HEAP);
	assert_int_equal(r.v[0].start, 0x687400000ull);
	assert_int_equal(r.v[0].end, 0x800000000ull);
	assert_false(r.v[0].committed);
	assert_true(r.v[1].committed);
	assert_true(r.v[1].start >= r.v[0].start && r.v[1].end <= r.v[0].end);
	mt_hs_ranges_free(&r);
	free(text);
}

/* VM.info: the heap, the archive up to the class space, the class space,
 * the three code heaps; the version. */
static void test_vminfo(void **state)
{
	char *text = slurp("hotspot17-serial.vminfo");
	struct mt_hs_ranges r = { 0 };
	char version[80];

	(void)state;
	assert_int_equal(mt_hs_parse_vminfo(text, &r), 0);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.v[0].category, MT_HS_JAVA_HEAP);
	assert_int_equal(r.v[0].start, 0x687400000ull);
	assert_int_equal(r.v[0].end, 0x687400000ull + 6028 * MiB);
	assert_int_equal(r.v[1].category, MT_HS_SHARED_CLASS);
	assert_int_equal(r.v[1].start, 0x7f329f000000ull);
	assert_int_equal(r.v[1].end, 0x7f32a0000000ull);     /* to the class space */
	assert_int_equal(r.v[2].category, MT_HS_CLASS);
	assert_int_equal(r.v[2].end - r.v[2].start, 1024 * MiB);
	for (int k = 3; k < 6; k++)
		assert_int_equal(r.v[k].category, MT_HS_CODE);
	assert_int_equal(r.v[3].start, 0x7f32e8ec7000ull);
	assert_int_equal(r.v[3].end, 0x7f32f0400000ull);
	assert_true(mt_hs_parse_version(text, version, sizeof(version)));
	assert_string_equal(version, "17.0.15+6-Debian-1deb12u1");
	mt_hs_ranges_free(&r);
	free(text);
}

/* VM.info's GC lines (G1, JDK 17): the card table and both marking
 * bitmaps, not the line naming the bitmaps' objects. */
static void test_vminfo_gc(void **state)
{
	static const char text[] =
		"Card table byte_map: [0x00007f8867c74000,0x00007f886883a000] _byte_map_base: 0x00007f886483a000\n"
		"\n"
		"Marking Bits (Prev, Next): (CMBitMap*) 0x00007f8880042250, (CMBitMap*) 0x00007f8880042290\n"
		" Prev Bits: [0x00007f886127e000, 0x00007f88670ae000)\n"
		" Next Bits: [0x00007f885b44e000, 0x00007f886127e000)\n";
	struct mt_hs_ranges r = { 0 };

	(void)state;
	assert_int_equal(mt_hs_parse_vminfo(text, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(count(&r, MT_HS_GC, false), 3);
	assert_int_equal(r.v[0].start, 0x7f8867c74000ull);
	assert_int_equal(r.v[0].end, 0x7f886883a000ull);
	assert_int_equal(r.v[2].start, 0x7f885b44e000ull);
	assert_int_equal(r.v[2].end, 0x7f886127e000ull);
	mt_hs_ranges_free(&r);
}

static void test_metaspace(void **state)
{
	char *text = slurp("hotspot17-serial.metaspace");
	struct mt_hs_ranges r = { 0 };

	(void)state;
	assert_int_equal(mt_hs_parse_metaspace(text, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].category, MT_HS_METASPACE);
	assert_int_equal(r.v[0].end - r.v[0].start, 64 * MiB);
	assert_int_equal(r.v[1].category, MT_HS_CLASS);
	assert_int_equal(r.v[1].end - r.v[1].start, 1024 * MiB);
	mt_hs_ranges_free(&r);
	free(text);
}

static void test_garbage(void **state)
{
	struct mt_hs_ranges r = { 0 };
	char v[8], version[80];

	(void)state;
	assert_int_equal(mt_hs_parse_nmt("Native memory tracking is not enabled\n", &r), 0);
	assert_int_equal(mt_hs_parse_vminfo("Heap address: 0xzz\n bounds [0x1, 0x2]\n", &r), 0);
	assert_int_equal(mt_hs_parse_metaspace("- node #0: base 0x1000: reserved=4.00 KB\n", &r), 0);
	assert_int_equal(r.n, 0);    /* a node outside a "vsl" list is not taken */
	assert_false(mt_hs_parse_version("", v, sizeof(v)));
	/* VM.version's answer, as the attach socket gives it */
	assert_true(mt_hs_parse_version("OpenJDK 64-Bit Server VM version 17.0.15+6-Debian-1deb12u1\n"
					"JDK 17.0.15\n", version, sizeof(version)));
	assert_string_equal(version, "17.0.15+6-Debian-1deb12u1");
	assert_int_equal(mt_hs_category_of("Thread Stack", 12), MT_HS_THREAD_STACK);
	assert_int_equal(mt_hs_category_of("Symbol", 6), MT_HS_OTHER);
}

#define R(s, e, p, n) { .start = (s), .end = (e), .perms = (p), .name = (n) }
#define RW (MT_PERM_READ | MT_PERM_WRITE)
#define NONE 0u

/* Claims relabel what no name decided: the heap's two regions, a region
 * two claims share (the one covering most of it wins), a thread stack
 * with its guard zone (keeping its thread); never a named region. */
static void test_claims(void **state)
{
	struct mt_region r[] = {
		R(0x600000000, 0x640000000, RW, NULL),        /* heap, committed */
		R(0x640000000, 0x700000000, NONE, NULL),      /* heap, reserved */
		R(0x7f0000000000, 0x7f0000300000, RW, NULL),  /* 1 MiB GC + 2 MiB metaspace */
		R(0x7f0000400000, 0x7f0000404000, NONE, NULL),/* guard zone */
		R(0x7f0000404000, 0x7f0000500000, RW, NULL),  /* stack of thread 11 */
		R(0x7f0000600000, 0x7f0000700000, RW, "[heap]"),
	};
	struct mt_thread th[] = {
		{ .sp = 0x7f00004ff000, .tid = 11, .flags = MT_THREAD_SP_KNOWN, .comm = "VM Thread" },
	};
	struct mt_proc_facts f = { .pid = 10, .threads = th, .nthreads = 1, .libc = MT_LIBC_GLIBC };
	struct mt_hs_range hr[] = {
		{ 0x600000000, 0x700000000, MT_HS_JAVA_HEAP, false },
		{ 0x600000000, 0x610000000, MT_HS_JAVA_HEAP, true },
		{ 0x7f0000000000, 0x7f0000100000, MT_HS_GC, false },
		{ 0x7f0000100000, 0x7f0000300000, MT_HS_METASPACE, false },
		{ 0x7f0000600000, 0x7f0000700000, MT_HS_OTHER, false },
	};
	struct mt_hs_report rep = { .ranges = { hr, 5, 5 }, .nmt = false };
	struct mt_claims claims = { 0 };
	struct mt_class c[6];

	(void)state;
	assert_int_equal(mt_hotspot_claims(&rep, r, 6, &f, &claims), 0);
	assert_int_equal(claims.n, 5);   /* 4 reservations + the thread's stack */
	assert_int_equal(mt_classify(r, NULL, 6, &f, &claims, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_JAVA_HEAP);
	assert_int_equal(c[0].evidence, MT_EVIDENCE_RUNTIME);
	assert_non_null(strstr(c[0].desc, "VM.info"));
	assert_int_equal(c[1].kind, MT_KIND_JAVA_HEAP);
	assert_int_equal(c[2].kind, MT_KIND_JAVA_METASPACE);
	assert_int_equal(c[3].kind, MT_KIND_JAVA_THREAD_STACK);
	assert_int_equal(c[4].kind, MT_KIND_JAVA_THREAD_STACK);
	assert_int_equal(c[4].tid, 11);
	assert_int_equal(c[5].kind, MT_KIND_HEAP);
	assert_int_equal(c[5].evidence, MT_EVIDENCE_KERNEL);
	mt_claims_free(&claims);

	/* a 1 GiB reservation right below a Java thread's stack is no
	 * guard zone: it stays a reservation */
	{
		struct mt_region big[] = {
			R(0x7f1000000000, 0x7f1040000000, NONE, NULL),
			R(0x7f1040000000, 0x7f1040100000, RW, NULL),
		};
		struct mt_hs_report none = { .nmt = false };

		th[0].sp = 0x7f10400ff000;
		assert_int_equal(mt_hotspot_claims(&none, big, 2, &f, &claims), 0);
		assert_int_equal(claims.n, 1);
		assert_int_equal(mt_classify(big, NULL, 2, &f, &claims, c), 0);
		assert_int_equal(c[0].kind, MT_KIND_RESERVATION);
		assert_int_equal(c[1].kind, MT_KIND_JAVA_THREAD_STACK);
		assert_int_equal(c[1].tid, 11);
		mt_claims_free(&claims);
	}
}

/* Without claims, the shape passes say they are heuristics. */
static void test_evidence(void **state)
{
	struct mt_region r[] = {
		R(0x7f0000000000, 0x7f0000100000, RW, NULL),
		R(0x7f0000200000, 0x7f0000300000, NONE, NULL),
		R(0x7f0000400000, 0x7f0000500000, RW, "[stack]"),
	};
	struct mt_proc_facts f = { .pid = 10, .libc = MT_LIBC_GLIBC };
	struct mt_class c[3];

	(void)state;
	assert_int_equal(mt_classify(r, NULL, 3, &f, NULL, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_LARGE_MALLOC);
	assert_string_equal(mt_evidence_id(c[0].evidence), "heuristic");
	assert_int_equal(c[1].kind, MT_KIND_RESERVATION);
	assert_string_equal(mt_evidence_id(c[1].evidence), "kernel");
	assert_string_equal(mt_evidence_id(c[2].evidence), "kernel");
}

/* jemalloc's MAP_NORESERVE extents and tcmalloc's brk heap are theirs;
 * no glibc arena is guessed; small regions stay unknown; musl's mmaps
 * are musl's malloc's. */
static void test_allocators(void **state)
{
	struct mt_region r[] = {
		R(0x55500000, 0x55600000, RW, "[heap]"),
		R(0x7f0000000000, 0x7f0004000000, RW, NULL),       /* 64 MiB at a 64 MiB boundary */
		R(0x7f0004000000, 0x7f0004002000, RW, NULL),       /* 8 KiB */
		R(0x7f1000000000, 0x7f1000001000, RW | MT_PERM_EXEC, "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"),
	};
	struct mt_proc_facts f = { .pid = 10, .libc = MT_LIBC_GLIBC };
	struct mt_class c[4];

	(void)state;
	assert_int_equal(mt_allocator_of_regions(r, 4), MT_ALLOCATOR_JEMALLOC);
	r[3].name = "/usr/lib/libtcmalloc_minimal.so.4";
	assert_int_equal(mt_allocator_of_regions(r, 4), MT_ALLOCATOR_TCMALLOC);
	r[3].name = "/usr/lib/libmimalloc.so.2.0";
	assert_int_equal(mt_allocator_of_regions(r, 4), MT_ALLOCATOR_MIMALLOC);
	r[3].name = "/usr/lib/libc.so.6";
	assert_int_equal(mt_allocator_of_regions(r, 4), MT_ALLOCATOR_LIBC);

	f.allocator = MT_ALLOCATOR_JEMALLOC;
	assert_int_equal(mt_classify(r, NULL, 3, &f, NULL, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_HEAP);
	assert_int_equal(c[1].kind, MT_KIND_JEMALLOC);     /* not a glibc arena */
	assert_int_equal(c[1].evidence, MT_EVIDENCE_RUNTIME);
	assert_int_equal(c[2].kind, MT_KIND_ANON);

	f.allocator = MT_ALLOCATOR_TCMALLOC;
	assert_int_equal(mt_classify(r, NULL, 3, &f, NULL, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_TCMALLOC);
	assert_int_equal(c[1].kind, MT_KIND_TCMALLOC);

	f.allocator = MT_ALLOCATOR_LIBC;
	f.libc = MT_LIBC_MUSL;
	assert_int_equal(mt_classify(r, NULL, 3, &f, NULL, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_HEAP);
	assert_int_equal(c[1].kind, MT_KIND_MUSL_MALLOC);

	f.libc = MT_LIBC_GLIBC;   /* glibc's own: the arena shape */
	assert_int_equal(mt_classify(r, NULL, 3, &f, NULL, c), 0);
	assert_int_equal(c[1].kind, MT_KIND_MALLOC_ARENA);
}

/* Go's .go.buildinfo: the version inline (Go 1.18 and later, as go1.19.8
 * writes it); pointers instead (before 1.18: a Go program, version
 * unknown); no magic, or a length past the end: no build information. */
static void test_go_buildinfo(void **state)
{
	uint8_t d[64] = "\xff Go buildinf:\x08\x02";
	char ver[16];

	(void)state;
	memcpy(d + 32, "\x08go1.19.8", 9);
	assert_int_equal(mt_go_buildinfo_parse(d, sizeof(d), ver, sizeof(ver)), 0);
	assert_string_equal(ver, "go1.19.8");
	assert_int_equal(mt_go_buildinfo_parse(d, sizeof(d), ver, 5), 0);
	assert_string_equal(ver, "go1.");                      /* cut to the buffer */
	d[15] = 0;                                              /* not inline */
	assert_int_equal(mt_go_buildinfo_parse(d, sizeof(d), ver, sizeof(ver)), 0);
	assert_string_equal(ver, "");
	d[15] = 2;
	d[32] = 0x7f;                                           /* 127 bytes: past the end */
	assert_int_equal(mt_go_buildinfo_parse(d, sizeof(d), ver, sizeof(ver)), -EINVAL);
	assert_int_equal(mt_go_buildinfo_parse(d, 31, ver, sizeof(ver)), -EINVAL);
	d[1] = 'X';
	assert_int_equal(mt_go_buildinfo_parse(d, sizeof(d), ver, sizeof(ver)), -EINVAL);
	assert_int_equal(mt_go_buildinfo_read("tests/unit/test_runtimes.c", ver, sizeof(ver)), -ENOENT);
}

/* A Go program: its arenas at the fixed hint are its heap, rw or not yet
 * (PROT_NONE), and keep a thread's stack pointer (a goroutine's stack is
 * in them); what else it maps is metadata, the runtime's own when no C
 * code is linked in, a guess when it is (cgo); the top-down mmap area at
 * 0x7f.. is no arena even in the last hints' windows. */
static void test_go(void **state)
{
	struct mt_region r[] = {
		R(0xc000000000, 0xc004400000, RW, NULL),
		R(0xc004400000, 0xc008000000, NONE, NULL),
		R(0x7fc5f0000000, 0x7fc5f0200000, RW, NULL),
		R(0x7fc5f0200000, 0x7fc600000000, NONE, NULL),
	};
	struct mt_thread th = { .tid = 11, .sp = 0xc000100000, .flags = MT_THREAD_SP_KNOWN };
	struct mt_proc_facts f = { .pid = 10, .threads = &th, .nthreads = 1, .libc = MT_LIBC_OTHER,
				   .runtime = MT_RUNTIME_GO };
	struct mt_class c[4];

	(void)state;
	assert_int_equal(mt_classify(r, NULL, 4, &f, NULL, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_GO_HEAP);
	assert_int_equal(c[0].evidence, MT_EVIDENCE_RUNTIME);
	assert_int_equal(c[1].kind, MT_KIND_GO_HEAP);
	assert_int_equal(c[2].kind, MT_KIND_GO_METADATA);
	assert_int_equal(c[2].evidence, MT_EVIDENCE_RUNTIME);
	assert_int_equal(c[3].kind, MT_KIND_GO_METADATA);

	f.libc = MT_LIBC_GLIBC;   /* cgo */
	assert_int_equal(mt_classify(r, NULL, 4, &f, NULL, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_GO_HEAP);
	assert_int_equal(c[2].kind, MT_KIND_GO_METADATA);
	assert_int_equal(c[2].evidence, MT_EVIDENCE_HEURISTIC);

	f.runtime = MT_RUNTIME_NONE;   /* the same shapes without Go's facts */
	assert_int_equal(mt_classify(r, NULL, 4, &f, NULL, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_THREAD_STACK);
}

/* A V8 process: pages at 256 KiB-aligned addresses below 64 TiB are its
 * heap, the run of regions around anonymous code its code range (not a
 * glibc arena, though it starts at 64 MiB), both guesses; the mmap area's
 * aligned regions are no pages of V8's; libnode.so names V8. */
static void test_v8(void **state)
{
	struct mt_region r[] = {
		R(0x1cdc0000000, 0x1cdc0040000, RW, NULL),
		R(0x307b04c0000, 0x307b0585000, RW, NULL),          /* a large object */
		R(0x307b0601000, 0x307b0602000, RW, NULL),          /* not aligned */
		R(0x7f7ec4000000, 0x7f7ec4002000, RW, NULL),
		R(0x7f7ec4002000, 0x7f7ec4003000, NONE, NULL),
		R(0x7f7ec4003000, 0x7f7ec403f000, RW | MT_PERM_EXEC, NULL),
		R(0x7f7ec403f000, 0x7f7ee4000000, NONE, NULL),
		R(0x7f7ee8000000, 0x7f7ee8040000, RW, NULL),        /* aligned, in the mmap area */
		R(0x7f7ee8040000, 0x7f7eec000000, NONE, NULL),
	};
	struct mt_proc_facts f = { .pid = 10, .libc = MT_LIBC_GLIBC, .runtime = MT_RUNTIME_V8 };
	struct mt_class c[9];

	(void)state;
	assert_int_equal(mt_classify(r, NULL, 9, &f, NULL, c), 0);
	assert_int_equal(c[0].kind, MT_KIND_V8_HEAP);
	assert_int_equal(c[0].evidence, MT_EVIDENCE_HEURISTIC);
	assert_int_equal(c[1].kind, MT_KIND_V8_HEAP);
	assert_int_not_equal(c[2].kind, MT_KIND_V8_HEAP);
	for (size_t i = 3; i <= 6; i++)
		assert_int_equal(c[i].kind, MT_KIND_V8_CODE);
	assert_int_equal(c[7].kind, MT_KIND_MALLOC_ARENA);
	assert_int_equal(c[8].kind, MT_KIND_ARENA_RESERVE);

	r[1].name = "/usr/lib/x86_64-linux-gnu/libnode.so.108";
	assert_int_equal(mt_runtime_of_regions(r, 9), MT_RUNTIME_V8);
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* obmalloc's pool headers: one in use (size class 2: 48-byte blocks), one
 * emptied (DUMMY_SIZE_IDX, count 0, offsets kept); offsets of no size
 * class, a free block outside the pool, a count in an emptied pool, an
 * unaligned pool: none. */
static void test_pymalloc(void **state)
{
	const uint64_t at = 0x7f0000004000;
	uint8_t h[MT_PY_POOL_HDR] = { 0 };
	uint32_t index = 0;

	(void)state;
	put64(h, 5);                                   /* ref.count */
	put64(h + 8, at + 48 + 3 * 48);                /* freeblock */
	put32(h + 32, 7);                              /* arenaindex */
	put32(h + 36, 2);                              /* szidx */
	put32(h + 40, 48 + 6 * 48);                    /* nextoffset */
	put32(h + 44, MT_PY_POOL - 48);                /* maxnextoffset */
	assert_true(mt_py_pool_header(h, at, &index));
	assert_int_equal(index, 7);
	assert_false(mt_py_pool_header(h, at + 4096, &index));
	put32(h + 36, 3);                              /* szidx of other blocks */
	assert_false(mt_py_pool_header(h, at, &index));
	put32(h + 36, 0xffff);                         /* emptied, but counting */
	assert_false(mt_py_pool_header(h, at, &index));
	put64(h, 0);
	assert_true(mt_py_pool_header(h, at, &index));
	put64(h + 8, at + MT_PY_POOL);                 /* the next pool's */
	assert_false(mt_py_pool_header(h, at, &index));
	put64(h + 8, 0);
	put32(h + 40, 48 + 6 * 48 + 8);                /* not on a block */
	assert_false(mt_py_pool_header(h, at, &index));
	memset(h, 0, sizeof(h));                       /* an untouched page */
	assert_false(mt_py_pool_header(h, at, &index));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nmt),
		cmocka_unit_test(test_vminfo),
		cmocka_unit_test(test_vminfo_gc),
		cmocka_unit_test(test_metaspace),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_evidence),
		cmocka_unit_test(test_allocators),
		cmocka_unit_test(test_go_buildinfo),
		cmocka_unit_test(test_go),
		cmocka_unit_test(test_v8),
		cmocka_unit_test(test_pymalloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
