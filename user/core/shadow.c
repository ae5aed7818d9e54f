// SPDX-License-Identifier: GPL-2.0
/* shadow.c - the shadow of one address space (see core/shadow.h).
 *
 * Regions live in an AVL tree keyed by start (tree.c), with parent pointers
 * so the in-order successor (mt_shadow_next) needs no stack: O(log n) worst
 * case, amortised O(1) over a whole walk. Regions never overlap, so their
 * ends are ordered like their starts and lower_bound can search on end.
 *
 * Every change is built from three primitives: split_at() cuts the region
 * holding an address in two (as __split_vma in mm/vma.c does), link_node()
 * and unlink_node() add or remove whole regions. map = unmap + link,
 * unmap = split both edges + unlink, protect/set_flags = split both edges +
 * edit what lies between, mremap = copy pieces + unmap + map.
 *
 * An operation first reserves every node it can need and interns its name,
 * so nothing allocates once the tree is being changed: -ENOMEM leaves the
 * shadow exactly as it was.
 *
 * Names are immutable refcounted strings interned in a per-shadow
 * open-addressing table that counts the regions using each (names.c).
 * The parts of a split region share one string, and clone() shares the
 * strings with its parent, building only its own table. Refcounts are
 * atomic so shadows cloned from one another may live on different threads.
 *
 * Adjacent regions that look alike are never merged: whether the kernel
 * merges (vma_merge: same flags, file, anon_vma, policy, ...) cannot be known
 * from the syscall alone, so mapdiff counts boundary-only differences apart.
 */
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "core/tree.h"
#include "core/shadow.h"

#define PERM_RWX (MT_PERM_READ | MT_PERM_WRITE | MT_PERM_EXEC)
#define SPARE_MAX 16 /* freed nodes kept for the next operation */

#define node mt_tree_node

struct mt_shadow {
	struct mt_tree tree;
	uint64_t bytes;
	uint64_t anon_bytes;     /* of regions for which mt_region_is_anon() */
	struct node *spare;      /* reserved nodes, chained through ->right */
	size_t nspare;
	struct mt_names names;   /* the strings its regions are named by */
};

bool mt_region_is_anon(const struct mt_region *r)
{
	const char *n = r->name;

	if (mt_region_has_file(r) || (r->flags & MT_RF_IDENT_UNKNOWN))
		return false;
	/* kernel-provided special mappings are not the process's memory */
	return !n || n[0] != '[' || !strcmp(n, "[heap]") || !strcmp(n, "[stack]") ||
	       !strncmp(n, "[anon:", 6);
}

/* Add (or take away) len bytes of r to the totals. */
static void account(struct mt_shadow *s, const struct mt_region *r, uint64_t len, bool add)
{
	uint64_t anon = mt_region_is_anon(r) ? len : 0;

	if (add) {
		s->bytes += len;
		s->anon_bytes += anon;
	} else {
		s->bytes -= len;
		s->anon_bytes -= anon;
	}
}

/* ---- the tree ------------------------------------------------------- */

/* Insert nd (it overlaps nothing) and count its bytes. */
static void link_node(struct mt_shadow *s, struct node *nd)
{
	mt_tree_link(&s->tree, nd);
	account(s, &nd->r, nd->r.end - nd->r.start, true);
}

/* Remove nd (node pointers held across it stay valid) and uncount it. */
static void unlink_node(struct mt_shadow *s, struct node *nd)
{
	mt_tree_unlink(&s->tree, nd);
	account(s, &nd->r, nd->r.end - nd->r.start, false);
}

/* ---- nodes ---------------------------------------------------------- */

/* Make sure n nodes can be taken without allocating. */
static int reserve(struct mt_shadow *s, size_t n)
{
	while (s->nspare < n) {
		struct node *nd = malloc(sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		nd->right = s->spare;
		s->spare = nd;
		s->nspare++;
	}
	return 0;
}

static struct node *node_take(struct mt_shadow *s)
{
	struct node *nd = s->spare;

	assert(nd);
	s->spare = nd->right;
	s->nspare--;
	nd->right = NULL; /* a chain of one when used as a piece */
	return nd;
}

/* Release an unlinked node and its name use. */
static void node_drop(struct mt_shadow *s, struct node *nd)
{
	mt_names_put(&s->names, nd->r.name);
	if (s->nspare < SPARE_MAX) {
		nd->right = s->spare;
		s->spare = nd;
		s->nspare++;
	} else {
		free(nd);
	}
}

static void free_subtree(struct mt_shadow *s, struct node *n)
{
	if (!n)
		return;
	free_subtree(s, n->left);
	free_subtree(s, n->right);
	mt_names_put(&s->names, n->r.name);
	free(n);
}

/* ---- region editing ------------------------------------------------- */

static bool aligned(uint64_t v)
{
	return !(v & (MT_PAGE_SIZE - 1));
}

/* Non-empty, page aligned and not wrapping around. */
static bool range_ok(uint64_t start, uint64_t end)
{
	return start < end && aligned(start) && aligned(end);
}

static bool file_backed(const struct mt_region *r)
{
	/* an unknown identity may be a file: keep its offsets consistent */
	return mt_region_has_file(r) || (r->flags & MT_RF_IDENT_UNKNOWN);
}

/* File offset of the page at addr (addr may lie past r->end: "offset
 * continuing"). vm_pgoff advances with the address in a file mapping
 * (__split_vma: new->vm_pgoff += pages); maps shows anonymous offsets
 * unchanged, so an anonymous region keeps its own offset throughout. */
static uint64_t offset_at(const struct mt_region *r, uint64_t addr)
{
	return file_backed(r) ? r->offset + (addr - r->start) : r->offset;
}

/* Cut the region holding addr, if addr is strictly inside it, into
 * [start, addr) and [addr, end). Takes one reserved node. */
static void split_at(struct mt_shadow *s, uint64_t addr)
{
	struct node *left = mt_tree_lower_bound(&s->tree, addr), *right;

	if (!left || left->r.start >= addr)
		return;
	right = node_take(s);
	right->r = left->r;
	right->r.start = addr;
	right->r.offset = offset_at(&left->r, addr);
	mt_names_get(&s->names, right->r.name);
	account(s, &left->r, left->r.end - addr, false); /* link_node adds it back */
	left->r.end = addr;
	link_node(s, right);
}

/* Remove [start, end). Takes up to two reserved nodes. */
static void unmap_range(struct mt_shadow *s, uint64_t start, uint64_t end)
{
	struct node *nd;

	split_at(s, start);
	split_at(s, end);
	nd = mt_tree_lower_bound(&s->tree, start);
	while (nd && nd->r.start < end) {
		struct node *next = mt_tree_next(nd);

		unlink_node(s, nd);
		node_drop(s, nd);
		nd = next;
	}
}

typedef void (*edit_fn)(struct mt_region *r, uint32_t a, uint32_t b);

/* Apply fn to every mapped page of [start, end), splitting at the edges.
 * Returns the mapped bytes of the range. Takes up to two reserved nodes. */
static uint64_t edit_range(struct mt_shadow *s, uint64_t start, uint64_t end,
			   edit_fn fn, uint32_t a, uint32_t b)
{
	uint64_t mapped = 0;

	split_at(s, start);
	split_at(s, end);
	for (struct node *nd = mt_tree_lower_bound(&s->tree, start);
	     nd && nd->r.start < end; nd = mt_tree_next(nd)) {
		fn(&nd->r, a, b);
		mapped += nd->r.end - nd->r.start;
	}
	return mapped;
}

static void edit_perms(struct mt_region *r, uint32_t rwx, uint32_t unused)
{
	(void)unused;
	/* mprotect cannot turn a private mapping shared or back */
	r->perms = (r->perms & ~(uint32_t)PERM_RWX) | (rwx & PERM_RWX);
}

static void edit_flags(struct mt_region *r, uint32_t set, uint32_t clear)
{
	r->flags = (r->flags & ~clear) | set;
}

/* Mapped bytes of [start, end); *regions gets how many regions overlap. */
static uint64_t covered(const struct mt_shadow *s, uint64_t start, uint64_t end,
			size_t *regions)
{
	uint64_t bytes = 0;

	*regions = 0;
	for (struct node *nd = mt_tree_lower_bound(&s->tree, start);
	     nd && nd->r.start < end; nd = mt_tree_next(nd)) {
		uint64_t a = nd->r.start > start ? nd->r.start : start;
		uint64_t b = nd->r.end < end ? nd->r.end : end;

		bytes += b - a;
		(*regions)++;
	}
	return bytes;
}

/* A detached node copying src's attributes for [dst_start, dst_end), whose
 * first page is the page at src_addr of src. Takes one reserved node. */
static struct node *make_piece(struct mt_shadow *s, const struct mt_region *src,
			       uint64_t src_addr, uint64_t dst_start,
			       uint64_t dst_end, const struct mt_origin *origin)
{
	struct node *nd = node_take(s);

	nd->r = *src;
	nd->r.start = dst_start;
	nd->r.end = dst_end;
	nd->r.offset = offset_at(src, src_addr);
	nd->r.origin = *origin;
	mt_names_get(&s->names, nd->r.name);
	return nd;
}

/* MAP_FIXED-style placement of a chain of pieces (linked by ->right, in
 * address order) covering [start, end). Takes up to two reserved nodes. */
static void place_pieces(struct mt_shadow *s, struct node *chain,
			 uint64_t start, uint64_t end)
{
	unmap_range(s, start, end);
	while (chain) {
		struct node *next = chain->right;

		link_node(s, chain);
		chain = next;
	}
}

/* ---- public API ----------------------------------------------------- */

struct mt_shadow *mt_shadow_new(void)
{
	return calloc(1, sizeof(struct mt_shadow));
}

void mt_shadow_clear(struct mt_shadow *s)
{
	free_subtree(s, s->tree.root);
	s->tree.root = NULL;
	s->tree.count = 0;
	s->bytes = 0;
	s->anon_bytes = 0;
}

void mt_shadow_free(struct mt_shadow *s)
{
	if (!s)
		return;
	mt_shadow_clear(s);
	while (s->spare) {
		struct node *nd = s->spare;

		s->spare = nd->right;
		free(nd);
	}
	mt_names_free(&s->names);
	free(s);
}

size_t mt_shadow_count(const struct mt_shadow *s)
{
	return s->tree.count;
}

uint64_t mt_shadow_bytes(const struct mt_shadow *s)
{
	return s->bytes;
}

uint64_t mt_shadow_count_merged(const struct mt_shadow *s)
{
	const struct mt_region *prev = NULL;
	uint64_t n = 0;

	for (const struct mt_region *r = mt_shadow_lower_bound(s, 0); r; prev = r, r = mt_shadow_next(s, r)) {
		bool same = prev && prev->end == r->start && prev->perms == r->perms &&
			    prev->dev == r->dev && prev->inode == r->inode &&
			    (!mt_region_has_file(r) || prev->offset + (prev->end - prev->start) == r->offset) &&
			    (prev->name == r->name || (prev->name && r->name && !strcmp(prev->name, r->name)));
		if (!same)
			n++;
	}
	return n;
}

uint64_t mt_shadow_anon_bytes(const struct mt_shadow *s)
{
	return s->anon_bytes;
}

struct mt_shadow *mt_shadow_clone(const struct mt_shadow *s, bool honour_dontcopy)
{
	struct mt_shadow *c = mt_shadow_new();
	struct node **nodes = NULL;
	size_t n = 0;

	if (!c)
		return NULL;
	if (s->tree.count && !(nodes = malloc(s->tree.count * sizeof(*nodes))))
		goto fail;
	for (struct node *nd = mt_tree_first(s->tree.root); nd; nd = mt_tree_next(nd)) {
		struct node *copy;

		/* dup_mmap() skips VM_DONTCOPY vmas */
		if (honour_dontcopy && (nd->r.flags & MT_RF_DONTCOPY))
			continue;
		if (!(copy = malloc(sizeof(*copy))))
			goto fail;
		copy->r = nd->r;
		if (mt_names_adopt(&c->names, copy->r.name) < 0) {
			free(copy);
			goto fail;
		}
		nodes[n++] = copy;
		account(c, &copy->r, copy->r.end - copy->r.start, true);
	}
	c->tree.root = mt_tree_build(nodes, n);
	c->tree.count = n;
	free(nodes);
	return c;
fail:
	for (size_t i = 0; i < n; i++) {
		mt_names_put(&c->names, nodes[i]->r.name);
		free(nodes[i]);
	}
	free(nodes);
	c->bytes = 0;
	c->anon_bytes = 0;
	mt_shadow_free(c);
	return NULL;
}

int mt_shadow_map(struct mt_shadow *s, const struct mt_region *r)
{
	const char *name = NULL;
	struct node *nd;

	if (!range_ok(r->start, r->end))
		return -EINVAL;
	if (reserve(s, 3) < 0)
		return -ENOMEM;
	/* intern before unmapping: r->name may be a string of this shadow */
	if (r->name && !(name = mt_names_intern(&s->names, r->name)))
		return -ENOMEM;
	nd = node_take(s);
	nd->r = *r;
	nd->r.name = name;
	place_pieces(s, nd, r->start, r->end);
	return 0;
}

int mt_shadow_unmap(struct mt_shadow *s, uint64_t start, uint64_t end)
{
	if (!range_ok(start, end))
		return -EINVAL;
	if (reserve(s, 2) < 0)
		return -ENOMEM;
	unmap_range(s, start, end);
	return 0;
}

int mt_shadow_protect(struct mt_shadow *s, uint64_t start, uint64_t end,
		      uint32_t rwx, uint64_t *hole_bytes)
{
	uint64_t mapped;

	if (!range_ok(start, end))
		return -EINVAL;
	if (reserve(s, 2) < 0)
		return -ENOMEM;
	mapped = edit_range(s, start, end, edit_perms, rwx, 0);
	if (hole_bytes)
		*hole_bytes = (end - start) - mapped;
	return 0;
}

int mt_shadow_set_flags(struct mt_shadow *s, uint64_t start, uint64_t end,
			uint32_t set, uint32_t clear)
{
	if (!range_ok(start, end))
		return -EINVAL;
	if (reserve(s, 2) < 0)
		return -ENOMEM;
	edit_range(s, start, end, edit_flags, set, clear);
	return 0;
}

/* In place (mm/mremap.c: shrink does do_vmi_munmap of the tail; grow
 * expands the vma holding the old range, vma_expand). The grown pages are a
 * region of their own so they can carry the mremap's origin. */
static int remap_in_place(struct mt_shadow *s, uint64_t addr, uint64_t old_len,
			  uint64_t new_len, const struct mt_origin *origin)
{
	const struct mt_region *last;

	if (new_len < old_len) {
		if (reserve(s, 2) < 0)
			return -ENOMEM;
		unmap_range(s, addr + new_len, addr + old_len);
		return 0;
	}
	if (new_len == old_len)
		return 0;
	if (reserve(s, 3) < 0)
		return -ENOMEM;
	last = &mt_tree_lower_bound(&s->tree, addr + old_len - 1)->r;
	place_pieces(s, make_piece(s, last, addr + old_len, addr + old_len,
				   addr + new_len, origin),
		     addr + old_len, addr + new_len);
	return 0;
}

/* Moved (move_vma + MREMAP_FIXED's do_munmap of the target): copy the
 * pieces first, so source and target may even overlap, then unmap the
 * source unless kept, then place the copies. */
static int remap_move(struct mt_shadow *s, uint64_t old_addr, uint64_t old_len,
		      uint64_t new_addr, uint64_t new_len, bool keep_old,
		      size_t src_regions, const struct mt_origin *origin)
{
	uint64_t copy_end = old_addr + (new_len < old_len ? new_len : old_len);
	struct node *chain = NULL, **tail = &chain;
	const struct node *last = NULL;

	/* pieces, one growth piece, two splits for each of two unmaps */
	if (reserve(s, src_regions + 1 + 4) < 0)
		return -ENOMEM;
	for (const struct node *nd = mt_tree_lower_bound(&s->tree, old_addr);
	     nd && nd->r.start < copy_end; nd = mt_tree_next(nd)) {
		uint64_t a = nd->r.start > old_addr ? nd->r.start : old_addr;
		uint64_t b = nd->r.end < copy_end ? nd->r.end : copy_end;

		*tail = make_piece(s, &nd->r, a, new_addr + (a - old_addr),
				   new_addr + (b - old_addr), origin);
		tail = &(*tail)->right;
		last = nd;
	}
	if (new_len > old_len)
		*tail = make_piece(s, &last->r, old_addr + old_len,
				   new_addr + old_len, new_addr + new_len, origin);
	if (!keep_old)
		unmap_range(s, old_addr, old_addr + old_len);
	place_pieces(s, chain, new_addr, new_addr + new_len);
	return 0;
}

int mt_shadow_remap(struct mt_shadow *s, uint64_t old_addr, uint64_t old_len,
		    uint64_t new_addr, uint64_t new_len, bool keep_old,
		    const struct mt_origin *origin)
{
	static const struct mt_origin none;
	size_t src_regions;

	/* old_len == 0 duplicates new_len bytes of a shared mapping and
	 * leaves the source in place (mm/mremap.c, "old_len == 0") */
	if (!old_len) {
		old_len = new_len;
		keep_old = true;
	}
	if (!range_ok(old_addr, old_addr + old_len) ||
	    !range_ok(new_addr, new_addr + new_len))
		return -EINVAL;
	/* the kernel needs one vma covering the whole old range (else
	 * EFAULT); a hole here means the shadow lost track: change nothing */
	if (covered(s, old_addr, old_addr + old_len, &src_regions) != old_len)
		return -ENOENT;
	if (!origin)
		origin = &none;
	if (new_addr == old_addr)
		return remap_in_place(s, old_addr, old_len, new_len, origin);
	return remap_move(s, old_addr, old_len, new_addr, new_len, keep_old,
			  src_regions, origin);
}

const struct mt_region *mt_shadow_find(const struct mt_shadow *s, uint64_t addr)
{
	const struct node *n = mt_tree_lower_bound(&s->tree, addr);

	return n && n->r.start <= addr ? &n->r : NULL;
}

const struct mt_region *mt_shadow_lower_bound(const struct mt_shadow *s, uint64_t addr)
{
	const struct node *n = mt_tree_lower_bound(&s->tree, addr);

	return n ? &n->r : NULL;
}

const struct mt_region *mt_shadow_next(const struct mt_shadow *s,
				       const struct mt_region *r)
{
	const struct node *n = mt_tree_next((const struct node *)r);

	(void)s; /* parent pointers: the tree itself is not needed */
	return n ? &n->r : NULL;
}

bool mt_shadow_check(const struct mt_shadow *s)
{
	size_t count = 0, named = 0;
	uint64_t bytes = 0, anon = 0, prev_end = 0;

	if (mt_tree_check(&s->tree) < 0)
		return false;
	for (const struct node *n = mt_tree_first(s->tree.root); n; n = mt_tree_next(n)) {
		if (!range_ok(n->r.start, n->r.end) || n->r.start < prev_end)
			return false;
		if (n->r.name) {
			if (!mt_names_has(&s->names, n->r.name))
				return false;
			named++;
		}
		prev_end = n->r.end;
		bytes += n->r.end - n->r.start;
		if (mt_region_is_anon(&n->r))
			anon += n->r.end - n->r.start;
		count++;
	}
	if (count != s->tree.count || bytes != s->bytes || anon != s->anon_bytes)
		return false;
	return mt_names_check(&s->names, named);
}
