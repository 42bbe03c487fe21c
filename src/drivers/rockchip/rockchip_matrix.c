// SPDX-License-Identifier: MIT
/*
 * The Rockchip IOMMU's compatibility cases for `iommusim matrix`, on the
 * built-in rockchip platform (src/topo/platforms/rockchip.dts: an rk3568
 * with the VOP and the video decoder behind IOMMUs of their own, and a
 * mock IOMMU with a DMA engine: another driver on the same SoC).
 *
 *   foreign-instance  a domain attached to the VOP, then to the decoder:
 *                     domains are shared across instances: 0, attached.
 *   foreign-driver    a Rockchip domain for the DMA engine behind the mock
 *                     IOMMU: the core refuses it today (EINVAL) and in the
 *                     seed (EMEDIUMTYPE); a 2022 core hands the device to
 *                     the driver, which takes it for a "virtual device" and
 *                     answers 0 without doing anything (silent).
 */
#include "drivers/registry.h"
#include "rockchip.h"

const struct ims_matrix_case ims_rockchip_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "rockchip",
		.domain_for = "fe040000.vop", .bind_first = true,
		.target = "fdea0400.video-codec", .incompatible = true,
	},
	{
		.name = "foreign-driver", .platform = "rockchip",
		.domain_for = "fe040000.vop", .target = "fe530000.dma",
		.incompatible = true,
	},
	{ 0 },
};
