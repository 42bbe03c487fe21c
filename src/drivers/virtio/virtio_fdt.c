// SPDX-License-Identifier: MIT
/*
 * The virtio-iommu model's device-tree binding: the kernel's own
 * (Documentation/devicetree/bindings/virtio/pci-iommu.yaml).  The IOMMU is
 * a PCI function (vendor 0x1af4, device 0x1057) under the host bridge whose
 * iommu-map sends the other functions' requester IDs to it (its own RID is
 * left out of the map); #iommu-cells = <1>, the endpoint ID.  Its config
 * space is given with:
 *
 *   iommusim,page-size-mask  u64                          page_size_mask
 *                            (default: every power of two from 4 KiB)
 *   iommusim,input-range     <start-hi start-lo end-hi end-lo>
 *                            VIRTIO_IOMMU_F_INPUT_RANGE (default: all 64 bits)
 *   iommusim,domain-range    <first last>
 *                            VIRTIO_IOMMU_F_DOMAIN_RANGE (default: 32 bits)
 *
 * The device's table is an AMD v1 table: page sizes from 2 KiB up, input
 * ranges up to 64 bits (56 with 2 KiB pages).
 */
#include <errno.h>

#include "drivers/registry.h"
#include "virtio.h"

static int read_u64_pair(const struct ims_fdt_node *node, const char *prop, uint64_t *a,
			 uint64_t *b)
{
	uint32_t c[4];
	int nr = 0, ret = ims_fdt_cells(node, prop, c, 4, &nr);

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	if (nr != 4)
		return ims_fdt_error(node, "property '%s': expected <start-hi start-lo end-hi "
				     "end-lo>, found %d cells", prop, nr);
	*a = ((uint64_t)c[0] << 32) | c[1];
	*b = ((uint64_t)c[2] << 32) | c[3];
	return 0;
}

static int read_domain_range(const struct ims_fdt_node *node, struct ims_virtio_cfg *cfg)
{
	uint32_t c[2];
	int nr = 0, ret = ims_fdt_cells(node, "iommusim,domain-range", c, 2, &nr);

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	if (nr != 2 || c[0] > c[1])
		return ims_fdt_error(node, "property 'iommusim,domain-range': expected "
				     "<first last> with first <= last");
	cfg->domain_first = c[0];
	cfg->domain_last = c[1];
	return 0;
}

static int read_cfg(const struct ims_fdt_node *node, struct ims_virtio_cfg *cfg)
{
	int ret = ims_fdt_u64(node, "iommusim,page-size-mask", &cfg->page_size_mask, 0);

	if (ret == -EINVAL)
		return ret;
	if (ret == 0 && !cfg->page_size_mask)
		return ims_fdt_error(node, "property 'iommusim,page-size-mask': no page size "
				     "(the driver refuses a device without one)");
	ret = read_u64_pair(node, "iommusim,input-range", &cfg->input_start, &cfg->input_end);
	if (!ret && cfg->input_start > cfg->input_end)
		return ims_fdt_error(node, "property 'iommusim,input-range': start is beyond end");
	return ret ? ret : read_domain_range(node, cfg);
}

static int virtio_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			    const char *name, struct ims_iommu **out)
{
	struct ims_virtio_cfg cfg = { 0 };
	int ret = read_cfg(node, &cfg);

	if (!ret)
		ret = ims_virtio_register(core, name, &cfg, out);
	if (ret == -EINVAL)
		return ims_fdt_error(node, "property 'iommusim,page-size-mask': pages below 2 KiB, "
				     "or 2 KiB pages with an input range beyond 56 bits, cannot "
				     "be modelled");
	return ret;
}

static const char *const virtio_compatibles[] = { "virtio,pci-iommu", "pci1af4,1057", NULL };

extern const struct ims_matrix_case ims_virtio_matrix_cases[];

const struct ims_driver_model ims_virtio_model = {
	.name = "virtio-iommu",
	.compatibles = virtio_compatibles,
	.ops = &ims_virtio_ops,
	.probe_fdt = virtio_probe_fdt,
	.iommu_cells = 1,
	.matrix_cases = ims_virtio_matrix_cases,
};
