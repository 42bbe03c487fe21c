// SPDX-License-Identifier: MIT
/*
 * The MediaTek M4U generation one (mt2701) page table: one flat table of
 * 4-byte entries, one per 4 KiB page of a 4 GiB IOVA space.
 *
 * There is no public manual; the facts are the kernel driver's
 * (drivers/iommu/mtk_iommu_v1.c, its header comments and definitions):
 *   "MTK m4u support 4GB iova address space, and only support 4K page
 *    mapping. So the pagetable size should be exactly as 4M."
 *   (M2701_IOMMU_PGT_SIZE = SZ_4M, MT2701_IOMMU_PAGE_SHIFT = 12);
 *   an entry is the page's address | F_DESC_VALID (bit 1) | F_DESC_NONSEC
 *   (bit 3); the table's physical address goes into REG_MMU_PT_BASE_ADDR,
 *   a 32-bit register, and pages are 32-bit addresses (the driver keeps
 *   `u32 pabase = (u32)paddr`).
 *
 * One level (our level 0): IOVA bits 31:12 index the 2^20 entries.  No
 * permission bits: every page is read-write.  The table is 4 MiB from the
 * low-32 pool (a "big" block of pt_pages).  IAS and OAS are 32, fixed.
 *
 * The driver's own habits (its unmap clears whatever is there and reports
 * the whole request, its iova_to_phys drops the offset in the page) belong
 * to the driver model (src/drivers/mtk_iommu_v1), not to the format.
 */
#include <errno.h>

#include "two_level32.h"

#define MTK_V1_VALID PT_BIT(1)
#define MTK_V1_NONSEC PT_BIT(3)

static const struct two_level32_limits mtk_v1_limits = {
	.levels = 1, .min_ias = 32, .max_ias = 32, .default_ias = 32,
	.max_oas = 32, .default_oas = 32,
};

static int mtk_v1_init(struct ims_pt *pt)
{
	struct pt_level *l0 = &pt->lvl[0];
	int ret = two_level32_settle(pt, &mtk_v1_limits);

	if (ret)
		return ret;
	if (pt->cfg.oas != 32)
		return -EINVAL;
	pt->top = 0;
	pt->present_mask = MTK_V1_VALID;
	l0->shift = 12;
	l0->index_bits = 20;
	l0->table_lg2 = 22;
	l0->table_mask = PT_NEVER_MASK;
	l0->table_match = PT_NEVER_MATCH;
	l0->single_mask = 0;
	l0->single_match = 0;
	l0->oa_mask = PT_GENMASK(31, 12);
	l0->pgsizes = PT_BIT(12);
	return 0;
}

static int mtk_v1_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = MTK_V1_VALID | MTK_V1_NONSEC;
	return 0;
}

static uint64_t mtk_v1_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
				 unsigned int size_lg2, uint64_t bits)
{
	return pa | bits;
}

static uint64_t mtk_v1_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return 0; /* one level: never called */
}

static int mtk_v1_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return IMS_PROT_READ | IMS_PROT_WRITE;
}

const struct pt_format pt_fmt_mtk_v1 = {
	.init = mtk_v1_init,
	.leaf_bits = mtk_v1_leaf_bits,
	.make_leaf = mtk_v1_make_leaf,
	.make_table = mtk_v1_make_table,
	.leaf_prot = mtk_v1_leaf_prot,
	.pa_linear = true,
};
