// SPDX-License-Identifier: MIT
/*
 * The Samsung Exynos SYSMMU page table: two levels of 32-bit descriptors
 * over a 32-bit IOVA, 4 KiB small pages, 64 KiB large pages and 1 MiB
 * sections.
 *
 * There is no public manual; the facts are the kernel driver's
 * (drivers/iommu/exynos-iommu.c, its comments and definitions):
 *   - NUM_LV1ENTRIES 4096 (16 KiB first level, one entry per 1 MiB),
 *     NUM_LV2ENTRIES 256 (1 KiB second-level tables, from a kmem_cache
 *     aligned to their size);
 *   - first level: (e & 3) == 2 a section, (e & 3) == 1 a link to a
 *     second-level table (address in bits 31:6, the kernel's 0xFFFFFFC0),
 *     0 or 3 a fault; second level: (e & 3) == 1 a large page written into
 *     16 consecutive entries (SPAGES_PER_LPAGE), (e & 2) a small page;
 *   - "We do not consider super section mapping (16MB)": the driver's
 *     pgsize_bitmap is SECT_SIZE | LPAGE_SIZE | SPAGE_SIZE, and so is ours
 *     (nothing public describes an Exynos supersection descriptor);
 *   - permissions (SYSMMU_LV1_PROT / SYSMMU_LV2_PROT, v1.x-v3.x): read-only
 *     sets bits 15 and 10 of a section, 9 and 4 of a page; read-write (and
 *     write-only, "not supported, use read/write") only bit 10 / bit 4;
 *   - "v5.0 introduced support for 36bit physical address space by
 *     shifting all page entry values by 4 bits" (PG_ENT_SHIFT 4): every
 *     address field holds the address >> 4, and the permissions become
 *     bits 5:4 (section) and 3:2 (pages), read = 1, write = 2
 *     (SYSMMU_V5_LV1_PROT / SYSMMU_V5_LV2_PROT).  IMS_PT_FEAT_V2_LAYOUT
 *     selects this layout (OAS up to 36); without it OAS is 32.
 *
 * This is the ARM short descriptor's shape and type encoding
 * (two_level32.h) with Samsung's own attribute bits.  Levels: the driver's
 * lv1 is our level 1, lv2 our level 0.  Tables come from the low-32 pool.
 *
 * Not modelled: the driver fills empty first-level entries with a link to
 * a shared all-zero second-level table (ZERO_LV2LINK, a workaround for the
 * v3.3 FLPD cache); we leave them 0.  Both are faults to the hardware.
 * The driver's map answers -EADDRINUSE where the engine says -EEXIST, and
 * its unmap counts holes as unmapped; the driver model translates
 * (src/drivers/exynos).
 */
#include <errno.h>

#include "two_level32.h"

#define EXY_TYPE_MASK 0x3ull
#define EXY_LV1_TABLE 0x1ull
#define EXY_LV1_SECTION 0x2ull
#define EXY_LV2_LARGE 0x1ull
#define EXY_LV2_SMALL 0x2ull

/* v1.x - v3.x permissions */
#define EXY_V1_LV1_ACCESS PT_BIT(10)
#define EXY_V1_LV1_RDONLY PT_BIT(15)
#define EXY_V1_LV2_ACCESS PT_BIT(4)
#define EXY_V1_LV2_RDONLY PT_BIT(9)
/* v5 permissions: read 1, write 2, at bit 4 (lv1) or 2 (lv2) */
#define EXY_V5_READ 1ull
#define EXY_V5_WRITE 2ull
#define EXY_V5_SHIFT 4

/* leaf_bits' result */
#define EXY_BITS_READ PT_BIT(0)
#define EXY_BITS_WRITE PT_BIT(1)

static const struct two_level32_limits exynos_limits = {
	.levels = 2, .min_ias = 32, .max_ias = 32, .default_ias = 32,
	.max_oas = 32, .default_oas = 32, .features = IMS_PT_FEAT_V2_LAYOUT,
};

static const struct two_level32_limits exynos_v5_limits = {
	.levels = 2, .min_ias = 32, .max_ias = 32, .default_ias = 32,
	.max_oas = 36, .default_oas = 36, .features = IMS_PT_FEAT_V2_LAYOUT,
};

static bool exynos_v5(const struct ims_pt *pt)
{
	return pt->cfg.features & IMS_PT_FEAT_V2_LAYOUT;
}

static int exynos_init(struct ims_pt *pt)
{
	bool v5 = pt->cfg.features & IMS_PT_FEAT_V2_LAYOUT;
	int shift = v5 ? -4 : 0, ret;
	struct pt_level *l0 = &pt->lvl[0], *l1 = &pt->lvl[1];

	ret = two_level32_settle(pt, v5 ? &exynos_v5_limits : &exynos_limits);
	if (ret)
		return ret;
	two_level32_geometry(pt, 12, 8);
	pt->pa_shift = shift;
	pt->table_shift = shift;
	pt->present_mask = EXY_TYPE_MASK;
	pt->table_addr_mask = PT_GENMASK(31, 6);
	l1->table_mask = EXY_TYPE_MASK;
	l1->table_match = EXY_LV1_TABLE;
	l1->single_mask = 0;
	l1->single_match = 0;
	l1->oa_mask = PT_GENMASK(31, 20 + shift);
	l1->pgsizes = PT_BIT(20);
	l0->single_mask = EXY_LV2_SMALL;
	l0->single_match = EXY_LV2_SMALL;
	l0->oa_mask = PT_GENMASK(31, 12 + shift);
	l0->pgsizes = PT_BIT(12) | PT_BIT(16);
	return 0;
}

static int exynos_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	*bits = (prot & IMS_PROT_READ ? EXY_BITS_READ : 0) |
		(prot & IMS_PROT_WRITE ? EXY_BITS_WRITE : 0);
	return 0;
}

/* The permission bits of a leaf of @level (SYSMMU_*LV*_PROT). */
static uint64_t exynos_prot_bits(const struct ims_pt *pt, unsigned int level, uint64_t bits)
{
	if (exynos_v5(pt))
		return (bits & (EXY_BITS_READ | EXY_BITS_WRITE)) << (level ? EXY_V5_SHIFT : 2);
	if (bits & EXY_BITS_WRITE) /* read-write, or write-only served as read-write */
		return level ? EXY_V1_LV1_ACCESS : EXY_V1_LV2_ACCESS;
	return level ? EXY_V1_LV1_ACCESS | EXY_V1_LV1_RDONLY : EXY_V1_LV2_ACCESS | EXY_V1_LV2_RDONLY;
}

static uint64_t exynos_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
				 unsigned int size_lg2, uint64_t bits)
{
	uint64_t type = level ? EXY_LV1_SECTION : size_lg2 == 12 ? EXY_LV2_SMALL : EXY_LV2_LARGE;

	return (pa >> -pt->pa_shift) | exynos_prot_bits(pt, level, bits) | type;
}

static uint64_t exynos_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return ((uintptr_t)table >> -pt->table_shift) | EXY_LV1_TABLE;
}

static void exynos_decode_contig(const struct ims_pt *pt, uint64_t e, unsigned int level,
				 unsigned int *size_lg2, uint64_t *pa)
{
	/* Only large pages (second level, type 01) are not single. */
	*size_lg2 = 16;
	*pa = (e & PT_GENMASK(31, 16 + pt->pa_shift)) << -pt->pa_shift;
}

static int exynos_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	uint64_t v5 = e >> (level ? EXY_V5_SHIFT : 2);

	if (exynos_v5(pt))
		return (v5 & EXY_V5_READ ? IMS_PROT_READ : 0) | (v5 & EXY_V5_WRITE ? IMS_PROT_WRITE : 0);
	if (e & (level ? EXY_V1_LV1_RDONLY : EXY_V1_LV2_RDONLY))
		return IMS_PROT_READ;
	return IMS_PROT_READ | IMS_PROT_WRITE;
}

const struct pt_format pt_fmt_exynos = {
	.init = exynos_init,
	.leaf_bits = exynos_leaf_bits,
	.make_leaf = exynos_make_leaf,
	.make_table = exynos_make_table,
	.decode_contig = exynos_decode_contig,
	.leaf_prot = exynos_leaf_prot,
	.pa_linear = true,
};
