/* SPDX-License-Identifier: MIT */
/*
 * The host's view of the file system (internal): the /sys and /dev files a
 * program reads to find its devices, materialised as real files and
 * symbolic links in a private folder, plus the table of device nodes that
 * the host serves itself (include/iommusim/host.h, "Paths").
 *
 * The tree is built on first use, by the parts listed in sysfs.c (IOMMU
 * class devices, iommu_groups, PCI and platform devices, VFIO, module
 * parameters, debugfs).  Layers that add files later use the hooks below,
 * either from a part of their own added to that list or at run time:
 *
 *   device fds  ims_sysfs_add_vfio_cdev() for each VFIO device cdev:
 *               <device>/vfio-dev/vfioN/dev, /sys/class/vfio-dev/vfioN and
 *               the node /dev/vfio/devices/vfioN;
 *   iommufd     ims_sysfs_add_devnode(s, "/dev/iommu", 0666, makedev(10, M))
 *               and ims_sysfs_own(s, "/sys/module/iommufd") with its files.
 *
 * Paths given to these functions are the paths a program uses ("/sys/...",
 * "/dev/..."); a file or link whose parent folders do not exist yet gets
 * them.
 *
 * Locking: ims_sysfs.lock protects the folder, the node table and the
 * owned roots; the hooks take it, the "__" helpers in sysfs.c expect it.
 */
#ifndef IMS_HOST_SYSFS_H
#define IMS_HOST_SYSFS_H

#include <sys/types.h>

struct ims_host;
struct ims_sysfs;

/* The (empty) view of @host; nothing is written before the first use. */
int ims_sysfs_create(struct ims_host *host, struct ims_sysfs **out);
/* Remove the folder (if this process made it) and free.  Accepts NULL. */
void ims_sysfs_destroy(struct ims_sysfs *s);

/* A regular file with printf-style contents and @mode (0444, 0644...). */
int ims_sysfs_add_file(struct ims_sysfs *s, const char *path, mode_t mode,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A symbolic link at @path to @target, made relative as sysfs makes them. */
int ims_sysfs_add_link(struct ims_sysfs *s, const char *path, const char *target);
/* A character device node the host serves through ims_open(). */
int ims_sysfs_add_devnode(struct ims_sysfs *s, const char *path, mode_t mode, dev_t rdev);
/* The VFIO cdev vfio<@index> of device @dev_name (see above). */
int ims_sysfs_add_vfio_cdev(struct ims_sysfs *s, const char *dev_name, unsigned int index,
			    dev_t rdev);
/* Claim the whole subtree under @dir: the real one is hidden from programs. */
int ims_sysfs_own(struct ims_sysfs *s, const char *dir);

#endif
