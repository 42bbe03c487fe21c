// SPDX-License-Identifier: MIT
/*
 * The sun50i IOMMU driver model (see sun50i.h), after
 * drivers/iommu/sun50i-iommu.c.
 *
 * Attach (sun50i_iommu_attach_device), the same in every era modelled:
 * a device without sun50i IOMMU data answers ENODEV (a legacy core's
 * foreign device is taken for one); otherwise the domain's count of
 * devices goes up, and unless the IOMMU already walks it, the IOMMU leaves
 * its domain (the identity domain's attach: down one, and at zero the old
 * domain's page tables are freed) and walks the new one.  0; errors of
 * mapping the table for the hardware or enabling it are ignored by the
 * driver.  A domain may be walked by two instances; its TLB flushes then
 * reach only the last one it was attached to (domain->iommu), which the
 * model does not need to show.
 *
 * The driver's habits, kept here: map answers EBUSY for an entry in use
 * ("iova ... already mapped"); unmap stops at the first empty entry.  The
 * count starts at one (refcount_set at allocation), so no ordinary detach
 * reaches zero.
 *
 * Domains: 4 KiB pages, aperture [0, DMA_BIT_MASK(32)].  Default domain:
 * DMA.  No capabilities.
 *
 * Locking: all masters of an instance are in one group, whose mutex
 * protects the instance's active domain and the domain's count.
 */
#include "sun50i.h"

#include <errno.h>

#include "drivers/soc32/soc32.h"
#include "util/alloc.h"

#define SUN50I_PAGE 4096ull

struct sun50i_domain {
	struct soc32_domain sd;
	unsigned int refcnt;         /* devices attached, plus one */
};

struct sun50i_iommu {
	struct soc32_instance inst;  /* iommu->domain: the domain it walks */
};

static struct sun50i_domain *to_sun50i(struct ims_domain *domain)
{
	return ims_container_of(to_soc32(domain), struct sun50i_domain, sd);
}

static int sun50i_identity_attach(struct ims_domain *domain, struct ims_device *dev,
				  struct ims_domain *old)
{
	struct sun50i_iommu *si;
	struct sun50i_domain *active;

	if (!soc32_served_by(dev, &ims_sun50i_ops))
		return 0;
	si = dev->iommu->priv;
	if (!soc32_active(&si->inst))
		return 0;
	active = to_sun50i(soc32_active(&si->inst));
	if (--active->refcnt == 0) {
		/* sun50i_iommu_detach_domain: the domain's page tables go */
		ims_pt_destroy(active->sd.pt);
		active->sd.pt = NULL;
		soc32_set_active(&si->inst, NULL);
	}
	return 0;
}

static int sun50i_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			     struct ims_domain *old)
{
	const struct ims_pt_cfg cfg = { .format = IMS_PT_SUN50I };
	struct sun50i_domain *d = to_sun50i(domain);
	struct sun50i_iommu *si;
	int ret;

	if (!soc32_served_by(dev, &ims_sun50i_ops)) {
		ims_attach_reason("%s has no sun50i IOMMU", dev->name);
		return -ENODEV;
	}
	si = dev->iommu->priv;
	ret = soc32_domain_table(&d->sd, &cfg);
	if (ret)
		return ret;
	d->refcnt++;
	if (soc32_active(&si->inst) == domain)
		return 0;
	sun50i_identity_attach(NULL, dev, old);
	soc32_set_active(&si->inst, domain);
	ims_attach_reason("%s walks domain %u (domains are not bound to an instance)",
			  dev->iommu->name, domain->id);
	return 0;
}

static int sun50i_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			    size_t pgsize, size_t count, int prot, size_t *mapped)
{
	return soc32_map(to_soc32(domain)->pt, iova, paddr, pgsize, count, prot, mapped, pgsize,
			 EBUSY);
}

static void sun50i_domain_free(struct ims_domain *domain)
{
	soc32_forget_active(domain, &ims_sun50i_ops);
	ims_pt_destroy(to_soc32(domain)->pt);
	ims_free(to_sun50i(domain));
}

static const struct ims_domain_ops sun50i_paging_ops = {
	.attach_dev = sun50i_attach_dev,
	.map_pages = sun50i_map_pages,
	.unmap_pages = soc32_unmap_pages,
	.iotlb_sync = soc32_iotlb_sync,
	.iova_to_phys = soc32_iova_to_phys,
	.free = sun50i_domain_free,
};

static const struct ims_domain_ops sun50i_identity_ops = {
	.attach_dev = sun50i_identity_attach,
};

static struct ims_domain *sun50i_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						     const void *user_data)
{
	const struct ims_pt_cfg cfg = { .format = IMS_PT_SUN50I };
	struct sun50i_domain *d;

	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	d = ims_zalloc(sizeof(*d));
	if (!d)
		return ERR_PTR(-ENOMEM);
	if (soc32_domain_table(&d->sd, &cfg)) {
		ims_free(d);
		return ERR_PTR(-ENOMEM);
	}
	d->refcnt = 1;
	ims_domain_init(&d->sd.domain, &sun50i_paging_ops, SUN50I_PAGE, 0, (1ull << 32) - 1);
	return &d->sd.domain;
}

const struct ims_iommu_ops ims_sun50i_ops = {
	.name = "sun50i",
	.domain_alloc_paging = sun50i_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &sun50i_identity_ops,
	.device_group = soc32_instance_group,
	.pgsize_bitmap = SUN50I_PAGE,
};

int ims_sun50i_register(struct ims_core *core, const char *name, struct ims_iommu **out)
{
	struct sun50i_iommu *si = ims_zalloc(sizeof(*si));

	if (!si)
		return -ENOMEM;
	return soc32_register(core, name, &ims_sun50i_ops, &si->inst, NULL, out);
}

uint32_t ims_sun50i_active_domain(struct ims_iommu *iommu)
{
	return soc32_active_id(iommu, &ims_sun50i_ops);
}
