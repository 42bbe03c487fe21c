/* SPDX-License-Identifier: MIT */
/*
 * The Samsung Exynos SYSMMU driver model, after the kernel's
 * drivers/iommu/exynos-iommu.c.
 *
 * Every master has its own SYSMMU; a domain is one page table (src/pt
 * IMS_PT_EXYNOS, 4K/64K/1M) that any SYSMMU may walk: attaching a device
 * switches its SYSMMU's page-table base to the domain, after taking it off
 * its previous domain (the identity domain's attach).  No incompatibility
 * check: domains are shared across SYSMMUs.  The hardware version (from
 * REG_MMU_VERSION) picks the descriptor layout: before v5 32-bit, from v5
 * on 36-bit PAs shifted by 4; the kernel keeps one layout for the whole
 * system (PG_ENT_SHIFT, set by the first SYSMMU to probe), so SYSMMUs of
 * both kinds in one platform are refused.
 */
#ifndef IMS_DRIVERS_EXYNOS_H
#define IMS_DRIVERS_EXYNOS_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_exynos_ops;

/* Register a SYSMMU of hardware version @major.@minor.  -EINVAL: its layout differs from others'. */
int ims_exynos_register(struct ims_core *core, const char *name, unsigned int major,
			unsigned int minor, struct ims_iommu **out);

/* The domain whose table the SYSMMU walks (0: none, the identity). */
uint32_t ims_exynos_active_domain(struct ims_iommu *iommu);

#endif
