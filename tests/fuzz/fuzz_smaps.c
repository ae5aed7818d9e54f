// SPDX-License-Identifier: GPL-2.0
/* fuzz_smaps.c - the /proc/<pid>/smaps parser (user/proc/smaps.c) on any text,
 * and the region classifier (user/analyze/classify.c) on whatever it accepts.
 *
 * Input: the text of an smaps file. Checked, besides "no crash, leak or
 * hang": a successful parse has one figure record per region, each with
 * its Size (equal to the region's size) and VmFlags; regions are in
 * address order; every known VmFlags bit names a mnemonic that maps back
 * to it. Then mt_classify() runs on the regions (with claims made from
 * them, as a runtime's report would), with and without the
 * figures, with process facts made up from the regions themselves (the
 * first file as the executable, a thread stack pointer in [stack] and in
 * large anonymous rw regions, PT_LOAD segments mirroring each file's
 * regions) so the ELF, stack and arena passes all have something to chew
 * on. Every answer must be a known kind with a terminated description.
 */
#include <errno.h>
#include <string.h>

#include "proc/smaps.h"
#include "analyze/classify.h"
#include "fuzz_util.h"

#define MAX_THREADS 8
#define MAX_ELVES 8
#define PAGE 4096ull

struct facts {
	struct mt_proc_facts f;
	struct mt_thread threads[MAX_THREADS];
	struct mt_elf_file elves[MAX_ELVES];
};

static struct mt_elf_file *elf_of(struct facts *x, const struct mt_region *r)
{
	for (size_t i = 0; i < x->f.nelves; i++)
		if (x->elves[i].dev == r->dev && x->elves[i].inode == r->inode)
			return &x->elves[i];
	if (x->f.nelves == MAX_ELVES)
		return NULL;
	x->elves[x->f.nelves] = (struct mt_elf_file){ .dev = r->dev, .inode = r->inode };
	return &x->elves[x->f.nelves++];
}

static void make_facts(struct facts *x, const struct mt_maps *m)
{
	size_t nth = 0;

	memset(x, 0, sizeof(*x));
	x->f.pid = 4242;
	memcpy(x->f.comm, "fuzz", 5);
	x->f.stack_limit = 8ull << 20;
	x->f.page_size = (uint32_t)PAGE;
	x->f.threads = x->threads;
	x->f.elves = x->elves;
	for (size_t i = 0; i < m->count; i++) {
		const struct mt_region *r = &m->regions[i];
		uint64_t size = r->end - r->start;

		if (r->inode) {
			struct mt_elf_file *ef = elf_of(x, r);

			if (!x->f.exe && r->name) {
				x->f.exe = r->name;
				x->f.exe_inode = r->inode;
			}
			if (ef && ef->nseg < MT_ELF_MAX_SEGS) {
				/* load address: the first region maps the file's offset 0 part */
				const struct mt_region *first = r;
				struct mt_elf_seg *sg = &ef->seg[ef->nseg++];

				for (size_t k = 0; k < i; k++)
					if (m->regions[k].inode == r->inode && m->regions[k].dev == r->dev) {
						first = &m->regions[k];
						break;
					}
				sg->offset = r->offset;
				sg->vaddr = r->start - (first->start - first->offset);
				sg->filesz = size;
				sg->memsz = size + (r->perms & MT_PERM_WRITE ? 2 * PAGE : 0);
				sg->flags = (r->perms & MT_PERM_READ ? MT_SEG_R : 0) |
					    (r->perms & MT_PERM_WRITE ? MT_SEG_W : 0) |
					    (r->perms & MT_PERM_EXEC ? MT_SEG_X : 0);
			}
			continue;
		}
		if (nth == MAX_THREADS)
			continue;
		if (r->name && !strcmp(r->name, "[stack]") && size > 256) {
			x->threads[nth++] = (struct mt_thread){ .tid = 4242, .sp = r->end - 256,
				.flags = MT_THREAD_SP_KNOWN, .comm = "fuzz" };
		} else if (!r->name && (r->perms & (MT_PERM_READ | MT_PERM_WRITE)) ==
			   (MT_PERM_READ | MT_PERM_WRITE) && size >= 16 * PAGE) {
			x->threads[nth] = (struct mt_thread){ .tid = 4243 + (int32_t)nth,
				.sp = (r->start + size / 2) & ~15ull, .flags = MT_THREAD_SP_KNOWN };
			nth++;
		}
	}
	if (nth < MAX_THREADS)   /* one whose stack pointer could not be read */
		x->threads[nth++] = (struct mt_thread){ .tid = 9999, .flags = MT_THREAD_RUNNING };
	x->f.nthreads = nth;
}

/* Claims as a runtime's report or creating stacks would make them, from
 * the regions themselves: every third region's range stretched over its
 * neighbour (so claims overlap regions and each other), kinds cycling. */
static void make_claims(const struct mt_smaps *s, struct mt_claims *c)
{
	const struct mt_region *r = s->maps.regions;

	for (size_t i = 0; i < s->maps.count; i += 3) {
		uint64_t end = i + 1 < s->maps.count ? r[i + 1].end : r[i].end;
		int err = mt_claims_add(c, r[i].start + (r[i].end - r[i].start) / 2, end,
					(enum mt_kind)(MT_KIND_JAVA_HEAP + i % (MT_KIND_COUNT - MT_KIND_JAVA_HEAP)),
					i % 2 ? MT_EVIDENCE_TRACED : MT_EVIDENCE_RUNTIME, "fuzz");

		FUZZ_CHECK(err == 0, "out of memory");
	}
}

static void classify(const struct mt_smaps *s, const struct mt_smaps_stat *stats,
		     const struct mt_proc_facts *f)
{
	size_t n = s->maps.count;
	struct mt_class *cls = calloc(n ? n : 1, sizeof(*cls));
	struct mt_claims claims = { 0 };
	int err;

	FUZZ_CHECK(cls, "out of memory");
	make_claims(s, &claims);
	err = mt_classify(s->maps.regions, stats, n, f, &claims, cls);
	mt_claims_free(&claims);
	FUZZ_CHECK(err == 0, "mt_classify refused parsed regions: %d", err);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(cls[i].kind < MT_KIND_COUNT, "region %zu: kind %u", i, cls[i].kind);
		FUZZ_CHECK(strcmp(mt_kind_id(cls[i].kind), "?") != 0, "region %zu: no kind id", i);
		FUZZ_CHECK(cls[i].role <= MT_ROLE_LOADER, "region %zu: role %u", i, cls[i].role);
		FUZZ_CHECK(cls[i].evidence < MT_EVIDENCE_COUNT, "region %zu: evidence %u", i,
			   cls[i].evidence);
		FUZZ_CHECK(memchr(cls[i].desc, '\0', sizeof(cls[i].desc)),
			   "region %zu: description unterminated", i);
	}
	free(cls);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	struct mt_smaps s = { 0 };
	struct facts x;
	size_t bad = 0;
	int err;

	FUZZ_CHECK(text, "out of memory");
	memcpy(text, data, size);
	err = mt_smaps_parse(text, size, &s, &bad);
	if (err) {
		FUZZ_CHECK(err == -EINVAL, "unexpected error %d", err);
		FUZZ_CHECK(bad >= 1, "no bad line for -EINVAL");
		FUZZ_CHECK(!s.maps.count && !s.stats, "failed parse left memory");
		free(text);
		return 0;
	}
	FUZZ_CHECK(size == 0 || text[size - 1] == '\n', "accepted a cut-short text");
	FUZZ_CHECK(s.maps.count == 0 || s.stats, "regions without figures");
	for (size_t i = 0; i < s.maps.count; i++) {
		const struct mt_region *r = &s.maps.regions[i];
		const struct mt_smaps_stat *st = &s.stats[i];

		FUZZ_CHECK(r->start < r->end, "empty region %zu", i);
		FUZZ_CHECK(i == 0 || r->start >= s.maps.regions[i - 1].end, "region %zu out of order", i);
		FUZZ_CHECK((st->keys & (MT_SK_SIZE | MT_SK_VMFLAGS)) == (MT_SK_SIZE | MT_SK_VMFLAGS),
			   "record %zu incomplete", i);
		FUZZ_CHECK(st->size == r->end - r->start, "record %zu: Size disagrees", i);
		FUZZ_CHECK(st->thp_eligible <= 1, "THPeligible %u", st->thp_eligible);
		for (int b = 0; b < 64; b++) {
			uint64_t bit = 1ull << b;
			const char *mn;

			if (!(st->vmflags & bit) || bit == MT_VMF_OTHER)
				continue;
			mn = mt_vmflag_name(bit);
			FUZZ_CHECK(mn && mt_vmflag_bit(mn, 2) == bit, "VmFlags bit %d has no mnemonic", b);
		}
	}
	make_facts(&x, &s.maps);
	classify(&s, s.stats, &x.f);
	classify(&s, NULL, &x.f);
	mt_smaps_free(&s);
	free(text);
	return 0;
}
