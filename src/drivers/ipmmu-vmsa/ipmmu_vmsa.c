// SPDX-License-Identifier: MIT
/*
 * The ipmmu-vmsa driver model (drivers/iommu/ipmmu-vmsa.c): the Renesas
 * R-Car IOMMU.
 *
 * Binding (Documentation/devicetree/bindings/iommu/renesas,ipmmu-vmsa.yaml):
 * compatible "renesas,ipmmu-vmsa" (R-Car Gen2) or "renesas,ipmmu-r8a77xx"
 * (Gen3), #iommu-cells = <1> (the master's micro-TLB).  The compatible
 * decides the features, as the kernel's match data does: Gen2 has one
 * translation context, Gen3 eight of which the driver reserves context 0.
 * "renesas,ipmmu-main" (a Gen3 cache IPMMU's main IPMMU) is accepted; the
 * kernel allocates contexts from that root IPMMU, we count them per
 * instance (a simplification: the platforms give each cache IPMMU its own).
 *
 * Domains: ARM 32-bit LPAE stage 1 with the non-secure bit (IAS 32, OAS 40,
 * 4K|2M|1G), finalised at the first attach: a context, the table.  All the
 * masters of one IPMMU share one group (ipmmu_find_group).  The driver has
 * no capable op (no IOMMU_CAP_CACHE_COHERENCY) and no reserved regions.
 *
 * Attach rules (kernel-semantics 1.1, 3.1):
 *   foreign-instance  the domain is bound to another IPMMU: EINVAL in 2022
 *                     ("Can't attach IPMMU ... to domain on IPMMU ..."),
 *                     EMEDIUMTYPE in the series' v1, EINVAL today.
 *   foreign-driver    the 2022 driver took a foreign device's IOMMU data
 *                     for its IPMMU, which is not the domain's: EINVAL; the
 *                     core refuses first in the other eras.
 * Hard failures: no free context (-EBUSY, ipmmu_domain_allocate_context),
 * the table (-ENOMEM).  Not modelled: the SoC's device whitelist, uTLB
 * programming.
 *
 * Locking: a domain's pd.init_lock serialises its finalisation; an
 * instance's lock protects its contexts.
 */
#include <errno.h>
#include <libfdt.h>

#include "drivers/pgtbl/pgtbl_domain.h"
#include "drivers/registry.h"
#include "util/alloc.h"

#define IPMMU_MAX_CTX 8

struct ipmmu {
	struct ims_iommu *iommu;
	unsigned int num_ctx;
	struct ims_mutex lock;         /* protects ctx_used */
	bool ctx_used[IPMMU_MAX_CTX];
};

/* pd.domain.iommu names the IPMMU once finalised; pd.init_lock protects context_id. */
struct ipmmu_domain {
	struct ims_pgtbl_domain pd;
	int context_id;
};

extern const struct ims_iommu_ops ims_ipmmu_ops;

static const struct ims_attach_rule rule_foreign_instance = {
	"foreign-instance",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_foreign_driver = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};

static struct ipmmu_domain *to_ipmmu_domain(struct ims_domain *domain)
{
	return ims_container_of(ims_to_pgtbl_domain(domain), struct ipmmu_domain, pd);
}

static struct ipmmu *dev_ipmmu(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_ipmmu_ops ? dev->iommu->priv : NULL;
}

static int refuse_foreign(struct ims_device *dev)
{
	int ret = ims_rule_errno(&rule_foreign_driver, dev, "%s is not behind an IPMMU", dev->name);

	return ret <= 0 ? ret : -ENODEV;
}

/* ipmmu_domain_allocate_context: the first free context; -EBUSY. */
static int alloc_context(struct ipmmu *mmu)
{
	int ret = ims_pgtbl_context_take(&mmu->lock, mmu->ctx_used, 0, mmu->num_ctx);

	return ret < 0 ? -EBUSY : ret;
}

static void free_context(struct ipmmu *mmu, int id)
{
	ims_pgtbl_context_put(&mmu->lock, mmu->ctx_used, id);
}

/* ipmmu_domain_init_context, with pd->init_lock held by ims_pgtbl_domain_bind(). */
static int finalise(struct ims_pgtbl_domain *pd, struct ims_device *dev)
{
	struct ipmmu_domain *d = ims_container_of(pd, struct ipmmu_domain, pd);
	struct ipmmu *mmu = dev_ipmmu(dev);
	const struct ims_pt_cfg cfg = {
		.format = IMS_PT_ARM_LPAE_S1,
		.pgsize_bitmap = IMS_ARM_LPAE_4K_SIZES,
		.ias = 32,
		.oas = 40,
		.features = IMS_PT_FEAT_NS,
	};
	int ret = alloc_context(mmu);

	if (ret < 0) {
		ims_attach_reason("%s has no free context", mmu->iommu->name);
		return ret;
	}
	d->context_id = ret;
	ret = __ims_pgtbl_domain_finalise(pd, mmu->iommu, &cfg);
	if (ret)
		free_context(mmu, d->context_id);
	return ret;
}

static int ipmmu_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			    struct ims_domain *old)
{
	if (!dev_ipmmu(dev))
		return refuse_foreign(dev);
	return ims_pgtbl_domain_bind(ims_to_pgtbl_domain(domain), dev, finalise,
				     &rule_foreign_instance);
}

static int ipmmu_identity_attach(struct ims_domain *domain, struct ims_device *dev,
				 struct ims_domain *old)
{
	return dev_ipmmu(dev) ? 0 : refuse_foreign(dev);
}

static void ipmmu_domain_free(struct ims_domain *domain)
{
	struct ipmmu_domain *d = to_ipmmu_domain(domain);

	if (domain->iommu)
		free_context(domain->iommu->priv, d->context_id);
	ims_pgtbl_domain_free(domain);
}

static const struct ims_domain_ops ipmmu_paging_ops = {
	.attach_dev = ipmmu_attach_dev,
	IMS_PGTBL_DOMAIN_OPS,
	.free = ipmmu_domain_free,
};

static const struct ims_domain_ops ipmmu_identity_ops = {
	.attach_dev = ipmmu_identity_attach,
};

static struct ims_domain *ipmmu_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						    const void *user_data)
{
	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	return ims_pgtbl_domain_alloc(sizeof(struct ipmmu_domain), &ipmmu_paging_ops,
				      IMS_ARM_LPAE_4K_SIZES, (1ull << 32) - 1);
}

/* ipmmu_find_group: one group for every master of an IPMMU. */
static struct ims_group *ipmmu_device_group(struct ims_device *dev)
{
	struct ims_core *core = dev->core;
	struct ims_group *group = NULL;
	struct ims_device *other;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(other, &core->devices, core_node)
		if (!group && other->iommu == dev->iommu && other->group)
			group = other->group;
	ims_mutex_unlock(&core->lock);
	return group ? group : ims_generic_device_group(dev);
}

const struct ims_iommu_ops ims_ipmmu_ops = {
	.name = "ipmmu-vmsa",
	.domain_alloc_paging = ipmmu_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &ipmmu_identity_ops,
	.device_group = ipmmu_device_group,
	.pgsize_bitmap = IMS_ARM_LPAE_4K_SIZES,
};

/* ---- the binding ---- */

struct ipmmu_features {
	const char *compatible;
	unsigned int num_ctx;
	bool reserved_context;
};

static const struct ipmmu_features ipmmu_socs[] = {
	{ "renesas,ipmmu-vmsa", 1, false },      /* R-Car Gen2 */
	{ "renesas,ipmmu-r8a7795", 8, true },    /* R-Car H3 */
	{ "renesas,ipmmu-r8a7796", 8, true },    /* R-Car M3-W */
	{ "renesas,ipmmu-r8a77965", 8, true },   /* R-Car M3-N */
	{ "renesas,ipmmu-r8a77990", 8, true },   /* R-Car E3 */
};

static const struct ipmmu_features *features_of(const struct ims_fdt_node *node)
{
	for (size_t i = 0; i < IMS_ARRAY_SIZE(ipmmu_socs); i++)
		if (!fdt_node_check_compatible(node->fdt, node->offset, ipmmu_socs[i].compatible))
			return &ipmmu_socs[i];
	return &ipmmu_socs[0];
}

static void ipmmu_free(void *priv)
{
	struct ipmmu *mmu = priv;

	ims_mutex_destroy(&mmu->lock);
	ims_free(mmu);
}

static int ipmmu_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			   const char *name, struct ims_iommu **out)
{
	const struct ipmmu_features *f = features_of(node);
	struct ipmmu *mmu = ims_zalloc(sizeof(*mmu));
	int ret;

	if (!mmu)
		return -ENOMEM;
	ims_mutex_init(&mmu->lock);
	mmu->num_ctx = f->num_ctx;
	mmu->ctx_used[0] = f->reserved_context; /* "IPMMU context 0 is reserved" */
	ret = ims_iommu_register(core, name, &ims_ipmmu_ops, mmu, ipmmu_free, &mmu->iommu);
	if (ret) {
		ipmmu_free(mmu);
		return ret;
	}
	*out = mmu->iommu;
	return 0;
}

static const char *const ipmmu_compatibles[] = {
	"renesas,ipmmu-vmsa", "renesas,ipmmu-r8a7795", "renesas,ipmmu-r8a7796",
	"renesas,ipmmu-r8a77965", "renesas,ipmmu-r8a77990", NULL,
};

extern const struct ims_matrix_case ims_ipmmu_matrix_cases[];

const struct ims_driver_model ims_ipmmu_model = {
	.name = "ipmmu-vmsa",
	.compatibles = ipmmu_compatibles,
	.ops = &ims_ipmmu_ops,
	.probe_fdt = ipmmu_probe_fdt,
	.iommu_cells = 1,
	.matrix_cases = ims_ipmmu_matrix_cases,
};

/*
 * Hold contexts with domains attached one after the other to the display's
 * group until the IPMMU has none left: the next finalisation gets -EBUSY.
 */
static int exhaust_contexts(struct ims_core *core)
{
	struct ims_device *dev = ims_device_find(core, "feb00000.display");
	struct ims_domain *held[IPMMU_MAX_CTX + 1];
	int n = 0, ret = 0;

	if (!dev || !dev->group)
		return -ENODEV;
	while (!ret && n <= IPMMU_MAX_CTX) {
		struct ims_domain *domain = ims_paging_domain_alloc(dev, 0);

		if (IS_ERR(domain)) {
			ret = (int)PTR_ERR(domain);
			break;
		}
		held[n++] = domain;
		ret = ims_attach_group(domain, dev->group);
		if (!ret)
			ims_detach_group(domain, dev->group);
	}
	while (n-- > 0)
		ims_domain_free(held[n]);
	return ret;
}

const struct ims_matrix_case ims_ipmmu_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "r-car",
		.domain_for = "fea00000.fcp", .bind_first = true,
		.target = "e6ef0000.video", .incompatible = true,
	},
	{
		.name = "contexts-exhausted", .platform = "r-car",
		.run = exhaust_contexts, .incompatible = false,
	},
	{ 0 },
};
