/* SPDX-License-Identifier: MIT */
/*
 * Reading device-tree properties with errors people can act on.
 *
 * Platform files are device trees (DESIGN 3).  Every driver model reads its
 * IOMMU node's properties through these helpers, and the platform loader
 * (src/topo) uses them for everything else, so that every refusal names the
 * file, the node and the property:
 *
 *   arm64.dts: /smmu@2b400000: property 'iommusim,idr0': expected 1 cell, found 3
 *
 * An ims_fdt_node is a cursor on one node of a loaded blob; @err collects
 * the first error message.  Helpers return 0, -ENOENT when an optional
 * property is absent (the default has been stored), or -EINVAL with the
 * message set.
 */
#ifndef IMS_DRIVERS_FDT_PROPS_H
#define IMS_DRIVERS_FDT_PROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ims_fdt_node {
	const void *fdt;      /* the blob */
	int offset;           /* node offset in the blob */
	const char *file;     /* for messages: the platform's file or built-in name */
	char *err;            /* message buffer (first error wins) */
	size_t errlen;
};

/* Set the error message "FILE: /path: " + fmt (if none is set yet); returns -EINVAL. */
int ims_fdt_error(const struct ims_fdt_node *node, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The node's full path (static buffer per call site is not used: @buf). */
const char *ims_fdt_path(const struct ims_fdt_node *node, char *buf, size_t len);
const char *ims_fdt_name(const struct ims_fdt_node *node);

bool ims_fdt_has(const struct ims_fdt_node *node, const char *prop);
/* A boolean property: present (true) or absent (false). */
bool ims_fdt_bool(const struct ims_fdt_node *node, const char *prop);
int ims_fdt_u32(const struct ims_fdt_node *node, const char *prop, uint32_t *out,
		uint32_t def);
/* A 64-bit value given as two cells (<hi lo>) or one cell. */
int ims_fdt_u64(const struct ims_fdt_node *node, const char *prop, uint64_t *out,
		uint64_t def);
/* Any number of cells; *nr gets the count (at most @max). */
int ims_fdt_cells(const struct ims_fdt_node *node, const char *prop, uint32_t *out,
		  int max, int *nr);
/* A string property; *out points into the blob. */
int ims_fdt_string(const struct ims_fdt_node *node, const char *prop, const char **out,
		   const char *def);

#endif
