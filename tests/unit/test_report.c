// SPDX-License-Identifier: GPL-2.0
/* test_report.c - the HTML report's page (out/report.c) and the timeline's
 * JSON (out/timeline.c): a value from /proc holding "</script>" or "<!--"
 * cannot end the page's data element early, the title is escaped; the
 * peak is put back among the points where it falls when the bound dropped
 * it, and not twice when it was kept; the churn rule (stats'
 * mt_created_bytes_in) counts only what was created since its bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/stats.h"
#include "core/shadow.h"
#include "out/report.h"
#include "out/timeline.h"

static char *page_of(const char *title, const char *json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mt_report_html(f, title, "explain", json, strlen(json)), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_no_breaking_out(void **state)
{
	char *page = page_of("a <b>&", "{\"name\":\"/tmp/</script><img src=x onerror=alert(1)><!--\"}");
	const char *data = strstr(page, "<script type=\"application/json\" id=\"mt-data\">");
	const char *end;

	(void)state;
	assert_non_null(data);
	end = strstr(data, "</script>");
	assert_non_null(end);
	/* the data element ends where the page ends it, after the whole value */
	assert_non_null(strstr(data, "\\u003c/script>\\u003cimg src=x onerror=alert(1)>\\u003c!--"));
	assert_true(strstr(data, "\\u003c!--") < end);
	assert_null(strstr(page, "<img"));
	assert_non_null(strstr(page, "<title>a &lt;b&gt;&amp;</title>"));
	free(page);
}

static char *timeline_json(const struct mt_timeline *tl)
{
	struct mt_json j;
	char *out;

	mt_json_init(&j);
	mt_json_obj_begin(&j);
	assert_int_equal(mt_timeline_json(&j, tl, NULL), 0);
	mt_json_obj_end(&j);
	out = strndup(j.buf, j.len);
	mt_json_free(&j);
	return out;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void test_peak_among_points(void **state)
{
	struct mt_timeline tl;
	const char *pts;
	char *js;

	(void)state;
	mt_timeline_init(&tl, 4, 2);
	for (uint64_t i = 0; i < 64; i++) {
		struct mt_timeline_point p = { .t_ns = i, .vm = i == 33 ? 999999 : 4096, .kind = 1, .tid = 1 };

		mt_timeline_add(&tl, &p);
	}
	js = timeline_json(&tl);
	/* kept: 0, 16, 32, 48; the peak (33) between 32 and 48, once more in "peak" */
	assert_int_equal(count(js, "\"vm\":999999"), 2);
	pts = strstr(js, "\"points\"");
	assert_non_null(pts);
	assert_non_null(strstr(pts, "\"t_ns\":32,"));
	assert_true(strstr(pts, "\"t_ns\":32,") < strstr(pts, "\"t_ns\":33,"));
	assert_true(strstr(pts, "\"t_ns\":33,") < strstr(pts, "\"t_ns\":48,"));
	free(js);
	mt_timeline_free(&tl);

	/* a kept peak is not written twice */
	mt_timeline_init(&tl, 64, 2);
	for (uint64_t i = 0; i < 8; i++) {
		struct mt_timeline_point p = { .t_ns = i, .vm = i == 3 ? 999999 : 4096, .kind = 1, .tid = 1 };

		mt_timeline_add(&tl, &p);
	}
	js = timeline_json(&tl);
	assert_int_equal(count(js, "\"vm\":999999"), 2);   /* "peak" and its point */
	free(js);
	mt_timeline_free(&tl);
}

/* Churn: the bytes of a range in regions created (traced) since a time. */
static void test_created_since(void **state)
{
	struct mt_shadow *s = mt_shadow_new();
	struct mt_region old = { .start = 0x10000, .end = 0x14000, .perms = MT_PERM_READ,
				 .origin = { .ts_ns = 100, .kind = 1 } };
	struct mt_region young = { .start = 0x14000, .end = 0x18000, .perms = MT_PERM_WRITE,
				   .origin = { .ts_ns = 900, .kind = 1 } };
	struct mt_region seeded = { .start = 0x18000, .end = 0x1c000 };   /* origin.kind 0 */

	(void)state;
	assert_non_null(s);
	assert_int_equal(mt_shadow_map(s, &old), 0);
	assert_int_equal(mt_shadow_map(s, &young), 0);
	assert_int_equal(mt_shadow_map(s, &seeded), 0);
	assert_int_equal(mt_created_bytes_in(s, 0x10000, 0x1c000, 0), 0x8000);
	assert_int_equal(mt_created_bytes_in(s, 0x10000, 0x1c000, 500), 0x4000);
	assert_int_equal(mt_created_bytes_in(s, 0x12000, 0x16000, 500), 0x2000);
	assert_int_equal(mt_created_bytes_in(s, 0x10000, 0x1c000, 1000), 0);
	mt_shadow_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_breaking_out),
		cmocka_unit_test(test_peak_among_points),
		cmocka_unit_test(test_created_since),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
