// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the 32-bit SoC IOMMU models (see soc32.h).
 */
#include "soc32.h"

#include <errno.h>
#include <libfdt.h>

#include "util/alloc.h"
#include "util/err.h"

#define SOC32_SMALLEST 4096ull

int soc32_domain_table(struct soc32_domain *sd, const struct ims_pt_cfg *cfg)
{
	return sd->pt ? 0 : ims_pt_create(cfg, &sd->pt);
}

size_t soc32_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize, size_t count,
			 ims_iotlb_gather *gather)
{
	struct ims_pt *pt = to_soc32(domain)->pt;

	return pt ? ims_pt_unmap(pt, iova, pgsize, count, gather) : 0;
}

uint64_t soc32_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	struct ims_pt *pt = to_soc32(domain)->pt;

	return pt ? ims_pt_iova_to_phys(pt, iova) : 0;
}

void soc32_domain_free(struct ims_domain *domain)
{
	struct soc32_domain *sd = to_soc32(domain);

	ims_pt_destroy(sd->pt);
	ims_free(sd);
}

int soc32_map(struct ims_pt *pt, uint64_t iova, uint64_t pa, size_t pgsize, size_t count,
	      int prot, size_t *mapped, size_t leaf, int exist_errno)
{
	size_t per = pgsize > leaf ? pgsize / leaf : 1, n;
	int ret;

	*mapped = 0;
	if (!pt)
		return -ENODEV;
	if (__builtin_mul_overflow(count, per, &n))
		return -EINVAL;
	ret = ims_pt_map(pt, iova, pa, per > 1 ? leaf : pgsize, n, prot, mapped);
	return ret == -EEXIST ? -exist_errno : ret;
}

size_t soc32_unmap_holes(struct ims_pt *pt, uint64_t iova, size_t pgsize, size_t count,
			 ims_iotlb_gather *gather)
{
	uint64_t want, done = 0;

	if (!pt || __builtin_mul_overflow((uint64_t)pgsize, (uint64_t)count, &want))
		return 0;
	while (done < want) {
		struct ims_pt_xlate x;
		uint64_t cur = iova + done;

		if (ims_pt_translate(pt, cur, 0, &x) == -ENOENT) {
			done += SOC32_SMALLEST; /* a hole: counted, as the driver does */
			continue;
		}
		if (x.leaf_size > want - done || (cur & (x.leaf_size - 1)))
			break; /* part of a larger page: the driver refuses */
		done += ims_pt_unmap(pt, cur, x.leaf_size, 1, gather);
	}
	return done;
}

void soc32_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather)
{
	ims_pt_gather_sync(gather);
}

struct ims_group *soc32_group_with(struct ims_device *dev,
				   bool (*same)(const struct ims_device *dev,
						const struct ims_device *other))
{
	struct ims_core *core = dev->core;
	struct ims_group *group = NULL;
	struct ims_device *other;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(other, &core->devices, core_node) {
		if (other != dev && other->group && other->probed && same(dev, other)) {
			group = other->group;
			break;
		}
	}
	ims_mutex_unlock(&core->lock);
	return group ? group : ims_group_alloc(core);
}

static bool same_instance(const struct ims_device *dev, const struct ims_device *other)
{
	return other->iommu == dev->iommu;
}

struct ims_group *soc32_instance_group(struct ims_device *dev)
{
	return soc32_group_with(dev, same_instance);
}

bool soc32_instances_agree(struct ims_core *core, const struct ims_iommu_ops *ops,
			   const void *priv, bool (*same)(const void *a, const void *b))
{
	struct ims_iommu *iommu;
	bool agree = true;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(iommu, &core->iommus, node)
		if (iommu->ops == ops && !same(iommu->priv, priv))
			agree = false;
	ims_mutex_unlock(&core->lock);
	return agree;
}

bool soc32_fdt_compatible(const struct ims_fdt_node *node, const char *compatible)
{
	return fdt_node_check_compatible(node->fdt, node->offset, compatible) == 0;
}

void soc32_forget_active(struct ims_domain *domain, const struct ims_iommu_ops *ops)
{
	struct ims_core *core = domain->core;
	struct ims_iommu *iommu;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(iommu, &core->iommus, node) {
		struct soc32_instance *inst = iommu->priv;
		struct ims_domain *expect = domain;

		if (iommu->ops == ops)
			__atomic_compare_exchange_n(&inst->active, &expect, NULL, false,
						    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
	ims_mutex_unlock(&core->lock);
}

uint32_t soc32_active_id(struct ims_iommu *iommu, const struct ims_iommu_ops *ops)
{
	struct soc32_instance *inst;

	if (!iommu || iommu->ops != ops)
		return 0;
	inst = iommu->priv;
	return soc32_active(inst) ? soc32_active(inst)->id : 0;
}

int soc32_register(struct ims_core *core, const char *name, const struct ims_iommu_ops *ops,
		   struct soc32_instance *inst, bool (*same)(const void *a, const void *b),
		   struct ims_iommu **out)
{
	int ret = 0;

	if (same && !soc32_instances_agree(core, ops, inst, same))
		ret = -EINVAL;
	if (!ret)
		ret = ims_iommu_register(core, name, ops, inst, ims_free, &inst->iommu);
	if (ret) {
		ims_free(inst);
		return ret;
	}
	if (out)
		*out = inst->iommu;
	return 0;
}

struct ims_domain *soc32_alloc_paging(struct ims_device *dev, uint32_t flags,
				      const void *user_data, const struct ims_iommu_ops *driver,
				      const struct ims_domain_ops *ops, uint64_t pgsizes,
				      uint64_t aperture_end,
				      struct ims_pt_cfg (*table_cfg)(const void *inst))
{
	struct soc32_domain *sd;

	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	sd = ims_zalloc(sizeof(*sd));
	if (!sd)
		return ERR_PTR(-ENOMEM);
	ims_domain_init(&sd->domain, ops, pgsizes, 0, aperture_end);
	if (dev && soc32_served_by(dev, driver)) {
		struct ims_pt_cfg cfg = table_cfg(dev->iommu->priv);

		if (soc32_domain_table(sd, &cfg)) {
			ims_free(sd);
			return ERR_PTR(-ENOMEM);
		}
	}
	return &sd->domain;
}
