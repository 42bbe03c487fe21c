// SPDX-License-Identifier: MIT
/*
 * Spreadtrum (Unisoc) IOMMU page table: a flat array of 32-bit physical
 * page numbers.
 *
 * There is no public manual; the facts come from the kernel's driver
 * (torvalds/linux drivers/iommu/sprd-iommu.c) and the binding
 * (Documentation/devicetree/bindings/iommu/sprd,iommu.yaml):
 *   - the IOMMU translates the virtual page numbers FIRST_VPN ..
 *     FIRST_VPN + VPN_RANGE through one array whose physical page number is
 *     in FIRST_PPN (registers SPRD_EX_* / SPRD_VAU_*, depending on the IP
 *     version read from bits 15:8 of the version register);
 *   - word k of the array translates the 4 KiB page FIRST_VPN + k: it holds
 *     the physical page number, PA >> 12 (sprd_iommu_map writes
 *     pabase >> SPRD_IOMMU_PAGE_SHIFT), 32 bits wide, so the hardware
 *     reaches 2^44 bytes;
 *   - there is no valid bit and no permission: unmap writes 0, and a
 *     translation fault (outside the window) goes to the default page
 *     (DEFAULT_PPN).  A word of 0 therefore also means "page 0": the
 *     kernel cannot tell them apart (its iova_to_phys returns 0 + offset),
 *     and neither can we -- a mapping of physical page 0 is invisible.
 *     In iommusim's memory model page 0 is never a process address.
 *
 * Levels: level 0 holds the words (flat32.h), in 64 KiB quarters under a
 * software directory (level 1) when the window is wider than 64 MiB, as
 * the kernel's 256 MiB window is.  Pages: 4 KiB only; the kernel's older
 * pgsize_bitmap (every size from 4 KiB, v5.13-v6.5) wrote larger sizes as
 * runs of 4 KiB words, which the driver model does with 4 KiB leaves.
 *
 * Configuration: ias 13..32 (default 28: the kernel's 256 MiB aperture),
 * oas up to 44 (default 44; the kernel's driver truncates the PA to 32
 * bits before shifting, so its model asks for 32).
 */
#include <errno.h>

#include "flat32.h"

#define SPRD_PAGE_LG2 12
#define SPRD_PPN PT_GENMASK(31, 0)

static const struct pt_flat32_limits sprd_limits = {
	.max_ias = 32, .default_ias = 28, .max_oas = 44, .oa_mask = SPRD_PPN,
};

static int sprd_init(struct ims_pt *pt)
{
	int ret = pt_flat32_settle(pt, &sprd_limits);

	pt->present_mask = SPRD_PPN; /* any non-zero word */
	pt->pa_shift = -SPRD_PAGE_LG2;
	return ret;
}

static int sprd_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = 0; /* no permission or attribute bits */
	return 0;
}

static uint64_t sprd_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			       unsigned int size_lg2, uint64_t bits)
{
	return pa >> SPRD_PAGE_LG2;
}

static int sprd_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return IMS_PROT_READ | IMS_PROT_WRITE;
}

const struct pt_format pt_fmt_sprd = {
	.init = sprd_init,
	.leaf_bits = sprd_leaf_bits,
	.make_leaf = sprd_make_leaf,
	.make_table = pt_flat32_make_dir,
	.leaf_prot = sprd_leaf_prot,
	.pa_linear = true,
};
