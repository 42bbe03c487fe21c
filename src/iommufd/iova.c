// SPDX-License-Identifier: MIT
/*
 * The IOAS rules of an IO page table (kernel-semantics 5.6; see
 * io_pagetable.h): where mappings may go, how they are placed, what an
 * unmap may take, and what a domain must satisfy to join.
 *
 * Three interval trees: areas (disjoint), reserved ranges (may overlap:
 * two devices can reserve the same MSI window) and allowed ranges
 * (disjoint).  A "hole" is IOVA covered by neither an area nor a reserved
 * range.  Automatic allocation looks for a hole inside the allowed ranges
 * (the whole space minus its first and last CPU page when none are set),
 * so it never returns IOVA 0.
 *
 * Errors follow the kernel: EINVAL for misalignment and reserved IOVA,
 * EEXIST for an area in the way, ENOSPC when no hole fits, EADDRINUSE when
 * a reservation would cover an area or an allowed range, ENOENT for an
 * unmap that would have to split an area.
 *
 * Context: the IOAS's iova lock is held for every call.
 */
#include <errno.h>
#include <string.h>

#include "io_pagetable.h"
#include "util/alloc.h"
#include "util/log.h"

static uint64_t psize(void)
{
	return ims_page_size();
}

static struct ims_iopt_area *to_area(struct ims_itree_node *n)
{
	return n ? ims_container_of(n, struct ims_iopt_area, node) : NULL;
}

static bool overflows(uint64_t start, uint64_t length, uint64_t *last)
{
	*last = start + length - 1;
	return *last < start;
}

/* Round @x up to @align (a power of two); false on overflow. */
static bool align_up(uint64_t x, uint64_t align, uint64_t *out)
{
	if (x > UINT64_MAX - (align - 1))
		return false;
	*out = (x + align - 1) & ~(align - 1);
	return true;
}

static uint64_t roundup_pow2(uint64_t x)
{
	return x <= 1 ? 1 : 1ull << (64 - __builtin_clzll(x - 1));
}

/* ---- holes ---- */

/*
 * The next hole at or after *@cur, up to @last: returns false when there
 * is none; else [*@start, *@end] is the hole and *@cur moves past it.
 */
static bool next_hole(const struct ims_iopt *iopt, uint64_t *cur, uint64_t last, bool *done,
		      uint64_t *start, uint64_t *end)
{
	while (!*done && *cur <= last) {
		struct ims_itree_node *a = ims_itree_iter_first(&iopt->areas, *cur, last);
		struct ims_itree_node *r = ims_itree_iter_first(&iopt->reserved, *cur, last);
		uint64_t used = UINT64_MAX;
		struct ims_itree_node *cover = NULL;

		if (a && a->start <= *cur)
			cover = a;
		else if (r && r->start <= *cur)
			cover = r;
		if (cover) {
			*done = cover->last >= last;
			*cur = cover->last + 1;
			continue;
		}
		if (a)
			used = a->start;
		if (r && r->start < used)
			used = r->start;
		*start = *cur;
		*end = used == UINT64_MAX ? last : IMS_MIN(used - 1, last);
		*done = *end == last;
		*cur = *end + 1;
		return true;
	}
	return false;
}

/*
 * Can [*start, last] hold @length bytes at @align with the page offset
 * @offset?  On success *start becomes the placement (the kernel's rule,
 * including its refusal of a range whose aligned start is its last byte).
 */
static bool fits(uint64_t *start, uint64_t last, uint64_t length, uint64_t align,
		 uint64_t offset)
{
	uint64_t aligned;

	if (!align_up(*start, align, &aligned))
		return false;
	aligned |= offset;
	if (aligned >= last || last - aligned < length - 1)
		return false;
	*start = aligned;
	return true;
}

static bool find_in(const struct ims_iopt *iopt, uint64_t first, uint64_t last,
		    uint64_t length, uint64_t align, uint64_t offset, uint64_t *iova)
{
	uint64_t cur = first, hole, hole_last;
	bool done = false;

	if (!fits(&cur, last, length, align, offset))
		return false;
	while (next_hole(iopt, &cur, last, &done, &hole, &hole_last)) {
		if (fits(&hole, hole_last, length, align, offset)) {
			*iova = hole;
			return true;
		}
	}
	return false;
}

/*
 * iopt_alloc_iova: alignment from the length and the source address (kept
 * so that large pages stay possible), at most the huge-page size, at least
 * the IOAS alignment; the first hole in the allowed ranges.
 */
static int alloc_iova(const struct ims_iopt *iopt, uint64_t addr, uint64_t length,
		      uint64_t *iova)
{
	const uint64_t huge = 2ull << 20, lo = psize(), hi = UINT64_MAX - psize();
	uint64_t align, offset = addr % psize();
	struct ims_itree_node *n;

	if (!length || length >= UINT64_MAX / 2)
		return -EOVERFLOW;
	align = roundup_pow2(length);
	if (addr)
		align = IMS_MIN(align, 1ull << __builtin_ctzll(addr));
	if (align >= huge)
		align = huge;
	if (align < iopt->iova_alignment)
		return -EINVAL;
	if (ims_itree_empty(&iopt->allowed))
		return find_in(iopt, lo, hi, length, align, offset, iova) ? 0 : -ENOSPC;
	ims_itree_for_each_overlap(&iopt->allowed, n, lo, hi) {
		if (find_in(iopt, IMS_MAX(n->start, lo), IMS_MIN(n->last, hi), length, align,
			    offset, iova))
			return 0;
	}
	return -ENOSPC;
}

/* iopt_check_iova: a fixed IOVA must be aligned, clear of reservations and areas. */
static int check_iova(const struct ims_iopt *iopt, uint64_t iova, uint64_t length)
{
	uint64_t last;

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (overflows(iova, length, &last))
		return -EOVERFLOW;
	if (ims_itree_iter_first(&iopt->reserved, iova, last))
		return -EINVAL;
	if (ims_itree_iter_first(&iopt->areas, iova, last))
		return -EEXIST;
	return 0;
}

/* ---- mapping ---- */

/* Fill @area for @piece at @iova (iopt_insert_area's checks). */
static int set_area(const struct ims_iopt *iopt, struct ims_iopt_area *area,
		    const struct ims_iopt_piece *piece, uint64_t iova, int prot)
{
	if ((prot & IMS_PROT_WRITE) && !piece->pages->writable)
		return -EPERM;
	if ((piece->start_byte % psize()) & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (overflows(iova, piece->length, &area->node.last))
		return -EOVERFLOW;
	area->node.start = iova;
	area->pa = piece->pages->va + piece->start_byte;
	area->prot = prot;
	area->pages = piece->pages;
	area->start_byte = piece->start_byte;
	return 0;
}

/* The address whose alignment automatic allocation keeps. */
static uint64_t source_addr(const struct ims_iopt_piece *piece)
{
	const struct ims_iopt_pages *pages = piece->pages;

	return (pages->fd >= 0 ? pages->file_start : pages->va) + piece->start_byte;
}

static int place(struct ims_iopt *iopt, const struct ims_iopt_piece *pieces,
		 uint64_t length, uint64_t *iova, unsigned int flags)
{
	if (!length || (length & (iopt->iova_alignment - 1)))
		return -EINVAL;
	if (flags & IMS_IOPT_ALLOC_IOVA)
		return alloc_iova(iopt, source_addr(&pieces[0]), length, iova);
	return check_iova(iopt, *iova, length);
}

static void free_areas(struct ims_iopt_area **areas, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		ims_free(areas[i]);
	ims_free(areas);
}

/* Map the prepared areas in order; on failure unmap those done. */
static int map_prepared(struct ims_iopt *iopt, struct ims_iopt_area **areas, size_t nr)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++)
		ret = ims_iopt_map_area(iopt, areas[i]);
	if (!ret)
		return 0;
	for (i--; i-- > 0;)
		ims_iopt_unmap_area(iopt, areas[i]);
	return ret;
}

static int prepare_areas(struct ims_iopt *iopt, struct ims_iopt_piece *pieces, size_t nr,
			 uint64_t iova, int prot, struct ims_iopt_area **areas)
{
	for (size_t i = 0; i < nr; i++) {
		int ret = set_area(iopt, areas[i], &pieces[i], iova, prot);

		if (ret)
			return ret;
		iova += pieces[i].length;
	}
	return 0;
}

int ims_iopt_map_pieces(struct ims_iopt *iopt, struct ims_iopt_piece *pieces, size_t nr,
			uint64_t *iova, int prot, unsigned int flags)
{
	struct ims_iopt_area **areas = ims_calloc(nr, sizeof(*areas));
	uint64_t length = 0, at = *iova;
	int ret = areas ? 0 : -ENOMEM;

	for (size_t i = 0; !ret && i < nr; i++) {
		areas[i] = ims_zalloc(sizeof(**areas));
		ret = areas[i] ? 0 : -ENOMEM;
		length += pieces[i].length;
	}
	if (!ret)
		ret = place(iopt, pieces, length, &at, flags);
	if (!ret)
		ret = prepare_areas(iopt, pieces, nr, at, prot, areas);
	if (!ret)
		ret = map_prepared(iopt, areas, nr);
	if (ret) {
		if (areas)
			free_areas(areas, nr);
		return ret;
	}
	ims_free(areas);
	*iova = at;
	return 0;
}

/* ---- contiguous walks ---- */

int ims_iopt_for_each_contig(struct ims_iopt *iopt, uint64_t iova, uint64_t last,
			     ims_iopt_contig_fn fn, void *arg)
{
	struct ims_iopt_area *area = ims_iopt_area_first(iopt, iova, iova);
	uint64_t cur = iova;

	while (area) {
		uint64_t end = IMS_MIN(last, ims_iopt_area_last(area));
		int ret = fn(arg, area, cur, end);

		if (ret)
			return ret;
		if (end == last)
			return 0;
		cur = end + 1;
		area = ims_iopt_area_first(iopt, cur, cur);
	}
	return -ENOENT;
}

struct pieces_walk {
	struct ims_iopt_piece *pieces;
	size_t nr, cap;
};

static int collect_piece(void *arg, struct ims_iopt_area *area, uint64_t iova, uint64_t last)
{
	struct pieces_walk *w = arg;

	if (w->nr == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4;
		struct ims_iopt_piece *p = ims_realloc_array(w->pieces, cap, sizeof(*p));

		if (!p)
			return -ENOMEM;
		w->pieces = p;
		w->cap = cap;
	}
	ims_iopt_pages_get(area->pages);
	w->pieces[w->nr++] = (struct ims_iopt_piece){
		.pages = area->pages,
		.start_byte = ims_iopt_area_start_byte(area, iova),
		.length = last - iova + 1,
	};
	return 0;
}

void ims_iopt_pieces_free(struct ims_iopt_piece *pieces, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (pieces[i].pages)
			ims_iopt_pages_put(pieces[i].pages);
	ims_free(pieces);
}

int ims_iopt_get_pieces(struct ims_iopt *iopt, uint64_t iova, uint64_t length,
			struct ims_iopt_piece **pieces, size_t *nr)
{
	struct pieces_walk w = { 0 };
	uint64_t last;
	int ret;

	if (!length)
		return -EINVAL;
	if (overflows(iova, length, &last))
		return -EOVERFLOW;
	ret = ims_iopt_for_each_contig(iopt, iova, last, collect_piece, &w);
	if (ret) {
		ims_iopt_pieces_free(w.pieces, w.nr);
		return ret;
	}
	*pieces = w.pieces;
	*nr = w.nr;
	return 0;
}

/* ---- unmapping ---- */

static void drop_area(struct ims_iopt *iopt, struct ims_iopt_area *area)
{
	ims_iopt_unmap_area(iopt, area);
	ims_iopt_pages_put(area->pages);
	ims_free(area);
}

int ims_iopt_unmap_range(struct ims_iopt *iopt, uint64_t iova, uint64_t last,
			 uint64_t *unmapped, struct ims_iopt_area **busy)
{
	struct ims_iopt_area *area;

	*busy = NULL;
	while ((area = ims_iopt_area_first(iopt, iova, last))) {
		if (ims_iopt_area_iova(area) < iova || ims_iopt_area_last(area) > last)
			return -ENOENT;
		if (area->num_accesses) {
			*busy = area;
			return -EBUSY;
		}
		*unmapped += ims_iopt_area_length(area);
		drop_area(iopt, area);
	}
	return 0;
}

void ims_iopt_unmap_all(struct ims_iopt *iopt)
{
	struct ims_itree_node *n;

	while ((n = ims_itree_first(&iopt->areas)))
		drop_area(iopt, to_area(n));
}

/* ---- reserved and allowed ranges ---- */

int ims_iopt_reserve(struct ims_iopt *iopt, uint64_t start, uint64_t last, const void *owner)
{
	struct ims_iopt_reserved *r;

	if (ims_itree_iter_first(&iopt->areas, start, last) ||
	    ims_itree_iter_first(&iopt->allowed, start, last))
		return -EADDRINUSE;
	r = ims_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->node.start = start;
	r->node.last = last;
	r->owner = owner;
	ims_itree_insert(&iopt->reserved, &r->node);
	return 0;
}

void ims_iopt_unreserve(struct ims_iopt *iopt, const void *owner)
{
	struct ims_itree_node *n = ims_itree_first(&iopt->reserved), *next;

	for (; n; n = next) {
		struct ims_iopt_reserved *r = ims_container_of(n, struct ims_iopt_reserved, node);

		next = ims_itree_next(n);
		if (r->owner != owner)
			continue;
		ims_itree_remove(&iopt->reserved, n);
		ims_free(r);
	}
}

int ims_iopt_reserve_dev_regions(struct ims_iopt *iopt, struct ims_device *dev,
				 uint64_t *sw_msi_start)
{
	struct ims_resv_list list;
	int ret;

	if (ims_should_fail())
		return -EINVAL;
	ims_resv_list_init(&list);
	ret = ims_get_resv_regions(dev, &list);
	for (size_t i = 0; !ret && i < list.nr; i++) {
		const struct ims_resv_region *r = &list.regions[i];

		if (r->type == IMS_RESV_DIRECT_RELAXABLE)
			continue;
		if (r->type == IMS_RESV_SW_MSI && sw_msi_start)
			*sw_msi_start = r->start;
		ret = ims_iopt_reserve(iopt, r->start, r->start + r->length - 1, dev);
	}
	if (ret)
		ims_iopt_unreserve(iopt, dev);
	ims_resv_list_free(&list);
	return ret;
}

int ims_iopt_set_allowed(struct ims_iopt *iopt, struct ims_itree *ranges)
{
	struct ims_itree_node *n;
	struct ims_itree old;

	ims_itree_for_each_overlap(ranges, n, 0, UINT64_MAX)
		if (ims_itree_iter_first(&iopt->reserved, n->start, n->last))
			return -EADDRINUSE;
	old = iopt->allowed;
	iopt->allowed = *ranges;
	*ranges = old;
	return 0;
}

/* ---- alignment, domains, large pages, accesses ---- */

static uint64_t min_page(const struct ims_domain *domain)
{
	return 1ull << __builtin_ctzll(domain->pgsize_bitmap);
}

/* Do all areas conform to @align (start, length, page offset)? */
static int check_alignment(const struct ims_iopt *iopt, uint64_t align)
{
	struct ims_itree_node *n;

	for (n = ims_itree_first(&iopt->areas); n; n = ims_itree_next(n)) {
		struct ims_iopt_area *area = to_area(n);

		if ((ims_iopt_area_iova(area) | ims_iopt_area_length(area) |
		     (area->start_byte % psize())) & (align - 1))
			return -EADDRINUSE;
	}
	return 0;
}

/* iopt_calculate_iova_alignment: what the domains and accesses need now. */
static int recalc_alignment(struct ims_iopt *iopt)
{
	uint64_t align = iopt->disable_large_pages || iopt->nr_page_accesses ? psize() : 1;
	int ret;

	for (size_t i = 0; i < iopt->nr_domains; i++)
		align = IMS_MAX(align, min_page(iopt->domains[i]));
	if (align > iopt->iova_alignment) {
		ret = check_alignment(iopt, align);
		if (ret)
			return ret;
	}
	iopt->iova_alignment = align;
	return 0;
}

static int reserve_aperture(struct ims_iopt *iopt, const struct ims_domain *domain)
{
	const struct ims_domain_geometry *g = &domain->geometry;
	int ret = 0;

	if (g->aperture_start)
		ret = ims_iopt_reserve(iopt, 0, g->aperture_start - 1, domain);
	if (!ret && g->aperture_end != UINT64_MAX)
		ret = ims_iopt_reserve(iopt, g->aperture_end + 1, UINT64_MAX, domain);
	return ret;
}

int ims_iopt_table_add_domain(struct ims_iopt *iopt, struct ims_domain *domain)
{
	uint64_t align = IMS_MAX(min_page(domain), iopt->iova_alignment);
	int ret;

	if (ims_iopt_has_domain(iopt, domain))
		return -EEXIST;
	if (align > psize())
		return -EINVAL;
	if (align != iopt->iova_alignment) {
		ret = check_alignment(iopt, align);
		if (ret)
			return ret;
	}
	ret = reserve_aperture(iopt, domain);
	if (!ret)
		ret = ims_iopt_add_domain(iopt, domain);
	if (ret) {
		ims_iopt_unreserve(iopt, domain);
		return ret;
	}
	iopt->iova_alignment = align;
	return 0;
}

void ims_iopt_table_remove_domain(struct ims_iopt *iopt, struct ims_domain *domain)
{
	if (!ims_iopt_has_domain(iopt, domain))
		return;
	ims_iopt_remove_domain(iopt, domain);
	ims_iopt_unreserve(iopt, domain);
	if (recalc_alignment(iopt)) /* shrinking cannot fail */
		ims_dbg(IMS_LOG_IOMMUFD, "alignment recalculation failed after a domain left");
}

int ims_iopt_disable_large_pages(struct ims_iopt *iopt)
{
	int ret;

	if (iopt->disable_large_pages)
		return 0;
	if (iopt->nr_domains && !ims_itree_empty(&iopt->areas))
		return -EINVAL;
	iopt->disable_large_pages = true;
	ret = recalc_alignment(iopt);
	if (ret)
		iopt->disable_large_pages = false;
	return ret;
}

void ims_iopt_enable_large_pages(struct ims_iopt *iopt)
{
	iopt->disable_large_pages = false;
	recalc_alignment(iopt);
}

int ims_iopt_add_page_access(struct ims_iopt *iopt)
{
	int ret;

	iopt->nr_page_accesses++;
	ret = recalc_alignment(iopt);
	if (ret)
		iopt->nr_page_accesses--;
	return ret;
}

void ims_iopt_remove_page_access(struct ims_iopt *iopt)
{
	iopt->nr_page_accesses--;
	recalc_alignment(iopt);
}

/* ---- splitting (VFIO type1 compatibility) ---- */

static int split_checks(const struct ims_iopt *iopt, const struct ims_iopt_area *area,
			uint64_t new_start)
{
	uint64_t align = iopt->iova_alignment;

	if (area->prevent_access)
		return -EBUSY;
	if ((new_start & (align - 1)) || (ims_iopt_area_start_byte(area, new_start) & (align - 1)))
		return -EINVAL;
	if (area->num_accesses)
		return -EINVAL;
	/* A domain may hold the area in pages larger than the split allows. */
	if (iopt->nr_domains && !iopt->disable_large_pages)
		return -EINVAL;
	return 0;
}

/* iopt_area_split: @iova becomes the last byte of the left part. */
static int split_area(struct ims_iopt *iopt, struct ims_iopt_area *area, uint64_t iova)
{
	uint64_t start = ims_iopt_area_iova(area), new_start = iova + 1;
	struct ims_iopt_area *rhs;
	int ret;

	if (iova == start || iova == ims_iopt_area_last(area))
		return 0;
	ret = split_checks(iopt, area, new_start);
	if (ret)
		return ret;
	rhs = ims_zalloc(sizeof(*rhs));
	if (!rhs)
		return -ENOMEM;
	if (iopt->nr_domains) {
		ret = ims_iopt_pages_split_at(area->pages,
					      ims_iopt_area_start_byte(area, new_start) / psize());
		if (ret) {
			ims_free(rhs);
			return ret;
		}
	}
	*rhs = *area;
	ims_itree_remove(&iopt->areas, &area->node);
	area->node.last = iova;
	rhs->node.start = new_start;
	rhs->start_byte = ims_iopt_area_start_byte(area, new_start);
	rhs->pa = area->pa + (new_start - start);
	ims_iopt_pages_get(rhs->pages);
	ims_itree_insert(&iopt->areas, &area->node);
	ims_itree_insert(&iopt->areas, &rhs->node);
	return 0;
}

int ims_iopt_cut(struct ims_iopt *iopt, const uint64_t *iovas, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		struct ims_iopt_area *area = ims_iopt_area_first(iopt, iovas[i], iovas[i]);
		int ret;

		if (!area)
			continue;
		ret = split_area(iopt, area, iovas[i]);
		if (ret)
			return ret;
	}
	return 0;
}
