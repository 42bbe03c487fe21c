// SPDX-License-Identifier: MIT
/*
 * Devices bound to a context, their attachments, and GET_HW_INFO (kernel
 * device.c; kernel-semantics 5.2-5.4).
 *
 * Bind claims the device's group for the context.  Attach takes a paging
 * HWPT (no search: every errno, the incompatible one included, goes back to
 * the caller) or an IOAS, which runs the automatic domain search: each
 * automatic HWPT of the IOAS in creation order, the profile's incompatible
 * errno meaning "try the next", any other errno ending the search, and a
 * new HWPT when none fits.  Manually allocated HWPTs are never picked.
 *
 * An iommu_group attaches once, for its first device; the others must name
 * the same HWPT (EINVAL otherwise) and only join.  Every device's reserved
 * regions are enforced in the IOAS of the HWPT it uses (EADDRINUSE when a
 * mapping or allowed range is in the way).  Per PASID the same holds, with
 * the PASID-compatibility rules of HWPTs allocated with the PASID flag.
 *
 * Context: igroup->lock serialises a group's attachments; the core's group
 * mutex is taken inside it, the IOAS's iova lock inside that.
 */
#include <errno.h>
#include <string.h>

#include "iommufd-priv.h"
#include "util/alloc.h"
#include "util/errname.h"
#include "util/log.h"
#include "util/uaccess.h"

/* ---- iommufd groups ---- */

static struct ims_igroup *igroup_find(struct ims_iommufd_ctx *ictx, struct ims_group *group)
{
	struct ims_igroup *igroup;

	ims_list_for_each_entry(igroup, &ictx->igroups, node)
		if (igroup->group == group)
			return igroup;
	return NULL;
}

static struct ims_igroup *igroup_get(struct ims_iommufd_ctx *ictx, struct ims_device *dev)
{
	struct ims_igroup *igroup, *fresh;

	if (!dev->group)
		return ERR_PTR(-ENODEV);
	fresh = ims_zalloc(sizeof(*fresh));
	if (!fresh)
		return ERR_PTR(-ENOMEM);
	ims_mutex_lock(&ictx->lock);
	igroup = igroup_find(ictx, dev->group);
	if (!igroup) {
		igroup = fresh;
		fresh = NULL;
		igroup->ictx = ictx;
		igroup->group = dev->group;
		igroup->sw_msi_start = UINT64_MAX;
		ims_mutex_init(&igroup->lock);
		ims_list_add_tail(&igroup->node, &ictx->igroups);
	}
	igroup->refs++;
	ims_mutex_unlock(&ictx->lock);
	ims_free(fresh);
	return igroup;
}

static void igroup_put(struct ims_igroup *igroup)
{
	struct ims_iommufd_ctx *ictx = igroup->ictx;
	bool last;

	ims_mutex_lock(&ictx->lock);
	last = --igroup->refs == 0;
	if (last)
		ims_list_del(&igroup->node);
	ims_mutex_unlock(&ictx->lock);
	if (!last)
		return;
	ims_free(igroup->attach);
	ims_mutex_destroy(&igroup->lock);
	ims_free(igroup);
}

/* ---- bind ---- */

struct ims_iommufd_device *ims_idev_get(struct ims_iommufd_ctx *ictx, uint32_t id)
{
	struct ims_obj *obj = ims_obj_get(ictx, id, IMS_OBJ_DEVICE);

	return IS_ERR(obj) ? (void *)obj : ims_container_of(obj, struct ims_iommufd_device, obj);
}

static int bind_checks(struct ims_iommufd_ctx *ictx, struct ims_device *dev,
		       struct ims_igroup *igroup)
{
	if (ims_selftest_is_mock_dev(ictx, dev) || ims_group_has_isolated_msi(igroup->group))
		return 0;
	if (!ictx->env->allow_unsafe_interrupts) {
		ims_dbg(IMS_LOG_IOMMUFD, "%s: MSIs of group %u are not isolated", dev->name,
			igroup->group->id);
		return -EPERM;
	}
	ims_dbg(IMS_LOG_IOMMUFD, "%s: MSIs are not isolated (allowed by the module parameter)",
		dev->name);
	return 0;
}

struct ims_iommufd_device *ims_iommufd_device_bind(struct ims_iommufd_ctx *ictx,
						   struct ims_device *dev, uint32_t *id)
{
	struct ims_iommufd_device *idev;
	struct ims_igroup *igroup;
	int ret;

	/* iommufd always maps cache coherent: the device must snoop. */
	if (!ims_device_capable(dev, IMS_CAP_CACHE_COHERENCY))
		return ERR_PTR(-EINVAL);
	igroup = igroup_get(ictx, dev);
	if (IS_ERR(igroup))
		return (void *)igroup;
	ret = bind_checks(ictx, dev, igroup);
	if (!ret)
		ret = ims_device_claim_dma_owner(dev, ictx);
	if (ret)
		goto out_put_group;
	idev = ims_obj_alloc(ictx, sizeof(*idev), IMS_OBJ_DEVICE);
	if (IS_ERR(idev)) {
		ret = (int)PTR_ERR(idev);
		goto out_release;
	}
	idev->ictx = ictx;
	if (!ims_selftest_is_mock_dev(ictx, dev))
		ims_iommufd_ctx_get(ictx);
	idev->dev = dev;
	idev->igroup = igroup;
	idev->enforce_cache_coherency = ims_device_capable(dev, IMS_CAP_ENFORCE_CACHE_COHERENCY);
	ims_obj_users_inc(&idev->obj); /* the binding driver's, until unbind */
	ims_obj_finalize(ictx, &idev->obj);
	*id = idev->obj.id;
	return idev;

out_release:
	ims_device_release_dma_owner(dev);
out_put_group:
	igroup_put(igroup);
	return ERR_PTR(ret);
}

void ims_idev_destroy(struct ims_obj *obj)
{
	struct ims_iommufd_device *idev = ims_container_of(obj, struct ims_iommufd_device, obj);
	bool mock = ims_selftest_is_mock_dev(idev->ictx, idev->dev);

	ims_device_release_dma_owner(idev->dev);
	igroup_put(idev->igroup);
	if (!mock)
		ims_iommufd_ctx_put(idev->ictx);
}

void ims_iommufd_device_unbind(struct ims_iommufd_device *idev)
{
	ims_obj_destroy_user(idev->ictx, &idev->obj);
}

/* ---- a group's attachments ---- */

static struct ims_igroup_attach *find_attach(struct ims_igroup *igroup, uint32_t pasid)
{
	for (size_t i = 0; i < igroup->nr_attach; i++)
		if (igroup->attach[i].pasid == pasid)
			return &igroup->attach[i];
	return NULL;
}

static bool attach_has(const struct ims_igroup_attach *a, const struct ims_iommufd_device *idev)
{
	for (size_t i = 0; i < a->nr_devs; i++)
		if (a->devs[i] == idev)
			return true;
	return false;
}

static void attach_drop_dev(struct ims_igroup_attach *a, struct ims_iommufd_device *idev)
{
	for (size_t i = 0; i < a->nr_devs; i++) {
		if (a->devs[i] != idev)
			continue;
		a->devs[i] = a->devs[--a->nr_devs];
		return;
	}
}

static void drop_attach(struct ims_igroup *igroup, struct ims_igroup_attach *a)
{
	ims_free(a->devs);
	*a = igroup->attach[--igroup->nr_attach];
}

/* Room for one more attachment and one more device on @pasid's: 0 or -ENOMEM. */
static int grow_attach(struct ims_igroup *igroup, uint32_t pasid)
{
	struct ims_igroup_attach *a = find_attach(igroup, pasid);
	void *p;

	if (!a) {
		p = ims_realloc_array(igroup->attach, igroup->nr_attach + 1, sizeof(*a));
		if (!p)
			return -ENOMEM;
		igroup->attach = p;
		return 0;
	}
	p = ims_realloc_array(a->devs, a->nr_devs + 1, sizeof(*a->devs));
	if (!p)
		return -ENOMEM;
	a->devs = p;
	return 0;
}

/* iommufd_hwpt_pasid_compat: PASID attachments need PASID-capable HWPTs. */
static int pasid_compat(struct ims_igroup *igroup, struct ims_hwpt_paging *hwpt, uint32_t pasid)
{
	struct ims_igroup_attach *rid;

	if (pasid == IMS_IOMMUFD_NO_PASID) {
		for (size_t i = 0; i < igroup->nr_attach; i++)
			if (igroup->attach[i].pasid != IMS_IOMMUFD_NO_PASID && !hwpt->pasid_compat)
				return -EINVAL;
		return 0;
	}
	if (!hwpt->pasid_compat)
		return -EINVAL;
	rid = find_attach(igroup, IMS_IOMMUFD_NO_PASID);
	return rid && !rid->hwpt->pasid_compat ? -EINVAL : 0;
}

static int reserve_regions(struct ims_ioas *ioas, struct ims_iommufd_device *idev,
			   uint64_t *sw_msi_start)
{
	int ret;

	ims_mutex_lock(&ioas->iova_lock);
	ret = ims_iopt_reserve_dev_regions(&ioas->iopt, idev->dev, sw_msi_start);
	ims_mutex_unlock(&ioas->iova_lock);
	return ret;
}

static void unreserve_regions(struct ims_ioas *ioas, struct ims_iommufd_device *idev)
{
	ims_mutex_lock(&ioas->iova_lock);
	ims_iopt_unreserve(&ioas->iopt, idev->dev);
	ims_mutex_unlock(&ioas->iova_lock);
}

/* The group's first attachment on @pasid: the core attaches the hardware. */
static int attach_hardware(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
			   uint32_t pasid)
{
	int ret = pasid_compat(idev->igroup, hwpt, pasid);

	if (ret)
		return ret;
	if (pasid == IMS_IOMMUFD_NO_PASID)
		return ims_attach_group(hwpt->domain, idev->igroup->group);
	return ims_attach_device_pasid(hwpt->domain, idev->dev, pasid);
}

static int __hwpt_attach(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
			 uint32_t pasid)
{
	struct ims_igroup *igroup = idev->igroup;
	struct ims_igroup_attach *a = find_attach(igroup, pasid);
	bool resv = pasid == IMS_IOMMUFD_NO_PASID;
	struct ims_iommufd_device **devs = NULL;
	int ret;

	ims_assert_held(&igroup->lock);
	if (a && attach_has(a, idev))
		return -EBUSY;
	if (a && a->hwpt != hwpt)
		return -EINVAL; /* every device of a group shares one HWPT */
	ret = a ? grow_attach(igroup, pasid) : 0;
	if (!a && !ret) {
		devs = ims_malloc(sizeof(*devs));
		ret = devs ? grow_attach(igroup, pasid) : -ENOMEM;
	}
	if (!ret && resv)
		ret = reserve_regions(hwpt->ioas, idev, &igroup->sw_msi_start);
	if (!ret && !a) {
		ret = attach_hardware(hwpt, idev, pasid);
		if (ret && resv)
			unreserve_regions(hwpt->ioas, idev);
	}
	if (ret) {
		ims_free(devs);
		return ret;
	}
	if (!a) {
		a = &igroup->attach[igroup->nr_attach++];
		*a = (struct ims_igroup_attach){ .pasid = pasid, .hwpt = hwpt, .devs = devs };
	}
	a->devs[a->nr_devs++] = idev;
	ims_obj_users_inc(&hwpt->obj);
	return 0;
}

int ims_hwpt_attach(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
		    uint32_t pasid)
{
	int ret;

	ims_mutex_lock(&idev->igroup->lock);
	ret = __hwpt_attach(hwpt, idev, pasid);
	ims_mutex_unlock(&idev->igroup->lock);
	return ret;
}

struct ims_hwpt_paging *ims_hwpt_detach(struct ims_iommufd_device *idev, uint32_t pasid)
{
	struct ims_igroup *igroup = idev->igroup;
	struct ims_hwpt_paging *hwpt = NULL;
	struct ims_igroup_attach *a;

	ims_mutex_lock(&igroup->lock);
	a = find_attach(igroup, pasid);
	if (a && attach_has(a, idev)) {
		hwpt = a->hwpt;
		attach_drop_dev(a, idev);
		if (!a->nr_devs) {
			if (pasid == IMS_IOMMUFD_NO_PASID)
				ims_detach_group(hwpt->domain, igroup->group);
			else
				ims_detach_device_pasid(hwpt->domain, idev->dev, pasid);
			drop_attach(igroup, a);
		}
		if (pasid == IMS_IOMMUFD_NO_PASID)
			unreserve_regions(hwpt->ioas, idev);
	}
	ims_mutex_unlock(&igroup->lock);
	return hwpt;
}

size_t ims_idev_attachments(struct ims_iommufd_device *idev, uint32_t *pasids,
			    uint32_t *hwpt_ids, size_t max)
{
	struct ims_igroup *igroup = idev->igroup;
	size_t n = 0;

	ims_mutex_lock(&igroup->lock);
	for (size_t i = 0; i < igroup->nr_attach; i++) {
		struct ims_igroup_attach *a = &igroup->attach[i];

		if (!attach_has(a, idev))
			continue;
		if (n < max) {
			pasids[n] = a->pasid;
			hwpt_ids[n] = a->hwpt->obj.id;
		}
		n++;
	}
	ims_mutex_unlock(&igroup->lock);
	return n;
}

/* ---- replace ---- */

static void unreserve_group(struct ims_igroup_attach *a, struct ims_ioas *ioas)
{
	for (size_t i = 0; i < a->nr_devs; i++)
		unreserve_regions(ioas, a->devs[i]);
}

/* Every device of the group reserves its regions in the new IOAS. */
static int reserve_group(struct ims_igroup *igroup, struct ims_igroup_attach *a,
			 struct ims_ioas *ioas)
{
	for (size_t i = 0; i < a->nr_devs; i++) {
		int ret = reserve_regions(ioas, a->devs[i], &igroup->sw_msi_start);

		if (ret) {
			unreserve_group(a, ioas);
			return ret;
		}
	}
	return 0;
}

static int replace_hardware(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
			    uint32_t pasid)
{
	int ret = pasid_compat(idev->igroup, hwpt, pasid);

	if (ret)
		return ret;
	if (pasid == IMS_IOMMUFD_NO_PASID)
		return ims_group_replace_domain(idev->igroup->group, hwpt->domain);
	return ims_replace_device_pasid(hwpt->domain, idev->dev, pasid);
}

/* Move the group's references from @old to @hwpt, keeping one of @old's for the caller. */
static void move_refs(struct ims_igroup_attach *a, struct ims_hwpt_paging *hwpt,
		      struct ims_hwpt_paging *old)
{
	for (size_t i = 0; i < a->nr_devs; i++) {
		ims_obj_users_inc(&hwpt->obj);
		if (i)
			ims_obj_users_dec(&old->obj);
	}
	a->hwpt = hwpt;
}

static int __hwpt_replace(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
			  uint32_t pasid, struct ims_hwpt_paging **old)
{
	struct ims_igroup_attach *a = find_attach(idev->igroup, pasid);
	bool new_ioas;
	int ret;

	ims_assert_held(&idev->igroup->lock);
	*old = NULL;
	if (!a || !attach_has(a, idev))
		return -EINVAL;
	if (a->hwpt == hwpt)
		return 0;
	new_ioas = pasid == IMS_IOMMUFD_NO_PASID && hwpt->ioas != a->hwpt->ioas;
	ret = new_ioas ? reserve_group(idev->igroup, a, hwpt->ioas) : 0;
	if (!ret)
		ret = replace_hardware(hwpt, idev, pasid);
	if (ret) {
		if (new_ioas)
			unreserve_group(a, hwpt->ioas);
		return ret;
	}
	if (new_ioas)
		unreserve_group(a, a->hwpt->ioas);
	*old = a->hwpt;
	move_refs(a, hwpt, *old);
	return 0;
}

/* ---- attach / replace by ID, and the automatic domain search ---- */

/* One step of an attach: @old gets the HWPT a replace left (to be put). */
typedef int (*attach_fn)(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
			 uint32_t pasid, struct ims_hwpt_paging **old);

static int do_attach(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
		     uint32_t pasid, struct ims_hwpt_paging **old)
{
	*old = NULL;
	return ims_hwpt_attach(hwpt, idev, pasid);
}

static int do_replace(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
		      uint32_t pasid, struct ims_hwpt_paging **old)
{
	int ret;

	ims_mutex_lock(&idev->igroup->lock);
	ret = __hwpt_replace(hwpt, idev, pasid, old);
	ims_mutex_unlock(&idev->igroup->lock);
	return ret;
}

bool ims_iommufd_attach_soft(struct ims_iommufd_ctx *ictx, int err)
{
	return ims_err_is_soft(ictx->env->core, err);
}

/* Tell the trace what the search decided after an answer. */
static void decide(struct ims_iommufd_device *idev, struct ims_hwpt_paging *hwpt, int err,
		   const char *action)
{
	struct ims_core *core = idev->ictx->env->core;
	struct ims_trace_event ev = {
		.kind = IMS_TRACE_DECISION, .subsys = "iommufd", .dev = idev->dev,
		.domain = hwpt ? hwpt->domain : NULL, .err = err, .reason = action,
	};
	const char *class = !err ? "" : ims_err_is_soft(core, err) ? " (soft)" : " (hard)";

	ims_trace(core, &ev, "iommufd: %s -> hwpt %u: %s%s, %s", idev->dev->name,
		  hwpt ? hwpt->obj.id : 0, ims_errname(err), class, action);
}

/* Try the automatic HWPTs of @ioas in order: 0, 1 (none took it), or a hard errno. */
static int try_auto_hwpts(struct ims_iommufd_device *idev, uint32_t pasid,
			  struct ims_ioas *ioas, uint32_t *pt_id, attach_fn fn,
			  struct ims_hwpt_paging **old)
{
	struct ims_hwpt_paging *hwpt;

	ims_list_for_each_entry(hwpt, &ioas->hwpts, ioas_node) {
		int ret;

		if (!hwpt->auto_domain || !ims_obj_try_get(&hwpt->obj))
			continue;
		ret = fn(hwpt, idev, pasid, old);
		ims_obj_put(idev->ictx, &hwpt->obj);
		if (!ret) {
			decide(idev, hwpt, 0, "sharing it");
			*pt_id = hwpt->obj.id;
			return 0;
		}
		if (!ims_iommufd_attach_soft(idev->ictx, ret)) {
			decide(idev, hwpt, ret, "stopping");
			return ret;
		}
		decide(idev, hwpt, ret, "trying the next");
	}
	return 1;
}

/* iommufd_device_auto_get_domain (kernel-semantics 5.4). */
static int auto_get_domain(struct ims_iommufd_device *idev, uint32_t pasid,
			   struct ims_ioas *ioas, uint32_t *pt_id, attach_fn fn,
			   struct ims_hwpt_paging **old)
{
	bool immediate = fn == do_attach;
	struct ims_hwpt_paging *hwpt;
	int ret;

	ims_mutex_lock(&ioas->mutex);
	ret = try_auto_hwpts(idev, pasid, ioas, pt_id, fn, old);
	if (ret <= 0)
		goto out_unlock;
	hwpt = ims_hwpt_paging_alloc(idev->ictx, ioas, idev, pasid, 0, immediate);
	ret = IS_ERR(hwpt) ? (int)PTR_ERR(hwpt) : 0;
	if (!ret && !immediate) {
		ret = fn(hwpt, idev, pasid, old);
		if (ret)
			ims_obj_abort_and_destroy(idev->ictx, &hwpt->obj);
	}
	decide(idev, ret ? NULL : hwpt, ret, ret ? "failing" : "a new automatic HWPT");
	if (!ret) {
		hwpt->auto_domain = true;
		*pt_id = hwpt->obj.id;
		ims_obj_finalize(idev->ictx, &hwpt->obj);
	}
out_unlock:
	ims_mutex_unlock(&ioas->mutex);
	return ret;
}

static int change_pt(struct ims_iommufd_device *idev, uint32_t pasid, uint32_t *pt_id,
		     attach_fn fn)
{
	struct ims_hwpt_paging *old = NULL;
	struct ims_obj *pt;
	int ret;

	pt = ims_obj_get(idev->ictx, *pt_id, IMS_OBJ_ANY);
	if (IS_ERR(pt))
		return (int)PTR_ERR(pt);
	if (pt->type == IMS_OBJ_HWPT_PAGING)
		ret = fn(ims_container_of(pt, struct ims_hwpt_paging, obj), idev, pasid, &old);
	else if (pt->type == IMS_OBJ_IOAS)
		ret = auto_get_domain(idev, pasid, ims_container_of(pt, struct ims_ioas, obj),
				      pt_id, fn, &old);
	else
		ret = -EINVAL;
	ims_obj_put(idev->ictx, pt);
	/* After every lock is dropped: the old HWPT may go with it. */
	if (old)
		ims_hwpt_put(idev->ictx, old);
	return ret;
}

int ims_iommufd_device_attach(struct ims_iommufd_device *idev, uint32_t pasid,
			      uint32_t *pt_id)
{
	int ret = change_pt(idev, pasid, pt_id, do_attach);

	if (!ret)
		ims_obj_users_inc(&idev->obj); /* detach must come before unbind */
	return ret;
}

int ims_iommufd_device_replace(struct ims_iommufd_device *idev, uint32_t pasid,
			       uint32_t *pt_id)
{
	return change_pt(idev, pasid, pt_id, do_replace);
}

void ims_iommufd_device_detach(struct ims_iommufd_device *idev, uint32_t pasid)
{
	struct ims_hwpt_paging *hwpt = ims_hwpt_detach(idev, pasid);

	if (!hwpt)
		return;
	ims_hwpt_put(idev->ictx, hwpt);
	ims_obj_users_dec(&idev->obj);
}

/* ---- GET_HW_INFO ---- */

#define HW_INFO_MAX 64

static int copy_hw_info(struct iommu_hw_info *cmd, const void *data, uint32_t len)
{
	void *uptr = (void *)(uintptr_t)cmd->data_uptr;
	uint32_t copy = IMS_MIN(cmd->data_len, len);

	if (ims_copy_to_user(uptr, data, copy))
		return -EFAULT;
	/* The rest of a larger buffer reads as zeroes. */
	if (copy < cmd->data_len && ims_clear_user((char *)uptr + copy, cmd->data_len - copy))
		return -EFAULT;
	cmd->data_len = len;
	return 0;
}

static void hw_caps(struct iommu_hw_info *cmd, struct ims_device *dev)
{
	cmd->out_capabilities = 0;
	if (ims_device_capable(dev, IMS_CAP_DIRTY_TRACKING))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	cmd->out_max_pasid_log2 = 0;
	if (dev->max_pasids)
		cmd->out_max_pasid_log2 = (uint8_t)(31 - __builtin_clz(dev->max_pasids));
}

int ims_get_hw_info(struct ims_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	unsigned char data[HW_INFO_MAX];
	struct ims_iommufd_device *idev;
	uint32_t len = sizeof(data);
	int ret;

	if ((cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) || cmd->__reserved[0] ||
	    cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	if (!(cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE))
		cmd->in_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;
	idev = ims_idev_get(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	ret = ims_selftest_hw_info(ucmd->ictx, idev->dev, &cmd->out_data_type, data, &len);
	if (ret == -ENODEV) { /* a driver without hardware information */
		cmd->out_data_type = IOMMU_HW_INFO_TYPE_NONE;
		len = 0;
		ret = 0;
	}
	if (!ret)
		ret = copy_hw_info(cmd, data, len);
	if (!ret) {
		hw_caps(cmd, idev->dev);
		ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	}
	ims_obj_put(ucmd->ictx, &idev->obj);
	return ret;
}
