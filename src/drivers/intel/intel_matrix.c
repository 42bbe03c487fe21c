// SPDX-License-Identifier: MIT
/*
 * The VT-d model's compatibility cases for `iommusim matrix`, on the
 * built-in x86-intel platform (src/topo/platforms/x86-intel.dts):
 *
 *   0000:01:00.0  behind fed90000.dmar (second stage only, snoop control,
 *                 57 bits, SSADS, nesting)
 *   0000:05:00.0  behind fed91000.dmar (first stage capable, no snoop
 *                 control, 48 bits)
 *   0000:00:1f.6  behind fed90000.dmar, with a non-relaxable RMRR
 *
 * Each incompatibility is staged so that it is the first check the target
 * unit fails (the two units agree on page sizes and page-walk coherency).
 */
#include <errno.h>

#include "drivers/registry.h"
#include "intel.h"

#define WIDE   "0000:01:00.0"
#define NARROW "0000:05:00.0"

/* A domain on the wide unit with a mapping above 48 bits, then the narrow one. */
static int run_width_mapped(struct ims_core *core)
{
	struct ims_device *wide = ims_device_find(core, WIDE);
	struct ims_device *narrow = ims_device_find(core, NARROW);
	struct ims_domain *domain;
	int ret;

	if (!wide || !narrow)
		return -ENODEV;
	domain = ims_paging_domain_alloc(wide, 0);
	if (IS_ERR(domain))
		return (int)PTR_ERR(domain);
	ret = ims_attach_group(domain, wide->group);
	if (!ret)
		ret = ims_iommu_map(domain, 1ull << 50, 1ull << 30, 1ull << 12,
				    IMS_PROT_READ | IMS_PROT_WRITE);
	if (!ret) {
		ret = ims_attach_group(domain, narrow->group);
		if (!ret)
			ims_detach_group(domain, narrow->group);
	}
	ims_detach_group(domain, wide->group);
	ims_domain_free(domain);
	return ret;
}

const struct ims_matrix_case ims_intel_matrix_cases[] = {
	{
		.name = "snoop-control", .platform = "x86-intel",
		.domain_for = WIDE, .bind_first = true, .enforce_coherency = true,
		.target = NARROW, .incompatible = true,
	},
	{
		.name = "address-width", .platform = "x86-intel",
		.domain_for = WIDE, .bind_first = true,
		.target = NARROW, .incompatible = true,
	},
	{
		.name = "address-width-mapped", .platform = "x86-intel",
		.run = run_width_mapped, .incompatible = true,
	},
	{
		.name = "dirty-unsupported", .platform = "x86-intel",
		.domain_for = WIDE, .alloc_flags = IMS_ALLOC_DIRTY_TRACKING, .bind_first = true,
		.target = NARROW, .incompatible = true,
	},
	{
		.name = "nest-parent-unsupported", .platform = "x86-intel",
		.domain_for = WIDE, .alloc_flags = IMS_ALLOC_NEST_PARENT, .bind_first = true,
		.target = NARROW, .incompatible = true,
	},
	{
		.name = "first-stage-unsupported", .platform = "x86-intel",
		.domain_for = NARROW, .bind_first = true,
		.target = WIDE, .incompatible = true,
	},
	{
		.name = "rmrr-locked", .platform = "x86-intel",
		.domain_for = "0000:00:1f.6", .target = "0000:00:1f.6",
		.incompatible = false,
	},
	{ 0 },
};
