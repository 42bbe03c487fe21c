// SPDX-License-Identifier: MIT
/*
 * A program shaped like QEMU's legacy VFIO path (hw/vfio/container-legacy.c,
 * hw/vfio/pci.c, hw/vfio/device.c), call for call, for the devices named on
 * its command line as `-device vfio-pci,host=BDF` would name them:
 *
 *   address space   realpath of <sysfsdev> (the device's name), readlink
 *                   of <sysfsdev>/iommu_group; open /dev/vfio/N (a
 *                   group already open is reused); GET_STATUS must say
 *                   VIABLE; SET_CONTAINER on each container the address
 *                   space has (any failure means "try the next"), else a
 *                   new container: API version, CHECK_EXTENSION TYPE1v2
 *                   then TYPE1, SET_CONTAINER, SET_IOMMU, GET_INFO with the
 *                   argsz-grow loop and its capability chain (IOVA_RANGE,
 *                   DMA_AVAIL, MIGRATION), MAP_DMA of the guest's RAM in
 *                   the valid IOVA ranges (EBUSY: unmap and retry);
 *   device          GET_DEVICE_FD, DEVICE_GET_INFO, REGION_INFO of every
 *                   region with the argsz-grow loop and its capabilities
 *                   (sparse mmap, MSI-X mappable), config space read whole,
 *                   the IDs checked against sysfs, the MSI-X capability,
 *                   the Command register (memory + bus master), BAR sizing
 *                   as a guest's firmware does it, mmap of the mappable
 *                   BARs (around the MSI-X table unless it is mappable)
 *                   with a store and a load through the mapping, register
 *                   BARs through pread, GET_IRQ_INFO, SET_IRQS for MSI-X
 *                   (vector 0 with no eventfd first, then eventfds; each
 *                   vector triggered by the loopback DATA_NONE trigger must
 *                   reach its eventfd and no other), RESET;
 *   teardown        UNMAP_DMA of the whole 2^64 space in two halves of
 *                   2^63 (as QEMU splits a span the field cannot hold),
 *                   UNSET_CONTAINER, close.
 *
 * Usage: qemu_legacy [-x] BDF [[-x] BDF ...]
 *   each BDF is a device to assign, in order; -x marks one that QEMU must
 *   refuse (its group is not viable, or no container, old or new, takes
 *   it).  Nothing about the platform is built in: the tests run it on
 *   several (tests/meson.build).
 *
 * Only system headers.  Output is TAP, one line per step; exit status 0
 * when every step gave the expected answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_SIZE (64ul << 20)
#define PC_HOLE_START 0xa0000ul     /* the guest's legacy VGA/BIOS hole */
#define PC_HOLE_END 0x100000ul
#define MAX_CONTAINERS 8
#define MAX_GROUPS 16
#define MAX_DEVICES 16
#define MAX_RANGES 16
#define MAX_MAPS 64
#define MAX_AREAS 8
#define MAX_VECTORS 4
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct iova_range {
	uint64_t start, end;             /* end inclusive, as the kernel's */
};

struct container {
	int fd;
	uint64_t pgsizes;
	struct iova_range ranges[MAX_RANGES];
	unsigned int nr_ranges;
	uint32_t dma_avail;              /* when the container was set up */
	uint64_t dirty_pgsizes;          /* from the migration capability */
	uint64_t mapped;                 /* bytes of RAM mapped */
	unsigned int nr_maps;
	struct vfio_iommu_type1_dma_map first;   /* the first mapping made */
};

struct group {
	int id, fd;
	struct container *container;
};

struct address_space {
	struct container containers[MAX_CONTAINERS];
	unsigned int nr_containers;
	struct group groups[MAX_GROUPS];
	unsigned int nr_groups;
	char *ram;
};

struct region {
	struct vfio_region_info info;
	bool msix_mappable;
	struct vfio_region_sparse_mmap_area areas[MAX_AREAS];
	unsigned int nr_areas;           /* from SPARSE_MMAP, or 0 */
	void *maps[MAX_AREAS];
};

struct msix {
	unsigned int cap;                /* config offset, 0 without MSI-X */
	unsigned int bar, vectors;
	uint32_t table, pba;             /* offsets in the BAR */
};

struct device {
	const char *name;
	bool refuse;                     /* expected to be refused */
	struct group *group;
	int fd;
	struct vfio_device_info info;
	struct region regions[VFIO_PCI_NUM_REGIONS];
	uint8_t config[4096];
	struct msix msix;
};

/* ---- TAP ---- */

static int steps, failures;

static bool __attribute__((format(printf, 2, 3))) check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++steps);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failures += !ok;
	return ok;
}

/* What a call that returned @ret said: its errno's text, or "ok". */
static const char *said(long ret)
{
	return ret < 0 ? strerror(errno) : "ok";
}

/* ---- sysfs ---- */

/* vfio_device_get_groupid: the basename of <sysfsdev>/iommu_group. */
static int group_id_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		printf("# %s: no iommu_group found: %s\n", bdf, strerror(errno));
		return -1;
	}
	link[n] = '\0';
	printf("# %s: iommu_group -> %s\n", bdf, link);
	return atoi(strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
}

/* vfio_device_get_name: the basename of the device's real sysfs path. */
static bool sysfs_name_matches(const char *bdf)
{
	char path[PATH_MAX], *real;
	bool ok;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	real = realpath(path, NULL);
	ok = check(real && !strcmp(strrchr(real, '/') + 1, bdf), "%s: realpath %s", bdf,
		   real ? real : strerror(errno));
	free(real);
	return ok;
}

static unsigned long sysfs_hex(const char *bdf, const char *attr)
{
	char path[PATH_MAX], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return ~0ul;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 16);
}

/* ---- info ioctls (IOMMU info and region info share the protocol) ---- */

/*
 * An info ioctl with the argsz-grow protocol (vfio_get_iommu_info,
 * vfio_get_region_info): @req (@size bytes, argsz first) is asked, then
 * asked again in a buffer of the argsz the kernel wants.  NULL with errno.
 */
static void *info_ioctl(int fd, unsigned long cmd, const void *req, uint32_t size)
{
	uint32_t argsz = size, want;
	void *info = NULL, *grown;

	for (;;) {
		grown = realloc(info, argsz);
		if (!grown)
			break;
		info = grown;
		memset(info, 0, argsz);
		memcpy(info, req, size);
		memcpy(info, &argsz, sizeof(argsz));
		if (ioctl(fd, cmd, info))
			break;
		memcpy(&want, info, sizeof(want));
		if (want <= argsz)
			return info;
		argsz = want;
	}
	free(info);
	return NULL;
}

static struct vfio_info_cap_header *cap_at(void *info, uint32_t size, uint32_t off)
{
	if (!off || off % 4 || off + sizeof(struct vfio_info_cap_header) > size)
		return NULL;
	return (struct vfio_info_cap_header *)((char *)info + off);
}

/* ---- the container ---- */

static struct vfio_iommu_type1_info *iommu_info(int fd)
{
	struct vfio_iommu_type1_info req = { .argsz = sizeof(req) };

	return info_ioctl(fd, VFIO_IOMMU_GET_INFO, &req, sizeof(req));
}

static void take_iova_ranges(struct container *c, struct vfio_info_cap_header *hdr)
{
	struct vfio_iommu_type1_info_cap_iova_range *cap = (void *)hdr;

	c->nr_ranges = 0;
	for (uint32_t i = 0; i < cap->nr_iovas && c->nr_ranges < MAX_RANGES; i++) {
		c->ranges[c->nr_ranges].start = cap->iova_ranges[i].start;
		c->ranges[c->nr_ranges++].end = cap->iova_ranges[i].end;
	}
}

/* Walk the chain; returns the set of capability IDs found. */
static unsigned int take_iommu_caps(struct container *c, struct vfio_iommu_type1_info *info)
{
	struct vfio_info_cap_header *hdr;
	unsigned int found = 0;

	if (!(info->flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	for (hdr = cap_at(info, info->argsz, info->cap_offset); hdr;
	     hdr = cap_at(info, info->argsz, hdr->next)) {
		found |= 1u << hdr->id;
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			take_iova_ranges(c, hdr);
		else if (hdr->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)
			c->dma_avail = ((struct vfio_iommu_type1_info_dma_avail *)hdr)->avail;
		else if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION)
			c->dirty_pgsizes =
				((struct vfio_iommu_type1_info_cap_migration *)hdr)->pgsize_bitmap;
	}
	return found;
}

static bool read_iommu_info(struct container *c, int index)
{
	const unsigned int want = 1u << VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE |
				  1u << VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL |
				  1u << VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION;
	struct vfio_iommu_type1_info *info = iommu_info(c->fd);
	unsigned int caps;

	if (!check(info, "container %d: GET_INFO: %s", index, info ? "ok" : strerror(errno)))
		return false;
	c->pgsizes = info->flags & VFIO_IOMMU_INFO_PGSIZES ? info->iova_pgsizes : 0;
	caps = take_iommu_caps(c, info);
	check(c->pgsizes && caps == want && c->nr_ranges,
	      "container %d: GET_INFO argsz %u: page sizes 0x%llx, %u IOVA ranges, %u DMA "
	      "mappings available, dirty page sizes 0x%llx, capabilities 0x%x", index,
	      info->argsz, (unsigned long long)c->pgsizes, c->nr_ranges, c->dma_avail,
	      (unsigned long long)c->dirty_pgsizes, caps);
	for (unsigned int i = 0; i < c->nr_ranges; i++)
		printf("#   valid IOVA range [0x%llx, 0x%llx]\n",
		       (unsigned long long)c->ranges[i].start, (unsigned long long)c->ranges[i].end);
	free(info);
	return c->pgsizes && c->nr_ranges;
}

/* vfio_legacy_dma_map: on EBUSY, unmap the range and try once more. */
static int dma_map(struct container *c, uint64_t iova, void *vaddr, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = size,
	};

	if (!ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map))
		return 0;
	if (errno == EBUSY && !ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) &&
	    !ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map))
		return 0;
	return -errno;
}

/* Map [gpa, gpa + size) of guest RAM (at @host) where it meets a valid range. */
static void map_section(struct container *c, int index, uint64_t gpa, char *host, uint64_t size)
{
	uint64_t page = c->pgsizes & -c->pgsizes;

	for (unsigned int i = 0; i < c->nr_ranges; i++) {
		uint64_t lo = gpa > c->ranges[i].start ? gpa : c->ranges[i].start;
		uint64_t hi = gpa + size - 1 < c->ranges[i].end ? gpa + size : c->ranges[i].end + 1;
		int ret;

		lo = (lo + page - 1) & ~(page - 1);
		hi &= ~(page - 1);
		if (hi <= lo)
			continue;
		ret = dma_map(c, lo, host + (lo - gpa), hi - lo);
		errno = -ret;
		if (!check(!ret, "container %d: MAP_DMA RAM at IOVA [0x%llx, 0x%llx): %s", index,
			   (unsigned long long)lo, (unsigned long long)hi, said(ret)))
			continue;
		if (!c->nr_maps++)
			c->first = (struct vfio_iommu_type1_dma_map){
				.argsz = sizeof(c->first), .flags = VFIO_DMA_MAP_FLAG_READ,
				.vaddr = (uintptr_t)host + (lo - gpa), .iova = lo, .size = hi - lo };
		c->mapped += hi - lo;
	}
}

/* The guest's RAM as a PC lays it out: below the legacy hole, then above. */
static void map_ram(struct container *c, int index, char *ram)
{
	struct vfio_iommu_type1_info *info;
	long ret;

	map_section(c, index, 0, ram, PC_HOLE_START);
	map_section(c, index, PC_HOLE_END, ram + PC_HOLE_START, RAM_SIZE - PC_HOLE_START);
	if (!check(c->mapped, "container %d: %llu bytes of RAM mapped in %u pieces", index,
		   (unsigned long long)c->mapped, c->nr_maps))
		return;
	/* The kernel says EEXIST for a range already mapped, not EBUSY. */
	ret = ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &c->first);
	check(ret && errno == EEXIST, "container %d: MAP_DMA over a mapping: %s", index, said(ret));
	info = iommu_info(c->fd);
	if (info) {
		uint32_t before = c->dma_avail;

		take_iommu_caps(c, info);
		check(before - c->dma_avail == c->nr_maps,
		      "container %d: DMA_AVAIL %u -> %u after %u mappings", index, before,
		      c->dma_avail, c->nr_maps);
		c->dma_avail = before;
		free(info);
	}
}

/* vfio_get_iommu_type: the best type1 backend the container offers. */
static int best_type(int fd)
{
	static const int types[] = { VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (ioctl(fd, VFIO_CHECK_EXTENSION, types[i]) == 1)
			return types[i];
	return -1;
}

/* A new container for @group: version, type, SET_CONTAINER, SET_IOMMU, info, RAM. */
static struct container *new_container(struct address_space *as, struct group *g)
{
	struct container *c = &as->containers[as->nr_containers];
	int index = (int)as->nr_containers, type;
	long ret;

	if (as->nr_containers == MAX_CONTAINERS)
		return NULL;
	*c = (struct container){ .fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC) };
	if (!check(c->fd >= 0 && ioctl(c->fd, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
		   "container %d: open /dev/vfio/vfio, API version %d", index, VFIO_API_VERSION))
		goto close_fd;
	type = best_type(c->fd);
	if (!check(type > 0, "container %d: CHECK_EXTENSION picks type %d", index, type))
		goto close_fd;
	ret = ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd);
	if (ret) {
		printf("# group %d: SET_CONTAINER on a new container: %s\n", g->id, said(ret));
		goto close_fd;
	}
	/* The attach happens here: a refusal is the group's answer, not a failure. */
	ret = ioctl(c->fd, VFIO_SET_IOMMU, type);
	printf("# container %d: SET_IOMMU %d: %s\n", index, type, said(ret));
	if (ret || !read_iommu_info(c, index))
		goto unset_container;
	map_ram(c, index, as->ram);
	as->nr_containers++;
	return c;

unset_container:
	ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
close_fd:
	if (c->fd >= 0)
		close(c->fd);
	return NULL;
}

/* vfio_get_group: open /dev/vfio/N and require a viable group. */
static int open_group(int id)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[32];
	long ret;
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("# failed to open %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = ioctl(fd, VFIO_GROUP_GET_STATUS, &status);
	if (ret || !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		printf("# group %d is not viable (GET_STATUS: %s, flags 0x%x)\n# Please ensure "
		       "all devices within the iommu_group are bound to their vfio bus driver.\n",
		       id, said(ret), status.flags);
		close(fd);
		return -1;
	}
	return fd;
}

/* vfio_connect_container: the address space's containers first, then a new one. */
static bool connect_group(struct address_space *as, struct group *g)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };

	for (unsigned int i = 0; i < as->nr_containers; i++) {
		long ret = ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &as->containers[i].fd);

		if (!ret) {
			g->container = &as->containers[i];
			printf("# group %d joins container %u\n", g->id, i);
			break;
		}
		printf("# group %d: container %u refuses it (%s), trying the next\n", g->id, i,
		       said(ret));
	}
	if (!g->container)
		g->container = new_container(as, g);
	if (!g->container)
		return false;
	check(!ioctl(g->fd, VFIO_GROUP_GET_STATUS, &status) &&
	      status.flags == (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET),
	      "group %d: GET_STATUS says viable, container set", g->id);
	return true;
}

static struct group *get_group(struct address_space *as, const char *bdf)
{
	int id = sysfs_name_matches(bdf) ? group_id_of(bdf) : -1;
	struct group *g;

	if (id < 0)
		return NULL;
	for (unsigned int i = 0; i < as->nr_groups; i++)
		if (as->groups[i].id == id)
			return &as->groups[i];   /* another function of an open group */
	if (as->nr_groups == MAX_GROUPS)
		return NULL;
	g = &as->groups[as->nr_groups];
	*g = (struct group){ .id = id, .fd = open_group(id) };
	if (g->fd < 0)
		return NULL;
	if (!connect_group(as, g)) {
		close(g->fd);
		return NULL;
	}
	as->nr_groups++;
	return g;
}

/* ---- the device: regions ---- */

static struct vfio_region_info *region_info(int fd, unsigned int index)
{
	struct vfio_region_info req = { .argsz = sizeof(req), .index = index };

	return info_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &req, sizeof(req));
}

static void take_region_caps(struct region *r, struct vfio_region_info *info)
{
	struct vfio_info_cap_header *hdr;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return;
	for (hdr = cap_at(info, info->argsz, info->cap_offset); hdr;
	     hdr = cap_at(info, info->argsz, hdr->next)) {
		struct vfio_region_info_cap_sparse_mmap *sparse = (void *)hdr;

		if (hdr->id == VFIO_REGION_INFO_CAP_MSIX_MAPPABLE)
			r->msix_mappable = true;
		if (hdr->id != VFIO_REGION_INFO_CAP_SPARSE_MMAP)
			continue;
		for (uint32_t i = 0; i < sparse->nr_areas && r->nr_areas < MAX_AREAS; i++)
			r->areas[r->nr_areas++] = sparse->areas[i];
	}
}

static void probe_regions(struct device *d)
{
	struct vfio_region_info *info;

	for (unsigned int i = 0; i < d->info.num_regions && i < VFIO_PCI_NUM_REGIONS; i++) {
		struct region *r = &d->regions[i];

		info = region_info(d->fd, i);
		if (i == VFIO_PCI_VGA_REGION_INDEX && !info && errno == EINVAL) {
			printf("# %s: no VGA region\n", d->name);
			continue;
		}
		if (!check(info, "%s: REGION_INFO %u: %s", d->name, i, info ? "ok" : strerror(errno)))
			continue;
		r->info = *info;
		take_region_caps(r, info);
		printf("#   region %u: offset 0x%llx size 0x%llx flags 0x%x%s%s\n", i,
		       (unsigned long long)info->offset, (unsigned long long)info->size,
		       info->flags, r->nr_areas ? ", sparse mmap" : "",
		       r->msix_mappable ? ", MSI-X mappable" : "");
		free(info);
	}
	info = region_info(d->fd, d->info.num_regions);
	check(!info && errno == EINVAL, "%s: REGION_INFO %u (past the last): EINVAL", d->name,
	      d->info.num_regions);
	free(info);
	info = &d->regions[VFIO_PCI_CONFIG_REGION_INDEX].info;
	check(info->size >= PCI_CFG_SPACE_SIZE &&
	      (info->flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)) ==
		      (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	      "%s: config region of 0x%llx bytes, readable and writable", d->name,
	      (unsigned long long)info->size);
}

/* ---- the device: config space ---- */

static off_t cfg_offset(const struct device *d)
{
	return (off_t)d->regions[VFIO_PCI_CONFIG_REGION_INDEX].info.offset;
}

static uint32_t cfg_read(const struct device *d, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	if (pread(d->fd, &v, size, cfg_offset(d) + off) != (ssize_t)size)
		return ~0u;
	return v;
}

static bool cfg_write(const struct device *d, unsigned int off, unsigned int size, uint32_t v)
{
	return pwrite(d->fd, &v, size, cfg_offset(d) + off) == (ssize_t)size;
}

static uint32_t cfg_at(const struct device *d, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	memcpy(&v, d->config + off, size);
	return v;
}

/* vfio_msix_early_setup: where the table and the PBA are. */
static void find_msix(struct device *d)
{
	unsigned int pos = cfg_at(d, PCI_CAPABILITY_LIST, 1) & ~3u;

	for (int hops = 0; pos && hops < 48; hops++) {
		if (cfg_at(d, pos + PCI_CAP_LIST_ID, 1) == PCI_CAP_ID_MSIX) {
			uint32_t table = cfg_read(d, pos + PCI_MSIX_TABLE, 4);

			d->msix.cap = pos;
			d->msix.vectors = (cfg_read(d, pos + PCI_MSIX_FLAGS, 2) &
					   PCI_MSIX_FLAGS_QSIZE) + 1;
			d->msix.bar = table & PCI_MSIX_TABLE_BIR;
			d->msix.table = table & PCI_MSIX_TABLE_OFFSET;
			d->msix.pba = cfg_read(d, pos + PCI_MSIX_PBA, 4) & PCI_MSIX_PBA_OFFSET;
			return;
		}
		pos = cfg_at(d, pos + PCI_CAP_LIST_NEXT, 1) & ~3u;
	}
}

static void probe_config(struct device *d)
{
	size_t size = sizeof(d->config);
	ssize_t n = pread(d->fd, d->config, size, cfg_offset(d));
	unsigned long vendor = sysfs_hex(d->name, "vendor"), device = sysfs_hex(d->name, "device");
	unsigned long class = sysfs_hex(d->name, "class");

	check(n == (ssize_t)size, "%s: config space read whole: %zd bytes", d->name, n);
	check(cfg_at(d, PCI_VENDOR_ID, 2) == vendor && cfg_at(d, PCI_DEVICE_ID, 2) == device &&
	      cfg_at(d, PCI_CLASS_REVISION, 4) >> 8 == class,
	      "%s: config says %04x:%04x class %06x, sysfs %04lx:%04lx class %06lx", d->name,
	      cfg_at(d, PCI_VENDOR_ID, 2), cfg_at(d, PCI_DEVICE_ID, 2),
	      cfg_at(d, PCI_CLASS_REVISION, 4) >> 8, vendor, device, class);
	check((cfg_at(d, PCI_HEADER_TYPE, 1) & 0x7f) == PCI_HEADER_TYPE_NORMAL,
	      "%s: type 0 header", d->name);
	find_msix(d);
	if (d->msix.cap)
		check(d->msix.bar < 6 &&
		      d->regions[d->msix.bar].info.size >= d->msix.table + 16ull * d->msix.vectors,
		      "%s: MSI-X at 0x%x: %u vectors, table in BAR%u at 0x%x, PBA at 0x%x", d->name,
		      d->msix.cap, d->msix.vectors, d->msix.bar, d->msix.table, d->msix.pba);
}

static void enable_device(struct device *d)
{
	uint16_t want = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	uint32_t before = cfg_read(d, PCI_COMMAND, 2), after;
	bool written = cfg_write(d, PCI_COMMAND, 2, (before & 0xffff) | want);

	after = cfg_read(d, PCI_COMMAND, 2);
	check(written && (after & want) == want,
	      "%s: Command 0x%04x -> 0x%04x (memory, bus master)", d->name, before, after);
}

/* A guest's firmware sizing BAR @i: all ones, read back, restore. */
static uint64_t size_bar(const struct device *d, unsigned int i, bool *is64)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint32_t orig = cfg_read(d, reg, 4), lo, hi = ~0u, orig_hi = 0;
	uint64_t mask;

	*is64 = !(orig & PCI_BASE_ADDRESS_SPACE_IO) &&
		(orig & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 && i < 5;
	cfg_write(d, reg, 4, ~0u);
	lo = cfg_read(d, reg, 4);
	cfg_write(d, reg, 4, orig);
	if (*is64) {
		orig_hi = cfg_read(d, reg + 4, 4);
		cfg_write(d, reg + 4, 4, ~0u);
		hi = cfg_read(d, reg + 4, 4);
		cfg_write(d, reg + 4, 4, orig_hi);
	}
	lo &= orig & PCI_BASE_ADDRESS_SPACE_IO ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK;
	if (!lo)
		return 0;
	mask = (uint64_t)hi << 32 | lo;
	if (orig & PCI_BASE_ADDRESS_SPACE_IO)
		mask |= 0xffffffffffff0000ull;   /* I/O BARs decode 16 bits */
	return ~mask + 1;
}

static void size_bars(const struct device *d)
{
	for (unsigned int i = 0; i < 6; i++) {
		uint32_t orig = cfg_read(d, PCI_BASE_ADDRESS_0 + 4 * i, 4);
		uint64_t want = d->regions[i].info.size;
		bool is64;
		uint64_t size = size_bar(d, i, &is64);

		check(size == want && cfg_read(d, PCI_BASE_ADDRESS_0 + 4 * i, 4) == orig,
		      "%s: BAR%u sizes to 0x%llx (region: 0x%llx)%s", d->name, i,
		      (unsigned long long)size, (unsigned long long)want, is64 ? ", 64-bit" : "");
		i += is64;
	}
}

/* ---- the device: BARs ---- */

/* vfio_pci_fixup_msix_region: the table's pages are not mapped unless allowed. */
static void mappable_areas(struct device *d, unsigned int bar)
{
	struct region *r = &d->regions[bar];
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start, end;

	if (r->nr_areas)
		return;
	r->areas[r->nr_areas++] = (struct vfio_region_sparse_mmap_area){ 0, r->info.size };
	if (!d->msix.cap || d->msix.bar != bar || r->msix_mappable)
		return;
	start = d->msix.table & ~(page - 1);
	end = (d->msix.table + 16ull * d->msix.vectors + page - 1) & ~(page - 1);
	r->areas[0].size = start;
	r->areas[r->nr_areas++] = (struct vfio_region_sparse_mmap_area){
		end, end < r->info.size ? r->info.size - end : 0 };
}

/* An offset in [lo, hi) of BAR @bar clear of the MSI-X table and PBA, or ~0. */
static uint64_t probe_offset(const struct device *d, unsigned int bar, uint64_t lo, uint64_t hi)
{
	uint64_t table_end = d->msix.table + 16ull * d->msix.vectors;
	uint64_t pba_end = d->msix.pba + 8ull * ((d->msix.vectors + 63) / 64);

	if (d->msix.cap && d->msix.bar == bar) {
		if (lo >= d->msix.table && lo < table_end)
			lo = table_end;
		if (lo >= d->msix.pba && lo < pba_end)
			lo = pba_end;
	}
	return lo + 4 <= hi ? lo : ~0ull;
}

/* A store and a load through the mapping, seen through the fd, and back. */
static void touch_mapping(const struct device *d, unsigned int bar, unsigned int a)
{
	const struct region *r = &d->regions[bar];
	uint64_t off = probe_offset(d, bar, r->areas[a].offset, r->areas[a].offset + r->areas[a].size);
	volatile uint32_t *p;
	uint32_t seen = 0, v = 0x5eed0000u | bar << 8 | a;

	if (off == ~0ull)
		return;
	p = (volatile uint32_t *)((char *)r->maps[a] + (off - r->areas[a].offset));
	*p = v;
	check(pread(d->fd, &seen, 4, (off_t)(r->info.offset + off)) == 4 && seen == v,
	      "%s: BAR%u+0x%llx: a store through the mapping reads back through the fd",
	      d->name, bar, (unsigned long long)off);
	v = ~v;
	check(pwrite(d->fd, &v, 4, (off_t)(r->info.offset + off)) == 4 && *p == v,
	      "%s: BAR%u+0x%llx: a write through the fd shows in the mapping", d->name, bar,
	      (unsigned long long)off);
}

static void map_bar(struct device *d, unsigned int bar)
{
	struct region *r = &d->regions[bar];

	mappable_areas(d, bar);
	for (unsigned int a = 0; a < r->nr_areas; a++) {
		if (!r->areas[a].size)
			continue;
		r->maps[a] = mmap(NULL, r->areas[a].size, PROT_READ | PROT_WRITE, MAP_SHARED,
				  d->fd, (off_t)(r->info.offset + r->areas[a].offset));
		if (!check(r->maps[a] != MAP_FAILED, "%s: mmap BAR%u [0x%llx, +0x%llx): %s", d->name,
			   bar, (unsigned long long)r->areas[a].offset,
			   (unsigned long long)r->areas[a].size,
			   r->maps[a] != MAP_FAILED ? "ok" : strerror(errno))) {
			r->maps[a] = NULL;
			continue;
		}
		touch_mapping(d, bar, a);
	}
}

static void probe_bars(struct device *d)
{
	for (unsigned int bar = 0; bar < 6; bar++) {
		struct region *r = &d->regions[bar];
		uint64_t off;
		uint32_t v;

		if (!r->info.size)
			continue;
		if (r->info.flags & VFIO_REGION_INFO_FLAG_MMAP) {
			map_bar(d, bar);
			continue;
		}
		off = probe_offset(d, bar, 0, r->info.size);
		if (off != ~0ull)
			check(pread(d->fd, &v, 4, (off_t)(r->info.offset + off)) == 4,
			      "%s: BAR%u (registers): pread at 0x%llx", d->name, bar,
			      (unsigned long long)off);
	}
}

static void unmap_bars(struct device *d)
{
	for (unsigned int bar = 0; bar < 6; bar++)
		for (unsigned int a = 0; a < d->regions[bar].nr_areas; a++)
			if (d->regions[bar].maps[a])
				munmap(d->regions[bar].maps[a], d->regions[bar].areas[a].size);
}

/* ---- the device: interrupts ---- */

static long set_irqs(const struct device *d, unsigned int index, uint32_t flags,
		     unsigned int start, unsigned int count, const int32_t *fds)
{
	char buf[sizeof(struct vfio_irq_set) + MAX_VECTORS * sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	set->argsz = (uint32_t)(sizeof(*set) + (fds ? count * sizeof(int32_t) : 0));
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (fds)
		memcpy(set->data, fds, count * sizeof(int32_t));
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set);
}

/* The eventfd's count after waiting up to @ms, consumed. */
static uint64_t wait_event(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) != 1 || read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static unsigned int probe_irq_info(const struct device *d)
{
	unsigned int msix = 0;

	for (unsigned int i = 0; i < d->info.num_irqs; i++) {
		struct vfio_irq_info info = { .argsz = sizeof(info), .index = i };
		long ret = ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &info);

		check(!ret, "%s: GET_IRQ_INFO %u: %s, %u vectors, flags 0x%x", d->name, i, said(ret),
		      info.count, info.flags);
		if (!ret && i == VFIO_PCI_MSIX_IRQ_INDEX && (info.flags & VFIO_IRQ_INFO_EVENTFD))
			msix = info.count;
	}
	return msix;
}

static bool msix_enabled(const struct device *d)
{
	return cfg_read(d, d->msix.cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE;
}

/* Each vector's loopback trigger reaches its eventfd, and only that one. */
static void loopback(const struct device *d, const int32_t *efd, unsigned int n)
{
	for (unsigned int v = 0; v < n; v++) {
		long ret = set_irqs(d, VFIO_PCI_MSIX_IRQ_INDEX,
				    VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, v, 1, NULL);
		uint64_t got = wait_event(efd[v], 1000), others = 0;

		for (unsigned int o = 0; o < n; o++)
			others += o == v ? 0 : wait_event(efd[o], 0);
		check(!ret && got == 1 && !others,
		      "%s: MSI-X vector %u triggered: %s, its eventfd counted %llu, others %llu",
		      d->name, v, said(ret), (unsigned long long)got, (unsigned long long)others);
	}
}

/* vfio_msix_enable: vector 0 without an eventfd, then the vectors in use. */
static void probe_msix(const struct device *d, unsigned int count)
{
	const uint32_t eventfds = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	unsigned int n = count < MAX_VECTORS ? count : MAX_VECTORS;
	int32_t efd[MAX_VECTORS], none = -1;
	long ret;

	ret = set_irqs(d, VFIO_PCI_MSIX_IRQ_INDEX, eventfds, 0, 1, &none);
	check(!ret && msix_enabled(d), "%s: SET_IRQS MSI-X enabled with no eventfd: %s", d->name,
	      said(ret));
	ret = set_irqs(d, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
		       VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
	check(!ret && !msix_enabled(d), "%s: SET_IRQS MSI-X disabled: %s", d->name, said(ret));
	for (unsigned int v = 0; v < n; v++)
		efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ret = set_irqs(d, VFIO_PCI_MSIX_IRQ_INDEX, eventfds, 0, n, efd);
	if (check(!ret && msix_enabled(d), "%s: SET_IRQS MSI-X with %u eventfds: %s", d->name, n,
		  said(ret)))
		loopback(d, efd, n);
	ret = set_irqs(d, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
		       VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
	check(!ret && !msix_enabled(d), "%s: SET_IRQS MSI-X torn down: %s", d->name, said(ret));
	for (unsigned int v = 0; v < n; v++)
		close(efd[v]);
}

/* vfio_pci_reset: quiesce the Command register, reset, the view stays. */
static void reset_device(const struct device *d)
{
	const struct region *r = &d->regions[0];
	uint32_t marker = 0xc0ffee, seen = 0;
	long ret;

	if (!check(d->info.flags & VFIO_DEVICE_FLAGS_RESET, "%s: device can reset", d->name))
		return;
	if (r->info.size >= 4 && r->info.flags & VFIO_REGION_INFO_FLAG_MMAP)
		pwrite(d->fd, &marker, 4, (off_t)r->info.offset);
	cfg_write(d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ret = ioctl(d->fd, VFIO_DEVICE_RESET);
	check(!ret && cfg_read(d, PCI_COMMAND, 2) == PCI_COMMAND_MEMORY,
	      "%s: RESET: %s, Command still 0x%04x", d->name, said(ret), PCI_COMMAND_MEMORY);
	if (r->info.size >= 4 && r->info.flags & VFIO_REGION_INFO_FLAG_MMAP)
		check(pread(d->fd, &seen, 4, (off_t)r->info.offset) == 4 && seen != marker,
		      "%s: RESET reached the device: BAR0 lost what was written", d->name);
}

/* ---- the device ---- */

static void get_device_info(struct device *d)
{
	long ret;

	d->info = (struct vfio_device_info){ .argsz = sizeof(d->info) };
	ret = ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info);
	check(!ret && d->info.flags & VFIO_DEVICE_FLAGS_PCI &&
	      d->info.num_regions > VFIO_PCI_CONFIG_REGION_INDEX &&
	      d->info.num_irqs > VFIO_PCI_MSIX_IRQ_INDEX,
	      "%s: DEVICE_GET_INFO: %s, flags 0x%x, %u regions, %u irqs", d->name, said(ret),
	      d->info.flags, d->info.num_regions, d->info.num_irqs);
}

static void realize(struct device *d)
{
	unsigned int msix_vectors;

	d->fd = (int)ioctl(d->group->fd, VFIO_GROUP_GET_DEVICE_FD, d->name);
	if (!check(d->fd >= 0, "%s: GET_DEVICE_FD: %s", d->name, said(d->fd)))
		return;
	get_device_info(d);
	probe_regions(d);
	probe_config(d);
	enable_device(d);
	size_bars(d);
	probe_bars(d);
	msix_vectors = probe_irq_info(d);
	check(msix_vectors == (d->msix.cap ? d->msix.vectors : 0),
	      "%s: MSI-X vectors: %u in config space, %u in GET_IRQ_INFO", d->name,
	      d->msix.cap ? d->msix.vectors : 0, msix_vectors);
	if (msix_vectors)
		probe_msix(d, msix_vectors);
	reset_device(d);
	unmap_bars(d);
	check(!close(d->fd), "%s: device fd closed", d->name);
}

/* ---- teardown ---- */

static uint64_t unmap_half(const struct container *c, uint64_t iova)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = 1ull << 63,
	};

	return ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ? ~0ull : unmap.size;
}

/* vfio_listener_region_del of the whole space: [0, 2^63), [2^63, 2^64). */
static void unmap_everything(struct container *c, int index)
{
	uint64_t low = unmap_half(c, 0), high = unmap_half(c, 1ull << 63);
	struct vfio_iommu_type1_info *info;

	check(low == c->mapped && high == 0,
	      "container %d: UNMAP_DMA [0, 2^63) gave 0x%llx bytes back, [2^63, 2^64) 0x%llx",
	      index, (unsigned long long)low, (unsigned long long)high);
	info = iommu_info(c->fd);
	if (info) {
		uint32_t before = c->dma_avail;

		take_iommu_caps(c, info);
		check(c->dma_avail == before, "container %d: DMA_AVAIL back to %u", index,
		      c->dma_avail);
		free(info);
	}
}

static void teardown(struct address_space *as)
{
	for (unsigned int i = 0; i < as->nr_containers; i++)
		unmap_everything(&as->containers[i], (int)i);
	for (unsigned int i = 0; i < as->nr_groups; i++) {
		struct group *g = &as->groups[i];
		struct vfio_group_status status = { .argsz = sizeof(status) };
		long ret = ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, &g->container->fd);

		check(!ret && !ioctl(g->fd, VFIO_GROUP_GET_STATUS, &status) &&
		      status.flags == VFIO_GROUP_FLAGS_VIABLE,
		      "group %d: UNSET_CONTAINER: %s", g->id, said(ret));
		close(g->fd);
	}
	for (unsigned int i = 0; i < as->nr_containers; i++)
		close(as->containers[i].fd);
}

/* ---- main ---- */

static int parse_args(int argc, char **argv, struct device *devs)
{
	int n = 0;

	for (int i = 1; i < argc && n < MAX_DEVICES; i++) {
		bool refuse = !strcmp(argv[i], "-x");

		if (refuse && ++i == argc)
			break;
		devs[n++] = (struct device){ .name = argv[i], .refuse = refuse, .fd = -1 };
	}
	if (!n || n == MAX_DEVICES) {
		fprintf(stderr, "usage: qemu_legacy [-x] BDF [[-x] BDF ...] (at most %d)\n",
			MAX_DEVICES - 1);
		return -1;
	}
	return n;
}

int main(int argc, char **argv)
{
	static struct device devs[MAX_DEVICES];
	static struct address_space as;
	int n = parse_args(argc, argv, devs);

	if (n < 0)
		return 2;
	as.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (as.ram == MAP_FAILED)
		return 2;
	for (int i = 0; i < n; i++) {
		unsigned int containers = as.nr_containers;

		devs[i].group = get_group(&as, devs[i].name);
		check(!devs[i].group == devs[i].refuse, "%s: %s", devs[i].name,
		      devs[i].group ? "assigned" : "refused");
		if (devs[i].group)
			realize(&devs[i]);
		else
			check(as.nr_containers == containers, "%s: no container left behind",
			      devs[i].name);
	}
	teardown(&as);
	munmap(as.ram, RAM_SIZE);
	printf("1..%d\n", steps);
	return failures ? 1 : 0;
}
