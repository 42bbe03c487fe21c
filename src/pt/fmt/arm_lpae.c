// SPDX-License-Identifier: MIT
/*
 * ARM LPAE, 64-bit descriptors (VMSAv8-64): the stage-1 and stage-2
 * translation tables that arm-smmu, arm-smmu-v3, ipmmu-vmsa and qcom_iommu
 * give their hardware (the kernel's io-pgtable-arm ARM_64_LPAE_S1/S2; its
 * ARM_32_LPAE formats are these tables with IAS <= 32 (S1) or 40 (S2), OAS
 * <= 40 and 4 KiB pages).
 *
 * Arm Architecture Reference Manual for A-profile (DDI 0487, chapter D8
 * "The AArch64 Virtual Memory System Architecture", numbered as in K.a):
 *   D8.2  Translation process: the 4, 16 and 64 KiB granules, the input
 *         address size (TnSZ) and the initial lookup level, concatenated
 *         stage-2 translation tables (rules R_DXBSH and R_SRKBC: where the
 *         concatenation is mandatory);
 *   D8.3  Translation table descriptor formats: the table, block and page
 *         descriptors, and the 52-bit output address of the 64 KiB granule
 *         (FEAT_LPA: OA bits 51:48 held in descriptor bits 15:12);
 *   D8.4  Memory access control: AP[2:1] (stage 1), S2AP[1:0] (stage 2),
 *         PXN/UXN and XN;
 *   D8.5  Hardware updates to the translation tables: the dirty state
 *         managed through DBM (a write to a writable-clean stage-1 page
 *         clears AP[2]);
 *   D8.6  Memory region attributes: AttrIndx (stage 1, through MAIR),
 *         MemAttr (stage 2), SH.
 *
 * Levels.  The manual numbers lookup levels 0 (the largest items) to 3 (the
 * granule); our level l is its level 3 - l.  With a granule of 2^g bytes a
 * table holds 2^(g-3) entries; the initial level's table translates only
 * the IAS bits left over (its "pgd bits").  Stage 2 concatenates up to 16
 * initial tables where the architecture requires it (4 KiB granule with
 * OAS 40 or 42 and a level-0 start; 16 KiB with OAS or IAS 48 from level 0,
 * or OAS 40 from level 1): the walk starts one level lower with a root of
 * several tables, as the kernel does today.
 *
 * Page and block sizes, as io-pgtable-arm restricts them: 4 KiB granule:
 * 4K pages, 2M and 1G blocks; 16 KiB: 16K and 32M; 64 KiB: 64K, 512M, and
 * 4T blocks when OAS > 48.  IAS and OAS are clamped to 48 (52 for the 64
 * KiB granule, which alone has 52-bit addresses without FEAT_LPA2); OAS
 * must be one a TCR can encode (32, 36, 40, 42, 44, 48, 52).
 *
 * Descriptor bits:
 *    1:0   0b11 table (levels 0-2) or page (level 3), 0b01 block, 0b00 invalid
 *    4:2   AttrIndx (S1): MAIR index 0 non-cacheable, 1 write-back, 2 device
 *    5:2   MemAttr (S2): 0x5 non-cacheable, 0xf write-back, 0x1 device
 *    5     NS (S1, with IMS_PT_FEAT_NS; tables then carry NSTable, bit 63)
 *    7:6   AP[2:1] (S1): AP[2] read-only, AP[1] unprivileged access
 *          S2AP[1:0] (S2): bit 7 write, bit 6 read
 *    9:8   SH: inner shareable (3) for cacheable mappings, else outer (2)
 *   10     AF, always set (the SMMU does not manage access flags for us)
 *   11     nG (S1)
 *   47:g   output address (64 KiB with OAS 52: bits 51:48 in 15:12)
 *   51     DBM: the page's dirty state is hardware managed
 *   54:53  UXN/PXN (S1) or XN (S2), both set for IMS_PROT_NOEXEC
 *
 * What we write follows io-pgtable-arm's arm_lpae_prot_to_pte() bit for
 * bit: a stage-1 leaf is read-only (AP[2]) when asked for read without
 * write, otherwise writable (stage 1 cannot express write-only); with
 * IMS_PT_FEAT_DIRTY (the kernel's QUIRK_ARM_HD, stage 1 only) writable
 * leaves carry DBM and start writable-dirty, as the kernel maps them, so
 * the first read-and-clear reports them; clearing sets AP[2]
 * (writable-clean) and a device write clears it again.  Tables are the
 * bare address | 0b11.
 *
 * Semantics the engine takes from io-pgtable-arm (see docs/pt.md): EEXIST
 * for a present leaf, ERANGE beyond IAS/OAS, and the split hook: unmapping
 * part of a block replaces it by a table of the next level's blocks or
 * pages, as the kernel did until v6.13 (commit 33729a5fc0ca removed the
 * split; today the kernel refuses such an unmap with a warning).  The
 * split keeps DBM, which the kernel's old split dropped.
 */
#include <errno.h>

#include "pt/pt_format.h"
#include "util/err.h"

#define LPAE_VALID PT_BIT(0)
#define LPAE_TYPE_MASK PT_GENMASK(1, 0)
#define LPAE_TYPE_TABLE 3ull /* also a level-3 page */
#define LPAE_TYPE_BLOCK 1ull
#define LPAE_ATTRINDX_SHIFT 2
#define LPAE_ATTRINDX_MASK PT_GENMASK(4, 2)
#define LPAE_MAIR_IDX_NC 0ull
#define LPAE_MAIR_IDX_CACHE 1ull
#define LPAE_MAIR_IDX_DEV 2ull
#define LPAE_MEMATTR_MASK PT_GENMASK(5, 2)
#define LPAE_MEMATTR_NC (0x5ull << 2)
#define LPAE_MEMATTR_OIWB (0xfull << 2)
#define LPAE_MEMATTR_DEV (0x1ull << 2)
#define LPAE_NS PT_BIT(5)
#define LPAE_AP_UNPRIV PT_BIT(6)
#define LPAE_AP_RDONLY PT_BIT(7)
#define LPAE_S2AP_READ PT_BIT(6)
#define LPAE_S2AP_WRITE PT_BIT(7)
#define LPAE_SH_OS (2ull << 8)
#define LPAE_SH_IS (3ull << 8)
#define LPAE_AF PT_BIT(10)
#define LPAE_NG PT_BIT(11)
#define LPAE_ADDR PT_GENMASK(47, 12)
#define LPAE_ADDR_HI_PACKED PT_GENMASK(15, 12) /* OA[51:48], 64 KiB granule */
#define LPAE_DBM PT_BIT(51)
#define LPAE_XN (3ull << 53)
#define LPAE_NSTABLE PT_BIT(63)

#define LPAE_MIN_IAS 25        /* T0SZ at most 39 */
#define LPAE_MAX_CONCAT_LG2 4  /* at most 16 concatenated initial tables */

static bool lpae_stage2(const struct ims_pt *pt)
{
	return pt->cfg.format == IMS_PT_ARM_LPAE_S2;
}

/* The granule: given, or the smallest the caller's bitmap names (4K first, as for 4K CPUs). */
static int lpae_granule(const struct ims_pt_cfg *cfg, unsigned int *g)
{
	static const unsigned int granules[] = { 12, 14, 16 };

	if (cfg->granule_lg2) {
		*g = cfg->granule_lg2;
		return *g == 12 || *g == 14 || *g == 16 ? 0 : -EINVAL;
	}
	for (unsigned int i = 0; i < IMS_ARRAY_SIZE(granules); i++) {
		if (!cfg->pgsize_bitmap || (cfg->pgsize_bitmap & PT_BIT(granules[i]))) {
			*g = granules[i];
			return 0;
		}
	}
	return -EINVAL;
}

static bool lpae_oas_encodable(unsigned int oas, unsigned int g)
{
	switch (oas) {
	case 32: case 36: case 40: case 42: case 44: case 48:
		return true;
	case 52:
		return g == 16;
	default:
		return false;
	}
}

/* Complete ias/oas/granule: defaults, then io-pgtable-arm's clamping. */
static int lpae_addr_sizes(struct ims_pt_cfg *cfg, unsigned int g)
{
	unsigned int max_bits = g == 16 ? 52 : 48;
	uint64_t features = IMS_PT_FEAT_DIRTY | IMS_PT_FEAT_NS;

	if (cfg->features & ~(cfg->format == IMS_PT_ARM_LPAE_S2 ? 0 : features))
		return -EINVAL;
	cfg->granule_lg2 = g;
	cfg->ias = IMS_MIN(cfg->ias ? cfg->ias : 48, max_bits);
	cfg->oas = IMS_MIN(cfg->oas ? cfg->oas : 48, max_bits);
	if (cfg->ias < LPAE_MIN_IAS || !lpae_oas_encodable(cfg->oas, g))
		return -EINVAL;
	return 0;
}

/* The architecture's mandatory stage-2 concatenations (io-pgtable-arm today). */
static bool lpae_concat_mandatory(const struct ims_pt_cfg *cfg, unsigned int levels)
{
	unsigned int start = 4 - levels;

	if (cfg->granule_lg2 == 14 && start == 0)
		return cfg->oas == 48 || cfg->ias == 48;
	if (cfg->granule_lg2 == 12 && start == 0)
		return cfg->oas == 40 || cfg->oas == 42;
	return cfg->granule_lg2 == 14 && start == 1 && cfg->oas == 40;
}

/* Levels and the initial table's index bits for cfg's IAS; stage 2 may concatenate. */
static int lpae_levels(struct ims_pt *pt, unsigned int *pgd_bits)
{
	struct ims_pt_cfg *cfg = &pt->cfg;
	unsigned int bits = cfg->granule_lg2 - 3, va_bits = cfg->ias - cfg->granule_lg2;
	unsigned int levels = (va_bits + bits - 1) / bits;

	*pgd_bits = va_bits - bits * (levels - 1);
	if (lpae_stage2(pt) && levels > 1 && lpae_concat_mandatory(cfg, levels)) {
		if (*pgd_bits > LPAE_MAX_CONCAT_LG2)
			return -EINVAL;
		*pgd_bits += bits;
		levels--;
	}
	if (cfg->levels && cfg->levels != levels)
		return -EINVAL;
	cfg->levels = levels;
	return 0;
}

/* Block sizes per level beyond the granule's pages (io-pgtable-arm's restriction). */
static uint64_t lpae_level_sizes(const struct ims_pt *pt, unsigned int level)
{
	unsigned int g = pt->cfg.granule_lg2, shift = pt->lvl[level].shift;

	if (level == 0 || level == 1)
		return PT_BIT(shift);
	if (level == 2 && g == 12)
		return PT_BIT(shift); /* 1G */
	if (level == 2 && g == 16 && pt->cfg.oas > 48)
		return PT_BIT(shift); /* 4T */
	return 0;
}

static void lpae_classify(struct ims_pt *pt, bool packed)
{
	for (unsigned int l = 0; l <= pt->top; l++) {
		struct pt_level *lvl = &pt->lvl[l];

		if (l) {
			lvl->table_mask = PT_BIT(1);
			lvl->table_match = PT_BIT(1);
		}
		/* The packed 52-bit encoding decodes through the hook. */
		lvl->single_mask = 0;
		lvl->single_match = packed ? 1 : 0;
		lvl->oa_mask = PT_GENMASK(47, lvl->shift);
		lvl->pgsizes = lpae_level_sizes(pt, l);
	}
}

extern const struct pt_format pt_fmt_arm_lpae_s1_packed, pt_fmt_arm_lpae_s2_packed;

static int lpae_init(struct ims_pt *pt)
{
	unsigned int g, pgd_bits;
	bool packed;
	int ret = lpae_granule(&pt->cfg, &g);

	if (!ret)
		ret = lpae_addr_sizes(&pt->cfg, g);
	if (!ret)
		ret = lpae_levels(pt, &pgd_bits);
	if (ret)
		return ret;
	pt->entry_lg2 = 3;
	pt_geom_radix(pt, g, g, pt->cfg.levels);
	pt->lvl[pt->top].index_bits = pgd_bits;
	pt->lvl[pt->top].table_lg2 = IMS_MAX(12u, pgd_bits + 3);
	pt->present_mask = LPAE_VALID;
	pt->table_addr_mask = PT_GENMASK(47, g);
	if (pt->cfg.features & IMS_PT_FEAT_DIRTY) {
		pt->dirty_bit = LPAE_AP_RDONLY;
		pt->dirty_inverted = true;
	}
	packed = pt->cfg.oas > 48;
	if (packed)
		pt->fmt = lpae_stage2(pt) ? &pt_fmt_arm_lpae_s2_packed : &pt_fmt_arm_lpae_s1_packed;
	lpae_classify(pt, packed);
	return 0;
}

/* Shareability and execute permission, common to both stages. */
static uint64_t lpae_common_bits(int prot)
{
	return LPAE_AF | (prot & IMS_PROT_CACHE ? LPAE_SH_IS : LPAE_SH_OS) |
	       (prot & IMS_PROT_NOEXEC ? LPAE_XN : 0);
}

static int lpae_s1_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	uint64_t b = LPAE_NG | lpae_common_bits(prot);

	if ((prot & IMS_PROT_READ) && !(prot & IMS_PROT_WRITE))
		b |= LPAE_AP_RDONLY;
	else if (pt->dirty_bit)
		b |= LPAE_DBM;
	if (!(prot & IMS_PROT_PRIV))
		b |= LPAE_AP_UNPRIV;
	if (prot & IMS_PROT_MMIO)
		b |= LPAE_MAIR_IDX_DEV << LPAE_ATTRINDX_SHIFT;
	else if (prot & IMS_PROT_CACHE)
		b |= LPAE_MAIR_IDX_CACHE << LPAE_ATTRINDX_SHIFT;
	if (pt->cfg.features & IMS_PT_FEAT_NS)
		b |= LPAE_NS;
	*bits = b;
	return 0;
}

static int lpae_s2_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	uint64_t b = lpae_common_bits(prot);

	b |= (prot & IMS_PROT_READ ? LPAE_S2AP_READ : 0) | (prot & IMS_PROT_WRITE ? LPAE_S2AP_WRITE : 0);
	if (prot & IMS_PROT_MMIO)
		b |= LPAE_MEMATTR_DEV;
	else if (prot & IMS_PROT_CACHE)
		b |= LPAE_MEMATTR_OIWB;
	else
		b |= LPAE_MEMATTR_NC;
	*bits = b;
	return 0;
}

static uint64_t lpae_type(unsigned int level)
{
	return level ? LPAE_TYPE_BLOCK : LPAE_TYPE_TABLE;
}

static uint64_t lpae_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			       unsigned int size_lg2, uint64_t bits)
{
	return bits | lpae_type(level) | pa;
}

/* 64 KiB granule, OAS 52: OA[51:48] goes to bits 15:12. */
static uint64_t lpae_pack(uint64_t pa)
{
	return (pa & LPAE_ADDR) | ((pa >> 36) & LPAE_ADDR_HI_PACKED);
}

static uint64_t lpae_unpack(uint64_t e)
{
	return (e & PT_GENMASK(47, 16)) | ((e & LPAE_ADDR_HI_PACKED) << 36);
}

static uint64_t lpae_make_leaf_packed(const struct ims_pt *pt, uint64_t pa, unsigned int level,
				      unsigned int size_lg2, uint64_t bits)
{
	return bits | lpae_type(level) | lpae_pack(pa);
}

static void lpae_decode_packed(const struct ims_pt *pt, uint64_t e, unsigned int level,
			       unsigned int *size_lg2, uint64_t *pa)
{
	*size_lg2 = pt->lvl[level].shift;
	*pa = lpae_unpack(e) & ~((1ull << *size_lg2) - 1);
}

static uint64_t lpae_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	uint64_t e = (uintptr_t)table | LPAE_TYPE_TABLE;

	return pt->cfg.features & IMS_PT_FEAT_NS ? e | LPAE_NSTABLE : e;
}

/* The memory type both stages encode their own way, and XN, which they share. */
static int lpae_type_prot(bool cacheable, bool device, uint64_t e)
{
	return (cacheable ? IMS_PROT_CACHE : device ? IMS_PROT_MMIO : 0) |
	       (e & LPAE_XN ? IMS_PROT_NOEXEC : 0);
}

static int lpae_s1_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	uint64_t idx = (e & LPAE_ATTRINDX_MASK) >> LPAE_ATTRINDX_SHIFT;
	int prot = IMS_PROT_READ |
		   lpae_type_prot(idx == LPAE_MAIR_IDX_CACHE, idx == LPAE_MAIR_IDX_DEV, e);

	if (!(e & LPAE_AP_RDONLY) || (e & LPAE_DBM))
		prot |= IMS_PROT_WRITE;
	if (!(e & LPAE_AP_UNPRIV))
		prot |= IMS_PROT_PRIV;
	return prot;
}

static int lpae_s2_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	uint64_t attr = e & LPAE_MEMATTR_MASK;

	return (e & LPAE_S2AP_READ ? IMS_PROT_READ : 0) | (e & LPAE_S2AP_WRITE ? IMS_PROT_WRITE : 0) |
	       lpae_type_prot(attr == LPAE_MEMATTR_OIWB, attr == LPAE_MEMATTR_DEV, e);
}

/* Everything but the address and the type: what a split copies into the smaller leaves. */
static uint64_t lpae_leaf_attrs(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	return e & ~(LPAE_ADDR | LPAE_TYPE_MASK);
}

/* The four variants differ in their stage's attribute bits and in the 52-bit address packing. */
#define LPAE_FORMAT(stage, make_leaf_fn, decode_fn, linear)                                  \
	{                                                                                    \
		.init = lpae_init, .leaf_bits = lpae_##stage##_leaf_bits,                    \
		.make_leaf = make_leaf_fn, .make_table = lpae_make_table,                    \
		.decode_contig = decode_fn, .leaf_prot = lpae_##stage##_leaf_prot,           \
		.leaf_attrs = lpae_leaf_attrs, .pa_linear = linear,                          \
	}

const struct pt_format pt_fmt_arm_lpae_s1 = LPAE_FORMAT(s1, lpae_make_leaf, NULL, true);
const struct pt_format pt_fmt_arm_lpae_s2 = LPAE_FORMAT(s2, lpae_make_leaf, NULL, true);
/* The 52-bit variants: OA[51:48] is not where a linear encoding would put it. */
const struct pt_format pt_fmt_arm_lpae_s1_packed =
	LPAE_FORMAT(s1, lpae_make_leaf_packed, lpae_decode_packed, false);
const struct pt_format pt_fmt_arm_lpae_s2_packed =
	LPAE_FORMAT(s2, lpae_make_leaf_packed, lpae_decode_packed, false);
