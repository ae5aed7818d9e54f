/* snapbench PID LOOPS - what one snapshot of a process's mappings costs.
 *
 * Times LOOPS reads of /proc/PID/maps in this process (no fork/exec, unlike
 * `cat`): the text alone (read into a reused buffer), and read + parsed into
 * regions with maptrace's own parser, mt_maps_read_pid() (user/procmaps.c,
 * linked in). Prints one line:
 *   regions=N bytes=N read_med_ns=N read_min_ns=N read_max_ns=N parse_med_ns=N parse_min_ns=N parse_max_ns=N
 * (parse_* is read + parse; the parser's share is parse - read).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "maptrace/procmaps.h"

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

static void summarise(long long *t, long n, long long *med, long long *min, long long *max)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_ll);
	*min = t[0];
	*max = t[n - 1];
	*med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
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

int main(int argc, char **argv)
{
	long loops = argc > 2 ? atol(argv[2]) : 0, bytes = 0;
	pid_t pid = argc > 1 ? (pid_t)atol(argv[1]) : 0;
	long long *tr, *tp, rmed, rmin, rmax, pmed, pmin, pmax;
	size_t regions = 0, cap = 0;
	char path[64], *buf = NULL;

	if (pid <= 0 || loops <= 0) {
		fprintf(stderr, "usage: snapbench PID LOOPS\n");
		return 2;
	}
	tr = calloc((size_t)loops, sizeof(*tr));
	tp = calloc((size_t)loops, sizeof(*tp));
	if (!tr || !tp)
		return 2;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	for (long i = 0; i < loops; i++) {
		long long t0 = now_ns();

		bytes = read_text(path, &buf, &cap);
		tr[i] = now_ns() - t0;
		if (bytes < 0) {
			fprintf(stderr, "snapbench: reading %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	for (long i = 0; i < loops; i++) {
		struct mt_maps m = { 0 };
		long long t0 = now_ns();
		int err = mt_maps_read_pid(pid, &m);

		tp[i] = now_ns() - t0;
		if (err) {
			fprintf(stderr, "snapbench: mt_maps_read_pid(%d): %s\n", pid, strerror(-err));
			return 1;
		}
		regions = m.count;
		mt_maps_free(&m);
	}
	summarise(tr, loops, &rmed, &rmin, &rmax);
	summarise(tp, loops, &pmed, &pmin, &pmax);
	printf("regions=%zu bytes=%ld read_med_ns=%lld read_min_ns=%lld read_max_ns=%lld "
	       "parse_med_ns=%lld parse_min_ns=%lld parse_max_ns=%lld\n",
	       regions, bytes, rmed, rmin, rmax, pmed, pmin, pmax);
	free(buf);
	free(tr);
	free(tp);
	return 0;
}
