/* SPDX-License-Identifier: MIT */
/*
 * The mapping engine: an IO page table ("iopt") is a set of areas (IOVA
 * ranges mapped to user memory) and the set of IOMMU domains that must all
 * hold exactly those translations.  VFIO type1 containers and iommufd IOASes
 * both keep their mappings here (DESIGN 2: one engine).
 *
 * The engine (io_pagetable.c), used by both:
 *  - ims_iopt_map_area() maps a new area into every domain, or into none
 *    (a failure part-way unmaps the domains already done);
 *  - ims_iopt_unmap_area() removes it from every domain, batching the IOTLB
 *    invalidation per domain;
 *  - ims_iopt_add_domain() replays every area into a new domain in IOVA
 *    order (VFIO's replay, iommufd's domain fill), or leaves it untouched;
 *  - ims_iopt_remove_domain() takes every area out of a departing domain.
 *
 * The IOAS rules (iova.c), iommufd's only (kernel-semantics 5.6): reserved
 * ranges with owners (device reserved regions, out-of-aperture space, test
 * reservations), allowed ranges, the IOVA alignment the domains and
 * accesses impose, automatic IOVA allocation, the full-containment unmap,
 * area splitting for VFIO type1 compatibility, and the checks a domain
 * passes before it joins (alignment, aperture).
 *
 * Glossary: an area covers [iova, last] (inclusive) and translates to
 * "physical" [pa, pa + length) (DESIGN 4).  A type1 area has no @pages: its
 * owner pinned the memory when it created the area.  An iommufd area maps
 * bytes [start_byte, start_byte + length) of shared @pages, so that
 * pa = pages->va + start_byte, and the engine pins those pages while the
 * iopt has at least one domain (pages.h: lazy pinning).  @pa never changes
 * after creation, as pinned pages stay put in the kernel.
 *
 * Locking: the owner serialises every call on one iopt (a type1 container
 * with its lock, an IOAS with its iova lock).
 */
#ifndef IMS_IOMMUFD_IO_PAGETABLE_H
#define IMS_IOMMUFD_IO_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "iommufd/pages.h"
#include "util/itree.h"

struct ims_iopt_area {
	struct ims_itree_node node;  /* [iova, last] */
	uint64_t pa;                 /* translation of node.start */
	int prot;                    /* IMS_PROT_*, applied to every domain */
	struct ims_iopt_pages *pages;/* iommufd: the memory (a reference); type1: NULL */
	uint64_t start_byte;         /* iommufd: offset of node.start in @pages */
	unsigned int num_accesses;   /* pins of accesses inside the area */
	bool prevent_access;         /* an unmap waits for the accesses to let go */
};

/* A reserved IOVA range; @owner says whose (device, domain, or NULL). */
struct ims_iopt_reserved {
	struct ims_itree_node node;
	const void *owner;
};

/* An allowed IOVA range (IOAS_ALLOW_IOVAS). */
struct ims_iopt_allowed {
	struct ims_itree_node node;
};

struct ims_iopt {
	struct ims_itree areas;
	struct ims_domain **domains; /* in attach order */
	size_t nr_domains, cap_domains;
	/* IOAS rules only (a type1 container leaves them empty): */
	struct ims_itree reserved;   /* ims_iopt_reserved, may overlap each other */
	struct ims_itree allowed;    /* ims_iopt_allowed, disjoint */
	uint64_t iova_alignment;     /* MAP and COPY need it: 1 .. CPU page size */
	bool disable_large_pages;    /* map with CPU pages only (HUGE_PAGES 0, type1) */
	unsigned int nr_page_accesses; /* accesses that pin pages: CPU page alignment */
};

static inline uint64_t ims_iopt_area_iova(const struct ims_iopt_area *area)
{
	return area->node.start;
}

static inline uint64_t ims_iopt_area_last(const struct ims_iopt_area *area)
{
	return area->node.last;
}

static inline uint64_t ims_iopt_area_length(const struct ims_iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* Offset in the area's pages of the byte at @iova (inside the area). */
static inline uint64_t ims_iopt_area_start_byte(const struct ims_iopt_area *area, uint64_t iova)
{
	return area->start_byte + (iova - area->node.start);
}

void ims_iopt_init(struct ims_iopt *iopt);
/* The owner has removed every area and domain first; frees the rest. */
void ims_iopt_destroy(struct ims_iopt *iopt);

/* ---- the engine (io_pagetable.c) ---- */

/*
 * Map @area (node.start/last, pa, prot and for iommufd pages/start_byte set
 * by the caller) into every domain, pinning its pages if there are domains,
 * and insert it.  On failure nothing is mapped or pinned and the area is
 * not inserted; the errno is returned.
 */
int ims_iopt_map_area(struct ims_iopt *iopt, struct ims_iopt_area *area);
/* Unmap @area from every domain, unpin its pages, remove it from the tree. */
void ims_iopt_unmap_area(struct ims_iopt *iopt, struct ims_iopt_area *area);

/* Replay every area into @domain and start tracking it; all or nothing. */
int ims_iopt_add_domain(struct ims_iopt *iopt, struct ims_domain *domain);
/* Unmap every area from @domain and stop tracking it. */
void ims_iopt_remove_domain(struct ims_iopt *iopt, struct ims_domain *domain);
bool ims_iopt_has_domain(const struct ims_iopt *iopt, const struct ims_domain *domain);

/* First area overlapping [iova, last], and the next after @area. */
struct ims_iopt_area *ims_iopt_area_first(struct ims_iopt *iopt, uint64_t iova, uint64_t last);
struct ims_iopt_area *ims_iopt_area_next(struct ims_iopt_area *area, uint64_t iova,
					 uint64_t last);

#define ims_iopt_for_each_area(iopt, area, s, l)             \
	for ((area) = ims_iopt_area_first((iopt), (s), (l)); \
	     (area); (area) = ims_iopt_area_next((area), (s), (l)))

/* Page indexes of @area in its pages. */
uint64_t ims_iopt_area_first_index(const struct ims_iopt_area *area);
uint64_t ims_iopt_area_last_index(const struct ims_iopt_area *area);

/* ---- the IOAS rules (iova.c) ---- */

/* Where a new mapping goes (IOAS_MAP's FIXED_IOVA, or allocation). */
#define IMS_IOPT_ALLOC_IOVA (1u << 0)

/*
 * One piece of memory to map: @length bytes from @start_byte of @pages
 * (the caller's reference, which the new area takes over on success).
 */
struct ims_iopt_piece {
	struct ims_iopt_pages *pages;
	uint64_t start_byte;
	uint64_t length;
};

/*
 * Map @nr pieces back to back at *@iova (IMS_IOPT_ALLOC_IOVA: at an IOVA
 * chosen as iopt_alloc_iova does, returned in *@iova) with @prot.  Errors:
 * -EINVAL (length 0 or misaligned, reserved overlap), -EEXIST (an area is
 * in the way), -ENOSPC (no hole), -EOVERFLOW, -EPERM (writable mapping of
 * read-only pages), pinning errors.  Nothing changes on failure; on success
 * every piece's reference belongs to the IOAS.
 */
int ims_iopt_map_pieces(struct ims_iopt *iopt, struct ims_iopt_piece *pieces, size_t nr,
			uint64_t *iova, int prot, unsigned int flags);
/*
 * The pieces that [@iova, @iova + @length) maps, with a reference each, for
 * IOAS_COPY.  -ENOENT unless the range is mapped without a gap; *@pieces is
 * a new array (ims_iopt_pieces_free frees it and drops the references).
 */
int ims_iopt_get_pieces(struct ims_iopt *iopt, uint64_t iova, uint64_t length,
			struct ims_iopt_piece **pieces, size_t *nr);
void ims_iopt_pieces_free(struct ims_iopt_piece *pieces, size_t nr);

/*
 * Unmap every area inside [@iova, @last]; *@unmapped gets the bytes.  An
 * area only partly inside: -ENOENT, nothing more is unmapped; an area with
 * access pins: -EBUSY (the caller notifies the accesses and retries, see
 * ims_iopt_area_has_accesses).  An empty range is not an error here.
 */
int ims_iopt_unmap_range(struct ims_iopt *iopt, uint64_t iova, uint64_t last,
			 uint64_t *unmapped, struct ims_iopt_area **busy);
/* Free every area's memory reference after unmapping it (IOAS destroy). */
void ims_iopt_unmap_all(struct ims_iopt *iopt);

/* Reserve [start, last] for @owner: -EADDRINUSE over an area or allowed range. */
int ims_iopt_reserve(struct ims_iopt *iopt, uint64_t start, uint64_t last, const void *owner);
void ims_iopt_unreserve(struct ims_iopt *iopt, const void *owner);
/*
 * Reserve the regions of @dev (but direct-relaxable ones) for @dev;
 * *@sw_msi_start (if given) gets a software MSI window's start.
 */
int ims_iopt_reserve_dev_regions(struct ims_iopt *iopt, struct ims_device *dev,
				 uint64_t *sw_msi_start);
/*
 * Replace the allowed ranges by those in @ranges (ims_iopt_allowed nodes):
 * -EADDRINUSE when one is reserved.  On success @ranges holds the old ones,
 * for the caller to free with its own.
 */
int ims_iopt_set_allowed(struct ims_iopt *iopt, struct ims_itree *ranges);

/*
 * A domain joins (iopt_table_add_domain): alignment (-EINVAL beyond the CPU
 * page, -EADDRINUSE for areas that break it), its out-of-aperture space
 * reserved (-EADDRINUSE), then every area mapped into it.  All or nothing.
 */
int ims_iopt_table_add_domain(struct ims_iopt *iopt, struct ims_domain *domain);
void ims_iopt_table_remove_domain(struct ims_iopt *iopt, struct ims_domain *domain);

/* HUGE_PAGES: -EINVAL while domains hold mappings. */
int ims_iopt_disable_large_pages(struct ims_iopt *iopt);
void ims_iopt_enable_large_pages(struct ims_iopt *iopt);
/* An access that pins pages needs CPU page alignment: -EADDRINUSE if areas break it. */
int ims_iopt_add_page_access(struct ims_iopt *iopt);
void ims_iopt_remove_page_access(struct ims_iopt *iopt);

/* Split the areas at each IOVA in @iovas so that one of them ends there. */
int ims_iopt_cut(struct ims_iopt *iopt, const uint64_t *iovas, size_t nr);

/*
 * Walk the areas that map [iova, last] without a gap: @fn gets each area
 * and the part of the range inside it; returns its first non-zero result,
 * or -ENOENT when the range is not mapped without a gap.
 */
typedef int (*ims_iopt_contig_fn)(void *arg, struct ims_iopt_area *area, uint64_t iova,
				  uint64_t last);
int ims_iopt_for_each_contig(struct ims_iopt *iopt, uint64_t iova, uint64_t last,
			     ims_iopt_contig_fn fn, void *arg);

#endif
