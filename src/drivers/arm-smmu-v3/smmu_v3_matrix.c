// SPDX-License-Identifier: MIT
/*
 * The arm-smmu-v3 compatibility cases for `iommusim matrix`, on the
 * built-in arm64-server platform (src/topo/platforms/arm64-server.dts):
 *
 *   0000:01:00.0, 0000:04:00.0  PCI functions behind smmu0 (CANWBS)
 *   0000:80:00.0                a PCI function behind smmu1
 *   2c000000.dma                behind smmu0, not CANWBS
 *   2c100000.accel              behind smmu0, 5 PASID bits
 *   2c200000.crypto             behind smmu0, stalls enabled
 *   2e200000.sata               behind the MMU-500 (another driver)
 *
 * Domains are bound first, so the eras that allocate per bus finalise them
 * for smmu0 before the case's attach.
 */
#include "drivers/registry.h"

const struct ims_matrix_case ims_smmu_v3_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "arm64-server",
		.domain_for = "0000:01:00.0", .bind_first = true,
		.target = "0000:80:00.0", .incompatible = true,
	},
	{
		.name = "foreign-driver", .platform = "arm64-server",
		.domain_for = "0000:01:00.0", .bind_first = true,
		.target = "2e200000.sata", .incompatible = true,
	},
	{
		.name = "ssid-bits", .platform = "arm64-server",
		.domain_for = "0000:04:00.0", .bind_first = true,
		.target = "2c100000.accel", .incompatible = true,
	},
	{
		.name = "stall-mode", .platform = "arm64-server",
		.domain_for = "0000:04:00.0", .bind_first = true,
		.target = "2c200000.crypto", .incompatible = true,
	},
	{
		.name = "snoop-control", .platform = "arm64-server",
		.domain_for = "0000:04:00.0", .bind_first = true, .enforce_coherency = true,
		.target = "2c000000.dma", .incompatible = true,
	},
	{ 0 },
};
