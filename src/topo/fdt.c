// SPDX-License-Identifier: MIT
/*
 * Device-tree readers for the loader.  drivers/fdt_props.h reads typed
 * properties; these add what walking a whole tree needs: raw cell arrays,
 * phandles that must resolve, addresses of 1 to 3 cells, node status and
 * names.  Every error goes through topo_error(), so every message names the
 * file, the node and (by convention, in the text) the property.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "topo-priv.h"

struct ims_fdt_node topo_node(const struct topo_ctx *c, int offset)
{
	struct ims_fdt_node node = {
		.fdt = c->fdt,
		.offset = offset,
		.file = c->p->source,
		.err = c->err,
		.errlen = c->errlen,
	};

	return node;
}

int topo_error(const struct topo_ctx *c, int offset, const char *fmt, ...)
{
	struct ims_fdt_node node = topo_node(c, offset);
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ims_fdt_error(&node, "%s", msg);
}

bool topo_available(const void *fdt, int offset)
{
	const char *status = fdt_getprop(fdt, offset, "status", NULL);

	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

const fdt32_t *topo_cells(const struct topo_ctx *c, int offset, const char *prop, int *nr)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, offset, prop, &len);

	*nr = 0;
	if (!p)
		return NULL;
	if (len % 4) {
		topo_error(c, offset, "property '%s': length %d is not a whole number of cells",
			   prop, len);
		*nr = -1;
		return NULL;
	}
	*nr = len / 4;
	return p;
}

int topo_phandle(const struct topo_ctx *c, int offset, const char *prop, uint32_t phandle,
		 int *target)
{
	int node = fdt_node_offset_by_phandle(c->fdt, phandle);

	if (phandle == 0 || phandle == (uint32_t)-1 || node < 0)
		return topo_error(c, offset, "property '%s': phandle 0x%x points at no node",
				  prop, phandle);
	*target = node;
	return 0;
}

int topo_u32_max(const struct topo_ctx *c, int offset, const char *prop, uint32_t *out,
		 uint32_t def, uint32_t max)
{
	struct ims_fdt_node node = topo_node(c, offset);
	int ret = ims_fdt_u32(&node, prop, out, def);

	if (ret == -EINVAL)
		return ret;
	if (*out > max)
		return topo_error(c, offset, "property '%s': 0x%x is more than 0x%x",
				  prop, *out, max);
	return 0;
}

int topo_read_number(const struct topo_ctx *c, int offset, const char *prop,
		     const fdt32_t *cells, int nr, uint64_t *out)
{
	if (nr < 1 || nr > 3)
		return topo_error(c, offset, "property '%s': cannot read a number of %d cells",
				  prop, nr);
	if (nr == 3) { /* PCI: phys.hi carries flags, then the 64-bit address */
		cells++;
		nr--;
	}
	*out = fdt32_to_cpu(cells[0]);
	if (nr == 2)
		*out = (*out << 32) | fdt32_to_cpu(cells[1]);
	return 0;
}

void topo_base_name(const void *fdt, int offset, char *buf, size_t len)
{
	const char *name = fdt_get_name(fdt, offset, NULL);
	size_t n;

	if (!name)
		name = "?";
	n = strcspn(name, "@");
	snprintf(buf, len, "%.*s", (int)n, name);
}
