// SPDX-License-Identifier: MIT
/*
 * The SYSMMU's compatibility case for `iommusim matrix`, on the built-in
 * exynos platform (src/topo/platforms/exynos.dts: the display (FIMD) and
 * a scaler (GSCL) behind SYSMMUs of their own).
 *
 *   foreign-instance  a domain attached to the display, then to the
 *                     scaler: domains are not bound to a SYSMMU, so the
 *                     scaler's SYSMMU walks the same table: 0, attached.
 */
#include "drivers/registry.h"
#include "exynos.h"

const struct ims_matrix_case ims_exynos_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "exynos",
		.domain_for = "14400000.fimd", .bind_first = true,
		.target = "13e00000.gsc", .incompatible = true,
	},
	{ 0 },
};
