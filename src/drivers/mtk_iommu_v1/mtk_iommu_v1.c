// SPDX-License-Identifier: MIT
/*
 * The MediaTek M4U v1 driver model (see mtk_iommu_v1.h), after
 * drivers/iommu/mtk_iommu_v1.c.
 *
 * Attach rules, with their answer per era:
 *
 *   foreign-domain  the domain is not the M4U's internal mapping domain:
 *                   0 without doing anything (upstream and v5.19: "Only
 *                   allow the domain created internally"); EMEDIUMTYPE in
 *                   the seed, as Kevin Tian's review asked and v2/v3 of the
 *                   series did (dropped in v4 after Robin Murphy's input,
 *                   v5 cover 20220701214455.14992-1-nicolinc@nvidia.com).
 *                   A device of another driver (legacy cores hand it over)
 *                   gets the same answer: the domain is not its mapping.
 *   first attach    the internal domain's 4 MiB table is allocated then
 *                   (dma_alloc_coherent): ENOMEM, in every era.
 *
 * The driver's habits, kept here rather than in the format: map stops at
 * the first entry in use with EEXIST (the pages before it stay, the core
 * unmaps them); unmap clears every entry of the request and reports all of
 * it, holes included; iova_to_phys returns the page's address without the
 * offset inside the page.  Deviation: the kernel keeps a PA as u32 and so
 * truncates PAs above 4 GiB; we refuse them with ERANGE, because a
 * truncated address would let simulated DMA reach unmapped memory.
 *
 * Domains: page size 4 KiB; the driver sets no geometry, so the aperture
 * is [0, 0] without force_aperture, as the kernel's is.  Groups: one per
 * device (generic_device_group).  Default domain: IDENTITY
 * (mtk_iommu_v1_def_domain_type).  No capabilities.
 *
 * Locking: instance state changes under the attaching group's mutex; the
 * M4U's table pointer is written once (its first attach).
 */
#include "mtk_iommu_v1.h"

#include <errno.h>

#include "drivers/soc32/soc32.h"
#include "util/alloc.h"
#include "util/log.h"

#define MTK_V1_PAGE 4096ull

struct mtk_v1_m4u {
	struct ims_iommu *iommu;
	struct ims_domain *mapping;      /* the internal ARM DMA mapping domain */
	struct soc32_domain *m4u_dom;    /* the domain whose table the M4U walks */
};

static const struct ims_attach_rule rule_foreign_domain = {
	"foreign-domain",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SILENT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = IMS_ERR_SILENT },
};

/* mtk_iommu_v1_domain_finalise: the table, and the M4U's base register. */
static int finalise(struct mtk_v1_m4u *m4u, struct soc32_domain *md)
{
	const struct ims_pt_cfg cfg = { .format = IMS_PT_MTK_V1 };
	int ret = soc32_domain_table(md, &cfg);

	if (ret) {
		ims_attach_reason("cannot allocate the 4 MiB page table");
		return ret;
	}
	m4u->m4u_dom = md;
	return 0;
}

static int mtk_v1_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			     struct ims_domain *old)
{
	struct mtk_v1_m4u *m4u;

	if (!soc32_served_by(dev, &ims_mtk_v1_ops))
		return ims_rule_errno(&rule_foreign_domain, dev, "device served by %s",
				      dev->iommu->ops->name);
	m4u = dev->iommu->priv;
	if (m4u->mapping != domain)
		return ims_rule_errno(&rule_foreign_domain, dev,
				      "domain %u is not %s's internal mapping domain", domain->id,
				      dev->iommu->name);
	if (!m4u->m4u_dom)
		return finalise(m4u, to_soc32(domain));
	return 0; /* mtk_iommu_v1_config: the master's larb port goes through the M4U */
}

static int mtk_v1_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			    size_t pgsize, size_t count, int prot, size_t *mapped)
{
	return soc32_map(to_soc32(domain)->pt, iova, paddr, pgsize, count, prot, mapped, pgsize,
			 EEXIST);
}

static size_t mtk_v1_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
				 size_t count, ims_iotlb_gather *gather)
{
	return soc32_unmap_holes(to_soc32(domain)->pt, iova, pgsize, count, gather);
}

static uint64_t mtk_v1_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	return soc32_iova_to_phys(domain, iova & ~(MTK_V1_PAGE - 1));
}

static const struct ims_domain_ops mtk_v1_paging_ops = {
	.attach_dev = mtk_v1_attach_dev,
	.map_pages = mtk_v1_map_pages,
	.unmap_pages = mtk_v1_unmap_pages,
	.iotlb_sync = soc32_iotlb_sync,
	.iova_to_phys = mtk_v1_iova_to_phys,
	.free = soc32_domain_free,
};

/* mtk_iommu_v1_identity_attach: the master's port bypasses the M4U. */
static int mtk_v1_identity_attach(struct ims_domain *domain, struct ims_device *dev,
				  struct ims_domain *old)
{
	return 0;
}

static const struct ims_domain_ops mtk_v1_identity_ops = {
	.attach_dev = mtk_v1_identity_attach,
};

static struct ims_domain *mtk_v1_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						     const void *user_data)
{
	struct soc32_domain *md;

	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	md = ims_zalloc(sizeof(*md));
	if (!md)
		return ERR_PTR(-ENOMEM);
	ims_domain_init(&md->domain, &mtk_v1_paging_ops, MTK_V1_PAGE, 0, 0);
	md->domain.geometry.force_aperture = false;
	return &md->domain;
}

/* The first master of an M4U makes its internal mapping (mtk_iommu_v1_create_mapping). */
static int mtk_v1_probe_device(struct ims_device *dev)
{
	struct mtk_v1_m4u *m4u = dev->iommu->priv;
	struct ims_domain *mapping;

	if (m4u->mapping)
		return 0;
	mapping = ims_paging_domain_alloc(dev, 0);
	if (IS_ERR(mapping))
		return (int)PTR_ERR(mapping);
	m4u->mapping = mapping;
	return 0;
}

static int mtk_v1_def_domain_type(struct ims_device *dev)
{
	return IMS_DOMAIN_IDENTITY;
}

const struct ims_iommu_ops ims_mtk_v1_ops = {
	.name = "mtk_iommu_v1",
	.domain_alloc_paging = mtk_v1_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &mtk_v1_identity_ops,
	.def_domain_type = mtk_v1_def_domain_type,
	.probe_device = mtk_v1_probe_device,
	.device_group = ims_generic_device_group,
	.pgsize_bitmap = MTK_V1_PAGE,
};

static void mtk_v1_m4u_free(void *priv)
{
	struct mtk_v1_m4u *m4u = priv;

	m4u->m4u_dom = NULL;
	ims_domain_free(m4u->mapping);
	ims_free(m4u);
}

int ims_mtk_v1_register(struct ims_core *core, const char *name, struct ims_iommu **out)
{
	struct mtk_v1_m4u *m4u = ims_zalloc(sizeof(*m4u));
	int ret;

	if (!m4u)
		return -ENOMEM;
	ret = ims_iommu_register(core, name, &ims_mtk_v1_ops, m4u, mtk_v1_m4u_free, &m4u->iommu);
	if (ret) {
		ims_free(m4u);
		return ret;
	}
	if (out)
		*out = m4u->iommu;
	return 0;
}

struct ims_domain *ims_mtk_v1_mapping_domain(struct ims_iommu *iommu)
{
	if (!iommu || iommu->ops != &ims_mtk_v1_ops)
		return NULL;
	return ((struct mtk_v1_m4u *)iommu->priv)->mapping;
}
