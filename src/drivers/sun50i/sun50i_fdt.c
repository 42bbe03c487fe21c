// SPDX-License-Identifier: MIT
/*
 * The sun50i IOMMU device-tree binding (Documentation/devicetree/bindings/
 * iommu/allwinner,sun50i-h6-iommu.yaml): compatible
 * "allwinner,sun50i-h6-iommu", #iommu-cells = <1>, the cell the master's
 * index (the fwspec ID).  No iommusim, properties.
 */
#include "drivers/registry.h"
#include "sun50i.h"

static int sun50i_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			    const char *name, struct ims_iommu **out)
{
	return ims_sun50i_register(core, name, out);
}

static const char *const sun50i_compatibles[] = { "allwinner,sun50i-h6-iommu", NULL };

extern const struct ims_matrix_case ims_sun50i_matrix_cases[];

const struct ims_driver_model ims_sun50i_model = {
	.name = "sun50i",
	.compatibles = sun50i_compatibles,
	.ops = &ims_sun50i_ops,
	.probe_fdt = sun50i_probe_fdt,
	.iommu_cells = 1,
	.matrix_cases = ims_sun50i_matrix_cases,
};
