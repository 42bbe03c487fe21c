// SPDX-License-Identifier: MIT
/*
 * The AMD-Vi model's compatibility cases for `iommusim matrix`, on the
 * built-in x86-amd platform (src/topo/platforms/x86-amd.dts):
 *
 *   0000:01:00.0  behind fd200000.iommu (host dirty bit), default DMA
 *   0000:02:00.0  behind fd200000.iommu, PASID-capable: default identity
 *   0000:03:00.0  behind fd300000.iommu (no host dirty bit), default DMA
 */
#include "amd.h"
#include "drivers/registry.h"

const struct ims_matrix_case ims_amd_matrix_cases[] = {
	{
		.name = "dirty-unsupported", .platform = "x86-amd",
		.domain_for = "0000:01:00.0", .alloc_flags = IMS_ALLOC_DIRTY_TRACKING,
		.bind_first = true, .target = "0000:03:00.0", .incompatible = true,
	},
	{
		.name = "v2-not-identity", .platform = "x86-amd",
		.domain_for = "0000:02:00.0", .alloc_flags = IMS_ALLOC_PASID,
		.bind_first = true, .target = "0000:01:00.0", .incompatible = true,
	},
	{
		.name = "shared-domain", .platform = "x86-amd",
		.domain_for = "0000:01:00.0", .bind_first = true,
		.target = "0000:03:00.0", .incompatible = false,
	},
	{ 0 },
};
