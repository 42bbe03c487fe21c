// SPDX-License-Identifier: MIT
/*
 * The arm-smmu compatibility cases for `iommusim matrix`, on the built-in
 * arm64-server platform (src/topo/platforms/arm64-server.dts):
 *
 *   2e200000.sata     behind the MMU-500 (2b600000.iommu)
 *   2d000000.gpu      behind the SMMUv2 (2b700000.iommu)
 *   2d100000.display  behind the SMMUv2, whose two context banks the
 *                     default domains of gpu and display already hold
 *   0000:04:00.0      a PCI function behind an SMMUv3 (another driver)
 *
 * foreign-driver is the reviewer's arm-smmu item (the fwspec-ops check);
 * the core answers first wherever it checks domain owners.
 */
#include "drivers/registry.h"

const struct ims_matrix_case ims_arm_smmu_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "arm64-server",
		.domain_for = "2e200000.sata", .bind_first = true,
		.target = "2d000000.gpu", .incompatible = true,
	},
	{
		.name = "foreign-driver", .platform = "arm64-server",
		.domain_for = "2e200000.sata", .bind_first = true,
		.target = "0000:04:00.0", .incompatible = true,
	},
	{
		.name = "context-banks-exhausted", .platform = "arm64-server",
		.domain_for = "2d100000.display", .target = "2d100000.display",
		.incompatible = false,
	},
	{ 0 },
};
