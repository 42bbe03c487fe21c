// SPDX-License-Identifier: MIT
/*
 * HWPT_PAGING objects: an IOMMU domain that mirrors an IOAS (kernel
 * hw_pagetable.c; kernel-semantics 5.5), and the ioctls on them:
 * HWPT_ALLOC, HWPT_SET_DIRTY_TRACKING, HWPT_GET_DIRTY_BITMAP.
 *
 * A HWPT's domain is allocated for one device ("for its instance", where
 * the driver binds domains), set to enforce cache coherency when that
 * device can, optionally attached to it at once (the automatic path), and
 * then filled with every mapping of the IOAS, which may refuse it
 * (alignment, aperture).  The coherency mode never changes afterwards: a
 * coherent HWPT can serve only devices whose driver accepts it.
 *
 * Nested HWPTs need a driver with nesting support; the drivers modelled so
 * far have none, so a nested allocation answers as the kernel does for such
 * a driver (EOPNOTSUPP).  Driver data for a paging HWPT is read only by the
 * test interface's mock (its page-table kind); every other driver refuses
 * it (EOPNOTSUPP).
 */
#include <errno.h>
#include <string.h>

#include "iommufd-priv.h"
#include "util/alloc.h"
#include "util/uaccess.h"

static struct ims_hwpt_paging *to_hwpt(struct ims_obj *obj)
{
	return ims_container_of(obj, struct ims_hwpt_paging, obj);
}

struct ims_hwpt_paging *ims_hwpt_paging_get(struct ims_iommufd_ctx *ictx, uint32_t id)
{
	struct ims_obj *obj = ims_obj_get(ictx, id, IMS_OBJ_HWPT_PAGING);

	return IS_ERR(obj) ? (void *)obj : to_hwpt(obj);
}

/* Leave the IOAS: its mappings come out of the domain. */
static void __leave_ioas(struct ims_hwpt_paging *hwpt)
{
	ims_assert_held(&hwpt->ioas->mutex);
	ims_list_del(&hwpt->ioas_node);
	ims_mutex_lock(&hwpt->ioas->iova_lock);
	ims_iopt_table_remove_domain(&hwpt->ioas->iopt, hwpt->domain);
	ims_mutex_unlock(&hwpt->ioas->iova_lock);
}

static void free_hwpt(struct ims_hwpt_paging *hwpt)
{
	if (hwpt->domain)
		ims_domain_free(hwpt->domain);
	ims_obj_users_dec(&hwpt->ioas->obj);
}

void ims_hwpt_paging_destroy(struct ims_obj *obj)
{
	struct ims_hwpt_paging *hwpt = to_hwpt(obj);

	if (!ims_list_empty(&hwpt->ioas_node)) {
		ims_mutex_lock(&hwpt->ioas->mutex);
		__leave_ioas(hwpt);
		ims_mutex_unlock(&hwpt->ioas->mutex);
	}
	free_hwpt(hwpt);
}

/* Context: the creator still holds ioas->mutex (it has not finalized). */
void ims_hwpt_paging_abort(struct ims_obj *obj)
{
	struct ims_hwpt_paging *hwpt = to_hwpt(obj);

	if (!ims_list_empty(&hwpt->ioas_node))
		__leave_ioas(hwpt);
	free_hwpt(hwpt);
}

void ims_hwpt_put(struct ims_iommufd_ctx *ictx, struct ims_hwpt_paging *hwpt)
{
	if (hwpt->auto_domain)
		ims_obj_remove(ictx, &hwpt->obj, hwpt->obj.id); /* EBUSY: still used */
	else
		ims_obj_users_dec(&hwpt->obj);
}

static int check_paging_flags(struct ims_iommufd_device *idev, uint32_t flags)
{
	const uint32_t valid = IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
			       IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID;

	if (flags & ~valid)
		return -EOPNOTSUPP;
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    !ims_device_capable(idev->dev, IMS_CAP_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	if ((flags & IOMMU_HWPT_FAULT_ID_VALID) && (flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return -EOPNOTSUPP;
	return 0;
}

/* The domain itself, coherent when the device can enforce it. */
static int alloc_domain(struct ims_hwpt_paging *hwpt, struct ims_iommufd_device *idev,
			uint32_t flags)
{
	struct ims_domain *domain;

	domain = ims_paging_domain_alloc_user(idev->dev, flags & ~IOMMU_HWPT_FAULT_ID_VALID, NULL);
	if (IS_ERR(domain))
		return (int)PTR_ERR(domain);
	domain->user = hwpt;
	hwpt->domain = domain;
	if (idev->enforce_cache_coherency) {
		hwpt->enforce_cache_coherency = ims_domain_enforce_cache_coherency(domain);
		if (!hwpt->enforce_cache_coherency)
			return -EINVAL; /* a driver bug: it claimed the capability */
	}
	return 0;
}

/* Fill the domain with the IOAS's mappings and join its HWPT list. */
static int join_ioas(struct ims_hwpt_paging *hwpt)
{
	struct ims_ioas *ioas = hwpt->ioas;
	int ret;

	ims_mutex_lock(&ioas->iova_lock);
	ret = ims_iopt_table_add_domain(&ioas->iopt, hwpt->domain);
	ims_mutex_unlock(&ioas->iova_lock);
	if (!ret)
		ims_list_add_tail(&hwpt->ioas_node, &ioas->hwpts);
	return ret;
}

struct ims_hwpt_paging *ims_hwpt_paging_alloc(struct ims_iommufd_ctx *ictx,
					      struct ims_ioas *ioas,
					      struct ims_iommufd_device *idev, uint32_t pasid,
					      uint32_t flags, bool immediate_attach)
{
	struct ims_hwpt_paging *hwpt;
	int ret;

	ims_assert_held(&ioas->mutex);
	ret = check_paging_flags(idev, flags);
	if (ret)
		return ERR_PTR(ret);
	hwpt = ims_obj_alloc(ictx, sizeof(*hwpt), IMS_OBJ_HWPT_PAGING);
	if (IS_ERR(hwpt))
		return hwpt;
	ims_list_init(&hwpt->ioas_node);
	ims_obj_users_inc(&ioas->obj);
	hwpt->ioas = ioas;
	hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt->pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	ret = alloc_domain(hwpt, idev, flags);
	if (!ret && immediate_attach)
		ret = ims_hwpt_attach(hwpt, idev, pasid);
	if (ret)
		goto out_abort;
	ret = join_ioas(hwpt);
	if (!ret)
		return hwpt;
	if (immediate_attach)
		ims_hwpt_detach(idev, pasid);
out_abort:
	ims_obj_abort_and_destroy(ictx, &hwpt->obj);
	return ERR_PTR(ret);
}

/* ---- HWPT_ALLOC ---- */

static int alloc_on_ioas(struct ims_ucmd *ucmd, struct ims_ioas *ioas,
			 struct ims_iommufd_device *idev)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct ims_hwpt_paging *hwpt;
	int ret = 0;

	/* The flags first, then the driver's reading of its data. */
	if (cmd->data_len)
		ret = check_paging_flags(idev, cmd->flags) ?:
		      ims_selftest_paging_data(ucmd->ictx, idev->dev, cmd->data_type,
					       cmd->data_uptr, cmd->data_len);
	if (ret)
		return ret;
	ims_mutex_lock(&ioas->mutex);
	hwpt = ims_hwpt_paging_alloc(ucmd->ictx, ioas, idev, IMS_IOMMUFD_NO_PASID, cmd->flags,
				     false);
	ret = IS_ERR(hwpt) ? (int)PTR_ERR(hwpt) : 0;
	/* No fault objects exist (no FAULT_QUEUE_ALLOC in this model). */
	if (!ret && (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID))
		ret = -ENOENT;
	if (!ret) {
		cmd->out_hwpt_id = hwpt->obj.id;
		ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	}
	if (!ret)
		ims_obj_finalize(ucmd->ictx, &hwpt->obj);
	else if (!IS_ERR(hwpt))
		ims_obj_abort_and_destroy(ucmd->ictx, &hwpt->obj);
	ims_mutex_unlock(&ioas->mutex);
	return ret;
}

int ims_hwpt_alloc_ioctl(struct ims_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct ims_iommufd_device *idev;
	struct ims_obj *pt;
	int ret;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;
	idev = ims_idev_get(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	pt = ims_obj_get(ucmd->ictx, cmd->pt_id, IMS_OBJ_ANY);
	if (IS_ERR(pt)) {
		ims_obj_put(ucmd->ictx, &idev->obj);
		return -EINVAL;
	}
	if (pt->type == IMS_OBJ_IOAS)
		ret = alloc_on_ioas(ucmd, ims_container_of(pt, struct ims_ioas, obj), idev);
	else if (pt->type == IMS_OBJ_HWPT_PAGING)
		ret = -EOPNOTSUPP; /* nested: no driver here nests */
	else
		ret = -EINVAL;
	ims_obj_put(ucmd->ictx, pt);
	ims_obj_put(ucmd->ictx, &idev->obj);
	return ret;
}

/* ---- dirty tracking ---- */

static bool tracks_dirty(const struct ims_domain *domain)
{
	return domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING;
}

/* Clear every area's dirty state so that tracking starts from a clean slate. */
static int clear_dirty(struct ims_ioas *ioas, struct ims_domain *domain)
{
	struct ims_iopt_area *area;
	int ret = 0;

	ims_iopt_for_each_area(&ioas->iopt, area, 0, UINT64_MAX) {
		ret = ims_domain_read_and_clear_dirty(domain, ims_iopt_area_iova(area),
						      ims_iopt_area_length(area), 0, NULL, NULL);
		if (ret)
			break;
	}
	return ret;
}

int ims_hwpt_set_dirty_tracking(struct ims_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	bool enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	struct ims_hwpt_paging *hwpt;
	int ret;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt = ims_hwpt_paging_get(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return (int)PTR_ERR(hwpt);
	ret = tracks_dirty(hwpt->domain) ? 0 : -EOPNOTSUPP;
	ims_mutex_lock(&hwpt->ioas->iova_lock);
	if (!ret && enable)
		ret = clear_dirty(hwpt->ioas, hwpt->domain);
	if (!ret)
		ret = ims_domain_set_dirty_tracking(hwpt->domain, enable);
	ims_mutex_unlock(&hwpt->ioas->iova_lock);
	ims_obj_put(ucmd->ictx, &hwpt->obj);
	return ret;
}

/* The caller's bitmap: bit n is [iova + n * page_size, +page_size). */
struct dirty_report {
	const struct iommu_hwpt_get_dirty_bitmap *cmd;
	unsigned int flags;
	struct ims_domain *domain;
	int err;
};

/* Set bits [first, last] of the user bitmap at @ubits, byte by byte (any alignment). */
static int set_user_bits(unsigned char *ubits, uint64_t first, uint64_t last)
{
	for (uint64_t bit = first; bit <= last;) {
		uint64_t byte = bit / 8, n = IMS_MIN(8 - bit % 8, last - bit + 1);
		unsigned char v, mask = (unsigned char)(((1u << n) - 1) << (bit % 8));

		if (ims_copy_from_user(&v, &ubits[byte], 1))
			return -EFAULT;
		v |= mask;
		if (ims_copy_to_user(&ubits[byte], &v, 1))
			return -EFAULT;
		bit += n;
	}
	return 0;
}

static void record_dirty(void *arg, uint64_t iova, uint64_t size)
{
	struct dirty_report *r = arg;
	const struct iommu_hwpt_get_dirty_bitmap *cmd = r->cmd;
	uint64_t start = IMS_MAX(iova, cmd->iova);
	uint64_t last = IMS_MIN(iova + size - 1, cmd->iova + cmd->length - 1);

	if (r->err || start > last)
		return;
	r->err = set_user_bits((unsigned char *)(uintptr_t)cmd->data,
			       (start - cmd->iova) / cmd->page_size,
			       (last - cmd->iova) / cmd->page_size);
}

static int read_dirty_area(void *arg, struct ims_iopt_area *area, uint64_t iova, uint64_t last)
{
	struct dirty_report *r = arg;
	int ret;

	(void)area;
	ret = ims_domain_read_and_clear_dirty(r->domain, iova, last - iova + 1, r->flags,
					      record_dirty, r);
	return ret ? ret : r->err;
}

/* iommufd_check_iova_range: alignment to the IOAS and to the bitmap's page size. */
static int check_bitmap_range(const struct ims_iopt *iopt,
			      const struct iommu_hwpt_get_dirty_bitmap *cmd)
{
	uint64_t last = cmd->iova + cmd->length - 1;

	if (last < cmd->iova && cmd->length)
		return -EOVERFLOW;
	if ((cmd->iova | (last + 1)) & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (!cmd->page_size || ((cmd->iova | (last + 1)) & (cmd->page_size - 1)))
		return -EINVAL;
	return 0;
}

int ims_hwpt_get_dirty_bitmap(struct ims_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct dirty_report r = { .cmd = cmd };
	struct ims_hwpt_paging *hwpt;
	struct ims_iopt *iopt;
	int ret;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = ims_hwpt_paging_get(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return (int)PTR_ERR(hwpt);
	iopt = &hwpt->ioas->iopt;
	r.domain = hwpt->domain;
	r.flags = cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ? IMS_PT_DIRTY_NO_CLEAR : 0;
	ims_mutex_lock(&hwpt->ioas->iova_lock);
	ret = check_bitmap_range(iopt, cmd);
	if (!ret && !tracks_dirty(hwpt->domain))
		ret = -EOPNOTSUPP;
	if (!ret)
		ret = ims_iopt_for_each_contig(iopt, cmd->iova, cmd->iova + cmd->length - 1,
					       read_dirty_area, &r);
	ims_mutex_unlock(&hwpt->ioas->iova_lock);
	ims_obj_put(ucmd->ictx, &hwpt->obj);
	return ret == -ENOENT ? -EINVAL : ret;
}
