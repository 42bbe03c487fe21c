// SPDX-License-Identifier: MIT
/*
 * /dev/iommu with the test interface's mock devices (2 KiB IOMMU pages,
 * aperture [16 MiB, 2 GiB - 1]): attaching to an IOAS and sharing its
 * automatic HWPT, manual HWPTs (never chosen automatically, their errors
 * returned), replace, destroy ordering (EBUSY), what a domain needs to join
 * (7.22: EADDRINUSE, EINVAL), reserved ranges (EADDRINUSE, ENOSPC), the
 * pinning rules the kernel's MD_CHECK_REFS sees (lazy, one pin per mapping
 * call, released on close), MD_CHECK_MAP, access objects, GET_HW_INFO and
 * dirty tracking.  Variants run everything with no, one and two domains.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/harness.h"
#include "iommufd_bed.h"

#define BUF_SIZE (64 * SZ_64K)
#define APERTURE IMS_MOCK_APERTURE_START

static const uint32_t rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

FIXTURE(mock)
{
	int fd;
	uint32_t ioas;
	uint32_t stdev[2], hwpt[2], idev[2];
	uint8_t *buf;
};

FIXTURE_VARIANT(mock)
{
	unsigned int domains;
};

FIXTURE_VARIANT_ADD(mock, no_domain) { .domains = 0 };
FIXTURE_VARIANT_ADD(mock, one_domain) { .domains = 1 };
FIXTURE_VARIANT_ADD(mock, two_domains) { .domains = 2 };

static int check_cache(int fd, uint32_t idev, uint32_t which, uint32_t value)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_DEV_CHECK_CACHE, .id = idev,
		.check_dev_cache = { .id = which, .cache = value },
	};

	return b_test(fd, &cmd);
}

FIXTURE_SETUP(mock)
{
	b_up("upstream", true);
	self->fd = b_iommufd();
	self->buf = b_buffer(BUF_SIZE);
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &self->ioas));
	for (unsigned int i = 0; i < variant->domains; i++) {
		ASSERT_EQ(0, b_mock_domain(self->fd, self->ioas, 0, &self->stdev[i],
					   &self->hwpt[i], &self->idev[i]));
		for (uint32_t c = 0; c < IMS_MOCK_DEV_CACHE_NUM; c++)
			ASSERT_EQ(0, check_cache(self->fd, self->idev[i], c,
						 IMS_MOCK_DEV_CACHE_DEFAULT));
	}
}

/* Closing the fd releases every pin at once: a fresh fd sees none left. */
FIXTURE_TEARDOWN(mock)
{
	int fd;

	b_close(self->fd);
	fd = b_iommufd();
	EXPECT_EQ(0, b_check_refs(fd, self->buf, BUF_SIZE, 0));
	b_close(fd);
	b_down();
}

/* Map @len of buf at the start of the aperture. */
static int map_at_aperture(FIXTURE_DATA(mock) *self, uint64_t len)
{
	return b_map_fixed(self->fd, self->ioas, self->buf, len, APERTURE);
}

TEST_F(mock, dev_check_cache)
{
	if (!variant->domains)
		return;
	EXPECT_ERRNO(EINVAL, check_cache(self->fd, self->idev[0], IMS_MOCK_DEV_CACHE_NUM,
					 IMS_MOCK_DEV_CACHE_DEFAULT));
	EXPECT_ERRNO(EINVAL, check_cache(self->fd, self->idev[0], 0, 1));
	EXPECT_ERRNO(ENOENT, check_cache(self->fd, 99, 0, IMS_MOCK_DEV_CACHE_DEFAULT));
}

/* Devices of one mock IOMMU share the automatic HWPT of an IOAS. */
TEST_F(mock, auto_domain_shared)
{
	uint32_t stdev, hwpt, idev;

	if (variant->domains == 2)
		EXPECT_EQ(self->hwpt[0], self->hwpt[1]);
	ASSERT_EQ(0, b_mock_domain(self->fd, self->ioas, IMS_MOCK_DEV_NO_DIRTY, &stdev, &hwpt,
				   &idev));
	if (variant->domains)
		EXPECT_EQ(self->hwpt[0], hwpt);
	EXPECT_ERRNO(EINVAL, b_mock_domain(self->fd, self->ioas, 1u << 9, NULL, NULL, NULL));
	EXPECT_ERRNO(ENOENT, b_mock_domain(self->fd, 1234, 0, NULL, NULL, NULL));
	EXPECT_EQ(0, b_destroy(self->fd, stdev));
	/* Its device object went with it. */
	EXPECT_ERRNO(ENOENT, b_destroy(self->fd, idev));
}

/* Destroy ordering: what an object uses cannot go first (EBUSY). */
TEST_F(mock, destroy_order)
{
	if (!variant->domains) {
		EXPECT_EQ(0, b_destroy(self->fd, self->ioas));
		return;
	}
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, self->ioas));
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, self->hwpt[0]));
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, self->idev[0]));
	for (unsigned int i = 0; i < variant->domains; i++)
		EXPECT_EQ(0, b_destroy(self->fd, self->stdev[i]));
	/* The automatic HWPT went with its last device. */
	EXPECT_ERRNO(ENOENT, b_destroy(self->fd, self->hwpt[0]));
	EXPECT_EQ(0, b_destroy(self->fd, self->ioas));
}

TEST_F(mock, iova_ranges)
{
	struct iommu_iova_range r[4];
	uint32_t num = 4;
	uint64_t align;

	ASSERT_EQ(0, b_iova_ranges(self->fd, self->ioas, r, &num, &align));
	EXPECT_EQ(1, num);
	if (variant->domains) {
		EXPECT_EQ(APERTURE, r[0].start);
		EXPECT_EQ(IMS_MOCK_APERTURE_LAST, r[0].last);
		EXPECT_EQ(IMS_MOCK_PAGE_SIZE, align);
	} else {
		EXPECT_EQ(0, r[0].start);
		EXPECT_EQ(UINT64_MAX, r[0].last);
		EXPECT_EQ(1, align);
	}
	/* A reservation shows as a hole. */
	ASSERT_EQ(0, b_add_reserved(self->fd, self->ioas, APERTURE + SZ_1M, SZ_1M));
	num = 4;
	ASSERT_EQ(0, b_iova_ranges(self->fd, self->ioas, r, &num, &align));
	ASSERT_EQ(2, num);
	EXPECT_EQ(APERTURE + SZ_1M - 1, r[0].last);
	EXPECT_EQ(APERTURE + 2 * SZ_1M, r[1].start);
}

TEST_F(mock, map_rules_with_domains)
{
	if (!variant->domains) {
		EXPECT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_2K / 2, SZ_1M));
		return;
	}
	/* Lengths and IOVAs in 2 KiB units; nothing outside the aperture. */
	EXPECT_ERRNO(EINVAL, map_at_aperture(self, SZ_2K / 2));
	EXPECT_ERRNO(EINVAL, b_map_fixed(self->fd, self->ioas, self->buf, SZ_2K, APERTURE + 512));
	EXPECT_ERRNO(EINVAL, b_map_fixed(self->fd, self->ioas, self->buf, SZ_4K, APERTURE - SZ_4K));
	EXPECT_ERRNO(EINVAL, b_map_fixed(self->fd, self->ioas, self->buf, SZ_4K,
					 IMS_MOCK_APERTURE_LAST + 1));
	ASSERT_EQ(0, map_at_aperture(self, SZ_2K));
	/* A partly unmapped user range: EFAULT from the pin, nothing mapped. */
	uint8_t *hole = b_buffer(3 * SZ_64K);

	ASSERT_EQ(0, munmap(hole + SZ_64K, SZ_64K));
	EXPECT_ERRNO(EFAULT, b_map_fixed(self->fd, self->ioas, hole, 3 * SZ_64K, APERTURE + SZ_1M));
	EXPECT_EQ(0, b_map_fixed(self->fd, self->ioas, hole, SZ_64K, APERTURE + SZ_1M));
}

/* 7.22: a domain joins only if every mapping suits it. */
TEST_F(mock, domain_join_checks)
{
	uint32_t ioas;

	ASSERT_EQ(0, b_ioas_alloc(self->fd, &ioas));
	/* Below the aperture: the out-of-aperture reservation collides. */
	ASSERT_EQ(0, b_map_fixed(self->fd, ioas, self->buf, SZ_4K, SZ_1M));
	EXPECT_ERRNO(EADDRINUSE, b_mock_domain(self->fd, ioas, 0, NULL, NULL, NULL));
	ASSERT_EQ(0, b_unmap(self->fd, ioas, SZ_1M, SZ_4K, NULL));
	/* A mapping not aligned to the 2 KiB pages. */
	ASSERT_EQ(0, b_map_fixed(self->fd, ioas, self->buf, 100, APERTURE));
	EXPECT_ERRNO(EADDRINUSE, b_mock_domain(self->fd, ioas, 0, NULL, NULL, NULL));
	ASSERT_EQ(0, b_unmap(self->fd, ioas, APERTURE, 100, NULL));
	/* An allowed range outside the aperture. */
	struct iommu_iova_range r = { .start = SZ_1M, .last = 2 * SZ_1M - 1 };

	ASSERT_EQ(0, b_allow(self->fd, ioas, &r, 1));
	EXPECT_ERRNO(EADDRINUSE, b_mock_domain(self->fd, ioas, 0, NULL, NULL, NULL));
	ASSERT_EQ(0, b_allow(self->fd, ioas, NULL, 0));
	ASSERT_EQ(0, b_map_fixed(self->fd, ioas, self->buf + SZ_2K, SZ_2K, APERTURE));
	EXPECT_EQ(0, b_mock_domain(self->fd, ioas, 0, NULL, NULL, NULL));
	/* Now allowed ranges outside the aperture are refused in turn. */
	EXPECT_ERRNO(EADDRINUSE, b_allow(self->fd, ioas, &r, 1));
}

TEST_F(mock, reserved)
{
	uint64_t iova;

	EXPECT_ERRNO(EINVAL, b_add_reserved(self->fd, self->ioas, APERTURE, 0));
	EXPECT_ERRNO(EOVERFLOW, b_add_reserved(self->fd, self->ioas, UINT64_MAX - SZ_4K, 2 * SZ_4K));
	EXPECT_ERRNO(ENOENT, b_add_reserved(self->fd, 77, APERTURE, SZ_4K));
	ASSERT_EQ(0, map_at_aperture(self, SZ_64K));
	EXPECT_ERRNO(EADDRINUSE, b_add_reserved(self->fd, self->ioas, APERTURE + SZ_4K, SZ_4K));
	ASSERT_EQ(0, b_add_reserved(self->fd, self->ioas, APERTURE + SZ_1M, SZ_64K));
	/* 7.23: a reserved IOVA is EINVAL for FIXED_IOVA. */
	EXPECT_ERRNO(EINVAL, b_map_fixed(self->fd, self->ioas, self->buf, SZ_4K,
					 APERTURE + SZ_1M + SZ_4K));
	struct iommu_iova_range r = { .start = APERTURE + SZ_1M, .last = APERTURE + 2 * SZ_1M };

	EXPECT_ERRNO(EADDRINUSE, b_allow(self->fd, self->ioas, &r, 1));
	/* Reserve everything the allowed range leaves: ENOSPC. */
	r = (struct iommu_iova_range){ .start = APERTURE + 4 * SZ_1M,
				       .last = APERTURE + 5 * SZ_1M - 1 };
	ASSERT_EQ(0, b_allow(self->fd, self->ioas, &r, 1));
	EXPECT_ERRNO(EADDRINUSE, b_add_reserved(self->fd, self->ioas, APERTURE + 4 * SZ_1M, SZ_4K));
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf, SZ_64K, &iova, rw));
	EXPECT_TRUE(iova >= r.start && iova + SZ_64K - 1 <= r.last);
}

TEST_F(mock, reserved_overflow)
{
	uint64_t iova;

	ASSERT_EQ(0, b_add_reserved(self->fd, self->ioas, getpagesize(),
				    UINT64_MAX - 2 * (uint64_t)getpagesize() + 1));
	EXPECT_ERRNO(ENOSPC, b_map(self->fd, self->ioas, self->buf, SZ_4K, &iova, rw));
}

/* MD_CHECK_MAP: the domain translates each 2 KiB to the memory behind uptr. */
TEST_F(mock, check_map)
{
	uint64_t iova;

	if (!variant->domains)
		return;
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf + SZ_2K, 5 * SZ_2K, &iova, rw));
	EXPECT_EQ(SZ_2K, iova % SZ_4K);
	for (unsigned int i = 0; i < variant->domains; i++)
		EXPECT_EQ(0, b_check_map(self->fd, self->hwpt[i], iova, 5 * SZ_2K, self->buf + SZ_2K));
	EXPECT_ERRNO(EINVAL, b_check_map(self->fd, self->hwpt[0], iova, 5 * SZ_2K, self->buf));
	EXPECT_ERRNO(EINVAL, b_check_map(self->fd, self->hwpt[0], iova + 1, SZ_2K, self->buf));
	EXPECT_ERRNO(EINVAL, b_check_map(self->fd, self->hwpt[0], iova + 6 * SZ_2K, SZ_2K,
					 self->buf));
	EXPECT_ERRNO(ENOENT, b_check_map(self->fd, self->ioas, iova, SZ_2K, self->buf));
	EXPECT_ERRNO(ENOENT, b_check_map(self->fd, 99, iova, SZ_2K, self->buf));
}

/* Every start and length at 2 KiB granularity inside a few CPU pages. */
TEST_F(mock, all_aligns)
{
	const uint64_t span = 4 * (uint64_t)getpagesize();

	for (uint64_t start = 0; start < span; start += SZ_2K) {
		for (uint64_t len = SZ_2K; start + len <= span; len += SZ_2K) {
			uint64_t iova;
			uint64_t first = start & ~(uint64_t)(getpagesize() - 1);
			uint64_t end = (start + len + getpagesize() - 1) & ~(uint64_t)(getpagesize() - 1);

			ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf + start, len, &iova, rw));
			for (unsigned int i = 0; i < variant->domains; i++)
				ASSERT_EQ(0, b_check_map(self->fd, self->hwpt[i], iova, len,
							 self->buf + start));
			ASSERT_EQ(0, b_check_refs(self->fd, self->buf + first, end - first,
						  variant->domains ? 1 : 0));
			ASSERT_EQ(0, b_unmap(self->fd, self->ioas, iova, len, NULL));
			ASSERT_EQ(0, b_check_refs(self->fd, self->buf, span, 0));
		}
	}
}

/* Pins: lazy (a domain or an access), one per mapping call, shared by copies. */
TEST_F(mock, pin_counts)
{
	uint32_t dst, stdev;
	uint64_t iova = 0, copy = 0;

	ASSERT_EQ(0, map_at_aperture(self, SZ_64K));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, variant->domains ? 1 : 0));
	/* A second mapping of the same memory is a second pin. */
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf, SZ_64K, &iova, rw));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, variant->domains ? 2 : 0));
	ASSERT_EQ(0, b_unmap(self->fd, self->ioas, iova, SZ_64K, NULL));
	/* A copy into an IOAS with a domain shares the first mapping's pin. */
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &dst));
	ASSERT_EQ(0, b_mock_domain(self->fd, dst, 0, &stdev, NULL, NULL));
	ASSERT_EQ(0, b_copy(self->fd, dst, self->ioas, APERTURE, SZ_64K, &copy, rw));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, 1));
	/* The domain leaves: that IOAS pins nothing any more. */
	EXPECT_EQ(0, b_destroy(self->fd, stdev));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, variant->domains ? 1 : 0));
	EXPECT_ERRNO(EINVAL, b_check_refs(self->fd, self->buf + 1, SZ_4K, 0));
	EXPECT_ERRNO(EINVAL, b_check_refs(self->fd, self->buf, 100, 0));
	EXPECT_ERRNO(EIO, b_check_refs(self->fd, self->buf, SZ_64K, 7));
}

/* A mock domain added to an IOAS that already maps memory pins it then. */
TEST_F(mock, pin_on_first_domain)
{
	uint32_t ioas, stdev, hwpt;
	uint64_t iova = APERTURE;

	ASSERT_EQ(0, b_ioas_alloc(self->fd, &ioas));
	ASSERT_EQ(0, b_map(self->fd, ioas, self->buf, SZ_64K, &iova,
			   rw | IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, 0));
	ASSERT_EQ(0, b_mock_domain(self->fd, ioas, 0, &stdev, &hwpt, NULL));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, 1));
	EXPECT_EQ(0, b_check_map(self->fd, hwpt, APERTURE, SZ_64K, self->buf));
	EXPECT_EQ(0, b_destroy(self->fd, stdev));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, 0));
}

/* Manual HWPTs: never picked by the automatic search; their errors come back. */
TEST_F(mock, manual_hwpt)
{
	uint32_t ioas, manual, stdev, hwpt, nodirty_idev, dirty;

	if (!variant->domains)
		return;
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &ioas));
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, self->idev[0], ioas, 0, &manual));
	ASSERT_EQ(0, b_mock_domain(self->fd, ioas, 0, &stdev, &hwpt, NULL));
	EXPECT_NE(manual, hwpt);
	/* Named explicitly it is used. */
	ASSERT_EQ(0, b_mock_domain(self->fd, manual, 0, NULL, &hwpt, NULL));
	EXPECT_EQ(manual, hwpt);
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, manual));
	/* 7.20: an explicit HWPT's incompatibility is returned, no search. */
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, self->idev[0], ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				  &dirty));
	EXPECT_ERRNO(EINVAL, b_mock_domain(self->fd, dirty, IMS_MOCK_DEV_NO_DIRTY, NULL, NULL,
					   &nodirty_idev));
	/* A device that cannot track dirty pages gets no such HWPT. */
	ASSERT_EQ(0, b_mock_domain(self->fd, ioas, IMS_MOCK_DEV_NO_DIRTY, NULL, NULL,
				   &nodirty_idev));
	EXPECT_ERRNO(EOPNOTSUPP, b_hwpt_alloc(self->fd, nodirty_idev, ioas,
					      IOMMU_HWPT_ALLOC_DIRTY_TRACKING, NULL));
	EXPECT_EQ(0, b_destroy(self->fd, dirty));
}

TEST_F(mock, hwpt_alloc_errors)
{
	struct iommu_hwpt_alloc cmd = { .size = sizeof(cmd) };
	uint32_t hwpt;

	if (!variant->domains)
		return;
	cmd.dev_id = self->idev[0];
	cmd.pt_id = self->ioas;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.__reserved = 0;
	cmd.data_len = 4;
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.data_len = 0;
	cmd.data_type = IMS_HWPT_DATA_SELFTEST;
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.data_type = 0;
	EXPECT_ERRNO(EOPNOTSUPP, b_hwpt_alloc(self->fd, self->idev[0], self->ioas, 1u << 30, NULL));
	EXPECT_ERRNO(EOPNOTSUPP, b_hwpt_alloc(self->fd, self->idev[0], self->ioas,
					      IOMMU_HWPT_FAULT_ID_VALID |
					      IOMMU_HWPT_ALLOC_NEST_PARENT, NULL));
	EXPECT_ERRNO(ENOENT, b_hwpt_alloc(self->fd, self->idev[0], self->ioas,
					  IOMMU_HWPT_FAULT_ID_VALID, NULL));
	EXPECT_ERRNO(ENOENT, b_hwpt_alloc(self->fd, 99, self->ioas, 0, NULL));
	EXPECT_ERRNO(EINVAL, b_hwpt_alloc(self->fd, self->idev[0], 99, 0, NULL));
	EXPECT_ERRNO(EINVAL, b_hwpt_alloc(self->fd, self->idev[0], self->stdev[0], 0, NULL));
	/* Nested on a paging HWPT: the mock driver does not nest. */
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, self->idev[0], self->ioas,
				  IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID, &hwpt));
	EXPECT_ERRNO(EOPNOTSUPP, b_hwpt_alloc(self->fd, self->idev[0], hwpt, 0, NULL));
	EXPECT_EQ(0, b_destroy(self->fd, hwpt));
}

TEST_F(mock, replace)
{
	uint32_t manual, pt, ioas2;

	if (!variant->domains)
		return;
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, self->idev[0], self->ioas, 0, &manual));
	pt = manual;
	ASSERT_EQ(0, b_mock_replace(self->fd, self->stdev[0], &pt));
	EXPECT_EQ(manual, pt);
	if (variant->domains == 1) /* the automatic HWPT lost its last device */
		EXPECT_ERRNO(ENOENT, b_destroy(self->fd, self->hwpt[0]));
	/* Back to the IOAS: the search finds or makes an automatic HWPT. */
	pt = self->ioas;
	ASSERT_EQ(0, b_mock_replace(self->fd, self->stdev[0], &pt));
	EXPECT_NE(manual, pt);
	if (variant->domains == 2)
		EXPECT_EQ(self->hwpt[1], pt);
	EXPECT_EQ(0, b_destroy(self->fd, manual));
	pt = 99;
	EXPECT_ERRNO(ENOENT, b_mock_replace(self->fd, self->stdev[0], &pt));
	pt = self->idev[0];
	EXPECT_ERRNO(EINVAL, b_mock_replace(self->fd, self->stdev[0], &pt));
	/* Another IOAS: the device's mappings change with it. */
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &ioas2));
	pt = ioas2;
	ASSERT_EQ(0, b_mock_replace(self->fd, self->stdev[0], &pt));
	ASSERT_EQ(0, b_map_fixed(self->fd, ioas2, self->buf, SZ_64K, APERTURE));
	EXPECT_EQ(0, b_check_map(self->fd, pt, APERTURE, SZ_64K, self->buf));
}

TEST_F(mock, get_hw_info)
{
	struct ims_test_hw_info info[2];
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd), .data_len = sizeof(info), .data_uptr = (uintptr_t)info,
	};
	uint32_t idev;

	ASSERT_EQ(0, b_mock_domain(self->fd, self->ioas, IMS_MOCK_DEV_PASID, NULL, NULL, &idev));
	memset(info, 0xff, sizeof(info));
	cmd.dev_id = idev;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(IMS_HW_INFO_TYPE_SELFTEST, cmd.out_data_type);
	EXPECT_EQ(sizeof(info[0]), cmd.data_len);
	EXPECT_EQ(0, info[0].flags);
	EXPECT_EQ(IMS_HW_INFO_SELFTEST_REGVAL, info[0].test_reg);
	EXPECT_EQ(0, info[1].flags); /* the rest of the buffer is zeroed */
	EXPECT_EQ(IMS_MOCK_PASID_WIDTH, cmd.out_max_pasid_log2);
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, cmd.out_capabilities);
	/* No buffer: just the length. */
	cmd.data_len = 0;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(sizeof(info[0]), cmd.data_len);
	/* Asking for a type: the mock knows its own and the default. */
	cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	cmd.in_data_type = IMS_HW_INFO_TYPE_SELFTEST;
	EXPECT_EQ(0, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.in_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.flags = 2;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.flags = 0;
	cmd.__reserved[1] = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.__reserved[1] = 0;
	cmd.dev_id = self->ioas;
	EXPECT_ERRNO(ENOENT, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	/* A device without dirty tracking or PASIDs. */
	ASSERT_EQ(0, b_mock_domain(self->fd, self->ioas, IMS_MOCK_DEV_NO_DIRTY, NULL, NULL,
				   &idev));
	cmd.dev_id = idev;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(0, cmd.out_capabilities);
	EXPECT_EQ(0, cmd.out_max_pasid_log2);
}

/* HUGE_PAGES 0: CPU-page leaves, every one of them unmapped again. */
TEST_F(mock, huge_pages_off)
{
	uint64_t v = 0, unmapped;

	ASSERT_EQ(0, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, self->ioas,
			      &v));
	ASSERT_EQ(0, map_at_aperture(self, 32 * SZ_64K));
	for (unsigned int i = 0; i < variant->domains; i++)
		EXPECT_EQ(0, b_check_map(self->fd, self->hwpt[i], APERTURE, 32 * SZ_64K, self->buf));
	ASSERT_EQ(0, b_unmap(self->fd, self->ioas, APERTURE, 32 * SZ_64K, &unmapped));
	EXPECT_EQ(32 * SZ_64K, unmapped);
	/* Nothing stale: the same IOVA maps other memory. */
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf + SZ_1M, 32 * SZ_64K, APERTURE));
	for (unsigned int i = 0; i < variant->domains; i++)
		EXPECT_EQ(0, b_check_map(self->fd, self->hwpt[i], APERTURE, 32 * SZ_64K,
					 self->buf + SZ_1M));
	/* A new domain is filled with CPU pages too. */
	uint32_t hwpt;

	ASSERT_EQ(0, b_mock_domain(self->fd, self->ioas, 0, NULL, &hwpt, NULL));
	EXPECT_EQ(0, b_check_map(self->fd, hwpt, APERTURE, 32 * SZ_64K, self->buf + SZ_1M));
	/* Back on; with mappings in domains they cannot go off again. */
	v = 1;
	ASSERT_EQ(0, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, self->ioas,
			      &v));
	v = 0;
	EXPECT_ERRNO(EINVAL, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET,
				      self->ioas, &v));
}

/* ---- access objects ---- */

TEST_F(mock, access_pin)
{
	uint32_t item, item2;
	int access;

	ASSERT_EQ(0, map_at_aperture(self, 4 * SZ_64K));
	EXPECT_ERRNO(EOPNOTSUPP, b_create_access(self->fd, self->ioas, 2, &access));
	EXPECT_ERRNO(ENOENT, b_create_access(self->fd, 99, 0, &access));
	ASSERT_EQ(0, b_create_access(self->fd, self->ioas, IMS_MOCK_ACCESS_NEEDS_PIN_PAGES,
				     &access));
	ASSERT_EQ(0, b_access_pages(self->fd, access, APERTURE, SZ_64K, self->buf, 0, &item));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, 1));
	/* Checked against the memory behind uptr. */
	EXPECT_ERRNO(EBADE, b_access_pages(self->fd, access, APERTURE, SZ_4K, self->buf + SZ_4K,
					   0, NULL));
	ASSERT_EQ(0, b_access_pages(self->fd, access, APERTURE + SZ_4K, SZ_4K, NULL,
				    IMS_MOCK_ACCESS_WRITE, &item2));
	EXPECT_NE(item, item2);
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, 1));
	EXPECT_ERRNO(ENOENT, b_access_pages(self->fd, access, APERTURE + 4 * SZ_64K, SZ_4K, NULL,
					    0, NULL));
	EXPECT_ERRNO(ENOMEM, b_access_pages(self->fd, access, APERTURE, (16ull << 20) + 1, NULL,
					    0, NULL));
	EXPECT_ERRNO(EOPNOTSUPP, b_access_pages(self->fd, access, APERTURE, SZ_4K, NULL, 1u << 3,
						NULL));
	EXPECT_EQ(0, b_destroy_access_pages(self->fd, access, item));
	EXPECT_ERRNO(ENOENT, b_destroy_access_pages(self->fd, access, item));
	EXPECT_ERRNO(EBADFD, b_destroy_access_pages(self->fd, self->fd, item2));
	EXPECT_ERRNO(EBADFD, b_destroy_access_pages(self->fd, 999, item2));
	/* Pinning IOAS: CPU page alignment (a 2 KiB mapping cannot join). */
	EXPECT_ERRNO(EINVAL, b_map_fixed(self->fd, self->ioas, self->buf, SZ_2K, APERTURE + SZ_1M));
	/* Closing the access fd drops what it still pins. */
	EXPECT_EQ(0, b_close(access));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, variant->domains ? 1 : 0));
	/* An access that does not pin pages cannot ACCESS_PAGES. */
	ASSERT_EQ(0, b_create_access(self->fd, self->ioas, 0, &access));
	EXPECT_ERRNO(EOPNOTSUPP, b_access_pages(self->fd, access, APERTURE, SZ_4K, NULL, 0, NULL));
	EXPECT_EQ(0, b_close(access));
}

/* Unmapping pinned memory asks the access to let go; it does. */
TEST_F(mock, access_pin_unmap)
{
	uint32_t item;
	uint64_t unmapped;
	int access;

	ASSERT_EQ(0, map_at_aperture(self, SZ_64K));
	ASSERT_EQ(0, b_create_access(self->fd, self->ioas, IMS_MOCK_ACCESS_NEEDS_PIN_PAGES,
				     &access));
	ASSERT_EQ(0, b_access_pages(self->fd, access, APERTURE, SZ_4K, self->buf, 0, &item));
	ASSERT_EQ(0, b_unmap(self->fd, self->ioas, APERTURE, SZ_64K, &unmapped));
	EXPECT_EQ(SZ_64K, unmapped);
	EXPECT_ERRNO(ENOENT, b_destroy_access_pages(self->fd, access, item));
	EXPECT_EQ(0, b_check_refs(self->fd, self->buf, SZ_64K, 0));
	/* A destroyed IOAS cannot go while the access holds it. */
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, self->ioas));
	EXPECT_EQ(0, b_close(access));
}

TEST_F(mock, access_rw)
{
	uint8_t data[300], back[300];
	int access;

	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	memset(self->buf, 0, SZ_64K);
	ASSERT_EQ(0, map_at_aperture(self, SZ_64K));
	ASSERT_EQ(0, b_create_access(self->fd, self->ioas, 0, &access));
	/* Any alignment and length, through the IOVA. */
	ASSERT_EQ(0, b_access_rw(self->fd, access, APERTURE + SZ_4K - 7, data, sizeof(data),
				 IMS_MOCK_RW_WRITE));
	EXPECT_EQ(0, memcmp(self->buf + SZ_4K - 7, data, sizeof(data)));
	ASSERT_EQ(0, b_access_rw(self->fd, access, APERTURE + SZ_4K - 7, back, sizeof(back),
				 IMS_MOCK_RW_SLOW_PATH));
	EXPECT_EQ(0, memcmp(back, data, sizeof(data)));
	EXPECT_ERRNO(ENOENT, b_access_rw(self->fd, access, APERTURE + SZ_64K - 1, back, 2, 0));
	EXPECT_ERRNO(EINVAL, b_access_rw(self->fd, access, APERTURE, back, 0, 0));
	EXPECT_ERRNO(EOPNOTSUPP, b_access_rw(self->fd, access, APERTURE, back, 1, 1u << 5));
	EXPECT_ERRNO(EFAULT, b_access_rw(self->fd, access, APERTURE, NULL, 8, IMS_MOCK_RW_WRITE));
	/* A read-only mapping refuses writes. */
	uint64_t iova;

	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf, SZ_4K, &iova,
			   IOMMU_IOAS_MAP_READABLE));
	EXPECT_ERRNO(EPERM, b_access_rw(self->fd, access, iova, data, 8, IMS_MOCK_RW_WRITE));
	EXPECT_EQ(0, b_access_rw(self->fd, access, iova, back, 8, 0));
	EXPECT_EQ(0, b_close(access));
}

TEST_F(mock, access_replace_ioas)
{
	struct ims_iommu_test_cmd cmd = { .op = IMS_TEST_OP_ACCESS_REPLACE_IOAS };
	uint32_t ioas2, item;
	int access;

	ASSERT_EQ(0, b_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, map_at_aperture(self, SZ_64K));
	ASSERT_EQ(0, b_create_access(self->fd, self->ioas, IMS_MOCK_ACCESS_NEEDS_PIN_PAGES,
				     &access));
	ASSERT_EQ(0, b_access_pages(self->fd, access, APERTURE, SZ_4K, self->buf, 0, &item));
	cmd.id = (uint32_t)access;
	cmd.access_replace_ioas.ioas_id = ioas2;
	ASSERT_EQ(0, b_test(self->fd, &cmd));
	/* Moving dropped the old IOAS's pins; the new one has nothing mapped. */
	EXPECT_ERRNO(ENOENT, b_destroy_access_pages(self->fd, access, item));
	EXPECT_ERRNO(ENOENT, b_access_pages(self->fd, access, APERTURE, SZ_4K, NULL, 0, NULL));
	/* The access holds the new IOAS, no longer the old one. */
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, ioas2));
	if (!variant->domains)
		EXPECT_EQ(0, b_destroy(self->fd, self->ioas));
	cmd.access_replace_ioas.ioas_id = 99;
	EXPECT_ERRNO(ENOENT, b_test(self->fd, &cmd));
	EXPECT_EQ(0, b_close(access));
}

TEST_F(mock, test_cmd_rules)
{
	struct ims_iommu_test_cmd cmd = { .op = 200 };
	uint8_t big[sizeof(cmd) + 8] = { 0 };

	EXPECT_ERRNO(EOPNOTSUPP, b_test(self->fd, &cmd));
	cmd.op = IMS_TEST_OP_SET_TEMP_MEMORY_LIMIT;
	cmd.memory_limit.limit = 11;
	EXPECT_ERRNO(EINVAL, b_test(self->fd, &cmd));
	cmd.memory_limit.limit = 16;
	EXPECT_EQ(0, b_test(self->fd, &cmd));
	cmd.memory_limit.limit = 65536;
	EXPECT_EQ(0, b_test(self->fd, &cmd));
	/* The usual size rules. */
	cmd.size = offsetof(struct ims_iommu_test_cmd, last);
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, IMS_IOMMU_TEST_CMD, &cmd));
	memcpy(big, &cmd, sizeof(cmd));
	((struct ims_iommu_test_cmd *)big)->size = sizeof(big);
	big[sizeof(cmd) + 2] = 1;
	EXPECT_ERRNO(E2BIG, b_ioctl(self->fd, IMS_IOMMU_TEST_CMD, big));
	big[sizeof(cmd) + 2] = 0;
	EXPECT_EQ(0, b_ioctl(self->fd, IMS_IOMMU_TEST_CMD, big));
}

/* ---- dirty tracking ---- */

static int set_dirty_tracking(int fd, uint32_t hwpt, bool on)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd), .flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return (int)b_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static int get_dirty(int fd, uint32_t hwpt, uint64_t iova, uint64_t length, uint64_t page,
		     void *bitmap, uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt, .flags = flags, .iova = iova,
		.length = length, .page_size = page, .data = (uintptr_t)bitmap,
	};

	return (int)b_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

static int mark_dirty(int fd, uint32_t hwpt, uint64_t iova, uint64_t length, uint64_t page,
		      const void *bitmap, uint64_t *nr)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_DIRTY, .id = hwpt,
		.dirty = { .iova = iova, .length = length, .page_size = page,
			   .uptr = (uintptr_t)bitmap },
	};
	int ret = b_test(fd, &cmd);

	if (!ret)
		*nr = cmd.dirty.out_nr_dirty;
	return ret;
}

TEST_F(mock, dirty_tracking)
{
	uint64_t ps = (uint64_t)getpagesize(), nr = 0, v = 0;
	uint8_t set[2] = { 0x05, 0x80 }, got[3];
	uint32_t hwpt;

	if (!variant->domains)
		return;
	/* Plain HWPTs do not track. */
	EXPECT_ERRNO(EOPNOTSUPP, set_dirty_tracking(self->fd, self->hwpt[0], true));
	struct iommu_hwpt_set_dirty_tracking bad = { .size = sizeof(bad), .flags = 2,
						     .hwpt_id = self->hwpt[0] };

	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &bad));
	/* CPU-page leaves, so that each bit is one leaf. */
	ASSERT_EQ(0, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, self->ioas,
			      &v));
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, self->idev[0], self->ioas,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	ASSERT_EQ(0, map_at_aperture(self, 16 * ps));
	/* Marking needs tracking on. */
	EXPECT_ERRNO(EINVAL, mark_dirty(self->fd, hwpt, APERTURE, 16 * ps, ps, set, &nr));
	ASSERT_EQ(0, set_dirty_tracking(self->fd, hwpt, true));
	ASSERT_EQ(0, mark_dirty(self->fd, hwpt, APERTURE, 16 * ps, ps, set, &nr));
	EXPECT_EQ(3, nr);
	/* The bitmap may sit at any address; clean bits are left alone. */
	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, get_dirty(self->fd, hwpt, APERTURE, 16 * ps, ps, got + 1,
			       IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
	EXPECT_EQ(0, got[0]);
	EXPECT_EQ(0x05, got[1]);
	EXPECT_EQ(0x80, got[2]);
	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, get_dirty(self->fd, hwpt, APERTURE, 16 * ps, ps, got, 0));
	EXPECT_EQ(0x05, got[0]);
	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, get_dirty(self->fd, hwpt, APERTURE, 16 * ps, ps, got, 0));
	EXPECT_EQ(0, got[0]);
	EXPECT_EQ(0, got[1]);
	/* Argument rules. */
	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(self->fd, hwpt, APERTURE, ps, ps, got, 2));
	EXPECT_ERRNO(EINVAL, get_dirty(self->fd, hwpt, APERTURE + 1, ps, ps, got, 0));
	EXPECT_ERRNO(EINVAL, get_dirty(self->fd, hwpt, APERTURE, ps, 0, got, 0));
	EXPECT_ERRNO(EINVAL, get_dirty(self->fd, hwpt, APERTURE + 16 * ps, ps, ps, got, 0));
	EXPECT_ERRNO(ENOENT, get_dirty(self->fd, 99, APERTURE, ps, ps, got, 0));
	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(self->fd, self->hwpt[0], APERTURE, ps, ps, got, 0));
	EXPECT_ERRNO(EINVAL, mark_dirty(self->fd, hwpt, APERTURE, 0, ps, set, &nr));
	EXPECT_ERRNO(EINVAL, mark_dirty(self->fd, hwpt, APERTURE, ps, ps, NULL, &nr));
	ASSERT_EQ(0, set_dirty_tracking(self->fd, hwpt, false));
}

/* ---- the mock's paging data, PASIDs ---- */

static int hwpt_alloc_data(int fd, uint32_t idev, uint32_t pt, uint32_t type, const void *data,
			   uint32_t len, uint32_t *hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .dev_id = idev, .pt_id = pt, .data_type = type,
		.data_len = len, .data_uptr = (uintptr_t)data,
	};
	int ret = (int)b_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!ret)
		*hwpt = cmd.out_hwpt_id;
	return ret;
}

/* HWPT_ALLOC data of type SELFTEST: the default page table; the huge one is not modelled. */
TEST_F(mock, paging_data)
{
	struct {
		struct ims_hwpt_selftest cfg;
		uint32_t tail;
	} data = { .cfg = { .pagetable_type = IMS_MOCK_IOMMUPT_DEFAULT } };
	uint32_t hwpt = 0;

	if (!variant->domains)
		return;
	EXPECT_EQ(0, hwpt_alloc_data(self->fd, self->idev[0], self->ioas, IMS_HWPT_DATA_SELFTEST,
				     &data, sizeof(data.cfg), &hwpt));
	EXPECT_EQ(0, b_destroy(self->fd, hwpt));
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc_data(self->fd, self->idev[0], self->ioas, 1, &data,
						 sizeof(data.cfg), &hwpt));
	EXPECT_ERRNO(EINVAL, hwpt_alloc_data(self->fd, self->idev[0], self->ioas,
					     IMS_HWPT_DATA_SELFTEST, &data, 4, &hwpt));
	data.tail = 1;
	EXPECT_ERRNO(E2BIG, hwpt_alloc_data(self->fd, self->idev[0], self->ioas,
					    IMS_HWPT_DATA_SELFTEST, &data, sizeof(data), &hwpt));
	EXPECT_ERRNO(EFAULT, hwpt_alloc_data(self->fd, self->idev[0], self->ioas,
					     IMS_HWPT_DATA_SELFTEST, NULL, sizeof(data.cfg), &hwpt));
	data.tail = 0;
	data.cfg.pagetable_type = IMS_MOCK_IOMMUPT_HUGE;
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc_data(self->fd, self->idev[0], self->ioas,
						 IMS_HWPT_DATA_SELFTEST, &data, sizeof(data), &hwpt));
	/* Unknown flags are refused before the data is read. */
	struct iommu_hwpt_alloc bad = {
		.size = sizeof(bad), .flags = 1u << 30, .dev_id = self->idev[0],
		.pt_id = self->ioas, .data_type = IMS_HWPT_DATA_SELFTEST, .data_len = 4,
	};

	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_HWPT_ALLOC, &bad));
}

static int pasid_op(int fd, uint32_t op, uint32_t stdev, uint32_t pasid, uint32_t *pt)
{
	struct ims_iommu_test_cmd cmd = {
		.op = op, .id = stdev, .pasid_attach = { .pasid = pasid, .pt_id = pt ? *pt : 0 },
	};
	int ret = b_test(fd, &cmd);

	if (!ret && pt)
		*pt = cmd.pasid_attach.pt_id;
	return ret;
}

/* PASID_ATTACH/REPLACE/DETACH/CHECK_HWPT on a PASID-capable mock device. */
TEST_F(mock, pasids)
{
	uint32_t stdev, idev, rid_hwpt, pasid_hwpt, other, pt;

	if (variant->domains != 1)
		return;
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, self->idev[0], self->ioas, IOMMU_HWPT_ALLOC_PASID,
				  &pasid_hwpt));
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, self->idev[0], self->ioas, IOMMU_HWPT_ALLOC_PASID,
				  &other));
	ASSERT_EQ(0, b_mock_domain(self->fd, pasid_hwpt, IMS_MOCK_DEV_PASID, &stdev, &rid_hwpt,
				   &idev));
	/* Not attached yet: CHECK with 0 holds, detaching is no error. */
	EXPECT_EQ(0, pasid_op(self->fd, IMS_TEST_OP_PASID_CHECK_HWPT, stdev, 100, &(uint32_t){ 0 }));
	EXPECT_EQ(0, pasid_op(self->fd, IMS_TEST_OP_PASID_DETACH, stdev, 100, NULL));
	/* A PASID takes only PASID-capable HWPTs, never an IOAS. */
	pt = self->hwpt[0];
	EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IMS_TEST_OP_PASID_ATTACH, stdev, 100, &pt));
	pt = self->ioas;
	EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IMS_TEST_OP_PASID_ATTACH, stdev, 100, &pt));
	pt = pasid_hwpt;
	ASSERT_EQ(0, pasid_op(self->fd, IMS_TEST_OP_PASID_ATTACH, stdev, 100, &pt));
	EXPECT_EQ(pasid_hwpt, pt);
	EXPECT_EQ(0, pasid_op(self->fd, IMS_TEST_OP_PASID_CHECK_HWPT, stdev, 100, &pt));
	EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IMS_TEST_OP_PASID_CHECK_HWPT, stdev, 100, &other));
	EXPECT_ERRNO(EBUSY, pasid_op(self->fd, IMS_TEST_OP_PASID_ATTACH, stdev, 100, &pt));
	/* Replace: only an attached PASID, only onto a HWPT. */
	pt = other;
	EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IMS_TEST_OP_PASID_REPLACE, stdev, 200, &pt));
	ASSERT_EQ(0, pasid_op(self->fd, IMS_TEST_OP_PASID_REPLACE, stdev, 100, &pt));
	EXPECT_EQ(0, pasid_op(self->fd, IMS_TEST_OP_PASID_CHECK_HWPT, stdev, 100, &other));
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, other));
	/* A device without PASIDs refuses them. */
	pt = pasid_hwpt;
	EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IMS_TEST_OP_PASID_ATTACH, self->stdev[0], 100,
				      &pt));
	EXPECT_ERRNO(ENOENT, pasid_op(self->fd, IMS_TEST_OP_PASID_ATTACH, 999, 100, &pt));
	/* Destroying the device detaches what is left. */
	EXPECT_EQ(0, b_destroy(self->fd, stdev));
	EXPECT_EQ(0, b_destroy(self->fd, other));
	EXPECT_EQ(0, b_destroy(self->fd, pasid_hwpt));
}

int main(int argc, char **argv)
{
	return ims_harness_main(argc, argv);
}
