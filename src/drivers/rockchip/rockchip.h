/* SPDX-License-Identifier: MIT */
/*
 * The Rockchip IOMMU driver model, after the kernel's
 * drivers/iommu/rockchip-iommu.c.
 *
 * An IOMMU instance serves the masters of one block (a VOP, a video
 * codec) and walks one directory table at a time; a domain is one such
 * table (src/pt IMS_PT_ROCKCHIP: v1, or v2 with 40-bit PAs for rk3568 and
 * later) and may be walked by several instances at once: domains are
 * shared across instances, there is no incompatibility check.  The kernel
 * keeps one layout for the whole system (rk_ops, taken from the first
 * instance to probe), so v1 and v2 instances in one platform are refused.
 */
#ifndef IMS_DRIVERS_ROCKCHIP_H
#define IMS_DRIVERS_ROCKCHIP_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_rockchip_ops;

/* Register an instance (@v2: the rk3568 layout).  -EINVAL: its layout differs from others'. */
int ims_rockchip_register(struct ims_core *core, const char *name, bool v2,
			  struct ims_iommu **out);

/* The domain whose directory the instance walks (0: none). */
uint32_t ims_rockchip_active_domain(struct ims_iommu *iommu);

#endif
