// SPDX-License-Identifier: MIT
/*
 * The mock IOMMU driver (see mock.h).
 *
 * Its attach rules, with their answer per era:
 *
 *   foreign-driver     the device is served by another driver: the core
 *                      refuses it first where the era checks owners; in
 *                      2022 the mock answers as arm-smmu's fwspec check
 *                      did (ENXIO).
 *   foreign-instance   the domain is bound to another mock instance:
 *                      incompatible (ENXIO before the series, as
 *                      arm-smmu-v3).
 *   dirty-unsupported  a dirty-tracking domain on a device that cannot
 *                      track: incompatible (the check did not exist before
 *                      dirty tracking: EOPNOTSUPP in 2022).
 *   snoop-control      a domain enforcing cache coherency on an instance
 *                      without snoop control: incompatible (EOPNOTSUPP
 *                      before the series, as intel).
 *
 * A paging domain's translations live in an AMD-Vi v1 page table of the
 * page-table library: with a 2 KiB granule (the kernel's selftest variant)
 * when the instance's bitmap includes 2 KiB pages, the 4 KiB one otherwise,
 * and an input size that covers the instance's aperture.  The table's
 * semantics are the format's (docs/pt.md): an unmap request that starts at
 * a larger leaf removes it whole, one that starts inside a leaf removes
 * nothing there.  A domain allocated before it knows its instance (the
 * per-bus allocation of older eras) starts with the default table and takes
 * its instance's on its first attach, while it is still empty.
 */
#include <errno.h>
#include <string.h>

#include "mock.h"
#include "util/alloc.h"
#include "util/log.h"

#define SZ_2K (1ull << 11)
#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)
#define MOCK_DEFAULT_PGSIZES (SZ_4K | SZ_2M | SZ_1G)
#define MOCK_DEFAULT_APERTURE_END ((1ull << 48) - 1)

struct mock_iommu {
	struct ims_mock_iommu_cfg cfg;
	struct ims_iommu *iommu;
};

struct mock_dev {
	struct ims_mock_device_cfg cfg;
};

struct mock_domain {
	struct ims_domain domain;
	struct mock_iommu *bound;   /* NULL until allocated for / attached to a device */
	bool snoop_capable;         /* every instance it served can force snooping */
	struct ims_pt *pt;          /* the translations */
};

static const struct ims_attach_rule rule_foreign_driver = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = ENXIO },
};
static const struct ims_attach_rule rule_foreign_instance = {
	"foreign-instance",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = ENXIO },
};
static const struct ims_attach_rule rule_dirty_unsupported = {
	"dirty-unsupported",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EOPNOTSUPP },
};
static const struct ims_attach_rule rule_snoop_control = {
	"snoop-control",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EOPNOTSUPP },
};

static struct mock_domain *to_mock_domain(struct ims_domain *domain)
{
	return ims_container_of(domain, struct mock_domain, domain);
}

static struct mock_iommu *dev_instance(struct ims_device *dev)
{
	return dev->iommu->priv;
}

static struct mock_dev *dev_data(struct ims_device *dev)
{
	return dev->priv;
}

/* ---- page table ---- */

/* Input address bits that cover [0, @aperture_end]. */
static unsigned int aperture_bits(uint64_t aperture_end)
{
	return aperture_end == UINT64_MAX ? 64 : 64u - (unsigned int)__builtin_clzll(aperture_end | 1);
}

/*
 * A table for the geometry in @domain (page sizes, aperture), with dirty
 * state when the domain was allocated to track it.  On success the domain's
 * bitmap becomes what the format can do of the one asked for.
 */
static int table_create(struct mock_domain *md)
{
	struct ims_domain *domain = &md->domain;
	struct ims_pt_cfg cfg = {
		.format = IMS_PT_AMD_V1,
		.pgsize_bitmap = domain->pgsize_bitmap,
		.granule_lg2 = domain->pgsize_bitmap & SZ_2K ? 11 : 0,
		.ias = IMS_MAX(aperture_bits(domain->geometry.aperture_end), 32u),
		.features = domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING ? IMS_PT_FEAT_DIRTY : 0,
	};
	struct ims_pt *pt;
	int ret;

	ret = ims_pt_create(&cfg, &pt);
	if (ret)
		return ret;
	ims_pt_destroy(md->pt);
	md->pt = pt;
	domain->pgsize_bitmap = ims_pt_config(pt)->pgsize_bitmap;
	return 0;
}

/* ---- domain ops ---- */

static int mock_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			  size_t pgsize, size_t count, int prot, size_t *mapped)
{
	struct mock_domain *md = to_mock_domain(domain);
	const struct ims_domain_geometry *g = &domain->geometry;
	uint64_t last = iova + pgsize * count - 1;

	*mapped = 0;
	if (last < iova || iova < g->aperture_start || last > g->aperture_end)
		return -ERANGE;
	return ims_pt_map(md->pt, iova, paddr, pgsize, count, prot, mapped);
}

static size_t mock_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
			       size_t count, ims_iotlb_gather *gather)
{
	return ims_pt_unmap(to_mock_domain(domain)->pt, iova, pgsize, count, gather);
}

static void mock_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather)
{
	/* The mock has no IOTLB: the table pages can go at once. */
	ims_pt_gather_sync(gather);
}

static uint64_t mock_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	return ims_pt_iova_to_phys(to_mock_domain(domain)->pt, iova);
}

static bool mock_enforce_cache_coherency(struct ims_domain *domain)
{
	return to_mock_domain(domain)->snoop_capable;
}

static int mock_set_dirty_tracking(struct ims_domain *domain, bool enable)
{
	return domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING ? 0 : -EOPNOTSUPP;
}

static void dirty_discard(void *arg, uint64_t iova, uint64_t size)
{
}

/*
 * Report (through @fn) and clear the dirty leaves.  Without @fn the bits are
 * only cleared, which is allowed while tracking is off (iommufd clears before
 * it enables); reading them while it is off is refused, as the kernel's mock
 * does.
 */
static int mock_read_and_clear_dirty(struct ims_domain *domain, uint64_t iova,
				     uint64_t size, unsigned int flags,
				     ims_pt_dirty_fn fn, void *arg)
{
	struct mock_domain *md = to_mock_domain(domain);

	if (!(domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	if (fn && !domain->dirty_tracking)
		return -EINVAL;
	if (!size)
		return 0;
	return ims_pt_read_and_clear_dirty(md->pt, iova, size, flags, fn ? fn : dirty_discard,
					   arg);
}

static int check_paging_attach(struct mock_domain *md, struct ims_device *dev)
{
	struct mock_iommu *mi = dev_instance(dev);
	struct ims_domain *domain = &md->domain;
	int ret;

	if (dev_data(dev)->cfg.fail_attach_errno && domain->type == IMS_DOMAIN_UNMANAGED) {
		ims_attach_reason("device configured to fail");
		return -dev_data(dev)->cfg.fail_attach_errno;
	}
	if (md->bound && md->bound != mi) {
		ret = ims_rule_errno(&rule_foreign_instance, dev, "domain bound to %s",
				     md->bound->iommu->name);
		if (ret <= 0)
			return ret;
	}
	if ((domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING) && dev_data(dev)->cfg.no_dirty) {
		ret = ims_rule_errno(&rule_dirty_unsupported, dev,
				     "device cannot track dirty pages");
		if (ret <= 0)
			return ret;
	}
	if (domain->enforced_coherency && !mi->cfg.enforce_coherency) {
		ret = ims_rule_errno(&rule_snoop_control, dev, "%s lacks snoop control",
				     mi->iommu->name);
		if (ret <= 0)
			return ret;
	}
	return IMS_RULE_PASS;
}

/*
 * Bind an unbound domain to the instance of its first device: it takes the
 * instance's page sizes, aperture and table (still empty at this point).
 */
static int bind_domain(struct mock_domain *md, struct mock_iommu *mi)
{
	struct ims_domain *domain = &md->domain;
	struct ims_domain_geometry old = domain->geometry;
	uint64_t old_pgsizes = domain->pgsize_bitmap;
	int ret;

	if (mi->cfg.global_domains) {
		md->snoop_capable = mi->cfg.enforce_coherency;
		return 0;
	}
	domain->pgsize_bitmap = mi->cfg.pgsize_bitmap;
	domain->geometry.aperture_start = mi->cfg.aperture_start;
	domain->geometry.aperture_end = mi->cfg.aperture_end;
	ret = domain->mapped_bytes ? 0 : table_create(md);
	if (ret) {
		domain->pgsize_bitmap = old_pgsizes;
		domain->geometry = old;
		return ret;
	}
	md->snoop_capable = mi->cfg.enforce_coherency;
	md->bound = mi;
	domain->iommu = mi->iommu;
	return 0;
}

static int mock_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			   struct ims_domain *old)
{
	struct mock_domain *md;
	int ret;

	if (dev->iommu->ops != &ims_mock_ops) {
		ret = ims_rule_errno(&rule_foreign_driver, dev, "device served by %s",
				     dev->iommu->ops->name);
		if (ret <= 0)
			return ret;
	}
	if (!(domain->type & IMS_DOMAIN_BIT_PAGING))
		return 0; /* static blocked / identity */
	md = to_mock_domain(domain);
	ret = check_paging_attach(md, dev);
	if (ret <= 0)
		return ret;
	if (!md->bound && !md->domain.iommu && !md->domain.attach_count) {
		ret = bind_domain(md, dev_instance(dev));
		if (ret)
			return ret;
	}
	md->snoop_capable &= dev_instance(dev)->cfg.enforce_coherency;
	return 0;
}

static int mock_set_dev_pasid(struct ims_domain *domain, struct ims_device *dev,
			      uint32_t pasid, struct ims_domain *old)
{
	if (!(domain->type & IMS_DOMAIN_BIT_PAGING))
		return -EINVAL;
	return mock_attach_dev(domain, dev, old);
}

static void mock_domain_free(struct ims_domain *domain)
{
	struct mock_domain *md = to_mock_domain(domain);

	ims_pt_destroy(md->pt);
	ims_free(md);
}

static int mock_static_attach(struct ims_domain *domain, struct ims_device *dev,
			      struct ims_domain *old)
{
	return 0; /* the core only uses a driver's static domains for its devices */
}

static const struct ims_domain_ops mock_paging_ops = {
	.attach_dev = mock_attach_dev,
	.set_dev_pasid = mock_set_dev_pasid,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iotlb_sync = mock_iotlb_sync,
	.iova_to_phys = mock_iova_to_phys,
	.enforce_cache_coherency = mock_enforce_cache_coherency,
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
	.free = mock_domain_free,
};

static const struct ims_domain_ops mock_static_ops = {
	.attach_dev = mock_static_attach,
};

/* ---- iommu ops ---- */

static struct ims_domain *mock_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						   const void *user_data)
{
	const uint32_t known = IMS_ALLOC_NEST_PARENT | IMS_ALLOC_DIRTY_TRACKING | IMS_ALLOC_PASID;
	struct mock_domain *md;
	int ret;

	if ((flags & ~known) || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	if ((flags & IMS_ALLOC_DIRTY_TRACKING) && dev &&
	    (!dev_instance(dev)->cfg.dirty_tracking || dev_data(dev)->cfg.no_dirty))
		return ERR_PTR(-EOPNOTSUPP);
	md = ims_zalloc(sizeof(*md));
	if (!md)
		return ERR_PTR(-ENOMEM);
	ims_domain_init(&md->domain, &mock_paging_ops, MOCK_DEFAULT_PGSIZES, 0,
			MOCK_DEFAULT_APERTURE_END);
	md->domain.alloc_flags = flags;
	ret = dev ? bind_domain(md, dev_instance(dev)) : 0;
	if (!ret && !md->pt)
		ret = table_create(md);
	if (ret) {
		ims_pt_destroy(md->pt);
		ims_free(md);
		return ERR_PTR(ret);
	}
	return &md->domain;
}

static bool mock_capable(struct ims_device *dev, enum ims_cap cap)
{
	const struct mock_iommu *mi = dev_instance(dev);

	switch (cap) {
	case IMS_CAP_CACHE_COHERENCY:
		return !mi->cfg.incoherent_walk;
	case IMS_CAP_ENFORCE_CACHE_COHERENCY:
		return mi->cfg.enforce_coherency;
	case IMS_CAP_DIRTY_TRACKING:
		return mi->cfg.dirty_tracking && !dev_data(dev)->cfg.no_dirty;
	default:
		return false;
	}
}

/* The selftest flavour starts its devices blocked; others take the core's choice. */
static int mock_def_domain_type(struct ims_device *dev)
{
	return dev_instance(dev)->cfg.default_blocked ? IMS_DOMAIN_BLOCKED : 0;
}

static int mock_probe_device(struct ims_device *dev)
{
	const struct ims_mock_device_cfg *cfg = dev->platform_data;
	struct mock_dev *md = ims_zalloc(sizeof(*md));

	if (!md)
		return -ENOMEM;
	if (cfg)
		md->cfg = *cfg;
	md->cfg.group_with = NULL; /* only used while grouping, below */
	dev->priv = md;
	return 0;
}

static void mock_release_device(struct ims_device *dev)
{
	ims_free(dev->priv);
	dev->priv = NULL;
}

static struct ims_group *mock_device_group(struct ims_device *dev)
{
	const struct ims_mock_device_cfg *cfg = dev->platform_data;

	if (cfg && cfg->group_with) {
		struct ims_device *peer = ims_device_find(dev->core, cfg->group_with);

		if (!peer || !peer->group)
			return ERR_PTR(-ENODEV);
		return peer->group;
	}
	if (dev->bus == IMS_BUS_PCI)
		return ims_pci_device_group(dev);
	return ims_generic_device_group(dev);
}

static int mock_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	const struct ims_resv_region msi = {
		.start = IMS_MOCK_SW_MSI_BASE,
		.length = IMS_MOCK_SW_MSI_LENGTH,
		.prot = IMS_PROT_READ | IMS_PROT_WRITE | IMS_PROT_MMIO,
		.type = IMS_RESV_SW_MSI,
	};

	if (dev_instance(dev)->cfg.no_sw_msi)
		return 0;
	return ims_resv_list_insert(list, &msi);
}

const struct ims_iommu_ops ims_mock_ops = {
	.name = "mock",
	.capable = mock_capable,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.static_identity = true,
	.static_blocked = true,
	.identity_ops = &mock_static_ops,
	.blocked_ops = &mock_static_ops,
	.def_domain_type = mock_def_domain_type,
	.probe_device = mock_probe_device,
	.release_device = mock_release_device,
	.device_group = mock_device_group,
	.get_resv_regions = mock_get_resv_regions,
	.pgsize_bitmap = MOCK_DEFAULT_PGSIZES,
};

int ims_mock_register(struct ims_core *core, const char *name,
		      const struct ims_mock_iommu_cfg *cfg, struct ims_iommu **out)
{
	struct mock_iommu *mi = ims_zalloc(sizeof(*mi));
	struct ims_iommu *iommu;
	int ret;

	if (!mi)
		return -ENOMEM;
	if (cfg)
		mi->cfg = *cfg;
	if (!mi->cfg.pgsize_bitmap)
		mi->cfg.pgsize_bitmap = MOCK_DEFAULT_PGSIZES;
	if (!mi->cfg.aperture_end)
		mi->cfg.aperture_end = MOCK_DEFAULT_APERTURE_END;
	if (mi->cfg.aperture_start > mi->cfg.aperture_end) {
		ims_free(mi);
		return -EINVAL;
	}
	ret = ims_iommu_register(core, name, &ims_mock_ops, mi, ims_free, &iommu);
	if (ret) {
		ims_free(mi);
		return ret;
	}
	mi->iommu = iommu;
	if (out)
		*out = iommu;
	return 0;
}

struct ims_iommu *ims_mock_domain_instance(struct ims_domain *domain)
{
	if (!ims_domain_owned_by(domain, &ims_mock_ops) || !(domain->type & IMS_DOMAIN_BIT_PAGING))
		return NULL;
	return to_mock_domain(domain)->domain.iommu;
}

int ims_mock_domain_set_dirty(struct ims_domain *domain, uint64_t iova)
{
	if (!ims_domain_owned_by(domain, &ims_mock_ops) || !(domain->type & IMS_DOMAIN_BIT_PAGING))
		return -EINVAL;
	return ims_pt_set_dirty(to_mock_domain(domain)->pt, iova);
}
