// SPDX-License-Identifier: MIT
/*
 * The VFIO device cdev, /dev/vfio/devices/vfioN (kernel device_cdev.c and
 * the "physical" iommufd ops of vfio/iommufd.c; kernel-semantics 5.2-5.3):
 * the device opened without its group, bound to an iommufd and attached
 * to its IOAS or HWPTs by the program.
 *
 *   open                      nothing is checked or claimed; the file
 *                             answers EINVAL to every ioctl but BIND, and
 *                             to read, write and mmap (device.c)
 *   VFIO_DEVICE_BIND_IOMMUFD  argsz below the end of out_devid: EINVAL;
 *                             the rest read as copy_struct_from_user
 *                             (E2BIG, EFAULT); a negative fd or an unknown
 *                             flag: EINVAL; a file opened through the
 *                             group: EINVAL; the group open: EBUSY; this
 *                             file already bound: EINVAL; the VF token
 *                             (vfio-pci: EFAULT for a bad pointer, EINVAL
 *                             since no function here is a PF or VF;
 *                             vfio-platform: EINVAL); the fd: EBADF, or
 *                             EBADFD when it is not /dev/iommu; the device
 *                             open through another file: EINVAL (one bind
 *                             at a time); then iommufd's bind (EINVAL
 *                             without cache coherency, EPERM without
 *                             isolated MSIs, the DMA-ownership errnos) and
 *                             the driver's open; out_devid written back
 *                             (EFAULT undoes the open)
 *   ATTACH_IOMMUFD_PT         argsz below pt_id's end: EINVAL; unknown
 *                             flag: EINVAL; PASID without driver support:
 *                             EOPNOTSUPP, argsz short of pasid: EINVAL;
 *                             attach, or replace when already attached,
 *                             errnos from iommufd unchanged; pt_id written
 *                             back (EFAULT detaches the RID, as the kernel)
 *   DETACH_IOMMUFD_PT         the same argument rules; detaching what is
 *                             not attached is not an error
 *   close                     the driver's close, then every PASID and the
 *                             RID detached, the device unbound, the group
 *                             unblocked
 *
 * The binding itself (ims_vfio_iommufd_open/close/attach_rid) also serves
 * the group path when the group joined an iommufd (device.c).
 *
 * Glossary: "bound" = access granted = the device's one open through a
 * cdev; the RID is the device's requests without PASID.
 *
 * Locking: the group's lock is taken alone to block or unblock it, then
 * vdev->lock for the bind, attach and close, inside which iommufd takes
 * its own locks (device_priv.h).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "device_priv.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/uaccess.h"

#define OFFSETOFEND(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

struct ims_vfio_device_file *ims_vfio_device_open_cdev(struct ims_vfio_group *vg,
						       struct ims_device *dev,
						       const struct ims_topo_device *desc,
						       ims_vfio_iommufd_from_fd from_fd, void *arg)
{
	struct ims_vfio_device_file *df = ims_zalloc(sizeof(*df));

	if (!df)
		return ERR_PTR(-ENOMEM);
	df->vdev = ims_vfio_vdev_get(dev, desc);
	if (!df->vdev) {
		ims_free(df);
		return ERR_PTR(-ENOMEM);
	}
	df->dev_group = vg;
	df->iommufd_from_fd = from_fd;
	df->from_fd_arg = arg;
	return df;
}

/* ---- bind and unbind ---- */

/* [vfio_df_check_token]: no function here is an SR-IOV PF or VF. */
static int check_token(struct ims_vfio_device *vdev, const struct vfio_device_bind_iommufd *bind)
{
	unsigned char uuid[16];

	if (!(bind->flags & VFIO_DEVICE_BIND_FLAG_TOKEN))
		return 0;
	if (!vdev->ops->match_token)
		return -EINVAL;
	if (ims_copy_from_user(uuid, (const void *)(uintptr_t)bind->token_uuid_ptr,
			       sizeof(uuid)))
		return -EFAULT;
	ims_dbg(IMS_LOG_VFIO, "%s: VF token incorrectly provided, not a PF or VF",
		vdev->dev->name);
	return -EINVAL;
}

/* [vfio_df_device_first_open with an iommufd, vfio_iommufd_physical_bind] */
int ims_vfio_iommufd_open(struct ims_vfio_device *vdev, struct ims_iommufd_ctx *ictx,
			  uint32_t *devid)
{
	struct ims_iommufd_device *idev = ims_iommufd_device_bind(ictx, vdev->dev, devid);
	int ret;

	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	vdev->idev = idev;
	ret = vdev->ops->open_device(vdev);
	if (ret) {
		ims_iommufd_device_unbind(idev);
		vdev->idev = NULL;
	}
	return ret;
}

/* [vfio_iommufd_physical_unbind] */
static void unbind(struct ims_vfio_device *vdev)
{
	ims_assert_held(&vdev->lock);
	while (vdev->nr_pasids)
		ims_iommufd_device_detach(vdev->idev, vdev->pasids[--vdev->nr_pasids]);
	ims_free(vdev->pasids);
	vdev->pasids = NULL;
	if (vdev->iommufd_attached) {
		ims_iommufd_device_detach(vdev->idev, IMS_IOMMUFD_NO_PASID);
		vdev->iommufd_attached = false;
	}
	ims_iommufd_device_unbind(vdev->idev);
	vdev->idev = NULL;
}

/* [vfio_df_device_last_close with an iommufd]: the driver, then iommufd. */
void ims_vfio_iommufd_close(struct ims_vfio_device *vdev)
{
	vdev->ops->close_device(vdev);
	unbind(vdev);
}

/* Token, fd, single open [vfio_df_open]; vdev->lock held. */
static int open_bound(struct ims_vfio_device_file *df, const struct vfio_device_bind_iommufd *bind,
		      uint32_t *devid)
{
	struct ims_vfio_device *vdev = df->vdev;
	struct ims_iommufd_ctx *ictx;
	int ret;

	ims_assert_held(&vdev->lock);
	if (df->access_granted)
		return -EINVAL;   /* one file is bound once */
	ret = check_token(vdev, bind);
	if (ret)
		return ret;
	ictx = df->iommufd_from_fd(df->from_fd_arg, bind->iommufd);
	if (IS_ERR(ictx))
		return (int)PTR_ERR(ictx);
	/* Only the group path opens a device more than once. */
	ret = vdev->open_count ? -EINVAL : ims_vfio_iommufd_open(vdev, ictx, devid);
	if (ret) {
		ims_iommufd_ctx_put(ictx);
		return ret;
	}
	vdev->open_count = 1;
	df->iommufd = ictx;
	return 0;
}

static void close_bound(struct ims_vfio_device_file *df)
{
	ims_assert_held(&df->vdev->lock);
	ims_vfio_iommufd_close(df->vdev);
	df->vdev->open_count = 0;
	ims_iommufd_ctx_put(df->iommufd);
	df->iommufd = NULL;
}

/* Read the argument as the kernel does: 0, -EFAULT, -EINVAL, -E2BIG. */
static int read_bind(void *arg, struct vfio_device_bind_iommufd *bind)
{
	const size_t minsz = OFFSETOFEND(struct vfio_device_bind_iommufd, out_devid);
	uint32_t argsz;
	int ret;

	if (ims_copy_from_user(&argsz, arg, sizeof(argsz)))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	ret = ims_copy_struct_from_user(bind, sizeof(*bind), arg, argsz);
	if (ret)
		return ret;
	if (bind->iommufd < 0 || (bind->flags & ~(uint32_t)VFIO_DEVICE_BIND_FLAG_TOKEN))
		return -EINVAL;
	return 0;
}

long ims_vfio_cdev_bind(struct ims_vfio_device_file *df, void *arg)
{
	struct vfio_device_bind_iommufd bind;
	struct ims_vfio_device *vdev = df->vdev;
	uint32_t devid = 0;
	int ret = read_bind(arg, &bind);

	if (ret)
		return ret;
	if (df->group)
		return -EINVAL;   /* only files opened through the cdev bind */
	ret = ims_vfio_group_block(df->dev_group);
	if (ret)
		return ret;
	ims_mutex_lock(&vdev->lock);
	ret = open_bound(df, &bind, &devid);
	if (!ret && ims_copy_to_user((char *)arg + offsetof(struct vfio_device_bind_iommufd,
							  out_devid), &devid, sizeof(devid))) {
		close_bound(df);
		ret = -EFAULT;
	}
	if (!ret)
		__atomic_store_n(&df->access_granted, true, __ATOMIC_RELEASE);
	ims_mutex_unlock(&vdev->lock);
	if (ret)
		ims_vfio_group_unblock(df->dev_group);
	return ret;
}

void ims_vfio_cdev_release(struct ims_vfio_device_file *df)
{
	struct ims_vfio_device *vdev = df->vdev;

	if (df->access_granted) {
		ims_mutex_lock(&vdev->lock);
		close_bound(df);
		ims_mutex_unlock(&vdev->lock);
		ims_vfio_group_unblock(df->dev_group);
	}
	ims_vfio_vdev_put(vdev);
	ims_free(df);
}

/* ---- attach and detach ---- */

/* [vfio_iommufd_physical_attach_ioas]: attach, or replace once attached. */
int ims_vfio_iommufd_attach_rid(struct ims_vfio_device *vdev, uint32_t *pt_id)
{
	int ret;

	if (vdev->iommufd_attached)
		return ims_iommufd_device_replace(vdev->idev, IMS_IOMMUFD_NO_PASID, pt_id);
	ret = ims_iommufd_device_attach(vdev->idev, IMS_IOMMUFD_NO_PASID, pt_id);
	if (!ret)
		vdev->iommufd_attached = true;
	return ret;
}

static void detach_rid(struct ims_vfio_device *vdev)
{
	if (!vdev->iommufd_attached)
		return;
	ims_iommufd_device_detach(vdev->idev, IMS_IOMMUFD_NO_PASID);
	vdev->iommufd_attached = false;
}

static ssize_t find_pasid(const struct ims_vfio_device *vdev, uint32_t pasid)
{
	for (size_t i = 0; i < vdev->nr_pasids; i++)
		if (vdev->pasids[i] == pasid)
			return (ssize_t)i;
	return -1;
}

/* [vfio_iommufd_physical_pasid_attach_ioas] */
static int attach_pasid(struct ims_vfio_device *vdev, uint32_t pasid, uint32_t *pt_id)
{
	uint32_t *grown;
	int ret;

	if (find_pasid(vdev, pasid) >= 0)
		return ims_iommufd_device_replace(vdev->idev, pasid, pt_id);
	grown = ims_realloc_array(vdev->pasids, vdev->nr_pasids + 1, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	vdev->pasids = grown;
	ret = ims_iommufd_device_attach(vdev->idev, pasid, pt_id);
	if (!ret)
		vdev->pasids[vdev->nr_pasids++] = pasid;
	return ret;
}

/* [vfio_iommufd_physical_pasid_detach_ioas] */
static void detach_pasid(struct ims_vfio_device *vdev, uint32_t pasid)
{
	ssize_t i = find_pasid(vdev, pasid);

	if (i < 0)
		return;
	ims_iommufd_device_detach(vdev->idev, pasid);
	vdev->pasids[i] = vdev->pasids[--vdev->nr_pasids];
}

/*
 * The argument of ATTACH (@pasid_flag VFIO_DEVICE_ATTACH_PASID) and DETACH:
 * the fixed part up to @minsz, the pasid field (ending at @xend) only with
 * the flag.  @hdr gets argsz and flags, *@pasid the PASID.
 */
static int read_pt_arg(struct ims_vfio_device *vdev, void *arg, size_t minsz, size_t xend,
		       void *hdr, uint32_t *pasid)
{
	uint32_t *argsz_flags = hdr;

	if (ims_copy_from_user(hdr, arg, minsz))
		return -EFAULT;
	if (argsz_flags[0] < minsz || (argsz_flags[1] & ~1u))
		return -EINVAL;
	if (!(argsz_flags[1] & 1u))
		return 0;
	if (!vdev->ops->pasid_attach)
		return -EOPNOTSUPP;
	if (argsz_flags[0] < xend)
		return -EINVAL;
	return ims_copy_from_user(pasid, (char *)arg + xend - sizeof(*pasid), sizeof(*pasid)) ?
	       -EFAULT : 0;
}

long ims_vfio_cdev_attach(struct ims_vfio_device_file *df, void *arg)
{
	struct vfio_device_attach_iommufd_pt at;
	struct ims_vfio_device *vdev = df->vdev;
	bool pasid;
	int ret;

	_Static_assert(VFIO_DEVICE_ATTACH_PASID == 1, "read_pt_arg's flag");
	ret = read_pt_arg(vdev, arg, OFFSETOFEND(struct vfio_device_attach_iommufd_pt, pt_id),
			  OFFSETOFEND(struct vfio_device_attach_iommufd_pt, pasid), &at, &at.pasid);
	if (ret)
		return ret;
	pasid = at.flags & VFIO_DEVICE_ATTACH_PASID;
	ims_mutex_lock(&vdev->lock);
	ret = pasid ? attach_pasid(vdev, at.pasid, &at.pt_id) :
		      ims_vfio_iommufd_attach_rid(vdev, &at.pt_id);
	if (!ret && ims_copy_to_user((char *)arg + offsetof(struct vfio_device_attach_iommufd_pt,
							  pt_id), &at.pt_id, sizeof(at.pt_id))) {
		detach_rid(vdev);   /* the kernel undoes the RID's attach, even for a PASID */
		ret = -EFAULT;
	}
	ims_mutex_unlock(&vdev->lock);
	return ret;
}

long ims_vfio_cdev_detach(struct ims_vfio_device_file *df, void *arg)
{
	struct vfio_device_detach_iommufd_pt dt;
	struct ims_vfio_device *vdev = df->vdev;
	int ret;

	_Static_assert(VFIO_DEVICE_DETACH_PASID == 1, "read_pt_arg's flag");
	ret = read_pt_arg(vdev, arg, OFFSETOFEND(struct vfio_device_detach_iommufd_pt, flags),
			  OFFSETOFEND(struct vfio_device_detach_iommufd_pt, pasid), &dt, &dt.pasid);
	if (ret)
		return ret;
	ims_mutex_lock(&vdev->lock);
	if (dt.flags & VFIO_DEVICE_DETACH_PASID)
		detach_pasid(vdev, dt.pasid);
	else
		detach_rid(vdev);
	ims_mutex_unlock(&vdev->lock);
	return 0;
}
