// SPDX-License-Identifier: GPL-2.0
/* snapbench PID LOOPS - what one snapshot of a process's mappings costs,
 * through each interface maptrace has.
 *
 * Times LOOPS snapshots of PID in this process (no fork/exec, unlike
 * `cat`), each interface in its own run of LOOPS, always with maptrace's
 * own code (user/proc/procmaps.c, user/trace/tracer.c, linked in):
 *   read    the text of /proc/PID/maps alone, into a reused buffer (the
 *           kernel's cost of generating it: a floor for the text path);
 *   parse   mt_maps_read_pid(): read + parse, fresh buffers each time;
 *   reuse   mt_maps_reader_read(): read + parse, buffers kept between
 *           snapshots (what repeated checkpoints can use);
 *   query   mt_maps_reader_query(): the PROCMAP_QUERY ioctl, one per vma;
 *   bpf     mt_tracer_snapshot(): the task_vma BPF iterator (seed_vmas)
 *           that seeds -p targets, read + decoded; maptrace's BPF
 *           programs are loaded once before the loop (not timed).
 * Each result is compared with reuse's regions (start, end, perms,
 * offset, dev, inode; names apart, as the interfaces name some regions
 * differently or not at all), ignoring [vsyscall], which only the text has.
 * Prints one line of KEY=VALUE; an interface this machine lacks has
 * IFACE_med_ns=n/a and IFACE_why=REASON:
 *   regions=N bytes=N read_med_ns=N read_min_ns=N read_max_ns=N
 *   parse_med_ns=... reuse_med_ns=... query_med_ns=... bpf_med_ns=... (each with _min_ns, _max_ns)
 *   query_regions=N query_diff=N query_name_diff=N bpf_regions=N bpf_diff=N bpf_name_diff=N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc/procmaps.h"
#include "trace/tracer.h"

#define VSYSCALL_START 0xffffffffff600000ULL

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void print_times(const char *key, long long *t, long n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_ll);
	printf(" %s_med_ns=%lld %s_min_ns=%lld %s_max_ns=%lld", key,
	       n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2, key, t[0], key, t[n - 1]);
}

static void print_na(const char *key, const char *why)
{
	printf(" %s_med_ns=n/a %s_min_ns=n/a %s_max_ns=n/a %s_why=%s", key, key, key, key, why);
}

/* read the whole file into *buf (grown as needed); returns its length or -1 */
static long read_text(const char *path, char **buf, size_t *cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	for (;;) {
		if (*cap - len < 65536) {
			char *nb = realloc(*buf, *cap * 2 + 65536);

			if (!nb)
				break;
			*buf = nb;
			*cap = *cap * 2 + 65536;
		}
		n = read(fd, *buf + len, *cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return n < 0 ? -1 : (long)len;
}

/* Regions of got that differ from want's (fields, then names), counting
 * a region missing on either side once; [vsyscall] is not compared. */
static void compare(const struct mt_maps *want, const struct mt_maps *got,
		    long *diff, long *name_diff)
{
	size_t i = 0, j = 0;

	*diff = 0;
	*name_diff = 0;
	while (i < want->count || j < got->count) {
		const struct mt_region *a = i < want->count ? &want->regions[i] : NULL;
		const struct mt_region *b = j < got->count ? &got->regions[j] : NULL;

		if (a && a->start == VSYSCALL_START) {
			i++;
			continue;
		}
		if (b && b->start == VSYSCALL_START) {
			j++;
			continue;
		}
		if (!a || !b || a->start != b->start) {
			(*diff)++;
			if (!b || (a && a->start < b->start))
				i++;
			else
				j++;
			continue;
		}
		if (a->end != b->end || a->perms != b->perms || a->offset != b->offset ||
		    a->dev != b->dev || a->inode != b->inode)
			(*diff)++;
		if (!a->name != !b->name || (a->name && strcmp(a->name, b->name)))
			(*name_diff)++;
		i++;
		j++;
	}
}

static void on_event(const struct mt_event *e, const char *path, void *ctx)
{
	(void)e;
	(void)path;
	(void)ctx;
}

/* The BPF iterator, through the tracer maptrace itself runs. */
static void bench_bpf(pid_t pid, long loops, long long *t, const struct mt_maps *want)
{
	struct mt_tracer_opts opts = { 0 };
	struct mt_tracer *tr;
	struct mt_maps m = { 0 };
	long diff, name_diff;
	uint64_t mm, stamp;
	long retries = 0;
	int err;

	err = mt_tracer_open(&tr, &opts, on_event, NULL);
	if (err) {
		print_na("bpf", "tracer-not-loaded");
		return;
	}
	for (long i = 0; i < loops; i++) {
		long long t0;

		/* "empty": the storage of the last loop is reused, like the reader's */
		m.count = 0;
		m.names_len = 0;
		t0 = now_ns();
		err = mt_tracer_snapshot(tr, pid, &m, &mm, &stamp);
		t[i] = now_ns() - t0;
		if (err == -EAGAIN && ++retries < 100) { /* the mm changed during the read: again */
			i--;
			continue;
		}
		if (err) {
			fprintf(stderr, "snapbench: mt_tracer_snapshot(%d): %s\n", pid, strerror(-err));
			print_na("bpf", "snapshot-failed");
			goto out;
		}
	}
	print_times("bpf", t, loops);
	compare(want, &m, &diff, &name_diff);
	printf(" bpf_regions=%zu bpf_diff=%ld bpf_name_diff=%ld", m.count, diff, name_diff);
out:
	mt_maps_free(&m);
	mt_tracer_close(tr);
}

int main(int argc, char **argv)
{
	long loops = argc > 2 ? atol(argv[2]) : 0, bytes = 0;
	pid_t pid = argc > 1 ? (pid_t)atol(argv[1]) : 0;
	struct mt_maps_reader text = { 0 }, query = { 0 };
	long long *t;
	size_t cap = 0;
	char path[64], *buf = NULL;
	long diff, name_diff;
	int err;

	if (pid <= 0 || loops <= 0) {
		fprintf(stderr, "usage: snapbench PID LOOPS\n");
		return 2;
	}
	t = calloc((size_t)loops, sizeof(*t));
	if (!t)
		return 2;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	for (long i = 0; i < loops; i++) {
		long long t0 = now_ns();

		bytes = read_text(path, &buf, &cap);
		t[i] = now_ns() - t0;
		if (bytes < 0) {
			fprintf(stderr, "snapbench: reading %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	/* the reference regions, and their count, from the text */
	err = mt_maps_reader_read(&text, pid);
	if (err) {
		fprintf(stderr, "snapbench: mt_maps_reader_read(%d): %s\n", pid, strerror(-err));
		return 1;
	}
	printf("regions=%zu bytes=%ld", text.maps.count, bytes);
	print_times("read", t, loops);

	for (long i = 0; i < loops; i++) {
		struct mt_maps m = { 0 };
		long long t0 = now_ns();

		err = mt_maps_read_pid(pid, &m);
		t[i] = now_ns() - t0;
		mt_maps_free(&m);
		if (err) {
			fprintf(stderr, "snapbench: mt_maps_read_pid(%d): %s\n", pid, strerror(-err));
			return 1;
		}
	}
	print_times("parse", t, loops);

	for (long i = 0; i < loops; i++) {
		long long t0 = now_ns();

		err = mt_maps_reader_read(&text, pid);
		t[i] = now_ns() - t0;
		if (err) {
			fprintf(stderr, "snapbench: mt_maps_reader_read(%d): %s\n", pid, strerror(-err));
			return 1;
		}
	}
	print_times("reuse", t, loops);

	for (long i = 0; i < loops && !err; i++) {
		long long t0 = now_ns();

		err = mt_maps_reader_query(&query, pid);
		t[i] = now_ns() - t0;
	}
	if (err) {
		print_na("query", err == -EOPNOTSUPP ? "kernel-before-6.11" : "query-failed");
	} else {
		print_times("query", t, loops);
		compare(&text.maps, &query.maps, &diff, &name_diff);
		printf(" query_regions=%zu query_diff=%ld query_name_diff=%ld", query.maps.count,
		       diff, name_diff);
	}

	bench_bpf(pid, loops, t, &text.maps);
	printf("\n");
	mt_maps_reader_free(&text);
	mt_maps_reader_free(&query);
	free(buf);
	free(t);
	return 0;
}
