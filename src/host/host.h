/* SPDX-License-Identifier: MIT */
/*
 * The simulated kernel (internal view).
 *
 * A host owns one IOMMU core (built from a platform), the process's pinned
 * memory account, the VFIO groups that exist for it (/dev/vfio/<N> for every
 * iommu_group with a device bound to a VFIO driver), and the table of open
 * files: each real fd the host handed out points at an ims_host_file, which
 * names the object behind it.  dup() makes two fds share one file; the
 * object is released when the last fd is closed and the last in-flight call
 * on it returns.
 *
 * Locking: host->lock protects the fd table and every file's refcount; it
 * is never held while an object's handler runs, so handlers may take their
 * own locks (container, type1, core group) freely.
 */
#ifndef IMS_HOST_HOST_H
#define IMS_HOST_HOST_H

#include "core/core.h"
#include "host/file.h"
#include "iommufd/iommufd.h"
#include "host/sysfs.h"
#include "iommufd/mm.h"
#include "iommusim/host.h"
#include "util/lock.h"
#include "topo/topo.h"
#include "vfio/vfio.h"

/* Character device numbers, as the host's /sys reports them. */
#define IMS_VFIO_CONTAINER_MAJOR 10   /* misc */
#define IMS_VFIO_CONTAINER_MINOR 196  /* VFIO_MINOR */
#define IMS_VFIO_GROUP_MAJOR 243      /* dynamic in Linux; fixed here */

#define IMS_HOST_FD_BITS 65536

/*
 * How a host is built: a callback fills the fresh host->core (from a
 * platform, or by hand in tests).
 */
struct ims_host_params {
	struct ims_host_options opts;
	/* Register instances, add devices, finish probing, bind drivers. */
	int (*build)(struct ims_host *host, void *arg);
	/* Is @dev bound to a VFIO driver (vfio-pci, vfio-platform)? */
	bool (*vfio_bound)(struct ims_host *host, struct ims_device *dev, void *arg);
	void *arg;
	/* The platform the host owns from now on (freed with it), or NULL. */
	struct ims_platform *platform;
};

struct ims_host {
	struct ims_core *core;
	struct ims_mm mm;
	struct ims_vfio_env vfio_env;
	struct ims_iommufd_env iommufd_env;
	struct ims_mutex lock;             /* files, nr_files */
	struct ims_host_file **files;      /* indexed by fd */
	int nr_files;
	/* fd < IMS_HOST_FD_BITS is in the table: written under lock, read
	 * without it (ims_host_owns_fd runs on every read/write in the shim) */
	unsigned long fd_bits[IMS_HOST_FD_BITS / (8 * sizeof(unsigned long))];
	struct ims_vfio_group **vgroups;   /* by iommu_group id; NULL: none */
	uint32_t nr_vgroups;
	struct ims_host_params params;
	struct ims_platform *platform;     /* NULL for hosts built by hand */
	struct ims_topo *topo;
	struct ims_sysfs *sysfs;           /* the /sys and /dev views (sysfs.h) */
};

int ims_host_create_params(const struct ims_host_params *params, struct ims_host **out);
/* iommufd's environment (and its test interface when enabled); file_iommufd.c. */
int ims_host_iommufd_init(struct ims_host *host);
void ims_host_iommufd_fini(struct ims_host *host);
/* Their parts of the sysfs view (sysfs.c's list): /dev/iommu, the VFIO cdevs. */
int ims_host_iommufd_sysfs(struct ims_host *host, struct ims_sysfs *s);
int ims_host_vfio_cdev_sysfs(struct ims_host *host, struct ims_sysfs *s);
/* The VFIO group for iommu_group @id, or NULL. */
struct ims_vfio_group *ims_host_vfio_group(struct ims_host *host, uint32_t id);

#endif
