// SPDX-License-Identifier: MIT
/*
 * TI OMAP IOMMU (OMAP2/3/4/5, DRA7 "MMU") translation tables: two levels
 * of 32-bit descriptors for a 32-bit device address space, the ARMv6/v7
 * short-descriptor shape without its permission and memory-type bits.
 *
 * OMAP4430 Technical Reference Manual, "MMU" chapter, translation tables
 * (first-level descriptor: fault / coarse page table / section /
 * supersection; second-level: fault / large page / small page), and the
 * kernel's driver (torvalds/linux drivers/iommu/omap-iopgtable.h,
 * omap-iommu.c: IOPGD_*, IOPTE_*, iopgtable_store_entry):
 *
 *   level 1  first-level table: 4096 entries (16 KiB), 1 MiB each, bits 31:20
 *   level 0  second-level table: 256 entries (1 KiB), 4 KiB each, bits 19:12
 *
 * First-level entry, bits 1:0:
 *   01  page table: its address in bits 31:10 (IOPGD_TABLE)
 *   10  section, 1 MiB at bits 31:20; with bit 18 set a supersection,
 *       16 MiB at bits 31:24, written into 16 consecutive entries
 *       (IOPGD_SECTION, IOPGD_SUPER)
 * Second-level entry, bits 1:0:
 *   10  small page, 4 KiB at bits 31:12 (IOPTE_SMALL)
 *   01  large page, 64 KiB at bits 31:16, in 16 consecutive entries
 *       (IOPTE_LARGE)
 * An unused entry is 0 (a fault).  The remaining attribute bits (endianness,
 * element size, mixed region) are 0 for the little-endian, 8-bit-element,
 * non-mixed mappings the kernel makes (iotlb_init_entry); there are no
 * permission bits: every mapping is readable and writable.
 *
 * Second-level tables are 1 KiB, as in hardware (256 entries, 1 KiB
 * aligned as the hardware needs).  Tables are found through 32-bit addresses: they
 * come from the low pool.  Like the kernel's unmap (which also removes a
 * large page from the middle: ours stops there), the engine removes a large
 * page or supersection whole; the kernel frees a second-level table when
 * its last entry is cleared, the engine when an unmap covers its 1 MiB.
 *
 * Configuration: ias 32, oas 32 (the only values).
 */
#include <errno.h>

#include "pt/pt_format.h"
#include "pt/pt_pages.h"

#define OMAP_TYPE PT_GENMASK(1, 0)
#define OMAP_PGD_TABLE 1ull
#define OMAP_PGD_SECTION 2ull
#define OMAP_PGD_SUPER (PT_BIT(18) | OMAP_PGD_SECTION)
#define OMAP_PTE_SMALL 2ull
#define OMAP_PTE_LARGE 1ull
#define OMAP_TABLE_ADDR PT_GENMASK(31, 10)

#define OMAP_SMALL_LG2 12
#define OMAP_LARGE_LG2 16
#define OMAP_SECTION_LG2 20
#define OMAP_SUPER_LG2 24
#define OMAP_BITS 32

static int omap_check_cfg(struct ims_pt_cfg *cfg)
{
	if ((cfg->granule_lg2 && cfg->granule_lg2 != OMAP_SMALL_LG2) || cfg->features ||
	    (cfg->levels && cfg->levels != 2) || (cfg->ias && cfg->ias != OMAP_BITS) ||
	    (cfg->oas && cfg->oas != OMAP_BITS))
		return -EINVAL;
	cfg->granule_lg2 = OMAP_SMALL_LG2;
	cfg->levels = 2;
	cfg->ias = OMAP_BITS;
	cfg->oas = OMAP_BITS;
	return 0;
}

static int omap_init(struct ims_pt *pt)
{
	struct pt_level *pte = &pt->lvl[0], *pgd = &pt->lvl[1];
	int ret = omap_check_cfg(&pt->cfg);

	if (ret)
		return ret;
	pt->top = 1;
	pt->entry_lg2 = 2;
	pt->pool = PT_POOL_LOW32;
	pt->present_mask = OMAP_TYPE;
	pt->table_addr_mask = OMAP_TABLE_ADDR;
	*pte = (struct pt_level){
		.shift = OMAP_SMALL_LG2, .index_bits = 8, .table_lg2 = PT_TABLE_MIN_LG2,
		.pgsizes = PT_BIT(OMAP_SMALL_LG2) | PT_BIT(OMAP_LARGE_LG2),
		.table_mask = PT_NEVER_MASK, .table_match = PT_NEVER_MATCH,
		.single_mask = OMAP_TYPE, .single_match = OMAP_PTE_SMALL,
		.oa_mask = PT_GENMASK(31, OMAP_SMALL_LG2),
	};
	*pgd = (struct pt_level){
		.shift = OMAP_SECTION_LG2, .index_bits = 12, .table_lg2 = 14,
		.pgsizes = PT_BIT(OMAP_SECTION_LG2) | PT_BIT(OMAP_SUPER_LG2),
		.table_mask = OMAP_TYPE, .table_match = OMAP_PGD_TABLE,
		.single_mask = PT_BIT(18) | OMAP_TYPE, .single_match = OMAP_PGD_SECTION,
		.oa_mask = PT_GENMASK(31, OMAP_SECTION_LG2),
	};
	return 0;
}

static int omap_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = 0; /* little-endian, 8-bit elements, not mixed; no permissions */
	return 0;
}

static uint64_t omap_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			       unsigned int size_lg2, uint64_t bits)
{
	switch (size_lg2) {
	case OMAP_SMALL_LG2:
		return pa | bits | OMAP_PTE_SMALL;
	case OMAP_LARGE_LG2:
		return pa | bits | OMAP_PTE_LARGE;
	case OMAP_SECTION_LG2:
		return pa | bits | OMAP_PGD_SECTION;
	default:
		return pa | bits | OMAP_PGD_SUPER;
	}
}

static uint64_t omap_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return (uintptr_t)table | OMAP_PGD_TABLE;
}

/* Large pages and supersections: 16 entries each. */
static void omap_decode_contig(const struct ims_pt *pt, uint64_t e, unsigned int level,
			       unsigned int *size_lg2, uint64_t *pa)
{
	*size_lg2 = level ? OMAP_SUPER_LG2 : OMAP_LARGE_LG2;
	*pa = e & PT_GENMASK(31, *size_lg2);
}

static int omap_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return IMS_PROT_READ | IMS_PROT_WRITE;
}

const struct pt_format pt_fmt_omap = {
	.init = omap_init,
	.leaf_bits = omap_leaf_bits,
	.make_leaf = omap_make_leaf,
	.make_table = omap_make_table,
	.decode_contig = omap_decode_contig,
	.leaf_prot = omap_leaf_prot,
	.pa_linear = true,
};
