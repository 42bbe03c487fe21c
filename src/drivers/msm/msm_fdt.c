// SPDX-License-Identifier: MIT
/*
 * The msm IOMMU device-tree binding (Documentation/devicetree/bindings/
 * iommu/msm,iommu-v0.txt): compatible "qcom,apq8064-iommu", #iommu-cells
 * = <1> (the master's MID, the fwspec ID), and the required "qcom,ncb",
 * the number of context banks (the kernel refuses a node without it: "could
 * not get ncb").  No iommusim, properties.
 */
#include <errno.h>

#include "drivers/registry.h"
#include "msm.h"

static int msm_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			 const char *name, struct ims_iommu **out)
{
	uint32_t ncb;
	int ret = ims_fdt_u32(node, "qcom,ncb", &ncb, 0);

	if (ret == -EINVAL)
		return ret;
	if (ret == -ENOENT)
		return ims_fdt_error(node, "property 'qcom,ncb': missing (the number of context "
				     "banks)");
	if (!ncb || ncb > IMS_MSM_MAX_NCB)
		return ims_fdt_error(node, "property 'qcom,ncb': %u context banks, expected 1..%d",
				     ncb, IMS_MSM_MAX_NCB);
	return ims_msm_register(core, name, ncb, out);
}

static const char *const msm_compatibles[] = { "qcom,apq8064-iommu", NULL };

extern const struct ims_matrix_case ims_msm_matrix_cases[];

const struct ims_driver_model ims_msm_model = {
	.name = "msm",
	.compatibles = msm_compatibles,
	.ops = &ims_msm_ops,
	.probe_fdt = msm_probe_fdt,
	.iommu_cells = 1,
	.matrix_cases = ims_msm_matrix_cases,
};
