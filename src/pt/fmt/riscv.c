// SPDX-License-Identifier: MIT
/*
 * RISC-V Sv39, Sv48 and Sv57 page tables, as the RISC-V IOMMU walks them
 * for first-stage translation (the device context's iosatp; the kernel's
 * riscv-iommu driver, drivers/iommu/riscv/).
 *
 * The RISC-V Instruction Set Manual, Volume II: Privileged Architecture
 * (version 20211203, v1.12):
 *   4.3.1 Addressing and Memory Protection (the PTE format: V R W X U G A
 *         D, RSW, PPN; which R/W/X combinations are leaves);
 *   4.3.2 Virtual Address Translation Process (a valid PTE with R = W =
 *         X = 0 points at the next table; leaves at any level; a
 *         superpage's low PPN fields must be zero);
 *   4.4   Sv39, 4.5 Sv48, 4.6 Sv57: 3, 4 and 5 levels of 512 eight-byte
 *         PTEs, PPN in bits 53:10, 56-bit physical addresses;
 *   Svpbmt (chapter "Svpbmt" of the same volume): PBMT in bits 62:61.
 * The RISC-V IOMMU Architecture Specification v1.0 takes these formats
 * unchanged for first-stage tables (its Sv39x4 .. Sv57x4 second-stage
 * variants are not modelled) and lets the IOMMU set A and D itself when
 * the device context enables it (DC.tc.SADE): our dirty tracking.
 *
 * Levels: level 0 holds 4 KiB pages, level 1 2 MiB megapages, level 2
 * 1 GiB gigapages, level 3 (Sv48, Sv57) 512 GiB terapages, level 4 (Sv57)
 * 256 TiB petapages: the architecture allows a leaf at every level.  Only
 * the lower half of the address space: IOVAs are below 2^IAS, without the
 * sign-extended upper half.
 *
 * Entry bits:
 *    0  V    valid                5  G    global (unused)
 *    1  R    readable             6  A    accessed
 *    2  W    writable             7  D    dirty
 *    3  X    executable           9:8 RSW (software)
 *    4  U    user                 53:10 PPN: the address bits 55:12
 *   62:61 PBMT (Svpbmt: 0 PMA, 1 NC, 2 IO)   63 N (Svnapot, unused)
 *
 * The PPN field holds the address shifted right by two: pa_shift -2
 * (PT_RISCV_SHIFT, which the engine's unrolled fast paths know).
 *
 * What we write, after the kernel's riscv-iommu driver: tables are V and
 * the PPN (non-leaf A, D and U are reserved, cleared); pages are V|R|A|U,
 * plus W|D when writable.  R is always set (W without R is reserved, and a
 * leaf needs R or X), X never: every page is no-execute.  Our additions,
 * for the IMS_PROT bits the kernel leaves unused: PRIV clears U, MMIO sets
 * PBMT = IO.  With IMS_PT_FEAT_DIRTY, writable pages start clean and a
 * device write sets D.  Defaults: 3 levels (Sv39), OAS 56.
 */
#include <errno.h>

#include "pt/pt_format.h"

#define RV_V PT_BIT(0)
#define RV_R PT_BIT(1)
#define RV_W PT_BIT(2)
#define RV_X PT_BIT(3)
#define RV_U PT_BIT(4)
#define RV_A PT_BIT(6)
#define RV_D PT_BIT(7)
#define RV_PPN PT_GENMASK(53, 10)
#define RV_PBMT_MASK PT_GENMASK(62, 61)
#define RV_PBMT_IO PT_BIT(62)
#define RV_PPN_SHIFT (-PT_RISCV_SHIFT) /* PPN at bit 10 holds the address from bit 12 */
#define RV_OAS 56

static const struct pt_geom_limits riscv_limits = {
	.granule_lg2 = 12, .table_lg2 = 12,
	.min_levels = 3, .max_levels = 5, .default_levels = 3,
	.max_ias = 57, .max_oas = RV_OAS,
	.features = IMS_PT_FEAT_DIRTY,
};

static int riscv_init(struct ims_pt *pt)
{
	int ret;

	pt->entry_lg2 = 3;
	ret = pt_geom_settle(pt, &riscv_limits);
	if (ret)
		return ret;
	pt->pa_shift = PT_RISCV_SHIFT;
	pt->table_shift = PT_RISCV_SHIFT;
	pt->present_mask = RV_V;
	pt->table_addr_mask = RV_PPN;
	pt->dirty_bit = pt->cfg.features & IMS_PT_FEAT_DIRTY ? RV_D : 0;
	for (unsigned int l = 0; l <= pt->top; l++) {
		struct pt_level *lvl = &pt->lvl[l];

		lvl->single_mask = 0;
		lvl->single_match = 0;
		lvl->oa_mask = PT_GENMASK(53, lvl->shift - RV_PPN_SHIFT);
		lvl->pgsizes = PT_BIT(lvl->shift);
		if (l) { /* R = W = X = 0: a pointer to the next table */
			lvl->table_mask = RV_R | RV_W | RV_X;
			lvl->table_match = 0;
		}
	}
	return 0;
}

static int riscv_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	uint64_t b = RV_R | RV_A;

	if (prot & IMS_PROT_WRITE)
		b |= RV_W | (pt->dirty_bit ? 0 : RV_D);
	if (!(prot & IMS_PROT_PRIV))
		b |= RV_U;
	if (prot & IMS_PROT_MMIO)
		b |= RV_PBMT_IO;
	*bits = b;
	return 0;
}

static uint64_t riscv_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
				unsigned int size_lg2, uint64_t bits)
{
	return RV_V | bits | (pa >> RV_PPN_SHIFT);
}

static uint64_t riscv_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return RV_V | ((uintptr_t)table >> RV_PPN_SHIFT);
}

static int riscv_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return (e & RV_R ? IMS_PROT_READ : 0) | (e & RV_W ? IMS_PROT_WRITE : 0) |
	       (e & RV_X ? 0 : IMS_PROT_NOEXEC) | (e & RV_U ? 0 : IMS_PROT_PRIV) |
	       ((e & RV_PBMT_MASK) == RV_PBMT_IO ? IMS_PROT_MMIO : 0);
}

const struct pt_format pt_fmt_riscv = {
	.init = riscv_init,
	.leaf_bits = riscv_leaf_bits,
	.make_leaf = riscv_make_leaf,
	.make_table = riscv_make_table,
	.leaf_prot = riscv_leaf_prot,
	.pa_linear = true,
};
