/* SPDX-License-Identifier: GPL-2.0 */
/* wl.h - helpers shared by the workloads (header only: the Makefile builds
 * each tests/workloads/NAME.c on its own).
 *
 * Mapping calls go through syscall(SYS_...) so that no glibc wrapper adds,
 * hides or retries one: the integration tests compare maptrace's per-kind
 * counts with strace's, so every workload must make the same calls on every
 * run. Any unexpected result ends the workload with a message naming the
 * source line and a non-zero status.
 */
#ifndef WL_H
#define WL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#define PG 4096UL

/* stderr is unbuffered: printing never allocates, never maps */
__attribute__((noreturn, format(printf, 2, 3)))
static inline void wl_die(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", program_invocation_short_name, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}
#define die(...) wl_die(__LINE__, __VA_ARGS__)

static inline void *raw_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static inline long raw_munmap(void *addr, size_t len)
{
	return syscall(SYS_munmap, addr, len);
}

static inline long raw_mprotect(void *addr, size_t len, int prot)
{
	return syscall(SYS_mprotect, addr, len, prot);
}

static inline void *raw_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	return (void *)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
}

static inline long raw_madvise(void *addr, size_t len, int advice)
{
	return syscall(SYS_madvise, addr, len, advice);
}

static inline void *wl_xmmap(int line, void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = raw_mmap(addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		wl_die(line, "mmap(%p, %zu, %#x, %#x, %d, %#llx): %s", addr, len, prot, flags, fd,
		       (unsigned long long)off, strerror(errno));
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && p != addr)
		wl_die(line, "mmap MAP_FIXED at %p returned %p", addr, p);
	return p;
}
#define xmmap(...) wl_xmmap(__LINE__, __VA_ARGS__)

/* anonymous private read-write memory: the most common call */
#define xanon(addr, len, prot, extra) \
	wl_xmmap(__LINE__, (addr), (len), (prot), MAP_PRIVATE | MAP_ANONYMOUS | (extra), -1, 0)

static inline void wl_xmunmap(int line, void *addr, size_t len)
{
	if (raw_munmap(addr, len))
		wl_die(line, "munmap(%p, %zu): %s", addr, len, strerror(errno));
}
#define xmunmap(a, l) wl_xmunmap(__LINE__, (a), (l))

static inline void wl_xmprotect(int line, void *addr, size_t len, int prot)
{
	if (raw_mprotect(addr, len, prot))
		wl_die(line, "mprotect(%p, %zu, %#x): %s", addr, len, prot, strerror(errno));
}
#define xmprotect(a, l, p) wl_xmprotect(__LINE__, (a), (l), (p))

static inline void *wl_xmremap(int line, void *old, size_t old_len, size_t new_len, int flags,
			       void *new_addr)
{
	void *p = raw_mremap(old, old_len, new_len, flags, new_addr);

	if (p == MAP_FAILED)
		wl_die(line, "mremap(%p, %zu, %zu, %#x, %p): %s", old, old_len, new_len, flags,
		       new_addr, strerror(errno));
	return p;
}
#define xmremap(...) wl_xmremap(__LINE__, __VA_ARGS__)

/* A call that must fail with errno want (ret is its raw result). */
static inline void wl_expect_err(int line, const char *what, long ret, int want)
{
	if (ret != -1)
		wl_die(line, "%s: succeeded (returned %#lx), expected %s", what, (unsigned long)ret,
		       strerrorname_np(want));
	if (errno != want)
		wl_die(line, "%s: failed with %s, expected %s", what, strerrorname_np(errno),
		       strerrorname_np(want));
}
#define expect_err(what, ret, want) wl_expect_err(__LINE__, (what), (long)(ret), (want))

/* Wait for pid (through EINTR); die unless it exited with status 0. */
static inline void wl_reap(int line, pid_t pid)
{
	int st;

	while (waitpid(pid, &st, __WALL) < 0)
		if (errno != EINTR)
			wl_die(line, "waitpid(%d): %s", pid, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		wl_die(line, "child %d ended with wait status %#x", pid, st);
}
#define reap(pid) wl_reap(__LINE__, (pid))

/* fork(), or the workload ends saying why */
static inline pid_t wl_xfork(int line)
{
	pid_t pid = fork();

	if (pid < 0)
		wl_die(line, "fork: %s", strerror(errno));
	return pid;
}
#define xfork() wl_xfork(__LINE__)

/* A fork child that exits at once, reaped: fork copies the address space
 * as it is now (what a shadow must copy too). */
static inline void wl_fork_and_reap(int line)
{
	pid_t pid = wl_xfork(line);

	if (pid == 0)
		_exit(0);
	wl_reap(line, pid);
}
#define fork_and_reap() wl_fork_and_reap(__LINE__)

/* A workload made of named steps ("W [DIR [STEP]]"). */
struct wl_step {
	const char *name;
	void (*run)(void);
};

/* Run the n steps in order, or only the one named only (NULL: all), each in
 * a fork child of its own (reaped) if in_child. Whether any ran. */
static inline bool wl_run_steps(const struct wl_step *steps, size_t n, const char *only,
				bool in_child)
{
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		pid_t pid;

		if (only && strcmp(only, steps[i].name))
			continue;
		found = true;
		if (!in_child) {
			steps[i].run();
			continue;
		}
		pid = xfork();
		if (pid == 0) {
			steps[i].run();
			_exit(0);
		}
		reap(pid);
	}
	return found;
}

/* Write the last byte of each page: makes the pages real, fails loudly if
 * one is not writable, and leaves a tag at the start of a page alone. */
static inline void touch(void *p, size_t len)
{
	for (size_t i = 0; i < len; i += PG)
		((volatile char *)p)[i + PG - 1] = 1;
}

/* A temporary file of len bytes (each page starts with its index) in dir,
 * unlinked at once when keep is false. */
static inline int wl_tmpfile(int line, const char *dir, const char *tag, size_t len, char *path,
			     size_t cap)
{
	int fd;

	snprintf(path, cap, "%s/wl-%s-XXXXXX", dir, tag);
	fd = mkstemp(path);
	if (fd < 0)
		wl_die(line, "mkstemp(%s): %s", path, strerror(errno));
	if (ftruncate(fd, (off_t)len))
		wl_die(line, "ftruncate(%s): %s", path, strerror(errno));
	for (size_t i = 0; i < len / PG; i++) {
		unsigned long v = i;

		if (pwrite(fd, &v, sizeof(v), (off_t)(i * PG)) != (ssize_t)sizeof(v))
			wl_die(line, "pwrite(%s): %s", path, strerror(errno));
	}
	return fd;
}
#define tmpfile_in(dir, tag, len, path) wl_tmpfile(__LINE__, (dir), (tag), (len), (path), sizeof(path))

#endif /* WL_H */
