// SPDX-License-Identifier: MIT
/*
 * The AMD-Vi model (see amd.h).
 *
 * Instances carry their EFR.  As in the kernel, the "global" features
 * (amd_iommu_efr: v2 table support, table levels) are those of the first
 * instance, and the per-instance ones (iommu->features: the host dirty
 * bit) are each instance's own.
 *
 * Protection domains are global: any domain attaches through any
 * instance.  Tables (src/pt):
 *   v1 (AMD I/O page table, IMS_PT_AMD_V1): the default.  Made for a
 *      device: levels from EFR.HATS (4 + HATS); allocated per bus (2022):
 *      6 levels, aperture [0, 2^64 - 1] (the 2022 table grew to 6 levels
 *      on demand).  Every leaf has FC set: enforce_cache_coherency is true.
 *   v2 (x86-64, IMS_PT_X86_64): PASID-capable domains (IMS_ALLOC_PASID),
 *      when the first instance has GT and GIOSUP; 4 levels, or 5 with
 *      EFR.GATS = 1.
 *
 * Attach rules (amd_iommu_attach_device):
 *   foreign-driver      2022: check_device() finds no AMD IOMMU for the
 *                       device: EINVAL (the checks were dropped by
 *                       79218fd0b38b; today the core refuses first);
 *   (same domain)       0 without touching anything;
 *   dirty-unsupported   a dirty-tracking domain on an instance without
 *                       HDSUP: EINVAL today (before the old domain is
 *                       left); the check was born in v6.7, so the 2022
 *                       eras do not have it;
 *   v2-not-identity     2022: a v2 (PASID) domain for a device whose
 *                       default domain is not identity: EINVAL after the
 *                       device was detached (so it is left blocked);
 *                       EMEDIUMTYPE in the seed; gone today.
 *
 * Locking: a domain's device list is under amd_domain.lock; a device's
 * state under its group mutex.
 */
#include <errno.h>

#include "amd.h"
#include "util/alloc.h"

#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)

struct amd_inst {
	struct ims_iommu *iommu;
	struct ims_amd_cfg cfg;
};

struct amd_domain {
	struct ims_domain domain;
	struct ims_pt *pt;
	bool v2;
	struct ims_mutex lock;      /* protects @devices */
	struct ims_list devices;    /* amd_dev.link */
};

struct amd_dev {
	struct amd_inst *inst;
	struct amd_domain *domain;  /* paging domain in its DTE, NULL: none */
	struct ims_list link;
};

static const struct ims_attach_rule rule_foreign_driver = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_dirty = {
	"dirty-unsupported",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_NONE,
	  [IMS_PROFILE_LEGACY] = IMS_ERR_NONE },
};
static const struct ims_attach_rule rule_v2 = {
	"v2-not-identity",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};

static struct amd_domain *to_amd_domain(struct ims_domain *domain)
{
	return ims_container_of(domain, struct amd_domain, domain);
}

static struct amd_inst *dev_inst(struct ims_device *dev)
{
	return dev->iommu->priv;
}

/* amd_iommu_efr: the first instance's EFR. */
static uint64_t global_efr(struct ims_core *core)
{
	struct ims_iommu *it;
	uint64_t efr = 0;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(it, &core->iommus, node) {
		if (it->ops == &ims_amd_ops) {
			efr = ((struct amd_inst *)it->priv)->cfg.efr;
			break;
		}
	}
	ims_mutex_unlock(&core->lock);
	return efr;
}

static bool v2_supported(uint64_t efr)
{
	return (efr & IMS_AMD_EFR_GT) && (efr & IMS_AMD_EFR_GIOSUP);
}

static bool hd_supported(const struct amd_inst *inst)
{
	return inst->cfg.efr & IMS_AMD_EFR_HDSUP;
}

/* ---- devices on domains ---- */

static void dev_link(struct amd_dev *info, struct amd_domain *ad)
{
	ims_mutex_lock(&ad->lock);
	ims_list_add_tail(&info->link, &ad->devices);
	info->domain = ad;
	ims_mutex_unlock(&ad->lock);
}

/* detach_device(): the DTE keeps V and TV but no table: DMA is blocked. */
static void dev_unlink(struct amd_dev *info)
{
	struct amd_domain *ad = info->domain;

	if (!ad)
		return;
	ims_mutex_lock(&ad->lock);
	ims_list_del(&info->link);
	info->domain = NULL;
	ims_mutex_unlock(&ad->lock);
}

/* ---- tables ---- */

static int table_new(struct amd_domain *ad, unsigned int levels, bool dirty)
{
	struct ims_pt_cfg cfg = {
		.format = ad->v2 ? IMS_PT_X86_64 : IMS_PT_AMD_V1,
		.pgsize_bitmap = ad->v2 ? SZ_4K | SZ_2M | SZ_1G : 0,
		.levels = levels,
		.features = dirty ? IMS_PT_FEAT_DIRTY : 0,
	};
	int ret = ims_pt_create(&cfg, &ad->pt);

	if (ret)
		return ret;
	cfg = *ims_pt_config(ad->pt);
	ims_domain_init(&ad->domain, ad->domain.ops, cfg.pgsize_bitmap, 0,
			cfg.ias >= 64 ? UINT64_MAX : (1ull << cfg.ias) - 1);
	return 0;
}

static void domain_free(struct amd_domain *ad)
{
	struct amd_dev *info, *tmp;

	ims_list_for_each_entry_safe(info, tmp, &ad->devices, link)
		dev_unlink(info);
	ims_pt_destroy(ad->pt);
	ims_mutex_destroy(&ad->lock);
	ims_free(ad);
}

extern const struct ims_domain_ops amd_paging_ops;

static struct ims_domain *domain_new(bool v2, unsigned int levels, uint32_t flags)
{
	struct amd_domain *ad = ims_zalloc(sizeof(*ad));
	int ret;

	if (!ad)
		return ERR_PTR(-ENOMEM);
	ims_mutex_init(&ad->lock);
	ims_list_init(&ad->devices);
	ad->v2 = v2;
	ad->domain.ops = &amd_paging_ops;
	ret = table_new(ad, levels, flags & IMS_ALLOC_DIRTY_TRACKING);
	if (ret) {
		domain_free(ad);
		return ERR_PTR(ret);
	}
	return &ad->domain;
}

/* amd_iommu_domain_alloc_paging_flags(): which table a device's domain gets. */
static struct ims_domain *amd_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						  const void *user_data)
{
	uint64_t efr;

	if (user_data || (flags & ~(IMS_ALLOC_DIRTY_TRACKING | IMS_ALLOC_PASID)))
		return ERR_PTR(-EOPNOTSUPP);
	if (!dev)
		return flags ? ERR_PTR(-EOPNOTSUPP) : domain_new(false, 6, 0);
	efr = global_efr(dev->core);
	switch (flags) {
	case 0:
		return domain_new(false, 4 + IMS_MIN(IMS_AMD_EFR_HATS(efr), 2u), 0);
	case IMS_ALLOC_DIRTY_TRACKING:
		if (!hd_supported(dev_inst(dev)))
			return ERR_PTR(-EOPNOTSUPP);
		return domain_new(false, 4 + IMS_MIN(IMS_AMD_EFR_HATS(efr), 2u), flags);
	case IMS_ALLOC_PASID:
		if (!v2_supported(efr))
			return ERR_PTR(-EOPNOTSUPP);
		return domain_new(true, IMS_AMD_EFR_GATS(efr) == 1 ? 5 : 4, 0);
	default:
		return ERR_PTR(-EOPNOTSUPP);
	}
}

/* ---- attach ---- */

static bool default_is_identity(struct ims_device *dev)
{
	struct ims_domain *def = dev->group ? dev->group->default_domain : NULL;

	return def && def->type == IMS_DOMAIN_IDENTITY;
}

static void left_blocked(struct ims_device *dev)
{
	struct ims_domain *blocked = ims_static_domain(dev->core, &ims_amd_ops, IMS_DOMAIN_BLOCKED);

	ims_device_set_hw_domain(dev, IS_ERR_OR_NULL(blocked) ? NULL : blocked);
}

/* The checks before the old domain is left: 0 to go on, else the answer. */
static int check_before_detach(struct amd_domain *ad, struct ims_device *dev)
{
	int ret;

	if (dev->iommu->ops != &ims_amd_ops) {
		ret = ims_rule_errno(&rule_foreign_driver, dev, "no AMD IOMMU serves the device");
		return ret <= 0 ? ret : -EINVAL;
	}
	if ((ad->domain.alloc_flags & IMS_ALLOC_DIRTY_TRACKING) &&
	    !hd_supported(((struct amd_dev *)dev->priv)->inst)) {
		ret = ims_rule_errno(&rule_dirty, dev, "%s has no host dirty bit (HDSUP)",
				     dev->iommu->name);
		if (ret <= 0)
			return ret;
	}
	return 0;
}

static int amd_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			  struct ims_domain *old)
{
	struct amd_domain *ad = to_amd_domain(domain);
	int ret;

	(void)old;
	if (dev->iommu->ops == &ims_amd_ops && ((struct amd_dev *)dev->priv)->domain == ad)
		return 0;
	ret = check_before_detach(ad, dev);
	if (ret)
		return ret;
	dev_unlink(dev->priv);
	if (ad->v2 && !default_is_identity(dev)) {
		ret = ims_rule_errno(&rule_v2, dev, "v2 domain, default domain is not identity");
		if (ret <= 0) {
			left_blocked(dev);
			return ret;
		}
	}
	dev_link(dev->priv, ad);
	return 0;
}

static int amd_static_attach(struct ims_domain *domain, struct ims_device *dev,
			     struct ims_domain *old)
{
	(void)domain;
	(void)old;
	if (dev->iommu->ops != &ims_amd_ops)
		return -EINVAL;
	dev_unlink(dev->priv);
	return 0;
}

/* ---- domain ops ---- */

static int amd_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			 size_t pgsize, size_t count, int prot, size_t *mapped)
{
	struct amd_domain *ad = to_amd_domain(domain);
	int bits = prot & (IMS_PROT_READ | IMS_PROT_WRITE);

	/* v1 leaves always carry FC (force coherent). */
	return ims_pt_map(ad->pt, iova, paddr, pgsize, count, ad->v2 ? bits : bits | IMS_PROT_CACHE,
			  mapped);
}

static size_t amd_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
			      size_t count, ims_iotlb_gather *gather)
{
	return ims_pt_unmap(to_amd_domain(domain)->pt, iova, pgsize, count, gather);
}

static void amd_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather)
{
	(void)domain;
	ims_pt_gather_sync(gather);
}

static uint64_t amd_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	return ims_pt_iova_to_phys(to_amd_domain(domain)->pt, iova);
}

static bool amd_enforce_cache_coherency(struct ims_domain *domain)
{
	(void)domain;
	return true; /* IOMMU_PTE_FC is always set */
}

static int amd_set_dirty_tracking(struct ims_domain *domain, bool enable)
{
	(void)enable;
	return domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING ? 0 : -EOPNOTSUPP;
}

static int amd_read_and_clear_dirty(struct ims_domain *domain, uint64_t iova, uint64_t size,
				    unsigned int flags, ims_pt_dirty_fn fn, void *arg)
{
	if (!(domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	if (!domain->dirty_tracking)
		return -EINVAL;
	return ims_pt_read_and_clear_dirty(to_amd_domain(domain)->pt, iova, size, flags, fn, arg);
}

static void amd_domain_free(struct ims_domain *domain)
{
	domain_free(to_amd_domain(domain));
}

const struct ims_domain_ops amd_paging_ops = {
	.attach_dev = amd_attach_dev,
	.map_pages = amd_map_pages,
	.unmap_pages = amd_unmap_pages,
	.iotlb_sync = amd_iotlb_sync,
	.iova_to_phys = amd_iova_to_phys,
	.enforce_cache_coherency = amd_enforce_cache_coherency,
	.set_dirty_tracking = amd_set_dirty_tracking,
	.read_and_clear_dirty = amd_read_and_clear_dirty,
	.free = amd_domain_free,
};

static const struct ims_domain_ops amd_static_ops = {
	.attach_dev = amd_static_attach,
};

/* ---- devices ---- */

static bool amd_capable(struct ims_device *dev, enum ims_cap cap)
{
	switch (cap) {
	case IMS_CAP_CACHE_COHERENCY:
	case IMS_CAP_ENFORCE_CACHE_COHERENCY:
	case IMS_CAP_DEFERRED_FLUSH:
		return true;
	case IMS_CAP_DIRTY_TRACKING:
		return hd_supported(dev_inst(dev));
	default:
		return false;
	}
}

static int amd_probe_device(struct ims_device *dev)
{
	struct amd_dev *info = ims_zalloc(sizeof(*info));

	if (!info)
		return -ENOMEM;
	info->inst = dev_inst(dev);
	dev->priv = info;
	return 0;
}

static void amd_release_device(struct ims_device *dev)
{
	if (dev->priv)
		dev_unlink(dev->priv);
	ims_free(dev->priv);
	dev->priv = NULL;
}

static struct ims_group *amd_device_group(struct ims_device *dev)
{
	return dev->bus == IMS_BUS_PCI ? ims_pci_device_group(dev) : ims_generic_device_group(dev);
}

/*
 * amd_iommu_def_domain_type(): untrusted devices get DMA; PASID-capable
 * devices identity when the IOMMUs can give them v2 tables (the 2022
 * "iommu_v2" devices; no memory encryption is modelled).
 */
static int amd_def_domain_type(struct ims_device *dev)
{
	uint64_t efr = global_efr(dev->core);

	if (dev->untrusted)
		return IMS_DOMAIN_DMA;
	if (dev->max_pasids && v2_supported(efr) && (efr & IMS_AMD_EFR_PPR))
		return IMS_DOMAIN_IDENTITY;
	return 0;
}

static int amd_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	const struct ims_resv_region msi = {
		IMS_AMD_MSI_START, IMS_AMD_MSI_END - IMS_AMD_MSI_START + 1, 0, IMS_RESV_MSI,
	};
	const struct ims_resv_region ht = {
		IMS_AMD_HT_START, IMS_AMD_HT_END - IMS_AMD_HT_START + 1, 0, IMS_RESV_RESERVED,
	};
	int ret = ims_resv_list_insert(list, &msi);

	(void)dev;
	return ret ? ret : ims_resv_list_insert(list, &ht);
}

const struct ims_iommu_ops ims_amd_ops = {
	.name = "amd",
	.capable = amd_capable,
	.domain_alloc_paging = amd_domain_alloc_paging,
	.static_identity = true,
	.static_blocked = true,
	.identity_ops = &amd_static_ops,
	.blocked_ops = &amd_static_ops,
	.def_domain_type = amd_def_domain_type,
	.probe_device = amd_probe_device,
	.release_device = amd_release_device,
	.device_group = amd_device_group,
	.get_resv_regions = amd_get_resv_regions,
	/* AMD_IOMMU_PGSIZES: every power of two from 4 KiB but 512 GiB. */
	.pgsize_bitmap = ~0xfffull & ~(1ull << 39),
};

int ims_amd_register(struct ims_core *core, const char *name, const struct ims_amd_cfg *cfg,
		     struct ims_iommu **out)
{
	struct amd_inst *inst = ims_zalloc(sizeof(*inst));
	int ret;

	if (!inst)
		return -ENOMEM;
	if (cfg)
		inst->cfg = *cfg;
	ret = ims_iommu_register(core, name, &ims_amd_ops, inst, ims_free, &inst->iommu);
	if (ret) {
		ims_free(inst);
		return ret;
	}
	if (out)
		*out = inst->iommu;
	return 0;
}

uint64_t ims_amd_efr(const struct ims_iommu *iommu)
{
	return ((const struct amd_inst *)iommu->priv)->cfg.efr;
}

bool ims_amd_intremap(const struct ims_iommu *iommu)
{
	return !((const struct amd_inst *)iommu->priv)->cfg.no_intremap;
}

int ims_amd_domain_info(struct ims_domain *domain, struct ims_amd_domain_info *out)
{
	struct amd_domain *ad;
	struct amd_dev *info;

	if (IS_ERR_OR_NULL(domain) || domain->ops != &amd_paging_ops)
		return -EINVAL;
	ad = to_amd_domain(domain);
	*out = (struct ims_amd_domain_info){
		.v2 = ad->v2, .levels = ims_pt_config(ad->pt)->levels, .pt = ad->pt,
	};
	ims_mutex_lock(&ad->lock);
	ims_list_for_each_entry(info, &ad->devices, link)
		out->nr_devices++;
	ims_mutex_unlock(&ad->lock);
	return 0;
}
