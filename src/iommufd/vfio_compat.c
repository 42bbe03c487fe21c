// SPDX-License-Identifier: MIT
/*
 * VFIO type1 compatibility on an iommufd (kernel vfio_compat.c;
 * kernel-semantics 5.7): the container ioctls answered on /dev/iommu, over
 * one "compatibility" IOAS.  That IOAS is created when the first VFIO group
 * joins the context (VFIO_GROUP_SET_CONTAINER with an iommufd) or chosen
 * with IOMMU_VFIO_IOAS; the container ioctls fail with ENODEV without it.
 *
 * Differences from real type1 the kernel documents, kept here: SET_IOMMU
 * TYPE1 disables large pages so that any unmap can split mappings; a v2
 * unmap that would bisect a mapping fails with ENOENT (not EINVAL); an
 * unmap of an empty range succeeds with size 0; no dirty tracking, no
 * VADDR updates; DMA_AVAIL is always U32_MAX.
 */
#include <errno.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <string.h>

#include "iommufd-priv.h"
#include "util/alloc.h"
#include "util/uaccess.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

static struct ims_ioas *get_compat_ioas(struct ims_iommufd_ctx *ictx)
{
	struct ims_ioas *ioas = ERR_PTR(-ENODEV);

	ims_mutex_lock(&ictx->lock);
	if (ictx->vfio_ioas && ims_obj_try_get(&ictx->vfio_ioas->obj))
		ioas = ictx->vfio_ioas;
	ims_mutex_unlock(&ictx->lock);
	return ioas;
}

int ims_iommufd_vfio_compat_ioas_get_id(struct ims_iommufd_ctx *ictx, uint32_t *id)
{
	struct ims_ioas *ioas = get_compat_ioas(ictx);

	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	*id = ioas->obj.id;
	ims_obj_put(ictx, &ioas->obj);
	return 0;
}

int ims_iommufd_vfio_compat_ioas_create(struct ims_iommufd_ctx *ictx)
{
	struct ims_ioas *ioas = ims_ioas_alloc(ictx), *cur;
	bool exists = false;

	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	ims_mutex_lock(&ictx->lock);
	cur = ictx->vfio_ioas;
	if (cur && ims_obj_try_get(&cur->obj))
		exists = true;
	else
		ictx->vfio_ioas = ioas;
	ims_mutex_unlock(&ictx->lock);
	if (exists) {
		ims_obj_put(ictx, &cur->obj);
		ims_obj_abort_and_destroy(ictx, &ioas->obj);
		return 0;
	}
	/* Userspace may learn its ID (IOMMU_VFIO_IOAS GET) and destroy it. */
	ims_obj_finalize(ictx, &ioas->obj);
	return 0;
}

int ims_vfio_ioas(struct ims_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct ims_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = get_compat_ioas(ucmd->ictx);
		if (IS_ERR(ioas))
			return (int)PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		ims_obj_put(ucmd->ictx, &ioas->obj);
		return ims_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = ims_ioas_get(ucmd->ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return (int)PTR_ERR(ioas);
		ims_mutex_lock(&ucmd->ictx->lock);
		ucmd->ictx->vfio_ioas = ioas;
		ims_mutex_unlock(&ucmd->ictx->lock);
		ims_obj_put(ucmd->ictx, &ioas->obj);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		ims_mutex_lock(&ucmd->ictx->lock);
		ucmd->ictx->vfio_ioas = NULL;
		ims_mutex_unlock(&ucmd->ictx->lock);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* ---- MAP_DMA / UNMAP_DMA ---- */

static int map_dma(struct ims_iommufd_ctx *ictx, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	const uint32_t supported = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct vfio_iommu_type1_dma_map map;
	struct ims_ioas *ioas;
	uint64_t iova;
	int ret;

	if (ims_copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~supported))
		return -EINVAL;
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	iova = map.iova;
	ret = ims_ioas_map_user(ioas, map.vaddr, map.size, &iova,
				(map.flags & VFIO_DMA_MAP_FLAG_READ ? IMS_PROT_READ : 0) |
				(map.flags & VFIO_DMA_MAP_FLAG_WRITE ? IMS_PROT_WRITE : 0), 0);
	ims_obj_put(ictx, &ioas->obj);
	return ret;
}

/* TYPE1 (large pages off): cut the areas at the range's edges first. */
static int cut_edges(struct ims_ioas *ioas, uint64_t iova, uint64_t size)
{
	const uint64_t cuts[] = { iova + size - 1, iova - 1 };
	int ret = 0;

	ims_mutex_lock(&ioas->iova_lock);
	if (ioas->iopt.disable_large_pages)
		ret = ims_iopt_cut(&ioas->iopt, cuts, iova ? 2 : 1);
	ims_mutex_unlock(&ioas->iova_lock);
	return ret;
}

/* The unmap proper; its result is reported with the bytes unmapped. */
static int unmap_dma_range(struct ims_ioas *ioas, const struct vfio_iommu_type1_dma_unmap *u,
			   uint64_t *unmapped)
{
	if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL)
		return ims_ioas_unmap_range(ioas, 0, UINT64_MAX, unmapped);
	if (!u->size)
		return -EINVAL;
	if (u->iova + u->size - 1 < u->iova)
		return -EOVERFLOW;
	return ims_ioas_unmap_range(ioas, u->iova, u->iova + u->size - 1, unmapped);
}

static int unmap_dma(struct ims_iommufd_ctx *ictx, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	bool all;
	struct ims_ioas *ioas;
	uint64_t unmapped = 0;
	int ret;

	if (ims_copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	all = unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL;
	if (all)
		ret = unmap.iova || unmap.size ? -EINVAL : 0;
	else
		ret = cut_edges(ioas, unmap.iova, unmap.size);
	if (ret)
		goto out_put;
	ret = unmap_dma_range(ioas, &unmap, &unmapped);
	unmap.size = unmapped;
	if (ims_copy_to_user(arg, &unmap, minsz))
		ret = -EFAULT;
out_put:
	ims_obj_put(ictx, &ioas->obj);
	return ret;
}

/* ---- CHECK_EXTENSION, SET_IOMMU ---- */

/* DMA_CC_IOMMU: do all HWPTs of the compatibility IOAS enforce coherency? */
static int cc_iommu(struct ims_iommufd_ctx *ictx)
{
	struct ims_ioas *ioas = get_compat_ioas(ictx);
	struct ims_hwpt_paging *hwpt;
	int ret = 1;

	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	ims_mutex_lock(&ioas->mutex);
	ims_list_for_each_entry(hwpt, &ioas->hwpts, ioas_node)
		if (!hwpt->enforce_cache_coherency)
			ret = 0;
	ims_mutex_unlock(&ioas->mutex);
	ims_obj_put(ictx, &ioas->obj);
	return ret;
}

static int check_extension(struct ims_iommufd_ctx *ictx, unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		return cc_iommu(ictx);
	default:
		/* No NOIOMMU, no nesting, no VADDR updates. */
		return 0;
	}
}

static int set_iommu(struct ims_iommufd_ctx *ictx, unsigned long type)
{
	struct ims_ioas *ioas;
	int ret = 0;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	ioas = get_compat_ioas(ictx); /* no group joined: no IOAS */
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	if (type == VFIO_TYPE1_IOMMU) {
		ims_mutex_lock(&ioas->iova_lock);
		ret = ims_iopt_disable_large_pages(&ioas->iopt);
		ims_mutex_unlock(&ioas->iova_lock);
	}
	ims_obj_put(ictx, &ioas->obj);
	return ret;
}

/* ---- GET_INFO ---- */

static uint64_t page_sizes(struct ims_ioas *ioas)
{
	const uint64_t ps = ims_page_size();
	struct ims_iopt *iopt = &ioas->iopt;
	uint64_t bitmap = UINT64_MAX;

	for (size_t i = 0; i < iopt->nr_domains; i++)
		bitmap &= iopt->domains[i]->pgsize_bitmap;
	/* Sub-page sizes are hidden behind the CPU page, as type1 does. */
	if (bitmap & (ps - 1))
		bitmap = (bitmap & ~(ps - 1)) | ps;
	return IMS_MAX(bitmap, iopt->iova_alignment);
}

/* The caller's buffer for capabilities, and what has been placed in it. */
struct caps {
	char *ubuf;              /* the ioctl argument */
	uint32_t argsz;
	uint32_t total;          /* bytes of info + caps so far */
	uint32_t last_cap;       /* offset of the previous cap, 0: none */
};

/* Write @size bytes of @cap at the end if they fit; chain it after the previous. */
static int add_cap(struct caps *c, const void *cap, size_t size, size_t written)
{
	uint32_t at = c->total;

	if (c->argsz > at && written && ims_copy_to_user(c->ubuf + at, cap, written))
		return -EFAULT;
	if (c->last_cap && c->argsz >= at &&
	    ims_copy_to_user(c->ubuf + c->last_cap + offsetof(struct vfio_info_cap_header, next),
			     &at, sizeof(at)))
		return -EFAULT;
	c->last_cap = at;
	c->total += (uint32_t)((size + 7) & ~(size_t)7);
	return 0;
}

static int cap_dma_avail(struct caps *c)
{
	struct vfio_iommu_type1_info_dma_avail cap = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, .version = 1 },
		.avail = UINT32_MAX,
	};
	size_t room = c->argsz > c->total ? c->argsz - c->total : 0;

	return add_cap(c, &cap, sizeof(cap), room >= sizeof(cap) ? sizeof(cap) : 0);
}

/* IOVA_RANGE: the holes of the reserved ranges, each written while it fits. */
static int cap_iova_ranges(struct caps *c, struct ims_ioas *ioas)
{
	struct vfio_iommu_type1_info_cap_iova_range hdr = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, .version = 1 },
	};
	size_t room = c->argsz > c->total ? c->argsz - c->total : 0;
	struct ims_itree_span span;
	char *base = c->ubuf + c->total;

	for (ims_itree_span_first(&span, &ioas->iopt.reserved, 0, UINT64_MAX); !span.done;
	     ims_itree_span_next(&span)) {
		struct vfio_iova_range r = { .start = span.start, .end = span.last };
		size_t end = sizeof(hdr) + (hdr.nr_iovas + 1) * sizeof(r);

		if (!span.is_hole)
			continue;
		if (room >= end && ims_copy_to_user(base + end - sizeof(r), &r, sizeof(r)))
			return -EFAULT;
		hdr.nr_iovas++;
	}
	return add_cap(c, &hdr, sizeof(hdr) + hdr.nr_iovas * sizeof(struct vfio_iova_range),
		       room >= sizeof(hdr) + hdr.nr_iovas * sizeof(struct vfio_iova_range) ?
		       sizeof(hdr) : 0);
}

static int get_info(struct ims_iommufd_ctx *ictx, void *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_iommu_type1_info info = { 0 };
	struct caps c = { .ubuf = arg, .total = sizeof(info) };
	struct ims_ioas *ioas;
	int ret;

	if (ims_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = IMS_MIN((size_t)info.argsz, sizeof(info));
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	c.argsz = info.argsz;
	ims_mutex_lock(&ioas->iova_lock);
	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = page_sizes(ioas);
	ret = cap_dma_avail(&c);
	if (!ret)
		ret = cap_iova_ranges(&c, ioas);
	ims_mutex_unlock(&ioas->iova_lock);
	if (!ret) {
		/* Too small a buffer gets some caps and the size that holds them all. */
		info.cap_offset = info.argsz >= c.total ? sizeof(info) : 0;
		info.argsz = c.total;
		ret = ims_copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
	}
	ims_obj_put(ictx, &ioas->obj);
	return ret;
}

long ims_iommufd_vfio_ioctl(struct ims_iommufd_ctx *ictx, unsigned long cmd, void *arg)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_SET_IOMMU:
		return set_iommu(ictx, (unsigned long)arg);
	case VFIO_CHECK_EXTENSION:
		return check_extension(ictx, (unsigned long)arg);
	case VFIO_IOMMU_GET_INFO:
		return get_info(ictx, arg);
	case VFIO_IOMMU_MAP_DMA:
		return map_dma(ictx, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return unmap_dma(ictx, arg);
	default: /* VFIO_IOMMU_DIRTY_PAGES included */
		return -ENOTTY;
	}
}
