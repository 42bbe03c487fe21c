// SPDX-License-Identifier: MIT
/*
 * Golden descriptors: for chosen inputs, the exact descriptor words the
 * architecture manuals prescribe, one table per format naming the section,
 * read straight out of the table memory.  Also the table (directory)
 * entries on the way down, and the dirty bit a device write sets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "iommusim/pt.h"
#include "pt/pt_engine.h"
#include "util/err.h"

#define RW (IMS_PROT_READ | IMS_PROT_WRITE)
#define KIB(n) ((uint64_t)(n) << 10)
#define MIB(n) ((uint64_t)(n) << 20)
#define GIB(n) ((uint64_t)(n) << 30)

struct golden_leaf {
	const char *what;
	struct ims_pt_cfg cfg;
	uint64_t iova, pa, pgsize;
	int prot;
	unsigned int level;   /* where the descriptor must be */
	uint64_t want;        /* the descriptor word */
	unsigned int slots;   /* how many consecutive slots hold it */
};

#define AMD { .format = IMS_PT_AMD_V1 }
#define AMD_MOCK { .format = IMS_PT_AMD_V1, .granule_lg2 = 11 }
#define X86 { .format = IMS_PT_X86_64 }
#define VTD { .format = IMS_PT_VTD_SS }

/*
 * AMD IOMMU spec 2.2.3: PTE = PR(0) | NextLevel(11:9) | address(51:12) |
 * FC(60) | IR(61) | IW(62); NextLevel 7 with the page size encoded as a run
 * of ones from address bit 12 (Table "Example Page Size Encodings"),
 * replicated over every entry the page spans.
 */
static const struct golden_leaf amdv1_golden[] = {
	{ "4K RW", AMD, KIB(4), 0x12345000, KIB(4), RW, 0, 0x6000000012345001, 1 },
	{ "4K R", AMD, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0, 0x2000000012345001, 1 },
	{ "4K W", AMD, KIB(4), 0x12345000, KIB(4), IMS_PROT_WRITE, 0, 0x4000000012345001, 1 },
	{ "4K RW coherent (FC)", AMD, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_CACHE, 0,
	  0x7000000012345001, 1 },
	{ "8K: NL 7, bit 12 clear", AMD, KIB(16), KIB(32), KIB(8), RW, 0, 0x6000000000008E01, 2 },
	{ "16K: NL 7, bit 12 set", AMD, KIB(64), KIB(64), KIB(16), RW, 0, 0x6000000000011E01, 4 },
	{ "1M: NL 7, bits 18:12 set", AMD, MIB(1), MIB(1), MIB(1), RW, 0, 0x600000000017FE01, 256 },
	{ "2M default size in level 2", AMD, MIB(2), GIB(1), MIB(2), RW, 1, 0x6000000040000001, 1 },
	{ "4M: NL 7, bits 20:12 set", AMD, MIB(4), MIB(4), MIB(4), RW, 1, 0x60000000005FFE01, 2 },
	{ "1G default size in level 3", AMD, GIB(1), GIB(2), GIB(1), RW, 2, 0x6000000080000001, 1 },
	{ "2G: NL 7, bits 29:12 set", AMD, GIB(2), GIB(2), GIB(2), RW, 2, 0x60000000BFFFFE01, 2 },
};

/*
 * The iommufd selftest variant (kernel generic_pt amdv1.h with
 * AMDV1_IOMMUFD_SELFTEST): the same layout in 2 KiB units, so the address
 * field holds pa >> 11 and the size code counts from 2 KiB.
 */
static const struct golden_leaf amdv1_mock_golden[] = {
	{ "2K RW", AMD_MOCK, KIB(2), KIB(6), KIB(2), RW, 0, 0x6000000000003001, 1 },
	{ "4K: NL 7, field bit 12 clear", AMD_MOCK, KIB(4), KIB(8), KIB(4), RW, 0,
	  0x6000000000004E01, 2 },
	{ "8K: NL 7, field bit 12 set", AMD_MOCK, KIB(8), KIB(16), KIB(8), RW, 0,
	  0x6000000000009E01, 4 },
	{ "1M default size in level 2", AMD_MOCK, MIB(1), MIB(3), MIB(1), RW, 1,
	  0x6000000000600001, 1 },
};

/*
 * Intel SDM Vol. 3A 4.5 and VT-d 9.7: P(0) R/W(1) U/S(2) PWT(3) PCD(4)
 * A(5) D(6) PS(7) address(51:12) XD(63).
 */
static const struct golden_leaf x86_64_golden[] = {
	{ "4K RW", X86, KIB(4), 0x12345000, KIB(4), RW, 0, 0x0000000012345067, 1 },
	{ "4K R", X86, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0, 0x0000000012345025, 1 },
	{ "4K R noexec (XD)", X86, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ | IMS_PROT_NOEXEC, 0,
	  0x8000000012345025, 1 },
	{ "4K RW MMIO (PCD PWT)", X86, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_MMIO, 0,
	  0x000000001234507F, 1 },
	{ "4K RW privileged (no U/S)", X86, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_PRIV, 0,
	  0x0000000012345063, 1 },
	{ "4K RW with dirty tracking: D clear",
	  { .format = IMS_PT_X86_64, .features = IMS_PT_FEAT_DIRTY }, KIB(4), 0x12345000, KIB(4),
	  RW, 0, 0x0000000012345027, 1 },
	{ "2M RW: PDE with PS", X86, MIB(2), GIB(1), MIB(2), RW, 1, 0x00000000400000E7, 1 },
	{ "1G RW: PDPTE with PS", X86, GIB(1), GIB(2), GIB(1), RW, 2, 0x00000000800000E7, 1 },
	{ "4K RW, 5 levels", { .format = IMS_PT_X86_64, .levels = 5 }, 1ull << 48, 0x12345000,
	  KIB(4), RW, 0, 0x0000000012345067, 1 },
};

/* VT-d 9.8: R(0) W(1) PS(7) A(8) D(9) SNP(11) address(51:12). */
static const struct golden_leaf vtdss_golden[] = {
	{ "4K RW", VTD, KIB(4), 0x12345000, KIB(4), RW, 0, 0x0000000012345003, 1 },
	{ "4K R", VTD, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0, 0x0000000012345001, 1 },
	{ "4K W", VTD, KIB(4), 0x12345000, KIB(4), IMS_PROT_WRITE, 0, 0x0000000012345002, 1 },
	{ "4K RW coherent with SNOOP: SNP",
	  { .format = IMS_PT_VTD_SS, .features = IMS_PT_FEAT_SNOOP }, KIB(4), 0x12345000, KIB(4),
	  RW | IMS_PROT_CACHE, 0, 0x0000000012345803, 1 },
	{ "4K RW coherent without SNOOP", VTD, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_CACHE, 0,
	  0x0000000012345003, 1 },
	{ "2M RW: SS-PDE with PS", VTD, MIB(2), GIB(1), MIB(2), RW, 1, 0x0000000040000083, 1 },
	{ "1G RW: SS-PDPE with PS", VTD, GIB(1), GIB(2), GIB(1), RW, 2, 0x0000000080000083, 1 },
	{ "1G RW in the top of 3 levels", { .format = IMS_PT_VTD_SS, .levels = 3 }, GIB(3), GIB(2),
	  GIB(1), RW, 2, 0x0000000080000083, 1 },
};

/*
 * z/Architecture Principles of Operation, chapter 3 "Translation Tables",
 * as zPCI uses them (kernel arch/s390/include/asm/pci_dma.h): page-table
 * entry = frame (63:12) | P 0x200 (write-protected) | I 0x400 (invalid).
 */
#define S390 { .format = IMS_PT_S390 }
static const struct golden_leaf s390_golden[] = {
	{ "4K RW", S390, KIB(4), 0x12345000, KIB(4), RW, 0, 0x0000000012345000, 1 },
	{ "4K R: P set", S390, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0, 0x0000000012345200, 1 },
	{ "4K W: no write-only, RW", S390, KIB(4), 0x12345000, KIB(4), IMS_PROT_WRITE, 0,
	  0x0000000012345000, 1 },
	{ "4K RW of page 0: the all-zero valid entry", S390, KIB(20), 0, KIB(4), RW, 0, 0, 1 },
	{ "4K RW above 4 TiB, 5 levels", { .format = IMS_PT_S390, .levels = 5 },
	  0xfffffffffffff000, 0x00007f0000001000, KIB(4), RW, 0, 0x00007f0000001000, 1 },
};

/* Spreadtrum (kernel drivers/iommu/sprd-iommu.c): word = PA >> 12. */
static const struct golden_leaf sprd_golden[] = {
	{ "4K", { .format = IMS_PT_SPRD }, KIB(12), 0x12345000, KIB(4), RW, 0, 0x00012345, 1 },
	{ "4K, last page of the 256 MiB window", { .format = IMS_PT_SPRD }, MIB(256) - KIB(4),
	  0xfffff000, KIB(4), IMS_PROT_READ, 0, 0x000fffff, 1 },
	{ "4K, a 44-bit PA", { .format = IMS_PT_SPRD }, MIB(100), 0xfff12345000, KIB(4), RW, 0,
	  0xfff12345, 1 },
	{ "4K, 64 MiB flat array", { .format = IMS_PT_SPRD, .ias = 26 }, MIB(64) - KIB(4),
	  0x12345000, KIB(4), RW, 0, 0x00012345, 1 },
};

/* Tegra20 GART (kernel drivers/iommu/tegra-gart.c): entry = bit 31 valid | PA 30:12. */
static const struct golden_leaf gart_golden[] = {
	{ "4K", { .format = IMS_PT_TEGRA_GART }, KIB(4), 0x12345000, KIB(4), RW, 0, 0x92345000, 1 },
	{ "4K, last page of the aperture, highest PA", { .format = IMS_PT_TEGRA_GART },
	  MIB(32) - KIB(4), 0x7ffff000, KIB(4), IMS_PROT_WRITE, 0, 0xfffff000, 1 },
};

/*
 * Tegra SMMU (Tegra K1 TRM, MC SMMU; kernel drivers/iommu/tegra-smmu.c):
 * PTE = READABLE 31 | WRITABLE 30 | NONSECURE 29 | PA >> 12.
 */
#define SMMU { .format = IMS_PT_TEGRA_SMMU }
static const struct golden_leaf smmu_golden[] = {
	{ "4K RW", SMMU, 0x12345000, 0x12345000, KIB(4), RW, 0, 0xE0012345, 1 },
	{ "4K R", SMMU, 0x12345000, 0x12345000, KIB(4), IMS_PROT_READ, 0, 0xA0012345, 1 },
	{ "4K W", SMMU, 0x12345000, 0x12345000, KIB(4), IMS_PROT_WRITE, 0, 0x60012345, 1 },
	{ "4K RW, 34-bit PA", { .format = IMS_PT_TEGRA_SMMU, .oas = 34 }, 0xfffff000, 0x345678000,
	  KIB(4), RW, 0, 0xE0345678, 1 },
};

/*
 * OMAP4430 TRM, MMU translation tables (kernel omap-iopgtable.h): small page
 * PA | 10, large page PA | 01 in 16 entries, section PA | 10, supersection
 * PA | bit 18 | 10 in 16 entries.
 */
#define OMAP { .format = IMS_PT_OMAP }
static const struct golden_leaf omap_golden[] = {
	{ "4K small page", OMAP, 0x12345000, 0x87654000, KIB(4), RW, 0, 0x87654002, 1 },
	{ "4K small page, read-only asked: no permission bits", OMAP, KIB(4), 0x12345000, KIB(4),
	  IMS_PROT_READ, 0, 0x12345002, 1 },
	{ "64K large page: 16 entries", OMAP, KIB(64), 0x12340000, KIB(64), RW, 0, 0x12340001, 16 },
	{ "1M section", OMAP, MIB(1), 0x12300000, MIB(1), RW, 1, 0x12300002, 1 },
	{ "16M supersection: 16 entries", OMAP, MIB(16), 0x12000000, MIB(16), RW, 1, 0x12040002,
	  16 },
};

#define V7S { .format = IMS_PT_ARM_V7S }
#define V7S_NS { .format = IMS_PT_ARM_V7S, .features = IMS_PT_FEAT_NS }
#define V7S_MTK { .format = IMS_PT_ARM_V7S, .features = IMS_PT_FEAT_MTK_EXT }
#define V7S_MTK_NS { .format = IMS_PT_ARM_V7S, .features = IMS_PT_FEAT_MTK_EXT | IMS_PT_FEAT_NS }

/*
 * ARM ARM (DDI 0406C) B3.5.1, Figure B3-4 (first level: section
 * 31:20 | NS 19 | 0 18 | nG 17 | S 16 | AP[2] 15 | TEX 14:12 | AP[1:0]
 * 11:10 | XN 4 | C 3 | B 2 | 1 0; supersection: bit 18 set, base 31:24,
 * repeated in 16 entries) and Figure B3-5 (second level: small page
 * 31:12 | nG 11 | S 10 | AP[2] 9 | TEX 8:6 | AP[1:0] 5:4 | C 3 | B 2 | 1 |
 * XN 0; large page 31:16 | XN 15 | TEX 14:12 | ... | 0 1, repeated in 16
 * entries).  What io-pgtable-arm-v7s writes: nG, S, TEX[0] (normal
 * memory), AP[0] (the access flag), AP[1] unless privileged, AP[2] when
 * read-only.
 */
static const struct golden_leaf v7s_golden[] = {
	{ "4K RW small page", V7S, KIB(4), 0x12345000, KIB(4), RW, 0, 0x12345C72, 1 },
	{ "4K R: AP[2]", V7S, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0, 0x12345E72, 1 },
	{ "4K RW cacheable: B C", V7S, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_CACHE, 0,
	  0x12345C7E, 1 },
	{ "4K RW MMIO: TEX 0, B", V7S, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_MMIO, 0,
	  0x12345C36, 1 },
	{ "4K RW noexec: XN bit 0", V7S, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_NOEXEC, 0,
	  0x12345C73, 1 },
	{ "4K RW privileged: no AP[1]", V7S, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_PRIV, 0,
	  0x12345C52, 1 },
	{ "64K RW large page: TEX 14:12, type 01", V7S, KIB(64), 0x12340000, KIB(64), RW, 0,
	  0x12341C31, 16 },
	{ "64K R noexec large page: XN bit 15", V7S, KIB(64), 0x12340000, KIB(64),
	  IMS_PROT_READ | IMS_PROT_NOEXEC, 0, 0x12349E31, 16 },
	{ "1M RW section", V7S, MIB(1), 0x12300000, MIB(1), RW, 1, 0x12331C02, 1 },
	{ "1M R noexec section: AP[2], XN bit 4", V7S, MIB(1), 0x12300000, MIB(1),
	  IMS_PROT_READ | IMS_PROT_NOEXEC, 1, 0x12339C12, 1 },
	{ "1M RW section, NS", V7S_NS, MIB(1), 0x12300000, MIB(1), RW, 1, 0x123B1C02, 1 },
	{ "16M RW supersection", V7S, MIB(16), 0x12000000, MIB(16), RW, 1, 0x12071C02, 16 },
};

/*
 * MediaTek (io-pgtable-arm-v7s with IO_PGTABLE_QUIRK_ARM_MTK_EXT and
 * NO_PERMS): no AP or XN bits; PA bits 32, 33, 34 in descriptor bits 9, 4, 5
 * (ARM_V7S_ATTR_MTK_PA_BIT32/33/34).
 */
static const struct golden_leaf v7s_mtk_golden[] = {
	{ "4K RW below 4G", V7S_MTK, KIB(4), 0x12345000, KIB(4), RW, 0, 0x12345C42, 1 },
	{ "4K R: no AP[2], the M4U ignores permissions", V7S_MTK, KIB(4), 0x12345000, KIB(4),
	  IMS_PROT_READ, 0, 0x12345C42, 1 },
	{ "4K RW at PA 0x3_2345_6000: bits 9 and 4", V7S_MTK, KIB(4), 0x323456000ull, KIB(4), RW, 0,
	  0x23456E52, 1 },
	{ "64K RW at PA 0x7_1234_0000: bits 9, 4, 5", V7S_MTK, KIB(64), 0x712340000ull, KIB(64), RW,
	  0, 0x12341E31, 16 },
	{ "1M RW cacheable at PA 0x4_0010_0000: bit 5", V7S_MTK, MIB(1), 0x400100000ull, MIB(1),
	  RW | IMS_PROT_CACHE, 1, 0x0013102E, 1 },
	{ "1M RW section, NS", V7S_MTK_NS, MIB(1), 0x12300000, MIB(1), RW, 1, 0x123B1002, 1 },
	{ "16M RW supersection at PA 0x1_1200_0000", V7S_MTK, MIB(16), 0x112000000ull, MIB(16), RW,
	  1, 0x12071202, 16 },
};

/* mtk_iommu_v1.c: the page's address | F_DESC_VALID (bit 1) | F_DESC_NONSEC (bit 3). */
static const struct golden_leaf mtk_v1_golden[] = {
	{ "4K RW", { .format = IMS_PT_MTK_V1 }, KIB(4), 0x12345000, KIB(4), RW, 0, 0x1234500A, 1 },
	{ "4K R: no permission bits", { .format = IMS_PT_MTK_V1 }, GIB(3), 0xfffff000, KIB(4),
	  IMS_PROT_READ, 0, 0xFFFFF00A, 1 },
};

#define EXY { .format = IMS_PT_EXYNOS }
#define EXY_V5 { .format = IMS_PT_EXYNOS, .features = IMS_PT_FEAT_V2_LAYOUT }

/*
 * exynos-iommu.c: mk_lv1ent_sect = pa | LV1_PROT | 2, mk_lv2ent_lpage =
 * pa | LV2_PROT | 1 (16 entries), mk_lv2ent_spage = pa | LV2_PROT | 2;
 * SYSMMU_LV1_PROT read-only (1 << 15) | (1 << 10), read-write 1 << 10;
 * SYSMMU_LV2_PROT read-only (1 << 9) | (1 << 4), read-write 1 << 4.  v5
 * (PG_ENT_SHIFT 4): the address >> 4, SYSMMU_V5_LV1_PROT read 1 << 4,
 * write 2 << 4, SYSMMU_V5_LV2_PROT read 1 << 2, write 2 << 2.
 */
static const struct golden_leaf exynos_golden[] = {
	{ "4K RW", EXY, KIB(4), 0x12345000, KIB(4), RW, 0, 0x12345012, 1 },
	{ "4K R", EXY, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0, 0x12345212, 1 },
	{ "4K W: served read-write", EXY, KIB(4), 0x12345000, KIB(4), IMS_PROT_WRITE, 0, 0x12345012,
	  1 },
	{ "64K RW large page", EXY, KIB(64), 0x12340000, KIB(64), RW, 0, 0x12340011, 16 },
	{ "1M RW section", EXY, MIB(1), 0x12300000, MIB(1), RW, 1, 0x12300402, 1 },
	{ "1M R section", EXY, MIB(1), 0x12300000, MIB(1), IMS_PROT_READ, 1, 0x12308402, 1 },
	{ "v5 4K RW at PA 0x3_2345_6000", EXY_V5, KIB(4), 0x323456000ull, KIB(4), RW, 0, 0x3234560E,
	  1 },
	{ "v5 4K R", EXY_V5, KIB(4), 0x323456000ull, KIB(4), IMS_PROT_READ, 0, 0x32345606, 1 },
	{ "v5 4K W", EXY_V5, KIB(4), 0x323456000ull, KIB(4), IMS_PROT_WRITE, 0, 0x3234560A, 1 },
	{ "v5 64K RW at PA 0x9_1234_0000", EXY_V5, KIB(64), 0x912340000ull, KIB(64), RW, 0,
	  0x9123400D, 16 },
	{ "v5 1M RW at PA 0x8_1230_0000", EXY_V5, MIB(1), 0x812300000ull, MIB(1), RW, 1, 0x81230032,
	  1 },
};

#define RK { .format = IMS_PT_ROCKCHIP }
#define RK_V2 { .format = IMS_PT_ROCKCHIP, .features = IMS_PT_FEAT_V2_LAYOUT }

/*
 * rockchip-iommu.c, "Each PTE has a Page address, some flags and a valid
 * bit": address 31:12, writable 2, readable 1, valid 0.  v2: address bits
 * 35:32 in 11:8 and 39:36 in 7:4 (rk_mk_pte_v2), readable 1, writable 2.
 */
static const struct golden_leaf rockchip_golden[] = {
	{ "v1 4K RW", RK, KIB(4), 0x12345000, KIB(4), RW, 0, 0x12345007, 1 },
	{ "v1 4K R", RK, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0, 0x12345003, 1 },
	{ "v1 4K W", RK, KIB(4), 0x12345000, KIB(4), IMS_PROT_WRITE, 0, 0x12345005, 1 },
	{ "v2 4K RW below 4G", RK_V2, KIB(4), 0x12345000, KIB(4), RW, 0, 0x12345007, 1 },
	{ "v2 4K RW at PA 0xAB_1234_5000", RK_V2, KIB(4), 0xab12345000ull, KIB(4), RW, 0, 0x12345BA7,
	  1 },
	{ "v2 4K R at PA 0x1_0000_0000", RK_V2, MIB(4), 0x100000000ull, KIB(4), IMS_PROT_READ, 0,
	  0x00000103, 1 },
};

/*
 * sun50i-iommu.c, "Each PTE has a Page address, an authority index and a
 * valid bit": address 31:12, ACI 7:4 (4 read-write, 2 read, 3 write),
 * valid bit 1.
 */
static const struct golden_leaf sun50i_golden[] = {
	{ "4K RW", { .format = IMS_PT_SUN50I }, KIB(4), 0x12345000, KIB(4), RW, 0, 0x12345042, 1 },
	{ "4K R", { .format = IMS_PT_SUN50I }, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0,
	  0x12345022, 1 },
	{ "4K W", { .format = IMS_PT_SUN50I }, KIB(4), 0x12345000, KIB(4), IMS_PROT_WRITE, 0,
	  0x12345032, 1 },
};

#define S1 { .format = IMS_PT_ARM_LPAE_S1 }
#define S1_DIRTY { .format = IMS_PT_ARM_LPAE_S1, .features = IMS_PT_FEAT_DIRTY }
#define S1_16K { .format = IMS_PT_ARM_LPAE_S1, .granule_lg2 = 14 }
#define S1_64K_52 { .format = IMS_PT_ARM_LPAE_S1, .granule_lg2 = 16, .oas = 52 }
#define S1_IPMMU { .format = IMS_PT_ARM_LPAE_S1, .ias = 32, .oas = 40, .features = IMS_PT_FEAT_NS }
#define S2 { .format = IMS_PT_ARM_LPAE_S2 }
#define S2_CONCAT { .format = IMS_PT_ARM_LPAE_S2, .ias = 40, .oas = 40 }

/*
 * Arm ARM (DDI 0487 K.a) D8.3 descriptor formats, D8.4 AP[2:1] and XN,
 * D8.6 AttrIndx and SH; bits as io-pgtable-arm writes them: page = 0b11,
 * block = 0b01, AttrIndx(4:2) NS(5) AP[1] unprivileged(6) AP[2] read-only(7)
 * SH(9:8) AF(10) nG(11) DBM(51) PXN|UXN(54:53).  52-bit OA with the 64 KiB
 * granule: OA[51:48] in bits 15:12 (D8.3, FEAT_LPA).
 */
static const struct golden_leaf lpae_s1_golden[] = {
	{ "4K RW: nG AF SH=OS AP=EL0 RW", S1, KIB(4), 0x12345000, KIB(4), RW, 0, 0x0000000012345E43, 1 },
	{ "4K R: AP[2] read-only", S1, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0,
	  0x0000000012345EC3, 1 },
	{ "4K W: no write-only at stage 1", S1, KIB(4), 0x12345000, KIB(4), IMS_PROT_WRITE, 0,
	  0x0000000012345E43, 1 },
	{ "4K RW cacheable: AttrIndx 1, SH=IS", S1, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_CACHE,
	  0, 0x0000000012345F47, 1 },
	{ "4K RW MMIO: AttrIndx 2", S1, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_MMIO, 0,
	  0x0000000012345E4B, 1 },
	{ "4K R noexec: PXN|UXN", S1, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ | IMS_PROT_NOEXEC,
	  0, 0x0060000012345EC3, 1 },
	{ "4K RW privileged: AP[1] clear", S1, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_PRIV, 0,
	  0x0000000012345E03, 1 },
	{ "4K RW dirty tracking: DBM, writable-dirty", S1_DIRTY, KIB(4), 0x12345000, KIB(4), RW, 0,
	  0x0008000012345E43, 1 },
	{ "4K R dirty tracking: no DBM", S1_DIRTY, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0,
	  0x0000000012345EC3, 1 },
	{ "2M block", S1, MIB(2), GIB(1), MIB(2), RW, 1, 0x0000000040000E41, 1 },
	{ "1G block", S1, GIB(1), GIB(2), GIB(1), RW, 2, 0x0000000080000E41, 1 },
	{ "4K RW non-secure (ipmmu, 32-bit)", S1_IPMMU, KIB(4), 0x12345000, KIB(4), RW, 0,
	  0x0000000012345E63, 1 },
	{ "16K page", S1_16K, KIB(16), 0x12344000, KIB(16), RW, 0, 0x0000000012344E43, 1 },
	{ "32M block (16K granule)", S1_16K, MIB(32), GIB(1), MIB(32), RW, 1, 0x0000000040000E41, 1 },
	{ "64K page, OA above 2^48: OA[51:48] in 15:12", S1_64K_52, KIB(64), 0x000A000012340000ull,
	  KIB(64), RW, 0, 0x000000001234AE43, 1 },
	{ "512M block (64K granule)", S1_64K_52, MIB(512), GIB(1), MIB(512), RW, 1,
	  0x0000000040000E41, 1 },
	{ "4T block (64K granule, OAS 52)", S1_64K_52, 1ull << 42, 1ull << 42, 1ull << 42, RW, 2,
	  0x0000040000000E41, 1 },
};

/* D8.3 and D8.4/D8.6 at stage 2: S2AP(7:6) = W,R; MemAttr(5:2): 5 NC, f WB, 1 device. */
static const struct golden_leaf lpae_s2_golden[] = {
	{ "4K RW: S2AP 11, MemAttr NC", S2, KIB(4), 0x12345000, KIB(4), RW, 0, 0x00000000123456D7, 1 },
	{ "4K R: S2AP 01", S2, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0, 0x0000000012345657, 1 },
	{ "4K W: S2AP 10 (write-only exists at stage 2)", S2, KIB(4), 0x12345000, KIB(4),
	  IMS_PROT_WRITE, 0, 0x0000000012345697, 1 },
	{ "4K RW cacheable: MemAttr 1111, SH=IS", S2, KIB(4), 0x12345000, KIB(4),
	  RW | IMS_PROT_CACHE, 0, 0x00000000123457FF, 1 },
	{ "4K RW device: MemAttr 0001", S2, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_MMIO, 0,
	  0x00000000123456C7, 1 },
	{ "2M block", S2, MIB(2), GIB(1), MIB(2), RW, 1, 0x00000000400006D5, 1 },
	{ "1G block in the second of two concatenated tables", S2_CONCAT, GIB(513), GIB(1), GIB(1),
	  RW, 2, 0x00000000400006D5, 1 },
};

#define DART1 { .format = IMS_PT_APPLE_DART }
#define DART1_4K { .format = IMS_PT_APPLE_DART, .granule_lg2 = 12 }
#define DART2 { .format = IMS_PT_APPLE_DART, .features = IMS_PT_FEAT_V2_LAYOUT }

/*
 * Apple DART, as the kernel's io-pgtable-dart encodes it (no public
 * manual): valid(0), SP_DIS / DART2 no-cache(1), subpage end 0xfff(51:40);
 * DART1: no-write(7) no-read(8), address 35:12; DART2: no-write(2)
 * no-read(3), address bits 41:14 in 37:10.
 */
static const struct golden_leaf dart_golden[] = {
	{ "DART1 16K RW", DART1, KIB(16), 0x12344000, KIB(16), RW, 0, 0x000FFF0012344003, 1 },
	{ "DART1 16K R: no-write", DART1, KIB(16), 0x12344000, KIB(16), IMS_PROT_READ, 0,
	  0x000FFF0012344083, 1 },
	{ "DART1 16K W: no-read", DART1, KIB(16), 0x12344000, KIB(16), IMS_PROT_WRITE, 0,
	  0x000FFF0012344103, 1 },
	{ "DART1 4K RW through TTBR 3", DART1_4K, GIB(3) + KIB(4), 0x12345000, KIB(4), RW, 0,
	  0x000FFF0012345003, 1 },
	{ "DART2 16K RW", DART2, KIB(16), 0x12344000, KIB(16), RW | IMS_PROT_CACHE, 0,
	  0x000FFF0001234403, 1 },
	{ "DART2 16K R: no-write", DART2, KIB(16), 0x12344000, KIB(16), IMS_PROT_READ, 0,
	  0x000FFF0001234407, 1 },
	{ "DART2 16K W: no-read", DART2, KIB(16), 0x12344000, KIB(16), IMS_PROT_WRITE, 0,
	  0x000FFF000123440B, 1 },
	{ "DART2 16K RW above 2^36", DART2, KIB(32), 0x312344000ull, KIB(16), RW, 0,
	  0x000FFF0031234403, 1 },
};

#define RV39 { .format = IMS_PT_RISCV }
#define RV48 { .format = IMS_PT_RISCV, .levels = 4 }
#define RV39_DIRTY { .format = IMS_PT_RISCV, .features = IMS_PT_FEAT_DIRTY }

/*
 * RISC-V Privileged Architecture v1.12, 4.3.1 and 4.4-4.5 (Sv39, Sv48):
 * V(0) R(1) W(2) X(3) U(4) G(5) A(6) D(7), PPN = address >> 12 in 53:10;
 * Svpbmt's PBMT in 62:61 (IO = 2).  Leaves at any level; X never set.
 */
static const struct golden_leaf riscv_golden[] = {
	{ "Sv39 4K RW: V R W U A D", RV39, KIB(4), 0x12345000, KIB(4), RW, 0, 0x00000000048D14D7, 1 },
	{ "Sv39 4K R: V R U A", RV39, KIB(4), 0x12345000, KIB(4), IMS_PROT_READ, 0,
	  0x00000000048D1453, 1 },
	{ "Sv39 4K RW privileged: U clear", RV39, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_PRIV, 0,
	  0x00000000048D14C7, 1 },
	{ "Sv39 4K RW MMIO: PBMT = IO", RV39, KIB(4), 0x12345000, KIB(4), RW | IMS_PROT_MMIO, 0,
	  0x40000000048D14D7, 1 },
	{ "Sv39 4K RW at the top of the 56-bit PA space", RV39, KIB(8), 0xFFFFFFFFFFF000ull, KIB(4),
	  RW, 0, 0x003FFFFFFFFFFCD7, 1 },
	{ "Sv39 2M megapage", RV39, MIB(2), GIB(1), MIB(2), RW, 1, 0x00000000100000D7, 1 },
	{ "Sv39 1G gigapage", RV39, GIB(1), GIB(2), GIB(1), RW, 2, 0x00000000200000D7, 1 },
	{ "Sv48 512G terapage", RV48, GIB(512), GIB(512), GIB(512), RW, 3, 0x00000020000000D7, 1 },
	{ "Sv39 4K RW, hardware dirty: D clear", RV39_DIRTY, KIB(4), 0x12345000, KIB(4), RW, 0,
	  0x00000000048D1457, 1 },
};

/* Walk the raw tables from the root to @level; assert every table entry on the way. */
static void *table_at(const struct ims_pt *pt, uint64_t iova, unsigned int level)
{
	void *table = (void *)(uintptr_t)ims_pt_root(pt);

	assert_int_equal((uintptr_t)table & ((1ull << pt->lvl[pt->top].table_lg2) - 1), 0);
	for (unsigned int l = pt->top; l > level; l--) {
		uint64_t e = pt_load(pt, table, pt_index(pt, l, iova));

		assert_true(pt_present(pt, l, e) && pt_is_table(pt, l, e));
		table = pt_table_of(pt, e);
	}
	return table;
}

static void check_leaf(const struct golden_leaf *g)
{
	struct ims_pt *pt;
	size_t mapped, slot;
	uint64_t empty;
	void *table;

	print_message("# %s\n", g->what);
	assert_int_equal(ims_pt_create(&g->cfg, &pt), 0);
	assert_int_equal(ims_pt_map(pt, g->iova, g->pa, g->pgsize, 1, g->prot, &mapped), 0);
	table = table_at(pt, g->iova, g->level);
	slot = pt_index(pt, g->level, g->iova);
	empty = pt->lvl[g->level].empty;
	if (slot)
		assert_int_equal(pt_load(pt, table, slot - 1), empty);
	for (unsigned int i = 0; i < g->slots; i++)
		assert_int_equal(pt_load(pt, table, slot + i), g->want);
	if (slot + g->slots < (1ull << pt->lvl[g->level].index_bits))
		assert_int_equal(pt_load(pt, table, slot + g->slots), empty);
	assert_int_equal(ims_pt_iova_to_phys(pt, g->iova + g->pgsize / 2), g->pa + g->pgsize / 2);
	ims_pt_destroy(pt);
}

static void ignore_dirty(void *arg, uint64_t iova, uint64_t size)
{
}

static void check_table(const struct golden_leaf *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_leaf(&rows[i]);
}

static void test_amdv1_leaves(void **state)
{
	check_table(amdv1_golden, IMS_ARRAY_SIZE(amdv1_golden));
}

static void test_amdv1_mock_leaves(void **state)
{
	check_table(amdv1_mock_golden, IMS_ARRAY_SIZE(amdv1_mock_golden));
}

static void test_x86_64_leaves(void **state)
{
	check_table(x86_64_golden, IMS_ARRAY_SIZE(x86_64_golden));
}

static void test_vtdss_leaves(void **state)
{
	check_table(vtdss_golden, IMS_ARRAY_SIZE(vtdss_golden));
}

static void test_s390_leaves(void **state)
{
	check_table(s390_golden, IMS_ARRAY_SIZE(s390_golden));
}

static void test_sprd_leaves(void **state)
{
	check_table(sprd_golden, IMS_ARRAY_SIZE(sprd_golden));
}

static void test_gart_leaves(void **state)
{
	check_table(gart_golden, IMS_ARRAY_SIZE(gart_golden));
}

static void test_tegra_smmu_leaves(void **state)
{
	check_table(smmu_golden, IMS_ARRAY_SIZE(smmu_golden));
}

static void test_omap_leaves(void **state)
{
	check_table(omap_golden, IMS_ARRAY_SIZE(omap_golden));
}

static void test_v7s_leaves(void **state)
{
	check_table(v7s_golden, IMS_ARRAY_SIZE(v7s_golden));
	check_table(v7s_mtk_golden, IMS_ARRAY_SIZE(v7s_mtk_golden));
}

static void test_mtk_v1_leaves(void **state)
{
	check_table(mtk_v1_golden, IMS_ARRAY_SIZE(mtk_v1_golden));
}

static void test_exynos_leaves(void **state)
{
	check_table(exynos_golden, IMS_ARRAY_SIZE(exynos_golden));
}

static void test_rockchip_leaves(void **state)
{
	check_table(rockchip_golden, IMS_ARRAY_SIZE(rockchip_golden));
}

static void test_sun50i_leaves(void **state)
{
	check_table(sun50i_golden, IMS_ARRAY_SIZE(sun50i_golden));
}

static void test_lpae_s1_leaves(void **state)
{
	check_table(lpae_s1_golden, IMS_ARRAY_SIZE(lpae_s1_golden));
}

static void test_lpae_s2_leaves(void **state)
{
	check_table(lpae_s2_golden, IMS_ARRAY_SIZE(lpae_s2_golden));
}

static void test_dart_leaves(void **state)
{
	check_table(dart_golden, IMS_ARRAY_SIZE(dart_golden));
}

static void test_riscv_leaves(void **state)
{
	check_table(riscv_golden, IMS_ARRAY_SIZE(riscv_golden));
}

/*
 * The directory entries above a 4K leaf: @want_bits besides the address,
 * per level (index 0 unused); the address field holds the next table's
 * address shifted left by @addr_lshift (right when negative).
 */
static void check_directories(const struct ims_pt_cfg *cfg, uint64_t iova,
			      const uint64_t *want_bits, uint64_t addr_mask, int addr_lshift)
{
	struct ims_pt *pt;
	size_t mapped;
	void *table;

	assert_int_equal(ims_pt_create(cfg, &pt), 0);
	assert_int_equal(ims_pt_map(pt, iova, 0x12340000, pt->cfg.pgsize_bitmap & -pt->cfg.pgsize_bitmap,
				    1, RW, &mapped), 0);
	table = (void *)(uintptr_t)ims_pt_root(pt);
	for (unsigned int l = pt->top; l > 0; l--) {
		uint64_t e = pt_load(pt, table, pt_index(pt, l, iova));
		void *next = table_at(pt, iova, l - 1);

		assert_int_equal(e & ~addr_mask, want_bits[l]);
		assert_int_equal(e & addr_mask, pt_shift((uintptr_t)next, addr_lshift));
		table = next;
	}
	ims_pt_destroy(pt);
}

/* AMD 2.2.3: a PDE is PR | NextLevel = the level it points at | IR | IW. */
static void test_amdv1_directories(void **state)
{
	static const uint64_t amd[] = { 0, 0x6000000000000201, 0x6000000000000401,
					0x6000000000000601, 0x6000000000000801, 0x6000000000000A01 };
	const struct ims_pt_cfg six = { .format = IMS_PT_AMD_V1, .levels = 6 };
	const struct ims_pt_cfg mock = { .format = IMS_PT_AMD_V1, .granule_lg2 = 11 };

	check_directories(&six, 0xfedcba9876543000, amd, PT_GENMASK(51, 12), 0);
	check_directories(&mock, 0x12345800, amd, PT_GENMASK(51, 12), 1);
}

/* x86: P | R/W | U/S | A for every directory; VT-d SS: R | W. */
static void test_x86_directories(void **state)
{
	static const uint64_t x86[] = { 0, 0x27, 0x27, 0x27, 0x27 };
	static const uint64_t vtd[] = { 0, 0x3, 0x3, 0x3, 0x3 };
	const struct ims_pt_cfg x86_5 = { .format = IMS_PT_X86_64, .levels = 5 };
	const struct ims_pt_cfg vtd_5 = { .format = IMS_PT_VTD_SS, .levels = 5 };

	check_directories(&x86_5, 0x01edcba987654000, x86, PT_GENMASK(51, 12), 0);
	check_directories(&vtd_5, 0x01edcba987654000, vtd, PT_GENMASK(51, 12), 0);
}

/*
 * s390: a region entry is origin | TT (01 third, 10 second, 11 first) | TL 3,
 * a segment entry the page table's origin (TT 00).
 */
static void test_s390_directories(void **state)
{
	static const uint64_t s390[] = { 0, 0x0, 0x7, 0xb, 0xf };
	const struct ims_pt_cfg five = { .format = IMS_PT_S390, .levels = 5 };

	check_directories(&five, 0xfedcba9876543000, s390, PT_GENMASK(63, 12), 0);
}

/* Fresh s390 tables hold the invalid bit in every entry, as the kernel fills them. */
static void test_s390_tables_start_invalid(void **state)
{
	const struct ims_pt_cfg cfg = { .format = IMS_PT_S390 };
	struct ims_pt *pt;
	size_t mapped;
	uint64_t *root, *pte;

	assert_int_equal(ims_pt_create(&cfg, &pt), 0);
	root = (uint64_t *)(uintptr_t)ims_pt_root(pt);
	for (unsigned int i = 0; i < 2048; i++)
		assert_int_equal(root[i], 0x20);
	assert_int_equal(ims_pt_map(pt, 0x5000, 0x12345000, KIB(4), 1, RW, &mapped), 0);
	pte = table_at(pt, 0x5000, 0);
	for (unsigned int i = 0; i < 256; i++)
		assert_int_equal(pte[i], i == 5 ? 0x12345000 : 0x400);
	/* unmapping writes the invalid bit back */
	assert_int_equal(ims_pt_unmap(pt, 0x5000, KIB(4), 1, NULL), KIB(4));
	assert_int_equal(pte[5], 0x400);
	assert_int_equal(ims_pt_iova_to_phys(pt, 0x5000), 0);
	ims_pt_destroy(pt);
}

/*
 * 32-bit directories: tegra-smmu PDE = READABLE | WRITABLE | NONSECURE |
 * NEXT | table >> 12; OMAP first-level entry = table | 01; the sprd
 * directory (software only, flat32.h) = bit 31 | quarter >> 12.
 */
static void test_32bit_directories(void **state)
{
	static const uint64_t smmu[] = { 0, 0xF0000000 };
	static const uint64_t omap[] = { 0, 0x1 };
	static const uint64_t sprd[] = { 0, 0x80000000 };
	const struct ims_pt_cfg smmu_cfg = SMMU, omap_cfg = OMAP;
	const struct ims_pt_cfg sprd_cfg = { .format = IMS_PT_SPRD };

	check_directories(&smmu_cfg, 0x12345000, smmu, PT_GENMASK(19, 0), -12);
	check_directories(&omap_cfg, 0x12345000, omap, PT_GENMASK(31, 10), 0);
	check_directories(&sprd_cfg, 0x0abcd000, sprd, PT_GENMASK(19, 0), -12);
}

/*
 * First-level entries pointing at second-level tables: ARM B3.5.1 page
 * table descriptor (base 31:10, NS 3, type 01); sun50i DTE (31:10, 01);
 * Exynos lv1 link (base 31:6 as the kernel reads it, 01); Rockchip DTE
 * (31:12, valid 0).  Shifted layouts (Exynos v5: the address >> 4; Rockchip
 * v2: bits 39:32 in 11:4, 0 for our low tables) are checked by hand.
 */
static void test_short_directories(void **state)
{
	static const uint64_t ns_table[] = { 0, 0x9 }, valid[] = { 0, 0x1 };
	const struct ims_pt_cfg v7s = V7S_NS, sun = { .format = IMS_PT_SUN50I };
	const struct ims_pt_cfg exy = EXY, exy5 = EXY_V5, rk = RK, rk2 = RK_V2;
	struct ims_pt *pt;
	size_t mapped;
	uint64_t e;

	check_directories(&v7s, 0xfed45000, ns_table, PT_GENMASK(31, 10), 0);
	check_directories(&sun, 0xfed45000, valid, PT_GENMASK(31, 10), 0);
	check_directories(&exy, 0xfed45000, valid, PT_GENMASK(31, 6), 0);
	check_directories(&rk, 0xfed45000, valid, PT_GENMASK(31, 12), 0);
	check_directories(&rk2, 0xfed45000, valid, PT_GENMASK(31, 12), 0);
	assert_int_equal(ims_pt_create(&exy5, &pt), 0);
	assert_int_equal(ims_pt_map(pt, 0xfed45000, 0x12345000, KIB(4), 1, RW, &mapped), 0);
	e = pt_load(pt, (void *)(uintptr_t)ims_pt_root(pt), 0xfed);
	assert_int_equal(e, ((uintptr_t)table_at(pt, 0xfed45000, 0) >> 4) | 1);
	ims_pt_destroy(pt);
}

/* D8.3.1: a table descriptor is the address | 0b11, with NSTable (63) for non-secure tables. */
static void test_lpae_directories(void **state)
{
	static const uint64_t plain[] = { 0, 0x3, 0x3, 0x3 };
	static const uint64_t ns[] = { 0, 0x8000000000000003, 0x8000000000000003 };
	const struct ims_pt_cfg s1 = S1, s2 = S2, ipmmu = S1_IPMMU;

	check_directories(&s1, 0xfedcba987000, plain, PT_GENMASK(47, 12), 0);
	check_directories(&s2, 0xfedcba987000, plain, PT_GENMASK(47, 12), 0);
	check_directories(&ipmmu, 0xfedcb000, ns, PT_GENMASK(47, 12), 0);
}

/* DART: L1 entries and the TTBR set hold the next table's address | valid. */
static void test_dart_directories(void **state)
{
	static const uint64_t valid[] = { 0, 0x1, 0x1 };
	const struct ims_pt_cfg d1 = DART1_4K, d2 = DART2;

	check_directories(&d1, 0xc0345000, valid, PT_GENMASK(35, 12), 0);
	check_directories(&d2, 0xc0344000, valid, PT_GENMASK(37, 10), -4);
}

/* RISC-V 4.3.2: a valid PTE with R = W = X = 0 points at the next table; A, D, U clear. */
static void test_riscv_directories(void **state)
{
	static const uint64_t valid[] = { 0, 0x1, 0x1, 0x1, 0x1 };
	const struct ims_pt_cfg sv39 = RV39, sv57 = { .format = IMS_PT_RISCV, .levels = 5 };

	check_directories(&sv39, 0x7fedcba000, valid, PT_GENMASK(53, 10), -2);
	check_directories(&sv57, 0x01edcba987654000, valid, PT_GENMASK(53, 10), -2);
}

/*
 * D8.5 hardware dirty state: a DBM leaf is writable-dirty with AP[2] clear
 * (as the kernel maps it), read-and-clear sets AP[2] (writable-clean), a
 * device read leaves it and a device write clears AP[2] again.
 */
static void test_lpae_dbm(void **state)
{
	const struct ims_pt_cfg cfg = S1_DIRTY;
	const uint64_t ap2 = 1ull << 7, dirty = 0x0008000012345E43;
	struct ims_pt_xlate x;
	struct ims_pt *pt;
	size_t mapped;
	void *table;

	assert_int_equal(ims_pt_create(&cfg, &pt), 0);
	assert_int_equal(ims_pt_map(pt, 0x5000, 0x12345000, KIB(4), 1, RW, &mapped), 0);
	table = table_at(pt, 0x5000, 0);
	assert_int_equal(pt_load(pt, table, 5), dirty);
	assert_int_equal(ims_pt_read_and_clear_dirty(pt, 0, MIB(2), 0, ignore_dirty, NULL), 0);
	assert_int_equal(pt_load(pt, table, 5), dirty | ap2);
	assert_int_equal(ims_pt_translate(pt, 0x5008, IMS_PROT_READ, &x), 0);
	assert_int_equal(pt_load(pt, table, 5), dirty | ap2);
	assert_int_equal(x.prot, RW);
	assert_int_equal(ims_pt_translate(pt, 0x5008, IMS_PROT_WRITE, &x), 0);
	assert_int_equal(pt_load(pt, table, 5), dirty);
	ims_pt_destroy(pt);
}

/* A device write sets D: AMD bit 6 (HD), x86 bit 6, VT-d bit 9, RISC-V bit 7. */
static void test_dirty_bits(void **state)
{
	static const struct { enum ims_pt_format format; uint64_t d; } rows[] = {
		{ IMS_PT_AMD_V1, 1ull << 6 }, { IMS_PT_X86_64, 1ull << 6 }, { IMS_PT_VTD_SS, 1ull << 9 },
		{ IMS_PT_RISCV, 1ull << 7 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ims_pt_cfg cfg = { .format = rows[i].format, .features = IMS_PT_FEAT_DIRTY };
		struct ims_pt_xlate x;
		struct ims_pt *pt;
		size_t mapped;
		uint64_t before;
		void *table;

		assert_int_equal(ims_pt_create(&cfg, &pt), 0);
		assert_int_equal(ims_pt_map(pt, 0x5000, 0x12345000, KIB(4), 1, RW, &mapped), 0);
		table = table_at(pt, 0x5000, 0);
		before = pt_load(pt, table, 5);
		assert_int_equal(before & rows[i].d, 0);
		assert_int_equal(ims_pt_translate(pt, 0x5008, IMS_PROT_READ, &x), 0);
		assert_int_equal(pt_load(pt, table, 5), before);
		assert_int_equal(ims_pt_translate(pt, 0x5008, IMS_PROT_WRITE, &x), 0);
		assert_int_equal(pt_load(pt, table, 5), before | rows[i].d);
		ims_pt_destroy(pt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amdv1_leaves),
		cmocka_unit_test(test_amdv1_mock_leaves),
		cmocka_unit_test(test_x86_64_leaves),
		cmocka_unit_test(test_vtdss_leaves),
		cmocka_unit_test(test_v7s_leaves),
		cmocka_unit_test(test_mtk_v1_leaves),
		cmocka_unit_test(test_exynos_leaves),
		cmocka_unit_test(test_rockchip_leaves),
		cmocka_unit_test(test_sun50i_leaves),
		cmocka_unit_test(test_short_directories),
		cmocka_unit_test(test_amdv1_directories),
		cmocka_unit_test(test_x86_directories),
		cmocka_unit_test(test_dirty_bits),
		cmocka_unit_test(test_s390_leaves),
		cmocka_unit_test(test_sprd_leaves),
		cmocka_unit_test(test_gart_leaves),
		cmocka_unit_test(test_tegra_smmu_leaves),
		cmocka_unit_test(test_omap_leaves),
		cmocka_unit_test(test_s390_directories),
		cmocka_unit_test(test_s390_tables_start_invalid),
		cmocka_unit_test(test_32bit_directories),
		cmocka_unit_test(test_lpae_s1_leaves),
		cmocka_unit_test(test_lpae_s2_leaves),
		cmocka_unit_test(test_dart_leaves),
		cmocka_unit_test(test_lpae_directories),
		cmocka_unit_test(test_dart_directories),
		cmocka_unit_test(test_lpae_dbm),
		cmocka_unit_test(test_riscv_leaves),
		cmocka_unit_test(test_riscv_directories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
