// SPDX-License-Identifier: GPL-2.0
/* hotspot.c - parse what a HotSpot JVM reports about its address space
 * (see proc/hotspot.h); the attach socket is hotspot_attach.c's.
 *
 * The report formats are HotSpot's (JDK 11 to 21 print them alike):
 *  VM.native_memory detail, "Virtual memory map:" section
 *    (services/memReporter.cpp, MemDetailReporter::report_virtual_memory_region):
 *      [0x0000000687400000 - 0x0000000800000000] reserved 6172672KB for Java Heap from
 *      \t[0x0000000687400000 - 0x000000069ec00000] committed 380928KB from
 *      [0x00007fc87d400000 - 0x00007fc87f400000] reserved and committed 32768KB for GC from
 *  VM.info (runtime/os.cpp, memory/universe.cpp, code/codeCache.cpp):
 *      Heap address: 0x0000000687400000, size: 6028 MB, Compressed Oops mode: ...
 *      CDS archive(s) mapped at: [0x00007fc827000000-0x00007fc827bc7000-0x00007fc827bc7000), size ...
 *      Compressed class space mapped at: 0x00007fc828000000-0x00007fc868000000, reserved size: ...
 *      CodeHeap 'non-profiled nmethods': size=120036Kb used=1Kb ...
 *       bounds [0x00007fc894ec7000, 0x00007fc895137000, 0x00007fc89c400000]
 *      Card table byte_map: [0x00007f8867c74000,0x00007f886883a000] _byte_map_base: ...
 *    (gc/shared/cardTable.cpp: every collector but ZGC and Shenandoah), and
 *    G1's marking bitmaps (gc/g1/g1ConcurrentMark.cpp, JDK 17; one bitmap
 *    from JDK 20):
 *       Prev Bits: [0x00007f886127e000, 0x00007f88670ae000)
 *       Next Bits: [0x00007f885b44e000, 0x00007f886127e000)
 *  VM.metaspace vslist (memory/metaspace/virtualSpaceList.cpp):
 *      vsl non-class-space:
 *      - node #0: base 0x00007f0117000000: reserved=65536.00 KB, committed=...
 *      vsl class-space:
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "proc/hotspot.h"

static const char *const category_names[MT_HS__COUNT] = {
	[MT_HS_JAVA_HEAP] = "Java Heap",
	[MT_HS_CLASS] = "Class",
	[MT_HS_METASPACE] = "Metaspace",
	[MT_HS_SHARED_CLASS] = "Shared class space",
	[MT_HS_CODE] = "Code",
	[MT_HS_GC] = "GC",
	[MT_HS_THREAD_STACK] = "Thread Stack",
	[MT_HS_OTHER] = "Other",
};

enum mt_hs_category mt_hs_category_of(const char *name, size_t len)
{
	for (int c = 0; c < MT_HS_OTHER; c++)
		if (strlen(category_names[c]) == len && !memcmp(category_names[c], name, len))
			return (enum mt_hs_category)c;
	return MT_HS_OTHER;
}

const char *mt_hs_category_name(enum mt_hs_category c)
{
	return (unsigned)c < MT_HS__COUNT ? category_names[c] : "?";
}

void mt_hs_ranges_free(struct mt_hs_ranges *r)
{
	free(r->v);
	*r = (struct mt_hs_ranges){ 0 };
}

static int add(struct mt_hs_ranges *r, uint64_t start, uint64_t end, enum mt_hs_category c,
	       bool committed)
{
	if (start >= end)
		return 0;
	if (mt_array_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)))
		return -ENOMEM;
	r->v[r->n++] = (struct mt_hs_range){ start, end, c, committed };
	return 0;
}

/* The text of the line starting at p, as [p, *eol). */
static const char *line_end(const char *p)
{
	const char *e = strchr(p, '\n');

	return e ? e : p + strlen(p);
}

/* "[0xA - 0xB] reserved[ and committed] NKB for NAME from" at p (after
 * leading blanks), or "\t[0xA - 0xB] committed NKB from". */
static int nmt_line(const char *p, const char *eol, struct mt_hs_ranges *out,
		    enum mt_hs_category *last)
{
	uint64_t a, b, kb;
	int n = 0;
	bool sub = *p == '\t' || *p == ' ';

	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	if (sscanf(p, "[0x%" SCNx64 " - 0x%" SCNx64 "] %n", &a, &b, &n) != 2 || !n)
		return 0;
	p += n;
	if (sub && !strncmp(p, "committed ", 10))
		return add(out, a, b, *last, true);
	if (strncmp(p, "reserved ", 9))
		return 0;
	p += 9;
	if (!strncmp(p, "and committed ", 14))
		p += 14;
	if (sscanf(p, "%" SCNu64 "KB for %n", &kb, &n) != 1 || !n)
		return 0;
	p += n;
	{
		const char *from = strstr(p, " from");
		size_t len = from && from < eol ? (size_t)(from - p) : (size_t)(eol - p);

		*last = mt_hs_category_of(p, len);
	}
	return add(out, a, b, *last, false);
}

int mt_hs_parse_nmt(const char *text, struct mt_hs_ranges *out)
{
	enum mt_hs_category last = MT_HS_OTHER;

	for (const char *p = text; *p;) {
		const char *eol = line_end(p);
		int err = nmt_line(p, eol, out, &last);

		if (err)
			return err;
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

/* VM.info: the lines named in the header comment; eol ends the line. */
static int vminfo_line(const char *p, const char *eol, struct mt_hs_ranges *out)
{
	const char *bits = memmem(p, (size_t)(eol - p), "Bits: [", 7);
	uint64_t a, b, c, mb;

	if (sscanf(p, "Heap address: 0x%" SCNx64 ", size: %" SCNu64 " MB", &a, &mb) == 2)
		return add(out, a, a + mb * 1024 * 1024, MT_HS_JAVA_HEAP, false);
	if (sscanf(p, "CDS archive(s) mapped at: [0x%" SCNx64 "-0x%" SCNx64 "-0x%" SCNx64 ")",
		   &a, &b, &c) == 3)
		return add(out, a, c, MT_HS_SHARED_CLASS, false);
	if (sscanf(p, "Compressed class space mapped at: 0x%" SCNx64 "-0x%" SCNx64, &a, &b) == 2)
		return add(out, a, b, MT_HS_CLASS, false);
	if (sscanf(p, " bounds [0x%" SCNx64 ", 0x%" SCNx64 ", 0x%" SCNx64 "]", &a, &b, &c) == 3)
		return add(out, a, c, MT_HS_CODE, false);
	if (sscanf(p, "Card table byte_map: [0x%" SCNx64 ",0x%" SCNx64 "]", &a, &b) == 2)
		return add(out, a, b, MT_HS_GC, false);
	if (bits && sscanf(bits, "Bits: [0x%" SCNx64 ", 0x%" SCNx64 ")", &a, &b) == 2)
		return add(out, a, b, MT_HS_GC, false);
	return 0;
}

static struct mt_hs_range *first_of(struct mt_hs_ranges *r, size_t from, enum mt_hs_category c)
{
	for (size_t k = from; k < r->n; k++)
		if (r->v[k].category == c)
			return &r->v[k];
	return NULL;
}

int mt_hs_parse_vminfo(const char *text, struct mt_hs_ranges *out)
{
	size_t from = out->n;
	struct mt_hs_range *cds, *klass;

	for (const char *p = text; *p;) {
		const char *eol = line_end(p);
		int err = vminfo_line(p, eol, out);

		if (err)
			return err;
		p = *eol ? eol + 1 : eol;
	}
	/* The archive and the class space are one reservation, the class
	 * space at the archive's end rounded up to the reservation's
	 * alignment (MetaspaceShared::reserve_address_space_for_archives(),
	 * JDK 16+): what VM.info prints as the archive is its mapped part, the
	 * gap up to the class space is the archive's too. */
	cds = first_of(out, from, MT_HS_SHARED_CLASS);
	klass = first_of(out, from, MT_HS_CLASS);
	if (cds && klass && klass->start > cds->end && klass->start - cds->end < 64ull << 20)
		cds->end = klass->start;
	return 0;
}

int mt_hs_parse_metaspace(const char *text, struct mt_hs_ranges *out)
{
	enum mt_hs_category space = MT_HS__COUNT;

	for (const char *p = text; *p;) {
		const char *eol = line_end(p);
		uint64_t base;
		double kb;

		if (!strncmp(p, "vsl non-class-space:", 20))
			space = MT_HS_METASPACE;
		else if (!strncmp(p, "vsl class-space:", 16))
			space = MT_HS_CLASS;
		else if (space != MT_HS__COUNT &&
			 sscanf(p, "- node #%*u: base 0x%" SCNx64 ": reserved=%lf KB", &base, &kb) == 2 &&
			 kb > 0) {
			int err = add(out, base, base + (uint64_t)(kb * 1024), space, false);

			if (err)
				return err;
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

bool mt_hs_parse_version(const char *text, char *buf, size_t cap)
{
	const char *p = strstr(text, "\nvm_info: ");
	const char *open, *close;

	if (!cap)
		return false;
	if (!p) {   /* VM.version: "OpenJDK 64-Bit Server VM version 17.0.15+6-..." */
		p = strstr(text, " VM version ");
		if (!p)
			return false;
		p += strlen(" VM version ");
		snprintf(buf, cap, "%.*s", (int)strcspn(p, " \n"), p);
		return buf[0] != '\0';
	}
	open = strchr(p, '(');
	close = open ? strchr(open, ')') : NULL;
	if (!close || close > line_end(p + 1))
		return false;
	snprintf(buf, cap, "%.*s", (int)(close - open - 1), open + 1);
	return true;
}
