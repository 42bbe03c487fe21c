// SPDX-License-Identifier: MIT
/*
 * The qcom_iommu driver model (drivers/iommu/arm/arm-smmu/qcom_iommu.c): the
 * firmware-managed SMMUv1-style IOMMU of older Qualcomm SoCs, whose context
 * banks are described one per child node and assigned to masters by the
 * `iommus` specifier (the context's ASID).
 *
 * Binding (Documentation/devicetree/bindings/iommu/qcom,iommu.yaml):
 * compatible "qcom,msm-iommu-v1" (or -v2), #iommu-cells = <1>; child nodes
 * "qcom,msm-iommu-v1-ns" / "-sec" with `reg` (the context's offset: ASID =
 * offset / 0x1000, or "qcom,ctx-asid").  A specifier naming no context is
 * refused (the kernel's of_xlate: -EINVAL).
 *
 * Domains: ARM 32-bit LPAE stage 1 (IAS 32, OAS 40), finalised at the
 * first attach for that IOMMU (init_domain programs the master's context
 * banks).  The driver asks io-pgtable for 4K|64K|1M|16M, which the format
 * restricts to 4K: that is the domain's page size.  Aperture [0, 2^32-1].
 *
 * Attach rules (kernel-semantics 1.1, 3.1):
 *   foreign-instance  domain bound to another qcom IOMMU: EINVAL in 2022,
 *                     EMEDIUMTYPE in the series' v1, EINVAL today.
 *   foreign-driver    the device's fwspec belongs to another driver
 *                     ("cannot attach to IOMMU, is it on the same bus?"):
 *                     ENXIO in 2022, unconverted by the series (the seed's
 *                     core refuses first); the core refuses first today.
 * Hard failures: the page table (-ENOMEM).  Not modelled: secure contexts,
 * the aarch64 page-table option, runtime PM.
 *
 * Locking: a domain's pd.init_lock serialises its finalisation.
 */
#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include "drivers/pgtbl/pgtbl_domain.h"
#include "drivers/registry.h"
#include "util/alloc.h"

#define SZ_4K (1ull << 12)
#define SZ_64K (1ull << 16)
#define SZ_1M (1ull << 20)
#define SZ_16M (1ull << 24)
#define QCOM_MAX_ASID 64
#define QCOM_CTX_STRIDE 0x1000

struct qcom_iommu {
	struct ims_iommu *iommu;
	bool ctx[QCOM_MAX_ASID + 1];   /* a context bank with this ASID exists */
	unsigned int max_asid;
};


extern const struct ims_iommu_ops ims_qcom_iommu_ops;

static const struct ims_attach_rule rule_foreign_instance = {
	"foreign-instance",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_foreign_driver = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = ENXIO,
	  [IMS_PROFILE_LEGACY] = ENXIO },
};

/* to_iommu(): the instance of a device this driver serves, else NULL. */
static struct qcom_iommu *dev_qcom(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_qcom_iommu_ops ? dev->iommu->priv : NULL;
}

static int refuse_foreign(struct ims_device *dev)
{
	int ret = ims_rule_errno(&rule_foreign_driver, dev, "%s is not behind a qcom IOMMU",
				 dev->name);

	return ret <= 0 ? ret : -ENODEV;
}

/*
 * qcom_iommu_init_domain: an ARM 32-bit LPAE stage-1 table for @dev's
 * IOMMU, with pd->init_lock held by ims_pgtbl_domain_bind().
 */
static int finalise(struct ims_pgtbl_domain *pd, struct ims_device *dev)
{
	const struct ims_pt_cfg cfg = {
		.format = IMS_PT_ARM_LPAE_S1,
		.pgsize_bitmap = (SZ_4K | SZ_64K | SZ_1M | SZ_16M) & IMS_ARM_LPAE_4K_SIZES,
		.ias = 32,
		.oas = 40,
	};

	return __ims_pgtbl_domain_finalise(pd, dev->iommu, &cfg);
}

static int qcom_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			   struct ims_domain *old)
{
	if (!dev_qcom(dev))
		return refuse_foreign(dev);
	return ims_pgtbl_domain_bind(ims_to_pgtbl_domain(domain), dev, finalise,
				     &rule_foreign_instance);
}

static int qcom_identity_attach(struct ims_domain *domain, struct ims_device *dev,
				struct ims_domain *old)
{
	return dev_qcom(dev) ? 0 : refuse_foreign(dev);
}

static const struct ims_domain_ops qcom_paging_ops = {
	.attach_dev = qcom_attach_dev,
	IMS_PGTBL_DOMAIN_OPS,
	.free = ims_pgtbl_domain_free,
};

static const struct ims_domain_ops qcom_identity_ops = {
	.attach_dev = qcom_identity_attach,
};

static struct ims_domain *qcom_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						   const void *user_data)
{
	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	return ims_pgtbl_domain_alloc(sizeof(struct ims_pgtbl_domain), &qcom_paging_ops,
				      SZ_4K | SZ_64K | SZ_1M | SZ_16M, (1ull << 32) - 1);
}

static bool qcom_capable(struct ims_device *dev, enum ims_cap cap)
{
	return dev_qcom(dev) && (cap == IMS_CAP_CACHE_COHERENCY || cap == IMS_CAP_NOEXEC);
}

const struct ims_iommu_ops ims_qcom_iommu_ops = {
	.name = "qcom_iommu",
	.capable = qcom_capable,
	.domain_alloc_paging = qcom_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &qcom_identity_ops,
	.device_group = ims_generic_device_group,
	.pgsize_bitmap = SZ_4K | SZ_64K | SZ_1M | SZ_16M,
};

/* ---- the binding ---- */

/* get_asid(): "qcom,ctx-asid", else the context's offset / 0x1000. */
static int context_asid(const struct ims_fdt_node *ctx, uint32_t *asid)
{
	uint32_t reg[4];
	int nr, ret = ims_fdt_u32(ctx, "qcom,ctx-asid", asid, 0);

	if (ret != -ENOENT)
		return ret;
	ret = ims_fdt_cells(ctx, "reg", reg, 4, &nr);
	if (ret == -ENOENT || (!ret && !nr))
		return ims_fdt_error(ctx, "property 'reg': a context bank needs its offset");
	if (ret)
		return ret;
	*asid = reg[0] / QCOM_CTX_STRIDE;
	return 0;
}

static bool is_context(const void *fdt, int offset)
{
	return !fdt_node_check_compatible(fdt, offset, "qcom,msm-iommu-v1-ns") ||
	       !fdt_node_check_compatible(fdt, offset, "qcom,msm-iommu-v1-sec");
}

static int read_contexts(const struct ims_fdt_node *node, struct qcom_iommu *qi)
{
	int child;

	fdt_for_each_subnode(child, node->fdt, node->offset) {
		struct ims_fdt_node ctx = *node;
		uint32_t asid;
		int ret;

		ctx.offset = child;
		if (!is_context(node->fdt, child))
			continue;
		ret = context_asid(&ctx, &asid);
		if (ret)
			return ret;
		if (asid < 1 || asid > QCOM_MAX_ASID)
			return ims_fdt_error(&ctx, "context ASID %u is not in 1..%d", asid,
					     QCOM_MAX_ASID);
		qi->ctx[asid] = true;
		qi->max_asid = IMS_MAX(qi->max_asid, asid);
	}
	return qi->max_asid ? 0 : ims_fdt_error(node, "no context bank (qcom,msm-iommu-v1-ns)");
}

static int qcom_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			  const char *name, struct ims_iommu **out)
{
	struct qcom_iommu *qi = ims_zalloc(sizeof(*qi));
	int ret;

	if (!qi)
		return -ENOMEM;
	ret = read_contexts(node, qi);
	if (!ret)
		ret = ims_iommu_register(core, name, &ims_qcom_iommu_ops, qi, ims_free, &qi->iommu);
	if (ret) {
		ims_free(qi);
		return ret;
	}
	*out = qi->iommu;
	return 0;
}

/* qcom_iommu_of_xlate: one cell, the ASID of an existing context bank. */
static int qcom_of_xlate(struct ims_iommu *iommu, const uint32_t *cells, int nr_cells,
			 uint32_t *id)
{
	const struct qcom_iommu *qi = iommu->priv;

	if (nr_cells != 1 || cells[0] > qi->max_asid || !qi->ctx[cells[0]])
		return -EINVAL;
	*id = cells[0];
	return 0;
}

static const char *const qcom_compatibles[] = { "qcom,msm-iommu-v1", "qcom,msm-iommu-v2", NULL };

extern const struct ims_matrix_case ims_qcom_iommu_matrix_cases[];

const struct ims_driver_model ims_qcom_iommu_model = {
	.name = "qcom_iommu",
	.compatibles = qcom_compatibles,
	.ops = &ims_qcom_iommu_ops,
	.probe_fdt = qcom_probe_fdt,
	.of_xlate = qcom_of_xlate,
	.iommu_cells = 1,
	.matrix_cases = ims_qcom_iommu_matrix_cases,
};

const struct ims_matrix_case ims_qcom_iommu_matrix_cases[] = {
	{
		.name = "foreign-instance", .platform = "qcom",
		.domain_for = "1a01000.mdp", .bind_first = true,
		.target = "1c00000.gpu", .incompatible = true,
	},
	{ 0 },
};
