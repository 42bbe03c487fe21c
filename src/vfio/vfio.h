/* SPDX-License-Identifier: MIT */
/*
 * VFIO: containers (/dev/vfio/vfio) with the type1 IOMMU backend, and groups
 * (/dev/vfio/<N>), as drivers/vfio/{container,group,vfio_iommu_type1}.c
 * behave (kernel-semantics 4).
 *
 * This layer knows objects, not file descriptors: the host resolves fds
 * (VFIO_GROUP_SET_CONTAINER names a container by fd) and hands the objects
 * here.  Ioctl handlers take the user's argument pointer and read and write
 * it only through util/uaccess (EFAULT for bad pointers).
 *
 * Objects:
 *   ims_vfio_container  one open of /dev/vfio/vfio: its groups and, after
 *                       VFIO_SET_IOMMU, its type1 backend.
 *   ims_vfio_type1      the backend [vfio_iommu]: domains, the valid IOVA
 *                       list, the DMA mappings (in the shared mapping
 *                       engine), limits and dirty tracking.
 *   ims_vfio_group      a VFIO group [vfio_group] over one iommu_group.
 *
 * Locking, outermost first: container->group_lock (the group list and the
 * backend pointer), then type1->lock (everything in the backend), then the
 * core's group mutexes.  A group's container fields change only under its
 * container's group_lock.
 */
#ifndef IMS_VFIO_H
#define IMS_VFIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "iommufd/io_pagetable.h"
#include "iommufd/iommufd.h"
#include "iommufd/mm.h"
#include "util/list.h"
#include "util/lock.h"

/* What VFIO needs from the host it runs in. */
struct ims_vfio_env {
	struct ims_core *core;
	struct ims_mm *mm;                 /* the process's pinned-memory account */
	unsigned int dma_entry_limit;      /* type1 module parameter, 65535 */
	bool allow_unsafe_interrupts;
};

#define IMS_VFIO_DMA_ENTRY_LIMIT 65535u

/* One valid IOVA range of a container, inclusive. */
struct ims_vfio_iova_range {
	uint64_t start, last;
};

struct ims_vfio_iova_list {
	struct ims_vfio_iova_range *r;     /* sorted, disjoint */
	size_t nr, cap;
};

/* A domain of a type1 container [vfio_domain]. */
struct ims_vfio_domain {
	struct ims_list node;              /* type1->domains, newest first */
	struct ims_domain *domain;
	struct ims_list groups;            /* ims_vfio_iommu_group */
	bool enforce_cache_coherency;
	bool fgsp;                         /* unmaps of one page stay one page */
};

/* A group's membership of a domain [vfio_iommu_group]. */
struct ims_vfio_iommu_group {
	struct ims_list node;
	struct ims_group *group;
	bool pinned_page_dirty_scope;
};

/* One VFIO_IOMMU_MAP_DMA [vfio_dma]. */
struct ims_vfio_dma {
	struct ims_iopt_area area;         /* iova, last, pa, prot */
	uint64_t vaddr;
	bool vaddr_invalid;
	bool iommu_mapped;                 /* pinned and mapped into the domains */
};

struct ims_vfio_type1 {
	const struct ims_vfio_env *env;
	struct ims_mutex lock;             /* protects everything below */
	struct ims_list domains;           /* ims_vfio_domain */
	struct ims_vfio_iova_list iova;
	struct ims_iopt iopt;              /* DMA mappings and domains */
	uint64_t pgsize_bitmap;
	unsigned int dma_avail;
	unsigned int vaddr_invalid_count;
	unsigned int num_non_pinned_groups;
	bool v2;
	bool nesting;
	bool dirty_page_tracking;
};

struct ims_vfio_container {
	const struct ims_vfio_env *env;
	struct ims_mutex group_lock;       /* groups and iommu */
	struct ims_list groups;            /* ims_vfio_group.container_node */
	struct ims_vfio_type1 *iommu;      /* NULL until VFIO_SET_IOMMU */
	unsigned int users;                /* the fd plus one per group */
};

struct ims_vfio_group {
	const struct ims_vfio_env *env;
	struct ims_group *group;
	struct ims_mutex lock;             /* protects container, iommufd, opened */
	struct ims_vfio_container *container;
	struct ims_iommufd_ctx *iommufd;   /* joined an iommufd instead (a reference) */
	struct ims_list container_node;
	unsigned int container_users;      /* 1 + open device fds */
	bool opened;                       /* /dev/vfio/N is open (one at a time) */
	unsigned int cdev_binds;           /* devices bound through their cdev */
};

/* Containers: the fd's life cycle and its ioctls. */
struct ims_vfio_container *ims_vfio_container_open(const struct ims_vfio_env *env);
/* Drop one user; the container goes with its last user. */
void ims_vfio_container_put(struct ims_vfio_container *c);
long ims_vfio_container_ioctl(struct ims_vfio_container *c, unsigned long cmd, void *arg);

/* Groups. */
struct ims_vfio_group *ims_vfio_group_new(const struct ims_vfio_env *env,
					  struct ims_group *group);
void ims_vfio_group_free(struct ims_vfio_group *vg);
/* open(/dev/vfio/N): EBUSY while already open or a device cdev is bound. */
int ims_vfio_group_open(struct ims_vfio_group *vg);
/*
 * The cdev path's side of the exclusion [vfio_device_block_group]: a
 * device bound through its cdev keeps the group from being opened; EBUSY
 * while the group is open.  Undo with ims_vfio_group_unblock().
 */
int ims_vfio_group_block(struct ims_vfio_group *vg);
void ims_vfio_group_unblock(struct ims_vfio_group *vg);
/* close(): leaves the container if still in one. */
void ims_vfio_group_release(struct ims_vfio_group *vg);
long ims_vfio_group_get_status(struct ims_vfio_group *vg, void *arg);
int ims_vfio_group_set_container(struct ims_vfio_group *vg, struct ims_vfio_container *c);
/* SET_CONTAINER with an iommufd: its compatibility IOAS is created if needed. */
int ims_vfio_group_set_iommufd(struct ims_vfio_group *vg, struct ims_iommufd_ctx *ictx);
int ims_vfio_group_unset_container(struct ims_vfio_group *vg);
bool ims_vfio_group_viable(struct ims_vfio_group *vg);

/* The type1 backend (used by the container). */
int ims_vfio_type1_check_extension(struct ims_vfio_type1 *iommu, unsigned long arg,
				   const struct ims_profile_facts *facts);
struct ims_vfio_type1 *ims_vfio_type1_open(const struct ims_vfio_env *env, unsigned long type);
void ims_vfio_type1_release(struct ims_vfio_type1 *iommu);
int ims_vfio_type1_attach_group(struct ims_vfio_type1 *iommu, struct ims_group *group);
void ims_vfio_type1_detach_group(struct ims_vfio_type1 *iommu, struct ims_group *group);
long ims_vfio_type1_ioctl(struct ims_vfio_type1 *iommu, unsigned long cmd, void *arg);

/* Internals of type1 shared between its files. */
struct ims_vfio_dma *ims_vfio_find_dma(struct ims_vfio_type1 *iommu, uint64_t start,
				       uint64_t last);
void ims_vfio_remove_dma(struct ims_vfio_type1 *iommu, struct ims_vfio_dma *dma);
void ims_vfio_update_pgsize_bitmap(struct ims_vfio_type1 *iommu);

/* IOVA lists (iova_list.c). */
void ims_vfio_iova_free(struct ims_vfio_iova_list *l);
int ims_vfio_iova_copy(const struct ims_vfio_iova_list *src, struct ims_vfio_iova_list *dst);
int ims_vfio_iova_resize(struct ims_vfio_iova_list *l, uint64_t start, uint64_t last);
int ims_vfio_iova_exclude(struct ims_vfio_iova_list *l, const struct ims_resv_list *resv);
bool ims_vfio_iova_contains(const struct ims_vfio_iova_list *l, uint64_t start, uint64_t last);

/* ------------------------------------------------------------------ */
/* VFIO devices (device*.c; docs/devices.md)                           */
/*
 * A device bound to vfio-pci or vfio-platform, opened through its group
 * (VFIO_GROUP_GET_DEVICE_FD) or its cdev (/dev/vfio/devices/vfioN, then
 * VFIO_DEVICE_BIND_IOMMUFD).  The device object is separate from how it
 * is opened: it exists while it has open files and keeps the endpoint
 * (src/devices) of a PCI function; each open file is an
 * ims_vfio_device_file.  Opening through the group needs the group in a
 * container with an IOMMU set, and keeps the container in use (group
 * UNSET_CONTAINER is EBUSY) until the device's last file closes.  Binding
 * through the cdev claims the device for an iommufd, and keeps the group
 * from being opened (and the reverse) until the file closes.
 */
#include <sys/types.h>

struct ims_topo_device;
struct ims_vfio_device_file;

/*
 * VFIO_GROUP_GET_DEVICE_FD's argument [strndup_user(arg, PAGE_SIZE)]: a
 * string to ims_free(), or ERR_PTR(-EFAULT), ERR_PTR(-EINVAL) when no NUL
 * ends it within a page.
 */
char *ims_vfio_device_name_from_user(const void *arg);
/*
 * Does @buf name @dev, a device bound to a VFIO driver?  vfio-pci accepts
 * "<name> vf_token=<uuid>" too.  1 yes, 0 no, -EINVAL for bad options.
 * PCI bridges never match: vfio-pci does not take them.
 */
int ims_vfio_device_match(struct ims_device *dev, const char *buf);
/*
 * Open @dev through group @vg.  @desc is what the platform says of it
 * (NULL: only what the core knows).  ERR_PTR: -EINVAL when the group is not
 * in a container or the container has no IOMMU yet, -ENOMEM, or what
 * opening the device failed with.
 */
struct ims_vfio_device_file *ims_vfio_device_open_group(struct ims_vfio_group *vg,
							struct ims_device *dev,
							const struct ims_topo_device *desc);
/*
 * The cdev path (/dev/vfio/devices/vfioN, device_cdev.c).  The host
 * resolves fds: @from_fd gives the iommufd context behind fd @fd of the
 * program with a reference of its own, or ERR_PTR(-EBADF) for no open fd,
 * ERR_PTR(-EBADFD) for a file that is not /dev/iommu.
 */
typedef struct ims_iommufd_ctx *(*ims_vfio_iommufd_from_fd)(void *arg, int fd);
/*
 * Open @dev (whose VFIO group is @vg) through its cdev: nothing is checked
 * or claimed yet, the file only allows VFIO_DEVICE_BIND_IOMMUFD (every
 * other ioctl, read, write and mmap is EINVAL until it succeeds).
 * ERR_PTR(-ENOMEM).
 */
struct ims_vfio_device_file *ims_vfio_device_open_cdev(struct ims_vfio_group *vg,
						       struct ims_device *dev,
						       const struct ims_topo_device *desc,
						       ims_vfio_iommufd_from_fd from_fd, void *arg);
/* close() of the last fd of the file. */
void ims_vfio_device_file_release(struct ims_vfio_device_file *df);
long ims_vfio_device_ioctl(struct ims_vfio_device_file *df, unsigned long cmd, void *arg);
/* read/write/pread/pwrite at *@pos (advanced by what was done). */
ssize_t ims_vfio_device_rw(struct ims_vfio_device_file *df, void *buf, size_t count,
			   int64_t *pos, bool write);
/* May [@offset, @offset + @length) be mapped?  0 or the kernel's errno. */
int ims_vfio_device_mmap_check(struct ims_vfio_device_file *df, uint64_t offset,
			       size_t length, int prot);
/* The memfd whose bytes a mapping shows (BAR i at i << 40), or -1. */
int ims_vfio_device_memfd(struct ims_vfio_device_file *df);
/*
 * Raise interrupt @vector of kind @index (VFIO_PCI_*_IRQ_INDEX) as the
 * device or the platform would: INTx takes @level (the line stays asserted
 * until lowered), MSI/MSI-X send one message, ERR reports an AER error,
 * REQ asks the user to release the device.  -ENODEV when @dev is not open
 * or has no such interrupt, -EINVAL for a bad @index or @vector; a message
 * held back by a mask or a disabled function still returns 0.
 */
int ims_vfio_device_raise(struct ims_device *dev, unsigned int index, unsigned int vector,
			  bool level);

#endif
