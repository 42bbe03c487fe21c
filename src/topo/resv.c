// SPDX-License-Identifier: MIT
/*
 * Reserved memory a device must keep seeing through its IOMMU
 * (reserved-memory.yaml `iommu-addresses`, the kernel's
 * of_iommu_get_resv_regions).
 *
 * A device lists regions with `memory-region = <&region ...>`.  A region's
 * `iommu-addresses` holds entries <&device address size>, address and size
 * in the #address-cells / #size-cells of that device's parent (3 address
 * cells on a PCI bus: the first, the PCI flags cell, is skipped).  The
 * entries for this device become its firmware regions:
 *
 *   region with `reg` and the IOVA range equal to it  -> DIRECT (1:1)
 *   region with `reg`, IOVA range elsewhere           -> RESERVED (Linux
 *                                                        warns and does so)
 *   region without `reg` (an IOVA hole)               -> RESERVED
 *   size 0                                            -> ignored, as Linux
 *
 * dma-ranges are not applied: addresses are taken as written.
 */
#include <errno.h>
#include <string.h>

#include "topo-priv.h"
#include "util/alloc.h"
#include "util/log.h"

struct region_phys {
	bool present;
	uint64_t start, size;
};

static int read_phys(struct topo_ctx *c, int region, struct region_phys *phys)
{
	int parent = fdt_parent_offset(c->fdt, region), nr;
	int na = fdt_address_cells(c->fdt, parent), ns = fdt_size_cells(c->fdt, parent);
	const fdt32_t *reg = topo_cells(c, region, "reg", &nr);

	phys->present = reg != NULL;
	if (nr < 0)
		return -EINVAL;
	if (!reg)
		return 0;
	if (na < 1 || ns < 1 || nr < na + ns)
		return topo_error(c, region, "property 'reg': %d cells, an address and a size "
				  "need %d + %d", nr, na, ns);
	if (topo_read_number(c, region, "reg", reg, na, &phys->start) ||
	    topo_read_number(c, region, "reg", reg + na, ns, &phys->size))
		return -EINVAL;
	return 0;
}

static int add_region(struct topo_dev *d, const struct region_phys *phys, uint64_t iova,
		      uint64_t size)
{
	struct ims_resv_region *grown, *r;

	grown = ims_realloc_array(d->resv, d->pub.nr_resv + 1, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	d->resv = grown;
	r = &grown[d->pub.nr_resv++];
	r->start = iova;
	r->length = size;
	r->prot = IMS_PROT_READ | IMS_PROT_WRITE |
		  (d->pub.cache_coherent ? IMS_PROT_CACHE : 0);
	r->type = phys->present && phys->start == iova && phys->size == size ?
		  IMS_RESV_DIRECT : IMS_RESV_RESERVED;
	return 0;
}

/* One entry at cells[*i]: its device node, IOVA and size; advances *i. */
static int read_entry(struct topo_ctx *c, int region, const fdt32_t *cells, int nr, int *i,
		      int entry, int *target, uint64_t *iova, uint64_t *size)
{
	int na, ns, ret;

	ret = topo_phandle(c, region, "iommu-addresses", fdt32_to_cpu(cells[(*i)++]), target);
	if (ret)
		return ret;
	na = fdt_address_cells(c->fdt, fdt_parent_offset(c->fdt, *target));
	ns = fdt_size_cells(c->fdt, fdt_parent_offset(c->fdt, *target));
	if (na < 1 || ns < 1 || *i + na + ns > nr)
		return topo_error(c, region, "property 'iommu-addresses': entry %d is truncated: "
				  "%s takes %d address and %d size cells", entry,
				  fdt_get_name(c->fdt, *target, NULL), na, ns);
	if (topo_read_number(c, region, "iommu-addresses", cells + *i, na, iova) ||
	    topo_read_number(c, region, "iommu-addresses", cells + *i + na, ns, size))
		return -EINVAL;
	*i += na + ns;
	if (*size && *iova + *size - 1 < *iova)
		return topo_error(c, region, "property 'iommu-addresses': entry %d wraps past "
				  "the end of the address space", entry);
	return 0;
}

/* Walk @region's entries; those for @d (may be NULL: only check) become regions. */
static int parse_region(struct topo_ctx *c, int region, struct topo_dev *d)
{
	struct region_phys phys;
	int nr, i = 0, entry = 0, target, ret;
	const fdt32_t *cells = topo_cells(c, region, "iommu-addresses", &nr);
	uint64_t iova, size;

	if (nr < 0 || read_phys(c, region, &phys))
		return -EINVAL;
	while (i < nr) {
		ret = read_entry(c, region, cells, nr, &i, entry++, &target, &iova, &size);
		if (ret)
			return ret;
		if (!d || target != d->offset)
			continue;
		if (!size) {
			ims_dbg(IMS_LOG_TOPO, "%s: empty iommu-addresses entry ignored", d->name);
			continue;
		}
		ret = add_region(d, &phys, iova, size);
		if (ret)
			return ret;
	}
	return 0;
}

int topo_parse_memory_regions(struct topo_ctx *c, struct topo_dev *d)
{
	int nr, region, ret;
	const fdt32_t *cells = topo_cells(c, d->offset, "memory-region", &nr);

	if (nr < 0)
		return -EINVAL;
	for (int i = 0; i < nr; i++) {
		ret = topo_phandle(c, d->offset, "memory-region", fdt32_to_cpu(cells[i]), &region);
		if (!ret && topo_available(c->fdt, region))
			ret = parse_region(c, region, d);
		if (ret)
			return ret;
	}
	return 0;
}

int topo_check_iommu_addresses(struct topo_ctx *c)
{
	int offset, depth = 0, ret;

	for (offset = fdt_next_node(c->fdt, -1, &depth); offset >= 0;
	     offset = fdt_next_node(c->fdt, offset, &depth)) {
		if (!fdt_getprop(c->fdt, offset, "iommu-addresses", NULL))
			continue;
		ret = parse_region(c, offset, NULL);
		if (ret)
			return ret;
	}
	return 0;
}
