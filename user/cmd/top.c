// SPDX-License-Identifier: GPL-2.0
/* top.c - `maptrace top`: who is churning mappings on this machine, live.
 *
 * Traces every process (or the given ones), keeps their shadows, and every
 * --delay seconds prints per process the rates of mapping calls, bytes
 * mapped and unmapped per second, current virtual and anonymous size,
 * mapping count and failed calls, sorted. A process that keeps mapping and
 * unmapping the same sizes (the classic glibc mmap-threshold trap: a
 * malloc/free pair above M_MMAP_THRESHOLD in a loop) is flagged CHURN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "trace/session.h"
#include "analyze/stats.h"
#include "core/event.h"

#define SIZE_SLOTS 8     /* distinct mapping sizes remembered per process per interval */

static const char top_usage[] =
"Usage: maptrace top [OPTIONS] [-p PID[,PID...]]\n"
"\n"
"Live view of mapping activity per process, refreshed every second (all\n"
"processes unless -p): mmap/munmap/mprotect/brk/mremap calls per second,\n"
"bytes mapped and unmapped per second, virtual size, anonymous size, number\n"
"of mappings, failed calls. CHURN marks a process that maps and unmaps the\n"
"same sizes over and over (e.g. malloc/free above the mmap threshold).\n"
"At the end, one line of the run's totals: calls, bytes mapped and unmapped\n"
"(the figures of stat's total).\n"
"\n"
"Options:\n"
"  -D, --delay S         seconds between refreshes (default 1; fractions allowed)\n"
"  -n, --iterations N    stop after N refreshes\n"
"  -B, --batch           plain text frames for scripts and logs (no screen control)\n"
"  -s, --sort KEY        calls (default), mmap, munmap, mprotect, brk, mremap,\n"
"                        mapped, unmapped, vsz, anon, maps, failed\n"
"  -c, --comm NAME       only processes whose command name contains NAME\n"
"  -k, --limit N         show at most N processes (default 20)\n"
MT_COMMON_USAGE
"\n"
"Examples:\n"
"  maptrace top\n"
"  maptrace top -B -n 5 -s unmapped > churn.log\n"
"  maptrace top -p 1234 -D 0.5\n";

struct size_slot {
	uint64_t size, mapped, unmapped;
};

/* what happened to one process during the current interval */
struct interval {
	uint64_t calls[MT_STAT_KINDS];
	uint64_t failed;
	uint64_t bytes_mapped, bytes_unmapped;
	struct size_slot sizes[SIZE_SLOTS];
	char comm[MT_COMM_LEN + 1];
};

struct row {
	pid_t pid;
	struct interval iv;
	double rate[MT_STAT_KINDS], mapped_s, unmapped_s, failed_s;
	uint64_t vsz, anon, maps;
	bool churn;
};

struct top_ctx {
	struct mt_u64map iv;    /* pid -> struct interval * */
	double delay;
	int iterations, limit;
	bool batch;
	const char *sort;
	const char *comm;
	uint64_t last_ns;
	int frames;
	uint64_t events_seen, events_prev;
	uint64_t total_calls, total_mapped, total_unmapped; /* the whole run, for the last line */
};

static void note_size(struct interval *iv, uint64_t size, bool mapped)
{
	struct size_slot *free_slot = NULL;

	for (int i = 0; i < SIZE_SLOTS; i++) {
		if (iv->sizes[i].size == size) {
			if (mapped)
				iv->sizes[i].mapped++;
			else
				iv->sizes[i].unmapped++;
			return;
		}
		if (!iv->sizes[i].size && !free_slot)
			free_slot = &iv->sizes[i];
	}
	if (free_slot) {
		free_slot->size = size;
		free_slot->mapped = mapped;
		free_slot->unmapped = !mapped;
	}
}

/* The interval of process pid, created at its first event. */
static struct interval *interval_of(struct top_ctx *c, pid_t pid, const char *comm)
{
	struct interval *iv = mt_u64map_get(&c->iv, (uint64_t)pid);

	if (!iv) {
		iv = calloc(1, sizeof(*iv));
		if (!iv || mt_u64map_put(&c->iv, (uint64_t)pid, iv)) {
			free(iv);
			return NULL;
		}
	}
	memcpy(iv->comm, comm, MT_COMM_LEN);
	return iv;
}

/* Calls are counted as they arrive... */
static void on_event(struct mt_session *s, const struct mt_event *e, const char *path)
{
	struct top_ctx *c = s->ctx;
	struct interval *iv;

	c->events_seen++;
	if (e->kind == MT_EV_NONE || e->kind >= MT_STAT_KINDS)
		return;
	iv = interval_of(c, (pid_t)e->pid, e->comm);
	if (!iv)
		return;
	iv->calls[e->kind]++;
	c->total_calls++;
	if (mt_event_failed(e))
		iv->failed++;
}

/* ... and bytes as the address space's changes are applied in the
 * kernel's order, by the rule stat uses (the session's on_bytes) */
static void count_bytes(struct mt_session *s, const struct mt_aspace *as, const struct mt_event *e,
			struct mt_event_bytes b)
{
	struct top_ctx *c = s->ctx;
	struct interval *iv;

	if (!b.mapped && !b.unmapped)
		return;
	iv = interval_of(c, as->pid, as->comm);
	if (!iv)
		return;
	iv->bytes_mapped += b.mapped;
	iv->bytes_unmapped += b.unmapped;
	c->total_mapped += b.mapped;
	c->total_unmapped += b.unmapped;
	if (e->kind == MT_EV_MMAP || e->kind == MT_EV_MUNMAP)
		note_size(iv, b.mapped + b.unmapped, e->kind == MT_EV_MMAP);
}

/* Maps and unmaps the same sizes, often: at least 20 pairs a second
 * repeating one size. */
static bool churning(const struct interval *iv, double secs)
{
	for (int i = 0; i < SIZE_SLOTS; i++) {
		uint64_t pairs = iv->sizes[i].mapped < iv->sizes[i].unmapped ? iv->sizes[i].mapped :
									      iv->sizes[i].unmapped;
		if (iv->sizes[i].size && (double)pairs / secs >= 20)
			return true;
	}
	return false;
}

static double sort_key(const struct row *r, const char *sort)
{
	static const struct { const char *name; int kind; } kinds[] = {
		{ "mmap", MT_EV_MMAP }, { "munmap", MT_EV_MUNMAP }, { "mprotect", MT_EV_MPROTECT },
		{ "brk", MT_EV_BRK }, { "mremap", MT_EV_MREMAP },
	};
	double sum = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(sort, kinds[i].name))
			return r->rate[kinds[i].kind];
	if (!strcmp(sort, "mapped"))
		return r->mapped_s;
	if (!strcmp(sort, "unmapped"))
		return r->unmapped_s;
	if (!strcmp(sort, "vsz"))
		return (double)r->vsz;
	if (!strcmp(sort, "anon"))
		return (double)r->anon;
	if (!strcmp(sort, "maps"))
		return (double)r->maps;
	if (!strcmp(sort, "failed"))
		return r->failed_s;
	for (int k = 0; k < MT_STAT_KINDS; k++)
		sum += r->rate[k];
	return sum;
}

static const char *sort_by;

static int cmp_rows(const void *a, const void *b)
{
	double ka = sort_key(a, sort_by), kb = sort_key(b, sort_by);

	if (ka != kb)
		return ka < kb ? 1 : -1;
	return ((const struct row *)a)->pid - ((const struct row *)b)->pid;
}

static const char *human(double v, char *buf, size_t cap)
{
	static const char units[] = "BKMGT";
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, cap, u ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

static void draw(struct mt_session *s, double secs)
{
	struct top_ctx *c = s->ctx;
	size_t n = 0, cap = c->iv.used + s->reg.by_tgid.used + 1, pos = 0;
	struct row *rows = calloc(cap, sizeof(*rows));
	char b1[16], b2[16], b3[16], b4[16], clock[16];
	time_t now = time(NULL);
	uint64_t key;
	void *v;

	if (!rows)
		return;
	/* every process with an address space, active or not */
	while (mt_u64map_next(&s->reg.by_tgid, &pos, &key, &v) && n < cap) {
		struct mt_aspace *as = v;
		struct interval *iv = mt_u64map_get(&c->iv, key);
		struct row *r = &rows[n];

		if (!as->shadow)
			continue;
		r->pid = (pid_t)key;
		if (iv)
			r->iv = *iv;
		else
			memcpy(r->iv.comm, as->comm, sizeof(r->iv.comm));
		if (c->comm && !strstr(r->iv.comm, c->comm))
			continue;
		for (int k = 0; k < MT_STAT_KINDS; k++)
			r->rate[k] = (double)r->iv.calls[k] / secs;
		r->mapped_s = (double)r->iv.bytes_mapped / secs;
		r->unmapped_s = (double)r->iv.bytes_unmapped / secs;
		r->failed_s = (double)r->iv.failed / secs;
		r->vsz = mt_shadow_bytes(as->shadow);
		r->anon = mt_shadow_anon_bytes(as->shadow);
		r->maps = mt_shadow_count_merged(as->shadow);
		r->churn = churning(&r->iv, secs);
		n++;
	}
	sort_by = c->sort;
	qsort(rows, n, sizeof(*rows), cmp_rows);

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	if (!c->batch)
		fputs("\033[H\033[2J", stdout);
	printf("maptrace top - %s  processes: %zu  events/s: %.0f  lost events: %llu\n", clock, n,
	       (double)(c->events_seen - c->events_prev) / secs,
	       (unsigned long long)mt_session_lost(s));
	printf("%7s %-15s %8s %8s %8s %7s %7s %9s %9s %8s %8s %6s %6s %s\n", "PID", "COMM", "MMAP/s",
	       "MUNMAP/s", "MPROT/s", "BRK/s", "MREMAP/s", "MAPPED/s", "UNMAP/s", "VSZ", "ANON", "MAPS",
	       "FAIL/s", "FLAG");
	for (size_t i = 0; i < n && (int)i < c->limit; i++) {
		const struct row *r = &rows[i];

		printf("%7d %-15.15s %8.0f %8.0f %8.0f %7.0f %7.0f %9s %9s %8s %8s %6llu %6.0f %s\n",
		       r->pid, r->iv.comm, r->rate[MT_EV_MMAP], r->rate[MT_EV_MUNMAP],
		       r->rate[MT_EV_MPROTECT] + r->rate[MT_EV_PKEY_MPROTECT], r->rate[MT_EV_BRK],
		       r->rate[MT_EV_MREMAP], human(r->mapped_s, b1, sizeof(b1)),
		       human(r->unmapped_s, b2, sizeof(b2)), human((double)r->vsz, b3, sizeof(b3)),
		       human((double)r->anon, b4, sizeof(b4)), (unsigned long long)r->maps, r->failed_s,
		       r->churn ? "CHURN" : "");
	}
	if (c->batch)
		putchar('\n');
	fflush(stdout);
	free(rows);
}

static void reset_intervals(struct top_ctx *c)
{
	mt_u64map_free_values(&c->iv);
	c->events_prev = c->events_seen;
}

static void on_tick(struct mt_session *s)
{
	struct top_ctx *c = s->ctx;
	uint64_t now = mt_now_ns();
	double secs = (double)(now - c->last_ns) / 1e9;

	if (secs < c->delay)
		return;
	draw(s, secs);
	reset_intervals(c);
	c->last_ns = now;
	if (c->iterations && ++c->frames >= c->iterations)
		mt_stop_requested = 1;
}

enum { OPT_BATCH = 1, OPT_DELAY, OPT_ITERATIONS, OPT_SORT, OPT_COMM, OPT_LIMIT };

/* -b and -d are every command's --buffer and --duration: batch mode and
 * the refresh delay take -B and -D */
static const struct mt_option top_options[] = {
	{ "batch", 'B', false, OPT_BATCH },
	{ "delay", 'D', true, OPT_DELAY },
	{ "iterations", 'n', true, OPT_ITERATIONS },
	{ "sort", 's', true, OPT_SORT },
	{ "comm", 'c', true, OPT_COMM },
	{ "limit", 'k', true, OPT_LIMIT },
	MT_COMMON_OPTIONS,
	{ 0 }
};

static int top_option(void *ctx, int id, const char *val)
{
	struct top_ctx *c = ctx;
	unsigned long long n;

	switch (id) {
	case OPT_BATCH:
		c->batch = true;
		return 0;
	case OPT_DELAY:
		return mt_opt_seconds("top", "--delay", val, &c->delay);
	case OPT_ITERATIONS:
		if (mt_opt_uint("top", "--iterations", val, 1, 1000000000, &n))
			return 2;
		c->iterations = (int)n;
		return 0;
	case OPT_SORT:
		c->sort = val;
		return 0;
	case OPT_COMM:
		c->comm = val;
		return 0;
	case OPT_LIMIT:
		if (mt_opt_uint("top", "--limit", val, 1, 1000000, &n))
			return 2;
		c->limit = (int)n;
		return 0;
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct mt_session s = { .keep_shadows = true };
	struct top_ctx c = { .delay = 1.0, .limit = 20, .sort = "calls" };
	static const char *const sorts[] = { "calls", "mmap", "munmap", "mprotect", "brk", "mremap",
					     "mapped", "unmapped", "vsz", "anon", "maps", "failed" };
	bool sort_ok = false;
	int status;

	status = mt_command_options(&s, argc, argv, "top", top_options, top_usage, top_option, &c);
	if (status != MT_OPTS_GO)
		return status;
	status = 0;
	for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		sort_ok |= !strcmp(c.sort, sorts[i]);
	if (!sort_ok)
		return mt_usage_error("top", "unknown sort key '%s'", c.sort);
	if (s.target.argv)
		return mt_usage_error("top", "top watches processes: use -p or nothing");
	if (!s.target.npids)
		s.target.all = true;
	s.on_event = on_event;
	s.on_bytes = count_bytes;
	s.on_tick = on_tick;
	s.ctx = &c;
	s.poll_ms = c.delay < 0.1 ? (int)(c.delay * 1000) + 1 : 100;
	if (mt_session_start(&s)) {
		mt_session_close(&s);
		return 1;
	}
	c.last_ns = mt_now_ns();
	mt_session_run(&s);
	if (mt_session_report_end(&s, stderr))
		status = 1;
	reset_intervals(&c);
	/* the run's totals, exact (the frames show rates): the figures stat's
	 * total.calls and bytes_mapped/_unmapped give for the same processes */
	printf("total: %llu calls, %llu bytes mapped, %llu bytes unmapped\n",
	       (unsigned long long)c.total_calls, (unsigned long long)c.total_mapped,
	       (unsigned long long)c.total_unmapped);
	mt_session_close(&s);
	return status;
}
