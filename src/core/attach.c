// SPDX-License-Identifier: MIT
/*
 * Attach, detach, replace (kernel-semantics 2.4, 2.5, 2.7).
 *
 * Everything funnels into __ims_group_set_domain_internal(), which switches
 * every device of a group to a new domain in list order.  If device k fails,
 * devices 1..k-1 are put back on the group's current domain (with
 * MUST_SUCCEED), group->domain does not change, and device k's errno is
 * returned: the caller sees the driver's answer unchanged, which is what
 * lets VFIO and iommufd tell a soft "incompatible" from a hard failure.
 * Whether the failing device itself is re-attached during that unwind is an
 * era fact (newer kernels assume it never left its old domain).
 *
 * The core's own refusals come before any driver runs: an occupied group
 * (EBUSY), a foreign driver's domain (the profile's errno, where the era
 * checks it), a require-direct device and a blocking domain (EINVAL), a PCI
 * reset in progress (EBUSY).
 *
 * Context: every __ function here runs under group->mutex.
 */
#include <errno.h>
#include <string.h>

#include "core-priv.h"
#include "util/alloc.h"
#include "util/log.h"

static bool is_blocking(struct ims_group *group, struct ims_domain *domain)
{
	return domain->type == IMS_DOMAIN_BLOCKED || domain == group->blocking_domain;
}

/* Call the driver and account what the hardware now uses. */
static int device_attach(struct ims_domain *domain, struct ims_device *dev,
			 struct ims_domain *old)
{
	char reason[160];
	int ret;

	if (!domain->ops->attach_dev) {
		ims_trace_attach(dev, domain, -ENODEV, true, "driver has no attach_dev");
		return -ENODEV;
	}
	ims_take_attach_not_applied(); /* nothing stale from another call */
	ret = domain->ops->attach_dev(domain, dev, old);
	ims_trace_attach(dev, domain, ret, false, ims_take_attach_reason(reason, sizeof(reason)));
	if (ims_take_attach_not_applied() && !ret) {
		dev->attach_deferred = false;
		return 0; /* the driver said yes; its hardware did not change */
	}
	if (ret)
		return ret;
	ims_device_set_hw_domain(dev, domain);
	dev->attach_deferred = false;
	return 0;
}

void ims_device_set_hw_domain(struct ims_device *dev, struct ims_domain *domain)
{
	ims_assert_held(&dev->group->mutex);
	if (dev->hw_domain)
		dev->hw_domain->attach_count--;
	dev->hw_domain = domain;
	if (domain)
		domain->attach_count++;
}

int __ims_device_set_domain(struct ims_group *group, struct ims_device *dev,
			    struct ims_domain *new, unsigned int flags)
{
	int ret;

	if (dev->require_direct && is_blocking(group, new)) {
		ims_trace_attach(dev, new, -EINVAL, true,
				 "device has direct-mapped regions, cannot be blocked");
		return -EINVAL;
	}
	if (dev->attach_deferred) {
		if (new == group->default_domain)
			return 0;
		dev->attach_deferred = false;
	}
	ret = device_attach(new, dev, group->domain);
	if (ret && (flags & IMS_SET_DOMAIN_MUST_SUCCEED) && group->blocking_domain &&
	    group->blocking_domain != new)
		device_attach(group->blocking_domain, dev, group->domain);
	return ret;
}

/* Put devices before @failed (and @failed itself in older eras) back. */
static void revert_devices(struct ims_group *group, struct ims_device *failed)
{
	bool skip_failed = group->core->facts->unwind_skips_failed;
	struct ims_device *dev;

	if (!group->domain)
		return; /* first probe: nothing to go back to */
	ims_group_for_each_device(group, dev) {
		if (dev == failed && skip_failed)
			break;
		__ims_device_set_domain(group, dev, group->domain, IMS_SET_DOMAIN_MUST_SUCCEED);
		if (dev == failed)
			break;
	}
}

int __ims_group_set_domain_internal(struct ims_group *group, struct ims_domain *new,
				    unsigned int flags)
{
	struct ims_device *dev;
	int ret, result = 0;

	ims_assert_held(&group->mutex);
	if (group->domain == new)
		return 0;
	if (!new)
		return -EINVAL;
	if (group->resetting_domain)
		return -EBUSY;
	ims_group_for_each_device(group, dev) {
		ret = __ims_device_set_domain(group, dev, new, flags);
		if (!ret)
			continue;
		result = ret;
		if (flags & IMS_SET_DOMAIN_MUST_SUCCEED)
			continue;
		revert_devices(group, dev);
		return ret;
	}
	group->domain = new;
	return result;
}

int __ims_group_set_domain(struct ims_group *group, struct ims_domain *new)
{
	return __ims_group_set_domain_internal(group, new, 0);
}

void __ims_group_set_domain_nofail(struct ims_group *group, struct ims_domain *new)
{
	int ret = __ims_group_set_domain_internal(group, new, IMS_SET_DOMAIN_MUST_SUCCEED);

	if (ret)
		ims_dbg(IMS_LOG_CORE, "group %u: returning to domain %u failed (%d)",
			group->id, new->id, ret);
}

void __ims_group_set_core_domain(struct ims_group *group)
{
	__ims_group_set_domain_nofail(group, group->owner ? group->blocking_domain :
							    group->default_domain);
}

static bool group_on_core_domain(const struct ims_group *group)
{
	return !group->domain || group->domain == group->default_domain ||
	       group->domain == group->blocking_domain;
}

static int __attach_group(struct ims_domain *domain, struct ims_group *group)
{
	const struct ims_profile_facts *facts = group->core->facts;
	struct ims_device *dev = ims_group_first_device(group);

	if (!group_on_core_domain(group)) {
		ims_trace_attach(dev, domain, -EBUSY, true, "group is attached to another domain");
		return -EBUSY;
	}
	if (facts->core_owner_check && !ims_domain_owned_by(domain, dev->iommu->ops)) {
		int err = -(facts->incompatible_errno);

		ims_trace_attach(dev, domain, err, true, "domain belongs to another driver");
		return err;
	}
	return __ims_group_set_domain(group, domain);
}

int ims_attach_group(struct ims_domain *domain, struct ims_group *group)
{
	int ret;

	if (IS_ERR_OR_NULL(domain) || !group || !group->nr_devices)
		return -EINVAL;
	ims_mutex_lock(&group->mutex);
	ret = __attach_group(domain, group);
	ims_mutex_unlock(&group->mutex);
	return ret;
}

int ims_attach_device(struct ims_domain *domain, struct ims_device *dev)
{
	struct ims_group *group = dev ? dev->group : NULL;
	int ret;

	if (!group)
		return -ENODEV;
	if (IS_ERR_OR_NULL(domain))
		return -EINVAL;
	ims_mutex_lock(&group->mutex);
	ret = group->nr_devices != 1 ? -EINVAL : __attach_group(domain, group);
	ims_mutex_unlock(&group->mutex);
	return ret;
}

void ims_detach_group(struct ims_domain *domain, struct ims_group *group)
{
	(void)domain;
	if (!group)
		return;
	ims_mutex_lock(&group->mutex);
	__ims_group_set_core_domain(group);
	ims_mutex_unlock(&group->mutex);
}

void ims_detach_device(struct ims_domain *domain, struct ims_device *dev)
{
	struct ims_group *group = dev ? dev->group : NULL;

	if (!group)
		return;
	ims_mutex_lock(&group->mutex);
	if (domain == group->domain && group->nr_devices == 1)
		__ims_group_set_core_domain(group);
	else
		ims_dbg(IMS_LOG_CORE, "detach of %s from a domain it is not on ignored", dev->name);
	ims_mutex_unlock(&group->mutex);
}

int ims_group_replace_domain(struct ims_group *group, struct ims_domain *new)
{
	int ret;

	if (!group || IS_ERR_OR_NULL(new))
		return -EINVAL;
	ims_mutex_lock(&group->mutex);
	ret = __ims_group_set_domain(group, new);
	ims_mutex_unlock(&group->mutex);
	return ret;
}

struct ims_domain *ims_get_domain_for_dev(struct ims_device *dev)
{
	return dev && dev->group ? dev->group->domain : NULL;
}

/*
 * pci_dev_reset_iommu_prepare: during a reset the hardware of every device
 * sits on the blocking domain while group->domain keeps naming the domain to
 * return to; attaches meanwhile get EBUSY where the era has the fence.
 */
int ims_group_reset_prepare(struct ims_group *group)
{
	struct ims_device *dev;
	int ret;

	if (!group->core->facts->reset_fence)
		return 0; /* older kernels simply reset under the attached domain */
	ims_mutex_lock(&group->mutex);
	ret = group->resetting_domain ? -EBUSY : __ims_group_alloc_blocking_domain(group);
	if (!ret) {
		ims_group_for_each_device(group, dev)
			device_attach(group->blocking_domain, dev, group->domain);
		group->resetting_domain = group->blocking_domain;
	}
	ims_mutex_unlock(&group->mutex);
	return ret;
}

void ims_group_reset_done(struct ims_group *group)
{
	struct ims_device *dev;

	ims_mutex_lock(&group->mutex);
	if (group->resetting_domain && group->domain) {
		ims_group_for_each_device(group, dev)
			device_attach(group->domain, dev, group->resetting_domain);
	}
	group->resetting_domain = NULL;
	ims_mutex_unlock(&group->mutex);
}
