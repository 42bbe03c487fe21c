/* SPDX-License-Identifier: MIT */
/*
 * A paging domain whose translations live in one src/pt table: the
 * map_pages / unmap_pages / iova_to_phys / iotlb_sync domain ops that the
 * table-walking drivers (s390, sprd, tegra-gart, tegra-smmu, omap) share,
 * so that each driver only says when its table exists and how IOVAs reach
 * it.
 *
 *   pt         the domain's table, or NULL while it has none (sprd and omap
 *              allocate it at first attach, as their kernel drivers do:
 *              a map before then fails with -EINVAL, as it does there)
 *   iova_base  subtracted from an IOVA before the table sees it: the
 *              Tegra20 GART's table is indexed by the offset into its
 *              aperture
 *
 * The aperture (domain.geometry) is checked first: outside it a map fails
 * with -EINVAL and an unmap removes nothing, as these drivers' own range
 * checks answer.  iotlb_sync releases the table pages an unmap freed (the
 * simulated IOTLB holds no translations of its own).
 *
 * Locking: the caller serialises changes to one domain (the core's rule
 * for map/unmap of one domain); translations may run concurrently.
 */
#ifndef IMS_DRIVERS_PT_DOMAIN_H
#define IMS_DRIVERS_PT_DOMAIN_H

#include "core/core.h"

struct ims_pt_domain {
	struct ims_domain domain;
	struct ims_pt *pt;
	uint64_t iova_base;
};

static inline struct ims_pt_domain *to_ims_pt_domain(struct ims_domain *domain)
{
	return ims_container_of(domain, struct ims_pt_domain, domain);
}

/*
 * A zeroed domain of @size bytes whose struct ims_pt_domain is its first
 * member, with @ops, @pgsizes and the aperture [@start, @last]: the
 * common start of the drivers' domain_alloc_paging.  These drivers take no
 * allocation flags or driver data: -EOPNOTSUPP; -ENOMEM.
 */
struct ims_pt_domain *ims_pt_domain_alloc(size_t size, const struct ims_domain_ops *ops,
					  uint64_t pgsizes, uint64_t start, uint64_t last,
					  uint32_t flags, const void *user_data);

/*
 * Create the domain's table from @cfg (format, widths, page sizes) and
 * narrow the domain's page sizes to what the table offers.  0, -ENOMEM or
 * the table's -EINVAL.
 */
int ims_pt_domain_create_table(struct ims_pt_domain *pd, const struct ims_pt_cfg *cfg);
/* Free the table (NULL is fine); the domain has none afterwards. */
void ims_pt_domain_destroy_table(struct ims_pt_domain *pd);

/* The domain ops (struct ims_domain_ops members). */
int ims_pt_domain_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			    size_t pgsize, size_t count, int prot, size_t *mapped);
size_t ims_pt_domain_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
				 size_t count, ims_iotlb_gather *gather);
void ims_pt_domain_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather);
uint64_t ims_pt_domain_iova_to_phys(struct ims_domain *domain, uint64_t iova);

#endif
