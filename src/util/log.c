// SPDX-License-Identifier: MIT
/*
 * Category logging (see log.h).  The mask is read from IOMMUSIM_DEBUG by a
 * constructor so that a preloaded program gets its categories before its
 * first call reaches us.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned int ims_log_mask;

static const char *const cat_names[IMS_LOG_NR] = {
	[IMS_LOG_CORE] = "core",       [IMS_LOG_PT] = "pt",
	[IMS_LOG_DRV] = "drv",         [IMS_LOG_TOPO] = "topo",
	[IMS_LOG_VFIO] = "vfio",       [IMS_LOG_IOMMUFD] = "iommufd",
	[IMS_LOG_HOST] = "host",       [IMS_LOG_SHIM] = "shim",
};

const char *ims_log_cat_name(enum ims_log_cat cat)
{
	return cat < IMS_LOG_NR ? cat_names[cat] : "?";
}

static int cat_from_name(const char *name, size_t len)
{
	if (len == 3 && !strncmp(name, "all", 3))
		return IMS_LOG_NR;
	for (int i = 0; i < IMS_LOG_NR; i++)
		if (strlen(cat_names[i]) == len && !strncmp(cat_names[i], name, len))
			return i;
	return -EINVAL;
}

int ims_log_parse(const char *spec, unsigned int *mask)
{
	unsigned int m = 0;

	while (spec && *spec) {
		size_t len = strcspn(spec, ",");
		int cat = len ? cat_from_name(spec, len) : 0;

		if (cat < 0)
			return cat;
		if (len)
			m |= cat == IMS_LOG_NR ? (1u << IMS_LOG_NR) - 1 : 1u << cat;
		spec += len + (spec[len] == ',');
	}
	*mask = m;
	return 0;
}

void ims_log_set_mask(unsigned int mask)
{
	ims_log_mask = mask;
}

void ims_log(enum ims_log_cat cat, const char *fmt, ...)
{
	va_list ap;

	flockfile(stderr);
	fprintf(stderr, "iommusim[%s]: ", ims_log_cat_name(cat));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

__attribute__((constructor)) static void log_init_from_env(void)
{
	const char *spec = getenv("IOMMUSIM_DEBUG");
	unsigned int mask;

	if (spec && !ims_log_parse(spec, &mask))
		ims_log_mask = mask;
}
