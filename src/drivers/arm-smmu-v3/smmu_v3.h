/* SPDX-License-Identifier: MIT */
/*
 * The arm-smmu-v3 driver model (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c).
 *
 * An instance is described by its ID registers, decoded as the kernel's
 * arm_smmu_device_hw_probe() does (SMMUv3 architecture, IHI 0070, 6.3):
 *
 *   IDR0  S2P(0) S1P(1) TTF(3:2) COHACC(4) HTTU(7:6) ASID16(12) VMID16(18)
 *         CD2L(19) STALL_MODEL(25:24)
 *   IDR1  SIDSIZE(5:0) SSIDSIZE(10:6)
 *   IDR5  OAS(2:0) GRAN4K(4) GRAN16K(5) GRAN64K(6) VAX(11:10)
 *
 * Domains use the ARM LPAE format: stage 1 by default, stage 2 for a
 * nesting parent (or when the SMMU has no stage 1); hardware dirty
 * tracking (HTTU with dirty state, on a coherent SMMU) on stage 1.  A
 * paging domain is finalised (ASID or VMID, page table) for one SMMU: at
 * allocation when the era allocates for a device, at the first attach
 * otherwise, and refuses devices behind another SMMU.
 */
#ifndef IMS_DRIVERS_SMMU_V3_H
#define IMS_DRIVERS_SMMU_V3_H

#include "core/core.h"
#include "drivers/pgtbl/pgtbl_domain.h"

#define SMMU_V3_IDR0_S2P        (1u << 0)
#define SMMU_V3_IDR0_S1P        (1u << 1)
#define SMMU_V3_IDR0_TTF_SHIFT  2
#define SMMU_V3_IDR0_TTF_MASK   (3u << 2)
#define SMMU_V3_IDR0_TTF_AARCH64 (2u << 2)
#define SMMU_V3_IDR0_TTF_BOTH   (3u << 2)
#define SMMU_V3_IDR0_COHACC     (1u << 4)
#define SMMU_V3_IDR0_HTTU_SHIFT 6
#define SMMU_V3_IDR0_HTTU_MASK  (3u << 6)
#define SMMU_V3_IDR0_HTTU_AD    (2u << 6) /* access flag and dirty state */
#define SMMU_V3_IDR0_ASID16     (1u << 12)
#define SMMU_V3_IDR0_VMID16     (1u << 18)
#define SMMU_V3_IDR0_CD2L       (1u << 19)
#define SMMU_V3_IDR0_STALL_SHIFT 24
#define SMMU_V3_IDR0_STALL_MASK (3u << 24)
#define SMMU_V3_STALL_MODEL_STALL 0u      /* stall and terminate */
#define SMMU_V3_STALL_MODEL_TERMINATE 1u  /* no stalls */
#define SMMU_V3_STALL_MODEL_FORCE 2u      /* stalls forced */

#define SMMU_V3_IDR1_SIDSIZE_MASK  0x3fu
#define SMMU_V3_IDR1_SSIDSIZE_SHIFT 6
#define SMMU_V3_IDR1_SSIDSIZE_MASK (0x1fu << 6)

#define SMMU_V3_IDR5_OAS_MASK   7u
#define SMMU_V3_IDR5_GRAN4K     (1u << 4)
#define SMMU_V3_IDR5_GRAN16K    (1u << 5)
#define SMMU_V3_IDR5_GRAN64K    (1u << 6)
#define SMMU_V3_IDR5_VAX_SHIFT  10
#define SMMU_V3_IDR5_VAX_MASK   (3u << 10)

/* The software MSI window (the kernel's MSI_IOVA_BASE / MSI_IOVA_LENGTH). */
#define SMMU_V3_SW_MSI_BASE   IMS_ARM_SW_MSI_BASE
#define SMMU_V3_SW_MSI_LENGTH IMS_ARM_SW_MSI_LENGTH

/* Registers an instance is built from; dma_coherent is the DT's dma-coherent. */
struct smmu_v3_regs {
	uint32_t idr0, idr1, idr5;
	bool dma_coherent;
};

/* A master's knobs: "dma-can-stall" and iommusim,canwbs (platform_data). */
struct smmu_v3_master_cfg {
	bool can_stall;
	bool canwbs;
};

extern const struct ims_iommu_ops ims_smmu_v3_ops;

/* Check and decode @regs, register the instance.  -EINVAL (with @why) or -ENOMEM. */
int ims_smmu_v3_register(struct ims_core *core, const char *name, const struct smmu_v3_regs *regs,
			 struct ims_iommu **out, const char **why);

/* The instance a paging domain is finalised for, or NULL. */
struct ims_iommu *ims_smmu_v3_domain_instance(struct ims_domain *domain);
/* Its page table (tests, device DMA), or NULL before finalisation. */
struct ims_pt *ims_smmu_v3_domain_pt(struct ims_domain *domain);

#endif
