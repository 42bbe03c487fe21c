// SPDX-License-Identifier: MIT
/*
 * The window geometry the flat 32-bit formats share (see flat32.h): one
 * word per 4 KiB page, split into 64 KiB quarters under a directory when
 * the array outgrows the page allocator's largest block.
 */
#include <errno.h>

#include "flat32.h"
#include "pt/pt_pages.h"
#include "util/err.h"

#define FLAT32_PAGE_LG2 12
#define FLAT32_ENTRY_LG2 2
/* Words in the largest table the allocator hands out. */
#define FLAT32_QUARTER_BITS (PT_TABLE_MAX_LG2 - FLAT32_ENTRY_LG2)
#define FLAT32_DIR_ADDR PT_GENMASK(19, 0) /* quarter address >> 12, below 4 GiB */

static int flat32_check_cfg(struct ims_pt_cfg *cfg, const struct pt_flat32_limits *lim)
{
	if ((cfg->granule_lg2 && cfg->granule_lg2 != FLAT32_PAGE_LG2) || cfg->features)
		return -EINVAL;
	if (!cfg->ias)
		cfg->ias = lim->default_ias;
	if (!cfg->oas)
		cfg->oas = lim->max_oas;
	if (cfg->ias <= FLAT32_PAGE_LG2 || cfg->ias > lim->max_ias ||
	    cfg->oas <= FLAT32_PAGE_LG2 || cfg->oas > lim->max_oas)
		return -EINVAL;
	cfg->granule_lg2 = FLAT32_PAGE_LG2;
	return 0;
}

int pt_flat32_settle(struct ims_pt *pt, const struct pt_flat32_limits *lim)
{
	struct ims_pt_cfg *cfg = &pt->cfg;
	unsigned int words_lg2, levels;
	int ret = flat32_check_cfg(cfg, lim);

	if (ret)
		return ret;
	words_lg2 = cfg->ias - FLAT32_PAGE_LG2;
	levels = words_lg2 > FLAT32_QUARTER_BITS ? 2 : 1;
	if (cfg->levels && cfg->levels != levels)
		return -EINVAL;
	cfg->levels = levels;
	pt->top = levels - 1;
	pt->entry_lg2 = FLAT32_ENTRY_LG2;
	pt->lvl[0] = (struct pt_level){
		.shift = FLAT32_PAGE_LG2,
		.index_bits = IMS_MIN(words_lg2, FLAT32_QUARTER_BITS),
		.pgsizes = PT_BIT(FLAT32_PAGE_LG2),
		.table_mask = PT_NEVER_MASK,
		.table_match = PT_NEVER_MATCH,
		.oa_mask = lim->oa_mask,
	};
	pt->lvl[0].table_lg2 = IMS_MAX(pt->lvl[0].index_bits + FLAT32_ENTRY_LG2, PT_TABLE_MIN_LG2);
	if (levels == 1)
		return 0;
	/* The directory: every present entry points at a quarter. */
	pt->pool = PT_POOL_LOW32;
	pt->table_shift = -FLAT32_PAGE_LG2;
	pt->table_addr_mask = FLAT32_DIR_ADDR;
	pt->lvl[1] = (struct pt_level){
		.shift = FLAT32_PAGE_LG2 + FLAT32_QUARTER_BITS,
		.index_bits = words_lg2 - FLAT32_QUARTER_BITS,
		.table_lg2 = PT_TABLE_MIN_LG2,
		.table_mask = 0,
		.table_match = 0,
	};
	return 0;
}

uint64_t pt_flat32_make_dir(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return FLAT32_DIR_VALID | ((uintptr_t)table >> FLAT32_PAGE_LG2);
}
