// SPDX-License-Identifier: GPL-2.0
/* test_demangle.c - symbol names as their source spells them: C++ and
 * Rust (legacy and v0) demangled, C and Go names left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "analyze/demangle.h"

static void expect(const char *sym, const char *want)
{
	char *got = mt_demangle(sym);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* The frames issue 14 quotes, as V8 in Node.js 20 names them. */
static void test_cxx(void **state)
{
	(void)state;
	expect("_ZN2v88internal4Heap5SetUpEPNS0_9LocalHeapE",
	       "v8::internal::Heap::SetUp(v8::internal::LocalHeap*)");
	expect("_ZN2v88internal9CodeRange15InitReservationEPNS_13PageAllocatorEm",
	       "v8::internal::CodeRange::InitReservation(v8::PageAllocator*, unsigned long)");
	/* HotSpot: a constructor */
	expect("_ZN17ReservedHeapSpaceC2Emmm",
	       "ReservedHeapSpace::ReservedHeapSpace(unsigned long, unsigned long, unsigned long)");
}

static void test_rust(void **state)
{
	(void)state;
	/* legacy: Itanium with a hash element, which is dropped */
	expect("_ZN3std2rt10lang_start17h0123456789abcdefE", "std::rt::lang_start");
	/* v0 (RFC 2603) */
	expect("_RNvCs1234_7mycrate3foo", "mycrate::foo");
	expect("_RNvNtCs1234_7mycrate5inner8allocate", "mycrate::inner::allocate");
}

static void test_left_alone(void **state)
{
	(void)state;
	expect("malloc", NULL);
	expect("alloc_new_heap", NULL);
	expect("runtime.(*mheap).sysAlloc", NULL);  /* Go */
	expect("_start", NULL);
	expect("_Zgarbage", NULL);                  /* not a valid mangling */
	expect("", NULL);
	expect(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cxx),
		cmocka_unit_test(test_rust),
		cmocka_unit_test(test_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
