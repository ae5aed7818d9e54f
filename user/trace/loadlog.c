// SPDX-License-Identifier: GPL-2.0
/* loadlog.c - libbpf's messages: shown by -v level, and while an object
 * loads kept, to say in one line which program or map the kernel refused
 * and why (loadlog.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "trace/loadlog.h"

static int verbosity;

/* libbpf's warnings while an object loads, kept to name what failed */
static struct {
	bool on;
	char *buf;
	size_t len, cap;
} load_log;

/* Keep a libbpf warning in load_log; of a verifier log (megabytes when
 * the verifier gives up) only the last MiB, which says why. */
__attribute__((format(printf, 1, 0)))
static void keep_warning(const char *fmt, va_list args)
{
	const size_t tail = 1u << 20;
	va_list copy;
	char *msg, *b;
	size_t n, keep;
	int len;

	va_copy(copy, args);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len <= 0 || !(msg = malloc((size_t)len + 1)))
		return;
	va_copy(copy, args);
	vsnprintf(msg, (size_t)len + 1, fmt, copy);
	va_end(copy);
	n = (size_t)len;
	keep = n > tail ? tail : n;
	if (load_log.len + keep + 1 > load_log.cap && load_log.len + keep + 1 <= 8 * tail) {
		b = realloc(load_log.buf, (load_log.len + keep + 1) * 2);
		if (b) {
			load_log.buf = b;
			load_log.cap = (load_log.len + keep + 1) * 2;
		}
	}
	if (load_log.len + keep + 1 <= load_log.cap) {
		memcpy(load_log.buf + load_log.len, msg + n - keep, keep);
		load_log.len += keep;
		load_log.buf[load_log.len] = '\0';
	}
	free(msg);
}

/* libbpf's format strings: the attribute tells clang's -Wformat-nonliteral so */
__attribute__((format(printf, 2, 0)))
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (load_log.on && level == LIBBPF_WARN)
		keep_warning(fmt, args);
	if (level == LIBBPF_DEBUG && verbosity < 2)
		return 0;
	if (level == LIBBPF_INFO && verbosity < 1)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void mt_loadlog_setup(int verbose)
{
	verbosity = verbose;
	libbpf_set_print(print_libbpf);
}

void mt_loadlog_begin(void)
{
	load_log.on = true;
	load_log.len = 0;
	if (load_log.buf)
		load_log.buf[0] = '\0';
}

void mt_loadlog_end(void)
{
	load_log.on = false;
}

/* The line of text that starts at or before p, copied into out. */
static void line_at(const char *text, const char *p, char *out, size_t cap)
{
	const char *b = p, *e = strchr(p, '\n');

	while (b > text && b[-1] != '\n')
		b--;
	if (!e)
		e = p + strlen(p);
	snprintf(out, cap, "%.*s", (int)(e - b), b);
}

static const char *last_of(const char *hay, const char *needle)
{
	const char *p, *last = NULL;

	for (p = hay; (p = strstr(p, needle)); p++)
		last = p;
	return last;
}

/* Say which program or map the kernel refused and why, from libbpf's
 * warnings ("prog 'X': BPF program load failed", the verifier's log whose
 * last words precede "processed N insns", "map 'X': failed to create"). */
void mt_loadlog_explain(int err, const char *object)
{
	const char *log = load_log.buf ? load_log.buf : "", *p, *q;
	char name[64] = "", why[512] = "";

	if ((p = strstr(log, "prog '")) && (q = strstr(p, "': BPF program load failed"))) {
		snprintf(name, sizeof(name), "%.*s", (int)(q - p - 6), p + 6);
		/* the verifier's verdict: the line before its statistics (the
		 * last: subprograms have their own), or the log's last line when
		 * it stopped early */
		if ((q = last_of(log, "\nprocessed ")) || (q = strstr(p, "\n-- END PROG LOAD LOG --"))) {
			const char *b = q;

			while (b > log && b[-1] != '\n')
				b--;
			if (b > log)
				line_at(log, b - 1, why, sizeof(why));
		}
		/* libbpf poisons an instruction whose relocation found no match */
		fprintf(stderr, "maptrace: the kernel refused BPF program '%s' of the %s object: %s "
			"(%s%s; the verifier's log is above)\n", name, object,
			why[0] ? why : "no verifier message", strerror(-err),
			strstr(why, "invalid CO-RE relocation") ?
			"; a kernel type or field it needs is missing from the BTF it was relocated "
			"against: with --btf FILE, cut FILE from this kernel's BTF (make min-btf)" : "");
	} else if ((p = strstr(log, "map '")) && (q = strstr(p, "': failed to create"))) {
		line_at(log, p, why, sizeof(why));
		fprintf(stderr, "maptrace: the kernel refused a BPF map of the %s object: %s\n",
			object, why);
	} else if (err == -EPERM && geteuid() != 0) {
		fprintf(stderr, "maptrace: loading the %s BPF object was refused (%s) although "
			"CAP_BPF+CAP_PERFMON are held (run with -v for libbpf's messages)\n", object,
			strerror(-err));
	} else {
		fprintf(stderr, "maptrace: loading the %s BPF object failed: %s (run with -v for "
			"libbpf's messages)\n", object, strerror(-err));
	}
}
