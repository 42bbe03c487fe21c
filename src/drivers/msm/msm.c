// SPDX-License-Identifier: MIT
/*
 * The msm IOMMU driver model (see msm.h), after drivers/iommu/msm_iommu.c.
 *
 * Attach rules, with their answer per era (no era changed them: the 2022
 * series left msm alone, its v6 cover says the msm patch "needs a bigger
 * change", cover.1663899032.git.nicolinc@nvidia.com):
 *
 *   already-attached    the master already holds a context (master->num
 *                       is not 0): EEXIST, "domain already attached";
 *   context-exhausted   no free context bank: ENODEV.
 *
 * What attach does, in the driver's order: it replaces the domain's page
 * table with a new one (msm_iommu_domain_config, every time, its result
 * ignored: the old table is leaked, here kept until the domain is freed,
 * and a failed allocation leaves the domain without a table); it finds
 * the IOMMU whose master is the device; then the context check and the
 * allocation above.  The driver treats context 0 as "none" (it tests
 * `if (master->num)`), and going back to the identity domain frees the
 * contexts and the domain's page table but leaves master->num as it was.
 * So attach, identity, attach works (context 0 again); attaching a second
 * domain without going back first (iommufd's replace) takes context 1, and
 * a third answers EEXIST; with one context bank the second answers ENODEV.
 * A device no msm IOMMU serves (a legacy core hands over foreign devices)
 * gets 0 and nothing happens.
 *
 * Domains: 4K/64K/1M/16M, aperture [0, 4 GiB).  The driver's iova_to_phys
 * asks the context's hardware walker; the model walks the domain's table.
 * Groups: one per device.  Default domain: IDENTITY (the driver runs on
 * 32-bit ARM, without IOMMU_DMA).  No capabilities.  A second device
 * naming the same IOMMU is refused at probe (ENODEV; the kernel would
 * dereference a NULL master there).
 *
 * Locking: an instance has one master, so its state is changed under
 * that master's group mutex; a domain's table list under the group mutex
 * of the attach that changes it (the caller serialises map and attach, as
 * the kernel's msm_iommu_lock does).
 */
#include "msm.h"

#include <errno.h>

#include "drivers/soc32/soc32.h"
#include "util/alloc.h"

#define SZ_4K (1ull << 12)
#define SZ_64K (1ull << 16)
#define SZ_1M (1ull << 20)
#define SZ_16M (1ull << 24)
#define MSM_PGSIZES (SZ_4K | SZ_64K | SZ_1M | SZ_16M)

struct msm_iommu {
	struct ims_iommu *iommu;
	unsigned int ncb;
	uint64_t context_map;        /* context banks in use */
	struct ims_device *master;   /* the one master (ctx_list) */
	int num;                     /* master->num: its context, or an error */
};

struct msm_domain {
	struct ims_domain domain;
	struct ims_pt *pt;           /* priv->iop, replaced at every attach */
	struct ims_pt **leaked;      /* tables attach replaced */
	size_t nr_leaked;
	struct msm_iommu **attached; /* priv->list_attached */
	size_t nr_attached;
};

static const struct ims_attach_rule rule_already_attached = {
	"already-attached",
	{ [IMS_PROFILE_UPSTREAM] = EEXIST, [IMS_PROFILE_SEED] = EEXIST,
	  [IMS_PROFILE_LEGACY] = EEXIST },
};
static const struct ims_attach_rule rule_context_exhausted = {
	"context-exhausted",
	{ [IMS_PROFILE_UPSTREAM] = ENODEV, [IMS_PROFILE_SEED] = ENODEV,
	  [IMS_PROFILE_LEGACY] = ENODEV },
};

static struct msm_domain *to_msm(struct ims_domain *domain)
{
	return ims_container_of(domain, struct msm_domain, domain);
}

/* msm_iommu_domain_config: a new table; the old one is leaked (kept). */
static void new_table(struct msm_domain *md)
{
	const struct ims_pt_cfg cfg = { .format = IMS_PT_ARM_V7S, .ias = 32, .oas = 32,
					.pgsize_bitmap = MSM_PGSIZES };
	struct ims_pt **leaked;

	if (md->pt) {
		leaked = ims_realloc_array(md->leaked, md->nr_leaked + 1, sizeof(*leaked));
		if (!leaked)
			return; /* keep the old table: nothing else fits a failed allocation */
		md->leaked = leaked;
		md->leaked[md->nr_leaked++] = md->pt;
		md->pt = NULL;
	}
	if (ims_pt_create(&cfg, &md->pt))
		md->pt = NULL;
}

/* Room to remember one more instance, before anything changes. */
static int reserve_instance(struct msm_domain *md)
{
	struct msm_iommu **attached;

	attached = ims_realloc_array(md->attached, md->nr_attached + 1, sizeof(*attached));
	if (!attached)
		return -ENOMEM;
	md->attached = attached;
	return 0;
}

/* list_add(&iommu->dom_node, &priv->list_attached), once per instance. */
static void remember_instance(struct msm_domain *md, struct msm_iommu *mi)
{
	for (size_t i = 0; i < md->nr_attached; i++)
		if (md->attached[i] == mi)
			return;
	md->attached[md->nr_attached++] = mi;
}

/* msm_iommu_alloc_ctx: the lowest free context bank, or -ENOSPC. */
static int alloc_context(struct msm_iommu *mi)
{
	for (unsigned int i = 0; i < mi->ncb; i++) {
		if (!(mi->context_map & (1ull << i))) {
			mi->context_map |= 1ull << i;
			return (int)i;
		}
	}
	return -ENOSPC;
}

static int msm_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			  struct ims_domain *old)
{
	struct msm_domain *md = to_msm(domain);
	struct msm_iommu *mi;
	int ret;

	new_table(md);
	if (!soc32_served_by(dev, &ims_msm_ops)) {
		ims_attach_not_applied("no msm IOMMU has %s as its master", dev->name);
		return 0;
	}
	mi = dev->iommu->priv;
	if (reserve_instance(md))
		return -ENOMEM;
	if (mi->num) {
		ret = ims_rule_errno(&rule_already_attached, dev, "domain already attached "
				     "(context %d of %s)", mi->num, dev->iommu->name);
		if (ret <= 0)
			return ret;
	}
	mi->num = alloc_context(mi);
	if (mi->num < 0) {
		ret = ims_rule_errno(&rule_context_exhausted, dev, "%s has no free context bank "
				     "of %u", dev->iommu->name, mi->ncb);
		if (ret <= 0)
			return ret;
	}
	remember_instance(md, mi);
	return 0;
}

static int msm_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr, size_t pgsize,
			 size_t count, int prot, size_t *mapped)
{
	return soc32_map(to_msm(domain)->pt, iova, paddr, pgsize, count, prot, mapped, pgsize,
			 EEXIST);
}

static size_t msm_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
			      size_t count, ims_iotlb_gather *gather)
{
	struct ims_pt *pt = to_msm(domain)->pt;

	return pt ? ims_pt_unmap(pt, iova, pgsize, count, gather) : 0;
}

static uint64_t msm_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	struct ims_pt *pt = to_msm(domain)->pt;

	return pt ? ims_pt_iova_to_phys(pt, iova) : 0;
}

static void msm_domain_free(struct ims_domain *domain)
{
	struct msm_domain *md = to_msm(domain);

	ims_pt_destroy(md->pt);
	for (size_t i = 0; i < md->nr_leaked; i++)
		ims_pt_destroy(md->leaked[i]);
	ims_free(md->leaked);
	ims_free(md->attached);
	ims_free(md);
}

static const struct ims_domain_ops msm_paging_ops = {
	.attach_dev = msm_attach_dev,
	.map_pages = msm_map_pages,
	.unmap_pages = msm_unmap_pages,
	.iotlb_sync = soc32_iotlb_sync,
	.iova_to_phys = msm_iova_to_phys,
	.free = msm_domain_free,
};

/*
 * msm_iommu_identity_attach: the old domain's table is freed, and every
 * context of every IOMMU it was attached to; master->num stays.
 */
static int msm_identity_attach(struct ims_domain *domain, struct ims_device *dev,
			       struct ims_domain *old)
{
	struct msm_domain *md;

	if (!old || !(old->type & IMS_DOMAIN_BIT_PAGING) || !ims_domain_owned_by(old, &ims_msm_ops))
		return 0;
	md = to_msm(old);
	ims_pt_destroy(md->pt);
	md->pt = NULL;
	for (size_t i = 0; i < md->nr_attached; i++) {
		struct msm_iommu *mi = md->attached[i];

		if (mi->num >= 0 && (unsigned int)mi->num < mi->ncb)
			mi->context_map &= ~(1ull << mi->num);
	}
	return 0;
}

static const struct ims_domain_ops msm_identity_ops = {
	.attach_dev = msm_identity_attach,
};

static struct ims_domain *msm_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						  const void *user_data)
{
	struct msm_domain *md;

	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	md = ims_zalloc(sizeof(*md));
	if (!md)
		return ERR_PTR(-ENOMEM);
	ims_domain_init(&md->domain, &msm_paging_ops, MSM_PGSIZES, 0, (1ull << 32) - 1);
	return &md->domain;
}

/* msm_iommu_probe_device: the IOMMU whose (one) master the device is. */
static int msm_probe_device(struct ims_device *dev)
{
	struct msm_iommu *mi = dev->iommu->priv;

	if (mi->master && mi->master != dev)
		return -ENODEV;
	mi->master = dev;
	return 0;
}

static void msm_release_device(struct ims_device *dev)
{
	struct msm_iommu *mi = dev->iommu->priv;

	if (mi->master == dev)
		mi->master = NULL;
}

static int msm_def_domain_type(struct ims_device *dev)
{
	return IMS_DOMAIN_IDENTITY;
}

const struct ims_iommu_ops ims_msm_ops = {
	.name = "msm",
	.domain_alloc_paging = msm_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &msm_identity_ops,
	.def_domain_type = msm_def_domain_type,
	.probe_device = msm_probe_device,
	.release_device = msm_release_device,
	.device_group = ims_generic_device_group,
	.pgsize_bitmap = MSM_PGSIZES,
};

int ims_msm_register(struct ims_core *core, const char *name, unsigned int ncb,
		     struct ims_iommu **out)
{
	struct msm_iommu *mi;
	int ret;

	if (!ncb || ncb > IMS_MSM_MAX_NCB)
		return -EINVAL;
	mi = ims_zalloc(sizeof(*mi));
	if (!mi)
		return -ENOMEM;
	mi->ncb = ncb;
	ret = ims_iommu_register(core, name, &ims_msm_ops, mi, ims_free, &mi->iommu);
	if (ret) {
		ims_free(mi);
		return ret;
	}
	if (out)
		*out = mi->iommu;
	return 0;
}

int ims_msm_master_context(struct ims_iommu *iommu)
{
	if (!iommu || iommu->ops != &ims_msm_ops)
		return -EINVAL;
	return ((struct msm_iommu *)iommu->priv)->num;
}
