// SPDX-License-Identifier: MIT
/*
 * The mock driver's compatibility cases for `iommusim matrix`, on the
 * built-in mock platform (src/topo/platforms/mock.dts):
 *
 *   0000:01:00.0  behind 10000000.iommu (dirty tracking, snoop control)
 *   0000:11:00.0  behind 11000000.iommu (narrow, 2K pages)
 *   0000:10:00.0  behind 11000000.iommu, attaches fail with ENOSPC
 *   20000000.dma  behind 10000000.iommu, cannot track dirty pages
 *   0000:20:00.0  behind 12000000.iommu (shared domains, no snoop control)
 *   0000:21:00.0  behind 13000000.iommu (shared domains, snoop control)
 */
#include "drivers/registry.h"
#include "mock.h"

const struct ims_matrix_case ims_mock_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "mock",
		.domain_for = "0000:01:00.0", .bind_first = true,
		.target = "0000:11:00.0", .incompatible = true,
	},
	{
		.name = "snoop-control", .platform = "mock",
		.domain_for = "0000:21:00.0", .bind_first = true, .enforce_coherency = true,
		.target = "0000:20:00.0", .incompatible = true,
	},
	{
		.name = "dirty-unsupported", .platform = "mock",
		.domain_for = "0000:01:00.0", .alloc_flags = IMS_ALLOC_DIRTY_TRACKING,
		.target = "20000000.dma", .incompatible = true,
	},
	{
		.name = "shared-domain", .platform = "mock",
		.domain_for = "0000:20:00.0", .bind_first = true,
		.target = "0000:21:00.0", .incompatible = true,
	},
	{
		.name = "device-failure", .platform = "mock",
		.domain_for = "0000:11:00.0", .target = "0000:10:00.0",
		.incompatible = false,
	},
	{ 0 },
};
