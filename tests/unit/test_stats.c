// SPDX-License-Identifier: GPL-2.0
/* test_stats.c - stat figures from synthetic streams through the registry
 * (counts, bytes, churn, peaks), budgets, and the JSON reader diff uses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/stats.h"
#include "analyze/budget.h"
#include "base/jsonread.h"

#define MM  0xffff888100001000ULL
#define PID 200
#define A   0x7f0000000000ULL
#define PG  4096ULL

static struct mt_stats st;

static void hook(struct mt_aspace *as, const struct mt_event *e, bool after, void *ctx)
{
	mt_stats_apply(&st, as, e, after);
}

static void feed(struct mt_aspaces *reg, struct mt_event e)
{
	mt_stats_event(&st, &e);
	mt_aspaces_feed(reg, &e, "");
}

static struct mt_event call(uint32_t kind, uint64_t seq, uint64_t a0, uint64_t a1, int64_t ret)
{
	struct mt_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.mm = MM;
	e.seq = seq;
	e.pid = e.tid = PID;
	e.args[0] = a0;
	e.args[1] = a1;
	e.args[2] = 3;    /* PROT_READ|PROT_WRITE */
	e.args[3] = 0x22; /* MAP_PRIVATE|MAP_ANONYMOUS */
	e.ret = ret;
	return e;
}

static void test_figures_from_a_run(void **state)
{
	struct mt_aspaces reg;
	struct mt_maps seed = { 0 };
	struct mt_region pre = { .start = A + 64 * PG, .end = A + 65 * PG, .perms = 3 };
	struct mt_figures t;
	const struct mt_proc_stats *ps;

	mt_stats_init(&st, 0);
	mt_aspaces_init(&reg);
	reg.on_apply = hook;
	assert_int_equal(mt_maps_append(&seed, &pre, NULL, 0), 0); /* existed before tracing */
	assert_int_equal(mt_aspaces_seed(&reg, PID, MM, 0, &seed), 0);
	mt_maps_free(&seed);

	feed(&reg, call(MT_EV_MMAP, 1, 0, 3 * PG - 100, (int64_t)A));   /* 3 pages */
	feed(&reg, call(MT_EV_MMAP, 2, 0, PG, (int64_t)(A + 8 * PG)));   /* 1 page  */
	feed(&reg, call(MT_EV_MUNMAP, 3, A + PG, PG, 0));                /* churn 1 page */
	feed(&reg, call(MT_EV_MUNMAP, 4, A + 64 * PG, PG, 0));           /* pre-existing: no churn */
	feed(&reg, call(MT_EV_MMAP, 0, 0, PG, -12));                     /* failed: no ticket */

	ps = mt_u64map_get(&st.by_pid, PID);
	assert_non_null(ps);
	assert_int_equal(ps->f.calls[MT_EV_MMAP], 3);
	assert_int_equal(ps->f.failed[MT_EV_MMAP], 1);
	assert_int_equal(ps->f.calls[MT_EV_MUNMAP], 2);
	assert_int_equal(ps->f.bytes_mapped, 4 * PG);
	assert_int_equal(ps->f.bytes_unmapped, 2 * PG);
	assert_int_equal(ps->f.churn_bytes, PG);
	assert_int_equal(ps->f.peak_vm, 5 * PG);   /* 1 seeded + 3 + 1 */
	assert_int_equal(ps->f.final_vm, 3 * PG);
	assert_int_equal(ps->f.peak_anon, 5 * PG);

	mt_stats_final(&st, mt_aspaces_by_mm(&reg, MM), NULL);
	assert_int_equal(ps->f.final_mappings, 3); /* [A, A+PG), [A+2PG, A+3PG), [A+8PG, A+9PG) */
	mt_stats_total(&st, &t);
	assert_int_equal(t.peak_vm, 5 * PG);
	assert_int_equal(t.calls[MT_EV_MMAP], 3);
	mt_aspaces_free(&reg);
	mt_stats_free(&st);
}

static void test_figure_names_resolve(void **state)
{
	struct mt_figures f = { 0 };
	uint64_t v = 1;

	f.calls[MT_EV_MREMAP] = 7;
	f.churn_bytes = 9;
	for (const char *const *n = mt_figure_names; *n; n++)
		assert_true(mt_figure_get(&f, *n, &v));
	assert_true(mt_figure_get(&f, "calls.mremap", &v));
	assert_int_equal(v, 7);
	assert_true(mt_figure_get(&f, "churn_bytes", &v));
	assert_int_equal(v, 9);
	assert_false(mt_figure_get(&f, "calls.read", &v));
	assert_false(mt_figure_get(&f, "nope", &v));
}

static void test_budget(void **state)
{
	struct mt_budget b = { 0 };
	struct mt_figures f = { 0 };
	uint64_t v;
	char *out = NULL;
	size_t len = 0;
	FILE *m;

	assert_int_equal(mt_parse_value("64M", &v), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_int_equal(mt_parse_value("2KiB", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(mt_parse_value("12x", &v), -1);
	assert_int_equal(mt_parse_value("-1", &v), -1);
	assert_int_equal(mt_budget_add(&b, "calls.mmap <= 10", "t"), 0);
	assert_int_equal(mt_budget_add(&b, "churn_bytes=1K", "t"), 0);
	assert_int_equal(mt_budget_add(&b, "calls.read <= 1", "t"), -1);
	assert_int_equal(mt_budget_add(&b, "no operator", "t"), -1);
	f.calls[MT_EV_MMAP] = 12;
	f.churn_bytes = 1024;
	m = open_memstream(&out, &len);
	assert_int_equal(mt_budget_check(&b, &f, m), 1);
	fclose(m);
	assert_string_equal(out, "maptrace: over budget: calls.mmap = 12, limit 10 (+2, +20.0%)\n");
	free(out);
	mt_budget_free(&b);
}

static void test_jsonread(void **state)
{
	const char *doc = "{\"a\": [1, 18446744073709551615, -2, 1.5e3], \"s\": \"x\\n\\u00e9\\ud83d\\ude00\","
			  " \"o\": {\"t\": true, \"n\": null}}";
	struct mt_jval v;
	size_t off;
	const struct mt_jval *a;

	assert_int_equal(mt_jparse(doc, strlen(doc), &v, &off), 0);
	a = mt_jget(&v, "a");
	assert_non_null(a);
	assert_int_equal(a->len, 4);
	assert_true(a->items[1].is_u64);
	assert_true(a->items[1].u64 == UINT64_MAX);
	assert_false(a->items[2].is_u64);
	assert_false(a->items[3].is_u64);
	assert_string_equal(mt_jget(&v, "s")->str, "x\n\xc3\xa9\xf0\x9f\x98\x80");
	assert_true(mt_jget(mt_jget(&v, "o"), "t")->b);
	assert_int_equal(mt_jget(mt_jget(&v, "o"), "n")->type, MT_J_NULL);
	assert_null(mt_jget(&v, "missing"));
	mt_jfree(&v);

	assert_int_equal(mt_jparse("{\"a\":1,}", 8, &v, &off), -1);
	assert_int_equal(mt_jparse("[1 2]", 5, &v, &off), -1);
	assert_int_equal(off, 3);
	assert_int_equal(mt_jparse("\"\\q\"", 4, &v, &off), -1);
	assert_int_equal(mt_jparse("{\"k\" 1}", 7, &v, &off), -1);
	{
		char deep[200];

		memset(deep, '[', 100);
		memset(deep + 100, ']', 100);
		assert_int_equal(mt_jparse(deep, 200, &v, &off), -1); /* depth limit */
	}
}

/* Found by tests/fuzz/fuzz_jsonread.c: strtod skipped a vertical tab the
 * reader does not count as white space and strtoull then turned "-12" into
 * the "exact" 2^64-12. Only RFC 8259 numbers are numbers; a number past
 * 2^64-1 is not an exact u64. */
static void test_jsonread_number_grammar(void **state)
{
	static const char *const bad[] = { "\v-12", "+1", "0x10", ".5", "1.", "01", "-", "1e",
					   "inf", "nan", "-inf" };
	struct mt_jval v;
	size_t off;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mt_jparse(bad[i], strlen(bad[i]), &v, &off), -1);
	assert_int_equal(mt_jparse("\v-12", 4, &v, &off), -1);
	assert_int_equal(off, 0);
	assert_int_equal(mt_jparse("99999999999999999999", 20, &v, &off), 0);
	assert_int_equal(v.type, MT_J_NUM);
	assert_false(v.is_u64);
	assert_true(v.num == 1e20);
	mt_jfree(&v);
	assert_int_equal(mt_jparse(" -0.5e+2 ", 9, &v, &off), 0);
	assert_true(v.num == -50.0);
	assert_false(v.is_u64);
	mt_jfree(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figures_from_a_run),
		cmocka_unit_test(test_figure_names_resolve),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_jsonread),
		cmocka_unit_test(test_jsonread_number_grammar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
