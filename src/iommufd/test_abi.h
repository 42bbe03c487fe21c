/* SPDX-License-Identifier: MIT */
/*
 * The ABI of the kernel's iommufd test interface, IOMMU_TEST_CMD, as the
 * kernel's own selftests use it (../shared/spec/iommufd-selftest.md 2.4):
 * one ioctl on an iommufd whose argument names a sub-operation and carries
 * that operation's fields in a union.  The layout and the numbers are the
 * kernel's (Linux 7.3); the names here are iommusim's, with an IMS_ prefix,
 * so that nothing is confused with the kernel's private header.
 *
 * The usual iommufd size rules apply: the mandatory part ends with @last;
 * a longer argument must be zero past what we know (E2BIG); outputs are
 * written back up to the caller's @size.
 */
#ifndef IMS_IOMMUFD_TEST_ABI_H
#define IMS_IOMMUFD_TEST_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <stddef.h>

#include "iommusim/uapi/iommufd.h"

/* Sub-operations, in the kernel's order (the values are ABI). */
enum {
	IMS_TEST_OP_ADD_RESERVED = 1,    /* reserve [start, start + length) in an IOAS */
	IMS_TEST_OP_MOCK_DOMAIN,         /* new mock device, bound and attached */
	IMS_TEST_OP_MD_CHECK_MAP,        /* a mock domain translates to this memory */
	IMS_TEST_OP_MD_CHECK_REFS,       /* long-term pins of each CPU page */
	IMS_TEST_OP_CREATE_ACCESS,       /* emulated in-kernel DMA user, as an fd */
	IMS_TEST_OP_DESTROY_ACCESS_PAGES,
	IMS_TEST_OP_ACCESS_PAGES,
	IMS_TEST_OP_ACCESS_RW,
	IMS_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	IMS_TEST_OP_MOCK_DOMAIN_REPLACE,
	IMS_TEST_OP_ACCESS_REPLACE_IOAS,
	IMS_TEST_OP_MOCK_DOMAIN_FLAGS,
	IMS_TEST_OP_DIRTY,
	IMS_TEST_OP_MD_CHECK_IOTLB,
	IMS_TEST_OP_TRIGGER_IOPF,
	IMS_TEST_OP_DEV_CHECK_CACHE,
	IMS_TEST_OP_TRIGGER_VEVENT,
	IMS_TEST_OP_PASID_ATTACH,
	IMS_TEST_OP_PASID_REPLACE,
	IMS_TEST_OP_PASID_DETACH,
	IMS_TEST_OP_PASID_CHECK_HWPT,
	IMS_TEST_OP_DMABUF_GET,
	IMS_TEST_OP_DMABUF_REVOKE,
};

/* The mock IOMMU's aperture, [16 MiB, 2 GiB - 1]. */
#define IMS_MOCK_APERTURE_START (1ull << 24)
#define IMS_MOCK_APERTURE_LAST ((1ull << 31) - 1)
/* The mock IOMMU's smallest page: half a CPU page. */
#define IMS_MOCK_PAGE_SIZE 2048u
/* PASID width of devices created with IMS_MOCK_DEV_PASID. */
#define IMS_MOCK_PASID_WIDTH 20

/* ACCESS_PAGES flags. */
#define IMS_MOCK_ACCESS_WRITE (1u << 0)
#define IMS_MOCK_ACCESS_SYZ (1u << 16)   /* syzkaller's IOVA encoding */
/* ACCESS_RW flags. */
#define IMS_MOCK_RW_WRITE (1u << 0)
#define IMS_MOCK_RW_SLOW_PATH (1u << 2)
/* CREATE_ACCESS flags. */
#define IMS_MOCK_ACCESS_NEEDS_PIN_PAGES (1u << 0)
/* MOCK_DOMAIN_FLAGS device flags. */
#define IMS_MOCK_DEV_NO_DIRTY (1u << 0)
#define IMS_MOCK_DEV_HUGE_IOVA (1u << 1) /* older kernels; refused today */
#define IMS_MOCK_DEV_PASID (1u << 2)

/* Each mock device's four "cache" words and their reset value. */
#define IMS_MOCK_DEV_CACHE_NUM 4
#define IMS_MOCK_DEV_CACHE_DEFAULT 0xbaddadu

/* GET_HW_INFO of a mock device. */
#define IMS_HW_INFO_TYPE_SELFTEST 0xfeedbeefu
#define IMS_HW_INFO_SELFTEST_REGVAL 0xdeadbeefu

struct ims_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/* HWPT_ALLOC driver data type of the mock (nested HWPTs, page-table kind). */
#define IMS_HWPT_DATA_SELFTEST 0xdeadu

/* The mock's HWPT_ALLOC data for a paging HWPT: which page table. */
struct ims_hwpt_selftest {
	__u32 iotlb;
	__u32 pagetable_type;
};
#define IMS_MOCK_IOMMUPT_DEFAULT 0u
#define IMS_MOCK_IOMMUPT_HUGE 1u   /* 1 MiB and CPU pages, no aperture: not modelled */

struct ims_iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		struct {
			__u32 pasid;
			__u32 pt_id;   /* also PASID_REPLACE's; PASID_CHECK_HWPT's hwpt_id */
		} pasid_attach;
	};
	__u32 last;
};

#define IMS_IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

_Static_assert(sizeof(struct ims_iommu_test_cmd) == 72, "test cmd is 72 bytes");
_Static_assert(offsetof(struct ims_iommu_test_cmd, add_reserved) == 16, "union at 16");
_Static_assert(offsetof(struct ims_iommu_test_cmd, last) == 64, "last at 64");
_Static_assert(offsetof(struct ims_iommu_test_cmd, access_pages.iova) == 24,
	       "access_pages.iova at 24");
_Static_assert(offsetof(struct ims_iommu_test_cmd, check_refs.refs) == 32,
	       "check_refs.refs at 32");
_Static_assert(offsetof(struct ims_iommu_test_cmd, dirty.out_nr_dirty) == 56,
	       "dirty.out_nr_dirty at 56");
_Static_assert(sizeof(struct ims_hwpt_selftest) == 8, "hwpt_selftest is 8 bytes");

#endif
