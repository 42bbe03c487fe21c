// SPDX-License-Identifier: MIT
/*
 * A program shaped like DPDK's EAL on Linux (lib/eal/linux/eal_vfio.c,
 * drivers/bus/pci/linux/pci.c and pci_vfio.c), with SPDK's way of finding
 * DPDK's container at the end (lib/env_dpdk/memory.c):
 *
 *   EAL init     VFIO is "enabled" when /sys/module/vfio and vfio_pci
 *                exist; no-IOMMU mode is read from /sys/module/vfio/
 *                parameters/enable_unsafe_noiommu_mode; the default
 *                container is opened, its API version and extensions
 *                checked; memory is hugepage-sized segments (2 MiB pages
 *                when the system has them, else 2 MiB-aligned anonymous
 *                memory);
 *   PCI scan     /sys/bus/pci/devices: IDs, class, resource (BAR sizes),
 *                the driver link; devices sorted by address; for each one
 *                bound to vfio-pci the iommu_group link and the VT-d CAP
 *                register from <dev>/iommu/intel-iommu/cap with fopen
 *                (ENOENT: no Intel IOMMU, IOVA as VA is fine) whose MGAW
 *                gives the DMA mask the memory must fit in;
 *   probe        each device's group joins the one default container (a
 *                SET_CONTAINER failure is fatal for that device only); the
 *                first group picks the IOMMU type (TYPE1 first: "not an
 *                error, there may be more types") and every memory segment
 *                is mapped with IOVA = VA (EEXIST: already mapped);
 *                GET_DEVICE_FD, DEVICE_GET_INFO, REGION_INFO of each BAR
 *                (size checked against sysfs resource), mmap of the
 *                mappable ones around the MSI-X table, interrupts (MSI-X
 *                first, an eventfd, the loopback trigger must reach it),
 *                bus master through config space, RESET;
 *   SPDK         /sys/kernel/iommu_groups must have entries; the container
 *                is the fd whose /proc/self/fd link reads /dev/vfio/vfio;
 *                SPDK maps its own buffer through it, and unmaps it.
 *
 * Usage: dpdk_scan [-i] [-x BDF]...
 *   -i      the platform has VT-d: every vfio-pci device must show its
 *           unit's CAP register (without -i, none may);
 *   -x BDF  a vfio-pci device DPDK must fail to set up.
 * Nothing about the platform is built in (tests/meson.build runs it on
 * several).  Only system headers.  Output is TAP, one line per step; exit
 * status 0 when every step gave the expected answer.
 */
#include <dirent.h>
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
#include <sys/stat.h>
#include <unistd.h>

#define SEG_SIZE (2ul << 20)
#define NR_SEGS 4
#define SPDK_BUF_SIZE (64ul << 10)
#define MAX_DEVS 64
#define MAX_GROUPS 256
#define MAX_REFUSED 16
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct pci_dev {
	char name[32];
	unsigned long vendor, device, class;
	uint64_t bar_size[6];            /* from sysfs resource */
	char driver[32];
	int group;
	int mgaw;                        /* VT-d address width, 0 without VT-d */
	bool refuse;                     /* expected to fail */
};

struct msix {
	unsigned int bar;
	uint32_t table, size;            /* the table's offset and length in the BAR */
};

struct eal {
	int container;
	int groups[MAX_GROUPS];          /* group fds by number, -1 */
	bool have_type;
	char *segs[NR_SEGS];
	bool hugetlb;
	const char *refused[MAX_REFUSED];
	int nr_refused;
	bool expect_vtd;
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

static const char *said(long ret)
{
	return ret < 0 ? strerror(errno) : "ok";
}

/* ---- EAL init ---- */

static bool module_loaded(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static void check_modules(void)
{
	char mode[8] = "";
	FILE *f;

	check(module_loaded("vfio") && module_loaded("vfio_pci"), "VFIO modules loaded");
	f = fopen("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "r");
	check(f && fgets(mode, sizeof(mode), f) && mode[0] == 'N', "no-IOMMU mode off");
	if (f)
		fclose(f);
}

/* vfio_has_supported_extensions and the default container. */
static int open_container(void)
{
	static const int types[] = { VFIO_TYPE1_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU, VFIO_NOIOMMU_IOMMU };
	int fd = open("/dev/vfio/vfio", O_RDWR), supported = 0;

	if (!check(fd >= 0 && ioctl(fd, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
		   "default container: open, API version"))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		supported += ioctl(fd, VFIO_CHECK_EXTENSION, types[i]) == 1;
	check(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 1,
	      "default container: %d IOMMU types supported, TYPE1 among them", supported);
	return fd;
}

/* A 2 MiB page, or 2 MiB-aligned anonymous memory where there are none. */
static char *hugepage(bool *hugetlb)
{
	char *p = mmap(NULL, SEG_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
	uintptr_t aligned;

	*hugetlb = p != MAP_FAILED;
	if (*hugetlb)
		return p;
	p = mmap(NULL, 2 * SEG_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	aligned = ((uintptr_t)p + SEG_SIZE - 1) & ~(SEG_SIZE - 1);
	if (aligned > (uintptr_t)p)
		munmap(p, aligned - (uintptr_t)p);
	munmap((char *)aligned + SEG_SIZE, (uintptr_t)p + SEG_SIZE - aligned);
	return (char *)aligned;
}

static bool alloc_memory(struct eal *eal)
{
	for (int i = 0; i < NR_SEGS; i++) {
		eal->segs[i] = hugepage(&eal->hugetlb);
		if (!eal->segs[i])
			return false;
		memset(eal->segs[i], 0, SEG_SIZE);
	}
	printf("# memory: %d segments of 2 MiB (%s)\n", NR_SEGS,
	       eal->hugetlb ? "hugetlbfs pages" : "no hugepages here: aligned anonymous memory");
	return true;
}

/* ---- PCI scan ---- */

static int read_hex(const char *dir, const char *attr, unsigned long *out)
{
	char path[PATH_MAX], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = strtoul(buf, NULL, 16);
	return 0;
}

/* The basename of the link @dir/@name, or "" when there is none. */
static void link_base(const char *dir, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	snprintf(out, len, "%s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
}

/* pci_parse_sysfs_resource: "start end flags" per line, BARs first. */
static void read_resources(const char *dir, struct pci_dev *d)
{
	unsigned long long start, end, flags;
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "r");
	for (int i = 0; f && i < 6; i++) {
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			break;
		d->bar_size[i] = end ? end - start + 1 : 0;
	}
	if (f)
		fclose(f);
}

static int scan_one(const char *name, struct pci_dev *d)
{
	char dir[PATH_MAX], group[32];

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", name);
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (read_hex(dir, "vendor", &d->vendor) || read_hex(dir, "device", &d->device) ||
	    read_hex(dir, "class", &d->class))
		return -1;
	read_resources(dir, d);
	link_base(dir, "driver", d->driver, sizeof(d->driver));
	link_base(dir, "iommu_group", group, sizeof(group));
	d->group = group[0] ? atoi(group) : -1;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pci_dev *)a)->name, ((const struct pci_dev *)b)->name);
}

static int scan_bus(struct pci_dev *devs)
{
	DIR *dir = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)) && n < MAX_DEVS)
		if (e->d_name[0] != '.' && !scan_one(e->d_name, &devs[n]))
			n++;
	closedir(dir);
	qsort(devs, (size_t)n, sizeof(*devs), by_name);
	return n;
}

/*
 * pci_one_device_iommu_support_va: the VT-d CAP register's MGAW; 0 when
 * there is no such file (no Intel IOMMU), -1 when it cannot be read.
 */
static int intel_mgaw(const struct pci_dev *d)
{
	char path[PATH_MAX], buf[64];
	unsigned long long cap;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu/intel-iommu/cap", d->name);
	f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT)
			printf("# %s: %s: %s\n", d->name, path, strerror(errno));
		return errno == ENOENT ? 0 : -1;
	}
	cap = fgets(buf, sizeof(buf), f) ? strtoull(buf, NULL, 16) : 0;
	fclose(f);
	return (int)((cap >> 16) & 0x3f) + 1;
}

/* rte_mem_check_dma_mask: every segment's IOVA (its VA) fits in @bits. */
static bool fits_dma_mask(const struct eal *eal, int bits)
{
	for (int i = 0; i < NR_SEGS; i++)
		if (bits < 64 && ((uintptr_t)eal->segs[i] + SEG_SIZE - 1) >> bits)
			return false;
	return true;
}

/* ---- probe: container ---- */

/* vfio_set_iommu_type: the first type the container accepts. */
static int set_iommu_type(int container)
{
	static const int types[] = { VFIO_TYPE1_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU, VFIO_NOIOMMU_IOMMU };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (!ioctl(container, VFIO_SET_IOMMU, types[i]))
			return types[i];
		printf("# SET_IOMMU %d: %s: not an error, there may be more supported types\n",
		       types[i], strerror(errno));
	}
	return -1;
}

/* vfio_type1_dma_mem_map: IOVA = VA; EEXIST means mapped already. */
static int dma_map(int container, void *va, size_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va, .iova = (uintptr_t)va, .size = size,
	};

	if (!ioctl(container, VFIO_IOMMU_MAP_DMA, &map) || errno == EEXIST)
		return 0;
	return -errno;
}

static uint64_t dma_unmap(int container, void *va, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = (uintptr_t)va, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? 0 : unmap.size;
}

/* type1_map over every memory segment. */
static int map_memory(struct eal *eal)
{
	for (int i = 0; i < NR_SEGS; i++) {
		int ret = dma_map(eal->container, eal->segs[i], SEG_SIZE);

		if (ret)
			return ret;
	}
	return 0;
}

/* The group of @d in the default container: 0, or -errno. */
static int setup_group(struct eal *eal, const struct pci_dev *d)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[32];
	int fd, type;

	snprintf(path, sizeof(path), "/dev/vfio/%d", d->group);
	fd = eal->groups[d->group] >= 0 ? eal->groups[d->group] : open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	eal->groups[d->group] = fd;
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status))
		return -errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EPERM;   /* "group is not viable (not all devices bound to vfio)" */
	if (status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET)
		return 0;        /* another function of the group did it */
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &eal->container))
		return -errno;
	if (eal->have_type)
		return 0;
	type = set_iommu_type(eal->container);
	if (!check(type == VFIO_TYPE1_IOMMU, "default container: IOMMU type %d", type))
		return -EINVAL;
	eal->have_type = true;
	return map_memory(eal);
}

/* ---- probe: device ---- */

static struct vfio_region_info *region_info(int fd, unsigned int index)
{
	uint32_t argsz = sizeof(struct vfio_region_info);
	struct vfio_region_info *info = NULL, *grown;

	for (;;) {
		grown = realloc(info, argsz);
		if (!grown)
			break;
		info = grown;
		memset(info, 0, argsz);
		info->argsz = argsz;
		info->index = index;
		if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info))
			break;
		if (info->argsz <= argsz)
			return info;
		argsz = info->argsz;
	}
	free(info);
	return NULL;
}

static bool msix_mappable(const struct vfio_region_info *info)
{
	for (uint32_t off = info->flags & VFIO_REGION_INFO_FLAG_CAPS ? info->cap_offset : 0;
	     off && off + sizeof(struct vfio_info_cap_header) <= info->argsz;) {
		const struct vfio_info_cap_header *hdr = (const void *)((const char *)info + off);

		if (hdr->id == VFIO_REGION_INFO_CAP_MSIX_MAPPABLE)
			return true;
		off = hdr->next;
	}
	return false;
}

static uint32_t cfg_read(int fd, off_t cfg, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	return pread(fd, &v, size, cfg + off) == (ssize_t)size ? v : ~0u;
}

/* pci_vfio_get_msix_bar: walk the capability list to the MSI-X one. */
static bool find_msix(int fd, off_t cfg, struct msix *msix)
{
	unsigned int pos = cfg_read(fd, cfg, PCI_CAPABILITY_LIST, 1) & ~3u;

	for (int hops = 0; pos && pos < 256 && hops < 48; hops++) {
		if (cfg_read(fd, cfg, pos, 1) == PCI_CAP_ID_MSIX) {
			uint32_t table = cfg_read(fd, cfg, pos + PCI_MSIX_TABLE, 4);
			uint32_t flags = cfg_read(fd, cfg, pos + PCI_MSIX_FLAGS, 2);

			msix->bar = table & PCI_MSIX_TABLE_BIR;
			msix->table = table & PCI_MSIX_TABLE_OFFSET;
			msix->size = 16 * ((flags & PCI_MSIX_FLAGS_QSIZE) + 1);
			return true;
		}
		pos = cfg_read(fd, cfg, pos + PCI_CAP_LIST_NEXT, 1) & ~3u;
	}
	return false;
}

/* pci_vfio_mmap_bar: the BAR, or the part after the MSI-X table's pages. */
static void map_bar(int fd, const struct pci_dev *d, unsigned int bar,
		    const struct vfio_region_info *info, const struct msix *msix)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), off = 0, size = info->size;
	uint32_t via_map, via_fd = 0;
	void *p;

	if (msix && msix->bar == bar && !msix_mappable(info)) {
		off = (msix->table + msix->size + page - 1) & ~(page - 1);
		size = off < size ? size - off : 0;
		printf("# %s: BAR%u holds the MSI-X table: mapping after it\n", d->name, bar);
	}
	if (!size)
		return;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(info->offset + off));
	if (!check(p != MAP_FAILED, "%s: mmap BAR%u [0x%llx, +0x%llx): %s", d->name, bar,
		   (unsigned long long)off, (unsigned long long)size,
		   p != MAP_FAILED ? "ok" : strerror(errno)))
		return;
	via_map = *(volatile uint32_t *)p;
	check(pread(fd, &via_fd, 4, (off_t)(info->offset + off)) == 4 && via_fd == via_map,
	      "%s: BAR%u: the mapping and the fd agree", d->name, bar);
	munmap(p, size);
}

static void map_resources(int fd, const struct pci_dev *d, const struct vfio_device_info *dev)
{
	struct vfio_region_info *cfg = region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX);
	struct msix msix = { .bar = 6 };
	bool has_msix = cfg && find_msix(fd, (off_t)cfg->offset, &msix);

	for (unsigned int bar = 0; cfg && bar < 6 && bar < dev->num_regions; bar++) {
		uint32_t reg = cfg_read(fd, (off_t)cfg->offset, PCI_BASE_ADDRESS_0 + 4 * bar, 4);
		struct vfio_region_info *info = region_info(fd, bar);

		if (!check(info && info->size == d->bar_size[bar],
			   "%s: REGION_INFO %u: size 0x%llx, sysfs resource 0x%llx", d->name, bar,
			   info ? (unsigned long long)info->size : 0ull,
			   (unsigned long long)d->bar_size[bar])) {
			free(info);
			continue;
		}
		/* I/O BARs are not mapped; neither are those the kernel says not to. */
		if (!(reg & PCI_BASE_ADDRESS_SPACE_IO) && info->flags & VFIO_REGION_INFO_FLAG_MMAP)
			map_bar(fd, d, bar, info, has_msix ? &msix : NULL);
		free(info);
	}
	free(cfg);
}

/* pci_vfio_setup_interrupts + rte_intr_enable: MSI-X first, then MSI, INTx. */
static void setup_interrupts(int fd, const struct pci_dev *d)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int index, efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;
	long ret = -1;

	for (index = VFIO_PCI_MSIX_IRQ_INDEX; index >= 0; index--) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = (uint32_t)index };

		if (!ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) && irq.count &&
		    irq.flags & VFIO_IRQ_INFO_EVENTFD)
			break;
	}
	*set = (struct vfio_irq_set){ .argsz = sizeof(buf), .index = (uint32_t)index, .count = 1,
				      .flags = VFIO_IRQ_SET_DATA_EVENTFD |
					       VFIO_IRQ_SET_ACTION_TRIGGER };
	memcpy(set->data, &efd, sizeof(int32_t));
	if (index >= 0)
		ret = ioctl(fd, VFIO_DEVICE_SET_IRQS, set);
	if (!check(!ret, "%s: interrupts (index %d) on an eventfd: %s", d->name, index, said(ret)))
		goto close_efd;
	*set = (struct vfio_irq_set){ .argsz = sizeof(*set), .index = (uint32_t)index, .count = 1,
				      .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER };
	check(!ioctl(fd, VFIO_DEVICE_SET_IRQS, set) && poll(&p, 1, 1000) == 1 &&
	      read(efd, &n, sizeof(n)) == sizeof(n) && n == 1,
	      "%s: a triggered interrupt reaches the eventfd", d->name);
	set->count = 0;
	check(!ioctl(fd, VFIO_DEVICE_SET_IRQS, set), "%s: interrupts off", d->name);
close_efd:
	close(efd);
}

/* pci_vfio_set_bus_master, then the reset DPDK does at probe. */
static void bus_master_and_reset(int fd, const struct pci_dev *d)
{
	struct vfio_region_info *cfg = region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX);
	uint16_t cmd;
	long ret;

	if (!check(cfg, "%s: config region", d->name))
		return;
	cmd = (uint16_t)cfg_read(fd, (off_t)cfg->offset, PCI_COMMAND, 2) | PCI_COMMAND_MASTER;
	check(pwrite(fd, &cmd, 2, (off_t)cfg->offset + PCI_COMMAND) == 2 &&
	      cfg_read(fd, (off_t)cfg->offset, PCI_COMMAND, 2) & PCI_COMMAND_MASTER,
	      "%s: bus master on", d->name);
	ret = ioctl(fd, VFIO_DEVICE_RESET);
	check(!ret || errno == EINVAL, "%s: RESET: %s", d->name, said(ret));
	free(cfg);
}

/* rte_vfio_setup_device and pci_vfio_map_resource for one device. */
static int setup_device(struct eal *eal, const struct pci_dev *d)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret = setup_group(eal, d), fd;

	if (ret)
		return ret;
	fd = (int)ioctl(eal->groups[d->group], VFIO_GROUP_GET_DEVICE_FD, d->name);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, VFIO_DEVICE_GET_INFO, &info) ? -errno : 0;
	if (check(!ret && info.flags & VFIO_DEVICE_FLAGS_PCI, "%s: device fd %d, %u regions, "
		  "%u irqs", d->name, fd, info.num_regions, info.num_irqs)) {
		map_resources(fd, d, &info);
		setup_interrupts(fd, d);
		bus_master_and_reset(fd, d);
	}
	close(fd);
	return ret;
}

/* ---- SPDK ---- */

/* spdk_iommu_is_enabled: the system has IOMMU groups. */
static bool have_iommu_groups(void)
{
	DIR *dir = opendir("/sys/kernel/iommu_groups");
	struct dirent *e;
	int n = 0;

	while (dir && (e = readdir(dir)))
		n += e->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return n > 0;
}

/* vtophys_iommu_init: the fd whose link reads /dev/vfio/vfio. */
static int find_container_fd(void)
{
	DIR *dir = opendir("/proc/self/fd");
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	int found = -1;

	while (dir && found < 0 && (e = readdir(dir))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, "/dev/vfio/vfio"))
			found = atoi(e->d_name);
	}
	if (dir)
		closedir(dir);
	return found;
}

static void spdk(const struct eal *eal)
{
	char *buf = hugepage(&(bool){ false });
	int fd;

	check(have_iommu_groups(), "SPDK: /sys/kernel/iommu_groups has groups");
	fd = find_container_fd();
	check(fd == eal->container, "SPDK: /proc/self/fd/%d reads /dev/vfio/vfio: DPDK's container",
	      fd);
	if (!buf || fd < 0)
		return;
	check(!dma_map(fd, buf, SPDK_BUF_SIZE), "SPDK: MAP_DMA of its buffer at IOVA = VA");
	check(dma_unmap(fd, buf, SPDK_BUF_SIZE) == SPDK_BUF_SIZE, "SPDK: UNMAP_DMA gives it back");
	munmap(buf, SEG_SIZE);
}

/* ---- main ---- */

static bool expect_refused(const struct eal *eal, const char *name)
{
	for (int i = 0; i < eal->nr_refused; i++)
		if (!strcmp(eal->refused[i], name))
			return true;
	return false;
}

static int parse_args(int argc, char **argv, struct eal *eal)
{
	int opt;

	while ((opt = getopt(argc, argv, "ix:")) != -1) {
		if (opt == 'i')
			eal->expect_vtd = true;
		else if (opt == 'x' && eal->nr_refused < MAX_REFUSED)
			eal->refused[eal->nr_refused++] = optarg;
		else
			return -1;
	}
	return optind == argc ? 0 : -1;
}

static bool sorted(const struct pci_dev *devs, int n)
{
	for (int i = 1; i < n; i++)
		if (strcmp(devs[i - 1].name, devs[i].name) >= 0)
			return false;
	return true;
}

/* Every vfio-pci device: its IOMMU's address width, then DPDK's probe. */
static int probe_all(struct eal *eal, struct pci_dev *devs, int nr)
{
	int joined = 0;

	for (int i = 0; i < nr; i++) {
		struct pci_dev *d = &devs[i];
		int ret;

		if (strcmp(d->driver, "vfio-pci") || d->group < 0 || d->group >= MAX_GROUPS)
			continue;
		d->mgaw = intel_mgaw(d);
		d->refuse = expect_refused(eal, d->name);
		if (d->mgaw)
			check(eal->expect_vtd && fits_dma_mask(eal, d->mgaw),
			      "%s: VT-d MGAW %d bits: the memory fits, IOVA as VA", d->name, d->mgaw);
		else
			check(!eal->expect_vtd && !d->mgaw,
			      "%s: no intel-iommu/cap: no VT-d, IOVA as VA is fine", d->name);
		ret = setup_device(eal, d);
		if (ret)
			printf("# %s: cannot set up: %s\n", d->name, strerror(-ret));
		check(!ret != d->refuse, "%s: %s", d->name, ret ? "refused" : "set up");
		joined += !ret;
	}
	return joined;
}

int main(int argc, char **argv)
{
	static struct pci_dev devs[MAX_DEVS];
	static struct eal eal;
	int nr, joined;

	if (parse_args(argc, argv, &eal)) {
		fprintf(stderr, "usage: dpdk_scan [-i] [-x BDF]...\n");
		return 2;
	}
	memset(eal.groups, -1, sizeof(eal.groups));
	check_modules();
	if (!check(alloc_memory(&eal), "memory segments"))
		return 1;
	eal.container = open_container();
	nr = scan_bus(devs);
	check(nr > 0 && sorted(devs, nr), "PCI scan: %d devices, sorted by address", nr);
	joined = probe_all(&eal, devs, nr);
	check(joined > 0, "%d devices set up in the default container", joined);
	spdk(&eal);
	for (int g = 0; g < MAX_GROUPS; g++)
		if (eal.groups[g] >= 0)
			close(eal.groups[g]);
	close(eal.container);
	for (int i = 0; i < NR_SEGS; i++)
		munmap(eal.segs[i], SEG_SIZE);
	printf("1..%d\n", steps);
	return failures ? 1 : 0;
}
