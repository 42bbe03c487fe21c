// SPDX-License-Identifier: MIT
/*
 * AMD-Vi v1: the host page tables of the AMD IOMMU.
 *
 * AMD I/O Virtualization Technology (IOMMU) Specification (pub. 48882):
 *   2.2.3    I/O Page Tables for Host Translations: the PDE and PTE
 *            layouts, Next Level, level skipping, the page size encoding
 *            (Table "Example Page Size Encodings") and the level parameters
 *            (Table "Page Table Level Parameters");
 *   2.2.2.1  Device Table Entry: Mode (the number of levels, 1..6) and the
 *            Host Page Table Root Pointer (bits 51:12 of the root table);
 *            HAD enables hardware updates of the PTE's A and D bits (host
 *            dirty tracking).
 *
 * Levels.  Mode m means m levels; the manual's level n is our level n - 1.
 * Our level 0 holds the 4 KiB PTEs; level l's items are 2^(12 + 9l) bytes;
 * with mode 6 the top table (level 5) translates IOVA bits 63:57 and has 128
 * entries.  Every table is 4 KiB of 512 entries.  The top table of mode 6
 * cannot hold pages; every other level can.
 *
 * Entry bits (PDE and PTE share the layout):
 *    0     PR   present
 *    5     A    accessed (hardware)
 *    6     D    dirty (PTE; hardware, when HAD enables it)
 *   11:9   Next Level: in a PDE, the level of the table it points at (the
 *               manual's numbering, so our level of the PDE itself); in a
 *               PTE, 0 or 7
 *   51:12  address of the next table or of the page
 *   59     U    (unused by the kernel and by us)
 *   60     FC   force coherent
 *   61/62  IR/IW read/write permission (ANDed along the walk; PDEs set both)
 *
 * Page sizes.  A PTE with Next Level 0 maps the level's item (the "default
 * page size"); one with Next Level 7 maps a larger power of two, encoded in
 * the address: the run of 1s from address bit 12 up ends with a 0 at bit n,
 * and the page is 2^(n+1) bytes (a 0 at bit 12 means 8 KiB).  The manual
 * asks for such a PTE to be written into every entry the page spans, which
 * is what our "contiguous leaf" is: 8 KiB .. 1 MiB in level 0, 4 MiB ..
 * 512 MiB in level 1, and so on up to 2^51.  Like the kernel we leave out
 * 512 GiB pages (its driver works around a hardware erratum there).  Level
 * skipping (a PDE whose Next Level is lower than our level) is a way to
 * make shallow tables; the kernel never builds it and neither do we: a PDE
 * is recognised only with Next Level equal to its level.
 *
 * The iommufd selftest variant (granule_lg2 = 11).  The kernel's mock
 * IOMMU (drivers/iommu/iommufd/selftest.c) uses this format with a 2 KiB
 * granule so that its tests see an IOMMU page smaller than the CPU page.
 * Everything is as above with the address unit halved: address fields hold
 * the address divided by 2 KiB (so the address appears shifted left by one
 * bit), level l's items are 2^(11 + 9l) bytes, the page size code counts
 * from 2 KiB (a 0 at field bit 12 means 4 KiB), tables are still 4 KiB of
 * 512 entries; at most 5 levels, IAS at most 56, OAS at most 51.  Default:
 * 3 levels (IAS 38), as the selftest's domains.
 *
 * Our choices: IMS_PROT_CACHE sets FC (the kernel sets FC for a whole
 * domain that enforces coherency); HD dirty tracking uses D.  Defaults: 4
 * levels (IAS 48), OAS 52.  Unmap and table freeing are the engine's
 * (pt_unmap.c), which follow generic_pt, the kernel's current AMD v1
 * code: a large page is removed whole, fully covered tables are freed.
 */
#include <errno.h>

#include "pt/pt_format.h"
#include "util/err.h"

#define AMDV1_PR PT_BIT(0)
#define AMDV1_D PT_BIT(6)
#define AMDV1_NEXT_LEVEL PT_GENMASK(11, 9)
#define AMDV1_NEXT_LEVEL_SHIFT 9
#define AMDV1_NL_SIZE 7ull
#define AMDV1_ADDR PT_GENMASK(51, 12)
#define AMDV1_ADDR_SHIFT 12
#define AMDV1_FC PT_BIT(60)
#define AMDV1_IR PT_BIT(61)
#define AMDV1_IW PT_BIT(62)

#define AMDV1_MAX_PAGE_LG2 51
#define AMDV1_ERRATUM_PAGE_LG2 39 /* 512 GiB */

static const struct pt_geom_limits amdv1_limits = {
	.granule_lg2 = 12, .table_lg2 = 12,
	.min_levels = 1, .max_levels = 6, .default_levels = 4,
	.max_ias = 64, .max_oas = 52,
	.features = IMS_PT_FEAT_DIRTY,
};

static const struct pt_geom_limits amdv1_mock_limits = {
	.granule_lg2 = 11, .table_lg2 = 12,
	.min_levels = 1, .max_levels = 5, .default_levels = 3,
	.max_ias = 56, .max_oas = 51,
	.features = IMS_PT_FEAT_DIRTY,
};

/* Sizes a level's PTEs map: its item up to half its table, with the erratum gap. */
static uint64_t amdv1_level_sizes(unsigned int shift, unsigned int index_bits)
{
	unsigned int hi = IMS_MIN(shift + index_bits - 1, AMDV1_MAX_PAGE_LG2);

	return PT_GENMASK(hi, shift) & ~PT_BIT(AMDV1_ERRATUM_PAGE_LG2);
}

static void amdv1_levels(struct ims_pt *pt, unsigned int max_levels)
{
	for (unsigned int l = 0; l <= pt->top; l++) {
		struct pt_level *lvl = &pt->lvl[l];

		if (l) {
			lvl->table_mask = AMDV1_NEXT_LEVEL;
			lvl->table_match = (uint64_t)l << AMDV1_NEXT_LEVEL_SHIFT;
		}
		lvl->single_mask = AMDV1_NEXT_LEVEL;
		lvl->single_match = 0;
		lvl->oa_mask = AMDV1_ADDR & ~((1ull << (lvl->shift + pt->pa_shift)) - 1);
		/* The top level of a 6-level (mock: 5-level) table holds no pages. */
		if (l < max_levels - 1)
			lvl->pgsizes = amdv1_level_sizes(lvl->shift, 9);
	}
}

static int amdv1_init(struct ims_pt *pt)
{
	struct ims_pt_cfg *cfg = &pt->cfg;
	const struct pt_geom_limits *lim;
	int ret;

	lim = cfg->granule_lg2 == 11 ? &amdv1_mock_limits : &amdv1_limits;
	pt->entry_lg2 = 3;
	ret = pt_geom_settle(pt, lim);
	if (ret)
		return ret;
	pt->pa_shift = AMDV1_ADDR_SHIFT - lim->granule_lg2;
	pt->table_shift = pt->pa_shift;
	pt->present_mask = AMDV1_PR;
	pt->table_addr_mask = AMDV1_ADDR;
	pt->dirty_bit = cfg->features & IMS_PT_FEAT_DIRTY ? AMDV1_D : 0;
	amdv1_levels(pt, lim->max_levels);
	return 0;
}

static int amdv1_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = (prot & IMS_PROT_READ ? AMDV1_IR : 0) | (prot & IMS_PROT_WRITE ? AMDV1_IW : 0) |
		(prot & IMS_PROT_CACHE ? AMDV1_FC : 0);
	return 0;
}

static uint64_t amdv1_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
				unsigned int size_lg2, uint64_t bits)
{
	uint64_t e = AMDV1_PR | bits | (pa << pt->pa_shift);
	uint64_t code;

	if (size_lg2 == pt->lvl[level].shift)
		return e;
	/* Ones in the address field below the page's size, from its bit 12 up. */
	code = (1ull << (size_lg2 - pt->cfg.granule_lg2 - 1)) - 1;
	return e | (AMDV1_NL_SIZE << AMDV1_NEXT_LEVEL_SHIFT) | (code << AMDV1_ADDR_SHIFT);
}

static uint64_t amdv1_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return AMDV1_PR | AMDV1_IR | AMDV1_IW | ((uint64_t)level << AMDV1_NEXT_LEVEL_SHIFT) |
	       ((uintptr_t)table << pt->table_shift);
}

static void amdv1_decode_contig(const struct ims_pt *pt, uint64_t e, unsigned int level,
				unsigned int *size_lg2, uint64_t *pa)
{
	uint64_t field = (e & AMDV1_ADDR) >> AMDV1_ADDR_SHIFT;
	unsigned int ones = 0;

	/* Next Level 1..6 in a leaf is not something we write: read it as a default page. */
	if ((e & AMDV1_NEXT_LEVEL) == AMDV1_NL_SIZE << AMDV1_NEXT_LEVEL_SHIFT)
		ones = __builtin_ctzll(~field) + 1;
	*size_lg2 = IMS_MAX(pt->cfg.granule_lg2 + ones, pt->lvl[level].shift);
	*pa = (field & ~((1ull << ones) - 1)) << pt->cfg.granule_lg2;
}

static int amdv1_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return (e & AMDV1_IR ? IMS_PROT_READ : 0) | (e & AMDV1_IW ? IMS_PROT_WRITE : 0) |
	       (e & AMDV1_FC ? IMS_PROT_CACHE : 0);
}

const struct pt_format pt_fmt_amdv1 = {
	.init = amdv1_init,
	.leaf_bits = amdv1_leaf_bits,
	.make_leaf = amdv1_make_leaf,
	.make_table = amdv1_make_table,
	.decode_contig = amdv1_decode_contig,
	.leaf_prot = amdv1_leaf_prot,
	.pa_linear = true,
};
