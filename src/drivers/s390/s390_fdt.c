// SPDX-License-Identifier: MIT
/*
 * The s390 model's platform binding and matrix cases.
 *
 * s390 has no device tree; a zPCI function's translation unit is a node of
 * compatible "iommusim,s390-zpci" (#iommu-cells = <1>, the target of the
 * host bridge's iommu-map) carrying what the firmware's CLP Query PCI
 * Function reports (docs/platforms.md, "s390"):
 *
 *   iommusim,fid          u32   function ID (default 0)
 *   iommusim,start-dma    u64   first DMA address (required)
 *   iommusim,end-dma      u64   last DMA address (required)
 *   iommusim,dtsm         u32   designation types supported, as the kernel
 *                               tests them: 0x8 region-second, 0xc
 *                               region-first (default 0: region-third only)
 *   iommusim,ioat-error   string "error", "function-not-available" or
 *                               "invalid-handle": how the firmware answers
 *                               registering the translation of an
 *                               API-owned domain
 *
 * Matrix cases, on the built-in platform s390 (src/topo/platforms/s390.dts):
 *   aperture-differs   a domain bound to 0000:00:00.0 (4-8 GiB) on
 *                      0001:00:00.0 (4-16 GiB)
 *   aperture-disjoint  the same domain on 0002:00:00.0 (5-6 TiB)
 *   ioat-error, ioat-function-unavailable, ioat-invalid-handle
 *                      a fresh domain on a function whose firmware refuses
 */
#include <errno.h>
#include <string.h>

#include "drivers/registry.h"
#include "s390.h"

static int read_ioat_fault(const struct ims_fdt_node *node, enum zpci_ioat_fault *out)
{
	static const char *const names[] = {
		[ZPCI_IOAT_ERROR] = "error",
		[ZPCI_IOAT_FUNC_NOT_AVAIL] = "function-not-available",
		[ZPCI_IOAT_INVALID_HANDLE] = "invalid-handle",
	};
	const char *s;
	int ret = ims_fdt_string(node, "iommusim,ioat-error", &s, NULL);

	*out = ZPCI_IOAT_OK;
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	for (unsigned int i = ZPCI_IOAT_ERROR; i <= ZPCI_IOAT_INVALID_HANDLE; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum zpci_ioat_fault)i;
			return 0;
		}
	}
	return ims_fdt_error(node, "property 'iommusim,ioat-error': '%s' is not error, "
			     "function-not-available or invalid-handle", s);
}

static int read_range(const struct ims_fdt_node *node, struct zpci_fn_cfg *cfg)
{
	static const char *const props[] = { "iommusim,start-dma", "iommusim,end-dma" };
	uint64_t *vals[] = { &cfg->start_dma, &cfg->end_dma };

	for (int i = 0; i < 2; i++) {
		int ret = ims_fdt_u64(node, props[i], vals[i], 0);

		if (ret == -ENOENT)
			return ims_fdt_error(node, "property '%s': missing (the function's DMA "
					     "range is required)", props[i]);
		if (ret)
			return ret;
	}
	if (cfg->start_dma > cfg->end_dma)
		return ims_fdt_error(node, "property 'iommusim,start-dma': %#llx is beyond the "
				     "end %#llx", (unsigned long long)cfg->start_dma,
				     (unsigned long long)cfg->end_dma);
	return 0;
}

static int s390_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			  const char *name, struct ims_iommu **out)
{
	struct zpci_fn_cfg cfg = { 0 };
	uint32_t dtsm;
	int ret = read_range(node, &cfg);

	if (!ret && ims_fdt_u32(node, "iommusim,fid", &cfg.fid, 0) == -EINVAL)
		ret = -EINVAL;
	if (!ret && ims_fdt_u32(node, "iommusim,dtsm", &dtsm, 0) == -EINVAL)
		ret = -EINVAL;
	if (!ret && dtsm > 0xff)
		ret = ims_fdt_error(node, "property 'iommusim,dtsm': %#x is more than 8 bits", dtsm);
	if (!ret)
		ret = read_ioat_fault(node, &cfg.ioat_fault);
	if (ret)
		return ret;
	cfg.dtsm = (uint8_t)dtsm;
	return ims_s390_register(core, name, &cfg, out);
}

static bool s390_msi_remapping(struct ims_iommu *iommu)
{
	return true; /* zPCI interrupts are isolated by the firmware (adapter interrupts) */
}

static const struct ims_matrix_case s390_matrix_cases[] = {
	{
		.name = "aperture-differs", .platform = "s390",
		.domain_for = "0000:00:00.0", .bind_first = true,
		.target = "0001:00:00.0", .incompatible = true,
	},
	{
		.name = "aperture-disjoint", .platform = "s390",
		.domain_for = "0000:00:00.0", .bind_first = true,
		.target = "0002:00:00.0", .incompatible = true,
	},
	{
		.name = "ioat-error", .platform = "s390",
		.domain_for = "0003:00:00.0", .target = "0003:00:00.0", .incompatible = false,
	},
	{
		.name = "ioat-function-unavailable", .platform = "s390",
		.domain_for = "0004:00:00.0", .target = "0004:00:00.0", .incompatible = false,
	},
	{
		.name = "ioat-invalid-handle", .platform = "s390",
		.domain_for = "0005:00:00.0", .target = "0005:00:00.0", .incompatible = false,
	},
	{ 0 },
};

static const char *const s390_compatibles[] = { "iommusim,s390-zpci", NULL };

const struct ims_driver_model ims_s390_model = {
	.name = "s390",
	.compatibles = s390_compatibles,
	.ops = &ims_s390_ops,
	.probe_fdt = s390_probe_fdt,
	.iommu_cells = 1,
	.msi_remapping = s390_msi_remapping,
	.matrix_cases = s390_matrix_cases,
};
