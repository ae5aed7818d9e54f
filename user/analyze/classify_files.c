// SPDX-License-Identifier: GPL-2.0
/* classify_files.c - the classifier's pass over mapped files: which
 * object (program, library, loader) a mapping belongs to, and which of its
 * PT_LOAD segments it maps (text, rodata/RELRO, data), or a guess from its
 * permissions when the ELF file could not be read. */
#include <stdlib.h>
#include <string.h>

#include "analyze/classify_ctx.h"

static enum mt_role role_of(const struct ctx *x, const struct mt_region *r)
{
	const struct mt_proc_facts *f = x->f;
	const char *b = base_name(r->name);

	if (f->exe && (!strcmp(r->name, f->exe) ||
		       (f->exe_inode && r->inode == f->exe_inode && !strcmp(b, base_name(f->exe)))))
		return MT_ROLE_PROGRAM;
	if (has_prefix(b, "ld-linux") || has_prefix(b, "ld64.so") || has_prefix(b, "ld-musl") ||
	    (has_prefix(b, "ld-") && strstr(b, ".so")))
		return MT_ROLE_LOADER;
	return MT_ROLE_LIBRARY;
}

/* "the program", "the dynamic loader", "library libc.so.6" */
const char *mt_cls_object_phrase(const struct mt_region *r, enum mt_role role, char *buf,
				  size_t cap)
{
	char nb[NAME_CLIP + 4];
	const char *b = base_name(r->name);

	if (role == MT_ROLE_PROGRAM)
		return "the program";
	if (role == MT_ROLE_LOADER)
		return "the dynamic loader";
	snprintf(buf, cap, "library %s", clip(b, strlen(b), nb));
	return buf;
}

static int cmp_file_key(uint64_t ia, uint32_t da, uint64_t ib, uint32_t db)
{
	if (ia != ib)
		return ia < ib ? -1 : 1;
	return da < db ? -1 : da > db;
}

int mt_cls_cmp_elves(const void *a, const void *b)
{
	const struct mt_elf_file *x = *(const struct mt_elf_file *const *)a;
	const struct mt_elf_file *y = *(const struct mt_elf_file *const *)b;

	return cmp_file_key(x->inode, x->dev, y->inode, y->dev);
}

static const struct mt_elf_file *find_elf(const struct ctx *x, const struct mt_region *r)
{
	size_t lo = 0, hi = x->f->nelves;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_file_key(x->elves[mid]->inode, x->elves[mid]->dev, r->inode, r->dev);

		if (c == 0)
			return x->elves[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool same_file(const struct mt_region *a, const struct mt_region *b)
{
	return a->inode && a->inode == b->inode && a->dev == b->dev;
}

/* Fill zero and run_x: a file's mappings are consecutive in address order. */
void mt_cls_scan_file_runs(struct ctx *x)
{
	size_t start = 0;

	for (size_t i = 0; i <= x->n; i++) {
		bool run_x = false;

		if (i < x->n && i > start && same_file(&x->r[i], &x->r[i - 1]))
			continue;
		/* [start, i) is one run */
		for (size_t j = start; j < i; j++)
			run_x |= (x->r[j].perms & MT_PERM_EXEC) != 0;
		for (size_t j = start, zero = SIZE_MAX; j < i; j++) {
			if (x->r[j].offset == 0)
				zero = j;
			x->sc[j].zero = zero;
			x->sc[j].run_x = run_x;
		}
		start = i;
	}
}

/* The load bias of the file region i maps, from the same file's mapping
 * of offset 0 (its ELF headers; the file's mappings are contiguous):
 * that page is the first PT_LOAD's first page. false when not mapped. */
static bool load_bias(const struct ctx *x, size_t i, const struct mt_elf_file *e, uint64_t *bias)
{
	const struct mt_elf_seg *first = NULL;
	size_t j = x->sc[i].zero;

	if (j == SIZE_MAX)
		return false;
	for (uint32_t k = 0; k < e->nseg && k < MT_ELF_MAX_SEGS; k++)
		if ((e->seg[k].offset & ~(x->page - 1)) == 0)
			first = first && first->vaddr <= e->seg[k].vaddr ? first : &e->seg[k];
	if (!first)
		return false;
	*bias = x->r[j].start - (first->vaddr & ~(x->page - 1));
	return true;
}

/* The PT_LOAD whose file range covers the region's offset. When two
 * segments share that file page (small binaries: .rodata ends and .data
 * begins in one page, mapped twice), the one whose memory range holds the
 * region's address; then the one that starts at that page; then the one
 * whose X/W perms match. */
static const struct mt_elf_seg *seg_for(const struct ctx *x, size_t i, const struct mt_elf_file *e)
{
	const struct mt_region *r = &x->r[i];
	const struct mt_elf_seg *best = NULL;
	int best_score = -1;
	uint64_t bias = 0;
	bool have_bias = load_bias(x, i, e, &bias);

	for (uint32_t k = 0; k < e->nseg && k < MT_ELF_MAX_SEGS; k++) {
		const struct mt_elf_seg *s = &e->seg[k];
		uint64_t lo = s->offset & ~(x->page - 1), hi = s->offset + s->filesz;
		int score = 0;

		if (s->filesz == 0 || r->offset < lo || r->offset >= hi)
			continue;
		if (have_bias && r->start >= ((bias + s->vaddr) & ~(x->page - 1)) &&
		    r->start < page_up(bias + s->vaddr + s->memsz, x->page))
			score += 8;
		score += lo == r->offset ? 4 : 0;
		score += !!(s->flags & MT_SEG_X) == !!(r->perms & MT_PERM_EXEC);
		score += !!(s->flags & MT_SEG_W) == !!(r->perms & MT_PERM_WRITE);
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

/* Without program headers: is the file an ELF object? It is when it is the
 * program or loader, has an executable mapping next to this one (the same
 * file's mappings are contiguous), or is named like a library. */
static bool looks_elf(const struct ctx *x, size_t i, enum mt_role role)
{
	return role != MT_ROLE_LIBRARY || strstr(base_name(x->r[i].name), ".so") || x->sc[i].run_x;
}

static void classify_plain_file(struct ctx *x, size_t i)
{
	const struct mt_region *r = &x->r[i];
	struct mt_class *c = &x->out[i];
	bool shared = r->perms & MT_PERM_SHARED, w = r->perms & MT_PERM_WRITE;

	set(c, MT_KIND_FILE);
	if (has_prefix(r->name, "/dev/shm/"))
		setd(c, "POSIX shared memory object (shm_open)%s", shared ? "" : ", private copy-on-write");
	else if (has_prefix(r->name, "/dev/hugepages/"))
		setd(c, "file on hugetlbfs (huge pages)");
	else if (!strcmp(base_name(r->name), "locale-archive") || strstr(r->name, "/locale/"))
		setd(c, "locale data (setlocale), shared with other processes");
	else if (shared && w)
		setd(c, "file mapped shared and writable: writes go to the file");
	else if (shared)
		setd(c, "file mapped shared, read-only");
	else if (w)
		setd(c, "file mapped private and writable (copy-on-write: changes stay in memory)");
	else if (r->perms & MT_PERM_EXEC)
		setd(c, "executable file mapping (not recognised as an ELF object)");
	else
		setd(c, "file mapped read-only (data, caches, fonts...)");
}

/* File-backed regions: ELF segment or plain file. */
void mt_cls_file(struct ctx *x, size_t i)
{
	const struct mt_region *r = &x->r[i];
	struct mt_class *c = &x->out[i];
	const struct mt_elf_file *e = find_elf(x, r);
	enum mt_role role = role_of(x, r);
	const struct mt_elf_seg *s = NULL;
	enum mt_kind k;
	char ob[NAME_CLIP + 16];
	const char *obj = mt_cls_object_phrase(r, role, ob, sizeof(ob));
	const char *what;
	bool guessed = false;

	if (e) {
		s = seg_for(x, i, e);
		if (!s && prot(r)) {
			c->role = role;
			set(c, r->flags & MT_RF_DELETED ? MT_KIND_DELETED_FILE : MT_KIND_FILE);
			setd(c, "part of %s outside its loadable segments%s", obj,
			     r->flags & MT_RF_DELETED ? " (file deleted since mapped)" : "");
			return;
		}
	} else if (!looks_elf(x, i, role)) {
		if (r->flags & MT_RF_DELETED) {
			set(c, MT_KIND_DELETED_FILE);
			setd(c, "file deleted (or replaced) after it was mapped");
			return;
		}
		if (mt_region_prot_none(r)) {
			set(c, MT_KIND_RESERVATION);
			setd(c, "file mapped PROT_NONE: address space only, no memory");
			return;
		}
		classify_plain_file(x, i);
		return;
	} else {
		guessed = true;
	}
	c->role = role;
	if (mt_region_prot_none(r)) {
		set(c, MT_KIND_RESERVATION);
		setd(c, "gap between the segments of %s (PROT_NONE: address space only, no memory)", obj);
		return;
	}
	x->sc[i].seg = s;
	if (s ? s->flags & MT_SEG_X : r->perms & MT_PERM_EXEC) {
		k = MT_KIND_ELF_TEXT;
		what = "code (.text) of";
	} else if (s ? (s->flags & MT_SEG_W) && (r->perms & MT_PERM_WRITE) : (r->perms & MT_PERM_WRITE) != 0) {
		k = MT_KIND_ELF_DATA;
		what = "initialised data (.data, .got) of";
	} else if (s && (s->flags & MT_SEG_W)) {
		k = MT_KIND_ELF_RODATA;
		what = "relocated data made read-only after start-up (RELRO) of";
	} else {
		k = MT_KIND_ELF_RODATA;
		what = r->offset == 0 ? "ELF headers and read-only data of" : "read-only data (.rodata, .eh_frame) of";
	}
	x->sc[i].elf_kind = (uint8_t)k;
	if (r->flags & MT_RF_DELETED) {
		set(c, MT_KIND_DELETED_FILE);
		setd(c, "%s %s (file deleted or replaced since it was mapped)", what, obj);
	} else {
		set(c, k);
		setd(c, "%s %s%s", what, obj, guessed ? " (from perms: ELF headers unreadable)" : "");
	}
}
