// SPDX-License-Identifier: GPL-2.0
/* tree.c - an AVL tree of regions keyed by start (tree.h), with parent
 * pointers so that the in-order successor needs no stack. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tree.h"

#define node mt_tree_node

static int height(const struct node *n)
{
	return n ? n->height : 0;
}

static void fix_height(struct node *n)
{
	int l = height(n->left), r = height(n->right);

	n->height = 1 + (l > r ? l : r);
}

static void replace_child(struct mt_tree *t, struct node *parent,
			  struct node *old, struct node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

/* Rotate x down to the left (its right child takes its place) or, !left,
 * to the right: one function for both mirrors. */
static struct node *rotate(struct mt_tree *t, struct node *x, bool left)
{
	struct node **x_child = left ? &x->right : &x->left, *y = *x_child;
	struct node **y_child = left ? &y->left : &y->right;

	*x_child = *y_child;
	if (*x_child)
		(*x_child)->parent = x;
	replace_child(t, x->parent, x, y);
	*y_child = x;
	x->parent = y;
	fix_height(x);
	fix_height(y);
	return y;
}

/* Restore heights and balance from n up to the root: O(log n). */
static void retrace(struct mt_tree *t, struct node *n)
{
	while (n) {
		int bf;

		fix_height(n);
		bf = height(n->left) - height(n->right);
		if (bf > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate(t, n->left, true);
			n = rotate(t, n, false);
		} else if (bf < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate(t, n->right, false);
			n = rotate(t, n, true);
		}
		n = n->parent;
	}
}

struct node *mt_tree_first(struct node *n)
{
	while (n && n->left)
		n = n->left;
	return n;
}

struct node *mt_tree_next(const struct node *n)
{
	if (n->right)
		return mt_tree_first(n->right);
	while (n->parent && n == n->parent->right)
		n = n->parent;
	return n->parent;
}

struct node *mt_tree_lower_bound(const struct mt_tree *t, uint64_t addr)
{
	struct node *n = t->root, *best = NULL;

	while (n) {
		if (n->r.end > addr) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

void mt_tree_link(struct mt_tree *t, struct node *nd)
{
	struct node **link = &t->root, *parent = NULL;

	while (*link) {
		parent = *link;
		link = nd->r.start < parent->r.start ? &parent->left : &parent->right;
	}
	nd->left = nd->right = NULL;
	nd->parent = parent;
	nd->height = 1;
	*link = nd;
	retrace(t, parent);
	t->count++;
}

void mt_tree_unlink(struct mt_tree *t, struct node *nd)
{
	struct node *fix;

	if (!nd->left || !nd->right) {
		fix = nd->parent;
		replace_child(t, nd->parent, nd, nd->left ? nd->left : nd->right);
	} else {
		struct node *succ = mt_tree_first(nd->right);

		if (succ->parent == nd) {
			fix = succ;
		} else {
			fix = succ->parent;
			fix->left = succ->right;
			if (succ->right)
				succ->right->parent = fix;
			succ->right = nd->right;
			nd->right->parent = succ;
		}
		succ->left = nd->left;
		nd->left->parent = succ;
		replace_child(t, nd->parent, nd, succ);
		succ->height = nd->height;
	}
	retrace(t, fix);
	t->count--;
}

/* Height of a valid subtree, or -1. */
static int check_subtree(const struct node *n, const struct node *parent)
{
	int l, r;

	if (!n)
		return 0;
	if (n->parent != parent)
		return -1;
	l = check_subtree(n->left, n);
	r = check_subtree(n->right, n);
	if (l < 0 || r < 0 || l - r > 1 || r - l > 1)
		return -1;
	return n->height == 1 + (l > r ? l : r) ? n->height : -1;
}

int mt_tree_check(const struct mt_tree *t)
{
	return check_subtree(t->root, NULL);
}

/* Perfectly balanced subtree of nodes[lo, hi): a valid AVL tree. */
static struct node *build_balanced(struct node **nodes, size_t lo, size_t hi,
				   struct node *parent)
{
	size_t mid;
	struct node *n;

	if (lo >= hi)
		return NULL;
	mid = lo + (hi - lo) / 2;
	n = nodes[mid];
	n->parent = parent;
	n->left = build_balanced(nodes, lo, mid, n);
	n->right = build_balanced(nodes, mid + 1, hi, n);
	fix_height(n);
	return n;
}

struct node *mt_tree_build(struct node **nodes, size_t n)
{
	return build_balanced(nodes, 0, n, NULL);
}
