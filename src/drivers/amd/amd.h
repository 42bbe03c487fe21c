/* SPDX-License-Identifier: MIT */
/*
 * The AMD-Vi driver model (torvalds/linux drivers/iommu/amd/): instances
 * described by their Extended Feature Register, protection domains that
 * are global across instances, AMD v1 host page tables by default and
 * x86-64 (v2) tables for PASID-capable domains, dirty tracking with the
 * host dirty bit, the MSI and HyperTransport reserved ranges.  See amd.c
 * for the attach rules and docs/drivers.md ("## amd").
 */
#ifndef IMS_DRIVERS_AMD_H
#define IMS_DRIVERS_AMD_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_amd_ops;

/* Extended Feature Register bits used (AMD I/O Virtualization Technology
 * (IOMMU) Specification, "MMIO Offset 0030h IOMMU Extended Feature
 * Register"; the kernel's FEATURE_* in amd_iommu_types.h). */
#define IMS_AMD_EFR_PPR      (1ull << 1)   /* peripheral page requests */
#define IMS_AMD_EFR_GT       (1ull << 4)   /* guest translation (v2 tables) */
#define IMS_AMD_EFR_HATS(e)  ((unsigned int)(((e) >> 10) & 3)) /* host levels - 4 */
#define IMS_AMD_EFR_GATS(e)  ((unsigned int)(((e) >> 12) & 3)) /* 1: 5-level guest */
#define IMS_AMD_EFR_GIOSUP   (1ull << 48)  /* guest I/O protection */
#define IMS_AMD_EFR_HASUP    (1ull << 49)  /* host access bit */
#define IMS_AMD_EFR_EPHSUP   (1ull << 50)  /* enhanced PPR handling */
#define IMS_AMD_EFR_HDSUP    (1ull << 52)  /* host dirty bit */

struct ims_amd_cfg {
	uint64_t efr;
	bool no_intremap;      /* the IVRS leaves interrupt remapping off */
};

int ims_amd_register(struct ims_core *core, const char *name, const struct ims_amd_cfg *cfg,
		     struct ims_iommu **out);
uint64_t ims_amd_efr(const struct ims_iommu *iommu);
bool ims_amd_intremap(const struct ims_iommu *iommu);

/* The driver's fixed reserved ranges (MSI_RANGE_*, HT_RANGE_*). */
#define IMS_AMD_MSI_START 0xfee00000ull
#define IMS_AMD_MSI_END   0xfeefffffull
#define IMS_AMD_HT_START  0xfd00000000ull
#define IMS_AMD_HT_END    0xffffffffffull

struct ims_amd_domain_info {
	bool v2;               /* x86-64 table (PASID-capable); else AMD v1 */
	unsigned int levels;
	unsigned int nr_devices;
	struct ims_pt *pt;
};

/* -EINVAL when @domain is not an amd paging domain. */
int ims_amd_domain_info(struct ims_domain *domain, struct ims_amd_domain_info *out);

#endif
