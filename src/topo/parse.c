// SPDX-License-Identifier: MIT
/*
 * The walk over a platform's tree.
 *
 * First every IOMMU: a node with #iommu-cells, or whose compatible a driver
 * model claims.  It must have both, and its #iommu-cells must be what the
 * model's binding says; an IOMMU nobody models is refused (ordinary nodes
 * with unknown compatibles -- interrupt controllers, clocks -- are fine).
 * Disabled nodes (status = "disabled") do not exist, as in Linux.
 *
 * Then devices, in tree order: a node with `iommus` is a platform device; a
 * node with device_type = "pci" is a host bridge whose children are PCI
 * functions (pci.c).  What every device has in common -- bound driver, DMA
 * coherency, PASIDs, reserved memory, the driver model's knobs -- is read
 * by topo_dev_common() once the bus-specific part is known.
 *
 * Names follow Linux: PCI functions by address ("0000:01:00.0"), platform
 * devices and IOMMU instances as of_device_make_bus_id() names them: the
 * first reg address in hex and the node name without unit address
 * ("2b400000.smmu"), or the node's full name when it has no reg.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topo-priv.h"
#include "util/alloc.h"

#define MAX_PASID_BITS 20

/* ---- IOMMU nodes ---- */

static const struct ims_driver_model *model_for(const struct topo_ctx *c, const char *compat)
{
	const struct ims_driver_model *const *m;

	for (m = c->p->models; *m; m++)
		for (const char *const *s = (*m)->compatibles; s && *s; s++)
			if (!strcmp(*s, compat))
				return *m;
	return NULL;
}

static const struct ims_driver_model *node_model(const struct topo_ctx *c, int offset)
{
	int n = fdt_stringlist_count(c->fdt, offset, "compatible");

	for (int i = 0; i < n; i++) {
		const char *compat = fdt_stringlist_get(c->fdt, offset, "compatible", i, NULL);
		const struct ims_driver_model *model = compat ? model_for(c, compat) : NULL;

		if (model)
			return model;
	}
	return NULL;
}

/* Linux's platform device name for @offset, newly allocated; NULL with a message. */
static char *platform_name(const struct topo_ctx *c, int offset, int *err)
{
	int na = fdt_address_cells(c->fdt, fdt_parent_offset(c->fdt, offset)), nr;
	const fdt32_t *reg = topo_cells(c, offset, "reg", &nr);
	char base[64];
	uint64_t addr;
	char *name;

	*err = -EINVAL;
	if (nr < 0)
		return NULL;
	if (!reg) {
		name = ims_strdup(fdt_get_name(c->fdt, offset, NULL));
	} else {
		if (nr < na) {
			topo_error(c, offset, "property 'reg': %d cells, the address alone needs %d",
				   nr, na);
			return NULL;
		}
		/* On a PCI bus the config-space address (phys.hi) tells functions
		 * apart; the 64-bit part is zero for every one of them. */
		if (na == 3)
			addr = fdt32_to_cpu(reg[0]);
		else if (topo_read_number(c, offset, "reg", reg, na, &addr))
			return NULL;
		topo_base_name(c->fdt, offset, base, sizeof(base));
		name = ims_asprintf("%llx.%s", (unsigned long long)addr, base);
	}
	*err = name ? 0 : -ENOMEM;
	return name;
}

static int check_iommu_cells(const struct topo_ctx *c, int offset,
			     const struct ims_driver_model *model, uint32_t *cells)
{
	struct ims_fdt_node node = topo_node(c, offset);
	int ret = ims_fdt_u32(&node, "#iommu-cells", cells, 0);

	if (ret == -EINVAL)
		return ret;
	if (ret == -ENOENT)
		return topo_error(c, offset, "property '#iommu-cells': missing (the %s binding "
				  "needs <%d>)", model->name, model->iommu_cells);
	if (model->iommu_cells >= 0 && *cells != (uint32_t)model->iommu_cells)
		return topo_error(c, offset, "property '#iommu-cells': the %s binding needs "
				  "<%d>, found <%u>", model->name, model->iommu_cells, *cells);
	if (*cells > TOPO_MAX_SPEC_CELLS)
		return topo_error(c, offset, "property '#iommu-cells': <%u> is more than %d",
				  *cells, TOPO_MAX_SPEC_CELLS);
	return 0;
}

static int unknown_iommu(const struct topo_ctx *c, int offset)
{
	const char *compat = fdt_stringlist_get(c->fdt, offset, "compatible", 0, NULL);

	if (!compat)
		return topo_error(c, offset, "property 'compatible': missing on a node with "
				  "#iommu-cells (which IOMMU is it?)");
	return topo_error(c, offset, "property 'compatible': no driver model for IOMMU '%s'",
			  compat);
}

static int add_iommu(struct topo_ctx *c, int offset, const struct ims_driver_model *model)
{
	struct ims_platform *p = c->p;
	struct topo_iommu *grown, *iommu;
	uint32_t cells;
	int ret = check_iommu_cells(c, offset, model, &cells);

	if (ret)
		return ret;
	grown = ims_realloc_array(p->iommus, p->nr_iommus + 1, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->iommus = grown;
	iommu = &p->iommus[p->nr_iommus];
	iommu->name = platform_name(c, offset, &ret);
	if (!iommu->name)
		return ret;
	iommu->offset = offset;
	iommu->model = model;
	iommu->cells = cells;
	p->nr_iommus++;
	return 0;
}

static int parse_iommus(struct topo_ctx *c)
{
	int offset, depth = 0, ret;

	for (offset = fdt_next_node(c->fdt, -1, &depth); offset >= 0;
	     offset = fdt_next_node(c->fdt, offset, &depth)) {
		const struct ims_driver_model *model = node_model(c, offset);
		bool has_cells = fdt_getprop(c->fdt, offset, "#iommu-cells", NULL) != NULL;

		if ((!model && !has_cells) || !topo_available(c->fdt, offset))
			continue;
		ret = model ? add_iommu(c, offset, model) : unknown_iommu(c, offset);
		if (ret)
			return ret;
	}
	return 0;
}

int topo_iommu_at(const struct ims_platform *p, int offset)
{
	for (size_t i = 0; i < p->nr_iommus; i++)
		if (p->iommus[i].offset == offset)
			return (int)i;
	return TOPO_NO_INDEX;
}

/* ---- devices ---- */

struct topo_dev *topo_dev_add(struct topo_ctx *c, int offset, char *name)
{
	struct ims_platform *p = c->p;
	struct topo_dev **grown, *d;
	char path[512];

	if (!name)
		return ERR_PTR(-ENOMEM);
	for (size_t i = 0; i < p->nr_devs; i++) {
		if (!strcmp(p->devs[i]->name, name)) {
			topo_error(c, offset, "device name %s is already used by %s", name,
				   p->devs[i]->node);
			ims_free(name);
			return ERR_PTR(-EINVAL);
		}
	}
	grown = ims_realloc_array(p->devs, p->nr_devs + 1, sizeof(*grown));
	d = grown ? ims_zalloc(sizeof(*d)) : NULL;
	if (grown)
		p->devs = grown;
	if (d && fdt_get_path(c->fdt, offset, path, sizeof(path)) == 0)
		d->node = ims_strdup(path);
	if (!d || !d->node) {
		ims_free(d);
		ims_free(name);
		return ERR_PTR(-ENOMEM);
	}
	d->name = name;
	d->offset = offset;
	d->iommu = d->upstream = d->dma_alias = TOPO_NO_INDEX;
	d->pub.index = (unsigned int)p->nr_devs;
	p->devs[p->nr_devs++] = d;
	return d;
}

int topo_dev_add_spec(struct topo_dev *d, const fdt32_t *cells, int nr, int entry)
{
	struct topo_spec *grown = ims_realloc_array(d->specs, d->nr_specs + 1, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	d->specs = grown;
	grown[d->nr_specs].nr_cells = nr;
	grown[d->nr_specs].entry = entry;
	for (int i = 0; i < nr; i++)
		grown[d->nr_specs].cells[i] = fdt32_to_cpu(cells[i]);
	d->nr_specs++;
	return 0;
}

/* The #iommu-cells of the node an `iommus` entry points at. */
static int target_cells(const struct topo_ctx *c, int offset, int entry, int target,
			uint32_t *cells)
{
	struct ims_fdt_node node = topo_node(c, target);
	char path[256];

	if (ims_fdt_u32(&node, "#iommu-cells", cells, 0) == 0)
		return 0;
	return topo_error(c, offset, "property 'iommus': entry %d: %s is not an IOMMU "
			  "(no #iommu-cells)", entry, ims_fdt_path(&node, path, sizeof(path)));
}

/* One `iommus` entry at cells[*i]; advances *i.  A disabled IOMMU sets *gone. */
static int parse_iommus_entry(struct topo_ctx *c, struct topo_dev *d, const fdt32_t *cells,
			      int nr, int *i, int entry, bool *gone)
{
	int target, idx, ret;
	uint32_t n;

	ret = topo_phandle(c, d->offset, "iommus", fdt32_to_cpu(cells[(*i)++]), &target);
	if (!ret)
		ret = target_cells(c, d->offset, entry, target, &n);
	if (ret)
		return ret;
	if (*i + (int)n > nr)
		return topo_error(c, d->offset, "property 'iommus': entry %d is truncated: "
				  "the IOMMU takes %u cells, %d left", entry, n, nr - *i);
	idx = topo_iommu_at(c->p, target);
	*gone |= idx == TOPO_NO_INDEX;
	if (idx != TOPO_NO_INDEX && d->iommu != TOPO_NO_INDEX && d->iommu != idx)
		return topo_error(c, d->offset, "property 'iommus': entries point at %s and %s; "
				  "a device sits behind one IOMMU instance",
				  c->p->iommus[d->iommu].name, c->p->iommus[idx].name);
	if (idx != TOPO_NO_INDEX)
		d->iommu = idx;
	ret = topo_dev_add_spec(d, cells + *i, (int)n, entry);
	*i += (int)n;
	return ret;
}

static int parse_iommus_prop(struct topo_ctx *c, struct topo_dev *d)
{
	int nr, i = 0, entry = 0, ret = 0;
	const fdt32_t *cells = topo_cells(c, d->offset, "iommus", &nr);
	bool gone = false;

	if (nr < 0)
		return -EINVAL;
	while (!ret && i < nr)
		ret = parse_iommus_entry(c, d, cells, nr, &i, entry++, &gone);
	if (!ret && gone) { /* of_iommu_xlate: an unavailable IOMMU means none */
		d->iommu = TOPO_NO_INDEX;
		d->nr_specs = 0;
	}
	return ret;
}

/* msi-parent: the first entry's controller decides whether MSIs are isolated. */
static int parse_msi_parent(struct topo_ctx *c, int offset, int *controller)
{
	int nr, target, ret;
	const fdt32_t *cells = topo_cells(c, offset, "msi-parent", &nr);

	*controller = TOPO_NO_INDEX;
	if (nr <= 0)
		return nr;
	ret = topo_phandle(c, offset, "msi-parent", fdt32_to_cpu(cells[0]), &target);
	if (ret)
		return ret;
	if (!fdt_getprop(c->fdt, target, "msi-controller", NULL))
		return topo_error(c, offset, "property 'msi-parent': %s is not an MSI controller",
				  fdt_get_name(c->fdt, target, NULL));
	*controller = target;
	return 0;
}

int topo_msi_parent(struct topo_ctx *c, int offset, bool *isolated)
{
	int controller, ret = parse_msi_parent(c, offset, &controller);

	*isolated = !ret && controller != TOPO_NO_INDEX &&
		    topo_msi_controller_isolates(c->fdt, controller);
	return ret;
}

static int parse_platform_device(struct topo_ctx *c, int offset)
{
	struct topo_dev *d;
	char *name;
	int ret;

	name = platform_name(c, offset, &ret);
	if (!name)
		return ret;
	d = topo_dev_add(c, offset, name);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	d->pub.bus = IMS_BUS_PLATFORM;
	ret = parse_iommus_prop(c, d);
	if (!ret)
		ret = topo_msi_parent(c, offset, &d->pub.msi_isolated);
	return ret ? ret : topo_dev_common(c, d);
}

/* ---- what every device has ---- */

static const char *const driver_managed[] = { "pcieport", "pci-stub", NULL };

static enum ims_topo_binding classify(const char *driver)
{
	if (!strcmp(driver, "none"))
		return IMS_TOPO_UNBOUND;
	if (!strcmp(driver, "vfio-pci") || !strcmp(driver, "vfio-platform"))
		return IMS_TOPO_VFIO;
	for (size_t i = 0; driver_managed[i]; i++)
		if (!strcmp(driver, driver_managed[i]))
			return IMS_TOPO_DRIVER_MANAGED;
	return IMS_TOPO_KERNEL;
}

static const char *default_driver(const struct topo_dev *d)
{
	if (d->pub.bus == IMS_BUS_PCI && d->pub.pci.bridge)
		return "pcieport";
	if (d->iommu == TOPO_NO_INDEX)
		return "none"; /* VFIO refuses a device without an IOMMU group */
	return d->pub.bus == IMS_BUS_PCI ? "vfio-pci" : "vfio-platform";
}

/* The bus a driver binds to, or NULL when it binds to any. */
static const char *driver_bus_conflict(const struct topo_dev *d, const char *driver)
{
	bool pci = d->pub.bus == IMS_BUS_PCI;

	if (!strcmp(driver, "vfio-pci") && !pci)
		return "vfio-pci binds PCI functions only";
	if (!strcmp(driver, "vfio-platform") && pci)
		return "vfio-platform binds platform devices only";
	if (!strcmp(driver, "pcieport") && !(pci && d->pub.pci.bridge))
		return "pcieport binds PCI bridges only";
	return NULL;
}

static int read_driver(struct topo_ctx *c, struct topo_dev *d)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789_-.";
	struct ims_fdt_node node = topo_node(c, d->offset);
	const char *driver, *conflict;

	if (ims_fdt_string(&node, "iommusim,driver", &driver, default_driver(d)) == -EINVAL)
		return -EINVAL;
	if (!driver[0] || strspn(driver, name_chars) != strlen(driver) || strlen(driver) > 64)
		return topo_error(c, d->offset, "property 'iommusim,driver': '%s' is not a "
				  "driver name", driver);
	conflict = driver_bus_conflict(d, driver);
	if (conflict)
		return topo_error(c, d->offset, "property 'iommusim,driver': %s", conflict);
	d->pub.binding = classify(driver);
	if (d->pub.binding == IMS_TOPO_VFIO && d->iommu == TOPO_NO_INDEX)
		return topo_error(c, d->offset, "property 'iommusim,driver': %s needs a device "
				  "behind an IOMMU (this one has no IOMMU group)", driver);
	d->pub.driver = d->pub.binding == IMS_TOPO_UNBOUND ? NULL : driver;
	return 0;
}

/* of_dma_is_coherent: the nearest dma-coherent or dma-noncoherent upwards. */
static bool dma_coherent(const void *fdt, int offset)
{
	for (; offset >= 0; offset = fdt_parent_offset(fdt, offset)) {
		if (fdt_getprop(fdt, offset, "dma-coherent", NULL))
			return true;
		if (fdt_getprop(fdt, offset, "dma-noncoherent", NULL))
			return false;
	}
	return false;
}

static int parse_master(struct topo_ctx *c, struct topo_dev *d)
{
	const struct ims_driver_model *model = c->p->iommus[d->iommu].model;
	struct ims_fdt_node node = topo_node(c, d->offset);

	if (!model->parse_master)
		return 0;
	return model->parse_master(&node, &d->master_data);
}

int topo_dev_common(struct topo_ctx *c, struct topo_dev *d)
{
	struct ims_fdt_node node = topo_node(c, d->offset);
	uint32_t bits;
	int ret;

	ret = read_driver(c, d);
	if (!ret)
		ret = topo_u32_max(c, d->offset, "pasid-num-bits", &bits, 0, MAX_PASID_BITS);
	if (ret)
		return ret;
	d->pub.max_pasids = bits ? 1u << bits : 0;
	d->pub.cache_coherent = dma_coherent(c->fdt, d->offset);
	d->pub.untrusted |= ims_fdt_bool(&node, "iommusim,untrusted");
	d->pub.msi_isolated |= ims_fdt_bool(&node, "iommusim,msi-isolated");
	ret = topo_parse_memory_regions(c, d);
	if (ret || d->iommu == TOPO_NO_INDEX)
		return ret;
	d->pub.iommu = c->p->iommus[d->iommu].name;
	return parse_master(c, d);
}

/* ---- the walk ---- */

static bool skipped_subtree(const void *fdt, int offset, int depth)
{
	static const char *const skip[] = { "reserved-memory", "chosen", "aliases", "cpus",
					    "__symbols__", "__fixups__", "__local_fixups__",
					    NULL };
	const char *name = fdt_get_name(fdt, offset, NULL);

	if (!topo_available(fdt, offset))
		return true;
	for (size_t i = 0; depth == 1 && name && skip[i]; i++)
		if (!strcmp(name, skip[i]))
			return true;
	return false;
}

/* The next node after @offset's subtree. */
static int next_after_subtree(const void *fdt, int offset, int *depth)
{
	int base = *depth;

	do
		offset = fdt_next_node(fdt, offset, depth);
	while (offset >= 0 && *depth > base);
	return offset;
}

static int parse_devices(struct topo_ctx *c)
{
	int offset, depth = 0, ret = 0;

	offset = fdt_next_node(c->fdt, -1, &depth);
	while (!ret && offset >= 0) {
		if (skipped_subtree(c->fdt, offset, depth)) {
			offset = next_after_subtree(c->fdt, offset, &depth);
			continue;
		}
		if (topo_is_host_bridge(c->fdt, offset)) {
			ret = topo_parse_host_bridge(c, offset);
			offset = next_after_subtree(c->fdt, offset, &depth);
			continue;
		}
		if (fdt_getprop(c->fdt, offset, "iommus", NULL))
			ret = parse_platform_device(c, offset);
		offset = fdt_next_node(c->fdt, offset, &depth);
	}
	return ret;
}

static const struct ims_topo_device *pub_at(const struct ims_platform *p, int index)
{
	return index == TOPO_NO_INDEX ? NULL : &p->devs[index]->pub;
}

static bool same_slot(const struct ims_topo_pci *a, const struct ims_topo_pci *b)
{
	return a->segment == b->segment && a->bus == b->bus && a->devfn >> 3 == b->devfn >> 3;
}

/* Now that the arrays are final: public pointers, multi-function slots. */
static void link_devices(struct ims_platform *p)
{
	for (size_t i = 0; i < p->nr_devs; i++) {
		struct topo_dev *d = p->devs[i];

		d->pub.name = d->name;
		d->pub.node = d->node;
		d->pub.resv = d->resv;
		d->pub.pci.upstream = pub_at(p, d->upstream);
		d->pub.pci.dma_alias = pub_at(p, d->dma_alias);
		for (size_t j = 0; d->pub.bus == IMS_BUS_PCI && j < p->nr_devs; j++)
			if (j != i && p->devs[j]->pub.bus == IMS_BUS_PCI &&
			    same_slot(&d->pub.pci, &p->devs[j]->pub.pci))
				d->pub.pci.multifunction = true;
	}
}

int topo_parse(struct topo_ctx *c)
{
	int ret = parse_iommus(c);

	if (!ret)
		ret = parse_devices(c);
	if (!ret)
		ret = topo_check_iommu_addresses(c);
	if (!ret)
		link_devices(c->p);
	return ret;
}
