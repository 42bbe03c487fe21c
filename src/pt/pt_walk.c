// SPDX-License-Identifier: MIT
/*
 * Range visits: the recursive visitor that walk, dirty tracking, destroy and
 * map's "is this table empty?" check share, and the public walks built on
 * it (ims_pt_walk, ims_pt_read_and_clear_dirty).
 *
 * A visit goes through the slots of [iova, last] at one level: empty slots
 * are skipped, tables are entered with the part of the range they cover,
 * and a contiguous leaf is reported once, from the slot where it starts,
 * even when the range begins inside it.  Speed matters less here than in
 * map, unmap and lookup, so every leaf is decoded through pt_leaf_decode().
 */
#include <errno.h>

#include "pt_engine.h"
#include "util/err.h"

static int visit_leaf(struct pt_visit *v, void *table, size_t *slot, unsigned int level,
		      uint64_t *cur, uint64_t e)
{
	struct pt_visit_leaf at = { .table = table, .level = level, .e = e };
	int ret = 0;

	pt_leaf_decode(v->pt, level, e, &at.leaf);
	at.slot = *slot & ~(((size_t)1 << at.leaf.slots_lg2) - 1);
	at.iova = *cur & ~((1ull << at.leaf.size_lg2) - 1);
	if (v->leaf)
		ret = v->leaf(v, &at);
	*slot = at.slot + ((size_t)1 << at.leaf.slots_lg2);
	*cur = at.iova + (1ull << at.leaf.size_lg2);
	return ret;
}

static int visit_child(struct pt_visit *v, void *table, size_t slot, unsigned int level,
		       uint64_t cur, uint64_t last, uint64_t e)
{
	void *child = pt_table_of(v->pt, e);
	uint64_t item_last = pt_item_last(v->pt, level, cur);
	int ret;

	ret = pt_visit_range(v, child, level - 1, cur, IMS_MIN(last, item_last));
	if (!ret && v->table_done)
		ret = v->table_done(v, table, slot, child, level - 1);
	return ret;
}

int pt_visit_range(struct pt_visit *v, void *table, unsigned int level, uint64_t iova,
		   uint64_t last)
{
	const struct ims_pt *pt = v->pt;
	size_t slot = pt_index(pt, level, iova), end = pt_index(pt, level, last);
	uint64_t cur = iova;
	int ret = 0;

	if (!level && !v->leaf)
		return 0; /* only tables are wanted, and level 0 holds none */
	while (slot <= end && !ret) {
		uint64_t e = pt_load(pt, table, slot);

		if (pt_present(pt, level, e) && !pt_is_table(pt, level, e)) {
			ret = visit_leaf(v, table, &slot, level, &cur, e);
			continue;
		}
		if (pt_present(pt, level, e))
			ret = visit_child(v, table, slot, level, cur, last, e);
		cur = pt_item_last(pt, level, cur) + 1;
		slot++;
	}
	return ret;
}

/* Check a range for the public walks: 0, -EINVAL (size 0) or -ERANGE. */
static int walk_range(const struct ims_pt *pt, uint64_t iova, uint64_t size, uint64_t *last)
{
	if (!size)
		return -EINVAL;
	if (__builtin_add_overflow(iova, size - 1, last) || *last > pt->max_iova)
		return -ERANGE;
	return 0;
}

struct pt_walk_visit {
	struct pt_visit v;
	ims_pt_leaf_fn fn;
	void *arg;
};

static int walk_leaf(struct pt_visit *v, const struct pt_visit_leaf *at)
{
	struct pt_walk_visit *w = ims_container_of(v, struct pt_walk_visit, v);

	return w->fn(w->arg, at->iova, at->leaf.pa, 1ull << at->leaf.size_lg2,
		     v->pt->fmt->leaf_prot(v->pt, at->e, at->level), at->level);
}

IMS_EXPORT int ims_pt_walk(const struct ims_pt *pt, uint64_t iova, uint64_t size,
			   ims_pt_leaf_fn fn, void *arg)
{
	struct pt_walk_visit w = {
		/* The visit only reads; pt_visit is shared with writers. */
		.v = { .pt = (struct ims_pt *)pt, .leaf = walk_leaf },
		.fn = fn,
		.arg = arg,
	};
	uint64_t last;
	int ret = walk_range(pt, iova, size, &last);

	if (ret)
		return ret;
	return pt_visit_range(&w.v, pt->root, pt->top, iova, last);
}

struct pt_dirty_visit {
	struct pt_visit v;
	unsigned int flags;
	ims_pt_dirty_fn fn;
	void *arg;
};

/* A contiguous leaf is dirty when any of its slots is (hardware marks the one it used). */
static int dirty_leaf(struct pt_visit *v, const struct pt_visit_leaf *at)
{
	struct pt_dirty_visit *d = ims_container_of(v, struct pt_dirty_visit, v);
	size_t slots = (size_t)1 << at->leaf.slots_lg2;
	const struct ims_pt *pt = v->pt;
	bool dirty = false;

	for (size_t i = 0; i < slots && !dirty; i++)
		dirty = pt_leaf_dirty(pt, pt_load(pt, at->table, at->slot + i));
	if (!dirty)
		return 0;
	d->fn(d->arg, at->iova, 1ull << at->leaf.size_lg2);
	if (!(d->flags & IMS_PT_DIRTY_NO_CLEAR))
		for (size_t i = 0; i < slots; i++)
			pt_mark_clean(pt, at->table, at->slot + i);
	return 0;
}

IMS_EXPORT int ims_pt_read_and_clear_dirty(struct ims_pt *pt, uint64_t iova, uint64_t size,
					   unsigned int flags, ims_pt_dirty_fn fn, void *arg)
{
	struct pt_dirty_visit d = {
		.v = { .pt = pt, .leaf = dirty_leaf },
		.flags = flags,
		.fn = fn,
		.arg = arg,
	};
	uint64_t last;
	int ret;

	if (!pt->dirty_bit)
		return -EOPNOTSUPP;
	ret = walk_range(pt, iova, size, &last);
	if (ret)
		return ret;
	return pt_visit_range(&d.v, pt->root, pt->top, iova, last);
}
