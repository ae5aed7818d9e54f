// SPDX-License-Identifier: GPL-2.0
/* churn MILLISECONDS [PROCS [FILE]] - event generator: PROCS processes
 * (default 1) each mmap one anonymous page and munmap it, flat out, for the
 * given time. Writes "CALLS NANOSECONDS" to FILE (default stdout): mapping
 * calls made by all of them and the longest time one of them ran. No page is touched: the point is
 * the highest rate of mapping events the machine can produce.
 */
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include "bw.h"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void churn(long ms, int out)
{
	long long t0 = now_ns(), end = t0 + ms * 1000000LL, t = t0, rec[2];

	rec[0] = 0;
	while (t < end) {
		for (int i = 0; i < 256; i++)
			raw_munmap(raw_mmap(PG, PROT_READ | PROT_WRITE), PG);
		rec[0] += 512;
		t = now_ns();
	}
	rec[1] = t - t0;
	if (write(out, rec, sizeof(rec)) != sizeof(rec))
		_exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	long ms = arg_count(argc, argv, 1, 2000);
	long procs = arg_count(argc, argv, 2, 1);
	long long calls = 0, longest = 0, rec[2];
	const char *path = argc > 3 ? argv[3] : NULL;
	FILE *out = stdout;
	int fds[2], status;

	if (pipe(fds))
		die("pipe: %s", strerror(errno));
	for (long i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			close(fds[0]);
			churn(ms, fds[1]);
		}
	}
	close(fds[1]);
	for (long i = 0; i < procs; i++) {
		if (read(fds[0], rec, sizeof(rec)) != sizeof(rec))
			die("a generator died");
		calls += rec[0];
		if (rec[1] > longest)
			longest = rec[1];
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			die("a generator failed");
	if (path && !(out = fopen(path, "we")))
		die("cannot write '%s': %s", path, strerror(errno));
	fprintf(out, "%lld %lld\n", calls, longest);
	if (fclose(out))
		die("writing '%s': %s", path ? path : "stdout", strerror(errno));
	return 0;
}
