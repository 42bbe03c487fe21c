// SPDX-License-Identifier: MIT
/*
 * s390 DMA translation tables, as the zPCI I/O translation of PCI functions
 * walks them: z/Architecture region, segment and page tables.
 *
 * z/Architecture Principles of Operation (SA22-7832), chapter 3, "Dynamic
 * Address Translation": "Translation Tables" (region-table entry, segment-
 * table entry, page-table entry; the invalid bit I, the table-type bits TT,
 * the table length TL and offset TF, the page-protection bit P) -- the
 * format zPCI uses for DMA addresses, anchored by the I/O translation
 * anchor (IOTA) registered with the Modify PCI Function Controls
 * instruction.  The kernel's definitions: arch/s390/include/asm/pci_dma.h
 * (ZPCI_TABLE_*, ZPCI_PTE_*, ZPCI_IOTA_*) and drivers/iommu/s390-iommu.c
 * (dma_alloc_cpu_table, dma_walk_cpu_trans, dma_update_cpu_trans).
 *
 * Levels (index bits of the IOVA):
 *   level 0  page table          256 entries (2 KiB), bits 19:12, 4 KiB pages
 *   level 1  segment table      2048 entries (16 KiB), bits 30:20
 *   level 2  region-third table  2048 entries, bits 41:31   (RTTO: 3 levels)
 *   level 3  region-second table 2048 entries, bits 52:42   (RSTO: 4 levels)
 *   level 4  region-first table  2048 entries, bits 63:53   (RFTO: 5 levels)
 * The kernel used region-third anchors only until 2025 (4 TiB of IOVA,
 * ZPCI_TABLE_SIZE_RT); today it picks region-second or region-first tables
 * for functions whose DMA range needs them.
 *
 * Entry bits (bit 63 is IBM bit 0):
 *   page-table entry     63:12 page frame; 0x400 I (invalid); 0x200 P
 *                        (write-protected)
 *   segment-table entry  63:11 page-table origin; 0x400 FC (0: points at a
 *                        page table); 0x200 P; 0x20 I; 3:2 TT = 00
 *   region-table entry   63:14 next table's origin; 0xc0 TF (offset, 0);
 *                        0x20 I; 3:2 TT (01 third, 10 second, 11 first);
 *                        1:0 TL (length, 3: all 2048 entries)
 * There is no valid bit but an invalid bit: an all-zero entry is valid (a
 * zero page-table entry maps page 0 writable), so tables are filled with I
 * (ZPCI_TABLE_INVALID 0x20, ZPCI_PTE_INVALID 0x400) and unmapping writes it
 * back: the levels' "empty" word.  The kernel keeps the old frame address
 * in an invalidated PTE; we write the bare invalid bit.
 *
 * What we write: region entries origin | TT | TL=3; segment entries origin;
 * page entries frame | P unless IMS_PROT_WRITE (the kernel's
 * ZPCI_TABLE_PROTECTED for a map without IOMMU_WRITE).  zPCI DMA is cache
 * coherent, so IMS_PROT_CACHE changes nothing.  Page tables are 2 KiB in
 * hardware; until the page allocator hands out blocks that small each
 * takes a 4 KiB block (2 KiB aligned as the hardware needs).
 *
 * Configuration: levels 3..5 (default 3), ias up to 42, 53 or 64 bits
 * with them; oas up to 64 (default 64).
 */
#include <errno.h>

#include "pt/pt_format.h"
#include "pt/pt_pages.h"
#include "util/err.h"

#define S390_PAGE_LG2 12
#define S390_PT_BITS 8    /* page-table index bits (ZPCI_PT_BITS) */
#define S390_TABLE_BITS 11 /* region/segment index bits (ZPCI_TABLE_BITS) */
#define S390_TABLE_LG2 14  /* ZPCI_TABLE_SIZE */
#define S390_MIN_LEVELS 3
#define S390_MAX_LEVELS 5

#define S390_PTE_INVALID PT_BIT(10)
#define S390_PROTECTED PT_BIT(9)
#define S390_TABLE_INVALID PT_BIT(5)
#define S390_TT PT_GENMASK(3, 2)
#define S390_TL_FULL 3ull
#define S390_PTE_ADDR PT_GENMASK(63, 12)
#define S390_ADDR_MAX_BITS 64

/* IOVA bits that @levels translate. */
static unsigned int s390_span(unsigned int levels)
{
	unsigned int bits = S390_PAGE_LG2 + S390_PT_BITS + (levels - 1) * S390_TABLE_BITS;

	return IMS_MIN(bits, (unsigned int)S390_ADDR_MAX_BITS);
}

static int s390_check_cfg(struct ims_pt_cfg *cfg)
{
	if ((cfg->granule_lg2 && cfg->granule_lg2 != S390_PAGE_LG2) || cfg->features)
		return -EINVAL;
	if (!cfg->levels && !cfg->ias)
		cfg->levels = S390_MIN_LEVELS;
	if (!cfg->levels)
		for (cfg->levels = S390_MIN_LEVELS;
		     cfg->levels < S390_MAX_LEVELS && s390_span(cfg->levels) < cfg->ias; cfg->levels++)
			;
	if (cfg->levels < S390_MIN_LEVELS || cfg->levels > S390_MAX_LEVELS)
		return -EINVAL;
	if (!cfg->ias)
		cfg->ias = s390_span(cfg->levels);
	if (!cfg->oas)
		cfg->oas = S390_ADDR_MAX_BITS;
	if (cfg->ias <= S390_PAGE_LG2 || cfg->ias > s390_span(cfg->levels) ||
	    cfg->oas <= S390_PAGE_LG2 || cfg->oas > S390_ADDR_MAX_BITS)
		return -EINVAL;
	cfg->granule_lg2 = S390_PAGE_LG2;
	return 0;
}

/* Region and segment tables: 16 KiB of 2048 entries pointing one level down. */
static void s390_table_level(struct pt_level *lvl, unsigned int level)
{
	unsigned int shift = S390_PAGE_LG2 + S390_PT_BITS + (level - 1) * S390_TABLE_BITS;

	*lvl = (struct pt_level){
		.shift = shift,
		.index_bits = IMS_MIN(S390_TABLE_BITS, S390_ADDR_MAX_BITS - shift),
		.table_lg2 = S390_TABLE_LG2,
		/* TT names the table type: 00 segment, 01..11 region third..first */
		.table_mask = S390_TT,
		.table_match = (uint64_t)(level - 1) << 2,
		.empty = S390_TABLE_INVALID,
	};
}

static int s390_init(struct ims_pt *pt)
{
	int ret = s390_check_cfg(&pt->cfg);

	if (ret)
		return ret;
	pt->top = pt->cfg.levels - 1;
	pt->entry_lg2 = 3;
	pt->present_mask = S390_PTE_INVALID | S390_TABLE_INVALID;
	pt->table_addr_mask = S390_PTE_ADDR; /* our tables are 4 KiB aligned or more */
	pt->lvl[0] = (struct pt_level){
		.shift = S390_PAGE_LG2, .index_bits = S390_PT_BITS, .table_lg2 = 12, /* 2 KiB of entries in a 4 KiB block */
		.pgsizes = PT_BIT(S390_PAGE_LG2),
		.table_mask = PT_NEVER_MASK, .table_match = PT_NEVER_MATCH,
		.oa_mask = S390_PTE_ADDR,
		.empty = S390_PTE_INVALID,
	};
	for (unsigned int l = 1; l <= pt->top; l++)
		s390_table_level(&pt->lvl[l], l);
	return 0;
}

static int s390_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = prot & IMS_PROT_WRITE ? 0 : S390_PROTECTED;
	return 0;
}

static uint64_t s390_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			       unsigned int size_lg2, uint64_t bits)
{
	return pa | bits;
}

/* A segment entry is the page table's origin; a region entry adds TT and TL. */
static uint64_t s390_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	uint64_t origin = (uintptr_t)table;

	return level == 1 ? origin : origin | (uint64_t)(level - 1) << 2 | S390_TL_FULL;
}

static int s390_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return IMS_PROT_READ | (e & S390_PROTECTED ? 0 : IMS_PROT_WRITE);
}

const struct pt_format pt_fmt_s390 = {
	.init = s390_init,
	.leaf_bits = s390_leaf_bits,
	.make_leaf = s390_make_leaf,
	.make_table = s390_make_table,
	.leaf_prot = s390_leaf_prot,
	.pa_linear = true,
};
