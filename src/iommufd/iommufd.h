/* SPDX-License-Identifier: MIT */
/*
 * iommufd as the layers above see it (the kernel's include/linux/iommufd.h):
 * a context per open of /dev/iommu and its ioctls, the device API that the
 * VFIO device paths use (bind, attach, replace, detach), the VFIO
 * compatibility hooks for a VFIO group joining an iommufd, and the test
 * interface's per-host state.
 *
 * This layer knows objects, not file descriptors.  The few things that need
 * the fd table (the selftest's access objects are handed out as fds) are
 * services the host provides through struct ims_iommufd_env.
 *
 * Every function returns 0 or a negative errno, or a pointer / ERR_PTR.
 */
#ifndef IMS_IOMMUFD_H
#define IMS_IOMMUFD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "iommufd/mm.h"

struct ims_iommufd_ctx;
struct ims_iommufd_device;
struct ims_iommufd_registry;
struct ims_iommufd_selftest;
struct ims_test_access;
struct json_object;

/* What iommufd needs from the host it runs in. */
struct ims_iommufd_env {
	struct ims_core *core;
	struct ims_mm *mm;                    /* the process's pinned-memory account */
	bool allow_unsafe_interrupts;         /* module parameter */
	struct ims_iommufd_selftest *selftest;/* NULL: IOMMU_TEST_CMD is unknown */
	struct ims_iommufd_registry *registry;/* the host's live contexts, or NULL */
	/*
	 * File services for the selftest's access objects: a new fd that owns
	 * @access (its last close calls ims_test_access_release()); the access
	 * behind @fd with a reference (*@file to give back), or ERR_PTR.
	 */
	int (*access_fd_new)(void *host, struct ims_test_access *access);
	struct ims_test_access *(*access_fd_get)(void *host, int fd, void **file);
	void (*access_fd_put)(void *host, void *file);
	void (*fd_close)(void *host, int fd);
	void *host;
};

/* No PASID: the device's requests without one (the RID). */
#define IMS_IOMMUFD_NO_PASID 0u

/* ---- the context: one open of /dev/iommu ---- */

/* A new context holding one reference: ERR_PTR(-ENOMEM). */
struct ims_iommufd_ctx *ims_iommufd_ctx_open(const struct ims_iommufd_env *env);
void ims_iommufd_ctx_get(struct ims_iommufd_ctx *ictx);
/* The last reference tears every object down, leaves first. */
void ims_iommufd_ctx_put(struct ims_iommufd_ctx *ictx);
/* An ioctl on the context's fd: >= 0 or a negative errno (-ENOTTY unknown). */
long ims_iommufd_ioctl(struct ims_iommufd_ctx *ictx, unsigned long cmd, void *arg);

/*
 * The contexts of a host, for its state: ims_iommufd_registry_create() for
 * ims_iommufd_env.registry (every context opened with that env joins it);
 * destroy it once its contexts are gone.
 */
int ims_iommufd_registry_create(struct ims_iommufd_registry **out);
void ims_iommufd_registry_destroy(struct ims_iommufd_registry *registry);
/*
 * iommufd's part of the JSON state (DESIGN 3), added to @state: arrays
 * "ioas" (context, id, areas {iova, size}, hwpts, domains), "hwpts"
 * (context, id, ioas, domain, auto, devices) and "binds" (context, id,
 * device, hwpt, pasids {pasid, hwpt}) over every context of the registry.
 * "context" numbers the contexts of the host from 1, in creation order.
 */
void ims_iommufd_state_add_json(const struct ims_iommufd_env *env, struct json_object *state);

/* ---- VFIO groups joining an iommufd (VFIO_GROUP_SET_CONTAINER) ---- */

/* Make sure the compatibility IOAS exists (created on the first group). */
int ims_iommufd_vfio_compat_ioas_create(struct ims_iommufd_ctx *ictx);
/* Its ID: -ENODEV when there is none. */
int ims_iommufd_vfio_compat_ioas_get_id(struct ims_iommufd_ctx *ictx, uint32_t *id);

/* ---- devices (the VFIO cdev BIND_IOMMUFD / ATTACH_IOMMUFD_PT path) ---- */

/*
 * Bind @dev to the context: it must be cache coherent (-EINVAL) and have
 * isolated MSIs unless allowed (-EPERM); its group's DMA ownership is
 * claimed for the context (-EPERM, -EBUSY, -EINVAL).  *@id gets the device
 * object's ID.  Undo with ims_iommufd_device_unbind().
 */
struct ims_iommufd_device *ims_iommufd_device_bind(struct ims_iommufd_ctx *ictx,
						   struct ims_device *dev, uint32_t *id);
void ims_iommufd_device_unbind(struct ims_iommufd_device *idev);
/*
 * Attach (or replace the attachment of) @pasid of the device to *@pt_id: a
 * paging HWPT (its errors come back unchanged) or an IOAS (the automatic
 * domain search, kernel-semantics 5.4); *@pt_id returns the HWPT used.
 * Undo an attach with ims_iommufd_device_detach().
 */
int ims_iommufd_device_attach(struct ims_iommufd_device *idev, uint32_t pasid,
			      uint32_t *pt_id);
int ims_iommufd_device_replace(struct ims_iommufd_device *idev, uint32_t pasid,
			       uint32_t *pt_id);
void ims_iommufd_device_detach(struct ims_iommufd_device *idev, uint32_t pasid);

/* ---- the test interface (IOMMU_TEST_CMD) ---- */

/*
 * The per-host state of the test interface: the mock IOMMU instance its
 * devices sit behind ("iommufd-selftest": 2 KiB pages, aperture
 * [16 MiB, 2 GiB - 1], blocking default domain, dirty tracking) and the
 * global temporary memory limit.
 */
int ims_iommufd_selftest_create(struct ims_core *core, struct ims_iommufd_selftest **out);
void ims_iommufd_selftest_destroy(struct ims_iommufd_selftest *st);
/* The last close of an access fd: the access and its pins go. */
void ims_test_access_release(struct ims_test_access *access);

#endif
