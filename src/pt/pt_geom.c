// SPDX-License-Identifier: MIT
/*
 * Geometry helpers for format init hooks (declared in pt_format.h), and the
 * engine's final step of create: narrowing the page sizes a format offers
 * to the caller's bitmap and to IAS/OAS.
 */
#include <errno.h>

#include "pt_engine.h"
#include "util/err.h"

void pt_geom_radix(struct ims_pt *pt, unsigned int granule_lg2, unsigned int table_lg2,
		   unsigned int levels)
{
	unsigned int per_level = table_lg2 - pt->entry_lg2;

	pt->top = levels - 1;
	for (unsigned int l = 0; l < levels; l++) {
		struct pt_level *lvl = &pt->lvl[l];

		lvl->shift = granule_lg2 + l * per_level;
		lvl->index_bits = IMS_MIN(per_level, 64u - lvl->shift);
		lvl->table_lg2 = table_lg2;
		lvl->table_mask = PT_NEVER_MASK;
		lvl->table_match = PT_NEVER_MATCH;
	}
}

void pt_geom_flag_leaves(struct ims_pt *pt, uint64_t leaf_flag, unsigned int leaf_top,
			 unsigned int pa_hi)
{
	for (unsigned int l = 0; l <= pt->top; l++) {
		struct pt_level *lvl = &pt->lvl[l];

		lvl->single_mask = 0;
		lvl->single_match = 0;
		lvl->oa_mask = PT_GENMASK(pa_hi, lvl->shift);
		lvl->pgsizes = l <= leaf_top ? 1ull << lvl->shift : 0;
		if (l == 0)
			continue;
		/* Above leaf_top every entry is a table; below it the flag marks a leaf. */
		lvl->table_mask = l <= leaf_top ? leaf_flag : 0;
		lvl->table_match = 0;
	}
}

/* Keep the sizes a page may have: at most the input space, below the output space. */
static uint64_t sizes_within(const struct ims_pt *pt, uint64_t sizes)
{
	uint64_t keep = pt->cfg.ias >= 63 ? ~0ull : (2ull << pt->cfg.ias) - 1;

	keep &= pt->cfg.oas >= 64 ? ~0ull : (1ull << pt->cfg.oas) - 1;
	if (pt->cfg.pgsize_bitmap)
		keep &= pt->cfg.pgsize_bitmap;
	return sizes & keep;
}

int pt_geom_finish(struct ims_pt *pt)
{
	uint64_t all = 0;
	bool shape9;

	for (unsigned int s = 0; s < 64; s++)
		pt->size_level[s] = PT_NO_LEVEL;
	for (unsigned int l = 0; l <= pt->top; l++) {
		struct pt_level *lvl = &pt->lvl[l];

		lvl->pgsizes = sizes_within(pt, lvl->pgsizes);
		lvl->index_mask = (1ull << lvl->index_bits) - 1;
		all |= lvl->pgsizes;
		for (unsigned int s = 0; s < 64; s++)
			if (lvl->pgsizes & (1ull << s))
				pt->size_level[s] = l;
	}
	if (!all)
		return -EINVAL;
	pt->cfg.pgsize_bitmap = all;
	pt->fast64 = pt->entry_lg2 == 3 && pt->fmt->pa_linear;
	for (unsigned int l = 0; l <= pt->top; l++)
		if (pt->lvl[l].empty)
			pt->fast64 = false; /* the fast descent tests presence on e alone */
	shape9 = pt->fast64;
	for (unsigned int l = 0; l <= pt->top; l++)
		if (pt->lvl[l].shift != 12 + 9 * l || pt->lvl[l].index_bits > 9)
			shape9 = false;
	pt->radix9 = shape9 && !pt->pa_shift && !pt->table_shift;
	pt->radix9_ppn = shape9 && pt->pa_shift == PT_RISCV_SHIFT && pt->table_shift == PT_RISCV_SHIFT;
	pt->max_iova = pt->cfg.ias >= 64 ? UINT64_MAX : (1ull << pt->cfg.ias) - 1;
	pt->max_pa = pt->cfg.oas >= 64 ? UINT64_MAX : (1ull << pt->cfg.oas) - 1;
	return 0;
}

/* IOVA bits that @levels levels translate (at most 64). */
static unsigned int radix_bits(const struct pt_geom_limits *lim, unsigned int entry_lg2,
			       unsigned int levels)
{
	unsigned int bits = lim->granule_lg2 + levels * (lim->table_lg2 - entry_lg2);

	return bits > 64 ? 64 : bits;
}

static int settle_levels(struct ims_pt_cfg *cfg, const struct pt_geom_limits *lim,
			 unsigned int entry_lg2)
{
	if (!cfg->levels && !cfg->ias)
		cfg->levels = lim->default_levels;
	if (!cfg->levels) {
		if (cfg->ias > lim->max_ias)
			return -EINVAL;
		for (cfg->levels = lim->min_levels;
		     radix_bits(lim, entry_lg2, cfg->levels) < cfg->ias; cfg->levels++)
			;
	}
	if (cfg->levels < lim->min_levels || cfg->levels > lim->max_levels)
		return -EINVAL;
	if (!cfg->ias)
		cfg->ias = IMS_MIN(radix_bits(lim, entry_lg2, cfg->levels), lim->max_ias);
	if (cfg->ias <= lim->granule_lg2 || cfg->ias > lim->max_ias ||
	    cfg->ias > radix_bits(lim, entry_lg2, cfg->levels))
		return -EINVAL;
	return 0;
}

int pt_geom_settle(struct ims_pt *pt, const struct pt_geom_limits *lim)
{
	struct ims_pt_cfg *cfg = &pt->cfg;
	int ret;

	if ((cfg->granule_lg2 && cfg->granule_lg2 != lim->granule_lg2) ||
	    (cfg->features & ~lim->features))
		return -EINVAL;
	ret = settle_levels(cfg, lim, pt->entry_lg2);
	if (ret)
		return ret;
	if (!cfg->oas)
		cfg->oas = lim->max_oas;
	if (cfg->oas <= lim->granule_lg2 || cfg->oas > lim->max_oas)
		return -EINVAL;
	cfg->granule_lg2 = lim->granule_lg2;
	pt_geom_radix(pt, lim->granule_lg2, lim->table_lg2, cfg->levels);
	return 0;
}
