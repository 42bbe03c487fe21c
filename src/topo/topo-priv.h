/* SPDX-License-Identifier: MIT */
/*
 * Internals of the platform loader, shared by its files:
 *
 *   load.c      where a tree comes from (built-in, .dtb, .dts through dtc)
 *               and the platform object's life;
 *   fdt.c       small device-tree readers whose errors name file, node
 *               and property (on top of drivers/fdt_props.h);
 *   parse.c     the walk: IOMMU nodes, platform devices, what every device
 *               has in common, driver binding;
 *   pci.c       PCI host bridges: functions, bridges, iommu-map, msi-map;
 *   resv.c      reserved-memory regions with iommu-addresses;
 *   instance.c  building a platform into a core and taking it out again.
 *
 * While loading, devices refer to each other and to IOMMUs by index (the
 * arrays grow); the public pointers in ims_topo_device are set once the
 * arrays are final.
 */
#ifndef IMS_TOPO_PRIV_H
#define IMS_TOPO_PRIV_H

#include <libfdt.h>

#include "drivers/fdt_props.h"
#include "drivers/registry.h"
#include "topo.h"

#define TOPO_MAX_SPEC_CELLS 8   /* longest IOMMU specifier we accept */
#define TOPO_MAX_HOST_BRIDGES 64
#define TOPO_NO_INDEX (-1)

struct topo_iommu {
	int offset;                           /* its node */
	char *name;                           /* instance name */
	const struct ims_driver_model *model;
	uint32_t cells;                       /* #iommu-cells */
};

/* One specifier for the fwspec: the cells after the phandle, or a mapped RID. */
struct topo_spec {
	uint32_t cells[TOPO_MAX_SPEC_CELLS];
	int nr_cells;
	int entry;                            /* for messages: entry number */
};

struct topo_dev {
	struct ims_topo_device pub;
	int offset;                           /* its node */
	int iommu;                            /* index in platform->iommus, or none */
	struct topo_spec *specs;
	unsigned int nr_specs;
	int upstream, dma_alias;              /* device indexes, or none */
	struct ims_resv_region *resv;
	void *master_data;                    /* the model's parse_master result */
	char *name, *node;
};

struct ims_platform {
	char *name;
	char *source;                         /* for messages */
	const char *description;              /* root "model", in the blob */
	void *fdt;                            /* our copy of the blob */
	const struct ims_driver_model *const *models;
	struct topo_iommu *iommus;
	size_t nr_iommus;
	struct topo_dev **devs;
	size_t nr_devs;
};

/* The loader's state while it walks one tree. */
struct topo_ctx {
	struct ims_platform *p;
	const void *fdt;
	char *err;
	size_t errlen;
	struct { int offset; uint16_t segment; } segments[TOPO_MAX_HOST_BRIDGES];
	size_t nr_segments;
	uint32_t next_segment;                /* for host bridges without linux,pci-domain */
};

/* ---- fdt.c ---- */

struct ims_fdt_node topo_node(const struct topo_ctx *c, int offset);
/* Set the message for @offset (first one wins); returns -EINVAL. */
int topo_error(const struct topo_ctx *c, int offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* status absent, "okay" or "ok". */
bool topo_available(const void *fdt, int offset);
/* A property as raw cells: NULL when absent (*nr = 0), or on error (*nr = -1). */
const fdt32_t *topo_cells(const struct topo_ctx *c, int offset, const char *prop, int *nr);
/* The node a phandle points at, or -EINVAL naming @prop. */
int topo_phandle(const struct topo_ctx *c, int offset, const char *prop, uint32_t phandle,
		 int *target);
/* A u32 that must fit @max (inclusive); absent: @def. */
int topo_u32_max(const struct topo_ctx *c, int offset, const char *prop, uint32_t *out,
		 uint32_t def, uint32_t max);
/* An address or size of @nr cells (1..3; with 3, the PCI flags cell is skipped). */
int topo_read_number(const struct topo_ctx *c, int offset, const char *prop,
		     const fdt32_t *cells, int nr, uint64_t *out);
/* The node's name without its unit address ("smmu" for smmu@2b400000). */
void topo_base_name(const void *fdt, int offset, char *buf, size_t len);

/* ---- parse.c ---- */

int topo_parse(struct topo_ctx *c);
/* Index of the IOMMU at node @offset, or TOPO_NO_INDEX. */
int topo_iommu_at(const struct ims_platform *p, int offset);
/* A new device for node @offset named @name (taken over, may be NULL: -ENOMEM); ERR_PTR. */
struct topo_dev *topo_dev_add(struct topo_ctx *c, int offset, char *name);
/* Append one fwspec specifier of @nr cells (entry: its place, for messages). */
int topo_dev_add_spec(struct topo_dev *d, const fdt32_t *cells, int nr, int entry);
/* Properties every device has, once its bus-specific part is known. */
int topo_dev_common(struct topo_ctx *c, struct topo_dev *d);
/* msi-parent of @offset: does its controller isolate MSIs? */
int topo_msi_parent(struct topo_ctx *c, int offset, bool *isolated);

/* ---- pci.c ---- */

bool topo_is_host_bridge(const void *fdt, int offset);
int topo_parse_host_bridge(struct topo_ctx *c, int offset);
int topo_parse_bars(struct topo_ctx *c, struct topo_dev *d);
/* MSI controller at @offset isolates MSIs (an ITS, or iommusim,msi-isolated). */
bool topo_msi_controller_isolates(const void *fdt, int offset);

/* ---- resv.c ---- */

int topo_parse_memory_regions(struct topo_ctx *c, struct topo_dev *d);
/* Check every iommu-addresses property in the tree, used or not. */
int topo_check_iommu_addresses(struct topo_ctx *c);

#endif
