/* SPDX-License-Identifier: MIT */
/*
 * What the two flat formats share (sprd.c, tegra_gart.c): a window of
 * IOVA space translated by one array of 32-bit words, one word per 4 KiB
 * page, in IOVA order -- the Spreadtrum IOMMU's page table and the Tegra20
 * GART's entry array.  Only the word differs: a page number there, a valid
 * bit and an address here.
 *
 * The array may be larger than the page allocator's largest block
 * (PT_TABLE_MAX_LG2, 64 KiB: a 64 MiB window).  A larger window (the
 * Spreadtrum driver's 256 MiB: a 256 KiB array) is then kept as 64 KiB
 * quarters (level 0) under a small directory (level 1) that only the
 * engine reads: each quarter holds exactly the hardware's words for its
 * part of the window, but the quarters are not contiguous in memory as the
 * hardware's single array is.  A directory entry is FLAT32_DIR_VALID | the
 * quarter's address >> 12 (quarters live below 4 GiB).
 */
#ifndef IMS_PT_FMT_FLAT32_H
#define IMS_PT_FMT_FLAT32_H

#include "pt/pt_format.h"

#define FLAT32_DIR_VALID PT_BIT(31)

struct pt_flat32_limits {
	uint8_t max_ias;     /* the widest window, in IOVA bits */
	uint8_t default_ias; /* the window without cfg.ias */
	uint8_t max_oas;     /* output bits at most, and the default */
	uint64_t oa_mask;    /* the word's address field */
};

/*
 * Check and complete pt->cfg against @lim (granule 4 KiB, no features,
 * levels 0 or what the window needs) and lay out the window: level 0 holds
 * the words (single 4 KiB leaves, address field @lim->oa_mask), level 1
 * the directory when there is one.  Sets everything but present_mask and
 * pa_shift, which the format sets.
 * -EINVAL for what it cannot express.
 */
int pt_flat32_settle(struct ims_pt *pt, const struct pt_flat32_limits *lim);
/* A directory entry pointing at the quarter @table. */
uint64_t pt_flat32_make_dir(const struct ims_pt *pt, const void *table, unsigned int level);

#endif
