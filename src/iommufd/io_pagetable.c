// SPDX-License-Identifier: MIT
/*
 * The mapping engine (see io_pagetable.h).
 *
 * Every domain gets the same mappings with IMS_PROT_CACHE added (VFIO and
 * iommufd always map cache-coherent).  One area is one ims_iommu_map() call
 * per domain — the page-size splitting picks the largest pages the
 * alignment allows — so a replay costs one call per area, the coalescing
 * the kernel's vfio_iommu_replay() does by hand.  Unmapping a departing
 * domain or an area gathers the invalidations and syncs once per domain.
 */
#include "io_pagetable.h"

#include <errno.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"

void ims_iopt_init(struct ims_iopt *iopt)
{
	memset(iopt, 0, sizeof(*iopt));
	ims_itree_init(&iopt->areas);
}

void ims_iopt_destroy(struct ims_iopt *iopt)
{
	ims_free(iopt->domains);
	iopt->domains = NULL;
	iopt->nr_domains = iopt->cap_domains = 0;
}

static int map_into(struct ims_domain *domain, const struct ims_iopt_area *area)
{
	return ims_iommu_map(domain, ims_iopt_area_iova(area), area->pa,
			     ims_iopt_area_length(area), area->prot | IMS_PROT_CACHE);
}

static void unmap_from(struct ims_domain *domain, const struct ims_iopt_area *area,
		       ims_iotlb_gather *gather)
{
	uint64_t iova = ims_iopt_area_iova(area), length = ims_iopt_area_length(area);
	size_t done = ims_iommu_unmap_fast(domain, iova, length, gather);

	if (done != length)
		ims_dbg(IMS_LOG_IOMMUFD, "domain %u: unmapped 0x%zx of 0x%llx at 0x%llx",
			domain->id, done, (unsigned long long)length, (unsigned long long)iova);
}

static void unmap_area_one(struct ims_domain *domain, const struct ims_iopt_area *area)
{
	ims_iotlb_gather gather;

	ims_pt_gather_init(&gather);
	unmap_from(domain, area, &gather);
	ims_iotlb_sync(domain, &gather);
}

int ims_iopt_map_area(struct ims_iopt *iopt, struct ims_iopt_area *area)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < iopt->nr_domains; i++) {
		ret = map_into(iopt->domains[i], area);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			unmap_area_one(iopt->domains[i], area);
		return ret;
	}
	ims_itree_insert(&iopt->areas, &area->node);
	return 0;
}

void ims_iopt_unmap_area(struct ims_iopt *iopt, struct ims_iopt_area *area)
{
	for (size_t i = 0; i < iopt->nr_domains; i++)
		unmap_area_one(iopt->domains[i], area);
	ims_itree_remove(&iopt->areas, &area->node);
}

struct ims_iopt_area *ims_iopt_area_first(struct ims_iopt *iopt, uint64_t iova, uint64_t last)
{
	struct ims_itree_node *n = ims_itree_iter_first(&iopt->areas, iova, last);

	return n ? ims_container_of(n, struct ims_iopt_area, node) : NULL;
}

struct ims_iopt_area *ims_iopt_area_next(struct ims_iopt_area *area, uint64_t iova,
					 uint64_t last)
{
	struct ims_itree_node *n = ims_itree_iter_next(&area->node, iova, last);

	return n ? ims_container_of(n, struct ims_iopt_area, node) : NULL;
}

/* Unmap from @domain every area before @stop (all of them when NULL). */
static void unmap_all_before(struct ims_iopt *iopt, struct ims_domain *domain,
			     struct ims_itree_node *stop)
{
	ims_iotlb_gather gather;

	ims_pt_gather_init(&gather);
	for (struct ims_itree_node *n = ims_itree_first(&iopt->areas); n && n != stop;
	     n = ims_itree_next(n))
		unmap_from(domain, ims_container_of(n, struct ims_iopt_area, node), &gather);
	ims_iotlb_sync(domain, &gather);
}

static int track_domain(struct ims_iopt *iopt, struct ims_domain *domain)
{
	if (iopt->nr_domains == iopt->cap_domains) {
		size_t cap = iopt->cap_domains ? iopt->cap_domains * 2 : 4;
		struct ims_domain **d = ims_realloc_array(iopt->domains, cap, sizeof(*d));

		if (!d)
			return -ENOMEM;
		iopt->domains = d;
		iopt->cap_domains = cap;
	}
	iopt->domains[iopt->nr_domains++] = domain;
	return 0;
}

int ims_iopt_add_domain(struct ims_iopt *iopt, struct ims_domain *domain)
{
	struct ims_itree_node *n;
	int ret = track_domain(iopt, domain);

	if (ret)
		return ret;
	for (n = ims_itree_first(&iopt->areas); n; n = ims_itree_next(n)) {
		ret = map_into(domain, ims_container_of(n, struct ims_iopt_area, node));
		if (ret)
			break;
	}
	if (ret) {
		unmap_all_before(iopt, domain, n);
		iopt->nr_domains--;
	}
	return ret;
}

void ims_iopt_remove_domain(struct ims_iopt *iopt, struct ims_domain *domain)
{
	for (size_t i = 0; i < iopt->nr_domains; i++) {
		if (iopt->domains[i] != domain)
			continue;
		unmap_all_before(iopt, domain, NULL);
		memmove(&iopt->domains[i], &iopt->domains[i + 1],
			(iopt->nr_domains - i - 1) * sizeof(*iopt->domains));
		iopt->nr_domains--;
		return;
	}
}

bool ims_iopt_has_domain(const struct ims_iopt *iopt, const struct ims_domain *domain)
{
	for (size_t i = 0; i < iopt->nr_domains; i++)
		if (iopt->domains[i] == domain)
			return true;
	return false;
}
