/* SPDX-License-Identifier: MIT */
/*
 * Debug logging by category.
 *
 * Off by default.  IOMMUSIM_DEBUG=core,vfio (or "all") turns categories on;
 * messages go to stderr as "iommusim[core]: ...".  The library never prints
 * to stdout and never prints for conditions a caller can trigger unless a
 * category asks for it: it runs inside other people's programs.
 *
 * ims_dbg() costs one load and a branch when the category is off.
 */
#ifndef IMS_UTIL_LOG_H
#define IMS_UTIL_LOG_H

#include <stdbool.h>

enum ims_log_cat {
	IMS_LOG_CORE,
	IMS_LOG_PT,
	IMS_LOG_DRV,
	IMS_LOG_TOPO,
	IMS_LOG_VFIO,
	IMS_LOG_IOMMUFD,
	IMS_LOG_HOST,
	IMS_LOG_SHIM,
	IMS_LOG_NR,
};

extern unsigned int ims_log_mask;

/* Parse a category list ("core,vfio", "all", "" for none); -EINVAL on an unknown name. */
int ims_log_parse(const char *spec, unsigned int *mask);
/* Replace the active categories (the library reads IOMMUSIM_DEBUG once at load). */
void ims_log_set_mask(unsigned int mask);
const char *ims_log_cat_name(enum ims_log_cat cat);

void ims_log(enum ims_log_cat cat, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define ims_log_enabled(cat) (ims_log_mask & (1u << (cat)))

#define ims_dbg(cat, ...)                         \
	do {                                      \
		if (ims_log_enabled(cat))         \
			ims_log(cat, __VA_ARGS__); \
	} while (0)

#endif
