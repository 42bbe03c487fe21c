// SPDX-License-Identifier: MIT
/*
 * Map, unmap and translate through a domain (kernel-semantics 2.8).
 *
 * The core checks alignment against the smallest page size and then hands
 * the driver runs of equal pages chosen by ims_iommu_pgsize(): the largest
 * page the alignment of iova|paddr and the remaining size allow, cut short
 * where a larger supported page could start.  It does not check the
 * aperture or overlaps; drivers (their page-table format) do.  A map that
 * fails part-way unmaps what it mapped, so the domain ends as it began.
 * Unmap returns bytes (no errno), stops at the first hole, and may return
 * more than asked when one large page covered the range.
 */
#include <errno.h>

#include "core-priv.h"
#include "util/log.h"

static unsigned int ffs64(uint64_t x)
{
	return (unsigned int)__builtin_ctzll(x);
}

static unsigned int fls64(uint64_t x)
{
	return 63u - (unsigned int)__builtin_clzll(x);
}

/* Bits 0..@bit set. */
static uint64_t mask_through(unsigned int bit)
{
	return bit >= 63 ? UINT64_MAX : (2ull << bit) - 1;
}

size_t ims_iommu_pgsize(uint64_t pgsize_bitmap, uint64_t iova, uint64_t paddr,
			size_t size, size_t *count)
{
	uint64_t addr_merge = iova | paddr;
	uint64_t sizes = pgsize_bitmap & mask_through(fls64(size));
	uint64_t larger, pgsize, next;
	unsigned int idx;

	*count = 0;
	if (addr_merge)
		sizes &= mask_through(ffs64(addr_merge));
	if (!sizes)
		return 0; /* unreachable after the core's alignment check */
	idx = fls64(sizes);
	pgsize = 1ull << idx;
	larger = pgsize_bitmap & ~mask_through(idx);
	if (larger) {
		next = 1ull << ffs64(larger);
		/* Only worth stopping early if iova and paddr line up in the larger page. */
		if (!((iova ^ paddr) & (next - 1))) {
			uint64_t to_boundary = next - (addr_merge & (next - 1));

			if (to_boundary + next <= size)
				size = to_boundary;
		}
	}
	*count = size >> idx;
	return pgsize;
}

static uint64_t min_pgsize(const struct ims_domain *domain)
{
	return 1ull << ffs64(domain->pgsize_bitmap);
}

static int map_runs(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
		    size_t size, int prot, size_t *done)
{
	int ret = 0;

	*done = 0;
	while (*done < size) {
		size_t count = 0, mapped = 0;
		size_t pgsize = ims_iommu_pgsize(domain->pgsize_bitmap, iova, paddr,
						 size - *done, &count);

		ret = domain->ops->map_pages(domain, iova, paddr, pgsize, count, prot, &mapped);
		*done += mapped;
		iova += mapped;
		paddr += mapped;
		if (ret)
			break;
	}
	return ret;
}

int ims_iommu_map(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
		  size_t size, int prot)
{
	size_t done;
	int ret;

	if (IS_ERR_OR_NULL(domain) || !ims_domain_is_paging(domain))
		return -EINVAL;
	if (!domain->ops->map_pages || !domain->pgsize_bitmap)
		return -ENODEV;
	if ((iova | paddr | size) & (min_pgsize(domain) - 1)) {
		ims_dbg(IMS_LOG_CORE, "unaligned map: iova 0x%llx pa 0x%llx size 0x%zx min 0x%llx",
			(unsigned long long)iova, (unsigned long long)paddr, size,
			(unsigned long long)min_pgsize(domain));
		return -EINVAL;
	}
	ret = map_runs(domain, iova, paddr, size, prot, &done);
	domain->mapped_bytes += done;
	if (!ret && domain->ops->iotlb_sync_map)
		ret = domain->ops->iotlb_sync_map(domain, iova, size);
	if (ret)
		ims_iommu_unmap(domain, iova, done);
	return ret;
}

size_t ims_iommu_unmap_fast(struct ims_domain *domain, uint64_t iova, size_t size,
			    ims_iotlb_gather *gather)
{
	size_t unmapped = 0;

	if (IS_ERR_OR_NULL(domain) || !ims_domain_is_paging(domain) ||
	    !domain->ops->unmap_pages || !domain->pgsize_bitmap)
		return 0;
	if ((iova | size) & (min_pgsize(domain) - 1))
		return 0;
	while (unmapped < size) {
		size_t count = 0;
		size_t pgsize = ims_iommu_pgsize(domain->pgsize_bitmap, iova, iova,
						 size - unmapped, &count);
		size_t n = domain->ops->unmap_pages(domain, iova, pgsize, count, gather);

		if (!n)
			break;
		iova += n;
		unmapped += n;
	}
	domain->mapped_bytes -= unmapped < domain->mapped_bytes ? unmapped : domain->mapped_bytes;
	return unmapped;
}

void ims_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather)
{
	if (domain->ops->iotlb_sync)
		domain->ops->iotlb_sync(domain, gather);
}

size_t ims_iommu_unmap(struct ims_domain *domain, uint64_t iova, size_t size)
{
	ims_iotlb_gather gather;
	size_t unmapped;

	ims_pt_gather_init(&gather);
	unmapped = ims_iommu_unmap_fast(domain, iova, size, &gather);
	if (!IS_ERR_OR_NULL(domain))
		ims_iotlb_sync(domain, &gather);
	return unmapped;
}

uint64_t ims_iommu_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	if (IS_ERR_OR_NULL(domain))
		return 0;
	if (domain->type == IMS_DOMAIN_IDENTITY)
		return iova;
	if (domain->type == IMS_DOMAIN_BLOCKED || !domain->ops->iova_to_phys)
		return 0;
	return domain->ops->iova_to_phys(domain, iova);
}

/*
 * iommu_create_device_direct_mappings: note require_direct, and map every
 * DIRECT / DIRECT_RELAXABLE region 1:1 into a DMA domain, skipping pages a
 * device sharing the group already mapped.
 */
int ims_create_direct_mappings(struct ims_domain *domain, struct ims_device *dev)
{
	bool dma = domain->type & IMS_DOMAIN_BIT_DMA_API;
	uint64_t pg = domain->pgsize_bitmap ? min_pgsize(domain) : 0;
	struct ims_resv_list list;
	int ret;

	if (dma && !pg)
		return -EINVAL;
	ims_resv_list_init(&list);
	ret = ims_get_resv_regions(dev, &list);
	for (size_t i = 0; !ret && i < list.nr; i++) {
		const struct ims_resv_region *r = &list.regions[i];
		uint64_t addr = r->start & ~(pg - 1);
		uint64_t end = (r->start + r->length + pg - 1) & ~(pg - 1);

		if (r->type == IMS_RESV_DIRECT)
			dev->require_direct = true;
		if (!dma || (r->type != IMS_RESV_DIRECT && r->type != IMS_RESV_DIRECT_RELAXABLE))
			continue;
		for (; !ret && addr < end; addr += pg)
			if (!ims_iommu_iova_to_phys(domain, addr))
				ret = ims_iommu_map(domain, addr, addr, pg, r->prot);
	}
	ims_resv_list_free(&list);
	return ret;
}

int ims_domain_set_dirty_tracking(struct ims_domain *domain, bool enable)
{
	int ret;

	if (!domain->ops->set_dirty_tracking)
		return -EOPNOTSUPP;
	ret = domain->ops->set_dirty_tracking(domain, enable);
	if (!ret)
		domain->dirty_tracking = enable;
	return ret;
}

int ims_domain_read_and_clear_dirty(struct ims_domain *domain, uint64_t iova,
				    uint64_t size, unsigned int flags,
				    ims_pt_dirty_fn fn, void *arg)
{
	if (!domain->ops->read_and_clear_dirty)
		return -EOPNOTSUPP;
	return domain->ops->read_and_clear_dirty(domain, iova, size, flags, fn, arg);
}
