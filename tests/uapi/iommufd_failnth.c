// SPDX-License-Identifier: MIT
/*
 * Fail-nth sweeps over iommufd call sequences, in the shape of the kernel's
 * iommufd_fail_nth: a sequence that succeeds is run again and again with
 * the 1st, 2nd, 3rd ... injection point failing (allocations, object
 * lookups, pins, user copies) until it no longer reaches the point.  After
 * every run: the failing call returned an errno; closing everything
 * releases every pin (MD_CHECK_REFS 0 on a fresh fd, no memory charged);
 * the same sequence then succeeds from scratch on the same host (no half
 * state is left behind: no claimed group, no reservation, no object); and
 * nothing leaks (AddressSanitizer in `make test`); no group is left claimed
 * (the cdev sweep binds VFIO devices).
 *
 * A few points are absorbed, as in the kernel: a failed reservation check
 * while trying an existing automatic HWPT answers EINVAL, which the search
 * takes for "incompatible" and goes on to a new HWPT.
 */
#include <fcntl.h>
#include <linux/vfio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/core.h"
#include "harness/harness.h"
#include "host/host.h"
#include "iommufd_bed.h"
#include "util/alloc.h"

#define BUF_SIZE (2 * SZ_1M)
#define APERTURE IMS_MOCK_APERTURE_START
#define MAX_POINTS 5000

static const uint32_t rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

struct run {
	int fd;
	int access;
	uint8_t *buf;
	int dev[8];         /* VFIO device and group fds */
	unsigned int nr_dev;
};

typedef int (*sequence_fn)(struct run *r);

#define TRY(call)                      \
	do {                           \
		if ((call) < 0)        \
			return -errno; \
	} while (0)

/* IOAS plumbing without devices: alloc, ranges, allow, map, copy, unmap. */
static int seq_basic(struct run *r)
{
	struct iommu_iova_range ranges[2], allow = { .start = SZ_1M, .last = 64 * SZ_1M };
	uint32_t ioas, ioas2, num = 2;
	uint64_t iova, copy = 0;

	TRY(b_ioas_alloc(r->fd, &ioas));
	TRY(b_iova_ranges(r->fd, ioas, ranges, &num, NULL));
	TRY(b_allow(r->fd, ioas, &allow, 1));
	TRY(b_map(r->fd, ioas, r->buf, SZ_64K, &iova, rw));
	TRY(b_map_fixed(r->fd, ioas, r->buf, SZ_64K, 8 * SZ_1M));
	TRY(b_ioas_alloc(r->fd, &ioas2));
	TRY(b_copy(r->fd, ioas2, ioas, 8 * SZ_1M, SZ_64K, &copy, rw));
	TRY(b_unmap(r->fd, ioas, iova, SZ_64K, NULL));
	TRY(b_unmap(r->fd, ioas, 0, UINT64_MAX, NULL));
	TRY(b_destroy(r->fd, ioas));
	return 0;
}

/* Mappings into mock domains: attach before and after, two domains, a file. */
static int seq_map_domains(struct run *r)
{
	uint32_t ioas, stdev, hwpt, stdev2;
	uint64_t iova;
	int memfd;
	int ret;

	TRY(b_ioas_alloc(r->fd, &ioas));
	TRY(b_map_fixed(r->fd, ioas, r->buf, SZ_1M, APERTURE));
	TRY(b_mock_domain(r->fd, ioas, 0, &stdev, &hwpt, NULL));
	TRY(b_map(r->fd, ioas, r->buf + SZ_1M, SZ_64K, &iova, rw));
	TRY(b_mock_domain(r->fd, ioas, IMS_MOCK_DEV_NO_DIRTY, &stdev2, NULL, NULL));
	TRY(b_check_map(r->fd, hwpt, APERTURE, SZ_1M, r->buf));
	memfd = memfd_create("failnth", 0);
	if (memfd < 0 || ftruncate(memfd, SZ_64K))
		return -EIO;
	struct iommu_ioas_map_file mf = {
		.size = sizeof(mf), .flags = rw, .ioas_id = ioas, .fd = memfd, .length = SZ_64K,
	};

	ret = (int)b_ioctl(r->fd, IOMMU_IOAS_MAP_FILE, &mf);
	close(memfd);
	if (ret)
		return -errno;
	TRY(b_unmap(r->fd, ioas, iova, SZ_64K, NULL));
	TRY(b_destroy(r->fd, stdev));
	return 0;
}

/* Access objects: pins with and without domains, reads and writes, unmap. */
static int seq_access(struct run *r)
{
	uint32_t ioas, item, stdev;
	uint8_t data[64] = { 1, 2, 3 };

	TRY(b_ioas_alloc(r->fd, &ioas));
	TRY(b_map_fixed(r->fd, ioas, r->buf, SZ_1M, APERTURE));
	TRY(b_create_access(r->fd, ioas, IMS_MOCK_ACCESS_NEEDS_PIN_PAGES, &r->access));
	TRY(b_access_pages(r->fd, r->access, APERTURE, SZ_64K, r->buf, IMS_MOCK_ACCESS_WRITE,
			   &item));
	TRY(b_access_rw(r->fd, r->access, APERTURE + 5, data, sizeof(data), IMS_MOCK_RW_WRITE));
	TRY(b_mock_domain(r->fd, ioas, 0, &stdev, NULL, NULL));
	TRY(b_access_pages(r->fd, r->access, APERTURE + SZ_64K, SZ_64K, NULL, 0, &item));
	TRY(b_destroy_access_pages(r->fd, r->access, item));
	TRY(b_unmap(r->fd, ioas, APERTURE, SZ_1M, NULL));
	return 0;
}

/* Devices: hw info, manual HWPTs, replace, dirty tracking. */
static int seq_device(struct run *r)
{
	struct iommu_hw_info info = { .size = sizeof(info) };
	uint32_t ioas, ioas2, stdev, idev, hwpt, pt;
	uint64_t data;

	TRY(b_ioas_alloc(r->fd, &ioas));
	TRY(b_ioas_alloc(r->fd, &ioas2));
	TRY(b_map_fixed(r->fd, ioas, r->buf, SZ_64K, APERTURE));
	TRY(b_mock_domain(r->fd, ioas, IMS_MOCK_DEV_PASID, &stdev, NULL, &idev));
	info.dev_id = idev;
	info.data_len = sizeof(data);
	info.data_uptr = (uintptr_t)&data;
	TRY(b_ioctl(r->fd, IOMMU_GET_HW_INFO, &info));
	TRY(b_hwpt_alloc(r->fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
			 IOMMU_HWPT_ALLOC_PASID, &hwpt));
	pt = hwpt;
	TRY(b_mock_replace(r->fd, stdev, &pt));
	pt = ioas2;
	TRY(b_mock_replace(r->fd, stdev, &pt));
	TRY(b_map_fixed(r->fd, ioas2, r->buf, SZ_64K, APERTURE));
	TRY(b_destroy(r->fd, hwpt));
	return 0;
}

/* VFIO compatibility: SET_IOMMU, MAP_DMA, GET_INFO, a split unmap. */
static int seq_compat(struct run *r)
{
	struct iommu_vfio_ioas set = { .size = sizeof(set), .op = IOMMU_VFIO_IOAS_SET };
	struct {
		struct vfio_iommu_type1_info info;
		uint8_t caps[128];
	} info = { .info = { .argsz = sizeof(info) } };
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)r->buf, .iova = APERTURE, .size = 4 * SZ_64K,
	};
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = APERTURE + SZ_64K, .size = SZ_64K,
	};

	TRY(b_ioas_alloc(r->fd, &set.ioas_id));
	TRY(b_mock_domain(r->fd, set.ioas_id, 0, NULL, NULL, NULL));
	TRY(b_ioctl(r->fd, IOMMU_VFIO_IOAS, &set));
	TRY(b_ioctl(r->fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1_IOMMU));
	TRY(b_ioctl(r->fd, VFIO_IOMMU_MAP_DMA, &m));
	TRY(b_ioctl(r->fd, VFIO_IOMMU_GET_INFO, &info));
	TRY(b_ioctl(r->fd, VFIO_IOMMU_UNMAP_DMA, &u));
	return 0;
}

/* A VFIO device fd the run closes at its end. */
static int keep_fd(struct run *r, int fd)
{
	if (fd < 0)
		return -errno;
	r->dev[r->nr_dev++] = fd;
	return fd;
}

static int attach_pt(int dfd, uint32_t *pt)
{
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = *pt };

	TRY(b_ioctl(dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	*pt = at.pt_id;
	return 0;
}

/* Open, bind and attach the cdev at @path: its fd or -errno. */
static int cdev_bind_attach(struct run *r, const char *path, uint32_t *pt, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = r->fd };
	int dfd = keep_fd(r, b_open(path));

	if (dfd < 0)
		return dfd;
	TRY(b_ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	if (devid)
		*devid = bind.out_devid;
	return attach_pt(dfd, pt) ?: dfd;
}

/*
 * The VFIO device cdev (the mock platform's vfio1/vfio2: one group of two
 * functions; vfio6: another instance): bind, attach, a manual HWPT,
 * detach, replace; then a group joined to the iommufd opening a device.
 */
static int seq_cdev(struct run *r)
{
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };
	struct ims_device *dev = ims_device_find(b_host()->core, "0000:20:00.0");
	uint32_t ioas, pt, devid = 0, manual;
	uint64_t iova;
	char path[32];
	int a, group;

	TRY(b_ioas_alloc(r->fd, &ioas));
	TRY(b_map(r->fd, ioas, r->buf, SZ_64K, &iova, rw));
	pt = ioas;
	TRY(cdev_bind_attach(r, "/dev/vfio/devices/vfio1", &pt, NULL));
	TRY(cdev_bind_attach(r, "/dev/vfio/devices/vfio2", &pt, NULL));
	pt = ioas;
	a = cdev_bind_attach(r, "/dev/vfio/devices/vfio6", &pt, &devid);
	if (a < 0)
		return a;
	TRY(b_hwpt_alloc(r->fd, devid, ioas, 0, &manual));
	TRY(b_ioctl(a, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	pt = manual;
	TRY(attach_pt(a, &pt));
	snprintf(path, sizeof(path), "/dev/vfio/%u", dev->group->id);
	group = keep_fd(r, b_open(path));
	if (group < 0)
		return group;
	TRY(b_ioctl(group, VFIO_GROUP_SET_CONTAINER, &r->fd));
	return keep_fd(r, (int)b_ioctl(group, VFIO_GROUP_GET_DEVICE_FD, "0000:20:00.0")) < 0 ?
	       -errno : 0;
}

/* No group is left claimed for userspace. */
static bool no_user_owner(void)
{
	struct ims_device *dev;

	ims_list_for_each_entry(dev, &b_host()->core->devices, core_node)
		if (dev->group && dev->group->owner)
			return false;
	return true;
}

/* Close what the run opened; check that no pin survives, from a fresh fd. */
static void finish_run(struct run *r)
{
	int fd;

	while (r->nr_dev)
		b_close(r->dev[--r->nr_dev]);
	if (r->access >= 0)
		b_close(r->access);
	b_close(r->fd);
	fd = b_iommufd();
	ASSERT_EQ(0, b_check_refs(fd, r->buf, BUF_SIZE, 0));
	b_close(fd);
	ASSERT_EQ(0, b_host()->mm.locked_vm);
	ASSERT_TRUE(no_user_owner());
}

static int one_run(sequence_fn fn, uint8_t *buf, unsigned long nth, bool *reached)
{
	struct run r = { .fd = b_iommufd(), .access = -1, .buf = buf };
	int ret;

	ims_fail_nth_set(nth);
	ret = fn(&r);
	*reached = !nth || ims_fail_nth_get() == 0;
	ims_fail_nth_set(0);
	finish_run(&r);
	return ret;
}

static void sweep(sequence_fn fn)
{
	uint8_t *buf = b_buffer(BUF_SIZE);
	unsigned long nth;
	bool reached;
	int failures = 0;

	memset(buf, 0x5a, BUF_SIZE);
	b_up("upstream", true);
	ASSERT_EQ(0, one_run(fn, buf, 0, &reached));
	for (nth = 1; nth < MAX_POINTS; nth++) {
		int ret = one_run(fn, buf, nth, &reached);

		if (!reached) { /* finished before the nth point: done */
			ASSERT_EQ(0, ret);
			break;
		}
		if (ret) {
			failures++;
			/* No half state: the whole sequence works again. */
			ASSERT_EQ(0, one_run(fn, buf, 0, &reached));
		}
	}
	b_down();
	printf("# %lu injection points, %d failed the sequence\n", nth - 1, failures);
	ASSERT_TRUE(nth < MAX_POINTS);
	ASSERT_TRUE(failures > 5);
}

FIXTURE(failnth)
{
	int unused;
};

FIXTURE_SETUP(failnth)
{
}

FIXTURE_TEARDOWN(failnth)
{
}

TEST_F(failnth, basic)
{
	sweep(seq_basic);
}

TEST_F(failnth, map_domains)
{
	sweep(seq_map_domains);
}

TEST_F(failnth, access)
{
	sweep(seq_access);
}

TEST_F(failnth, device)
{
	sweep(seq_device);
}

TEST_F(failnth, vfio_compat)
{
	sweep(seq_compat);
}

TEST_F(failnth, cdev)
{
	sweep(seq_cdev);
}

int main(int argc, char **argv)
{
	return ims_harness_main(argc, argv);
}
