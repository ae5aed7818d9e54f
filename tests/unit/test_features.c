// SPDX-License-Identifier: GPL-2.0
/* test_features.c - what each kernel's probed facts mean: the blocker a
 * kernel without a required fact gets, the object and mechanisms of 5.10-
 * and 6.1-like kernels and of kernels without BTF, and
 * MAPTRACE_PRETEND_MISSING's list. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "kernel/features.h"

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

/* 7.x: syscalls through the classic tracepoints, which run with
 * preemption off; without tracefs, tp_btf with its skipped runs named */
static void test_7_x_sees_syscalls_through_classic_tracepoints(void **state)
{
	struct mt_features f;
	struct mt_mechanism m[MT_JOB__COUNT];

	all_present(&f);
	assert_true(mt_features_classic_syscall_tp(&f));
	mt_features_mechanisms(&f, m);
	assert_non_null(strstr(m[MT_JOB_ATTACH].how, "classic tracepoints (raw_syscalls/sys_exit"));
	assert_null(m[MT_JOB_ATTACH].degraded);
	f.has[MT_FT_TRACEFS] = false;
	assert_false(mt_features_classic_syscall_tp(&f));
	mt_features_mechanisms(&f, m);
	assert_non_null(strstr(m[MT_JOB_ATTACH].how, "tp_btf/sys_exit"));
	assert_non_null(strstr(m[MT_JOB_ATTACH].degraded, "lost events"));
	/* a kernel whose tracepoint programs are not preempted keeps tp_btf */
	all_present(&f);
	f.has[MT_FT_TP_PREEMPTIBLE] = false;
	assert_false(mt_features_classic_syscall_tp(&f));
	mt_features_mechanisms(&f, m);
	assert_null(m[MT_JOB_ATTACH].degraded);
}

/* Debian 11's 5.10 as probed in the kernel matrix */
static void as_on_5_10(struct mt_features *f)
{
	all_present(f);
	f->has[MT_FT_TP_MMAP_LOCK] = false;
	f->has[MT_FT_EXIT_SEES_MM] = false;
	f->has[MT_FT_TASK_STORAGE] = false;
	f->has[MT_FT_CURRENT_TASK_BTF] = false;
	f->has[MT_FT_TASK_PT_REGS] = false;
	f->has[MT_FT_FIND_VMA] = false;
	f->has[MT_FT_LOOP] = false;
	f->has[MT_FT_TASK_VMA_ITER] = false;
	f->has[MT_FT_VMA_KFUNCS] = false;
	f->has[MT_FT_PROG_SYSCALL] = false;
	f->has[MT_FT_PROCMAP_QUERY] = false;
	f->has[MT_FT_CLASSIC_MMAP_LOCK] = false;
}

/* 5.10 with fexit: the legacy object, and every job says how */
static void test_5_10_traces_with_the_legacy_object(void **state)
{
	struct mt_features f;
	struct mt_mechanism m[MT_JOB__COUNT];

	as_on_5_10(&f);
	assert_null(mt_features_blocker(&f));
	assert_int_equal(mt_features_object(&f), MT_OBJ_LEGACY);
	mt_features_mechanisms(&f, m);
	assert_non_null(strstr(m[MT_JOB_ORDER].how, "down_write_killable"));
	assert_null(m[MT_JOB_ORDER].degraded);
	assert_non_null(strstr(m[MT_JOB_ATTACH].degraded, "bpf_find_vma"));
	assert_non_null(strstr(m[MT_JOB_EXEC_SEED].how, "/proc/PID/maps"));
	assert_non_null(strstr(m[MT_JOB_SNAPSHOT].how, "mm_access"));
	assert_non_null(strstr(m[MT_JOB_EXIT_CHECK].how, "PTRACE_O_TRACEEXIT"));
	/* any one modern fact missing is enough to pick it; none: modern */
	all_present(&f);
	assert_int_equal(mt_features_object(&f), MT_OBJ_MODERN);
	f.has[MT_FT_LOOP] = false;
	assert_int_equal(mt_features_object(&f), MT_OBJ_LEGACY);
}

/* 5.10 without fexit (arm64's): the no-BTF object on the kernel's own BTF,
 * tickets from kprobes; without kprobes too, refused, never misordered;
 * the first missing requirement is named, BTF before the rest */
static void test_blockers_name_the_missing_fact(void **state)
{
	struct mt_features f;

	as_on_5_10(&f);
	f.has[MT_FT_FEXIT_MM_LOCKS] = false;
	assert_int_equal(mt_features_object(&f), MT_OBJ_NOBTF);
	assert_null(mt_features_blocker(&f));
	f.has[MT_FT_KPROBES] = false;
	assert_int_equal(mt_features_object(&f), MT_OBJ_NONE);
	assert_non_null(strstr(mt_features_blocker(&f), "mmap_lock tracepoints"));
	assert_non_null(strstr(mt_features_blocker(&f), "fexit"));
	assert_non_null(strstr(mt_features_blocker(&f), "kprobes"));
	f.has[MT_FT_BTF] = false;
	assert_non_null(strstr(mt_features_blocker(&f), "kernel BTF not found at "
			       "/sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF): give this kernel's "
			       "BTF with --btf FILE"));
}

/* No kernel BTF: the no-BTF object, with a --btf file, tickets from the
 * classic mmap_lock tracepoint, else from kprobes; refused, saying what is
 * missing, without the file or either ticket source. */
static void test_no_kernel_btf_traces_with_a_btf_file(void **state)
{
	struct mt_features f;
	struct mt_mechanism m[MT_JOB__COUNT];

	all_present(&f);
	f.has[MT_FT_BTF] = false;
	assert_int_equal(mt_features_object(&f), MT_OBJ_NONE);
	assert_non_null(strstr(mt_features_blocker(&f), "--btf FILE"));
	f.kernel_btf_off = true;
	assert_non_null(strstr(mt_features_blocker(&f), "MAPTRACE_KERNEL_BTF=none"));
	f.btf_file = true;
	assert_int_equal(mt_features_object(&f), MT_OBJ_NOBTF);
	assert_null(mt_features_blocker(&f));
	assert_false(mt_features_dumps(&f));
	mt_features_mechanisms(&f, m);
	assert_non_null(strstr(m[MT_JOB_ORDER].how, "classic mmap_lock_acquire_returned"));
	assert_non_null(strstr(m[MT_JOB_ATTACH].degraded, "frame-pointer"));
	assert_non_null(strstr(m[MT_JOB_SNAPSHOT].how, "stopped"));
	f.has[MT_FT_CLASSIC_MMAP_LOCK] = false; /* 5.10 */
	mt_features_mechanisms(&f, m);
	assert_non_null(strstr(m[MT_JOB_ORDER].how, "up_write()/downgrade_write()"));
	f.has[MT_FT_KPROBES] = false;
	assert_int_equal(mt_features_object(&f), MT_OBJ_NONE);
	assert_non_null(strstr(mt_features_blocker(&f), "cannot order"));
	f.has[MT_FT_KPROBES] = true;
	f.has[MT_FT_CLASSIC_TP] = false;
	assert_non_null(strstr(mt_features_blocker(&f), "raw_syscalls"));
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
		cmocka_unit_test(test_7_x_sees_syscalls_through_classic_tracepoints),
		cmocka_unit_test(test_5_10_traces_with_the_legacy_object),
		cmocka_unit_test(test_blockers_name_the_missing_fact),
		cmocka_unit_test(test_no_kernel_btf_traces_with_a_btf_file),
		cmocka_unit_test(test_pretend_missing_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
