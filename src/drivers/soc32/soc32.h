/* SPDX-License-Identifier: MIT */
/*
 * What the models of the 32-bit SoC IOMMUs share (mtk_iommu, mtk_iommu_v1,
 * msm, exynos, rockchip, sun50i): small IOMMUs in front of one or a few
 * media masters, with 32-bit page tables from src/pt, no capabilities
 * (none of these drivers implements ->capable, so no device behind them
 * reports IOMMU_CAP_CACHE_COHERENCY) and their own answers where the
 * engine's map and unmap differ from what the driver does.
 *
 * Glossary: "instance" is one IOMMU (struct ims_iommu, its driver state
 * in ->priv); "master" a device behind it; "the table" the domain's
 * struct ims_pt.
 *
 * Locking: none here.  The core calls attach under the group mutex; map
 * and unmap of one domain are serialised by its owner (VFIO, iommufd), as
 * the kernel's callers serialise io-pgtable operations.
 */
#ifndef IMS_DRIVERS_SOC32_H
#define IMS_DRIVERS_SOC32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "drivers/fdt_props.h"

/*
 * A paging domain on one table.  Drivers with more state embed it first.
 * The table may come later than the domain (the first attach of a domain
 * allocated without a device, when the layout depends on the instance).
 */
struct soc32_domain {
	struct ims_domain domain;
	struct ims_pt *pt;
};

static inline struct soc32_domain *to_soc32(struct ims_domain *domain)
{
	return ims_container_of(domain, struct soc32_domain, domain);
}

/*
 * An instance that walks one domain's table at a time (Exynos, Rockchip,
 * sun50i: the page-table base register).  Drivers embed it first in their
 * instance state (ims_iommu.priv).
 */
struct soc32_instance {
	struct ims_iommu *iommu;
	/*
	 * NULL: the identity domain (translation off).  Changed by attaches,
	 * which the instance's group mutex serialises, and cleared by a domain
	 * being freed (soc32_forget_active): read and written atomically.
	 */
	struct ims_domain *active;
};

static inline struct ims_domain *soc32_active(const struct soc32_instance *inst)
{
	return __atomic_load_n(&inst->active, __ATOMIC_ACQUIRE);
}

static inline void soc32_set_active(struct soc32_instance *inst, struct ims_domain *domain)
{
	__atomic_store_n(&inst->active, domain, __ATOMIC_RELEASE);
}

/*
 * Register @inst (allocated by the caller with ims_zalloc, freed with
 * ims_free) as an instance of @ops, after checking with @same (may be NULL)
 * that every other instance of @ops agrees with it: -EINVAL otherwise.  On
 * failure @inst is freed.
 */
int soc32_register(struct ims_core *core, const char *name, const struct ims_iommu_ops *ops,
		   struct soc32_instance *inst, bool (*same)(const void *a, const void *b),
		   struct ims_iommu **out);

/* Instances of @ops that walk @domain stop doing so (the domain is being freed). */
void soc32_forget_active(struct ims_domain *domain, const struct ims_iommu_ops *ops);
/* The ID of the domain @iommu (of @ops) walks, 0 for none. */
uint32_t soc32_active_id(struct ims_iommu *iommu, const struct ims_iommu_ops *ops);

/*
 * domain_alloc_paging for a struct soc32_domain with @ops, @pgsizes and
 * aperture [0, @aperture_end]; when @dev is one of @driver's devices, the
 * table of @table_cfg(its instance) comes at once.
 */
struct ims_domain *soc32_alloc_paging(struct ims_device *dev, uint32_t flags,
				      const void *user_data, const struct ims_iommu_ops *driver,
				      const struct ims_domain_ops *ops, uint64_t pgsizes,
				      uint64_t aperture_end,
				      struct ims_pt_cfg (*table_cfg)(const void *inst));

/* Give @sd a table of @cfg if it has none: 0, or the errno of ims_pt_create. */
int soc32_domain_table(struct soc32_domain *sd, const struct ims_pt_cfg *cfg);
/* Domain ops on the table: unmap as the engine does, iova_to_phys, and free (table and @sd). */
size_t soc32_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize, size_t count,
			 ims_iotlb_gather *gather);
uint64_t soc32_iova_to_phys(struct ims_domain *domain, uint64_t iova);
void soc32_domain_free(struct ims_domain *domain);

/*
 * Map @count pages of @pgsize as leaves of @leaf bytes (the drivers that
 * advertise page sizes their format writes as runs of 4 KiB entries:
 * Rockchip), answering @exist_errno where the engine says -EEXIST (the
 * drivers' own errno for "already mapped": EADDRINUSE, EBUSY, EEXIST).
 * *@mapped is the bytes mapped, also on error.  -ENODEV without a table.
 */
int soc32_map(struct ims_pt *pt, uint64_t iova, uint64_t pa, size_t pgsize, size_t count,
	      int prot, size_t *mapped, size_t leaf, int exist_errno);

/*
 * Unmap the leaves of [iova, iova + pgsize * count) where the driver counts
 * holes as unmapped (mtk_iommu_v1 clears whatever is there; Exynos answers
 * the page size for an empty entry), stopping at a leaf larger than what is
 * left of the request (Exynos refuses to unmap part of a large page).
 * Returns the bytes covered.  0 without a table.
 */
size_t soc32_unmap_holes(struct ims_pt *pt, uint64_t iova, size_t pgsize, size_t count,
			 ims_iotlb_gather *gather);

/* Release what an unmap gathered (there is no IOTLB to invalidate here). */
void soc32_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather);

/*
 * The group of another probed device for which @same(@dev, other) holds, or
 * a new group: for drivers that put several masters in one group (a
 * MediaTek IOVA region, all masters of a Rockchip or sun50i instance).
 */
struct ims_group *soc32_group_with(struct ims_device *dev,
				   bool (*same)(const struct ims_device *dev,
						const struct ims_device *other));

/* One group for all masters of an instance (Rockchip's iommu->group, generic_single_device_group). */
struct ims_group *soc32_instance_group(struct ims_device *dev);

/* Is @dev served by an instance of driver @ops?  (Legacy cores hand foreign devices over.) */
static inline bool soc32_served_by(const struct ims_device *dev, const struct ims_iommu_ops *ops)
{
	return dev->iommu && dev->iommu->ops == ops;
}

/*
 * Every other registered instance of @ops in @core must agree with @iommu
 * on @same (kernels that keep one global format for a driver: Exynos's
 * PG_ENT_SHIFT, Rockchip's rk_ops).  For probe_fdt: the instance is not
 * registered yet.
 */
bool soc32_instances_agree(struct ims_core *core, const struct ims_iommu_ops *ops,
			   const void *priv, bool (*same)(const void *a, const void *b));

/* Does the IOMMU node list @compatible (the models with several compatibles)? */
bool soc32_fdt_compatible(const struct ims_fdt_node *node, const char *compatible);

#endif
