/* SPDX-License-Identifier: MIT */
/*
 * The TI OMAP IOMMU driver model (see omap.c): one MMU per remote
 * processor (DSP, IPU), one client device per domain.
 */
#ifndef IMS_DRIVERS_OMAP_H
#define IMS_DRIVERS_OMAP_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_omap_ops;

/* Register one MMU named @name with @tlb_entries (8 or 32). */
int ims_omap_register(struct ims_core *core, const char *name, unsigned int tlb_entries,
		      struct ims_iommu **out);
/* The one device an OMAP domain serves, or NULL. */
struct ims_device *ims_omap_domain_device(struct ims_domain *domain);

#endif
