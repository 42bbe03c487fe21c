/* SPDX-License-Identifier: MIT */
/*
 * The IOMMU core: the kernel's drivers/iommu/iommu.c, as a library.
 *
 * Objects (kernel name in brackets):
 *
 *   ims_core    one simulated kernel's IOMMU subsystem: its profile, its
 *               instances, devices, groups and domains.  Several cores can
 *               live in one process (one per simulated host).
 *   ims_iommu   a hardware IOMMU instance [iommu_device], with the driver's
 *               ops and the driver's per-instance data.
 *   ims_device  a client device [device + dev_iommu]: fwspec IDs, the
 *               instance behind it, its group, driver data, PCI facts.
 *   ims_group   the unit of isolation [iommu_group]: devices, default,
 *               blocking and current domain, DMA owner.
 *   ims_domain  a translation context [iommu_domain]: type, owner driver,
 *               page sizes, aperture.  Drivers embed it in their own struct.
 *
 * The attach contract (DESIGN 1): a driver's attach_dev answers 0, the
 * profile's *incompatible* errno (soft: the caller may try another domain),
 * or any other errno (hard).  Which errno that is, and how the core and its
 * callers behave around it, is a fact of the kernel profile (profile.c); a
 * driver never tests the profile itself, it states each incompatibility as
 * an ims_attach_rule and asks ims_rule_errno() for the answer.
 *
 * Locking: core->lock protects the core's lists and ID tables; each
 * group->mutex protects that group's devices, domains and ownership (the
 * kernel's group->mutex).  Order: group->mutex, then core->lock.  Functions
 * named __ims_* expect the caller to hold the group mutex.
 *
 * Errors are negative errno; pointer returns use ERR_PTR (util/err.h).
 */
#ifndef IMS_CORE_H
#define IMS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommusim/pt.h"
#include "util/err.h"
#include "util/idtable.h"
#include "util/list.h"
#include "util/lock.h"

struct ims_core;
struct ims_iommu;
struct ims_device;
struct ims_group;
struct ims_domain;

/* ------------------------------------------------------------------ */
/* Kernel profiles                                                     */

enum ims_profile {
	IMS_PROFILE_UPSTREAM, /* today's kernel (v6.18 .. v7.x) */
	IMS_PROFILE_SEED,     /* the 2022 EMEDIUMTYPE series, v1 + the review's list */
	IMS_PROFILE_LEGACY,   /* mid-2022, before the series (v5.19) */
	IMS_PROFILE_NR,
};

/* How VFIO type1 chooses a domain for a new group. */
enum ims_type1_attach {
	/* allocate and attach a new domain first, then try existing domains
	 * with equal ops and coherency, falling back on any errno (4.3) */
	IMS_TYPE1_ALLOC_FIRST,
	/* the series' loop: try each existing domain, incompatible errno ->
	 * next, other errno -> fail, none fits -> allocate (patch 5) */
	IMS_TYPE1_TRY_EXISTING,
};

/* Every per-profile fact lives in this one table (profile.c). */
struct ims_profile_facts {
	enum ims_profile profile;
	const char *name;
	const char *era;              /* human description of the kernel */
	int incompatible_errno;       /* positive errno; 0 = none (legacy) */
	bool core_owner_check;        /* core rejects a foreign driver's domain */
	bool alloc_for_device;        /* paging domains allocated for a device */
	bool unwind_skips_failed;     /* rollback leaves the failing device alone */
	bool reset_fence;             /* attach during PCI reset -> EBUSY */
	bool has_tegra_gart;          /* driver removed in v6.7 */
	enum ims_type1_attach type1_attach;
	bool type1_match_coherency;   /* reuse needs equal enforced coherency */
	bool type1_nesting;           /* VFIO_TYPE1_NESTING_IOMMU accepted */
	bool type1_overflow_eoverflow; /* wrapping ranges: EOVERFLOW, not EINVAL */
	bool vfio_caps_aligned;       /* capability chains padded to 8 bytes (2023) */
};

const struct ims_profile_facts *ims_profile_facts(enum ims_profile profile);
const char *ims_profile_name(enum ims_profile profile);
/* "upstream", "seed", "legacy"; -EINVAL otherwise. */
int ims_profile_from_name(const char *name, enum ims_profile *out);

/*
 * One incompatibility (or other attach failure) of a driver, with its answer
 * in each era.  Values: a positive errno; IMS_ERR_SOFT = the profile's
 * incompatible errno; IMS_ERR_NONE = the check does not exist in that era
 * (attach carries on); IMS_ERR_SILENT = the driver returns 0 without
 * attaching.
 */
#define IMS_ERR_SOFT   (-1)
#define IMS_ERR_NONE   (-2)
#define IMS_ERR_SILENT (-3)

struct ims_attach_rule {
	const char *cond;  /* matrix case name, e.g. "foreign-instance" */
	int answer[IMS_PROFILE_NR];
};

/* ims_rule_errno() result meaning "no such check in this era, go on". */
#define IMS_RULE_PASS 1

/*
 * The driver found condition @rule true for @dev.  Returns the negative
 * errno to fail with, 0 to return success without attaching (silent), or
 * IMS_RULE_PASS when this era has no such check.  The printf-style reason is
 * kept for the trace ("domain bound to smmu0").  Usage:
 *
 *	ret = ims_rule_errno(&rule_foreign_instance, dev, "bound to %s", x);
 *	if (ret <= 0)
 *		return ret;
 */
int ims_rule_errno(const struct ims_attach_rule *rule, struct ims_device *dev,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The answer of @rule in @profile, in the IMS_ERR_* / errno encoding. */
int ims_rule_answer(const struct ims_attach_rule *rule, enum ims_profile profile);

/* Record why an attach is failing for the trace (drivers' hard errors). */
void ims_attach_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The driver is about to return 0 although the hardware will not use the
 * domain (mtk_iommu_v1 and a domain that is not its own, a MediaTek bank
 * that keeps its first page table): record it, with the reason.  The core
 * then leaves the device's hardware view (hw_domain) as it was, which is
 * what `iommusim matrix` reports as "silent".  ims_rule_errno() does this
 * for a rule answered IMS_ERR_SILENT.
 */
void ims_attach_not_applied(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------ */
/* Domains                                                             */

#define IMS_DOMAIN_BIT_PAGING   (1u << 0)
#define IMS_DOMAIN_BIT_DMA_API  (1u << 1)
#define IMS_DOMAIN_BIT_PT       (1u << 2)
#define IMS_DOMAIN_BIT_FQ       (1u << 3)
#define IMS_DOMAIN_BIT_SVA      (1u << 4)
#define IMS_DOMAIN_BIT_PLATFORM (1u << 5)
#define IMS_DOMAIN_BIT_NESTED   (1u << 6)

enum ims_domain_type {
	IMS_DOMAIN_BLOCKED = 0,
	IMS_DOMAIN_IDENTITY = IMS_DOMAIN_BIT_PT,
	IMS_DOMAIN_UNMANAGED = IMS_DOMAIN_BIT_PAGING,
	IMS_DOMAIN_DMA = IMS_DOMAIN_BIT_PAGING | IMS_DOMAIN_BIT_DMA_API,
	IMS_DOMAIN_DMA_FQ = IMS_DOMAIN_BIT_PAGING | IMS_DOMAIN_BIT_DMA_API |
			    IMS_DOMAIN_BIT_FQ,
	IMS_DOMAIN_SVA = IMS_DOMAIN_BIT_SVA,
	IMS_DOMAIN_PLATFORM = IMS_DOMAIN_BIT_PLATFORM,
	IMS_DOMAIN_NESTED = IMS_DOMAIN_BIT_NESTED,
};

const char *ims_domain_type_name(enum ims_domain_type type);

/* Paging allocation flags: the values of iommufd's IOMMU_HWPT_ALLOC_*. */
#define IMS_ALLOC_NEST_PARENT    (1u << 0)
#define IMS_ALLOC_DIRTY_TRACKING (1u << 1)
#define IMS_ALLOC_FAULT_ID_VALID (1u << 2)
#define IMS_ALLOC_PASID          (1u << 3)

struct ims_domain_geometry {
	uint64_t aperture_start; /* first valid IOVA */
	uint64_t aperture_end;   /* last valid IOVA (inclusive) */
	bool force_aperture;     /* DMA outside the aperture is blocked */
};

typedef struct ims_pt_gather ims_iotlb_gather;

struct ims_domain_ops {
	/* 0, the profile's incompatible errno via ims_rule_errno(), or a hard
	 * errno.  On failure the device must still use @old. */
	int (*attach_dev)(struct ims_domain *domain, struct ims_device *dev,
			  struct ims_domain *old);
	int (*set_dev_pasid)(struct ims_domain *domain, struct ims_device *dev,
			     uint32_t pasid, struct ims_domain *old);
	void (*remove_dev_pasid)(struct ims_device *dev, uint32_t pasid,
				 struct ims_domain *domain);
	/* Map @count pages of @pgsize; *@mapped = bytes mapped, also on error. */
	int (*map_pages)(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			 size_t pgsize, size_t count, int prot, size_t *mapped);
	size_t (*unmap_pages)(struct ims_domain *domain, uint64_t iova,
			      size_t pgsize, size_t count, ims_iotlb_gather *gather);
	int (*iotlb_sync_map)(struct ims_domain *domain, uint64_t iova, size_t size);
	/* Invalidate what @gather collected, then release its pages
	 * (ims_pt_gather_sync).  Required when unmap can free tables. */
	void (*iotlb_sync)(struct ims_domain *domain, ims_iotlb_gather *gather);
	uint64_t (*iova_to_phys)(struct ims_domain *domain, uint64_t iova);
	bool (*enforce_cache_coherency)(struct ims_domain *domain);
	int (*set_dirty_tracking)(struct ims_domain *domain, bool enable);
	int (*read_and_clear_dirty)(struct ims_domain *domain, uint64_t iova,
				    uint64_t size, unsigned int flags,
				    ims_pt_dirty_fn fn, void *arg);
	void (*free)(struct ims_domain *domain);
};

struct ims_domain {
	enum ims_domain_type type;
	const struct ims_domain_ops *ops;
	const struct ims_iommu_ops *owner;  /* driver that allocated it; NULL
					     * for a driver's static domains */
	const struct ims_iommu_ops *driver; /* driver whose code runs it */
	struct ims_core *core;
	uint32_t id;                        /* core-wide, for traces and JSON */
	uint64_t pgsize_bitmap;
	struct ims_domain_geometry geometry;
	uint32_t alloc_flags;               /* IMS_ALLOC_* asked at allocation */
	bool is_static;                     /* a driver's shared blocked/identity */
	bool dirty_tracking;                /* hardware dirty tracking enabled */
	bool enforced_coherency;            /* enforce_cache_coherency() succeeded */
	struct ims_iommu *iommu;            /* instance it is bound to, if any */
	struct ims_domain *parent;          /* NESTED: the stage-2 parent */
	uint64_t mapped_bytes;              /* accounting of ims_iommu_map/unmap */
	unsigned int attach_count;          /* devices whose hardware uses it */
	void *user;                         /* the owner of an UNMANAGED domain
					     * (VFIO, iommufd) may keep a cookie */
};

/* ------------------------------------------------------------------ */
/* Drivers                                                             */

enum ims_cap {
	IMS_CAP_CACHE_COHERENCY,
	IMS_CAP_NOEXEC,
	IMS_CAP_PRE_BOOT_PROTECTION,
	IMS_CAP_ENFORCE_CACHE_COHERENCY,
	IMS_CAP_DEFERRED_FLUSH,
	IMS_CAP_DIRTY_TRACKING,
};

enum ims_resv_type {
	IMS_RESV_DIRECT,           /* must stay 1:1 */
	IMS_RESV_DIRECT_RELAXABLE, /* 1:1, may be dropped for assignment */
	IMS_RESV_RESERVED,         /* never map */
	IMS_RESV_MSI,              /* hardware MSI window */
	IMS_RESV_SW_MSI,           /* software-managed MSI window */
};

const char *ims_resv_type_name(enum ims_resv_type type);

struct ims_resv_region {
	uint64_t start;
	uint64_t length;
	int prot;
	enum ims_resv_type type;
};

/* A sorted list of reserved regions (growable array). */
struct ims_resv_list {
	struct ims_resv_region *regions;
	size_t nr, cap;
};

void ims_resv_list_init(struct ims_resv_list *list);
void ims_resv_list_free(struct ims_resv_list *list);
/*
 * Insert keeping the list sorted by start (ties by type) and merging
 * overlapping or adjacent regions of the same type; regions of different
 * types are kept apart.  -ENOMEM.
 */
int ims_resv_list_insert(struct ims_resv_list *list, const struct ims_resv_region *r);

struct ims_iommu_ops {
	const char *name;              /* driver name, "arm-smmu-v3" */
	bool (*capable)(struct ims_device *dev, enum ims_cap cap);
	/*
	 * Allocate a paging domain.  @dev is the device it is for, or NULL in
	 * eras that allocated per bus (the driver then binds the domain at
	 * first attach).  Returns ERR_PTR; -EOPNOTSUPP for unsupported flags.
	 */
	struct ims_domain *(*domain_alloc_paging)(struct ims_device *dev,
						  uint32_t flags,
						  const void *user_data);
	bool static_identity;          /* driver has a static identity domain */
	bool static_blocked;           /* driver has a static blocked domain */
	const struct ims_domain_ops *identity_ops, *blocked_ops;
	/* A forced default domain type, or 0 = ask def_domain_type. */
	enum ims_domain_type default_domain_type;
	bool force_default_domain;
	int (*def_domain_type)(struct ims_device *dev);
	int (*probe_device)(struct ims_device *dev);
	void (*release_device)(struct ims_device *dev);
	/* The group for @dev: ims_generic_device_group, ims_pci_device_group or
	 * the driver's own; ERR_PTR on failure. */
	struct ims_group *(*device_group)(struct ims_device *dev);
	/* The driver's own regions (MSI windows, fixed holes); the core has
	 * already added the firmware's (desc.resv). */
	int (*get_resv_regions)(struct ims_device *dev, struct ims_resv_list *list);
	uint64_t pgsize_bitmap;
};

/* ------------------------------------------------------------------ */
/* Instances, devices, groups                                          */

struct ims_iommu {
	struct ims_core *core;
	char *name;                    /* "smmu0" */
	const struct ims_iommu_ops *ops;
	void *priv;                    /* driver instance state */
	void (*priv_free)(void *priv); /* frees @priv at core destruction */
	uint32_t index;                /* registration order */
	struct ims_list node;          /* core->iommus */
};

enum ims_bus {
	IMS_BUS_PLATFORM,
	IMS_BUS_PCI,
	IMS_BUS_MOCK,
};

struct ims_pci_info {
	uint16_t segment;
	uint8_t bus, devfn;
	uint16_t vendor, device;
	uint32_t class_code;
	bool bridge;              /* a PCI(e) bridge or root port */
	bool acs;                 /* provides ACS isolation (for functions:
				   * p2p between functions is controlled) */
	bool multifunction;
	struct ims_device *upstream; /* bridge above the bus, NULL on a root bus */
	struct ims_device *dma_alias;/* device whose requester ID DMA uses
				      * (conventional PCI behind a PCIe bridge) */
};

/* What the topology knows about a device when it is added. */
struct ims_device_desc {
	const char *name;
	enum ims_bus bus;
	struct ims_iommu *iommu;       /* NULL: not behind an IOMMU */
	const uint32_t *ids;           /* fwspec IDs (stream IDs, RIDs, ...) */
	unsigned int nr_ids;
	struct ims_pci_info pci;       /* bus == IMS_BUS_PCI */
	bool untrusted;                /* external-facing PCI device */
	bool msi_isolated;             /* its MSIs are remapped/isolated */
	bool cache_coherent;           /* DMA snoops CPU caches (dma-coherent) */
	uint32_t max_pasids;
	const struct ims_resv_region *resv;   /* firmware-described regions */
	unsigned int nr_resv;
	void *platform_data;           /* passed to the driver's probe */
};

struct ims_device {
	struct ims_core *core;
	char *name;
	enum ims_bus bus;
	struct ims_iommu *iommu;
	uint32_t *ids;
	unsigned int nr_ids;
	struct ims_pci_info pci;
	bool untrusted, msi_isolated, cache_coherent;
	uint32_t max_pasids;
	struct ims_resv_region *fw_resv;  /* firmware regions from the desc */
	unsigned int nr_fw_resv;
	void *platform_data;
	void *priv;                       /* driver per-device data */
	bool require_direct;              /* has IMS_RESV_DIRECT regions */
	bool attach_deferred;
	bool probed;                      /* probe_device succeeded */
	unsigned int kernel_users;        /* kernel drivers using the default domain */
	struct ims_group *group;
	/* The domain the driver last attached this device to: the hardware's
	 * view, which can differ from group->domain after a failed attach. */
	struct ims_domain *hw_domain;
	void *user;                       /* for the upper layers (host) */
	struct ims_list core_node;        /* core->devices */
	struct ims_list group_node;       /* group->devices */
};

struct ims_pasid_attach {
	uint32_t pasid;
	struct ims_domain *domain;
};

struct ims_group {
	struct ims_core *core;
	uint32_t id;
	struct ims_mutex mutex;            /* protects everything below */
	struct ims_list devices;
	unsigned int nr_devices;
	struct ims_domain *default_domain;
	struct ims_domain *blocking_domain;
	struct ims_domain *domain;         /* currently attached */
	struct ims_domain *resetting_domain; /* set while a PCI reset runs */
	const void *owner;                 /* DMA owner cookie */
	unsigned int owner_cnt;
	struct ims_pasid_attach *pasids;
	size_t nr_pasids;
	void *user;                        /* for the upper layers (VFIO group) */
};

/* ------------------------------------------------------------------ */
/* Tracing: every attach answer and the callers' decisions             */

enum ims_trace_kind {
	IMS_TRACE_ATTACH,       /* a driver's attach_dev answered */
	IMS_TRACE_REJECT,       /* the core refused before the driver */
	IMS_TRACE_DOMAIN_ALLOC,
	IMS_TRACE_DOMAIN_FREE,
	IMS_TRACE_DECISION,     /* a caller's soft/hard decision */
	IMS_TRACE_NOTE,         /* anything else worth a line */
};

struct ims_trace_event {
	enum ims_trace_kind kind;
	const char *subsys;       /* "core", "vfio", "iommufd", ... */
	struct ims_device *dev;
	struct ims_group *group;
	struct ims_domain *domain;
	int err;                  /* 0 or negative errno */
	const char *reason;       /* why, when known (may be NULL) */
	const char *text;         /* the whole account, one line */
};

typedef void (*ims_trace_fn)(void *arg, const struct ims_trace_event *ev);

void ims_core_set_trace(struct ims_core *core, ims_trace_fn fn, void *arg);
/* Emit an event; @fmt builds ev->text.  No-op without a trace sink. */
void ims_trace(struct ims_core *core, struct ims_trace_event *ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool ims_tracing(const struct ims_core *core);
/* "domain 3 (UNMANAGED, arm-smmu-v3 on smmu0)" into @buf. */
const char *ims_domain_describe(const struct ims_domain *domain, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* The core                                                            */

struct ims_core_config {
	enum ims_profile profile;
	bool passthrough;             /* iommu.passthrough=1: IDENTITY default */
	bool strict;                  /* iommu.strict=1: DMA, not DMA_FQ */
	bool allow_unsafe_interrupts; /* VFIO/iommufd module parameter */
};

struct ims_core {
	const struct ims_profile_facts *facts;
	struct ims_core_config cfg;
	struct ims_mutex lock;        /* protects the lists and tables below */
	struct ims_list iommus;
	struct ims_list devices;
	struct ims_idtable groups;    /* IDs from 0, as /sys/kernel/iommu_groups */
	struct ims_idtable domains;   /* IDs from 1 */
	struct ims_list static_domains; /* drivers' static blocked/identity */
	unsigned int nr_iommus;
	bool booted;                  /* probe_finish ran: new devices set up at once */
	ims_trace_fn trace_fn;
	void *trace_arg;
};

int ims_core_create(const struct ims_core_config *cfg, struct ims_core **out);
/* Removes every device, group, domain and instance. */
void ims_core_destroy(struct ims_core *core);

static inline int ims_incompatible_errno(const struct ims_core *core)
{
	return core->facts->incompatible_errno;
}

/* Is @err (negative) the profile's soft "incompatible" answer? */
bool ims_err_is_soft(const struct ims_core *core, int err);

/* Register an instance of a driver; the core owns @priv from now on. */
int ims_iommu_register(struct ims_core *core, const char *name,
		       const struct ims_iommu_ops *ops, void *priv,
		       void (*priv_free)(void *priv), struct ims_iommu **out);
struct ims_iommu *ims_iommu_find(struct ims_core *core, const char *name);
/*
 * Unregister an instance no device uses any more [iommu_device_unregister];
 * the driver's static domains go with its last instance.  -EBUSY while a
 * device is still behind it.  Used to take a platform back out of a core.
 */
int ims_iommu_unregister(struct ims_iommu *iommu);

/*
 * Add a device and probe it: the driver's probe_device, its group
 * (device_group), reserved regions.  The group's default domain is set up
 * by ims_core_probe_finish() (all devices of a group first, like
 * bus_iommu_probe) or, for a device added later, at once: it inherits the
 * group's current domain.  ERR_PTR on failure, nothing left behind.
 */
struct ims_device *ims_device_add(struct ims_core *core,
				  const struct ims_device_desc *desc);
/* Give every group without a default domain one and attach it. */
int ims_core_probe_finish(struct ims_core *core);
struct ims_device *ims_device_find(struct ims_core *core, const char *name);
/*
 * Remove a device [iommu_release_device]: it gives up its kernel-driver
 * uses of the default domain, leaves its group (the last device takes the
 * group and its default and blocking domains with it) and the driver
 * releases it.  Devices whose pci.upstream or pci.dma_alias point at @dev
 * must be removed first; external DMA owners must have released the group.
 */
void ims_device_remove(struct ims_device *dev);
struct ims_group *ims_group_find(struct ims_core *core, uint32_t id);

/* Grouping helpers for drivers' device_group. */
struct ims_group *ims_group_alloc(struct ims_core *core);
struct ims_group *ims_generic_device_group(struct ims_device *dev);
/*
 * generic_single_device_group: every device behind @dev's instance shares
 * one group (drivers whose instance serves one master, or cannot isolate
 * its masters: sprd, omap).
 */
struct ims_group *ims_single_device_group(struct ims_device *dev);
struct ims_group *ims_pci_device_group(struct ims_device *dev);
/* The group of another device, or NULL. */
struct ims_group *ims_device_group_of(struct ims_device *dev);
struct ims_device *ims_group_first_device(struct ims_group *group);

#define ims_group_for_each_device(group, dev) \
	ims_list_for_each_entry(dev, &(group)->devices, group_node)

/* Capabilities (2.10). */
bool ims_device_capable(struct ims_device *dev, enum ims_cap cap);
bool ims_domain_enforce_cache_coherency(struct ims_domain *domain);
bool ims_group_has_isolated_msi(struct ims_group *group);
bool ims_group_cache_coherent(struct ims_group *group);

/* ------------------------------------------------------------------ */
/* Domain allocation (2.3)                                             */

/* A paging (UNMANAGED) domain for @dev: iommu_paging_domain_alloc_flags. */
struct ims_domain *ims_paging_domain_alloc(struct ims_device *dev, uint32_t flags);
struct ims_domain *ims_paging_domain_alloc_user(struct ims_device *dev, uint32_t flags,
						const void *user_data);
/* Frees a non-static domain; it must not be attached anywhere. */
void ims_domain_free(struct ims_domain *domain);
/* For drivers: fill the common fields of a domain they allocated. */
void ims_domain_init(struct ims_domain *domain, const struct ims_domain_ops *ops,
		     uint64_t pgsize_bitmap, uint64_t aperture_start, uint64_t aperture_end);
/* A driver's static domain of @type (BLOCKED or IDENTITY), or NULL. */
struct ims_domain *ims_static_domain(struct ims_core *core,
				     const struct ims_iommu_ops *ops,
				     enum ims_domain_type type);
/* Does @domain belong to driver @ops (its paging domain or static one)? */
bool ims_domain_owned_by(const struct ims_domain *domain, const struct ims_iommu_ops *ops);

/* ------------------------------------------------------------------ */
/* Attach, detach, replace (2.4, 2.5)                                  */

int ims_attach_device(struct ims_domain *domain, struct ims_device *dev);
void ims_detach_device(struct ims_domain *domain, struct ims_device *dev);
int ims_attach_group(struct ims_domain *domain, struct ims_group *group);
void ims_detach_group(struct ims_domain *domain, struct ims_group *group);
int ims_group_replace_domain(struct ims_group *group, struct ims_domain *new);
struct ims_domain *ims_get_domain_for_dev(struct ims_device *dev);
/*
 * Record what @dev's hardware now translates through (NULL: nothing, DMA
 * blocked).  The core calls it after every successful attach_dev; a driver
 * whose attach_dev changes the hardware before it fails (VT-d blocks the
 * device's translation first, kernel-semantics 2.5 and 8) calls it to say
 * where the device was left, so that dev->hw_domain stays the hardware's
 * view while group->domain keeps the core's.  Group mutex held.
 */
void ims_device_set_hw_domain(struct ims_device *dev, struct ims_domain *domain);
/* PCI reset fence (newest kernels): attaches fail with EBUSY meanwhile. */
int ims_group_reset_prepare(struct ims_group *group);
void ims_group_reset_done(struct ims_group *group);

/* PASID (2.7). */
int ims_attach_device_pasid(struct ims_domain *domain, struct ims_device *dev,
			    uint32_t pasid);
int ims_replace_device_pasid(struct ims_domain *domain, struct ims_device *dev,
			     uint32_t pasid);
void ims_detach_device_pasid(struct ims_domain *domain, struct ims_device *dev,
			     uint32_t pasid);
struct ims_domain *ims_get_domain_for_dev_pasid(struct ims_device *dev, uint32_t pasid);

/* ------------------------------------------------------------------ */
/* DMA ownership (2.6)                                                 */

int ims_device_use_default_domain(struct ims_device *dev);
void ims_device_unuse_default_domain(struct ims_device *dev);
int ims_group_claim_dma_owner(struct ims_group *group, const void *owner);
void ims_group_release_dma_owner(struct ims_group *group);
int ims_device_claim_dma_owner(struct ims_device *dev, const void *owner);
void ims_device_release_dma_owner(struct ims_device *dev);
bool ims_group_dma_owner_claimed(struct ims_group *group);

/* ------------------------------------------------------------------ */
/* Map, unmap, translate (2.8)                                         */

int ims_iommu_map(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
		  size_t size, int prot);
size_t ims_iommu_unmap(struct ims_domain *domain, uint64_t iova, size_t size);
/* Unmap without syncing: invalidation is left to @gather's owner. */
size_t ims_iommu_unmap_fast(struct ims_domain *domain, uint64_t iova, size_t size,
			    ims_iotlb_gather *gather);
void ims_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather);
uint64_t ims_iommu_iova_to_phys(struct ims_domain *domain, uint64_t iova);
/*
 * The page size iommu_pgsize() would choose for the next run of a map or
 * unmap, and in *@count how many pages of it to use.
 */
size_t ims_iommu_pgsize(uint64_t pgsize_bitmap, uint64_t iova, uint64_t paddr,
			size_t size, size_t *count);
int ims_domain_set_dirty_tracking(struct ims_domain *domain, bool enable);
int ims_domain_read_and_clear_dirty(struct ims_domain *domain, uint64_t iova,
				    uint64_t size, unsigned int flags,
				    ims_pt_dirty_fn fn, void *arg);

/* ------------------------------------------------------------------ */
/* Reserved regions (2.9)                                              */

int ims_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list);
int ims_group_get_resv_regions(struct ims_group *group, struct ims_resv_list *list);

#endif
