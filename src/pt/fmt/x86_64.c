// SPDX-License-Identifier: MIT
/*
 * x86-64 paging, as IOMMUs walk it: Intel VT-d first-stage translation and
 * AMD v2 (guest) I/O page tables.
 *
 * Intel 64 and IA-32 Architectures Software Developer's Manual, Vol. 3A:
 *   4.5   4-Level Paging and 5-Level Paging (the PML5E, PML4E, PDPTE, PDE
 *         and PTE formats; 1 GiB and 2 MiB pages through PS).
 * Intel Virtualization Technology for Directed I/O, Architecture Spec.:
 *   3.6   First-Stage Translation; 9.7 First-Stage Paging Entries.
 * AMD I/O Virtualization Technology (IOMMU) Specification (pub. 48882):
 *   2.2.6 I/O Page Tables for Guest Translations (GCR3 tables: the x86-64
 *         long-mode format).
 *
 * Levels: PTE 0, PDE 1, PDPTE 2, PML4E 3, PML5E 4.  4 levels translate
 * 48 IOVA bits, 5 levels 57.  Pages of 4 KiB (level 0), 2 MiB (a PDE with
 * PS) and 1 GiB (a PDPTE with PS); PML4Es and PML5Es always point at
 * tables.  Only the lower half of the address space: IOVAs are below
 * 2^IAS, without the sign-extended upper half.
 *
 * Entry bits:
 *    0  P    present              5  A    accessed
 *    1  R/W  writable             6  D    dirty (pages)
 *    2  U/S  user                 7  PS   page (PDE, PDPTE)
 *    3  PWT  write-through        12 PAT  (2 MiB / 1 GiB pages; bit 7 in a PTE)
 *    4  PCD  cache disable        51:12 address (2 MiB: 51:21, 1 GiB: 51:30)
 *   63  XD   execute disable
 *
 * What we write, after the kernel (generic_pt's x86_64 format): tables are
 * P|R/W|U/S|A; pages are P|U/S|A, plus R/W|D when writable.  x86 cannot
 * express write-only: a writable page is also readable.  Our additions, for
 * the IMS_PROT bits the kernel leaves unused: NOEXEC sets XD, MMIO sets
 * PCD|PWT (uncached), PRIV clears U/S.  With IMS_PT_FEAT_DIRTY, writable
 * pages start clean and a device write sets D, as the hardware does when
 * A/D updates are enabled.  Defaults: 4 levels, OAS 52.
 */
#include <errno.h>

#include "pt/pt_format.h"

#define X86_P PT_BIT(0)
#define X86_RW PT_BIT(1)
#define X86_US PT_BIT(2)
#define X86_PWT PT_BIT(3)
#define X86_PCD PT_BIT(4)
#define X86_A PT_BIT(5)
#define X86_D PT_BIT(6)
#define X86_PS PT_BIT(7)
#define X86_ADDR PT_GENMASK(51, 12)
#define X86_XD PT_BIT(63)

#define X86_LEAF_TOP 2 /* PDPTEs are the highest entries that map pages */

static const struct pt_geom_limits x86_64_limits = {
	.granule_lg2 = 12, .table_lg2 = 12,
	.min_levels = 4, .max_levels = 5, .default_levels = 4,
	.max_ias = 57, .max_oas = 52,
	.features = IMS_PT_FEAT_DIRTY,
};

static int x86_64_init(struct ims_pt *pt)
{
	int ret;

	pt->entry_lg2 = 3;
	ret = pt_geom_settle(pt, &x86_64_limits);
	if (ret)
		return ret;
	pt->present_mask = X86_P;
	pt->table_addr_mask = X86_ADDR;
	pt->dirty_bit = pt->cfg.features & IMS_PT_FEAT_DIRTY ? X86_D : 0;
	pt_geom_flag_leaves(pt, X86_PS, X86_LEAF_TOP, 51);
	return 0;
}

static int x86_64_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	uint64_t b = X86_A;

	if (prot & IMS_PROT_WRITE)
		b |= X86_RW | (pt->dirty_bit ? 0 : X86_D);
	if (!(prot & IMS_PROT_PRIV))
		b |= X86_US;
	if (prot & IMS_PROT_NOEXEC)
		b |= X86_XD;
	if (prot & IMS_PROT_MMIO)
		b |= X86_PCD | X86_PWT;
	*bits = b;
	return 0;
}

static uint64_t x86_64_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
				 unsigned int size_lg2, uint64_t bits)
{
	return X86_P | bits | pa | (level ? X86_PS : 0);
}

static uint64_t x86_64_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return X86_P | X86_RW | X86_US | X86_A | (uintptr_t)table;
}

static int x86_64_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return IMS_PROT_READ | (e & X86_RW ? IMS_PROT_WRITE : 0) |
	       (e & X86_XD ? IMS_PROT_NOEXEC : 0) | (e & X86_PCD ? IMS_PROT_MMIO : 0) |
	       (e & X86_US ? 0 : IMS_PROT_PRIV);
}

const struct pt_format pt_fmt_x86_64 = {
	.init = x86_64_init,
	.leaf_bits = x86_64_leaf_bits,
	.make_leaf = x86_64_make_leaf,
	.make_table = x86_64_make_table,
	.leaf_prot = x86_64_leaf_prot,
	.pa_linear = true,
};
