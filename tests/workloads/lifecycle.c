// SPDX-License-Identifier: GPL-2.0
/* lifecycle - processes and address spaces coming and going.
 *
 *   lifecycle           everything below
 *   lifecycle steady    all but the last two steps: fixed call counts
 *   lifecycle mapone    (internal) map, unmap and exit: the image exec'd below
 *
 * Exercises: a fork child that maps, unmaps and exits; vfork + execve of
 * /bin/true; a clone(CLONE_VM | SIGCHLD) child (a new process sharing our mm)
 * that maps into the shared address space while the parent waits; execve
 * from a non-leader thread (in a forked child, so this process survives:
 * the kernel makes the thread the leader; the new image is this program in
 * "mapone" mode); a fork chain three deep, each level mapping before it
 * forks; then, skipped by "steady" since their number of calls depends on
 * timing: a child killed by SIGKILL while it loops over mmap, mprotect and
 * munmap (killed mid-syscall or not), and an execve while three other
 * threads loop over mapping calls (the kernel kills them wherever they are,
 * de_thread()), in a forked child.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include "wl.h"

#define RW (PROT_READ | PROT_WRITE)

extern char **environ;

static int mapone(void)
{
	char *p = xanon(NULL, 3 * PG, RW, 0);

	touch(p, 3 * PG);
	xmunmap(p + PG, PG);
	return 0;
}

static void fork_child(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		char *p = xanon(NULL, 4 * PG, RW, 0);

		touch(p, 4 * PG);
		xmprotect(p, PG, PROT_READ);
		xmunmap(p + 2 * PG, PG);
		_exit(0);
	}
	reap(pid);
}

static void vfork_exec(void)
{
	char *const argv[] = { "true", NULL };
	pid_t pid = vfork();

	if (pid < 0)
		die("vfork: %s", strerror(errno));
	if (pid == 0) {
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	reap(pid);
}

struct shared_mm {
	char *p;
};

static int clone_vm_child(void *arg)
{
	struct shared_mm *s = arg;
	char *p = raw_mmap(NULL, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 2;
	touch(p, 4 * PG);
	if (raw_mprotect(p + 3 * PG, PG, PROT_READ))
		return 3;
	s->p = p;
	return 0;
}

static void clone_vm(void)
{
	size_t stack_len = 16 * PG;
	char *stack = xanon(NULL, stack_len, RW, MAP_STACK);
	struct shared_mm s = { NULL };
	pid_t pid = clone(clone_vm_child, stack + stack_len, CLONE_VM | SIGCHLD, &s);

	if (pid < 0)
		die("clone(CLONE_VM): %s", strerror(errno));
	reap(pid);
	if (!s.p)
		die("the CLONE_VM child's mapping is not in our address space");
	touch(s.p, 3 * PG);          /* the child's mmap is ours */
	xmunmap(s.p, 4 * PG);
	xmunmap(stack, stack_len);
}

static void *exec_thread(void *arg)
{
	char *const argv[] = { (char *)arg, "mapone", NULL };

	execve("/proc/self/exe", argv, environ);
	die("execve from a thread: %s", strerror(errno));
}

static void thread_exec(const char *argv0)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		pthread_t t;
		int err = pthread_create(&t, NULL, exec_thread, (void *)argv0);

		if (err)
			die("pthread_create: %s", strerror(err));
		pthread_join(t, NULL);   /* never returns: the exec ends this thread */
		die("pthread_join returned");
	}
	reap(pid);
}

static void chain(int depth)
{
	pid_t pid;

	if (depth == 0)
		return;
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		char *p = xanon(NULL, (size_t)(depth + 1) * PG, RW, 0);

		touch(p, (size_t)(depth + 1) * PG);
		xmunmap(p, PG);
		chain(depth - 1);
		_exit(0);
	}
	reap(pid);
}

static void killed_mid_loop(void)
{
	struct timespec ts = { 0, 20 * 1000000 };
	int pfd[2], st;
	char c = 0;
	pid_t pid;

	if (pipe(pfd))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(pfd[0]);
		for (unsigned long i = 0;; i++) {
			size_t len = (1 + i % 3) * PG;
			char *p = xanon(NULL, len, RW, 0);

			touch(p, len);
			xmprotect(p, PG, PROT_READ);
			xmunmap(p, len);
			if (i == 100 && write(pfd[1], &c, 1) != 1)
				_exit(2);
		}
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1)
		die("the looping child did not start");
	close(pfd[0]);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	if (kill(pid, SIGKILL))
		die("kill: %s", strerror(errno));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		die("the looping child ended with wait status %#x, not SIGKILL", st);
}

static void *busy_loop(void *arg)
{
	for (unsigned long i = 0;; i++) {
		size_t len = (1 + i % 3) * PG;
		char *p = xanon(NULL, len, RW, 0);

		touch(p, len);
		xmprotect(p, PG, PROT_READ);
		xmunmap(p, len);
	}
	return arg;
}

static void exec_while_busy(const char *argv0)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		char *const argv[] = { (char *)argv0, "mapone", NULL };
		struct timespec ts = { 0, 20 * 1000000 };
		pthread_t t;
		int err;

		for (int i = 0; i < 3; i++)
			if ((err = pthread_create(&t, NULL, busy_loop, NULL)))
				die("pthread_create: %s", strerror(err));
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		execve("/proc/self/exe", argv, environ);
		die("execve: %s", strerror(errno));
	}
	reap(pid);
}

int main(int argc, char **argv)
{
	bool steady = argc > 1 && !strcmp(argv[1], "steady");

	if (argc > 1 && !strcmp(argv[1], "mapone"))
		return mapone();
	if (argc > 1 && !steady)
		die("usage: lifecycle [steady]");
	fork_child();
	vfork_exec();
	clone_vm();
	thread_exec(argv[0]);
	chain(3);
	if (!steady) {
		killed_mid_loop();
		exec_while_busy(argv[0]);
	}
	return 0;
}
