// SPDX-License-Identifier: MIT
/*
 * The apple-dart compatibility cases for `iommusim matrix`, on the built-in
 * apple-m1 platform (src/topo/platforms/apple-m1.dts):
 *
 *   231000000.display  behind a 16K-page DART: forces bypass on the 4K CPU
 *   382000000.isp      behind a 4K-page DART
 *   39b000000.sio      behind a 4K-page DART without bypass
 */
#include <errno.h>

#include "drivers/registry.h"

extern const struct ims_iommu_ops ims_apple_dart_ops;

/* Attach the driver's identity domain to the group of a DART without bypass. */
static int identity_on_sio(struct ims_core *core)
{
	struct ims_device *dev = ims_device_find(core, "39b000000.sio");
	struct ims_domain *identity;
	int ret;

	if (!dev || !dev->group)
		return -ENODEV;
	identity = ims_static_domain(core, &ims_apple_dart_ops, IMS_DOMAIN_IDENTITY);
	if (IS_ERR_OR_NULL(identity))
		return identity ? (int)PTR_ERR(identity) : -EOPNOTSUPP;
	ret = ims_attach_group(identity, dev->group);
	if (!ret)
		ims_detach_group(identity, dev->group);
	return ret;
}

const struct ims_matrix_case ims_apple_dart_matrix_cases[] = {
	{
		.name = "page-size-too-large", .platform = "apple-m1",
		.domain_for = "231000000.display", .target = "231000000.display",
		.incompatible = true,
	},
	{
		.name = "foreign-instance", .platform = "apple-m1",
		.domain_for = "382000000.isp", .bind_first = true,
		.target = "39b000000.sio", .incompatible = true,
	},
	{
		.name = "bypass-unsupported", .platform = "apple-m1",
		.run = identity_on_sio, .incompatible = true,
	},
	{ 0 },
};
