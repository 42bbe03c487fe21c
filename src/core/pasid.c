// SPDX-License-Identifier: MIT
/*
 * PASID attach (kernel-semantics 2.7): a second translation context per
 * device, addressed by a PASID.  The group keeps one (pasid, domain) entry
 * per attached PASID and applies it to every device of the group, undoing
 * the devices already done if one fails.
 *
 * Context: group->mutex protects group->pasids.
 */
#include <errno.h>
#include <string.h>

#include "core-priv.h"
#include "util/alloc.h"

#define IMS_NO_PASID 0

static struct ims_pasid_attach *find_pasid(struct ims_group *group, uint32_t pasid)
{
	for (size_t i = 0; i < group->nr_pasids; i++)
		if (group->pasids[i].pasid == pasid)
			return &group->pasids[i];
	return NULL;
}

static int check_pasid(struct ims_domain *domain, struct ims_device *dev, uint32_t pasid)
{
	struct ims_device *member;

	if (IS_ERR_OR_NULL(domain) || !dev)
		return -EINVAL;
	if (!domain->ops->set_dev_pasid)
		return -EOPNOTSUPP;
	if (!dev->group)
		return -ENODEV;
	if (!dev->iommu || !ims_domain_owned_by(domain, dev->iommu->ops) ||
	    pasid == IMS_NO_PASID)
		return -EINVAL;
	ims_group_for_each_device(dev->group, member)
		if (pasid >= member->max_pasids)
			return -EINVAL;
	return 0;
}

/* Set @pasid of every device to @domain; on failure put back @old (or remove). */
static int group_set_pasid(struct ims_group *group, struct ims_domain *domain,
			   uint32_t pasid, struct ims_domain *old)
{
	struct ims_device *dev, *failed;
	int ret = 0;

	ims_group_for_each_device(group, dev) {
		ret = domain->ops->set_dev_pasid(domain, dev, pasid, old);
		if (ret)
			break;
	}
	if (!ret)
		return 0;
	failed = dev;
	ims_group_for_each_device(group, dev) {
		if (dev == failed)
			break;
		if (old)
			old->ops->set_dev_pasid(old, dev, pasid, domain);
		else if (domain->ops->remove_dev_pasid)
			domain->ops->remove_dev_pasid(dev, pasid, domain);
	}
	return ret;
}

static int add_pasid_entry(struct ims_group *group, uint32_t pasid, struct ims_domain *domain)
{
	struct ims_pasid_attach *p = ims_realloc_array(group->pasids, group->nr_pasids + 1,
						       sizeof(*p));

	if (!p)
		return -ENOMEM;
	group->pasids = p;
	p[group->nr_pasids++] = (struct ims_pasid_attach){ .pasid = pasid, .domain = domain };
	return 0;
}

int ims_attach_device_pasid(struct ims_domain *domain, struct ims_device *dev, uint32_t pasid)
{
	struct ims_group *group;
	int ret;

	ret = check_pasid(domain, dev, pasid);
	if (ret)
		return ret;
	group = dev->group;
	ims_mutex_lock(&group->mutex);
	if (group->resetting_domain)
		ret = -EBUSY;
	else if (find_pasid(group, pasid))
		ret = -EBUSY;
	else
		ret = add_pasid_entry(group, pasid, domain);
	if (!ret) {
		ret = group_set_pasid(group, domain, pasid, NULL);
		if (ret)
			group->nr_pasids--;
	}
	ims_mutex_unlock(&group->mutex);
	return ret;
}

int ims_replace_device_pasid(struct ims_domain *domain, struct ims_device *dev, uint32_t pasid)
{
	struct ims_pasid_attach *entry;
	struct ims_group *group;
	int ret;

	ret = check_pasid(domain, dev, pasid);
	if (ret)
		return ret;
	group = dev->group;
	ims_mutex_lock(&group->mutex);
	entry = find_pasid(group, pasid);
	if (group->resetting_domain)
		ret = -EBUSY;
	else if (!entry)
		ret = -EINVAL;
	else if (entry->domain != domain)
		ret = group_set_pasid(group, domain, pasid, entry->domain);
	if (!ret && entry)
		entry->domain = domain;
	ims_mutex_unlock(&group->mutex);
	return ret;
}

void ims_detach_device_pasid(struct ims_domain *domain, struct ims_device *dev, uint32_t pasid)
{
	struct ims_group *group = dev ? dev->group : NULL;
	struct ims_pasid_attach *entry;
	struct ims_device *member;

	if (!group)
		return;
	ims_mutex_lock(&group->mutex);
	entry = find_pasid(group, pasid);
	if (entry && entry->domain == domain) {
		if (domain->ops->remove_dev_pasid)
			ims_group_for_each_device(group, member)
				domain->ops->remove_dev_pasid(member, pasid, domain);
		*entry = group->pasids[--group->nr_pasids];
	}
	ims_mutex_unlock(&group->mutex);
}

struct ims_domain *ims_get_domain_for_dev_pasid(struct ims_device *dev, uint32_t pasid)
{
	struct ims_pasid_attach *entry;
	struct ims_domain *domain;

	if (!dev || !dev->group)
		return NULL;
	ims_mutex_lock(&dev->group->mutex);
	entry = find_pasid(dev->group, pasid);
	domain = entry ? entry->domain : NULL;
	ims_mutex_unlock(&dev->group->mutex);
	return domain;
}
