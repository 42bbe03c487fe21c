// SPDX-License-Identifier: MIT
/*
 * A type1 container's list of valid IOVA ranges (kernel-semantics 4.3 steps
 * 7-9, 4.5): the intersection of its domains' apertures minus the reserved
 * regions of its groups.  Ranges are inclusive and kept sorted.
 *
 * The edge cases follow vfio_iommu_aper_resize(): a new start that lands on
 * the last byte of a range drops that range, as the kernel's comparison
 * does.
 */
#include <errno.h>
#include <string.h>

#include "util/alloc.h"
#include "vfio.h"

void ims_vfio_iova_free(struct ims_vfio_iova_list *l)
{
	ims_free(l->r);
	memset(l, 0, sizeof(*l));
}

static int insert_at(struct ims_vfio_iova_list *l, size_t pos, uint64_t start, uint64_t last)
{
	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		void *r = ims_realloc_array(l->r, cap, sizeof(*l->r));

		if (!r)
			return -ENOMEM;
		l->r = r;
		l->cap = cap;
	}
	memmove(&l->r[pos + 1], &l->r[pos], (l->nr - pos) * sizeof(*l->r));
	l->r[pos] = (struct ims_vfio_iova_range){ start, last };
	l->nr++;
	return 0;
}

static void remove_at(struct ims_vfio_iova_list *l, size_t pos)
{
	memmove(&l->r[pos], &l->r[pos + 1], (l->nr - pos - 1) * sizeof(*l->r));
	l->nr--;
}

int ims_vfio_iova_copy(const struct ims_vfio_iova_list *src, struct ims_vfio_iova_list *dst)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->nr)
		return 0;
	dst->r = ims_calloc(src->nr, sizeof(*dst->r));
	if (!dst->r)
		return -ENOMEM;
	memcpy(dst->r, src->r, src->nr * sizeof(*dst->r));
	dst->nr = dst->cap = src->nr;
	return 0;
}

int ims_vfio_iova_resize(struct ims_vfio_iova_list *l, uint64_t start, uint64_t last)
{
	size_t i = 0;

	if (!l->nr)
		return insert_at(l, 0, start, last);
	while (i < l->nr) {
		if (start < l->r[i].start)
			break;
		if (start < l->r[i].last) {
			l->r[i].start = start;
			break;
		}
		remove_at(l, i);
	}
	for (i = 0; i < l->nr;) {
		if (last > l->r[i].last) {
			i++;
		} else if (last > l->r[i].start) {
			l->r[i++].last = last;
		} else {
			remove_at(l, i);
		}
	}
	return 0;
}

/* Cut [start, last] out of the list. */
static int exclude_one(struct ims_vfio_iova_list *l, uint64_t start, uint64_t last)
{
	for (size_t i = 0; i < l->nr;) {
		struct ims_vfio_iova_range n = l->r[i];
		size_t at = i;
		int ret = 0;

		if (start > n.last || last < n.start) {
			i++;
			continue;
		}
		if (start > n.start)
			ret = insert_at(l, at++, n.start, start - 1);
		if (!ret && last < n.last)
			ret = insert_at(l, at++, last + 1, n.last);
		if (ret)
			return ret;
		remove_at(l, at);
		i = at;
	}
	return 0;
}

int ims_vfio_iova_exclude(struct ims_vfio_iova_list *l, const struct ims_resv_list *resv)
{
	for (size_t i = 0; i < resv->nr; i++) {
		const struct ims_resv_region *r = &resv->regions[i];
		int ret;

		if (r->type == IMS_RESV_DIRECT_RELAXABLE)
			continue;
		ret = exclude_one(l, r->start, r->start + r->length - 1);
		if (ret)
			return ret;
	}
	return l->nr ? 0 : -EINVAL;
}

bool ims_vfio_iova_contains(const struct ims_vfio_iova_list *l, uint64_t start, uint64_t last)
{
	if (!l->nr)
		return true; /* an empty list allows everything */
	for (size_t i = 0; i < l->nr; i++)
		if (start >= l->r[i].start && last <= l->r[i].last)
			return true;
	return false;
}
