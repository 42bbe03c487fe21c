/* SPDX-License-Identifier: MIT */
/*
 * The platform loader: a device tree becomes IOMMU instances and devices
 * in a core (DESIGN 3, "Platform files"; docs/platforms.md is the format).
 *
 * Two steps, two objects:
 *
 *   ims_platform  a loaded and validated device tree: a built-in, a .dts
 *                 compiled with dtc, or a .dtb.  Loading checks everything
 *                 that does not depend on a kernel profile (phandles,
 *                 #iommu-cells, specifiers, iommu-map, PCI addresses, BARs,
 *                 reserved memory, driver knobs) and computes each device's
 *                 name, IDs and facts.  Immutable afterwards: any number of
 *                 cores may be built from one platform, from any thread.
 *
 *   ims_topo      one platform instantiated into one core: every IOMMU
 *                 registered by its driver model's probe_fdt, every device
 *                 added with its ims_device_desc (bridges before what is
 *                 behind them), default domains set up by
 *                 ims_core_probe_finish, then drivers bound: a device bound
 *                 to a kernel driver uses its group's default domain, which
 *                 makes the group not viable for VFIO.
 *
 * Every refusal is -EINVAL (or the errno of what failed, -ENOMEM...) with a
 * message "FILE: /node/path: property 'p': what is wrong" in the caller's
 * buffer.  A failed instantiation leaves the core exactly as it was given.
 *
 * Lifetimes: an ims_topo must be removed (ims_topo_remove) before its core
 * is destroyed, and a platform must outlive every ims_topo made from it
 * (drivers' per-device knobs live in the platform).
 */
#ifndef IMS_TOPO_H
#define IMS_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "iommusim/platform.h"

struct ims_driver_model;
struct ims_topo;

/* ------------------------------------------------------------------ */
/* Built-in platforms (src/topo/platforms/<name>.dts, embedded)        */

struct ims_topo_builtin {
	const char *name;    /* "mock" */
	const char *file;    /* "mock.dts", for messages */
	const void *blob;    /* the compiled tree */
	size_t size;
};

/* Generated at build time from the list in src/topo/meson.build. */
extern const struct ims_topo_builtin ims_topo_builtins[];

const struct ims_topo_builtin *ims_topo_builtin_find(const char *name);

/*
 * Load a tree that is already in memory: @source names it in messages,
 * @models is the table of driver models to use (NULL: ims_driver_models;
 * tests pass their own).  The blob is copied.
 */
int ims_topo_load_blob(const void *blob, size_t size, const char *name,
		       const char *source, const struct ims_driver_model *const *models,
		       struct ims_platform **out, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* What a platform says about each device                              */

/* iommusim,bars flags (docs/platforms.md). */
#define IMS_TOPO_BAR_IO       (1u << 0) /* I/O space (else memory) */
#define IMS_TOPO_BAR_MEM64    (1u << 1) /* 64-bit memory BAR: takes two slots */
#define IMS_TOPO_BAR_PREFETCH (1u << 2) /* prefetchable memory */
#define IMS_TOPO_BAR_NO_MMAP  (1u << 3) /* registers: pread/pwrite only */
#define IMS_TOPO_BAR_FLAGS    0xfu

#define IMS_TOPO_MAX_BARS 6

struct ims_topo_bar {
	unsigned int index;  /* BAR number, 0..5 */
	uint32_t flags;      /* IMS_TOPO_BAR_* */
	uint64_t size;       /* bytes, a power of two */
};

/* How the bound driver treats the device's group (kernel-semantics 2.6). */
enum ims_topo_binding {
	IMS_TOPO_UNBOUND,        /* "none": no driver */
	IMS_TOPO_VFIO,           /* vfio-pci, vfio-platform: the user owns DMA */
	IMS_TOPO_DRIVER_MANAGED, /* pcieport, pci-stub: driver_managed_dma */
	IMS_TOPO_KERNEL,         /* any other: uses the default domain */
};

struct ims_topo_pci {
	uint16_t segment;
	uint8_t bus, devfn;
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem_device;
	uint32_t class_code;          /* 24 bits: class, subclass, prog-if */
	uint8_t revision;
	bool bridge;                  /* class 0x0604: has a secondary bus */
	bool acs;                     /* iommusim,acs */
	bool multifunction;           /* other functions in its slot */
	bool pcie_to_pci;             /* iommusim,pcie-to-pci-bridge */
	uint8_t secondary_bus;        /* bridges: the bus of their children */
	const struct ims_topo_device *upstream;  /* bridge above, NULL on a root bus */
	const struct ims_topo_device *dma_alias; /* PCIe-to-PCI bridge DMA uses */
};

struct ims_topo_device {
	unsigned int index;           /* position in the platform, 0.. */
	const char *name;             /* "0000:01:00.0", "20000000.dma" (sysfs) */
	const char *node;             /* device-tree path */
	enum ims_bus bus;             /* IMS_BUS_PCI or IMS_BUS_PLATFORM */
	const char *driver;           /* bound driver, NULL when unbound */
	enum ims_topo_binding binding;
	const char *iommu;            /* instance name, NULL: not behind one */
	struct ims_topo_pci pci;      /* bus == IMS_BUS_PCI */
	struct ims_topo_bar bars[IMS_TOPO_MAX_BARS];
	unsigned int nr_bars;
	const struct ims_resv_region *resv; /* from reserved-memory */
	unsigned int nr_resv;
	bool untrusted, cache_coherent;
	bool msi_isolated;            /* by its MSI controller or the property;
				       * the instance's msi_remapping adds to it */
	uint32_t max_pasids;
};

const char *ims_topo_binding_name(enum ims_topo_binding binding);

size_t ims_topo_nr_devices(const struct ims_platform *platform);
/* The @i-th device (DT order: bridges before their children), NULL past the end. */
const struct ims_topo_device *ims_topo_device(const struct ims_platform *platform, size_t i);
const struct ims_topo_device *ims_topo_find_device(const struct ims_platform *platform,
						   const char *name);
size_t ims_topo_nr_iommus(const struct ims_platform *platform);
/* Name and driver model name of the @i-th IOMMU, NULL past the end. */
const char *ims_topo_iommu_name(const struct ims_platform *platform, size_t i);
const char *ims_topo_iommu_driver(const struct ims_platform *platform, size_t i);
/* The file or built-in the platform came from ("mock.dts", "board.dtb"). */
const char *ims_topo_source(const struct ims_platform *platform);

#define ims_topo_for_each_device(platform, i, d) \
	for ((i) = 0; ((d) = ims_topo_device((platform), (i))) != NULL; (i)++)

/* ------------------------------------------------------------------ */
/* Instantiation                                                       */

/*
 * Build @platform into @core (normally fresh): register, add, probe,
 * finish, bind.  On failure the core is as it was and *@out untouched.
 */
int ims_topo_instantiate(const struct ims_platform *platform, struct ims_core *core,
			 struct ims_topo **out, char *err, size_t errlen);
/*
 * Take everything the instantiation added back out of its core (devices in
 * reverse order, then instances) and free it.  The host releases its DMA
 * ownership claims first.  Accepts NULL.
 */
void ims_topo_remove(struct ims_topo *topo);

const struct ims_platform *ims_topo_platform(const struct ims_topo *topo);
struct ims_core *ims_topo_core(const struct ims_topo *topo);
/* The core's device for @d. */
struct ims_device *ims_topo_core_device(const struct ims_topo *topo,
					const struct ims_topo_device *d);
/* The platform's facts for a core device, NULL if the platform did not add it. */
const struct ims_topo_device *ims_topo_device_of(const struct ims_topo *topo,
						 const struct ims_device *dev);

#endif
