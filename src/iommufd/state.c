// SPDX-License-Identifier: MIT
/*
 * iommufd's part of the JSON state (DESIGN 3; iommufd.h has the format):
 * every IOAS with its areas and the HWPTs that mirror it, every HWPT with
 * its domain and the devices on it, every device bound to a context.
 * Object IDs are per context, so each entry names its context.
 *
 * Locking: the registry hands out referenced contexts and each context its
 * referenced objects (ims_obj_collect), so no table lock is held while an
 * object's own locks are taken (ioas->mutex, then its iova lock; the
 * devices' group locks).
 */
#include <json-c/json.h>

#include "iommufd-priv.h"
#include "util/alloc.h"

#define MAX_ATTACH 16

struct ctx_json {
	struct ims_iommufd_ctx *ictx;
	json_object *ioas, *hwpts, *binds;
	struct ims_obj **objs;      /* the context's objects, ID order */
	json_object **hwpt_json;    /* per object: its "hwpts" entry, or NULL */
	size_t nr;
};

static json_object *entry(struct ims_iommufd_ctx *ictx, uint32_t id)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "context", json_object_new_int((int)ictx->serial));
	json_object_object_add(o, "id", json_object_new_int((int)id));
	return o;
}

static json_object *areas_json(struct ims_ioas *ioas)
{
	json_object *areas = json_object_new_array();
	struct ims_iopt_area *area;

	ims_assert_held(&ioas->iova_lock);
	ims_iopt_for_each_area(&ioas->iopt, area, 0, UINT64_MAX) {
		json_object *a = json_object_new_object();

		json_object_object_add(a, "iova", json_object_new_int64((int64_t)ims_iopt_area_iova(area)));
		json_object_object_add(a, "size",
				       json_object_new_int64((int64_t)ims_iopt_area_length(area)));
		json_object_array_add(areas, a);
	}
	return areas;
}

static void add_ioas(struct ctx_json *c, struct ims_ioas *ioas)
{
	json_object *o = entry(c->ictx, ioas->obj.id);
	json_object *hwpts = json_object_new_array(), *domains = json_object_new_array();
	struct ims_hwpt_paging *hwpt;

	ims_mutex_lock(&ioas->mutex);
	ims_list_for_each_entry(hwpt, &ioas->hwpts, ioas_node) {
		json_object_array_add(hwpts, json_object_new_int((int)hwpt->obj.id));
		json_object_array_add(domains, json_object_new_int((int)hwpt->domain->id));
	}
	ims_mutex_lock(&ioas->iova_lock);
	json_object_object_add(o, "areas", areas_json(ioas));
	ims_mutex_unlock(&ioas->iova_lock);
	ims_mutex_unlock(&ioas->mutex);
	json_object_object_add(o, "hwpts", hwpts);
	json_object_object_add(o, "domains", domains);
	json_object_array_add(c->ioas, o);
}

static json_object *add_hwpt(struct ctx_json *c, struct ims_hwpt_paging *hwpt)
{
	json_object *o = entry(c->ictx, hwpt->obj.id);

	json_object_object_add(o, "ioas", json_object_new_int((int)hwpt->ioas->obj.id));
	json_object_object_add(o, "domain", json_object_new_int((int)hwpt->domain->id));
	json_object_object_add(o, "auto", json_object_new_boolean(hwpt->auto_domain));
	json_object_object_add(o, "devices", json_object_new_array());
	json_object_array_add(c->hwpts, o);
	return o;
}

/* The "hwpts" entry of HWPT @id of this context, or NULL. */
static json_object *hwpt_entry(struct ctx_json *c, uint32_t id)
{
	for (size_t i = 0; i < c->nr; i++)
		if (c->objs[i]->id == id && c->hwpt_json[i])
			return c->hwpt_json[i];
	return NULL;
}

static void add_bind(struct ctx_json *c, struct ims_iommufd_device *idev)
{
	uint32_t pasids[MAX_ATTACH], hwpt_ids[MAX_ATTACH];
	size_t n = ims_idev_attachments(idev, pasids, hwpt_ids, MAX_ATTACH);
	json_object *o = entry(c->ictx, idev->obj.id), *rid = NULL;
	json_object *by_pasid = json_object_new_array();

	json_object_object_add(o, "device", json_object_new_string(idev->dev->name));
	for (size_t i = 0; i < IMS_MIN(n, (size_t)MAX_ATTACH); i++) {
		json_object *h = hwpt_entry(c, hwpt_ids[i]), *p;

		if (pasids[i] == IMS_IOMMUFD_NO_PASID) {
			rid = json_object_new_int((int)hwpt_ids[i]);
			if (h)
				json_object_array_add(json_object_object_get(h, "devices"),
						      json_object_new_string(idev->dev->name));
			continue;
		}
		p = json_object_new_object();
		json_object_object_add(p, "pasid", json_object_new_int64(pasids[i]));
		json_object_object_add(p, "hwpt", json_object_new_int((int)hwpt_ids[i]));
		json_object_array_add(by_pasid, p);
	}
	json_object_object_add(o, "hwpt", rid);
	json_object_object_add(o, "pasids", by_pasid);
	json_object_array_add(c->binds, o);
}

/* IOASes and HWPTs first, so that devices can name themselves in their HWPT. */
static void add_context(struct ctx_json *c)
{
	if (ims_obj_collect(c->ictx, IMS_OBJ_ANY, &c->objs, &c->nr))
		goto out_put;
	c->hwpt_json = ims_calloc(c->nr ? c->nr : 1, sizeof(*c->hwpt_json));
	if (!c->hwpt_json)
		goto out_put;
	for (size_t i = 0; i < c->nr; i++) {
		if (c->objs[i]->type == IMS_OBJ_IOAS)
			add_ioas(c, ims_container_of(c->objs[i], struct ims_ioas, obj));
		else if (c->objs[i]->type == IMS_OBJ_HWPT_PAGING)
			c->hwpt_json[i] = add_hwpt(c, ims_container_of(c->objs[i],
								       struct ims_hwpt_paging, obj));
	}
	for (size_t i = 0; i < c->nr; i++)
		if (c->objs[i]->type == IMS_OBJ_DEVICE)
			add_bind(c, ims_container_of(c->objs[i], struct ims_iommufd_device, obj));
out_put:
	for (size_t i = 0; i < c->nr; i++)
		ims_obj_put(c->ictx, c->objs[i]);
	ims_free(c->objs);
	ims_free(c->hwpt_json);
}

void ims_iommufd_state_add_json(const struct ims_iommufd_env *env, json_object *state)
{
	struct ctx_json c = {
		.ioas = json_object_new_array(), .hwpts = json_object_new_array(),
		.binds = json_object_new_array(),
	};
	struct ims_iommufd_ctx **ctxs;
	size_t nr;

	ims_iommufd_registry_get_all(env, &ctxs, &nr);
	for (size_t i = 0; i < nr; i++) {
		c.ictx = ctxs[i];
		c.objs = NULL;
		c.hwpt_json = NULL;
		c.nr = 0;
		add_context(&c);
		ims_iommufd_ctx_put(ctxs[i]);
	}
	ims_free(ctxs);
	json_object_object_add(state, "ioas", c.ioas);
	json_object_object_add(state, "hwpts", c.hwpts);
	json_object_object_add(state, "binds", c.binds);
}
