// SPDX-License-Identifier: MIT
/*
 * ims_pt_unmap() and the gather.
 *
 * Semantics (kernel-semantics 2.8; generic_pt's unmap_pages, which AMD v1,
 * x86-64 and VT-d second stage use in current kernels):
 *   - the result is the bytes unmapped from @iova on; the walk stops at the
 *     first slot with nothing mapped (a hole);
 *   - a leaf larger than the request that starts where the request starts
 *     is removed whole, so the result may exceed the request; a request
 *     that starts inside a leaf unmaps nothing there and stops (generic_pt
 *     answers the same: the IOMMU API does not split large pages);
 *   - formats with a split hook (ARM LPAE, as io-pgtable-arm until v6.13)
 *     instead replace a leaf that the request covers only in part by a
 *     table of the next level's leaves with the same attributes, and go
 *     on inside it: the result never exceeds the request.  A split that
 *     cannot allocate its table stops the unmap there;
 *   - a table is freed when the request covered all of its IOVA span and
 *     everything in it was unmapped (the kernel's "fully covered" rule, also
 *     VT-d's old dma_pte_clear_level); tables that merely became empty stay
 *     until a later unmap covers them, a large map replaces them, or destroy;
 *   - freed tables go onto the gather and are released by
 *     ims_pt_gather_sync(), after the caller's IOTLB invalidation.  The
 *     gather's range is what was removed: [iova, iova + result - 1].
 *
 * The inner loop unmap_singles() clears runs of single leaves (8- or
 * 4-byte entries) with one load and one store each; everything else takes
 * unmap_leaf().
 */
#include <errno.h>

#include "pt_engine.h"
#include "util/err.h"

struct pt_unmap {
	struct ims_pt *pt;
	uint64_t unmapped;         /* bytes removed from the request's start on */
	unsigned int max_lg2;      /* largest leaf removed */
	bool stopped;              /* met a hole or the inside of a leaf, or a split failed */
	struct ims_pt_gather *freed;
};

static void unmap_range(struct pt_unmap *u, void *table, unsigned int level, uint64_t iova,
			uint64_t last);

/*
 * Clear the single leaves of a table from @slot on; how many.  Inlined with
 * a constant @entry_lg2 (8- or 4-byte entries) for a tight loop per width.
 */
static inline __attribute__((always_inline)) size_t
unmap_singles(const struct ims_pt *pt, void *table, size_t slot, size_t end, unsigned int level,
	      unsigned int entry_lg2)
{
	uint64_t empty = pt->lvl[level].empty;
	uint64_t *t64 = table;
	uint32_t *t32 = table;
	size_t i;

	for (i = slot; i <= end; i++) {
		uint64_t e = entry_lg2 == 3 ? __atomic_load_n(t64 + i, __ATOMIC_RELAXED) :
					      __atomic_load_n(t32 + i, __ATOMIC_RELAXED);

		if (!pt_is_single_leaf(pt, level, e))
			break;
		if (entry_lg2 == 3)
			__atomic_store_n(t64 + i, empty, __ATOMIC_RELAXED);
		else
			__atomic_store_n(t32 + i, (uint32_t)empty, __ATOMIC_RELAXED);
	}
	return i - slot;
}

/* Remove the leaf @e at *slot whole, unless @cur is inside it; false to stop. */
static bool unmap_leaf(struct pt_unmap *u, void *table, size_t *slot, unsigned int level,
		       uint64_t *cur, uint64_t e)
{
	struct pt_leaf leaf;
	size_t slots;

	pt_leaf_decode(u->pt, level, e, &leaf);
	if (*cur & ((1ull << leaf.size_lg2) - 1))
		return false;
	slots = (size_t)1 << leaf.slots_lg2;
	for (size_t j = 0; j < slots; j++)
		pt_store(u->pt, table, *slot + j, u->pt->lvl[level].empty);
	u->unmapped += 1ull << leaf.size_lg2;
	u->max_lg2 = IMS_MAX(u->max_lg2, leaf.size_lg2);
	*slot += slots;
	*cur += 1ull << leaf.size_lg2;
	return true;
}

/* Does the request [@cur, @last] cover the whole single leaf at @level that @cur is in? */
static bool leaf_covered(const struct ims_pt *pt, unsigned int level, uint64_t cur, uint64_t last)
{
	return !(cur & (pt_item_size(pt, level) - 1)) && pt_item_last(pt, level, cur) <= last;
}

/*
 * The split hook's work: replace the single leaf @e at @slot of @table (of
 * @level) by a table of level - 1 whose leaves map the same addresses with
 * the same attributes.  false when the table cannot be allocated.
 */
static bool split_leaf(struct pt_unmap *u, void *table, size_t slot, unsigned int level,
		       uint64_t e)
{
	struct ims_pt *pt = u->pt;
	unsigned int child = level - 1, item_lg2 = pt->lvl[child].shift;
	size_t n = (size_t)1 << pt->lvl[child].index_bits;
	uint64_t attrs = pt->fmt->leaf_attrs(pt, e, level), desc;
	struct pt_leaf leaf;
	void *split;

	pt_leaf_decode(pt, level, e, &leaf);
	split = pt_table_alloc(pt, child);
	if (!split)
		return false;
	desc = pt->fmt->make_table(pt, split, level);
	if (pt_table_of(pt, desc) != split) {
		pt_drop_table(pt, split, NULL);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		pt_store(pt, split, i, pt->fmt->make_leaf(pt, leaf.pa + ((uint64_t)i << item_lg2),
							  child, item_lg2, attrs));
	pt_store_release(pt, table, slot, desc);
	return true;
}

/* Unmap inside the table @e points at; free it when the request covered it all.  false to stop. */
static bool unmap_child(struct pt_unmap *u, void *table, size_t slot, unsigned int level,
			uint64_t cur, uint64_t last, uint64_t e)
{
	struct ims_pt *pt = u->pt;
	void *child = pt_table_of(pt, e);
	uint64_t item_last = pt_item_last(pt, level, cur);
	uint64_t sub_last = IMS_MIN(last, item_last);
	bool whole = !(cur & (pt_item_size(pt, level) - 1)) && sub_last == item_last;

	unmap_range(u, child, level - 1, cur, sub_last);
	if (u->stopped)
		return false;
	if (whole) {
		pt_store(pt, table, slot, pt->lvl[level].empty);
		pt_drop_table(pt, child, u->freed);
	}
	return true;
}

static void unmap_range(struct pt_unmap *u, void *table, unsigned int level, uint64_t iova,
			uint64_t last)
{
	const struct ims_pt *pt = u->pt;
	size_t slot = pt_index(pt, level, iova), end = pt_index(pt, level, last);
	bool splits = pt->fmt->leaf_attrs;
	/* Splitting formats leave a last item the request only begins to the split path. */
	bool last_partial = splits && pt_item_last(pt, level, last) != last;
	size_t run_end = last_partial ? end - 1 : end; /* where unmap_singles() may go */
	uint64_t cur = iova;

	while (slot <= end) {
		uint64_t e = pt_load(pt, table, slot);
		size_t n;

		if (!pt_present(pt, level, e))
			break;
		if (pt_is_table(pt, level, e)) {
			if (!unmap_child(u, table, slot, level, cur, last, e))
				return;
			cur = pt_item_last(pt, level, cur) + 1;
			slot++;
			continue;
		}
		if (splits && !leaf_covered(pt, level, cur, last)) {
			if (!split_leaf(u, table, slot, level, e))
				break;
			continue; /* the slot now holds a table */
		}
		if (!(cur & (pt_item_size(pt, level) - 1)) && (slot < end || !last_partial) &&
		    (n = pt->entry_lg2 == 3 ? unmap_singles(pt, table, slot, run_end, level, 3) :
					      unmap_singles(pt, table, slot, run_end, level, 2))) {
			slot += n;
			cur += (uint64_t)n << pt->lvl[level].shift;
			u->unmapped += (uint64_t)n << pt->lvl[level].shift;
			u->max_lg2 = IMS_MAX(u->max_lg2, pt->lvl[level].shift);
			continue;
		}
		if (!unmap_leaf(u, table, &slot, level, &cur, e))
			break;
	}
	if (slot <= end)
		u->stopped = true;
}

/*
 * A request of one @size_lg2 that finds, through existing tables, a leaf
 * at least that large starting at @iova (exactly that large for formats
 * that split): the leaf goes whole.  Such a request can free no table: it
 * lies inside the leaf.
 */
static bool unmap_one_fast(struct pt_unmap *u, uint64_t iova, unsigned int size_lg2)
{
	const struct ims_pt *pt = u->pt;
	unsigned int leaf_lg2;
	struct pt_found at;
	uint64_t e, *slot;

	if (!pt->fast64)
		return false;
	e = pt_find64(pt, iova, pt->size_level[size_lg2], &at);
	if (!pt_present(pt, at.level, e) || pt_is_table(pt, at.level, e))
		return false;
	leaf_lg2 = pt_leaf_size_lg2(pt, at.level, e);
	if (leaf_lg2 < size_lg2 || (iova & ((1ull << leaf_lg2) - 1)) ||
	    (pt->fmt->leaf_attrs && leaf_lg2 != size_lg2))
		return false;
	slot = (uint64_t *)at.table + at.slot;
	for (size_t j = 0; j < (size_t)1 << (leaf_lg2 - pt->lvl[at.level].shift); j++)
		__atomic_store_n(slot + j, 0, __ATOMIC_RELAXED);
	u->unmapped = 1ull << leaf_lg2;
	u->max_lg2 = leaf_lg2;
	return true;
}

IMS_EXPORT size_t ims_pt_unmap(struct ims_pt *pt, uint64_t iova, size_t pgsize, size_t count,
			       struct ims_pt_gather *gather)
{
	struct ims_pt_gather now;
	struct pt_unmap u = { .pt = pt, .freed = gather ? gather : &now };
	uint64_t last;

	if ((pgsize & (pgsize - 1)) || !(pgsize & pt->cfg.pgsize_bitmap) || (iova & (pgsize - 1)) ||
	    pt_check_iova_range(pt, iova, pgsize, count, &last))
		return 0;
	ims_pt_gather_init(&now);
	if (count != 1 || !unmap_one_fast(&u, iova, __builtin_ctzll(pgsize)))
		unmap_range(&u, pt->root, pt->top, iova, last);
	if (u.unmapped) {
		pt_gather_add_range(u.freed, iova, iova + (u.unmapped - 1));
		u.freed->pgsize = IMS_MAX(u.freed->pgsize, (size_t)1 << u.max_lg2);
	}
	if (!gather)
		ims_pt_gather_sync(&now);
	return u.unmapped;
}

void pt_gather_add_range(struct ims_pt_gather *g, uint64_t start, uint64_t last)
{
	g->start = IMS_MIN(g->start, start);
	g->last = IMS_MAX(g->last, last);
}

IMS_EXPORT void ims_pt_gather_sync(struct ims_pt_gather *g)
{
	pt_pages_free_list(g->freelist);
	ims_pt_gather_init(g);
}
