// SPDX-License-Identifier: MIT
/*
 * The Rockchip IOMMU driver model (see rockchip.h), after
 * drivers/iommu/rockchip-iommu.c.
 *
 * Attach (rk_iommu_attach_device), with the answer per era (unchanged
 * since 2022):
 *
 *   foreign-driver  a device without Rockchip IOMMU data: 0 without doing
 *                   anything ("Allow 'virtual devices' (e.g., drm) to
 *                   attach to domain").  Today and in the seed the core
 *                   refuses another driver's devices first; a legacy core
 *                   hands them over, and the answer is a silent 0.
 *   same domain     the instance already walks the domain: 0.
 *   otherwise       the instance leaves its current domain (the identity
 *                   domain's attach) and walks the new one: 0.  No check
 *                   at all: domains are shared across instances.
 *
 * The driver's habits, kept here: it advertises every size from 4 KiB to
 * 4 MiB ("any size that fits in one page table") and writes them as 4 KiB
 * entries; map answers EADDRINUSE for an entry in use; unmap stops at the
 * first empty entry; page tables are freed only with the domain (ours are
 * freed when an unmap covers them: the engine's rule).
 *
 * Domains: aperture [0, 4 GiB).  The table comes at allocation when a
 * device tells the layout, else at the first attach.  Groups: one per
 * instance (all masters of a block, iommu->group).  Default domain: DMA.
 * No capabilities.
 *
 * Locking: an instance's active domain changes under its group's mutex
 * (one group per instance); freeing a domain clears it under the core lock.
 */
#include "rockchip.h"

#include <errno.h>

#include "drivers/soc32/soc32.h"
#include "util/alloc.h"

#define RK_PGSIZES 0x007ff000ull /* RK_IOMMU_PGSIZE_BITMAP: 4 KiB .. 4 MiB */
#define RK_PAGE 4096ull

struct rk_iommu {
	struct soc32_instance inst;  /* iommu->domain: the domain it walks */
	bool v2;
};

static const struct ims_attach_rule rule_virtual_device = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SILENT, [IMS_PROFILE_SEED] = IMS_ERR_SILENT,
	  [IMS_PROFILE_LEGACY] = IMS_ERR_SILENT },
};

static struct ims_pt_cfg table_cfg(const void *rk)
{
	return (struct ims_pt_cfg){ .format = IMS_PT_ROCKCHIP,
				    .features = ((const struct rk_iommu *)rk)->v2 ?
							IMS_PT_FEAT_V2_LAYOUT : 0 };
}

/* rk_iommu_identity_attach: the instance stops translating. */
static int rk_identity_attach(struct ims_domain *domain, struct ims_device *dev,
			      struct ims_domain *old)
{
	if (soc32_served_by(dev, &ims_rockchip_ops))
		soc32_set_active(&((struct rk_iommu *)dev->iommu->priv)->inst, NULL);
	return 0;
}

static int rk_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			 struct ims_domain *old)
{
	struct ims_pt_cfg cfg;
	struct rk_iommu *rk;
	int ret;

	if (!soc32_served_by(dev, &ims_rockchip_ops))
		return ims_rule_errno(&rule_virtual_device, dev, "%s has no Rockchip IOMMU",
				      dev->name);
	rk = dev->iommu->priv;
	if (soc32_active(&rk->inst) == domain)
		return 0;
	cfg = table_cfg(rk);
	ret = soc32_domain_table(to_soc32(domain), &cfg);
	if (ret)
		return ret;
	rk_identity_attach(NULL, dev, old);
	soc32_set_active(&rk->inst, domain);
	ims_attach_reason("%s walks domain %u (domains are not bound to an instance)",
			  dev->iommu->name, domain->id);
	return 0;
}

static int rk_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr, size_t pgsize,
			size_t count, int prot, size_t *mapped)
{
	return soc32_map(to_soc32(domain)->pt, iova, paddr, pgsize, count, prot, mapped, RK_PAGE,
			 EADDRINUSE);
}

static size_t rk_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
			     size_t count, ims_iotlb_gather *gather)
{
	uint64_t pages;

	if (__builtin_mul_overflow((uint64_t)count, (uint64_t)(pgsize / RK_PAGE), &pages))
		return 0;
	return soc32_unmap_pages(domain, iova, RK_PAGE, (size_t)pages, gather);
}

static void rk_domain_free(struct ims_domain *domain)
{
	soc32_forget_active(domain, &ims_rockchip_ops);
	soc32_domain_free(domain);
}

static const struct ims_domain_ops rk_paging_ops = {
	.attach_dev = rk_attach_dev,
	.map_pages = rk_map_pages,
	.unmap_pages = rk_unmap_pages,
	.iotlb_sync = soc32_iotlb_sync,
	.iova_to_phys = soc32_iova_to_phys,
	.free = rk_domain_free,
};

static const struct ims_domain_ops rk_identity_ops = {
	.attach_dev = rk_identity_attach,
};

static struct ims_domain *rk_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						 const void *user_data)
{
	return soc32_alloc_paging(dev, flags, user_data, &ims_rockchip_ops, &rk_paging_ops,
				  RK_PGSIZES, (1ull << 32) - 1, table_cfg);
}

const struct ims_iommu_ops ims_rockchip_ops = {
	.name = "rockchip",
	.domain_alloc_paging = rk_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &rk_identity_ops,
	.device_group = soc32_instance_group,
	.pgsize_bitmap = RK_PGSIZES,
};

static bool same_layout(const void *a, const void *b)
{
	return ((const struct rk_iommu *)a)->v2 == ((const struct rk_iommu *)b)->v2;
}

int ims_rockchip_register(struct ims_core *core, const char *name, bool v2,
			  struct ims_iommu **out)
{
	struct rk_iommu *rk = ims_zalloc(sizeof(*rk));

	if (!rk)
		return -ENOMEM;
	rk->v2 = v2;
	return soc32_register(core, name, &ims_rockchip_ops, &rk->inst, same_layout, out);
}

uint32_t ims_rockchip_active_domain(struct ims_iommu *iommu)
{
	return soc32_active_id(iommu, &ims_rockchip_ops);
}
