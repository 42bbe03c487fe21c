// SPDX-License-Identifier: MIT
/*
 * The virtio-iommu model: instances, endpoints, domain allocation and
 * attach (see virtio.h for the split between driver and device).
 *
 * A domain belongs to one instance.  Since v6.10 it is finalised when it is
 * allocated, for the allocating device's instance (viommu_domain_alloc_
 * paging): a device whose instance's smallest page is larger than the CPU
 * page gets ENODEV there, and a domain ID is taken (ENOSPC when the
 * instance's domain range is used up).  In 2022 (iommu_domain_alloc(bus))
 * the domain was finalised at its first attach (viommu_domain_finalise),
 * where the same page-size check answered EINVAL -- "iommu: Regulate
 * EINVAL in ->attach_dev callback functions" (bd7ebb771935) made it ENODEV
 * in v6.2.  Which one applies follows from whether the allocation had a
 * device, not from a profile test.
 *
 * Attach rules (viommu_attach_dev):
 *   foreign-instance      the domain is bound to another instance: EXDEV in
 *                         2022, EMEDIUMTYPE in the seed
 *                         (20220606061927.26049-2-nicolinc@nvidia.com),
 *                         EINVAL today;
 *   page-size-too-large   (finalising at attach, 2022 only) EINVAL;
 *   foreign-driver        2022 had no ops check: the device's private data
 *                         is not one of ours, its instance never matches
 *                         the domain's, EXDEV; today the core refuses first.
 * Then the endpoint moves: the first one makes the device build the domain
 * and the driver replay its mappings (ENOMEM), the last one leaving frees
 * it.  There are no static domains: the core blocks with an empty paging
 * domain, as the kernel does for this driver.
 */
#include <errno.h>

#include "util/alloc.h"
#include "virtio-priv.h"

static const struct ims_attach_rule rule_foreign_instance = {
	"foreign-instance",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EXDEV },
};
static const struct ims_attach_rule rule_foreign_driver = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EXDEV },
};
static const struct ims_attach_rule rule_page_size = {
	"page-size-too-large",
	{ [IMS_PROFILE_UPSTREAM] = ENODEV, [IMS_PROFILE_SEED] = EINVAL,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};

static struct viommu *dev_viommu(struct ims_device *dev)
{
	return dev->iommu->priv;
}

static bool granule_too_large(const struct viommu *v)
{
	uint64_t mask = v->cfg.page_size_mask;

	return (mask & -mask) > IMS_VIRTIO_CPU_PAGE_SIZE;
}

/* viommu_domain_finalise() at the first attach (2022). */
static int finalise_at_attach(struct viommu_domain *vd, struct ims_device *dev)
{
	struct viommu *v = dev_viommu(dev);
	int ret;

	if (granule_too_large(v)) {
		ret = ims_rule_errno(&rule_page_size, dev, "%s pages are larger than the CPU page",
				     v->iommu->name);
		if (ret <= 0)
			return ret;
	}
	return viommu_domain_finalise(vd, v);
}

static int check_domain(struct viommu_domain *vd, struct ims_device *dev)
{
	struct viommu *v = dev_viommu(dev);
	int ret = IMS_RULE_PASS;

	ims_mutex_lock(&vd->lock);
	if (!vd->viommu)
		ret = finalise_at_attach(vd, dev);
	else if (vd->viommu != v)
		ret = ims_rule_errno(&rule_foreign_instance, dev, "domain bound to %s",
				     vd->viommu->iommu->name);
	ims_mutex_unlock(&vd->lock);
	return ret == IMS_RULE_PASS ? 0 : ret;
}

int viommu_attach_dev(struct ims_domain *domain, struct ims_device *dev, struct ims_domain *old)
{
	struct viommu_domain *vd = to_viommu_domain(domain);
	int ret;

	(void)old;
	if (dev->iommu->ops != &ims_virtio_ops) {
		ret = ims_rule_errno(&rule_foreign_driver, dev, "device is served by %s",
				     dev->iommu->ops->name);
		return ret <= 0 ? ret : -EXDEV;
	}
	ret = check_domain(vd, dev);
	if (ret)
		return ret;
	ret = viommu_endpoint_move(dev->priv, vd);
	if (ret)
		ims_device_set_hw_domain(dev, NULL); /* off its old domain, on none */
	return ret;
}

/* viommu_domain_alloc_paging(): finalised for @dev's instance; 2022: later. */
static struct ims_domain *viommu_domain_alloc(struct ims_device *dev, uint32_t flags,
					      const void *user_data)
{
	struct viommu_domain *vd;
	int ret;

	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP); /* no domain_alloc_paging_flags */
	if (dev && granule_too_large(dev_viommu(dev)))
		return ERR_PTR(-ENODEV);
	vd = viommu_domain_new();
	if (!vd)
		return ERR_PTR(-ENOMEM);
	ret = dev ? viommu_domain_finalise(vd, dev_viommu(dev)) : 0;
	if (ret) {
		viommu_domain_ops.free(&vd->domain);
		return ERR_PTR(ret);
	}
	return &vd->domain;
}

/* ---- endpoints ---- */

static bool viommu_capable(struct ims_device *dev, enum ims_cap cap)
{
	(void)dev;
	return cap == IMS_CAP_CACHE_COHERENCY || cap == IMS_CAP_DEFERRED_FLUSH;
}

static int viommu_probe_device(struct ims_device *dev)
{
	struct viommu_endpoint *ep = ims_zalloc(sizeof(*ep));

	if (!ep)
		return -ENOMEM;
	ep->viommu = dev_viommu(dev);
	ims_list_init(&ep->link);
	dev->priv = ep;
	return 0;
}

static void viommu_release_device(struct ims_device *dev)
{
	if (dev->priv)
		viommu_endpoint_move(dev->priv, NULL); /* viommu_detach_dev */
	ims_free(dev->priv);
	dev->priv = NULL;
}

static struct ims_group *viommu_device_group(struct ims_device *dev)
{
	return dev->bus == IMS_BUS_PCI ? ims_pci_device_group(dev) : ims_generic_device_group(dev);
}

/* No probe-reported MSI window: the driver adds the software one. */
static int viommu_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	const struct ims_resv_region msi = {
		IMS_VIRTIO_MSI_IOVA_BASE, IMS_VIRTIO_MSI_IOVA_LENGTH,
		IMS_PROT_WRITE | IMS_PROT_NOEXEC | IMS_PROT_MMIO, IMS_RESV_SW_MSI,
	};

	(void)dev;
	return ims_resv_list_insert(list, &msi);
}

const struct ims_iommu_ops ims_virtio_ops = {
	.name = "virtio-iommu",
	.capable = viommu_capable,
	.domain_alloc_paging = viommu_domain_alloc,
	.probe_device = viommu_probe_device,
	.release_device = viommu_release_device,
	.device_group = viommu_device_group,
	.get_resv_regions = viommu_get_resv_regions,
	.pgsize_bitmap = UINT64_MAX, /* "restricted during device attach" (2022) */
};

/* ---- instances ---- */

static void viommu_free(void *priv)
{
	struct viommu *v = priv;

	ims_idtable_destroy(&v->ids);
	ims_mutex_destroy(&v->lock);
	ims_free(v);
}

static void fill_defaults(struct ims_virtio_cfg *cfg)
{
	if (!cfg->page_size_mask)
		cfg->page_size_mask = ~(IMS_VIRTIO_CPU_PAGE_SIZE - 1);
	if (!cfg->input_end)
		cfg->input_end = UINT64_MAX;
	if (!cfg->domain_last)
		cfg->domain_last = UINT32_MAX;
}

/* Ranges the right way round, and a device table that can hold them. */
static int check_cfg(const struct viommu *v)
{
	if (v->cfg.input_start > v->cfg.input_end || v->cfg.domain_first > v->cfg.domain_last)
		return -EINVAL;
	return viommu_table_check(v);
}

int ims_virtio_register(struct ims_core *core, const char *name, const struct ims_virtio_cfg *cfg,
			struct ims_iommu **out)
{
	struct viommu *v = ims_zalloc(sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	if (cfg)
		v->cfg = *cfg;
	fill_defaults(&v->cfg);
	ims_mutex_init(&v->lock);
	ims_idtable_init(&v->ids, v->cfg.domain_first, v->cfg.domain_last);
	ret = check_cfg(v);
	if (!ret)
		ret = ims_iommu_register(core, name, &ims_virtio_ops, v, viommu_free, &v->iommu);
	if (ret) {
		viommu_free(v);
		return ret;
	}
	if (out)
		*out = v->iommu;
	return 0;
}
