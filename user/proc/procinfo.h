/* SPDX-License-Identifier: GPL-2.0 */
/* procinfo.h - what /proc says about a process besides its maps: its
 * threads and their stack pointers, program, stack limit, state. The
 * classifier (classify.h) takes these facts as plain data. User-only. */
#ifndef MAPTRACE_PROCINFO_H
#define MAPTRACE_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/elfsegs.h"

/* One thread of the target. */
enum mt_thread_flag {
	MT_THREAD_SP_KNOWN = 1u << 0,  /* sp holds the user stack pointer */
	MT_THREAD_RUNNING  = 1u << 1,  /* was on a CPU when read ("running") */
};

struct mt_thread {
	uint64_t sp;      /* user stack pointer, when MT_THREAD_SP_KNOWN */
	int32_t tid;
	uint32_t flags;   /* enum mt_thread_flag */
	char comm[16];    /* NUL-terminated, may be empty */
};

/* Everything the classifier knows about the process besides its regions. */
struct mt_proc_facts {
	pid_t pid;
	char comm[16];
	const char *exe;             /* /proc/pid/exe target, NULL when unknown */
	uint64_t exe_inode;          /* 0 when unknown */
	uint64_t stack_limit;        /* RLIMIT_STACK soft limit in bytes, 0 unknown/unlimited */
	const struct mt_thread *threads;
	size_t nthreads;
	uint32_t sp_unreadable;      /* threads whose stack pointer could not be read */
	uint32_t page_size;          /* 0 means 4096 */
	const struct mt_elf_file *elves;
	size_t nelves;
	uint32_t libc;               /* enum mt_libc */
	uint32_t allocator;          /* enum mt_allocator (analyze/classify.h): a malloc
	                                replacing the C library's, 0 when none */
	uint32_t runtime;            /* enum mt_runtime (analyze/runtimes.h), 0 when none */
};

/* Parsers of single /proc texts, exposed for tests. */
/* /proc/PID/task/TID/syscall: "nr a1..a6 sp pc", "-1 sp pc", or "running". */
int mt_parse_task_syscall(const char *text, size_t len, struct mt_thread *t);
/* /proc/PID/task/TID/stat: field 29 (kstkesp), 0 means unknown. */
int mt_parse_task_stat_sp(const char *text, size_t len, struct mt_thread *t);
/* "Max stack size  8388608  unlimited  bytes" line of /proc/PID/limits. */
int mt_parse_limits_stack(const char *text, size_t len, uint64_t *soft);

/* Process facts read from /proc (owned storage for struct mt_proc_facts). */
struct mt_proc_info {
	struct mt_proc_facts facts;
	struct mt_thread *threads;
	char *exe;
	pid_t tgid;                  /* the thread group of the pid asked about */
	pid_t mm_pid;                /* whose /proc entry shows the address space: tgid, or a
	                                live thread when the leader exited (pthread_exit) */
	char state;                  /* State: letter from status ('R', 'S', 'Z'...) */
	bool has_mm;                 /* some thread's status shows VmSize: not a kernel thread or zombie */
	bool kthread;                /* a kernel thread (no address space, ever) */
	bool threads_unreadable;     /* the task directory could not be listed */
};

/* The name (comm) of thread tid of process tgid (tid 0: of the process)
 * into comm, NUL-terminated; empty when it cannot be read (it exited). */
void mt_proc_read_comm(pid_t tgid, pid_t tid, char comm[16]);

/* Virtual and resident bytes of pid (/proc/PID/statm: VmSize, VmRSS); 0 or
 * -ESRCH when it is gone. A kernel thread has 0 of both. */
int mt_proc_statm(pid_t pid, uint64_t *virt, uint64_t *resident);
/* Lines of /proc/PID/maps (its mappings as the kernel shows them: vmas and
 * [vsyscall]), 0 when it is gone. Reading it takes the process's mmap lock
 * for reading, a moment per 100 mappings or so. */
uint64_t mt_proc_maps_lines(pid_t pid);

/* Read comm, exe, stack limit and every thread's stack pointer of pid.
 * Only the existence of the process is required: facts that cannot be read
 * (permissions) are left unknown. Returns 0, -ESRCH, -ENOMEM. */
int mt_proc_info_read(pid_t pid, struct mt_proc_info *out);
void mt_proc_info_free(struct mt_proc_info *p);

#endif /* MAPTRACE_PROCINFO_H */
