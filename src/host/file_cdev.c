// SPDX-License-Identifier: MIT
/*
 * VFIO device cdevs: /dev/vfio/devices/vfio<N>, one per device bound to a
 * VFIO driver (kernel device_cdev.c's chardev half and the sysfs entries
 * the driver core makes for it).
 *
 *   numbering  N is the device's VFIO index: devices are numbered from 0 in
 *              the order the drivers registered them, which is the core's
 *              device order (the platform's probe order).  A device VFIO
 *              takes has an iommu_group and is not a PCI bridge (vfio-pci
 *              refuses bridges at probe).
 *   sysfs      <device>/vfio-dev/vfioN/dev ("maj:min"),
 *              /sys/class/vfio-dev/vfioN, and the node itself: character
 *              device IMS_VFIO_CDEV_MAJOR:N (dynamic in Linux, fixed here),
 *              which is also what fstat of an open fd reports (QEMU compares
 *              the two before it trusts the fd).
 *   open       a new device file (the VFIO layer's ims_vfio_device_open_cdev)
 *              that answers only VFIO_DEVICE_BIND_IOMMUFD until bound; no
 *              group file is involved.  ENOENT for a number with no device.
 *   bind       the fd named in VFIO_DEVICE_BIND_IOMMUFD is resolved here
 *              (EBADF, EBADFD for a file that is not /dev/iommu).  Once
 *              bound, the device is open: every fd of the file is made a
 *              duplicate of the endpoint's BAR memfd, as a group-path device
 *              fd is from the start (file_device.c), so that mapping it
 *              shows the device's memory.
 *   read, write, mmap   shared with the group path (file_device.c).
 *
 * Locking: host->lock while the fds of a file are rewritten; the core's
 * lock while its device list is walked.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "host.h"
#include "iommusim/uapi/iommufd.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/log.h"

#define IMS_VFIO_CDEV_MAJOR 242   /* vfio-dev: dynamic in Linux; fixed here */

/* ---- numbering ---- */

/* Is @dev a VFIO device, with a cdev? [vfio_pci_probe, vfio_device_set_group] */
static bool has_cdev(struct ims_host *host, struct ims_device *dev)
{
	if (!dev->group || !ims_host_vfio_group(host, dev->group->id))
		return false;
	if (dev->bus == IMS_BUS_PCI && dev->pci.bridge)
		return false;
	return host->params.vfio_bound && host->params.vfio_bound(host, dev, host->params.arg);
}

/* The device with cdev vfio<@index>, or NULL. */
static struct ims_device *cdev_device(struct ims_host *host, unsigned int index)
{
	struct ims_device *dev, *found = NULL;
	unsigned int n = 0;

	ims_mutex_lock(&host->core->lock);
	ims_list_for_each_entry(dev, &host->core->devices, core_node) {
		if (!has_cdev(host, dev))
			continue;
		if (n++ == index) {
			found = dev;
			break;
		}
	}
	ims_mutex_unlock(&host->core->lock);
	return found;
}

int ims_host_vfio_cdev_sysfs(struct ims_host *host, struct ims_sysfs *s)
{
	struct ims_device *dev;
	unsigned int n = 0;
	int ret = 0;

	ims_mutex_lock(&host->core->lock);
	ims_list_for_each_entry(dev, &host->core->devices, core_node) {
		if (ret || !has_cdev(host, dev))
			continue;
		ret = ims_sysfs_add_vfio_cdev(s, dev->name, n, makedev(IMS_VFIO_CDEV_MAJOR, n));
		n++;
	}
	ims_mutex_unlock(&host->core->lock);
	return ret;
}

/* ---- the file ---- */

/* iommufd_ctx_from_fd: /dev/iommu behind @fd, with a reference. */
static struct ims_iommufd_ctx *iommufd_from_fd(void *arg, int fd)
{
	struct ims_host *host = arg;
	struct ims_host_file *file = ims_host_get_file(host, fd);
	struct ims_iommufd_ctx *ictx;

	if (!file)
		return ERR_PTR(fd < 0 || fcntl(fd, F_GETFD) < 0 ? -EBADF : -EBADFD);
	if (file->ops != &ims_iommufd_fops) {
		ims_host_put_file(host, file);
		return ERR_PTR(-EBADFD);
	}
	ictx = file->obj;
	ims_iommufd_ctx_get(ictx);
	ims_host_put_file(host, file);
	return ictx;
}

/* Every fd of @file becomes a duplicate of the device's BAR memory. */
static void share_backing(struct ims_host *host, struct ims_host_file *file,
			  struct ims_vfio_device_file *df)
{
	int memfd = ims_vfio_device_memfd(df);

	if (memfd < 0)
		return;   /* no BARs (vfio-platform) */
	ims_mutex_lock(&host->lock);
	for (int fd = 0; fd < host->nr_files; fd++) {
		int cloexec = host->files[fd] == file ? fcntl(fd, F_GETFD) : -1;

		if (cloexec < 0)
			continue;
		if (dup3(memfd, fd, cloexec & FD_CLOEXEC ? O_CLOEXEC : 0) < 0)
			ims_dbg(IMS_LOG_HOST, "fd %d: cannot show the device's memory: %m", fd);
	}
	ims_mutex_unlock(&host->lock);
}

static long cdev_ioctl(struct ims_host *host, struct ims_host_file *file, unsigned long cmd,
		       void *arg)
{
	struct ims_device_file *f = file->obj;
	long ret = ims_vfio_device_ioctl(f->df, cmd, arg);

	if (!ret && cmd == VFIO_DEVICE_BIND_IOMMUFD)
		share_backing(host, file, f->df);
	return ret;
}

static void cdev_stat(struct ims_host_file *file, struct stat *st)
{
	struct ims_device_file *f = file->obj;

	st->st_mode = S_IFCHR | 0600;
	st->st_rdev = makedev(IMS_VFIO_CDEV_MAJOR, f->cdev_index);
}

static void cdev_release(struct ims_host *host, struct ims_host_file *file)
{
	struct ims_device_file *f = file->obj;

	(void)host;
	ims_vfio_device_file_release(f->df);
	ims_free(f);
}

const struct ims_file_ops ims_vfio_cdev_fops = {
	.name = "vfio-dev",
	.ioctl = cdev_ioctl,
	.read = ims_device_file_read,
	.write = ims_device_file_write,
	.mmap = ims_device_file_mmap,
	.stat = cdev_stat,
	.release = cdev_release,
};

/* "vfio<N>" with N written as the kernel writes it, else -1. */
static long parse_index(const char *name)
{
	char *end, canon[24];
	unsigned long n;

	if (strncmp(name, "vfio", 4) || name[4] < '0' || name[4] > '9')
		return -1;
	n = strtoul(name + 4, &end, 10);
	snprintf(canon, sizeof(canon), "vfio%lu", n);
	return *end || strcmp(canon, name) || n > 0xfffff ? -1 : (long)n;
}

static int cdev_open(struct ims_host *host, const char *path, int flags,
		     const struct ims_file_ops **ops, void **obj)
{
	long index = parse_index(path + strlen(ims_vfio_cdev_paths.prefix));
	struct ims_device *dev = index < 0 ? NULL : cdev_device(host, (unsigned int)index);
	struct ims_device_file *f;

	(void)flags;
	if (!dev)
		return -ENOENT;
	f = ims_zalloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->cdev_index = (unsigned int)index;
	f->df = ims_vfio_device_open_cdev(ims_host_vfio_group(host, dev->group->id), dev,
					  host->topo ? ims_topo_device_of(host->topo, dev) : NULL,
					  iommufd_from_fd, host);
	if (IS_ERR(f->df)) {
		int ret = (int)PTR_ERR(f->df);

		ims_free(f);
		return ret;
	}
	*ops = &ims_vfio_cdev_fops;
	*obj = f;
	return 0;
}

const struct ims_path_ops ims_vfio_cdev_paths = {
	.prefix = "/dev/vfio/devices/",
	.open = cdev_open,
};
