/* test_features.c - what each kernel's probed facts mean: the blocker a
 * kernel without a required fact gets, the mechanisms and degradations of a
 * 6.1-like kernel, and MAPTRACE_PRETEND_MISSING's list. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "maptrace/features.h"

static void all_present(struct mt_features *f)
{
	memset(f, 0, sizeof(*f));
	f->probed = true;
	for (int i = 0; i < MT_FT__COUNT; i++)
		f->has[i] = true;
}

static void test_newest_kernel_degrades_nothing(void **state)
{
	struct mt_features f;
	struct mt_mechanism m[MT_JOB__COUNT];

	all_present(&f);
	assert_null(mt_features_blocker(&f));
	mt_features_mechanisms(&f, m);
	for (int i = 0; i < MT_JOB__COUNT; i++)
		assert_null(m[i].degraded);
	assert_non_null(strstr(m[MT_JOB_EXIT_CHECK].how, "sched_process_exit"));
}

/* 6.1: no vma iterator kfuncs (6.7), exit tracepoint after exit_mm (6.16) */
static void test_6_1_seeds_by_iterator_and_stops_in_exit(void **state)
{
	struct mt_features f;
	struct mt_mechanism m[MT_JOB__COUNT];

	all_present(&f);
	f.has[MT_FT_VMA_KFUNCS] = false;
	f.has[MT_FT_EXIT_SEES_MM] = false;
	f.has[MT_FT_PROCMAP_QUERY] = false;
	assert_null(mt_features_blocker(&f));
	mt_features_mechanisms(&f, m);
	assert_non_null(strstr(m[MT_JOB_EXEC_SEED].how, "task_vma iterator"));
	assert_non_null(strstr(m[MT_JOB_EXIT_CHECK].how, "PTRACE_O_TRACEEXIT"));
	assert_non_null(m[MT_JOB_EXIT_CHECK].degraded);
	assert_null(m[MT_JOB_ORDER].degraded);
}

/* 6.7-6.15: the exit dump is taken in exit_mm(), signals included */
static void test_6_12_dumps_in_exit_mm(void **state)
{
	struct mt_features f;
	struct mt_mechanism m[MT_JOB__COUNT];

	all_present(&f);
	f.has[MT_FT_EXIT_SEES_MM] = false;
	mt_features_mechanisms(&f, m);
	assert_non_null(strstr(m[MT_JOB_EXIT_CHECK].how, "exit_mm()"));
	assert_null(m[MT_JOB_EXIT_CHECK].degraded);
}

/* 5.10: the first missing requirement is named, BTF before the rest */
static void test_blockers_name_the_missing_fact(void **state)
{
	struct mt_features f;

	all_present(&f);
	f.has[MT_FT_TP_MMAP_LOCK] = false;
	f.has[MT_FT_TASK_STORAGE] = false;
	assert_non_null(strstr(mt_features_blocker(&f), "mmap_lock tracepoints"));
	f.has[MT_FT_BTF] = false;
	assert_string_equal(mt_features_blocker(&f), "kernel BTF not found at /sys/kernel/btf/vmlinux: "
			    "a kernel built with CONFIG_DEBUG_INFO_BTF=y is required");
}

static void test_pretend_missing_list(void **state)
{
	struct mt_features f;
	const char *bad = NULL;

	all_present(&f);
	assert_int_equal(mt_features_pretend(&f, "vma_iter_kfuncs,exit_sees_mm", false, &bad), 0);
	assert_false(f.has[MT_FT_VMA_KFUNCS]);
	assert_false(f.has[MT_FT_EXIT_SEES_MM]);
	assert_true(f.has[MT_FT_LOOP]);
	assert_int_equal(mt_features_pretend(&f, "loop,vma_iter", false, &bad), -1);
	assert_string_equal(bad, "vma_iter");
	assert_false(f.has[MT_FT_LOOP]); /* names before the bad one still apply */
	assert_int_equal(mt_features_pretend(&f, "tp_preemptible", true, &bad), 0);
	assert_true(f.has[MT_FT_TP_PREEMPTIBLE]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newest_kernel_degrades_nothing),
		cmocka_unit_test(test_6_1_seeds_by_iterator_and_stops_in_exit),
		cmocka_unit_test(test_6_12_dumps_in_exit_mm),
		cmocka_unit_test(test_blockers_name_the_missing_fact),
		cmocka_unit_test(test_pretend_missing_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
