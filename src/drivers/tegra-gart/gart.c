// SPDX-License-Identifier: MIT
/*
 * The Tegra20 GART driver model: torvalds/linux drivers/iommu/tegra-gart.c
 * (v5.19; removed in v6.7 by "iommu/tegra-gart: Remove tegra-gart", commit
 * c462944901319cb52ec0d0382dcea64f4f6f70e8).
 *
 * The GART lives in the memory controller and remaps one window of the
 * physical address space (the aperture, 32 MiB at 0x58000000 on Tegra20),
 * 4 KiB at a time, for every bus master.  There is one set of entries, so
 * one domain at a time can be live: the "active domain", set by the first
 * attach and given up when its last device leaves.  Each domain keeps its
 * entries in its own table (src/pt/fmt/tegra_gart.c, indexed by the offset
 * into the aperture); the kernel wrote every domain's maps straight into
 * the hardware, so mapping into an inactive domain changed the active
 * one's translations there -- iommusim does not reproduce that.
 *
 * Attach, in order:
 *   foreign-driver       the device is not behind the GART: the 2022 driver
 *                        did not look and answered 0 (silent)
 *   (unwind)             the device already runs this domain: 0
 *   other-active-domain  another domain is active: EBUSY in 2022, the
 *                        seed's EMEDIUMTYPE (Kevin Tian's list), EINVAL in
 *                        the final series (v6.2) -- a profile iommusim has
 *                        no era for: the driver was gone before today
 *   otherwise            the device joins the active domain
 * A domain allocated per bus (2022) gets its aperture and table at its
 * first attach (the kernel took them from the one global GART at
 * allocation; a map before the first attach fails here).
 *
 * The GART had no default domain: a device not attached to a GART domain
 * does DMA untranslated, which is the static identity domain here; going
 * back to it is the old detach_dev.  It had no blocking domain either, so
 * the core's blocking domain is an empty GART domain, which becomes the
 * active one: in 2022 VFIO could not attach its own domain afterwards.
 *
 * Locking: the GART's active domain and device count change under the
 * callers' group mutex (the kernel's dom_lock).
 */
#include <errno.h>

#include "drivers/model_util.h"
#include "drivers/pt_domain.h"
#include "gart.h"
#include "util/alloc.h"

#define SZ_4K (1ull << 12)
#define GART_MAX_APERTURE (1ull << 32)

struct gart {
	struct ims_iommu *iommu;
	uint64_t base, size;           /* the aperture */
	struct gart_domain *active;    /* the domain the entries belong to */
	unsigned int active_devices;
};

struct gart_domain {
	struct ims_pt_domain pd;
	struct gart *gart;             /* NULL until the first attach (2022 allocation) */
};

static const struct ims_attach_rule rule_foreign = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = IMS_ERR_SILENT },
};
static const struct ims_attach_rule rule_other_active = {
	"other-active-domain",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EBUSY },
};

static struct gart_domain *to_gart_domain(struct ims_domain *domain)
{
	return ims_container_of(to_ims_pt_domain(domain), struct gart_domain, pd);
}

static struct gart *dev_gart(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_gart_ops ? dev->iommu->priv : NULL;
}

/* Give @gd @gart's aperture and a table for it. */
static int gart_bind(struct gart_domain *gd, struct gart *gart)
{
	struct ims_pt_cfg cfg = { .format = IMS_PT_TEGRA_GART };
	int ret;

	cfg.ias = 64 - (unsigned int)__builtin_clzll(gart->size - 1);
	gd->pd.domain.geometry.aperture_start = gart->base;
	gd->pd.domain.geometry.aperture_end = gart->base + gart->size - 1;
	gd->pd.iova_base = gart->base;
	ret = ims_pt_domain_create_table(&gd->pd, &cfg);
	if (!ret)
		gd->gart = gart;
	return ret;
}

static const struct ims_domain_ops gart_paging_ops;

static struct ims_domain *gart_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						   const void *user_data)
{
	struct gart *gart = dev ? dev_gart(dev) : NULL;
	struct ims_pt_domain *pd;
	struct gart_domain *gd;

	if (dev && !gart)
		return ERR_PTR(-EOPNOTSUPP);
	pd = ims_pt_domain_alloc(sizeof(*gd), &gart_paging_ops, SZ_4K, 0, 0, flags, user_data);
	if (IS_ERR(pd))
		return ERR_PTR(PTR_ERR(pd));
	gd = ims_container_of(pd, struct gart_domain, pd);
	if (gart && gart_bind(gd, gart)) {
		ims_free(gd);
		return ERR_PTR(-ENOMEM);
	}
	return &gd->pd.domain;
}

static void gart_domain_free(struct ims_domain *domain)
{
	struct gart_domain *gd = to_gart_domain(domain);

	if (gd->gart && gd->gart->active == gd) { /* the kernel WARNs */
		gd->gart->active = NULL;
		gd->gart->active_devices = 0;
	}
	ims_pt_domain_destroy_table(&gd->pd);
	ims_free(gd);
}

/* The device leaves the GART domain it was in (the old detach_dev). */
static void gart_leave(struct gart *gart, struct ims_device *dev)
{
	if (!dev->priv)
		return;
	dev->priv = NULL;
	if (gart->active_devices && !--gart->active_devices)
		gart->active = NULL;
}

static int gart_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			   struct ims_domain *old)
{
	struct gart_domain *gd = to_gart_domain(domain);
	struct gart *gart = dev_gart(dev);

	if (!gart)
		return ims_rule_errno(&rule_foreign, dev, "%s is not behind the GART", dev->name);
	if (dev->hw_domain == domain)
		return 0; /* the core's unwind putting a device back where it stayed */
	if (gart->active && gart->active != gd)
		return ims_rule_errno(&rule_other_active, dev, "the GART runs domain %u",
				      gart->active->pd.domain.id);
	if (!gd->gart && gart_bind(gd, gart)) {
		ims_attach_reason("cannot allocate the domain's table");
		return -ENOMEM;
	}
	if (dev->priv != gd) {
		dev->priv = gd;
		gart->active = gd;
		gart->active_devices++;
	}
	return 0;
}

/* Untranslated DMA: the device leaves its GART domain. */
static int gart_identity_attach(struct ims_domain *domain, struct ims_device *dev,
				struct ims_domain *old)
{
	gart_leave(dev->iommu->priv, dev);
	return 0;
}

static const struct ims_domain_ops gart_paging_ops = {
	.attach_dev = gart_attach_dev,
	.map_pages = ims_pt_domain_map_pages,
	.unmap_pages = ims_pt_domain_unmap_pages,
	.iotlb_sync = ims_pt_domain_iotlb_sync,
	.iova_to_phys = ims_pt_domain_iova_to_phys,
	.free = gart_domain_free,
};

static const struct ims_domain_ops gart_identity_ops = {
	.attach_dev = gart_identity_attach,
};

static int gart_probe_device(struct ims_device *dev)
{
	dev->priv = NULL; /* the GART domain it is in (dev_iommu_priv) */
	return 0;
}

static void gart_release_device(struct ims_device *dev)
{
	gart_leave(dev->iommu->priv, dev);
}

const struct ims_iommu_ops ims_gart_ops = {
	.name = "tegra-gart",
	.domain_alloc_paging = gart_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &gart_identity_ops,
	.default_domain_type = IMS_DOMAIN_IDENTITY,
	.force_default_domain = true,
	.probe_device = gart_probe_device,
	.release_device = gart_release_device,
	.device_group = ims_generic_device_group,
	.pgsize_bitmap = SZ_4K,
};

int ims_gart_register(struct ims_core *core, const char *name, uint64_t base, uint64_t size,
		      struct ims_iommu **out)
{
	struct gart *gart;

	if (!size || size > GART_MAX_APERTURE || ((base | size) & (SZ_4K - 1)) ||
	    base + size - 1 < base)
		return -EINVAL;
	gart = ims_zalloc(sizeof(*gart));
	if (!gart)
		return -ENOMEM;
	gart->base = base;
	gart->size = size;
	return ims_model_register(core, name, &ims_gart_ops, gart, &gart->iommu, out);
}

struct ims_domain *ims_gart_active_domain(struct ims_iommu *iommu)
{
	const struct gart *gart = iommu->ops == &ims_gart_ops ? iommu->priv : NULL;

	return gart && gart->active ? &gart->active->pd.domain : NULL;
}
