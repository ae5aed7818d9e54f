// SPDX-License-Identifier: GPL-2.0
/* runtimes.c - which runtime a process runs, and its report as claims
 * (see analyze/runtimes.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analyze/runtimes.h"
#include "proc/elfsyms.h"
#include "proc/golang.h"
#include "proc/pymalloc.h"

static bool base_is(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');

	return !strcmp(slash ? slash + 1 : path, name);
}

static bool base_starts(const char *path, const char *prefix)
{
	const char *slash = strrchr(path, '/');

	return !strncmp(slash ? slash + 1 : path, prefix, strlen(prefix));
}

enum mt_runtime mt_runtime_of_regions(const struct mt_region *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!r[i].name || r[i].name[0] != '/')
			continue;
		if (base_is(r[i].name, "libjvm.so"))
			return MT_RUNTIME_HOTSPOT;
		/* Debian's nodejs links V8 in libnode.so.N */
		if (base_starts(r[i].name, "libnode.so") || base_starts(r[i].name, "libv8.so"))
			return MT_RUNTIME_V8;
		if (base_starts(r[i].name, "libpython3"))
			return MT_RUNTIME_CPYTHON;
	}
	return MT_RUNTIME_NONE;
}

/* HotSpot's categories as kinds, and the source each claim names. */
static const struct {
	enum mt_kind kind;
	const char *nmt, *own;
} hs_kinds[MT_HS__COUNT] = {
	[MT_HS_JAVA_HEAP]    = { MT_KIND_JAVA_HEAP, "HotSpot NMT: Java Heap", "HotSpot VM.info: heap address" },
	[MT_HS_CLASS]        = { MT_KIND_JAVA_CLASS_SPACE, "HotSpot NMT: Class", "HotSpot VM.info: compressed class space" },
	[MT_HS_METASPACE]    = { MT_KIND_JAVA_METASPACE, "HotSpot NMT: Metaspace", "HotSpot VM.metaspace: non-class space" },
	[MT_HS_SHARED_CLASS] = { MT_KIND_JAVA_CDS, "HotSpot NMT: Shared class space", "HotSpot VM.info: CDS archive" },
	[MT_HS_CODE]         = { MT_KIND_JAVA_CODE_CACHE, "HotSpot NMT: Code", "HotSpot VM.info: code heap bounds" },
	[MT_HS_GC]           = { MT_KIND_JAVA_GC, "HotSpot NMT: GC", "HotSpot VM.info: card table or marking bitmap" },
	[MT_HS_THREAD_STACK] = { MT_KIND_JAVA_THREAD_STACK, "HotSpot NMT: Thread Stack", "HotSpot thread" },
	[MT_HS_OTHER]        = { MT_KIND_JAVA_OTHER, "HotSpot NMT: another category", "HotSpot" },
};

static int thread_claims(const struct mt_region *r, size_t n, const struct mt_proc_facts *f,
			 struct mt_claims *out)
{
	const char *source = hs_kinds[MT_HS_THREAD_STACK].own;

	for (size_t t = 0; t < f->nthreads; t++) {
		const struct mt_thread *th = &f->threads[t];
		size_t i;

		/* (the guard zone below a stack follows it: classify_claims.c) */
		if (!(th->flags & MT_THREAD_SP_KNOWN) || th->tid == f->pid ||
		    (i = mt_regions_find(r, n, th->sp)) == n || r[i].name)
			continue;
		if (mt_claims_add(out, r[i].start, r[i].end, MT_KIND_JAVA_THREAD_STACK,
				  MT_EVIDENCE_RUNTIME, source))
			return -ENOMEM;
	}
	return 0;
}

int mt_hotspot_claims(const struct mt_hs_report *rep, const struct mt_region *r, size_t n,
		      const struct mt_proc_facts *f, struct mt_claims *out)
{
	for (size_t k = 0; k < rep->ranges.n; k++) {
		const struct mt_hs_range *hr = &rep->ranges.v[k];

		if (hr->committed || hr->category >= MT_HS__COUNT)
			continue;   /* inside its reservation, which claims it */
		if (mt_claims_add(out, hr->start, hr->end, hs_kinds[hr->category].kind,
				  MT_EVIDENCE_RUNTIME,
				  rep->nmt ? hs_kinds[hr->category].nmt : hs_kinds[hr->category].own))
			return -ENOMEM;
	}
	return rep->nmt ? 0 : thread_claims(r, n, f, out);
}

/* A JVM's report on its ranges, as claims (a live target only: a process
 * stopped in its exit answers nothing). */
static int ask_hotspot(const struct mt_runtime_query *q, const struct mt_maps *m,
		       const struct mt_proc_facts *f, struct mt_claims *out, char *line, size_t len)
{
	struct mt_hs_report rep = { 0 };
	char why[200];
	int err;

	if (q->no_attach || !q->live) {
		snprintf(line, len, "HotSpot JVM (not asked%s: its regions are labelled by %s)",
			 q->no_attach ? ", --no-attach" : " as it exits",
			 q->live ? "shape" : "the stacks that created them, and by shape");
		return 0;
	}
	err = mt_hs_read(q->pid, &rep, why, sizeof(why));
	if (err == -ENOMEM || (!err && mt_hotspot_claims(&rep, m->regions, m->count, f, out))) {
		mt_hs_report_free(&rep);
		return -ENOMEM;
	}
	if (err)
		snprintf(line, len, "HotSpot JVM, which did not answer (%s): its regions are labelled "
			 "by shape", why);
	else
		snprintf(line, len, "HotSpot JVM %s: its ranges from %s", rep.version,
			 rep.nmt ? "Native Memory Tracking (jcmd VM.native_memory detail)" :
			 "jcmd VM.info and VM.metaspace (start it with -XX:NativeMemoryTracking=summary "
			 "for GC data and every other range)");
	mt_hs_report_free(&rep);
	return 0;
}

/* v8::V8::Initialize(int): node exports V8's API for its addons */
#define V8_API_SYMBOL "_ZN2v82V810InitializeEi"
/* python3.X exports the C API for extension modules */
#define CPYTHON_API_SYMBOL "Py_Initialize"

/* CPython's obmalloc arenas, found by their pools in its memory. */
static int ask_cpython(const struct mt_runtime_query *q, const struct mt_maps *m,
		       struct mt_claims *out, char *line, size_t len)
{
	struct mt_py_arenas a = { 0 };
	int err = mt_py_arenas_read(q->pid, m->regions, m->count, &a);

	if (err == -ENOMEM)
		return -ENOMEM;
	for (size_t k = 0; k < a.n; k++)
		if (mt_claims_add(out, a.v[k].first_pool,
				  a.v[k].first_pool + MT_PY_ARENA - MT_PY_POOL, MT_KIND_PYTHON_ARENA,
				  MT_EVIDENCE_RUNTIME, "CPython obmalloc: its pools' headers")) {
			mt_py_arenas_free(&a);
			return -ENOMEM;
		}
	if (err)
		snprintf(line, len, "CPython, whose memory could not be read (/proc/%d/mem: %s): its "
			 "obmalloc arenas are not known", (int)q->pid, strerror(-err));
	else
		snprintf(line, len, "CPython: %zu obmalloc arena%s (1 MiB), found by their pools' "
			 "headers in its memory (CPython 3.10 and later)", a.n, a.n == 1 ? "" : "s");
	mt_py_arenas_free(&a);
	return 0;
}

int mt_runtime_ask(const struct mt_runtime_query *q, const struct mt_maps *m,
		   struct mt_proc_facts *f, struct mt_claims *out, char *line, size_t len)
{
	char ver[64], exe[64];
	int err;

	line[0] = '\0';
	f->runtime = mt_runtime_of_regions(m->regions, m->count);
	if (f->runtime == MT_RUNTIME_HOTSPOT)
		return ask_hotspot(q, m, f, out, line, len);
	/* the executable through /proc: its path may be another mount
	 * namespace's, or deleted */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)q->pid);
	if (f->runtime == MT_RUNTIME_CPYTHON || mt_elf_defines(exe, CPYTHON_API_SYMBOL) == 1) {
		f->runtime = MT_RUNTIME_CPYTHON;
		return ask_cpython(q, m, out, line, len);
	}
	if (f->runtime == MT_RUNTIME_V8 || mt_elf_defines(exe, V8_API_SYMBOL) == 1) {
		f->runtime = MT_RUNTIME_V8;
		snprintf(line, len, "V8 (node): labelled by shape: its heap pages by where V8 maps "
			 "them (each at a random 256 KiB-aligned address below 64 TiB), its code range "
			 "as the reservation holding its JIT code");
		return 0;
	}
	err = mt_go_buildinfo_read(exe, ver, sizeof(ver));
	if (err && err != -ENOENT && f->exe)
		err = mt_go_buildinfo_read(f->exe, ver, sizeof(ver));
	if (!err) {
		/* the runtime's facts are in its binary and its fixed layout:
		 * nothing to ask (classify.c's Go pass) */
		f->runtime = MT_RUNTIME_GO;
		snprintf(line, len, "Go %s: its heap from the runtime's fixed arena addresses, "
			 "everything else it mapped as its metadata%s", ver[0] ? ver : "(before go1.18)",
			 mt_libc_glibc_terms(f->libc) || f->libc == MT_LIBC_MUSL ?
			 " (guessed: this program also runs C code, whose malloc maps memory too)" : "");
	}
	return 0;
}
