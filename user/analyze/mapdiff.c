// SPDX-License-Identifier: GPL-2.0
/* mapdiff.c - compare a shadow with the kernel's maps (see analyze/mapdiff.h).
 *
 * One merge walk over both sorted sides, O(n + m): the address space is cut
 * into segments at every region start and end of either side. Inside a
 * segment neither side changes region, so one comparison decides all its
 * pages (both file offsets advance one page per page, their difference is
 * constant), and each divergent segment is one reported run.
 *
 * A boundary present on one side only, between two segments that agree, is
 * what the kernel's vma merging (vma_merge / vma_expand in mm/vma.c) or the
 * never-merging shadow produce: it is counted as boundary_only, never as
 * divergence.
 */
#include <string.h>

#include "analyze/mapdiff.h"

#define PERM_MASK (MT_PERM_READ | MT_PERM_WRITE | MT_PERM_EXEC | MT_PERM_SHARED)
#define ADDR_MAX UINT64_MAX

/* maps prints offset 0 for an anonymous region and no file identity
 * (show_map_vma only reads vm_pgoff when vma->vm_file). */
static bool file_backed(const struct mt_region *r)
{
	return mt_region_has_file(r);
}

static uint64_t page_offset(const struct mt_region *r, uint64_t addr)
{
	return r->offset + (addr - r->start);
}

/* How the page at addr differs (sr/kr cover it, or NULL), 0 if it agrees.
 * One kind per page, the first that applies in this order. */
static enum mt_diff_kind compare_page(const struct mt_region *sr,
				      const struct mt_region *kr, uint64_t addr)
{
	if (!kr)
		return sr ? MT_DIFF_EXTRA : 0;
	if (!sr)
		return MT_DIFF_MISSING;
	if ((sr->perms ^ kr->perms) & PERM_MASK)
		return MT_DIFF_PERMS;
	if (sr->flags & MT_RF_IDENT_UNKNOWN)
		return 0;
	if (!file_backed(sr) && !file_backed(kr))
		return 0;
	if (sr->dev != kr->dev || sr->inode != kr->inode)
		return MT_DIFF_FILE;
	if (page_offset(sr, addr) != page_offset(kr, addr))
		return MT_DIFF_OFFSET;
	return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Where the segment starting at pos ends on one side: at the end of the
 * region covering pos, else at the start of the next region. */
static uint64_t side_end(const struct mt_region *r, uint64_t pos)
{
	if (!r)
		return ADDR_MAX;
	return r->start <= pos ? r->end : r->start;
}

void mt_diff(const struct mt_shadow *shadow, const struct mt_maps *kernel,
	     uint64_t page_size, mt_divergence_fn fn, void *ctx,
	     struct mt_diff_stats *stats)
{
	struct mt_diff_stats st = { 0 };
	const struct mt_region *sr = mt_shadow_lower_bound(shadow, 0);
	const struct mt_region *kr = kernel->count ? kernel->regions : NULL;
	size_t ki = 0;
	/* the previous segment, when both sides mapped it and agreed */
	const struct mt_region *prev_s = NULL, *prev_k = NULL;
	uint64_t prev_end = 0, pos = 0;
	bool prev_ok = false;

	if (!page_size)
		page_size = MT_PAGE_SIZE;
	for (;;) {
		const struct mt_region *s_in, *k_in;
		enum mt_diff_kind kind;
		uint64_t end;

		while (sr && sr->end <= pos)
			sr = mt_shadow_next(shadow, sr);
		while (kr && kr->end <= pos)
			kr = ++ki < kernel->count ? &kernel->regions[ki] : NULL;
		if (!sr && !kr)
			break;
		s_in = sr && sr->start <= pos ? sr : NULL;
		k_in = kr && kr->start <= pos ? kr : NULL;
		if (!s_in && !k_in) { /* a hole on both sides: skip it */
			pos = min_u64(sr ? sr->start : ADDR_MAX, kr ? kr->start : ADDR_MAX);
			prev_ok = false;
			continue;
		}
		end = min_u64(side_end(sr, pos), side_end(kr, pos));
		kind = compare_page(s_in, k_in, pos);
		if (kind) {
			struct mt_divergence d = {
				.start = pos, .end = end, .kind = kind,
				.shadow = s_in, .kernel = k_in,
			};

			st.divergences++;
			st.divergent_pages += (end - pos) / page_size;
			if (fn)
				fn(&d, ctx);
		} else if (prev_ok && prev_end == pos &&
			   (prev_s != s_in) != (prev_k != k_in)) {
			st.boundary_only++;
		}
		prev_ok = !kind;
		prev_s = s_in;
		prev_k = k_in;
		prev_end = end;
		pos = end;
	}
	if (stats)
		*stats = st;
}

static bool is_stack(const struct mt_region *r)
{
	return (r->flags & MT_RF_GROWSDOWN) || (r->name && !strcmp(r->name, "[stack]"));
}

/* Adopt what the kernel says about shadow region r (a copy: the shadow's
 * pointers die with the first change), given k, the kernel region holding
 * r's first page, and floor, the end of the shadow region before r.
 * Returns how many changes were made, or -errno. */
static int learn_region(struct mt_shadow *s, struct mt_region r,
			const struct mt_region *k, uint64_t floor)
{
	int n = 0, rc;

	if ((r.perms ^ k->perms) & PERM_MASK)
		return 0;
	if ((r.flags & MT_RF_IDENT_UNKNOWN) && k->end >= r.end) {
		r.dev = k->dev;
		r.inode = k->inode;
		r.offset = file_backed(k) ? page_offset(k, r.start) : k->offset;
		r.name = k->name;
		r.flags = (r.flags & ~(uint32_t)(MT_RF_IDENT_UNKNOWN | MT_RF_DELETED)) |
			  (k->flags & MT_RF_DELETED);
		if ((rc = mt_shadow_map(s, &r)) < 0)
			return rc;
		n++;
	}
	/* Stack growth on fault (expand_downwards in mm/mmap.c) changes the
	 * vma without a syscall. Grow only over the shadow's own hole below
	 * r: anything mapped there is a real divergence to report. */
	if (is_stack(&r) && k->start < r.start && floor < r.start) {
		struct mt_region grown = r;
		uint64_t delta;

		grown.start = k->start > floor ? k->start : floor;
		grown.end = r.start;
		delta = r.start - grown.start;
		/* expand_downwards lowers vm_pgoff with vm_start */
		if ((mt_region_has_file(&r) || (r.flags & MT_RF_IDENT_UNKNOWN)) && r.offset >= delta)
			grown.offset = r.offset - delta;
		grown.origin = (struct mt_origin){ 0 }; /* learned, not traced */
		if ((rc = mt_shadow_map(s, &grown)) < 0)
			return rc;
		n++;
	}
	return n;
}

int mt_diff_learn(struct mt_shadow *shadow, const struct mt_maps *kernel)
{
	const struct mt_region *r = mt_shadow_lower_bound(shadow, 0);
	uint64_t floor = 0;
	size_t ki = 0;
	int adjusted = 0;

	while (r) {
		const struct mt_region *k = NULL;
		uint64_t end = r->end;
		int rc = 0;

		while (ki < kernel->count && kernel->regions[ki].end <= r->start)
			ki++;
		if (ki < kernel->count && kernel->regions[ki].start <= r->start)
			k = &kernel->regions[ki];
		if (k && (rc = learn_region(shadow, *r, k, floor)) < 0)
			return rc;
		adjusted += rc;
		floor = end;
		/* a change invalidates r: look the successor up again */
		r = rc ? mt_shadow_lower_bound(shadow, end) : mt_shadow_next(shadow, r);
	}
	return adjusted;
}

const char *mt_diff_kind_name(enum mt_diff_kind k)
{
	switch (k) {
	case MT_DIFF_MISSING:
		return "missing";
	case MT_DIFF_EXTRA:
		return "extra";
	case MT_DIFF_PERMS:
		return "perms";
	case MT_DIFF_FILE:
		return "file";
	case MT_DIFF_OFFSET:
		return "offset";
	}
	return "unknown";
}
