// SPDX-License-Identifier: MIT
/*
 * The Exynos SYSMMU driver model (see exynos.h), after
 * drivers/iommu/exynos-iommu.c.
 *
 * Attach (exynos_iommu_attach_device): no incompatibility check, in any
 * era.  The device's SYSMMU leaves its current domain (the identity
 * domain's attach), then walks the new domain's table; 0.  A device
 * without a SYSMMU owner answers ENODEV (has_sysmmu; a legacy core's
 * foreign device is taken for one, where the kernel would misread another
 * driver's data).  Domains are not bound to a SYSMMU: attaching one domain
 * to masters of several SYSMMUs makes them all walk its table.
 *
 * The driver's habits, kept here: map answers EADDRINUSE for an entry in
 * use; unmap counts empty entries as unmapped and refuses (0) to unmap
 * part of a large page or section; IOVAs are 32-bit (sysmmu_iova_t), so an
 * IOVA above 4 GiB is truncated, as the kernel's cast does, while the
 * aperture is [0, ~0UL] (force_aperture).  Deviation: the kernel also
 * truncates a PA beyond the layout's width; we refuse it with ERANGE (a
 * truncated PA would let simulated DMA reach unmapped memory).
 *
 * Domains: 4K/64K/1M.  The table is made at allocation (the kernel's
 * lv1 table comes with the domain) when a device tells the layout; a
 * domain allocated without one (2022's per-bus allocation) gets it at its
 * first attach.  Groups: one per device.  Default domain: DMA.  No
 * capabilities.
 *
 * Locking: a SYSMMU's active domain changes under its master's group
 * mutex; freeing a domain clears it under the core lock.
 */
#include "exynos.h"

#include <errno.h>

#include "drivers/soc32/soc32.h"
#include "util/alloc.h"

#define SZ_4K (1ull << 12)
#define SZ_64K (1ull << 16)
#define SZ_1M (1ull << 20)
#define EXYNOS_PGSIZES (SZ_4K | SZ_64K | SZ_1M)

struct exynos_sysmmu {
	struct soc32_instance inst; /* data->domain: the domain it walks */
	unsigned int major, minor;
};

static bool layout_v5(const void *sys)
{
	return ((const struct exynos_sysmmu *)sys)->major >= 5;
}

static struct ims_pt_cfg table_cfg(const void *sys)
{
	return (struct ims_pt_cfg){ .format = IMS_PT_EXYNOS, .pgsize_bitmap = EXYNOS_PGSIZES,
				    .features = layout_v5(sys) ? IMS_PT_FEAT_V2_LAYOUT : 0 };
}

/* exynos_iommu_identity_attach: the SYSMMU stops walking its domain. */
static int exynos_identity_attach(struct ims_domain *domain, struct ims_device *dev,
				  struct ims_domain *old)
{
	if (soc32_served_by(dev, &ims_exynos_ops))
		soc32_set_active(&((struct exynos_sysmmu *)dev->iommu->priv)->inst, NULL);
	return 0;
}

static int exynos_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			     struct ims_domain *old)
{
	struct exynos_sysmmu *sys;
	struct ims_pt_cfg cfg;
	int ret;

	if (!soc32_served_by(dev, &ims_exynos_ops)) {
		ims_attach_reason("%s has no SYSMMU", dev->name);
		return -ENODEV;
	}
	sys = dev->iommu->priv;
	cfg = table_cfg(sys);
	ret = soc32_domain_table(to_soc32(domain), &cfg);
	if (ret)
		return ret;
	exynos_identity_attach(NULL, dev, old);
	soc32_set_active(&sys->inst, domain);
	ims_attach_reason("%s walks domain %u (domains are not bound to an instance)",
			  dev->iommu->name, domain->id);
	return 0;
}

static uint64_t iova32(uint64_t iova)
{
	return (uint32_t)iova; /* sysmmu_iova_t */
}

static int exynos_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			    size_t pgsize, size_t count, int prot, size_t *mapped)
{
	return soc32_map(to_soc32(domain)->pt, iova32(iova), paddr, pgsize, count, prot, mapped,
			 pgsize, EADDRINUSE);
}

static size_t exynos_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
				 size_t count, ims_iotlb_gather *gather)
{
	return soc32_unmap_holes(to_soc32(domain)->pt, iova32(iova), pgsize, count, gather);
}

static uint64_t exynos_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	return soc32_iova_to_phys(domain, iova32(iova));
}

/* exynos_iommu_domain_free: every SYSMMU walking it is disabled. */
static void exynos_domain_free(struct ims_domain *domain)
{
	soc32_forget_active(domain, &ims_exynos_ops);
	soc32_domain_free(domain);
}

static const struct ims_domain_ops exynos_paging_ops = {
	.attach_dev = exynos_attach_dev,
	.map_pages = exynos_map_pages,
	.unmap_pages = exynos_unmap_pages,
	.iotlb_sync = soc32_iotlb_sync,
	.iova_to_phys = exynos_iova_to_phys,
	.free = exynos_domain_free,
};

static const struct ims_domain_ops exynos_identity_ops = {
	.attach_dev = exynos_identity_attach,
};

static struct ims_domain *exynos_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						     const void *user_data)
{
	return soc32_alloc_paging(dev, flags, user_data, &ims_exynos_ops, &exynos_paging_ops,
				  EXYNOS_PGSIZES, UINT64_MAX, table_cfg);
}

const struct ims_iommu_ops ims_exynos_ops = {
	.name = "exynos",
	.domain_alloc_paging = exynos_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &exynos_identity_ops,
	.device_group = ims_generic_device_group,
	.pgsize_bitmap = EXYNOS_PGSIZES,
};

static bool same_layout(const void *a, const void *b)
{
	return layout_v5(a) == layout_v5(b);
}

int ims_exynos_register(struct ims_core *core, const char *name, unsigned int major,
			unsigned int minor, struct ims_iommu **out)
{
	struct exynos_sysmmu *sys = ims_zalloc(sizeof(*sys));

	if (!sys)
		return -ENOMEM;
	sys->major = major;
	sys->minor = minor;
	return soc32_register(core, name, &ims_exynos_ops, &sys->inst, same_layout, out);
}

uint32_t ims_exynos_active_domain(struct ims_iommu *iommu)
{
	return soc32_active_id(iommu, &ims_exynos_ops);
}
