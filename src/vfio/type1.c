// SPDX-License-Identifier: MIT
/*
 * The VFIO type1 backend's ioctls (kernel-semantics 4.2, 4.6-4.9): MAP_DMA,
 * UNMAP_DMA with the v1 and v2 rules, GET_INFO with its capability chain and
 * argsz protocol, DIRTY_PAGES, and the limits (dma_entry_limit, locked
 * memory).  Group attach and detach live in type1_attach.c.
 *
 * Each vfio_dma is an area of the shared mapping engine; mapping pins the
 * user range (EFAULT, ENOMEM past RLIMIT_MEMLOCK) and maps it into every
 * domain with IMS_PROT_CACHE.  Dirty tracking reports every page of a
 * mapping dirty while an IOMMU-backed group is attached, as the kernel's
 * pinned-page scope does for groups that do not report their writes.
 */
#include <errno.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <string.h>

#include "util/alloc.h"
#include "util/uaccess.h"
#include "vfio.h"

#define CPU_PAGE_SIZE 4096ull
#define CPU_PAGE_MASK (~(CPU_PAGE_SIZE - 1))
#define DIRTY_BITMAP_PAGES_MAX ((uint64_t)INT_MAX)
#define DIRTY_BITMAP_BYTES(n) ((((n) + 63) / 64) * 8)
#define DIRTY_BITMAP_SIZE_MAX DIRTY_BITMAP_BYTES(DIRTY_BITMAP_PAGES_MAX)

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

static unsigned int ffs64(uint64_t x)
{
	return (unsigned int)__builtin_ctzll(x);
}

static uint64_t min_pgsize(const struct ims_vfio_type1 *iommu)
{
	return 1ull << ffs64(iommu->pgsize_bitmap);
}

static struct ims_vfio_dma *to_dma(struct ims_iopt_area *area)
{
	return area ? ims_container_of(area, struct ims_vfio_dma, area) : NULL;
}

struct ims_vfio_dma *ims_vfio_find_dma(struct ims_vfio_type1 *iommu, uint64_t start,
				       uint64_t last)
{
	return to_dma(ims_iopt_area_first(&iommu->iopt, start, last));
}

static uint64_t dma_size(const struct ims_vfio_dma *dma)
{
	return ims_iopt_area_length(&dma->area);
}

void ims_vfio_update_pgsize_bitmap(struct ims_vfio_type1 *iommu)
{
	struct ims_vfio_domain *d;
	uint64_t bitmap = UINT64_MAX;

	ims_list_for_each_entry(d, &iommu->domains, node)
		bitmap &= d->domain->pgsize_bitmap;
	/* Sub-page sizes are hidden behind the CPU page size. */
	if (bitmap & ~CPU_PAGE_MASK)
		bitmap = (bitmap & CPU_PAGE_MASK) | CPU_PAGE_SIZE;
	iommu->pgsize_bitmap = bitmap;
}

struct ims_vfio_type1 *ims_vfio_type1_open(const struct ims_vfio_env *env, unsigned long type)
{
	struct ims_vfio_type1 *iommu;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU &&
	    !(type == VFIO_TYPE1_NESTING_IOMMU && env->core->facts->type1_nesting))
		return ERR_PTR(-EINVAL);
	iommu = ims_zalloc(sizeof(*iommu));
	if (!iommu)
		return ERR_PTR(-ENOMEM);
	iommu->env = env;
	iommu->v2 = type != VFIO_TYPE1_IOMMU;
	iommu->nesting = type == VFIO_TYPE1_NESTING_IOMMU;
	iommu->dma_avail = env->dma_entry_limit;
	iommu->pgsize_bitmap = CPU_PAGE_MASK;
	ims_mutex_init(&iommu->lock);
	ims_list_init(&iommu->domains);
	ims_iopt_init(&iommu->iopt);
	return iommu;
}

void ims_vfio_remove_dma(struct ims_vfio_type1 *iommu, struct ims_vfio_dma *dma)
{
	if (dma->iommu_mapped)
		ims_mm_unpin(iommu->env->mm, dma->area.pa, dma_size(dma));
	ims_iopt_unmap_area(&iommu->iopt, &dma->area);
	if (dma->vaddr_invalid)
		iommu->vaddr_invalid_count--;
	iommu->dma_avail++;
	ims_free(dma);
}

/* The container lost its last group: everything goes. */
void ims_vfio_type1_release(struct ims_vfio_type1 *iommu)
{
	struct ims_itree_node *n;
	struct ims_vfio_domain *d, *tmp;

	if (!iommu)
		return;
	while ((n = ims_itree_first(&iommu->iopt.areas)))
		ims_vfio_remove_dma(iommu, ims_container_of(n, struct ims_vfio_dma, area.node));
	ims_list_for_each_entry_safe(d, tmp, &iommu->domains, node) {
		struct ims_vfio_iommu_group *g, *gtmp;

		ims_list_for_each_entry_safe(g, gtmp, &d->groups, node) {
			ims_detach_group(d->domain, g->group);
			ims_free(g);
		}
		ims_iopt_remove_domain(&iommu->iopt, d->domain);
		ims_domain_free(d->domain);
		ims_free(d);
	}
	ims_iopt_destroy(&iommu->iopt);
	ims_vfio_iova_free(&iommu->iova);
	ims_mutex_destroy(&iommu->lock);
	ims_free(iommu);
}

static bool all_domains_coherent(struct ims_vfio_type1 *iommu)
{
	struct ims_vfio_domain *d;
	bool ret = true;

	ims_mutex_lock(&iommu->lock);
	ims_list_for_each_entry(d, &iommu->domains, node)
		ret &= d->enforce_cache_coherency;
	ims_mutex_unlock(&iommu->lock);
	return ret;
}

int ims_vfio_type1_check_extension(struct ims_vfio_type1 *iommu, unsigned long arg,
				   const struct ims_profile_facts *facts)
{
	switch (arg) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_TYPE1_NESTING_IOMMU:
		return facts->type1_nesting;
	case VFIO_UPDATE_VADDR:
		return iommu != NULL; /* no emulated (mdev) groups in this model */
	case VFIO_DMA_CC_IOMMU:
		return iommu ? all_domains_coherent(iommu) : 0;
	default:
		return 0;
	}
}

/* ---- MAP_DMA ---- */

static int update_vaddr(struct ims_vfio_type1 *iommu, const struct vfio_iommu_type1_dma_map *map)
{
	struct ims_vfio_dma *dma = ims_vfio_find_dma(iommu, map->iova, map->iova + map->size - 1);

	if (!dma)
		return -ENOENT;
	if (!dma->vaddr_invalid || ims_iopt_area_iova(&dma->area) != map->iova ||
	    dma_size(dma) != map->size)
		return -EINVAL;
	dma->vaddr = map->vaddr;
	dma->vaddr_invalid = false;
	iommu->vaddr_invalid_count--;
	return 0;
}

/* The backend exists only while groups (and so domains) do: always pin and map. */
static int pin_and_map(struct ims_vfio_type1 *iommu, struct ims_vfio_dma *dma)
{
	int ret;

	ret = ims_mm_pin(iommu->env->mm, dma->area.pa, dma_size(dma),
			 dma->area.prot & IMS_PROT_WRITE);
	if (ret)
		return ret;
	ret = ims_iopt_map_area(&iommu->iopt, &dma->area);
	if (ret) {
		ims_mm_unpin(iommu->env->mm, dma->area.pa, dma_size(dma));
		return ret;
	}
	dma->iommu_mapped = true;
	return 0;
}

static int check_map(struct ims_vfio_type1 *iommu, const struct vfio_iommu_type1_dma_map *map)
{
	uint64_t pg = min_pgsize(iommu);
	int overflow = iommu->env->core->facts->type1_overflow_eoverflow ? -EOVERFLOW : -EINVAL;

	if (!map->size || ((map->size | map->iova | map->vaddr) & (pg - 1)))
		return -EINVAL;
	if (map->iova + map->size - 1 < map->iova || map->vaddr + map->size - 1 < map->vaddr)
		return overflow;
	return 0;
}

static int do_map(struct ims_vfio_type1 *iommu, const struct vfio_iommu_type1_dma_map *map)
{
	bool set_vaddr = map->flags & VFIO_DMA_MAP_FLAG_VADDR;
	int prot = (map->flags & VFIO_DMA_MAP_FLAG_READ ? IMS_PROT_READ : 0) |
		   (map->flags & VFIO_DMA_MAP_FLAG_WRITE ? IMS_PROT_WRITE : 0);
	struct ims_vfio_dma *dma;
	int ret;

	if ((prot && set_vaddr) || (!prot && !set_vaddr))
		return -EINVAL;
	ret = check_map(iommu, map);
	if (ret)
		return ret;
	if (set_vaddr)
		return update_vaddr(iommu, map);
	if (ims_vfio_find_dma(iommu, map->iova, map->iova + map->size - 1))
		return -EEXIST;
	if (!iommu->dma_avail)
		return -ENOSPC;
	if (!ims_vfio_iova_contains(&iommu->iova, map->iova, map->iova + map->size - 1))
		return -EINVAL;
	dma = ims_zalloc(sizeof(*dma));
	if (!dma)
		return -ENOMEM;
	dma->area.node.start = map->iova;
	dma->area.node.last = map->iova + map->size - 1;
	dma->area.pa = dma->vaddr = map->vaddr;
	dma->area.prot = prot;
	ret = pin_and_map(iommu, dma);
	if (ret) {
		ims_free(dma);
		return ret;
	}
	iommu->dma_avail--;
	return 0;
}

static long ioctl_map_dma(struct ims_vfio_type1 *iommu, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	const uint32_t mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE |
			      VFIO_DMA_MAP_FLAG_VADDR;
	struct vfio_iommu_type1_dma_map map;
	int ret;

	if (ims_copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~mask))
		return -EINVAL;
	ims_mutex_lock(&iommu->lock);
	ret = do_map(iommu, &map);
	ims_mutex_unlock(&iommu->lock);
	return ret;
}

/* ---- UNMAP_DMA ---- */

/* OR the bits of @dma (all dirty) into the user's bitmap based at @base. */
static int report_dma_dirty(struct ims_vfio_type1 *iommu, const struct ims_vfio_dma *dma,
			    uint64_t base, uint64_t pgshift, uint64_t *ubitmap)
{
	uint64_t first = (ims_iopt_area_iova(&dma->area) - base) >> pgshift;
	uint64_t nbits = dma_size(dma) >> pgshift;

	if (!iommu->num_non_pinned_groups || !dma->iommu_mapped)
		return 0;
	for (uint64_t bit = first; bit < first + nbits;) {
		uint64_t word, idx = bit / 64, lo = bit % 64;
		uint64_t n = IMS_MIN(64 - lo, first + nbits - bit);
		uint64_t mask = (n == 64 ? UINT64_MAX : ((1ull << n) - 1)) << lo;

		if (ims_copy_from_user(&word, &ubitmap[idx], sizeof(word)))
			return -EFAULT;
		word |= mask;
		if (ims_copy_to_user(&ubitmap[idx], &word, sizeof(word)))
			return -EFAULT;
		bit += n;
	}
	return 0;
}

struct unmap_req {
	uint64_t iova, size, last;
	bool all, invalidate_vaddr, get_dirty;
	struct vfio_bitmap bitmap;
};

static int check_unmap(struct ims_vfio_type1 *iommu, struct unmap_req *r)
{
	uint64_t pg = min_pgsize(iommu);

	/* (VADDR with emulated groups is EBUSY; this model has no mdev groups.) */
	if (r->iova & (pg - 1))
		return -EINVAL;
	if (r->all) {
		if (r->iova || r->size)
			return -EINVAL;
		r->size = UINT64_MAX;
		r->last = UINT64_MAX;
	} else {
		if (!r->size || (r->size & (pg - 1)))
			return -EINVAL;
		if (r->iova + r->size - 1 < r->iova)
			return iommu->env->core->facts->type1_overflow_eoverflow ? -EOVERFLOW : -EINVAL;
		r->last = r->iova + r->size - 1;
	}
	if (r->get_dirty && (!iommu->dirty_page_tracking || r->bitmap.pgsize != pg))
		return -EINVAL;
	return 0;
}

/* v2 requests may not bisect a mapping. */
static bool bisects(struct ims_vfio_type1 *iommu, const struct unmap_req *r)
{
	struct ims_vfio_dma *dma = ims_vfio_find_dma(iommu, r->iova, r->iova);

	if (dma && ims_iopt_area_iova(&dma->area) != r->iova)
		return true;
	dma = ims_vfio_find_dma(iommu, r->last, r->last);
	return dma && ims_iopt_area_last(&dma->area) != r->last;
}

static void undo_invalidate(struct ims_vfio_type1 *iommu, const struct unmap_req *r,
			    struct ims_vfio_dma *stop)
{
	struct ims_iopt_area *a;

	ims_iopt_for_each_area(&iommu->iopt, a, r->iova, r->last) {
		if (to_dma(a) == stop)
			break;
		to_dma(a)->vaddr_invalid = false;
		iommu->vaddr_invalid_count--;
	}
}

static int walk_unmap(struct ims_vfio_type1 *iommu, const struct unmap_req *r, uint64_t *unmapped)
{
	struct ims_iopt_area *a = ims_iopt_area_first(&iommu->iopt, r->iova, r->last), *next;
	int ret = 0;

	for (; a; a = next) {
		struct ims_vfio_dma *dma = to_dma(a);

		next = ims_iopt_area_next(a, r->iova, r->last);
		if (!iommu->v2 && r->iova > ims_iopt_area_iova(a))
			break;
		if (r->invalidate_vaddr) {
			if (dma->vaddr_invalid) {
				undo_invalidate(iommu, r, dma);
				*unmapped = 0;
				return -EINVAL;
			}
			dma->vaddr_invalid = true;
			iommu->vaddr_invalid_count++;
			*unmapped += dma_size(dma);
			continue;
		}
		if (r->get_dirty) {
			ret = report_dma_dirty(iommu, dma, r->iova, ffs64(r->bitmap.pgsize),
					       (uint64_t *)(uintptr_t)r->bitmap.data);
			if (ret)
				break;
		}
		*unmapped += dma_size(dma);
		ims_vfio_remove_dma(iommu, dma);
	}
	return ret;
}

static int do_unmap(struct ims_vfio_type1 *iommu, struct unmap_req *r, uint64_t *unmapped)
{
	int ret = check_unmap(iommu, r);

	*unmapped = 0;
	if (ret)
		return ret;
	if (iommu->v2 && !r->all && bisects(iommu, r))
		return -EINVAL;
	return walk_unmap(iommu, r, unmapped);
}

static int verify_bitmap_size(uint64_t npages, uint64_t bitmap_size)
{
	if (!npages || !bitmap_size || bitmap_size > DIRTY_BITMAP_SIZE_MAX ||
	    bitmap_size < DIRTY_BITMAP_BYTES(npages))
		return -EINVAL;
	return 0;
}

static int read_unmap_bitmap(void *arg, size_t minsz, const struct vfio_iommu_type1_dma_unmap *u,
			     struct vfio_bitmap *bitmap)
{
	if (u->argsz < minsz + sizeof(*bitmap))
		return -EINVAL;
	if (ims_copy_from_user(bitmap, (char *)arg + minsz, sizeof(*bitmap)))
		return -EFAULT;
	if (!bitmap->pgsize || (bitmap->pgsize & (bitmap->pgsize - 1)))
		return -EINVAL;
	return verify_bitmap_size(u->size >> ffs64(bitmap->pgsize), bitmap->size);
}

static long ioctl_unmap_dma(struct ims_vfio_type1 *iommu, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	const uint32_t mask = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_VADDR |
			      VFIO_DMA_UNMAP_FLAG_ALL;
	struct vfio_iommu_type1_dma_unmap u;
	struct unmap_req r = { 0 };
	uint64_t unmapped;
	int ret;

	if (ims_copy_from_user(&u, arg, minsz))
		return -EFAULT;
	if (u.argsz < minsz || (u.flags & ~mask))
		return -EINVAL;
	r.get_dirty = u.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	r.all = u.flags & VFIO_DMA_UNMAP_FLAG_ALL;
	r.invalidate_vaddr = u.flags & VFIO_DMA_UNMAP_FLAG_VADDR;
	if (r.get_dirty && (r.all || r.invalidate_vaddr))
		return -EINVAL;
	if (r.get_dirty && (ret = read_unmap_bitmap(arg, minsz, &u, &r.bitmap)))
		return ret;
	r.iova = u.iova;
	r.size = u.size;
	ims_mutex_lock(&iommu->lock);
	ret = do_unmap(iommu, &r, &unmapped);
	ims_mutex_unlock(&iommu->lock);
	if (ret)
		return ret;
	u.size = unmapped;
	return ims_copy_to_user(arg, &u, minsz) ? -EFAULT : 0;
}

/* ---- GET_INFO ---- */

/*
 * A capability chain under construction (vfio_info_cap).  Entries are
 * copied in byte-wise: before 2023 the kernel packed them without padding
 * (a 12-byte DMA_AVAIL leaves the next one misaligned); since then every
 * entry is padded to 8 bytes (the era fact vfio_caps_aligned).
 */
struct caps {
	char *buf;
	size_t size;
	bool align;
	int err;
};

static void cap_add(struct caps *caps, const void *cap, size_t size)
{
	size_t padded = caps->align ? (size + 7) & ~(size_t)7 : size;
	struct vfio_info_cap_header hdr;
	size_t off = 0;
	char *buf;

	if (caps->err)
		return;
	buf = ims_realloc_array(caps->buf, caps->size + padded, 1);
	if (!buf) {
		caps->err = -ENOMEM;
		return;
	}
	caps->buf = buf;
	memset(buf + caps->size, 0, padded);
	memcpy(buf + caps->size, cap, size);
	/* Chain: the last header's next is this offset (shifted later). */
	while (caps->size) {
		memcpy(&hdr, buf + off, sizeof(hdr));
		if (!hdr.next) {
			hdr.next = (uint32_t)caps->size;
			memcpy(buf + off, &hdr, sizeof(hdr));
			break;
		}
		off = hdr.next;
	}
	caps->size += padded;
}

static void cap_shift(struct caps *caps, uint32_t offset)
{
	struct vfio_info_cap_header hdr;
	size_t off = 0, next;

	while (caps->size) {
		memcpy(&hdr, caps->buf + off, sizeof(hdr));
		if (!hdr.next)
			break;
		next = hdr.next;
		hdr.next += offset;
		memcpy(caps->buf + off, &hdr, sizeof(hdr));
		off = next;
	}
}

static void cap_add_iova_ranges(struct ims_vfio_type1 *iommu, struct caps *caps)
{
	struct vfio_iommu_type1_info_cap_iova_range *range;
	size_t n = iommu->iova.nr, size = sizeof(*range) + n * sizeof(range->iova_ranges[0]);

	if (!n)
		return; /* omitted when the list is empty */
	range = ims_zalloc(size);
	if (!range) {
		caps->err = -ENOMEM;
		return;
	}
	range->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	range->header.version = 1;
	range->nr_iovas = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		range->iova_ranges[i].start = iommu->iova.r[i].start;
		range->iova_ranges[i].end = iommu->iova.r[i].last;
	}
	cap_add(caps, range, size);
	ims_free(range);
}

static void build_caps(struct ims_vfio_type1 *iommu, struct caps *caps)
{
	struct vfio_iommu_type1_info_cap_migration mig = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, .version = 1 },
		.pgsize_bitmap = min_pgsize(iommu),
		.max_dirty_bitmap_size = DIRTY_BITMAP_SIZE_MAX,
	};
	struct vfio_iommu_type1_info_dma_avail avail = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, .version = 1 },
		.avail = iommu->dma_avail,
	};

	cap_add(caps, &mig, sizeof(mig));
	cap_add(caps, &avail, sizeof(avail));
	cap_add_iova_ranges(iommu, caps);
}

static long ioctl_get_info(struct ims_vfio_type1 *iommu, void *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_iommu_type1_info info = { 0 };
	struct caps caps = { .align = iommu->env->core->facts->vfio_caps_aligned };
	int ret = 0;

	if (ims_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = IMS_MIN((size_t)info.argsz, sizeof(info));
	ims_mutex_lock(&iommu->lock);
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = iommu->pgsize_bitmap;
	build_caps(iommu, &caps);
	ims_mutex_unlock(&iommu->lock);
	if (caps.err) {
		ims_free(caps.buf);
		return caps.err;
	}
	info.flags |= VFIO_IOMMU_INFO_CAPS;
	if (info.argsz < sizeof(info) + caps.size) {
		info.argsz = (uint32_t)(sizeof(info) + caps.size);
	} else {
		cap_shift(&caps, sizeof(info));
		ret = ims_copy_to_user((char *)arg + sizeof(info), caps.buf, caps.size);
		info.cap_offset = sizeof(info);
	}
	ims_free(caps.buf);
	if (ret)
		return -EFAULT;
	return ims_copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* ---- DIRTY_PAGES ---- */

static int dirty_get_bitmap(struct ims_vfio_type1 *iommu,
			    const struct vfio_iommu_type1_dirty_bitmap_get *range)
{
	uint64_t pg = min_pgsize(iommu), last = range->iova + range->size - 1;
	struct unmap_req r = { .iova = range->iova, .size = range->size, .last = last };
	struct ims_iopt_area *a;
	int ret = 0;

	if (range->bitmap.pgsize != pg || (range->iova & (pg - 1)) || !range->size ||
	    (range->size & (pg - 1)) || !iommu->dirty_page_tracking)
		return -EINVAL;
	if (bisects(iommu, &r))
		return -EINVAL;
	ims_iopt_for_each_area(&iommu->iopt, a, range->iova, last) {
		ret = report_dma_dirty(iommu, to_dma(a), range->iova, ffs64(pg),
				       (uint64_t *)(uintptr_t)range->bitmap.data);
		if (ret)
			break;
	}
	return ret;
}

static long dirty_bitmap_request(struct ims_vfio_type1 *iommu, void *arg, size_t minsz,
				 const struct vfio_iommu_type1_dirty_bitmap *dirty)
{
	struct vfio_iommu_type1_dirty_bitmap_get range;
	size_t data_size = dirty->argsz - minsz;
	int ret;

	if (dirty->argsz < minsz || data_size < sizeof(range))
		return -EINVAL;
	if (ims_copy_from_user(&range, (char *)arg + minsz, sizeof(range)))
		return -EFAULT;
	if (range.iova + range.size < range.iova)
		return -EINVAL;
	if (!range.bitmap.pgsize || (range.bitmap.pgsize & (range.bitmap.pgsize - 1)))
		return -EINVAL;
	ret = verify_bitmap_size(range.size >> ffs64(range.bitmap.pgsize), range.bitmap.size);
	if (ret)
		return ret;
	ims_mutex_lock(&iommu->lock);
	ret = dirty_get_bitmap(iommu, &range);
	ims_mutex_unlock(&iommu->lock);
	return ret;
}

static long ioctl_dirty_pages(struct ims_vfio_type1 *iommu, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dirty_bitmap, flags);
	const uint32_t mask = VFIO_IOMMU_DIRTY_PAGES_FLAG_START | VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
			      VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	struct vfio_iommu_type1_dirty_bitmap dirty;

	if (!iommu->v2)
		return -EACCES;
	if (ims_copy_from_user(&dirty, arg, minsz))
		return -EFAULT;
	if (dirty.argsz < minsz || (dirty.flags & ~mask))
		return -EINVAL;
	if (!dirty.flags || (dirty.flags & (dirty.flags - 1)))
		return -EINVAL; /* exactly one flag */
	if (dirty.flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP)
		return dirty_bitmap_request(iommu, arg, minsz, &dirty);
	ims_mutex_lock(&iommu->lock);
	iommu->dirty_page_tracking = dirty.flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
	ims_mutex_unlock(&iommu->lock);
	return 0;
}

long ims_vfio_type1_ioctl(struct ims_vfio_type1 *iommu, unsigned long cmd, void *arg)
{
	switch (cmd) {
	case VFIO_CHECK_EXTENSION:
		return ims_vfio_type1_check_extension(iommu, (unsigned long)arg,
						      iommu->env->core->facts);
	case VFIO_IOMMU_GET_INFO:
		return ioctl_get_info(iommu, arg);
	case VFIO_IOMMU_MAP_DMA:
		return ioctl_map_dma(iommu, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return ioctl_unmap_dma(iommu, arg);
	case VFIO_IOMMU_DIRTY_PAGES:
		return ioctl_dirty_pages(iommu, arg);
	default:
		return -ENOTTY;
	}
}
