// SPDX-License-Identifier: MIT
/*
 * The Rockchip IOMMU device-tree binding (Documentation/devicetree/
 * bindings/iommu/rockchip,iommu.yaml): compatible "rockchip,iommu" (the
 * v1 layout, rk3288 and most SoCs) or "rockchip,rk3568-iommu" (v2, 40-bit
 * PAs); #iommu-cells = <0>.  No iommusim, properties.
 */
#include <errno.h>

#include "drivers/registry.h"
#include "drivers/soc32/soc32.h"
#include "rockchip.h"

static int rk_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			const char *name, struct ims_iommu **out)
{
	bool v2 = soc32_fdt_compatible(node, "rockchip,rk3568-iommu");
	int ret = ims_rockchip_register(core, name, v2, out);

	if (ret == -EINVAL)
		return ims_fdt_error(node, "property 'compatible': a %s IOMMU beside %s ones: the "
				     "kernel keeps one page-table layout (rk_ops)",
				     v2 ? "v2" : "v1", v2 ? "v1" : "v2");
	return ret;
}

static const char *const rk_compatibles[] = { "rockchip,iommu", "rockchip,rk3568-iommu", NULL };

extern const struct ims_matrix_case ims_rockchip_matrix_cases[];

const struct ims_driver_model ims_rockchip_model = {
	.name = "rockchip",
	.compatibles = rk_compatibles,
	.ops = &ims_rockchip_ops,
	.probe_fdt = rk_probe_fdt,
	.iommu_cells = 0,
	.matrix_cases = ims_rockchip_matrix_cases,
};
