// SPDX-License-Identifier: MIT
/*
 * The VFIO device cdev, /dev/vfio/devices/vfioN, on the mock platform
 * (iommufd_bed.h), reached as a program reaches it: the node found from
 * sysfs (<device>/vfio-dev/vfioN), opened, VFIO_DEVICE_BIND_IOMMUFD,
 * VFIO_DEVICE_ATTACH/DETACH_IOMMUFD_PT (kernel device_cdev.c,
 * kernel-semantics 5.2-5.4):
 *
 *   - one node per VFIO device, numbered in probe order, whose st_rdev is
 *     the sysfs dev file's, also as fstat of an open fd reports it;
 *   - nothing but BIND before the bind (EINVAL), the argument rules and
 *     the order of BIND's errnos;
 *   - the group path and the cdev path exclude each other (EBUSY both
 *     ways), one bind per device (EINVAL);
 *   - attach to an IOAS (the automatic domain search, with the profile's
 *     incompatible errno), to a HWPT (the errno comes back unchanged),
 *     replace, detach, and what close releases;
 *   - bind's refusals: no cache coherency (EINVAL), MSIs not isolated
 *     (EPERM unless allowed), a group with a kernel driver (EPERM) or a
 *     require-direct device (EINVAL).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/vfio.h>

#include "core/core.h"
#include "harness/harness.h"
#include "host/host.h"
#include "iommufd_bed.h"

/* ---- helpers ---- */

/* The sysfs folder of @name's cdev (<device>/vfio-dev/vfioN) and its node. */
static int cdev_of(const char *name, char *node, size_t len, char *dir, size_t dlen)
{
	char vdir[256], real[512];
	struct dirent *e;
	DIR *d;
	int ret = -1;

	snprintf(vdir, sizeof(vdir), "/sys/bus/%s/devices/%s/vfio-dev",
		 strchr(name, ':') ? "pci" : "platform", name);
	if (ims_host_resolve_path(b_host(), vdir, real, sizeof(real)) != IMS_PATH_TREE)
		return -1;
	d = opendir(real);
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "vfio", 4))
			continue;
		snprintf(node, len, "/dev/vfio/devices/%.32s", e->d_name);
		if (dir)
			snprintf(dir, dlen, "%.400s/%.32s", real, e->d_name);
		ret = 0;
	}
	if (d)
		closedir(d);
	return ret;
}

static int open_cdev(const char *name)
{
	char node[128];

	if (cdev_of(name, node, sizeof(node), NULL, 0)) {
		errno = ENOENT;
		return -1;
	}
	return b_open(node);
}

static int bind_iommufd(int dfd, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = iommufd };
	int ret = (int)b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);

	if (!ret && devid)
		*devid = bind.out_devid;
	return ret;
}

static int attach_pt(int dfd, uint32_t *pt)
{
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = *pt };
	int ret = (int)b_ioctl(dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);

	if (!ret)
		*pt = at.pt_id;
	return ret;
}

static int detach_pt(int dfd)
{
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

	return (int)b_ioctl(dfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt);
}

static int get_info(int dfd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	return (int)b_ioctl(dfd, VFIO_DEVICE_GET_INFO, &info);
}

static int open_group_of(const char *name)
{
	struct ims_device *dev = ims_device_find(b_host()->core, name);
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%u", dev->group->id);
	return b_open(path);
}

static bool dma_claimed(const char *name)
{
	struct ims_device *dev = ims_device_find(b_host()->core, name);

	return ims_group_dma_owner_claimed(dev->group);
}

/* ---- the nodes ---- */

FIXTURE(nodes)
{
	int iommufd;
};

FIXTURE_SETUP(nodes)
{
	b_up("upstream", false);
	self->iommufd = b_iommufd();
}

FIXTURE_TEARDOWN(nodes)
{
	b_close(self->iommufd);
	b_down();
}

/* The node, the sysfs dev file and fstat of an open fd agree. */
TEST_F(nodes, rdev_matches_sysfs)
{
	static const char *const names[] = { "20000000.dma", "0000:01:00.0", "0000:01:00.1",
					     "0000:11:00.0" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char node[128], dir[512], path[600];
		unsigned int maj, min;
		struct stat st, fst;
		FILE *f;
		int fd;

		ASSERT_EQ(0, cdev_of(names[i], node, sizeof(node), dir, sizeof(dir)));
		snprintf(path, sizeof(path), "%s/dev", dir);
		f = fopen(path, "r");
		ASSERT_TRUE(f != NULL);
		ASSERT_EQ(2, fscanf(f, "%u:%u", &maj, &min));
		fclose(f);
		ASSERT_EQ(0, ims_stat_path(b_host(), node, &st));
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(makedev(maj, min), st.st_rdev);
		fd = b_open(node);
		ASSERT_NE(-1, fd);
		ASSERT_EQ(0, ims_fstat(b_host(), fd, &fst));
		EXPECT_TRUE(S_ISCHR(fst.st_mode));
		EXPECT_EQ(st.st_rdev, fst.st_rdev);
		b_close(fd);
	}
}

/* /dev/iommu is a node too, with its misc device and module parameter. */
TEST_F(nodes, iommu_node)
{
	char real[512], text[32] = "";
	unsigned int maj, min;
	struct stat st, fst;
	FILE *f;

	ASSERT_EQ(IMS_PATH_NODE, ims_host_resolve_path(b_host(), "/dev/iommu", real, sizeof(real)));
	ASSERT_EQ(0, ims_stat_path(b_host(), "/dev/iommu", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(IMS_PATH_TREE, ims_host_resolve_path(b_host(), "/sys/devices/virtual/misc/iommu/dev",
						      real, sizeof(real)));
	f = fopen(real, "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_EQ(2, fscanf(f, "%u:%u", &maj, &min));
	fclose(f);
	EXPECT_EQ(makedev(maj, min), st.st_rdev);
	ASSERT_EQ(0, ims_fstat(b_host(), self->iommufd, &fst));
	EXPECT_EQ(st.st_rdev, fst.st_rdev);
	ASSERT_EQ(IMS_PATH_TREE, ims_host_resolve_path(b_host(),
		  "/sys/module/iommufd/parameters/allow_unsafe_interrupts", real, sizeof(real)));
	f = fopen(real, "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(text, sizeof(text), f) != NULL);
	fclose(f);
	EXPECT_EQ(0, strcmp(text, "N\n"));
}

/* vfio0, vfio1, ... in probe order; bridges and kernel-driver devices have none. */
TEST_F(nodes, numbering)
{
	char node[128];

	ASSERT_EQ(0, cdev_of("20000000.dma", node, sizeof(node), NULL, 0));
	EXPECT_EQ(0, strcmp(node, "/dev/vfio/devices/vfio0"));
	ASSERT_EQ(0, cdev_of("0000:01:00.1", node, sizeof(node), NULL, 0));
	EXPECT_EQ(0, strcmp(node, "/dev/vfio/devices/vfio2"));
	EXPECT_EQ(-1, cdev_of("0000:00:01.0", node, sizeof(node), NULL, 0)); /* a bridge */
	EXPECT_ERRNO(ENOENT, b_open("/dev/vfio/devices/vfio99"));
	EXPECT_ERRNO(ENOENT, b_open("/dev/vfio/devices/vfio01"));
	EXPECT_ERRNO(ENOENT, b_open("/dev/vfio/devices/vfio"));
}

/* Until BIND succeeds the file answers EINVAL to everything else. */
TEST_F(nodes, nothing_before_bind)
{
	int dfd = open_cdev("0000:01:00.0");
	uint32_t pt = 1;
	char byte;

	ASSERT_NE(-1, dfd);
	EXPECT_ERRNO(EINVAL, get_info(dfd));
	EXPECT_ERRNO(EINVAL, attach_pt(dfd, &pt));
	EXPECT_ERRNO(EINVAL, detach_pt(dfd));
	EXPECT_ERRNO(EINVAL, b_ioctl(dfd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(-EINVAL, ims_pread(b_host(), dfd, &byte, 1, 0));
	EXPECT_EQ(-EINVAL, ims_mmap_check(b_host(), dfd, 0, 4096, PROT_READ));
	EXPECT_FALSE(dma_claimed("0000:01:00.0"));
	b_close(dfd);
}

/* BIND's argument, in the kernel's order. */
TEST_F(nodes, bind_arguments)
{
	struct {
		struct vfio_device_bind_iommufd bind;
		uint64_t tail;
	} arg = { .bind = { .argsz = sizeof(arg.bind), .iommufd = self->iommufd } };
	int dfd = open_cdev("0000:01:00.0");
	int container = b_open("/dev/vfio/vfio");

	ASSERT_NE(-1, dfd);
	EXPECT_ERRNO(EFAULT, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, NULL));
	arg.bind.argsz = 15;
	EXPECT_ERRNO(EINVAL, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	arg.bind.argsz = sizeof(arg);
	arg.tail = 1;
	EXPECT_ERRNO(E2BIG, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	arg.tail = 0;
	arg.bind.iommufd = -1;
	EXPECT_ERRNO(EINVAL, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	arg.bind.iommufd = self->iommufd;
	arg.bind.flags = 2;
	EXPECT_ERRNO(EINVAL, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	/* A VF token: the pointer is read (EFAULT), but no function here takes one. */
	arg.bind.flags = VFIO_DEVICE_BIND_FLAG_TOKEN;
	arg.bind.token_uuid_ptr = 8;
	EXPECT_ERRNO(EFAULT, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	arg.bind.token_uuid_ptr = (uintptr_t)&arg.tail;
	EXPECT_ERRNO(EINVAL, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	arg.bind.flags = 0;
	arg.bind.iommufd = 1000;
	EXPECT_ERRNO(EBADF, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	arg.bind.iommufd = container;
	EXPECT_ERRNO(EBADFD, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	EXPECT_FALSE(dma_claimed("0000:01:00.0"));
	/* The short form (up to out_devid) binds and returns the device's ID. */
	arg.bind = (struct vfio_device_bind_iommufd){ .argsz = 16, .iommufd = self->iommufd };
	ASSERT_EQ(0, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	EXPECT_NE(0, arg.bind.out_devid);
	EXPECT_TRUE(dma_claimed("0000:01:00.0"));
	EXPECT_ERRNO(EINVAL, bind_iommufd(dfd, self->iommufd, NULL)); /* bound already */
	EXPECT_EQ(0, get_info(dfd));
	b_close(dfd);
	EXPECT_FALSE(dma_claimed("0000:01:00.0"));
	b_close(container);
}

/* vfio-platform checks no VF token: the flag alone is EINVAL. */
TEST_F(nodes, platform_token)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .flags = VFIO_DEVICE_BIND_FLAG_TOKEN,
		.iommufd = self->iommufd, .token_uuid_ptr = 8,
	};
	int dfd = open_cdev("20000000.dma");

	ASSERT_NE(-1, dfd);
	EXPECT_ERRNO(EINVAL, b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	b_close(dfd);
}

/* The device IDs of a context: the bind's object answers GET_HW_INFO. */
TEST_F(nodes, devid_is_an_object)
{
	int dfd = open_cdev("0000:11:00.0");
	struct iommu_hw_info info = { .size = sizeof(info) };
	uint32_t devid = 0;

	ASSERT_NE(-1, dfd);
	ASSERT_EQ(0, bind_iommufd(dfd, self->iommufd, &devid));
	info.dev_id = devid;
	EXPECT_EQ(0, b_ioctl(self->iommufd, IOMMU_GET_HW_INFO, &info));
	/* Bound devices are destroyed by closing their fd, not by DESTROY. */
	EXPECT_ERRNO(EBUSY, b_destroy(self->iommufd, devid));
	b_close(dfd);
	EXPECT_ERRNO(ENOENT, b_ioctl(self->iommufd, IOMMU_GET_HW_INFO, &info));
}

/* One bind at a time per device, whichever file. */
TEST_F(nodes, one_bind_per_device)
{
	int a = open_cdev("0000:11:00.0"), b = open_cdev("0000:11:00.0");

	ASSERT_NE(-1, a);
	ASSERT_NE(-1, b);
	ASSERT_EQ(0, bind_iommufd(a, self->iommufd, NULL));
	EXPECT_ERRNO(EINVAL, bind_iommufd(b, self->iommufd, NULL));
	EXPECT_ERRNO(EINVAL, get_info(b));
	b_close(a);
	EXPECT_EQ(0, bind_iommufd(b, self->iommufd, NULL));
	b_close(b);
}

/* ---- the group path and the cdev path ---- */

/* An open group blocks binds; a bound cdev blocks group opens. */
TEST_F(nodes, group_excludes_cdev)
{
	int group = open_group_of("0000:11:00.0");
	int dfd = open_cdev("0000:11:00.0");

	ASSERT_NE(-1, group);
	ASSERT_NE(-1, dfd);
	EXPECT_ERRNO(EBUSY, bind_iommufd(dfd, self->iommufd, NULL));
	b_close(group);
	ASSERT_EQ(0, bind_iommufd(dfd, self->iommufd, NULL));
	EXPECT_ERRNO(EBUSY, open_group_of("0000:11:00.0"));
	b_close(dfd);
	group = open_group_of("0000:11:00.0");
	EXPECT_NE(-1, group);
	b_close(group);
}

/* A cdev merely open blocks nothing; binds of one group's devices all block it. */
TEST_F(nodes, cdev_open_blocks_nothing)
{
	int a = open_cdev("0000:01:00.0"), b = open_cdev("0000:01:00.1");
	int group;

	group = open_group_of("0000:01:00.0");
	EXPECT_NE(-1, group);
	b_close(group);
	ASSERT_EQ(0, bind_iommufd(a, self->iommufd, NULL));
	ASSERT_EQ(0, bind_iommufd(b, self->iommufd, NULL));
	b_close(a);
	EXPECT_ERRNO(EBUSY, open_group_of("0000:01:00.0"));
	b_close(b);
	group = open_group_of("0000:01:00.0");
	EXPECT_NE(-1, group);
	b_close(group);
}

/* A device fd from the group takes neither BIND nor the cdev's ioctls. */
TEST_F(nodes, group_device_fd)
{
	int container = b_open("/dev/vfio/vfio"), group = open_group_of("0000:11:00.0");
	int dfd;
	uint32_t pt = 1;

	ASSERT_NE(-1, group);
	ASSERT_EQ(0, b_ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, b_ioctl(container, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU));
	dfd = (int)b_ioctl(group, VFIO_GROUP_GET_DEVICE_FD, "0000:11:00.0");
	ASSERT_NE(-1, dfd);
	EXPECT_ERRNO(EINVAL, bind_iommufd(dfd, self->iommufd, NULL));
	EXPECT_ERRNO(ENOTTY, attach_pt(dfd, &pt));
	EXPECT_ERRNO(ENOTTY, detach_pt(dfd));
	/* The group stays open through the device fd: the cdev cannot bind. */
	b_close(group);
	group = open_cdev("0000:11:00.0");
	EXPECT_ERRNO(EBUSY, bind_iommufd(group, self->iommufd, NULL));
	b_close(group);
	b_close(dfd);
	b_close(container);
}

/* A group in an iommufd: GET_DEVICE_FD binds the device and attaches it to the compat IOAS. */
TEST_F(nodes, group_in_iommufd)
{
	int group = open_group_of("0000:11:00.0"), dfd;
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.size = SZ_64K, .iova = SZ_1M,
	};
	struct iommu_vfio_ioas vioas = { .size = sizeof(vioas), .op = IOMMU_VFIO_IOAS_GET };
	uint8_t *buf = b_buffer(SZ_64K);

	ASSERT_NE(-1, group);
	ASSERT_EQ(0, b_ioctl(group, VFIO_GROUP_SET_CONTAINER, &self->iommufd));
	ASSERT_EQ(0, b_ioctl(self->iommufd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, b_ioctl(self->iommufd, IOMMU_VFIO_IOAS, &vioas));
	EXPECT_FALSE(dma_claimed("0000:11:00.0"));
	dfd = (int)b_ioctl(group, VFIO_GROUP_GET_DEVICE_FD, "0000:11:00.0");
	ASSERT_NE(-1, dfd);
	EXPECT_TRUE(dma_claimed("0000:11:00.0"));
	EXPECT_EQ(1, b_nr_unmanaged());   /* an automatic HWPT of the compat IOAS */
	EXPECT_ERRNO(EBUSY, b_destroy(self->iommufd, vioas.ioas_id));
	map.vaddr = (uintptr_t)buf;
	EXPECT_EQ(0, b_ioctl(self->iommufd, VFIO_IOMMU_MAP_DMA, &map));
	EXPECT_NE(0, b_pins_at(buf));
	EXPECT_EQ(0, get_info(dfd));
	b_close(dfd);
	EXPECT_FALSE(dma_claimed("0000:11:00.0"));
	EXPECT_EQ(0, b_nr_unmanaged());
	EXPECT_EQ(0, b_pins_at(buf));
	b_close(group);
}

/* ---- attach, replace, detach: the profiles' attach contract ---- */

FIXTURE(cdev)
{
	int iommufd;
	uint32_t ioas;
	uint8_t *buf;
	int dfd[4];
	unsigned int nr;
};

FIXTURE_VARIANT(cdev)
{
	const char *profile;
	int incompatible;   /* a domain of another instance */
	bool soft;          /* the automatic search goes on after it */
};

FIXTURE_VARIANT_ADD(cdev, upstream) {
	.profile = "upstream", .incompatible = EINVAL, .soft = true,
};
FIXTURE_VARIANT_ADD(cdev, seed) {
	.profile = "seed", .incompatible = EMEDIUMTYPE, .soft = true,
};
FIXTURE_VARIANT_ADD(cdev, legacy) {
	.profile = "legacy", .incompatible = ENXIO, .soft = false,
};

FIXTURE_SETUP(cdev)
{
	b_up(variant->profile, false);
	self->iommufd = b_iommufd();
	self->buf = b_buffer(SZ_1M);
	ASSERT_EQ(0, b_ioas_alloc(self->iommufd, &self->ioas));
}

FIXTURE_TEARDOWN(cdev)
{
	for (unsigned int i = 0; i < self->nr; i++)
		b_close(self->dfd[i]);
	b_close(self->iommufd);
	b_down();
}

/* Open and bind @name's cdev; the fixture closes it. */
static int bound(FIXTURE_DATA(cdev) *self, const char *name)
{
	int dfd = open_cdev(name);

	ASSERT_NE(-1, dfd);
	ASSERT_EQ(0, bind_iommufd(dfd, self->iommufd, NULL));
	self->dfd[self->nr++] = dfd;
	return dfd;
}

/* 7.19 through the cdev: one instance shares the automatic HWPT, another does not. */
TEST_F(cdev, attach_ioas)
{
	int a = bound(self, "0000:01:00.0"), b = bound(self, "20000000.dma");
	int c = bound(self, "0000:11:00.0");
	uint32_t ha = self->ioas, hb = self->ioas, hc = self->ioas;

	ASSERT_EQ(0, attach_pt(a, &ha));
	EXPECT_NE(self->ioas, ha);
	ASSERT_EQ(0, attach_pt(b, &hb));
	EXPECT_EQ(ha, hb);
	EXPECT_EQ(b_domain_of("0000:01:00.0"), b_domain_of("20000000.dma"));
	if (variant->soft) {
		ASSERT_EQ(0, attach_pt(c, &hc));
		EXPECT_NE(ha, hc);
		EXPECT_EQ(2, b_nr_unmanaged());
	} else {
		EXPECT_ERRNO(variant->incompatible, attach_pt(c, &hc));
		EXPECT_EQ(1, b_nr_unmanaged());
	}
}

/* 7.20: an explicit HWPT hands the incompatible errno back (QEMU's loop relies on it). */
TEST_F(cdev, explicit_hwpt)
{
	int a = bound(self, "0000:01:00.0"), c = bound(self, "0000:11:00.0");
	uint32_t ha = self->ioas, hwpt;
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = self->iommufd };
	int probe = open_cdev("0000:10:00.0");

	ASSERT_EQ(0, attach_pt(a, &ha));
	hwpt = ha;
	EXPECT_ERRNO(variant->incompatible, attach_pt(c, &hwpt));
	/* ... and any other errno too: the fail-attach device answers ENOSPC. */
	ASSERT_EQ(0, b_ioctl(probe, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	hwpt = ha;
	EXPECT_ERRNO(ENOSPC, attach_pt(probe, &hwpt));
	b_close(probe);
}

/* Attaching again replaces; DETACH blocks DMA; detaching twice is fine. */
TEST_F(cdev, replace_and_detach)
{
	int a = bound(self, "0000:11:00.0");
	uint32_t blocked = b_domain_of("0000:11:00.0");
	uint32_t ha = self->ioas, pt, ioas2;

	ASSERT_EQ(0, attach_pt(a, &ha));
	ASSERT_NE(blocked, b_domain_of("0000:11:00.0"));
	ASSERT_EQ(0, b_ioas_alloc(self->iommufd, &ioas2));
	pt = ioas2;
	ASSERT_EQ(0, attach_pt(a, &pt));   /* a replace, onto another IOAS */
	EXPECT_NE(ha, pt);
	EXPECT_ERRNO(ENOENT, b_destroy(self->iommufd, ha)); /* went with its last device */
	EXPECT_ERRNO(EBUSY, b_destroy(self->iommufd, pt));
	ASSERT_EQ(0, detach_pt(a));
	EXPECT_EQ(blocked, b_domain_of("0000:11:00.0"));
	EXPECT_ERRNO(ENOENT, b_destroy(self->iommufd, pt));
	EXPECT_EQ(0, detach_pt(a));
	EXPECT_EQ(0, b_destroy(self->iommufd, ioas2));
	EXPECT_EQ(0, b_nr_unmanaged());
}

/* A manual HWPT is never picked by the search, but can be attached by ID. */
TEST_F(cdev, manual_hwpt)
{
	int a = open_cdev("0000:11:00.0");
	uint32_t devid = 0, manual, pt = self->ioas;

	ASSERT_EQ(0, bind_iommufd(a, self->iommufd, &devid));
	self->dfd[self->nr++] = a;
	ASSERT_EQ(0, b_hwpt_alloc(self->iommufd, devid, self->ioas, 0, &manual));
	ASSERT_EQ(0, attach_pt(a, &pt));
	EXPECT_NE(manual, pt);
	pt = manual;
	ASSERT_EQ(0, attach_pt(a, &pt));
	EXPECT_EQ(manual, pt);
	EXPECT_EQ(1, b_nr_unmanaged());   /* the automatic one went */
	EXPECT_ERRNO(EBUSY, b_destroy(self->iommufd, manual));
	ASSERT_EQ(0, detach_pt(a));
	EXPECT_EQ(0, b_destroy(self->iommufd, manual));
}

/* ATTACH/DETACH argument rules. */
TEST_F(cdev, attach_arguments)
{
	int a = bound(self, "0000:01:00.0"), p = bound(self, "20000000.dma");
	struct vfio_device_attach_iommufd_pt at = { .argsz = 11, .pt_id = self->ioas };
	struct vfio_device_detach_iommufd_pt dt = { .argsz = 7 };

	EXPECT_ERRNO(EFAULT, b_ioctl(a, VFIO_DEVICE_ATTACH_IOMMUFD_PT, NULL));
	EXPECT_ERRNO(EINVAL, b_ioctl(a, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	at.argsz = 12;
	at.flags = 2;
	EXPECT_ERRNO(EINVAL, b_ioctl(a, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	at.flags = VFIO_DEVICE_ATTACH_PASID;
	EXPECT_ERRNO(EINVAL, b_ioctl(a, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)); /* no pasid field */
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(p, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)); /* platform */
	at.flags = 0;
	at.pt_id = 999;
	EXPECT_ERRNO(ENOENT, b_ioctl(a, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	at.pt_id = self->ioas;
	ASSERT_EQ(0, b_ioctl(a, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	EXPECT_ERRNO(EINVAL, b_ioctl(a, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	dt.argsz = 8;
	dt.flags = 4;
	EXPECT_ERRNO(EINVAL, b_ioctl(a, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	dt.flags = VFIO_DEVICE_DETACH_PASID;
	EXPECT_ERRNO(EINVAL, b_ioctl(a, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(p, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	dt.flags = 0;
	EXPECT_EQ(0, b_ioctl(a, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
}

/* A bad pt_id pointer for the answer: the attach is undone (EFAULT). */
TEST_F(cdev, attach_answer_efault)
{
	int a = bound(self, "0000:01:00.0");
	uint32_t blocked = b_domain_of("0000:01:00.0");
	struct vfio_device_attach_iommufd_pt *at = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
							 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(at != MAP_FAILED);
	*at = (struct vfio_device_attach_iommufd_pt){ .argsz = 12, .pt_id = self->ioas };
	ASSERT_EQ(0, mprotect(at, 4096, PROT_READ));
	EXPECT_ERRNO(EFAULT, b_ioctl(a, VFIO_DEVICE_ATTACH_IOMMUFD_PT, at));
	EXPECT_EQ(blocked, b_domain_of("0000:01:00.0"));
	EXPECT_EQ(0, b_nr_unmanaged());
	munmap(at, 4096);
}

/* Close detaches, unbinds and releases the group; mappings survive in the IOAS. */
TEST_F(cdev, close_releases)
{
	int a = open_cdev("0000:01:00.0");
	uint32_t ha = self->ioas;
	uint64_t iova = 0;

	ASSERT_EQ(0, bind_iommufd(a, self->iommufd, NULL));
	ASSERT_EQ(0, attach_pt(a, &ha));
	ASSERT_EQ(0, b_map(self->iommufd, self->ioas, self->buf, SZ_64K, &iova,
			   IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE));
	EXPECT_NE(0, b_pins_at(self->buf));
	EXPECT_ERRNO(EBUSY, b_destroy(self->iommufd, self->ioas));
	b_close(a);
	EXPECT_FALSE(dma_claimed("0000:01:00.0"));
	EXPECT_EQ(0, b_pins_at(self->buf));   /* no domain left: nothing pinned */
	EXPECT_ERRNO(ENOENT, b_destroy(self->iommufd, ha));
	EXPECT_EQ(0, b_unmap(self->iommufd, self->ioas, iova, SZ_64K, NULL));
	EXPECT_EQ(0, b_destroy(self->iommufd, self->ioas));
}

/* The iommufd may close first: the bound device keeps its context alive. */
TEST_F(cdev, iommufd_closed_first)
{
	int a = open_cdev("0000:01:00.0");
	uint32_t ha = self->ioas;

	ASSERT_EQ(0, bind_iommufd(a, self->iommufd, NULL));
	ASSERT_EQ(0, attach_pt(a, &ha));
	b_close(self->iommufd);
	self->iommufd = b_iommufd();
	EXPECT_TRUE(dma_claimed("0000:01:00.0"));
	EXPECT_EQ(1, b_nr_unmanaged());
	EXPECT_EQ(0, get_info(a));
	b_close(a);
	EXPECT_FALSE(dma_claimed("0000:01:00.0"));
	EXPECT_EQ(0, b_nr_unmanaged());
}

/* Once bound, the fd maps the device's BARs, as a group-path device fd does. */
TEST_F(cdev, mmap_after_bind)
{
	int a = bound(self, "0000:01:00.0");
	struct vfio_region_info reg = { .argsz = sizeof(reg), .index = 0 };
	uint32_t value = 0x12345678, seen = 0;
	void *map;

	ASSERT_EQ(0, b_ioctl(a, VFIO_DEVICE_GET_REGION_INFO, &reg));
	ASSERT_TRUE(reg.flags & VFIO_REGION_INFO_FLAG_MMAP);   /* a 1 MiB memory BAR */
	ASSERT_EQ(0, ims_mmap_check(b_host(), a, reg.offset, 4096, PROT_READ | PROT_WRITE));
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, a, (off_t)reg.offset);
	ASSERT_TRUE(map != MAP_FAILED);
	ASSERT_EQ(4, ims_pwrite(b_host(), a, &value, 4, (off_t)reg.offset + 16));
	memcpy(&seen, (char *)map + 16, 4);
	EXPECT_EQ(value, seen);
	munmap(map, 4096);
}

/* The JSON state: the IOAS with its area and HWPTs, the HWPT with its devices, the binds. */
TEST_F(cdev, json_state)
{
	int a = open_cdev("0000:01:00.0"), b = open_cdev("0000:01:00.1");
	uint32_t devid = 0, ha = self->ioas, hb = self->ioas;
	uint64_t iova = 0;
	json_object *state, *arr, *o, *devs;
	char *text;

	ASSERT_EQ(0, bind_iommufd(a, self->iommufd, &devid));
	ASSERT_EQ(0, bind_iommufd(b, self->iommufd, NULL));
	self->dfd[self->nr++] = a;
	self->dfd[self->nr++] = b;
	ASSERT_EQ(0, attach_pt(a, &ha));
	ASSERT_EQ(0, attach_pt(b, &hb));
	ASSERT_EQ(0, b_map(self->iommufd, self->ioas, self->buf, SZ_64K, &iova,
			   IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE));
	text = ims_host_state_json(b_host(), false);
	ASSERT_TRUE(text != NULL);
	state = json_tokener_parse(text);
	free(text);
	ASSERT_TRUE(state != NULL);
	/* "ioas": this IOAS, its one area, the automatic HWPT and its domain. */
	ASSERT_TRUE(json_object_object_get_ex(state, "ioas", &arr));
	ASSERT_EQ(1, json_object_array_length(arr));
	o = json_object_array_get_idx(arr, 0);
	EXPECT_EQ((int)self->ioas, json_object_get_int(json_object_object_get(o, "id")));
	EXPECT_EQ(1, json_object_get_int(json_object_object_get(o, "context")));
	devs = json_object_object_get(o, "areas");
	ASSERT_EQ(1, json_object_array_length(devs));
	EXPECT_EQ((int64_t)iova, json_object_get_int64(json_object_object_get(
		json_object_array_get_idx(devs, 0), "iova")));
	EXPECT_EQ((int64_t)SZ_64K, json_object_get_int64(json_object_object_get(
		json_object_array_get_idx(devs, 0), "size")));
	EXPECT_EQ((int)ha, json_object_get_int(json_object_array_get_idx(
		json_object_object_get(o, "hwpts"), 0)));
	/* "hwpts": automatic, on the group's domain, with both functions. */
	ASSERT_TRUE(json_object_object_get_ex(state, "hwpts", &arr));
	ASSERT_EQ(1, json_object_array_length(arr));
	o = json_object_array_get_idx(arr, 0);
	EXPECT_TRUE(json_object_get_boolean(json_object_object_get(o, "auto")));
	EXPECT_EQ((int)self->ioas, json_object_get_int(json_object_object_get(o, "ioas")));
	EXPECT_EQ((int)b_domain_of("0000:01:00.0"),
		  json_object_get_int(json_object_object_get(o, "domain")));
	EXPECT_EQ(2, json_object_array_length(json_object_object_get(o, "devices")));
	/* "binds": both devices, the first with the ID BIND returned. */
	ASSERT_TRUE(json_object_object_get_ex(state, "binds", &arr));
	ASSERT_EQ(2, json_object_array_length(arr));
	o = json_object_array_get_idx(arr, 0);
	EXPECT_EQ((int)devid, json_object_get_int(json_object_object_get(o, "id")));
	EXPECT_EQ(0, strcmp("0000:01:00.0", json_object_get_string(json_object_object_get(o,
											  "device"))));
	EXPECT_EQ((int)ha, json_object_get_int(json_object_object_get(o, "hwpt")));
	json_object_put(state);
}

/* ---- bind's refusals ---- */

FIXTURE(refusals)
{
	char path[64];
};

/* 7.25 needs IOMMUs the built-in platform lacks. */
FIXTURE_SETUP(refusals)
{
	ASSERT_EQ(0, b_write_refusals_platform(self->path, sizeof(self->path)));
}

FIXTURE_TEARDOWN(refusals)
{
	unlink(self->path);
}

/* 7.25: no cache coherency EINVAL, unisolated MSIs EPERM unless allowed. */
TEST_F(refusals, coherency_and_msi)
{
	struct ims_host_options opts = { .allow_unsafe_interrupts = true };
	int iommufd, a, b;

	b_up_platform(self->path, "upstream", false);
	iommufd = b_iommufd();
	a = open_cdev("20000000.dma");
	b = open_cdev("21000000.dma");
	ASSERT_NE(-1, a);
	ASSERT_NE(-1, b);
	EXPECT_ERRNO(EINVAL, bind_iommufd(a, iommufd, NULL));
	EXPECT_ERRNO(EPERM, bind_iommufd(b, iommufd, NULL));
	EXPECT_ERRNO(EINVAL, get_info(b));   /* still not bound */
	b_close(a);
	b_close(b);
	b_close(iommufd);
	b_down();
	b_up_with(self->path, &opts);
	iommufd = b_iommufd();
	b = open_cdev("21000000.dma");
	EXPECT_EQ(0, bind_iommufd(b, iommufd, NULL));
	b_close(b);
	b_close(iommufd);
	b_down();
}

/* Groups VFIO cannot own: a kernel driver in it (EPERM), a require-direct device (EINVAL). */
TEST_F(refusals, dma_ownership)
{
	int iommufd, other, a, b;

	b_up("upstream", false);
	iommufd = b_iommufd();
	a = open_cdev("0000:04:00.0");
	b = open_cdev("0000:03:00.0");
	EXPECT_ERRNO(EPERM, bind_iommufd(a, iommufd, NULL));
	EXPECT_ERRNO(EINVAL, bind_iommufd(b, iommufd, NULL));
	b_close(a);
	b_close(b);
	/* One group, two contexts: the second claim is refused. */
	other = b_iommufd();
	a = open_cdev("0000:01:00.0");
	b = open_cdev("0000:01:00.1");
	ASSERT_EQ(0, bind_iommufd(a, iommufd, NULL));
	EXPECT_ERRNO(EPERM, bind_iommufd(b, other, NULL));
	EXPECT_EQ(0, bind_iommufd(b, iommufd, NULL));
	b_close(a);
	b_close(b);
	b_close(other);
	b_close(iommufd);
	b_down();
}

int main(int argc, char **argv)
{
	return ims_harness_main(argc, argv);
}
