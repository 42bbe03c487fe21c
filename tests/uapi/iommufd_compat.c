// SPDX-License-Identifier: MIT
/*
 * VFIO type1 compatibility on /dev/iommu (kernel-semantics 5.7): the
 * container ioctls answered by an iommufd over its compatibility IOAS, and
 * VFIO_GROUP_SET_CONTAINER naming an iommufd.  Variants: TYPE1 (large pages
 * off, any unmap may split mappings) and TYPE1v2 (no splitting: ENOENT).
 */
#include <fcntl.h>
#include <linux/vfio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/harness.h"
#include "iommufd_bed.h"

#define APERTURE IMS_MOCK_APERTURE_START

static int map_dma(int fd, uint64_t iova, void *vaddr, uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = (uintptr_t)vaddr, .iova = iova,
		.size = size,
	};

	return (int)b_ioctl(fd, VFIO_IOMMU_MAP_DMA, &m);
}

static int unmap_dma(int fd, uint64_t iova, uint64_t size, uint32_t flags, uint64_t *done)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
	};
	int ret = (int)b_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &u);

	if (done)
		*done = u.size;
	return ret;
}

static const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

/* ---- a bare iommufd ---- */

FIXTURE(bare)
{
	int fd;
};

FIXTURE_SETUP(bare)
{
	b_up("upstream", false);
	self->fd = b_iommufd();
}

FIXTURE_TEARDOWN(bare)
{
	b_down();
}

TEST_F(bare, simple_ioctls)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	uint8_t buf[64];

	EXPECT_EQ(VFIO_API_VERSION, b_ioctl(self->fd, VFIO_GET_API_VERSION, NULL));
	EXPECT_EQ(1, b_ioctl(self->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_TYPE1_IOMMU));
	EXPECT_EQ(1, b_ioctl(self->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, b_ioctl(self->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_UNMAP_ALL));
	EXPECT_EQ(0, b_ioctl(self->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_NOIOMMU_IOMMU));
	EXPECT_EQ(0, b_ioctl(self->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_UPDATE_VADDR));
	EXPECT_EQ(0, b_ioctl(self->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_TYPE1_NESTING_IOMMU));
	/* No compatibility IOAS yet: ENODEV. */
	EXPECT_ERRNO(ENODEV, b_ioctl(self->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_DMA_CC_IOMMU));
	EXPECT_ERRNO(ENODEV, b_ioctl(self->fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU));
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, VFIO_SET_IOMMU, (void *)VFIO_NOIOMMU_IOMMU));
	EXPECT_ERRNO(ENODEV, b_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &info));
	EXPECT_ERRNO(ENODEV, map_dma(self->fd, SZ_1M, buf, SZ_4K, rw));
	EXPECT_ERRNO(ENODEV, unmap_dma(self->fd, SZ_1M, SZ_4K, 0, NULL));
	/* Argument checks come first. */
	info.argsz = 4;
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &info));
	EXPECT_ERRNO(EINVAL, map_dma(self->fd, SZ_1M, buf, SZ_4K, VFIO_DMA_MAP_FLAG_VADDR));
	EXPECT_ERRNO(EINVAL, unmap_dma(self->fd, SZ_1M, SZ_4K,
				       VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, NULL));
	EXPECT_ERRNO(EFAULT, b_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, NULL));
	EXPECT_ERRNO(ENOTTY, b_ioctl(self->fd, VFIO_IOMMU_DIRTY_PAGES, buf));
	EXPECT_ERRNO(ENOTTY, b_ioctl(self->fd, VFIO_GROUP_GET_STATUS, buf));
}

/* VFIO_GROUP_SET_CONTAINER with an iommufd: the compatibility IOAS appears. */
TEST_F(bare, group_set_container)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct iommu_vfio_ioas ioas = { .size = sizeof(ioas), .op = IOMMU_VFIO_IOAS_GET };
	char path[32];
	int group, other, container;
	int fd = self->fd;

	snprintf(path, sizeof(path), "/dev/vfio/%u", 0u); /* 20000000.dma's group */
	group = b_open(path);
	ASSERT_NE(-1, group);
	ASSERT_EQ(0, b_ioctl(group, VFIO_GROUP_SET_CONTAINER, &fd));
	ASSERT_EQ(0, b_ioctl(group, VFIO_GROUP_GET_STATUS, &status));
	EXPECT_EQ(VFIO_GROUP_FLAGS_CONTAINER_SET | VFIO_GROUP_FLAGS_VIABLE, status.flags);
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &ioas));
	EXPECT_NE(0, ioas.ioas_id);
	/* Once joined: EINVAL for any other container. */
	EXPECT_ERRNO(EINVAL, b_ioctl(group, VFIO_GROUP_SET_CONTAINER, &fd));
	container = b_open("/dev/vfio/vfio");
	EXPECT_ERRNO(EINVAL, b_ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	/* A second group joins the same compatibility IOAS. */
	snprintf(path, sizeof(path), "/dev/vfio/%u", 2u); /* 01:00.x */
	other = b_open(path);
	ASSERT_NE(-1, other);
	ASSERT_EQ(0, b_ioctl(other, VFIO_GROUP_SET_CONTAINER, &fd));
	uint32_t first = ioas.ioas_id;

	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &ioas));
	EXPECT_EQ(first, ioas.ioas_id);
	/* The container ioctls now find the IOAS. */
	EXPECT_EQ(0, b_ioctl(self->fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(0, b_ioctl(group, VFIO_GROUP_UNSET_CONTAINER, NULL));
	EXPECT_ERRNO(EINVAL, b_ioctl(group, VFIO_GROUP_UNSET_CONTAINER, NULL));
	/* The group keeps the context alive after the fd closes. */
	EXPECT_EQ(0, b_close(self->fd));
	EXPECT_EQ(0, b_close(other));
	EXPECT_EQ(0, b_close(group));
	b_close(container);
}

/* ---- with a mock device on the compatibility IOAS ---- */

FIXTURE(compat)
{
	int fd;
	uint32_t ioas, stdev, hwpt;
	uint8_t *buf;
};

FIXTURE_VARIANT(compat)
{
	unsigned long type;
};

FIXTURE_VARIANT_ADD(compat, v1v2) { .type = VFIO_TYPE1v2_IOMMU };
FIXTURE_VARIANT_ADD(compat, v1) { .type = VFIO_TYPE1_IOMMU };

FIXTURE_SETUP(compat)
{
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd), .op = IOMMU_VFIO_IOAS_SET };

	b_up("upstream", true);
	self->fd = b_iommufd();
	self->buf = b_buffer(16 * SZ_64K);
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &self->ioas));
	ASSERT_EQ(0, b_mock_domain(self->fd, self->ioas, 0, &self->stdev, &self->hwpt, NULL));
	cmd.ioas_id = self->ioas;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	ASSERT_EQ(0, b_ioctl(self->fd, VFIO_SET_IOMMU, (void *)variant->type));
}

FIXTURE_TEARDOWN(compat)
{
	b_down();
}

TEST_F(compat, get_info)
{
	struct {
		struct vfio_iommu_type1_info info;
		uint8_t caps[256];
	} big = { .info = { .argsz = sizeof(big) } };
	struct vfio_iommu_type1_info small = { .argsz = sizeof(small) };
	struct vfio_iommu_type1_info_dma_avail avail;
	struct vfio_iommu_type1_info_cap_iova_range range;
	struct vfio_iova_range r;
	uint64_t ps = (uint64_t)getpagesize();

	/* Too small for the caps: the size that holds them, no cap_offset. */
	ASSERT_EQ(0, b_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &small));
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, small.flags);
	EXPECT_EQ(0, small.cap_offset);
	EXPECT_EQ(sizeof(small) + 16 + 32, small.argsz);
	/* The 2 KiB IOMMU pages show as CPU pages. */
	EXPECT_EQ(ps, small.iova_pgsizes & -small.iova_pgsizes);
	ASSERT_EQ(0, b_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &big));
	ASSERT_EQ(sizeof(big.info), big.info.cap_offset);
	memcpy(&avail, big.caps, sizeof(avail));
	EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, avail.header.id);
	EXPECT_EQ(UINT32_MAX, avail.avail);
	EXPECT_EQ(sizeof(big.info) + 16, avail.header.next);
	memcpy(&range, big.caps + 16, sizeof(range));
	EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, range.header.id);
	EXPECT_EQ(0, range.header.next);
	ASSERT_EQ(1, range.nr_iovas);
	memcpy(&r, big.caps + 16 + sizeof(range), sizeof(r));
	EXPECT_EQ(APERTURE, r.start);
	EXPECT_EQ(IMS_MOCK_APERTURE_LAST, r.end);
	/* The mock IOMMU does not enforce coherency. */
	EXPECT_EQ(0, b_ioctl(self->fd, VFIO_CHECK_EXTENSION, (void *)VFIO_DMA_CC_IOMMU));
}

TEST_F(compat, map_unmap)
{
	const uint64_t ps = (uint64_t)getpagesize();
	uint64_t done;

	ASSERT_EQ(0, map_dma(self->fd, APERTURE, self->buf, 4 * ps, rw));
	EXPECT_ERRNO(EEXIST, map_dma(self->fd, APERTURE, self->buf, ps, rw));
	EXPECT_ERRNO(EINVAL, map_dma(self->fd, APERTURE - ps, self->buf, ps, rw));
	EXPECT_EQ(0, b_check_map(self->fd, self->hwpt, APERTURE, 4 * ps, self->buf));
	/* The middle page: type1 splits, type1v2 refuses to bisect (ENOENT). */
	if (variant->type == VFIO_TYPE1_IOMMU) {
		ASSERT_EQ(0, unmap_dma(self->fd, APERTURE + ps, ps, 0, &done));
		EXPECT_EQ(ps, done);
		EXPECT_EQ(0, b_check_map(self->fd, self->hwpt, APERTURE, ps, self->buf));
		EXPECT_EQ(0, b_check_map(self->fd, self->hwpt, APERTURE + 2 * ps, 2 * ps,
					 self->buf + 2 * ps));
		EXPECT_EQ(0, b_check_refs(self->fd, self->buf + ps, ps, 0));
		EXPECT_EQ(0, b_check_refs(self->fd, self->buf + 2 * ps, 2 * ps, 1));
	} else {
		EXPECT_ERRNO(ENOENT, unmap_dma(self->fd, APERTURE + ps, ps, 0, &done));
	}
	/* An empty range: success, nothing unmapped. */
	ASSERT_EQ(0, unmap_dma(self->fd, APERTURE + SZ_1M, ps, 0, &done));
	EXPECT_EQ(0, done);
	EXPECT_ERRNO(EINVAL, unmap_dma(self->fd, APERTURE, ps, VFIO_DMA_UNMAP_FLAG_ALL, &done));
	ASSERT_EQ(0, unmap_dma(self->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &done));
	EXPECT_EQ(variant->type == VFIO_TYPE1_IOMMU ? 3 * ps : 4 * ps, done);
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, 4 * ps, 0));
	/* Nothing stale in the domain: the range maps other memory. */
	ASSERT_EQ(0, map_dma(self->fd, APERTURE, self->buf + 8 * ps, 4 * ps, rw));
	EXPECT_EQ(0, b_check_map(self->fd, self->hwpt, APERTURE, 4 * ps, self->buf + 8 * ps));
}

/* TYPE1 disables large pages: refused once domains hold mappings. */
TEST_F(compat, set_iommu_after_map)
{
	ASSERT_EQ(0, map_dma(self->fd, APERTURE, self->buf, SZ_64K, rw));
	if (variant->type == VFIO_TYPE1_IOMMU)
		EXPECT_EQ(0, b_ioctl(self->fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1_IOMMU));
	else
		EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1_IOMMU));
	EXPECT_EQ(0, b_ioctl(self->fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU));
}

int main(int argc, char **argv)
{
	return ims_harness_main(argc, argv);
}
