// SPDX-License-Identifier: MIT
/*
 * A program shaped like DPDK's EAL (lib/eal/linux/eal_vfio.c and
 * drivers/bus/pci/linux/pci.c), with SPDK's trick at the end:
 *
 *   - VFIO is "enabled" when /sys/module/vfio exists; no-IOMMU mode is
 *     read from /sys/module/vfio/parameters/enable_unsafe_noiommu_mode;
 *   - the PCI bus is scanned from /sys/bus/pci/devices (IDs, class,
 *     resource, the driver link), devices sorted by address;
 *   - for each device bound to vfio-pci: its group from the iommu_group
 *     link, the VT-d CAP register from iommu/intel-iommu/cap with fopen
 *     (ENOENT: "no Intel IOMMU", IOVA as VA is fine), then the group joins
 *     the one default container; a SET_CONTAINER failure is fatal for that
 *     device only; the first group picks the IOMMU type (TYPE1 tried
 *     first, "not an error, there may be more types") and the memory is
 *     mapped with IOVA = VA;
 *   - SPDK finds that container by readlink of every /proc/self/fd entry
 *     and maps its own buffer through it.
 *
 * Only system headers; run it as `iommusim exec -p mock -- dpdk_scan`.
 * Checked on the mock platform: the NIC functions 01:00.0/.1 share a group;
 * the display (direct-mapped region), the GPU (group not viable), the
 * accelerator whose attaches fail, and 11:00.0 are refused; the rest join.
 * 11:00.0 sits behind the instance with a 32-bit aperture, and the
 * container already maps memory at IOVA = VA, above 4 GiB: EINVAL, the
 * very case DPDK reads the VT-d address width for.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MEM_SIZE (2ul << 20)
#define MAX_DEVS 64

struct pci_dev {
	char name[32];
	unsigned long vendor, device, class;
	unsigned long long bar0_size;
	char driver[32];
	int group;
	bool joined;
};

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "dpdk_scan: FAILED: %s\n", what);
		failures++;
	}
}

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

/* pci_parse_sysfs_resource: "start end flags" per line; BAR0's size. */
static unsigned long long bar0_size(const char *dir)
{
	unsigned long long start, end, flags;
	char path[PATH_MAX];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fscanf(f, "%llx %llx %llx", &start, &end, &flags);
	fclose(f);
	return n == 3 && end ? end - start + 1 : 0;
}

static int scan_one(const char *name, struct pci_dev *d)
{
	char dir[PATH_MAX], group[32];

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", name);
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (read_hex(dir, "vendor", &d->vendor) || read_hex(dir, "device", &d->device) ||
	    read_hex(dir, "class", &d->class))
		return -1;
	d->bar0_size = bar0_size(dir);
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

/* The VT-d CAP register's MGAW, or 0: "no Intel IOMMU". */
static int intel_mgaw(const struct pci_dev *d)
{
	char path[PATH_MAX], buf[64];
	unsigned long long cap;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu/intel-iommu/cap", d->name);
	f = fopen(path, "r");
	if (!f) {
		check(errno == ENOENT, "intel-iommu/cap: ENOENT without VT-d");
		return 0;
	}
	cap = fgets(buf, sizeof(buf), f) ? strtoull(buf, NULL, 16) : 0;
	fclose(f);
	return (int)((cap >> 16) & 0x3f) + 1;
}

/* vfio_set_iommu_type: the first type the container accepts. */
static int set_iommu_type(int container)
{
	static const int types[] = { VFIO_TYPE1_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU, VFIO_NOIOMMU_IOMMU };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (!ioctl(container, VFIO_SET_IOMMU, types[i]))
			return types[i];
		/* not an error, there may be more supported IOMMU types */
	}
	return -1;
}

static int dma_map(int container, void *va, size_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va, .iova = (uintptr_t)va, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map);
}

/* rte_vfio_setup_device for one device: 0, or why not. */
static int setup_device(int container, struct pci_dev *d, int *groups, void *mem,
			bool *have_type)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", d->group);
	fd = groups[d->group] >= 0 ? groups[d->group] : open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	groups[d->group] = fd;
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status))
		return -errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EPERM;
	if (status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET)
		return 0; /* another function of the group already did it */
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container))
		return -errno;
	if (*have_type)
		return 0;
	if (set_iommu_type(container) != VFIO_TYPE1_IOMMU || dma_map(container, mem, MEM_SIZE))
		return -errno;
	*have_type = true;
	return 0;
}

/* SPDK's vtophys_iommu_init: find the container among our fds. */
static int find_container_fd(void)
{
	DIR *dir = opendir("/proc/self/fd");
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	int found = -1;

	while (dir && (e = readdir(dir))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n == 14 && !strncmp(link, "/dev/vfio/vfio", 14))
			found = atoi(e->d_name);
	}
	if (dir)
		closedir(dir);
	return found;
}

static bool expect_joined(const char *name)
{
	return strcmp(name, "0000:03:00.0") && strcmp(name, "0000:04:00.0") &&
	       strcmp(name, "0000:10:00.0") && strcmp(name, "0000:11:00.0");
}

int main(void)
{
	static struct pci_dev devs[MAX_DEVS];
	int groups[256], container, nr, joined = 0, spdk;
	char mode[8] = "";
	bool have_type = false;
	struct stat st;
	void *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *spdk_buf = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f;

	memset(groups, -1, sizeof(groups));
	check(!stat("/sys/module/vfio", &st) && S_ISDIR(st.st_mode), "vfio module loaded");
	f = fopen("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "r");
	check(f && fgets(mode, sizeof(mode), f) && mode[0] == 'N', "no-IOMMU mode off");
	if (f)
		fclose(f);
	nr = scan_bus(devs);
	check(nr > 10, "PCI devices found");
	container = open("/dev/vfio/vfio", O_RDWR);
	check(container >= 0 && ioctl(container, VFIO_GET_API_VERSION) == VFIO_API_VERSION &&
	      ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 1, "default container");
	for (int i = 0; i < nr; i++) {
		struct pci_dev *d = &devs[i];
		int ret;

		if (strcmp(d->driver, "vfio-pci") || d->group < 0 || d->group >= 256)
			continue;
		check(intel_mgaw(d) == 0, "no VT-d on the mock platform");
		ret = setup_device(container, d, groups, mem, &have_type);
		d->joined = !ret;
		joined += d->joined;
		if (ret)
			fprintf(stderr, "%s: cannot set up: %s\n", d->name, strerror(-ret));
		check(d->joined == expect_joined(d->name), d->name);
	}
	check(joined >= 4, "devices joined");
	check(!strcmp(devs[1].name, "0000:00:02.0") || nr < 2, "sorted by address");
	spdk = find_container_fd();
	check(spdk == container, "SPDK finds DPDK's container in /proc/self/fd");
	check(!dma_map(spdk, spdk_buf, 1 << 16), "SPDK maps through it");
	for (int g = 0; g < 256; g++)
		if (groups[g] >= 0)
			close(groups[g]);
	close(container);
	printf("dpdk_scan: %d devices, %d joined the container: %s\n", nr, joined,
	       failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
