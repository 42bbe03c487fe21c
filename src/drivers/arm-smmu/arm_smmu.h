/* SPDX-License-Identifier: MIT */
/*
 * The arm-smmu driver model (drivers/iommu/arm/arm-smmu/arm-smmu.c): ARM
 * SMMU architecture v2 and its implementations, the MMU-500 among them.
 *
 * An instance is described by its ID registers as arm_smmu_device_cfg_probe()
 * decodes them (SMMUv2 architecture, IHI 0062, "SMMU_IDR0-2"):
 *
 *   ID0  S1TS(30) S2TS(29) SMS(27) PTFS_NO_AARCH32(25) PTFS_NO_AARCH32S(24)
 *        NUMSIDB(12:9) EXIDS(8) NUMSMRG(7:0)
 *   ID1  NUMS2CB(23:16) NUMCB(7:0)
 *   ID2  PTFS_64K(14) PTFS_16K(13) PTFS_4K(12) UBS(11:8) OAS(7:4) IAS(3:0)
 *
 * Streams are matched by stream-match registers (SMRs: ID and mask); a
 * device whose stream shares an SMR with another device's joins its group.
 * Paging domains are finalised at their first attach: a context bank
 * (stage 1 banks follow the stage-2-only ones), the stage the SMMU offers
 * (stage 1 preferred) and an ARM LPAE table; from then on the domain
 * belongs to that SMMU.
 */
#ifndef IMS_DRIVERS_ARM_SMMU_H
#define IMS_DRIVERS_ARM_SMMU_H

#include "core/core.h"
#include "drivers/pgtbl/pgtbl_domain.h"

#define ARM_SMMU_ID0_S1TS        (1u << 30)
#define ARM_SMMU_ID0_S2TS        (1u << 29)
#define ARM_SMMU_ID0_SMS         (1u << 27)
#define ARM_SMMU_ID0_PTFS_NO_AARCH32  (1u << 25)
#define ARM_SMMU_ID0_PTFS_NO_AARCH32S (1u << 24)
#define ARM_SMMU_ID0_NUMSIDB_SHIFT 9
#define ARM_SMMU_ID0_NUMSIDB_MASK (0xfu << 9)
#define ARM_SMMU_ID0_EXIDS       (1u << 8)
#define ARM_SMMU_ID0_NUMSMRG_MASK 0xffu

#define ARM_SMMU_ID1_NUMS2CB_SHIFT 16
#define ARM_SMMU_ID1_NUMS2CB_MASK (0xffu << 16)
#define ARM_SMMU_ID1_NUMCB_MASK  0xffu

#define ARM_SMMU_ID2_PTFS_64K    (1u << 14)
#define ARM_SMMU_ID2_PTFS_16K    (1u << 13)
#define ARM_SMMU_ID2_PTFS_4K     (1u << 12)
#define ARM_SMMU_ID2_UBS_SHIFT   8
#define ARM_SMMU_ID2_OAS_SHIFT   4
#define ARM_SMMU_ID2_SIZE_MASK   0xfu

/* fwspec IDs: the stream ID in bits 15:0, the SMR mask in 31:16 (of_xlate). */
#define ARM_SMMU_FWID_MASK_SHIFT 16

/* The software MSI window, as arm-smmu-v3's (drivers/pgtbl/pgtbl_domain.h). */
#define ARM_SMMU_SW_MSI_BASE   IMS_ARM_SW_MSI_BASE
#define ARM_SMMU_SW_MSI_LENGTH IMS_ARM_SW_MSI_LENGTH

struct arm_smmu_regs {
	uint32_t id0, id1, id2;
	bool dma_coherent;          /* the firmware says table walks are coherent */
	uint32_t stream_match_mask; /* "stream-match-mask": SMR mask for 1-cell specifiers */
	const char *model;          /* "MMU-500", "SMMUv2" */
};

extern const struct ims_iommu_ops ims_arm_smmu_ops;

/* Check and decode @regs, register the instance.  -EINVAL (with @why) or -ENOMEM. */
int ims_arm_smmu_register(struct ims_core *core, const char *name,
			  const struct arm_smmu_regs *regs, struct ims_iommu **out,
			  const char **why);
/* The fwspec ID of a specifier: the stream ID, and the mask (2nd cell or stream-match-mask). */
int ims_arm_smmu_of_xlate(struct ims_iommu *iommu, const uint32_t *cells, int nr_cells,
			  uint32_t *id);

/* The instance a paging domain is finalised for, or NULL; its context bank. */
struct ims_iommu *ims_arm_smmu_domain_instance(struct ims_domain *domain, int *cbndx);
struct ims_pt *ims_arm_smmu_domain_pt(struct ims_domain *domain);

#endif
