// SPDX-License-Identifier: MIT
/*
 * The arm-smmu device-tree binding (Documentation/devicetree/bindings/
 * iommu/arm,smmu.yaml): compatibles "arm,mmu-500" and "arm,smmu-v2";
 * #iommu-cells = <1> (stream ID) or <2> (stream ID, SMR mask); the
 * "stream-match-mask" property; dma-coherent.  The ID registers, which no
 * binding carries, as documented properties (docs/platforms.md):
 *
 *   iommusim,idr0  u32  SMMU_IDR0 (default: both stages, stream matching
 *                       with 128 SMRs, 15-bit stream IDs)
 *   iommusim,idr1  u32  SMMU_IDR1 (default: 16 context banks, none stage-2 only)
 *   iommusim,idr2  u32  SMMU_IDR2 (default: IAS, OAS, UBS 48 bits; AArch64
 *                       4K and 64K granules)
 */
#include <errno.h>
#include <libfdt.h>

#include "arm_smmu.h"
#include "drivers/registry.h"

#define IDR0_DEFAULT (ARM_SMMU_ID0_S1TS | ARM_SMMU_ID0_S2TS | ARM_SMMU_ID0_SMS | \
		      ARM_SMMU_ID0_PTFS_NO_AARCH32S | (0xfu << ARM_SMMU_ID0_NUMSIDB_SHIFT) | 128u)
#define IDR1_DEFAULT 16u
#define IDR2_DEFAULT (ARM_SMMU_ID2_PTFS_4K | ARM_SMMU_ID2_PTFS_64K | \
		      (5u << ARM_SMMU_ID2_UBS_SHIFT) | (5u << ARM_SMMU_ID2_OAS_SHIFT) | 5u)

static const char *model_of(const struct ims_fdt_node *node)
{
	return fdt_node_check_compatible(node->fdt, node->offset, "arm,mmu-500") ? "SMMUv2" :
										   "MMU-500";
}

static int arm_smmu_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			      const char *name, struct ims_iommu **out)
{
	struct arm_smmu_regs regs = {
		.dma_coherent = ims_fdt_bool(node, "dma-coherent"),
		.model = model_of(node),
	};
	const char *why;
	int ret;

	if (ims_fdt_u32(node, "iommusim,idr0", &regs.id0, IDR0_DEFAULT) == -EINVAL ||
	    ims_fdt_u32(node, "iommusim,idr1", &regs.id1, IDR1_DEFAULT) == -EINVAL ||
	    ims_fdt_u32(node, "iommusim,idr2", &regs.id2, IDR2_DEFAULT) == -EINVAL ||
	    ims_fdt_u32(node, "stream-match-mask", &regs.stream_match_mask, 0) == -EINVAL)
		return -EINVAL;
	ret = ims_arm_smmu_register(core, name, &regs, out, &why);
	if (ret == -EINVAL)
		return ims_fdt_error(node, "arm-smmu: %s", why);
	return ret;
}

static const char *const arm_smmu_compatibles[] = { "arm,mmu-500", "arm,smmu-v2", NULL };

extern const struct ims_matrix_case ims_arm_smmu_matrix_cases[];

const struct ims_driver_model ims_arm_smmu_model = {
	.name = "arm-smmu",
	.compatibles = arm_smmu_compatibles,
	.ops = &ims_arm_smmu_ops,
	.probe_fdt = arm_smmu_probe_fdt,
	.of_xlate = ims_arm_smmu_of_xlate,
	.iommu_cells = -1, /* 1 or 2: of_xlate checks */
	.matrix_cases = ims_arm_smmu_matrix_cases,
};
