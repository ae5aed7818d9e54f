// SPDX-License-Identifier: GPL-2.0
/* fuzz_budget.c - budget entries and limit values (user/analyze/budget.c, and the
 * figure names of user/analyze/stats.c) on any text.
 *
 * Input: one entry ("calls.mmap <= 64M", "churn_bytes=1G"); a NUL ends it
 * early, as it would a C string. Checked, besides "no crash, leak or hang":
 *  - mt_parse_value agrees exactly (accepted or not, and the value) with a
 *    reference written from its documentation here: optional white space,
 *    decimal digits, an optional K/M/G/T suffix (binary; then optional 'i'
 *    and 'B'), optional white space, nothing else, no overflow;
 *  - mt_budget_add accepts exactly the entries whose figure name (trimmed)
 *    is known and whose value parses, and records that name and value;
 *  - mt_budget_check counts exactly the limits a figure set exceeds.
 * The whole input is also loaded as a budget file (one entry per line, '#'
 * comments) through a memfd.
 * mt_budget_add reports bad entries on stderr: run with -close_fd_mask=2.
 */
#include <ctype.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyze/budget.h"
#include "fuzz_util.h"

static int ref_parse_value(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int shift = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	switch (*s) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	}
	if (shift) {
		s++;
		if (*s == 'i' || *s == 'I')
			s++;
		if (*s == 'b' || *s == 'B')
			s++;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s || (shift && v > UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/* 0 and the limit an entry should give, -1 when it should be refused. */
static int ref_entry(const char *entry, struct mt_limit *l)
{
	const char *op = strstr(entry, "<=");
	size_t oplen = 2, n;
	struct mt_figures zero = { 0 };
	uint64_t probe;

	if (!op) {
		op = strchr(entry, '=');
		oplen = 1;
	}
	if (!op)
		return -1;
	while (isspace((unsigned char)*entry))
		entry++;
	n = (size_t)(op - entry);
	while (n && isspace((unsigned char)entry[n - 1]))
		n--;
	if (!n || n >= sizeof(l->figure))
		return -1;
	memset(l->figure, 0, sizeof(l->figure));
	memcpy(l->figure, entry, n);
	if (!mt_figure_get(&zero, l->figure, &probe))
		return -1;
	return ref_parse_value(op + oplen, &l->max);
}

/* Every figure set to x. */
static void figures_all(struct mt_figures *f, uint64_t x)
{
	for (int k = 0; k < MT_STAT_KINDS; k++)
		f->calls[k] = f->failed[k] = x;
	f->bytes_mapped = f->bytes_unmapped = f->churn_bytes = x;
	f->peak_vm = f->final_vm = f->peak_anon = f->final_anon = f->final_mappings = x;
}

static void check_budget(const struct mt_budget *b, uint64_t x)
{
	struct mt_figures f;
	int want = 0;

	figures_all(&f, x);
	for (size_t i = 0; i < b->count; i++)
		want += x > b->limits[i].max;
	FUZZ_CHECK(mt_budget_check(b, &f, fuzz_devnull()) == want, "budget check miscounts");
}

static void load_file(const uint8_t *data, size_t size)
{
	struct mt_budget b = { 0 };
	char path[64];
	int fd = memfd_create("budget", MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0, "memfd_create");
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size, "write memfd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (mt_budget_load(&b, path) == 0)
		check_budget(&b, 1ull << 20);
	mt_budget_free(&b);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct mt_budget b = { 0 };
	struct mt_limit want;
	uint64_t v = 0, rv = 0, x = 0;
	int got, ref;

	FUZZ_CHECK(s, "out of memory");
	memcpy(s, data, size);
	s[size] = '\0';

	got = mt_parse_value(s, &v);
	ref = ref_parse_value(s, &rv);
	FUZZ_CHECK(got == ref, "mt_parse_value(\"%s\") = %d, expected %d", s, got, ref);
	FUZZ_CHECK(got || v == rv, "mt_parse_value(\"%s\") = %llu, expected %llu", s,
		   (unsigned long long)v, (unsigned long long)rv);

	got = mt_budget_add(&b, s, "fuzz");
	ref = ref_entry(s, &want);
	FUZZ_CHECK(got == ref, "mt_budget_add(\"%s\") = %d, expected %d", s, got, ref);
	if (!got) {
		FUZZ_CHECK(b.count == 1, "%zu limits", b.count);
		FUZZ_CHECK(!strcmp(b.limits[0].figure, want.figure) && b.limits[0].max == want.max,
			   "mt_budget_add(\"%s\") recorded %s <= %llu", s, b.limits[0].figure,
			   (unsigned long long)b.limits[0].max);
		if (size >= 8)
			memcpy(&x, data + size - 8, 8);
		check_budget(&b, x);
		check_budget(&b, b.limits[0].max);
		if (b.limits[0].max < UINT64_MAX)
			check_budget(&b, b.limits[0].max + 1);
	} else {
		FUZZ_CHECK(b.count == 0, "refused entry kept");
	}
	mt_budget_free(&b);
	load_file(data, size);
	free(s);
	return 0;
}
