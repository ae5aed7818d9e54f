// SPDX-License-Identifier: GPL-2.0
/* test_series.c - the exporter's series (analyze/series.c) and their
 * exposition (out/prom.c): one series per (cgroup, comm), the cap folding
 * new pairs into "other", label values escaped, gauges only for series
 * with live processes, failures by errno, the processes' own series
 * (busiest first, apart under maptrace_process_), BPF CPU time only when
 * measured, and the Prometheus text format against OpenMetrics. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/series.h"
#include "out/prom.h"

/* Same pair, same series; a third pair past a cap of two is "other". */
static void test_cap(void **state)
{
	struct mt_series_set s;
	struct mt_series *a, *b, *o;

	(void)state;
	assert_int_equal(mt_series_init(&s, 2), 0);
	a = mt_series_of(&s, "/system.slice/a.service", "a");
	b = mt_series_of(&s, "/system.slice/a.service", "b");
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(mt_series_of(&s, "/system.slice/a.service", "a"), a);
	o = mt_series_of(&s, "/system.slice/c.service", "c");
	assert_ptr_equal(o, s.v[0]);
	assert_string_equal(o->cgroup, "other");
	assert_int_equal(s.folded, 1);
	assert_int_equal(s.n, 3);
	/* a pair seen before the cap keeps its own series */
	assert_ptr_equal(mt_series_of(&s, "/system.slice/a.service", "b"), b);
	assert_int_equal(s.folded, 1);
	mt_series_free(&s);
}

static char *expose_all(const struct mt_series_set *s, struct mt_series *const *procs, size_t nprocs,
			const struct mt_prom_health *h, bool om)
{
	struct mt_prom_scrape scrape = { .series = s, .procs = procs, .nprocs = nprocs, .health = h };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mt_prom_write(f, &scrape, om), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *expose(const struct mt_series_set *s, bool om)
{
	struct mt_prom_health h = { .events = 7, .rss_bytes = 4096, .start_s = 1.5, .nprogs = -1,
				    .churn_window_s = 1 };

	return expose_all(s, NULL, 0, &h, om);
}

/* Calls split by result, zero counts absent, label values escaped; the
 * health figures; OpenMetrics names counter families without _total and
 * ends with # EOF. */
static void test_exposition(void **state)
{
	struct mt_series_set s;
	struct mt_series *se;
	char *text, *om;

	(void)state;
	assert_int_equal(mt_series_init(&s, 10), 0);
	se = mt_series_of(&s, "/odd\"name\\x\n", "w");
	se->fig.calls[MT_EV_MMAP] = 5;
	se->fig.failed[MT_EV_MMAP] = 2;
	se->fig.bytes_mapped = 8192;
	text = expose(&s, false);
	assert_non_null(strstr(text, "maptrace_mapping_calls_total{cgroup=\"/odd\\\"name\\\\x\\n\","
				     "comm=\"w\",kind=\"mmap\",result=\"ok\"} 3\n"));
	assert_non_null(strstr(text, "kind=\"mmap\",result=\"failed\"} 2\n"));
	assert_null(strstr(text, "kind=\"munmap\""));
	assert_null(strstr(text, "maptrace_unmapped_bytes_total{"));
	assert_non_null(strstr(text, "maptrace_mapped_bytes_total{cgroup=\"/odd\\\"name\\\\x\\n\",comm=\"w\"} 8192\n"));
	assert_non_null(strstr(text, "# TYPE maptrace_mapping_calls_total counter\n"));
	assert_non_null(strstr(text, "maptrace_events_total 7\n"));
	assert_non_null(strstr(text, "maptrace_loader_resident_bytes 4096\n"));
	assert_non_null(strstr(text, "maptrace_series 2\n"));
	assert_null(strstr(text, "maptrace_virtual_bytes{"));   /* no live process */
	assert_null(strstr(text, "# EOF"));
	free(text);
	se->now = (struct mt_series_now){ .processes = 2, .vm = 1 << 20, .anon = 4096, .rss = 8192 };
	text = expose(&s, false);
	assert_non_null(strstr(text, "# TYPE maptrace_virtual_bytes gauge\n"));
	assert_non_null(strstr(text, "maptrace_virtual_bytes{cgroup=\"/odd\\\"name\\\\x\\n\",comm=\"w\"} 1048576\n"));
	assert_non_null(strstr(text, "maptrace_resident_bytes{cgroup=\"/odd\\\"name\\\\x\\n\",comm=\"w\"} 8192\n"));
	assert_null(strstr(text, "maptrace_resident_bytes{cgroup=\"other\""));
	om = expose(&s, true);
	assert_non_null(strstr(om, "# TYPE maptrace_mapping_calls counter\n"));
	assert_non_null(strstr(om, "# TYPE maptrace_series gauge\n"));
	assert_int_equal(strcmp(om + strlen(om) - 6, "# EOF\n"), 0);
	free(text);
	free(om);
	mt_series_free(&s);
}

/* Failed calls by kind and errno, each pair counted once and named. */
static void test_failures(void **state)
{
	struct mt_series_set s;
	struct mt_series *se;
	char *text;

	(void)state;
	assert_int_equal(mt_series_init(&s, 10), 0);
	se = mt_series_of(&s, "/a", "w");
	assert_int_equal(mt_series_count_failure(se, MT_EV_MPROTECT, ENOMEM), 0);
	assert_int_equal(mt_series_count_failure(se, MT_EV_MPROTECT, EACCES), 0);
	assert_int_equal(mt_series_count_failure(se, MT_EV_MPROTECT, ENOMEM), 0);
	assert_int_equal(mt_series_count_failure(se, MT_EV_MMAP, ENOMEM), 0);
	assert_int_equal(se->nfailures, 3);
	se->fig.churn_bytes = 65536;
	text = expose(&s, false);
	assert_non_null(strstr(text, "maptrace_mapping_failures_total{cgroup=\"/a\",comm=\"w\","
				     "kind=\"mprotect\",errno=\"ENOMEM\"} 2\n"));
	assert_non_null(strstr(text, "kind=\"mprotect\",errno=\"EACCES\"} 1\n"));
	assert_non_null(strstr(text, "kind=\"mmap\",errno=\"ENOMEM\"} 1\n"));
	assert_non_null(strstr(text, "# HELP maptrace_churn_bytes_total Bytes unmapped within 1 s"));
	assert_non_null(strstr(text, "maptrace_churn_bytes_total{cgroup=\"/a\",comm=\"w\"} 65536\n"));
	/* not measured: no BPF time family at all, rather than zeros */
	assert_null(strstr(text, "maptrace_bpf_cpu_seconds_total"));
	free(text);
	/* without shadows neither churn nor anonymous bytes are measured */
	{
		struct mt_prom_health h = { .nprogs = -1, .churn_window_s = 1, .no_shadows = true };

		se->now = (struct mt_series_now){ .processes = 1, .vm = 8192, .rss = 4096 };
		text = expose_all(&s, NULL, 0, &h, false);
		assert_null(strstr(text, "maptrace_churn_bytes_total"));
		assert_null(strstr(text, "maptrace_anonymous_bytes"));
		assert_non_null(strstr(text, "maptrace_virtual_bytes{cgroup=\"/a\",comm=\"w\"} 8192\n"));
		free(text);
	}
	mt_series_free(&s);
}

/* The processes' own series: busiest first (then by pid), written under
 * maptrace_process_ with a pid label, without a processes gauge; the BPF
 * programs' time when measured. */
static void test_per_pid(void **state)
{
	struct mt_series_set s;
	struct mt_series *p[3];
	struct mt_prog_runtime progs[] = { { .name = "sys_exit", .run_ns = 1500000000, .runs = 9 } };
	struct mt_prom_health h = { .nprogs = 1, .progs = progs, .churn_window_s = 1 };
	char *text;

	(void)state;
	assert_int_equal(mt_series_init(&s, 10), 0);
	for (int i = 0; i < 3; i++) {
		p[i] = mt_series_new("/a", "w");
		assert_non_null(p[i]);
		p[i]->pid = (uint32_t)(30 - i);
		p[i]->now.processes = 1;
		p[i]->now.mappings = 40 + (uint64_t)i;
	}
	p[0]->fig.calls[MT_EV_MMAP] = 5;      /* pid 30 */
	p[1]->fig.calls[MT_EV_MUNMAP] = 9;    /* pid 29: busiest */
	p[2]->fig.calls[MT_EV_BRK] = 5;       /* pid 28: as busy as 30, lower pid */
	mt_series_sort_busiest(p, 3);
	assert_int_equal(p[0]->pid, 29);
	assert_int_equal(p[1]->pid, 28);
	assert_int_equal(p[2]->pid, 30);
	text = expose_all(&s, p, 2, &h, false);
	assert_non_null(strstr(text, "maptrace_process_mapping_calls_total{pid=\"29\",cgroup=\"/a\","
				     "comm=\"w\",kind=\"munmap\",result=\"ok\"} 9\n"));
	assert_non_null(strstr(text, "maptrace_process_mappings{pid=\"28\",cgroup=\"/a\",comm=\"w\"} 42\n"));
	assert_null(strstr(text, "pid=\"30\""));   /* past the bound */
	assert_null(strstr(text, "maptrace_process_processes"));
	assert_non_null(strstr(text, "maptrace_bpf_cpu_seconds_total{program=\"sys_exit\"} 1.500000000\n"));
	assert_non_null(strstr(text, "maptrace_bpf_runs_total{program=\"sys_exit\"} 9\n"));
	free(text);
	for (int i = 0; i < 3; i++)
		mt_series_destroy(p[i]);
	mt_series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_exposition),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_per_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
