/* SPDX-License-Identifier: MIT */
/*
 * Paging domains whose translations live in one ims_pt (src/pt): the part
 * the io-pgtable-backed drivers share (arm-smmu, arm-smmu-v3, ipmmu-vmsa,
 * qcom_iommu, apple-dart), as the kernel's drivers each forward their
 * map/unmap/iova_to_phys/dirty ops to their io_pgtable_ops and each bind a
 * domain to the one instance it was finalised for.
 *
 * A driver embeds struct ims_pgtbl_domain first in its domain, points its
 * domain ops at the ims_pgtbl_* functions below, and finalises the domain
 * (creates its table) when it knows the instance: at allocation or at the
 * first attach, as its era does.  domain.iommu then names that instance.
 * Until then the domain has no table: maps answer -ENODEV and unmaps and
 * lookups find nothing, as the kernel's drivers do before their io-pgtable
 * exists.
 *
 * Locking: init_lock serialises finalisation (attaches of different groups
 * may race); it protects pt, domain.iommu and whatever the driver binds
 * with them.  The table follows src/pt's rule (the caller serialises
 * changes to one domain's mappings; lookups may run concurrently).
 */
#ifndef IMS_DRIVERS_PGTBL_DOMAIN_H
#define IMS_DRIVERS_PGTBL_DOMAIN_H

#include "core/core.h"

struct ims_pgtbl_domain {
	struct ims_domain domain;    /* domain.iommu: the instance, once finalised */
	struct ims_mutex init_lock;
	struct ims_pt *pt;           /* NULL until finalised */
};

static inline struct ims_pgtbl_domain *ims_to_pgtbl_domain(struct ims_domain *domain)
{
	return ims_container_of(domain, struct ims_pgtbl_domain, domain);
}

/*
 * A driver's domain of @size bytes (struct ims_pgtbl_domain first), zeroed,
 * not finalised, with the page sizes and aperture [0, @aperture_end] the
 * driver announces before its table exists (UINT64_MAX: the kernel's -1UL,
 * every size until the table restricts them).  ERR_PTR(-ENOMEM).
 */
struct ims_domain *ims_pgtbl_domain_alloc(size_t size, const struct ims_domain_ops *ops,
					  uint64_t pgsize_bitmap, uint64_t aperture_end);
/* Domain op (or the end of a driver's): free the table (if any), the lock and the domain. */
void ims_pgtbl_domain_free(struct ims_domain *domain);

/*
 * Create the domain's table for @cfg, bind it to @iommu and take its page
 * sizes and aperture ([0, 2^ias - 1], forced) from the table's effective
 * configuration, as the kernel's drivers copy them from io_pgtable_cfg.
 * -EINVAL for a configuration the format refuses, -ENOMEM.
 */
int __ims_pgtbl_domain_finalise(struct ims_pgtbl_domain *pd, struct ims_iommu *iommu,
				const struct ims_pt_cfg *cfg);

/* A driver's finalisation for @dev's instance (called with init_lock held). */
typedef int (*ims_pgtbl_finalise_fn)(struct ims_pgtbl_domain *pd, struct ims_device *dev);

/*
 * The attach step of drivers that bind a domain at its first attach: under
 * init_lock, finalise an unbound domain for @dev with @finalise, then
 * answer @rule when the domain belongs to another instance than @dev's
 * ("domain on X, device behind Y").  0, or the errno to return.
 */
int ims_pgtbl_domain_bind(struct ims_pgtbl_domain *pd, struct ims_device *dev,
			  ims_pgtbl_finalise_fn finalise, const struct ims_attach_rule *rule);

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

/* The map, unmap, iotlb_sync and iova_to_phys ops above, for a driver's ops initialiser. */
#define IMS_PGTBL_DOMAIN_OPS                                                                 \
	.map_pages = ims_pgtbl_map_pages, .unmap_pages = ims_pgtbl_unmap_pages,              \
	.iotlb_sync = ims_pgtbl_iotlb_sync, .iova_to_phys = ims_pgtbl_iova_to_phys

/*
 * An instance's hardware translation contexts (arm-smmu's context banks,
 * ipmmu-vmsa's contexts) as a table of @used flags under the instance's
 * @lock: take the first free one in [@start, @end), -1 when all are
 * taken; put one back.
 */
int ims_pgtbl_context_take(struct ims_mutex *lock, bool *used, unsigned int start,
			   unsigned int end);
void ims_pgtbl_context_put(struct ims_mutex *lock, bool *used, int idx);

/* The ARM LPAE page sizes of each translation granule (its page, 2nd and 3rd level blocks). */
#define IMS_ARM_LPAE_4K_SIZES  ((1ull << 12) | (1ull << 21) | (1ull << 30))
#define IMS_ARM_LPAE_16K_SIZES ((1ull << 14) | (1ull << 25))
#define IMS_ARM_LPAE_64K_SIZES ((1ull << 16) | (1ull << 29))

/* The ARM SMMUs' software MSI window (the kernel's MSI_IOVA_BASE, MSI_IOVA_LENGTH). */
#define IMS_ARM_SW_MSI_BASE   0x8000000ull
#define IMS_ARM_SW_MSI_LENGTH 0x100000ull

/* Add that window to @list (arm-smmu and arm-smmu-v3's get_resv_regions). */
int ims_arm_sw_msi_region(struct ims_resv_list *list);

#endif
