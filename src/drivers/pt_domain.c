// SPDX-License-Identifier: MIT
/*
 * Paging domains backed by one src/pt table (see pt_domain.h).
 */
#include "pt_domain.h"

#include <errno.h>

#include "util/alloc.h"

/* [iova, iova + len) lies inside the aperture (len > 0, no wrap). */
static bool in_aperture(const struct ims_domain *domain, uint64_t iova, uint64_t len)
{
	const struct ims_domain_geometry *g = &domain->geometry;
	uint64_t last;

	return len && !__builtin_add_overflow(iova, len - 1, &last) &&
	       iova >= g->aperture_start && last <= g->aperture_end;
}

/* Bytes of @count pages of @pgsize, or 0 when that overflows. */
static uint64_t run_length(size_t pgsize, size_t count)
{
	uint64_t len;

	return __builtin_mul_overflow((uint64_t)pgsize, (uint64_t)count, &len) ? 0 : len;
}

struct ims_pt_domain *ims_pt_domain_alloc(size_t size, const struct ims_domain_ops *ops,
					  uint64_t pgsizes, uint64_t start, uint64_t last,
					  uint32_t flags, const void *user_data)
{
	struct ims_pt_domain *pd;

	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	pd = ims_zalloc(size);
	if (!pd)
		return ERR_PTR(-ENOMEM);
	ims_domain_init(&pd->domain, ops, pgsizes, start, last);
	return pd;
}

int ims_pt_domain_create_table(struct ims_pt_domain *pd, const struct ims_pt_cfg *cfg)
{
	int ret = ims_pt_create(cfg, &pd->pt);

	if (ret) {
		pd->pt = NULL;
		return ret;
	}
	pd->domain.pgsize_bitmap &= ims_pt_config(pd->pt)->pgsize_bitmap;
	return 0;
}

void ims_pt_domain_destroy_table(struct ims_pt_domain *pd)
{
	ims_pt_destroy(pd->pt);
	pd->pt = NULL;
}

int ims_pt_domain_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			    size_t pgsize, size_t count, int prot, size_t *mapped)
{
	struct ims_pt_domain *pd = to_ims_pt_domain(domain);

	*mapped = 0;
	if (!pd->pt || !in_aperture(domain, iova, run_length(pgsize, count)))
		return -EINVAL;
	return ims_pt_map(pd->pt, iova - pd->iova_base, paddr, pgsize, count, prot, mapped);
}

size_t ims_pt_domain_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
				 size_t count, ims_iotlb_gather *gather)
{
	struct ims_pt_domain *pd = to_ims_pt_domain(domain);
	uint64_t start = gather->start, last = gather->last;
	size_t unmapped;

	if (!pd->pt || !in_aperture(domain, iova, run_length(pgsize, count)))
		return 0;
	/* The table's freed pages join @gather; its range is in table offsets. */
	unmapped = ims_pt_unmap(pd->pt, iova - pd->iova_base, pgsize, count, gather);
	if (pd->iova_base) {
		gather->start = start;
		gather->last = last;
		if (unmapped) {
			gather->start = IMS_MIN(gather->start, iova);
			gather->last = IMS_MAX(gather->last, iova + (unmapped - 1));
		}
	}
	return unmapped;
}

void ims_pt_domain_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather)
{
	ims_pt_gather_sync(gather);
}

uint64_t ims_pt_domain_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	struct ims_pt_domain *pd = to_ims_pt_domain(domain);

	if (!pd->pt || !in_aperture(domain, iova, 1))
		return 0;
	return ims_pt_iova_to_phys(pd->pt, iova - pd->iova_base);
}
