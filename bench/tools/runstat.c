// SPDX-License-Identifier: GPL-2.0
/* runstat - run a command; report its wall time, its own CPU time and its
 * peak memory, for bench/run.sh.
 *
 *   runstat -r RESULT [-s MS] [-k SECONDS] -- COMMAND [ARGS...]
 *
 * Writes one line to RESULT:
 *   wall_ns=N utime_ns=N stime_ns=N hwm_kb=N anon_kb=N file_kb=N shmem_kb=N status=S
 * status is the exit code, "sigNAME" for a signal, or "timeout".
 *
 * CPU time is the command's own (not its children's): once it has exited,
 * waitid(WNOWAIT) leaves it a zombie whose /proc/PID/stat still holds its
 * utime and stime, separate from the children's cutime and cstime. (wait4's
 * rusage would add every child it reaped: `maptrace stat -- W` reaps W.)
 * Memory needs -s: /proc/PID/status is sampled every MS milliseconds while
 * the command lives (a zombie has no mm); VmHWM is the kernel's own peak,
 * RssAnon/RssFile/RssShmem are the highest values sampled. -k kills the
 * command (SIGKILL) after SECONDS, so that a hung tracer cannot hang the run.
 * Between samples it sleeps on a pidfd, which wakes it the moment the
 * command exits: a plain sleep would add up to its length to the wall time
 * (10 ms on /bin/true was 10x its run time).
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct peak {
	long hwm, anon, file, shmem;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sample_status(pid_t pid, struct peak *pk)
{
	char path[64], line[256];
	FILE *f;
	long v;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmHWM: %ld", &v) == 1 && v > pk->hwm)
			pk->hwm = v;
		else if (sscanf(line, "RssAnon: %ld", &v) == 1 && v > pk->anon)
			pk->anon = v;
		else if (sscanf(line, "RssFile: %ld", &v) == 1 && v > pk->file)
			pk->file = v;
		else if (sscanf(line, "RssShmem: %ld", &v) == 1 && v > pk->shmem)
			pk->shmem = v;
	}
	fclose(f);
}

/* utime and stime (fields 14 and 15) of a process, in nanoseconds */
static int read_cpu(pid_t pid, long long *ut, long long *st)
{
	char path[64], buf[1024], *p;
	unsigned long long u, s;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* comm may hold spaces and parentheses: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &u, &s) != 2)
		return -1;
	*ut = (long long)(u * (1000000000ULL / (unsigned long long)tck));
	*st = (long long)(s * (1000000000ULL / (unsigned long long)tck));
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: runstat -r RESULT [-s MS] [-k SECONDS] -- COMMAND [ARGS...]\n");
	exit(2);
}

/* Sleep ms milliseconds, or less if the child behind pidfd exits first. */
static void wait_exit(int pidfd, long ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (pidfd < 0 || poll(&p, 1, (int)ms) < 0)
		usleep((useconds_t)ms * 1000);
}

int main(int argc, char **argv)
{
	const char *result = NULL;
	long sample_ms = 0, kill_s = 0;
	struct peak pk = { 0 };
	long long t0, t1, ut = -1, st = -1, deadline;
	int pidfd;
	char status[32];
	bool timed_out = false;
	siginfo_t si;
	FILE *out;
	pid_t pid;
	int opt;

	while ((opt = getopt(argc, argv, "+r:s:k:")) != -1) {
		switch (opt) {
		case 'r': result = optarg; break;
		case 's': sample_ms = atol(optarg); break;
		case 'k': kill_s = atol(optarg); break;
		default: usage();
		}
	}
	if (!result || optind >= argc)
		usage();
	out = fopen(result, "we");
	if (!out) {
		fprintf(stderr, "runstat: cannot write '%s': %s\n", result, strerror(errno));
		return 2;
	}
	t0 = now_ns();
	deadline = kill_s ? t0 + kill_s * 1000000000LL : 0;
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "runstat: cannot run '%s': %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0); /* -1 before Linux 5.3: plain sleeps */
	for (;;) {
		bool poll = sample_ms || deadline;
		int r;

		memset(&si, 0, sizeof(si));
		r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | (poll ? WNOHANG : 0));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "runstat: waitid: %s\n", strerror(errno));
			return 2;
		}
		if (si.si_pid == pid)
			break;
		if (sample_ms)
			sample_status(pid, &pk);
		if (deadline && now_ns() > deadline) {
			kill(pid, SIGKILL);
			timed_out = true;
			waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
			break;
		}
		wait_exit(pidfd, sample_ms ? sample_ms : 10);
	}
	t1 = now_ns();
	read_cpu(pid, &ut, &st);
	if (timed_out)
		snprintf(status, sizeof(status), "timeout");
	else if (si.si_code == CLD_EXITED)
		snprintf(status, sizeof(status), "%d", si.si_status);
	else
		snprintf(status, sizeof(status), "sig%s", sigabbrev_np(si.si_status) ?: "?");
	waitpid(pid, NULL, 0);
	fprintf(out, "wall_ns=%lld utime_ns=%lld stime_ns=%lld hwm_kb=%ld anon_kb=%ld file_kb=%ld shmem_kb=%ld status=%s\n",
		t1 - t0, ut, st, pk.hwm, pk.anon, pk.file, pk.shmem, status);
	fclose(out);
	return 0;
}
