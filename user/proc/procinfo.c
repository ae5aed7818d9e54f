// SPDX-License-Identifier: GPL-2.0
/* procinfo.c - read what /proc says about a process (procinfo.h): the
 * parsers of single /proc texts, then the reading. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/array.h"
#include "maptrace/events.h"
#include "proc/procinfo.h"

/* ---- parsers of single /proc texts ------------------------------------- */

/* Copy text (trimmed of trailing whitespace) to a NUL-terminated buffer. */
static int trimmed(const char *text, size_t len, char *buf, size_t cap)
{
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	if (len >= cap || memchr(text, '\0', len))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return 0;
}

int mt_parse_task_syscall(const char *text, size_t len, struct mt_thread *t)
{
	char buf[256], *tok[10], *save = NULL, *p;
	int n = 0;
	char *end;
	uint64_t sp;

	t->flags &= ~(uint32_t)(MT_THREAD_SP_KNOWN | MT_THREAD_RUNNING);
	t->sp = 0;
	if (trimmed(text, len, buf, sizeof(buf)))
		return -EINVAL;
	if (!strcmp(buf, "running")) {
		t->flags |= MT_THREAD_RUNNING;
		return 0;
	}
	for (p = strtok_r(buf, " ", &save); p && n < 10; p = strtok_r(NULL, " ", &save))
		tok[n++] = p;
	/* proc_pid_syscall(): "-1 sp pc" when blocked outside a syscall,
	 * "nr a1 a2 a3 a4 a5 a6 sp pc" inside one */
	if (n == 3 && !strcmp(tok[0], "-1"))
		p = tok[1];
	else if (n == 9)
		p = tok[7];
	else
		return -EINVAL;
	errno = 0;
	sp = strtoull(p, &end, 16);
	if (errno || *end || end == p)
		return -EINVAL;
	if (sp) {
		t->sp = sp;
		t->flags |= MT_THREAD_SP_KNOWN;
	}
	return 0;
}

int mt_parse_task_stat_sp(const char *text, size_t len, struct mt_thread *t)
{
	char buf[1024], *p, *end;
	uint64_t sp;

	if (trimmed(text, len, buf, sizeof(buf)))
		return -EINVAL;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -EINVAL;
	p += 2;   /* field 3 (state) */
	for (int field = 3; field < 29; field++) {
		if (!(p = strchr(p, ' ')))
			return -EINVAL;
		p++;
	}
	errno = 0;
	sp = strtoull(p, &end, 10);
	if (errno || end == p || (*end && *end != ' '))
		return -EINVAL;
	if (sp) {    /* only shown for exiting or dumping tasks: usually 0 */
		t->sp = sp;
		t->flags |= MT_THREAD_SP_KNOWN;
	}
	return 0;
}

int mt_parse_limits_stack(const char *text, size_t len, uint64_t *soft)
{
	static const char key[] = "Max stack size";
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > sizeof(key) - 1 && !memcmp(p, key, sizeof(key) - 1)) {
			char buf[128], *q, *e;
			size_t l = (size_t)(le - p) - (sizeof(key) - 1);

			if (l >= sizeof(buf))
				return -EINVAL;
			memcpy(buf, p + sizeof(key) - 1, l);
			buf[l] = '\0';
			for (q = buf; *q == ' '; q++)
				;
			if (!strncmp(q, "unlimited", 9)) {
				*soft = 0;
				return 0;
			}
			errno = 0;
			*soft = strtoull(q, &e, 10);
			return errno || e == q ? -EINVAL : 0;
		}
		p = le + 1;
	}
	return -ENOENT;
}

/* ---- reading: the only part that touches /proc --------------------------- */

/* Small /proc file into buf (NUL-terminated); returns its length or -errno. */
static long read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

void mt_proc_read_comm(pid_t tgid, pid_t tid, char comm[16])
{
	char path[64], buf[64];
	long n;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)tgid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)tgid);
	n = read_small(path, buf, sizeof(buf));

	comm[0] = '\0';
	if (n <= 0)
		return;
	if (buf[n - 1] == '\n')
		n--;
	if (n > 15)
		n = 15;     /* TASK_COMM_LEN - 1 */
	memcpy(comm, buf, (size_t)n);
	comm[n] = '\0';
}

int mt_proc_statm(pid_t pid, uint64_t *virt, uint64_t *resident)
{
	char path[64], buf[128];
	unsigned long long size, rss;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	long n;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	n = read_small(path, buf, sizeof(buf));
	if (n <= 0 || sscanf(buf, "%llu %llu", &size, &rss) != 2)
		return -ESRCH;
	*virt = size * page;
	*resident = rss * page;
	return 0;
}

uint64_t mt_proc_maps_lines(pid_t pid)
{
	char path[64], buf[65536];
	uint64_t lines = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
			lines++;
	close(fd);
	return lines;
}

static int read_threads(struct mt_proc_info *p)
{
	char path[96], buf[1024];
	DIR *d;
	struct dirent *de;
	size_t cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->tgid);
	if (!(d = opendir(path))) {
		p->threads_unreadable = true;
		return errno == ENOENT ? -ESRCH : 0;
	}
	while ((de = readdir(d)) != NULL) {
		struct mt_thread *t;
		long n;
		int tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		if (mt_array_grow((void **)&p->threads, &cap, p->facts.nthreads + 1,
				  sizeof(*p->threads))) {
			closedir(d);
			return -ENOMEM;
		}
		t = &p->threads[p->facts.nthreads];
		memset(t, 0, sizeof(*t));
		t->tid = tid;
		mt_proc_read_comm(p->tgid, tid, t->comm);
		/* needs ptrace access (PTRACE_MODE_ATTACH): root, or our own
		 * process where yama's ptrace_scope allows it */
		snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)p->tgid, tid);
		n = read_small(path, buf, sizeof(buf));
		if (n == -ENOENT || n == -ESRCH)
			continue;               /* the thread exited */
		if (n > 0)
			mt_parse_task_syscall(buf, (size_t)n, t);
		if (!(t->flags & MT_THREAD_SP_KNOWN)) {
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)p->tgid, tid);
			n = read_small(path, buf, sizeof(buf));
			if (n > 0)
				mt_parse_task_stat_sp(buf, (size_t)n, t);
		}
		if (!(t->flags & MT_THREAD_SP_KNOWN))
			p->facts.sp_unreadable++;
		p->facts.nthreads++;
	}
	closedir(d);
	return 0;
}

/* The executable's path (without " (deleted)") and inode, when readable. */
static int read_exe(struct mt_proc_info *p, const char *path, char *buf, size_t cap)
{
	static const char del[] = " (deleted)";
	struct stat sb;
	ssize_t n = readlink(path, buf, cap - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((size_t)n > sizeof(del) - 1 && !strcmp(buf + n - (sizeof(del) - 1), del))
		buf[n - (sizeof(del) - 1)] = '\0';
	if (!(p->exe = strdup(buf)))
		return -ENOMEM;
	p->facts.exe = p->exe;
	if (stat(path, &sb) == 0)
		p->facts.exe_inode = sb.st_ino;
	return 0;
}

int mt_proc_info_read(pid_t pid, struct mt_proc_info *p)
{
	char path[96], buf[4096];
	const char *q;
	long n;
	int err;

	memset(p, 0, sizeof(*p));
	if (pid <= 0)
		return -ESRCH;
	/* status: readable by anyone; the pid may be any thread's */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT || n == -ESRCH ? -ESRCH : (int)n;
	p->tgid = pid;
	if ((q = strstr(buf, "\nTgid:")))
		p->tgid = (pid_t)atoi(q + 6);
	if ((q = strstr(buf, "\nState:"))) {
		for (q += 7; *q == ' ' || *q == '\t'; q++)
			;
		p->state = *q;
	}
	p->has_mm = strstr(buf, "\nVmSize:") != NULL;
	/* "Kthread:" since Linux 6.9; before, kthreadd (pid 2) and its children */
	if ((q = strstr(buf, "\nKthread:")))
		p->kthread = atoi(q + 9) == 1;
	else
		p->kthread = p->tgid == 2 || ((q = strstr(buf, "\nPPid:")) && atoi(q + 6) == 2);
	p->facts.pid = p->tgid;
	p->facts.page_size = (uint32_t)sysconf(_SC_PAGESIZE);
	mt_proc_read_comm(p->tgid, 0, p->facts.comm);

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)p->tgid);
	if ((err = read_exe(p, path, buf, sizeof(buf))))
		return err;
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)p->tgid);
	n = read_small(path, buf, sizeof(buf));
	if (n > 0)
		mt_parse_limits_stack(buf, (size_t)n, &p->facts.stack_limit);

	if ((err = read_threads(p))) {
		mt_proc_info_free(p);
		return err;
	}
	p->facts.threads = p->threads;
	p->mm_pid = p->tgid;
	/* a leader that called pthread_exit() is a zombie without an mm while
	 * its threads run on: their /proc entries show the address space */
	for (size_t t = 0; !p->has_mm && t < p->facts.nthreads; t++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)p->tgid, (int)p->threads[t].tid);
		if (p->threads[t].tid != p->tgid && read_small(path, buf, sizeof(buf)) > 0 &&
		    strstr(buf, "\nVmSize:")) {
			p->has_mm = true;
			p->mm_pid = p->threads[t].tid;
		}
	}
	if (p->mm_pid != p->tgid) {
		/* the zombie leader has no stack pointer to miss */
		for (size_t t = 0; t < p->facts.nthreads; t++)
			if (p->threads[t].tid == p->tgid && !(p->threads[t].flags & MT_THREAD_SP_KNOWN) &&
			    p->facts.sp_unreadable)
				p->facts.sp_unreadable--;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/exe", (int)p->tgid, (int)p->mm_pid);
		if (!p->exe && (err = read_exe(p, path, buf, sizeof(buf)))) {
			mt_proc_info_free(p);
			return err;
		}
	}
	return 0;
}

void mt_proc_info_free(struct mt_proc_info *p)
{
	free(p->threads);
	free(p->exe);
	memset(p, 0, sizeof(*p));
}
