// SPDX-License-Identifier: MIT
/*
 * The sprd model's platform binding and matrix cases.
 *
 * Binding: the kernel's (Documentation/devicetree/bindings/iommu/
 * sprd,iommu.yaml): compatible "sprd,iommu-v1", reg, #iommu-cells = <0>;
 * masters name their IOMMU with `iommus = <&iommu>`.  Nothing else is read:
 * the two IP versions (EX and VAU, told apart by a register) translate the
 * same way.
 *
 * Matrix cases, on the built-in platform sharkl3 (Unisoc SC9863A):
 *   already-attached    a domain attached to the display controller, then
 *                       to the video codec behind another IOMMU
 *   table-alloc-fails   a fresh domain's first attach, with the table
 *                       allocation failing (fault injection): ENOMEM
 */
#include <errno.h>

#include "drivers/model_util.h"
#include "drivers/registry.h"
#include "sprd.h"

static int sprd_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			  const char *name, struct ims_iommu **out)
{
	return ims_sprd_register(core, name, out);
}

/* A fresh domain for the JPEG codec, attached while its table allocation fails. */
static int table_alloc_fails(struct ims_core *core)
{
	return ims_matrix_attach_failing(core, "62300000.jpg", 1);
}

static const struct ims_matrix_case sprd_matrix_cases[] = {
	{
		.name = "already-attached", .platform = "sharkl3",
		.domain_for = "63000000.dispc", .bind_first = true,
		.target = "62200000.vsp", .incompatible = true,
	},
	{
		.name = "table-alloc-fails", .platform = "sharkl3",
		.incompatible = false, .run = table_alloc_fails,
	},
	{ 0 },
};

static const char *const sprd_compatibles[] = { "sprd,iommu-v1", NULL };

const struct ims_driver_model ims_sprd_model = {
	.name = "sprd",
	.compatibles = sprd_compatibles,
	.ops = &ims_sprd_ops,
	.probe_fdt = sprd_probe_fdt,
	.iommu_cells = 0,
	.matrix_cases = sprd_matrix_cases,
};
