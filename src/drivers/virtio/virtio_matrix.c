// SPDX-License-Identifier: MIT
/*
 * The virtio-iommu model's compatibility cases for `iommusim matrix`, on
 * the built-in virtio platform (src/topo/platforms/virtio.dts):
 *
 *   0000:00:03.0  behind the instance at 00:01.0
 *   0000:00:05.0  behind the instance at 00:02.0
 *
 * page-size-too-large needs an instance whose smallest page is larger than
 * the CPU page.  No device can live behind one (its default domain cannot
 * be made: the kernel fails the device's probe), so the case registers
 * such an instance on the side and hot-adds a device behind it; the answer
 * is the errno the device's probe ends with.
 */
#include "drivers/registry.h"
#include "virtio.h"

static int run_page_size(struct ims_core *core)
{
	const struct ims_virtio_cfg cfg = { .page_size_mask = ~0xffffull }; /* 64 KiB up */
	const uint32_t rid = 0xf8;
	struct ims_device_desc desc = {
		.name = "0000:00:1f.0", .bus = IMS_BUS_PCI, .ids = &rid, .nr_ids = 1,
		.msi_isolated = true,
		.pci = { .devfn = 0xf8, .vendor = 0x1af4, .device = 0x1041, .class_code = 0x020000 },
	};
	struct ims_device *dev;
	int ret = ims_virtio_register(core, "virtio-64k", &cfg, &desc.iommu);

	if (ret)
		return ret;
	dev = ims_device_add(core, &desc);
	ret = IS_ERR(dev) ? (int)PTR_ERR(dev) : 0;
	if (!ret)
		ims_device_remove(dev);
	ims_iommu_unregister(desc.iommu);
	return ret;
}

const struct ims_matrix_case ims_virtio_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "virtio",
		.domain_for = "0000:00:03.0", .bind_first = true,
		.target = "0000:00:05.0", .incompatible = true,
	},
	{
		.name = "page-size-too-large", .platform = "virtio",
		.run = run_page_size, .incompatible = false,
	},
	{ 0 },
};
