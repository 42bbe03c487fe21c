/* SPDX-License-Identifier: MIT */
/*
 * The Spreadtrum (Unisoc) IOMMU driver model (see sprd.c): one IOMMU per
 * multimedia block, a flat table over a 256 MiB window, one group per
 * instance.
 */
#ifndef IMS_DRIVERS_SPRD_H
#define IMS_DRIVERS_SPRD_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_sprd_ops;

/* Register one instance named @name. */
int ims_sprd_register(struct ims_core *core, const char *name, struct ims_iommu **out);
/* The instance a sprd domain's table was allocated for (its first attach), or NULL. */
struct ims_iommu *ims_sprd_domain_table_owner(struct ims_domain *domain);

#endif
