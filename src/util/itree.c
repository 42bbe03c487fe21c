// SPDX-License-Identifier: MIT
/*
 * Augmented red-black interval tree (see itree.h).
 *
 * The red-black rules are the textbook ones (CLRS ch. 13) with parent
 * pointers and NULL leaves.  The augmentation is kept by three rules:
 *  - on insert, every node on the descent path raises its subtree_last to
 *    the new node's last before the node is linked;
 *  - a rotation recomputes the two rotated nodes, lower one first (the set
 *    below the upper one is unchanged, so nothing above needs touching);
 *  - on removal, the path from the lowest structurally changed node to the
 *    root is recomputed before rebalancing.
 */
#include "itree.h"

#include <errno.h>

static uint64_t subtree_last_of(const struct ims_itree_node *n)
{
	return n ? n->subtree_last : 0;
}

static void recompute(struct ims_itree_node *n)
{
	uint64_t m = n->last;

	if (n->left && n->left->subtree_last > m)
		m = n->left->subtree_last;
	if (n->right && n->right->subtree_last > m)
		m = n->right->subtree_last;
	n->subtree_last = m;
}

static void replace_child(struct ims_itree *t, struct ims_itree_node *parent,
			  struct ims_itree_node *old, struct ims_itree_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static void rotate_left(struct ims_itree *t, struct ims_itree_node *x)
{
	struct ims_itree_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	recompute(x);
	recompute(y);
}

static void rotate_right(struct ims_itree *t, struct ims_itree_node *x)
{
	struct ims_itree_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	recompute(x);
	recompute(y);
}

static bool is_red(const struct ims_itree_node *n)
{
	return n && n->red;
}

static void insert_fixup(struct ims_itree *t, struct ims_itree_node *z)
{
	while (is_red(z->parent)) {
		struct ims_itree_node *p = z->parent, *g = p->parent;
		bool left = p == g->left;
		struct ims_itree_node *u = left ? g->right : g->left;

		if (is_red(u)) {
			p->red = u->red = false;
			g->red = true;
			z = g;
			continue;
		}
		if (z == (left ? p->right : p->left)) {
			z = p;
			left ? rotate_left(t, z) : rotate_right(t, z);
			p = z->parent;
		}
		p->red = false;
		g->red = true;
		left ? rotate_right(t, g) : rotate_left(t, g);
	}
	t->root->red = false;
}

void ims_itree_insert(struct ims_itree *t, struct ims_itree_node *node)
{
	struct ims_itree_node **link = &t->root, *parent = NULL;

	while (*link) {
		parent = *link;
		if (parent->subtree_last < node->last)
			parent->subtree_last = node->last;
		link = node->start < parent->start ? &parent->left : &parent->right;
	}
	node->parent = parent;
	node->left = node->right = NULL;
	node->subtree_last = node->last;
	node->red = true;
	*link = node;
	t->count++;
	insert_fixup(t, node);
}

static struct ims_itree_node *leftmost(struct ims_itree_node *n)
{
	while (n && n->left)
		n = n->left;
	return n;
}

static struct ims_itree_node *rightmost(struct ims_itree_node *n)
{
	while (n && n->right)
		n = n->right;
	return n;
}

static void propagate(struct ims_itree_node *n)
{
	for (; n; n = n->parent)
		recompute(n);
}

/* One side of the deletion fixup; @left says whether x is a left child. */
static struct ims_itree_node *remove_fixup_step(struct ims_itree *t,
						struct ims_itree_node *parent,
						bool left)
{
	struct ims_itree_node *w = left ? parent->right : parent->left;

	if (is_red(w)) {
		w->red = false;
		parent->red = true;
		left ? rotate_left(t, parent) : rotate_right(t, parent);
		w = left ? parent->right : parent->left;
	}
	if (!is_red(w->left) && !is_red(w->right)) {
		w->red = true;
		return parent; /* move the double black up */
	}
	if (!is_red(left ? w->right : w->left)) {
		(left ? w->left : w->right)->red = false;
		w->red = true;
		left ? rotate_right(t, w) : rotate_left(t, w);
		w = left ? parent->right : parent->left;
	}
	w->red = parent->red;
	parent->red = false;
	if (left ? w->right : w->left)
		(left ? w->right : w->left)->red = false;
	left ? rotate_left(t, parent) : rotate_right(t, parent);
	return t->root;
}

static void remove_fixup(struct ims_itree *t, struct ims_itree_node *x,
			 struct ims_itree_node *parent)
{
	while (x != t->root && !is_red(x)) {
		x = remove_fixup_step(t, parent, x == parent->left);
		parent = x->parent;
	}
	if (x)
		x->red = false;
}

void ims_itree_remove(struct ims_itree *t, struct ims_itree_node *z)
{
	struct ims_itree_node *y = (z->left && z->right) ? leftmost(z->right) : z;
	struct ims_itree_node *x = y->left ? y->left : y->right;
	struct ims_itree_node *xparent = y->parent;
	bool removed_red = y->red;

	if (x)
		x->parent = y->parent;
	replace_child(t, y->parent, y, x);
	if (y != z) {
		if (xparent == z)
			xparent = y;
		y->left = z->left;
		y->right = z->right;
		y->parent = z->parent;
		y->red = z->red;
		if (y->left)
			y->left->parent = y;
		if (y->right)
			y->right->parent = y;
		replace_child(t, z->parent, z, y);
	}
	propagate(xparent);
	t->count--;
	if (!removed_red)
		remove_fixup(t, x, xparent);
	z->parent = z->left = z->right = NULL;
}

/* Leftmost node of the subtree at @n overlapping [start, last]. */
static struct ims_itree_node *subtree_search(struct ims_itree_node *n,
					     uint64_t start, uint64_t last)
{
	for (;;) {
		if (n->left && n->left->subtree_last >= start) {
			n = n->left;
			continue;
		}
		if (n->start > last)
			return NULL;
		if (n->last >= start)
			return n;
		if (!n->right || n->right->subtree_last < start)
			return NULL;
		n = n->right;
	}
}

struct ims_itree_node *ims_itree_iter_first(const struct ims_itree *t,
					    uint64_t start, uint64_t last)
{
	if (!t->root || t->root->subtree_last < start)
		return NULL;
	return subtree_search(t->root, start, last);
}

struct ims_itree_node *ims_itree_iter_next(const struct ims_itree_node *node,
					   uint64_t start, uint64_t last)
{
	struct ims_itree_node *n = (struct ims_itree_node *)node;
	struct ims_itree_node *right = n->right;

	for (;;) {
		struct ims_itree_node *prev;

		if (right && right->subtree_last >= start)
			return subtree_search(right, start, last);
		/* Climb until we arrive from a left child. */
		do {
			prev = n;
			n = n->parent;
			if (!n)
				return NULL;
		} while (n->right == prev);
		right = n->right;
		if (n->start > last)
			return NULL;
		if (n->last >= start)
			return n;
	}
}

struct ims_itree_node *ims_itree_first(const struct ims_itree *t)
{
	return leftmost(t->root);
}

struct ims_itree_node *ims_itree_last(const struct ims_itree *t)
{
	return rightmost(t->root);
}

struct ims_itree_node *ims_itree_next(const struct ims_itree_node *node)
{
	const struct ims_itree_node *n = node;

	if (n->right)
		return leftmost(n->right);
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

struct ims_itree_node *ims_itree_prev(const struct ims_itree_node *node)
{
	const struct ims_itree_node *n = node;

	if (n->left)
		return rightmost(n->left);
	while (n->parent && n->parent->left == n)
		n = n->parent;
	return n->parent;
}

static void span_set(struct ims_itree_span *span, uint64_t start, uint64_t last,
		     bool hole)
{
	span->start = start;
	span->last = last;
	span->is_hole = hole;
	span->done = false;
	if (last >= span->last_query)
		span->at_end = true;
	else
		span->next_start = last + 1;
}

void ims_itree_span_next(struct ims_itree_span *span)
{
	uint64_t pos = span->next_start, lq = span->last_query, run_last;
	struct ims_itree_node *n, *m;

	if (span->at_end) {
		span->done = true;
		return;
	}
	n = ims_itree_iter_first(span->tree, pos, lq);
	if (!n) {
		span_set(span, pos, lq, true);
		return;
	}
	if (n->start > pos) {
		span_set(span, pos, n->start - 1, true);
		return;
	}
	run_last = n->last;
	for (m = ims_itree_iter_next(n, pos, lq); m; m = ims_itree_iter_next(m, pos, lq)) {
		if (run_last != UINT64_MAX && m->start > run_last + 1)
			break;
		if (m->last > run_last)
			run_last = m->last;
	}
	span_set(span, pos, run_last < lq ? run_last : lq, false);
}

void ims_itree_span_first(struct ims_itree_span *span, const struct ims_itree *t,
			  uint64_t start, uint64_t last)
{
	span->tree = t;
	span->last_query = last;
	span->next_start = start;
	span->at_end = start > last;
	span->done = false;
	ims_itree_span_next(span);
}

static uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;

	return m > c ? m : c;
}

static int validate_node(const struct ims_itree_node *n, int *black_height)
{
	int lh = 0, rh = 0;

	if (!n) {
		*black_height = 1;
		return 0;
	}
	if (n->start > n->last)
		return -EINVAL;
	if ((n->left && (n->left->parent != n || n->left->start > n->start)) ||
	    (n->right && (n->right->parent != n || n->right->start < n->start)))
		return -EINVAL;
	if (n->red && (is_red(n->left) || is_red(n->right)))
		return -EINVAL;
	if (validate_node(n->left, &lh) || validate_node(n->right, &rh) || lh != rh)
		return -EINVAL;
	if (n->subtree_last != max3(n->last, subtree_last_of(n->left),
					     subtree_last_of(n->right)))
		return -EINVAL;
	*black_height = lh + !n->red;
	return 0;
}

int ims_itree_validate(const struct ims_itree *t)
{
	int bh;

	if (is_red(t->root) || (t->root && t->root->parent))
		return -EINVAL;
	return validate_node(t->root, &bh);
}
