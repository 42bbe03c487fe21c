/* SPDX-License-Identifier: MIT */
/*
 * iommusim platforms: the simulated machine a host is built on.
 *
 * A platform is a device tree using the Linux kernel's own bindings where
 * one exists (IOMMU nodes with their upstream compatible and #iommu-cells,
 * `iommus`, PCI `iommu-map`, `reserved-memory` with `iommu-addresses`) and
 * documented `iommusim,` properties elsewhere; docs/platforms.md describes
 * the format.  Several platforms are built into the library.
 *
 * Loading validates the whole tree: a bad platform is refused with -EINVAL
 * and a message naming the file, the node and the property, e.g.
 *
 *   board.dts: /pcie@40000000: property 'iommu-map': entries 0 and 1 overlap
 *
 * Errors are negative errno values.  A loaded platform is immutable and may
 * be shared between threads.
 */
#ifndef IOMMUSIM_PLATFORM_H
#define IOMMUSIM_PLATFORM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_platform;

/*
 * Built-in platforms, by index from 0: the name ("mock") and a one-line
 * description; NULL past the last one.
 */
const char *ims_platform_builtin_name(size_t index);
const char *ims_platform_builtin_description(size_t index);

/* The name of the platform used when none is chosen. */
const char *ims_platform_default(void);

/*
 * Load @name_or_path: a built-in name, or a path to a device-tree blob or
 * source (a source is compiled by running `dtc` from PATH).  On failure a
 * message is written to @err (may be NULL) and *@out is untouched.
 * Returns 0, -EINVAL (bad platform), -ENOENT (no such built-in or file),
 * -ENOMEM, or the errno of a failed read or dtc run.
 */
int ims_platform_load(const char *name_or_path, struct ims_platform **out,
		      char *err, size_t errlen);

/* Free a platform; accepts NULL.  Every host built from it must be gone. */
void ims_platform_free(struct ims_platform *platform);

/* The built-in name or the path it was loaded from. */
const char *ims_platform_name(const struct ims_platform *platform);
/* The root node's `model` (one line), or "" if it has none. */
const char *ims_platform_description(const struct ims_platform *platform);

#ifdef __cplusplus
}
#endif

#endif
