/* SPDX-License-Identifier: MIT */
/*
 * The MediaTek M4U generation one (mt2701) driver model, after the
 * kernel's drivers/iommu/mtk_iommu_v1.c.
 *
 * One M4U walks one flat 4 MiB table (src/pt IMS_PT_MTK_V1).  The kernel
 * driver serves exactly one domain per M4U: the "internal" domain of the
 * ARM DMA mapping it creates when its first master probes
 * (arm_iommu_create_mapping, 0..4 GiB).  attach_dev checks
 * "Only allow the domain created internally": any other domain gets 0 and
 * nothing happens; the first attach of the internal domain allocates the
 * table and points the M4U at it.  The series of 2022 converted that 0
 * into EMEDIUMTYPE in v2 and dropped the change in v4, so the seed profile
 * (Kevin Tian's list converted) answers the incompatible errno and the
 * others answer a silent 0.
 */
#ifndef IMS_DRIVERS_MTK_IOMMU_V1_H
#define IMS_DRIVERS_MTK_IOMMU_V1_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_mtk_v1_ops;

/* Register an M4U. */
int ims_mtk_v1_register(struct ims_core *core, const char *name, struct ims_iommu **out);

/* The M4U's internal mapping domain (made when its first master probed), or NULL. */
struct ims_domain *ims_mtk_v1_mapping_domain(struct ims_iommu *iommu);

#endif
