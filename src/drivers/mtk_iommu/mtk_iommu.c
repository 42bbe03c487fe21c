// SPDX-License-Identifier: MIT
/*
 * The MediaTek M4U driver model (see mtk_iommu.h), after
 * drivers/iommu/mtk_iommu.c.
 *
 * Attach (mtk_iommu_attach_device), step by step:
 *   1. the device's IOVA region (one region on the modelled SoCs: a
 *      device's dma-ranges choose among several on mt8192/mt8195, which
 *      the model does not read);
 *   2. a domain not yet bound is finalised against the first M4U of the
 *      device's hardware list (frstdata): it takes the shared table if
 *      there is one, else a new table (failure: ENOMEM today, ENODEV in
 *      2022 when the driver replaced every finalise error), and the
 *      region as its aperture; then it is bound to the bank of the
 *      device's own M4U;
 *   3. a bank not yet initialised takes the domain's table into its base
 *      register; an initialised bank keeps the table it has;
 *   4. the master's larb ports are switched to the M4U; 0.
 *
 * There is no incompatibility check, so nothing answers EINVAL.  What the
 * real code does with a second domain, per era:
 *   - before v6.5 (legacy, seed), finalise gave every new domain the table
 *     of bank 0 of the first M4U if that bank had a domain ("Use the exist
 *     domain as there is only one pgtable here"; later "Always use bank0
 *     in sharing pgtable case"): every domain of a hardware list shares
 *     one table, so a second domain attaches and the device translates
 *     through it, together with every other domain's mappings;
 *   - since "iommu/mediatek: Fix two IOMMU share pagetable issue"
 *     (20230602090227.7264-3-yong.wu@mediatek.com, v6.5), only
 *     SHARE_PGTABLE platforms share; elsewhere (mt8173) a second domain
 *     gets its own table, and the bank, initialised for the default
 *     domain at boot, keeps walking the first table: attach answers 0 and
 *     the device does not use the domain (silent).
 * The same holds for a domain finalised on one M4U and attached to a
 * device of another whose bank walks another table (silent), and for two
 * M4Us of a SHARE_PGTABLE list (one table: the attach works, and so does
 * every domain of the list).
 *
 * The era of step 2 is a rule-shaped fact (era_bank_table below); the
 * bank's silent refusal is a rule answered IMS_ERR_SILENT in every era.
 *
 * Map: in 4 GB mode the M4U reaches DRAM below 4 GiB at +4 GiB, so the
 * driver sets PA bit 32 on map and clears it on iova_to_phys above the
 * remap base (0x1_4000_0000).  Domains: 4K/64K/1M/16M, aperture = the
 * region.  Groups: one per region per hardware list.  Default domain:
 * DMA.  No capabilities, no reserved regions (one region).
 *
 * Locking: an M4U's bank and shared-table state under its mutex (the
 * driver's data->mutex); a domain's binding under the domain's mutex
 * (dom->mutex).  Order: domain, then M4U (frstdata before the device's own
 * M4U when they differ: both are only ever taken in that order).  Tables
 * are reference-counted: every domain using one, and every bank walking
 * one, holds a reference (a bank keeps its table even after the domain is
 * freed, as the hardware keeps the address in its register).
 */
#include "mtk_iommu.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "drivers/soc32/soc32.h"
#include "util/alloc.h"
#include "util/log.h"

#define SZ_4K (1ull << 12)
#define SZ_64K (1ull << 16)
#define SZ_1M (1ull << 20)
#define SZ_16M (1ull << 24)
#define MTK_PGSIZES (SZ_4K | SZ_64K | SZ_1M | SZ_16M)
#define MTK_4GB_REMAP_BASE 0x140000000ull
#define MTK_REGION_LAST ((1ull << 32) - 1) /* region 0: 0 .. 4 GiB */

const struct ims_mtk_plat ims_mtk_plats[] = {
	{ .compatible = "mediatek,mt8173-m4u", .has_4gb_mode = true },
	{ .compatible = "mediatek,mt8195-iommu-vdo", .iova_34 = true, .share_pgtable = "mt8195-mm" },
	{ .compatible = "mediatek,mt8195-iommu-vpp", .iova_34 = true, .share_pgtable = "mt8195-mm" },
	{ 0 },
};

struct mtk_table {
	struct ims_pt *pt;
	atomic_uint refs;
};

struct mtk_m4u {
	struct ims_iommu *iommu;
	struct ims_mtk_cfg cfg;
	struct ims_mutex mutex;        /* protects the fields below */
	struct mtk_table *bank_table;  /* what bank 0's base register points at */
	uint32_t bank_domain;          /* the domain it was set for (for traces) */
	struct mtk_table *share_table; /* SHARE_PGTABLE: the list's one table */
};

struct mtk_domain {
	struct ims_domain domain;
	struct ims_mutex mutex;        /* protects bank and table */
	struct mtk_m4u *bank;          /* the M4U whose bank it is bound to */
	struct mtk_table *table;
	bool enable_4gb;
};

/* The attach conditions, with their answer per era. */
static const struct ims_attach_rule rule_bank_busy = {
	"other-active-domain", /* the bank walks another domain's table */
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_SILENT, [IMS_PROFILE_SEED] = IMS_ERR_SILENT,
	  [IMS_PROFILE_LEGACY] = IMS_ERR_SILENT },
};
static const struct ims_attach_rule rule_finalise = {
	"finalise-failed", /* the page table cannot be allocated */
	{ [IMS_PROFILE_UPSTREAM] = ENOMEM, [IMS_PROFILE_SEED] = ENODEV,
	  [IMS_PROFILE_LEGACY] = ENODEV },
};
/*
 * An era fact in the rule encoding, not an attach check: IMS_ERR_NONE where
 * finalise no longer hands bank 0's table to every new domain (v6.5 on).
 */
static const struct ims_attach_rule era_bank_table = {
	"bank-table-for-all",
	{ [IMS_PROFILE_UPSTREAM] = IMS_ERR_NONE, [IMS_PROFILE_SEED] = IMS_ERR_SILENT,
	  [IMS_PROFILE_LEGACY] = IMS_ERR_SILENT },
};

static struct mtk_domain *to_mtk(struct ims_domain *domain)
{
	return ims_container_of(domain, struct mtk_domain, domain);
}

static struct mtk_table *table_get(struct mtk_table *t)
{
	if (t)
		atomic_fetch_add(&t->refs, 1);
	return t;
}

static void table_put(struct mtk_table *t)
{
	if (t && atomic_fetch_sub(&t->refs, 1) == 1) {
		ims_pt_destroy(t->pt);
		ims_free(t);
	}
}

static struct mtk_table *table_new(const struct mtk_m4u *frst)
{
	const struct ims_mtk_plat *plat = frst->cfg.plat;
	struct ims_pt_cfg cfg = {
		.format = IMS_PT_ARM_V7S,
		.features = IMS_PT_FEAT_MTK_EXT | IMS_PT_FEAT_NS,
		.ias = plat->iova_34 ? 34 : 32,
		.oas = plat->has_4gb_mode ? (frst->cfg.enable_4gb ? 33 : 32) : 35,
		.pgsize_bitmap = MTK_PGSIZES,
	};
	struct mtk_table *t = ims_zalloc(sizeof(*t));

	if (!t || ims_pt_create(&cfg, &t->pt)) {
		ims_free(t);
		return NULL;
	}
	atomic_init(&t->refs, 1);
	return t;
}

/* Two M4Us of one hardware list: the same one, or SHARE_PGTABLE peers. */
static bool same_list(const struct ims_iommu *a, const struct ims_iommu *b)
{
	const char *la = ((const struct mtk_m4u *)a->priv)->cfg.plat->share_pgtable;
	const char *lb = ((const struct mtk_m4u *)b->priv)->cfg.plat->share_pgtable;

	return a == b || (la && lb && !strcmp(la, lb));
}

/* The first M4U of @m4u's hardware list: itself, or the first of its SHARE_PGTABLE peers. */
static struct mtk_m4u *first_of_list(struct mtk_m4u *m4u)
{
	struct ims_core *core = m4u->iommu->core;
	struct mtk_m4u *frst = m4u;
	struct ims_iommu *iommu;

	if (!m4u->cfg.plat->share_pgtable)
		return m4u;
	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(iommu, &core->iommus, node) {
		if (iommu->ops == &ims_mtk_ops && same_list(iommu, m4u->iommu)) {
			frst = iommu->priv;
			break;
		}
	}
	ims_mutex_unlock(&core->lock);
	return frst;
}

/* The table finalise hands to a new domain: the shared one, bank 0's (before v6.5), or none. */
static struct mtk_table *__existing_table(struct mtk_m4u *frst, struct ims_device *dev)
{
	ims_assert_held(&frst->mutex);
	if (frst->cfg.plat->share_pgtable && frst->share_table)
		return frst->share_table;
	if (ims_rule_answer(&era_bank_table, dev->core->facts->profile) != IMS_ERR_NONE)
		return frst->bank_table;
	return NULL;
}

/* mtk_iommu_domain_finalise, then the binding to the device's bank. */
static int finalise(struct mtk_domain *md, struct mtk_m4u *m4u, struct ims_device *dev)
{
	struct mtk_m4u *frst = first_of_list(m4u);
	struct mtk_table *table;

	ims_mutex_lock(&frst->mutex);
	table = table_get(__existing_table(frst, dev));
	if (table)
		ims_attach_reason("takes the page table %s's bank 0 walks (domain %u)",
				  frst->iommu->name, frst->bank_domain);
	if (!table) {
		table = table_new(frst);
		if (table && frst->cfg.plat->share_pgtable)
			frst->share_table = table_get(table);
	}
	ims_mutex_unlock(&frst->mutex);
	if (!table)
		return ims_rule_errno(&rule_finalise, dev, "cannot allocate the page table");
	md->table = table;
	md->enable_4gb = frst->cfg.enable_4gb;
	md->domain.pgsize_bitmap = ims_pt_config(table->pt)->pgsize_bitmap;
	md->domain.geometry.aperture_start = 0;
	md->domain.geometry.aperture_end = MTK_REGION_LAST;
	md->bank = m4u;
	return 0;
}

/* Bank 0 of @m4u: initialised for the first domain, deaf to every later table. */
static int bind_bank(struct mtk_domain *md, struct mtk_m4u *m4u, struct ims_device *dev)
{
	uint32_t walking;

	ims_mutex_lock(&m4u->mutex);
	if (!m4u->bank_table) {
		m4u->bank_table = table_get(md->table);
		m4u->bank_domain = md->domain.id;
	}
	walking = m4u->bank_table == md->table ? 0 : m4u->bank_domain;
	ims_mutex_unlock(&m4u->mutex);
	if (!walking)
		return 0;
	return ims_rule_errno(&rule_bank_busy, dev, "bank 0 of %s keeps the table of domain %u",
			      dev->iommu->name, walking);
}

static int mtk_attach_dev(struct ims_domain *domain, struct ims_device *dev,
			  struct ims_domain *old)
{
	struct mtk_domain *md = to_mtk(domain);
	struct mtk_m4u *m4u;
	int ret = 0;

	if (!soc32_served_by(dev, &ims_mtk_ops)) {
		ims_attach_reason("%s is not an M4U master", dev->name);
		return -ENODEV;
	}
	m4u = dev->iommu->priv;
	ims_mutex_lock(&md->mutex);
	if (!md->bank)
		ret = finalise(md, m4u, dev);
	ims_mutex_unlock(&md->mutex);
	if (ret)
		return ret;
	return bind_bank(md, m4u, dev);
}

static int mtk_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr, size_t pgsize,
			 size_t count, int prot, size_t *mapped)
{
	struct mtk_domain *md = to_mtk(domain);

	/* "The 4GB mode M4U physically can not use the lower remap of Dram." */
	if (md->enable_4gb)
		paddr |= 1ull << 32;
	return soc32_map(md->table ? md->table->pt : NULL, iova, paddr, pgsize, count, prot, mapped,
			 pgsize, EEXIST);
}

static size_t mtk_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
			      size_t count, ims_iotlb_gather *gather)
{
	struct mtk_domain *md = to_mtk(domain);

	return md->table ? ims_pt_unmap(md->table->pt, iova, pgsize, count, gather) : 0;
}

static uint64_t mtk_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	struct mtk_domain *md = to_mtk(domain);
	uint64_t pa = md->table ? ims_pt_iova_to_phys(md->table->pt, iova) : 0;

	if (md->enable_4gb && pa >= MTK_4GB_REMAP_BASE)
		pa &= ~(1ull << 32);
	return pa;
}

static void mtk_domain_free(struct ims_domain *domain)
{
	struct mtk_domain *md = to_mtk(domain);

	table_put(md->table);
	ims_mutex_destroy(&md->mutex);
	ims_free(md);
}

static const struct ims_domain_ops mtk_paging_ops = {
	.attach_dev = mtk_attach_dev,
	.map_pages = mtk_map_pages,
	.unmap_pages = mtk_unmap_pages,
	.iotlb_sync = soc32_iotlb_sync,
	.iova_to_phys = mtk_iova_to_phys,
	.free = mtk_domain_free,
};

/* mtk_iommu_identity_attach: the master's ports bypass the M4U. */
static int mtk_identity_attach(struct ims_domain *domain, struct ims_device *dev,
			       struct ims_domain *old)
{
	return 0;
}

static const struct ims_domain_ops mtk_identity_ops = {
	.attach_dev = mtk_identity_attach,
};

static struct ims_domain *mtk_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
						  const void *user_data)
{
	struct mtk_domain *md;

	if (flags || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	md = ims_zalloc(sizeof(*md));
	if (!md)
		return ERR_PTR(-ENOMEM);
	ims_mutex_init(&md->mutex);
	ims_domain_init(&md->domain, &mtk_paging_ops, MTK_PGSIZES, 0, MTK_REGION_LAST);
	return &md->domain;
}

/* One group per IOVA region of a hardware list (data->m4u_group[region] of frstdata). */
static bool same_list_and_region(const struct ims_device *dev, const struct ims_device *other)
{
	return soc32_served_by(other, &ims_mtk_ops) && same_list(dev->iommu, other->iommu);
}

static struct ims_group *mtk_device_group(struct ims_device *dev)
{
	return soc32_group_with(dev, same_list_and_region);
}

const struct ims_iommu_ops ims_mtk_ops = {
	.name = "mtk_iommu",
	.domain_alloc_paging = mtk_domain_alloc_paging,
	.static_identity = true,
	.identity_ops = &mtk_identity_ops,
	.device_group = mtk_device_group,
	.pgsize_bitmap = MTK_PGSIZES,
};

static void mtk_m4u_free(void *priv)
{
	struct mtk_m4u *m4u = priv;

	table_put(m4u->bank_table);
	table_put(m4u->share_table);
	ims_mutex_destroy(&m4u->mutex);
	ims_free(m4u);
}

int ims_mtk_register(struct ims_core *core, const char *name, const struct ims_mtk_cfg *cfg,
		     struct ims_iommu **out)
{
	struct mtk_m4u *m4u = ims_zalloc(sizeof(*m4u));
	int ret;

	if (!m4u)
		return -ENOMEM;
	m4u->cfg = *cfg;
	ims_mutex_init(&m4u->mutex);
	ret = ims_iommu_register(core, name, &ims_mtk_ops, m4u, mtk_m4u_free, &m4u->iommu);
	if (ret) {
		ims_mutex_destroy(&m4u->mutex);
		ims_free(m4u);
		return ret;
	}
	if (out)
		*out = m4u->iommu;
	return 0;
}

uint32_t ims_mtk_bank_domain_id(struct ims_iommu *iommu)
{
	struct mtk_m4u *m4u;
	uint32_t id;

	if (!iommu || iommu->ops != &ims_mtk_ops)
		return 0;
	m4u = iommu->priv;
	ims_mutex_lock(&m4u->mutex);
	id = m4u->bank_table ? m4u->bank_domain : 0;
	ims_mutex_unlock(&m4u->mutex);
	return id;
}

bool ims_mtk_domains_share_table(struct ims_domain *a, struct ims_domain *b)
{
	if (!ims_domain_owned_by(a, &ims_mtk_ops) || !ims_domain_owned_by(b, &ims_mtk_ops))
		return false;
	return to_mtk(a)->table && to_mtk(a)->table == to_mtk(b)->table;
}
