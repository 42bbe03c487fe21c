// SPDX-License-Identifier: MIT
/*
 * Building a loaded platform into a core, and taking it out again.
 *
 * The order is the kernel's boot: every IOMMU driver probes its instance
 * (the model's probe_fdt, after checking the model exists in the core's
 * kernel profile), then every device is added in tree order -- bridges
 * before what sits behind them -- with the fwspec IDs its driver model
 * translates (of_xlate), then ims_core_probe_finish() gives each group its
 * default domain, then drivers bind: one bound to a kernel driver uses its
 * group's default domain (owner_cnt), so VFIO cannot claim that group.
 *
 * Each step records what it added in the ims_topo; a failure at any step
 * removes exactly that, in reverse (ims_topo_remove), and restores the
 * core's "booted" state, so the core ends as it was given.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "topo-priv.h"
#include "util/alloc.h"
#include "util/errname.h"
#include "util/log.h"

struct ims_topo {
	const struct ims_platform *platform;
	struct ims_core *core;
	struct ims_iommu **iommus;    /* per platform IOMMU; NULL until registered */
	struct ims_device **devices;  /* per platform device; NULL until added */
	bool booted_before;           /* the core's state before we built */
};

static int inst_error(const struct ims_topo *t, char *err, size_t errlen, int offset,
		      int ret, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A message about node @offset, keeping @ret (-ENOMEM stays -ENOMEM). */
static int inst_error(const struct ims_topo *t, char *err, size_t errlen, int offset,
		      int ret, const char *fmt, ...)
{
	struct topo_ctx c = { .p = (struct ims_platform *)t->platform, .fdt = t->platform->fdt,
			      .err = err, .errlen = errlen };
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	topo_error(&c, offset, "%s", msg);
	return ret;
}

static int check_present(const struct ims_topo *t, char *err, size_t errlen)
{
	const struct ims_profile_facts *facts = t->core->facts;

	for (size_t i = 0; i < t->platform->nr_iommus; i++) {
		const struct topo_iommu *iommu = &t->platform->iommus[i];

		if (iommu->model->present && !iommu->model->present(facts))
			return inst_error(t, err, errlen, iommu->offset, -EINVAL,
					  "property 'compatible': the %s driver does not exist "
					  "in the %s profile (%s)", iommu->model->name,
					  facts->name, facts->era);
	}
	return 0;
}

static int register_iommus(struct ims_topo *t, char *err, size_t errlen)
{
	const struct ims_platform *p = t->platform;

	for (size_t i = 0; i < p->nr_iommus; i++) {
		struct topo_ctx c = { .p = (struct ims_platform *)p, .fdt = p->fdt,
				      .err = err, .errlen = errlen };
		struct ims_fdt_node node = topo_node(&c, p->iommus[i].offset);
		int ret = p->iommus[i].model->probe_fdt(t->core, &node, p->iommus[i].name,
							 &t->iommus[i]);

		if (ret)
			return inst_error(t, err, errlen, node.offset, ret, "%s cannot register "
					  "%s: %s", p->iommus[i].model->name, p->iommus[i].name,
					  ims_errname(ret));
	}
	return 0;
}

/* The fwspec IDs of @d, through its model's of_xlate (default: the one cell). */
static int translate_ids(const struct ims_topo *t, const struct topo_dev *d, uint32_t *ids,
			 char *err, size_t errlen)
{
	const struct topo_iommu *ti = &t->platform->iommus[d->iommu];

	for (unsigned int i = 0; i < d->nr_specs; i++) {
		const struct topo_spec *s = &d->specs[i];
		int ret = 0;

		if (ti->model->of_xlate)
			ret = ti->model->of_xlate(t->iommus[d->iommu], s->cells, s->nr_cells, &ids[i]);
		else if (s->nr_cells > 1)
			ret = -EINVAL;
		else
			ids[i] = s->nr_cells ? s->cells[0] : 0;
		if (ret)
			return inst_error(t, err, errlen, d->offset, ret, "property '%s': entry %d: "
					  "%s refuses the specifier (%s)",
					  d->pub.bus == IMS_BUS_PCI ? "iommu-map" : "iommus",
					  s->entry, ti->model->name, ims_errname(ret));
	}
	return 0;
}

static struct ims_device *core_dev_at(const struct ims_topo *t, int index)
{
	return index == TOPO_NO_INDEX ? NULL : t->devices[index];
}

static void fill_desc(const struct ims_topo *t, const struct topo_dev *d,
		      struct ims_device_desc *desc)
{
	const struct ims_topo_pci *pci = &d->pub.pci;

	desc->name = d->name;
	desc->bus = d->pub.bus;
	desc->untrusted = d->pub.untrusted;
	desc->msi_isolated = d->pub.msi_isolated;
	desc->cache_coherent = d->pub.cache_coherent;
	desc->max_pasids = d->pub.max_pasids;
	desc->resv = d->resv;
	desc->nr_resv = d->pub.nr_resv;
	desc->platform_data = d->master_data;
	desc->pci.segment = pci->segment;
	desc->pci.bus = pci->bus;
	desc->pci.devfn = pci->devfn;
	desc->pci.vendor = pci->vendor;
	desc->pci.device = pci->device;
	desc->pci.class_code = pci->class_code;
	desc->pci.bridge = pci->bridge;
	desc->pci.acs = pci->acs;
	desc->pci.multifunction = pci->multifunction;
	desc->pci.upstream = core_dev_at(t, d->upstream);
	desc->pci.dma_alias = core_dev_at(t, d->dma_alias);
}

static int add_device(struct ims_topo *t, const struct topo_dev *d, char *err, size_t errlen)
{
	uint32_t ids[16];
	struct ims_device_desc desc = { 0 };
	struct ims_device *dev;
	int ret;

	fill_desc(t, d, &desc);
	if (d->iommu != TOPO_NO_INDEX) {
		const struct ims_driver_model *model = t->platform->iommus[d->iommu].model;

		if (d->nr_specs > IMS_ARRAY_SIZE(ids))
			return inst_error(t, err, errlen, d->offset, -EINVAL, "more than %zu IDs",
					  IMS_ARRAY_SIZE(ids));
		ret = translate_ids(t, d, ids, err, errlen);
		if (ret)
			return ret;
		desc.iommu = t->iommus[d->iommu];
		desc.ids = ids;
		desc.nr_ids = d->nr_specs;
		if (model->msi_remapping && model->msi_remapping(desc.iommu))
			desc.msi_isolated = true;
	}
	dev = ims_device_add(t->core, &desc);
	if (IS_ERR(dev))
		return inst_error(t, err, errlen, d->offset, (int)PTR_ERR(dev),
				  "cannot add device %s: %s", d->name, ims_errname((int)PTR_ERR(dev)));
	t->devices[d->pub.index] = dev;
	return 0;
}

/* Kernel drivers use the default domain (iommu_device_use_default_domain). */
static int bind_drivers(struct ims_topo *t, char *err, size_t errlen)
{
	const struct ims_platform *p = t->platform;

	for (size_t i = 0; i < p->nr_devs; i++) {
		int ret;

		if (p->devs[i]->pub.binding != IMS_TOPO_KERNEL)
			continue;
		ret = ims_device_use_default_domain(t->devices[i]);
		if (ret)
			return inst_error(t, err, errlen, p->devs[i]->offset, ret,
					  "property 'iommusim,driver': %s cannot bind: %s",
					  p->devs[i]->pub.driver, ims_errname(ret));
	}
	return 0;
}

static int build(struct ims_topo *t, char *err, size_t errlen)
{
	const struct ims_platform *p = t->platform;
	int ret = check_present(t, err, errlen);

	if (!ret)
		ret = register_iommus(t, err, errlen);
	for (size_t i = 0; !ret && i < p->nr_devs; i++)
		ret = add_device(t, p->devs[i], err, errlen);
	if (!ret) {
		ret = ims_core_probe_finish(t->core);
		if (ret)
			ret = inst_error(t, err, errlen, 0, ret, "default domains: %s",
					 ims_errname(ret));
	}
	return ret ? ret : bind_drivers(t, err, errlen);
}

int ims_topo_instantiate(const struct ims_platform *platform, struct ims_core *core,
			 struct ims_topo **out, char *err, size_t errlen)
{
	struct ims_topo *t = ims_zalloc(sizeof(*t));
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!t) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", platform->source);
		return -ENOMEM;
	}
	t->platform = platform;
	t->core = core;
	t->booted_before = core->booted;
	t->iommus = ims_calloc(platform->nr_iommus + 1, sizeof(*t->iommus));
	t->devices = ims_calloc(platform->nr_devs + 1, sizeof(*t->devices));
	ret = t->iommus && t->devices ? build(t, err, errlen) :
	      inst_error(t, err, errlen, 0, -ENOMEM, "out of memory");
	if (ret) {
		ims_topo_remove(t);
		return ret;
	}
	ims_dbg(IMS_LOG_TOPO, "%s: %zu IOMMUs, %zu devices", platform->name,
		platform->nr_iommus, platform->nr_devs);
	*out = t;
	return 0;
}

void ims_topo_remove(struct ims_topo *t)
{
	const struct ims_platform *p;

	if (!t)
		return;
	p = t->platform;
	for (size_t i = t->devices ? p->nr_devs : 0; i-- > 0;)
		ims_device_remove(t->devices[i]);
	for (size_t i = t->iommus ? p->nr_iommus : 0; i-- > 0;)
		if (t->iommus[i] && ims_iommu_unregister(t->iommus[i]))
			ims_dbg(IMS_LOG_TOPO, "%s still in use, left registered", p->iommus[i].name);
	if (ims_list_empty(&t->core->devices))
		t->core->booted = t->booted_before;
	ims_free(t->devices);
	ims_free(t->iommus);
	ims_free(t);
}

const struct ims_platform *ims_topo_platform(const struct ims_topo *t)
{
	return t->platform;
}

struct ims_core *ims_topo_core(const struct ims_topo *t)
{
	return t->core;
}

struct ims_device *ims_topo_core_device(const struct ims_topo *t,
					const struct ims_topo_device *d)
{
	return d->index < t->platform->nr_devs ? t->devices[d->index] : NULL;
}

const struct ims_topo_device *ims_topo_device_of(const struct ims_topo *t,
						 const struct ims_device *dev)
{
	for (size_t i = 0; i < t->platform->nr_devs; i++)
		if (t->devices[i] == dev)
			return &t->platform->devs[i]->pub;
	return NULL;
}
