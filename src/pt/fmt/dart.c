// SPDX-License-Identifier: MIT
/*
 * Apple DART: the translation tables of the Device Address Resolution
 * Tables in Apple silicon (apple-dart; the kernel's io-pgtable-dart,
 * formats APPLE_DART for t8103/M1 and APPLE_DART2 for t6000).
 *
 * Apple publishes no manual for the DART.  The layout here is the one the
 * Asahi Linux developers established and the kernel's io-pgtable-dart.c
 * encodes (copyright notice: "The Asahi Linux Contributors"); every fact
 * below is taken from that driver's definitions, none from Apple.
 *
 * Shape.  Two levels of tables of one granule each (4 or 16 KiB of 8-byte
 * entries): L1 entries point at L2 tables, L2 entries map one page of the
 * granule.  There are no blocks: the only page size is the granule.  The
 * hardware has up to four translation table base registers (TTBRs); the
 * IOVA bits above what one L1 table translates select one of them.  When
 * the input size needs more than one (e.g. IAS 32 with 4 KiB pages: four),
 * we keep the TTBRs as a third, top table of up to four table descriptors:
 * entry i is what TTBR i would hold, and ims_pt_root() is its address.
 * With one TTBR (M1: 16 KiB pages, IAS 32) the root is the L1 table, of
 * which we allocate only the entries the IAS reaches (a 4 KiB page: the
 * kernel allocates a whole granule).
 *
 * Our levels: 0 = L2 (pages), 1 = L1, 2 = the TTBR set (if any).
 *
 * Entry bits:
 *    0       valid (tables and pages)
 *    1       DART1: subpage protection disable; DART2: no-cache.  The kernel
 *            sets it in every page (its SP_DIS), and we do too
 *    3 / 2   DART2: no-read / no-write
 *    8 / 7   DART1: no-read / no-write
 *   35:12    DART1: the address (tables and pages): OAS 36
 *   37:10    DART2: the address bits 41:14, shifted right by 4: OAS 42
 *   51:40    subpage end (0xfff: the whole page)
 *   63:52    subpage start (0)
 *
 * Table addresses must fit the same field, below 2^36 (2^42), so tables
 * come from the low pool (below 4 GiB).  Mapped addresses beyond OAS get
 * -ERANGE, which in iommusim's memory model (PAs are process addresses)
 * means a DART domain can map only low buffers: faithful to the OAS, and
 * documented in docs/pt.md.
 *
 * Configuration: granule_lg2 12 or 14 (default 14, M1); IMS_PT_FEAT_V2_LAYOUT
 * selects DART2, whose address field starts at PA bit 14, so 16 KiB only;
 * oas 36 (DART1) or 42 (DART2); ias defaults to 32, as the
 * driver asks, and may not exceed the OAS nor need more than four TTBRs.
 * Unmap follows the engine: the kernel's DART code frees L2 tables only
 * when the whole table is destroyed, we free a table when an unmap covers
 * all of it.
 */
#include <errno.h>

#include "pt/pt_format.h"
#include "pt/pt_pages.h"
#include "util/err.h"

#define DART_VALID PT_BIT(0)
#define DART_SP_DIS PT_BIT(1)
#define DART1_NO_WRITE PT_BIT(7)
#define DART1_NO_READ PT_BIT(8)
#define DART1_ADDR PT_GENMASK(35, 12)
#define DART2_NO_CACHE PT_BIT(1)
#define DART2_NO_WRITE PT_BIT(2)
#define DART2_NO_READ PT_BIT(3)
#define DART2_ADDR PT_GENMASK(37, 10)
#define DART2_ADDR_SHIFT 4
#define DART_SUBPAGE_END (0xfffull << 40)

#define DART1_OAS 36
#define DART2_OAS 42
#define DART_DEFAULT_IAS 32
#define DART_MAX_TTBR_LG2 2

static bool dart2(const struct ims_pt *pt)
{
	return pt->cfg.features & IMS_PT_FEAT_V2_LAYOUT;
}

static int dart_config(struct ims_pt_cfg *cfg, unsigned int *ttbr_bits)
{
	unsigned int oas = cfg->features & IMS_PT_FEAT_V2_LAYOUT ? DART2_OAS : DART1_OAS;
	unsigned int g, per_ttbr;

	if (!cfg->granule_lg2)
		cfg->granule_lg2 = 14;
	g = cfg->granule_lg2;
	/* DART2's address field starts at PA bit 14: its pages and tables are 16 KiB. */
	if ((g != 12 && g != 14) || (cfg->features & ~IMS_PT_FEAT_V2_LAYOUT) ||
	    (g != 14 && (cfg->features & IMS_PT_FEAT_V2_LAYOUT)))
		return -EINVAL;
	if (!cfg->oas)
		cfg->oas = oas;
	if (!cfg->ias)
		cfg->ias = DART_DEFAULT_IAS;
	per_ttbr = g + 2 * (g - 3);
	*ttbr_bits = cfg->ias > per_ttbr ? cfg->ias - per_ttbr : 0;
	if (cfg->oas != oas || cfg->ias > cfg->oas || cfg->ias <= g + (g - 3) ||
	    *ttbr_bits > DART_MAX_TTBR_LG2)
		return -EINVAL;
	if (cfg->levels && cfg->levels != 2 + !!*ttbr_bits)
		return -EINVAL;
	cfg->levels = 2 + !!*ttbr_bits;
	return 0;
}

static void dart_levels(struct ims_pt *pt, unsigned int ttbr_bits)
{
	unsigned int g = pt->cfg.granule_lg2;

	pt_geom_radix(pt, g, g, pt->cfg.levels);
	if (ttbr_bits)
		pt->lvl[2].index_bits = ttbr_bits;
	else
		pt->lvl[1].index_bits = pt->cfg.ias - pt->lvl[1].shift;
	/* A root holds only the entries the input size reaches (at least a page). */
	pt->lvl[pt->top].table_lg2 = IMS_MAX(PT_PAGE_LG2, pt->lvl[pt->top].index_bits + 3u);
	for (unsigned int l = 0; l <= pt->top; l++) {
		struct pt_level *lvl = &pt->lvl[l];

		if (l) {
			lvl->table_mask = 0; /* every valid entry above L2 points at a table */
			lvl->table_match = 0;
		}
		lvl->single_mask = 0;
		lvl->single_match = 0;
		lvl->oa_mask = (dart2(pt) ? DART2_ADDR : DART1_ADDR) &
			       ~((1ull << (lvl->shift + pt->pa_shift)) - 1);
		lvl->pgsizes = l ? 0 : PT_BIT(g);
	}
}

static int dart_init(struct ims_pt *pt)
{
	unsigned int ttbr_bits;
	int ret = dart_config(&pt->cfg, &ttbr_bits);

	if (ret)
		return ret;
	pt->entry_lg2 = 3;
	pt->pool = PT_POOL_LOW32;
	pt->pa_shift = dart2(pt) ? -DART2_ADDR_SHIFT : 0;
	pt->table_shift = pt->pa_shift;
	pt->present_mask = DART_VALID;
	pt->table_addr_mask = dart2(pt) ? DART2_ADDR : DART1_ADDR;
	dart_levels(pt, ttbr_bits);
	return 0;
}

static int dart_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	if (dart2(pt))
		*bits = (prot & IMS_PROT_WRITE ? 0 : DART2_NO_WRITE) |
			(prot & IMS_PROT_READ ? 0 : DART2_NO_READ) |
			(prot & IMS_PROT_CACHE ? 0 : DART2_NO_CACHE);
	else
		*bits = (prot & IMS_PROT_WRITE ? 0 : DART1_NO_WRITE) |
			(prot & IMS_PROT_READ ? 0 : DART1_NO_READ);
	return 0;
}

static uint64_t dart_addr(const struct ims_pt *pt, uint64_t pa)
{
	return dart2(pt) ? (pa >> DART2_ADDR_SHIFT) & DART2_ADDR : pa & DART1_ADDR;
}

static uint64_t dart_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			       unsigned int size_lg2, uint64_t bits)
{
	return bits | DART_SUBPAGE_END | DART_SP_DIS | DART_VALID | dart_addr(pt, pa);
}

static uint64_t dart_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	return dart_addr(pt, (uintptr_t)table) | DART_VALID;
}

static int dart_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	if (dart2(pt))
		return (e & DART2_NO_READ ? 0 : IMS_PROT_READ) |
		       (e & DART2_NO_WRITE ? 0 : IMS_PROT_WRITE) |
		       (e & DART2_NO_CACHE ? 0 : IMS_PROT_CACHE);
	return (e & DART1_NO_READ ? 0 : IMS_PROT_READ) | (e & DART1_NO_WRITE ? 0 : IMS_PROT_WRITE);
}

const struct pt_format pt_fmt_dart = {
	.init = dart_init,
	.leaf_bits = dart_leaf_bits,
	.make_leaf = dart_make_leaf,
	.make_table = dart_make_table,
	.leaf_prot = dart_leaf_prot,
	.pa_linear = true,
};
