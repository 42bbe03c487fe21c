/* SPDX-License-Identifier: MIT */
/*
 * iommusim page-table library: the IOMMU page-table formats of real
 * hardware, bit-exact, with the Linux kernel's map/unmap semantics.
 *
 * A table is created for one format and configuration.  "Physical"
 * addresses are the process's virtual addresses (iommusim's memory model):
 * descriptors hold them in the format's bit layout, and table memory comes
 * from the library's page allocator, page-aligned and accounted.  Formats
 * whose descriptors hold narrow addresses (32-bit tables) take their table
 * pages from low memory so that the pointers fit.
 *
 * Errors are negative errno values.  No function here takes a lock: the
 * caller serialises changes to one table (the kernel's rule for io-pgtable:
 * concurrent map/unmap of disjoint ranges is the caller's business).
 *
 * Glossary: @iova is an input address, @pa an output address; a "leaf" maps
 * one page (any supported size); "pgsize" is the size of the leaves a call
 * maps or unmaps; "last" is inclusive.
 */
#ifndef IOMMUSIM_PT_H
#define IOMMUSIM_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Mapping permissions and attributes, the values of the kernel's IOMMU_*. */
#define IMS_PROT_READ   (1 << 0)
#define IMS_PROT_WRITE  (1 << 1)
#define IMS_PROT_CACHE  (1 << 2) /* DMA is cache coherent */
#define IMS_PROT_NOEXEC (1 << 3)
#define IMS_PROT_MMIO   (1 << 4) /* device memory attributes */
#define IMS_PROT_PRIV   (1 << 5) /* privileged accesses only */

enum ims_pt_format {
	IMS_PT_ARM_LPAE_S1,  /* VMSAv8-64 stage 1 (arm-smmu, smmu-v3, ipmmu, qcom) */
	IMS_PT_ARM_LPAE_S2,  /* VMSAv8-64 stage 2, with concatenated top tables */
	IMS_PT_APPLE_DART,   /* Apple DART (LPAE-like, its own bit layout) */
	IMS_PT_ARM_V7S,      /* ARMv7 short descriptor (mtk_iommu, msm) */
	IMS_PT_VTD_SS,       /* Intel VT-d second stage */
	IMS_PT_X86_64,       /* x86-64 paging: VT-d first stage, AMD v2 */
	IMS_PT_AMD_V1,       /* AMD-Vi v1 host page table */
	IMS_PT_RISCV,        /* RISC-V Sv39/Sv48/Sv57 */
	IMS_PT_MTK_V1,       /* MediaTek M4U v1: flat table of 4K entries */
	IMS_PT_SPRD,         /* Spreadtrum: flat table of 32-bit page numbers */
	IMS_PT_TEGRA_GART,   /* Tegra20 GART: linear aperture of 4K entries */
	IMS_PT_S390,         /* s390 DMA translation: region/segment/page tables */
	IMS_PT_TEGRA_SMMU,   /* Tegra SMMU two-level 32-bit */
	IMS_PT_EXYNOS,       /* Exynos SYSMMU two-level 32-bit */
	IMS_PT_ROCKCHIP,     /* Rockchip two-level 32-bit (v1 and v2 PA layouts) */
	IMS_PT_OMAP,         /* OMAP two-level 32-bit */
	IMS_PT_SUN50I,       /* Allwinner sun50i two-level 32-bit */
	IMS_PT_FORMAT_NR,
};

/* Optional behaviours of a format (cfg.features). */
#define IMS_PT_FEAT_DIRTY      (1ull << 0) /* hardware dirty state: ARM DBM, VT-d A/D, AMD HD */
#define IMS_PT_FEAT_MTK_EXT    (1ull << 1) /* v7s: MediaTek extra PA bits (34-bit+) */
#define IMS_PT_FEAT_NS         (1ull << 2) /* ARM: non-secure attribute on leaves */
#define IMS_PT_FEAT_SNOOP      (1ull << 3) /* VT-d SS: set SNP on cacheable leaves */
#define IMS_PT_FEAT_V2_LAYOUT  (1ull << 4) /* rockchip v2 / format revision where one exists */

struct ims_pt_cfg {
	enum ims_pt_format format;
	/* Leaf sizes allowed; 0 = every size the format supports for this granule. */
	uint64_t pgsize_bitmap;
	unsigned int ias;         /* input address bits; 0 = format default */
	unsigned int oas;         /* output address bits; 0 = format default */
	unsigned int granule_lg2; /* ARM LPAE 12/14/16, DART 12/14; 0 = default */
	unsigned int levels;      /* x86-64 4/5, AMD v1 1..6, RISC-V 3..5; 0 = from ias */
	uint64_t features;        /* IMS_PT_FEAT_* */
};

struct ims_pt;

/*
 * Table pages freed by unmap wait here until the caller has invalidated the
 * IOTLB and calls ims_pt_gather_sync(), as in the kernel's iotlb_gather.
 * [start, last] is the IOVA range that needs invalidating (empty when
 * start > last).
 */
struct ims_pt_gather {
	uint64_t start, last;
	size_t pgsize;      /* largest leaf size removed */
	void *freelist;     /* table pages awaiting release */
	size_t nr_freed;
};

static inline void ims_pt_gather_init(struct ims_pt_gather *g)
{
	g->start = UINT64_MAX;
	g->last = 0;
	g->pgsize = 0;
	g->freelist = NULL;
	g->nr_freed = 0;
}

/* Release the table pages collected in @g and reset it. */
void ims_pt_gather_sync(struct ims_pt_gather *g);

/*
 * A map may replace empty tables by a large leaf (as the kernel does); the
 * pages of those tables may still be cached by IOTLB walk caches.  When a
 * sync callback is set, ims_pt_map() hands it a gather holding them (and
 * the IOVA range they translated) before releasing them, as the kernel's
 * map_pages syncs its own gather; without one they are released at once.
 */
typedef void (*ims_pt_sync_fn)(void *arg, const struct ims_pt_gather *gather);

/*
 * Create an empty table.  The effective configuration (defaults filled in,
 * pgsize_bitmap narrowed to what the format supports) is available from
 * ims_pt_config().  -EINVAL for a configuration the format cannot express,
 * -EOPNOTSUPP for a format not implemented yet, -ENOMEM.
 */
int ims_pt_create(const struct ims_pt_cfg *cfg, struct ims_pt **out);
/* Free every table page.  Never fails; NULL is ignored. */
void ims_pt_destroy(struct ims_pt *pt);
const struct ims_pt_cfg *ims_pt_config(const struct ims_pt *pt);
/* Set (or, with NULL, clear) the callback described at ims_pt_sync_fn. */
void ims_pt_set_sync(struct ims_pt *pt, ims_pt_sync_fn fn, void *arg);

/*
 * Map @count leaves of @pgsize at @iova -> @pa with @prot.  @pgsize must be
 * in the bitmap and iova/pa aligned to it.  *@mapped receives the bytes
 * mapped, also on error (the caller unmaps them).  Errors: -EINVAL
 * (misaligned, unsupported size, count 0, no READ/WRITE), -ERANGE (beyond
 * IAS or OAS), -EEXIST (a valid entry is in the way), -ENOMEM.
 */
int ims_pt_map(struct ims_pt *pt, uint64_t iova, uint64_t pa, size_t pgsize,
	       size_t count, int prot, size_t *mapped);

/*
 * Unmap @count leaves of @pgsize at @iova.  Returns the bytes unmapped:
 * stops at the first hole; a larger leaf covering the range is either split
 * (ARM LPAE) or removed whole (x86, AMD: the result exceeds the request), as
 * the kernel does for the format.  0 for misaligned input.  Invalidation
 * work is added to @gather (which may be NULL: then freed tables are
 * released at once).
 */
size_t ims_pt_unmap(struct ims_pt *pt, uint64_t iova, size_t pgsize, size_t count,
		    struct ims_pt_gather *gather);

/* Output address for @iova, or 0 when unmapped. */
uint64_t ims_pt_iova_to_phys(const struct ims_pt *pt, uint64_t iova);

/* One translation as hardware performs it (device DMA). */
struct ims_pt_xlate {
	uint64_t pa;        /* output address of the requested iova */
	uint64_t leaf_size; /* size of the leaf that translated it */
	int prot;           /* IMS_PROT_* granted by the leaf */
};

/*
 * Translate @iova for an access of @access (IMS_PROT_READ or _WRITE).  A
 * write sets the format's hardware dirty state when the table has
 * IMS_PT_FEAT_DIRTY.  -ENOENT when unmapped, -EPERM when the leaf forbids
 * the access.
 */
int ims_pt_translate(struct ims_pt *pt, uint64_t iova, int access,
		     struct ims_pt_xlate *out);

/*
 * Called for each leaf in [iova, iova + size), in IOVA order, with the
 * leaf's own start and size; a non-zero return stops the walk and is
 * returned.  -EINVAL for size 0, -ERANGE beyond IAS.
 */
typedef int (*ims_pt_leaf_fn)(void *arg, uint64_t iova, uint64_t pa, uint64_t size,
			      int prot, unsigned int level);
int ims_pt_walk(const struct ims_pt *pt, uint64_t iova, uint64_t size,
		ims_pt_leaf_fn fn, void *arg);

/* Dirty tracking (IMS_PT_FEAT_DIRTY). */
#define IMS_PT_DIRTY_NO_CLEAR (1u << 0)
typedef void (*ims_pt_dirty_fn)(void *arg, uint64_t iova, uint64_t size);
/*
 * Report each dirty leaf in [iova, iova + size) through @fn and clear its
 * dirty state unless IMS_PT_DIRTY_NO_CLEAR.  -EOPNOTSUPP without the feature.
 */
int ims_pt_read_and_clear_dirty(struct ims_pt *pt, uint64_t iova, uint64_t size,
				unsigned int flags, ims_pt_dirty_fn fn, void *arg);
/*
 * Mark the leaf containing @iova dirty, as a device write would.
 * -EOPNOTSUPP without the feature, -ENOENT when unmapped, -EPERM when the
 * leaf is read-only.
 */
int ims_pt_set_dirty(struct ims_pt *pt, uint64_t iova);

/* The root table's address as the hardware's base register holds it. */
uint64_t ims_pt_root(const struct ims_pt *pt);

struct ims_pt_mem_stats {
	size_t table_pages;  /* table_bytes in 4 KiB pages, rounded up */
	size_t table_bytes;  /* bytes of the tables currently held by this table */
};
void ims_pt_mem_stats(const struct ims_pt *pt, struct ims_pt_mem_stats *out);
/*
 * Table memory held by every table in the process (leak checks), in bytes,
 * and in 4 KiB pages rounded up.  Second-level tables of the 32-bit formats
 * are 1 KiB, so leak checks that may involve them compare bytes.
 */
size_t ims_pt_bytes_in_use(void);
size_t ims_pt_pages_in_use(void);

const char *ims_pt_format_name(enum ims_pt_format format);
/* -EINVAL for an unknown name. */
int ims_pt_format_from_name(const char *name, enum ims_pt_format *format);

#ifdef __cplusplus
}
#endif
#endif
