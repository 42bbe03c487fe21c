/* SPDX-License-Identifier: MIT */
/*
 * The virtio-iommu driver model (torvalds/linux drivers/iommu/virtio-iommu.c)
 * and the device behind it (VIRTIO 1.2 §5.13 "IOMMU device").
 *
 * The guest driver has no page table: it records its mappings in an
 * interval tree and sends MAP/UNMAP requests to the device.  The model
 * keeps the driver's record as the kernel does, and models the device's
 * side -- the translation it holds for a domain while endpoints are
 * attached to it -- with an AMD v1 table from src/pt restricted to the
 * device's page_size_mask (the format accepts every power of two from
 * 4 KiB, or from 2 KiB in its 2 KiB-granule variant).  See virtio.c for
 * the attach rules and docs/drivers.md ("## virtio-iommu").
 */
#ifndef IMS_DRIVERS_VIRTIO_H
#define IMS_DRIVERS_VIRTIO_H

#include "core/core.h"

extern const struct ims_iommu_ops ims_virtio_ops;

/* The device's configuration space (struct virtio_iommu_config). */
struct ims_virtio_cfg {
	uint64_t page_size_mask;   /* 0: every power of two from 4 KiB */
	uint64_t input_start;
	uint64_t input_end;        /* 0: 2^64 - 1 (no VIRTIO_IOMMU_F_INPUT_RANGE) */
	uint32_t domain_first;
	uint32_t domain_last;      /* 0: 2^32 - 1 (no VIRTIO_IOMMU_F_DOMAIN_RANGE) */
};

/* -EINVAL for a configuration the model cannot represent (see virtio.c). */
int ims_virtio_register(struct ims_core *core, const char *name, const struct ims_virtio_cfg *cfg,
			struct ims_iommu **out);

/* The guest kernel's page size (x86-64 and 4 KiB arm64 kernels). */
#define IMS_VIRTIO_CPU_PAGE_SIZE 4096ull
/* The software MSI window the driver reports (MSI_IOVA_BASE, _LENGTH). */
#define IMS_VIRTIO_MSI_IOVA_BASE   0x8000000ull
#define IMS_VIRTIO_MSI_IOVA_LENGTH 0x100000ull

struct ims_virtio_domain_info {
	bool finalised;             /* bound to an instance, ID allocated */
	struct ims_iommu *iommu;
	uint32_t id;                /* the domain ID in requests */
	unsigned int nr_endpoints;
	size_t nr_mappings;         /* the driver's record */
	const struct ims_pt *device_table; /* the device's, NULL while detached */
};

/* -EINVAL when @domain is not a virtio-iommu domain. */
int ims_virtio_domain_info(struct ims_domain *domain, struct ims_virtio_domain_info *out);

#endif
