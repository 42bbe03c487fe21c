// SPDX-License-Identifier: MIT
/*
 * The M4U v1's compatibility case for `iommusim matrix`, on the built-in
 * mt2701 platform (src/topo/platforms/mt2701.dts): one of the seed's
 * five.  A paging domain allocated for the display (as VFIO or iommufd
 * would) is not the M4U's internal mapping domain: upstream and v5.19
 * answer 0 and the display keeps translating as before (silent, a
 * violation of every contract); the seed answers EMEDIUMTYPE.
 */
#include "drivers/registry.h"
#include "mtk_iommu_v1.h"

const struct ims_matrix_case ims_mtk_v1_matrix_cases[] = {
	{
		.name = "foreign-domain", .platform = "mt2701",
		.domain_for = "14001000.display", .target = "14001000.display",
		.incompatible = true,
	},
	{ 0 },
};
