/* SPDX-License-Identifier: MIT */
/*
 * Paging domains whose translations live in one ims_pt (src/pt): the part
 * every io-pgtable-backed driver shares (arm-smmu, arm-smmu-v3, ipmmu-vmsa,
 * qcom_iommu, apple-dart), as the kernel's drivers each forward their
 * map/unmap/iova_to_phys/dirty ops to their io_pgtable_ops.
 *
 * A driver embeds struct ims_pgtbl_domain first in its domain, points its
 * domain ops at the ims_pgtbl_* functions below, and finalises the domain
 * (creates its table) when it knows the instance: at allocation or at the
 * first attach, as its era does.  Until then the domain has no table: maps
 * answer -ENODEV and unmaps and lookups find nothing, as the kernel's
 * drivers do before their io-pgtable exists.
 *
 * Locking: the table follows src/pt's rule (the caller serialises changes
 * to one domain's mappings; lookups may run concurrently).  Finalising is
 * the driver's business, under its own domain lock.
 */
#ifndef IMS_DRIVERS_PGTBL_DOMAIN_H
#define IMS_DRIVERS_PGTBL_DOMAIN_H

#include "core/core.h"

struct ims_pgtbl_domain {
	struct ims_domain domain;
	struct ims_pt *pt;           /* NULL until finalised */
};

static inline struct ims_pgtbl_domain *ims_to_pgtbl_domain(struct ims_domain *domain)
{
	return ims_container_of(domain, struct ims_pgtbl_domain, domain);
}

/*
 * Create the domain's table for @cfg and take the domain's page sizes and
 * aperture ([0, 2^ias - 1], forced) from its effective configuration, as
 * the kernel's drivers copy them from io_pgtable_cfg.  -EINVAL for a
 * configuration the format refuses, -ENOMEM.
 */
int ims_pgtbl_domain_finalise(struct ims_pgtbl_domain *pd, const struct ims_pt_cfg *cfg);
/* Free the table (if any).  The driver frees the domain. */
void ims_pgtbl_domain_release(struct ims_pgtbl_domain *pd);

/* Domain ops. */
int ims_pgtbl_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			size_t pgsize, size_t count, int prot, size_t *mapped);
size_t ims_pgtbl_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
			     size_t count, ims_iotlb_gather *gather);
/* No IOTLB to invalidate here: release the table pages the gather holds. */
void ims_pgtbl_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather);
uint64_t ims_pgtbl_iova_to_phys(struct ims_domain *domain, uint64_t iova);
int ims_pgtbl_read_and_clear_dirty(struct ims_domain *domain, uint64_t iova, uint64_t size,
				   unsigned int flags, ims_pt_dirty_fn fn, void *arg);

#endif
