// SPDX-License-Identifier: GPL-2.0
/* test_signatures.c - what creating stacks say a region is: the built-in
 * table parses, the first rule matching any frame wins (an allocator's
 * internals before the runtime that called it), names match without
 * their parameters, symbol versions or clone suffixes, '@' rules match
 * the frame's file, and bad rules files are refused with where and why. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/signatures.h"

static struct mt_frame frame(const char *func, const char *module)
{
	return (struct mt_frame){ .func = (char *)func, .symbol = true, .module = (char *)module };
}

/* The kind the built-in table gives a stack of n frames (innermost
 * first), or -1. */
static int kind_of(const struct mt_frame *f, int n)
{
	const struct mt_frame *p[8];
	struct mt_signatures s = { 0 };
	const struct mt_sig_rule *r;
	int kind;

	for (int i = 0; i < n; i++)
		p[i] = &f[i];
	assert_int_equal(mt_signatures_builtin(&s), 0);
	r = mt_signatures_match(&s, p, n, NULL);
	kind = r ? (int)r->kind : -1;
	mt_signatures_free(&s);
	return kind;
}

static void test_builtin(void **state)
{
	struct mt_frame arena_in_v8[] = {
		frame("__mmap", "/lib/libc.so.6"), frame("alloc_new_heap", "/lib/libc.so.6"),
		frame("__libc_malloc", "/lib/libc.so.6"),
		frame("v8::internal::Heap::SetUp(v8::internal::LocalHeap*)", "/usr/bin/node"),
	};
	struct mt_frame code_range[] = {
		frame("__mmap", "/lib/libc.so.6"),
		frame("v8::internal::VirtualMemoryCage::InitReservation(v8::internal::VirtualMemoryCage::ReservationParams const&)", "/usr/bin/node"),
		frame("v8::internal::CodeRange::InitReservation(v8::PageAllocator*, unsigned long)", "/usr/bin/node"),
	};
	struct mt_frame java_thread[] = {
		frame("__mmap", "/lib/libc.so.6"), frame("pthread_create@GLIBC_2.2.5", "/lib/libc.so.6"),
		frame("os::create_thread(Thread*, os::ThreadType, unsigned long)", "/usr/lib/jvm/libjvm.so"),
	};
	struct mt_frame thread[] = {
		frame("__mmap", "/lib/libc.so.6"), frame("pthread_create@GLIBC_2.2.5", "/lib/libc.so.6"),
		frame("start_pool.constprop.0", "/tmp/a.out"),
	};
	struct mt_frame chunk[] = {
		frame("__mmap", "/lib/libc.so.6"), frame("sysmalloc_mmap.constprop.0", "/lib/libc.so.6"),
	};
	struct mt_frame jemalloc[] = {
		frame("mmap", "/lib/libc.so.6"), frame("malloc", "/usr/lib/libjemalloc.so.2"),
	};
	struct mt_frame nothing[] = {
		frame("__mmap", "/lib/libc.so.6"), frame("new_heap_of_mine", "/tmp/a.out"),
		frame("main", "/tmp/a.out"),
	};

	(void)state;
	assert_int_equal(kind_of(arena_in_v8, 4), MT_KIND_MALLOC_ARENA);
	assert_int_equal(kind_of(code_range, 3), MT_KIND_V8_CODE);
	assert_int_equal(kind_of(java_thread, 3), MT_KIND_JAVA_THREAD_STACK);
	assert_int_equal(kind_of(thread, 3), MT_KIND_THREAD_STACK);
	assert_int_equal(kind_of(chunk, 2), MT_KIND_LARGE_MALLOC);
	assert_int_equal(kind_of(jemalloc, 2), MT_KIND_JEMALLOC);
	assert_int_equal(kind_of(nothing, 3), -1);   /* new_heap is not a prefix rule */
}

static void test_user_rules(void **state)
{
	struct mt_signatures s = { 0 };
	char err[320];
	struct mt_frame f = frame("make_cache", "/tmp/a.out");
	const struct mt_frame *p = &f;
	const struct mt_sig_rule *r;

	(void)state;
	assert_int_equal(mt_signatures_parse(&s, "# mine\n\n  jemalloc/reservation   make_*  \n",
					     "my.rules", err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	r = mt_signatures_match(&s, &p, 1, NULL);
	assert_non_null(r);
	assert_int_equal(r->kind, MT_KIND_JEMALLOC);
	assert_int_equal(r->reserved_kind, MT_KIND_RESERVATION);
	assert_string_equal(r->pattern, "make_");
	assert_true(r->prefix);
	mt_signatures_free(&s);

	assert_int_equal(mt_signatures_parse(&s, "heap x\nbogus y\n", "my.rules", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "my.rules:2: unknown kind 'bogus' (kinds: see maptrace explain --help)");
	mt_signatures_free(&s);
	assert_int_equal(mt_signatures_parse(&s, "heap a b\n", "r", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "r:1: expected 'KIND PATTERN' (one pattern, no blanks in it)");
	mt_signatures_free(&s);
	assert_int_equal(mt_signatures_parse(&s, "heap\n", "r", err, sizeof(err)), -EINVAL);
	assert_int_equal(mt_signatures_parse(&s, "heap/nope x\n", "r", err, sizeof(err)), -EINVAL);
	assert_int_equal(mt_signatures_parse(&s, "heap @*\n", "r", err, sizeof(err)), -EINVAL);
	mt_signatures_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_user_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
