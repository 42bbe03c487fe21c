// SPDX-License-Identifier: MIT
/*
 * The Tegra SMMU driver model: torvalds/linux drivers/iommu/tegra-smmu.c
 * with the SoC facts of drivers/memory/tegra/tegra{30,114,124,210}.c.
 *
 * One SMMU per SoC, inside the memory controller.  A domain is an address
 * space: its page directory (src/pt/fmt/tegra_smmu.c) gets an ASID when
 * the domain is first attached, and gives it back when its last user
 * leaves.  Masters are software groups (swgroups, the fwspec IDs); the
 * SoC's group table puts some of them in one IOMMU group (the display
 * controllers), every other master is a group of its own.
 *
 * Attach (the same in every era; the driver never had an incompatibility
 * check: any domain serves any master of the SMMU):
 *   foreign-driver   the device has no tegra-smmu fwspec: ENOENT
 *   (unwind)         the device already runs this domain: 0
 *   no-stream-ids    a fwspec without swgroups: ENODEV
 *   asid-exhausted   per swgroup the address space is "prepared"; the
 *                    first preparation takes an ASID: ENOSPC when the
 *                    SoC's are all taken (4 on Tegra30/114, 128 later)
 *
 * Going back to the identity domain releases the old address space; an
 * attach from one paging domain to another does not (neither in 2022's
 * core, which did not detach first, nor today's driver), so the old one
 * keeps its ASID until its domain is freed -- and the kernel frees a
 * domain without giving back an ASID it still holds (it WARNs).  Both are
 * modelled.  Default domains are the identity domain, as today's
 * def_domain_type says (2022 used DMA domains, one ASID per group).
 *
 * Locking: the ASID bitmap and use counts change under the callers' group
 * mutex (the kernel's smmu->lock).
 */
#include <errno.h>

#include "drivers/model_util.h"
#include "drivers/pt_domain.h"
#include "tegra_smmu.h"
#include "util/alloc.h"

#define SZ_4K (1ull << 12)
#define SMMU_IOVA_LAST 0xffffffffull

struct tegra_smmu {
	struct ims_iommu *iommu;
	const struct tegra_smmu_soc *soc;
	uint64_t asids[TEGRA_SMMU_MAX_ASIDS / 64];
};

/* An address space (the kernel's tegra_smmu_as). */
struct smmu_as {
	struct ims_pt_domain pd;
	struct tegra_smmu *smmu;      /* while it holds an ASID */
	unsigned int use_count;       /* swgroups using it */
	unsigned int id;              /* its ASID */
};

static const struct ims_attach_rule rule_foreign = {
	"foreign-driver", { [IMS_PROFILE_UPSTREAM] = ENOENT, [IMS_PROFILE_SEED] = ENOENT,
			    [IMS_PROFILE_LEGACY] = ENOENT },
};
static const struct ims_attach_rule rule_no_ids = {
	"no-stream-ids", { [IMS_PROFILE_UPSTREAM] = ENODEV, [IMS_PROFILE_SEED] = ENODEV,
			   [IMS_PROFILE_LEGACY] = ENODEV },
};
static const struct ims_attach_rule rule_asid_exhausted = {
	"asid-exhausted", { [IMS_PROFILE_UPSTREAM] = ENOSPC, [IMS_PROFILE_SEED] = ENOSPC,
			    [IMS_PROFILE_LEGACY] = ENOSPC },
};

static struct smmu_as *to_smmu_as(struct ims_domain *domain)
{
	return ims_container_of(to_ims_pt_domain(domain), struct smmu_as, pd);
}

static struct tegra_smmu *dev_smmu(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_tegra_smmu_ops ? dev->iommu->priv : NULL;
}

static bool is_smmu_paging(const struct ims_domain *domain)
{
	return domain && ims_domain_owned_by(domain, &ims_tegra_smmu_ops) &&
	       (domain->type & IMS_DOMAIN_BIT_PAGING);
}

/* ---- ASIDs ---- */

static int alloc_asid(struct tegra_smmu *smmu, unsigned int *id)
{
	for (unsigned int i = 0; i < smmu->soc->num_asids; i++) {
		if (!(smmu->asids[i / 64] & (1ull << (i % 64)))) {
			smmu->asids[i / 64] |= 1ull << (i % 64);
			*id = i;
			return 0;
		}
	}
	return -ENOSPC;
}

static void free_asid(struct tegra_smmu *smmu, unsigned int id)
{
	smmu->asids[id / 64] &= ~(1ull << (id % 64));
}

/* ---- domains ---- */

static int create_directory(struct smmu_as *as, unsigned int address_bits)
{
	const struct ims_pt_cfg cfg = { .format = IMS_PT_TEGRA_SMMU, .oas = address_bits };

	return ims_pt_domain_create_table(&as->pd, &cfg);
}

static const struct ims_domain_ops smmu_paging_ops;

/* Without a device (2022's per-bus allocation) the directory waits for the first attach. */
static struct ims_domain *smmu_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						   const void *user_data)
{
	struct tegra_smmu *smmu = dev ? dev_smmu(dev) : NULL;
	struct ims_pt_domain *pd;
	struct smmu_as *as;

	if (dev && !smmu)
		return ERR_PTR(-EOPNOTSUPP);
	pd = ims_pt_domain_alloc(sizeof(*as), &smmu_paging_ops, SZ_4K, 0, SMMU_IOVA_LAST, flags,
				 user_data);
	if (IS_ERR(pd))
		return ERR_PTR(PTR_ERR(pd));
	as = ims_container_of(pd, struct smmu_as, pd);
	if (smmu && create_directory(as, smmu->soc->address_bits)) {
		ims_free(as);
		return ERR_PTR(-ENOMEM);
	}
	return &as->pd.domain;
}

static void smmu_domain_free(struct ims_domain *domain)
{
	struct smmu_as *as = to_smmu_as(domain);

	/* An ASID still held is lost, as in the kernel (WARN_ON_ONCE(use_count)). */
	ims_pt_domain_destroy_table(&as->pd);
	ims_free(as);
}

/* One swgroup starts using @as: its first user takes an ASID. */
static int as_prepare(struct tegra_smmu *smmu, struct smmu_as *as, struct ims_device *dev)
{
	if (as->use_count) {
		as->use_count++;
		return 0;
	}
	if (!as->pd.pt && create_directory(as, smmu->soc->address_bits)) {
		ims_attach_reason("cannot allocate the page directory");
		return -ENOMEM;
	}
	if (alloc_asid(smmu, &as->id))
		return ims_rule_errno(&rule_asid_exhausted, dev, "all %u ASIDs of %s are in use",
				      smmu->soc->num_asids, smmu->iommu->name);
	as->smmu = smmu;
	as->use_count = 1;
	return 0;
}

static void as_unprepare(struct smmu_as *as)
{
	if (!as->use_count || --as->use_count)
		return;
	free_asid(as->smmu, as->id);
	as->smmu = NULL;
}

static int smmu_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			   struct ims_domain *old)
{
	struct smmu_as *as = to_smmu_as(domain);
	struct tegra_smmu *smmu = dev_smmu(dev);
	unsigned int i;
	int ret = 0;

	if (!smmu)
		return ims_rule_errno(&rule_foreign, dev, "%s has no tegra-smmu fwspec", dev->name);
	if (dev->hw_domain == domain)
		return 0; /* the core's unwind putting a device back where it stayed */
	if (!dev->nr_ids)
		return ims_rule_errno(&rule_no_ids, dev, "%s has no swgroup", dev->name);
	for (i = 0; i < dev->nr_ids && !ret; i++)
		ret = as_prepare(smmu, as, dev);
	if (!ret)
		return 0;
	while (--i > 0) /* the swgroups before the one that failed */
		as_unprepare(as);
	return ret;
}

/* Translation off: the old address space loses this device's swgroups. */
static int smmu_identity_attach(struct ims_domain *domain, struct ims_device *dev,
				struct ims_domain *old)
{
	if (!is_smmu_paging(old) || old == domain)
		return 0;
	for (unsigned int i = 0; i < dev->nr_ids; i++)
		as_unprepare(to_smmu_as(old));
	return 0;
}

static const struct ims_domain_ops smmu_paging_ops = {
	.attach_dev = smmu_attach_dev,
	.map_pages = ims_pt_domain_map_pages,
	.unmap_pages = ims_pt_domain_unmap_pages,
	.iotlb_sync = ims_pt_domain_iotlb_sync,
	.iova_to_phys = ims_pt_domain_iova_to_phys,
	.free = smmu_domain_free,
};

static const struct ims_domain_ops smmu_identity_ops = {
	.attach_dev = smmu_identity_attach,
};

/* ---- groups ---- */

static bool in_display_group(const struct tegra_smmu_soc *soc, uint32_t swgroup)
{
	for (unsigned int i = 0; i < soc->nr_group_swgroups; i++)
		if (soc->group_swgroups[i] == swgroup)
			return true;
	return false;
}

/* The SoC's group for the first swgroup, shared with its other members. */
static struct ims_group *smmu_device_group(struct ims_device *dev)
{
	const struct tegra_smmu_soc *soc = dev_smmu(dev)->soc;
	struct ims_device *other;

	if (!dev->nr_ids || !in_display_group(soc, dev->ids[0]))
		return ims_generic_device_group(dev);
	ims_list_for_each_entry(other, &dev->core->devices, core_node)
		if (other != dev && other->iommu == dev->iommu && other->group &&
		    other->nr_ids && in_display_group(soc, other->ids[0]))
			return other->group;
	return ims_group_alloc(dev->core);
}

const struct ims_iommu_ops ims_tegra_smmu_ops = {
	.name = "tegra-smmu",
	.domain_alloc_paging = smmu_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &smmu_identity_ops,
	.default_domain_type = IMS_DOMAIN_IDENTITY,
	.force_default_domain = true,
	.device_group = smmu_device_group,
	.pgsize_bitmap = SZ_4K,
};

int ims_tegra_smmu_register(struct ims_core *core, const char *name,
			    const struct tegra_smmu_soc *soc, struct ims_iommu **out)
{
	struct tegra_smmu *smmu;

	if (!soc->num_asids || soc->num_asids > TEGRA_SMMU_MAX_ASIDS)
		return -EINVAL;
	smmu = ims_zalloc(sizeof(*smmu));
	if (!smmu)
		return -ENOMEM;
	smmu->soc = soc;
	return ims_model_register(core, name, &ims_tegra_smmu_ops, smmu, &smmu->iommu, out);
}

unsigned int ims_tegra_smmu_asids_used(struct ims_iommu *iommu)
{
	const struct tegra_smmu *smmu = iommu->priv;
	unsigned int n = 0;

	for (unsigned int i = 0; i < IMS_ARRAY_SIZE(smmu->asids); i++)
		n += (unsigned int)__builtin_popcountll(smmu->asids[i]);
	return n;
}

int ims_tegra_smmu_domain_asid(struct ims_domain *domain)
{
	struct smmu_as *as;

	if (!is_smmu_paging(domain))
		return -1;
	as = to_smmu_as(domain);
	return as->use_count ? (int)as->id : -1;
}
