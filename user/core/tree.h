/* SPDX-License-Identifier: GPL-2.0 */
/* tree.h - the shadow's regions in an AVL tree keyed by start: O(log n)
 * lookups and changes, O(1) amortised in-order walks. Regions never
 * overlap, so their ends are ordered like their starts. User-only. */
#ifndef MAPTRACE_TREE_H
#define MAPTRACE_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "core/region.h"

struct mt_tree_node {
	struct mt_region r; /* first member: a region pointer is a node pointer */
	struct mt_tree_node *left, *right, *parent;
	int height;         /* leaf = 1 */
};

struct mt_tree {
	struct mt_tree_node *root;
	size_t count;
};

/* Insert nd; the caller guarantees it overlaps nothing. */
void mt_tree_link(struct mt_tree *t, struct mt_tree_node *nd);
/* Remove nd by relinking (never by copying a neighbour's data into it), so
 * node pointers a caller holds across the removal stay valid. */
void mt_tree_unlink(struct mt_tree *t, struct mt_tree_node *nd);
/* The first node of n's subtree, and n's in-order successor (NULL: none). */
struct mt_tree_node *mt_tree_first(struct mt_tree_node *n);
struct mt_tree_node *mt_tree_next(const struct mt_tree_node *n);
/* The first node with end > addr. */
struct mt_tree_node *mt_tree_lower_bound(const struct mt_tree *t, uint64_t addr);
/* A perfectly balanced tree (a valid AVL tree) of nodes, n of them in
 * address order; its root. */
struct mt_tree_node *mt_tree_build(struct mt_tree_node **nodes, size_t n);
/* The tree's height when it is a valid AVL tree (parents, balance,
 * heights), else -1. */
int mt_tree_check(const struct mt_tree *t);

#endif /* MAPTRACE_TREE_H */
