// SPDX-License-Identifier: GPL-2.0
/* hotspot_attach.c - run a diagnostic command in a HotSpot JVM over its
 * attach socket, as `jcmd PID CMD` does (see proc/hotspot.h).
 *
 * HotSpot's attach mechanism on Linux (attachListener_linux.cpp, JDK 8 to
 * 21): the JVM listens on the UNIX socket /tmp/.java_pid<PID> once its
 * attach listener runs. It starts the listener when it receives SIGQUIT
 * while a file .attach_pid<PID> exists in its working directory or /tmp,
 * owned by its effective uid or root; without that file, SIGQUIT prints a
 * thread dump instead. A request is five NUL-terminated strings: protocol
 * version "1", the operation "jcmd", the command line and two empty
 * arguments; the answer is the result code on a line, then the output,
 * then EOF. The JVM accepts a peer with its own uid and gid, or root.
 *
 * PID is the JVM's pid in its own pid namespace (NSpid's last figure) and
 * /tmp is its /tmp: both are reached through /proc/PID, so a JVM in a
 * container is attached from the host. A JVM that does not catch SIGQUIT
 * (-Xrs, -XX:+ReduceSignalUsage) would die of it: it is never signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/array.h"
#include "proc/hotspot.h"
#include "proc/procmaps.h"

#define LISTENER_WAIT_MS 5000   /* jcmd waits about as long */
#define REPLY_TIMEOUT_S  10

__attribute__((format(printf, 4, 5)))
static int fail(int err, char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return err;
}

/* The value of "Key:" in /proc/PID/status (the rest of its line), or NULL. */
static const char *status_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? p + strlen(key) : NULL;
}

/* The JVM's pid in its own namespace, and whether it catches SIGQUIT. */
static int read_status(pid_t pid, pid_t *nspid, bool *catches_quit)
{
	char path[40], *buf = NULL;
	size_t cap = 0, len;
	const char *p;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	err = mt_proc_read_whole(path, &buf, &cap, &len);
	if (err)
		return err;
	*nspid = pid;
	p = status_field(buf, "\nNSpid:");
	if (p) {
		const char *eol = strchr(p, '\n');
		const char *last = p;

		for (const char *q = p; *q && q != eol; q++)
			if ((*q == ' ' || *q == '\t') && q[1] >= '0' && q[1] <= '9')
				last = q + 1;
		*nspid = (pid_t)atoi(last);
	}
	p = status_field(buf, "\nSigCgt:");
	*catches_quit = p && (strtoull(p, NULL, 16) & (1ull << (SIGQUIT - 1)));
	free(buf);
	return 0;
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Start the attach listener: the trigger file, SIGQUIT, then wait for the
 * socket. Returns a connected socket or -errno. */
static int start_listener(pid_t pid, pid_t nspid, const char *sock, char *why, size_t cap)
{
	char trigger[80];
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int fd, err = -ETIMEDOUT;

	snprintf(trigger, sizeof(trigger), "/proc/%d/cwd/.attach_pid%d", (int)pid, (int)nspid);
	fd = open(trigger, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(trigger, sizeof(trigger), "/proc/%d/root/tmp/.attach_pid%d", (int)pid,
			 (int)nspid);
		fd = open(trigger, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return fail(-errno, why, cap, "cannot create its attach trigger file %s: %s",
			    trigger, strerror(errno));
	close(fd);
	if (kill(pid, SIGQUIT)) {
		err = -errno;
		unlink(trigger);
		return fail(err, why, cap, "cannot signal it: %s", strerror(-err));
	}
	for (int waited = 0; waited < LISTENER_WAIT_MS; waited += 20) {
		nanosleep(&nap, NULL);
		fd = connect_socket(sock);
		if (fd >= 0)
			break;
		err = fd;
	}
	unlink(trigger);
	if (fd < 0)
		return fail(err, why, cap, "its attach listener did not start within %d s "
			    "(-XX:+DisableAttachMechanism?)", LISTENER_WAIT_MS / 1000);
	return fd;
}

/* Send the request, read the whole answer. */
static int converse(int fd, const char *cmd, char **out, char *why, size_t cap)
{
	char req[512];
	int len = snprintf(req, sizeof(req), "1%cjcmd%c%s%c%c", 0, 0, cmd, 0, 0);
	size_t got = 0, bufcap = 0;
	char *buf = NULL;

	if (len < 0 || (size_t)len + 1 >= sizeof(req))
		return fail(-E2BIG, why, cap, "command too long");
	len++;   /* the last argument's NUL */
	if (write(fd, req, (size_t)len) != len)
		return fail(-errno, why, cap, "cannot send the command: %s", strerror(errno));
	for (;;) {
		ssize_t n;

		if (mt_array_grow((void **)&buf, &bufcap, got + 4096, 1)) {
			free(buf);
			return fail(-ENOMEM, why, cap, "out of memory");
		}
		n = read(fd, buf + got, bufcap - got - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			return fail(err, why, cap, "no answer: %s", strerror(-err));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (got < 2 || buf[0] != '0' || buf[1] != '\n') {
		int code = atoi(buf);

		free(buf);
		return fail(-EPROTO, why, cap, "the JVM refused '%s' (result %d)", cmd, code);
	}
	memmove(buf, buf + 2, got - 1);
	*out = buf;
	return 0;
}

int mt_hs_jcmd(pid_t pid, const char *cmd, char **out, char *why, size_t whycap)
{
	char sock[80];
	pid_t nspid;
	bool catches_quit;
	int fd, err;

	why[0] = '\0';
	err = read_status(pid, &nspid, &catches_quit);
	if (err)
		return fail(err, why, whycap, "cannot read its status: %s", strerror(-err));
	snprintf(sock, sizeof(sock), "/proc/%d/root/tmp/.java_pid%d", (int)pid, (int)nspid);
	fd = connect_socket(sock);
	if (fd == -EACCES || fd == -EPERM)
		return fail(fd, why, whycap, "its attach socket refuses us: run as root or as its user");
	if (fd < 0 && !catches_quit)
		return fail(-ENOTSUP, why, whycap, "it does not catch SIGQUIT (-Xrs?): not attaching");
	if (fd < 0)
		fd = start_listener(pid, nspid, sock, why, whycap);
	if (fd < 0)
		return fd;
	err = converse(fd, cmd, out, why, whycap);
	close(fd);
	return err;
}

void mt_hs_report_free(struct mt_hs_report *r)
{
	mt_hs_ranges_free(&r->ranges);
}

int mt_hs_read(pid_t pid, struct mt_hs_report *out, char *why, size_t whycap)
{
	char *text = NULL;
	int err;

	err = mt_hs_jcmd(pid, "VM.native_memory detail", &text, why, whycap);
	if (err)
		return err;
	/* the tests' way to check the other path on a JVM that tracks */
	out->nmt = !strstr(text, "Native memory tracking is not enabled") &&
		   !getenv("MAPTRACE_HOTSPOT_NO_NMT");
	err = out->nmt ? mt_hs_parse_nmt(text, &out->ranges) : 0;
	free(text);
	/* with NMT, VM.info (thousands of lines on a large G1 heap: one per
	 * region) is asked for nothing but the version: VM.version says it */
	if (err || mt_hs_jcmd(pid, out->nmt ? "VM.version" : "VM.info", &text, why, whycap))
		return err ? err : -EPROTO;
	mt_hs_parse_version(text, out->version, sizeof(out->version));
	err = out->nmt ? 0 : mt_hs_parse_vminfo(text, &out->ranges);
	free(text);
	if (err || out->nmt)
		return err;
	err = mt_hs_jcmd(pid, "VM.metaspace vslist", &text, why, whycap);
	if (err)
		return err;
	err = mt_hs_parse_metaspace(text, &out->ranges);
	free(text);
	return err;
}
