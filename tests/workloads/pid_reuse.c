// SPDX-License-Identifier: GPL-2.0
/* pid_reuse - a pid recycled while its previous owner's events are queued.
 *
 *   maptrace verify -i 0 -- pid_reuse      (root: clone3() with set_tid)
 *
 * Run directly under maptrace (its parent must be maptrace): stops the
 * tracer with SIGSTOP, so that nothing it is sent is consumed, then
 *  1. forks the first owner, which maps OLD_ADDR (kept to its exit) and makes
 *     ROUNDS rounds of mmap, mprotect and munmap, and exits;
 *  2. reaps it and creates the second owner with the same pid (clone3()
 *     with set_tid); the kernel may also hand it the freed mm_struct, so
 *     the events of both can carry the same mm address;
 *  3. the second owner maps NEW_ADDR and a few more regions while the first
 *     owner's events still wait in the ring buffer;
 *  4. resumes the tracer (SIGCONT) and lets the second owner exit.
 * If any event of the first owner were applied to the second's shadow (say,
 * OLD_ADDR), the exit check of the second would find it: verify must report
 * 0 divergent pages. Prints "pid P reused: R calls queued for its first
 * owner"; exits 3 when the pid could not be reused (the test says why).
 */
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <linux/sched.h>

#include "wl.h"

#define OLD_ADDR ((void *)0x6f0000000000UL)
#define NEW_ADDR ((void *)0x6e0000000000UL)
#define ROUNDS 200

/* The state letter of /proc/PID/stat (after the last ')'), or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static void first_owner(void)
{
	xanon(OLD_ADDR, 16 * PG, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);
	for (int i = 0; i < ROUNDS; i++) {
		char *p = xanon(NULL, 4 * PG, PROT_READ | PROT_WRITE, 0);

		xmprotect(p + PG, PG, PROT_READ);
		xmunmap(p, 4 * PG);
	}
	_exit(0);
}

static void second_owner(int release_fd)
{
	char c;

	touch(xanon(NEW_ADDR, 8 * PG, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE), 8 * PG);
	for (int i = 0; i < 8; i++)
		xmprotect(xanon(NULL, 2 * PG, PROT_READ | PROT_WRITE, 0), PG, PROT_NONE);
	/* stay until the tracer has caught up, so it sees this one live too */
	if (read(release_fd, &c, 1) != 1)
		die("read: %s", strerror(errno));
	_exit(0);
}

int main(void)
{
	pid_t tracer = getppid(), old, again;
	struct clone_args ca = { .exit_signal = SIGCHLD, .set_tid_size = 1 };
	int release[2];
	char comm[32] = "";
	FILE *f;

	snprintf(comm, sizeof(comm), "/proc/%d/comm", (int)tracer);
	f = fopen(comm, "re");
	if (!f || !fgets(comm, sizeof(comm), f) || strcmp(comm, "maptrace\n"))
		die("run me as: maptrace verify -i 0 -- pid_reuse (my parent must be maptrace)");
	fclose(f);
	if (pipe(release))
		die("pipe: %s", strerror(errno));
	if (kill(tracer, SIGSTOP))
		die("kill(%d, SIGSTOP): %s", tracer, strerror(errno));
	while (proc_state(tracer) != 'T')
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);

	old = fork();
	if (old < 0)
		die("fork: %s", strerror(errno));
	if (old == 0)
		first_owner();
	reap(old);

	ca.set_tid = (uintptr_t)&old;
	again = syscall(SYS_clone3, &ca, sizeof(ca));
	if (again < 0) {
		kill(tracer, SIGCONT);
		fprintf(stderr, "pid_reuse: clone3(set_tid=%d): %s\n", old, strerror(errno));
		return 3;
	}
	if (again == 0)
		second_owner(release[0]);
	/* let the second owner finish its calls before the tracer reads on */
	while (proc_state(again) != 'S')
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	if (kill(tracer, SIGCONT))
		die("kill(%d, SIGCONT): %s", tracer, strerror(errno));
	nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL);
	if (write(release[1], "x", 1) != 1)
		die("write: %s", strerror(errno));
	reap(again);
	printf("pid %d reused: %d calls queued for its first owner\n", old, 1 + 3 * ROUNDS);
	return 0;
}
