// SPDX-License-Identifier: MIT
/*
 * Domain allocation (kernel-semantics 2.2, 2.3).
 *
 * Drivers allocate their own domain structure (embedding struct ims_domain)
 * and fill ops, page sizes and aperture with ims_domain_init(); the core then
 * stamps type, owner and ID, as iommu_paging_domain_alloc_flags() does.
 * Drivers with static blocked/identity domains get one of each per core,
 * created on first use and never freed before the core.
 *
 * The era decides what a plain paging allocation passes the driver: today
 * the device (the domain is finalised for its instance at once), in 2022
 * nothing (iommu_domain_alloc(bus): the driver binds at first attach).
 * Allocations with flags or driver data are iommufd's and always had the
 * device.
 */
#include <errno.h>
#include <string.h>

#include "core-priv.h"
#include "util/alloc.h"
#include "util/log.h"

const char *ims_domain_type_name(enum ims_domain_type type)
{
	switch (type) {
	case IMS_DOMAIN_BLOCKED: return "BLOCKED";
	case IMS_DOMAIN_IDENTITY: return "IDENTITY";
	case IMS_DOMAIN_UNMANAGED: return "UNMANAGED";
	case IMS_DOMAIN_DMA: return "DMA";
	case IMS_DOMAIN_DMA_FQ: return "DMA-FQ";
	case IMS_DOMAIN_SVA: return "SVA";
	case IMS_DOMAIN_PLATFORM: return "PLATFORM";
	case IMS_DOMAIN_NESTED: return "NESTED";
	}
	return "?";
}

void ims_domain_init(struct ims_domain *domain, const struct ims_domain_ops *ops,
		     uint64_t pgsize_bitmap, uint64_t aperture_start, uint64_t aperture_end)
{
	domain->ops = ops;
	domain->pgsize_bitmap = pgsize_bitmap;
	domain->geometry.aperture_start = aperture_start;
	domain->geometry.aperture_end = aperture_end;
	domain->geometry.force_aperture = true;
}

bool ims_domain_owned_by(const struct ims_domain *domain, const struct ims_iommu_ops *ops)
{
	return domain->driver == ops;
}

static void trace_domain(struct ims_domain *domain, enum ims_trace_kind kind)
{
	struct ims_trace_event ev = { .kind = kind, .subsys = "core", .domain = domain };
	char desc[128];

	ims_trace(domain->core, &ev, "%s %s",
		  kind == IMS_TRACE_DOMAIN_ALLOC ? "allocated" : "freed",
		  ims_domain_describe(domain, desc, sizeof(desc)));
}

/* Give a freshly built domain its ID; frees it through the driver on failure. */
static struct ims_domain *publish_domain(struct ims_core *core, struct ims_domain *domain)
{
	int ret;

	domain->core = core;
	ims_mutex_lock(&core->lock);
	ret = ims_idtable_alloc(&core->domains, domain, &domain->id);
	ims_mutex_unlock(&core->lock);
	if (ret) {
		domain->ops->free(domain);
		return ERR_PTR(ret);
	}
	trace_domain(domain, IMS_TRACE_DOMAIN_ALLOC);
	return domain;
}

void ims_domain_release_id(struct ims_domain *domain)
{
	struct ims_core *core = domain->core;

	ims_mutex_lock(&core->lock);
	ims_idtable_remove(&core->domains, domain->id);
	ims_mutex_unlock(&core->lock);
}

static struct ims_domain *domain_alloc_paging(struct ims_device *dev,
					      enum ims_domain_type type, uint32_t flags,
					      const void *user_data, bool for_device)
{
	const struct ims_iommu_ops *ops;
	struct ims_domain *domain;

	if (!dev || !dev->iommu)
		return ERR_PTR(-ENODEV);
	ops = dev->iommu->ops;
	if (!ops->domain_alloc_paging)
		return ERR_PTR(-EOPNOTSUPP);
	domain = ops->domain_alloc_paging(for_device ? dev : NULL, flags, user_data);
	if (IS_ERR(domain))
		return domain;
	if (!domain)
		return ERR_PTR(-ENOMEM);
	domain->type = type;
	domain->owner = ops;
	domain->driver = ops;
	domain->alloc_flags = flags;
	if (!domain->pgsize_bitmap)
		domain->pgsize_bitmap = ops->pgsize_bitmap;
	return publish_domain(dev->core, domain);
}

struct ims_domain *ims_paging_domain_alloc(struct ims_device *dev, uint32_t flags)
{
	bool for_device = dev && (flags || dev->core->facts->alloc_for_device);

	return domain_alloc_paging(dev, IMS_DOMAIN_UNMANAGED, flags, NULL, for_device);
}

struct ims_domain *ims_paging_domain_alloc_user(struct ims_device *dev, uint32_t flags,
						const void *user_data)
{
	return domain_alloc_paging(dev, IMS_DOMAIN_UNMANAGED, flags, user_data, true);
}

void ims_domain_free(struct ims_domain *domain)
{
	if (IS_ERR_OR_NULL(domain) || domain->is_static)
		return;
	trace_domain(domain, IMS_TRACE_DOMAIN_FREE);
	ims_domain_release_id(domain);
	domain->ops->free(domain);
}

struct ims_domain *ims_static_domain(struct ims_core *core,
				     const struct ims_iommu_ops *ops,
				     enum ims_domain_type type)
{
	bool identity = type == IMS_DOMAIN_IDENTITY;
	struct ims_static_domain *sd;

	if (!(identity ? ops->static_identity : type == IMS_DOMAIN_BLOCKED && ops->static_blocked))
		return NULL;
	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(sd, &core->static_domains, node) {
		if (sd->domain.driver == ops && sd->domain.type == type) {
			ims_mutex_unlock(&core->lock);
			return &sd->domain;
		}
	}
	sd = ims_zalloc(sizeof(*sd));
	if (sd && ims_idtable_alloc(&core->domains, &sd->domain, &sd->domain.id)) {
		ims_free(sd);
		sd = NULL;
	}
	if (sd) {
		sd->domain.type = type;
		sd->domain.ops = identity ? ops->identity_ops : ops->blocked_ops;
		sd->domain.driver = ops;
		sd->domain.core = core;
		sd->domain.is_static = true;
		ims_list_add_tail(&sd->node, &core->static_domains);
	}
	ims_mutex_unlock(&core->lock);
	return sd ? &sd->domain : ERR_PTR(-ENOMEM);
}

void ims_free_static_domains(struct ims_core *core, const struct ims_iommu_ops *ops)
{
	struct ims_static_domain *sd, *tmp;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry_safe(sd, tmp, &core->static_domains, node) {
		if (ops && sd->domain.driver != ops)
			continue;
		ims_list_del(&sd->node);
		ims_idtable_remove(&core->domains, sd->domain.id);
		ims_free(sd);
	}
	ims_mutex_unlock(&core->lock);
}

/* __iommu_domain_alloc for the group's first device. */
static struct ims_domain *group_domain_alloc(struct ims_group *group, int type)
{
	struct ims_device *dev = ims_group_first_device(group);
	const struct ims_iommu_ops *ops = dev->iommu->ops;
	struct ims_domain *domain;

	if (type == IMS_DOMAIN_IDENTITY || type == IMS_DOMAIN_BLOCKED) {
		domain = ims_static_domain(group->core, ops, type);
		return domain ? domain : ERR_PTR(-EOPNOTSUPP);
	}
	if (!(type & IMS_DOMAIN_BIT_PAGING))
		return ERR_PTR(-EOPNOTSUPP);
	if (type == IMS_DOMAIN_DMA_FQ && !ims_device_capable(dev, IMS_CAP_DEFERRED_FLUSH))
		type = IMS_DOMAIN_DMA;
	return domain_alloc_paging(dev, type, 0, NULL, group->core->facts->alloc_for_device);
}

int __ims_group_alloc_blocking_domain(struct ims_group *group)
{
	struct ims_domain *domain;

	if (group->blocking_domain)
		return 0;
	domain = group_domain_alloc(group, IMS_DOMAIN_BLOCKED);
	if (IS_ERR(domain)) /* no BLOCKED support: an empty paging domain blocks too */
		domain = group_domain_alloc(group, IMS_DOMAIN_UNMANAGED);
	if (IS_ERR(domain))
		return (int)PTR_ERR(domain);
	group->blocking_domain = domain;
	return 0;
}

static int global_default_type(const struct ims_core *core)
{
	if (core->cfg.passthrough)
		return IMS_DOMAIN_IDENTITY;
	return core->cfg.strict ? IMS_DOMAIN_DMA : IMS_DOMAIN_DMA_FQ;
}

/* iommu_group_alloc_default_domain: the driver's type, else the global one. */
struct ims_domain *ims_group_alloc_default_domain(struct ims_group *group, int req_type)
{
	const struct ims_iommu_ops *ops = ims_group_first_device(group)->iommu->ops;
	int def = global_default_type(group->core);
	struct ims_domain *domain;

	if (ops->force_default_domain) {
		if (req_type && req_type != (int)ops->default_domain_type)
			return ERR_PTR(-EINVAL);
		return group_domain_alloc(group, ops->default_domain_type);
	}
	if (req_type)
		return group_domain_alloc(group, req_type);
	domain = group_domain_alloc(group, def);
	if (!IS_ERR(domain) || def == IMS_DOMAIN_DMA)
		return domain;
	ims_dbg(IMS_LOG_CORE, "group %u: default type %d failed, using DMA", group->id, def);
	return group_domain_alloc(group, IMS_DOMAIN_DMA);
}
