// SPDX-License-Identifier: MIT
/*
 * The SYSMMU device-tree binding (Documentation/devicetree/bindings/iommu/
 * samsung,sysmmu.yaml): compatible "samsung,exynos-sysmmu", #iommu-cells =
 * <0>; a master names its SYSMMU with `iommus = <&sysmmu_x>` (the model
 * takes one SYSMMU per master; the kernel also allows several).  One
 * documented iommusim, property:
 *
 *   iommusim,mmu-version  <major minor>: what REG_MMU_VERSION reports
 *                         (default <3 3>, the Exynos 5 SYSMMUs).  Major 5
 *                         and later use the 36-bit descriptor layout; all
 *                         SYSMMUs of a platform must agree on it, as the
 *                         kernel keeps one PG_ENT_SHIFT.
 */
#include <errno.h>

#include "drivers/registry.h"
#include "exynos.h"

static int exynos_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			    const char *name, struct ims_iommu **out)
{
	uint32_t version[2] = { 3, 3 };
	int nr = 2, ret;

	ret = ims_fdt_cells(node, "iommusim,mmu-version", version, 2, &nr);
	if (ret == -EINVAL)
		return ret;
	if (!ret && (nr != 2 || !version[0] || version[0] > 15 || version[1] > 127))
		return ims_fdt_error(node, "property 'iommusim,mmu-version': expected <major "
				     "minor>, major 1..15, minor 0..127");
	ret = ims_exynos_register(core, name, version[0], version[1], out);
	if (ret == -EINVAL)
		return ims_fdt_error(node, "property 'iommusim,mmu-version': v%u.%u uses the %s "
				     "descriptor layout, other SYSMMUs the other one", version[0],
				     version[1], version[0] >= 5 ? "36-bit" : "32-bit");
	return ret;
}

static const char *const exynos_compatibles[] = { "samsung,exynos-sysmmu", NULL };

extern const struct ims_matrix_case ims_exynos_matrix_cases[];

const struct ims_driver_model ims_exynos_model = {
	.name = "exynos",
	.compatibles = exynos_compatibles,
	.ops = &ims_exynos_ops,
	.probe_fdt = exynos_probe_fdt,
	.iommu_cells = 0,
	.matrix_cases = ims_exynos_matrix_cases,
};
