/* SPDX-License-Identifier: GPL-2.0 */
/* hotspot.h - what a HotSpot JVM publishes about its own address space:
 * diagnostic commands run over its attach socket (what `jcmd PID CMD`
 * does, without starting a second JVM), and parsers of their reports into
 * address ranges by HotSpot's own categories. User-only.
 *
 * Sources, best first: `VM.native_memory detail` (every range HotSpot
 * reserved, by NMT category; only when the JVM runs with
 * -XX:NativeMemoryTracking=summary|detail), `VM.info` (the Java heap, the
 * CDS archive, the compressed class space, the code heaps) and
 * `VM.metaspace vslist` (the metaspace nodes). Parsing is apart from the
 * socket so the unit tests use recorded reports.
 */
#ifndef MAPTRACE_HOTSPOT_H
#define MAPTRACE_HOTSPOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* HotSpot's memory categories (NMT's names in memTracker's MEMORY_TYPES). */
enum mt_hs_category {
	MT_HS_JAVA_HEAP,      /* "Java Heap" */
	MT_HS_CLASS,          /* "Class": the compressed class space */
	MT_HS_METASPACE,      /* "Metaspace" (NMT's virtual memory of "Class" before JDK 17) */
	MT_HS_SHARED_CLASS,   /* "Shared class space": the CDS archive */
	MT_HS_CODE,           /* "Code" */
	MT_HS_GC,             /* "GC" */
	MT_HS_THREAD_STACK,   /* "Thread Stack" */
	MT_HS_OTHER,          /* every other category */
	MT_HS__COUNT
};

struct mt_hs_range {
	uint64_t start, end;
	uint32_t category;    /* enum mt_hs_category */
	bool committed;       /* a committed part of a reservation listed before it */
};

struct mt_hs_ranges {
	struct mt_hs_range *v;
	size_t n, cap;
};

void mt_hs_ranges_free(struct mt_hs_ranges *r);

/* NMT's category name ("Java Heap") as a category; MT_HS_OTHER if unknown. */
enum mt_hs_category mt_hs_category_of(const char *name, size_t len);
/* "Java Heap", "Class"...: the NMT name of a category ("Other" for the rest). */
const char *mt_hs_category_name(enum mt_hs_category c);

/* Parsers: append the ranges a report lists. 0 or -ENOMEM; a report
 * without any (NMT off, a different JVM) appends nothing. */
int mt_hs_parse_nmt(const char *text, struct mt_hs_ranges *out);        /* VM.native_memory detail */
int mt_hs_parse_vminfo(const char *text, struct mt_hs_ranges *out);     /* VM.info */
int mt_hs_parse_metaspace(const char *text, struct mt_hs_ranges *out);  /* VM.metaspace vslist */
/* The JVM's version ("17.0.15+6-Debian-1deb12u1") from VM.info's
 * "vm_info:" line or from VM.version's first line, into buf; false when
 * absent. */
bool mt_hs_parse_version(const char *text, char *buf, size_t cap);

/* Run diagnostic command cmd ("VM.info") in JVM pid over its attach
 * socket, starting HotSpot's attach listener first if it is not running
 * (an .attach_pid file and SIGQUIT, as jcmd does; only when the JVM
 * catches SIGQUIT, so a JVM run with -Xrs is never signalled). Returns 0
 * with the report in *out (malloc'd, NUL-terminated), or -errno with a
 * one-line reason in why. */
int mt_hs_jcmd(pid_t pid, const char *cmd, char **out, char *why, size_t whycap);

/* What JVM pid reports about its ranges: NMT's detail report when it
 * tracks native memory, else VM.info's and VM.metaspace's ranges. */
struct mt_hs_report {
	struct mt_hs_ranges ranges;
	bool nmt;             /* from NMT: every reservation, thread stacks and GC data included */
	char version[80];     /* "17.0.15+6-Debian-1deb12u1", or empty */
};
/* 0, or -errno with a one-line reason in why (ranges may be partial). */
int mt_hs_read(pid_t pid, struct mt_hs_report *out, char *why, size_t whycap);
void mt_hs_report_free(struct mt_hs_report *r);

#endif /* MAPTRACE_HOTSPOT_H */
