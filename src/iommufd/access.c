// SPDX-License-Identifier: MIT
/*
 * Access objects: emulated in-kernel DMA users of an IOAS (the kernel's
 * iommufd_access, in device.c), such as an mdev driver or the selftest's
 * access fds.  An access reads and writes IOVA through the IOAS without a
 * domain (ims_access_rw), or pins the pages behind an IOVA range
 * (ims_access_pin_pages), which keeps them pinned for as long as the
 * access holds them.
 *
 * An unmap over pinned pages cannot proceed: the IOAS marks the area and
 * calls every access's unmap callback, without its own locks, and retries
 * (ims_ioas_unmap_range).  Accesses that pin pages need CPU-page alignment
 * from their IOAS.
 *
 * Locking: access->lock protects ioas and ioas_unpin; it sits outside the
 * IOAS's iova lock.  While an access changes IOAS, ioas is NULL (no new
 * pins) and ioas_unpin still names the old one, so that the driver's unmap
 * callback can unpin there.
 */
#include <errno.h>

#include "iommufd-priv.h"
#include "util/alloc.h"

static uint64_t psize(void)
{
	return ims_page_size();
}

struct ims_access *ims_access_create(struct ims_iommufd_ctx *ictx,
				     const struct ims_access_ops *ops, void *data,
				     uint32_t *id)
{
	struct ims_access *access = ims_obj_alloc(ictx, sizeof(*access), IMS_OBJ_ACCESS);

	if (IS_ERR(access))
		return access;
	access->ictx = ictx;
	access->ops = ops;
	access->data = data;
	ims_mutex_init(&access->lock);
	ims_obj_users_inc(&access->obj); /* the driver's, until ims_access_destroy */
	ims_iommufd_ctx_get(ictx);
	ims_obj_finalize(ictx, &access->obj);
	*id = access->obj.id;
	return access;
}

void ims_access_destroy(struct ims_access *access)
{
	ims_obj_destroy_user(access->ictx, &access->obj);
}

/* ---- joining and leaving an IOAS ---- */

static int join_ioas(struct ims_access *access, struct ims_ioas *ioas)
{
	int ret;

	ims_mutex_lock(&ioas->access_lock);
	ret = ims_idtable_alloc(&ioas->accesses, access, &access->ioas_slot);
	ims_mutex_unlock(&ioas->access_lock);
	if (ret || !access->ops->needs_pin_pages)
		return ret;
	ims_mutex_lock(&ioas->iova_lock);
	ret = ims_iopt_add_page_access(&ioas->iopt);
	ims_mutex_unlock(&ioas->iova_lock);
	if (ret) {
		ims_mutex_lock(&ioas->access_lock);
		ims_idtable_remove(&ioas->accesses, access->ioas_slot);
		ims_mutex_unlock(&ioas->access_lock);
	}
	return ret;
}

static void leave_ioas(struct ims_access *access, struct ims_ioas *ioas, uint32_t slot)
{
	if (access->ops->needs_pin_pages) {
		ims_mutex_lock(&ioas->iova_lock);
		ims_iopt_remove_page_access(&ioas->iopt);
		ims_mutex_unlock(&ioas->iova_lock);
	}
	ims_mutex_lock(&ioas->access_lock);
	ims_idtable_remove(&ioas->accesses, slot);
	ims_mutex_unlock(&ioas->access_lock);
}

/* iommufd_access_change_ioas.  Context: access->lock, dropped around the unmap callback. */
static int __change_ioas(struct ims_access *access, struct ims_ioas *new)
{
	struct ims_ioas *cur = access->ioas;
	uint32_t slot = access->ioas_slot;
	int ret;

	ims_assert_held(&access->lock);
	if (cur != access->ioas_unpin)
		return -EBUSY; /* racing with another change */
	if (cur == new)
		return 0;
	access->ioas = NULL;
	if (new) {
		ret = join_ioas(access, new);
		if (ret) {
			access->ioas = cur;
			access->ioas_slot = slot;
			return ret;
		}
		ims_obj_users_inc(&new->obj);
	}
	if (cur) {
		if (access->ops->unmap) {
			ims_mutex_unlock(&access->lock);
			access->ops->unmap(access->data, 0, UINT64_MAX);
			ims_mutex_lock(&access->lock);
		}
		leave_ioas(access, cur, slot);
		ims_obj_users_dec(&cur->obj);
	}
	access->ioas = access->ioas_unpin = new;
	return 0;
}

static int change_ioas_id(struct ims_access *access, uint32_t ioas_id)
{
	struct ims_ioas *ioas = ims_ioas_get(access->ictx, ioas_id);
	int ret;

	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	ret = __change_ioas(access, ioas);
	ims_obj_put(access->ictx, &ioas->obj);
	return ret;
}

int ims_access_attach(struct ims_access *access, uint32_t ioas_id)
{
	int ret;

	ims_mutex_lock(&access->lock);
	ret = access->ioas ? -EINVAL : change_ioas_id(access, ioas_id);
	ims_mutex_unlock(&access->lock);
	return ret;
}

int ims_access_replace(struct ims_access *access, uint32_t ioas_id)
{
	int ret;

	ims_mutex_lock(&access->lock);
	ret = !access->ioas ? -ENOENT : change_ioas_id(access, ioas_id);
	ims_mutex_unlock(&access->lock);
	return ret;
}

void ims_access_destroy_object(struct ims_obj *obj)
{
	struct ims_access *access = ims_container_of(obj, struct ims_access, obj);

	ims_mutex_lock(&access->lock);
	if (access->ioas)
		__change_ioas(access, NULL);
	ims_mutex_unlock(&access->lock);
	ims_mutex_destroy(&access->lock);
	ims_iommufd_ctx_put(access->ictx);
}

/* ---- the unmap protocol ---- */

void ims_access_notify_unmap(struct ims_ioas *ioas, uint64_t iova, uint64_t length)
{
	struct ims_access *access;
	uint32_t slot = 0;

	for (;;) {
		ims_mutex_lock(&ioas->access_lock);
		while ((access = ims_idtable_next(&ioas->accesses, &slot)) &&
		       !ims_obj_try_get(&access->obj))
			slot++;
		ims_mutex_unlock(&ioas->access_lock);
		if (!access)
			return;
		if (access->ops->unmap)
			access->ops->unmap(access->data, iova, length);
		ims_obj_put(access->ictx, &access->obj);
		slot++;
	}
}

/* ---- pinning ---- */

struct pin_walk {
	uint64_t first_iova, last_iova;
	uint64_t *out;              /* CPU addresses of the pinned pages */
	bool write;
	uint64_t done;              /* IOVA up to which pages are pinned */
};

static uint64_t area_index(const struct ims_iopt_area *area, uint64_t iova)
{
	return ims_iopt_area_start_byte(area, iova) / psize();
}

/* Pinning hands out whole CPU pages: every piece must start and end on one. */
static bool piece_aligned(const struct ims_iopt_area *area, uint64_t iova, uint64_t last,
			  uint64_t range_last)
{
	if (ims_iopt_area_start_byte(area, iova) % psize())
		return false;
	return last == range_last ||
	       ims_iopt_area_start_byte(area, ims_iopt_area_last(area)) % psize() == psize() - 1;
}

static bool area_allows(const struct ims_iopt_area *area, bool write)
{
	return area->prot & (write ? IMS_PROT_WRITE : IMS_PROT_READ);
}

static int pin_piece(void *arg, struct ims_iopt_area *area, uint64_t iova, uint64_t last)
{
	struct pin_walk *w = arg;
	uint64_t first = area_index(area, iova), end = area_index(area, last);
	int ret;

	if (area->prevent_access || !piece_aligned(area, iova, last, w->last_iova))
		return -EINVAL;
	if (!area_allows(area, w->write))
		return -EPERM;
	ret = ims_iopt_pages_pin(area->pages, first, end);
	if (ret)
		return ret;
	area->num_accesses++;
	for (uint64_t i = first; i <= end; i++)
		*w->out++ = area->pages->va + i * psize();
	w->done = last + 1;
	return 0;
}

static int unpin_piece(void *arg, struct ims_iopt_area *area, uint64_t iova, uint64_t last)
{
	(void)arg;
	ims_iopt_pages_unpin(area->pages, area_index(area, iova), area_index(area, last));
	area->num_accesses--;
	return 0;
}

/*
 * Run @fn over the contiguous areas of [iova, iova + length) of the access's
 * IOAS, under the access's and the IOAS's locks; on failure @undo (if any)
 * runs under the same locks.  -EINVAL, -EOVERFLOW, -ENOENT (no IOAS, or
 * not mapped without a gap), or @fn's errno.
 */
static int walk_locked(struct ims_access *access, uint64_t iova, uint64_t length,
		       ims_iopt_contig_fn fn, void (*undo)(struct ims_iopt *iopt, void *arg),
		       void *arg)
{
	struct ims_ioas *ioas;
	int ret;

	if (!length)
		return -EINVAL;
	if (iova + length - 1 < iova)
		return -EOVERFLOW;
	ims_mutex_lock(&access->lock);
	ioas = access->ioas;
	if (!ioas) {
		ims_mutex_unlock(&access->lock);
		return -ENOENT;
	}
	ims_mutex_lock(&ioas->iova_lock);
	ret = ims_iopt_for_each_contig(&ioas->iopt, iova, iova + length - 1, fn, arg);
	if (ret && undo)
		undo(&ioas->iopt, arg);
	ims_mutex_unlock(&ioas->iova_lock);
	ims_mutex_unlock(&access->lock);
	return ret;
}

/* A failed pin gives back what it pinned so far. */
static void unpin_done(struct ims_iopt *iopt, void *arg)
{
	struct pin_walk *w = arg;

	if (w->done > w->first_iova)
		ims_iopt_for_each_contig(iopt, w->first_iova, w->done - 1, unpin_piece, NULL);
}

int ims_access_pin_pages(struct ims_access *access, uint64_t iova, uint64_t length,
			 uint64_t *out, bool write)
{
	struct pin_walk w = {
		.first_iova = iova, .last_iova = iova + length - 1, .out = out, .write = write,
		.done = iova,
	};

	return walk_locked(access, iova, length, pin_piece, unpin_done, &w);
}

void ims_access_unpin_pages(struct ims_access *access, uint64_t iova, uint64_t length)
{
	struct ims_ioas *ioas;

	if (!length || iova + length - 1 < iova)
		return;
	ims_mutex_lock(&access->lock);
	ioas = access->ioas_unpin;
	if (ioas) {
		ims_mutex_lock(&ioas->iova_lock);
		ims_iopt_for_each_contig(&ioas->iopt, iova, iova + length - 1, unpin_piece, NULL);
		ims_mutex_unlock(&ioas->iova_lock);
	}
	ims_mutex_unlock(&access->lock);
}

/* ---- reading and writing ---- */

struct rw_walk {
	char *buf;
	bool write;
};

static int rw_piece(void *arg, struct ims_iopt_area *area, uint64_t iova, uint64_t last)
{
	struct rw_walk *w = arg;
	uint64_t n = last - iova + 1;
	int ret;

	if (area->prevent_access)
		return -EINVAL;
	if (!area_allows(area, w->write))
		return -EPERM;
	ret = ims_iopt_pages_rw(area->pages, ims_iopt_area_start_byte(area, iova), w->buf, n,
				w->write);
	w->buf += n;
	return ret;
}

int ims_access_rw(struct ims_access *access, uint64_t iova, void *buf, uint64_t length,
		  bool write)
{
	struct rw_walk w = { .buf = buf, .write = write };

	return walk_locked(access, iova, length, rw_piece, NULL, &w);
}
