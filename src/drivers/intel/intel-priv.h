/* SPDX-License-Identifier: MIT */
/*
 * VT-d model internals, shared by the files of src/drivers/intel/.
 *
 * Register bits used (Intel Virtualization Technology for Directed I/O,
 * Architecture Specification, §11.4.2 Capability Register, §11.4.3
 * Extended Capability Register), with the kernel's decoding
 * (drivers/iommu/intel/iommu.h):
 *
 *   CAP  2:0   ND      domains supported: 2^(4 + 2*ND) domain IDs (7 reserved)
 *   CAP  4     RWBF    write buffers must be flushed: maps need a sync
 *   CAP  7     CM      caching mode (virtual units): maps need a sync
 *   CAP  12:8  SAGAW   supported second-stage widths: bit1 39-bit (3 levels),
 *                      bit2 48-bit (4 levels), bit3 57-bit (5 levels)
 *   CAP  21:16 MGAW    maximum guest address width - 1
 *   CAP  37:34 SLLPS   second-stage large pages: bit0 2 MiB, bit1 1 GiB
 *   CAP  56    FL1GP   first-stage 1 GiB pages
 *   CAP  60    FL5LP   first-stage 5-level paging
 *   ECAP 0     C       page-walk coherency (legacy mode)
 *   ECAP 3     IR      interrupt remapping (msi_remapping, chapter 5)
 *   ECAP 6     PT      pass-through (identity) translation
 *   ECAP 7     SC      snoop control: force snooping (§3.10)
 *   ECAP 26    NEST    nested translation
 *   ECAP 43    SMTS    scalable mode (§3.4.3); the model runs it whenever
 *                      present, as intel_iommu=sm_on does
 *   ECAP 45    SSADS   second-stage accessed/dirty (§3.9); the kernel also
 *                      wants SMPWC before it uses it
 *   ECAP 46    SSTS    second-stage translation in scalable mode (§3.7)
 *   ECAP 47    FSTS    first-stage translation (§3.6)
 *   ECAP 48    SMPWC   page-walk coherency (scalable mode)
 *
 * Units (struct intel_unit) carry these registers, the address width the
 * kernel computes from them and the unit's domain-ID table.  Domains
 * (struct intel_domain) span units: each unit a domain is attached through
 * holds one domain ID for it (struct intel_unit_ref).  Devices keep the
 * paging domain their context entry points at (struct intel_dev).
 *
 * Locking: a device's state changes under its group mutex (the core's
 * rule).  A domain's unit references are shared by the groups attached to
 * it: intel_domain.lock (the kernel's domain->lock).  A unit's domain-ID
 * table is shared by every domain: intel_unit.lock (iommu->lock).  Order:
 * group mutex, domain lock, unit lock.
 */
#ifndef IMS_DRIVERS_INTEL_PRIV_H
#define IMS_DRIVERS_INTEL_PRIV_H

#include "intel.h"
#include "util/idtable.h"
#include "util/lock.h"

#define VTD_CAP_ND(c)      ((unsigned int)((c) & 0x7))
#define VTD_CAP_RWBF(c)    (((c) >> 4) & 1)
#define VTD_CAP_CM(c)      (((c) >> 7) & 1)
#define VTD_CAP_SAGAW(c)   ((unsigned int)(((c) >> 8) & 0x1f))
#define VTD_CAP_MGAW(c)    ((unsigned int)((((c) >> 16) & 0x3f) + 1))
#define VTD_CAP_SLLPS(c)   ((unsigned int)(((c) >> 34) & 0xf))
#define VTD_CAP_FL1GP(c)   (((c) >> 56) & 1)
#define VTD_CAP_FL5LP(c)   (((c) >> 60) & 1)

#define VTD_ECAP_C(e)      ((e) & 1)
#define VTD_ECAP_IR(e)     (((e) >> 3) & 1)
#define VTD_ECAP_PT(e)     (((e) >> 6) & 1)
#define VTD_ECAP_SC(e)     (((e) >> 7) & 1)
#define VTD_ECAP_NEST(e)   (((e) >> 26) & 1)
#define VTD_ECAP_SMTS(e)   (((e) >> 43) & 1)
#define VTD_ECAP_SSADS(e)  (((e) >> 45) & 1)
#define VTD_ECAP_SSTS(e)   (((e) >> 46) & 1)
#define VTD_ECAP_FSTS(e)   (((e) >> 47) & 1)
#define VTD_ECAP_SMPWC(e)  (((e) >> 48) & 1)

/* agaw n translates 30 + 9n bits with n + 2 levels (§3.7.1). */
#define VTD_AGAW_WIDTH(agaw)  (30u + 9u * (unsigned int)(agaw))
#define VTD_AGAW_LEVELS(agaw) ((unsigned int)(agaw) + 2u)
#define VTD_DEFAULT_WIDTH 57   /* DEFAULT_DOMAIN_ADDRESS_WIDTH */
#define VTD_FIRST_DID 2        /* 0: caching mode, 1: first-stage default */

#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)

struct intel_unit {
	struct ims_iommu *iommu;
	uint64_t cap, ecap;
	int agaw;                 /* iommu_calculate_agaw() */
	unsigned int width;       /* min(agaw width, MGAW): a domain's gaw */
	struct ims_mutex lock;    /* protects @dids */
	struct ims_idtable dids;  /* domain IDs */
};

struct intel_unit_ref {
	struct intel_unit *unit;
	unsigned int refcnt;      /* devices attached through the unit */
	uint32_t did;
};

struct intel_domain {
	struct ims_domain domain;
	struct ims_pt *pt;
	bool finalised;           /* stage, widths and page sizes decided */
	bool first_stage;
	bool coherent;            /* page-walk coherency it was set up for */
	bool iotlb_sync_map;      /* made for a unit needing write-buffer flushes */
	bool force_snooping;
	bool set_pte_snp;         /* second stage: SNP in every new leaf */
	bool has_mappings;
	int agaw;
	unsigned int gaw;
	uint64_t max_addr;        /* end of the highest mapping */
	struct ims_mutex lock;    /* protects @units, @nr_units, @devices */
	struct intel_unit_ref *units;
	size_t nr_units;
	struct ims_list devices;  /* intel_dev.link of the devices using it */
};

struct intel_dev {
	struct intel_unit *unit;
	const struct ims_intel_master *master;
	struct intel_domain *domain;   /* paging domain its context uses */
	struct ims_list link;          /* domain->devices */
};

static inline struct intel_unit *intel_unit_of(const struct ims_iommu *iommu)
{
	return iommu->priv;
}

static inline struct intel_domain *to_intel_domain(struct ims_domain *domain)
{
	return ims_container_of(domain, struct intel_domain, domain);
}

/* Capability predicates, as the kernel's sm_supported() and friends. */
static inline bool vtd_sm(const struct intel_unit *u)
{
	return VTD_ECAP_SMTS(u->ecap);
}

static inline bool vtd_fs(const struct intel_unit *u)
{
	return vtd_sm(u) && VTD_ECAP_FSTS(u->ecap);
}

/* Second stage is always there in legacy mode (ECAP.SSTS is scalable mode's). */
static inline bool vtd_ss(const struct intel_unit *u)
{
	return !vtd_sm(u) || VTD_ECAP_SSTS(u->ecap);
}

static inline bool vtd_ssads(const struct intel_unit *u)
{
	return vtd_sm(u) && VTD_ECAP_SSADS(u->ecap) && VTD_ECAP_SMPWC(u->ecap);
}

static inline bool vtd_nested(const struct intel_unit *u)
{
	return vtd_sm(u) && VTD_ECAP_NEST(u->ecap);
}

static inline bool vtd_coherent(const struct intel_unit *u)
{
	return vtd_sm(u) ? VTD_ECAP_SMPWC(u->ecap) : VTD_ECAP_C(u->ecap);
}

static inline bool vtd_needs_sync_map(const struct intel_unit *u, bool first_stage)
{
	return VTD_CAP_RWBF(u->cap) || (!first_stage && VTD_CAP_CM(u->cap));
}

/* intel_unit.c */
/* first_level_by_default(): today's per-unit choice. */
bool intel_unit_first_stage_default(const struct intel_unit *u);
/* The page sizes a @first_stage table may use on @u. */
uint64_t intel_unit_pgsizes(const struct intel_unit *u, bool first_stage);
/* The 2022 kernel's global choices, over every unit of @core. */
bool intel_global_first_stage(struct ims_core *core, enum ims_domain_type type);
uint64_t intel_global_pgsizes(struct ims_core *core, bool first_stage);
/*
 * Make @info's context use @dd (a domain ID on @dd's first device behind the
 * unit: -ENOSPC when the unit has none left), or take it off its domain
 * (device_block_translation).
 */
int intel_dev_link(struct intel_dev *info, struct intel_domain *dd);
void intel_dev_unlink(struct intel_dev *info);
/* A domain going away: its devices lose it, its domain IDs are returned. */
void intel_domain_unlink_all(struct intel_domain *dd);

/* Does an RMRR name @dev or a bridge above it; may its RMRRs be relaxed? */
bool intel_dev_has_rmrr(const struct ims_device *dev);
bool intel_rmrr_relaxable(const struct ims_device *dev);

/* intel_domain.c */
extern const struct ims_domain_ops intel_paging_ops;
struct ims_domain *intel_domain_alloc_paging(struct ims_device *dev, uint32_t flags,
					     const void *user_data);
/* Give @dd a table of the stage, width and (domain) page sizes asked,
 * keeping its mappings. */
int intel_domain_reshape(struct intel_domain *dd, bool first_stage, int agaw,
			 unsigned int gaw);

/* intel_attach.c */
extern const struct ims_domain_ops intel_static_ops;
int intel_attach_dev(struct ims_domain *domain, struct ims_device *dev,
		     struct ims_domain *old);

#endif
