// SPDX-License-Identifier: MIT
/*
 * VT-d units: what the kernel derives from CAP and ECAP (the address width,
 * page sizes, the default stage), domain IDs, the devices behind a unit
 * (probe, groups, default domain type, capabilities) and their reserved
 * regions.  Register bits are listed in intel-priv.h.
 *
 * Two eras of decisions live side by side:
 *   - today each decision is per unit (first_level_by_default(iommu),
 *     iommu_superpage_capability(iommu)): a domain is made for one unit and
 *     checked against every other unit at attach;
 *   - in 2022 domains were allocated per bus, before any unit was known,
 *     and took global decisions over every unit (scalable_mode_support(),
 *     intel_cap_flts_sanity(), domain_update_iommu_superpage()): the
 *     intel_global_* helpers.
 * Which applies is not a profile test: a domain allocated without a device
 * is a 2022 domain (see intel_attach.c).
 */
#include <errno.h>
#include <string.h>

#include "intel-priv.h"
#include "util/alloc.h"

/* __iommu_calculate_sagaw(): first-stage widths constrain scalable units. */
static unsigned int unit_sagaw(uint64_t cap, uint64_t ecap)
{
	unsigned int fl = (1u << 2) | (VTD_CAP_FL5LP(cap) ? 1u << 3 : 0);
	unsigned int sl = VTD_CAP_SAGAW(cap);

	if (!VTD_ECAP_SMTS(ecap) || !VTD_ECAP_FSTS(ecap))
		return sl;
	if (!VTD_ECAP_SSTS(ecap))
		return fl;
	return fl & sl;
}

/* iommu_calculate_agaw(): the widest supported width up to 57 bits; -1 if none. */
static int unit_agaw(uint64_t cap, uint64_t ecap)
{
	unsigned int sagaw = unit_sagaw(cap, ecap);
	int agaw;

	for (agaw = (VTD_DEFAULT_WIDTH - 30 + 8) / 9; agaw >= 0; agaw--)
		if (sagaw & (1u << agaw))
			break;
	return agaw;
}

static void unit_free(void *priv)
{
	struct intel_unit *u = priv;

	ims_idtable_destroy(&u->dids);
	ims_mutex_destroy(&u->lock);
	ims_free(u);
}

int ims_intel_register(struct ims_core *core, const char *name, uint64_t cap,
		       uint64_t ecap, struct ims_iommu **out)
{
	int agaw = unit_agaw(cap, ecap);
	struct intel_unit *u;
	int ret;

	/* agaw 0 (30 bits, 2 levels) and ND 7 are reserved; a guest address
	 * width below the 3-level 39 bits leaves nothing a table can use. */
	if (agaw < 1 || VTD_CAP_ND(cap) == 7 || VTD_CAP_MGAW(cap) < VTD_AGAW_WIDTH(1))
		return -EINVAL;
	u = ims_zalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->cap = cap;
	u->ecap = ecap;
	u->agaw = agaw;
	u->width = IMS_MIN(VTD_AGAW_WIDTH(agaw), VTD_CAP_MGAW(cap));
	ims_mutex_init(&u->lock);
	ims_idtable_init(&u->dids, VTD_FIRST_DID, (1u << (4 + 2 * VTD_CAP_ND(cap))) - 1);
	ret = ims_iommu_register(core, name, &ims_intel_ops, u, unit_free, &u->iommu);
	if (ret) {
		unit_free(u);
		return ret;
	}
	if (out)
		*out = u->iommu;
	return 0;
}

uint64_t ims_intel_unit_cap(const struct ims_iommu *iommu)
{
	return intel_unit_of(iommu)->cap;
}

uint64_t ims_intel_unit_ecap(const struct ims_iommu *iommu)
{
	return intel_unit_of(iommu)->ecap;
}

unsigned int ims_intel_unit_dids_used(const struct ims_iommu *iommu)
{
	struct intel_unit *u = intel_unit_of(iommu);
	unsigned int n;

	ims_mutex_lock(&u->lock);
	n = u->dids.count;
	ims_mutex_unlock(&u->lock);
	return n;
}

/* ---- the stage and page sizes a domain gets ---- */

bool intel_unit_first_stage_default(const struct intel_unit *u)
{
	if (!vtd_sm(u))
		return false; /* only the second stage exists in legacy mode */
	if (VTD_ECAP_FSTS(u->ecap) != VTD_ECAP_SSTS(u->ecap))
		return VTD_ECAP_FSTS(u->ecap);
	return true;
}

/* Large pages from a superpage level (1: 2 MiB, 2: 2 MiB and 1 GiB). */
static uint64_t super_sizes(unsigned int level)
{
	return level == 1 ? SZ_2M : level == 2 ? SZ_2M | SZ_1G : 0;
}

static unsigned int fls32(unsigned int x)
{
	return x ? 32u - (unsigned int)__builtin_clz(x) : 0;
}

/* iommu_superpage_capability(): FL1GP, or the highest SLLPS bit. */
uint64_t intel_unit_pgsizes(const struct intel_unit *u, bool first_stage)
{
	unsigned int level = first_stage ? (VTD_CAP_FL1GP(u->cap) ? 2 : 1)
					 : fls32(VTD_CAP_SLLPS(u->cap));

	return SZ_4K | super_sizes(level);
}

#define for_each_intel_unit(core, it, u)                                   \
	ims_list_for_each_entry(it, &(core)->iommus, node)                 \
		if ((it)->ops == &ims_intel_ops && ((u) = (it)->priv) != NULL)

/* first_level_by_default(type), v5.19: every unit decides together. */
bool intel_global_first_stage(struct ims_core *core, enum ims_domain_type type)
{
	bool sm = true, all_fs = true, all_ss = true;
	struct ims_iommu *it;
	struct intel_unit *u;

	ims_mutex_lock(&core->lock);
	for_each_intel_unit(core, it, u) {
		sm &= vtd_sm(u);
		all_fs &= VTD_ECAP_FSTS(u->ecap);
		all_ss &= VTD_ECAP_SSTS(u->ecap);
	}
	ims_mutex_unlock(&core->lock);
	if (!sm)
		return false;
	if (all_fs != all_ss)
		return all_fs;
	return type != IMS_DOMAIN_UNMANAGED;
}

/* domain_update_iommu_superpage(), v5.19: the smallest common support. */
uint64_t intel_global_pgsizes(struct ims_core *core, bool first_stage)
{
	unsigned int mask = 0x3;
	struct ims_iommu *it;
	struct intel_unit *u;

	ims_mutex_lock(&core->lock);
	for_each_intel_unit(core, it, u) {
		if (first_stage && !VTD_CAP_FL1GP(u->cap))
			mask = 0x1;
		else if (!first_stage)
			mask &= VTD_CAP_SLLPS(u->cap);
	}
	ims_mutex_unlock(&core->lock);
	return SZ_4K | super_sizes(fls32(mask));
}

/* ---- domain references on units (domain_attach_iommu) ---- */

static struct intel_unit_ref *find_ref(struct intel_domain *dd, struct intel_unit *u)
{
	for (size_t i = 0; i < dd->nr_units; i++)
		if (dd->units[i].unit == u)
			return &dd->units[i];
	return NULL;
}

static void release_did(struct intel_unit *u, uint32_t did)
{
	ims_mutex_lock(&u->lock);
	ims_idtable_remove(&u->dids, did);
	ims_mutex_unlock(&u->lock);
}

static int __add_ref(struct intel_domain *dd, struct intel_unit *u)
{
	struct intel_unit_ref *grown;
	uint32_t did;
	int ret;

	ims_assert_held(&dd->lock);
	ims_mutex_lock(&u->lock);
	ret = ims_idtable_alloc(&u->dids, dd, &did);
	ims_mutex_unlock(&u->lock);
	if (ret)
		return ret;
	grown = ims_realloc_array(dd->units, dd->nr_units + 1, sizeof(*grown));
	if (!grown) {
		release_did(u, did);
		return -ENOMEM;
	}
	dd->units = grown;
	dd->units[dd->nr_units++] = (struct intel_unit_ref){ u, 1, did };
	return 0;
}

static void __put_ref(struct intel_domain *dd, struct intel_unit *u)
{
	struct intel_unit_ref *ref = find_ref(dd, u);

	ims_assert_held(&dd->lock);
	if (ref && !--ref->refcnt) {
		release_did(u, ref->did);
		*ref = dd->units[--dd->nr_units];
	}
}

int intel_dev_link(struct intel_dev *info, struct intel_domain *dd)
{
	struct intel_unit_ref *ref;
	int ret = 0;

	ims_mutex_lock(&dd->lock);
	ref = find_ref(dd, info->unit);
	if (ref)
		ref->refcnt++;
	else
		ret = __add_ref(dd, info->unit);
	if (!ret) {
		ims_list_add_tail(&info->link, &dd->devices);
		info->domain = dd;
	}
	ims_mutex_unlock(&dd->lock);
	if (ret == -ENOSPC)
		ims_attach_reason("%s has no free domain ID", info->unit->iommu->name);
	return ret;
}

void intel_dev_unlink(struct intel_dev *info)
{
	struct intel_domain *dd = info->domain;

	if (!dd)
		return;
	ims_mutex_lock(&dd->lock);
	ims_list_del(&info->link);
	__put_ref(dd, info->unit);
	info->domain = NULL;
	ims_mutex_unlock(&dd->lock);
}

void intel_domain_unlink_all(struct intel_domain *dd)
{
	struct intel_dev *info, *tmp;

	ims_mutex_lock(&dd->lock);
	ims_list_for_each_entry_safe(info, tmp, &dd->devices, link) {
		ims_list_del(&info->link);
		info->domain = NULL;
	}
	for (size_t i = 0; i < dd->nr_units; i++)
		release_did(dd->units[i].unit, dd->units[i].did);
	dd->nr_units = 0;
	ims_mutex_unlock(&dd->lock);
}

/* ---- devices ---- */

static struct intel_unit *dev_unit(struct ims_device *dev)
{
	return intel_unit_of(dev->iommu);
}

static bool intel_capable(struct ims_device *dev, enum ims_cap cap)
{
	const struct intel_unit *u = dev_unit(dev);

	switch (cap) {
	case IMS_CAP_CACHE_COHERENCY:
	case IMS_CAP_DEFERRED_FLUSH:
		return true;
	case IMS_CAP_ENFORCE_CACHE_COHERENCY:
		return VTD_ECAP_SC(u->ecap);
	case IMS_CAP_DIRTY_TRACKING:
		return vtd_ssads(u);
	default:
		return false;
	}
}

static int intel_probe_device(struct ims_device *dev)
{
	struct intel_dev *info = ims_zalloc(sizeof(*info));

	if (!info)
		return -ENOMEM;
	info->unit = dev_unit(dev);
	info->master = dev->platform_data;
	dev->priv = info;
	return 0;
}

static void intel_release_device(struct ims_device *dev)
{
	struct intel_dev *info = dev->priv;

	if (info)
		intel_dev_unlink(info);
	ims_free(info);
	dev->priv = NULL;
}

static struct ims_group *intel_device_group(struct ims_device *dev)
{
	return dev->bus == IMS_BUS_PCI ? ims_pci_device_group(dev) : ims_generic_device_group(dev);
}

/* device_def_domain_type(): without pass-through hardware, always DMA. */
static int intel_def_domain_type(struct ims_device *dev)
{
	return VTD_ECAP_PT(dev_unit(dev)->ecap) ? 0 : IMS_DOMAIN_DMA;
}

/* ---- reserved regions (intel_iommu_get_resv_regions) ---- */

#define PCI_CLASS_SERIAL_USB  0x0c03
#define PCI_BASE_CLASS_DISPLAY 0x03
#define PCI_CLASS_BRIDGE_ISA  0x0601

/* device_rmrr_is_relaxable(): USB and graphics RMRRs may be dropped. */
bool intel_rmrr_relaxable(const struct ims_device *dev)
{
	uint32_t class = dev->pci.class_code;

	return dev->bus == IMS_BUS_PCI &&
	       ((class >> 8) == PCI_CLASS_SERIAL_USB || (class >> 16) == PCI_BASE_CLASS_DISPLAY);
}

static int add_region(struct ims_resv_list *list, uint64_t start, uint64_t length, int prot,
		      enum ims_resv_type type)
{
	const struct ims_resv_region r = { start, length, prot, type };

	return ims_resv_list_insert(list, &r);
}

/* The RMRRs whose device scope is @scope, NULL if none (or not ours). */
static const struct ims_intel_master *scope_rmrrs(const struct ims_device *scope)
{
	const struct ims_intel_master *m = scope->platform_data;

	if (!m || !m->nr_rmrr || !scope->iommu || scope->iommu->ops != &ims_intel_ops)
		return NULL;
	return m;
}

/* The device itself, then each bridge above it (is_downstream_to_pci_bridge). */
static const struct ims_device *scope_up(const struct ims_device *scope)
{
	return scope->bus == IMS_BUS_PCI ? scope->pci.upstream : NULL;
}

bool intel_dev_has_rmrr(const struct ims_device *dev)
{
	for (const struct ims_device *scope = dev; scope; scope = scope_up(scope))
		if (scope_rmrrs(scope))
			return true;
	return false;
}

static int add_rmrrs(const struct ims_device *dev, const struct ims_device *scope,
		     struct ims_resv_list *list)
{
	const struct ims_intel_master *m = scope_rmrrs(scope);
	enum ims_resv_type type = intel_rmrr_relaxable(dev) ? IMS_RESV_DIRECT_RELAXABLE : IMS_RESV_DIRECT;
	int ret = 0;

	if (!m)
		return 0;
	for (unsigned int i = 0; !ret && i < m->nr_rmrr; i++)
		ret = add_region(list, m->rmrr[i].base, m->rmrr[i].length,
				 IMS_PROT_READ | IMS_PROT_WRITE, type);
	return ret;
}

static int intel_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	const struct ims_device *scope;
	int ret = 0;

	for (scope = dev; !ret && scope; scope = scope_up(scope))
		ret = add_rmrrs(dev, scope, list);
	/* CONFIG_INTEL_IOMMU_FLOPPY_WA: ISA bridges keep the low 16 MiB. */
	if (!ret && dev->bus == IMS_BUS_PCI && (dev->pci.class_code >> 8) == PCI_CLASS_BRIDGE_ISA)
		ret = add_region(list, 0, 1ull << 24, IMS_PROT_READ | IMS_PROT_WRITE,
				 IMS_RESV_DIRECT_RELAXABLE);
	if (!ret)
		ret = add_region(list, IMS_INTEL_IOAPIC_START,
				 IMS_INTEL_IOAPIC_END - IMS_INTEL_IOAPIC_START + 1, 0, IMS_RESV_MSI);
	return ret;
}

const struct ims_iommu_ops ims_intel_ops = {
	.name = "intel",
	.capable = intel_capable,
	.domain_alloc_paging = intel_domain_alloc_paging,
	.static_identity = true,
	.static_blocked = true,
	.identity_ops = &intel_static_ops,
	.blocked_ops = &intel_static_ops,
	.def_domain_type = intel_def_domain_type,
	.probe_device = intel_probe_device,
	.release_device = intel_release_device,
	.device_group = intel_device_group,
	.get_resv_regions = intel_get_resv_regions,
	.pgsize_bitmap = SZ_4K,
};
