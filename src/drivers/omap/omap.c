// SPDX-License-Identifier: MIT
/*
 * The TI OMAP IOMMU driver model: torvalds/linux drivers/iommu/omap-iommu.c
 * (bindings "ti,omap2-iommu", "ti,omap4-iommu", "ti,dra7-iommu",
 * "ti,dra7-dsp-iommu", #iommu-cells = <0>).
 *
 * Each remote processor (DSP, IPU, ISP) has its own MMU walking a two-level
 * table (src/pt/fmt/omap.c); every device behind one MMU is in its group.
 * A domain serves exactly one client device: its page tables are made for
 * that device's MMU at attach (omap_iommu_attach_init), and freed when the
 * device leaves -- its mappings go with them, as in the kernel.  A map
 * before the first attach fails with EINVAL (no MMU to program yet).
 *
 * Attach, in order:
 *   foreign-driver   the device has no associated OMAP MMU: EINVAL in 2022
 *                    (also in the seed, which did not touch it), ENODEV
 *                    since the final series (commit bd7ebb771935)
 *   (unwind)         the device already runs this domain: 0
 *   second-device    the domain already has its client device: EBUSY in
 *                    2022, EMEDIUMTYPE in the seed's v1 patch, EINVAL today
 *                    (commit f4a147735793)
 *   page tables      their allocation fails: ENOMEM
 * Enabling the MMU (runtime PM) can fail too in the kernel; nothing in a
 * platform makes it fail here.
 *
 * Today an attach from one paging domain to another does not detach the
 * first (only the identity domain's attach does, as the old detach_dev
 * did): the first keeps naming the device as its client, and refuses
 * other devices until it is freed.  Modelled as such.
 *
 * Locking: domain and MMU state change under the callers' group mutex
 * (the kernel's omap_domain->lock).
 */
#include <errno.h>

#include "drivers/model_util.h"
#include "drivers/pt_domain.h"
#include "omap.h"
#include "util/alloc.h"

#define OMAP_PGSIZES ((1ull << 12) | (1ull << 16) | (1ull << 20) | (1ull << 24))
#define OMAP_IOVA_LAST 0xffffffffull

struct omap_mmu {
	struct ims_iommu *iommu;
	unsigned int tlb_entries;
	struct omap_domain *domain;  /* whose tables the MMU walks (oiommu->domain) */
};

struct omap_domain {
	struct ims_pt_domain pd;
	struct ims_device *dev;      /* its one client device */
	struct omap_mmu *mmu;        /* that device's MMU */
};

static const struct ims_attach_rule rule_no_iommu = {
	"foreign-driver", { [IMS_PROFILE_UPSTREAM] = ENODEV, [IMS_PROFILE_SEED] = EINVAL,
			    [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_second_device = {
	"second-device",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EBUSY },
};

static struct omap_domain *to_omap_domain(struct ims_domain *domain)
{
	return ims_container_of(to_ims_pt_domain(domain), struct omap_domain, pd);
}

static struct omap_mmu *dev_mmu(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_omap_ops ? dev->iommu->priv : NULL;
}

static bool is_omap_paging(const struct ims_domain *domain)
{
	return domain && ims_domain_owned_by(domain, &ims_omap_ops) &&
	       (domain->type & IMS_DOMAIN_BIT_PAGING);
}

static const struct ims_domain_ops omap_paging_ops;

static struct ims_domain *omap_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						   const void *user_data)
{
	struct ims_pt_domain *pd = ims_pt_domain_alloc(sizeof(struct omap_domain), &omap_paging_ops,
						       OMAP_PGSIZES, 0, OMAP_IOVA_LAST, flags,
						       user_data);

	return IS_ERR(pd) ? ERR_PTR(PTR_ERR(pd)) : &pd->domain;
}

/* The client leaves: the MMU stops, the page tables (and mappings) go. */
static void omap_detach(struct omap_domain *od)
{
	if (!od->dev)
		return;
	if (od->mmu->domain == od)
		od->mmu->domain = NULL;
	ims_pt_domain_destroy_table(&od->pd);
	od->dev = NULL;
	od->mmu = NULL;
}

static void omap_domain_free(struct ims_domain *domain)
{
	struct omap_domain *od = to_omap_domain(domain);

	omap_detach(od); /* an attached domain is detached first, as the kernel does */
	ims_free(od);
}

static int omap_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			   struct ims_domain *old)
{
	const struct ims_pt_cfg cfg = { .format = IMS_PT_OMAP };
	struct omap_domain *od = to_omap_domain(domain);
	struct omap_mmu *mmu = dev_mmu(dev);

	if (!mmu)
		return ims_rule_errno(&rule_no_iommu, dev,
				      "device doesn't have an associated iommu");
	if (dev->hw_domain == domain)
		return 0; /* the core's unwind putting a device back where it stayed */
	if (od->dev)
		return ims_rule_errno(&rule_second_device, dev,
				      "iommu domain is already attached (to %s)", od->dev->name);
	if (ims_pt_domain_create_table(&od->pd, &cfg)) {
		ims_attach_reason("failed to allocate required iommu data");
		return -ENOMEM;
	}
	od->dev = dev;
	od->mmu = mmu;
	mmu->domain = od;
	return 0;
}

/* Translation off: the old OMAP domain loses its client (the old detach_dev). */
static int omap_identity_attach(struct ims_domain *domain, struct ims_device *dev,
				struct ims_domain *old)
{
	if (is_omap_paging(old) && to_omap_domain(old)->dev == dev)
		omap_detach(to_omap_domain(old));
	return 0;
}

static const struct ims_domain_ops omap_paging_ops = {
	.attach_dev = omap_attach_dev,
	.map_pages = ims_pt_domain_map_pages,
	.unmap_pages = ims_pt_domain_unmap_pages,
	.iotlb_sync = ims_pt_domain_iotlb_sync,
	.iova_to_phys = ims_pt_domain_iova_to_phys,
	.free = omap_domain_free,
};

static const struct ims_domain_ops omap_identity_ops = {
	.attach_dev = omap_identity_attach,
};

const struct ims_iommu_ops ims_omap_ops = {
	.name = "omap",
	.domain_alloc_paging = omap_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &omap_identity_ops,
	.default_domain_type = IMS_DOMAIN_IDENTITY,
	.force_default_domain = true,
	.device_group = ims_single_device_group,
	.pgsize_bitmap = OMAP_PGSIZES,
};

int ims_omap_register(struct ims_core *core, const char *name, unsigned int tlb_entries,
		      struct ims_iommu **out)
{
	struct omap_mmu *mmu;

	if (tlb_entries != 8 && tlb_entries != 32)
		return -EINVAL;
	mmu = ims_zalloc(sizeof(*mmu));
	if (!mmu)
		return -ENOMEM;
	mmu->tlb_entries = tlb_entries;
	return ims_model_register(core, name, &ims_omap_ops, mmu, &mmu->iommu, out);
}

struct ims_device *ims_omap_domain_device(struct ims_domain *domain)
{
	return is_omap_paging(domain) ? to_omap_domain(domain)->dev : NULL;
}
