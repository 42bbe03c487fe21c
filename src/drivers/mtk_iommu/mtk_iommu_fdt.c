// SPDX-License-Identifier: MIT
/*
 * The M4U device-tree binding (Documentation/devicetree/bindings/iommu/
 * mediatek,iommu.yaml): compatibles "mediatek,mt8173-m4u",
 * "mediatek,mt8195-iommu-vdo" and "mediatek,mt8195-iommu-vpp" (the two
 * multimedia M4Us of mt8195, which share a page table); #iommu-cells =
 * <1>, the cell a larb port ID (MTK_M4U_ID(larb, port)), the fwspec ID as
 * is.  One documented iommusim, property:
 *
 *   iommusim,4gb-mode   boolean: the M4U runs in "4 GB mode" (mt8173 only,
 *                       HAS_4GB_MODE): the kernel enables it when DRAM
 *                       reaches beyond 4 GiB; page tables then have OAS 33
 *                       and every mapped PA gets bit 32.
 */
#include "drivers/registry.h"
#include "drivers/soc32/soc32.h"
#include "mtk_iommu.h"

static int mtk_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			 const char *name, struct ims_iommu **out)
{
	struct ims_mtk_cfg cfg = { 0 };

	for (const struct ims_mtk_plat *p = ims_mtk_plats; p->compatible && !cfg.plat; p++)
		if (soc32_fdt_compatible(node, p->compatible))
			cfg.plat = p;
	if (!cfg.plat)
		return ims_fdt_error(node, "property 'compatible': no MediaTek M4U model");
	cfg.enable_4gb = ims_fdt_bool(node, "iommusim,4gb-mode");
	if (cfg.enable_4gb && !cfg.plat->has_4gb_mode)
		return ims_fdt_error(node, "property 'iommusim,4gb-mode': %s has no 4 GB mode",
				     cfg.plat->compatible);
	return ims_mtk_register(core, name, &cfg, out);
}

static const char *const mtk_compatibles[] = {
	"mediatek,mt8173-m4u", "mediatek,mt8195-iommu-vdo", "mediatek,mt8195-iommu-vpp", NULL,
};

extern const struct ims_matrix_case ims_mtk_matrix_cases[];

const struct ims_driver_model ims_mtk_model = {
	.name = "mtk_iommu",
	.compatibles = mtk_compatibles,
	.ops = &ims_mtk_ops,
	.probe_fdt = mtk_probe_fdt,
	.iommu_cells = 1,
	.matrix_cases = ims_mtk_matrix_cases,
};
