// SPDX-License-Identifier: MIT
/*
 * The host's JSON state (DESIGN 3): the core's arrays, "containers", and
 * iommufd's "ioas", "hwpts" and "binds" (src/iommufd/state.c).  Every
 * container reachable from an open fd or from a group appears once.
 */
#include <json-c/json.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>

#include "core/state.h"
#include "host.h"
#include "util/err.h"
#include "util/alloc.h"

static json_object *container_json(struct ims_vfio_container *c)
{
	json_object *o = json_object_new_object(), *groups = json_object_new_array();
	json_object *domains = json_object_new_array(), *dma = json_object_new_array();
	struct ims_vfio_group *vg;
	struct ims_vfio_type1 *iommu;

	ims_mutex_lock(&c->group_lock);
	iommu = c->iommu;
	ims_list_for_each_entry(vg, &c->groups, container_node)
		json_object_array_add(groups, json_object_new_int((int)vg->group->id));
	json_object_object_add(o, "iommu_type", !iommu ? NULL :
			       json_object_new_string(iommu->nesting ? "TYPE1_NESTING" :
						      iommu->v2 ? "TYPE1v2" : "TYPE1"));
	if (iommu) {
		struct ims_vfio_domain *d;
		struct ims_itree_node *n;

		ims_mutex_lock(&iommu->lock);
		ims_list_for_each_entry(d, &iommu->domains, node)
			json_object_array_add(domains, json_object_new_int((int)d->domain->id));
		for (n = ims_itree_first(&iommu->iopt.areas); n; n = ims_itree_next(n)) {
			json_object *m = json_object_new_object();

			json_object_object_add(m, "iova", json_object_new_int64((int64_t)n->start));
			json_object_object_add(m, "size", json_object_new_int64((int64_t)(n->last - n->start + 1)));
			json_object_array_add(dma, m);
		}
		ims_mutex_unlock(&iommu->lock);
	}
	ims_mutex_unlock(&c->group_lock);
	json_object_object_add(o, "groups", groups);
	json_object_object_add(o, "domains", domains);
	json_object_object_add(o, "dma", dma);
	return o;
}

/* Containers: from open fds and from groups, each once. */
static size_t collect_containers(struct ims_host *host, struct ims_vfio_container **out, size_t max)
{
	size_t n = 0;

	ims_mutex_lock(&host->lock);
	for (int fd = 0; fd < host->nr_files && n < max; fd++) {
		struct ims_host_file *f = host->files[fd];

		if (f && f->ops == &ims_vfio_container_fops)
			out[n++] = f->obj;
	}
	ims_mutex_unlock(&host->lock);
	for (uint32_t i = 0; i < host->nr_vgroups && n < max; i++) {
		struct ims_vfio_group *vg = host->vgroups[i];
		struct ims_vfio_container *c = vg ? vg->container : NULL;
		size_t j;

		for (j = 0; c && j < n && out[j] != c; j++)
			;
		if (c && j == n)
			out[n++] = c;
	}
	return n;
}

IMS_EXPORT char *ims_host_state_json(struct ims_host *host, bool pretty)
{
	struct ims_vfio_container *containers[256];
	json_object *state = json_object_new_object(), *arr = json_object_new_array();
	size_t n = collect_containers(host, containers, IMS_ARRAY_SIZE(containers));
	const char *text;
	char *copy;

	ims_core_state_add_json(host->core, state);
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i && containers[j] != containers[i]; j++)
			;
		if (j == i)
			json_object_array_add(arr, container_json(containers[i]));
	}
	json_object_object_add(state, "containers", arr);
	ims_iommufd_state_add_json(&host->iommufd_env, state);
	text = json_object_to_json_string_ext(state, pretty ? JSON_C_TO_STRING_PRETTY :
							       JSON_C_TO_STRING_PLAIN);
	copy = text ? ims_strdup(text) : NULL;
	json_object_put(state);
	return copy;
}
