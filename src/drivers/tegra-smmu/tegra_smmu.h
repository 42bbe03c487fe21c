/* SPDX-License-Identifier: MIT */
/*
 * The Tegra SMMU driver model (see tegra_smmu.c): the memory controller's
 * SMMU of Tegra30..Tegra210, address spaces (ASIDs) of a two-level table,
 * masters identified by their swgroup.
 */
#ifndef IMS_DRIVERS_TEGRA_SMMU_H
#define IMS_DRIVERS_TEGRA_SMMU_H

#include "core/core.h"

#define TEGRA_SMMU_MAX_ASIDS 128

/* What differs between SoCs (the kernel's tegra_smmu_soc / tegra_mc_soc). */
struct tegra_smmu_soc {
	const char *name;              /* "tegra124" */
	unsigned int num_asids;        /* 4 (Tegra30, Tegra114) or 128 */
	unsigned int address_bits;     /* 32, or 34 from Tegra124 on */
	const uint32_t *group_swgroups; /* the "display" group: swgroups sharing an IOMMU group */
	unsigned int nr_group_swgroups;
};

extern const struct ims_iommu_ops ims_tegra_smmu_ops;

int ims_tegra_smmu_register(struct ims_core *core, const char *name,
			    const struct tegra_smmu_soc *soc, struct ims_iommu **out);
/* ASIDs in use. */
unsigned int ims_tegra_smmu_asids_used(struct ims_iommu *iommu);
/* The ASID a tegra-smmu domain holds, or -1 while it holds none. */
int ims_tegra_smmu_domain_asid(struct ims_domain *domain);

#endif
