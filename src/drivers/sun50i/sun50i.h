/* SPDX-License-Identifier: MIT */
/*
 * The Allwinner H6 (sun50i) IOMMU driver model, after the kernel's
 * drivers/iommu/sun50i-iommu.c.
 *
 * One IOMMU translates for all the SoC's media masters through one page
 * table at a time (its TTB register); all masters of an instance are in
 * one group (generic_single_device_group).  A domain is one table (src/pt
 * IMS_PT_SUN50I, 4 KiB pages, 32-bit IOVA and PA) counted by the devices
 * attached to it.  No incompatibility check.
 */
#ifndef IMS_DRIVERS_SUN50I_H
#define IMS_DRIVERS_SUN50I_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_sun50i_ops;

int ims_sun50i_register(struct ims_core *core, const char *name, struct ims_iommu **out);

/* The domain whose table the instance walks (0: none, the identity domain). */
uint32_t ims_sun50i_active_domain(struct ims_iommu *iommu);

#endif
