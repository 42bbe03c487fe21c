// SPDX-License-Identifier: MIT
/*
 * NVIDIA Tegra20 GART (Graphics Address Relocation Table): one 32-bit
 * entry per 4 KiB page of a fixed aperture of the physical address space.
 *
 * Tegra20 Technical Reference Manual, Memory Controller, "GART" registers
 * (MC_GART_CONFIG, MC_GART_ENTRY_ADDR, MC_GART_ENTRY_DATA); the kernel's
 * driver (torvalds/linux drivers/iommu/tegra-gart.c, removed in v6.7) and
 * the binding (nvidia,tegra20-mc-gart / the older nvidia,tegra20-gart:
 * the second reg range is the aperture, 32 MiB at 0x58000000):
 *   - the table lives inside the memory controller; software writes an
 *     entry by writing the IOVA to ENTRY_ADDR and the entry to ENTRY_DATA
 *     (the kernel keeps a copy, "savedata", for suspend: exactly our array);
 *   - entry: bit 31 valid (GART_ENTRY_PHYS_ADDR_VALID), bits 30:12 the
 *     physical page (GART_PAGE_MASK), so pages below 2 GiB; no permission
 *     bits; an unused entry is 0.
 *
 * IOVAs here are offsets into the aperture: the GART decodes addresses
 * inside its aperture window and the index of an entry is the offset of
 * its page.  The driver model subtracts the aperture base.
 *
 * Levels: level 0 holds the entries (flat32.h; a directory only for an
 * aperture wider than 64 MiB, which no GART has).  Pages: 4 KiB.
 * Configuration: ias 13..32 (default 25: the Tegra20 aperture), oas <= 31.
 */
#include <errno.h>

#include "flat32.h"

#define GART_VALID PT_BIT(31)
#define GART_PAGE_MASK PT_GENMASK(30, 12)

static const struct pt_flat32_limits gart_limits = {
	.max_ias = 32, .default_ias = 25, .max_oas = 31, .oa_mask = GART_PAGE_MASK,
};

static int gart_init(struct ims_pt *pt)
{
	pt->present_mask = GART_VALID; /* the directory's entries carry it too */
	return pt_flat32_settle(pt, &gart_limits);
}

static int gart_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = 0; /* the GART has no permission bits */
	return 0;
}

static uint64_t gart_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			       unsigned int size_lg2, uint64_t bits)
{
	return GART_VALID | pa;
}

static int gart_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return IMS_PROT_READ | IMS_PROT_WRITE;
}

const struct pt_format pt_fmt_tegra_gart = {
	.init = gart_init,
	.leaf_bits = gart_leaf_bits,
	.make_leaf = gart_make_leaf,
	.make_table = pt_flat32_make_dir,
	.leaf_prot = gart_leaf_prot,
	.pa_linear = true,
};
