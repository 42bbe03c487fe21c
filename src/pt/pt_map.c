// SPDX-License-Identifier: MIT
/*
 * ims_pt_map(): install @count leaves of one size.
 *
 * The run is written table by table: descend from the root to the table of
 * the leaf level that holds the next leaf (allocating missing tables on the
 * way), then write as many leaves as fit in that table.  Descending once per
 * table, not per leaf, keeps the per-leaf work to the loop in
 * write_singles(): a load to see the slot is empty, a store, an add.
 *
 * Semantics (kernel-semantics 2.8, io-pgtable-arm and generic_pt):
 *   - bad arguments are rejected before anything changes: -EINVAL for a
 *     size not in the bitmap, misalignment, count 0, no READ/WRITE;
 *     -ERANGE for an IOVA beyond IAS or a PA beyond OAS;
 *   - a present leaf in the way stops the run with -EEXIST (io-pgtable-arm's
 *     errno; generic_pt says EADDRINUSE), and so does a table in the way
 *     that still holds leaves;
 *   - a table in the way that holds no leaf is replaced by the new leaf, as
 *     generic_pt does; its pages go through the table's sync callback;
 *   - *mapped is the bytes of the leaves written, also on error: leaves are
 *     written whole (every slot of a contiguous leaf, or none) and in order,
 *     so [iova, iova + *mapped) is mapped and nothing after it.
 */
#include <errno.h>

#include "pt_engine.h"
#include "util/err.h"
#include "util/log.h"

struct pt_map {
	struct ims_pt *pt;
	uint64_t iova, pa;      /* the next leaf to write */
	size_t left;            /* leaves still to write */
	unsigned int size_lg2;
	unsigned int level;     /* the level that holds leaves of this size */
	uint64_t bits;          /* leaf attributes (leaf_bits hook) */
	uint64_t delta;         /* descriptor difference between consecutive leaves */
	size_t mapped;          /* bytes written */
	struct ims_pt_gather freed; /* empty tables that leaves replaced */
};

static int map_prepare(struct pt_map *m, size_t pgsize, size_t count, int prot)
{
	struct ims_pt *pt = m->pt;
	uint64_t last, pa_last;
	int ret;

	if (!(prot & (IMS_PROT_READ | IMS_PROT_WRITE)) || (pgsize & (pgsize - 1)) ||
	    !(pgsize & pt->cfg.pgsize_bitmap) || ((m->iova | m->pa) & (pgsize - 1)))
		return -EINVAL;
	ret = pt_check_iova_range(pt, m->iova, pgsize, count, &last);
	if (ret)
		return ret;
	if (__builtin_add_overflow(m->pa, last - m->iova, &pa_last) || pa_last > pt->max_pa)
		return -ERANGE;
	ret = pt->fmt->leaf_bits(pt, prot, &m->bits);
	if (ret)
		return ret;
	m->size_lg2 = __builtin_ctzll(pgsize);
	m->level = pt->size_level[m->size_lg2];
	m->delta = pt_shift(pgsize, pt->pa_shift);
	return 0;
}

static void *map_new_table(struct ims_pt *pt, void *parent, size_t slot, unsigned int level,
			   int *err)
{
	void *table = pt_table_alloc(pt, level - 1);
	uint64_t e;

	if (!table) {
		*err = -ENOMEM;
		return NULL;
	}
	e = pt->fmt->make_table(pt, table, level);
	if (ims_unlikely(pt_table_of(pt, e) != table)) {
		/* The descriptor cannot hold this address: the pool is wrong for the format. */
		ims_dbg(IMS_LOG_PT, "table %p does not fit a level-%u descriptor", table, level);
		pt_drop_table(pt, table, NULL);
		*err = -ENOMEM;
		return NULL;
	}
	pt_store_release(pt, parent, slot, e);
	return table;
}

/* The table of the leaf level that holds m->iova, built as needed; NULL and *err. */
static void *map_descend(struct pt_map *m, int *err)
{
	struct ims_pt *pt = m->pt;
	void *table = pt->root;

	for (unsigned int level = pt->top; level > m->level; level--) {
		size_t slot = pt_index(pt, level, m->iova);
		uint64_t e = pt_load(pt, table, slot);

		if (!pt_present(pt, level, e)) {
			table = map_new_table(pt, table, slot, level, err);
		} else if (pt_is_table(pt, level, e)) {
			table = pt_table_of(pt, e);
		} else {
			*err = -EEXIST;
			return NULL;
		}
		if (!table)
			return NULL;
	}
	return table;
}

static int find_leaf(struct pt_visit *v, const struct pt_visit_leaf *at)
{
	return 1;
}

static bool subtree_has_leaf(struct ims_pt *pt, void *table, unsigned int level)
{
	struct pt_visit v = { .pt = pt, .leaf = find_leaf };
	unsigned int span_lg2 = pt->lvl[level].shift + pt->lvl[level].index_bits;

	return pt_visit_range(&v, table, level, 0,
			      span_lg2 >= 64 ? UINT64_MAX : (1ull << span_lg2) - 1) != 0;
}

/*
 * A slot that is not plain empty where a leaf goes (@iova is the slot's
 * item): 0 once it is free, -EEXIST when it holds a leaf or a table with
 * leaves.
 */
static int clear_in_way(struct pt_map *m, void *table, size_t slot, uint64_t iova)
{
	struct ims_pt *pt = m->pt;
	uint64_t e = pt_load(pt, table, slot);
	void *child;

	if (!pt_present(pt, m->level, e))
		return 0;
	if (!pt_is_table(pt, m->level, e))
		return -EEXIST;
	child = pt_table_of(pt, e);
	if (subtree_has_leaf(pt, child, m->level - 1))
		return -EEXIST;
	pt_store(pt, table, slot, pt->lvl[m->level].empty);
	pt_drop_subtree(pt, child, m->level - 1, &m->freed);
	pt_gather_add_range(&m->freed, iova, pt_item_last(pt, m->level, iova));
	return 0;
}

/*
 * The bulk loop: single-slot leaves with linear encodings, in tables of
 * 8-byte (@entry_lg2 3) or 4-byte entries.  Leaves written.  Inlined with
 * a constant @entry_lg2, so each width gets its own tight loop.
 */
static inline __attribute__((always_inline)) size_t
write_singles(struct pt_map *m, void *table, size_t slot, size_t n, uint64_t e, int *err,
	      unsigned int entry_lg2)
{
	uint64_t *p64 = (uint64_t *)table + slot, delta = m->delta;
	uint64_t empty = m->pt->lvl[m->level].empty;
	uint32_t *p32 = (uint32_t *)table + slot;
	size_t k;

	for (k = 0; k < n; k++) {
		uint64_t old = entry_lg2 == 3 ? __atomic_load_n(p64 + k, __ATOMIC_RELAXED) :
						__atomic_load_n(p32 + k, __ATOMIC_RELAXED);

		if (ims_unlikely(old != empty) &&
		    (*err = clear_in_way(m, table, slot + k, m->iova + ((uint64_t)k << m->size_lg2))))
			break;
		if (entry_lg2 == 3)
			__atomic_store_n(p64 + k, e, __ATOMIC_RELAXED);
		else
			__atomic_store_n(p32 + k, (uint32_t)e, __ATOMIC_RELAXED);
		e += delta;
	}
	return k;
}

/* Every other case: contiguous leaves, non-linear encodings. */
static size_t write_leaves(struct pt_map *m, void *table, size_t slot, size_t n, uint64_t e,
			   int *err)
{
	struct ims_pt *pt = m->pt;
	unsigned int item_lg2 = pt->lvl[m->level].shift;
	size_t slots = (size_t)1 << (m->size_lg2 - item_lg2);
	uint64_t empty = pt->lvl[m->level].empty;
	size_t k;

	for (k = 0; k < n; k++, slot += slots, e += m->delta) {
		uint64_t iova = m->iova + ((uint64_t)k << m->size_lg2);

		if (!pt->fmt->pa_linear)
			e = pt->fmt->make_leaf(pt, m->pa + ((uint64_t)k << m->size_lg2), m->level,
					       m->size_lg2, m->bits);
		for (size_t j = 0; j < slots; j++)
			if (pt_load(pt, table, slot + j) != empty &&
			    (*err = clear_in_way(m, table, slot + j, iova + ((uint64_t)j << item_lg2))))
				return k;
		for (size_t j = 0; j < slots; j++)
			pt_store(pt, table, slot + j, e);
	}
	return k;
}

/* Write the leaves of the run that fall in @table; 0 or the error that stopped it. */
static int map_leaves(struct pt_map *m, void *table)
{
	struct ims_pt *pt = m->pt;
	const struct pt_level *lvl = &pt->lvl[m->level];
	unsigned int slots_lg2 = m->size_lg2 - lvl->shift;
	size_t slot = pt_index(pt, m->level, m->iova);
	size_t room = (((size_t)1 << lvl->index_bits) - slot) >> slots_lg2;
	size_t n = IMS_MIN(room, m->left), done;
	uint64_t e = pt->fmt->make_leaf(pt, m->pa, m->level, m->size_lg2, m->bits);
	int ret = 0;

	if (!slots_lg2 && pt->fmt->pa_linear && pt->entry_lg2 == 3)
		done = write_singles(m, table, slot, n, e, &ret, 3);
	else if (!slots_lg2 && pt->fmt->pa_linear)
		done = write_singles(m, table, slot, n, e, &ret, 2);
	else
		done = write_leaves(m, table, slot, n, e, &ret);
	m->iova += (uint64_t)done << m->size_lg2;
	m->pa += (uint64_t)done << m->size_lg2;
	m->left -= done;
	m->mapped += done << m->size_lg2;
	return ret;
}

/*
 * One leaf into an existing table whose slots for it are empty (the
 * DMA-API pattern): no allocation, nothing in the way.  false sends the
 * call down the full path.
 */
static bool map_one_fast(struct pt_map *m)
{
	struct ims_pt *pt = m->pt;
	size_t slots = (size_t)1 << (m->size_lg2 - pt->lvl[m->level].shift);
	struct pt_found at;
	uint64_t *slot, e;

	if (!pt->fast64 || m->left != 1)
		return false;
	if (pt_find64(pt, m->iova, m->level, &at) || at.level != m->level)
		return false;
	slot = (uint64_t *)at.table + at.slot;
	for (size_t j = 1; j < slots; j++)
		if (__atomic_load_n(slot + j, __ATOMIC_RELAXED))
			return false;
	e = pt->fmt->make_leaf(pt, m->pa, m->level, m->size_lg2, m->bits);
	for (size_t j = 0; j < slots; j++)
		__atomic_store_n(slot + j, e, __ATOMIC_RELAXED);
	m->left = 0;
	m->mapped = (size_t)1 << m->size_lg2;
	return true;
}

/* Tables that leaves replaced: the caller's sync, then release. */
static void map_release_replaced(struct pt_map *m)
{
	if (!m->freed.freelist)
		return;
	if (m->pt->sync_fn)
		m->pt->sync_fn(m->pt->sync_arg, &m->freed);
	ims_pt_gather_sync(&m->freed);
}

IMS_EXPORT int ims_pt_map(struct ims_pt *pt, uint64_t iova, uint64_t pa, size_t pgsize,
			  size_t count, int prot, size_t *mapped)
{
	struct pt_map m = { .pt = pt, .iova = iova, .pa = pa, .left = count };
	int ret;

	*mapped = 0;
	ret = map_prepare(&m, pgsize, count, prot);
	if (ret)
		return ret;
	if (map_one_fast(&m)) {
		*mapped = m.mapped;
		return 0;
	}
	ims_pt_gather_init(&m.freed);
	while (m.left && !ret) {
		void *table = map_descend(&m, &ret);

		if (table)
			ret = map_leaves(&m, table);
	}
	map_release_replaced(&m);
	*mapped = m.mapped;
	if (ret)
		ims_dbg(IMS_LOG_PT, "map %#llx+%zu x %zu: %d after %zu bytes",
			(unsigned long long)iova, pgsize, count, ret, m.mapped);
	return ret;
}
