// SPDX-License-Identifier: MIT
/*
 * Reserved regions (kernel-semantics 2.9).
 *
 * A device's regions come from its driver's get_resv_regions (which also
 * reports the firmware's: RMRRs, reserved-memory with iommu-addresses).  A
 * group's list is the union of its devices', sorted by start with ties
 * broken by type, and regions of the same type that overlap or touch are
 * merged; different types stay apart (an MSI window inside a RESERVED hole
 * is still reported as both).
 */
#include <errno.h>
#include <string.h>

#include "core-priv.h"
#include "util/alloc.h"

static const char *const resv_names[] = {
	[IMS_RESV_DIRECT] = "direct",
	[IMS_RESV_DIRECT_RELAXABLE] = "direct-relaxable",
	[IMS_RESV_RESERVED] = "reserved",
	[IMS_RESV_MSI] = "msi",
	[IMS_RESV_SW_MSI] = "msi",
};

/* The names of /sys/kernel/iommu_groups/N/reserved_regions. */
const char *ims_resv_type_name(enum ims_resv_type type)
{
	return type <= IMS_RESV_SW_MSI ? resv_names[type] : "?";
}

void ims_resv_list_init(struct ims_resv_list *list)
{
	memset(list, 0, sizeof(*list));
}

void ims_resv_list_free(struct ims_resv_list *list)
{
	ims_free(list->regions);
	ims_resv_list_init(list);
}

static uint64_t region_last(const struct ims_resv_region *r)
{
	return r->start + r->length - 1;
}

/* Fold region @i into the nearest earlier region of its type if they meet. */
static bool merge_into_previous(struct ims_resv_list *list, size_t i)
{
	struct ims_resv_region *r = &list->regions[i];

	for (size_t j = i; j-- > 0;) {
		struct ims_resv_region *top = &list->regions[j];
		uint64_t top_last = region_last(top);

		if (top->type != r->type)
			continue;
		if (top_last != UINT64_MAX && r->start > top_last + 1)
			return false;
		if (region_last(r) > top_last)
			top->length = region_last(r) - top->start + 1;
		memmove(r, r + 1, (list->nr - i - 1) * sizeof(*r));
		list->nr--;
		return true;
	}
	return false;
}

int ims_resv_list_insert(struct ims_resv_list *list, const struct ims_resv_region *r)
{
	size_t pos = 0;

	if (!r->length)
		return 0;
	if (list->nr == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		void *p = ims_realloc_array(list->regions, cap, sizeof(*r));

		if (!p)
			return -ENOMEM;
		list->regions = p;
		list->cap = cap;
	}
	while (pos < list->nr && (list->regions[pos].start < r->start ||
				  (list->regions[pos].start == r->start &&
				   list->regions[pos].type < r->type)))
		pos++;
	memmove(&list->regions[pos + 1], &list->regions[pos],
		(list->nr - pos) * sizeof(*r));
	list->regions[pos] = *r;
	list->nr++;
	/* Merge every same-type pair the new region may have joined. */
	for (size_t i = 1; i < list->nr;)
		if (!(list->regions[i].type == r->type && merge_into_previous(list, i)))
			i++;
	return 0;
}

/*
 * The firmware's regions of @dev (RMRRs, reserved-memory with
 * iommu-addresses: what iommu_dma_get_resv_regions and the VT-d RMRR code
 * report) followed by the driver's own (MSI windows, holes).
 */
int ims_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	const struct ims_iommu_ops *ops;

	if (!dev->iommu)
		return 0;
	for (unsigned int i = 0; i < dev->nr_fw_resv; i++) {
		int ret = ims_resv_list_insert(list, &dev->fw_resv[i]);

		if (ret)
			return ret;
	}
	ops = dev->iommu->ops;
	return ops->get_resv_regions ? ops->get_resv_regions(dev, list) : 0;
}

int ims_group_get_resv_regions(struct ims_group *group, struct ims_resv_list *list)
{
	struct ims_device *dev;
	int ret = 0;

	ims_mutex_lock(&group->mutex);
	ims_group_for_each_device(group, dev) {
		struct ims_resv_list dev_list;

		ims_resv_list_init(&dev_list);
		ret = ims_get_resv_regions(dev, &dev_list);
		for (size_t i = 0; !ret && i < dev_list.nr; i++)
			ret = ims_resv_list_insert(list, &dev_list.regions[i]);
		ims_resv_list_free(&dev_list);
		if (ret)
			break;
	}
	ims_mutex_unlock(&group->mutex);
	return ret;
}
