// SPDX-License-Identifier: MIT
/*
 * PCI host bridges (device_type = "pci") and the functions below them.
 *
 * A function is a child node whose `reg` is a configuration-space address
 * (the PCI bus binding: phys.hi = 0x00BBDF00, bus B, device D, function F).
 * A function whose class-code is 0x0604xx is a bridge; its children are
 * functions on its secondary bus, which all share one bus number.  Bridges
 * come before their children, so the core groups them in that order.
 *
 * Requester ID = bus << 8 | devfn.  The host bridge's iommu-map (with
 * iommu-map-mask) turns it into an ID on an IOMMU instance, as the kernel's
 * of_map_id() does; a RID that no entry covers bypasses translation and
 * the function has no IOMMU (of_iommu_xlate finds no node: -ENODEV, "no
 * IOMMU"), and so does every function of a bridge without iommu-map.  Unlike
 * the kernel, entries that overlap are refused: the first match would win
 * silently.  msi-map, the same way, finds the MSI controller that decides
 * whether the function's MSIs are isolated; without it, msi-parent does.
 *
 * Conventional PCI below a PCIe-to-PCI bridge (iommusim,pcie-to-pci-bridge)
 * is seen by the IOMMU with the alias RID (secondary bus, 00.0): the function
 * gets both IDs, and the core puts it in the bridge's group.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topo-priv.h"
#include "util/alloc.h"

#define PCI_CLASS_BRIDGE_PCI 0x0604

struct topo_map {
	const char *prop;
	const fdt32_t *cells;        /* entries of <id-base phandle out-base length> */
	int nr_entries;
	uint32_t mask;
};

struct host_bridge {
	int offset;
	uint16_t segment;
	uint32_t bus_first, bus_last;
	struct topo_map iommu_map, msi_map;
	bool msi_parent_isolates;
};

bool topo_is_host_bridge(const void *fdt, int offset)
{
	const char *type = fdt_getprop(fdt, offset, "device_type", NULL);

	return type && (!strcmp(type, "pci") || !strcmp(type, "pciex"));
}

bool topo_msi_controller_isolates(const void *fdt, int offset)
{
	return fdt_node_check_compatible(fdt, offset, "arm,gic-v3-its") == 0 ||
	       fdt_getprop(fdt, offset, "iommusim,msi-isolated", NULL) != NULL;
}

/* ---- iommu-map, msi-map ---- */

static uint32_t map_cell(const struct topo_map *m, int entry, int i)
{
	return fdt32_to_cpu(m->cells[entry * 4 + i]);
}

static int check_map_target(struct topo_ctx *c, int offset, const struct topo_map *m, int e)
{
	bool iommu = !strcmp(m->prop, "iommu-map");
	const char *need = iommu ? "#iommu-cells" : "msi-controller";
	int target, ret;

	ret = topo_phandle(c, offset, m->prop, map_cell(m, e, 1), &target);
	if (ret)
		return ret;
	if (!fdt_getprop(c->fdt, target, need, NULL))
		return topo_error(c, offset, "property '%s': entry %d: %s is not %s (no %s)",
				  m->prop, e, fdt_get_name(c->fdt, target, NULL),
				  iommu ? "an IOMMU" : "an MSI controller", need);
	if (map_cell(m, e, 3) == 0)
		return topo_error(c, offset, "property '%s': entry %d has length 0", m->prop, e);
	if ((uint64_t)map_cell(m, e, 0) + map_cell(m, e, 3) > 0x100000000ull ||
	    (uint64_t)map_cell(m, e, 2) + map_cell(m, e, 3) > 0x100000000ull)
		return topo_error(c, offset, "property '%s': entry %d runs past 32 bits",
				  m->prop, e);
	return 0;
}

static int check_map_overlap(struct topo_ctx *c, int offset, const struct topo_map *m)
{
	for (int i = 0; i < m->nr_entries; i++) {
		uint64_t a = map_cell(m, i, 0), a_end = a + map_cell(m, i, 3);

		for (int j = i + 1; j < m->nr_entries; j++) {
			uint64_t b = map_cell(m, j, 0), b_end = b + map_cell(m, j, 3);

			if (a < b_end && b < a_end)
				return topo_error(c, offset, "property '%s': entries %d and %d "
						  "overlap (IDs 0x%llx..0x%llx)", m->prop, i, j,
						  (unsigned long long)IMS_MAX(a, b),
						  (unsigned long long)IMS_MIN(a_end, b_end) - 1);
		}
	}
	return 0;
}

static int read_map(struct topo_ctx *c, int offset, const char *prop, const char *mask_prop,
		    struct topo_map *m)
{
	struct ims_fdt_node node = topo_node(c, offset);
	int nr, ret;

	m->prop = prop;
	m->cells = topo_cells(c, offset, prop, &nr);
	if (nr < 0 || ims_fdt_u32(&node, mask_prop, &m->mask, 0xffffffffu) == -EINVAL)
		return -EINVAL;
	if (nr % 4)
		return topo_error(c, offset, "property '%s': %d cells is not a list of "
				  "<id-base &target target-base length>", prop, nr);
	m->nr_entries = nr / 4;
	for (int e = 0; e < m->nr_entries; e++) {
		ret = check_map_target(c, offset, m, e);
		if (ret)
			return ret;
	}
	return check_map_overlap(c, offset, m);
}

/* of_map_id: the target node and output ID of @id, or false (bypass). */
static bool map_id(const struct topo_ctx *c, const struct topo_map *m, uint32_t id,
		   int *target, uint32_t *out)
{
	uint32_t masked = id & m->mask;

	for (int e = 0; e < m->nr_entries; e++) {
		uint32_t base = map_cell(m, e, 0);

		if (masked < base || masked - base >= map_cell(m, e, 3))
			continue;
		*target = fdt_node_offset_by_phandle(c->fdt, map_cell(m, e, 1));
		*out = masked - base + map_cell(m, e, 2);
		return true;
	}
	return false;
}

/* ---- the host bridge ---- */

static int read_segment(struct topo_ctx *c, struct host_bridge *h)
{
	uint32_t segment;
	int ret;

	if (c->nr_segments == TOPO_MAX_HOST_BRIDGES)
		return topo_error(c, h->offset, "more than %d PCI host bridges",
				  TOPO_MAX_HOST_BRIDGES);
	ret = topo_u32_max(c, h->offset, "linux,pci-domain", &segment, c->next_segment, 0xffff);
	if (ret)
		return ret;
	for (size_t i = 0; i < c->nr_segments; i++)
		if (c->segments[i].segment == segment)
			return topo_error(c, h->offset, "property 'linux,pci-domain': segment %u "
					  "is already used by %s", segment,
					  fdt_get_name(c->fdt, c->segments[i].offset, NULL));
	c->segments[c->nr_segments].offset = h->offset;
	c->segments[c->nr_segments++].segment = (uint16_t)segment;
	h->segment = (uint16_t)segment;
	c->next_segment = IMS_MAX(segment + 1, c->next_segment);
	return 0;
}

static int read_bus_range(struct topo_ctx *c, struct host_bridge *h)
{
	int nr;
	const fdt32_t *range = topo_cells(c, h->offset, "bus-range", &nr);

	h->bus_first = 0;
	h->bus_last = 0xff;
	if (nr < 0)
		return -EINVAL;
	if (!range)
		return 0;
	if (nr != 2 || fdt32_to_cpu(range[0]) > fdt32_to_cpu(range[1]) ||
	    fdt32_to_cpu(range[1]) > 0xff)
		return topo_error(c, h->offset, "property 'bus-range': expected <first last> "
				  "with first <= last <= 0xff");
	h->bus_first = fdt32_to_cpu(range[0]);
	h->bus_last = fdt32_to_cpu(range[1]);
	return 0;
}

/* ---- functions ---- */

static int read_bdf(struct topo_ctx *c, int offset, uint8_t *bus, uint8_t *devfn)
{
	int nr;
	const fdt32_t *reg = topo_cells(c, offset, "reg", &nr);
	uint32_t hi;

	if (nr < 0)
		return -EINVAL;
	hi = nr ? fdt32_to_cpu(reg[0]) : 0xffffffffu;
	if (hi & 0xff0000ffu)
		return topo_error(c, offset, "property 'reg': not a PCI configuration-space "
				  "address <0x00BBDF00 ...> (bus, device, function)");
	*bus = (uint8_t)(hi >> 16);
	*devfn = (uint8_t)(hi >> 8);
	return 0;
}

/* The bus a function says it is on must be where it sits. */
static int check_bus(struct topo_ctx *c, const struct host_bridge *h, int offset,
		     struct topo_dev *up, uint8_t bus)
{
	if (bus < h->bus_first || bus > h->bus_last)
		return topo_error(c, offset, "property 'reg': bus 0x%02x is outside the host "
				  "bridge's bus-range 0x%02x-0x%02x", bus, h->bus_first, h->bus_last);
	if (!up && bus != h->bus_first)
		return topo_error(c, offset, "property 'reg': bus 0x%02x, but functions of the "
				  "host bridge are on its root bus 0x%02x", bus, h->bus_first);
	if (up && bus <= up->pub.pci.bus)
		return topo_error(c, offset, "property 'reg': bus 0x%02x is not below the "
				  "bridge's own bus 0x%02x", bus, up->pub.pci.bus);
	if (up && up->pub.pci.secondary_bus && bus != up->pub.pci.secondary_bus)
		return topo_error(c, offset, "property 'reg': bus 0x%02x, but the bridge's other "
				  "functions are on bus 0x%02x", bus, up->pub.pci.secondary_bus);
	if (up)
		up->pub.pci.secondary_bus = bus;
	return 0;
}

static int check_unique_bdf(struct topo_ctx *c, int offset, uint16_t segment, uint8_t bus,
			    uint8_t devfn)
{
	for (size_t i = 0; i < c->p->nr_devs; i++) {
		const struct topo_dev *o = c->p->devs[i];

		if (o->pub.bus == IMS_BUS_PCI && o->pub.pci.segment == segment &&
		    o->pub.pci.bus == bus && o->pub.pci.devfn == devfn)
			return topo_error(c, offset, "property 'reg': %04x:%02x:%02x.%d is already "
					  "used by %s", segment, bus, devfn >> 3, devfn & 7, o->node);
	}
	return 0;
}

static int read_ids(struct topo_ctx *c, struct topo_dev *d)
{
	struct ims_topo_pci *pci = &d->pub.pci;
	struct ims_fdt_node node = topo_node(c, d->offset);
	uint32_t v[6];
	int ret = 0;

	if (!ims_fdt_has(&node, "vendor-id") || !ims_fdt_has(&node, "device-id"))
		return topo_error(c, d->offset, "property '%s': missing (every PCI function "
				  "has vendor-id and device-id)",
				  ims_fdt_has(&node, "vendor-id") ? "device-id" : "vendor-id");
	ret |= topo_u32_max(c, d->offset, "vendor-id", &v[0], 0, 0xffff);
	ret |= topo_u32_max(c, d->offset, "device-id", &v[1], 0, 0xffff);
	ret |= topo_u32_max(c, d->offset, "subsystem-vendor-id", &v[2], 0, 0xffff);
	ret |= topo_u32_max(c, d->offset, "subsystem-id", &v[3], 0, 0xffff);
	ret |= topo_u32_max(c, d->offset, "class-code", &v[4], 0, 0xffffff);
	ret |= topo_u32_max(c, d->offset, "revision-id", &v[5], 0, 0xff);
	if (ret)
		return -EINVAL;
	pci->vendor = (uint16_t)v[0];
	pci->device = (uint16_t)v[1];
	pci->subsystem_vendor = (uint16_t)v[2];
	pci->subsystem_device = (uint16_t)v[3];
	pci->class_code = v[4];
	pci->revision = (uint8_t)v[5];
	pci->bridge = v[4] >> 8 == PCI_CLASS_BRIDGE_PCI;
	return 0;
}

static bool has_functions(const void *fdt, int offset)
{
	int child;

	fdt_for_each_subnode(child, fdt, offset)
		if (topo_available(fdt, child) && fdt_getprop(fdt, child, "reg", NULL))
			return true;
	return false;
}

static int read_bridge(struct topo_ctx *c, struct topo_dev *d)
{
	struct ims_fdt_node node = topo_node(c, d->offset);

	if (!d->pub.pci.bridge && has_functions(c->fdt, d->offset))
		return topo_error(c, d->offset, "property 'class-code': 0x%06x is not a PCI "
				  "bridge (0x0604xx), yet functions sit below it",
				  d->pub.pci.class_code);
	d->pub.pci.acs = ims_fdt_bool(&node, "iommusim,acs");
	d->pub.pci.pcie_to_pci = ims_fdt_bool(&node, "iommusim,pcie-to-pci-bridge");
	if (d->pub.pci.pcie_to_pci && !d->pub.pci.bridge)
		return topo_error(c, d->offset, "property 'iommusim,pcie-to-pci-bridge': "
				  "class-code 0x%06x is not a PCI bridge", d->pub.pci.class_code);
	if (fdt_getprop(c->fdt, d->offset, "iommus", NULL))
		return topo_error(c, d->offset, "property 'iommus': PCI functions reach their "
				  "IOMMU through the host bridge's iommu-map");
	return 0;
}

/* Untrusted below an external-facing port; the alias of a PCIe-to-PCI bridge. */
static void inherit_from_upstream(struct ims_platform *p, struct topo_dev *d)
{
	struct topo_dev *up = d->upstream == TOPO_NO_INDEX ? NULL : p->devs[d->upstream];

	if (!up)
		return;
	d->pub.untrusted = up->pub.untrusted ||
			   fdt_getprop(p->fdt, up->offset, "external-facing", NULL) != NULL;
	d->dma_alias = up->pub.pci.pcie_to_pci ? (int)up->pub.index : up->dma_alias;
}

/* Map @rid through iommu-map: the IOMMU index (or none) and its ID. */
static void map_rid(struct topo_ctx *c, const struct host_bridge *h, uint32_t rid,
		    int *iommu, uint32_t *id)
{
	int target;

	*iommu = TOPO_NO_INDEX;
	if (map_id(c, &h->iommu_map, rid, &target, id))
		*iommu = topo_iommu_at(c->p, target);
}

static int map_function(struct topo_ctx *c, const struct host_bridge *h, struct topo_dev *d)
{
	const struct ims_topo_pci *pci = &d->pub.pci;
	uint32_t rid = (uint32_t)pci->bus << 8 | pci->devfn, id, alias_id;
	int iommu, alias_iommu, ret;
	fdt32_t cell;

	map_rid(c, h, rid, &iommu, &id);
	if (iommu == TOPO_NO_INDEX)
		return 0;
	d->iommu = iommu;
	cell = cpu_to_fdt32(id);
	ret = topo_dev_add_spec(d, &cell, 1, 0);
	if (ret || d->dma_alias == TOPO_NO_INDEX)
		return ret;
	rid = (uint32_t)c->p->devs[d->dma_alias]->pub.pci.secondary_bus << 8;
	map_rid(c, h, rid, &alias_iommu, &alias_id);
	if (alias_iommu != iommu)
		return topo_error(c, h->offset, "property 'iommu-map': %s and its DMA alias "
				  "0x%04x map to different IOMMUs", d->name, rid);
	if (alias_id == id)
		return 0;
	cell = cpu_to_fdt32(alias_id);
	return topo_dev_add_spec(d, &cell, 1, 1);
}

static int read_msi(struct topo_ctx *c, const struct host_bridge *h, struct topo_dev *d)
{
	uint32_t rid = (uint32_t)d->pub.pci.bus << 8 | d->pub.pci.devfn, unused;
	int controller;

	if (map_id(c, &h->msi_map, rid, &controller, &unused))
		d->pub.msi_isolated = topo_msi_controller_isolates(c->fdt, controller);
	else
		d->pub.msi_isolated = h->msi_parent_isolates;
	return 0;
}

/* ---- iommusim,bars = <bar flags size-hi size-lo>... ---- */

static bool power_of_two(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int check_bar(struct topo_ctx *c, const struct topo_dev *d, int e,
		     const struct ims_topo_bar *bar, unsigned int *used)
{
	unsigned int slots = bar->flags & IMS_TOPO_BAR_MEM64 ? 3u : 1u;
	unsigned int last = d->pub.pci.bridge ? 1 : IMS_TOPO_MAX_BARS - 1;
	bool io = bar->flags & IMS_TOPO_BAR_IO;
	const char *why = NULL;

	if (bar->index > last)
		why = d->pub.pci.bridge ? "a bridge has BARs 0 and 1 only" : "BARs are 0..5";
	else if (bar->flags & ~IMS_TOPO_BAR_FLAGS)
		why = "unknown flag bits (io 0x1, mem64 0x2, prefetch 0x4, no-mmap 0x8)";
	else if (io && bar->flags != IMS_TOPO_BAR_IO)
		why = "an I/O BAR takes no memory flags";
	else if ((bar->flags & IMS_TOPO_BAR_MEM64) && bar->index == last)
		why = "a 64-bit BAR needs the next BAR for its upper half";
	else if (*used & (slots << bar->index))
		why = "BAR used twice (a 64-bit BAR takes two)";
	else if (!power_of_two(bar->size) || bar->size < (io ? 4u : 16u))
		why = "size must be a power of two, at least 16 (4 for I/O)";
	else if (!(bar->flags & IMS_TOPO_BAR_MEM64) && bar->size > (io ? 256u : 1ull << 31))
		why = io ? "an I/O BAR is at most 256 bytes" : "a 32-bit BAR is at most 2 GiB";
	if (why)
		return topo_error(c, d->offset, "property 'iommusim,bars': entry %d (BAR %u): %s",
				  e, bar->index, why);
	*used |= slots << bar->index;
	return 0;
}

int topo_parse_bars(struct topo_ctx *c, struct topo_dev *d)
{
	int nr, ret;
	const fdt32_t *cells = topo_cells(c, d->offset, "iommusim,bars", &nr);
	unsigned int used = 0;

	if (nr < 0)
		return -EINVAL;
	if (nr % 4)
		return topo_error(c, d->offset, "property 'iommusim,bars': %d cells is not a "
				  "list of <bar flags size-hi size-lo>", nr);
	for (int e = 0; e < nr / 4; e++) {
		struct ims_topo_bar *bar = &d->pub.bars[d->pub.nr_bars];
		const fdt32_t *entry = cells + 4 * e;

		bar->index = fdt32_to_cpu(entry[0]);
		bar->flags = fdt32_to_cpu(entry[1]);
		bar->size = (uint64_t)fdt32_to_cpu(entry[2]) << 32 | fdt32_to_cpu(entry[3]);
		ret = check_bar(c, d, e, bar, &used);
		if (ret)
			return ret;
		d->pub.nr_bars++;
	}
	return 0;
}

static int scan_bus(struct topo_ctx *c, const struct host_bridge *h, int bus_node,
		    struct topo_dev *up);

static int parse_function(struct topo_ctx *c, const struct host_bridge *h, int offset,
			  struct topo_dev *up)
{
	struct topo_dev *d;
	uint8_t bus = 0, devfn = 0;
	int ret;

	ret = read_bdf(c, offset, &bus, &devfn);
	if (!ret)
		ret = check_bus(c, h, offset, up, bus);
	if (!ret)
		ret = check_unique_bdf(c, offset, h->segment, bus, devfn);
	if (ret)
		return ret;
	d = topo_dev_add(c, offset, ims_asprintf("%04x:%02x:%02x.%d", h->segment, bus,
						 devfn >> 3, devfn & 7));
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	d->pub.bus = IMS_BUS_PCI;
	d->pub.pci.segment = h->segment;
	d->pub.pci.bus = bus;
	d->pub.pci.devfn = devfn;
	d->upstream = up ? (int)up->pub.index : TOPO_NO_INDEX;
	ret = read_ids(c, d);
	if (!ret)
		ret = read_bridge(c, d);
	if (ret)
		return ret;
	inherit_from_upstream(c->p, d);
	ret = map_function(c, h, d);
	if (!ret)
		ret = read_msi(c, h, d);
	if (!ret)
		ret = topo_dev_common(c, d);
	if (!ret)
		ret = topo_parse_bars(c, d);
	if (!ret && d->pub.pci.bridge)
		ret = scan_bus(c, h, offset, d);
	return ret;
}

static int scan_bus(struct topo_ctx *c, const struct host_bridge *h, int bus_node,
		    struct topo_dev *up)
{
	int child, ret;

	fdt_for_each_subnode(child, c->fdt, bus_node) {
		if (!topo_available(c->fdt, child) || !fdt_getprop(c->fdt, child, "reg", NULL))
			continue; /* interrupt controllers and the like */
		ret = parse_function(c, h, child, up);
		if (ret)
			return ret;
	}
	return 0;
}

int topo_parse_host_bridge(struct topo_ctx *c, int offset)
{
	struct host_bridge h = { .offset = offset };
	int ret;

	ret = read_segment(c, &h);
	if (!ret)
		ret = read_bus_range(c, &h);
	if (!ret)
		ret = read_map(c, offset, "iommu-map", "iommu-map-mask", &h.iommu_map);
	if (!ret)
		ret = read_map(c, offset, "msi-map", "msi-map-mask", &h.msi_map);
	if (!ret)
		ret = topo_msi_parent(c, offset, &h.msi_parent_isolates);
	return ret ? ret : scan_bus(c, &h, offset, NULL);
}
