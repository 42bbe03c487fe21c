/* SPDX-License-Identifier: MIT */
/*
 * virtio-iommu model internals, shared by virtio.c and virtio_domain.c.
 *
 * Glossary: the instance (struct viommu, the kernel's viommu_dev), an
 * endpoint (struct viommu_endpoint, a device behind it), a domain (struct
 * viommu_domain) with the driver's mapping record and, while at least one
 * endpoint is attached, the device's table for it.
 *
 * Locking: a domain's mappings, device table and endpoint list are under
 * viommu_domain.lock (the kernel's mappings_lock and the device's own
 * serialisation); an endpoint's domain under its group mutex; an
 * instance's domain IDs under viommu.lock.
 */
#ifndef IMS_DRIVERS_VIRTIO_PRIV_H
#define IMS_DRIVERS_VIRTIO_PRIV_H

#include "util/idtable.h"
#include "util/itree.h"
#include "util/lock.h"
#include "virtio.h"

/* VIRTIO_IOMMU_MAP_F_* */
#define VIOMMU_MAP_F_READ  (1u << 0)
#define VIOMMU_MAP_F_WRITE (1u << 1)
#define VIOMMU_MAP_F_MMIO  (1u << 2)

struct viommu {
	struct ims_iommu *iommu;
	struct ims_virtio_cfg cfg;   /* defaults filled in */
	struct ims_mutex lock;       /* protects @ids */
	struct ims_idtable ids;      /* domain IDs in [domain_first, domain_last] */
};

struct viommu_mapping {
	struct ims_itree_node iova;  /* [virt_start, virt_end] of one MAP */
	uint64_t paddr;
	unsigned int flags;
};

struct viommu_domain {
	struct ims_domain domain;
	struct viommu *viommu;       /* NULL until finalised */
	uint32_t id;
	unsigned int map_flags;
	struct ims_mutex lock;       /* protects everything below */
	unsigned int nr_endpoints;
	struct ims_list endpoints;   /* viommu_endpoint.link */
	struct ims_itree mappings;
	struct ims_pt *dev_table;    /* the device's, while nr_endpoints > 0 */
};

struct viommu_endpoint {
	struct viommu *viommu;
	struct viommu_domain *vdomain;
	struct ims_list link;        /* vdomain->endpoints */
};

static inline struct viommu_domain *to_viommu_domain(struct ims_domain *domain)
{
	return ims_container_of(domain, struct viommu_domain, domain);
}

/* virtio_domain.c */
extern const struct ims_domain_ops viommu_domain_ops;
/* 0 when the device's table can hold @v's page sizes and input range. */
int viommu_table_check(const struct viommu *v);
struct viommu_domain *viommu_domain_new(void);
/* Bind @vd to @v: an ID, the page sizes, the input range, the map flags. */
int viommu_domain_finalise(struct viommu_domain *vd, struct viommu *v);
/* Move @ep to @vd (NULL: off any domain); the device builds or frees tables.
 * On failure the endpoint is on no domain. */
int viommu_endpoint_move(struct viommu_endpoint *ep, struct viommu_domain *vd);

/* virtio.c */
int viommu_attach_dev(struct ims_domain *domain, struct ims_device *dev,
		      struct ims_domain *old);

#endif
