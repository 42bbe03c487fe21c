// SPDX-License-Identifier: MIT
/*
 * The mock driver's device-tree binding (documented in docs/platforms.md):
 *
 *   iommu node, compatible "iommusim,mock", #iommu-cells = <1>:
 *     iommusim,pgsize-bitmap   u64   leaf sizes (default 4K|2M|1G)
 *     iommusim,aperture-start  u64   first valid IOVA (default 0)
 *     iommusim,aperture-end    u64   last valid IOVA (default 2^48-1)
 *     iommusim,dirty-tracking        hardware dirty bits
 *     iommusim,snoop-control         can enforce cache coherency
 *     iommusim,incoherent-walk       lacks IOMMU_CAP_CACHE_COHERENCY
 *     iommusim,no-sw-msi             no software MSI window
 *     iommusim,global-domains        domains span instances (VT-d/AMD style)
 *   master node:
 *     iommusim,fail-attach     string errno name ("ENOSPC") or number:
 *                              every attach to an UNMANAGED domain fails
 *     iommusim,no-dirty              refuses dirty-tracking domains
 */
#include <errno.h>

#include "drivers/registry.h"
#include "mock.h"
#include "util/alloc.h"
#include "util/errname.h"

static int read_cfg(const struct ims_fdt_node *node, struct ims_mock_iommu_cfg *cfg)
{
	if (ims_fdt_u64(node, "iommusim,pgsize-bitmap", &cfg->pgsize_bitmap, 0) == -EINVAL ||
	    ims_fdt_u64(node, "iommusim,aperture-start", &cfg->aperture_start, 0) == -EINVAL ||
	    ims_fdt_u64(node, "iommusim,aperture-end", &cfg->aperture_end, 0) == -EINVAL)
		return -EINVAL;
	if (cfg->pgsize_bitmap && !(cfg->pgsize_bitmap & ~0x3ffull))
		return ims_fdt_error(node, "property 'iommusim,pgsize-bitmap': no page of 1 KiB or more");
	if (cfg->aperture_end && cfg->aperture_start > cfg->aperture_end)
		return ims_fdt_error(node, "aperture start is beyond its end");
	cfg->dirty_tracking = ims_fdt_bool(node, "iommusim,dirty-tracking");
	cfg->enforce_coherency = ims_fdt_bool(node, "iommusim,snoop-control");
	cfg->incoherent_walk = ims_fdt_bool(node, "iommusim,incoherent-walk");
	cfg->no_sw_msi = ims_fdt_bool(node, "iommusim,no-sw-msi");
	cfg->global_domains = ims_fdt_bool(node, "iommusim,global-domains");
	return 0;
}

static int mock_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			  const char *name, struct ims_iommu **out)
{
	struct ims_mock_iommu_cfg cfg = { 0 };
	int ret = read_cfg(node, &cfg);

	return ret ? ret : ims_mock_register(core, name, &cfg, out);
}

static int mock_parse_master(const struct ims_fdt_node *master, void **out)
{
	struct ims_mock_device_cfg *cfg;
	const char *fail = NULL;
	int err = 0;

	if (ims_fdt_string(master, "iommusim,fail-attach", &fail, NULL) == -EINVAL)
		return -EINVAL;
	if (fail) {
		err = ims_errno_from_name(fail);
		if (err <= 0)
			return ims_fdt_error(master, "property 'iommusim,fail-attach': "
					     "'%s' is not an errno", fail);
	}
	if (!fail && !ims_fdt_bool(master, "iommusim,no-dirty")) {
		*out = NULL;
		return 0;
	}
	cfg = ims_zalloc(sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	cfg->fail_attach_errno = err;
	cfg->no_dirty = ims_fdt_bool(master, "iommusim,no-dirty");
	*out = cfg;
	return 0;
}

static const char *const mock_compatibles[] = { "iommusim,mock", NULL };

extern const struct ims_matrix_case ims_mock_matrix_cases[];

const struct ims_driver_model ims_mock_model = {
	.name = "mock",
	.compatibles = mock_compatibles,
	.ops = &ims_mock_ops,
	.probe_fdt = mock_probe_fdt,
	.iommu_cells = 1,
	.parse_master = mock_parse_master,
	.free_master = ims_free,
	.matrix_cases = ims_mock_matrix_cases,
};
