// SPDX-License-Identifier: MIT
/*
 * Devices and groups: probe, grouping, default domains, capabilities
 * (kernel-semantics 2.1, 2.2, 2.10).
 *
 * Adding a device probes it with its instance's driver, asks the driver for
 * its group (the PCI rules live here, in ims_pci_device_group, as in the
 * kernel's pci_device_group) and records whether it has direct-mapped
 * reserved regions.  Default domains are chosen per group once all its
 * devices are known: ims_core_probe_finish() is the end of the boot-time bus
 * probe; a device added afterwards (hotplug) joins its group's current
 * domain, or gets a default domain at once if its group is new.
 */
#include <errno.h>
#include <string.h>

#include "core-priv.h"
#include "util/alloc.h"
#include "util/log.h"

struct ims_group *ims_group_alloc(struct ims_core *core)
{
	struct ims_group *group = ims_zalloc(sizeof(*group));
	int ret;

	if (!group)
		return ERR_PTR(-ENOMEM);
	ims_mutex_lock(&core->lock);
	ret = ims_idtable_alloc(&core->groups, group, &group->id);
	ims_mutex_unlock(&core->lock);
	if (ret) {
		ims_free(group);
		return ERR_PTR(ret);
	}
	group->core = core;
	ims_mutex_init(&group->mutex);
	ims_list_init(&group->devices);
	return group;
}

/* Frees the group's core domains and the group; its devices are gone. */
void ims_group_release(struct ims_group *group)
{
	struct ims_core *core = group->core;

	if (group->blocking_domain != group->default_domain)
		ims_domain_free(group->blocking_domain);
	ims_domain_free(group->default_domain);
	ims_mutex_lock(&core->lock);
	ims_idtable_remove(&core->groups, group->id);
	ims_mutex_unlock(&core->lock);
	ims_mutex_destroy(&group->mutex);
	ims_free(group->pasids);
	ims_free(group);
}

struct ims_device *ims_group_first_device(struct ims_group *group)
{
	if (ims_list_empty(&group->devices))
		return NULL;
	return ims_list_first_entry(&group->devices, struct ims_device, group_node);
}

struct ims_group *ims_device_group_of(struct ims_device *dev)
{
	return dev ? dev->group : NULL;
}

struct ims_group *ims_group_find(struct ims_core *core, uint32_t id)
{
	struct ims_group *group;

	ims_mutex_lock(&core->lock);
	group = ims_idtable_lookup(&core->groups, id);
	ims_mutex_unlock(&core->lock);
	return group;
}

struct ims_device *ims_device_find(struct ims_core *core, const char *name)
{
	struct ims_device *dev;

	ims_list_for_each_entry(dev, &core->devices, core_node)
		if (!strcmp(dev->name, name))
			return dev;
	return NULL;
}

struct ims_group *ims_generic_device_group(struct ims_device *dev)
{
	return ims_group_alloc(dev->core);
}

struct ims_group *ims_single_device_group(struct ims_device *dev)
{
	struct ims_device *other;

	ims_list_for_each_entry(other, &dev->core->devices, core_node)
		if (other != dev && other->iommu == dev->iommu && other->group)
			return other->group;
	return ims_group_alloc(dev->core);
}

#define PCI_SLOT(devfn) ((devfn) >> 3)

static bool same_slot(const struct ims_device *a, const struct ims_device *b)
{
	return a->bus == IMS_BUS_PCI && b->bus == IMS_BUS_PCI &&
	       a->pci.segment == b->pci.segment && a->pci.bus == b->pci.bus &&
	       PCI_SLOT(a->pci.devfn) == PCI_SLOT(b->pci.devfn);
}

/* A group already used by a device that @pdev aliases, or that aliases it. */
static struct ims_group *alias_group(struct ims_device *pdev)
{
	struct ims_device *other;

	if (pdev->pci.dma_alias && pdev->pci.dma_alias->group)
		return pdev->pci.dma_alias->group;
	ims_list_for_each_entry(other, &pdev->core->devices, core_node)
		if (other->pci.dma_alias == pdev && other->group)
			return other->group;
	return NULL;
}

/* Functions of a multi-function device without ACS share a group. */
static struct ims_group *function_group(struct ims_device *pdev)
{
	struct ims_device *other;

	if (!pdev->pci.multifunction || pdev->pci.acs)
		return NULL;
	ims_list_for_each_entry(other, &pdev->core->devices, core_node) {
		if (other == pdev || !same_slot(other, pdev) || other->pci.acs)
			continue;
		if (other->group)
			return other->group;
	}
	return NULL;
}

/*
 * pci_device_group: DMA aliases first; then walk up the bridges until one
 * isolates (ACS), joining the group of a bridge that does not; then aliases
 * and non-isolated sibling functions of whatever device we ended on.
 */
struct ims_group *ims_pci_device_group(struct ims_device *dev)
{
	struct ims_device *pdev = dev, *br;
	struct ims_group *group;

	if (dev->bus != IMS_BUS_PCI)
		return ERR_PTR(-EINVAL);
	group = alias_group(dev);
	if (group)
		return group;
	for (br = dev->pci.upstream; br; br = br->pci.upstream) {
		if (br->pci.acs)
			break;
		pdev = br;
		if (br->group)
			return br->group;
	}
	group = alias_group(pdev);
	if (!group)
		group = function_group(pdev);
	return group ? group : ims_group_alloc(dev->core);
}

static int copy_desc(struct ims_device *dev, const struct ims_device_desc *desc)
{
	dev->name = ims_strdup(desc->name);
	if (!dev->name)
		return -ENOMEM;
	if (desc->nr_ids) {
		dev->ids = ims_calloc(desc->nr_ids, sizeof(*dev->ids));
		if (!dev->ids)
			return -ENOMEM;
		memcpy(dev->ids, desc->ids, desc->nr_ids * sizeof(*dev->ids));
		dev->nr_ids = desc->nr_ids;
	}
	if (desc->nr_resv) {
		dev->fw_resv = ims_calloc(desc->nr_resv, sizeof(*dev->fw_resv));
		if (!dev->fw_resv)
			return -ENOMEM;
		memcpy(dev->fw_resv, desc->resv, desc->nr_resv * sizeof(*dev->fw_resv));
		dev->nr_fw_resv = desc->nr_resv;
	}
	dev->bus = desc->bus;
	dev->iommu = desc->iommu;
	dev->pci = desc->pci;
	dev->untrusted = desc->untrusted;
	dev->msi_isolated = desc->msi_isolated;
	dev->cache_coherent = desc->cache_coherent;
	dev->max_pasids = desc->max_pasids;
	dev->platform_data = desc->platform_data;
	return 0;
}

static void free_device(struct ims_device *dev)
{
	ims_free(dev->ids);
	ims_free(dev->fw_resv);
	ims_free(dev->name);
	ims_free(dev);
}

static int scan_require_direct(struct ims_device *dev)
{
	struct ims_resv_list list;
	int ret;

	ims_resv_list_init(&list);
	ret = ims_get_resv_regions(dev, &list);
	for (size_t i = 0; !ret && i < list.nr; i++)
		if (list.regions[i].type == IMS_RESV_DIRECT)
			dev->require_direct = true;
	ims_resv_list_free(&list);
	return ret;
}

static void group_remove_device(struct ims_group *group, struct ims_device *dev)
{
	ims_mutex_lock(&group->mutex);
	if (dev->hw_domain) {
		dev->hw_domain->attach_count--;
		dev->hw_domain = NULL;
	}
	ims_list_del(&dev->group_node);
	group->nr_devices--;
	dev->group = NULL;
	ims_mutex_unlock(&group->mutex);
	if (!group->nr_devices)
		ims_group_release(group);
}

/* Join @group; a group that already runs (hotplug) puts the device on its domain. */
static int group_add_device(struct ims_group *group, struct ims_device *dev)
{
	int ret = 0;

	ims_mutex_lock(&group->mutex);
	ims_list_add_tail(&dev->group_node, &group->devices);
	group->nr_devices++;
	dev->group = group;
	if (group->default_domain)
		ret = ims_create_direct_mappings(group->default_domain, dev);
	if (!ret && group->domain)
		ret = __ims_device_set_domain(group, dev, group->domain, 0);
	ims_mutex_unlock(&group->mutex);
	if (!ret && !group->default_domain && dev->core->booted)
		ret = ims_group_setup_default_domain(group);
	return ret;
}

static int probe_device(struct ims_device *dev)
{
	const struct ims_iommu_ops *ops = dev->iommu->ops;
	struct ims_group *group;
	int ret;

	ret = ops->probe_device ? ops->probe_device(dev) : 0;
	if (ret)
		return ret;
	dev->probed = true;
	ret = scan_require_direct(dev);
	if (ret)
		goto err_release;
	group = ops->device_group ? ops->device_group(dev) : ims_generic_device_group(dev);
	if (IS_ERR(group)) {
		ret = (int)PTR_ERR(group);
		goto err_release;
	}
	ret = group_add_device(group, dev);
	if (ret)
		goto err_remove;
	return 0;

err_remove:
	group_remove_device(group, dev);
err_release:
	if (ops->release_device)
		ops->release_device(dev);
	dev->probed = false;
	return ret;
}

struct ims_device *ims_device_add(struct ims_core *core, const struct ims_device_desc *desc)
{
	struct ims_device *dev;
	int ret;

	if (!desc || !desc->name || (desc->nr_ids && !desc->ids))
		return ERR_PTR(-EINVAL);
	if (ims_device_find(core, desc->name))
		return ERR_PTR(-EEXIST);
	dev = ims_zalloc(sizeof(*dev));
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->core = core;
	ims_list_init(&dev->group_node);
	ret = copy_desc(dev, desc);
	if (!ret && dev->iommu)
		ret = probe_device(dev);
	if (ret) {
		free_device(dev);
		return ERR_PTR(ret);
	}
	ims_mutex_lock(&core->lock);
	ims_list_add_tail(&dev->core_node, &core->devices);
	ims_mutex_unlock(&core->lock);
	ims_dbg(IMS_LOG_CORE, "added %s (group %d)", dev->name, dev->group ? (int)dev->group->id : -1);
	return dev;
}

void ims_device_remove(struct ims_device *dev)
{
	struct ims_core *core;

	if (IS_ERR_OR_NULL(dev))
		return;
	core = dev->core;
	while (dev->kernel_users)
		ims_device_unuse_default_domain(dev);
	ims_mutex_lock(&core->lock);
	ims_list_del(&dev->core_node);
	ims_mutex_unlock(&core->lock);
	if (dev->group)
		group_remove_device(dev->group, dev);
	if (dev->probed && dev->iommu->ops->release_device)
		dev->iommu->ops->release_device(dev);
	ims_dbg(IMS_LOG_CORE, "removed %s", dev->name);
	free_device(dev);
}

/* iommu_get_def_domain_type: the drivers' wishes for one group, IDENTITY wins. */
static int driver_default_type(struct ims_group *group)
{
	int type = 0;
	struct ims_device *dev;
	bool untrusted = false;

	ims_group_for_each_device(group, dev) {
		const struct ims_iommu_ops *ops = dev->iommu->ops;
		int want = ops->force_default_domain ? (int)ops->default_domain_type :
			   ops->def_domain_type ? ops->def_domain_type(dev) : 0;

		if (want && !type)
			type = want;
		else if (want && want != type && want == IMS_DOMAIN_IDENTITY)
			type = want;
		untrusted |= dev->untrusted;
	}
	if (untrusted) {
		if (type && type != IMS_DOMAIN_DMA)
			return -EINVAL;
		type = IMS_DOMAIN_DMA;
	}
	return type;
}

/* Direct mappings for every device of @group in @domain: 0 or the first error. */
static int group_direct_mappings(struct ims_group *group, struct ims_domain *domain)
{
	struct ims_device *dev;
	int ret = 0;

	ims_group_for_each_device(group, dev)
		if (!ret)
			ret = ims_create_direct_mappings(domain, dev);
	return ret;
}

/*
 * iommu_setup_default_domain: map the direct regions, attach, and map them
 * again if that failed before the attach (drivers that finalise a domain
 * at its first attach, such as the ARM SMMUs in the eras that allocated
 * per bus, cannot map before it).
 */
int ims_group_setup_default_domain(struct ims_group *group)
{
	struct ims_domain *domain;
	bool direct_failed;
	int req_type, ret;

	ims_mutex_lock(&group->mutex);
	req_type = driver_default_type(group);
	domain = req_type < 0 ? ERR_PTR(req_type) : ims_group_alloc_default_domain(group, req_type);
	if (IS_ERR(domain)) {
		ims_mutex_unlock(&group->mutex);
		return (int)PTR_ERR(domain);
	}
	direct_failed = group_direct_mappings(group, domain) != 0;
	group->default_domain = domain;
	ret = __ims_group_set_domain_internal(group, domain,
					      group->domain ? 0 : IMS_SET_DOMAIN_MUST_SUCCEED);
	if (!ret && direct_failed)
		ret = group_direct_mappings(group, domain);
	ims_mutex_unlock(&group->mutex);
	return ret;
}

int ims_core_probe_finish(struct ims_core *core)
{
	struct ims_group *group;
	uint32_t id;
	int ret = 0;

	ims_idtable_for_each(&core->groups, id, group) {
		if (!group->default_domain) {
			int err = ims_group_setup_default_domain(group);

			if (err && !ret)
				ret = err;
		}
	}
	core->booted = true;
	return ret;
}

bool ims_device_capable(struct ims_device *dev, enum ims_cap cap)
{
	if (!dev || !dev->iommu || !dev->iommu->ops->capable)
		return false;
	return dev->iommu->ops->capable(dev, cap);
}

bool ims_domain_enforce_cache_coherency(struct ims_domain *domain)
{
	if (!domain->ops->enforce_cache_coherency)
		return false;
	domain->enforced_coherency = domain->ops->enforce_cache_coherency(domain);
	return domain->enforced_coherency;
}

bool ims_group_has_isolated_msi(struct ims_group *group)
{
	struct ims_device *dev;
	bool isolated = true;

	ims_mutex_lock(&group->mutex);
	ims_group_for_each_device(group, dev)
		isolated &= dev->msi_isolated;
	ims_mutex_unlock(&group->mutex);
	return isolated;
}

bool ims_group_cache_coherent(struct ims_group *group)
{
	struct ims_device *dev;
	bool coherent = true;

	ims_mutex_lock(&group->mutex);
	ims_group_for_each_device(group, dev)
		coherent &= ims_device_capable(dev, IMS_CAP_CACHE_COHERENCY);
	ims_mutex_unlock(&group->mutex);
	return coherent;
}
