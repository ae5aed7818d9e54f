// SPDX-License-Identifier: GPL-2.0
/* test_classify.c - unit tests for the region classifier (user/analyze/classify.c).
 *
 * Synthetic address spaces written as maps text cover each kind and each
 * rule's edges (arena alignment, guard sizes, bss limits, segments sharing a
 * file page...). Recorded snapshots of real processes (tests/unit/data/,
 * made by capture.sh: smaps text plus thread stack pointers and the mapped
 * files' PT_LOAD headers) check the answers on what glibc and the kernel
 * really lay out: a program with three threads, their arenas and large
 * malloc chunks; /bin/sleep; python3 with a second thread. The last test
 * reads this very process, with a thread blocked in read().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/classify.h"

#define MiB (1024ull * 1024)

/* ---- helpers -------------------------------------------------------------- */

struct space {
	struct mt_maps m;
	struct mt_smaps_stat *st;     /* zeroed; tests set flags */
	struct mt_class *cls;
};

static void parse_space(struct space *s, const char *maps)
{
	size_t bad = 0;

	if (mt_maps_parse(maps, strlen(maps), &s->m, &bad))
		fail_msg("synthetic maps line %zu does not parse", bad);
	s->st = calloc(s->m.count, sizeof(*s->st));
	s->cls = calloc(s->m.count, sizeof(*s->cls));
	assert_non_null(s->st);
	assert_non_null(s->cls);
}

static void classify(struct space *s, const struct mt_proc_facts *f, bool with_stats)
{
	assert_int_equal(mt_classify(s->m.regions, with_stats ? s->st : NULL, s->m.count, f, NULL, s->cls), 0);
}

static void free_space(struct space *s)
{
	mt_maps_free(&s->m);
	free(s->st);
	free(s->cls);
}

/* Index of the region that starts at start. */
static size_t at(const struct space *s, uint64_t start)
{
	for (size_t i = 0; i < s->m.count; i++)
		if (s->m.regions[i].start == start)
			return i;
	fail_msg("no region starts at %#llx", (unsigned long long)start);
	return 0;
}

/* Index of the region holding addr. */
static size_t holding(const struct mt_maps *m, uint64_t addr)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->regions[i].start <= addr && addr < m->regions[i].end)
			return i;
	fail_msg("no region holds %#llx", (unsigned long long)addr);
	return 0;
}

static void expect_kind(const struct mt_class *c, enum mt_kind k, const char *desc_part)
{
	if (c->kind != (uint32_t)k)
		fail_msg("kind %s, want %s (desc: %s)", mt_kind_id(c->kind), mt_kind_id(k), c->desc);
	if (desc_part && !strstr(c->desc, desc_part))
		fail_msg("%s: description \"%s\" lacks \"%s\"", mt_kind_id(k), c->desc, desc_part);
}

#define EXPECT(s, start, kind, part) expect_kind(&(s)->cls[at((s), (start))], (kind), (part))

static size_t count_kind(const struct mt_class *c, size_t n, enum mt_kind k)
{
	size_t cnt = 0;

	for (size_t i = 0; i < n; i++)
		cnt += c[i].kind == (uint32_t)k;
	return cnt;
}

static struct mt_proc_facts base_facts(void)
{
	struct mt_proc_facts f = {
		.pid = 100, .comm = "prog", .exe = "/usr/bin/prog", .exe_inode = 11,
		.stack_limit = 8 * MiB, .page_size = 4096,
	};
	return f;
}

/* ---- names, ids, sizes ----------------------------------------------------- */

static void test_kind_ids(void **state)
{
	(void)state;
	for (int k = 0; k < MT_KIND_COUNT; k++) {
		const char *id = mt_kind_id((enum mt_kind)k);

		assert_int_equal(mt_kind_parse(id, strlen(id)), k);
		assert_true(strlen(mt_kind_about((enum mt_kind)k)) > 10);
		for (int j = 0; j < k; j++)
			assert_string_not_equal(id, mt_kind_id((enum mt_kind)j));
	}
	assert_string_equal(mt_kind_id(MT_KIND_THREAD_STACK), "thread-stack");
	assert_string_equal(mt_kind_id(MT_KIND_ELF_BSS), "elf-bss");
	assert_string_equal(mt_kind_id(MT_KIND_COUNT), "?");
	assert_int_equal(mt_kind_parse("heap", 4), MT_KIND_HEAP);
	assert_int_equal(mt_kind_parse("heapx", 5), -1);
	assert_int_equal(mt_kind_parse("hea", 3), -1);
	assert_int_equal(mt_kind_parse("", 0), -1);
	assert_string_equal(mt_role_id(MT_ROLE_LOADER), "loader");
	assert_null(mt_role_id(MT_ROLE_NONE));
}

static void test_size_str(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(mt_size_str(0, b), "0");
	assert_string_equal(mt_size_str(1023, b), "1023B");
	assert_string_equal(mt_size_str(4096, b), "4K");
	assert_string_equal(mt_size_str(132 * 1024, b), "132K");
	assert_string_equal(mt_size_str(8 * MiB, b), "8M");
	assert_string_equal(mt_size_str(8 * MiB + 4096, b), "8.0M");
	assert_string_equal(mt_size_str(1536 * 1024, b), "1.5M");
	assert_string_equal(mt_size_str(64 * MiB, b), "64M");
	assert_string_equal(mt_size_str(3 * 1024 * MiB / 2, b), "1.5G");
	assert_string_equal(mt_size_str(UINT64_MAX, b), "16E");
}

static void test_special_names(void **state)
{
	static const char maps[] =
		"1000-2000 rw-p 00000000 00:00 0 [heap]\n"
		"3000-4000 ---p 00000000 00:00 0 \n"
		"4000-5000 rw-p 00000000 00:00 0 [stack]\n"
		"5000-6000 r-xp 00000000 00:00 0 [vdso]\n"
		"6000-7000 r--p 00000000 00:00 0 [vvar]\n"
		"7000-8000 r--p 00000000 00:00 0 [vvar_vclock]\n"
		"8000-9000 rw-p 00000000 00:00 0 [anon:my pool]\n"
		"9000-a000 rw-s 00000000 00:01 5 [anon_shmem:shared ring]\n"
		"a000-b000 r-xp 00000000 00:00 0 [uprobes]\n"
		"b000-c000 r--p 00000000 00:00 0 [mystery]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	parse_space(&s, maps);
	classify(&s, &f, false);
	EXPECT(&s, 0x1000, MT_KIND_HEAP, "brk");
	EXPECT(&s, 0x3000, MT_KIND_GUARD_PAGE, "below the stack of thread 100");
	EXPECT(&s, 0x4000, MT_KIND_MAIN_STACK, "main thread (TID 100)");
	assert_int_equal(s.cls[at(&s, 0x4000)].tid, 100);
	assert_int_equal(s.cls[at(&s, 0x3000)].tid, 100);
	EXPECT(&s, 0x5000, MT_KIND_VDSO, NULL);
	EXPECT(&s, 0x6000, MT_KIND_VVAR, NULL);
	EXPECT(&s, 0x7000, MT_KIND_VVAR, NULL);
	EXPECT(&s, 0x8000, MT_KIND_ANON_NAMED, "\"my pool\"");
	EXPECT(&s, 0x9000, MT_KIND_ANON_NAMED, "shared anonymous memory named \"shared ring\"");
	EXPECT(&s, 0xa000, MT_KIND_ANON, "uprobe");
	EXPECT(&s, 0xb000, MT_KIND_ANON, "[mystery]");
	EXPECT(&s, 0xffffffffff600000ull, MT_KIND_VSYSCALL, NULL);
	free_space(&s);
}

static void test_shared_and_kernel_objects(void **state)
{
	static const char maps[] =
		"10000-11000 rw-s 00000000 00:01 1000 /dev/zero (deleted)\n"
		"11000-12000 rw-s 00000000 00:01 32769 /SYSV0000abcd (deleted)\n"
		"12000-13000 r--s 00000000 00:01 32770 /SYSV00000000 (deleted)\n"
		"13000-14000 rw-s 00000000 00:01 77 /memfd:pool (deleted)\n"
		"14000-15000 r-xp 00000000 00:01 78 /memfd:jit-code (deleted)\n"
		"15000-16000 rw-s 00000000 00:0e 79 anon_inode:[io_uring]\n"
		"16000-17000 rw-s 00000000 00:10 80 /[aio] (deleted)\n"
		"17000-18000 rw-s 00000000 00:0e 81 anon_inode:[perf_event]\n"
		"18000-19000 rw-s 00000000 00:0e 82 anon_inode:bpf-map\n"
		"19000-1a000 rw-s 00000000 00:0e 83 anon_inode:dmabuf\n"
		"1a000-1b000 rw-s 00000000 00:05 84 /dev/fb0\n"
		"1b000-1c000 rw-s 00000000 00:19 85 /dev/shm/queue\n"
		"1c000-1d000 r--p 00000000 fe:00 86 /tmp/data.bin (deleted)\n"
		"1d000-1e000 r--p 00000000 fe:00 87 /usr/lib/locale/locale-archive\n"
		"1e000-1f000 rw-s 00000000 fe:00 88 /var/db/table\n"
		"1f000-20000 r--s 00000000 fe:00 89 /var/db/ro\n"
		"20000-21000 rw-p 00000000 fe:00 90 /var/db/cow\n"
		"21000-22000 ---p 00000000 fe:00 91 /var/db/none\n"
		"22000-23000 r--p 00000000 00:00 0 \n"
		"23000-24000 rwxp 00000000 00:00 0 \n";
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	parse_space(&s, maps);
	classify(&s, &f, false);
	EXPECT(&s, 0x10000, MT_KIND_SHARED_ANON, "MAP_SHARED|MAP_ANONYMOUS");
	EXPECT(&s, 0x11000, MT_KIND_SYSV_SHM, "key 0x0000abcd (shmid 32769)");
	EXPECT(&s, 0x12000, MT_KIND_SYSV_SHM, "IPC_PRIVATE (shmid 32770)");
	EXPECT(&s, 0x13000, MT_KIND_MEMFD, "memfd \"pool\"");
	EXPECT(&s, 0x14000, MT_KIND_JIT_CODE, "executable memfd \"jit-code\"");
	EXPECT(&s, 0x15000, MT_KIND_IO_RING, "io_uring");
	EXPECT(&s, 0x16000, MT_KIND_IO_RING, "AIO");
	EXPECT(&s, 0x17000, MT_KIND_PERF_RING, NULL);
	EXPECT(&s, 0x18000, MT_KIND_BPF_RING, "bpf-map");
	EXPECT(&s, 0x19000, MT_KIND_FILE, "kernel object dmabuf");
	EXPECT(&s, 0x1a000, MT_KIND_DEVICE, NULL);
	EXPECT(&s, 0x1b000, MT_KIND_FILE, "POSIX shared memory");
	EXPECT(&s, 0x1c000, MT_KIND_DELETED_FILE, "deleted");
	EXPECT(&s, 0x1d000, MT_KIND_FILE, "locale");
	EXPECT(&s, 0x1e000, MT_KIND_FILE, "shared and writable");
	EXPECT(&s, 0x1f000, MT_KIND_FILE, "shared, read-only");
	EXPECT(&s, 0x20000, MT_KIND_FILE, "copy-on-write");
	EXPECT(&s, 0x21000, MT_KIND_RESERVATION, "PROT_NONE");
	EXPECT(&s, 0x22000, MT_KIND_ANON, "read-only");
	EXPECT(&s, 0x23000, MT_KIND_JIT_CODE, "JIT");
	for (size_t i = 0; i < s.m.count; i++)
		assert_int_equal(s.cls[i].role, MT_ROLE_NONE);
	free_space(&s);
}

/* ---- ELF segments ---------------------------------------------------------- */

/* libfoo.so: R (headers), RX, R, RW with RELRO and a 16 KiB bss tail. */
static const struct mt_elf_file libfoo = {
	.inode = 42, .dev = MT_MKDEV(0xfe, 0), .nseg = 4,
	.seg = {
		{ .offset = 0x0000, .vaddr = 0x0000, .filesz = 0x1800, .memsz = 0x1800, .flags = MT_SEG_R },
		{ .offset = 0x2000, .vaddr = 0x2000, .filesz = 0x3000, .memsz = 0x3000, .flags = MT_SEG_R | MT_SEG_X },
		{ .offset = 0x5000, .vaddr = 0x5000, .filesz = 0x1000, .memsz = 0x1000, .flags = MT_SEG_R },
		{ .offset = 0x6d50, .vaddr = 0x7d50, .filesz = 0x12b0, .memsz = 0x5000, .flags = MT_SEG_R | MT_SEG_W },
	},
};

static void test_elf_library_segments(void **state)
{
	static const char maps[] =
		"7f0000000000-7f0000002000 r--p 00000000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000002000-7f0000005000 r-xp 00002000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000005000-7f0000006000 r--p 00005000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000006000-7f0000007000 ---p 00006000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000007000-7f0000008000 r--p 00006000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000008000-7f0000009000 rw-p 00007000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000009000-7f000000d000 rw-p 00000000 00:00 0 \n"
		"7f000000d000-7f0000010000 rw-p 00000000 00:00 0 \n";
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	f.elves = &libfoo;
	f.nelves = 1;
	parse_space(&s, maps);
	/* the bss and the next anonymous region differ in flags: no merge */
	classify(&s, &f, false);
	EXPECT(&s, 0x7f0000000000, MT_KIND_ELF_RODATA, "ELF headers and read-only data of library libfoo.so");
	EXPECT(&s, 0x7f0000002000, MT_KIND_ELF_TEXT, "code (.text) of library libfoo.so");
	EXPECT(&s, 0x7f0000005000, MT_KIND_ELF_RODATA, "read-only data (.rodata");
	EXPECT(&s, 0x7f0000006000, MT_KIND_RESERVATION, "gap between the segments of library libfoo.so");
	EXPECT(&s, 0x7f0000007000, MT_KIND_ELF_RODATA, "RELRO");
	EXPECT(&s, 0x7f0000008000, MT_KIND_ELF_DATA, "initialised data");
	EXPECT(&s, 0x7f0000009000, MT_KIND_ELF_BSS, "(.bss) of library libfoo.so");
	assert_null(strstr(s.cls[at(&s, 0x7f0000009000)].desc, "plus"));
	EXPECT(&s, 0x7f000000d000, MT_KIND_ANON, "origin unknown");
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(s.cls[i].role, MT_ROLE_LIBRARY);
	free_space(&s);
}

static void test_elf_bss_limits(void **state)
{
	/* the bss region merged with more anonymous memory: said so */
	static const char merged[] =
		"7f0000000000-7f0000002000 r--p 00000000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000007000-7f0000008000 r--p 00006000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000008000-7f0000009000 rw-p 00007000 fe:00 42 /usr/lib/libfoo.so\n"
		"7f0000009000-7f0000020000 rw-p 00000000 00:00 0 \n";
	/* no zero-fill tail past the data's last page: the next region is not bss */
	static const struct mt_elf_file small_bss = {
		.inode = 43, .dev = MT_MKDEV(0xfe, 0), .nseg = 2,
		.seg = {
			{ .offset = 0, .vaddr = 0, .filesz = 0x1000, .memsz = 0x1000, .flags = MT_SEG_R | MT_SEG_X },
			{ .offset = 0x1f00, .vaddr = 0x2f00, .filesz = 0x80, .memsz = 0x100, .flags = MT_SEG_R | MT_SEG_W },
		},
	};
	static const char none[] =
		"7f1000000000-7f1000001000 r-xp 00000000 fe:00 43 /usr/lib/libsmall.so\n"
		"7f1000002000-7f1000003000 rw-p 00001000 fe:00 43 /usr/lib/libsmall.so\n"
		"7f1000003000-7f1000023000 rw-p 00000000 00:00 0 \n";
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	f.elves = &libfoo;
	f.nelves = 1;
	parse_space(&s, merged);
	classify(&s, &f, false);
	EXPECT(&s, 0x7f0000009000, MT_KIND_ELF_BSS, "plus 76K of other anonymous memory");
	free_space(&s);

	f.elves = &small_bss;
	parse_space(&s, none);
	classify(&s, &f, false);
	EXPECT(&s, 0x7f1000000000, MT_KIND_ELF_TEXT, NULL);
	EXPECT(&s, 0x7f1000002000, MT_KIND_ELF_DATA, NULL);
	EXPECT(&s, 0x7f1000003000, MT_KIND_LARGE_MALLOC, "likely a large malloc chunk (above the 128 KiB mmap threshold");
	free_space(&s);
}

/* A small program: .rodata ends and .data begins in one file page, which
 * is mapped twice (read-only data at vaddr page 0x2000, RELRO at 0x3000). */
static void test_elf_shared_file_page(void **state)
{
	static const struct mt_elf_file prog = {
		.inode = 11, .dev = MT_MKDEV(0xfe, 0), .nseg = 4,
		.seg = {
			{ .offset = 0x0000, .vaddr = 0x0000, .filesz = 0x878, .memsz = 0x878, .flags = MT_SEG_R },
			{ .offset = 0x1000, .vaddr = 0x1000, .filesz = 0x2fd, .memsz = 0x2fd, .flags = MT_SEG_R | MT_SEG_X },
			{ .offset = 0x2000, .vaddr = 0x2000, .filesz = 0x158, .memsz = 0x158, .flags = MT_SEG_R },
			{ .offset = 0x2dd0, .vaddr = 0x3dd0, .filesz = 0x290, .memsz = 0x2d0, .flags = MT_SEG_R | MT_SEG_W },
		},
	};
	static const char maps[] =
		"564b02fb2000-564b02fb3000 r--p 00000000 fe:00 11 /usr/bin/prog\n"
		"564b02fb3000-564b02fb4000 r-xp 00001000 fe:00 11 /usr/bin/prog\n"
		"564b02fb4000-564b02fb5000 r--p 00002000 fe:00 11 /usr/bin/prog\n"
		"564b02fb5000-564b02fb6000 r--p 00002000 fe:00 11 /usr/bin/prog\n"
		"564b02fb6000-564b02fb7000 rw-p 00003000 fe:00 11 /usr/bin/prog\n";
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	f.elves = &prog;
	f.nelves = 1;
	parse_space(&s, maps);
	classify(&s, &f, false);
	EXPECT(&s, 0x564b02fb2000, MT_KIND_ELF_RODATA, "ELF headers and read-only data of the program");
	EXPECT(&s, 0x564b02fb3000, MT_KIND_ELF_TEXT, "of the program");
	EXPECT(&s, 0x564b02fb4000, MT_KIND_ELF_RODATA, "read-only data (.rodata");
	EXPECT(&s, 0x564b02fb5000, MT_KIND_ELF_RODATA, "RELRO");
	EXPECT(&s, 0x564b02fb6000, MT_KIND_ELF_DATA, NULL);
	for (size_t i = 0; i < s.m.count; i++)
		assert_int_equal(s.cls[i].role, MT_ROLE_PROGRAM);
	free_space(&s);
}

/* No program headers (file unreadable): roles from names, kinds from perms. */
static void test_elf_guessed_and_roles(void **state)
{
	static const char maps[] =
		"555500000000-555500001000 r--p 00000000 fe:00 11 /usr/bin/prog\n"
		"555500001000-555500002000 r-xp 00001000 fe:00 11 /usr/bin/prog\n"
		"555500002000-555500003000 rw-p 00002000 fe:00 11 /usr/bin/prog\n"
		"555500003000-555500005000 rw-p 00000000 00:00 0 \n"
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 50 /lib64/ld-linux-x86-64.so.2\n"
		"7f0000001000-7f0000002000 r-xp 00001000 fe:00 50 /lib64/ld-linux-x86-64.so.2\n"
		"7f0000003000-7f0000004000 r--p 00000000 fe:00 51 /usr/lib/libbar.so.3\n"
		"7f0000004000-7f0000005000 r--p 00000000 fe:00 52 /opt/plugin.bin\n"
		"7f0000005000-7f0000006000 r-xp 00001000 fe:00 52 /opt/plugin.bin\n"
		"7f0000006000-7f0000007000 r-xp 00000000 fe:00 53 /opt/blob\n"
		"7f0000007000-7f0000008000 r-xp 00000000 fe:00 54 /lib/ld-musl-x86_64.so.1\n"
		"7f0000008000-7f0000009000 r-xp 00001000 fe:00 55 /usr/lib/libold.so (deleted)\n";
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	parse_space(&s, maps);
	classify(&s, &f, false);
	EXPECT(&s, 0x555500000000, MT_KIND_ELF_RODATA, "of the program");
	EXPECT(&s, 0x555500001000, MT_KIND_ELF_TEXT, "ELF headers unreadable");
	EXPECT(&s, 0x555500002000, MT_KIND_ELF_DATA, NULL);
	EXPECT(&s, 0x555500003000, MT_KIND_ELF_BSS, "likely");
	assert_int_equal(s.cls[at(&s, 0x555500003000)].role, MT_ROLE_PROGRAM);
	EXPECT(&s, 0x7f0000001000, MT_KIND_ELF_TEXT, "of the dynamic loader");
	assert_int_equal(s.cls[at(&s, 0x7f0000001000)].role, MT_ROLE_LOADER);
	EXPECT(&s, 0x7f0000003000, MT_KIND_ELF_RODATA, "library libbar.so.3");
	/* no ".so" in the name, but an executable mapping next door */
	EXPECT(&s, 0x7f0000004000, MT_KIND_ELF_RODATA, "library plugin.bin");
	/* no ".so", a single executable mapping: still code */
	EXPECT(&s, 0x7f0000006000, MT_KIND_ELF_TEXT, NULL);
	assert_int_equal(s.cls[at(&s, 0x7f0000007000)].role, MT_ROLE_LOADER);
	EXPECT(&s, 0x7f0000008000, MT_KIND_DELETED_FILE, "code (.text) of library libold.so (file deleted");
	free_space(&s);

	/* the program found by inode when its path differs (another mount
	 * namespace), not when only the name matches */
	f.exe = "/other/root/usr/bin/prog";
	parse_space(&s, "555500000000-555500001000 r-xp 00000000 fe:00 11 /usr/bin/prog\n"
			"555500001000-555500002000 r-xp 00000000 fe:00 12 /usr/local/bin/prog\n");
	classify(&s, &f, false);
	assert_int_equal(s.cls[0].role, MT_ROLE_PROGRAM);
	assert_int_equal(s.cls[1].role, MT_ROLE_LIBRARY);
	free_space(&s);
}

/* ---- malloc arenas, reservations, large chunks ---------------------------- */

static void test_arenas(void **state)
{
	static const char maps[] =
		/* arena heap: 132 KiB rw + PROT_NONE to the 64 MiB boundary */
		"7e0000000000-7e0000021000 rw-p 00000000 00:00 0 \n"
		"7e0000021000-7e0004000000 ---p 00000000 00:00 0 \n"
		/* fully grown arena heap: 64 MiB rw, no reserve left */
		"7e0004000000-7e0008000000 rw-p 00000000 00:00 0 \n"
		/* misaligned by a page: not an arena */
		"7e0008001000-7e0008022000 rw-p 00000000 00:00 0 \n"
		"7e0008022000-7e000c001000 ---p 00000000 00:00 0 \n"
		/* aligned, but the reserve stops short of the boundary */
		"7e0010000000-7e0010021000 rw-p 00000000 00:00 0 \n"
		"7e0010021000-7e0012000000 ---p 00000000 00:00 0 \n"
		/* a third arena, after the others */
		"7e0014000000-7e0014100000 rw-p 00000000 00:00 0 \n"
		"7e0014100000-7e0018000000 ---p 00000000 00:00 0 \n";
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	parse_space(&s, maps);
	classify(&s, &f, false);
	EXPECT(&s, 0x7e0000000000, MT_KIND_MALLOC_ARENA, "arena #1 (threads' malloc): 132K of its 64 MiB block");
	EXPECT(&s, 0x7e0000021000, MT_KIND_ARENA_RESERVE, "arena #1's 64 MiB block");
	assert_int_equal(s.cls[at(&s, 0x7e0000000000)].index, 1);
	assert_int_equal(s.cls[at(&s, 0x7e0000021000)].index, 1);
	EXPECT(&s, 0x7e0004000000, MT_KIND_MALLOC_ARENA, "arena #2 (threads' malloc): 64M");
	EXPECT(&s, 0x7e0008001000, MT_KIND_LARGE_MALLOC, NULL);
	EXPECT(&s, 0x7e0008022000, MT_KIND_RESERVATION, NULL);
	EXPECT(&s, 0x7e0010000000, MT_KIND_LARGE_MALLOC, NULL);
	EXPECT(&s, 0x7e0010021000, MT_KIND_RESERVATION, NULL);
	EXPECT(&s, 0x7e0014000000, MT_KIND_MALLOC_ARENA, "arena #3");
	EXPECT(&s, 0x7e0014100000, MT_KIND_ARENA_RESERVE, "arena #3's");
	assert_int_equal(count_kind(s.cls, s.m.count, MT_KIND_MALLOC_ARENA), 3);
	assert_int_equal(count_kind(s.cls, s.m.count, MT_KIND_ARENA_RESERVE), 2);
	free_space(&s);
}

/* musl and uClibc-ng have no arenas: the shape of one is not called that,
 * the heap is described in the library's terms, and musl's mmaps of 64
 * KiB or more are its malloc's (musl-malloc, by the library mapped). */
static void test_musl_has_no_glibc_terms(void **state)
{
	static const char maps[] =
		"55d000000000-55d000021000 rw-p 00000000 00:00 0                          [heap]\n"
		"7e0000000000-7e0000021000 rw-p 00000000 00:00 0 \n"
		"7e0000021000-7e0004000000 ---p 00000000 00:00 0 \n"
		"7f1000000000-7f1000040000 rw-p 00000000 00:00 0 \n"
		"7f2000000000-7f2000080000 r-xp 00000000 08:01 12                         /usr/lib/x86_64-linux-musl/libc.so\n";
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	parse_space(&s, maps);
	f.libc = mt_libc_of_regions(s.m.regions, s.m.count);
	assert_int_equal(f.libc, MT_LIBC_MUSL);
	classify(&s, &f, false);
	EXPECT(&s, 0x55d000000000, MT_KIND_HEAP, "brk heap: musl's malloc");
	EXPECT(&s, 0x7e0000000000, MT_KIND_MUSL_MALLOC, "musl's malloc (mallocng)");
	EXPECT(&s, 0x7e0000021000, MT_KIND_RESERVATION, NULL);
	EXPECT(&s, 0x7f1000000000, MT_KIND_MUSL_MALLOC, NULL);
	assert_int_equal(s.cls[1].evidence, MT_EVIDENCE_RUNTIME);
	assert_int_equal(count_kind(s.cls, s.m.count, MT_KIND_MALLOC_ARENA), 0);
	for (size_t i = 0; i < s.m.count; i++)
		assert_null(strstr(s.cls[i].desc, "glibc"));
	assert_null(strstr(mt_kind_about_libc(MT_KIND_HEAP, MT_LIBC_MUSL), "arena"));
	assert_null(strstr(mt_kind_about_libc(MT_KIND_THREAD_STACK, MT_LIBC_UCLIBC), "8 MiB"));
	assert_string_equal(mt_kind_about_libc(MT_KIND_HEAP, MT_LIBC_GLIBC), mt_kind_about(MT_KIND_HEAP));
	free_space(&s);
}

static void test_libc_of_regions(void **state)
{
	static const struct { const char *name; enum mt_libc libc; } cases[] = {
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", MT_LIBC_GLIBC },
		{ "/lib64/ld-linux-x86-64.so.2", MT_LIBC_GLIBC },
		{ "/lib/ld-musl-aarch64.so.1", MT_LIBC_MUSL },
		{ "/usr/lib/x86_64-linux-musl/libc.so", MT_LIBC_MUSL },
		{ "/lib/libuClibc-1.0.45.so", MT_LIBC_UCLIBC },
		{ "/lib/ld64-uClibc.so.1", MT_LIBC_UCLIBC },
		{ "/usr/lib/libcrypto.so.3", MT_LIBC_UNKNOWN },
		{ "/opt/app/libc.so.6.bak/tool", MT_LIBC_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mt_region r = { .start = 0x1000, .end = 0x2000, .name = cases[i].name };

		assert_int_equal(mt_libc_of_regions(&r, 1), cases[i].libc);
	}
	assert_string_equal(mt_libc_id(MT_LIBC_UCLIBC), "uclibc-ng");
}

static void test_rest_of_anonymous(void **state)
{
	static const char maps[] =
		"7a0000000000-7a0000020000 rw-p 00000000 00:00 0 \n"   /* 128 KiB */
		"7a0000021000-7a0000040000 rw-p 00000000 00:00 0 \n"   /* 124 KiB */
		"7a0000041000-7a0000081000 rw-p 00000000 00:00 0 \n"   /* 256 KiB, MAP_NORESERVE */
		"7a0000082000-7a0040082000 ---p 00000000 00:00 0 \n"   /* 1 GiB reserve */
		"7a0040083000-7a0040084000 --xp 00000000 00:00 0 \n";  /* exec-only */
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	parse_space(&s, maps);
	s.st[2].vmflags = MT_VMF_RD | MT_VMF_WR | MT_VMF_NR;
	s.st[2].keys = MT_SK_VMFLAGS;
	classify(&s, &f, true);
	EXPECT(&s, 0x7a0000000000, MT_KIND_LARGE_MALLOC, NULL);
	EXPECT(&s, 0x7a0000021000, MT_KIND_ANON, "origin unknown");
	EXPECT(&s, 0x7a0000041000, MT_KIND_ANON, "MAP_NORESERVE");
	EXPECT(&s, 0x7a0000082000, MT_KIND_RESERVATION, "no memory");
	EXPECT(&s, 0x7a0040083000, MT_KIND_JIT_CODE, NULL);
	/* without smaps the NORESERVE hint is unknown: a large chunk then */
	classify(&s, &f, false);
	EXPECT(&s, 0x7a0000041000, MT_KIND_LARGE_MALLOC, NULL);
	free_space(&s);
}

/* ---- stacks ------------------------------------------------------------------ */

static void test_thread_stacks_by_sp(void **state)
{
	static const char maps[] =
		"7d0000000000-7d0000001000 ---p 00000000 00:00 0 \n"
		"7d0000001000-7d0000801000 rw-p 00000000 00:00 0 \n"
		"7d0000801000-7d0000802000 ---p 00000000 00:00 0 \n"
		"7d0000802000-7d0001002000 rw-p 00000000 00:00 0 \n"
		/* a stack with no guard (pthread_attr_setguardsize 0), small */
		"7d0002000000-7d0002010000 rw-p 00000000 00:00 0 \n"
		/* a runtime's named stack */
		"7d0003000000-7d0003100000 rw-p 00000000 00:00 0 [anon:stack_and_tls:104]\n"
		/* a thread running on the heap (coroutine) leaves it the heap */
		"7d0004000000-7d0004100000 rw-p 00000000 00:00 0 [heap]\n"
		"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n";
	struct mt_thread th[] = {
		{ .tid = 100, .sp = 0x7ffd00020000, .flags = MT_THREAD_SP_KNOWN, .comm = "prog" },
		{ .tid = 101, .sp = 0x7d0000800e40, .flags = MT_THREAD_SP_KNOWN, .comm = "worker-1" },
		{ .tid = 103, .sp = 0x7d0001001e40, .flags = MT_THREAD_SP_KNOWN, .comm = "b" },
		{ .tid = 102, .sp = 0x7d0001000e40, .flags = MT_THREAD_SP_KNOWN, .comm = "a" },
		{ .tid = 105, .sp = 0x7d000200fe40, .flags = MT_THREAD_SP_KNOWN, .comm = "noguard" },
		{ .tid = 104, .sp = 0x7d00030ff000, .flags = MT_THREAD_SP_KNOWN, .comm = "named" },
		{ .tid = 106, .sp = 0x7d0004080000, .flags = MT_THREAD_SP_KNOWN, .comm = "coro" },
		{ .tid = 107, .flags = MT_THREAD_RUNNING, .comm = "busy" },
		{ .tid = 108, .sp = 0x10, .flags = MT_THREAD_SP_KNOWN, .comm = "nowhere" },
	};
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	f.threads = th;
	f.nthreads = sizeof(th) / sizeof(th[0]);
	f.sp_unreadable = 1;
	parse_space(&s, maps);
	classify(&s, &f, false);
	EXPECT(&s, 0x7d0000001000, MT_KIND_THREAD_STACK, "stack of thread 101 (worker-1)");
	assert_int_equal(s.cls[at(&s, 0x7d0000001000)].tid, 101);
	EXPECT(&s, 0x7d0000000000, MT_KIND_GUARD_PAGE, "below the stack of thread 101");
	assert_int_equal(s.cls[at(&s, 0x7d0000000000)].tid, 101);
	/* two threads' sp in one region: named by the lowest tid */
	EXPECT(&s, 0x7d0000802000, MT_KIND_THREAD_STACK, "stack of thread 102 (a) and 1 more");
	EXPECT(&s, 0x7d0000801000, MT_KIND_GUARD_PAGE, "thread 102");
	EXPECT(&s, 0x7d0002000000, MT_KIND_THREAD_STACK, "stack of thread 105");
	EXPECT(&s, 0x7d0003000000, MT_KIND_ANON_NAMED, "holds the stack of thread 104");
	assert_int_equal(s.cls[at(&s, 0x7d0003000000)].tid, 104);
	EXPECT(&s, 0x7d0004000000, MT_KIND_HEAP, NULL);
	EXPECT(&s, 0x7ffd00000000, MT_KIND_MAIN_STACK, "main thread (TID 100)");
	assert_int_equal(count_kind(s.cls, s.m.count, MT_KIND_GUARD_PAGE), 2);
	free_space(&s);
}

static void test_thread_stacks_by_shape(void **state)
{
	static const char maps[] =
		/* default 8 MiB + guard: no thread's sp in it */
		"7c0000000000-7c0000001000 ---p 00000000 00:00 0 \n"
		"7c0000001000-7c0000801000 rw-p 00000000 00:00 0 \n"
		/* RLIMIT_STACK of 16 MiB */
		"7c0001000000-7c0001001000 ---p 00000000 00:00 0 \n"
		"7c0001001000-7c0002001000 rw-p 00000000 00:00 0 \n"
		/* 1 MiB, MAP_STACK (nh) */
		"7c0003000000-7c0003001000 ---p 00000000 00:00 0 \n"
		"7c0003001000-7c0003101000 rw-p 00000000 00:00 0 \n"
		/* 1 MiB, no hint: a chunk above a reservation */
		"7c0004000000-7c0004001000 ---p 00000000 00:00 0 \n"
		"7c0004001000-7c0004101000 rw-p 00000000 00:00 0 \n"
		/* 1 MiB, nh but MAP_NORESERVE: not a stack */
		"7c0005000000-7c0005001000 ---p 00000000 00:00 0 \n"
		"7c0005001000-7c0005101000 rw-p 00000000 00:00 0 \n"
		/* 8 MiB but the PROT_NONE below is 2 MiB: no guard */
		"7c0006000000-7c0006200000 ---p 00000000 00:00 0 \n"
		"7c0006200000-7c0006a00000 rw-p 00000000 00:00 0 \n"
		/* 8 MiB with nothing below */
		"7c0007000000-7c0007800000 rw-p 00000000 00:00 0 \n";
	struct mt_thread th[] = { { .tid = 100, .sp = 0x7c0007000010, .flags = MT_THREAD_SP_KNOWN } };
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };

	(void)state;
	f.stack_limit = 16 * MiB;
	parse_space(&s, maps);
	s.st[5].vmflags = MT_VMF_RD | MT_VMF_WR | MT_VMF_NH;
	s.st[5].keys = MT_SK_VMFLAGS;
	s.st[9].vmflags = MT_VMF_RD | MT_VMF_WR | MT_VMF_NH | MT_VMF_NR;
	s.st[9].keys = MT_SK_VMFLAGS;
	/* no threads known at all: "thread unknown" */
	classify(&s, &f, true);
	EXPECT(&s, 0x7c0000001000, MT_KIND_THREAD_STACK, "thread unknown");
	assert_int_equal(s.cls[at(&s, 0x7c0000001000)].tid, 0);
	EXPECT(&s, 0x7c0000000000, MT_KIND_GUARD_PAGE, "below a thread stack");
	EXPECT(&s, 0x7c0001001000, MT_KIND_THREAD_STACK, NULL);
	EXPECT(&s, 0x7c0001000000, MT_KIND_GUARD_PAGE, NULL);
	EXPECT(&s, 0x7c0003001000, MT_KIND_THREAD_STACK, NULL);
	EXPECT(&s, 0x7c0003000000, MT_KIND_GUARD_PAGE, NULL);
	EXPECT(&s, 0x7c0004001000, MT_KIND_LARGE_MALLOC, NULL);
	EXPECT(&s, 0x7c0004000000, MT_KIND_RESERVATION, NULL);
	EXPECT(&s, 0x7c0005001000, MT_KIND_ANON, "MAP_NORESERVE");
	EXPECT(&s, 0x7c0006200000, MT_KIND_LARGE_MALLOC, NULL);
	EXPECT(&s, 0x7c0006000000, MT_KIND_RESERVATION, NULL);
	EXPECT(&s, 0x7c0007000000, MT_KIND_LARGE_MALLOC, NULL);

	/* every thread's sp known and none in it: a cached stack */
	f.threads = th;
	f.nthreads = 1;
	f.sp_unreadable = 0;
	classify(&s, &f, true);
	EXPECT(&s, 0x7c0000001000, MT_KIND_THREAD_STACK, "no live thread is using");
	/* the sp of thread 100 (not the main stack here) claims that one */
	EXPECT(&s, 0x7c0007000000, MT_KIND_THREAD_STACK, "stack of thread 100");

	/* RLIMIT_STACK unlimited: 8 MiB stays the default, 16 MiB is a chunk */
	f.stack_limit = 0;
	f.nthreads = 0;
	classify(&s, &f, true);
	EXPECT(&s, 0x7c0000001000, MT_KIND_THREAD_STACK, NULL);
	EXPECT(&s, 0x7c0001001000, MT_KIND_LARGE_MALLOC, NULL);
	EXPECT(&s, 0x7c0001000000, MT_KIND_RESERVATION, NULL);
	free_space(&s);
}

/* ---- input checks and descriptions ---------------------------------------- */

static void test_bad_input(void **state)
{
	struct mt_region r[2] = {
		{ .start = 0x2000, .end = 0x3000, .perms = MT_PERM_READ },
		{ .start = 0x1000, .end = 0x2000, .perms = MT_PERM_READ },
	};
	struct mt_class c[2];
	struct mt_proc_facts f = base_facts();

	(void)state;
	assert_int_equal(mt_classify(r, NULL, 2, &f, NULL, c), -EINVAL);
	r[1].start = 0x2800;
	r[1].end = 0x4000;
	assert_int_equal(mt_classify(r, NULL, 2, &f, NULL, c), -EINVAL);   /* overlap */
	assert_int_equal(mt_classify(r, NULL, 0, &f, NULL, c), 0);
	f.page_size = 3000;
	assert_int_equal(mt_classify(r, NULL, 1, &f, NULL, c), -EINVAL);
}

/* Names in descriptions are clipped at a character boundary. */
static void test_desc_clips_names(void **state)
{
	char maps[512], name[200];
	struct mt_proc_facts f = base_facts();
	struct space s = { 0 };
	const char *q;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(name + n, sizeof(name) - n, "\xc3\xa9");   /* é */
	snprintf(maps, sizeof(maps), "1000-2000 rw-s 00000000 00:01 7 /memfd:%s (deleted)\n", name);
	parse_space(&s, maps);
	classify(&s, &f, false);
	expect_kind(&s.cls[0], MT_KIND_MEMFD, "...\"");
	q = strstr(s.cls[0].desc, "\"") + 1;
	/* 48 bytes = 24 whole characters, then "..." */
	assert_memory_equal(q, name, 48);
	assert_memory_equal(q + 48, "...\"", 4);
	free_space(&s);

	/* one byte off: the cut backs off to the previous whole character */
	snprintf(maps, sizeof(maps), "1000-2000 rw-s 00000000 00:01 7 /memfd:x%s (deleted)\n", name);
	parse_space(&s, maps);
	classify(&s, &f, false);
	q = strstr(s.cls[0].desc, "\"") + 1;
	assert_memory_equal(q, "x", 1);
	assert_memory_equal(q + 1, name, 46);
	assert_memory_equal(q + 47, "...\"", 4);
	free_space(&s);
}

/* ---- parsers of /proc texts ------------------------------------------------ */

static void test_parse_task_syscall(void **state)
{
	struct mt_thread t = { 0 };
	static const char in_call[] =
		"230 0x0 0x0 0x7f44738fee80 0x7f44738fee80 0x0 0x0 0x7f44738fee40 0x7f44749a1aec\n";

	(void)state;
	assert_int_equal(mt_parse_task_syscall(in_call, sizeof(in_call) - 1, &t), 0);
	assert_int_equal(t.sp, 0x7f44738fee40ull);
	assert_true(t.flags & MT_THREAD_SP_KNOWN);
	assert_int_equal(mt_parse_task_syscall("-1 0x7ffd1230 0x55550000\n", 25, &t), 0);
	assert_int_equal(t.sp, 0x7ffd1230);
	assert_true(t.flags & MT_THREAD_SP_KNOWN);
	assert_int_equal(mt_parse_task_syscall("running\n", 8, &t), 0);
	assert_false(t.flags & MT_THREAD_SP_KNOWN);
	assert_true(t.flags & MT_THREAD_RUNNING);
	assert_int_equal(mt_parse_task_syscall("-1 0x0 0x0\n", 11, &t), 0);
	assert_false(t.flags & (MT_THREAD_SP_KNOWN | MT_THREAD_RUNNING));
	assert_int_equal(mt_parse_task_syscall("1 0x1 0x2\n", 10, &t), -EINVAL);
	assert_int_equal(mt_parse_task_syscall("", 0, &t), -EINVAL);
	assert_int_equal(mt_parse_task_syscall("-1 0xzz 0x0\n", 12, &t), -EINVAL);
	assert_int_equal(mt_parse_task_syscall("0 1 2 3 4 5 6 7 8 9\n", 20, &t), -EINVAL);
	assert_false(t.flags & MT_THREAD_SP_KNOWN);
}

static void test_parse_task_stat_sp(void **state)
{
	char text[1024];
	struct mt_thread t = { 0 };
	int n;

	(void)state;
	/* a comm with ") " inside; fields 3.. numbered from the last ')' */
	n = snprintf(text, sizeof(text), "4242 (a) b) S");
	for (int field = 4; field <= 52; field++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, " %d", field == 29 ? 0 : field);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\n");
	assert_int_equal(mt_parse_task_stat_sp(text, (size_t)n, &t), 0);
	assert_false(t.flags & MT_THREAD_SP_KNOWN);

	n = snprintf(text, sizeof(text), "4242 (x) R");
	for (int field = 4; field <= 52; field++) {
		if (field == 29)
			n += snprintf(text + n, sizeof(text) - (size_t)n, " 140725237013888");
		else
			n += snprintf(text + n, sizeof(text) - (size_t)n, " %d", field);
	}
	assert_int_equal(mt_parse_task_stat_sp(text, (size_t)n, &t), 0);
	assert_true(t.flags & MT_THREAD_SP_KNOWN);
	assert_int_equal(t.sp, 140725237013888ull);
	assert_int_equal(mt_parse_task_stat_sp("1 (x) S 1 2", 11, &t), -EINVAL);
	assert_int_equal(mt_parse_task_stat_sp("garbage", 7, &t), -EINVAL);
}

static void test_parse_limits(void **state)
{
	static const char limits[] =
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max cpu time              unlimited            unlimited            seconds   \n"
		"Max stack size            8388608              unlimited            bytes     \n"
		"Max core file size        0                    unlimited            bytes     \n";
	static const char unlimited[] =
		"Max stack size            unlimited            unlimited            bytes     \n";
	uint64_t v = 1;

	(void)state;
	assert_int_equal(mt_parse_limits_stack(limits, sizeof(limits) - 1, &v), 0);
	assert_int_equal(v, 8388608);
	assert_int_equal(mt_parse_limits_stack(unlimited, sizeof(unlimited) - 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mt_parse_limits_stack("Max cpu time 1 1 s\n", 19, &v), -ENOENT);
}

/* ---- recorded snapshots ------------------------------------------------------ */

struct snap {
	char *text;
	struct mt_smaps s;
	struct mt_proc_facts f;
	struct mt_thread threads[32];
	struct mt_elf_file elves[32];
	char exe[256];
	struct mt_class *cls;
};

static uint32_t flags_of(const char *s)
{
	uint32_t fl = 0;

	fl |= strchr(s, 'R') ? MT_SEG_R : 0;
	fl |= strchr(s, 'W') ? MT_SEG_W : 0;
	fl |= strchr(s, 'E') ? MT_SEG_X : 0;
	return fl;
}

/* Load NAME.smaps and NAME.facts (format: tests/unit/data/capture.sh). */
static void load_snap(const char *name, struct snap *sn)
{
	char path[128], line[1024];
	FILE *f;
	long n;

	memset(sn, 0, sizeof(*sn));
	snprintf(path, sizeof(path), "tests/unit/data/%s.smaps", name);
	if (!(f = fopen(path, "rb")))
		fail_msg("cannot open %s (run from the repository root): %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	sn->text = malloc((size_t)n);
	assert_non_null(sn->text);
	assert_int_equal(fread(sn->text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(mt_smaps_parse(sn->text, (size_t)n, &sn->s, NULL), 0);

	snprintf(path, sizeof(path), "tests/unit/data/%s.facts", name);
	if (!(f = fopen(path, "r")))
		fail_msg("cannot open %s: %s", path, strerror(errno));
	sn->f.threads = sn->threads;
	sn->f.elves = sn->elves;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, c, d;
		unsigned ma, mi;
		char word[64], str[256];
		int pos = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "pid %llu", &a) == 1) {
			sn->f.pid = (pid_t)a;
		} else if (sscanf(line, "comm %15s", sn->f.comm) == 1) {
		} else if (sscanf(line, "exe_inode %llu", &a) == 1) {
			sn->f.exe_inode = a;
		} else if (sscanf(line, "exe %255s", sn->exe) == 1) {
			sn->f.exe = sn->exe;
		} else if (sscanf(line, "stack_limit %llu", &a) == 1) {
			sn->f.stack_limit = a;
		} else if (sscanf(line, "page_size %llu", &a) == 1) {
			sn->f.page_size = (uint32_t)a;
		} else if (sscanf(line, "thread %llu %63s %n", &a, word, &pos) == 2) {
			struct mt_thread *t = &sn->threads[sn->f.nthreads++];

			assert_true(sn->f.nthreads <= 32);
			t->tid = (int32_t)a;
			snprintf(t->comm, sizeof(t->comm), "%.15s", line + pos);
			if (strcmp(word, "-")) {
				t->sp = strtoull(word, NULL, 16);
				t->flags = MT_THREAD_SP_KNOWN;
			} else {
				sn->f.sp_unreadable++;
			}
		} else if (sscanf(line, "elf %x:%x %llu %255s", &ma, &mi, &a, str) == 4) {
			struct mt_elf_file *el = &sn->elves[sn->f.nelves++];

			assert_true(sn->f.nelves <= 32);
			el->dev = MT_MKDEV(ma, mi);
			el->inode = a;
		} else if (sscanf(line, "load %llx %llx %llx %llx %63s", &a, &b, &c, &d, word) == 5) {
			struct mt_elf_file *el = &sn->elves[sn->f.nelves - 1];
			struct mt_elf_seg *sg = &el->seg[el->nseg++];

			assert_true(sn->f.nelves > 0 && el->nseg <= MT_ELF_MAX_SEGS);
			sg->offset = a;
			sg->vaddr = b;
			sg->filesz = c;
			sg->memsz = d;
			sg->flags = flags_of(word);
		} else {
			fail_msg("%s: bad facts line \"%s\"", path, line);
		}
	}
	fclose(f);
	sn->cls = calloc(sn->s.maps.count, sizeof(*sn->cls));
	assert_non_null(sn->cls);
	assert_int_equal(mt_classify(sn->s.maps.regions, sn->s.stats, sn->s.maps.count, &sn->f, NULL, sn->cls), 0);
}

static void free_snap(struct snap *sn)
{
	mt_smaps_free(&sn->s);
	free(sn->text);
	free(sn->cls);
}

/* The region of file `base` (basename) with the given perms. */
static size_t file_region(const struct snap *sn, const char *base, const char *perms)
{
	for (size_t i = 0; i < sn->s.maps.count; i++) {
		const struct mt_region *r = &sn->s.maps.regions[i];
		const char *slash;
		char p[5];

		if (!r->name || !(slash = strrchr(r->name, '/')) || strcmp(slash + 1, base))
			continue;
		if (!strcmp(mt_perms_str(r->perms, p), perms))
			return i;
	}
	fail_msg("no %s mapping of %s", perms, base);
	return 0;
}

static size_t named(const struct snap *sn, const char *name)
{
	for (size_t i = 0; i < sn->s.maps.count; i++)
		if (sn->s.maps.regions[i].name && !strcmp(sn->s.maps.regions[i].name, name))
			return i;
	fail_msg("no region named %s", name);
	return 0;
}

/* What every glibc process has: program, libc and loader segments, the
 * libc bss, heap, main stack, vdso, vvar, vsyscall. */
static void check_common(const struct snap *sn, const char *prog)
{
	const struct mt_class *c = sn->cls;
	size_t i;

	i = file_region(sn, prog, "r-xp");
	expect_kind(&c[i], MT_KIND_ELF_TEXT, "code (.text) of the program");
	assert_int_equal(c[i].role, MT_ROLE_PROGRAM);
	expect_kind(&c[file_region(sn, prog, "rw-p")], MT_KIND_ELF_DATA, "of the program");
	i = file_region(sn, "libc.so.6", "r-xp");
	expect_kind(&c[i], MT_KIND_ELF_TEXT, "code (.text) of library libc.so.6");
	assert_int_equal(c[i].role, MT_ROLE_LIBRARY);
	i = file_region(sn, "libc.so.6", "rw-p");
	expect_kind(&c[i], MT_KIND_ELF_DATA, "library libc.so.6");
	expect_kind(&c[i + 1], MT_KIND_ELF_BSS, "(.bss) of library libc.so.6");
	assert_null(sn->s.maps.regions[i + 1].name);
	expect_kind(&c[file_region(sn, "libc.so.6", "r--p")], MT_KIND_ELF_RODATA, "ELF headers");
	i = file_region(sn, "ld-linux-x86-64.so.2", "r-xp");
	expect_kind(&c[i], MT_KIND_ELF_TEXT, "of the dynamic loader");
	assert_int_equal(c[i].role, MT_ROLE_LOADER);
	expect_kind(&c[file_region(sn, "ld-linux-x86-64.so.2", "rw-p")], MT_KIND_ELF_DATA, "dynamic loader");
	expect_kind(&c[named(sn, "[heap]")], MT_KIND_HEAP, NULL);
	i = named(sn, "[stack]");
	expect_kind(&c[i], MT_KIND_MAIN_STACK, NULL);
	assert_int_equal(c[i].tid, sn->f.pid);
	expect_kind(&c[named(sn, "[vdso]")], MT_KIND_VDSO, NULL);
	expect_kind(&c[named(sn, "[vvar]")], MT_KIND_VVAR, NULL);
	expect_kind(&c[named(sn, "[vsyscall]")], MT_KIND_VSYSCALL, NULL);
	/* every RELRO mapping is found, none is called plain read-only data */
	for (i = 0; i < sn->s.maps.count; i++) {
		const struct mt_region *r = &sn->s.maps.regions[i];

		if (i + 1 < sn->s.maps.count && r->inode && (r->perms & 7) == MT_PERM_READ &&
		    sn->s.maps.regions[i + 1].inode == r->inode && sn->s.maps.regions[i + 1].start == r->end &&
		    (sn->s.maps.regions[i + 1].perms & MT_PERM_WRITE))
			expect_kind(&c[i], MT_KIND_ELF_RODATA, "RELRO");
	}
}

/* Each non-main thread: its stack holds its sp, the guard page lies below. */
static void check_thread_stacks(const struct snap *sn, size_t want)
{
	size_t found = 0;

	for (size_t t = 0; t < sn->f.nthreads; t++) {
		const struct mt_thread *th = &sn->threads[t];
		size_t i;

		if (th->tid == sn->f.pid)
			continue;
		assert_true(th->flags & MT_THREAD_SP_KNOWN);
		i = holding(&sn->s.maps, th->sp);
		expect_kind(&sn->cls[i], MT_KIND_THREAD_STACK, NULL);
		assert_int_equal(sn->cls[i].tid, th->tid);
		assert_true(i > 0);
		expect_kind(&sn->cls[i - 1], MT_KIND_GUARD_PAGE, NULL);
		assert_int_equal(sn->cls[i - 1].tid, th->tid);
		assert_int_equal(sn->s.maps.regions[i - 1].end - sn->s.maps.regions[i - 1].start, 4096);
		/* glibc's default: RLIMIT_STACK (8 MiB) read-write */
		assert_int_equal(sn->s.maps.regions[i].end - sn->s.maps.regions[i].start, 8 * MiB);
		found++;
	}
	assert_int_equal(found, want);
	assert_int_equal(count_kind(sn->cls, sn->s.maps.count, MT_KIND_THREAD_STACK), want);
	assert_int_equal(count_kind(sn->cls, sn->s.maps.count, MT_KIND_GUARD_PAGE), want);
}

/* Each arena heap is a 64 MiB-aligned rw region with its reserve up to
 * the next 64 MiB boundary, numbered in address order. */
static void check_arenas(const struct snap *sn, size_t want)
{
	size_t found = 0;

	for (size_t i = 0; i < sn->s.maps.count; i++) {
		const struct mt_region *r = &sn->s.maps.regions[i];

		if (sn->cls[i].kind != MT_KIND_MALLOC_ARENA)
			continue;
		found++;
		assert_int_equal(sn->cls[i].index, found);
		assert_int_equal(r->start % (64 * MiB), 0);
		assert_true(sn->s.stats[i].vmflags & MT_VMF_NR);     /* new_heap(): MAP_NORESERVE */
		assert_true(i + 1 < sn->s.maps.count);
		expect_kind(&sn->cls[i + 1], MT_KIND_ARENA_RESERVE, NULL);
		assert_int_equal(sn->cls[i + 1].index, found);
		assert_int_equal(sn->s.maps.regions[i + 1].end, r->start + 64 * MiB);
	}
	assert_int_equal(found, want);
	assert_int_equal(count_kind(sn->cls, sn->s.maps.count, MT_KIND_ARENA_RESERVE), want);
}

/* Nothing of any size is left unexplained. */
static void check_no_big_unknowns(const struct snap *sn)
{
	for (size_t i = 0; i < sn->s.maps.count; i++) {
		const struct mt_region *r = &sn->s.maps.regions[i];

		assert_int_not_equal(sn->cls[i].kind, MT_KIND_COUNT);
		assert_true(sn->cls[i].desc[0] != '\0');
		if (sn->cls[i].kind == MT_KIND_ANON && r->end - r->start >= 128 * 1024)
			fail_msg("%#llx-%#llx left unexplained: %s", (unsigned long long)r->start,
				 (unsigned long long)r->end, sn->cls[i].desc);
	}
}

static void test_recorded_threads3(void **state)
{
	struct snap sn;
	size_t big = 0;

	(void)state;
	load_snap("threads3", &sn);
	assert_int_equal(sn.f.nthreads, 4);
	check_common(&sn, "threads3");
	check_thread_stacks(&sn, 3);
	check_arenas(&sn, 3);
	/* three 200 KiB chunks (+ header, page-rounded: 204 KiB each) mapped
	 * next to each other, merged into one region by the kernel */
	for (size_t i = 0; i < sn.s.maps.count; i++) {
		const struct mt_region *r = &sn.s.maps.regions[i];

		if (sn.cls[i].kind != MT_KIND_LARGE_MALLOC)
			continue;
		expect_kind(&sn.cls[i], MT_KIND_LARGE_MALLOC,
			    "likely a large malloc chunk (above the 128 KiB mmap threshold");
		assert_int_equal(r->end - r->start, 3 * 204 * 1024);
		assert_true(sn.s.stats[i].vmflags & MT_VMF_AC);
		big++;
	}
	assert_int_equal(big, 1);
	/* the program's RELRO and .rodata share a file page (see test_elf_shared_file_page) */
	expect_kind(&sn.cls[1 + file_region(&sn, "threads3", "r-xp")], MT_KIND_ELF_RODATA, "read-only data (.rodata");
	check_no_big_unknowns(&sn);
	free_snap(&sn);
}

static void test_recorded_sleep(void **state)
{
	struct snap sn;

	(void)state;
	load_snap("sleep", &sn);
	assert_int_equal(sn.f.nthreads, 1);
	check_common(&sn, "sleep");
	check_thread_stacks(&sn, 0);
	check_arenas(&sn, 0);
	expect_kind(&sn.cls[file_region(&sn, "LC_CTYPE", "r--p")], MT_KIND_FILE, "locale");
	expect_kind(&sn.cls[file_region(&sn, "gconv-modules.cache", "r--s")], MT_KIND_FILE, "shared");
	assert_int_equal(count_kind(sn.cls, sn.s.maps.count, MT_KIND_LARGE_MALLOC), 0);
	check_no_big_unknowns(&sn);
	free_snap(&sn);
}

static void test_recorded_python3(void **state)
{
	struct snap sn;
	size_t i;

	(void)state;
	load_snap("python3", &sn);
	assert_int_equal(sn.f.nthreads, 2);
	check_common(&sn, "python3.11");
	check_thread_stacks(&sn, 1);
	/* the worker thread's malloc made one arena */
	check_arenas(&sn, 1);
	/* python3.11 is not PIE (ET_EXEC at 0x400000): its bss follows its data */
	i = file_region(&sn, "python3.11", "rw-p");
	expect_kind(&sn.cls[i + 1], MT_KIND_ELF_BSS, "(.bss) of the program");
	assert_int_equal(sn.cls[i + 1].role, MT_ROLE_PROGRAM);
	/* extension libraries */
	expect_kind(&sn.cls[file_region(&sn, "libm.so.6", "r-xp")], MT_KIND_ELF_TEXT, "library libm.so.6");
	/* the 1 MiB bytearray is in a large malloc region */
	assert_true(count_kind(sn.cls, sn.s.maps.count, MT_KIND_LARGE_MALLOC) >= 1);
	check_no_big_unknowns(&sn);
	free_snap(&sn);
}

/* ---- this process, live ------------------------------------------------------ */

struct blocked {
	int fd;
	pid_t tid;
};

static void *block_in_read(void *arg)
{
	struct blocked *b = arg;
	char c;

	__atomic_store_n(&b->tid, gettid(), __ATOMIC_RELEASE);
	return read(b->fd, &c, 1) == 1 ? NULL : arg;
}

static void test_live_self(void **state)
{
	struct blocked b = { 0 };
	struct mt_proc_info info;
	struct mt_smaps s;
	struct mt_class *cls;
	const struct mt_thread *th = NULL;
	pthread_t t;
	int p[2];
	size_t i;

	(void)state;
	assert_int_equal(pipe(p), 0);
	b.fd = p[0];
	assert_int_equal(pthread_create(&t, NULL, block_in_read, &b), 0);
	/* wait until the thread sleeps (in read()) */
	for (int tries = 0; tries < 2000; tries++) {
		char path[96], buf[512], *q;
		FILE *f;
		bool sleeping = false;

		usleep(1000);
		if (!__atomic_load_n(&b.tid, __ATOMIC_ACQUIRE))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)b.tid);
		if ((f = fopen(path, "r"))) {
			if (fgets(buf, sizeof(buf), f) && (q = strrchr(buf, ')')))
				sleeping = q[2] == 'S';
			fclose(f);
		}
		if (sleeping)
			break;
	}
	assert_int_equal(mt_proc_info_read(getpid(), &info), 0);
	assert_int_equal(info.tgid, getpid());
	assert_true(info.has_mm);
	assert_non_null(info.facts.exe);
	assert_true(info.facts.exe_inode != 0);
	assert_true(info.facts.nthreads >= 2);
	for (size_t k = 0; k < info.facts.nthreads; k++)
		if (info.facts.threads[k].tid == b.tid)
			th = &info.facts.threads[k];
	assert_non_null(th);
	/* our own threads' stack pointers are always readable */
	assert_true(th->flags & MT_THREAD_SP_KNOWN);

	assert_int_equal(mt_smaps_read_pid(getpid(), &s), 0);
	cls = calloc(s.maps.count, sizeof(*cls));
	assert_non_null(cls);
	assert_int_equal(mt_classify(s.maps.regions, s.stats, s.maps.count, &info.facts, NULL, cls), 0);
	i = holding(&s.maps, th->sp);
	expect_kind(&cls[i], MT_KIND_THREAD_STACK, NULL);
	assert_int_equal(cls[i].tid, b.tid);
	expect_kind(&cls[i - 1], MT_KIND_GUARD_PAGE, NULL);
	/* a thread id works as the pid: the process is found */
	mt_proc_info_free(&info);
	assert_int_equal(mt_proc_info_read(b.tid, &info), 0);
	assert_int_equal(info.tgid, getpid());
	mt_proc_info_free(&info);

	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	close(p[0]);
	close(p[1]);
	free(cls);
	mt_smaps_free(&s);
	assert_int_equal(mt_proc_info_read(0, &info), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_ids),
		cmocka_unit_test(test_size_str),
		cmocka_unit_test(test_special_names),
		cmocka_unit_test(test_shared_and_kernel_objects),
		cmocka_unit_test(test_elf_library_segments),
		cmocka_unit_test(test_elf_bss_limits),
		cmocka_unit_test(test_elf_shared_file_page),
		cmocka_unit_test(test_elf_guessed_and_roles),
		cmocka_unit_test(test_arenas),
		cmocka_unit_test(test_musl_has_no_glibc_terms),
		cmocka_unit_test(test_libc_of_regions),
		cmocka_unit_test(test_rest_of_anonymous),
		cmocka_unit_test(test_thread_stacks_by_sp),
		cmocka_unit_test(test_thread_stacks_by_shape),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_desc_clips_names),
		cmocka_unit_test(test_parse_task_syscall),
		cmocka_unit_test(test_parse_task_stat_sp),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_recorded_threads3),
		cmocka_unit_test(test_recorded_sleep),
		cmocka_unit_test(test_recorded_python3),
		cmocka_unit_test(test_live_self),
	};

	/* under qemu-user (make ARCH=arm64 unit) /proc shows the emulator, not
	 * this program: the tests that read a live process do not apply */
	if (getenv("MT_UNIT_EMULATED"))
		cmocka_set_skip_filter("test_live_*");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
