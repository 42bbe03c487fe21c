/* SPDX-License-Identifier: MIT */
/*
 * The Intel VT-d driver model (torvalds/linux drivers/iommu/intel/): DMA
 * remapping units ("DRHD units") described by their Capability and
 * Extended Capability registers, domains that span several units, first-
 * and second-stage page tables from src/pt, RMRRs and the interrupt range
 * as reserved regions, snoop control and second-stage dirty tracking.
 *
 * What each register bit does here, and which era answers what, is
 * documented in intel-priv.h and docs/drivers.md ("## intel").
 */
#ifndef IMS_DRIVERS_INTEL_H
#define IMS_DRIVERS_INTEL_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_intel_ops;

/*
 * Register a unit from its CAP and ECAP register values.  -EINVAL (with
 * no unit registered) when the registers describe no address width the
 * kernel can use or a reserved domain-count encoding.
 */
int ims_intel_register(struct ims_core *core, const char *name, uint64_t cap,
		       uint64_t ecap, struct ims_iommu **out);

/* One Reserved Memory Region Reporting structure naming a device (ACPI DMAR). */
struct ims_intel_rmrr {
	uint64_t base;
	uint64_t length;
};

/*
 * Per-device firmware facts, passed as ims_device_desc.platform_data (may be
 * NULL): the RMRRs whose device scope names this device (or a bridge above
 * it).
 */
struct ims_intel_master {
	const struct ims_intel_rmrr *rmrr;
	unsigned int nr_rmrr;
};

/* The interrupt address range the driver reserves as MSI (IOAPIC_RANGE_*). */
#define IMS_INTEL_IOAPIC_START 0xfee00000ull
#define IMS_INTEL_IOAPIC_END   0xfeefffffull

/* The CAP and ECAP a unit was registered with. */
uint64_t ims_intel_unit_cap(const struct ims_iommu *iommu);
uint64_t ims_intel_unit_ecap(const struct ims_iommu *iommu);
/* Domain IDs the unit has in use (DIDs 0 and 1 are reserved, never counted). */
unsigned int ims_intel_unit_dids_used(const struct ims_iommu *iommu);

/* Facts about an intel paging domain, for tests and the trace. */
struct ims_intel_domain_info {
	bool first_stage;        /* x86-64 table; else VT-d second stage */
	bool finalised;          /* stage and widths decided */
	bool force_snooping;     /* enforce_cache_coherency succeeded */
	unsigned int gaw;        /* guest address width in bits */
	unsigned int levels;     /* page-table levels */
	unsigned int nr_units;   /* units it is attached through */
	uint64_t max_addr;       /* end of the highest mapping (2022's check) */
	struct ims_pt *pt;
};

/* -EINVAL when @domain is not an intel paging domain. */
int ims_intel_domain_info(struct ims_domain *domain, struct ims_intel_domain_info *out);

#endif
