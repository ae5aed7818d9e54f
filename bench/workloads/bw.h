/* SPDX-License-Identifier: GPL-2.0 */
/* bw.h - helpers shared by the benchmark workloads (header only: each
 * bench/workloads/NAME.c is built on its own by bench/run.sh).
 *
 * Mapping calls go through syscall(SYS_...) so that every run makes exactly
 * the same calls (no glibc wrapper adds or retries one): the per-call cost
 * columns divide by a call count measured once with `maptrace stat --json`.
 */
#ifndef BW_H
#define BW_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PG 4096UL

__attribute__((noreturn, format(printf, 1, 2)))
static inline void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* argv[i] as a positive count, or def when absent */
static inline long arg_count(int argc, char **argv, int i, long def)
{
	char *end;
	long v;

	if (i >= argc)
		return def;
	errno = 0;
	v = strtol(argv[i], &end, 0);
	if (errno || *end || v <= 0)
		die("bad count '%s' (a positive integer)", argv[i]);
	return v;
}

static inline void *raw_mmap(size_t len, int prot)
{
	void *p = (void *)syscall(SYS_mmap, NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap(%zu): %s", len, strerror(errno));
	return p;
}

static inline void raw_munmap(void *p, size_t len)
{
	if (syscall(SYS_munmap, p, len))
		die("munmap(%p, %zu): %s", p, len, strerror(errno));
}

static inline void raw_mprotect(void *p, size_t len, int prot)
{
	if (syscall(SYS_mprotect, p, len, prot))
		die("mprotect(%p, %zu, %d): %s", p, len, prot, strerror(errno));
}

/* Map n one-page regions that the kernel cannot merge: one n-page mapping,
 * every other page made read-only (n/2 mprotects, n vmas). */
static inline char *map_alternating(long n)
{
	char *p = raw_mmap((size_t)n * PG, PROT_READ | PROT_WRITE);

	for (long i = 0; i < n; i += 2)
		raw_mprotect(p + i * PG, PG, PROT_READ);
	return p;
}

#endif /* BW_H */
