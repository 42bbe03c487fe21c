/* SPDX-License-Identifier: MIT */
/*
 * What the 32-bit formats share: tables of 4-byte descriptors holding
 * 32-bit table addresses (so their tables come from the low-32 pool), a
 * fixed number of levels, and a configuration settled against fixed limits
 * instead of the radix rules of pt_geom_settle().
 *
 * Where the layouts truly agree:
 *   - the ARM short descriptor (arm_v7s.c), the Exynos SYSMMU (exynos.c)
 *     and the Allwinner H6 IOMMU (sun50i.c) translate a 32-bit IOVA with a
 *     first level of 4096 entries of 1 MiB and second-level tables of 256
 *     entries of 4 KiB (1 KiB tables): two_level32_geometry(pt, 12, 8).
 *     The Exynos SYSMMU even copies the ARM type encodings (01 points at a
 *     table, 10 is a section; 01 a large page, 1x a small one); sun50i's
 *     directory entry is ARM's table descriptor (address 31:10, 01) and its
 *     page entry has ARM's small-page type bit (1);
 *   - Rockchip's rk3288 layout is 1024 x 4 MiB over 1024 x 4 KiB (4 KiB
 *     tables): two_level32_geometry(pt, 10, 10);
 *   - the MediaTek M4U v1 flat table is one level (mtk_v1.c).
 * The descriptors' attribute bits agree nowhere: each format file has its
 * own.
 */
#ifndef IMS_PT_FMT_TWO_LEVEL32_H
#define IMS_PT_FMT_TWO_LEVEL32_H

#include <errno.h>

#include "pt/pt_format.h"
#include "pt/pt_pages.h"

/* The limits of one 32-bit format (or of one of its variants). */
struct two_level32_limits {
	uint8_t levels;              /* the only number of levels */
	uint8_t min_ias, max_ias, default_ias;
	uint8_t max_oas, default_oas;
	uint64_t features;           /* IMS_PT_FEAT_* offered */
};

/*
 * Check and complete pt->cfg against @lim: granule 12 (or 0), @lim->levels
 * (or 0), IAS and OAS in range (0 picks the default), features offered.
 * -EINVAL otherwise.
 */
static inline int two_level32_settle(struct ims_pt *pt, const struct two_level32_limits *lim)
{
	struct ims_pt_cfg *cfg = &pt->cfg;

	if ((cfg->granule_lg2 && cfg->granule_lg2 != 12) ||
	    (cfg->levels && cfg->levels != lim->levels) || (cfg->features & ~lim->features))
		return -EINVAL;
	if (!cfg->ias)
		cfg->ias = lim->default_ias;
	if (!cfg->oas)
		cfg->oas = lim->default_oas;
	if (cfg->ias < lim->min_ias || cfg->ias > lim->max_ias || cfg->oas <= 12 ||
	    cfg->oas > lim->max_oas)
		return -EINVAL;
	cfg->granule_lg2 = 12;
	cfg->levels = lim->levels;
	pt->entry_lg2 = 2;
	pt->pool = PT_POOL_LOW32;
	return 0;
}

/*
 * Two levels of 4-byte entries: level 0 tables of 2^@l0_bits entries of
 * 4 KiB, a root of 2^@l1_bits entries of 2^(12 + @l0_bits) bytes (at
 * least 1 KiB is allocated for it).  Masks and page sizes are left to the
 * format (table masks PT_NEVER).
 */
static inline void two_level32_geometry(struct ims_pt *pt, unsigned int l1_bits,
					unsigned int l0_bits)
{
	struct pt_level *l0 = &pt->lvl[0], *l1 = &pt->lvl[1];

	pt->top = 1;
	l0->shift = 12;
	l0->index_bits = l0_bits;
	l0->table_lg2 = l0_bits + 2;
	l0->table_mask = PT_NEVER_MASK;
	l0->table_match = PT_NEVER_MATCH;
	l1->shift = 12 + l0_bits;
	l1->index_bits = l1_bits;
	/* a narrow IAS leaves a root smaller than the allocator's smallest block */
	l1->table_lg2 = l1_bits + 2 > PT_TABLE_MIN_LG2 ? l1_bits + 2 : PT_TABLE_MIN_LG2;
}

#endif
