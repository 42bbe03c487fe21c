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
 *  - on removal, the path from the lowest structurally changed node up is
 *    recomputed before rebalancing, as far as values change.
 */
#include "itree.h"

#include <errno.h>

/* The parent pointer's low bit is the node's colour (nodes are 8-aligned). */
#define ITREE_RED ((uintptr_t)1)

static struct ims_itree_node *parent_of(const struct ims_itree_node *n)
{
	return (struct ims_itree_node *)(n->parent_red & ~ITREE_RED);
}

static void set_parent(struct ims_itree_node *n, struct ims_itree_node *parent)
{
	n->parent_red = (uintptr_t)parent | (n->parent_red & ITREE_RED);
}

static bool is_red(const struct ims_itree_node *n)
{
	return n && (n->parent_red & ITREE_RED);
}

static void set_red(struct ims_itree_node *n, bool red)
{
	n->parent_red = (n->parent_red & ~ITREE_RED) | (red ? ITREE_RED : 0);
}

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
		set_parent(y->left, x);
	set_parent(y, parent_of(x));
	replace_child(t, parent_of(x), x, y);
	y->left = x;
	set_parent(x, y);
	recompute(x);
	recompute(y);
}

static void rotate_right(struct ims_itree *t, struct ims_itree_node *x)
{
	struct ims_itree_node *y = x->left;

	x->left = y->right;
	if (y->right)
		set_parent(y->right, x);
	set_parent(y, parent_of(x));
	replace_child(t, parent_of(x), x, y);
	y->right = x;
	set_parent(x, y);
	recompute(x);
	recompute(y);
}

static void insert_fixup(struct ims_itree *t, struct ims_itree_node *z)
{
	while (is_red(parent_of(z))) {
		struct ims_itree_node *p = parent_of(z), *g = parent_of(p);
		bool left = p == g->left;
		struct ims_itree_node *u = left ? g->right : g->left;

		if (is_red(u)) {
			set_red(p, false);
			set_red(u, false);
			set_red(g, true);
			z = g;
			continue;
		}
		if (z == (left ? p->right : p->left)) {
			z = p;
			left ? rotate_left(t, z) : rotate_right(t, z);
			p = parent_of(z);
		}
		set_red(p, false);
		set_red(g, true);
		left ? rotate_right(t, g) : rotate_left(t, g);
	}
	set_red(t->root, false);
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
	node->parent_red = (uintptr_t)parent | ITREE_RED;
	node->left = node->right = NULL;
	node->subtree_last = node->last;
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

/*
 * Recompute from @n to the root after a removal.  Every node up to @moved
 * (the node that took the removed one's place, or NULL) lost something
 * below it; above that, the walk stops at the first unchanged value.
 */
static void propagate(struct ims_itree_node *n, const struct ims_itree_node *moved)
{
	for (; n; n = parent_of(n)) {
		uint64_t before = n->subtree_last;

		recompute(n);
		if (n == moved)
			moved = NULL;
		else if (!moved && n->subtree_last == before)
			return;
	}
}

/* One side of the deletion fixup; @left says whether x is a left child. */
static struct ims_itree_node *remove_fixup_step(struct ims_itree *t,
						struct ims_itree_node *parent,
						bool left)
{
	struct ims_itree_node *w = left ? parent->right : parent->left;

	if (is_red(w)) {
		set_red(w, false);
		set_red(parent, true);
		left ? rotate_left(t, parent) : rotate_right(t, parent);
		w = left ? parent->right : parent->left;
	}
	if (!is_red(w->left) && !is_red(w->right)) {
		set_red(w, true);
		return parent; /* move the double black up */
	}
	if (!is_red(left ? w->right : w->left)) {
		set_red(left ? w->left : w->right, false);
		set_red(w, true);
		left ? rotate_right(t, w) : rotate_left(t, w);
		w = left ? parent->right : parent->left;
	}
	set_red(w, is_red(parent));
	set_red(parent, false);
	if (left ? w->right : w->left)
		set_red(left ? w->right : w->left, false);
	left ? rotate_left(t, parent) : rotate_right(t, parent);
	return t->root;
}

static void remove_fixup(struct ims_itree *t, struct ims_itree_node *x,
			 struct ims_itree_node *parent)
{
	while (x != t->root && !is_red(x)) {
		x = remove_fixup_step(t, parent, x == parent->left);
		parent = parent_of(x);
	}
	if (x)
		set_red(x, false);
}

void ims_itree_remove(struct ims_itree *t, struct ims_itree_node *z)
{
	struct ims_itree_node *y = (z->left && z->right) ? leftmost(z->right) : z;
	struct ims_itree_node *x = y->left ? y->left : y->right;
	struct ims_itree_node *xparent = parent_of(y);
	bool removed_red = is_red(y);

	if (x)
		set_parent(x, parent_of(y));
	replace_child(t, parent_of(y), y, x);
	if (y != z) {
		if (xparent == z)
			xparent = y;
		y->left = z->left;
		y->right = z->right;
		y->parent_red = z->parent_red;
		if (y->left)
			set_parent(y->left, y);
		if (y->right)
			set_parent(y->right, y);
		replace_child(t, parent_of(z), z, y);
	}
	propagate(xparent, y != z ? y : NULL);
	t->count--;
	if (!removed_red)
		remove_fixup(t, x, xparent);
	z->parent_red = 0;
	z->left = z->right = NULL;
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
			n = parent_of(n);
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
	while (parent_of(n) && parent_of(n)->right == n)
		n = parent_of(n);
	return parent_of(n);
}

struct ims_itree_node *ims_itree_prev(const struct ims_itree_node *node)
{
	const struct ims_itree_node *n = node;

	if (n->left)
		return rightmost(n->left);
	while (parent_of(n) && parent_of(n)->left == n)
		n = parent_of(n);
	return parent_of(n);
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
	if ((n->left && (parent_of(n->left) != n || n->left->start > n->start)) ||
	    (n->right && (parent_of(n->right) != n || n->right->start < n->start)))
		return -EINVAL;
	if (is_red(n) && (is_red(n->left) || is_red(n->right)))
		return -EINVAL;
	if (validate_node(n->left, &lh) || validate_node(n->right, &rh) || lh != rh)
		return -EINVAL;
	if (n->subtree_last != max3(n->last, subtree_last_of(n->left),
					     subtree_last_of(n->right)))
		return -EINVAL;
	*black_height = lh + !is_red(n);
	return 0;
}

int ims_itree_validate(const struct ims_itree *t)
{
	int bh;

	if (is_red(t->root) || (t->root && parent_of(t->root)))
		return -EINVAL;
	return validate_node(t->root, &bh);
}
