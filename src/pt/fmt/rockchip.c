// SPDX-License-Identifier: MIT
/*
 * The Rockchip IOMMU page table: a directory of 1024 entries over page
 * tables of 1024 entries of 4 KiB pages, 32-bit IOVA, in two revisions:
 * v1 (rk3288 and most SoCs, 32-bit PA) and v2 (rk3568 and later, 40-bit
 * PA).
 *
 * There is no public manual; the facts are the kernel driver's
 * (drivers/iommu/rockchip-iommu.c, its header comments):
 *   "The DT consists of 1024 4-byte Directory Table Entries (DTEs), each
 *    pointing to a Page Table.  ...  Each PT consists of 1024 4-byte Page
 *    Table Entries (PTEs), each pointing to a 4 KB page of physical
 *    memory.  The DT and each PT fits in a single 4 KB page"; IOVA bits
 *   31:22 index the DT, 21:12 the PT.
 *   v1 DTE: PT address 31:12, valid bit 0.  v1 PTE: page address 31:12,
 *   flags 8:1 (2 writable, 1 readable, 3..8 cache attributes the driver
 *   leaves 0), valid bit 0.
 *   v2 (IMS_PT_FEAT_V2_LAYOUT): DTE and PTE both hold address bits 31:12
 *   in place, bits 35:32 in 11:8 and bits 39:36 in 7:4 (the driver's
 *   PAGE_DESC_HI_MASK1/2 shifted by PAGE_DESC_HI_SHIFT1/2); the PTE's
 *   flags are 1 readable, 2 writable, 3 security; valid bit 0.  (The
 *   first v2 code had readable and writable swapped; the kernel fixed it
 *   in "iommu/rockchip: fix permission bits in page table entries v2".)
 *
 * Only 4 KiB pages exist.  The driver advertises 4 KiB .. 4 MiB
 * (RK_IOMMU_PGSIZE_BITMAP, "any size that fits in one page table") and
 * writes every size as 4 KiB entries: that splitting is the driver
 * model's (src/drivers/rockchip), the format offers 4 KiB.
 *
 * Levels: DT our level 1, PT our level 0 (two_level32.h).  Tables come from
 * the low-32 pool (the v1 driver allocates them GFP_DMA32; v2 tables may
 * be anywhere below 2^40, and low addresses are among them).  The v2
 * address split is not linear in the PA (crossing 4 GiB moves bits into
 * 11:4), so the v2 variant has its own pt_format with pa_linear false.
 * Leaves above 4 GiB decode through decode_contig (one slot, 4 KiB).
 */
#include <errno.h>

#include "two_level32.h"

#define RK_VALID PT_BIT(0)
#define RK_READABLE PT_BIT(1) /* v1 and (fixed) v2 alike */
#define RK_WRITABLE PT_BIT(2)
#define RK_ADDR_LO PT_GENMASK(31, 12)
#define RK_V2_ADDR_HI PT_GENMASK(11, 4)
#define RK_V2_HI1 PT_GENMASK(35, 32) /* -> descriptor bits 11:8 */
#define RK_V2_HI2 PT_GENMASK(39, 36) /* -> descriptor bits 7:4 */

static const struct two_level32_limits rk_v1_limits = {
	.levels = 2, .min_ias = 32, .max_ias = 32, .default_ias = 32,
	.max_oas = 32, .default_oas = 32, .features = IMS_PT_FEAT_V2_LAYOUT,
};

static const struct two_level32_limits rk_v2_limits = {
	.levels = 2, .min_ias = 32, .max_ias = 32, .default_ias = 32,
	.max_oas = 40, .default_oas = 40, .features = IMS_PT_FEAT_V2_LAYOUT,
};

static const struct pt_format pt_fmt_rockchip_v2;

static int rk_init(struct ims_pt *pt)
{
	bool v2 = pt->cfg.features & IMS_PT_FEAT_V2_LAYOUT;
	struct pt_level *l0 = &pt->lvl[0], *l1 = &pt->lvl[1];
	int ret = two_level32_settle(pt, v2 ? &rk_v2_limits : &rk_v1_limits);

	if (ret)
		return ret;
	if (v2)
		pt->fmt = &pt_fmt_rockchip_v2;
	two_level32_geometry(pt, 10, 10);
	pt->present_mask = RK_VALID;
	pt->table_addr_mask = RK_ADDR_LO; /* our tables are below 4 GiB */
	l1->table_mask = RK_VALID;
	l1->table_match = RK_VALID;
	l0->single_mask = v2 ? RK_V2_ADDR_HI : 0;
	l0->single_match = 0;
	l0->oa_mask = RK_ADDR_LO;
	l0->pgsizes = PT_BIT(12);
	return 0;
}

static int rk_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = (prot & IMS_PROT_READ ? RK_READABLE : 0) | (prot & IMS_PROT_WRITE ? RK_WRITABLE : 0);
	return 0;
}

/* v2: address bits 39:32 into descriptor bits 11:4 (rk_mk_dte_v2, rk_mk_pte_v2). */
static uint64_t rk_v2_addr(uint64_t addr)
{
	return (addr & RK_ADDR_LO) | ((addr & RK_V2_HI1) >> 24) | ((addr & RK_V2_HI2) >> 32);
}

static uint64_t rk_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			     unsigned int size_lg2, uint64_t bits)
{
	bool v2 = pt->cfg.features & IMS_PT_FEAT_V2_LAYOUT;

	return (v2 ? rk_v2_addr(pa) : pa) | bits | RK_VALID;
}

static uint64_t rk_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	bool v2 = pt->cfg.features & IMS_PT_FEAT_V2_LAYOUT;

	return (v2 ? rk_v2_addr((uintptr_t)table) : (uintptr_t)table) | RK_VALID;
}

/* A v2 page at or above 4 GiB (bits 11:4 in use). */
static void rk_decode_contig(const struct ims_pt *pt, uint64_t e, unsigned int level,
			     unsigned int *size_lg2, uint64_t *pa)
{
	*size_lg2 = 12;
	*pa = (e & RK_ADDR_LO) | ((e & PT_GENMASK(11, 8)) << 24) | ((e & PT_GENMASK(7, 4)) << 32);
}

static int rk_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return (e & RK_READABLE ? IMS_PROT_READ : 0) | (e & RK_WRITABLE ? IMS_PROT_WRITE : 0);
}

/* The two layouts differ only in whether the PA is linear in the descriptor. */
#define RK_HOOKS                                                                \
	.init = rk_init, .leaf_bits = rk_leaf_bits, .make_leaf = rk_make_leaf,  \
	.make_table = rk_make_table, .decode_contig = rk_decode_contig,         \
	.leaf_prot = rk_leaf_prot

const struct pt_format pt_fmt_rockchip = { RK_HOOKS, .pa_linear = true };

static const struct pt_format pt_fmt_rockchip_v2 = { RK_HOOKS, .pa_linear = false };
