// SPDX-License-Identifier: MIT
/*
 * The ARM short-descriptor translation table format (VMSAv7), as the
 * kernel's io-pgtable-arm-v7s builds it for mtk_iommu, msm_iommu and
 * arm-smmu's AArch32 contexts, with MediaTek's extra PA bits.
 *
 * ARM Architecture Reference Manual, ARMv7-A and ARMv7-R edition (DDI 0406C):
 *   B3.5   Short-descriptor translation table format;
 *   B3.5.1 its descriptors: first level (Figure B3-4: fault, page table,
 *          section, supersection) and second level (Figure B3-5: fault,
 *          large page, small page); a supersection or a large page "must
 *          be repeated in 16 consecutive memory locations";
 *   B3.7.1 access permissions (the AP[2:1] model: AP[0] is the Access
 *          flag when SCTLR.AFE is set);
 *   B3.8.2 TEX remap (TEX[0] with C and B select a PRRR/NMRR region).
 *
 * Levels: the manual's first level is our level 1 (the root), its second
 * level our level 0.  IOVA bits 31:20 index the first level (4096 entries,
 * 16 KiB), bits 19:12 a second-level table (256 entries, 1 KiB).  With
 * MediaTek's 34-bit IOVA the first level indexes bits ias-1:20 (the
 * kernel's _ARM_V7S_LVL_BITS = ias - 20; 64 KiB for 34 bits).
 *
 * Descriptors (bit: first level / second level):
 *   1:0   01 page table / 01 large page; 10 section (bit 18 clear) or
 *         supersection (bit 18 set) / 1x small page, bit 0 = XN
 *   2, 3  B, C                 (both levels)
 *   4     XN (section)         / AP[0] (pages)
 *   8:5   Domain (0)           / AP[1] in 5; small page TEX[2:0] in 8:6
 *   9     IMP                  / AP[2]
 *   11:10 AP[1:0]              / S in 10, nG in 11
 *   14:12 TEX[2:0]             / large page TEX[2:0]
 *   15    AP[2]                / large page XN
 *   16    S; 17 nG; 18 supersection; 19 NS (sections); 3 NS (table)
 *   31:20 section base, 31:24 supersection base, 31:10 page table base /
 *         31:12 small page base, 31:16 large page base
 * The attributes thus form one byte, AP[0] AP[1] TEX[2:0] AP[2] S nG from
 * its bit 0, at bit 10 of a first-level entry and bit 4 of a second-level
 * one (except a large page's TEX, which moves to 14:12, and XN).
 *
 * What we write, as io-pgtable-arm-v7s does: nG and S always; TEX[0] for
 * normal memory, TEX 0 with B for IMS_PROT_MMIO, B and C for IMS_PROT_CACHE;
 * AF always, AP[1] unless IMS_PROT_PRIV, AP[2] without IMS_PROT_WRITE (the
 * format cannot refuse reads: a write-only mapping is read-write); XN for
 * IMS_PROT_NOEXEC.  IMS_PT_FEAT_NS sets NS in sections and table entries.
 *
 * MediaTek (IMS_PT_FEAT_MTK_EXT, the kernel's IO_PGTABLE_QUIRK_ARM_MTK_EXT,
 * which it accepts only with IO_PGTABLE_QUIRK_NO_PERMS): PA bits 32, 33 and
 * 34 go into descriptor bits 9, 4 and 5 of every leaf (the permission bits,
 * which the M4U does not use, so none are written: every leaf is
 * read-write and XN is never set); OAS up to 35, IAS up to 34.  With those
 * bits the PA is no longer linear in the descriptor (crossing 4 GiB
 * changes bit 9), so the MediaTek variant has its own pt_format with
 * pa_linear false, which init selects.
 *
 * Tables come from the low-32 pool: every descriptor holds a 32-bit table
 * address (the kernel allocates them GFP_DMA32).  Defaults: IAS 32, OAS 32
 * (MediaTek: 35).
 *
 * Differences from io-pgtable-arm-v7s, all the engine's (docs/pt.md): an
 * unmap request smaller than a large page or supersection removes it whole
 * when it starts at its start (the kernel answers 0 since v6.13, "Remove
 * split on unmap behavior"; before, it split the block); a section mapped
 * over a table that still holds pages is refused with -EEXIST (the kernel
 * unmaps the table first); a section-sized unmap over a table stops at its
 * first hole (the kernel clears the whole table).  None of these is
 * reachable through the IOMMU core's page-size splitting of a VFIO or
 * iommufd mapping.
 */
#include <errno.h>

#include "two_level32.h"

#define V7S_TYPE_TABLE 0x1ull
#define V7S_TYPE_PAGE PT_BIT(1)       /* section, or small page */
#define V7S_TYPE_MASK 0x3ull
#define V7S_B PT_BIT(2)
#define V7S_C PT_BIT(3)
#define V7S_NS_TABLE PT_BIT(3)
#define V7S_SUPERSECTION PT_BIT(18)
#define V7S_NS_SECTION PT_BIT(19)
#define V7S_LARGE_XN PT_BIT(15)
#define V7S_LARGE_TEX_SHIFT 12
#define V7S_SMALL_TEX_SHIFT 6
#define V7S_TEX_MASK 0x7ull

/* The attribute byte, from its bit 0. */
#define V7S_ATTR_AF PT_BIT(0)         /* AP[0] */
#define V7S_ATTR_UNPRIV PT_BIT(1)     /* AP[1] */
#define V7S_ATTR_TEX1 PT_BIT(2)       /* TEX[0] */
#define V7S_ATTR_TEX_MASK (0x7ull << 2)
#define V7S_ATTR_RDONLY PT_BIT(5)     /* AP[2] */
#define V7S_ATTR_S PT_BIT(6)
#define V7S_ATTR_NG PT_BIT(7)

/* MediaTek: where PA bits 32, 33, 34 go. */
#define V7S_MTK_PA32 PT_BIT(9)
#define V7S_MTK_PA33 PT_BIT(4)
#define V7S_MTK_PA34 PT_BIT(5)
#define V7S_MTK_PA_BITS (V7S_MTK_PA32 | V7S_MTK_PA33 | V7S_MTK_PA34)

/* leaf_bits' result: the attribute byte, then flags placed by make_leaf. */
#define V7S_BITS_XN PT_BIT(32)
#define V7S_BITS_B PT_BIT(33)
#define V7S_BITS_C PT_BIT(34)

static const struct two_level32_limits v7s_limits = {
	.levels = 2, .min_ias = 21, .max_ias = 32, .default_ias = 32,
	.max_oas = 32, .default_oas = 32,
	.features = IMS_PT_FEAT_NS,
};

static const struct two_level32_limits v7s_mtk_limits = {
	.levels = 2, .min_ias = 21, .max_ias = 34, .default_ias = 32,
	.max_oas = 35, .default_oas = 35,
	.features = IMS_PT_FEAT_NS | IMS_PT_FEAT_MTK_EXT,
};

static const struct pt_format pt_fmt_arm_v7s_mtk;

static bool v7s_mtk(const struct ims_pt *pt)
{
	return pt->cfg.features & IMS_PT_FEAT_MTK_EXT;
}

static unsigned int attr_shift(unsigned int level)
{
	return level ? 10 : 4;
}

static uint64_t xn_bit(unsigned int level)
{
	return level ? PT_BIT(4) : PT_BIT(0);
}

static void v7s_levels(struct ims_pt *pt)
{
	/* With MediaTek's PA bits a leaf holding them needs decode_contig. */
	uint64_t ext = v7s_mtk(pt) ? V7S_MTK_PA_BITS : 0;
	struct pt_level *l0 = &pt->lvl[0], *l1 = &pt->lvl[1];

	l1->table_mask = V7S_TYPE_MASK;
	l1->table_match = V7S_TYPE_TABLE;
	l1->single_mask = V7S_SUPERSECTION | ext;
	l1->single_match = 0;
	l1->oa_mask = PT_GENMASK(31, 20);
	l1->pgsizes = PT_BIT(20) | PT_BIT(24);
	l0->single_mask = V7S_TYPE_PAGE | ext;
	l0->single_match = V7S_TYPE_PAGE;
	l0->oa_mask = PT_GENMASK(31, 12);
	l0->pgsizes = PT_BIT(12) | PT_BIT(16);
}

static int v7s_init(struct ims_pt *pt)
{
	bool mtk = pt->cfg.features & IMS_PT_FEAT_MTK_EXT;
	int ret = two_level32_settle(pt, mtk ? &v7s_mtk_limits : &v7s_limits);

	if (ret)
		return ret;
	if (mtk)
		pt->fmt = &pt_fmt_arm_v7s_mtk;
	two_level32_geometry(pt, pt->cfg.ias - 20, 8);
	pt->present_mask = V7S_TYPE_MASK;
	pt->table_addr_mask = PT_GENMASK(31, 10);
	v7s_levels(pt);
	return 0;
}

static int v7s_leaf_bits(const struct ims_pt *pt, int prot, uint64_t *bits)
{
	bool perms = !v7s_mtk(pt);
	uint64_t b = V7S_ATTR_NG | V7S_ATTR_S;

	if (!(prot & IMS_PROT_MMIO))
		b |= V7S_ATTR_TEX1;
	if (perms) {
		b |= V7S_ATTR_AF;
		if (!(prot & IMS_PROT_PRIV))
			b |= V7S_ATTR_UNPRIV;
		if (!(prot & IMS_PROT_WRITE))
			b |= V7S_ATTR_RDONLY;
		if (prot & IMS_PROT_NOEXEC)
			b |= V7S_BITS_XN;
	}
	if (prot & IMS_PROT_MMIO)
		b |= V7S_BITS_B;
	else if (prot & IMS_PROT_CACHE)
		b |= V7S_BITS_B | V7S_BITS_C;
	*bits = b;
	return 0;
}

/* A large page: XN to bit 15, TEX to 14:12, type 01 (B3.5.1, Figure B3-5). */
static uint64_t to_large_page(uint64_t pte)
{
	uint64_t xn = pte & xn_bit(0);
	uint64_t tex = pte & (V7S_TEX_MASK << V7S_SMALL_TEX_SHIFT);

	pte ^= xn | tex | V7S_TYPE_PAGE;
	return pte | (xn ? V7S_LARGE_XN : 0) |
	       (tex << (V7S_LARGE_TEX_SHIFT - V7S_SMALL_TEX_SHIFT)) | V7S_TYPE_TABLE;
}

static uint64_t mtk_pa_bits(uint64_t pa)
{
	return (pa & PT_BIT(32) ? V7S_MTK_PA32 : 0) | (pa & PT_BIT(33) ? V7S_MTK_PA33 : 0) |
	       (pa & PT_BIT(34) ? V7S_MTK_PA34 : 0);
}

static uint64_t v7s_make_leaf(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			      unsigned int size_lg2, uint64_t bits)
{
	uint64_t pte = (bits & 0xff) << attr_shift(level);

	pte |= (bits & V7S_BITS_XN ? xn_bit(level) : 0) | (bits & V7S_BITS_B ? V7S_B : 0) |
	       (bits & V7S_BITS_C ? V7S_C : 0) | V7S_TYPE_PAGE;
	if (level && (pt->cfg.features & IMS_PT_FEAT_NS))
		pte |= V7S_NS_SECTION;
	if (size_lg2 != pt->lvl[level].shift)
		pte = level ? pte | V7S_SUPERSECTION : to_large_page(pte);
	pte |= pa & PT_GENMASK(31, size_lg2);
	return v7s_mtk(pt) ? pte | mtk_pa_bits(pa) : pte;
}

static uint64_t v7s_make_table(const struct ims_pt *pt, const void *table, unsigned int level)
{
	uint64_t e = (uintptr_t)table | V7S_TYPE_TABLE;

	return pt->cfg.features & IMS_PT_FEAT_NS ? e | V7S_NS_TABLE : e;
}

static bool is_large_page(uint64_t e, unsigned int level)
{
	return !level && !(e & V7S_TYPE_PAGE);
}

static void v7s_decode_contig(const struct ims_pt *pt, uint64_t e, unsigned int level,
			      unsigned int *size_lg2, uint64_t *pa)
{
	unsigned int shift = pt->lvl[level].shift;

	if (level ? e & V7S_SUPERSECTION : is_large_page(e, level))
		shift += 4;
	*size_lg2 = shift;
	*pa = e & PT_GENMASK(31, shift);
	if (v7s_mtk(pt))
		*pa |= (e & V7S_MTK_PA32 ? PT_BIT(32) : 0) | (e & V7S_MTK_PA33 ? PT_BIT(33) : 0) |
		       (e & V7S_MTK_PA34 ? PT_BIT(34) : 0);
}

static int v7s_leaf_prot(const struct ims_pt *pt, uint64_t e, unsigned int level)
{
	uint64_t attr = (e >> attr_shift(level)) & 0xff, tex = (attr >> 2) & V7S_TEX_MASK;
	bool xn = e & xn_bit(level);
	int prot = IMS_PROT_READ;

	if (is_large_page(e, level)) {
		tex = (e >> V7S_LARGE_TEX_SHIFT) & V7S_TEX_MASK;
		xn = e & V7S_LARGE_XN;
	}
	if (v7s_mtk(pt)) {
		prot |= IMS_PROT_WRITE; /* no permission bits: the M4U checks none */
	} else {
		prot |= attr & V7S_ATTR_RDONLY ? 0 : IMS_PROT_WRITE;
		prot |= attr & V7S_ATTR_UNPRIV ? 0 : IMS_PROT_PRIV;
		prot |= xn ? IMS_PROT_NOEXEC : 0;
	}
	if (!tex)
		return prot | IMS_PROT_MMIO;
	return prot | (e & V7S_C ? IMS_PROT_CACHE : 0);
}

/* The two variants differ only in whether the PA is linear in the descriptor. */
#define V7S_HOOKS                                                     \
	.init = v7s_init, .leaf_bits = v7s_leaf_bits, .make_leaf = v7s_make_leaf, \
	.make_table = v7s_make_table, .decode_contig = v7s_decode_contig,         \
	.leaf_prot = v7s_leaf_prot

const struct pt_format pt_fmt_arm_v7s = { V7S_HOOKS, .pa_linear = true };

static const struct pt_format pt_fmt_arm_v7s_mtk = { V7S_HOOKS, .pa_linear = false };
