// SPDX-License-Identifier: MIT
/*
 * VFIO device files (vfio.h "VFIO devices"; drivers/vfio/vfio_main.c and
 * group.c's device half).
 *
 *   VFIO_GROUP_GET_DEVICE_FD  the name is read like strndup_user(arg,
 *                             PAGE_SIZE) (EFAULT, EINVAL when longer); the
 *                             host finds the device among the group's
 *                             VFIO-bound devices with the driver's match
 *                             (ENODEV when none); the group must be in a
 *                             container (EINVAL) whose IOMMU is set
 *                             (EINVAL); the device's first open takes a
 *                             container user and runs the driver's
 *                             open_device; more opens only count.  A group
 *                             that joined an iommufd instead binds the
 *                             device to it at first open and attaches it to
 *                             its compatibility IOAS (device_cdev.c's
 *                             binding); the last close unbinds.
 *   close                     the last close runs close_device and gives
 *                             the container user back.
 *   VFIO_DEVICE_FEATURE       the core's envelope (argsz, flags, GET/SET);
 *                             no migration or dirty logging (ENOTTY); other
 *                             features go to the driver (vfio-pci: ENOTTY)
 *                             or are EINVAL (vfio-platform has no op).
 *   other ioctls, read/write, mmap   the driver's (device_pci.c,
 *                             device_platform.c).
 *   the cdev path             VFIO_DEVICE_BIND_IOMMUFD and
 *                             ATTACH/DETACH_IOMMUFD_PT are device_cdev.c's;
 *                             a file opened through the cdev answers EINVAL
 *                             to everything else (ioctls, read, write,
 *                             mmap) until it is bound.  BIND on a file
 *                             opened through the group is EINVAL, ATTACH
 *                             and DETACH go to its driver (ENOTTY).
 *
 * Devices live in a registry keyed by core device, created by the first
 * opener and freed when the last reference goes (the kernel keeps a
 * registered vfio_device while the driver is bound; since an unopened
 * device has no state a program can see, creating it at first open is
 * equivalent and needs no help from the host's creation).
 *
 * Locking: devices_lock protects the registry and every device's refs and
 * is taken alone.  The group's lock, then vdev->lock, then the container's
 * group_lock (device_priv.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "device_priv.h"
#include "topo/topo.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/uaccess.h"

static struct ims_mutex devices_lock;
static struct ims_list devices = IMS_LIST_INIT(devices);
static pthread_once_t devices_once = PTHREAD_ONCE_INIT;

static void devices_init(void)
{
	ims_mutex_init(&devices_lock);
}

static void lock_devices(void)
{
	pthread_once(&devices_once, devices_init);
	ims_mutex_lock(&devices_lock);
}

size_t ims_vfio_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- the registry ---- */

static struct ims_vfio_device *lookup(struct ims_device *dev)
{
	struct ims_vfio_device *vdev;

	ims_assert_held(&devices_lock);
	ims_list_for_each_entry(vdev, &devices, node)
		if (vdev->dev == dev)
			return vdev;
	return NULL;
}

/* What the core knows, for hosts built without a platform. */
static void desc_from_core(struct ims_topo_device *d, struct ims_device *dev)
{
	memset(d, 0, sizeof(*d));
	d->name = dev->name;
	d->bus = dev->bus;
	d->pci.segment = dev->pci.segment;
	d->pci.bus = dev->pci.bus;
	d->pci.devfn = dev->pci.devfn;
	d->pci.vendor = dev->pci.vendor;
	d->pci.device = dev->pci.device;
	d->pci.class_code = dev->pci.class_code;
	d->pci.bridge = dev->pci.bridge;
	d->pci.multifunction = dev->pci.multifunction;
}

static struct ims_vfio_device *vdev_new(struct ims_device *dev,
					const struct ims_topo_device *desc)
{
	struct ims_vfio_device *vdev = ims_zalloc(sizeof(*vdev));

	if (!vdev)
		return NULL;
	vdev->dev = dev;
	if (desc)
		vdev->desc = *desc;
	else
		desc_from_core(&vdev->desc, dev);
	vdev->ops = dev->bus == IMS_BUS_PCI ? &ims_vfio_pci_ops : &ims_vfio_platform_ops;
	ims_mutex_init(&vdev->lock);
	return vdev;
}

/* A reference to @dev's device, created if needed; NULL on ENOMEM. */
struct ims_vfio_device *ims_vfio_vdev_get(struct ims_device *dev,
					  const struct ims_topo_device *desc)
{
	struct ims_vfio_device *vdev;

	lock_devices();
	vdev = lookup(dev);
	if (!vdev) {
		vdev = vdev_new(dev, desc);
		if (vdev)
			ims_list_add_tail(&vdev->node, &devices);
	}
	if (vdev)
		vdev->refs++;
	ims_mutex_unlock(&devices_lock);
	return vdev;
}

/* A reference to @dev's device if it exists. */
static struct ims_vfio_device *vdev_find(struct ims_device *dev)
{
	struct ims_vfio_device *vdev;

	lock_devices();
	vdev = lookup(dev);
	if (vdev)
		vdev->refs++;
	ims_mutex_unlock(&devices_lock);
	return vdev;
}

void ims_vfio_vdev_put(struct ims_vfio_device *vdev)
{
	bool last;

	lock_devices();
	last = --vdev->refs == 0;
	if (last)
		ims_list_del(&vdev->node);
	ims_mutex_unlock(&devices_lock);
	if (!last)
		return;
	ims_mutex_destroy(&vdev->lock);
	ims_free(vdev);
}

/* ---- the name ---- */

char *ims_vfio_device_name_from_user(const void *arg)
{
	size_t page = ims_vfio_page_size(), len = 0;
	char *buf = ims_malloc(page);

	if (!buf)
		return ERR_PTR(-ENOMEM);
	/* Read page by page so that a string ending before a hole is fine. */
	while (len < page) {
		size_t chunk = page - ((uintptr_t)arg + len) % page;

		chunk = IMS_MIN(chunk, page - len);
		if (ims_copy_from_user(buf + len, (const char *)arg + len, chunk)) {
			ims_free(buf);
			return ERR_PTR(-EFAULT);
		}
		if (memchr(buf + len, '\0', chunk))
			return buf;
		len += chunk;
	}
	ims_free(buf);
	return ERR_PTR(-EINVAL);
}

/*
 * vfio-pci's options after the name [vfio_pci_core_match]: spaces, then
 * the only option it knows, "vf_token=<uuid>", which it refuses with
 * EINVAL for a function that is neither an SR-IOV PF nor a VF ("VF token
 * incorrectly provided") - and no function here is.  Anything else after
 * the spaces is an unknown option (EINVAL); no space after the name is no
 * match.
 */
static int pci_options(const char *opt)
{
	if (*opt != ' ')
		return 0;
	while (*opt == ' ')
		opt++;
	return *opt ? -EINVAL : 1;
}

int ims_vfio_device_match(struct ims_device *dev, const char *buf)
{
	size_t n = strlen(dev->name);

	if (dev->bus != IMS_BUS_PCI)
		return !strcmp(dev->name, buf);
	if (dev->pci.bridge || strncmp(dev->name, buf, n))
		return 0;
	return buf[n] ? pci_options(buf + n) : 1;
}

/* ---- open and close ---- */

/*
 * First open through a group that joined an iommufd [vfio_df_group_open]:
 * bound to it, then attached to its compatibility IOAS (the legacy path
 * cannot say which HWPT it got).
 */
static int first_open_iommufd(struct ims_vfio_device *vdev, struct ims_vfio_group *vg)
{
	uint32_t devid, ioas;
	int ret = ims_vfio_iommufd_open(vdev, vg->iommufd, &devid);

	if (ret)
		return ret;
	ret = ims_iommufd_vfio_compat_ioas_get_id(vg->iommufd, &ioas);
	if (!ret)
		ret = ims_vfio_iommufd_attach_rid(vdev, &ioas);
	if (ret)
		ims_vfio_iommufd_close(vdev);
	return ret;
}

/* First open through a group [vfio_df_group_open, vfio_device_first_open]. */
static int first_open(struct ims_vfio_device *vdev, struct ims_vfio_group *vg)
{
	struct ims_vfio_container *c = vg->container;
	int ret;

	if (!c)
		return first_open_iommufd(vdev, vg);
	ims_mutex_lock(&c->group_lock);
	ret = c->iommu ? 0 : -EINVAL;   /* SET_IOMMU not done yet */
	if (!ret)
		vg->container_users++;
	ims_mutex_unlock(&c->group_lock);
	if (ret)
		return ret;
	ret = vdev->ops->open_device(vdev);
	if (ret) {
		ims_mutex_lock(&c->group_lock);
		vg->container_users--;
		ims_mutex_unlock(&c->group_lock);
	}
	return ret;
}

static int open_locked(struct ims_vfio_device *vdev, struct ims_vfio_group *vg)
{
	int ret = 0;

	ims_assert_held(&vg->lock);
	if (!vg->container && !vg->iommufd)
		return -EINVAL;
	ims_mutex_lock(&vdev->lock);
	if (!vdev->open_count)
		ret = first_open(vdev, vg);
	if (!ret)
		vdev->open_count++;
	ims_mutex_unlock(&vdev->lock);
	return ret;
}

struct ims_vfio_device_file *ims_vfio_device_open_group(struct ims_vfio_group *vg,
							struct ims_device *dev,
							const struct ims_topo_device *desc)
{
	struct ims_vfio_device_file *df = ims_zalloc(sizeof(*df));
	int ret = -ENOMEM;

	if (!df)
		return ERR_PTR(-ENOMEM);
	df->vdev = ims_vfio_vdev_get(dev, desc);
	if (!df->vdev)
		goto err_free;
	ims_mutex_lock(&vg->lock);
	ret = open_locked(df->vdev, vg);
	ims_mutex_unlock(&vg->lock);
	if (ret)
		goto err_put;
	df->group = vg;
	df->access_granted = true;
	return df;

err_put:
	ims_vfio_vdev_put(df->vdev);
err_free:
	ims_free(df);
	return ERR_PTR(ret);
}

void ims_vfio_device_file_release(struct ims_vfio_device_file *df)
{
	struct ims_vfio_device *vdev = df->vdev;
	struct ims_vfio_group *vg = df->group;
	struct ims_vfio_container *c;

	if (!vg) {
		ims_vfio_cdev_release(df);
		return;
	}
	ims_mutex_lock(&vg->lock);
	ims_mutex_lock(&vdev->lock);
	c = vg->container;
	if (vdev->open_count == 1 && vdev->idev) {
		ims_vfio_iommufd_close(vdev);   /* opened while the group was in an iommufd */
	} else if (vdev->open_count == 1) {
		vdev->ops->close_device(vdev);
		ims_mutex_lock(&c->group_lock);
		vg->container_users--;
		ims_mutex_unlock(&c->group_lock);
	}
	vdev->open_count--;
	ims_mutex_unlock(&vdev->lock);
	ims_mutex_unlock(&vg->lock);
	ims_vfio_vdev_put(vdev);
	ims_free(df);
}

/* ---- calls on an open file ---- */

#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9   /* Linux 6.2; the build's headers are 6.1 */
#endif

/* Features the VFIO core answers itself: migration and DMA logging. */
static bool core_feature(uint32_t feature)
{
	return feature == VFIO_DEVICE_FEATURE_MIGRATION ||
	       feature == VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE ||
	       feature == VFIO_DEVICE_FEATURE_DMA_LOGGING_START ||
	       feature == VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP ||
	       feature == VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT ||
	       feature == VFIO_DEVICE_FEATURE_MIG_DATA_SIZE;
}

/* VFIO_DEVICE_FEATURE [vfio_ioctl_device_feature]: no device here can
 * migrate, log dirty pages or enter low power, so every feature that gets
 * past the envelope is ENOTTY (or EINVAL from a driver without the op). */
static long device_feature(struct ims_vfio_device *vdev, void *arg)
{
	const size_t minsz = offsetof(struct vfio_device_feature, flags) + sizeof(uint32_t);
	const uint32_t known = VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_GET |
			       VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PROBE;
	struct vfio_device_feature f;

	if (ims_copy_from_user(&f, arg, minsz))
		return -EFAULT;
	if (f.argsz < minsz || (f.flags & ~known))
		return -EINVAL;
	if (!(f.flags & VFIO_DEVICE_FEATURE_PROBE) && (f.flags & VFIO_DEVICE_FEATURE_SET) &&
	    (f.flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;
	if (core_feature(f.flags & VFIO_DEVICE_FEATURE_MASK))
		return -ENOTTY;
	return vdev->ops->device_feature ? -ENOTTY : -EINVAL;
}

/* Bound through the cdev, or opened through the group: access is granted. */
static bool granted(struct ims_vfio_device_file *df)
{
	return __atomic_load_n(&df->access_granted, __ATOMIC_ACQUIRE);
}

/* [vfio_device_fops_unl_ioctl]: BIND first, then nothing until bound. */
long ims_vfio_device_ioctl(struct ims_vfio_device_file *df, unsigned long cmd, void *arg)
{
	struct ims_vfio_device *vdev = df->vdev;
	long ret;

	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return ims_vfio_cdev_bind(df, arg);
	if (!granted(df))
		return -EINVAL;
	if (!df->group && cmd == VFIO_DEVICE_ATTACH_IOMMUFD_PT)
		return ims_vfio_cdev_attach(df, arg);
	if (!df->group && cmd == VFIO_DEVICE_DETACH_IOMMUFD_PT)
		return ims_vfio_cdev_detach(df, arg);
	ims_mutex_lock(&vdev->lock);
	if (cmd == VFIO_DEVICE_FEATURE)
		ret = device_feature(vdev, arg);
	else
		ret = vdev->ops->ioctl(vdev, cmd, arg);
	ims_mutex_unlock(&vdev->lock);
	return ret;
}

ssize_t ims_vfio_device_rw(struct ims_vfio_device_file *df, void *buf, size_t count,
			   int64_t *pos, bool write)
{
	struct ims_vfio_device *vdev = df->vdev;
	ssize_t ret;

	if (!granted(df))
		return -EINVAL;
	ims_mutex_lock(&vdev->lock);
	ret = vdev->ops->rw(vdev, buf, count, pos, write);
	ims_mutex_unlock(&vdev->lock);
	return ret;
}

/* The mmap(2) checks before the driver's [ksys_mmap_pgoff, do_mmap]. */
int ims_vfio_device_mmap_check(struct ims_vfio_device_file *df, uint64_t offset,
			       size_t length, int prot)
{
	struct ims_vfio_device *vdev = df->vdev;
	uint64_t page = ims_vfio_page_size(), len;
	int ret;

	(void)prot;   /* the file is open for reading and writing */
	if (!length || (offset & (page - 1)))
		return -EINVAL;
	len = ((uint64_t)length + page - 1) & ~(page - 1);
	if (!len || offset + len < offset)
		return -EOVERFLOW;
	if (!granted(df))
		return -EINVAL;
	ims_mutex_lock(&vdev->lock);
	ret = vdev->ops->mmap(vdev, offset, len);
	ims_mutex_unlock(&vdev->lock);
	return ret;
}

int ims_vfio_device_memfd(struct ims_vfio_device_file *df)
{
	struct ims_vfio_device *vdev = df->vdev;
	int fd;

	ims_mutex_lock(&vdev->lock);
	fd = vdev->pci ? vdev->pci->ep->memfd : -1;
	ims_mutex_unlock(&vdev->lock);
	return fd;
}

int ims_vfio_device_raise(struct ims_device *dev, unsigned int index, unsigned int vector,
			  bool level)
{
	struct ims_vfio_device *vdev = vdev_find(dev);
	int ret = -ENODEV;

	if (!vdev)
		return -ENODEV;
	ims_mutex_lock(&vdev->lock);
	if (vdev->open_count && vdev->ops->raise)
		ret = vdev->ops->raise(vdev, index, vector, level);
	ims_mutex_unlock(&vdev->lock);
	ims_vfio_vdev_put(vdev);
	return ret;
}

/* ---- helpers of the drivers ---- */

/*
 * An eventfd named by the user [eventfd_ctx_fdget]: EBADF for a bad fd,
 * EINVAL for another kind of file.  We keep our own duplicate, as the
 * kernel keeps a reference: the user may close theirs.  Without /proc the
 * kind cannot be checked and any open fd is taken.
 */
int ims_vfio_eventfd_get(int fd)
{
	char path[32], link[32];
	ssize_t n;
	int dup;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n >= 0) {
		link[n] = '\0';
		if (strcmp(link, "anon_inode:[eventfd]"))
			return -EINVAL;
	}
	if (ims_should_fail())
		return -ENOMEM;
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return dup < 0 ? -errno : dup;
}

void ims_vfio_eventfd_put(int *efd)
{
	if (*efd >= 0)
		close(*efd);
	*efd = -1;
}

void ims_vfio_eventfd_signal(int efd)
{
	uint64_t one = 1;

	if (efd >= 0 && write(efd, &one, sizeof(one)) < 0)
		ims_dbg(IMS_LOG_VFIO, "eventfd %d: signal lost", efd);
}

/* Append a capability [vfio_info_cap_add]; offsets are from buf[0] until
 * the caller shifts them past its info struct. */
void *ims_vfio_cap_add(struct ims_vfio_caps *caps, size_t size, uint16_t id,
		       uint16_t version)
{
	struct vfio_info_cap_header *h, *tail;

	size = (size + 7) & ~(size_t)7;
	if (caps->size + size > sizeof(caps->buf))
		return NULL;
	h = (void *)(caps->buf + caps->size);
	memset(h, 0, size);
	h->id = id;
	h->version = version;
	if (caps->size) {
		for (tail = (void *)caps->buf; tail->next; tail = (void *)(caps->buf + tail->next))
			;
		tail->next = (uint32_t)caps->size;
	}
	caps->size += size;
	return h;
}

long ims_vfio_caps_copy(struct ims_vfio_caps *caps, void *arg, size_t info_size,
			uint32_t *argsz)
{
	struct vfio_info_cap_header *h;

	if (*argsz < info_size + caps->size) {
		*argsz = (uint32_t)(info_size + caps->size);
		return 0;
	}
	for (h = (void *)caps->buf; h->next; h = (void *)(caps->buf + h->next - info_size))
		h->next += (uint32_t)info_size;
	if (ims_copy_to_user((char *)arg + info_size, caps->buf, caps->size))
		return -EFAULT;
	return (long)info_size;
}
