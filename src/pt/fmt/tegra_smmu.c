// SPDX-License-Identifier: MIT
/*
 * NVIDIA Tegra SMMU (Tegra30, Tegra114, Tegra124, Tegra210): a two-level
 * table of 32-bit entries for a 32-bit IOVA space per address space (ASID).
 *
 * Tegra K1 (Tegra124) Technical Reference Manual, Memory Controller, "SMMU"
 * (MC_SMMU_PTB_ASID / MC_SMMU_PTB_DATA: the page directory base and its
 * attributes per ASID), and the kernel's driver (torvalds/linux
 * drivers/iommu/tegra-smmu.c: SMMU_NUM_PDE/PTE, SMMU_PDE_*, SMMU_PTE_*,
 * SMMU_MK_PDE, pfn_mask from the memory controller's num_address_bits):
 *
 *   level 1  page directory: 1024 PDEs (one 4 KiB page), IOVA bits 31:22
 *   level 0  page table:     1024 PTEs (one 4 KiB page), IOVA bits 21:12
 *
 * Entry bits (PDE and PTE):
 *   31 READABLE   30 WRITABLE   29 NONSECURE   28 NEXT (PDE: points at a
 *   page table)   the physical page number, PA >> 12, in the low bits: 20
 *   bits on Tegra30 (32-bit addresses), 22 on Tegra114 and later (34-bit)
 *
 * What the kernel writes: PDE = PT >> 12 | READABLE | WRITABLE | NONSECURE
 * | NEXT; PTE = PA >> 12 | NONSECURE | READABLE (IOMMU_READ) | WRITABLE
 * (IOMMU_WRITE); an unused entry is 0.  The hardware can also map 4 MiB
 * with a PDE without NEXT; the kernel never does (pgsize_bitmap SZ_4K), and
 * neither do we.  Tables are found through 32-bit page numbers: they come
 * from the low pool.  The kernel frees a page table when its last PTE is
 * cleared; the engine frees it when an unmap covers its whole 4 MiB.
 *
 * Configuration: ias 32 (the only value), oas 32 (default) to 34.
 */
#include <errno.h>

#include "pt/pt_format.h"
#include "pt/pt_pages.h"

#define SMMU_PAGE_LG2 12
#define SMMU_READABLE PT_BIT(31)
#define SMMU_WRITABLE PT_BIT(30)
#define SMMU_NONSECURE PT_BIT(29)
#define SMMU_NEXT PT_BIT(28)
#define SMMU_ATTR (SMMU_READABLE | SMMU_WRITABLE | SMMU_NONSECURE)
#define SMMU_IAS 32
#define SMMU_MIN_OAS 32
#define SMMU_MAX_OAS 34

static int smmu_check_cfg(struct ims_pt_cfg *cfg)
{
	if ((cfg->granule_lg2 && cfg->granule_lg2 != SMMU_PAGE_LG2) || cfg->features ||
	    (cfg->levels && cfg->levels != 2) || (cfg->ias && cfg->ias != SMMU_IAS))
		return -EINVAL;
	if (!cfg->oas)
		cfg->oas = SMMU_MIN_OAS;
	if (cfg->oas < SMMU_MIN_OAS || cfg->oas > SMMU_MAX_OAS)
		return -EINVAL;
	cfg->granule_lg2 = SMMU_PAGE_LG2;
	cfg->levels = 2;
	cfg->ias = SMMU_IAS;
	return 0;
}

static int smmu_init(struct ims_pt *pt)
{
	int ret = smmu_check_cfg(&pt->cfg);
	uint64_t pfn;

	if (ret)
		return ret;
	pfn = PT_GENMASK(pt->cfg.oas - SMMU_PAGE_LG2 - 1, 0);
	pt->entry_lg2 = 2;
	pt_geom_radix(pt, SMMU_PAGE_LG2, 12, 2); /* 1024 entries of 4 bytes */
	pt->pool = PT_POOL_LOW32;
	pt->pa_shift = -SMMU_PAGE_LG2;
	pt->table_shift = -SMMU_PAGE_LG2;
	pt->present_mask = SMMU_ATTR | SMMU_NEXT;
	pt->table_addr_mask = pfn;
	pt->lvl[1].table_mask = SMMU_NEXT;
	pt->lvl[1].table_match = SMMU_NEXT;
	pt->lvl[0].oa_mask = pfn;
	pt->lvl[0].pgsizes = PT_BIT(SMMU_PAGE_LG2);
	return 0;
}

static int smmu_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = SMMU_NONSECURE | (prot & IMS_PROT_READ ? SMMU_READABLE : 0) |
		(prot & IMS_PROT_WRITE ? SMMU_WRITABLE : 0);
	return 0;
}

static uint64_t smmu_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			       unsigned int size_lg2, uint64_t bits)
{
	return bits | pa >> SMMU_PAGE_LG2;
}

static uint64_t smmu_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return SMMU_ATTR | SMMU_NEXT | ((uintptr_t)table >> SMMU_PAGE_LG2);
}

static int smmu_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return (e & SMMU_READABLE ? IMS_PROT_READ : 0) | (e & SMMU_WRITABLE ? IMS_PROT_WRITE : 0);
}

const struct pt_format pt_fmt_tegra_smmu = {
	.init = smmu_init,
	.leaf_bits = smmu_leaf_bits,
	.make_leaf = smmu_make_leaf,
	.make_table = smmu_make_table,
	.leaf_prot = smmu_leaf_prot,
	.pa_linear = true,
};
