// SPDX-License-Identifier: MIT
/*
 * The Allwinner H6 (sun50i) IOMMU page table: a directory of 4096 entries
 * over page tables of 256 entries of 4 KiB pages, 32-bit IOVA and PA.
 *
 * There is no public manual; the facts are the kernel driver's
 * (drivers/iommu/sun50i-iommu.c, its header comments):
 *   "The first level is the usual Directory Table (DT), that consists of
 *    4096 4-bytes Directory Table Entries (DTE), each pointing to a Page
 *    Table (PT).  Each PT consits of 256 4-bytes Page Table Entries (PTE),
 *    each pointing to a 4kB page of physical memory."  IOVA bits 31:20
 *   index the DT, 19:12 a PT (1 KiB, from a kmem_cache aligned to PT_SIZE).
 *   DTE: page table address 31:10, bits 1:0 == 01 when valid.
 *   PTE: page address 31:12, Authority Control Index 7:4, valid bit 1.
 *   The ACI names one of 16 permission "domains" the driver programs in
 *   IOMMU_DM_AUT_CTRL_REG: 1 none, 2 read, 3 write, 4 read-write
 *   (enum sun50i_iommu_aci; 0 is not used).
 *
 * The shape is the ARM short descriptor's (two_level32.h); the DTE is
 * ARM's page-table descriptor and the PTE has ARM's small-page type bit.
 * Only 4 KiB pages.  Tables from the low-32 pool (the TTB register and
 * the DTEs hold 32-bit addresses).
 *
 * The driver's map answers -EBUSY where the engine says -EEXIST; the
 * driver model translates (src/drivers/sun50i).
 */
#include <errno.h>

#include "two_level32.h"

#define SUN50I_DTE_VALID 0x1ull
#define SUN50I_DTE_TYPE 0x3ull
#define SUN50I_PTE_VALID PT_BIT(1)
#define SUN50I_ACI_SHIFT 4
#define SUN50I_ACI_MASK PT_GENMASK(7, 4)

enum sun50i_aci {
	SUN50I_ACI_NONE = 1,
	SUN50I_ACI_RD = 2,
	SUN50I_ACI_WR = 3,
	SUN50I_ACI_RD_WR = 4,
};

static const struct two_level32_limits sun50i_limits = {
	.levels = 2, .min_ias = 32, .max_ias = 32, .default_ias = 32,
	.max_oas = 32, .default_oas = 32,
};

static int sun50i_init(struct ims_pt *pt)
{
	struct pt_level *l0 = &pt->lvl[0], *l1 = &pt->lvl[1];
	int ret = two_level32_settle(pt, &sun50i_limits);

	if (ret)
		return ret;
	two_level32_geometry(pt, 12, 8);
	pt->present_mask = SUN50I_DTE_TYPE; /* DTE bit 0, PTE bit 1 */
	pt->table_addr_mask = PT_GENMASK(31, 10);
	l1->table_mask = SUN50I_DTE_TYPE;
	l1->table_match = SUN50I_DTE_VALID;
	l0->single_mask = 0;
	l0->single_match = 0;
	l0->oa_mask = PT_GENMASK(31, 12);
	l0->pgsizes = PT_BIT(12);
	return 0;
}

static int sun50i_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	enum sun50i_aci aci = SUN50I_ACI_NONE;

	if ((prot & IMS_PROT_READ) && (prot & IMS_PROT_WRITE))
		aci = SUN50I_ACI_RD_WR;
	else if (prot & IMS_PROT_READ)
		aci = SUN50I_ACI_RD;
	else if (prot & IMS_PROT_WRITE)
		aci = SUN50I_ACI_WR;
	*bits = (uint64_t)aci << SUN50I_ACI_SHIFT | SUN50I_PTE_VALID;
	return 0;
}

static uint64_t sun50i_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
				 unsigned int size_lg2, uint64_t bits)
{
	return pa | bits;
}

static uint64_t sun50i_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return (uintptr_t)table | SUN50I_DTE_VALID;
}

static int sun50i_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	switch ((e & SUN50I_ACI_MASK) >> SUN50I_ACI_SHIFT) {
	case SUN50I_ACI_RD_WR:
		return IMS_PROT_READ | IMS_PROT_WRITE;
	case SUN50I_ACI_RD:
		return IMS_PROT_READ;
	case SUN50I_ACI_WR:
		return IMS_PROT_WRITE;
	default:
		return 0;
	}
}

const struct pt_format pt_fmt_sun50i = {
	.init = sun50i_init,
	.leaf_bits = sun50i_leaf_bits,
	.make_leaf = sun50i_make_leaf,
	.make_table = sun50i_make_table,
	.leaf_prot = sun50i_leaf_prot,
	.pa_linear = true,
};
