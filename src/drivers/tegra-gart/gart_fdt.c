// SPDX-License-Identifier: MIT
/*
 * The tegra-gart model's platform binding and matrix case.
 *
 * Binding: the kernel's, old and new.  The GART is part of the Tegra20
 * memory controller: compatible "nvidia,tegra20-mc-gart" (today's binding,
 * #iommu-cells = <0>) or "nvidia,tegra20-gart" (the older stand-alone GART
 * node); in both the second `reg` range is the aperture.  Masters name it
 * with `iommus = <&mc>`.
 *
 * The driver exists in the seed and legacy profiles only (removed in v6.7);
 * a platform with a GART does not load in the upstream profile, and the
 * matrix shows its case as absent there.
 *
 * Matrix case, on the built-in platform tegra20:
 *   other-active-domain  the 2D engine runs one domain; a domain for the 3D
 *                        engine cannot become active
 */
#include <errno.h>
#include <libfdt.h>

#include "drivers/registry.h"
#include "gart.h"

/* Cells of a number in @reg from @i on: @n of them, big-endian. */
static uint64_t reg_number(const uint32_t *reg, int i, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 32 | reg[i++];
	return v;
}

/* The second reg range: the aperture. */
static int read_aperture(const struct ims_fdt_node *node, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(node->fdt, node->offset);
	int na = fdt_address_cells(node->fdt, parent), ns = fdt_size_cells(node->fdt, parent);
	uint32_t reg[8];
	int nr, ret;

	if (na < 1 || na > 2 || ns < 1 || ns > 2)
		return ims_fdt_error(node, "property 'reg': #address-cells %d, #size-cells %d "
				     "of the parent are not 1 or 2", na, ns);
	ret = ims_fdt_cells(node, "reg", reg, 8, &nr);
	if (ret == -ENOENT || (!ret && nr != 2 * (na + ns)))
		return ims_fdt_error(node, "property 'reg': expected two ranges (registers, then "
				     "the GART aperture)");
	if (ret)
		return ret;
	*base = reg_number(reg, na + ns, na);
	*size = reg_number(reg, 2 * na + ns, ns);
	return 0;
}

static int gart_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			  const char *name, struct ims_iommu **out)
{
	uint64_t base = 0, size = 0;
	int ret = read_aperture(node, &base, &size);

	if (ret)
		return ret;
	ret = ims_gart_register(core, name, base, size, out);
	if (ret == -EINVAL)
		return ims_fdt_error(node, "property 'reg': aperture %#llx+%#llx is not a 4 KiB "
				     "aligned window of at most 4 GiB", (unsigned long long)base,
				     (unsigned long long)size);
	return ret;
}

static bool gart_present(const struct ims_profile_facts *facts)
{
	return facts->has_tegra_gart;
}

static const struct ims_matrix_case gart_matrix_cases[] = {
	{
		.name = "other-active-domain", .platform = "tegra20",
		.occupy = "54140000.gr2d",
		.domain_for = "54180000.gr3d", .target = "54180000.gr3d",
		.incompatible = true,
	},
	{ 0 },
};

static const char *const gart_compatibles[] = {
	"nvidia,tegra20-mc-gart", "nvidia,tegra20-gart", NULL,
};

const struct ims_driver_model ims_gart_model = {
	.name = "tegra-gart",
	.compatibles = gart_compatibles,
	.ops = &ims_gart_ops,
	.present = gart_present,
	.probe_fdt = gart_probe_fdt,
	.iommu_cells = 0,
	.matrix_cases = gart_matrix_cases,
};
