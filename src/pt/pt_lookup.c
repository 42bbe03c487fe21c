// SPDX-License-Identifier: MIT
/*
 * Single-address lookups: ims_pt_iova_to_phys(), ims_pt_translate() (a
 * device's access, which sets the hardware dirty state on writes) and
 * ims_pt_set_dirty().
 *
 * They share lookup(), a loop over the levels that uses only the masks of
 * struct ims_pt: one load per level, no call until the leaf, and a hook
 * only for contiguous leaves.  Tables of the common shape (pt->fast64) take
 * pt_find64(), whose dependent chain is one load and one AND per level;
 * iova_to_phys, the hottest of them (IOTLB misses, VFIO replay), is
 * specialised whole for the x86-shaped radix by phys_fast64().
 *
 * Permissions are the leaf's: every format so far sets table entries fully
 * permissive (AMD IR/IW, x86 RW/US, VT-d R/W), as the kernel does, so the
 * AND along the walk that hardware performs is the leaf's own.
 */
#include <errno.h>

#include "pt_engine.h"
#include "util/err.h"

/*
 * The present leaf entry that translates @iova (within IAS) into *@leaf and
 * where it is into *@at; false when nothing does.  (A present entry may be
 * all zeroes in formats with an invalid bit: s390's writable page at 0.)
 */
static bool lookup(const struct ims_pt *pt, uint64_t iova, struct pt_found *at, uint64_t *leaf)
{
	const void *table = pt->root;
	unsigned int level = pt->top;

	if (pt->fast64) {
		*leaf = pt_find64(pt, iova, 0, at);
		return *leaf & pt->present_mask;
	}
	for (;;) {
		size_t slot = pt_index(pt, level, iova);
		uint64_t e = pt_load(pt, table, slot);

		if (!pt_present(pt, level, e))
			return false;
		if (!pt_is_table(pt, level, e)) {
			at->table = (void *)table;
			at->slot = slot;
			at->level = level;
			*leaf = e;
			return true;
		}
		table = pt_table_of(pt, e);
		level--;
	}
}

/* The output address from a leaf entry: the generic decode. */
static uint64_t leaf_phys(const struct ims_pt *pt, unsigned int level, uint64_t e, uint64_t iova)
{
	struct pt_leaf leaf;

	pt_leaf_decode(pt, level, e, &leaf);
	return leaf.pa | (iova & ((1ull << leaf.size_lg2) - 1));
}

/* iova_to_phys for pt->fast64 tables, specialised like pt_find64() when inlined. */
static inline __attribute__((always_inline)) uint64_t
phys_fast64(const struct ims_pt *pt, uint64_t iova, unsigned int top, bool radix9, int unshift)
{
	struct pt_found at;
	uint64_t e = find64_levels(pt, iova, top, radix9, unshift, 0, &at);
	const struct pt_level *lvl = &pt->lvl[at.level];

	if (!(e & pt->present_mask))
		return 0;
	if ((e & lvl->single_mask) != lvl->single_match)
		return leaf_phys(pt, at.level, e, iova);
	return pt_unshift(e & lvl->oa_mask, radix9 ? unshift : pt->pa_shift) |
	       (iova & ((1ull << lvl->shift) - 1));
}

IMS_EXPORT uint64_t ims_pt_iova_to_phys(const struct ims_pt *pt, uint64_t iova)
{
	struct pt_found at;
	uint64_t e;

	if (iova > pt->max_iova)
		return 0;
#define PT_PHYS_CALL(top, unshift) phys_fast64(pt, iova, top, true, unshift)
	PT_RADIX9_DISPATCH(pt, PT_PHYS_CALL);
#undef PT_PHYS_CALL
	if (pt->fast64)
		return phys_fast64(pt, iova, pt->top, false, 0);
	return lookup(pt, iova, &at, &e) ? leaf_phys(pt, at.level, e, iova) : 0;
}

static bool access_allowed(int prot, int access)
{
	return !((access & IMS_PROT_READ) && !(prot & IMS_PROT_READ)) &&
	       !((access & IMS_PROT_WRITE) && !(prot & IMS_PROT_WRITE));
}

IMS_EXPORT int ims_pt_translate(struct ims_pt *pt, uint64_t iova, int access,
				struct ims_pt_xlate *out)
{
	struct pt_found at;
	struct pt_leaf leaf;
	uint64_t e;
	int prot;

	if (iova > pt->max_iova || !lookup(pt, iova, &at, &e))
		return -ENOENT;
	prot = pt->fmt->leaf_prot(pt, e, at.level);
	if (!access_allowed(prot, access))
		return -EPERM;
	if ((access & IMS_PROT_WRITE) && pt->dirty_bit && !pt_leaf_dirty(pt, e))
		pt_mark_dirty(pt, at.table, at.slot);
	pt_leaf_decode(pt, at.level, e, &leaf);
	out->pa = leaf.pa | (iova & ((1ull << leaf.size_lg2) - 1));
	out->leaf_size = 1ull << leaf.size_lg2;
	out->prot = prot;
	return 0;
}

IMS_EXPORT int ims_pt_set_dirty(struct ims_pt *pt, uint64_t iova)
{
	struct pt_found at;
	uint64_t e;

	if (!pt->dirty_bit)
		return -EOPNOTSUPP;
	if (iova > pt->max_iova || !lookup(pt, iova, &at, &e))
		return -ENOENT;
	/* A device cannot write through a read-only leaf (and ARM's dirty
	 * state is the very bit that makes a leaf read-only). */
	if (!(pt->fmt->leaf_prot(pt, e, at.level) & IMS_PROT_WRITE))
		return -EPERM;
	pt_mark_dirty(pt, at.table, at.slot);
	return 0;
}
