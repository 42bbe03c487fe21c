// SPDX-License-Identifier: MIT
/*
 * The M4U's compatibility case for `iommusim matrix`, on the built-in
 * mt8173 platform (src/topo/platforms/mt8173.dts: one M4U, one IOVA
 * region, so all its masters share one group and bank 0 has run the
 * group's default DMA domain since boot).
 *
 *   other-active-domain  a paging domain for the display, attached to its
 *                        group: before v6.5 it took bank 0's table and
 *                        attaches (ok, sharing the table with the default
 *                        domain); since, it has its own table, which the
 *                        bank never walks: 0, silent.
 *
 * A foreign-instance case needs two M4Us, which no mt8173 has; the
 * driver's suite covers it on a two-M4U tree (tests/drivers/
 * test_mtk_iommu.c): silent between M4Us with their own tables, ok between
 * the two SHARE_PGTABLE M4Us of mt8195.
 */
#include "drivers/registry.h"
#include "mtk_iommu.h"

const struct ims_matrix_case ims_mtk_matrix_cases[] = {
	{
		.name = "other-active-domain", .platform = "mt8173",
		.domain_for = "1400c000.display", .target = "1400c000.display",
		.incompatible = true,
	},
	{ 0 },
};
