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

/*
 * One compatibility case of `iommusim matrix` (DESIGN 3), run for real on a
 * built-in platform in each profile:
 *
 *   1. if @occupy is set, allocate another paging domain for @occupy and
 *      attach it to @occupy's group (an instance already busy);
 *   2. allocate a paging domain for @domain_for with @alloc_flags;
 *   3. if @bind_first, attach it to @domain_for's group (drivers that bind
 *      domains at first attach are bound now);
 *   4. if @enforce_coherency, ask the domain to enforce cache coherency;
 *   5. attach it to @target's group: the answer is the case's result.
 *
 * Devices are named as on the platform ("0000:01:00.0", "10000000.dma").
 * A case whose recipe cannot express it provides @run, which does
 * everything on the instantiated core and returns the attach's errno.
 */
struct ims_matrix_case {
	const char *name;          /* "foreign-instance", "snoop-control", ... */
	const char *platform;      /* built-in platform it runs on */
	const char *domain_for;
	const char *target;
	const char *occupy;        /* NULL: nothing attached beforehand */
	uint32_t alloc_flags;      /* IMS_ALLOC_* */
	bool bind_first;
	bool enforce_coherency;
	/* The condition is a domain/device mismatch (another domain may fit):
	 * the contract wants the profile's incompatible errno.  False: a
	 * device or system failure, which must be hard. */
	bool incompatible;
	int (*run)(struct ims_core *core);
};

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
	 * Extra sysfs attributes of an instance, under /sys/class/iommu/<name>/
	 * (VT-d: "intel-iommu/cap" and "intel-iommu/ecap", as the hardware
	 * registers in hex).  Called with @i = 0, 1, ... until it returns
	 * false; sets *@path (relative) and writes the content into @value.
	 * NULL: none.
	 */
	bool (*sysfs_attr)(struct ims_iommu *iommu, unsigned int i, const char **path,
			   char *value, size_t len);
	/* The driver's compatibility cases, for `iommusim matrix`; the array
	 * ends with an entry whose name is NULL. */
	const struct ims_matrix_case *matrix_cases;
};

/* Every model, NULL-terminated. */
extern const struct ims_driver_model *const ims_driver_models[];

const struct ims_driver_model *ims_driver_model_find(const char *name);
const struct ims_driver_model *ims_driver_model_for_compatible(const char *compatible);
/* The model that registered @iommu's ops, or NULL. */
const struct ims_driver_model *ims_driver_model_of(const struct ims_iommu *iommu);

#endif
