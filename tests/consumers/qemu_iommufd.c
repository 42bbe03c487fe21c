// SPDX-License-Identifier: MIT
/*
 * A program shaped like QEMU's iommufd backend (hw/vfio/iommufd.c,
 * backends/iommufd.c, util/chardev_open.c): for each device of one address
 * space it finds the device's cdev in sysfs (<sysfsdev>/vfio-dev/vfioN),
 * opens /dev/vfio/devices/vfioN and trusts it only if fstat says it is the
 * character device the sysfs dev file names, binds it to the iommufd, then
 * tries the address space's containers (IOASes) in turn; in a container it
 * tries each HWPT with VFIO_DEVICE_ATTACH_IOMMUFD_PT: EINVAL means "this
 * domain is incompatible, try the next", any other errno gives up the
 * container.  When no HWPT fits it asks GET_HW_INFO and allocates a HWPT,
 * with dirty tracking when the IOMMU offers it, and attaches to that.
 * When no container takes the device it makes a new IOAS, reads its IOVA
 * ranges with the EMSGSIZE two-call protocol and maps the guest's RAM.
 * At the end everything is unmapped as QEMU does it (two halves of the
 * 64-bit space, ENOENT for an empty half being fine), detached and freed.
 *
 * Only system headers and iommusim's own copy of the iommufd ABI
 * (include/iommusim/uapi/iommufd.h, which also spells the cdev ioctls the
 * build machine's <linux/vfio.h> lacks).  Run it as
 * `iommusim exec -p mock -- qemu_iommufd mock` (or x86-intel); the outcome
 * on each built-in platform is known and checked, exit status 0 when it
 * holds:
 *
 *   mock       0000:01:00.0  a new IOAS and HWPT (mock0 tracks dirty pages)
 *              0000:11:00.0  mock1: mock0's HWPT is incompatible (EINVAL):
 *                            a second HWPT in the same IOAS
 *              0000:20:00.0  VT-d-like unit: a third HWPT
 *              0000:10:00.0  attach fails hard (ENOSPC) everywhere: refused,
 *                            and its new IOAS freed again
 *              0000:04:00.0  bind refused (EPERM): a kernel driver shares
 *                            its group
 *   x86-intel  0000:01:00.0  unit 0: a new IOAS and HWPT
 *              0000:00:14.0  unit 0: shares that HWPT
 *              0000:05:00.0  unit 1, no snoop control: the coherent HWPT
 *                            is incompatible (EINVAL): a second HWPT
 *              0000:00:1f.6  bind refused (EINVAL): its RMRR is direct
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "iommusim/uapi/iommufd.h"

#define RAM_SIZE (64ul << 20)
#define MAX_CONTAINERS 4
#define MAX_HWPTS 4
#define MAX_DEVICES 8

enum outcome { NEW_IOAS, SHARE_HWPT, NEW_HWPT, REFUSED_BIND, REFUSED_ATTACH };

struct expect {
	const char *bdf;
	enum outcome outcome;
	int err;            /* for the refusals */
};

struct hwpt {
	uint32_t id;
	uint32_t flags;     /* as allocated: DIRTY_TRACKING or not */
	int users;
};

struct container {
	uint32_t ioas;
	struct hwpt hwpts[MAX_HWPTS];
	int nr_hwpts;
	int users;
};

struct device {
	const char *bdf;
	int fd;
	uint32_t devid;
	struct container *c;
	struct hwpt *hwpt;
};

struct address_space {
	int iommufd;
	struct container containers[MAX_CONTAINERS];
	int nr;
	struct device devices[MAX_DEVICES];
	int nr_devices;
	void *ram;
};

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "qemu_iommufd: FAILED: %s\n", what);
		failures++;
	}
}

/* ---- the cdev: iommufd_cdev_getfd and open_cdev ---- */

/* <sysfsdev>/vfio-dev/vfioN: its name into @name, its dev file into @devt. */
static int find_cdev(const char *bdf, char *name, size_t len, dev_t *devt)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned int maj, min;
	struct dirent *e;
	DIR *d;
	FILE *f;
	int ret = -1;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "vfio", 4)) {
			snprintf(name, len, "%.32s", e->d_name);
			ret = 0;
			break;
		}
	if (d)
		closedir(d);
	if (ret) {
		fprintf(stderr, "%s: no vfio-dev folder (kernel without VFIO cdev?)\n", bdf);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s/dev", dir, name);
	f = fopen(path, "r");
	ret = f && fscanf(f, "%u:%u", &maj, &min) == 2 ? 0 : -1;
	if (f)
		fclose(f);
	*devt = makedev(maj, min);
	return ret;
}

/* open_cdev: the fd must be the character device sysfs names. */
static int open_cdev(const char *path, dev_t devt)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != devt) {
		fprintf(stderr, "%s: not the device sysfs names\n", path);
		close(fd);
		errno = ENODEV;
		return -1;
	}
	return fd;
}

static int getfd(const char *bdf)
{
	char name[64], path[PATH_MAX];
	dev_t devt;

	if (find_cdev(bdf, name, sizeof(name), &devt))
		return -1;
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	return open_cdev(path, devt);
}

/* iommufd_cdev_connect_and_bind */
static int bind_device(int fd, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .flags = 0, .iommufd = iommufd,
	};

	if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -1;
	*devid = bind.out_devid;
	return 0;
}

/* ---- the backend: iommufd_backend_* ---- */

static int attach_hwpt(int fd, uint32_t id)
{
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = id };

	return ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
}

static int detach_hwpt(int fd)
{
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

	return ioctl(fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt);
}

static int destroy(int iommufd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return ioctl(iommufd, IOMMU_DESTROY, &d);
}

/* iommufd_backend_get_device_info: the capabilities only. */
static int device_caps(int iommufd, uint32_t devid, uint64_t *caps)
{
	uint8_t data[256];
	struct iommu_hw_info info = {
		.size = sizeof(info), .dev_id = devid, .data_len = sizeof(data),
		.data_uptr = (uintptr_t)data,
	};

	if (ioctl(iommufd, IOMMU_GET_HW_INFO, &info))
		return -1;
	*caps = info.out_capabilities;
	return 0;
}

static int alloc_hwpt(int iommufd, uint32_t devid, uint32_t ioas, uint32_t flags, uint32_t *id)
{
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .flags = flags, .dev_id = devid, .pt_id = ioas,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};

	if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &alloc))
		return -1;
	*id = alloc.out_hwpt_id;
	return 0;
}

/* A dirty-tracking HWPT can have tracking switched on and off. */
static void check_dirty(int iommufd, const struct hwpt *h)
{
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set), .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE, .hwpt_id = h->id,
	};
	int on = ioctl(iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set);

	set.flags = 0;
	check(!on && !ioctl(iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set),
	      "dirty tracking on a HWPT allocated with it");
}

/* ---- containers: iommufd_cdev_autodomains_get and friends ---- */

/*
 * The HWPTs of @c in order: 0 attached, 1 none fits (each EINVAL), -1 a
 * hard error (errno set).
 */
static int try_hwpts(struct container *c, struct device *d)
{
	for (int i = 0; i < c->nr_hwpts; i++) {
		if (!attach_hwpt(d->fd, c->hwpts[i].id)) {
			d->hwpt = &c->hwpts[i];
			return 0;
		}
		if (errno != EINVAL)
			return -1;
		fprintf(stderr, "%s: hwpt %u is incompatible (EINVAL), trying another\n", d->bdf,
			c->hwpts[i].id);
	}
	return 1;
}

/* No HWPT fits: allocate one for the device (dirty tracking if offered), attach. */
static int new_hwpt(struct address_space *as, struct container *c, struct device *d)
{
	struct hwpt *h = &c->hwpts[c->nr_hwpts];
	uint64_t caps = 0;
	int err;

	if (c->nr_hwpts == MAX_HWPTS || device_caps(as->iommufd, d->devid, &caps))
		return -1;
	h->flags = caps & IOMMU_HW_CAP_DIRTY_TRACKING ? IOMMU_HWPT_ALLOC_DIRTY_TRACKING : 0;
	if (alloc_hwpt(as->iommufd, d->devid, c->ioas, h->flags, &h->id))
		return -1;
	if (attach_hwpt(d->fd, h->id)) {
		err = errno;
		destroy(as->iommufd, h->id);
		errno = err;
		return -1;
	}
	if (h->flags)
		check_dirty(as->iommufd, h);
	h->users = 0;
	c->nr_hwpts++;
	d->hwpt = h;
	return 0;
}

/* iommufd_cdev_attach_container */
static int attach_container(struct address_space *as, struct container *c, struct device *d)
{
	int ret = try_hwpts(c, d);

	if (ret > 0)
		ret = new_hwpt(as, c, d);
	if (ret)
		return -1;
	d->c = c;
	d->hwpt->users++;
	c->users++;
	return 0;
}

/* iommufd_cdev_get_info_iova_range: ask with no room (EMSGSIZE), then again. */
static int iova_ranges(int iommufd, uint32_t ioas)
{
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = ioas };
	struct iommu_iova_range *r;
	uint32_t n;
	int ok = 1;

	if (!ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &q) || errno != EMSGSIZE) {
		fprintf(stderr, "IOVA_RANGES with no room: expected EMSGSIZE\n");
		return -1;
	}
	n = q.num_iovas;
	r = calloc(n, sizeof(*r));
	q.allowed_iovas = (uintptr_t)r;
	if (!r || ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &q))
		return free(r), -1;
	check(q.num_iovas == n && n >= 1, "IOVA_RANGES: the count given first");
	check(q.out_iova_alignment && !(q.out_iova_alignment & (q.out_iova_alignment - 1)),
	      "IOVA_RANGES: a power-of-two alignment");
	for (uint32_t i = 0; i < n; i++) {
		ok &= r[i].start <= r[i].last;
		ok &= !i || r[i].start > r[i - 1].last + 1;   /* sorted, with holes between */
	}
	check(ok, "IOVA_RANGES: sorted ranges with holes (the reserved regions)");
	check(r[0].start == 0 && r[0].last >= RAM_SIZE - 1, "the guest's RAM fits the first range");
	free(r);
	return 0;
}

static int map_ram(int iommufd, uint32_t ioas, void *ram)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map), .ioas_id = ioas, .user_va = (uintptr_t)ram,
		.length = RAM_SIZE, .iova = 0,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};

	return ioctl(iommufd, IOMMU_IOAS_MAP, &map);
}

/* A new container: IOAS_ALLOC, the device, the IOVA ranges, the RAM. */
static int new_container(struct address_space *as, struct device *d)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct container *c = &as->containers[as->nr];

	if (as->nr == MAX_CONTAINERS || ioctl(as->iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return -1;
	*c = (struct container){ .ioas = alloc.out_ioas_id };
	if (attach_container(as, c, d)) {
		int err = errno;

		destroy(as->iommufd, c->ioas);
		errno = err;
		return -1;
	}
	as->nr++;
	if (iova_ranges(as->iommufd, c->ioas) || map_ram(as->iommufd, c->ioas, as->ram)) {
		fprintf(stderr, "%s: setting up the container: %s\n", d->bdf, strerror(errno));
		return -1;
	}
	return 0;
}

/* The device file works once bound: GET_INFO, a region. */
static void check_device(const struct device *d)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info reg = { .argsz = sizeof(reg), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint16_t vendor = 0;

	check(!ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info) && (info.flags & VFIO_DEVICE_FLAGS_PCI),
	      "VFIO_DEVICE_GET_INFO on the cdev");
	check(!ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &reg) &&
	      pread(d->fd, &vendor, 2, (off_t)reg.offset) == 2 && vendor && vendor != 0xffff,
	      "config space through the cdev");
}

/* iommufd_cdev_attach: returns 0, or -1 with errno (the device is closed). */
static int realize(struct address_space *as, const char *bdf)
{
	struct device *d = &as->devices[as->nr_devices];
	int err;

	*d = (struct device){ .bdf = bdf, .fd = getfd(bdf) };
	if (d->fd < 0)
		return -1;
	if (bind_device(d->fd, as->iommufd, &d->devid))
		goto err_close;
	for (int i = 0; i < as->nr; i++) {
		if (!attach_container(as, &as->containers[i], d))
			goto attached;
		fprintf(stderr, "%s: container %u: %s, trying the next\n", bdf,
			as->containers[i].ioas, strerror(errno));
	}
	if (new_container(as, d))
		goto err_close;
attached:
	check_device(d);
	as->nr_devices++;
	return 0;

err_close:
	err = errno;
	close(d->fd);
	errno = err;
	return -1;
}

/* ---- teardown ---- */

/* iommufd_cdev_unmap_all: two halves, an empty one answering ENOENT. */
static void unmap_all(int iommufd, uint32_t ioas)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .length = 1ull << 63 };
	int low = ioctl(iommufd, IOMMU_IOAS_UNMAP, &u);
	uint64_t unmapped = u.length;

	u.iova = 1ull << 63;
	u.length = 1ull << 63;
	check(!low && unmapped == RAM_SIZE, "the low half unmaps the RAM");
	check(ioctl(iommufd, IOMMU_IOAS_UNMAP, &u) && errno == ENOENT,
	      "the empty high half is ENOENT");
}

/* iommufd_cdev_detach: detach, destroy an unused HWPT, then the container. */
static void unrealize(struct address_space *as, struct device *d)
{
	check(!detach_hwpt(d->fd), "DETACH_IOMMUFD_PT");
	if (--d->hwpt->users == 0)
		check(!destroy(as->iommufd, d->hwpt->id), "destroying the last user's HWPT");
	if (--d->c->users == 0) {
		unmap_all(as->iommufd, d->c->ioas);
		check(!destroy(as->iommufd, d->c->ioas), "destroying an unused IOAS");
	}
	close(d->fd);
}

/* ---- the platforms ---- */

static const struct expect mock_devices[] = {
	{ "0000:01:00.0", NEW_IOAS, 0 },
	{ "0000:11:00.0", NEW_HWPT, 0 },
	{ "0000:20:00.0", NEW_HWPT, 0 },
	{ "0000:10:00.0", REFUSED_ATTACH, ENOSPC },
	{ "0000:04:00.0", REFUSED_BIND, EPERM },
	{ NULL, 0, 0 },
};

static const struct expect intel_devices[] = {
	{ "0000:01:00.0", NEW_IOAS, 0 },
	{ "0000:00:14.0", SHARE_HWPT, 0 },
	{ "0000:05:00.0", NEW_HWPT, 0 },
	{ "0000:00:1f.6", REFUSED_BIND, EINVAL },
	{ NULL, 0, 0 },
};

/* Realize @e and compare with what is expected. */
static void run_one(struct address_space *as, const struct expect *e)
{
	int containers = as->nr, hwpts = as->nr ? as->containers[0].nr_hwpts : 0;
	char what[128];
	int ret = realize(as, e->bdf);

	snprintf(what, sizeof(what), "%s: the expected outcome", e->bdf);
	switch (e->outcome) {
	case NEW_IOAS:
		check(!ret && as->nr == containers + 1, what);
		break;
	case SHARE_HWPT:
	case NEW_HWPT:
		check(!ret && as->nr == 1 && as->containers[0].nr_hwpts ==
		      hwpts + (e->outcome == NEW_HWPT), what);
		break;
	default:
		check(ret && errno == e->err && as->nr == containers, what);
		if (ret && errno != e->err)
			fprintf(stderr, "%s: %s\n", e->bdf, strerror(errno));
	}
}

int main(int argc, char **argv)
{
	const struct expect *table = argc > 1 && !strcmp(argv[1], "x86-intel") ? intel_devices :
				     mock_devices;
	struct address_space as = { .nr = 0 };

	as.iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	as.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (as.iommufd < 0 || as.ram == MAP_FAILED) {
		fprintf(stderr, "qemu_iommufd: /dev/iommu: %s\n", strerror(errno));
		return 2;
	}
	for (const struct expect *e = table; e->bdf; e++)
		run_one(&as, e);
	for (int i = as.nr_devices - 1; i >= 0; i--)
		unrealize(&as, &as.devices[i]);
	close(as.iommufd);
	munmap(as.ram, RAM_SIZE);
	printf("qemu_iommufd: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
