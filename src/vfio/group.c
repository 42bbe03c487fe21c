// SPDX-License-Identifier: MIT
/*
 * /dev/vfio/<N>: VFIO groups (kernel-semantics 4.1, peers 0).
 *
 *   GET_STATUS       VIABLE when no one else owns the group's DMA (a device
 *                    bound to a kernel driver makes it not viable);
 *                    CONTAINER_SET | VIABLE once in a container
 *   SET_CONTAINER    EINVAL when already in one; claims DMA ownership for
 *                    the group (EPERM with kernel-driver users, EINVAL for a
 *                    require-direct device, EBUSY); attaches the group to
 *                    the container's backend when it has one (its errno is
 *                    returned and the claim released on failure)
 *   UNSET_CONTAINER  EINVAL when not in one; EBUSY while device fds are open
 *
 * SET_CONTAINER may also name an iommufd: the group then joins that
 * context (its VFIO compatibility IOAS is created if needed) and DMA
 * ownership is claimed later, device by device, when device fds open.
 *
 * Only one open of a group at a time (EBUSY), as in the kernel, and none
 * while a device of the group is bound through its cdev
 * (/dev/vfio/devices/vfioN, device_cdev.c): the two paths exclude each
 * other with EBUSY both ways.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>

#include "util/alloc.h"
#include "util/uaccess.h"
#include "vfio.h"

struct ims_vfio_group *ims_vfio_group_new(const struct ims_vfio_env *env,
					  struct ims_group *group)
{
	struct ims_vfio_group *vg = ims_zalloc(sizeof(*vg));

	if (!vg)
		return NULL;
	vg->env = env;
	vg->group = group;
	ims_mutex_init(&vg->lock);
	ims_list_init(&vg->container_node);
	return vg;
}

void ims_vfio_group_free(struct ims_vfio_group *vg)
{
	if (!vg)
		return;
	ims_mutex_destroy(&vg->lock);
	ims_free(vg);
}

int ims_vfio_group_open(struct ims_vfio_group *vg)
{
	int ret = 0;

	ims_mutex_lock(&vg->lock);
	if (vg->opened || vg->cdev_binds)
		ret = -EBUSY;
	else
		vg->opened = true;
	ims_mutex_unlock(&vg->lock);
	return ret;
}

int ims_vfio_group_block(struct ims_vfio_group *vg)
{
	int ret = 0;

	ims_mutex_lock(&vg->lock);
	if (vg->opened)
		ret = -EBUSY;
	else
		vg->cdev_binds++;
	ims_mutex_unlock(&vg->lock);
	return ret;
}

void ims_vfio_group_unblock(struct ims_vfio_group *vg)
{
	ims_mutex_lock(&vg->lock);
	vg->cdev_binds--;
	ims_mutex_unlock(&vg->lock);
}

/* Leave the container: detach from its backend, release ownership. */
static void detach_container(struct ims_vfio_group *vg)
{
	struct ims_vfio_container *c = vg->container;

	ims_mutex_lock(&c->group_lock);
	if (c->iommu)
		ims_vfio_type1_detach_group(c->iommu, vg->group);
	ims_group_release_dma_owner(vg->group);
	ims_list_del(&vg->container_node);
	if (ims_list_empty(&c->groups) && c->iommu) {
		ims_vfio_type1_release(c->iommu);
		c->iommu = NULL;
	}
	vg->container = NULL;
	vg->container_users = 0;
	ims_mutex_unlock(&c->group_lock);
	ims_vfio_container_put(c);
}

static void leave_iommufd(struct ims_vfio_group *vg)
{
	ims_iommufd_ctx_put(vg->iommufd);
	vg->iommufd = NULL;
}

void ims_vfio_group_release(struct ims_vfio_group *vg)
{
	ims_mutex_lock(&vg->lock);
	if (vg->container)
		detach_container(vg);
	if (vg->iommufd)
		leave_iommufd(vg);
	vg->opened = false;
	ims_mutex_unlock(&vg->lock);
}

bool ims_vfio_group_viable(struct ims_vfio_group *vg)
{
	return !ims_group_dma_owner_claimed(vg->group);
}

long ims_vfio_group_get_status(struct ims_vfio_group *vg, void *arg)
{
	const size_t minsz = offsetof(struct vfio_group_status, flags) + sizeof(uint32_t);
	struct vfio_group_status status;

	if (ims_copy_from_user(&status, arg, minsz))
		return -EFAULT;
	if (status.argsz < minsz)
		return -EINVAL;
	status.flags = 0;
	ims_mutex_lock(&vg->lock);
	if (vg->container || vg->iommufd)
		status.flags = VFIO_GROUP_FLAGS_CONTAINER_SET | VFIO_GROUP_FLAGS_VIABLE;
	else if (ims_vfio_group_viable(vg))
		status.flags = VFIO_GROUP_FLAGS_VIABLE;
	ims_mutex_unlock(&vg->lock);
	return ims_copy_to_user(arg, &status, minsz) ? -EFAULT : 0;
}

static int attach_to(struct ims_vfio_group *vg, struct ims_vfio_container *c)
{
	int ret;

	ims_mutex_lock(&c->group_lock);
	ret = ims_group_claim_dma_owner(vg->group, vg);
	if (!ret && c->iommu) {
		ret = ims_vfio_type1_attach_group(c->iommu, vg->group);
		if (ret)
			ims_group_release_dma_owner(vg->group);
	}
	if (!ret) {
		ims_list_add_tail(&vg->container_node, &c->groups);
		c->users++;
		vg->container = c;
		vg->container_users = 1;
	}
	ims_mutex_unlock(&c->group_lock);
	return ret;
}

int ims_vfio_group_set_container(struct ims_vfio_group *vg, struct ims_vfio_container *c)
{
	int ret;

	ims_mutex_lock(&vg->lock);
	ret = vg->container || vg->iommufd ? -EINVAL : attach_to(vg, c);
	ims_mutex_unlock(&vg->lock);
	return ret;
}

int ims_vfio_group_set_iommufd(struct ims_vfio_group *vg, struct ims_iommufd_ctx *ictx)
{
	int ret;

	ims_mutex_lock(&vg->lock);
	ret = vg->container || vg->iommufd ? -EINVAL : ims_iommufd_vfio_compat_ioas_create(ictx);
	if (!ret) {
		ims_iommufd_ctx_get(ictx);
		vg->iommufd = ictx;
	}
	ims_mutex_unlock(&vg->lock);
	return ret;
}

int ims_vfio_group_unset_container(struct ims_vfio_group *vg)
{
	int ret = 0;

	ims_mutex_lock(&vg->lock);
	if (!vg->container && !vg->iommufd)
		ret = -EINVAL;
	else if (vg->container && vg->container_users != 1)
		ret = -EBUSY;
	else if (vg->container)
		detach_container(vg);
	else
		leave_iommufd(vg);
	ims_mutex_unlock(&vg->lock);
	return ret;
}
