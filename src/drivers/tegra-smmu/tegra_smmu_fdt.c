// SPDX-License-Identifier: MIT
/*
 * The tegra-smmu model's platform binding, SoC facts and matrix cases.
 *
 * Binding: the kernel's.  The SMMU is part of the memory controller:
 * compatible "nvidia,tegra30-mc", "nvidia,tegra114-mc", "nvidia,tegra124-mc",
 * "nvidia,tegra132-mc" or "nvidia,tegra210-mc", with #iommu-cells = <1>;
 * masters say `iommus = <&mc SWGROUP>` (include/dt-bindings/memory/
 * tegra*-mc.h).  Also accepted: "nvidia,tegra30-smmu", the stand-alone
 * SMMU node of the first binding (Tegra30 facts), and "nvidia,tegra124-smmu",
 * an iommusim alias for the Tegra124 SMMU (no upstream binding has it).
 *
 * SoC facts (the kernel's tegra_smmu_soc and tegra_mc_soc): ASIDs 4 on
 * Tegra30 and Tegra114, 128 on Tegra124, Tegra132 and Tegra210; address
 * bits 32, and 34 from Tegra124 on; the "display" group joins the two
 * display controllers' swgroups, DC and DCB (1 and 2 on every one of them).
 *
 * Matrix cases:
 *   shared-domain   (tegra124) a domain attached to the display group, then
 *                   to the SATA controller: the driver has no incompatibility
 *                   check, any domain serves any master
 *   asid-exhausted  (tegra30) fresh domains on five groups; the fifth finds
 *                   Tegra30's four ASIDs taken: ENOSPC
 */
#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include "drivers/registry.h"
#include "tegra_smmu.h"

static const uint32_t display_swgroups[] = { 1, 2 }; /* TEGRA_SWGROUP_DC, _DCB */

static const struct tegra_smmu_soc socs[] = {
	{ "tegra30", 4, 32, display_swgroups, 2 },
	{ "tegra114", 4, 32, display_swgroups, 2 },
	{ "tegra124", 128, 34, display_swgroups, 2 },
	{ "tegra132", 128, 34, display_swgroups, 2 },
	{ "tegra210", 128, 34, display_swgroups, 2 },
};

static const struct {
	const char *compatible;
	unsigned int soc;
} soc_of[] = {
	{ "nvidia,tegra30-mc", 0 },   { "nvidia,tegra30-smmu", 0 }, { "nvidia,tegra114-mc", 1 },
	{ "nvidia,tegra124-mc", 2 },  { "nvidia,tegra124-smmu", 2 }, { "nvidia,tegra132-mc", 3 },
	{ "nvidia,tegra210-mc", 4 },
};

/* The SoC of the node's first compatible the model knows. */
static const struct tegra_smmu_soc *node_soc(const struct ims_fdt_node *node)
{
	int n = fdt_stringlist_count(node->fdt, node->offset, "compatible");

	for (int i = 0; i < n; i++) {
		const char *compat = fdt_stringlist_get(node->fdt, node->offset, "compatible", i,
							NULL);

		for (size_t k = 0; compat && k < IMS_ARRAY_SIZE(soc_of); k++)
			if (!strcmp(compat, soc_of[k].compatible))
				return &socs[soc_of[k].soc];
	}
	return NULL;
}

static int smmu_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			  const char *name, struct ims_iommu **out)
{
	const struct tegra_smmu_soc *soc = node_soc(node);

	if (!soc)
		return ims_fdt_error(node, "property 'compatible': no Tegra SoC the model knows");
	return ims_tegra_smmu_register(core, name, soc, out);
}

/* Fresh domains attached to @names[0..n-1] in turn; the answer of the last. */
static int attach_fresh_domains(struct ims_core *core, const char *const *names, size_t n)
{
	struct ims_domain *domains[8] = { 0 };
	size_t done = 0;
	int ret = 0;

	for (; done < n && !ret; done++) {
		struct ims_device *dev = ims_device_find(core, names[done]);

		domains[done] = dev && dev->group ? ims_paging_domain_alloc(dev, 0) : ERR_PTR(-ENODEV);
		ret = IS_ERR(domains[done]) ? (int)PTR_ERR(domains[done]) :
					      ims_attach_group(domains[done], dev->group);
	}
	while (done-- > 0) {
		struct ims_device *dev = ims_device_find(core, names[done]);

		if (IS_ERR(domains[done]))
			continue;
		if (dev->group->domain == domains[done])
			ims_detach_group(domains[done], dev->group);
		ims_domain_free(domains[done]);
	}
	return ret;
}

/* Tegra30 has four ASIDs: the fifth group's fresh domain finds none. */
static int asid_exhausted(struct ims_core *core)
{
	static const char *const masters[] = {
		"54140000.gr2d", "6001a000.vde", "70020000.sata", "70030000.hda", "54080000.vi",
	};

	return attach_fresh_domains(core, masters, IMS_ARRAY_SIZE(masters));
}

static const struct ims_matrix_case smmu_matrix_cases[] = {
	{
		.name = "shared-domain", .platform = "tegra124",
		.domain_for = "54200000.dc", .bind_first = true,
		.target = "70020000.sata", .incompatible = true,
	},
	{
		.name = "asid-exhausted", .platform = "tegra30",
		.incompatible = false, .run = asid_exhausted,
	},
	{ 0 },
};

static const char *const smmu_compatibles[] = {
	"nvidia,tegra30-mc", "nvidia,tegra114-mc", "nvidia,tegra124-mc", "nvidia,tegra132-mc",
	"nvidia,tegra210-mc", "nvidia,tegra30-smmu", "nvidia,tegra124-smmu", NULL,
};

const struct ims_driver_model ims_tegra_smmu_model = {
	.name = "tegra-smmu",
	.compatibles = smmu_compatibles,
	.ops = &ims_tegra_smmu_ops,
	.probe_fdt = smmu_probe_fdt,
	.iommu_cells = 1,
	.matrix_cases = smmu_matrix_cases,
};
