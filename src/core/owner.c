// SPDX-License-Identifier: MIT
/*
 * DMA ownership (kernel-semantics 2.6).
 *
 * owner_cnt counts either kernel drivers using the default domain or claims
 * of one external owner (VFIO, iommufd), never both.  Taking ownership moves
 * the group to its blocking domain, which fails with EINVAL when a device
 * needs its direct mappings; releasing the last claim returns the group to
 * its default domain.
 */
#include <errno.h>

#include "core-priv.h"

int ims_device_use_default_domain(struct ims_device *dev)
{
	struct ims_group *group = dev->group;
	int ret = 0;

	if (!group)
		return 0;
	ims_mutex_lock(&group->mutex);
	if (group->owner_cnt && (group->domain != group->default_domain ||
				 group->owner || group->nr_pasids))
		ret = -EBUSY;
	else
		group->owner_cnt++;
	ims_mutex_unlock(&group->mutex);
	if (!ret)
		dev->kernel_users++;
	return ret;
}

void ims_device_unuse_default_domain(struct ims_device *dev)
{
	struct ims_group *group = dev->group;

	if (!group || !dev->kernel_users)
		return;
	ims_mutex_lock(&group->mutex);
	if (group->owner_cnt && !group->owner)
		group->owner_cnt--;
	ims_mutex_unlock(&group->mutex);
	dev->kernel_users--;
}

static int __take_dma_ownership(struct ims_group *group, const void *owner)
{
	int ret;

	if ((group->domain && group->domain != group->default_domain) || group->nr_pasids)
		return -EBUSY;
	ret = __ims_group_alloc_blocking_domain(group);
	if (ret)
		return ret;
	ret = __ims_group_set_domain(group, group->blocking_domain);
	if (ret)
		return ret;
	group->owner = owner;
	group->owner_cnt++;
	return 0;
}

int ims_group_claim_dma_owner(struct ims_group *group, const void *owner)
{
	int ret;

	if (!group || !owner)
		return -EINVAL;
	ims_mutex_lock(&group->mutex);
	ret = group->owner_cnt ? -EPERM : __take_dma_ownership(group, owner);
	ims_mutex_unlock(&group->mutex);
	return ret;
}

int ims_device_claim_dma_owner(struct ims_device *dev, const void *owner)
{
	struct ims_group *group;
	int ret = 0;

	if (!owner)
		return -EINVAL;
	group = dev ? dev->group : NULL;
	if (!group)
		return -ENODEV;
	ims_mutex_lock(&group->mutex);
	if (group->owner_cnt) {
		if (group->owner != owner)
			ret = -EPERM;
		else
			group->owner_cnt++;
	} else {
		ret = __take_dma_ownership(group, owner);
	}
	ims_mutex_unlock(&group->mutex);
	return ret;
}

static void __release_dma_ownership(struct ims_group *group)
{
	if (!group->owner_cnt || !group->owner || group->nr_pasids)
		return;
	group->owner_cnt = 0;
	group->owner = NULL;
	__ims_group_set_domain_nofail(group, group->default_domain);
}

void ims_group_release_dma_owner(struct ims_group *group)
{
	if (!group)
		return;
	ims_mutex_lock(&group->mutex);
	__release_dma_ownership(group);
	ims_mutex_unlock(&group->mutex);
}

void ims_device_release_dma_owner(struct ims_device *dev)
{
	struct ims_group *group = dev ? dev->group : NULL;

	if (!group)
		return;
	ims_mutex_lock(&group->mutex);
	if (group->owner_cnt > 1)
		group->owner_cnt--;
	else
		__release_dma_ownership(group);
	ims_mutex_unlock(&group->mutex);
}

bool ims_group_dma_owner_claimed(struct ims_group *group)
{
	bool claimed;

	ims_mutex_lock(&group->mutex);
	claimed = group->owner_cnt != 0;
	ims_mutex_unlock(&group->mutex);
	return claimed;
}
