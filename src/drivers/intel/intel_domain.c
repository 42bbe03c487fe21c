// SPDX-License-Identifier: MIT
/*
 * VT-d paging domains: allocation, the page table, map/unmap, snoop
 * control and dirty tracking.
 *
 * A domain owns one table from src/pt: VT-d second stage (§3.7, §9.8) or
 * x86-64 first stage (§3.6, §9.7).  Its width is the guest address width
 * (gaw) of the unit it was made for, its levels that unit's agaw.
 *
 * Allocated for a device (today: intel_iommu_domain_alloc_paging_flags):
 * first stage when the unit's default says so, second stage for dirty
 * tracking and nest parents; width, page sizes and page-walk coherency from
 * that unit; finalised at once.
 *
 * Allocated without a device (2022: intel_iommu_domain_alloc(type) through
 * iommu_domain_alloc(bus)): a 57-bit second-stage table of 4 KiB pages,
 * finalised at the first attach (intel_attach.c), where the 2022 kernel's
 * global decisions and the first unit's width apply.
 *
 * A domain whose stage or levels change (2022 finalise, or an attach to a
 * narrower unit, which "knocked out" top levels) gets a new table holding
 * the same leaves (intel_domain_reshape).  The kernel kept the lower
 * levels of the old table; the translations are the same.
 *
 * A mapping whose end is beyond 2^gaw is EFAULT (intel_iommu_map, every era
 * the model covers); within it the table's own limits apply (ERANGE for a
 * first-stage IOVA beyond the canonical lower half).
 *
 * Snoop control: enforce_cache_coherency works when every unit the domain
 * is attached through has ECAP.SC; a second-stage domain must not have
 * mappings yet, since SNP goes into each leaf from then on (§3.10).
 * Dirty tracking: second stage only, the SS D bit (bit 9, §3.9).
 */
#include <errno.h>

#include "intel-priv.h"
#include "util/alloc.h"

static uint64_t aperture_end(bool first_stage, unsigned int gaw)
{
	/* First stage: canonical lower half, bit gaw-1 is the sign. */
	unsigned int bits = first_stage ? gaw - 1 : gaw;

	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

static int table_new(struct intel_domain *dd, bool first_stage, int agaw, unsigned int gaw,
		     struct ims_pt **out)
{
	struct ims_pt_cfg cfg = {
		.format = first_stage ? IMS_PT_X86_64 : IMS_PT_VTD_SS,
		.pgsize_bitmap = dd->domain.pgsize_bitmap,
		.levels = VTD_AGAW_LEVELS(agaw),
		.ias = first_stage ? gaw - 1 : gaw,
	};

	if (!first_stage)
		cfg.features = IMS_PT_FEAT_SNOOP |
			       (dd->domain.alloc_flags & IMS_ALLOC_DIRTY_TRACKING ? IMS_PT_FEAT_DIRTY : 0);
	return ims_pt_create(&cfg, out);
}

static int copy_leaf(void *arg, uint64_t iova, uint64_t pa, uint64_t size, int prot,
		     unsigned int level)
{
	size_t mapped;

	(void)level;
	return ims_pt_map(arg, iova, pa, size, 1, prot, &mapped);
}

int intel_domain_reshape(struct intel_domain *dd, bool first_stage, int agaw,
			 unsigned int gaw)
{
	struct ims_pt *pt = NULL;
	int ret;

	if (dd->pt && dd->first_stage == first_stage && dd->agaw == agaw && dd->gaw == gaw &&
	    ims_pt_config(dd->pt)->pgsize_bitmap == dd->domain.pgsize_bitmap)
		return 0;
	ret = table_new(dd, first_stage, agaw, gaw, &pt);
	if (!ret && dd->pt)
		ret = ims_pt_walk(dd->pt, 0, ims_pt_config(dd->pt)->ias >= 64 ? UINT64_MAX :
				  1ull << ims_pt_config(dd->pt)->ias, copy_leaf, pt);
	if (ret) {
		ims_pt_destroy(pt);
		return ret;
	}
	ims_pt_destroy(dd->pt);
	dd->pt = pt;
	dd->first_stage = first_stage;
	dd->agaw = agaw;
	dd->gaw = gaw;
	dd->domain.geometry.aperture_end = aperture_end(first_stage, gaw);
	return 0;
}

static struct intel_domain *domain_new(uint64_t pgsizes, uint32_t flags)
{
	struct intel_domain *dd = ims_zalloc(sizeof(*dd));

	if (!dd)
		return NULL;
	ims_mutex_init(&dd->lock);
	ims_list_init(&dd->devices);
	ims_domain_init(&dd->domain, &intel_paging_ops, pgsizes, 0, 0);
	dd->domain.alloc_flags = flags;
	return dd;
}

static void domain_free(struct intel_domain *dd)
{
	intel_domain_unlink_all(dd);
	ims_pt_destroy(dd->pt);
	ims_free(dd->units);
	ims_mutex_destroy(&dd->lock);
	ims_free(dd);
}

/* The stage a device's unit gives a domain with @flags, or -EOPNOTSUPP. */
static int choose_stage(const struct intel_unit *u, uint32_t flags, bool *first_stage)
{
	bool nest = flags & IMS_ALLOC_NEST_PARENT, dirty = flags & IMS_ALLOC_DIRTY_TRACKING;

	if ((nest && !vtd_nested(u)) || (dirty && !vtd_ssads(u)))
		return -EOPNOTSUPP;
	if (nest || dirty) {
		if (!vtd_sm(u) || !VTD_ECAP_SSTS(u->ecap))
			return -EOPNOTSUPP;
		*first_stage = false;
		return 0;
	}
	*first_stage = intel_unit_first_stage_default(u);
	return 0;
}

/* Today: made for @u, finalised at once. */
static struct ims_domain *alloc_for_unit(const struct intel_unit *u, uint32_t flags)
{
	struct intel_domain *dd;
	bool first_stage;
	int ret = choose_stage(u, flags, &first_stage);

	if (ret)
		return ERR_PTR(ret);
	dd = domain_new(intel_unit_pgsizes(u, first_stage), flags);
	if (!dd)
		return ERR_PTR(-ENOMEM);
	ret = intel_domain_reshape(dd, first_stage, u->agaw, u->width);
	if (ret) {
		domain_free(dd);
		return ERR_PTR(ret);
	}
	dd->coherent = vtd_coherent(u);
	dd->iotlb_sync_map = vtd_needs_sync_map(u, first_stage);
	dd->finalised = true;
	return &dd->domain;
}

/* 2022: no unit known yet; 57 bits, second stage, 4 KiB until the first attach. */
static struct ims_domain *alloc_unbound(void)
{
	struct intel_domain *dd = domain_new(SZ_4K, 0);
	int agaw = (VTD_DEFAULT_WIDTH - 30 + 8) / 9;
	int ret;

	if (!dd)
		return ERR_PTR(-ENOMEM);
	ret = intel_domain_reshape(dd, false, agaw, VTD_DEFAULT_WIDTH);
	if (ret) {
		domain_free(dd);
		return ERR_PTR(ret);
	}
	dd->coherent = true;
	return &dd->domain;
}

struct ims_domain *intel_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
					     const void *user_data)
{
	const uint32_t known = IMS_ALLOC_NEST_PARENT | IMS_ALLOC_DIRTY_TRACKING | IMS_ALLOC_PASID;

	if ((flags & ~known) || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	if (!dev)
		return flags ? ERR_PTR(-EOPNOTSUPP) : alloc_unbound();
	return alloc_for_unit(intel_unit_of(dev->iommu), flags);
}

/* ---- domain ops ---- */

/* intel_iommu_map(): the end of a mapping must fit the domain's gaw. */
static bool beyond_gaw(const struct intel_domain *dd, uint64_t iova, uint64_t size)
{
	uint64_t end = dd->gaw >= 64 ? UINT64_MAX : 1ull << dd->gaw;

	return size > end || iova > end - size;
}

static int intel_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			   size_t pgsize, size_t count, int prot, size_t *mapped)
{
	struct intel_domain *dd = to_intel_domain(domain);
	int bits = prot & (IMS_PROT_READ | IMS_PROT_WRITE);
	int ret;

	*mapped = 0;
	if (count > UINT64_MAX / pgsize || beyond_gaw(dd, iova, (uint64_t)pgsize * count))
		return -EFAULT;
	/* The kernel ignores IOMMU_CACHE; SNP follows force_snooping alone. */
	if (!dd->first_stage && dd->set_pte_snp)
		bits |= IMS_PROT_CACHE;
	ret = ims_pt_map(dd->pt, iova, paddr, pgsize, count, bits, mapped);
	if (*mapped) {
		dd->has_mappings = true;
		dd->max_addr = IMS_MAX(dd->max_addr, iova + *mapped);
	}
	return ret;
}

static size_t intel_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
				size_t count, ims_iotlb_gather *gather)
{
	struct intel_domain *dd = to_intel_domain(domain);
	size_t n = ims_pt_unmap(dd->pt, iova, pgsize, count, gather);

	if (n && dd->max_addr == iova + n)
		dd->max_addr = iova;
	return n;
}

static void intel_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather)
{
	(void)domain;
	ims_pt_gather_sync(gather);
}

static uint64_t intel_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	return ims_pt_iova_to_phys(to_intel_domain(domain)->pt, iova);
}

static bool intel_enforce_cache_coherency(struct ims_domain *domain)
{
	struct intel_domain *dd = to_intel_domain(domain);
	bool ok = true;

	ims_mutex_lock(&dd->lock);
	for (size_t i = 0; !dd->force_snooping && i < dd->nr_units; i++)
		ok &= VTD_ECAP_SC(dd->units[i].unit->ecap);
	if (!dd->force_snooping && !dd->first_stage && dd->has_mappings)
		ok = false;
	if (ok) {
		dd->force_snooping = true;
		dd->set_pte_snp = !dd->first_stage;
	}
	ims_mutex_unlock(&dd->lock);
	return ok;
}

static bool is_dirty_domain(const struct ims_domain *domain)
{
	return domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING;
}

static int intel_set_dirty_tracking(struct ims_domain *domain, bool enable)
{
	(void)enable;
	return is_dirty_domain(domain) ? 0 : -EOPNOTSUPP;
}

static int intel_read_and_clear_dirty(struct ims_domain *domain, uint64_t iova,
				      uint64_t size, unsigned int flags,
				      ims_pt_dirty_fn fn, void *arg)
{
	if (!is_dirty_domain(domain))
		return -EOPNOTSUPP;
	if (!domain->dirty_tracking)
		return -EINVAL;
	return ims_pt_read_and_clear_dirty(to_intel_domain(domain)->pt, iova, size, flags, fn, arg);
}

static void intel_domain_free(struct ims_domain *domain)
{
	domain_free(to_intel_domain(domain));
}

const struct ims_domain_ops intel_paging_ops = {
	.attach_dev = intel_attach_dev,
	.map_pages = intel_map_pages,
	.unmap_pages = intel_unmap_pages,
	.iotlb_sync = intel_iotlb_sync,
	.iova_to_phys = intel_iova_to_phys,
	.enforce_cache_coherency = intel_enforce_cache_coherency,
	.set_dirty_tracking = intel_set_dirty_tracking,
	.read_and_clear_dirty = intel_read_and_clear_dirty,
	.free = intel_domain_free,
};

int ims_intel_domain_info(struct ims_domain *domain, struct ims_intel_domain_info *out)
{
	struct intel_domain *dd;

	if (IS_ERR_OR_NULL(domain) || domain->ops != &intel_paging_ops)
		return -EINVAL;
	dd = to_intel_domain(domain);
	ims_mutex_lock(&dd->lock);
	*out = (struct ims_intel_domain_info){
		.first_stage = dd->first_stage, .finalised = dd->finalised,
		.force_snooping = dd->force_snooping, .gaw = dd->gaw,
		.levels = VTD_AGAW_LEVELS(dd->agaw), .nr_units = (unsigned int)dd->nr_units,
		.max_addr = dd->max_addr, .pt = dd->pt,
	};
	ims_mutex_unlock(&dd->lock);
	return 0;
}
