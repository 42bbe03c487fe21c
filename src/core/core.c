// SPDX-License-Identifier: MIT
/*
 * The core object: creation and teardown, IOMMU instance registration, and
 * the trace that tells people what each attach answered.
 *
 * Teardown order mirrors the kernel's device removal: every device is
 * released (its driver's release_device), then every group drops its
 * domains, then the drivers' static domains and instances go.  Destroy never
 * fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core-priv.h"
#include "util/alloc.h"
#include "util/errname.h"
#include "util/log.h"

int ims_core_create(const struct ims_core_config *cfg, struct ims_core **out)
{
	struct ims_core *core;

	if (!cfg || cfg->profile >= IMS_PROFILE_NR)
		return -EINVAL;
	core = ims_zalloc(sizeof(*core));
	if (!core)
		return -ENOMEM;
	core->cfg = *cfg;
	core->facts = ims_profile_facts(cfg->profile);
	ims_mutex_init(&core->lock);
	ims_list_init(&core->iommus);
	ims_list_init(&core->devices);
	ims_list_init(&core->static_domains);
	ims_idtable_init(&core->groups, 0, INT32_MAX);
	ims_idtable_init(&core->domains, 1, INT32_MAX);
	*out = core;
	return 0;
}

static void release_device(struct ims_device *dev)
{
	if (dev->probed && dev->iommu->ops->release_device)
		dev->iommu->ops->release_device(dev);
	ims_list_del(&dev->core_node);
	ims_free(dev->ids);
	ims_free(dev->fw_resv);
	ims_free(dev->name);
	ims_free(dev);
}

static void free_iommu(struct ims_iommu *iommu)
{
	if (iommu->priv_free)
		iommu->priv_free(iommu->priv);
	ims_free(iommu->name);
	ims_free(iommu);
}

static void release_groups(struct ims_core *core)
{
	struct ims_group *group;
	uint32_t id;

	ims_idtable_for_each(&core->groups, id, group)
		ims_group_release(group);
}

void ims_core_destroy(struct ims_core *core)
{
	struct ims_device *dev, *tmp_dev;
	struct ims_iommu *iommu, *tmp_iommu;

	if (!core)
		return;
	release_groups(core);
	ims_list_for_each_entry_safe(dev, tmp_dev, &core->devices, core_node)
		release_device(dev);
	ims_free_static_domains(core, NULL);
	ims_list_for_each_entry_safe(iommu, tmp_iommu, &core->iommus, node) {
		ims_list_del(&iommu->node);
		free_iommu(iommu);
	}
	ims_idtable_destroy(&core->groups);
	ims_idtable_destroy(&core->domains);
	ims_mutex_destroy(&core->lock);
	ims_free(core);
}

int ims_iommu_register(struct ims_core *core, const char *name,
		       const struct ims_iommu_ops *ops, void *priv,
		       void (*priv_free)(void *priv), struct ims_iommu **out)
{
	struct ims_iommu *iommu;

	if (!name || !ops || ims_iommu_find(core, name))
		return -EINVAL;
	iommu = ims_zalloc(sizeof(*iommu));
	if (!iommu)
		return -ENOMEM;
	iommu->name = ims_strdup(name);
	if (!iommu->name) {
		ims_free(iommu);
		return -ENOMEM;
	}
	iommu->core = core;
	iommu->ops = ops;
	iommu->priv = priv;
	iommu->priv_free = priv_free;
	ims_mutex_lock(&core->lock);
	iommu->index = core->nr_iommus++;
	ims_list_add_tail(&iommu->node, &core->iommus);
	ims_mutex_unlock(&core->lock);
	ims_dbg(IMS_LOG_CORE, "registered %s (%s)", name, ops->name);
	if (out)
		*out = iommu;
	return 0;
}

struct ims_iommu *ims_iommu_find(struct ims_core *core, const char *name)
{
	struct ims_iommu *iommu;

	ims_list_for_each_entry(iommu, &core->iommus, node)
		if (!strcmp(iommu->name, name))
			return iommu;
	return NULL;
}

static bool iommu_in_use(struct ims_core *core, const struct ims_iommu *iommu)
{
	struct ims_device *dev;

	ims_list_for_each_entry(dev, &core->devices, core_node)
		if (dev->iommu == iommu)
			return true;
	return false;
}

static bool driver_has_instances(struct ims_core *core, const struct ims_iommu_ops *ops)
{
	struct ims_iommu *iommu;

	ims_list_for_each_entry(iommu, &core->iommus, node)
		if (iommu->ops == ops)
			return true;
	return false;
}

int ims_iommu_unregister(struct ims_iommu *iommu)
{
	struct ims_core *core = iommu->core;
	bool last_of_driver;

	ims_mutex_lock(&core->lock);
	if (iommu_in_use(core, iommu)) {
		ims_mutex_unlock(&core->lock);
		return -EBUSY;
	}
	ims_list_del(&iommu->node);
	if (iommu->index + 1 == core->nr_iommus)
		core->nr_iommus--;
	last_of_driver = !driver_has_instances(core, iommu->ops);
	ims_mutex_unlock(&core->lock);
	if (last_of_driver)
		ims_free_static_domains(core, iommu->ops);
	ims_dbg(IMS_LOG_CORE, "unregistered %s", iommu->name);
	free_iommu(iommu);
	return 0;
}

void ims_core_set_trace(struct ims_core *core, ims_trace_fn fn, void *arg)
{
	core->trace_fn = fn;
	core->trace_arg = arg;
}

bool ims_tracing(const struct ims_core *core)
{
	return core->trace_fn || ims_log_enabled(IMS_LOG_CORE);
}

void ims_trace(struct ims_core *core, struct ims_trace_event *ev, const char *fmt, ...)
{
	char text[320];
	va_list ap;

	if (!ims_tracing(core))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ev->text = text;
	if (core->trace_fn)
		core->trace_fn(core->trace_arg, ev);
	else
		ims_log(IMS_LOG_CORE, "%s", text);
}

const char *ims_domain_describe(const struct ims_domain *domain, char *buf, size_t len)
{
	const char *driver = domain->owner ? domain->owner->name : "static";

	if (domain->iommu)
		snprintf(buf, len, "domain %u (%s, %s on %s)", domain->id,
			 ims_domain_type_name(domain->type), driver, domain->iommu->name);
	else
		snprintf(buf, len, "domain %u (%s, %s)", domain->id,
			 ims_domain_type_name(domain->type), driver);
	return buf;
}

void ims_trace_attach(struct ims_device *dev, struct ims_domain *domain,
		      int err, bool by_core, const char *reason)
{
	struct ims_trace_event ev = {
		.kind = by_core ? IMS_TRACE_REJECT : IMS_TRACE_ATTACH,
		.subsys = "core",
		.dev = dev,
		.group = dev->group,
		.domain = domain,
		.err = err,
		.reason = reason,
	};
	char desc[128];

	if (!ims_tracing(dev->core))
		return;
	ims_trace(dev->core, &ev, "attach %s (group %u) -> %s: %s%s%s%s%s", dev->name,
		  dev->group ? dev->group->id : 0,
		  ims_domain_describe(domain, desc, sizeof(desc)), ims_errname(err),
		  by_core ? " from the core" : "", reason ? " (" : "",
		  reason ? reason : "", reason ? ")" : "");
}
