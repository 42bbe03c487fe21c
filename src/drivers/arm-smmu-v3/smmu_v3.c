// SPDX-License-Identifier: MIT
/*
 * The arm-smmu-v3 driver model (see smmu_v3.h): instances from their ID
 * registers, masters, stage-1/stage-2 paging domains on the ARM LPAE format,
 * and the attach rules with their answer per era.
 *
 * Attach rules (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c; kernel-semantics
 * 1.1, 3.1):
 *
 *   foreign-instance  the domain is finalised for another SMMU: ENXIO in
 *                     2022 ("cannot attach to SMMU ... (upstream of ...)"),
 *                     EMEDIUMTYPE in the series' v1, EINVAL today (the
 *                     v6.15 regression that returned 0 is fixed upstream,
 *                     commit be5a2d3f8f97; we model the fix).
 *   foreign-driver    a device of another driver reaches this attach (only
 *                     in 2022, when the core did not check owners): the
 *                     2022 code read that driver's per-device data as its
 *                     own master, whose SMMU is not the domain's, and failed
 *                     the instance check: ENXIO.  The core refuses first in
 *                     the other eras.
 *   ssid-bits         a stage-1 domain finalised for a master with another
 *                     number of PASID (SSID) bits: EINVAL in 2022,
 *                     EMEDIUMTYPE in v1; gone since the CD table moved to the
 *                     master (2023).
 *   stall-mode        a stage-1 domain finalised for a master with another
 *                     stall setting: the same history.
 *   snoop-control     a domain that enforces cache coherency and a master
 *                     that is not CANWBS: EINVAL since v6.13, which added
 *                     enforce_cache_coherency (none before: the domain
 *                     never enforces, so the condition cannot arise).
 *
 * Hard failures: finalising at the first attach (2022) can run out of ASIDs
 * (-EBUSY, the ASID xarray) or VMIDs (-ENOSPC) or memory.
 *
 * Kernel behaviour we do not model: the 2022 attach detached the master
 * before its checks (a refused device was left without a domain); we keep
 * the contract (the device stays on its old domain, kernel-semantics 8).
 * ASIDs are global in the kernel and per instance here.  PASID attach and
 * nested (vSMMU) domains are not modelled.
 *
 * Locking: a domain's pd.init_lock serialises its finalisation (attaches of
 * different groups may race); an instance's id_lock protects its ASID and
 * VMID tables.
 */
#include <errno.h>
#include <string.h>

#include "drivers/pgtbl/pgtbl_domain.h"
#include "smmu_v3.h"
#include "util/alloc.h"
#include "util/log.h"

#define SMMU_V3_CPU_VA_BITS 48   /* the kernel's VA_BITS, caps stage-1 IAS */
#define SMMU_V3_LINEAR_CDMAX 10  /* SSID bits without two-level CD tables */

enum smmu_v3_stage { SMMU_V3_S1, SMMU_V3_S2 };

struct smmu_v3 {
	struct ims_iommu *iommu;
	struct smmu_v3_regs regs;
	bool s1, s2, coherent, hd, vax, cd2l;
	unsigned int stall_model;
	unsigned int asid_bits, vmid_bits, sid_bits, ssid_bits;
	unsigned int oas, ias;       /* ias: the SMMU's input (IPA) size */
	uint64_t pgsize_bitmap;
	struct ims_mutex id_lock;    /* protects the two tables below */
	struct ims_idtable asids, vmids;
};

struct smmu_v3_master {
	struct smmu_v3 *smmu;
	unsigned int ssid_bits;
	bool stall_enabled;
	bool canwbs;
};

/* pd.domain.iommu names the SMMU once finalised; pd.init_lock protects the rest. */
struct smmu_v3_domain {
	struct ims_pgtbl_domain pd;
	enum smmu_v3_stage stage;
	uint32_t id;                 /* ASID (stage 1) or VMID (stage 2) */
	unsigned int s1cdmax;        /* SSID bits of the master it was finalised for */
	bool stall_enabled;
	bool enforce_cc;
};

static const struct ims_attach_rule rule_foreign_instance = {
	"foreign-instance",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = ENXIO },
};
static const struct ims_attach_rule rule_foreign_driver = {
	"foreign-driver",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = ENXIO },
};
static const struct ims_attach_rule rule_ssid_bits = {
	"ssid-bits",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_stall_mode = {
	"stall-mode",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = IMS_ERR_SOFT,
	  [IMS_PROFILE_LEGACY] = EINVAL },
};
static const struct ims_attach_rule rule_snoop_control = {
	"snoop-control",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SOFT, [IMS_PROFILE_SEED] = IMS_ERR_NONE,
	  [IMS_PROFILE_LEGACY] = IMS_ERR_NONE },
};

static struct smmu_v3_domain *to_v3_domain(struct ims_domain *domain)
{
	return ims_container_of(ims_to_pgtbl_domain(domain), struct smmu_v3_domain, pd);
}

static struct smmu_v3 *domain_smmu(const struct smmu_v3_domain *d)
{
	return d->pd.domain.iommu ? d->pd.domain.iommu->priv : NULL;
}

static bool is_v3_paging(const struct ims_domain *domain)
{
	return ims_domain_owned_by(domain, &ims_smmu_v3_ops) && (domain->type & IMS_DOMAIN_BIT_PAGING);
}

static struct smmu_v3_master *dev_master(struct ims_device *dev)
{
	return dev->iommu && dev->iommu->ops == &ims_smmu_v3_ops ? dev->priv : NULL;
}

/* enforce_cache_coherency exists in this era (v6.13+): the rule's check does. */
static bool era_enforces_cc(const struct ims_core *core)
{
	return ims_rule_answer(&rule_snoop_control, core->facts->profile) != IMS_ERR_NONE;
}

static bool dbm_capable(const struct smmu_v3 *smmu)
{
	return smmu->hd && smmu->coherent;
}

/* ---- ASIDs and VMIDs ---- */

static int alloc_id(struct smmu_v3 *smmu, enum smmu_v3_stage stage, uint32_t *id)
{
	int ret;

	ims_mutex_lock(&smmu->id_lock);
	ret = ims_idtable_alloc(stage == SMMU_V3_S1 ? &smmu->asids : &smmu->vmids, smmu, id);
	ims_mutex_unlock(&smmu->id_lock);
	/* ASIDs come from an xarray (full: -EBUSY), VMIDs from an ida (-ENOSPC). */
	return ret == -ENOSPC && stage == SMMU_V3_S1 ? -EBUSY : ret;
}

static void free_id(struct smmu_v3 *smmu, enum smmu_v3_stage stage, uint32_t id)
{
	ims_mutex_lock(&smmu->id_lock);
	ims_idtable_remove(stage == SMMU_V3_S1 ? &smmu->asids : &smmu->vmids, id);
	ims_mutex_unlock(&smmu->id_lock);
}

/* ---- finalisation ---- */

/* The stage for allocation @flags (arm_smmu_domain_alloc_paging_flags). */
static int choose_stage(const struct smmu_v3 *smmu, uint32_t flags, enum smmu_v3_stage *stage)
{
	switch (flags) {
	case 0:
		*stage = smmu->s1 ? SMMU_V3_S1 : SMMU_V3_S2;
		return 0;
	case IMS_ALLOC_NEST_PARENT:
		*stage = SMMU_V3_S2;
		return smmu->s1 && smmu->s2 ? 0 : -EOPNOTSUPP;
	case IMS_ALLOC_DIRTY_TRACKING:
	case IMS_ALLOC_DIRTY_TRACKING | IMS_ALLOC_PASID:
	case IMS_ALLOC_PASID:
		*stage = SMMU_V3_S1;
		if (!smmu->s1 || ((flags & IMS_ALLOC_DIRTY_TRACKING) && !dbm_capable(smmu)))
			return -EOPNOTSUPP;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* io-pgtable configuration of arm_smmu_domain_finalise(). */
static void table_config(const struct smmu_v3 *smmu, enum smmu_v3_stage stage, uint32_t flags,
			 struct ims_pt_cfg *cfg)
{
	*cfg = (struct ims_pt_cfg){ .pgsize_bitmap = smmu->pgsize_bitmap };
	if (stage == SMMU_V3_S1) {
		cfg->format = IMS_PT_ARM_LPAE_S1;
		cfg->ias = IMS_MIN(smmu->vax ? 52u : 48u, SMMU_V3_CPU_VA_BITS);
		cfg->oas = smmu->ias;
		if (flags & IMS_ALLOC_DIRTY_TRACKING)
			cfg->features = IMS_PT_FEAT_DIRTY;
	} else {
		cfg->format = IMS_PT_ARM_LPAE_S2;
		cfg->ias = smmu->ias;
		cfg->oas = smmu->oas;
	}
}

/* Bind @d to @smmu for master @m (NULL: none known): stage, ID, page table. */
static int __finalise(struct smmu_v3_domain *d, struct smmu_v3 *smmu,
		      const struct smmu_v3_master *m, uint32_t flags)
{
	struct ims_pt_cfg cfg;
	int ret;

	ims_assert_held(&d->pd.init_lock);
	ret = choose_stage(smmu, flags, &d->stage);
	if (!ret)
		ret = alloc_id(smmu, d->stage, &d->id);
	if (ret)
		return ret;
	table_config(smmu, d->stage, flags, &cfg);
	ret = __ims_pgtbl_domain_finalise(&d->pd, smmu->iommu, &cfg);
	if (ret) {
		free_id(smmu, d->stage, d->id);
		return ret;
	}
	d->s1cdmax = m ? m->ssid_bits : 0;
	d->stall_enabled = m ? m->stall_enabled : false;
	return 0;
}

/* ---- attach ---- */

/* A device this driver does not serve: answer as the era did. */
static int refuse_foreign(struct ims_device *dev)
{
	int ret = ims_rule_errno(&rule_foreign_driver, dev, "%s is served by %s, not arm-smmu-v3",
				 dev->name, dev->iommu ? dev->iommu->ops->name : "no IOMMU");

	return ret <= 0 ? ret : -ENODEV;
}

static int __check_compatible(struct smmu_v3_domain *d, const struct smmu_v3_master *m,
			      struct ims_device *dev)
{
	int ret = IMS_RULE_PASS;

	ims_assert_held(&d->pd.init_lock);
	if (domain_smmu(d) != m->smmu)
		ret = ims_rule_errno(&rule_foreign_instance, dev, "domain bound to %s, device behind %s",
				     d->pd.domain.iommu->name, m->smmu->iommu->name);
	if (ret > 0 && d->stage == SMMU_V3_S1 && m->ssid_bits != d->s1cdmax)
		ret = ims_rule_errno(&rule_ssid_bits, dev, "%u SSID bits != %u", d->s1cdmax,
				     m->ssid_bits);
	if (ret > 0 && d->stage == SMMU_V3_S1 && m->stall_enabled != d->stall_enabled)
		ret = ims_rule_errno(&rule_stall_mode, dev, "domain is stall-%s",
				     d->stall_enabled ? "enabled" : "disabled");
	if (ret > 0 && d->enforce_cc && !m->canwbs)
		ret = ims_rule_errno(&rule_snoop_control, dev,
				     "domain enforces cache coherency, %s is not CANWBS", dev->name);
	return ret > 0 ? 0 : ret;
}

static int v3_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			 struct ims_domain *old)
{
	struct smmu_v3_domain *d = to_v3_domain(domain);
	struct smmu_v3_master *m = dev_master(dev);
	int ret;

	if (!m)
		return refuse_foreign(dev);
	ims_mutex_lock(&d->pd.init_lock);
	if (domain_smmu(d))
		ret = __check_compatible(d, m, dev);
	else
		ret = __finalise(d, m->smmu, m, 0);
	ims_mutex_unlock(&d->pd.init_lock);
	if (ret && !domain_smmu(d))
		ims_attach_reason("finalising the domain for %s failed", m->smmu->iommu->name);
	return ret;
}

/* The static identity (bypass STE) and blocked (abort STE) domains. */
static int v3_static_attach(struct ims_domain *domain, struct ims_device *dev,
			    struct ims_domain *old)
{
	return dev_master(dev) ? 0 : refuse_foreign(dev);
}

/* ---- other domain ops ---- */

/* Every master attached to @domain is CANWBS (arm_smmu_enforce_cache_coherency). */
static bool v3_enforce_cache_coherency(struct ims_domain *domain)
{
	struct smmu_v3_domain *d = to_v3_domain(domain);
	struct ims_core *core = domain->core;
	struct ims_device *dev;
	bool ok = era_enforces_cc(core);

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(dev, &core->devices, core_node)
		if (ok && dev->hw_domain == domain)
			ok = dev_master(dev) && dev_master(dev)->canwbs;
	ims_mutex_unlock(&core->lock);
	ims_mutex_lock(&d->pd.init_lock);
	d->enforce_cc = ok;
	ims_mutex_unlock(&d->pd.init_lock);
	return ok;
}

/* Dirty state lives in the page table (DBM): nothing to switch. */
static int v3_set_dirty_tracking(struct ims_domain *domain, bool enable)
{
	return domain->alloc_flags & IMS_ALLOC_DIRTY_TRACKING ? 0 : -EOPNOTSUPP;
}

static void v3_domain_free(struct ims_domain *domain)
{
	struct smmu_v3_domain *d = to_v3_domain(domain);

	if (domain_smmu(d))
		free_id(domain_smmu(d), d->stage, d->id);
	ims_pgtbl_domain_free(domain);
}

static const struct ims_domain_ops v3_paging_ops = {
	.attach_dev = v3_attach_dev,
	IMS_PGTBL_DOMAIN_OPS,
	.enforce_cache_coherency = v3_enforce_cache_coherency,
	.set_dirty_tracking = v3_set_dirty_tracking,
	.read_and_clear_dirty = ims_pgtbl_read_and_clear_dirty,
	.free = v3_domain_free,
};

static const struct ims_domain_ops v3_static_ops = {
	.attach_dev = v3_static_attach,
};

/* ---- iommu ops ---- */

static struct ims_domain *v3_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						 const void *user_data)
{
	const uint32_t known = IMS_ALLOC_NEST_PARENT | IMS_ALLOC_DIRTY_TRACKING | IMS_ALLOC_PASID;
	struct smmu_v3_master *m = dev ? dev_master(dev) : NULL;
	struct ims_domain *domain;
	struct smmu_v3_domain *d;
	int ret;

	if ((flags & ~known) || user_data || (flags && !m))
		return ERR_PTR(-EOPNOTSUPP);
	domain = ims_pgtbl_domain_alloc(sizeof(*d), &v3_paging_ops, UINT64_MAX, UINT64_MAX);
	if (IS_ERR(domain) || !m)
		return domain;
	d = to_v3_domain(domain);
	ims_mutex_lock(&d->pd.init_lock);
	ret = __finalise(d, m->smmu, m, flags);
	ims_mutex_unlock(&d->pd.init_lock);
	if (ret) {
		ims_pgtbl_domain_free(domain);
		return ERR_PTR(ret);
	}
	return domain;
}

static bool v3_capable(struct ims_device *dev, enum ims_cap cap)
{
	const struct smmu_v3_master *m = dev_master(dev);

	if (!m)
		return false;
	switch (cap) {
	case IMS_CAP_CACHE_COHERENCY:
		return m->smmu->coherent;
	case IMS_CAP_ENFORCE_CACHE_COHERENCY:
		return m->canwbs && era_enforces_cc(dev->core);
	case IMS_CAP_NOEXEC:
	case IMS_CAP_DEFERRED_FLUSH:
		return true;
	case IMS_CAP_DIRTY_TRACKING:
		return dbm_capable(m->smmu);
	default:
		return false;
	}
}

static unsigned int lg2_floor(uint32_t v)
{
	return v ? 31u - (unsigned int)__builtin_clz(v) : 0;
}

/* arm_smmu_probe_device: stream IDs in range, PASID bits, stall. */
static int v3_probe_device(struct ims_device *dev)
{
	const struct smmu_v3_master_cfg *cfg = dev->platform_data;
	struct smmu_v3 *smmu = dev->iommu->priv;
	struct smmu_v3_master *m;

	for (unsigned int i = 0; i < dev->nr_ids; i++) {
		if (smmu->sid_bits < 32 && dev->ids[i] >> smmu->sid_bits) {
			ims_dbg(IMS_LOG_CORE, "%s: stream ID 0x%x beyond %u bits", dev->name,
				dev->ids[i], smmu->sid_bits);
			return -ERANGE;
		}
	}
	m = ims_zalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->smmu = smmu;
	m->ssid_bits = IMS_MIN(smmu->ssid_bits, lg2_floor(dev->max_pasids));
	if (!smmu->cd2l)
		m->ssid_bits = IMS_MIN(m->ssid_bits, SMMU_V3_LINEAR_CDMAX);
	m->stall_enabled = smmu->stall_model == SMMU_V3_STALL_MODEL_FORCE ||
			   (smmu->stall_model == SMMU_V3_STALL_MODEL_STALL && cfg && cfg->can_stall);
	m->canwbs = cfg && cfg->canwbs;
	dev->priv = m;
	return 0;
}

static void v3_release_device(struct ims_device *dev)
{
	ims_free(dev->priv);
	dev->priv = NULL;
}

static struct ims_group *v3_device_group(struct ims_device *dev)
{
	return dev->bus == IMS_BUS_PCI ? ims_pci_device_group(dev) : ims_generic_device_group(dev);
}

static int v3_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	return ims_arm_sw_msi_region(list);
}

const struct ims_iommu_ops ims_smmu_v3_ops = {
	.name = "arm-smmu-v3",
	.capable = v3_capable,
	.domain_alloc_paging = v3_domain_alloc_paging,
	.static_identity = true,
	.static_blocked = true,
	.identity_ops = &v3_static_ops,
	.blocked_ops = &v3_static_ops,
	.probe_device = v3_probe_device,
	.release_device = v3_release_device,
	.device_group = v3_device_group,
	.get_resv_regions = v3_get_resv_regions,
	.pgsize_bitmap = UINT64_MAX,
};

/* ---- instances ---- */

static unsigned int oas_bits(uint32_t idr5)
{
	static const unsigned int bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned int code = idr5 & SMMU_V3_IDR5_OAS_MASK;

	/* An unknown size is truncated to 48 bits, as the kernel does. */
	return code < IMS_ARRAY_SIZE(bits) ? bits[code] : 48;
}

static uint64_t granule_sizes(uint32_t idr5)
{
	return (idr5 & SMMU_V3_IDR5_GRAN4K ? IMS_ARM_LPAE_4K_SIZES : 0) |
	       (idr5 & SMMU_V3_IDR5_GRAN16K ? IMS_ARM_LPAE_16K_SIZES : 0) |
	       (idr5 & SMMU_V3_IDR5_GRAN64K ? IMS_ARM_LPAE_64K_SIZES : 0);
}

static int refuse(const char **why, const char *reason)
{
	*why = reason;
	return -EINVAL;
}

/* arm_smmu_device_hw_probe(), the parts the model uses. */
static int decode(struct smmu_v3 *smmu, const struct smmu_v3_regs *r, const char **why)
{
	uint32_t ttf = r->idr0 & SMMU_V3_IDR0_TTF_MASK;

	smmu->regs = *r;
	smmu->s1 = r->idr0 & SMMU_V3_IDR0_S1P;
	smmu->s2 = r->idr0 & SMMU_V3_IDR0_S2P;
	if (!smmu->s1 && !smmu->s2)
		return refuse(why, "IDR0 has neither stage 1 nor stage 2");
	if (ttf != SMMU_V3_IDR0_TTF_AARCH64 && ttf != SMMU_V3_IDR0_TTF_BOTH)
		return refuse(why, "IDR0.TTF: AArch64 table format not supported");
	/* dma-coherent in the firmware overrides IDR0.COHACC, as the kernel's DT probe does */
	smmu->coherent = r->dma_coherent || (r->idr0 & SMMU_V3_IDR0_COHACC);
	smmu->hd = (r->idr0 & SMMU_V3_IDR0_HTTU_MASK) == SMMU_V3_IDR0_HTTU_AD;
	smmu->cd2l = r->idr0 & SMMU_V3_IDR0_CD2L;
	smmu->stall_model = (r->idr0 & SMMU_V3_IDR0_STALL_MASK) >> SMMU_V3_IDR0_STALL_SHIFT;
	smmu->asid_bits = r->idr0 & SMMU_V3_IDR0_ASID16 ? 16 : 8;
	smmu->vmid_bits = r->idr0 & SMMU_V3_IDR0_VMID16 ? 16 : 8;
	smmu->sid_bits = r->idr1 & SMMU_V3_IDR1_SIDSIZE_MASK;
	smmu->ssid_bits = (r->idr1 & SMMU_V3_IDR1_SSIDSIZE_MASK) >> SMMU_V3_IDR1_SSIDSIZE_SHIFT;
	smmu->oas = oas_bits(r->idr5);
	smmu->ias = IMS_MAX(smmu->oas, ttf == SMMU_V3_IDR0_TTF_BOTH ? 40u : 0u);
	smmu->vax = ((r->idr5 & SMMU_V3_IDR5_VAX_MASK) >> SMMU_V3_IDR5_VAX_SHIFT) == 1;
	smmu->pgsize_bitmap = granule_sizes(r->idr5);
	if (smmu->oas == 52 && (r->idr5 & SMMU_V3_IDR5_GRAN64K))
		smmu->pgsize_bitmap |= 1ull << 42; /* 4TB */
	if (!smmu->pgsize_bitmap)
		return refuse(why, "IDR5 names no translation granule");
	return 0;
}

static void smmu_v3_free(void *priv)
{
	struct smmu_v3 *smmu = priv;

	ims_idtable_destroy(&smmu->asids);
	ims_idtable_destroy(&smmu->vmids);
	ims_mutex_destroy(&smmu->id_lock);
	ims_free(smmu);
}

int ims_smmu_v3_register(struct ims_core *core, const char *name, const struct smmu_v3_regs *regs,
			 struct ims_iommu **out, const char **why)
{
	struct smmu_v3 *smmu = ims_zalloc(sizeof(*smmu));
	int ret;

	*why = "out of memory";
	if (!smmu)
		return -ENOMEM;
	ims_mutex_init(&smmu->id_lock);
	ret = decode(smmu, regs, why);
	ims_idtable_init(&smmu->asids, 1, (1u << smmu->asid_bits) - 1);
	ims_idtable_init(&smmu->vmids, 1, (1u << smmu->vmid_bits) - 1);
	if (!ret)
		ret = ims_iommu_register(core, name, &ims_smmu_v3_ops, smmu, smmu_v3_free,
					 &smmu->iommu);
	if (ret) {
		smmu_v3_free(smmu);
		return ret;
	}
	if (out)
		*out = smmu->iommu;
	return 0;
}

struct ims_iommu *ims_smmu_v3_domain_instance(struct ims_domain *domain)
{
	return is_v3_paging(domain) ? domain->iommu : NULL;
}

struct ims_pt *ims_smmu_v3_domain_pt(struct ims_domain *domain)
{
	return is_v3_paging(domain) ? to_v3_domain(domain)->pd.pt : NULL;
}
