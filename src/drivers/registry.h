/* SPDX-License-Identifier: MIT */
/*
 * Driver models as the platform loader sees them.
 *
 * Each driver (src/drivers/<name>/) exports one struct ims_driver_model:
 * which device-tree compatibles it probes, how it turns its IOMMU node into
 * an instance (reading the hardware's ID registers or the documented
 * iommusim, properties), how it translates an `iommus` / `iommu-map`
 * specifier into a fwspec ID, and whether it exists in a kernel era.  The
 * loader (src/topo) never knows a driver's details; adding a driver means
 * adding its model to the table in registry.c.
 */
#ifndef IMS_DRIVERS_REGISTRY_H
#define IMS_DRIVERS_REGISTRY_H

#include "core/core.h"
#include "drivers/fdt_props.h"

struct ims_driver_model {
	const char *name;                /* the driver's name, "arm-smmu-v3" */
	const char *const *compatibles;  /* NULL-terminated DT compatibles */
	const struct ims_iommu_ops *ops;
	/* Is the driver in this era (tegra-gart left in v6.7)?  NULL: always. */
	bool (*present)(const struct ims_profile_facts *facts);
	/*
	 * Create and register one instance named @name from its node.  Errors
	 * are reported with ims_fdt_error() (file, node, property) and
	 * returned as -EINVAL; nothing is left registered on failure.
	 */
	int (*probe_fdt)(struct ims_core *core, const struct ims_fdt_node *node,
			 const char *name, struct ims_iommu **out);
	/*
	 * The fwspec ID of one specifier (the cells after the phandle in
	 * `iommus`, or the output of `iommu-map`).  NULL: one cell, which is
	 * the ID (or no cell: ID 0).  -EINVAL for a malformed specifier.
	 */
	int (*of_xlate)(struct ims_iommu *iommu, const uint32_t *cells, int nr_cells,
			uint32_t *id);
	/* The #iommu-cells the binding requires (-1: any). */
	int iommu_cells;
	/*
	 * Driver knobs on a master's node (the mock's failure injection...).
	 * The result becomes ims_device_desc.platform_data and is freed with
	 * free_master once the device is gone.  NULL: none.
	 */
	int (*parse_master)(const struct ims_fdt_node *master, void **out);
	void (*free_master)(void *data);
	/* MSIs of devices behind @iommu are remapped (x86 interrupt remapping). */
	bool (*msi_remapping)(struct ims_iommu *iommu);
	/*
	 * The driver's attributes of the instance's class device, as its Linux
	 * driver prints them: call @emit for each, with a path relative to the
	 * class device and the text ("intel-iommu/cap", "d2008c40660462\n").
	 * Returns 0 or the first error of @emit.  NULL: the driver has none.
	 */
	int (*sysfs_attrs)(struct ims_iommu *iommu,
			   int (*emit)(void *ctx, const char *name, const char *value),
			   void *ctx);
};

/* Every model, NULL-terminated. */
extern const struct ims_driver_model *const ims_driver_models[];

const struct ims_driver_model *ims_driver_model_find(const char *name);
const struct ims_driver_model *ims_driver_model_for_compatible(const char *compatible);
/* The model that registered @iommu's ops, or NULL. */
const struct ims_driver_model *ims_driver_model_of(const struct ims_iommu *iommu);

#endif
