/* SPDX-License-Identifier: MIT */
/*
 * The iommufd user ABI (/dev/iommu), Linux 6.12 and later, written for
 * iommusim from the layout the kernel documents: the build machine's
 * headers (Linux 6.1) predate <linux/iommufd.h>.  Names, numbers and
 * layouts are the kernel's, so programs written against the real header
 * compile against this one; every struct is checked below for its size and
 * for the offsets of the fields whose placement matters.
 *
 * Policy (docs/iommufd.md): this header is the only place the project
 * spells the ABI.  If the system's <linux/iommufd.h> was included first,
 * its definitions are used and the checks below run against them.
 *
 * General rules of every command (see docs/errno.md):
 *   - the argument starts with a u32 @size: the bytes the caller passes;
 *   - @size below the end of the last mandatory field: EINVAL;
 *   - bytes the kernel does not know must be zero: E2BIG otherwise;
 *   - an unknown flag, option, type or a non-zero __reserved: EOPNOTSUPP;
 *   - an unknown ID or IOVA: ENOENT; arithmetic overflow: EOVERFLOW;
 *   - outputs (out_*) are written back only up to the caller's @size.
 * Ranges are [start, last] with @last inclusive.
 */
#ifndef IOMMUSIM_UAPI_IOMMUFD_H
#define IOMMUSIM_UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <stddef.h>

#ifndef _IOMMUFD_H
#define _IOMMUFD_H
#define _UAPI_IOMMUFD_H

#define IOMMUFD_TYPE (';')

/* Command numbers: _IOC_NR of each ioctl. */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
};

/* IOMMU_DESTROY: destroy object @id (EBUSY while another object uses it). */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/* IOMMU_IOAS_ALLOC: a new, empty I/O address space; @flags must be 0. */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/* One IOVA interval, @last inclusive. */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/*
 * IOMMU_IOAS_IOVA_RANGES: the IOVA ranges the IOAS accepts now.  On input
 * @num_iovas is the capacity of the array at @allowed_iovas; on output the
 * number of ranges, with EMSGSIZE when they did not all fit (the array then
 * holds the first ones).  @out_iova_alignment is the alignment MAP and COPY
 * need: 1 (anything) up to the CPU page size.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/*
 * IOMMU_IOAS_ALLOW_IOVAS: replace the set of IOVA ranges that must stay
 * usable: automatic allocation picks only from them, and an attach that
 * would reserve part of one fails.  EADDRINUSE when one is reserved already.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/* Flags of MAP, MAP_FILE and COPY. */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,  /* @iova is an input */
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,   /* DMA may write */
	IOMMU_IOAS_MAP_READABLE = 1 << 2,    /* DMA may read */
};

/*
 * IOMMU_IOAS_MAP: map [@user_va, @user_va + @length) at @iova (FIXED_IOVA)
 * or at an IOVA the kernel picks and returns in @iova.
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/* IOMMU_IOAS_MAP_FILE: as MAP, from byte @start of the memfd @fd. */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/*
 * IOMMU_IOAS_COPY: map into @dst_ioas_id the memory that
 * [@src_iova, @src_iova + @length) of @src_ioas_id maps (which must be
 * mapped without a gap), sharing its pinned pages.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/*
 * IOMMU_IOAS_UNMAP: unmap every mapping inside [@iova, @iova + @length);
 * a mapping only partly inside is never split (ENOENT).  @iova 0 with
 * @length U64_MAX unmaps everything.  @length returns the bytes unmapped.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/*
 * Options: RLIMIT_MODE (global, @object_id 0): 0 charges pinned memory per
 * user, 1 per process; set only while the context has no objects, with
 * CAP_SYS_RESOURCE.  HUGE_PAGES (per IOAS): 1 (default) lets contiguous
 * memory use large IOMMU pages, 0 maps everything with CPU pages.
 */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,
	IOMMU_OPTION_HUGE_PAGES = 1,
};

enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/*
 * IOMMU_VFIO_IOAS: the IOAS the VFIO container ioctls on this fd use.  GET
 * answers ENODEV while there is none; SET and CLEAR never destroy one.
 */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/* Flags of HWPT_ALLOC. */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,    /* may parent nested HWPTs */
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1, /* attach requires dirty tracking */
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,       /* @fault_id names a fault queue */
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,          /* usable on PASIDs */
};

/* Driver data types of HWPT_ALLOC. */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
};

/*
 * IOMMU_HWPT_ALLOC: a HWPT (an IOMMU domain) for device @dev_id: a paging
 * one holding the mappings of IOAS @pt_id, or a nested one over the paging
 * HWPT @pt_id (with driver data).  Returns its ID in @out_hwpt_id.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/* Types of the GET_HW_INFO data. */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
};

/* Generic capabilities reported by GET_HW_INFO. */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,   /* @in_data_type is an input */
};

/*
 * IOMMU_GET_HW_INFO: the IOMMU behind bound device @dev_id.  The driver's
 * data goes to the @data_len bytes at @data_uptr (the rest of the buffer is
 * zeroed); @data_len returns the driver's full length.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

/* IOMMU_HWPT_SET_DIRTY_TRACKING: start or stop dirty tracking of @hwpt_id. */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};
#define IOMMU_HWPT_SET_DIRTY_TRACKING _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,  /* read without clearing */
};

/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP: set bit n of the bitmap at @data when
 * [@iova + n * @page_size, +@page_size) was written since the last read;
 * bits of clean pages are left as they are.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};
#define IOMMU_HWPT_GET_DIRTY_BITMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/*
 * IOMMU_HWPT_INVALIDATE: driver-defined cache invalidations of a nested
 * HWPT or a vIOMMU; @entry_num returns the entries handled.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/*
 * IOMMU_VIOMMU_ALLOC: a driver-defined virtual IOMMU of @type over the
 * nest-parent HWPT @hwpt_id for device @dev_id; @data_uptr/@data_len carry
 * the driver's data.  Type DEFAULT (0) is reserved.
 */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/* IOMMU_VDEVICE_ALLOC: device @dev_id as seen by vIOMMU @viommu_id, @virt_id. */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/*
 * IOMMU_IOAS_CHANGE_PROCESS: charge the pinned pages of every IOAS of the
 * context to the calling process; every mapping must come from a file.
 */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};
#define IOMMU_IOAS_CHANGE_PROCESS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

#endif /* _IOMMUFD_H */

/*
 * The VFIO device cdev's iommufd ioctls (<linux/vfio.h>, Linux 6.6 and
 * later; the build machine's header predates them): on an fd of
 * /dev/vfio/devices/vfioN.  VFIO_TYPE is ';' and VFIO_BASE 100, as in
 * <linux/vfio.h>.
 */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
/*
 * VFIO_DEVICE_BIND_IOMMUFD: bind the device to the iommufd @iommufd; the
 * device object's ID comes back in @out_devid.  Every other ioctl, read,
 * write and mmap of the fd is EINVAL until then.  With
 * VFIO_DEVICE_BIND_FLAG_TOKEN, @token_uuid_ptr points to the VF token.
 */
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
#define VFIO_DEVICE_BIND_FLAG_TOKEN (1 << 0)
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(';', 100 + 18)

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT: attach (or, when attached, replace) the
 * device's RID, or @pasid with VFIO_DEVICE_ATTACH_PASID, to @pt_id: an
 * IOAS (the kernel picks or makes a HWPT) or a HWPT; @pt_id returns the
 * HWPT used.
 */
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
#define VFIO_DEVICE_ATTACH_PASID (1 << 0)
	__u32 pt_id;
	__u32 pasid;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(';', 100 + 19)

/* VFIO_DEVICE_DETACH_IOMMUFD_PT: back to blocking DMA (no error when not attached). */
struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
#define VFIO_DEVICE_DETACH_PASID (1 << 0)
	__u32 pasid;
};
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(';', 100 + 20)
#endif /* VFIO_DEVICE_BIND_IOMMUFD */

/* The layout as documented: sizes, and the offsets that fix the padding. */
#define IMS_UAPI_CHECK(type, bytes) \
	_Static_assert(sizeof(struct type) == (bytes), #type " is " #bytes " bytes")
#define IMS_UAPI_OFFSET(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field " at " #off)

IMS_UAPI_CHECK(iommu_destroy, 8);
IMS_UAPI_CHECK(iommu_ioas_alloc, 12);
IMS_UAPI_CHECK(iommu_iova_range, 16);
IMS_UAPI_CHECK(iommu_ioas_iova_ranges, 32);
IMS_UAPI_OFFSET(iommu_ioas_iova_ranges, allowed_iovas, 16);
IMS_UAPI_OFFSET(iommu_ioas_iova_ranges, out_iova_alignment, 24);
IMS_UAPI_CHECK(iommu_ioas_allow_iovas, 24);
IMS_UAPI_OFFSET(iommu_ioas_allow_iovas, allowed_iovas, 16);
IMS_UAPI_CHECK(iommu_ioas_map, 40);
IMS_UAPI_OFFSET(iommu_ioas_map, user_va, 16);
IMS_UAPI_OFFSET(iommu_ioas_map, iova, 32);
IMS_UAPI_CHECK(iommu_ioas_map_file, 40);
IMS_UAPI_OFFSET(iommu_ioas_map_file, fd, 12);
IMS_UAPI_OFFSET(iommu_ioas_map_file, start, 16);
IMS_UAPI_OFFSET(iommu_ioas_map_file, iova, 32);
IMS_UAPI_CHECK(iommu_ioas_copy, 40);
IMS_UAPI_OFFSET(iommu_ioas_copy, length, 16);
IMS_UAPI_OFFSET(iommu_ioas_copy, src_iova, 32);
IMS_UAPI_CHECK(iommu_ioas_unmap, 24);
IMS_UAPI_OFFSET(iommu_ioas_unmap, iova, 8);
IMS_UAPI_OFFSET(iommu_ioas_unmap, length, 16);
IMS_UAPI_CHECK(iommu_option, 24);
IMS_UAPI_OFFSET(iommu_option, op, 8);
IMS_UAPI_OFFSET(iommu_option, object_id, 12);
IMS_UAPI_OFFSET(iommu_option, val64, 16);
IMS_UAPI_CHECK(iommu_vfio_ioas, 12);
IMS_UAPI_OFFSET(iommu_vfio_ioas, op, 8);
IMS_UAPI_CHECK(iommu_hwpt_alloc, 48);
IMS_UAPI_OFFSET(iommu_hwpt_alloc, data_uptr, 32);
IMS_UAPI_OFFSET(iommu_hwpt_alloc, fault_id, 40);
IMS_UAPI_CHECK(iommu_hw_info, 40);
IMS_UAPI_OFFSET(iommu_hw_info, data_uptr, 16);
IMS_UAPI_OFFSET(iommu_hw_info, out_data_type, 24);
IMS_UAPI_OFFSET(iommu_hw_info, out_max_pasid_log2, 28);
IMS_UAPI_OFFSET(iommu_hw_info, out_capabilities, 32);
IMS_UAPI_CHECK(iommu_hwpt_set_dirty_tracking, 16);
IMS_UAPI_CHECK(iommu_hwpt_get_dirty_bitmap, 48);
IMS_UAPI_OFFSET(iommu_hwpt_get_dirty_bitmap, iova, 16);
IMS_UAPI_OFFSET(iommu_hwpt_get_dirty_bitmap, data, 40);
IMS_UAPI_CHECK(iommu_hwpt_invalidate, 32);
IMS_UAPI_OFFSET(iommu_hwpt_invalidate, data_type, 16);
IMS_UAPI_CHECK(iommu_viommu_alloc, 40);
IMS_UAPI_OFFSET(iommu_viommu_alloc, out_viommu_id, 20);
IMS_UAPI_OFFSET(iommu_viommu_alloc, data_uptr, 32);
IMS_UAPI_CHECK(iommu_vdevice_alloc, 24);
IMS_UAPI_OFFSET(iommu_vdevice_alloc, virt_id, 16);
IMS_UAPI_CHECK(iommu_ioas_change_process, 8);
IMS_UAPI_OFFSET(vfio_device_bind_iommufd, out_devid, 12);
#ifdef VFIO_DEVICE_BIND_FLAG_TOKEN   /* Linux 6.17; older <linux/vfio.h> stop at out_devid */
IMS_UAPI_CHECK(vfio_device_bind_iommufd, 24);
IMS_UAPI_OFFSET(vfio_device_bind_iommufd, token_uuid_ptr, 16);
#endif
#ifdef VFIO_DEVICE_ATTACH_PASID      /* Linux 6.15 */
IMS_UAPI_CHECK(vfio_device_attach_iommufd_pt, 16);
IMS_UAPI_OFFSET(vfio_device_attach_iommufd_pt, pasid, 12);
IMS_UAPI_CHECK(vfio_device_detach_iommufd_pt, 12);
IMS_UAPI_OFFSET(vfio_device_detach_iommufd_pt, pasid, 8);
#endif

#endif
