// SPDX-License-Identifier: MIT
/*
 * Device-tree property helpers (see fdt_props.h).  libfdt does the parsing;
 * this file adds the checks and the messages.
 */
#include "fdt_props.h"

#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ims_fdt_path(const struct ims_fdt_node *node, char *buf, size_t len)
{
	if (fdt_get_path(node->fdt, node->offset, buf, (int)len) < 0)
		snprintf(buf, len, "<node at %d>", node->offset);
	return buf;
}

const char *ims_fdt_name(const struct ims_fdt_node *node)
{
	const char *name = fdt_get_name(node->fdt, node->offset, NULL);

	return name ? name : "?";
}

int ims_fdt_error(const struct ims_fdt_node *node, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	int n;

	if (!node->err || !node->errlen || node->err[0])
		return -EINVAL;
	n = snprintf(node->err, node->errlen, "%s: %s: ", node->file ? node->file : "platform",
		     ims_fdt_path(node, path, sizeof(path)));
	if (n >= 0 && (size_t)n < node->errlen) {
		va_start(ap, fmt);
		vsnprintf(node->err + n, node->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

bool ims_fdt_has(const struct ims_fdt_node *node, const char *prop)
{
	return fdt_getprop(node->fdt, node->offset, prop, NULL) != NULL;
}

bool ims_fdt_bool(const struct ims_fdt_node *node, const char *prop)
{
	return ims_fdt_has(node, prop);
}

static const fdt32_t *get_cells(const struct ims_fdt_node *node, const char *prop, int *nr)
{
	int len;
	const fdt32_t *p = fdt_getprop(node->fdt, node->offset, prop, &len);

	if (!p)
		return NULL;
	if (len % 4) {
		ims_fdt_error(node, "property '%s': length %d is not a whole number of cells",
			      prop, len);
		*nr = -1;
		return NULL;
	}
	*nr = len / 4;
	return p;
}

int ims_fdt_u32(const struct ims_fdt_node *node, const char *prop, uint32_t *out,
		uint32_t def)
{
	int nr = 0;
	const fdt32_t *p = get_cells(node, prop, &nr);

	if (!p) {
		*out = def;
		return nr < 0 ? -EINVAL : -ENOENT;
	}
	if (nr != 1)
		return ims_fdt_error(node, "property '%s': expected 1 cell, found %d", prop, nr);
	*out = fdt32_to_cpu(p[0]);
	return 0;
}

int ims_fdt_u64(const struct ims_fdt_node *node, const char *prop, uint64_t *out,
		uint64_t def)
{
	int nr = 0;
	const fdt32_t *p = get_cells(node, prop, &nr);

	if (!p) {
		*out = def;
		return nr < 0 ? -EINVAL : -ENOENT;
	}
	if (nr == 1)
		*out = fdt32_to_cpu(p[0]);
	else if (nr == 2)
		*out = ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
	else
		return ims_fdt_error(node, "property '%s': expected 1 or 2 cells, found %d",
				     prop, nr);
	return 0;
}

int ims_fdt_cells(const struct ims_fdt_node *node, const char *prop, uint32_t *out,
		  int max, int *nr)
{
	const fdt32_t *p = get_cells(node, prop, nr);

	if (!p) {
		if (*nr >= 0)
			*nr = 0;
		return *nr < 0 ? -EINVAL : -ENOENT;
	}
	if (*nr > max)
		return ims_fdt_error(node, "property '%s': at most %d cells, found %d",
				     prop, max, *nr);
	for (int i = 0; i < *nr; i++)
		out[i] = fdt32_to_cpu(p[i]);
	return 0;
}

int ims_fdt_string(const struct ims_fdt_node *node, const char *prop, const char **out,
		   const char *def)
{
	int len;
	const char *s = fdt_getprop(node->fdt, node->offset, prop, &len);

	if (!s) {
		*out = def;
		return -ENOENT;
	}
	if (len < 1 || s[len - 1] != '\0' || strlen(s) + 1 != (size_t)len)
		return ims_fdt_error(node, "property '%s': expected one string", prop);
	*out = s;
	return 0;
}
