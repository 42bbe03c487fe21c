// SPDX-License-Identifier: MIT
/*
 * VT-d attach: the compatibility checks with their answer in each era, the
 * 2022 first-attach finalisation, and the hardware state a failed attach
 * leaves behind.
 *
 * Today (intel_iommu_attach_device, paging_domain_compatible() split by
 * stage, ~v6.17): block the device's translation, then check, every
 * failure EINVAL --
 *   first stage: the unit lacks scalable mode or FSTS; the domain has
 *     1 GiB pages and the unit lacks FL1GP; the unit needs write-buffer
 *     flushes the domain was not set up for;
 *   second stage: dirty tracking without SSADS; a nest parent without
 *     NEST; a scalable unit without SSTS; 2 MiB / 1 GiB pages the unit's
 *     SLLPS lacks; write-buffer flushes / caching mode;
 *   both: force_snooping on a unit without SC; page-walk coherency that
 *     differs; a domain wider than the unit (gaw or agaw).
 * Then a domain ID on the unit (ENOSPC when none is left).
 *
 * 2022 (v5.19 intel_iommu_attach_device / prepare_domain_attach_device):
 * an UNMANAGED domain on a device with a non-relaxable RMRR: EPERM; then
 * the old context is torn down; no unit for the device: ENODEV;
 * force_snooping without SC: EOPNOTSUPP; mappings beyond the unit's width:
 * EFAULT; otherwise the domain narrows to the unit ("knock out extra
 * levels").  The seed converted the two incompatibilities to EMEDIUMTYPE
 * (20220606061927.26049-2-nicolinc@nvidia.com).  The checks born later
 * (stage, page sizes, coherency, dirty, nest parent, write-buffer flush,
 * gaw) do not exist there: 2022 domains took global decisions, so those
 * conditions could not arise.
 *
 * State after a failed attach (kernel-semantics 2.5, 8): both eras tear the
 * device's translation down before checking, so a device whose attach
 * failed is blocked, whatever the core still records in group->domain; the
 * model reports it through ims_device_set_hw_domain().  Older cores then
 * re-attach the failed device to its old domain; newer ones leave it.
 */
#include <errno.h>

#include "intel-priv.h"

static const struct ims_attach_rule rule_foreign_driver = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = ENODEV },
};
static const struct ims_attach_rule rule_rmrr_locked = {
	"rmrr-locked",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = EPERM,
	  [IMS_PROFILE_LEGACY] = EPERM },
};
static const struct ims_attach_rule rule_snoop = {
	"snoop-control",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EOPNOTSUPP },
};
static const struct ims_attach_rule rule_width_mapped = {
	"address-width",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EFAULT },
};

/* The checks today's kernel added: EINVAL now, absent in 2022. */
#define TODAY_ONLY(var, cond)                                                     \
	static const struct ims_attach_rule var = {                               \
		cond, { [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT,                    \
			[IMS_PROFILE_SEED] = IMS_ERR_NONE,                        \
			[IMS_PROFILE_LEGACY] = IMS_ERR_NONE } }

TODAY_ONLY(rule_first_stage, "first-stage-unsupported");
TODAY_ONLY(rule_second_stage, "second-stage-unsupported");
TODAY_ONLY(rule_dirty, "dirty-unsupported");
TODAY_ONLY(rule_nest, "nest-parent-unsupported");
TODAY_ONLY(rule_page_size, "page-size");
TODAY_ONLY(rule_sync_map, "write-buffer-flush");
TODAY_ONLY(rule_coherency, "page-walk-coherency");
TODAY_ONLY(rule_width, "address-width");

/* Return from the calling check when @cond holds and the era has the rule. */
#define CHECK(cond, rule, ...)                                                    \
	do {                                                                      \
		if (cond) {                                                       \
			int r_ = ims_rule_errno((rule), dev, __VA_ARGS__);        \
			if (r_ <= 0)                                              \
				return r_;                                        \
		}                                                                 \
	} while (0)

static int check_first_stage(struct intel_domain *dd, struct ims_device *dev,
			     const struct intel_unit *u)
{
	const char *name = u->iommu->name;

	CHECK(!vtd_fs(u), &rule_first_stage, "%s has no first-stage translation", name);
	CHECK((dd->domain.pgsize_bitmap & SZ_1G) && !VTD_CAP_FL1GP(u->cap), &rule_first_stage,
	      "%s has no first-stage 1 GiB pages", name);
	CHECK(vtd_needs_sync_map(u, true) && !dd->iotlb_sync_map, &rule_sync_map,
	      "%s needs write-buffer flushes", name);
	return IMS_RULE_PASS;
}

static int check_second_stage(struct intel_domain *dd, struct ims_device *dev,
			      const struct intel_unit *u)
{
	uint32_t flags = dd->domain.alloc_flags;
	uint64_t pg = dd->domain.pgsize_bitmap;
	const char *name = u->iommu->name;

	CHECK((flags & IMS_ALLOC_DIRTY_TRACKING) && !vtd_ssads(u), &rule_dirty,
	      "%s cannot track dirty pages (no SSADS)", name);
	CHECK((flags & IMS_ALLOC_NEST_PARENT) && !vtd_nested(u), &rule_nest,
	      "%s cannot nest", name);
	CHECK(vtd_sm(u) && !VTD_ECAP_SSTS(u->ecap), &rule_second_stage,
	      "%s has no second-stage translation", name);
	CHECK((pg & SZ_2M) && !(VTD_CAP_SLLPS(u->cap) & 1), &rule_page_size,
	      "%s has no 2 MiB second-stage pages", name);
	CHECK((pg & SZ_1G) && !(VTD_CAP_SLLPS(u->cap) & 2), &rule_page_size,
	      "%s has no 1 GiB second-stage pages", name);
	CHECK(vtd_needs_sync_map(u, false) && !dd->iotlb_sync_map, &rule_sync_map,
	      "%s needs write-buffer flushes", name);
	return IMS_RULE_PASS;
}

/* paging_domain_compatible(), then the 2022 mapped-width check. */
static int check_compat(struct intel_domain *dd, struct ims_device *dev,
			const struct intel_unit *u)
{
	const char *name = u->iommu->name;
	int ret = dd->first_stage ? check_first_stage(dd, dev, u)
				  : check_second_stage(dd, dev, u);

	if (ret <= 0)
		return ret;
	CHECK(dd->force_snooping && !VTD_ECAP_SC(u->ecap), &rule_snoop,
	      "domain forces snooping, %s has no snoop control", name);
	CHECK(dd->coherent != vtd_coherent(u), &rule_coherency,
	      "page-walk coherency of %s differs from the domain's", name);
	CHECK(dd->gaw > u->width || dd->agaw > u->agaw, &rule_width,
	      "domain is %u bits wide, %s translates %u", dd->gaw, name, u->width);
	CHECK(dd->max_addr > (1ull << u->width), &rule_width_mapped,
	      "mapped up to 0x%llx, %s translates %u bits",
	      (unsigned long long)dd->max_addr, name, u->width);
	return IMS_RULE_PASS;
}

/* 2022: the stage and page sizes every unit allows, at the first attach. */
static int finalise(struct intel_domain *dd, struct ims_device *dev)
{
	bool first_stage = intel_global_first_stage(dev->core, dd->domain.type);
	uint64_t old = dd->domain.pgsize_bitmap;
	int ret;

	dd->domain.pgsize_bitmap = intel_global_pgsizes(dev->core, first_stage);
	ret = intel_domain_reshape(dd, first_stage, dd->agaw, dd->gaw);
	if (ret) {
		dd->domain.pgsize_bitmap = old;
		return ret;
	}
	dd->coherent = vtd_coherent(intel_unit_of(dev->iommu));
	dd->finalised = true;
	return 0;
}

/* 2022: a domain wider than the unit loses its top levels. */
static int narrow(struct intel_domain *dd, const struct intel_unit *u)
{
	if (u->agaw >= dd->agaw && u->width >= dd->gaw)
		return 0;
	return intel_domain_reshape(dd, dd->first_stage, IMS_MIN(dd->agaw, u->agaw),
				    IMS_MIN(dd->gaw, u->width));
}

/* device_block_translation(): the context entry is cleared, DMA blocked. */
static void block_translation(struct ims_device *dev)
{
	struct ims_domain *blocked = ims_static_domain(dev->core, &ims_intel_ops,
						       IMS_DOMAIN_BLOCKED);

	intel_dev_unlink(dev->priv);
	ims_device_set_hw_domain(dev, IS_ERR_OR_NULL(blocked) ? NULL : blocked);
}

static int check_device(struct ims_domain *domain, struct ims_device *dev)
{
	CHECK(dev->iommu->ops != &ims_intel_ops, &rule_foreign_driver,
	      "device is served by %s, not a VT-d unit", dev->iommu->ops->name);
	CHECK(domain->type == IMS_DOMAIN_UNMANAGED && intel_dev_has_rmrr(dev) &&
	      !intel_rmrr_relaxable(dev), &rule_rmrr_locked,
	      "device has an RMRR: ineligible for IOMMU domain attach");
	return IMS_RULE_PASS;
}

static int attach_checked(struct intel_domain *dd, struct ims_device *dev)
{
	struct intel_dev *info = dev->priv;
	int ret = dd->finalised ? 0 : finalise(dd, dev);

	if (ret)
		return ret;
	ret = check_compat(dd, dev, info->unit);
	if (ret <= 0)
		return ret;
	ret = narrow(dd, info->unit);
	if (ret)
		return ret;
	ret = intel_dev_link(info, dd);
	if (!ret)
		dd->coherent &= vtd_coherent(info->unit);
	return ret;
}

int intel_attach_dev(struct ims_domain *domain, struct ims_device *dev, struct ims_domain *old)
{
	int ret = check_device(domain, dev);

	(void)old;
	if (ret <= 0)
		return ret;
	block_translation(dev);
	return attach_checked(to_intel_domain(domain), dev);
}

/* The static identity and blocked domains: leave the paging domain. */
static int intel_static_attach(struct ims_domain *domain, struct ims_device *dev,
			       struct ims_domain *old)
{
	(void)domain;
	(void)old;
	if (dev->iommu->ops != &ims_intel_ops)
		return -ENODEV;
	intel_dev_unlink(dev->priv);
	return 0;
}

const struct ims_domain_ops intel_static_ops = {
	.attach_dev = intel_static_attach,
};
