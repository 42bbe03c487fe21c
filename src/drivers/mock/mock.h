/* SPDX-License-Identifier: MIT */
/*
 * The mock IOMMU driver: a first-class driver model for tests, demos and
 * the iommufd selftest's mock device (kernel-semantics 5, iommufd-selftest
 * 2.4).  Every knob that makes an attach succeed or fail is explicit:
 *
 *  - paging domains are bound to one instance (at allocation when the era
 *    allocates for a device, at first attach otherwise); a device behind
 *    another instance is refused with the "foreign-instance" rule — unless
 *    the instances share domains (global_domains, the VT-d/AMD model);
 *  - the page-size bitmap and aperture are per instance; translations live
 *    in a real AMD-Vi v1 page table (src/pt), with the iommufd selftest's
 *    2 KiB granule when the bitmap asks for 2 KiB pages;
 *  - an instance may lack dirty tracking or snoop control ("snoop-control":
 *    a domain that enforces coherency is refused);
 *  - a device may refuse dirty-tracking domains ("dirty-unsupported") or
 *    fail every attach to an UNMANAGED (API-owned) domain with a chosen
 *    hard errno;
 *  - an instance may give its devices a blocking default domain, as the
 *    kernel's iommufd selftest mock does (default_blocked).
 */
#ifndef IMS_DRIVERS_MOCK_H
#define IMS_DRIVERS_MOCK_H

#include "core/core.h"

struct ims_mock_iommu_cfg {
	uint64_t pgsize_bitmap;      /* 0 = 4K | 2M | 1G */
	uint64_t aperture_start;
	uint64_t aperture_end;       /* 0 = 2^48 - 1 */
	bool dirty_tracking;         /* hardware dirty bits */
	bool enforce_coherency;      /* snoop control: can force coherent DMA */
	bool incoherent_walk;        /* lacks IMS_CAP_CACHE_COHERENCY */
	bool no_sw_msi;              /* do not report the software MSI window */
	bool global_domains;         /* domains span instances (as VT-d, AMD):
				      * never bound to one */
	bool default_blocked;        /* devices start on the blocking domain */
};

/* Per-device knobs, passed as ims_device_desc.platform_data (may be NULL). */
struct ims_mock_device_cfg {
	int fail_attach_errno;       /* positive errno: UNMANAGED attaches fail */
	bool no_dirty;               /* refuse dirty-tracking domains */
	const char *group_with;      /* join the group of this (already added) device */
};

extern const struct ims_iommu_ops ims_mock_ops;

/* Register a mock instance; @cfg may be NULL for the defaults. */
int ims_mock_register(struct ims_core *core, const char *name,
		      const struct ims_mock_iommu_cfg *cfg, struct ims_iommu **out);

/* The software MSI window the mock reports (as arm-smmu's MSI_IOVA_BASE). */
#define IMS_MOCK_SW_MSI_BASE   0x8000000ull
#define IMS_MOCK_SW_MSI_LENGTH 0x100000ull

/* Which instance a mock paging domain is bound to (NULL: not yet). */
struct ims_iommu *ims_mock_domain_instance(struct ims_domain *domain);
/* Mark the leaf at @iova dirty, as a device write would (tests, DIRTY op). */
int ims_mock_domain_set_dirty(struct ims_domain *domain, uint64_t iova);

#endif
