// SPDX-License-Identifier: MIT
/*
 * A program shaped like QEMU's legacy VFIO container path
 * (hw/vfio/container-legacy.c): for each device of one address space it
 * reads the group number from sysfs, opens and checks the group, tries the
 * containers the address space already has (any failure means "try the
 * next"), else opens a new container, picks the best type1 backend, maps
 * the guest's RAM, and reads the IOMMU info with the argsz-grow protocol.
 * Device fds, regions and IRQs come with the VFIO device model.
 *
 * Only system headers; run it as `iommusim exec -p mock -- qemu_legacy`.
 * On the mock platform the outcome is known, and checked:
 *   0000:01:00.0  joins the first container (a new one)
 *   0000:11:00.0  joins it too: another instance, a second domain
 *   0000:20:00.0  joins it too (a VT-d-like unit)
 *   0000:04:00.0  refused: its group is not viable (the audio function)
 *   0000:10:00.0  refused: its attach fails hard (ENOSPC) in any container
 * Exit status 0 when all of that holds.
 */
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

#define RAM_SIZE (64ul << 20)
#define MAX_CONTAINERS 8

struct address_space {
	int containers[MAX_CONTAINERS];
	int nr;
	void *ram;
};

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "qemu_legacy: FAILED: %s\n", what);
		failures++;
	}
}

/* vfio_device_get_groupid: readlink of <sysfsdev>/iommu_group, basename. */
static int group_id_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s//iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		fprintf(stderr, "%s: no iommu_group found: %s\n", bdf, strerror(errno));
		return -1;
	}
	link[n] = '\0';
	return atoi(strrchr(link, '/') + 1);
}

/* vfio_get_group: open, GET_STATUS, viable. */
static int open_group(int id)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "failed to open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) || !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		fprintf(stderr, "group %d is not viable\nPlease ensure all devices within the "
			"iommu_group are bound to their vfio bus driver.\n", id);
		close(fd);
		return -1;
	}
	return fd;
}

/* vfio_get_iommu_type: TYPE1v2, then TYPE1. */
static int best_type(int container)
{
	static const int types[] = { VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (ioctl(container, VFIO_CHECK_EXTENSION, types[i]) == 1)
			return types[i];
	return -1;
}

/* VFIO_IOMMU_GET_INFO: ask, grow to argsz, ask again; walk the caps. */
static int read_info(int container)
{
	struct vfio_iommu_type1_info *info = calloc(1, sizeof(*info)), *grown;
	int caps = 0;

	info->argsz = sizeof(*info);
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
		return free(info), -1;
	if (info->argsz > sizeof(*info)) {
		grown = realloc(info, info->argsz);
		if (!grown)
			return free(info), -1;
		info = grown;
		if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
			return free(info), -1;
	}
	for (uint32_t off = (info->flags & VFIO_IOMMU_INFO_CAPS) ? info->cap_offset : 0; off;) {
		struct vfio_info_cap_header hdr;

		memcpy(&hdr, (char *)info + off, sizeof(hdr));
		caps |= 1 << hdr.id;
		off = hdr.next;
	}
	free(info);
	return caps;
}

static int map_ram(int container, void *ram)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)ram, .iova = 0, .size = RAM_SIZE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap), .size = RAM_SIZE };

	if (!ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		return 0;
	if (errno != EBUSY)
		return -1;
	/* QEMU unmaps and retries on EBUSY. */
	ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map);
}

/* A new container for @group: version, type, SET_CONTAINER, SET_IOMMU, RAM. */
static int new_container(struct address_space *as, int group)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC), type;

	if (fd < 0 || as->nr == MAX_CONTAINERS)
		return -1;
	type = ioctl(fd, VFIO_GET_API_VERSION) == VFIO_API_VERSION ? best_type(fd) : -1;
	if (type < 0 || ioctl(group, VFIO_GROUP_SET_CONTAINER, &fd) ||
	    ioctl(fd, VFIO_SET_IOMMU, type)) {
		fprintf(stderr, "failed to set up a new container: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	check(read_info(fd) == ((1 << VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) |
				(1 << VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION) |
				(1 << VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)), "GET_INFO capabilities");
	if (map_ram(fd, as->ram)) {
		fprintf(stderr, "vfio_dma_map: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	as->containers[as->nr++] = fd;
	return fd;
}

/* vfio_connect_container: existing containers first, any failure means next. */
static int connect(struct address_space *as, const char *bdf, int *container)
{
	int id = group_id_of(bdf), group = id < 0 ? -1 : open_group(id);

	if (group < 0)
		return -1;
	for (int i = 0; i < as->nr; i++) {
		if (!ioctl(group, VFIO_GROUP_SET_CONTAINER, &as->containers[i])) {
			*container = as->containers[i];
			return group;
		}
		fprintf(stderr, "%s: container %d refused the group: %s, trying the next\n", bdf, i,
			strerror(errno));
	}
	*container = new_container(as, group);
	if (*container < 0) {
		close(group);
		return -1;
	}
	return group;
}

int main(void)
{
	static const char *const joins[] = { "0000:01:00.0", "0000:11:00.0", "0000:20:00.0" };
	static const char *const refused[] = { "0000:04:00.0", "0000:10:00.0" };
	struct address_space as = { .nr = 0 };
	int groups[8], nr_groups = 0, container;

	as.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (as.ram == MAP_FAILED)
		return 2;
	for (size_t i = 0; i < sizeof(joins) / sizeof(joins[0]); i++) {
		int g = connect(&as, joins[i], &container);

		check(g >= 0, joins[i]);
		check(g < 0 || container == as.containers[0], "one container for the address space");
		if (g >= 0)
			groups[nr_groups++] = g;
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		check(connect(&as, refused[i], &container) < 0, refused[i]);
	check(as.nr == 1, "no container left over");
	for (int i = 0; i < nr_groups; i++)
		check(!ioctl(groups[i], VFIO_GROUP_UNSET_CONTAINER), "UNSET_CONTAINER");
	for (int i = 0; i < nr_groups; i++)
		close(groups[i]);
	for (int i = 0; i < as.nr; i++)
		close(as.containers[i]);
	munmap(as.ram, RAM_SIZE);
	printf("qemu_legacy: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
