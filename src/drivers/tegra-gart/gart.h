/* SPDX-License-Identifier: MIT */
/*
 * The Tegra20 GART driver model (see gart.c): one GART per system, a
 * linear window (the aperture) remapped page by page, one active domain at
 * a time.  The driver left the kernel in v6.7.
 */
#ifndef IMS_DRIVERS_TEGRA_GART_H
#define IMS_DRIVERS_TEGRA_GART_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_gart_ops;

/* Register the GART with its aperture [@base, @base + @size). -EINVAL for a bad one. */
int ims_gart_register(struct ims_core *core, const char *name, uint64_t base, uint64_t size,
		      struct ims_iommu **out);
/* The domain the GART runs now (its active domain), or NULL. */
struct ims_domain *ims_gart_active_domain(struct ims_iommu *iommu);

#endif
