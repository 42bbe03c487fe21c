/* SPDX-License-Identifier: MIT */
/*
 * Interval tree: a red-black tree of closed intervals [start, last], ordered
 * by start, each node augmented with the largest @last in its subtree.
 *
 * Glossary: @last is inclusive (the last byte), never an exclusive end, so a
 * range that ends at UINT64_MAX is representable; "overlaps [s, l]" means
 * node.start <= l && s <= node.last.  Intervals may overlap each other (the
 * reserved-region set does); sets that never overlap (DMA mappings, IOAS
 * areas) use the same tree.
 *
 * Intrusive: embed struct ims_itree_node in the object.  Not thread-safe; the
 * owner's lock protects the tree.  Insert and remove are O(log n); finding
 * the first overlap is O(log n) and each further one O(log n) amortised.
 *
 * Written here rather than taken from libbsd's <sys/tree.h>: its augmentation
 * hook is not run along the insertion path, so a subtree maximum would need
 * a second walk on every insert, and the overlap search still has to be
 * written by hand on top.
 */
#ifndef IMS_UTIL_ITREE_H
#define IMS_UTIL_ITREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ims_itree_node {
	uintptr_t parent_red;  /* the parent's address; bit 0: red (private) */
	struct ims_itree_node *left, *right;
	uint64_t start, last;
	uint64_t subtree_last; /* max @last below and including this node */
};

struct ims_itree {
	struct ims_itree_node *root;
	size_t count;
};

#define IMS_ITREE_INIT { NULL, 0 }

static inline void ims_itree_init(struct ims_itree *t)
{
	t->root = NULL;
	t->count = 0;
}

static inline bool ims_itree_empty(const struct ims_itree *t)
{
	return !t->root;
}

/* @node->start and @node->last must be set; start <= last. */
void ims_itree_insert(struct ims_itree *t, struct ims_itree_node *node);
void ims_itree_remove(struct ims_itree *t, struct ims_itree_node *node);

/* Lowest-start node overlapping [start, last], or NULL. */
struct ims_itree_node *ims_itree_iter_first(const struct ims_itree *t,
					    uint64_t start, uint64_t last);
/* Next node (in start order) after @node overlapping [start, last]. */
struct ims_itree_node *ims_itree_iter_next(const struct ims_itree_node *node,
					   uint64_t start, uint64_t last);

/* In-order traversal of every node. */
struct ims_itree_node *ims_itree_first(const struct ims_itree *t);
struct ims_itree_node *ims_itree_last(const struct ims_itree *t);
struct ims_itree_node *ims_itree_next(const struct ims_itree_node *node);
struct ims_itree_node *ims_itree_prev(const struct ims_itree_node *node);

#define ims_itree_for_each_overlap(t, n, s, l)                       \
	for ((n) = ims_itree_iter_first((t), (s), (l)); (n);         \
	     (n) = ims_itree_iter_next((n), (s), (l)))

/*
 * Span iteration over [start, last]: yields maximal runs that are covered by
 * at least one node ("used") or by none ("hole"), in order, like the
 * kernel's interval_tree_span_iter.  Usage:
 *
 *	struct ims_itree_span span;
 *	for (ims_itree_span_first(&span, t, start, last); !span.done;
 *	     ims_itree_span_next(&span))
 *		if (span.is_hole) ... span.start .. span.last ...
 */
struct ims_itree_span {
	const struct ims_itree *tree;
	uint64_t start, last;      /* current span */
	bool is_hole;
	bool done;
	uint64_t last_query;       /* end of the whole iteration */
	uint64_t next_start;       /* where the next span begins */
	bool at_end;
};

void ims_itree_span_first(struct ims_itree_span *span, const struct ims_itree *t,
			  uint64_t start, uint64_t last);
void ims_itree_span_next(struct ims_itree_span *span);

/* Debug check of every invariant; 0 or -EINVAL (used by the unit tests). */
int ims_itree_validate(const struct ims_itree *t);

#endif
