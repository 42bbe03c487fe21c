// SPDX-License-Identifier: MIT
/*
 * Paging domains backed by an ims_pt (see pgtbl_domain.h).
 */
#include "pgtbl_domain.h"

#include <errno.h>

int ims_pgtbl_domain_finalise(struct ims_pgtbl_domain *pd, const struct ims_pt_cfg *cfg)
{
	const struct ims_pt_cfg *eff;
	int ret = ims_pt_create(cfg, &pd->pt);

	if (ret)
		return ret;
	eff = ims_pt_config(pd->pt);
	pd->domain.pgsize_bitmap = eff->pgsize_bitmap;
	pd->domain.geometry.aperture_start = 0;
	pd->domain.geometry.aperture_end = eff->ias >= 64 ? UINT64_MAX : (1ull << eff->ias) - 1;
	pd->domain.geometry.force_aperture = true;
	return 0;
}

void ims_pgtbl_domain_release(struct ims_pgtbl_domain *pd)
{
	ims_pt_destroy(pd->pt);
	pd->pt = NULL;
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
