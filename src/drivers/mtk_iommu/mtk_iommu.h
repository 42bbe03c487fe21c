/* SPDX-License-Identifier: MIT */
/*
 * The MediaTek M4U driver model (mt8173 and later), after the kernel's
 * drivers/iommu/mtk_iommu.c.
 *
 * An M4U ("data" in the driver) walks one page table per bank; this model
 * has bank 0 only, as the multimedia M4Us do.  M4Us of a SoC that share a
 * page table (SHARE_PGTABLE: mt8195's VDO and VPP IOMMUs) form one
 * "hardware list" whose first M4U ("frstdata") holds the shared state.
 * Page tables are the ARM short descriptor with MediaTek's extensions
 * (src/pt IMS_PT_ARM_V7S + IMS_PT_FEAT_MTK_EXT, NS), 4K/64K/1M/16M.
 *
 * A paging domain is finalised at its first attach, against the first
 * M4U of the device's hardware list: it gets its own table, or the shared
 * one (see mtk_iommu.c for which, per era), and the IOVA region of the
 * device as its aperture; it is then bound to the bank of the device's
 * M4U.  A bank's hardware is initialised once, for the first domain
 * attached to it: its page-table base register is never written again.
 * There is no incompatibility check.
 */
#ifndef IMS_DRIVERS_MTK_IOMMU_H
#define IMS_DRIVERS_MTK_IOMMU_H

#include "core/core.h"

/* mtk_iommu_plat_data: what the driver knows about each compatible. */
struct ims_mtk_plat {
	const char *compatible;
	bool has_4gb_mode;     /* HAS_4GB_MODE: OAS 33 in 4 GB mode, else 32 (else 35) */
	bool iova_34;          /* IOVA_34_EN: 34-bit IOVA */
	const char *share_pgtable; /* SHARE_PGTABLE: the hardware list's name, else NULL */
};

/* The knobs of one M4U (from its device-tree node). */
struct ims_mtk_cfg {
	const struct ims_mtk_plat *plat;
	bool enable_4gb;       /* 4 GB mode: DRAM above 4 GiB (iommusim,4gb-mode) */
};

extern const struct ims_iommu_ops ims_mtk_ops;
extern const struct ims_mtk_plat ims_mtk_plats[]; /* ends with a NULL compatible */

int ims_mtk_register(struct ims_core *core, const char *name, const struct ims_mtk_cfg *cfg,
		     struct ims_iommu **out);

/* The domain whose table bank 0 of @iommu walks (NULL: the bank is not initialised). */
uint32_t ims_mtk_bank_domain_id(struct ims_iommu *iommu);
/* Do two paging domains of this driver share one page table? */
bool ims_mtk_domains_share_table(struct ims_domain *a, struct ims_domain *b);

#endif
