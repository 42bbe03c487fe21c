/* SPDX-License-Identifier: MIT */
/*
 * The mapping engine: an IO page table ("iopt") is a set of areas (IOVA
 * ranges mapped to user memory) and the set of IOMMU domains that must all
 * hold exactly those translations.  VFIO type1 containers and iommufd IOASes
 * both keep their mappings here (DESIGN 2: one engine).
 *
 *  - ims_iopt_map_area() maps a new area into every domain, or into none
 *    (a failure part-way unmaps the domains already done);
 *  - ims_iopt_unmap_area() removes it from every domain, batching the IOTLB
 *    invalidation per domain;
 *  - ims_iopt_add_domain() replays every area into a new domain in IOVA
 *    order (VFIO's replay, iommufd's domain fill), or leaves it untouched;
 *  - ims_iopt_remove_domain() takes every area out of a departing domain.
 *
 * Glossary: an area covers [iova, last] (inclusive) and translates to
 * "physical" [pa, pa + length) — the user address pinned when the area was
 * created (DESIGN 4).  @pa never changes afterwards, even when the user
 * later moves the mapping's virtual address (VFIO's VADDR update), exactly
 * as pinned pages stay put in the kernel.
 *
 * Locking: the owner (container or IOAS) serialises every call on one iopt.
 */
#ifndef IMS_IOMMUFD_IO_PAGETABLE_H
#define IMS_IOMMUFD_IO_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "util/itree.h"

struct ims_iopt_area {
	struct ims_itree_node node;  /* [iova, last] */
	uint64_t pa;                 /* translation of node.start */
	int prot;                    /* IMS_PROT_*, applied to every domain */
};

struct ims_iopt {
	struct ims_itree areas;
	struct ims_domain **domains; /* in attach order */
	size_t nr_domains, cap_domains;
};

static inline uint64_t ims_iopt_area_iova(const struct ims_iopt_area *area)
{
	return area->node.start;
}

static inline uint64_t ims_iopt_area_last(const struct ims_iopt_area *area)
{
	return area->node.last;
}

static inline uint64_t ims_iopt_area_length(const struct ims_iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

void ims_iopt_init(struct ims_iopt *iopt);
/* The owner has removed every area and domain first. */
void ims_iopt_destroy(struct ims_iopt *iopt);

/*
 * Map @area (node.start/last, pa, prot set by the caller) into every domain
 * and insert it.  On failure nothing is mapped and the area is not
 * inserted; the domain's errno is returned.
 */
int ims_iopt_map_area(struct ims_iopt *iopt, struct ims_iopt_area *area);
/* Unmap @area from every domain and remove it from the tree. */
void ims_iopt_unmap_area(struct ims_iopt *iopt, struct ims_iopt_area *area);

/* Replay every area into @domain and start tracking it; all or nothing. */
int ims_iopt_add_domain(struct ims_iopt *iopt, struct ims_domain *domain);
/* Unmap every area from @domain and stop tracking it. */
void ims_iopt_remove_domain(struct ims_iopt *iopt, struct ims_domain *domain);
bool ims_iopt_has_domain(const struct ims_iopt *iopt, const struct ims_domain *domain);

/* First area overlapping [iova, last], and the next after @area. */
struct ims_iopt_area *ims_iopt_area_first(struct ims_iopt *iopt, uint64_t iova, uint64_t last);
struct ims_iopt_area *ims_iopt_area_next(struct ims_iopt_area *area, uint64_t iova,
					 uint64_t last);

#define ims_iopt_for_each_area(iopt, area, s, l)             \
	for ((area) = ims_iopt_area_first((iopt), (s), (l)); \
	     (area); (area) = ims_iopt_area_next((area), (s), (l)))

#endif
