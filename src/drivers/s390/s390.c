// SPDX-License-Identifier: MIT
/*
 * The s390 zPCI IOMMU driver model (see s390.h).
 *
 * Sources: torvalds/linux drivers/iommu/s390-iommu.c as of v5.19 (legacy,
 * and the seed, whose series converted its range check: Kevin Tian's
 * review BN9PR11MB52763602BBEEEF580C3B360E8CA49@BN9PR11MB5276.namprd11.prod.outlook.com)
 * and today (v6.2's rework by Niklas Schnelle, the 2025 region-second/first
 * tables and IOAT error handling).
 *
 * Attach, in the order the checks run (a check that does not exist in an
 * era passes; its answers are the rules below):
 *
 *   foreign-driver     the device is no zPCI function: ENODEV
 *   (unwind)           the device already runs this domain: 0 (only the
 *                      core's unwind of a failed group attach asks)
 *   aperture-disjoint  today: the domain's aperture does not overlap the
 *                      function's DMA range (WARN, incompatible: EINVAL)
 *   ioat-*             the firmware refuses the IOAT registration: EIO;
 *                      today a function that is "not available" (in error
 *                      recovery) or whose handle is gone counts as success
 *   aperture-differs   2022: the first function defines the domain's
 *                      aperture, others must have exactly that range
 *                      (EINVAL; the seed: EMEDIUMTYPE)
 *
 * 2022 ran the IOAT registration before the range check and restored the
 * old registration on failure; today's driver moves the function to its
 * blocking domain first, so after an EIO its DMA stays blocked while the
 * core keeps the old domain as the device's (the contract's view, which
 * iommusim keeps; the trace says what the hardware does).
 *
 * Domains: allocated for a device today (origin type and aperture from its
 * range, and the kernel shrinks the device's range to the aperture), per
 * bus in 2022 (a region-third table; the first attach sets the aperture).
 * The 2022 probe refused functions whose range starts above 4 TiB; they
 * exist here in every era (a platform loads the same in all profiles), and
 * only today's kernel can give them a table that reaches them.
 * One 4 KiB page size.  Reserved regions: below start_dma, and above
 * end_dma up to the current domain's table size.
 *
 * Locking: instance and domain state change under the callers' group
 * mutex (attach) or the core's serialisation of map/unmap.
 */
#include <errno.h>

#include "drivers/model_util.h"
#include "drivers/pt_domain.h"
#include "s390.h"
#include "util/alloc.h"
#include "util/log.h"

#define SZ_4K (1ull << 12)
#define ZPCI_TABLE_SIZE_RT (1ull << 42)
#define ZPCI_TABLE_SIZE_RS (1ull << 53)

struct zpci_fn {
	struct zpci_fn_cfg cfg;       /* end_dma may shrink (domain_alloc_for) */
	struct ims_iommu *iommu;
	struct ims_device *dev;       /* the function, once probed */
	struct s390_domain *domain;   /* whose table the IOAT names; NULL: blocked */
};

struct s390_domain {
	struct ims_pt_domain pd;
	unsigned int levels;          /* 3 RTTO, 4 RSTO, 5 RFTO */
	bool range_from_first;        /* 2022: the first function sets the aperture */
};

static const struct ims_attach_rule rule_not_zpci = {
	"foreign-driver", { [IMS_PROFILE_UPSTREAM] = ENODEV, [IMS_PROFILE_SEED] = ENODEV,
			    [IMS_PROFILE_LEGACY] = ENODEV },
};
static const struct ims_attach_rule rule_aperture_disjoint = {
	"aperture-disjoint",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_NONE,
	  [IMS_PROFILE_LEGACY] = IMS_ERR_NONE },
};
static const struct ims_attach_rule rule_aperture_differs = {
	"aperture-differs",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_ioat_error = {
	"ioat-error", { [IMS_PROFILE_UPSTREAM] = EIO, [IMS_PROFILE_SEED] = EIO,
			[IMS_PROFILE_LEGACY] = EIO },
};
static const struct ims_attach_rule rule_ioat_unavailable = {
	"ioat-function-unavailable",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = EIO,
	  [IMS_PROFILE_LEGACY] = EIO },
};
static const struct ims_attach_rule rule_ioat_invalid_handle = {
	"ioat-invalid-handle",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = EIO,
	  [IMS_PROFILE_LEGACY] = EIO },
};

static struct s390_domain *to_s390_domain(struct ims_domain *domain)
{
	return ims_container_of(to_ims_pt_domain(domain), struct s390_domain, pd);
}

static struct zpci_fn *dev_fn(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_s390_ops ? dev->iommu->priv : NULL;
}

/* ---- domains ---- */

static uint64_t table_size_last(unsigned int levels)
{
	return levels == 3 ? ZPCI_TABLE_SIZE_RT - 1 :
	       levels == 4 ? ZPCI_TABLE_SIZE_RS - 1 : UINT64_MAX;
}

/* [start, start + size) lies below @limit. */
static bool range_fits(uint64_t start, uint64_t size, uint64_t limit)
{
	return start < limit && size <= limit - start;
}

/*
 * Today's choice of origin type for a function, and the aperture size it
 * gets (which becomes the function's range).  The kernel computes "fits"
 * as size <= TABLE_SIZE - start_dma in unsigned arithmetic, which wraps
 * for a range starting above the table (never met: firmware reports
 * 4 GiB starts); iommusim checks the start too, so that such a function
 * gets the larger table it needs.
 */
static unsigned int origin_levels(const struct zpci_fn_cfg *cfg, uint64_t *size)
{
	*size = cfg->end_dma - cfg->start_dma + 1;
	if (range_fits(cfg->start_dma, *size, ZPCI_TABLE_SIZE_RT))
		return 3;
	if (range_fits(cfg->start_dma, *size, ZPCI_TABLE_SIZE_RS) && (cfg->dtsm & ZPCI_DT_RS))
		return 4;
	if (cfg->dtsm & ZPCI_DT_RF)
		return 5;
	if (cfg->start_dma < ZPCI_TABLE_SIZE_RT) /* what fits of it */
		*size = ZPCI_TABLE_SIZE_RT - cfg->start_dma;
	return 3;
}

static const struct ims_domain_ops s390_paging_ops;

static struct ims_domain *s390_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						   const void *user_data)
{
	struct zpci_fn *zfn = dev ? dev_fn(dev) : NULL;
	struct ims_pt_cfg cfg = { .format = IMS_PT_S390, .levels = 3 };
	struct ims_pt_domain *pd;
	struct s390_domain *sd;
	uint64_t size = 0;
	int ret;

	if (dev && !zfn)
		return ERR_PTR(-EOPNOTSUPP);
	if (zfn)
		cfg.levels = origin_levels(&zfn->cfg, &size);
	pd = ims_pt_domain_alloc(sizeof(*sd), &s390_paging_ops, SZ_4K, 0,
				 table_size_last(cfg.levels), flags, user_data);
	if (IS_ERR(pd))
		return ERR_PTR(PTR_ERR(pd));
	sd = ims_container_of(pd, struct s390_domain, pd);
	sd->levels = cfg.levels;
	sd->range_from_first = !zfn;
	ret = ims_pt_domain_create_table(&sd->pd, &cfg);
	if (ret) {
		ims_free(sd);
		return ERR_PTR(ret);
	}
	if (zfn) /* the kernel trims the function's range to the aperture size */
		zfn->cfg.end_dma = zfn->cfg.start_dma + size - 1;
	return &sd->pd.domain;
}

static void s390_domain_free(struct ims_domain *domain)
{
	struct s390_domain *sd = to_s390_domain(domain);

	ims_pt_domain_destroy_table(&sd->pd);
	ims_free(sd);
}

/* ---- attach ---- */

static bool ranges_overlap(const struct ims_domain *domain, const struct zpci_fn_cfg *cfg)
{
	return domain->geometry.aperture_start <= cfg->end_dma &&
	       domain->geometry.aperture_end >= cfg->start_dma;
}

/* The firmware's answer to registering @domain's table for @dev: 0, negative, or PASS. */
static int register_ioat(struct ims_domain *domain, struct ims_device *dev, struct zpci_fn *zfn)
{
	static const struct ims_attach_rule *const rules[] = {
		[ZPCI_IOAT_ERROR] = &rule_ioat_error,
		[ZPCI_IOAT_FUNC_NOT_AVAIL] = &rule_ioat_unavailable,
		[ZPCI_IOAT_INVALID_HANDLE] = &rule_ioat_invalid_handle,
	};

	if (zfn->cfg.ioat_fault == ZPCI_IOAT_OK || domain->type != IMS_DOMAIN_UNMANAGED)
		return IMS_RULE_PASS;
	return ims_rule_errno(rules[zfn->cfg.ioat_fault], dev,
			      "firmware refused to register the I/O translation of fid %#x",
			      zfn->cfg.fid);
}

/* 2022: the first function sets the aperture, every other one must match it. */
static int first_range_rule(struct s390_domain *sd, struct ims_device *dev,
			    const struct zpci_fn_cfg *cfg)
{
	struct ims_domain_geometry *g = &sd->pd.domain.geometry;
	uint64_t end = cfg->end_dma;

	/* The 2022 probe clamped ranges to the region-third table (and refused
	 * functions starting above it, which iommusim keeps: see the header). */
	if (cfg->start_dma < ZPCI_TABLE_SIZE_RT)
		end = IMS_MIN(end, ZPCI_TABLE_SIZE_RT - 1);

	if (!sd->range_from_first)
		return IMS_RULE_PASS;
	if (!sd->pd.domain.attach_count) {
		g->aperture_start = cfg->start_dma;
		g->aperture_end = end;
		return IMS_RULE_PASS;
	}
	if (g->aperture_start == cfg->start_dma && g->aperture_end == end)
		return IMS_RULE_PASS;
	return ims_rule_errno(&rule_aperture_differs, dev,
			      "domain aperture %#llx-%#llx, function range %#llx-%#llx",
			      (unsigned long long)g->aperture_start,
			      (unsigned long long)g->aperture_end,
			      (unsigned long long)cfg->start_dma, (unsigned long long)end);
}

static int s390_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			   struct ims_domain *old)
{
	struct s390_domain *sd = to_s390_domain(domain);
	struct zpci_fn *zfn = dev_fn(dev);
	int ret;

	if (!zfn)
		return ims_rule_errno(&rule_not_zpci, dev, "%s is not a zPCI function", dev->name);
	if (dev->hw_domain == domain)
		return 0; /* the core's unwind putting a device back where it stayed */
	if (!ranges_overlap(domain, &zfn->cfg)) {
		ret = ims_rule_errno(&rule_aperture_disjoint, dev,
				     "WARN: domain aperture ends at %#llx, below fid %#x's range",
				     (unsigned long long)domain->geometry.aperture_end,
				     zfn->cfg.fid);
		if (ret <= 0)
			return ret;
	}
	ret = register_ioat(domain, dev, zfn);
	if (ret <= 0)
		return ret;
	ret = first_range_rule(sd, dev, &zfn->cfg);
	if (ret <= 0)
		return ret;
	zfn->domain = sd;
	return 0;
}

/* The blocking domain: the function's IOAT is unregistered. */
static int s390_blocked_attach(struct ims_domain *domain, struct ims_device *dev,
			       struct ims_domain *old)
{
	struct zpci_fn *zfn = dev_fn(dev);

	if (zfn)
		zfn->domain = NULL;
	return 0;
}

static const struct ims_domain_ops s390_paging_ops = {
	.attach_dev = s390_attach_dev,
	.map_pages = ims_pt_domain_map_pages,
	.unmap_pages = ims_pt_domain_unmap_pages,
	.iotlb_sync = ims_pt_domain_iotlb_sync,
	.iova_to_phys = ims_pt_domain_iova_to_phys,
	.free = s390_domain_free,
};

static const struct ims_domain_ops s390_blocked_ops = {
	.attach_dev = s390_blocked_attach,
};

/* ---- devices ---- */

static int s390_probe_device(struct ims_device *dev)
{
	struct zpci_fn *zfn = dev->iommu->priv;

	if (dev->bus != IMS_BUS_PCI)
		return -ENODEV;
	if (zfn->dev) {
		ims_dbg(IMS_LOG_DRV, "s390: fid %#x already is %s", zfn->cfg.fid, zfn->dev->name);
		return -EBUSY;
	}
	zfn->dev = dev;
	return 0;
}

static void s390_release_device(struct ims_device *dev)
{
	struct zpci_fn *zfn = dev->iommu->priv;

	zfn->dev = NULL;
	zfn->domain = NULL;
}

static bool s390_capable(struct ims_device *dev, enum ims_cap cap)
{
	/* zPCI DMA is coherent; the flush queue is fine (no ISM functions here). */
	return cap == IMS_CAP_CACHE_COHERENCY || cap == IMS_CAP_DEFERRED_FLUSH;
}

static int s390_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	struct zpci_fn *zfn = dev->iommu->priv;
	struct ims_resv_region r = { .type = IMS_RESV_RESERVED };
	uint64_t last;
	int ret = 0;

	if (zfn->cfg.start_dma) {
		r.start = 0;
		r.length = zfn->cfg.start_dma;
		ret = ims_resv_list_insert(list, &r);
	}
	if (ret || !zfn->domain)
		return ret;
	last = zfn->domain->pd.domain.geometry.aperture_end;
	if (zfn->cfg.end_dma >= last)
		return 0;
	r.start = zfn->cfg.end_dma + 1;
	r.length = last - zfn->cfg.end_dma;
	return ims_resv_list_insert(list, &r);
}

const struct ims_iommu_ops ims_s390_ops = {
	.name = "s390",
	.capable = s390_capable,
	.domain_alloc_paging = s390_domain_alloc_paging,
	.static_blocked = true,
	.blocked_ops = &s390_blocked_ops,
	.probe_device = s390_probe_device,
	.release_device = s390_release_device,
	.device_group = ims_generic_device_group,
	.get_resv_regions = s390_get_resv_regions,
	.pgsize_bitmap = SZ_4K,
};

int ims_s390_register(struct ims_core *core, const char *name, const struct zpci_fn_cfg *cfg,
		      struct ims_iommu **out)
{
	struct zpci_fn *zfn;

	if (cfg->start_dma > cfg->end_dma)
		return -EINVAL;
	zfn = ims_zalloc(sizeof(*zfn));
	if (!zfn)
		return -ENOMEM;
	zfn->cfg = *cfg;
	return ims_model_register(core, name, &ims_s390_ops, zfn, &zfn->iommu, out);
}

void ims_s390_dma_range(struct ims_iommu *iommu, uint64_t *start, uint64_t *end)
{
	const struct zpci_fn *zfn = iommu->priv;

	*start = zfn->cfg.start_dma;
	*end = zfn->cfg.end_dma;
}

unsigned int ims_s390_domain_levels(struct ims_domain *domain)
{
	if (!ims_domain_owned_by(domain, &ims_s390_ops) || !(domain->type & IMS_DOMAIN_BIT_PAGING))
		return 0;
	return to_s390_domain(domain)->levels;
}
