// SPDX-License-Identifier: MIT
/*
 * vfio-platform (drivers/vfio/platform/vfio_platform_common.c) for the
 * platform devices of a platform file.
 *
 * The platform loader does not describe a platform device's registers or
 * interrupts (its `reg` names the device, nothing maps it), so a device
 * here has no regions and no interrupts:
 *
 *   GET_INFO         VFIO_DEVICE_FLAGS_PLATFORM, 0 regions, 0 irqs; no
 *                    RESET flag: no reset module knows the device, as
 *                    when vfio-platform is loaded with reset_required=0
 *   GET_REGION_INFO  EINVAL (index >= num_regions)
 *   GET_IRQ_INFO     EINVAL (index >= num_irqs)
 *   SET_IRQS         EINVAL (the shared validation with no irqs)
 *   RESET            EINVAL (no reset function)
 *   read/write/mmap  EINVAL
 *   others           ENOTTY; VFIO_DEVICE_FEATURE's unknown features are
 *                    EINVAL (the driver has no device_feature op)
 *
 * Locking: every op runs under vdev->lock (device.c).
 */
#include <errno.h>
#include <stddef.h>

#include "device_priv.h"
#include "util/uaccess.h"

static int platform_open_device(struct ims_vfio_device *vdev)
{
	(void)vdev;
	return 0;
}

static void platform_close_device(struct ims_vfio_device *vdev)
{
	(void)vdev;
}

static long platform_get_info(void *arg)
{
	const size_t minsz = offsetof(struct vfio_device_info, num_irqs) + sizeof(uint32_t);
	struct vfio_device_info info;

	if (ims_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PLATFORM;
	info.num_regions = 0;
	info.num_irqs = 0;
	return ims_copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* GET_REGION_INFO and GET_IRQ_INFO share their first three fields' layout. */
static long platform_no_index(void *arg, size_t minsz)
{
	struct vfio_region_info info;

	if (ims_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	return -EINVAL;   /* argsz too small, or index >= 0 entries */
}

static long platform_set_irqs(void *arg)
{
	const size_t minsz = offsetof(struct vfio_irq_set, count) + sizeof(uint32_t);
	struct vfio_irq_set hdr;
	size_t data_size;

	if (ims_copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	return ims_vfio_set_irqs_validate(&hdr, 0, 0, &data_size);
}

static long platform_ioctl(struct ims_vfio_device *vdev, unsigned long cmd, void *arg)
{
	(void)vdev;
	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return platform_get_info(arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return platform_no_index(arg, offsetof(struct vfio_region_info, offset) +
					 sizeof(uint64_t));
	case VFIO_DEVICE_GET_IRQ_INFO:
		return platform_no_index(arg, offsetof(struct vfio_irq_info, count) +
					 sizeof(uint32_t));
	case VFIO_DEVICE_SET_IRQS:
		return platform_set_irqs(arg);
	case VFIO_DEVICE_RESET:
		return -EINVAL;
	default:
		return -ENOTTY;
	}
}

static ssize_t platform_rw(struct ims_vfio_device *vdev, void *buf, size_t count,
			   int64_t *pos, bool write)
{
	(void)vdev, (void)buf, (void)count, (void)pos, (void)write;
	return -EINVAL;   /* index >= num_regions */
}

static int platform_mmap(struct ims_vfio_device *vdev, uint64_t off, uint64_t len)
{
	(void)vdev, (void)off, (void)len;
	return -EINVAL;
}

const struct ims_vfio_device_ops ims_vfio_platform_ops = {
	.name = "vfio-platform",
	.open_device = platform_open_device,
	.close_device = platform_close_device,
	.ioctl = platform_ioctl,
	.rw = platform_rw,
	.mmap = platform_mmap,
};
