/* SPDX-License-Identifier: MIT */
/*
 * iommufd's object model and internals (the kernel's iommufd_private.h);
 * nothing outside src/iommufd includes this.
 *
 * Objects.  Everything userspace names by ID is an object in the context's
 * table (IDs from 1):
 *
 *   IOAS         an I/O address space: its io_pagetable and the paging
 *                HWPTs that mirror it
 *   HWPT_PAGING  an IOMMU domain holding an IOAS's mappings; automatic
 *                (made by an attach to the IOAS, destroyed with its last
 *                device) or manual (IOMMU_HWPT_ALLOC)
 *   DEVICE       a device bound to the context (DMA ownership claimed)
 *   ACCESS       an emulated in-kernel DMA user of an IOAS (selftest)
 *   SELFTEST     a mock device made by IOMMU_TEST_CMD MOCK_DOMAIN
 *
 * Life cycle.  An object is allocated with its ID reserved but invisible
 * (ims_obj_alloc), built by steps that may fail, then published
 * (ims_obj_finalize) or undone (ims_obj_abort / ims_obj_abort_and_destroy):
 * once others can see it, it can no longer be taken back reliably.  Two
 * counts: @users, long-term references (the table holds one; an attached
 * device holds one on its HWPT, a HWPT on its IOAS, ...), and @shortterm,
 * references of calls in flight (the table holds a bias of one), which
 * destruction waits to drain.  IOMMU_DESTROY succeeds only when the table
 * holds the last user (EBUSY otherwise); closing the fd destroys objects
 * whose only user is the table, over and over: leaves first.
 *
 * Locking, outermost first: ioas->mutex (its HWPT list: attaches to one
 * IOAS are serialised), igroup->lock (attachments of one iommu_group), the
 * core's group mutex, ioas->iova_lock (the io_pagetable), pages->lock, the
 * mm lock.  An access's lock sits outside its IOAS's iova_lock.
 * ictx->lock (the object table, counts, vfio_ioas, igroups) is a leaf and
 * is never held while an object's code runs.
 */
#ifndef IMS_IOMMUFD_PRIV_H
#define IMS_IOMMUFD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommufd/io_pagetable.h"
#include "iommufd/iommufd.h"
#include "iommusim/uapi/iommufd.h"
#include "util/idtable.h"
#include "util/list.h"
#include "util/lock.h"

enum ims_obj_type {
	IMS_OBJ_ANY = 0,
	IMS_OBJ_DEVICE,
	IMS_OBJ_HWPT_PAGING,
	IMS_OBJ_HWPT_NESTED,
	IMS_OBJ_IOAS,
	IMS_OBJ_ACCESS,
	IMS_OBJ_FAULT,
	IMS_OBJ_SELFTEST,
	IMS_OBJ_VIOMMU,          /* never created: no modelled driver has vIOMMUs */
	IMS_OBJ_NR,
};

struct ims_obj {
	enum ims_obj_type type;
	uint32_t id;
	unsigned int users;      /* long-term references (atomic) */
	unsigned int shortterm;  /* calls in flight + 1 while in the table (atomic) */
};

struct ims_iommufd_ctx {
	const struct ims_iommufd_env *env;
	struct ims_mutex lock;        /* objects, vfio_ioas, account_mm, igroups */
	struct ims_idtable objects;   /* IDs from 1 */
	struct ims_ioas *vfio_ioas;   /* the VFIO compatibility IOAS, not a reference */
	bool account_mm;              /* IOMMU_OPTION_RLIMIT_MODE 1 */
	struct ims_list igroups;      /* ims_igroup.node */
	unsigned int refs;            /* the fd, accesses, VFIO groups, devices (atomic) */
	unsigned int serial;          /* the host's context number (JSON state) */
	struct ims_list registry_node;/* env->registry's list (registry lock) */
};

/* The host's live contexts [none in the kernel: the JSON state's index]. */
struct ims_iommufd_registry {
	struct ims_mutex lock;        /* contexts, next_serial */
	struct ims_list contexts;
	unsigned int next_serial;
};

/*
 * The live contexts of @env's registry, each with a reference (drop with
 * ims_iommufd_ctx_put) in a new array (ims_free), in creation order.  0 or
 * -ENOMEM.
 */
int ims_iommufd_registry_get_all(const struct ims_iommufd_env *env,
				 struct ims_iommufd_ctx ***out, size_t *nr);

/* ---- the object table (main.c) ---- */

void *ims_obj_alloc(struct ims_iommufd_ctx *ictx, size_t size, enum ims_obj_type type);
void ims_obj_finalize(struct ims_iommufd_ctx *ictx, struct ims_obj *obj);
/* Undo ims_obj_alloc() of an object that needs no destroy. */
void ims_obj_abort(struct ims_iommufd_ctx *ictx, struct ims_obj *obj);
/* Undo an unpublished object that was built far enough to need its destroy. */
void ims_obj_abort_and_destroy(struct ims_iommufd_ctx *ictx, struct ims_obj *obj);
/* The object @id of @type (IMS_OBJ_ANY: any) with both counts raised, or ERR_PTR(-ENOENT). */
struct ims_obj *ims_obj_get(struct ims_iommufd_ctx *ictx, uint32_t id, enum ims_obj_type type);
void ims_obj_put(struct ims_iommufd_ctx *ictx, struct ims_obj *obj);
/* Raise both counts of an object one holds a pointer to: false while it is dying. */
bool ims_obj_try_get(struct ims_obj *obj);
/* Long-term references between objects. */
void ims_obj_users_inc(struct ims_obj *obj);
void ims_obj_users_dec(struct ims_obj *obj);
/*
 * Destroy the object @id if the table holds its only user: -ENOENT, -EBUSY.
 * With @to_destroy the caller's own user reference is dropped first.
 */
int ims_obj_remove(struct ims_iommufd_ctx *ictx, struct ims_obj *to_destroy, uint32_t id);
/* Drop the caller's reference of an object created for it and destroy it. */
void ims_obj_destroy_user(struct ims_iommufd_ctx *ictx, struct ims_obj *obj);
/*
 * The published objects of @type (IMS_OBJ_ANY: all), both counts raised
 * (ims_obj_put each), in ID order, in a new array (ims_free).  0 or -ENOMEM.
 */
int ims_obj_collect(struct ims_iommufd_ctx *ictx, enum ims_obj_type type,
		    struct ims_obj ***out, size_t *nr);

/* Copy @len bytes of the command back to the caller (at most its size). */
struct ims_ucmd {
	struct ims_iommufd_ctx *ictx;
	void *ubuffer;
	uint32_t user_size;
	void *cmd;
};
int ims_ucmd_respond(struct ims_ucmd *ucmd, size_t len);

/* ---- IOAS (ioas.c) ---- */

struct ims_ioas {
	struct ims_obj obj;
	struct ims_mm *mm;             /* whose memory its mappings pin */
	struct ims_mutex mutex;        /* hwpts; serialises attaches to this IOAS */
	struct ims_list hwpts;         /* ims_hwpt_paging.ioas_node, oldest first */
	struct ims_mutex iova_lock;    /* iopt */
	struct ims_iopt iopt;
	struct ims_mutex access_lock;  /* accesses */
	struct ims_idtable accesses;   /* accesses attached to this IOAS */
};

struct ims_ioas *ims_ioas_alloc(struct ims_iommufd_ctx *ictx);
void ims_ioas_destroy(struct ims_obj *obj);
struct ims_ioas *ims_ioas_get(struct ims_iommufd_ctx *ictx, uint32_t id);
int ims_ioas_alloc_ioctl(struct ims_ucmd *ucmd);
int ims_ioas_iova_ranges(struct ims_ucmd *ucmd);
int ims_ioas_allow_iovas(struct ims_ucmd *ucmd);
int ims_ioas_map(struct ims_ucmd *ucmd);
int ims_ioas_map_file(struct ims_ucmd *ucmd);
int ims_ioas_copy(struct ims_ucmd *ucmd);
int ims_ioas_unmap(struct ims_ucmd *ucmd);
int ims_ioas_option(struct ims_ucmd *ucmd);
int ims_ioas_change_process(struct ims_ucmd *ucmd);
/* Map / unmap helpers shared with the VFIO compatibility ioctls. */
int ims_ioas_map_user(struct ims_ioas *ioas, uint64_t uptr, uint64_t length, uint64_t *iova,
		      int prot, unsigned int flags);
/* Unmap [iova, last] (notifying accesses); *@unmapped may be 0. */
int ims_ioas_unmap_range(struct ims_ioas *ioas, uint64_t iova, uint64_t last,
			 uint64_t *unmapped);
/* IOAS -> the IMS_PROT_* of IOAS_MAP flags. */
int ims_ioas_prot(uint32_t flags);

/* ---- HWPT (hw_pagetable.c) ---- */

struct ims_hwpt_paging {
	struct ims_obj obj;
	struct ims_domain *domain;
	struct ims_ioas *ioas;         /* a user reference */
	struct ims_list ioas_node;     /* ioas->hwpts; empty until added */
	bool auto_domain;              /* made by an attach to the IOAS */
	bool enforce_cache_coherency;
	bool nest_parent;
	bool pasid_compat;             /* allocated with IOMMU_HWPT_ALLOC_PASID */
};

struct ims_iommufd_device;
/*
 * A paging HWPT for @idev in @ioas (kernel-semantics 5.5); with
 * @immediate_attach the device is attached to it before it fills.  The
 * caller holds ioas->mutex until it finalizes or aborts the result.
 */
struct ims_hwpt_paging *ims_hwpt_paging_alloc(struct ims_iommufd_ctx *ictx,
					      struct ims_ioas *ioas,
					      struct ims_iommufd_device *idev, uint32_t pasid,
					      uint32_t flags, bool immediate_attach);
void ims_hwpt_paging_destroy(struct ims_obj *obj);
void ims_hwpt_paging_abort(struct ims_obj *obj);
/* Drop a device's reference; an automatic HWPT goes with its last user. */
void ims_hwpt_put(struct ims_iommufd_ctx *ictx, struct ims_hwpt_paging *hwpt);
struct ims_hwpt_paging *ims_hwpt_paging_get(struct ims_iommufd_ctx *ictx, uint32_t id);
int ims_hwpt_alloc_ioctl(struct ims_ucmd *ucmd);
int ims_hwpt_set_dirty_tracking(struct ims_ucmd *ucmd);
int ims_hwpt_get_dirty_bitmap(struct ims_ucmd *ucmd);

/* ---- devices (device.c) ---- */

/* One attachment of an iommu_group: a PASID's HWPT and the devices on it. */
struct ims_igroup_attach {
	uint32_t pasid;
	struct ims_hwpt_paging *hwpt;
	struct ims_iommufd_device **devs;
	size_t nr_devs;
};

/* iommufd's state of one iommu_group in a context [iommufd_group]. */
struct ims_igroup {
	struct ims_iommufd_ctx *ictx;
	struct ims_group *group;
	unsigned int refs;             /* devices bound (ictx->lock) */
	struct ims_mutex lock;         /* attach, nr_attach */
	struct ims_igroup_attach *attach;
	size_t nr_attach;
	uint64_t sw_msi_start;         /* UINT64_MAX: none */
	struct ims_list node;          /* ictx->igroups */
};

struct ims_iommufd_device {
	struct ims_obj obj;
	struct ims_iommufd_ctx *ictx;
	struct ims_device *dev;
	struct ims_igroup *igroup;
	bool enforce_cache_coherency;
};

struct ims_iommufd_device *ims_idev_get(struct ims_iommufd_ctx *ictx, uint32_t id);
void ims_idev_destroy(struct ims_obj *obj);
/* Attach @idev's @pasid to @hwpt (no search): kernel-semantics 5.3. */
int ims_hwpt_attach(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
		    uint32_t pasid);
/* Undo it; returns the HWPT the device left (the caller puts it), or NULL. */
struct ims_hwpt_paging *ims_hwpt_detach(struct ims_iommufd_device *idev, uint32_t pasid);
/*
 * The device's attachments now: up to @max PASIDs (IMS_IOMMUFD_NO_PASID for
 * the RID) and the IDs of their HWPTs; returns how many there are.
 */
size_t ims_idev_attachments(struct ims_iommufd_device *idev, uint32_t *pasids,
			    uint32_t *hwpt_ids, size_t max);
int ims_get_hw_info(struct ims_ucmd *ucmd);
/* Where a profile's "incompatible" answer lets the search go on. */
bool ims_iommufd_attach_soft(struct ims_iommufd_ctx *ictx, int err);

/* ---- accesses (access.c) ---- */

struct ims_access;
struct ims_access_ops {
	bool needs_pin_pages;
	/* Unpin whatever lies in [iova, iova + length); called without IOAS locks. */
	void (*unmap)(void *data, uint64_t iova, uint64_t length);
};

struct ims_access {
	struct ims_obj obj;
	struct ims_iommufd_ctx *ictx;  /* a context reference */
	const struct ims_access_ops *ops;
	void *data;
	struct ims_mutex lock;         /* ioas, ioas_unpin, ioas_slot */
	struct ims_ioas *ioas;         /* a user reference; NULL detached or changing */
	struct ims_ioas *ioas_unpin;   /* where its pins are (kept while changing) */
	uint32_t ioas_slot;            /* its ID in ioas->accesses */
};

struct ims_access *ims_access_create(struct ims_iommufd_ctx *ictx,
				     const struct ims_access_ops *ops, void *data,
				     uint32_t *id);
void ims_access_destroy(struct ims_access *access);
void ims_access_destroy_object(struct ims_obj *obj);
int ims_access_attach(struct ims_access *access, uint32_t ioas_id);
int ims_access_replace(struct ims_access *access, uint32_t ioas_id);
/* Pin [iova, iova + length): the CPU address of each page in @out (npages of them). */
int ims_access_pin_pages(struct ims_access *access, uint64_t iova, uint64_t length,
			 uint64_t *out, bool write);
void ims_access_unpin_pages(struct ims_access *access, uint64_t iova, uint64_t length);
int ims_access_rw(struct ims_access *access, uint64_t iova, void *ubuf, uint64_t length,
		  bool write);
/* An unmap of [iova, iova + length) needs the accesses of @ioas to let go. */
void ims_access_notify_unmap(struct ims_ioas *ioas, uint64_t iova, uint64_t length);

/* ---- the vIOMMU family without driver support (viommu.c) ---- */

int ims_viommu_alloc_ioctl(struct ims_ucmd *ucmd);
int ims_vdevice_alloc_ioctl(struct ims_ucmd *ucmd);
int ims_hwpt_invalidate(struct ims_ucmd *ucmd);

/* ---- VFIO compatibility (vfio_compat.c) ---- */

long ims_iommufd_vfio_ioctl(struct ims_iommufd_ctx *ictx, unsigned long cmd, void *arg);
int ims_vfio_ioas(struct ims_ucmd *ucmd);

/* ---- the test interface (selftest.c) ---- */

int ims_iommufd_test(struct ims_ucmd *ucmd);
void ims_selftest_destroy(struct ims_obj *obj);
/* GET_HW_INFO of a mock device: 0, -EOPNOTSUPP, or -ENODEV when @dev is not one. */
int ims_selftest_hw_info(struct ims_iommufd_ctx *ictx, struct ims_device *dev,
			 uint32_t *type, void *data, uint32_t *len);
bool ims_selftest_is_mock_dev(struct ims_iommufd_ctx *ictx, struct ims_device *dev);
/*
 * HWPT_ALLOC's driver data for a paging HWPT of @dev: 0 when it asks for
 * the mock's default page table (what no data gives), -EOPNOTSUPP for
 * another driver, another data type or page table, -EINVAL, -E2BIG,
 * -EFAULT for the data itself.
 */
int ims_selftest_paging_data(struct ims_iommufd_ctx *ictx, struct ims_device *dev,
			     uint32_t type, uint64_t uptr, uint32_t len);
/* IOAS_COPY's syzkaller encoding of its source IOVA (test interface only). */
uint64_t ims_selftest_syz_src_iova(struct ims_iommufd_ctx *ictx, uint32_t ioas_id,
				   uint64_t encoded);

#endif
