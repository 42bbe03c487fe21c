// SPDX-License-Identifier: MIT
/*
 * virtio-iommu domains: the driver's mapping record and the device's
 * table.
 *
 * Driver side (viommu_map_pages, viommu_unmap_pages, viommu_del_mappings):
 * one record per MAP, an interval [virt_start, virt_end]; an UNMAP removes
 * whole records, never splits one (VIRTIO 1.2 §5.13.6.6), and stops at a
 * record that starts before the range.  If it removed less than asked it
 * reports 0 and sends no UNMAP (the kernel does the same; the device then
 * keeps those translations until the domain is left).  Maps need the
 * domain finalised: before that its map flags are empty and every MAP is
 * EINVAL (2022 domains before their first attach).
 *
 * Device side (VIRTIO 1.2 §5.13.6.4-6): the device holds a domain only
 * while endpoints are attached to it.  The first ATTACH makes it (the
 * driver replays its record: viommu_replay_mappings), MAP/UNMAP requests
 * change it, the last endpoint leaving frees it with all its mappings.
 * It is an AMD v1 table restricted to page_size_mask; a MAP over an
 * existing mapping is VIRTIO_IOMMU_S_INVAL (EINVAL), one beyond the input
 * range S_RANGE (ERANGE).  As in the kernel, ATTACH takes the endpoint off
 * its old domain before the replay; when the new domain cannot be built
 * (ENOMEM) the endpoint is left on none, its DMA blocked.
 */
#include <errno.h>

#include "util/alloc.h"
#include "virtio-priv.h"

/* ---- the device's table ---- */

static int status_errno(int pt_err)
{
	return pt_err == -EEXIST ? -EINVAL : pt_err; /* S_INVAL; S_RANGE, S_NOMEM as is */
}

static int table_prot(unsigned int flags)
{
	return (flags & VIOMMU_MAP_F_READ ? IMS_PROT_READ : 0) |
	       (flags & VIOMMU_MAP_F_WRITE ? IMS_PROT_WRITE : 0) |
	       (flags & VIOMMU_MAP_F_MMIO ? IMS_PROT_MMIO : 0);
}

static void table_unmap(struct ims_pt *pt, uint64_t iova, uint64_t size)
{
	uint64_t bitmap = ims_pt_config(pt)->pgsize_bitmap;
	struct ims_pt_gather gather;
	uint64_t done = 0;

	ims_pt_gather_init(&gather);
	while (done < size) {
		size_t count, n;
		size_t pgsize = ims_iommu_pgsize(bitmap, iova + done, iova + done, size - done, &count);

		n = pgsize ? ims_pt_unmap(pt, iova + done, pgsize, count, &gather) : 0;
		if (!n)
			break;
		done += n;
	}
	ims_pt_gather_sync(&gather);
}

/* One MAP request: the largest pages the table's sizes and alignment allow. */
static int table_map(struct ims_pt *pt, uint64_t iova, uint64_t pa, uint64_t size,
		     unsigned int flags)
{
	uint64_t bitmap = ims_pt_config(pt)->pgsize_bitmap, done = 0;
	int ret = 0;

	while (!ret && done < size) {
		size_t count, mapped = 0;
		size_t pgsize = ims_iommu_pgsize(bitmap, iova + done, pa + done, size - done, &count);

		ret = pgsize ? ims_pt_map(pt, iova + done, pa + done, pgsize, count,
					  table_prot(flags), &mapped) : -EINVAL;
		done += mapped;
	}
	if (ret && done)
		table_unmap(pt, iova, done);
	return status_errno(ret);
}

static int table_create(const struct viommu *v, struct ims_pt **out)
{
	uint64_t mask = v->cfg.page_size_mask;
	unsigned int top = 63u - (unsigned int)__builtin_clzll(v->cfg.input_end | 1);
	struct ims_pt_cfg cfg = {
		.format = IMS_PT_AMD_V1,
		.pgsize_bitmap = mask,
		.granule_lg2 = (mask & -mask) < (1ull << 12) ? 11 : 12,
		.ias = top + 1 < 12 ? 12 : top + 1,
	};

	return ims_pt_create(&cfg, out);
}

int viommu_table_check(const struct viommu *v)
{
	struct ims_pt *pt = NULL;
	int ret = table_create(v, &pt);

	if (!ret)
		ims_pt_destroy(pt);
	return ret;
}

/* The first endpoint arrives: the device makes the domain, the driver replays. */
static int table_build(struct viommu_domain *vd)
{
	struct ims_itree_node *n;
	struct ims_pt *pt = NULL;
	int ret = table_create(vd->viommu, &pt);

	for (n = ret ? NULL : ims_itree_first(&vd->mappings); n; n = ims_itree_next(n)) {
		struct viommu_mapping *m = ims_container_of(n, struct viommu_mapping, iova);

		ret = table_map(pt, n->start, m->paddr, n->last - n->start + 1, m->flags);
		if (ret)
			break;
	}
	if (ret)
		ims_pt_destroy(pt);
	else
		vd->dev_table = pt;
	return ret;
}

/* ---- endpoints ---- */

static void __endpoint_leave(struct viommu_domain *vd, struct viommu_endpoint *ep)
{
	ims_assert_held(&vd->lock);
	ims_list_del(&ep->link);
	if (!--vd->nr_endpoints) {
		ims_pt_destroy(vd->dev_table);
		vd->dev_table = NULL;
	}
}

int viommu_endpoint_move(struct viommu_endpoint *ep, struct viommu_domain *vd)
{
	struct viommu_domain *old = ep->vdomain;
	int ret = 0;

	if (old) { /* ATTACH (or DETACH) takes the endpoint off its old domain */
		ims_mutex_lock(&old->lock);
		__endpoint_leave(old, ep);
		ims_mutex_unlock(&old->lock);
		ep->vdomain = NULL;
	}
	if (!vd)
		return 0;
	ims_mutex_lock(&vd->lock);
	ret = vd->nr_endpoints ? 0 : table_build(vd);
	if (!ret) {
		vd->nr_endpoints++;
		ims_list_add_tail(&ep->link, &vd->endpoints);
		ep->vdomain = vd;
	}
	ims_mutex_unlock(&vd->lock);
	return ret;
}

/* ---- domains ---- */

struct viommu_domain *viommu_domain_new(void)
{
	struct viommu_domain *vd = ims_zalloc(sizeof(*vd));

	if (!vd)
		return NULL;
	ims_mutex_init(&vd->lock);
	ims_list_init(&vd->endpoints);
	ims_itree_init(&vd->mappings);
	vd->domain.ops = &viommu_domain_ops;
	return vd;
}

int viommu_domain_finalise(struct viommu_domain *vd, struct viommu *v)
{
	int ret;

	ims_mutex_lock(&v->lock);
	ret = ims_idtable_alloc(&v->ids, vd, &vd->id);
	ims_mutex_unlock(&v->lock);
	if (ret)
		return ret;
	ims_domain_init(&vd->domain, &viommu_domain_ops, v->cfg.page_size_mask,
			v->cfg.input_start, v->cfg.input_end);
	vd->map_flags = VIOMMU_MAP_F_READ | VIOMMU_MAP_F_WRITE;
	vd->viommu = v;
	return 0;
}

static void del_mapping(struct viommu_domain *vd, struct ims_itree_node *n)
{
	ims_itree_remove(&vd->mappings, n);
	ims_free(ims_container_of(n, struct viommu_mapping, iova));
}

/* viommu_del_mappings(): whole records from @iova on; stops before splitting. */
static uint64_t del_mappings(struct viommu_domain *vd, uint64_t iova, uint64_t last)
{
	struct ims_itree_node *n = ims_itree_iter_first(&vd->mappings, iova, last);
	uint64_t unmapped = 0;

	while (n && n->start >= iova) {
		struct ims_itree_node *next = ims_itree_iter_next(n, iova, last);

		unmapped += n->last - n->start + 1;
		del_mapping(vd, n);
		n = next;
	}
	return unmapped;
}

static unsigned int map_flags(int prot)
{
	return (prot & IMS_PROT_READ ? VIOMMU_MAP_F_READ : 0) |
	       (prot & IMS_PROT_WRITE ? VIOMMU_MAP_F_WRITE : 0) |
	       (prot & IMS_PROT_MMIO ? VIOMMU_MAP_F_MMIO : 0);
}

static int __add_mapping(struct viommu_domain *vd, uint64_t iova, uint64_t paddr,
			 uint64_t size, unsigned int flags)
{
	struct viommu_mapping *m = ims_malloc(sizeof(*m));
	int ret;

	ims_assert_held(&vd->lock);
	if (!m)
		return -ENOMEM;
	*m = (struct viommu_mapping){ .iova = { .start = iova, .last = iova + size - 1 },
				      .paddr = paddr, .flags = flags };
	ims_itree_insert(&vd->mappings, &m->iova);
	ret = vd->nr_endpoints ? table_map(vd->dev_table, iova, paddr, size, flags) : 0;
	if (ret)
		del_mapping(vd, &m->iova);
	return ret;
}

static int viommu_map_pages(struct ims_domain *domain, uint64_t iova, uint64_t paddr,
			    size_t pgsize, size_t count, int prot, size_t *mapped)
{
	struct viommu_domain *vd = to_viommu_domain(domain);
	unsigned int flags = map_flags(prot);
	uint64_t size = (uint64_t)pgsize * count;
	int ret;

	*mapped = 0;
	if (flags & ~vd->map_flags)
		return -EINVAL;
	ims_mutex_lock(&vd->lock);
	ret = __add_mapping(vd, iova, paddr, size, flags);
	ims_mutex_unlock(&vd->lock);
	if (!ret)
		*mapped = size;
	return ret;
}

static size_t viommu_unmap_pages(struct ims_domain *domain, uint64_t iova, size_t pgsize,
				 size_t count, ims_iotlb_gather *gather)
{
	struct viommu_domain *vd = to_viommu_domain(domain);
	uint64_t size = (uint64_t)pgsize * count, unmapped;

	(void)gather; /* requests are synchronous: nothing left to invalidate */
	ims_mutex_lock(&vd->lock);
	unmapped = del_mappings(vd, iova, iova + size - 1);
	if (unmapped >= size && vd->nr_endpoints)
		table_unmap(vd->dev_table, iova, unmapped);
	ims_mutex_unlock(&vd->lock);
	return unmapped < size ? 0 : unmapped;
}

static void viommu_iotlb_sync(struct ims_domain *domain, ims_iotlb_gather *gather)
{
	(void)domain;
	ims_pt_gather_sync(gather);
}

static uint64_t viommu_iova_to_phys(struct ims_domain *domain, uint64_t iova)
{
	struct viommu_domain *vd = to_viommu_domain(domain);
	struct ims_itree_node *n;
	uint64_t pa = 0;

	ims_mutex_lock(&vd->lock);
	n = ims_itree_iter_first(&vd->mappings, iova, iova);
	if (n)
		pa = ims_container_of(n, struct viommu_mapping, iova)->paddr + (iova - n->start);
	ims_mutex_unlock(&vd->lock);
	return pa;
}

static void viommu_domain_free(struct ims_domain *domain)
{
	struct viommu_domain *vd = to_viommu_domain(domain);
	struct viommu_endpoint *ep, *tmp;
	struct ims_itree_node *n;

	ims_list_for_each_entry_safe(ep, tmp, &vd->endpoints, link) {
		ims_list_del(&ep->link);
		ep->vdomain = NULL;
	}
	ims_pt_destroy(vd->dev_table);
	while ((n = ims_itree_first(&vd->mappings)))
		del_mapping(vd, n);
	if (vd->viommu) {
		ims_mutex_lock(&vd->viommu->lock);
		ims_idtable_remove(&vd->viommu->ids, vd->id);
		ims_mutex_unlock(&vd->viommu->lock);
	}
	ims_mutex_destroy(&vd->lock);
	ims_free(vd);
}

const struct ims_domain_ops viommu_domain_ops = {
	.attach_dev = viommu_attach_dev,
	.map_pages = viommu_map_pages,
	.unmap_pages = viommu_unmap_pages,
	.iotlb_sync = viommu_iotlb_sync,
	.iova_to_phys = viommu_iova_to_phys,
	.free = viommu_domain_free,
};

int ims_virtio_domain_info(struct ims_domain *domain, struct ims_virtio_domain_info *out)
{
	struct viommu_domain *vd;

	if (IS_ERR_OR_NULL(domain) || domain->ops != &viommu_domain_ops)
		return -EINVAL;
	vd = to_viommu_domain(domain);
	ims_mutex_lock(&vd->lock);
	*out = (struct ims_virtio_domain_info){
		.finalised = vd->viommu != NULL, .iommu = vd->viommu ? vd->viommu->iommu : NULL,
		.id = vd->id, .nr_endpoints = vd->nr_endpoints, .nr_mappings = vd->mappings.count,
		.device_table = vd->dev_table,
	};
	ims_mutex_unlock(&vd->lock);
	return 0;
}
