// SPDX-License-Identifier: MIT
/*
 * /dev/iommu without devices (kernel-semantics 5.6, 7 items 23-24): the
 * object table (IDs, DESTROY, close), the ioctl size rules on every command
 * (EINVAL short, E2BIG for a non-zero tail, the same answer with a zero
 * tail), flags and reserved fields (EOPNOTSUPP), options, and the IOAS
 * rules that need no domain: automatic IOVA allocation (never 0, ENOSPC),
 * FIXED_IOVA (EEXIST), the full-containment unmap (ENOENT), copies between
 * IOASes, allowed ranges, IOVA_RANGES and its EMSGSIZE protocol.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <linux/vfio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/harness.h"
#include "iommufd/mm.h"
#include "iommufd_bed.h"

#define BUF_SIZE (16 * SZ_64K)

FIXTURE(iommufd)
{
	int fd;
	uint32_t ioas;
	uint8_t *buf;
};

FIXTURE_SETUP(iommufd)
{
	b_up("upstream", false);
	self->fd = b_iommufd();
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &self->ioas));
	self->buf = b_buffer(BUF_SIZE);
}

FIXTURE_TEARDOWN(iommufd)
{
	b_down();
}

static const uint32_t rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

TEST_F(iommufd, simple_close)
{
	int fd = b_iommufd();

	EXPECT_EQ(0, b_close(fd));
	EXPECT_ERRNO(EBADF, b_close(fd));
}

TEST_F(iommufd, cmd_fail)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = 0 };

	EXPECT_ERRNO(ENOENT, b_ioctl(self->fd, IOMMU_DESTROY, &d));
	d.id = 1000;
	EXPECT_ERRNO(ENOENT, b_ioctl(self->fd, IOMMU_DESTROY, &d));
	EXPECT_ERRNO(EFAULT, b_ioctl(self->fd, IOMMU_IOAS_ALLOC, NULL));
	/* Unknown numbers, wrong encodings, commands this model lacks. */
	EXPECT_ERRNO(ENOTTY, b_ioctl(self->fd, _IO(IOMMUFD_TYPE, 0x7f), &d));
	EXPECT_ERRNO(ENOTTY, b_ioctl(self->fd, _IOW(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY, int), &d));
	EXPECT_ERRNO(ENOTTY, b_ioctl(self->fd, _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC), &d));
	EXPECT_ERRNO(ENOTTY, b_ioctl(self->fd, _IO(IOMMUFD_TYPE, 0xff), &d));
	/* No test interface on this host. */
	EXPECT_ERRNO(ENOTTY, b_ioctl(self->fd, IMS_IOMMU_TEST_CMD, &d));
}

/*
 * For one command: shorter than its mandatory part is EINVAL; longer with a
 * non-zero tail is E2BIG; longer with a zero tail answers as the exact size.
 */
static void check_length(int fd, unsigned long cmd, size_t size, size_t min, uint32_t ioas)
{
	union {
		uint32_t size;
		uint8_t bytes[256];
		struct { uint32_t size, id; } ids;
	} buf;
	long exact, longer;
	int exact_errno;

	memset(&buf, 0, sizeof(buf));
	buf.size = (uint32_t)min - 1;
	EXPECT_ERRNO(EINVAL, b_ioctl(fd, cmd, &buf));
	memset(&buf, 0, sizeof(buf));
	buf.size = (uint32_t)size + 8;
	buf.bytes[size + 4] = 0xaa;
	EXPECT_ERRNO(E2BIG, b_ioctl(fd, cmd, &buf));
	/* Same call, exact size and zero tail (an IOAS id where one is named). */
	memset(&buf, 0, sizeof(buf));
	buf.size = (uint32_t)size;
	buf.ids.id = ioas;
	errno = 0;
	exact = b_ioctl(fd, cmd, &buf);
	exact_errno = errno;
	memset(&buf, 0, sizeof(buf));
	buf.size = (uint32_t)size + 8;
	buf.ids.id = ioas;
	errno = 0;
	longer = b_ioctl(fd, cmd, &buf);
	EXPECT_EQ(exact, longer);
	EXPECT_EQ(exact_errno, errno);
}

#define CHECK_LENGTH(fd, cmd, type, last, ioas) \
	check_length(fd, cmd, sizeof(struct type), \
		     offsetof(struct type, last) + sizeof(((struct type *)0)->last), ioas)

TEST_F(iommufd, cmd_length)
{
	CHECK_LENGTH(self->fd, IOMMU_DESTROY, iommu_destroy, id, 0);
	CHECK_LENGTH(self->fd, IOMMU_IOAS_ALLOC, iommu_ioas_alloc, out_ioas_id, 0);
	CHECK_LENGTH(self->fd, IOMMU_IOAS_ALLOW_IOVAS, iommu_ioas_allow_iovas, allowed_iovas, 0);
	CHECK_LENGTH(self->fd, IOMMU_IOAS_COPY, iommu_ioas_copy, src_iova, 0);
	CHECK_LENGTH(self->fd, IOMMU_IOAS_IOVA_RANGES, iommu_ioas_iova_ranges,
		     out_iova_alignment, 0);
	CHECK_LENGTH(self->fd, IOMMU_IOAS_MAP, iommu_ioas_map, iova, 0);
	CHECK_LENGTH(self->fd, IOMMU_IOAS_MAP_FILE, iommu_ioas_map_file, iova, 0);
	CHECK_LENGTH(self->fd, IOMMU_IOAS_UNMAP, iommu_ioas_unmap, length, 0);
	CHECK_LENGTH(self->fd, IOMMU_OPTION, iommu_option, val64, 0);
	CHECK_LENGTH(self->fd, IOMMU_VFIO_IOAS, iommu_vfio_ioas, __reserved, 0);
	CHECK_LENGTH(self->fd, IOMMU_HWPT_ALLOC, iommu_hwpt_alloc, __reserved, 0);
	CHECK_LENGTH(self->fd, IOMMU_GET_HW_INFO, iommu_hw_info, __reserved, 0);
	CHECK_LENGTH(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, iommu_hwpt_set_dirty_tracking,
		     __reserved, 0);
	CHECK_LENGTH(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, iommu_hwpt_get_dirty_bitmap, data, 0);
	CHECK_LENGTH(self->fd, IOMMU_HWPT_INVALIDATE, iommu_hwpt_invalidate, __reserved, 0);
	CHECK_LENGTH(self->fd, IOMMU_VIOMMU_ALLOC, iommu_viommu_alloc, out_viommu_id, 0);
	CHECK_LENGTH(self->fd, IOMMU_VDEVICE_ALLOC, iommu_vdevice_alloc, virt_id, 0);
	CHECK_LENGTH(self->fd, IOMMU_IOAS_CHANGE_PROCESS, iommu_ioas_change_process,
		     __reserved, 0);
}

/* The vIOMMU family, on a platform whose drivers have no vIOMMU or nesting. */
TEST_F(iommufd, no_viommu)
{
	struct iommu_viommu_alloc va = { .size = sizeof(va), .type = 1, .dev_id = 1000 };
	struct iommu_vdevice_alloc vd = { .size = sizeof(vd), .viommu_id = self->ioas };
	struct iommu_hwpt_invalidate inv = { .size = sizeof(inv), .hwpt_id = self->ioas,
					     .entry_num = 3 };
	uint32_t entry[4] = { 0 };
	uint32_t devid;
	struct ims_iommufd_device *idev = b_bind(self->fd, "20000000.dma", &devid);

	ASSERT_TRUE(idev != NULL);
	va.type = 0;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &va));
	va.type = 1;
	va.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &va));
	va.flags = 0;
	EXPECT_ERRNO(ENOENT, b_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &va));
	va.dev_id = devid;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &va));
	EXPECT_ERRNO(ENOENT, b_ioctl(self->fd, IOMMU_VDEVICE_ALLOC, &vd)); /* an IOAS is no vIOMMU */
	/* Invalidations: entries need a buffer; only nested HWPTs and vIOMMUs take them. */
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &inv));
	EXPECT_EQ(0, inv.entry_num);
	inv.entry_num = 1;
	inv.data_uptr = (uintptr_t)entry;
	inv.entry_len = sizeof(entry);
	inv.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &inv));
	EXPECT_EQ(0, inv.entry_num);
	inv.__reserved = 0;
	inv.hwpt_id = 1000;
	EXPECT_ERRNO(ENOENT, b_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &inv));
	inv.hwpt_id = self->ioas;
	inv.entry_num = 1;
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &inv));
	b_unbind(idev);
}

/* CHANGE_PROCESS: only file mappings can change hands; this process keeps them. */
TEST_F(iommufd, change_process)
{
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	int memfd = memfd_create("iommufd-cp", 0);
	struct iommu_ioas_map_file mf = {
		.size = sizeof(mf), .flags = rw, .ioas_id = self->ioas, .fd = memfd,
		.length = SZ_64K,
	};
	uint32_t other;
	uint64_t iova = 0;

	ASSERT_NE(-1, memfd);
	ASSERT_EQ(0, ftruncate(memfd, SZ_64K));
	EXPECT_EQ(0, b_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &mf));
	EXPECT_EQ(0, b_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	cp.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	cp.__reserved = 0;
	/* User memory in any IOAS of the context refuses the move. */
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &other));
	ASSERT_EQ(0, b_map(self->fd, other, self->buf, SZ_64K, &iova, rw));
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	EXPECT_EQ(0, b_destroy(self->fd, other));
	EXPECT_EQ(0, b_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	close(memfd);
}

TEST_F(iommufd, ids_and_destroy)
{
	uint32_t a, b, c;

	/* IDs from 1, lowest free first. */
	EXPECT_EQ(1, self->ioas);
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &a));
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &b));
	EXPECT_EQ(2, a);
	EXPECT_EQ(3, b);
	EXPECT_EQ(0, b_destroy(self->fd, a));
	EXPECT_ERRNO(ENOENT, b_destroy(self->fd, a));
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &c));
	EXPECT_EQ(a, c);
	/* IDs are per fd. */
	int fd2 = b_iommufd();

	EXPECT_ERRNO(ENOENT, b_destroy(fd2, b));
	ASSERT_EQ(0, b_ioas_alloc(fd2, &c));
	EXPECT_EQ(1, c);
	EXPECT_EQ(0, b_close(fd2));
}

TEST_F(iommufd, ioas_alloc_flags)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
	/* The output is written only up to the caller's size. */
	uint32_t words[4] = { offsetof(struct iommu_ioas_alloc, out_ioas_id) + 4, 0, 0xdead, 0xbeef };

	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_IOAS_ALLOC, words));
	EXPECT_EQ(2, words[2]);
	EXPECT_EQ(0xbeef, words[3]);
}

TEST_F(iommufd, global_options)
{
	struct iommu_option cmd = { .size = sizeof(cmd), .option_id = IOMMU_OPTION_RLIMIT_MODE,
				    .op = IOMMU_OPTION_OP_GET };
	int fresh = b_iommufd();
	uint64_t v = 0;

	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_OPTION, &cmd));
	EXPECT_EQ(0, cmd.val64);
	cmd.object_id = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.object_id = 0;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.__reserved = 0;
	cmd.op = 2;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.option_id = 7;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_OPTION, &cmd));
	/* Setting needs CAP_SYS_RESOURCE, and a context without objects. */
	v = 1;
	if (ims_process_capable(CAP_SYS_RESOURCE)) {
		EXPECT_ERRNO(EBUSY, b_option(self->fd, IOMMU_OPTION_RLIMIT_MODE,
					     IOMMU_OPTION_OP_SET, 0, &v));
		EXPECT_EQ(0, b_option(fresh, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &v));
		v = 2;
		EXPECT_ERRNO(EINVAL, b_option(fresh, IOMMU_OPTION_RLIMIT_MODE,
					      IOMMU_OPTION_OP_SET, 0, &v));
		v = 0;
		EXPECT_EQ(0, b_option(fresh, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, &v));
		EXPECT_EQ(1, v);
	} else {
		EXPECT_ERRNO(EPERM, b_option(fresh, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET,
					     0, &v));
	}
	/* HUGE_PAGES is per IOAS: none named is ENOENT. */
	v = 0;
	EXPECT_ERRNO(ENOENT, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, 0,
				      &v));
	EXPECT_EQ(0, b_close(fresh));
}

TEST_F(iommufd, huge_pages_option)
{
	uint64_t v = 0;

	ASSERT_EQ(0, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, self->ioas,
			      &v));
	EXPECT_EQ(1, v);
	v = 2;
	EXPECT_ERRNO(EINVAL, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET,
				      self->ioas, &v));
	v = 0;
	EXPECT_EQ(0, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, self->ioas,
			      &v));
	v = 1;
	EXPECT_EQ(0, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, self->ioas,
			      &v));
	EXPECT_EQ(0, v);
	/* Large pages off means CPU-page alignment. */
	struct iommu_iova_range r;
	uint32_t num = 1;
	uint64_t align;

	EXPECT_EQ(0, b_iova_ranges(self->fd, self->ioas, &r, &num, &align));
	EXPECT_EQ(getpagesize(), align);
	EXPECT_ERRNO(EINVAL, b_map_fixed(self->fd, self->ioas, self->buf, SZ_2K, 0x100000));
	v = 1;
	EXPECT_EQ(0, b_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, self->ioas,
			      &v));
	EXPECT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_2K, 0x100000));
}

TEST_F(iommufd, map_flags_and_overflow)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .flags = rw | IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = self->ioas, .user_va = (uintptr_t)self->buf, .length = SZ_64K,
		.iova = SZ_1M,
	};

	cmd.flags |= 1 << 7;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.flags &= ~(1u << 7);
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.__reserved = 0;
	cmd.iova = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, b_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.iova = SZ_1M;
	cmd.length = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, b_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.length = SZ_64K;
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.flags = rw | IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.length = 0;
	EXPECT_ERRNO(EINVAL, b_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.length = SZ_64K;
	cmd.iova = UINT64_MAX - SZ_4K + 1;
	EXPECT_ERRNO(EOVERFLOW, b_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.iova = SZ_1M;
	cmd.ioas_id = 77;
	EXPECT_ERRNO(ENOENT, b_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
}

/* 7.23: EEXIST for FIXED_IOVA overlap; allocation never returns 0. */
TEST_F(iommufd, map_fixed_and_auto)
{
	uint64_t iova = 0;

	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M));
	EXPECT_ERRNO(EEXIST, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M));
	EXPECT_ERRNO(EEXIST, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K,
					 SZ_1M + SZ_64K - SZ_4K));
	EXPECT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M + SZ_64K));
	/* An IOVA 0 mapping is fine when asked for ... */
	EXPECT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_4K, 0));
	/* ... but allocation never hands it out, and keeps the address's alignment. */
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf + i * SZ_4K, SZ_4K, &iova, rw));
		EXPECT_NE(0, iova);
		EXPECT_EQ(0, iova % SZ_4K);
	}
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf + 0x123, 0x100, &iova, rw));
	EXPECT_EQ(0x123, iova % SZ_4K);
	/* The alignment: the length's, capped by the address's (64K here). */
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf, 4 * SZ_64K, &iova, rw));
	EXPECT_EQ(0, iova % SZ_64K);
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf + SZ_4K, 4 * SZ_64K, &iova, rw));
	EXPECT_EQ(0, iova % SZ_4K);
}

/* 7.24: no splitting; ENOENT when nothing was unmapped; unmap-all always works. */
TEST_F(iommufd, unmap_full_containment)
{
	uint64_t unmapped;

	EXPECT_EQ(0, b_unmap(self->fd, self->ioas, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(0, unmapped);
	EXPECT_ERRNO(ENOENT, b_unmap(self->fd, self->ioas, SZ_1M, SZ_64K, NULL));
	EXPECT_ERRNO(EINVAL, b_unmap(self->fd, self->ioas, SZ_1M, 0, NULL));
	EXPECT_ERRNO(EOVERFLOW, b_unmap(self->fd, self->ioas, UINT64_MAX, 1, NULL));
	EXPECT_ERRNO(EOVERFLOW, b_unmap(self->fd, self->ioas, SZ_1M, UINT64_MAX, NULL));
	EXPECT_ERRNO(EOVERFLOW, b_unmap(self->fd, self->ioas, UINT64_MAX - SZ_4K, 2 * SZ_4K,
					NULL));
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, 2 * SZ_64K, SZ_1M));
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, 2 * SZ_1M));
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, 3 * SZ_1M));
	/* Part of an area: refused, nothing changes. */
	EXPECT_ERRNO(ENOENT, b_unmap(self->fd, self->ioas, SZ_1M, SZ_64K, NULL));
	EXPECT_ERRNO(ENOENT, b_unmap(self->fd, self->ioas, SZ_1M + SZ_4K, 2 * SZ_64K, NULL));
	EXPECT_ERRNO(EEXIST, b_map_fixed(self->fd, self->ioas, self->buf, SZ_4K, SZ_1M));
	/* A superset takes the whole area and reports its length. */
	EXPECT_EQ(0, b_unmap(self->fd, self->ioas, SZ_1M - SZ_4K, 3 * SZ_64K, &unmapped));
	EXPECT_EQ(2 * SZ_64K, unmapped);
	/* A range over two areas takes both. */
	EXPECT_EQ(0, b_unmap(self->fd, self->ioas, 2 * SZ_1M, 2 * SZ_1M, &unmapped));
	EXPECT_EQ(2 * SZ_64K, unmapped);
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M));
	EXPECT_EQ(0, b_unmap(self->fd, self->ioas, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(SZ_64K, unmapped);
}

/*
 * The kernel walks the areas in order: a leading area wholly inside is
 * unmapped before a later one only partly inside stops the call (ENOENT).
 */
TEST_F(iommufd, unmap_partial_after_whole)
{
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M));
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, 2 * SZ_64K, SZ_1M + SZ_64K));
	EXPECT_ERRNO(ENOENT, b_unmap(self->fd, self->ioas, SZ_1M, 2 * SZ_64K, NULL));
	EXPECT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M));
	EXPECT_ERRNO(EEXIST, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K,
					 SZ_1M + SZ_64K));
}

TEST_F(iommufd, iova_ranges)
{
	struct iommu_iova_range r[4];
	uint32_t num = 0;
	uint64_t align = 0;

	/* Too small an array: EMSGSIZE with the count. */
	EXPECT_ERRNO(EMSGSIZE, b_iova_ranges(self->fd, self->ioas, r, &num, &align));
	EXPECT_EQ(1, num);
	num = 4;
	ASSERT_EQ(0, b_iova_ranges(self->fd, self->ioas, r, &num, &align));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(UINT64_MAX, r[0].last);
	EXPECT_EQ(1, align);
	struct iommu_ioas_iova_ranges cmd = { .size = sizeof(cmd), .ioas_id = self->ioas,
					      .__reserved = 1 };

	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	cmd.__reserved = 0;
	cmd.num_iovas = 1;
	cmd.allowed_iovas = 8; /* unwritable */
	EXPECT_ERRNO(EFAULT, b_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
}

TEST_F(iommufd, allow_iovas)
{
	struct iommu_iova_range ranges[2] = {
		{ .start = SZ_1M, .last = 2 * SZ_1M - 1 },
		{ .start = 8 * SZ_1M, .last = 9 * SZ_1M - 1 },
	};
	uint64_t iova;

	ASSERT_EQ(0, b_allow(self->fd, self->ioas, ranges, 2));
	/* Allocation stays inside the allowed ranges. */
	for (int i = 0; i < 24; i++) {
		ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf, SZ_64K, &iova, rw));
		EXPECT_TRUE((iova >= SZ_1M && iova < 2 * SZ_1M) ||
			    (iova >= 8 * SZ_1M && iova < 9 * SZ_1M));
	}
	/* Bad ranges: start not below last, overlaps. */
	struct iommu_iova_range bad[2] = { { .start = SZ_1M, .last = SZ_1M } };

	EXPECT_ERRNO(EINVAL, b_allow(self->fd, self->ioas, bad, 1));
	bad[0].last = 4 * SZ_1M;
	bad[1] = (struct iommu_iova_range){ .start = 3 * SZ_1M, .last = 5 * SZ_1M };
	EXPECT_ERRNO(EINVAL, b_allow(self->fd, self->ioas, bad, 2));
	EXPECT_ERRNO(EFAULT, b_allow(self->fd, self->ioas, (void *)8, 1));
	/* An empty list allows everything again. */
	EXPECT_EQ(0, b_allow(self->fd, self->ioas, NULL, 0));
}

/* 7.23: ENOSPC when no hole fits. */
TEST_F(iommufd, enospc)
{
	const uint64_t ps = (uint64_t)getpagesize();
	struct iommu_iova_range r = { .start = 4 * ps, .last = 8 * ps - 1 };
	uint64_t iova;

	ASSERT_EQ(0, b_allow(self->fd, self->ioas, &r, 1));
	EXPECT_ERRNO(ENOSPC, b_map(self->fd, self->ioas, self->buf, 8 * ps, &iova, rw));
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf, 2 * ps, &iova, rw));
	EXPECT_EQ(4 * ps, iova);
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf, ps, &iova, rw));
	EXPECT_EQ(6 * ps, iova);
	/* One page left, but the last byte of a range never starts a mapping. */
	EXPECT_ERRNO(ENOSPC, b_map(self->fd, self->ioas, self->buf, 2 * ps, &iova, rw));
	EXPECT_EQ(0, b_map(self->fd, self->ioas, self->buf, ps, &iova, rw));
	EXPECT_ERRNO(ENOSPC, b_map(self->fd, self->ioas, self->buf, ps, &iova, rw));
}

TEST_F(iommufd, copy_between_ioas)
{
	uint32_t dst;
	uint64_t iova = 0, unmapped;

	ASSERT_EQ(0, b_ioas_alloc(self->fd, &dst));
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M));
	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf + SZ_64K, SZ_64K, SZ_1M + SZ_64K));
	/* Across two adjacent areas, into another IOAS at an allocated IOVA. */
	ASSERT_EQ(0, b_copy(self->fd, dst, self->ioas, SZ_1M + SZ_4K, SZ_64K, &iova, rw));
	EXPECT_NE(0, iova);
	/* A gap or an unmapped source: ENOENT. */
	EXPECT_ERRNO(ENOENT, b_copy(self->fd, dst, self->ioas, SZ_1M, 3 * SZ_64K, &iova, rw));
	EXPECT_ERRNO(ENOENT, b_copy(self->fd, dst, self->ioas, 5 * SZ_1M, SZ_4K, &iova, rw));
	EXPECT_ERRNO(EINVAL, b_copy(self->fd, dst, self->ioas, SZ_1M, 0, &iova, rw));
	EXPECT_ERRNO(EOPNOTSUPP, b_copy(self->fd, dst, self->ioas, SZ_1M, SZ_4K, &iova, 1 << 9));
	EXPECT_ERRNO(EINVAL, b_copy(self->fd, dst, self->ioas, SZ_1M, SZ_4K, &iova, 0));
	EXPECT_ERRNO(ENOENT, b_copy(self->fd, 99, self->ioas, SZ_1M, SZ_4K, &iova, rw));
	/* FIXED: the destination's rules (EEXIST). */
	iova = 4 * SZ_1M;
	ASSERT_EQ(0, b_copy(self->fd, dst, self->ioas, SZ_1M, 2 * SZ_64K, &iova,
			    rw | IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_EQ(4 * SZ_1M, iova);
	EXPECT_ERRNO(EEXIST, b_copy(self->fd, dst, self->ioas, SZ_1M, SZ_4K, &iova,
				    rw | IOMMU_IOAS_MAP_FIXED_IOVA));
	/* Copies are areas of their own: unmap the source, the copy stays. */
	EXPECT_EQ(0, b_unmap(self->fd, self->ioas, 0, UINT64_MAX, NULL));
	EXPECT_EQ(0, b_unmap(self->fd, dst, 4 * SZ_1M, 2 * SZ_64K, &unmapped));
	EXPECT_EQ(2 * SZ_64K, unmapped);
	/* Destroying an IOAS with mappings is fine: nothing uses it. */
	EXPECT_EQ(0, b_destroy(self->fd, dst));
}

TEST_F(iommufd, map_file)
{
	int memfd = memfd_create("iommufd-test", 0);
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .flags = rw, .ioas_id = self->ioas, .fd = memfd,
		.start = SZ_4K, .length = SZ_64K,
	};

	ASSERT_NE(-1, memfd);
	ASSERT_EQ(0, ftruncate(memfd, SZ_1M));
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &cmd));
	EXPECT_NE(0, cmd.iova);
	EXPECT_EQ(0, cmd.iova % SZ_4K);
	cmd.fd = -1;
	EXPECT_ERRNO(EBADF, b_ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &cmd));
	cmd.fd = memfd;
	cmd.flags = 1 << 8;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &cmd));
	/* Read-only fd, writable mapping. */
	char path[64];
	int ro;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	ro = open(path, O_RDONLY);
	ASSERT_NE(-1, ro);
	cmd.fd = ro;
	cmd.flags = rw;
	EXPECT_ERRNO(EPERM, b_ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &cmd));
	cmd.flags = IOMMU_IOAS_MAP_READABLE;
	EXPECT_EQ(0, b_ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &cmd));
	close(ro);
	close(memfd); /* the mappings keep the file */
	EXPECT_EQ(0, b_unmap(self->fd, self->ioas, 0, UINT64_MAX, NULL));
}

TEST_F(iommufd, vfio_ioas)
{
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd), .op = IOMMU_VFIO_IOAS_GET };

	EXPECT_ERRNO(ENODEV, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = 55;
	EXPECT_ERRNO(ENOENT, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.ioas_id = self->ioas;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.ioas_id = 0;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	EXPECT_EQ(self->ioas, cmd.ioas_id);
	cmd.op = IOMMU_VFIO_IOAS_CLEAR;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	EXPECT_ERRNO(ENODEV, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = 3;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	/* Destroying the compatibility IOAS forgets it. */
	cmd.__reserved = 0;
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = self->ioas;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	EXPECT_EQ(0, b_destroy(self->fd, self->ioas));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	EXPECT_ERRNO(ENODEV, b_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
}

/* Close tears everything down; the fd's objects are gone, nothing leaks (ASan). */
TEST_F(iommufd, close_teardown)
{
	uint32_t ids[8];
	uint64_t iova;

	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M));
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(0, b_ioas_alloc(self->fd, &ids[i]));
		ASSERT_EQ(0, b_map(self->fd, ids[i], self->buf, SZ_64K, &iova, rw));
		ASSERT_EQ(0, b_copy(self->fd, ids[i], self->ioas, SZ_1M, SZ_64K, &iova, rw));
	}
	EXPECT_EQ(0, b_close(self->fd));
	EXPECT_ERRNO(EBADF, b_ioctl(self->fd, IOMMU_IOAS_ALLOC, NULL));
}

struct worker {
	int fd;
	uint32_t ioas;
	uint8_t *buf;
	uint64_t base;
	int errors;
};

static void *map_unmap_loop(void *arg)
{
	struct worker *w = arg;
	uint64_t iova, unmapped;

	for (int i = 0; i < 200; i++) {
		iova = w->base + (uint64_t)(i % 8) * SZ_64K;
		if (b_map_fixed(w->fd, w->ioas, w->buf, SZ_64K, iova) ||
		    b_unmap(w->fd, w->ioas, iova, SZ_64K, &unmapped) || unmapped != SZ_64K)
			w->errors++;
		if (b_map(w->fd, w->ioas, w->buf, SZ_4K, &iova, rw) ||
		    b_unmap(w->fd, w->ioas, iova, SZ_4K, NULL))
			w->errors++;
	}
	return NULL;
}

/* Threads mapping and unmapping on one IOAS: each sees its own results. */
TEST_F(iommufd, threads)
{
	struct worker w[4];
	pthread_t t[4];

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .fd = self->fd, .ioas = self->ioas, .buf = self->buf,
					.base = (uint64_t)(i + 1) * 64 * SZ_1M };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, map_unmap_loop, &w[i]));
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].errors);
	}
	EXPECT_ERRNO(ENOENT, b_unmap(self->fd, self->ioas, 0, UINT64_MAX - 1, NULL));
}

int main(int argc, char **argv)
{
	return ims_harness_main(argc, argv);
}
