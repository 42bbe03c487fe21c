// SPDX-License-Identifier: MIT
/*
 * The omap model's platform binding and matrix cases.
 *
 * Binding: the kernel's (Documentation/devicetree/bindings/iommu/
 * ti,omap-iommu.txt): compatible "ti,omap2-iommu", "ti,omap4-iommu",
 * "ti,dra7-iommu" or "ti,dra7-dsp-iommu", #iommu-cells = <0>, and
 * optionally "ti,#tlb-entries" (8 or 32, default 32: anything else fails
 * the probe, as in the kernel) and "ti,iommu-bus-err-back".  Masters name
 * their MMU with `iommus = <&mmu>`; the kernel lets a DRA7 DSP name two
 * MMUs, which iommusim's loader (one instance per device) cannot express.
 *
 * Matrix cases, on the built-in platform omap (OMAP4):
 *   second-device      a domain attached to the DSP, then to the IPU
 *   table-alloc-fails  a fresh domain's attach with the page-table
 *                      allocation failing (fault injection): ENOMEM
 */
#include <errno.h>

#include "drivers/model_util.h"
#include "drivers/registry.h"
#include "omap.h"

static int omap_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			  const char *name, struct ims_iommu **out)
{
	uint32_t tlb;

	if (ims_fdt_u32(node, "ti,#tlb-entries", &tlb, 32) == -EINVAL)
		return -EINVAL;
	if (tlb != 8 && tlb != 32)
		return ims_fdt_error(node, "property 'ti,#tlb-entries': %u is not 8 or 32", tlb);
	return ims_omap_register(core, name, tlb, out);
}

/* A fresh domain for the IPU, attached while its page-table allocation fails. */
static int table_alloc_fails(struct ims_core *core)
{
	return ims_matrix_attach_failing(core, "55020000.ipu", 1);
}

static const struct ims_matrix_case omap_matrix_cases[] = {
	{
		.name = "second-device", .platform = "omap",
		.domain_for = "40e00000.dsp", .bind_first = true,
		.target = "55020000.ipu", .incompatible = true,
	},
	{
		.name = "table-alloc-fails", .platform = "omap",
		.incompatible = false, .run = table_alloc_fails,
	},
	{ 0 },
};

static const char *const omap_compatibles[] = {
	"ti,omap2-iommu", "ti,omap4-iommu", "ti,dra7-iommu", "ti,dra7-dsp-iommu", NULL,
};

const struct ims_driver_model ims_omap_model = {
	.name = "omap",
	.compatibles = omap_compatibles,
	.ops = &ims_omap_ops,
	.probe_fdt = omap_probe_fdt,
	.iommu_cells = 0,
	.matrix_cases = omap_matrix_cases,
};
