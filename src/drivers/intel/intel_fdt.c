// SPDX-License-Identifier: MIT
/*
 * The VT-d model's device-tree binding (docs/platforms.md, "The intel
 * VT-d model").  Linux finds VT-d units in the ACPI DMAR table, not in a
 * device tree, so the binding is ours:
 *
 *   unit node, compatible "iommusim,intel-vtd", #iommu-cells = <1> (the
 *   requester ID, as iommu-map gives it):
 *     iommusim,cap    u64  the Capability register (§11.4.2), required
 *     iommusim,ecap   u64  the Extended Capability register (§11.4.3), required
 *   device node behind a unit:
 *     iommusim,rmrr   <base-hi base-lo size-hi size-lo> ...  RMRRs (DMAR §8.4)
 *                     whose device scope names this device; on a bridge
 *                     they apply to everything below it
 *
 * Interrupt remapping is on when every unit has ECAP.IR (the kernel turns
 * it on for all units or none), and then every device's MSIs are isolated.
 * sysfs: /sys/class/iommu/<unit>/intel-iommu/{cap,ecap,domains_supported}.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/registry.h"
#include "intel-priv.h"
#include "util/alloc.h"

#define MAX_RMRR 16

static int read_reg(const struct ims_fdt_node *node, const char *prop, uint64_t *out)
{
	int ret = ims_fdt_u64(node, prop, out, 0);

	if (ret == -ENOENT)
		return ims_fdt_error(node, "property '%s': missing (a VT-d unit is described "
				     "by its CAP and ECAP registers)", prop);
	return ret;
}

static int intel_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			   const char *name, struct ims_iommu **out)
{
	uint64_t cap, ecap;
	int ret = read_reg(node, "iommusim,cap", &cap);

	if (!ret)
		ret = read_reg(node, "iommusim,ecap", &ecap);
	if (ret)
		return ret;
	if (VTD_CAP_ND(cap) == 7)
		return ims_fdt_error(node, "property 'iommusim,cap': ND = 7 is reserved");
	if (VTD_CAP_MGAW(cap) < VTD_AGAW_WIDTH(1))
		return ims_fdt_error(node, "property 'iommusim,cap': MGAW %u is below 39 bits",
				     VTD_CAP_MGAW(cap));
	ret = ims_intel_register(core, name, cap, ecap, out);
	if (ret == -EINVAL)
		return ims_fdt_error(node, "property 'iommusim,cap': SAGAW 0x%x gives no address "
				     "width the kernel can use with this ECAP",
				     VTD_CAP_SAGAW(cap));
	return ret;
}

static int check_rmrr(const struct ims_fdt_node *master, unsigned int i,
		      const struct ims_intel_rmrr *r)
{
	if (!r->length || ((r->base | r->length) & (SZ_4K - 1)) || r->base + r->length < r->base)
		return ims_fdt_error(master, "property 'iommusim,rmrr': entry %u is not a "
				     "non-empty range of whole 4 KiB pages", i);
	return 0;
}

static int intel_parse_master(const struct ims_fdt_node *master, void **out)
{
	uint32_t cells[4 * MAX_RMRR];
	struct ims_intel_master *m;
	struct ims_intel_rmrr *r;
	int nr = 0, ret = ims_fdt_cells(master, "iommusim,rmrr", cells, IMS_ARRAY_SIZE(cells), &nr);

	*out = NULL;
	if (ret == -ENOENT || (!ret && !nr))
		return 0;
	if (ret)
		return ret;
	if (nr % 4)
		return ims_fdt_error(master, "property 'iommusim,rmrr': %d cells is not a list of "
				     "<base-hi base-lo size-hi size-lo>", nr);
	m = ims_zalloc(sizeof(*m) + (size_t)(nr / 4) * sizeof(*r));
	if (!m)
		return -ENOMEM;
	r = (struct ims_intel_rmrr *)(m + 1);
	for (int i = 0; i < nr / 4; i++) {
		r[i].base = ((uint64_t)cells[4 * i] << 32) | cells[4 * i + 1];
		r[i].length = ((uint64_t)cells[4 * i + 2] << 32) | cells[4 * i + 3];
		if (check_rmrr(master, (unsigned int)i, &r[i])) {
			ims_free(m);
			return -EINVAL;
		}
	}
	m->rmrr = r;
	m->nr_rmrr = (unsigned int)nr / 4;
	*out = m;
	return 0;
}

/* Interrupt remapping is all or nothing across the units (intel_irq_remap_supported). */
static bool intel_msi_remapping(struct ims_iommu *iommu)
{
	struct ims_core *core = iommu->core;
	struct ims_iommu *it;
	bool all = true;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(it, &core->iommus, node)
		if (it->ops == &ims_intel_ops)
			all &= VTD_ECAP_IR(intel_unit_of(it)->ecap) != 0;
	ims_mutex_unlock(&core->lock);
	return all;
}

static bool intel_sysfs_attr(struct ims_iommu *iommu, unsigned int i, const char **path,
			     char *value, size_t len)
{
	const struct intel_unit *u = intel_unit_of(iommu);

	switch (i) {
	case 0:
		*path = "intel-iommu/cap";
		snprintf(value, len, "%llx\n", (unsigned long long)u->cap);
		return true;
	case 1:
		*path = "intel-iommu/ecap";
		snprintf(value, len, "%llx\n", (unsigned long long)u->ecap);
		return true;
	case 2:
		*path = "intel-iommu/domains_supported";
		snprintf(value, len, "%lu\n", 1ul << (4 + 2 * VTD_CAP_ND(u->cap)));
		return true;
	default:
		return false;
	}
}

static const char *const intel_compatibles[] = { "iommusim,intel-vtd", NULL };

extern const struct ims_matrix_case ims_intel_matrix_cases[];

const struct ims_driver_model ims_intel_model = {
	.name = "intel",
	.compatibles = intel_compatibles,
	.ops = &ims_intel_ops,
	.probe_fdt = intel_probe_fdt,
	.iommu_cells = 1,
	.parse_master = intel_parse_master,
	.free_master = ims_free,
	.msi_remapping = intel_msi_remapping,
	.sysfs_attr = intel_sysfs_attr,
	.matrix_cases = ims_intel_matrix_cases,
};
