// SPDX-License-Identifier: MIT
/*
 * The AMD-Vi model's device-tree binding (docs/platforms.md, "The amd
 * AMD-Vi model").  Linux finds AMD IOMMUs in the ACPI IVRS table; the
 * binding is ours:
 *
 *   node, compatible "iommusim,amd-vi", #iommu-cells = <1> (the device ID,
 *   as iommu-map gives it):
 *     iommusim,efr          u64  the Extended Feature Register, required
 *     iommusim,no-intremap       the IVRS leaves interrupt remapping off
 *
 * Interrupt remapping is global on AMD (amd_iommu_irq_remap): the MSIs of
 * devices behind any instance are isolated when no instance has it off.
 * sysfs: /sys/class/iommu/<name>/amd-iommu/features reads "EFR:EFR2" of the
 * first instance (amd_iommu_efr), as the kernel prints it.
 */
#include <errno.h>
#include <stdio.h>

#include "amd.h"
#include "drivers/registry.h"

static int amd_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			 const char *name, struct ims_iommu **out)
{
	struct ims_amd_cfg cfg = { 0 };
	int ret = ims_fdt_u64(node, "iommusim,efr", &cfg.efr, 0);

	if (ret == -ENOENT)
		return ims_fdt_error(node, "property 'iommusim,efr': missing (an AMD-Vi "
				     "instance is described by its Extended Feature Register)");
	if (ret)
		return ret;
	if (IMS_AMD_EFR_HATS(cfg.efr) == 3)
		return ims_fdt_error(node, "property 'iommusim,efr': HATS = 3 is reserved");
	cfg.no_intremap = ims_fdt_bool(node, "iommusim,no-intremap");
	return ims_amd_register(core, name, &cfg, out);
}

static bool amd_msi_remapping(struct ims_iommu *iommu)
{
	struct ims_core *core = iommu->core;
	struct ims_iommu *it;
	bool all = true;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(it, &core->iommus, node)
		if (it->ops == &ims_amd_ops)
			all &= ims_amd_intremap(it);
	ims_mutex_unlock(&core->lock);
	return all;
}

static bool amd_sysfs_attr(struct ims_iommu *iommu, unsigned int i, const char **path,
			   char *value, size_t len)
{
	struct ims_iommu *first = iommu, *it;

	if (i != 0)
		return false;
	ims_mutex_lock(&iommu->core->lock);
	ims_list_for_each_entry(it, &iommu->core->iommus, node) {
		if (it->ops == &ims_amd_ops) {
			first = it;
			break;
		}
	}
	ims_mutex_unlock(&iommu->core->lock);
	*path = "amd-iommu/features";
	snprintf(value, len, "%llx:0\n", (unsigned long long)ims_amd_efr(first));
	return true;
}

static const char *const amd_compatibles[] = { "iommusim,amd-vi", NULL };

extern const struct ims_matrix_case ims_amd_matrix_cases[];

const struct ims_driver_model ims_amd_model = {
	.name = "amd",
	.compatibles = amd_compatibles,
	.ops = &ims_amd_ops,
	.probe_fdt = amd_probe_fdt,
	.iommu_cells = 1,
	.msi_remapping = amd_msi_remapping,
	.sysfs_attr = amd_sysfs_attr,
	.matrix_cases = ims_amd_matrix_cases,
};
