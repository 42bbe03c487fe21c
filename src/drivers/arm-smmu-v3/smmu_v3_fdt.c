// SPDX-License-Identifier: MIT
/*
 * The arm-smmu-v3 device-tree binding (Documentation/devicetree/bindings/
 * iommu/arm,smmu-v3.yaml: compatible "arm,smmu-v3", #iommu-cells = <1>,
 * the cell is the StreamID), plus the ID registers the hardware would
 * answer, which no binding carries (documented in docs/platforms.md):
 *
 *   iommusim,idr0  u32  SMMU_IDR0 (default: both stages, AArch64 tables,
 *                       16-bit ASIDs and VMIDs, two-level CD tables)
 *   iommusim,idr1  u32  SMMU_IDR1 (default: 16 StreamID bits, 20 SSID bits)
 *   iommusim,idr5  u32  SMMU_IDR5 (default: OAS 48, 4K and 64K granules)
 *   dma-coherent        the SMMU's table walks are coherent (as IDR0.COHACC)
 *
 * On a master (platform device or PCI function):
 *
 *   dma-can-stall       the device tolerates stalled faults (upstream binding)
 *   iommusim,canwbs     its memory accesses are CANWBS (ACPI IORT's
 *                       "coherent, no write-back snoop bypass"; on this node
 *                       or an ancestor, e.g. the PCIe host bridge): a domain
 *                       may enforce cache coherency for it (v6.13+)
 */
#include <errno.h>
#include <libfdt.h>

#include "drivers/registry.h"
#include "smmu_v3.h"
#include "util/alloc.h"

#define IDR0_DEFAULT (SMMU_V3_IDR0_S1P | SMMU_V3_IDR0_S2P | SMMU_V3_IDR0_TTF_AARCH64 | \
		      SMMU_V3_IDR0_ASID16 | SMMU_V3_IDR0_VMID16 | SMMU_V3_IDR0_CD2L)
#define IDR1_DEFAULT ((20u << SMMU_V3_IDR1_SSIDSIZE_SHIFT) | 16u)
#define IDR5_DEFAULT (5u | SMMU_V3_IDR5_GRAN4K | SMMU_V3_IDR5_GRAN64K)

static int v3_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			const char *name, struct ims_iommu **out)
{
	struct smmu_v3_regs regs = { .dma_coherent = ims_fdt_bool(node, "dma-coherent") };
	const char *why;
	int ret;

	if (ims_fdt_u32(node, "iommusim,idr0", &regs.idr0, IDR0_DEFAULT) == -EINVAL ||
	    ims_fdt_u32(node, "iommusim,idr1", &regs.idr1, IDR1_DEFAULT) == -EINVAL ||
	    ims_fdt_u32(node, "iommusim,idr5", &regs.idr5, IDR5_DEFAULT) == -EINVAL)
		return -EINVAL;
	ret = ims_smmu_v3_register(core, name, &regs, out, &why);
	if (ret == -EINVAL)
		return ims_fdt_error(node, "arm-smmu-v3: %s", why);
	return ret;
}

/* @prop on the node or the nearest ancestor that has it. */
static bool inherited(const struct ims_fdt_node *node, const char *prop)
{
	for (int off = node->offset; off >= 0; off = fdt_parent_offset(node->fdt, off))
		if (fdt_getprop(node->fdt, off, prop, NULL))
			return true;
	return false;
}

static int v3_parse_master(const struct ims_fdt_node *master, void **out)
{
	struct smmu_v3_master_cfg cfg = {
		.can_stall = ims_fdt_bool(master, "dma-can-stall"),
		.canwbs = inherited(master, "iommusim,canwbs"),
	};
	struct smmu_v3_master_cfg *copy;

	*out = NULL;
	if (!cfg.can_stall && !cfg.canwbs)
		return 0;
	copy = ims_malloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	*copy = cfg;
	*out = copy;
	return 0;
}

static const char *const v3_compatibles[] = { "arm,smmu-v3", NULL };

extern const struct ims_matrix_case ims_smmu_v3_matrix_cases[];

const struct ims_driver_model ims_smmu_v3_model = {
	.name = "arm-smmu-v3",
	.compatibles = v3_compatibles,
	.ops = &ims_smmu_v3_ops,
	.probe_fdt = v3_probe_fdt,
	.iommu_cells = 1,
	.parse_master = v3_parse_master,
	.free_master = ims_free,
	.matrix_cases = ims_smmu_v3_matrix_cases,
};
