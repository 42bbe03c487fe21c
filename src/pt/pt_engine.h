/* SPDX-License-Identifier: MIT */
/*
 * Engine internals shared by pt_table.c, pt_map.c, pt_unmap.c, pt_lookup.c
 * and pt_walk.c: entry access and classification through the masks of
 * struct ims_pt (pt_format.h), table allocation with per-table accounting,
 * and the range visitor.  Nothing here is seen by a format.
 */
#ifndef IMS_PT_ENGINE_H
#define IMS_PT_ENGINE_H

#include "pt_format.h"
#include "pt_pages.h"

/* Entries: 64-bit or 32-bit words, read and written with relaxed atomics. */
static inline uint64_t pt_load(const struct ims_pt *pt, const void *table, size_t slot)
{
	if (pt->entry_lg2 == 3)
		return __atomic_load_n((const uint64_t *)table + slot, __ATOMIC_RELAXED);
	return __atomic_load_n((const uint32_t *)table + slot, __ATOMIC_RELAXED);
}

static inline void pt_store(const struct ims_pt *pt, void *table, size_t slot, uint64_t e)
{
	if (pt->entry_lg2 == 3)
		__atomic_store_n((uint64_t *)table + slot, e, __ATOMIC_RELAXED);
	else
		__atomic_store_n((uint32_t *)table + slot, (uint32_t)e, __ATOMIC_RELAXED);
}

/* Publish a table pointer after the table's zeroes. */
static inline void pt_store_release(const struct ims_pt *pt, void *table, size_t slot, uint64_t e)
{
	if (pt->entry_lg2 == 3)
		__atomic_store_n((uint64_t *)table + slot, e, __ATOMIC_RELEASE);
	else
		__atomic_store_n((uint32_t *)table + slot, (uint32_t)e, __ATOMIC_RELEASE);
}

/* Hardware-style atomic updates of status bits (dirty) in place. */
static inline void pt_set_bits(const struct ims_pt *pt, void *table, size_t slot, uint64_t bits)
{
	if (pt->entry_lg2 == 3)
		__atomic_fetch_or((uint64_t *)table + slot, bits, __ATOMIC_RELAXED);
	else
		__atomic_fetch_or((uint32_t *)table + slot, (uint32_t)bits, __ATOMIC_RELAXED);
}

static inline void pt_clear_bits(const struct ims_pt *pt, void *table, size_t slot, uint64_t bits)
{
	if (pt->entry_lg2 == 3)
		__atomic_fetch_and((uint64_t *)table + slot, ~bits, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and((uint32_t *)table + slot, ~(uint32_t)bits, __ATOMIC_RELAXED);
}

/*
 * The hardware dirty state of a present leaf (pt->dirty_bit != 0): set or
 * clear as the format says (pt->dirty_inverted), changed atomically.
 */
static inline bool pt_leaf_dirty(const struct ims_pt *pt, uint64_t e)
{
	return pt->dirty_inverted ? !(e & pt->dirty_bit) : (e & pt->dirty_bit) != 0;
}

static inline void pt_mark_dirty(const struct ims_pt *pt, void *table, size_t slot)
{
	if (pt->dirty_inverted)
		pt_clear_bits(pt, table, slot, pt->dirty_bit);
	else
		pt_set_bits(pt, table, slot, pt->dirty_bit);
}

static inline void pt_mark_clean(const struct ims_pt *pt, void *table, size_t slot)
{
	if (pt->dirty_inverted)
		pt_set_bits(pt, table, slot, pt->dirty_bit);
	else
		pt_clear_bits(pt, table, slot, pt->dirty_bit);
}

static inline uint64_t pt_shift(uint64_t v, int lshift)
{
	return lshift >= 0 ? v << lshift : v >> -lshift;
}

/*
 * An address field back to the address, without a branch: rotating right
 * by @s (mod 64) undoes a left shift by @s of a field whose low bits are
 * clear (AMD's 2 KiB variant) and a right shift by -@s of one whose top
 * bits are clear (RISC-V's PPN, DART2), which every format's masks ensure.
 */
static inline uint64_t pt_unshift(uint64_t field, int s)
{
	unsigned int r = (unsigned int)s & 63;

	return (field >> r) | (field << ((64 - r) & 63));
}

static inline size_t pt_index(const struct ims_pt *pt, unsigned int level, uint64_t iova)
{
	return (iova >> pt->lvl[level].shift) & pt->lvl[level].index_mask;
}

static inline uint64_t pt_item_size(const struct ims_pt *pt, unsigned int level)
{
	return 1ull << pt->lvl[level].shift;
}

/* A slot of @level holding @e is in use (see struct pt_level's empty). */
static inline bool pt_present(const struct ims_pt *pt, unsigned int level, uint64_t e)
{
	return (e ^ pt->lvl[level].empty) & pt->present_mask;
}

/* A present entry at @level points at a table. */
static inline bool pt_is_table(const struct ims_pt *pt, unsigned int level, uint64_t e)
{
	return (e & pt->lvl[level].table_mask) == pt->lvl[level].table_match;
}

static inline void *pt_table_of(const struct ims_pt *pt, uint64_t e)
{
	return (void *)(uintptr_t)pt_shift(e & pt->table_addr_mask, -pt->table_shift);
}

/* The size of a present leaf, without its PA. */
static inline unsigned int pt_leaf_size_lg2(const struct ims_pt *pt, unsigned int level, uint64_t e)
{
	const struct pt_level *lvl = &pt->lvl[level];
	unsigned int size_lg2;
	uint64_t pa;

	if ((e & lvl->single_mask) == lvl->single_match)
		return lvl->shift;
	pt->fmt->decode_contig(pt, e, level, &size_lg2, &pa);
	return size_lg2;
}

/* A decoded leaf. */
struct pt_leaf {
	uint64_t pa;           /* where the page starts */
	unsigned int size_lg2; /* the page size */
	unsigned int slots_lg2; /* it fills 1 << slots_lg2 slots */
};

static inline void pt_leaf_decode(const struct ims_pt *pt, unsigned int level, uint64_t e,
				  struct pt_leaf *leaf)
{
	const struct pt_level *lvl = &pt->lvl[level];

	if ((e & lvl->single_mask) == lvl->single_match) {
		leaf->size_lg2 = lvl->shift;
		leaf->pa = pt_shift(e & lvl->oa_mask, -pt->pa_shift);
	} else {
		pt->fmt->decode_contig(pt, e, level, &leaf->size_lg2, &leaf->pa);
	}
	leaf->slots_lg2 = leaf->size_lg2 - lvl->shift;
}

/* The last IOVA of the item of @level that holds @iova (wraps at the very top). */
static inline uint64_t pt_item_last(const struct ims_pt *pt, unsigned int level, uint64_t iova)
{
	return iova | (pt_item_size(pt, level) - 1);
}

/* Where a descent stopped. */
struct pt_found {
	void *table;
	size_t slot;
	unsigned int level;
};

/*
 * The fast paths' descent, for tables with pt->fast64 (64-bit entries,
 * addresses stored as is or shifted, empty slots zero): from the root through
 * table entries down to @stop_level, or to the first entry above it that is
 * not a table pointer (empty, or a leaf).  Returns that entry and where it
 * is.  The dependent chain is one load, one AND (and a shift) per level.
 *
 * find64_levels() is specialised (pt_find64 below) for the x86-shaped
 * radix that AMD v1, x86-64, VT-d, ARM LPAE 4K and RISC-V share: 4 KiB
 * items at level 0, 512 entries per table, so the index of level l is IOVA
 * bits 12 + 9l up, and addresses in place (radix9, @unshift 0) or in
 * RISC-V's PPN (radix9_ppn, PT_RISCV_SHIFT).  With the top level and
 * @unshift constants the compiler unrolls the walk and the shifts are
 * immediates; the IOVA was checked against IAS, so masking the top index to
 * 9 bits is exact.
 */
static inline __attribute__((always_inline)) uint64_t
find64_levels(const struct ims_pt *pt, uint64_t iova, unsigned int top, bool radix9,
	      int unshift, unsigned int stop_level, struct pt_found *at)
{
	uint64_t *table = pt->root;

#pragma GCC unroll 6
	for (unsigned int level = top; level <= top; level--) {
		const struct pt_level *lvl = &pt->lvl[level];
		size_t slot = radix9 ? (iova >> (12 + 9 * level)) & 511 :
				       (iova >> lvl->shift) & lvl->index_mask;
		uint64_t e = __atomic_load_n(table + slot, __ATOMIC_RELAXED);

		if (level == stop_level || !(e & pt->present_mask) ||
		    (e & lvl->table_mask) != lvl->table_match) {
			at->table = table;
			at->slot = slot;
			at->level = level;
			return e;
		}
		table = (uint64_t *)(uintptr_t)pt_unshift(e & pt->table_addr_mask,
							  radix9 ? unshift : pt->table_shift);
	}
	__builtin_unreachable(); /* level 0 always stops the walk */
}

/*
 * Return @call (a macro of top and unshift, both made constants here) for
 * a radix9 or radix9_ppn table; fall through for other tables.  The
 * in-place shape is tested first, so its path is what it was before
 * RISC-V's was added.
 */
#define PT_RADIX9_DISPATCH(pt, call)                                                         \
	do {                                                                                 \
		if ((pt)->radix9) {                                                          \
			switch ((pt)->top) {                                                 \
			case 2: return call(2, 0);                                           \
			case 3: return call(3, 0);                                           \
			case 4: return call(4, 0);                                           \
			case 5: return call(5, 0);                                           \
			}                                                                    \
		} else if ((pt)->radix9_ppn) {                                               \
			switch ((pt)->top) {                                                 \
			case 2: return call(2, PT_RISCV_SHIFT);                              \
			case 3: return call(3, PT_RISCV_SHIFT);                              \
			case 4: return call(4, PT_RISCV_SHIFT);                              \
			}                                                                    \
		}                                                                            \
	} while (0)

static inline uint64_t pt_find64(const struct ims_pt *pt, uint64_t iova, unsigned int stop_level,
				 struct pt_found *at)
{
#define PT_FIND64_CALL(top, unshift) find64_levels(pt, iova, top, true, unshift, stop_level, at)
	PT_RADIX9_DISPATCH(pt, PT_FIND64_CALL);
#undef PT_FIND64_CALL
	return find64_levels(pt, iova, pt->top, false, 0, stop_level, at);
}

/* A present leaf at @level that fills one slot. */
static inline bool pt_is_single_leaf(const struct ims_pt *pt, unsigned int level, uint64_t e)
{
	const struct pt_level *lvl = &pt->lvl[level];

	return ((e ^ lvl->empty) & pt->present_mask) && (e & lvl->table_mask) != lvl->table_match &&
	       (e & lvl->single_mask) == lvl->single_match;
}

/* A zeroed table for @level, counted in pt->nr_bytes until dropped; NULL. */
void *pt_table_alloc(struct ims_pt *pt, unsigned int level);

/*
 * Visit the present entries of [iova, last] below @table (of @level): @leaf
 * for each leaf (once for a contiguous leaf, at the slot where it starts),
 * then @table_done after a table's entries were visited (post-order).  A
 * non-zero return stops the visit and is returned.  Either may be NULL.
 */
struct pt_visit_leaf {
	void *table;
	size_t slot;        /* where the leaf starts */
	unsigned int level;
	uint64_t iova;      /* where the leaf starts */
	uint64_t e;
	struct pt_leaf leaf;
};

struct pt_visit {
	struct ims_pt *pt;
	int (*leaf)(struct pt_visit *v, const struct pt_visit_leaf *at);
	int (*table_done)(struct pt_visit *v, void *parent, size_t slot, void *table,
			  unsigned int table_level);
};
int pt_visit_range(struct pt_visit *v, void *table, unsigned int level, uint64_t iova,
		   uint64_t last);

/*
 * A table just unlinked from @pt: onto @g's list to wait for the caller's
 * invalidation, or released now when @g is NULL.
 */
void pt_drop_table(struct ims_pt *pt, void *table, struct ims_pt_gather *g);
/* pt_drop_table() for a whole subtree (destroy, or an empty one replaced by a leaf). */
void pt_drop_subtree(struct ims_pt *pt, void *table, unsigned int level, struct ims_pt_gather *g);

/*
 * The last IOVA of @count leaves of @pgsize (a power of two) from @iova:
 * 0, -EINVAL for count 0 or a length beyond 64 bits, -ERANGE beyond IAS.
 */
int pt_check_iova_range(const struct ims_pt *pt, uint64_t iova, size_t pgsize, size_t count,
			uint64_t *last);

/* Extend @g's range to cover [start, last]. */
void pt_gather_add_range(struct ims_pt_gather *g, uint64_t start, uint64_t last);

#endif
