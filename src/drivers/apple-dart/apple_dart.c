// SPDX-License-Identifier: MIT
/*
 * The apple-dart driver model (drivers/iommu/apple-dart.c): the Device
 * Address Resolution Table of Apple silicon.
 *
 * Binding (Documentation/devicetree/bindings/iommu/apple,dart.yaml):
 * compatible "apple,t8103-dart" (M1: DART1 page tables, OAS 36) or
 * "apple,t6000-dart" (DART2, OAS 42), #iommu-cells = <1> (the stream, 0..15).
 * The registers the driver reads at probe, which no binding carries:
 *
 *   iommusim,params1  u32  DART_PARAMS1: PAGE_SHIFT in bits 27:24
 *                          (default 14: 16 KiB pages, as on M1)
 *   iommusim,params2  u32  DART_PARAMS2: BYPASS_SUPPORT in bit 0 (default 1)
 *
 * The CPU: iommusim's host is a 4 KiB-page machine, so a DART whose page is
 * larger than 4 KiB "forces bypass" (the kernel's force_bypass = pgsize >
 * PAGE_SIZE): its devices default to identity and no paging domain can be
 * attached (the page-size-too-large case, the one a 4K kernel on M1 meets).
 *
 * Domains: the DART format (granule = the DART's page, IAS 32), finalised
 * for the device's DART at allocation today (Jason Gunthorpe, v6.8) and at
 * the first attach before; aperture [0, 2^32-1].  Grouping: devices sharing
 * a stream of one DART share its group (sid2group).  PCI devices behind a
 * DART whose page fits the CPU's get the PCIe MSI doorbell (0xfffff000) as
 * a hardware MSI region.
 *
 * Attach rules (kernel-semantics 1.1, 3.1):
 *   page-size-too-large  a paging domain on a DART that forces bypass:
 *                        EINVAL in 2022, EMEDIUMTYPE in the series' v1,
 *                        EINVAL today (attach_dev_paging).
 *   bypass-unsupported   the identity domain on a DART without bypass:
 *                        the same three answers.
 *   foreign-instance     the domain is finalised for another set of DARTs
 *                        (apple_dart_mod_streams): EINVAL in every era -- v1
 *                        converted only the two bypass checks, and the
 *                        reviewer did not list this one, so the seed's
 *                        answer is a hard EINVAL.
 * Hard failures: the page table (-ENOMEM).  A device of another driver is
 * not modelled (the 2022 code read the other driver's data): -ENODEV.
 *
 * Locking: a domain's pd.init_lock serialises its finalisation; an
 * instance's lock protects its sid2group table.
 */
#include <errno.h>
#include <libfdt.h>

#include "drivers/pgtbl/pgtbl_domain.h"
#include "drivers/registry.h"
#include "util/alloc.h"

#define DART_MAX_STREAMS 16
#define DART_PARAMS1_PAGE_SHIFT(v) (((v) >> 24) & 0xf)
#define DART_PARAMS2_BYPASS_SUPPORT 1u
#define DART_CPU_PAGE_SIZE 4096ull /* the simulated CPU's PAGE_SIZE */
#define DART_DOORBELL_ADDR 0xfffff000ull
#define DART_IAS 32

struct apple_dart {
	struct ims_iommu *iommu;
	uint64_t pgsize;
	bool supports_bypass, force_bypass, dart2;
	struct ims_mutex lock;                        /* protects the streams below */
	struct ims_group *sid2group[DART_MAX_STREAMS];
	unsigned int sid_refs[DART_MAX_STREAMS];      /* masters using the stream */
};

struct dart_master {
	struct apple_dart *dart;
	uint16_t sidmap;
};


extern const struct ims_iommu_ops ims_apple_dart_ops;

static const struct ims_attach_rule rule_page_size = {
	"page-size-too-large",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_no_bypass = {
	"bypass-unsupported",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_foreign_instance = {
	"foreign-instance",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = EINVAL,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};

static struct dart_master *dev_master(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_apple_dart_ops ? dev->priv : NULL;
}

static int refuse_foreign(struct ims_device *dev)
{
	ims_attach_reason("%s is not behind a DART", dev->name);
	return -ENODEV;
}

/* apple_dart_finalize_domain: the DART format for @dev's DART, pd->init_lock held. */
static int finalise(struct ims_pgtbl_domain *pd, struct ims_device *dev)
{
	const struct apple_dart *dart = dev_master(dev)->dart;
	const struct ims_pt_cfg cfg = {
		.format = IMS_PT_APPLE_DART,
		.granule_lg2 = (unsigned int)__builtin_ctzll(dart->pgsize),
		.ias = DART_IAS,
		.features = dart->dart2 ? IMS_PT_FEAT_V2_LAYOUT : 0,
	};

	return __ims_pgtbl_domain_finalise(pd, dart->iommu, &cfg);
}

static int dart_attach_paging(struct ims_domain *domain, struct ims_device *dev,
			      struct ims_domain *old)
{
	struct dart_master *m = dev_master(dev);
	int ret;

	if (!m)
		return refuse_foreign(dev);
	if (m->dart->force_bypass) {
		ret = ims_rule_errno(&rule_page_size, dev, "%s pages are %llu KiB, the CPU's 4 KiB",
				     m->dart->iommu->name, (unsigned long long)(m->dart->pgsize >> 10));
		if (ret <= 0)
			return ret;
	}
	return ims_pgtbl_domain_bind(ims_to_pgtbl_domain(domain), dev, finalise,
				     &rule_foreign_instance);
}

static int dart_attach_identity(struct ims_domain *domain, struct ims_device *dev,
				struct ims_domain *old)
{
	struct dart_master *m = dev_master(dev);
	int ret;

	if (!m)
		return refuse_foreign(dev);
	if (m->dart->supports_bypass)
		return 0;
	ret = ims_rule_errno(&rule_no_bypass, dev, "%s cannot bypass", m->dart->iommu->name);
	return ret > 0 ? 0 : ret;
}

static int dart_attach_blocked(struct ims_domain *domain, struct ims_device *dev,
			       struct ims_domain *old)
{
	return dev_master(dev) ? 0 : refuse_foreign(dev);
}

static const struct ims_domain_ops dart_paging_ops = {
	.attach_dev = dart_attach_paging,
	IMS_PGTBL_DOMAIN_OPS,
	.free = ims_pgtbl_domain_free,
};

static const struct ims_domain_ops dart_identity_ops = {
	.attach_dev = dart_attach_identity,
};

static const struct ims_domain_ops dart_blocked_ops = {
	.attach_dev = dart_attach_blocked,
};

static struct ims_domain *dart_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						   const void *user_data)
{
	struct ims_domain *domain;
	struct ims_pgtbl_domain *pd;
	int ret;

	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	domain = ims_pgtbl_domain_alloc(sizeof(*pd), &dart_paging_ops, UINT64_MAX,
					(1ull << DART_IAS) - 1);
	if (IS_ERR(domain) || !dev || !dev_master(dev))
		return domain;
	pd = ims_to_pgtbl_domain(domain);
	ims_mutex_lock(&pd->init_lock);
	ret = finalise(pd, dev);
	ims_mutex_unlock(&pd->init_lock);
	if (ret) {
		ims_pgtbl_domain_free(domain);
		return ERR_PTR(ret);
	}
	return domain;
}

/* apple_dart_def_domain_type. */
static int dart_def_domain_type(struct ims_device *dev)
{
	const struct dart_master *m = dev->priv;

	if (m->dart->force_bypass)
		return IMS_DOMAIN_IDENTITY;
	return m->dart->supports_bypass ? 0 : IMS_DOMAIN_DMA;
}

static int dart_probe_device(struct ims_device *dev)
{
	struct apple_dart *dart = dev->iommu->priv;
	struct dart_master *m = ims_zalloc(sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->dart = dart;
	for (unsigned int i = 0; i < dev->nr_ids; i++)
		m->sidmap |= 1u << dev->ids[i]; /* of_xlate checked the range */
	ims_mutex_lock(&dart->lock);
	for (unsigned int sid = 0; sid < DART_MAX_STREAMS; sid++)
		dart->sid_refs[sid] += (m->sidmap >> sid) & 1;
	ims_mutex_unlock(&dart->lock);
	dev->priv = m;
	return 0;
}

static void dart_release_device(struct ims_device *dev)
{
	struct dart_master *m = dev->priv;
	struct apple_dart *dart = m->dart;

	ims_mutex_lock(&dart->lock);
	for (unsigned int sid = 0; sid < DART_MAX_STREAMS; sid++)
		if (((m->sidmap >> sid) & 1) && !--dart->sid_refs[sid])
			dart->sid2group[sid] = NULL;
	ims_mutex_unlock(&dart->lock);
	ims_free(m);
	dev->priv = NULL;
}

/*
 * apple_dart_device_group: the group of the device's streams (all must
 * agree, a stream without a group disagreeing with one that has one), or a
 * new one remembered for each stream.
 */
static struct ims_group *dart_device_group(struct ims_device *dev)
{
	struct dart_master *m = dev->priv;
	struct apple_dart *dart = m->dart;
	struct ims_group *group = NULL;
	bool first = true;

	ims_mutex_lock(&dart->lock);
	for (unsigned int sid = 0; sid < DART_MAX_STREAMS; sid++) {
		if (!((m->sidmap >> sid) & 1))
			continue;
		if (!first && group != dart->sid2group[sid]) {
			ims_mutex_unlock(&dart->lock);
			return ERR_PTR(-EINVAL);
		}
		group = dart->sid2group[sid];
		first = false;
	}
	if (!group)
		group = dev->bus == IMS_BUS_PCI ? ims_pci_device_group(dev) :
						  ims_generic_device_group(dev);
	for (unsigned int sid = 0; !IS_ERR(group) && sid < DART_MAX_STREAMS; sid++)
		if ((m->sidmap >> sid) & 1)
			dart->sid2group[sid] = group;
	ims_mutex_unlock(&dart->lock);
	return group;
}

/* The PCIe MSI doorbell, for PCI devices of a DART whose page fits the CPU's. */
static int dart_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	const struct ims_resv_region doorbell = {
		.start = DART_DOORBELL_ADDR,
		.length = DART_CPU_PAGE_SIZE,
		.prot = IMS_PROT_WRITE | IMS_PROT_NOEXEC | IMS_PROT_MMIO,
		.type = IMS_RESV_MSI,
	};
	const struct dart_master *m = dev->priv;

	if (dev->bus != IMS_BUS_PCI || m->dart->pgsize > DART_CPU_PAGE_SIZE)
		return 0;
	return ims_resv_list_insert(list, &doorbell);
}

const struct ims_iommu_ops ims_apple_dart_ops = {
	.name = "apple-dart",
	.domain_alloc_paging = dart_domain_alloc_paging,
	.static_identity = true,
	.static_blocked = true,
	.identity_ops = &dart_identity_ops,
	.blocked_ops = &dart_blocked_ops,
	.def_domain_type = dart_def_domain_type,
	.probe_device = dart_probe_device,
	.release_device = dart_release_device,
	.device_group = dart_device_group,
	.get_resv_regions = dart_get_resv_regions,
	.pgsize_bitmap = UINT64_MAX,
};

/* ---- the binding ---- */

static void dart_free(void *priv)
{
	struct apple_dart *dart = priv;

	ims_mutex_destroy(&dart->lock);
	ims_free(dart);
}

static int read_params(const struct ims_fdt_node *node, struct apple_dart *dart)
{
	uint32_t params1, params2;
	unsigned int shift;

	if (ims_fdt_u32(node, "iommusim,params1", &params1, 14u << 24) == -EINVAL ||
	    ims_fdt_u32(node, "iommusim,params2", &params2, DART_PARAMS2_BYPASS_SUPPORT) == -EINVAL)
		return -EINVAL;
	shift = DART_PARAMS1_PAGE_SHIFT(params1);
	if (shift != 12 && shift != 14)
		return ims_fdt_error(node, "property 'iommusim,params1': PAGE_SHIFT %u is neither "
				     "12 nor 14 (the DART page tables take 4K or 16K pages)", shift);
	dart->pgsize = 1ull << shift;
	dart->supports_bypass = params2 & DART_PARAMS2_BYPASS_SUPPORT;
	dart->force_bypass = dart->pgsize > DART_CPU_PAGE_SIZE;
	dart->dart2 = !fdt_node_check_compatible(node->fdt, node->offset, "apple,t6000-dart");
	if (dart->dart2 && shift != 14)
		return ims_fdt_error(node, "property 'iommusim,params1': a t6000 DART (DART2 "
				     "page tables) has 16 KiB pages, PAGE_SHIFT 14");
	return 0;
}

static int dart_probe_fdt(struct ims_core *core, const struct ims_fdt_node *node,
			  const char *name, struct ims_iommu **out)
{
	struct apple_dart *dart = ims_zalloc(sizeof(*dart));
	int ret;

	if (!dart)
		return -ENOMEM;
	ims_mutex_init(&dart->lock);
	ret = read_params(node, dart);
	if (!ret)
		ret = ims_iommu_register(core, name, &ims_apple_dart_ops, dart, dart_free,
					 &dart->iommu);
	if (ret) {
		dart_free(dart);
		return ret;
	}
	*out = dart->iommu;
	return 0;
}

/* apple_dart_of_xlate: one cell, a stream below DART_MAX_STREAMS. */
static int dart_of_xlate(struct ims_iommu *iommu, const uint32_t *cells, int nr_cells,
			 uint32_t *id)
{
	if (nr_cells != 1 || cells[0] >= DART_MAX_STREAMS)
		return -EINVAL;
	*id = cells[0];
	return 0;
}

static const char *const dart_compatibles[] = { "apple,t8103-dart", "apple,t6000-dart", NULL };

extern const struct ims_matrix_case ims_apple_dart_matrix_cases[];

const struct ims_driver_model ims_apple_dart_model = {
	.name = "apple-dart",
	.compatibles = dart_compatibles,
	.ops = &ims_apple_dart_ops,
	.probe_fdt = dart_probe_fdt,
	.of_xlate = dart_of_xlate,
	.iommu_cells = 1,
	.matrix_cases = ims_apple_dart_matrix_cases,
};
