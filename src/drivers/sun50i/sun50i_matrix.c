// SPDX-License-Identifier: MIT
/*
 * The sun50i IOMMU's compatibility case for `iommusim matrix`, on the
 * built-in sun50i platform (src/topo/platforms/sun50i.dts: the H6's IOMMU
 * with the display engine and the video decoder, which share its one
 * group, and a second instance with the deinterlacer so that a domain can
 * cross instances: the H6 itself has one).
 *
 *   foreign-instance  a domain attached to the display engine's group,
 *                     then to the deinterlacer's: no binding check, the
 *                     second IOMMU walks the same table: 0, attached.
 */
#include "drivers/registry.h"
#include "sun50i.h"

const struct ims_matrix_case ims_sun50i_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "sun50i",
		.domain_for = "1000000.display-engine", .bind_first = true,
		.target = "1e00000.deinterlace", .incompatible = true,
	},
	{ 0 },
};
