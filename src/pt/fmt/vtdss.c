// SPDX-License-Identifier: MIT
/*
 * Intel VT-d second-stage page tables.
 *
 * Intel Virtualization Technology for Directed I/O, Architecture Spec.:
 *   3.7   Second-Stage Translation (and 3.7.1 for the address widths:
 *         AGAW 39, 48 and 57 bits with 3, 4 and 5 levels);
 *   9.8   Second-Stage Paging Entries (SS-PML5E, SS-PML4E, SS-PDPE, SS-PDE,
 *         SS-PTE);
 *   3.9   Accessed, Extended Accessed and Dirty Flags (second-stage A/D,
 *         enabled by SSADE in the scalable-mode PASID entry).
 *
 * Levels: SS-PTE 0, SS-PDE 1, SS-PDPE 2, SS-PML4E 3, SS-PML5E 4.  Pages of
 * 4 KiB, 2 MiB (SS-PDE with PS) and 1 GiB (SS-PDPE with PS; hardware
 * without 1 GiB support narrows cfg.pgsize_bitmap).
 *
 * Entry bits:
 *    0  R    read                  8  A    accessed
 *    1  W    write                 9  D    dirty
 *    2  X    execute (unused)      11 SNP  snoop
 *    5:3 EMT, 6 IPAT (unused)      51:12 address (2 MiB: 51:21, 1 GiB: 51:30)
 *    7  PS   page (SS-PDE, SS-PDPE) 62 TM  (unused)
 *
 * There is no present bit: an entry with neither R nor W is not present.
 * Tables are R|W (permissions are ANDed along the walk, so the page's
 * decide), as the kernel writes them.  Pages carry R and W from the prot,
 * and SNP for IMS_PROT_CACHE when the table has IMS_PT_FEAT_SNOOP (the
 * kernel's force-coherence for domains that enforce cache coherency).  D is
 * the dirty bit for IMS_PT_FEAT_DIRTY.  Defaults: 4 levels, OAS 52.
 */
#include <errno.h>

#include "pt/pt_format.h"

#define VTD_R PT_BIT(0)
#define VTD_W PT_BIT(1)
#define VTD_PS PT_BIT(7)
#define VTD_D PT_BIT(9)
#define VTD_SNP PT_BIT(11)
#define VTD_ADDR PT_GENMASK(51, 12)

#define VTD_LEAF_TOP 2 /* SS-PDPEs are the highest entries that map pages */

static const struct pt_geom_limits vtdss_limits = {
	.granule_lg2 = 12, .table_lg2 = 12,
	.min_levels = 3, .max_levels = 5, .default_levels = 4,
	.max_ias = 57, .max_oas = 52,
	.features = IMS_PT_FEAT_DIRTY | IMS_PT_FEAT_SNOOP,
};

static int vtdss_init(struct ims_pt *pt)
{
	int ret;

	pt->entry_lg2 = 3;
	ret = pt_geom_settle(pt, &vtdss_limits);
	if (ret)
		return ret;
	pt->present_mask = VTD_R | VTD_W;
	pt->table_addr_mask = VTD_ADDR;
	pt->dirty_bit = pt->cfg.features & IMS_PT_FEAT_DIRTY ? VTD_D : 0;
	pt_geom_flag_leaves(pt, VTD_PS, VTD_LEAF_TOP, 51);
	return 0;
}

static int vtdss_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = (prot & IMS_PROT_READ ? VTD_R : 0) | (prot & IMS_PROT_WRITE ? VTD_W : 0);
	if ((prot & IMS_PROT_CACHE) && (pt->cfg.features & IMS_PT_FEAT_SNOOP))
		*bits |= VTD_SNP;
	return 0;
}

static uint64_t vtdss_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
				unsigned int size_lg2, uint64_t bits)
{
	return bits | pa | (level ? VTD_PS : 0);
}

static uint64_t vtdss_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return VTD_R | VTD_W | (uintptr_t)table;
}

static int vtdss_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return (e & VTD_R ? IMS_PROT_READ : 0) | (e & VTD_W ? IMS_PROT_WRITE : 0) |
	       (e & VTD_SNP ? IMS_PROT_CACHE : 0);
}

const struct pt_format pt_fmt_vtdss = {
	.init = vtdss_init,
	.leaf_bits = vtdss_leaf_bits,
	.make_leaf = vtdss_make_leaf,
	.make_table = vtdss_make_table,
	.leaf_prot = vtdss_leaf_prot,
	.pa_linear = true,
};
