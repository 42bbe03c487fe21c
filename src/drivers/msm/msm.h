/* SPDX-License-Identifier: MIT */
/*
 * The Qualcomm MSM IOMMU driver model (apq8064, msm8960), after the
 * kernel's drivers/iommu/msm_iommu.c.
 *
 * One msm IOMMU serves one master (its ctx_list holds the first device
 * that named it) through a few context banks ("qcom,ncb").  Page tables
 * are the ARM short descriptor without quirks (src/pt IMS_PT_ARM_V7S),
 * 4K/64K/1M/16M, 32-bit IOVA and PA, made afresh at every attach.
 */
#ifndef IMS_DRIVERS_MSM_H
#define IMS_DRIVERS_MSM_H

#include "core/core.h"

#define IMS_MSM_MAX_NCB 64

extern const struct ims_iommu_ops ims_msm_ops;

/* Register an msm IOMMU with @ncb context banks (1..IMS_MSM_MAX_NCB). */
int ims_msm_register(struct ims_core *core, const char *name, unsigned int ncb,
		     struct ims_iommu **out);

/* The context bank number the driver keeps for the instance's master (master->num). */
int ims_msm_master_context(struct ims_iommu *iommu);

#endif
