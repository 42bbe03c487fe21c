// SPDX-License-Identifier: MIT
/*
 * The M4U v1 device-tree binding (Documentation/devicetree/bindings/iommu/
 * mediatek,iommu.yaml, the "mediatek,mt2701-m4u" compatible):
 * #iommu-cells = <1>, the cell a larb port ID (MT2701_M4U_ID_LARB(larb,
 * port) from dt-bindings/memory/mt2701-larb-port.h), which becomes the
 * fwspec ID as is.  The M4U's other properties (clocks, interrupts,
 * mediatek,larbs) name hardware the model does not need; it has no
 * iommusim, properties.
 */
#include "drivers/registry.h"
#include "mtk_iommu_v1.h"

static int mtk_v1_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			    const char *name, struct ims_iommu **out)
{
	return ims_mtk_v1_register(core, name, out);
}

static const char *const mtk_v1_compatibles[] = { "mediatek,mt2701-m4u", NULL };

extern const struct ims_matrix_case ims_mtk_v1_matrix_cases[];

const struct ims_driver_model ims_mtk_v1_model = {
	.name = "mtk_iommu_v1",
	.compatibles = mtk_v1_compatibles,
	.ops = &ims_mtk_v1_ops,
	.probe_fdt = mtk_v1_probe_fdt,
	.iommu_cells = 1,
	.matrix_cases = ims_mtk_v1_matrix_cases,
};
