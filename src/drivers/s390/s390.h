/* SPDX-License-Identifier: MIT */
/*
 * The s390 zPCI IOMMU driver model (torvalds/linux drivers/iommu/s390-iommu.c).
 *
 * On s390 every PCI function is its own IOMMU: the kernel registers one
 * iommu_device per zPCI function ("s390-iommu.<fid>"), whose DMA range
 * [start_dma, end_dma] the firmware reports (CLP), and translation is
 * switched by registering an I/O address translation anchor (IOAT) with
 * the Modify PCI Function Controls instruction.  Here one platform node
 * (compatible "iommusim,s390-zpci") is one function's translation unit;
 * exactly one PCI function sits behind it.
 *
 * Glossary: zPCI function (zdev), DMA range (start_dma..end_dma), IOAT
 * registration, origin type (the top table: region-third, -second, -first;
 * 3, 4 or 5 levels of src/pt's s390 format).
 */
#ifndef IMS_DRIVERS_S390_H
#define IMS_DRIVERS_S390_H

#include "core/core.h"

/* How the firmware answers an IOAT registration for API-owned domains. */
enum zpci_ioat_fault {
	ZPCI_IOAT_OK,
	ZPCI_IOAT_ERROR,          /* condition code 1, any other status */
	ZPCI_IOAT_FUNC_NOT_AVAIL, /* cc 1, status "function not available" */
	ZPCI_IOAT_INVALID_HANDLE, /* cc 3: the function handle went away */
};

/* What the firmware says about one function (the platform node's properties). */
struct zpci_fn_cfg {
	uint32_t fid;
	uint64_t start_dma, end_dma;
	uint8_t dtsm;                  /* designation types: RS if & 0x8, RF if & 0xc */
	enum zpci_ioat_fault ioat_fault;
};

#define ZPCI_DT_RS 0x8 /* ZPCI_IOTA_DT_RS, as the kernel tests dtsm */
#define ZPCI_DT_RF 0xc /* ZPCI_IOTA_DT_RF */

extern const struct ims_iommu_ops ims_s390_ops;

/* Register one function's translation unit; -EINVAL for a bad range. */
int ims_s390_register(struct ims_core *core, const char *name, const struct zpci_fn_cfg *cfg,
		      struct ims_iommu **out);

/* The DMA range the function has now (today's domain allocation may shrink it). */
void ims_s390_dma_range(struct ims_iommu *iommu, uint64_t *start, uint64_t *end);
/* Levels of an s390 paging domain's table (3: region-third origin .. 5). */
unsigned int ims_s390_domain_levels(struct ims_domain *domain);

#endif
