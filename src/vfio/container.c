// SPDX-License-Identifier: MIT
/*
 * /dev/vfio/vfio: the container (kernel-semantics 4.1).
 *
 * Ioctl table of an open container:
 *
 *   VFIO_GET_API_VERSION   VFIO_API_VERSION
 *   VFIO_CHECK_EXTENSION   the backend's answer (or type1's before SET_IOMMU)
 *   VFIO_SET_IOMMU         open type1 for the requested type and attach every
 *                          group: EINVAL without groups or when already set,
 *                          ENODEV for a type no backend offers, EINVAL for
 *                          an extension that is not a type (UNMAP_ALL)
 *   anything else          the backend's ioctl once set (ENOTTY for unknown
 *                          commands), EINVAL before
 *
 * The container lives while its fd is open or a group is in it.
 */
#include <errno.h>
#include <linux/vfio.h>

#include "util/alloc.h"
#include "vfio.h"

struct ims_vfio_container *ims_vfio_container_open(const struct ims_vfio_env *env)
{
	struct ims_vfio_container *c = ims_zalloc(sizeof(*c));

	if (!c)
		return NULL;
	c->env = env;
	c->users = 1;
	ims_mutex_init(&c->group_lock);
	ims_list_init(&c->groups);
	return c;
}

void ims_vfio_container_put(struct ims_vfio_container *c)
{
	bool last;

	ims_mutex_lock(&c->group_lock);
	last = --c->users == 0;
	ims_mutex_unlock(&c->group_lock);
	if (!last)
		return;
	ims_vfio_type1_release(c->iommu);
	ims_mutex_destroy(&c->group_lock);
	ims_free(c);
}

static int check_extension(struct ims_vfio_container *c, unsigned long arg)
{
	int ret;

	ims_mutex_lock(&c->group_lock);
	ret = ims_vfio_type1_check_extension(c->iommu, arg, c->env->core->facts);
	ims_mutex_unlock(&c->group_lock);
	return ret;
}

/* Attach every group of the container to a fresh backend, or none. */
static int attach_all(struct ims_vfio_container *c, struct ims_vfio_type1 *iommu)
{
	struct ims_vfio_group *vg;
	int ret = 0;

	ims_list_for_each_entry(vg, &c->groups, container_node) {
		ret = ims_vfio_type1_attach_group(iommu, vg->group);
		if (ret)
			break;
	}
	if (!ret)
		return 0;
	ims_list_for_each_entry_continue_reverse(vg, &c->groups, container_node)
		ims_vfio_type1_detach_group(iommu, vg->group);
	return ret;
}

static int set_iommu(struct ims_vfio_container *c, unsigned long type)
{
	struct ims_vfio_type1 *iommu;
	int ret;

	ims_mutex_lock(&c->group_lock);
	if (ims_list_empty(&c->groups) || c->iommu) {
		ret = -EINVAL;
	} else if (ims_vfio_type1_check_extension(NULL, type, c->env->core->facts) <= 0) {
		ret = -ENODEV; /* no backend offers this type */
	} else {
		iommu = ims_vfio_type1_open(c->env, type);
		ret = IS_ERR(iommu) ? (int)PTR_ERR(iommu) : attach_all(c, iommu);
		if (!ret)
			c->iommu = iommu;
		else if (!IS_ERR(iommu))
			ims_vfio_type1_release(iommu);
	}
	ims_mutex_unlock(&c->group_lock);
	return ret;
}

long ims_vfio_container_ioctl(struct ims_vfio_container *c, unsigned long cmd, void *arg)
{
	long ret;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return check_extension(c, (unsigned long)arg);
	case VFIO_SET_IOMMU:
		return set_iommu(c, (unsigned long)arg);
	default:
		/* The backend cannot go away while the container lock is held. */
		ims_mutex_lock(&c->group_lock);
		ret = c->iommu ? ims_vfio_type1_ioctl(c->iommu, cmd, arg) : -EINVAL;
		ims_mutex_unlock(&c->group_lock);
		return ret;
	}
}
