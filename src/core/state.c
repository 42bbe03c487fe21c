// SPDX-License-Identifier: MIT
/*
 * The core's part of the JSON state (DESIGN 3): arrays "iommus", "devices",
 * "groups" and "domains".  Upper layers (host: containers, ioas, hwpts) add
 * their own arrays to the same object.
 */
#include <json-c/json.h>

#include "core-priv.h"
#include "state.h"

static json_object *iommu_json(const struct ims_iommu *iommu)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(iommu->name));
	json_object_object_add(o, "driver", json_object_new_string(iommu->ops->name));
	return o;
}

static json_object *device_json(const struct ims_device *dev)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(dev->name));
	json_object_object_add(o, "group", dev->group ? json_object_new_int((int)dev->group->id) : NULL);
	json_object_object_add(o, "iommu", dev->iommu ? json_object_new_string(dev->iommu->name) : NULL);
	json_object_object_add(o, "hw_domain", dev->hw_domain ?
			       json_object_new_int((int)dev->hw_domain->id) : NULL);
	return o;
}

static json_object *domain_ref(const struct ims_domain *domain)
{
	return domain ? json_object_new_int((int)domain->id) : NULL;
}

static json_object *group_json(struct ims_group *group)
{
	json_object *o = json_object_new_object(), *devs = json_object_new_array();
	struct ims_device *dev;

	ims_mutex_lock(&group->mutex);
	ims_group_for_each_device(group, dev)
		json_object_array_add(devs, json_object_new_string(dev->name));
	json_object_object_add(o, "id", json_object_new_int((int)group->id));
	json_object_object_add(o, "devices", devs);
	json_object_object_add(o, "domain", domain_ref(group->domain));
	json_object_object_add(o, "default_domain", domain_ref(group->default_domain));
	json_object_object_add(o, "blocking_domain", domain_ref(group->blocking_domain));
	json_object_object_add(o, "owner", group->owner ? json_object_new_string("user") :
				   group->owner_cnt ? json_object_new_string("kernel") : NULL);
	json_object_object_add(o, "owner_cnt", json_object_new_int((int)group->owner_cnt));
	ims_mutex_unlock(&group->mutex);
	return o;
}

/* Groups whose current domain is @domain. */
static json_object *domain_groups(struct ims_core *core, const struct ims_domain *domain)
{
	json_object *a = json_object_new_array();
	struct ims_group *group;
	uint32_t id;

	ims_idtable_for_each(&core->groups, id, group)
		if (group->domain == domain)
			json_object_array_add(a, json_object_new_int((int)id));
	return a;
}

static json_object *domain_json(struct ims_core *core, const struct ims_domain *domain)
{
	json_object *o = json_object_new_object();
	const struct ims_iommu_ops *driver = domain->driver;

	json_object_object_add(o, "id", json_object_new_int((int)domain->id));
	json_object_object_add(o, "type", json_object_new_string(ims_domain_type_name(domain->type)));
	json_object_object_add(o, "driver", driver ? json_object_new_string(driver->name) : NULL);
	json_object_object_add(o, "iommu", domain->iommu ?
			       json_object_new_string(domain->iommu->name) : NULL);
	json_object_object_add(o, "groups", domain_groups(core, domain));
	json_object_object_add(o, "mapped_bytes", json_object_new_int64((int64_t)domain->mapped_bytes));
	json_object_object_add(o, "static", json_object_new_boolean(domain->is_static));
	return o;
}

void ims_core_state_add_json(struct ims_core *core, json_object *state)
{
	json_object *iommus = json_object_new_array(), *devices = json_object_new_array();
	json_object *groups = json_object_new_array(), *domains = json_object_new_array();
	struct ims_iommu *iommu;
	struct ims_device *dev;
	struct ims_group *group;
	struct ims_domain *domain;
	uint32_t id;

	ims_list_for_each_entry(iommu, &core->iommus, node)
		json_object_array_add(iommus, iommu_json(iommu));
	ims_list_for_each_entry(dev, &core->devices, core_node)
		json_object_array_add(devices, device_json(dev));
	ims_idtable_for_each(&core->groups, id, group)
		json_object_array_add(groups, group_json(group));
	ims_idtable_for_each(&core->domains, id, domain)
		json_object_array_add(domains, domain_json(core, domain));
	json_object_object_add(state, "profile", json_object_new_string(core->facts->name));
	json_object_object_add(state, "iommus", iommus);
	json_object_object_add(state, "devices", devices);
	json_object_object_add(state, "groups", groups);
	json_object_object_add(state, "domains", domains);
}
