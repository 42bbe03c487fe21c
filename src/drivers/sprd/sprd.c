// SPDX-License-Identifier: MIT
/*
 * The Spreadtrum (Unisoc) IOMMU driver model: torvalds/linux
 * drivers/iommu/sprd-iommu.c, binding "sprd,iommu-v1" (#iommu-cells = <0>).
 *
 * Each multimedia block (display, video, camera, JPEG...) has its own
 * IOMMU, which translates a 256 MiB window of IOVAs through one flat table
 * of page numbers (src/pt/fmt/sprd.c).  All devices behind one instance
 * share a group.  A domain gets its table at its first attach, allocated
 * for the attaching instance (dma_alloc_coherent in the kernel): a map
 * before then fails with EINVAL, as the kernel's does.
 *
 * Attach, in order:
 *
 *   foreign-driver    the device is not behind a sprd IOMMU: ENODEV (the
 *                     2022 driver had no check and used whatever the other
 *                     driver kept in the device: iommusim refuses instead)
 *   (unwind)          the device already runs this domain: 0.  Only the
 *                     core's unwind of a failed group attach asks this (in
 *                     the older eras it re-attaches the failing device);
 *                     the 2022 core did not, so the 2022 check never saw it
 *   already-attached  2022: the domain already had a device -> EINVAL, the
 *                     seed's EMEDIUMTYPE.  Its device was only forgotten by
 *                     detach_dev, which a core with default domains never
 *                     calls, so a 2022 sprd domain served one instance in
 *                     its life.  The final series kept EINVAL; a later
 *                     change removed the check: today a domain may be
 *                     attached again, also through another instance.
 *                     One deviation: 2022 refused the same instance coming
 *                     back too (a device returning to its default domain
 *                     after VFIO), which its core said "cannot fail" and
 *                     which would leave the device on a domain its owner
 *                     then frees; iommusim lets the first instance back
 *   same domain       today: the instance already runs this domain -> 0
 *   first attach      the table is allocated -> ENOMEM when that fails
 *
 * Sources: Kevin Tian's list (BN9PR11MB52763602BBEEEF580C3B360E8CA49@BN9PR11MB5276.namprd11.prod.outlook.com),
 * the final series' "Use EINVAL for incompatible device/domain" (commit
 * f4a147735793), and today's sprd_iommu_attach_device.
 *
 * Page size: 4 KiB (the kernel advertised every size from 4 KiB until
 * v6.6 and wrote them as runs of 4 KiB words; the tables are the same).
 * The driver truncates a PA to 32 bits before shifting it (u32 pabase):
 * the model's table has a 32-bit output space, so higher PAs get ERANGE.
 *
 * Locking: instance and domain state change under the callers' group
 * mutex; map/unmap are serialised per domain by the core's callers.
 */
#include <errno.h>

#include "drivers/model_util.h"
#include "drivers/pt_domain.h"
#include "sprd.h"
#include "util/alloc.h"

#define SZ_4K (1ull << 12)
#define SPRD_WINDOW (256ull << 20)
#define SPRD_PA_BITS 32

struct sprd_iommu {
	struct ims_iommu *iommu;
	struct sprd_domain *dom;     /* the domain the hardware runs (sdev->dom) */
};

struct sprd_domain {
	struct ims_pt_domain pd;
	struct sprd_iommu *sdev;     /* the instance its table was made for */
};

static const struct ims_attach_rule rule_foreign = {
	"foreign-driver", { [IMS_PROFILE_UPSTREAM] = ENODEV, [IMS_PROFILE_SEED] = ENODEV,
			    [IMS_PROFILE_LEGACY] = ENODEV },
};
static const struct ims_attach_rule rule_already_attached = {
	"already-attached",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};

static struct sprd_domain *to_sprd_domain(struct ims_domain *domain)
{
	return ims_container_of(to_ims_pt_domain(domain), struct sprd_domain, pd);
}

static struct sprd_iommu *dev_sdev(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_sprd_ops ? dev->iommu->priv : NULL;
}

static const struct ims_domain_ops sprd_paging_ops;

static struct ims_domain *sprd_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						   const void *user_data)
{
	struct ims_pt_domain *pd = ims_pt_domain_alloc(sizeof(struct sprd_domain), &sprd_paging_ops,
						       SZ_4K, 0, SPRD_WINDOW - 1, flags, user_data);

	return IS_ERR(pd) ? ERR_PTR(PTR_ERR(pd)) : &pd->domain;
}

static void sprd_domain_free(struct ims_domain *domain)
{
	struct sprd_domain *sd = to_sprd_domain(domain);

	if (sd->sdev && sd->sdev->dom == sd)
		sd->sdev->dom = NULL; /* the kernel disables the instance */
	ims_pt_domain_destroy_table(&sd->pd);
	ims_free(sd);
}

/* The first attach: the table, for the 256 MiB window, 32-bit PAs. */
static int sprd_alloc_table(struct sprd_domain *sd, struct sprd_iommu *sdev)
{
	const struct ims_pt_cfg cfg = {
		.format = IMS_PT_SPRD,
		.ias = (unsigned int)__builtin_ctzll(SPRD_WINDOW),
		.oas = SPRD_PA_BITS,
	};
	int ret = ims_pt_domain_create_table(&sd->pd, &cfg);

	if (ret) {
		ims_attach_reason("cannot allocate the page table");
		return ret;
	}
	sd->sdev = sdev;
	return 0;
}

static int sprd_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			   struct ims_domain *old)
{
	struct sprd_domain *sd = to_sprd_domain(domain);
	struct sprd_iommu *sdev = dev_sdev(dev);
	int ret;

	if (!sdev)
		return ims_rule_errno(&rule_foreign, dev, "%s is not behind a sprd IOMMU",
				      dev->name);
	if (dev->hw_domain == domain)
		return 0; /* the core's unwind putting a device back where it stayed */
	if (sd->sdev && sd->sdev != sdev) {
		ret = ims_rule_errno(&rule_already_attached, dev,
				     "there's already a device attached to this domain (via %s)",
				     sd->sdev->iommu->name);
		if (ret <= 0)
			return ret;
	}
	if (sdev->dom == sd)
		return 0;
	if (!sd->pd.pt) {
		ret = sprd_alloc_table(sd, sdev);
		if (ret)
			return ret;
	}
	sdev->dom = sd;
	return 0;
}

static const struct ims_domain_ops sprd_paging_ops = {
	.attach_dev = sprd_attach_dev,
	.map_pages = ims_pt_domain_map_pages,
	.unmap_pages = ims_pt_domain_unmap_pages,
	.iotlb_sync = ims_pt_domain_iotlb_sync,
	.iova_to_phys = ims_pt_domain_iova_to_phys,
	.free = sprd_domain_free,
};

static void sprd_release_device(struct ims_device *dev)
{
	struct sprd_iommu *sdev = dev->iommu->priv;

	sdev->dom = NULL; /* its devices are going: nothing runs on it any more */
}

const struct ims_iommu_ops ims_sprd_ops = {
	.name = "sprd",
	.domain_alloc_paging = sprd_domain_alloc_paging,
	.release_device = sprd_release_device,
	.device_group = ims_single_device_group,
	.pgsize_bitmap = SZ_4K,
};

int ims_sprd_register(struct ims_core *core, const char *name, struct ims_iommu **out)
{
	struct sprd_iommu *sdev = ims_zalloc(sizeof(*sdev));

	if (!sdev)
		return -ENOMEM;
	return ims_model_register(core, name, &ims_sprd_ops, sdev, &sdev->iommu, out);
}

struct ims_iommu *ims_sprd_domain_table_owner(struct ims_domain *domain)
{
	if (!ims_domain_owned_by(domain, &ims_sprd_ops) || !(domain->type & IMS_DOMAIN_BIT_PAGING))
		return NULL;
	return to_sprd_domain(domain)->sdev ? to_sprd_domain(domain)->sdev->iommu : NULL;
}
