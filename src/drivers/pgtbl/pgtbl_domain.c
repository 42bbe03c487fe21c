// SPDX-License-Identifier: MIT
/*
 * Paging domains backed by an ims_pt (see pgtbl_domain.h).
 */
#include "pgtbl_domain.h"

#include <errno.h>

#include "util/alloc.h"

struct ims_domain *ims_pgtbl_domain_alloc(size_t size, const struct ims_domain_ops *ops,
					  uint64_t pgsize_bitmap, uint64_t aperture_end)
{
	struct ims_pgtbl_domain *pd = ims_zalloc(size);

	if (!pd)
		return ERR_PTR(-ENOMEM);
	ims_mutex_init(&pd->init_lock);
	ims_domain_init(&pd->domain, ops, pgsize_bitmap, 0, aperture_end);
	return &pd->domain;
}

void ims_pgtbl_domain_free(struct ims_domain *domain)
{
	struct ims_pgtbl_domain *pd = ims_to_pgtbl_domain(domain);

	ims_pt_destroy(pd->pt);
	ims_mutex_destroy(&pd->init_lock);
	ims_free(pd);
}

int __ims_pgtbl_domain_finalise(struct ims_pgtbl_domain *pd, struct ims_iommu *iommu,
				const struct ims_pt_cfg *cfg)
{
	const struct ims_pt_cfg *eff;
	int ret;

	ims_assert_held(&pd->init_lock);
	ret = ims_pt_create(cfg, &pd->pt);
	if (ret)
		return ret;
	eff = ims_pt_config(pd->pt);
	pd->domain.iommu = iommu;
	pd->domain.pgsize_bitmap = eff->pgsize_bitmap;
	pd->domain.geometry.aperture_start = 0;
	pd->domain.geometry.aperture_end = eff->ias >= 64 ? UINT64_MAX : (1ull << eff->ias) - 1;
	pd->domain.geometry.force_aperture = true;
	return 0;
}

int ims_pgtbl_domain_bind(struct ims_pgtbl_domain *pd, struct ims_device *dev,
			  ims_pgtbl_finalise_fn finalise, const struct ims_attach_rule *rule)
{
	int ret = 0;

	ims_mutex_lock(&pd->init_lock);
	if (!pd->domain.iommu)
		ret = finalise(pd, dev);
	if (!ret && pd->domain.iommu != dev->iommu)
		ret = ims_rule_errno(rule, dev, "domain on %s, device behind %s",
				     pd->domain.iommu->name, dev->iommu->name);
	ims_mutex_unlock(&pd->init_lock);
	return ret > 0 ? 0 : ret;
}

int ims_pgtbl_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			size_t pgsize, size_t count, int prot, size_t *mapped)
{
	struct ims_pt *pt = ims_to_pgtbl_domain(domain)->pt;

	*mapped = 0;
	if (!pt)
		return -ENODEV;
	return ims_pt_map(pt, iova, paddr, pgsize, count, prot, mapped);
}

size_t ims_pgtbl_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
			     size_t count, ims_iotlb_gather *gather)
{
	struct ims_pt *pt = ims_to_pgtbl_domain(domain)->pt;

	return pt ? ims_pt_unmap(pt, iova, pgsize, count, gather) : 0;
}

void ims_pgtbl_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather)
{
	ims_pt_gather_sync(gather);
}

uint64_t ims_pgtbl_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	struct ims_pt *pt = ims_to_pgtbl_domain(domain)->pt;

	return pt ? ims_pt_iova_to_phys(pt, iova) : 0;
}

int ims_pgtbl_read_and_clear_dirty(struct ims_domain *domain, uint64_t iova, uint64_t size,
				   unsigned int flags, ims_pt_dirty_fn fn, void *arg)
{
	struct ims_pt *pt = ims_to_pgtbl_domain(domain)->pt;

	return pt ? ims_pt_read_and_clear_dirty(pt, iova, size, flags, fn, arg) : -EOPNOTSUPP;
}

int ims_pgtbl_context_take(struct ims_mutex *lock, bool *used, unsigned int start,
			   unsigned int end)
{
	int ret = -1;

	ims_mutex_lock(lock);
	for (unsigned int i = start; i < end && ret < 0; i++) {
		if (!used[i]) {
			used[i] = true;
			ret = (int)i;
		}
	}
	ims_mutex_unlock(lock);
	return ret;
}

void ims_pgtbl_context_put(struct ims_mutex *lock, bool *used, int idx)
{
	ims_mutex_lock(lock);
	used[idx] = false;
	ims_mutex_unlock(lock);
}

int ims_arm_sw_msi_region(struct ims_resv_list *list)
{
	const struct ims_resv_region msi = {
		.start = IMS_ARM_SW_MSI_BASE,
		.length = IMS_ARM_SW_MSI_LENGTH,
		.prot = IMS_PROT_WRITE | IMS_PROT_NOEXEC | IMS_PROT_MMIO,
		.type = IMS_RESV_SW_MSI,
	};

	return ims_resv_list_insert(list, &msi);
}
