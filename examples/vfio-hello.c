// SPDX-License-Identifier: MIT
/*
 * vfio-hello: the smallest complete VFIO program.  It assigns one PCI
 * function to itself the way every VFIO user does: a container, the
 * function's group (found through sysfs), the type1 IOMMU, a buffer mapped
 * for the device's DMA, the device fd, and the vendor and device IDs read
 * from its config space.  Then it puts everything back.
 *
 * Nothing in it knows about iommusim: build it like any program and run it
 * on a simulated machine with
 *
 *     cc -o vfio-hello vfio-hello.c
 *     iommusim exec -- ./vfio-hello [0000:01:00.0]
 *
 * Without an argument it takes the first function bound to vfio-pci.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define BUF_SIZE (1 << 20)
#define BUF_IOVA 0x100000

static int fail(const char *what)
{
	fprintf(stderr, "vfio-hello: %s: %s\n", what, strerror(errno));
	return 1;
}

/* The first PCI function bound to vfio-pci, by address. */
static int first_vfio_device(char *bdf, size_t len)
{
	DIR *dir = opendir("/sys/bus/pci/drivers/vfio-pci");
	struct dirent *e;

	bdf[0] = '\0';
	while (dir && (e = readdir(dir)))
		if (strchr(e->d_name, ':') && (!bdf[0] || strcmp(e->d_name, bdf) < 0))
			snprintf(bdf, len, "%s", e->d_name);
	if (dir)
		closedir(dir);
	errno = ENODEV;
	return bdf[0] ? 0 : -1;
}

/* The number of the IOMMU group of @bdf: the name its iommu_group link points to. */
static int group_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX], *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	slash = strrchr(link, '/');
	return atoi(slash ? slash + 1 : link);
}

int main(int argc, char **argv)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info config = {
		.argsz = sizeof(config), .index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = BUF_IOVA, .size = BUF_SIZE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = BUF_IOVA, .size = BUF_SIZE,
	};
	char bdf[NAME_MAX + 1], path[32];
	int container, group, device, id;
	uint16_t ids[2];
	void *buf;

	if (argc > 1)
		snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	else if (first_vfio_device(bdf, sizeof(bdf)))
		return fail("no device bound to vfio-pci");

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0 || ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return fail("/dev/vfio/vfio");

	id = group_of(bdf);
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	group = id < 0 ? -1 : open(path, O_RDWR);
	if (group < 0)
		return fail(bdf);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EPERM;
		return fail("group not viable (bind all its devices to vfio-pci)");
	}
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return fail("VFIO_SET_IOMMU");

	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return fail("mmap");
	map.vaddr = (uintptr_t)buf;
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		return fail("VFIO_IOMMU_MAP_DMA");

	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (device < 0)
		return fail("VFIO_GROUP_GET_DEVICE_FD");
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &config) ||
	    pread(device, ids, sizeof(ids), (off_t)config.offset) != sizeof(ids))
		return fail("config space");
	printf("%s: vendor 0x%04x device 0x%04x, group %d, 1 MiB mapped at IOVA 0x%x\n", bdf,
	       ids[0], ids[1], id, BUF_IOVA);

	close(device);
	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) || unmap.size != BUF_SIZE)
		return fail("VFIO_IOMMU_UNMAP_DMA");
	if (ioctl(group, VFIO_GROUP_UNSET_CONTAINER))
		return fail("VFIO_GROUP_UNSET_CONTAINER");
	close(group);
	close(container);
	munmap(buf, BUF_SIZE);
	return 0;
}
