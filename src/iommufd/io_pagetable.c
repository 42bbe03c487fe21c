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
 * With large pages disabled (HUGE_PAGES 0, VFIO type1 compatibility) each
 * CPU page is mapped on its own, so that any page-aligned part of an area
 * can later be unmapped alone.
 *
 * Pinning: an area with pages (iommufd) holds its pages pinned while the
 * iopt has a domain; the first domain pins every area, the last one to
 * leave unpins them (pages.h counts the users of each page).
 */
#include "io_pagetable.h"

#include <errno.h>
#include <string.h>

#include "iommufd/mm.h"
#include "util/alloc.h"
#include "util/log.h"

void ims_iopt_init(struct ims_iopt *iopt)
{
	memset(iopt, 0, sizeof(*iopt));
	ims_itree_init(&iopt->areas);
	ims_itree_init(&iopt->reserved);
	ims_itree_init(&iopt->allowed);
	iopt->iova_alignment = 1;
}

static void free_tree(struct ims_itree *tree)
{
	struct ims_itree_node *n;

	while ((n = ims_itree_first(tree))) {
		ims_itree_remove(tree, n);
		ims_free(n); /* reserved and allowed nodes start with their node */
	}
}

void ims_iopt_destroy(struct ims_iopt *iopt)
{
	free_tree(&iopt->reserved);
	free_tree(&iopt->allowed);
	ims_free(iopt->domains);
	iopt->domains = NULL;
	iopt->nr_domains = iopt->cap_domains = 0;
}

uint64_t ims_iopt_area_first_index(const struct ims_iopt_area *area)
{
	return area->start_byte / ims_page_size();
}

uint64_t ims_iopt_area_last_index(const struct ims_iopt_area *area)
{
	return (area->start_byte + ims_iopt_area_length(area) - 1) / ims_page_size();
}

static int pin_area(struct ims_iopt_area *area)
{
	if (!area->pages)
		return 0;
	return ims_iopt_pages_pin(area->pages, ims_iopt_area_first_index(area),
				  ims_iopt_area_last_index(area));
}

static void unpin_area(struct ims_iopt_area *area)
{
	if (area->pages)
		ims_iopt_pages_unpin(area->pages, ims_iopt_area_first_index(area),
				     ims_iopt_area_last_index(area));
}

/* One mapping per CPU page, as the kernel's batch_iommu_map_small(). */
static int map_small(struct ims_domain *domain, uint64_t iova, uint64_t pa, uint64_t length,
		     int prot)
{
	uint64_t ps = ims_page_size(), done = 0;
	int ret = 0;

	while (done < length) {
		uint64_t n = IMS_MIN(length - done, ps - ((iova + done) & (ps - 1)));

		ret = ims_iommu_map(domain, iova + done, pa + done, n, prot);
		if (ret)
			break;
		done += n;
	}
	if (ret && done)
		ims_iommu_unmap(domain, iova, done);
	return ret;
}

static int map_into(const struct ims_iopt *iopt, struct ims_domain *domain,
		    const struct ims_iopt_area *area)
{
	uint64_t iova = ims_iopt_area_iova(area), length = ims_iopt_area_length(area);
	int prot = area->prot | IMS_PROT_CACHE;

	if (iopt->disable_large_pages)
		return map_small(domain, iova, area->pa, length, prot);
	return ims_iommu_map(domain, iova, area->pa, length, prot);
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

	if (iopt->nr_domains) {
		ret = pin_area(area);
		if (ret)
			return ret;
	}
	for (i = 0; i < iopt->nr_domains; i++) {
		ret = map_into(iopt, iopt->domains[i], area);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			unmap_area_one(iopt->domains[i], area);
		unpin_area(area);
		return ret;
	}
	ims_itree_insert(&iopt->areas, &area->node);
	return 0;
}

void ims_iopt_unmap_area(struct ims_iopt *iopt, struct ims_iopt_area *area)
{
	for (size_t i = 0; i < iopt->nr_domains; i++)
		unmap_area_one(iopt->domains[i], area);
	if (iopt->nr_domains)
		unpin_area(area);
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

/* Room for one more domain in the array. */
static int grow_domains(struct ims_iopt *iopt)
{
	size_t cap = iopt->cap_domains ? iopt->cap_domains * 2 : 4;
	struct ims_domain **d;

	if (iopt->nr_domains < iopt->cap_domains)
		return 0;
	d = ims_realloc_array(iopt->domains, cap, sizeof(*d));
	if (!d)
		return -ENOMEM;
	iopt->domains = d;
	iopt->cap_domains = cap;
	return 0;
}

/* Unpin every area before @stop (all of them when NULL): the last domain left. */
static void unpin_all_before(struct ims_iopt *iopt, struct ims_itree_node *stop)
{
	for (struct ims_itree_node *n = ims_itree_first(&iopt->areas); n && n != stop;
	     n = ims_itree_next(n))
		unpin_area(ims_container_of(n, struct ims_iopt_area, node));
}

/* The first domain arrives: every area's pages get pinned. */
static int pin_all(struct ims_iopt *iopt)
{
	struct ims_itree_node *n;
	int ret = 0;

	for (n = ims_itree_first(&iopt->areas); n; n = ims_itree_next(n)) {
		ret = pin_area(ims_container_of(n, struct ims_iopt_area, node));
		if (ret)
			break;
	}
	if (ret)
		unpin_all_before(iopt, n);
	return ret;
}

static int fill_domain(struct ims_iopt *iopt, struct ims_domain *domain)
{
	struct ims_itree_node *n;
	int ret = 0;

	for (n = ims_itree_first(&iopt->areas); n; n = ims_itree_next(n)) {
		ret = map_into(iopt, domain, ims_container_of(n, struct ims_iopt_area, node));
		if (ret)
			break;
	}
	if (ret)
		unmap_all_before(iopt, domain, n);
	return ret;
}

int ims_iopt_add_domain(struct ims_iopt *iopt, struct ims_domain *domain)
{
	bool first = !iopt->nr_domains;
	int ret = grow_domains(iopt);

	if (ret)
		return ret;
	ret = first ? pin_all(iopt) : 0;
	if (!ret)
		ret = fill_domain(iopt, domain);
	if (ret) {
		if (first)
			unpin_all_before(iopt, NULL);
		return ret;
	}
	iopt->domains[iopt->nr_domains++] = domain;
	return 0;
}

void ims_iopt_remove_domain(struct ims_iopt *iopt, struct ims_domain *domain)
{
	for (size_t i = 0; i < iopt->nr_domains; i++) {
		if (iopt->domains[i] != domain)
			continue;
		unmap_all_before(iopt, domain, NULL);
		memmove(&iopt->domains[i], &iopt->domains[i + 1],
			(iopt->nr_domains - i - 1) * sizeof(*iopt->domains));
		if (!--iopt->nr_domains)
			unpin_all_before(iopt, NULL);
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
