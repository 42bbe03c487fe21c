// SPDX-License-Identifier: MIT
/*
 * Shared page-table test helpers (see pt_test.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt_test.h"

#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)
#define SZ_32M (1ull << 25)
#define SZ_512M (1ull << 29)
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

const struct pt_test_cfg pt_test_cfgs[] = {
	{ "amd-v1 4 levels", { .format = IMS_PT_AMD_V1 }, SZ_1G, false },
	{ "amd-v1 3 levels ias 32", { .format = IMS_PT_AMD_V1, .levels = 3, .ias = 32 }, SZ_1G,
	  true },
	{ "amd-v1 1 level", { .format = IMS_PT_AMD_V1, .levels = 1 }, 1ull << 20, false },
	{ "amd-v1 2 levels", { .format = IMS_PT_AMD_V1, .levels = 2 }, 1ull << 29, false },
	{ "amd-v1 6 levels dirty",
	  { .format = IMS_PT_AMD_V1, .levels = 6, .features = IMS_PT_FEAT_DIRTY }, SZ_1G, true },
	{ "amd-v1 4K+2M", { .format = IMS_PT_AMD_V1, .pgsize_bitmap = SZ_4K | SZ_2M }, SZ_2M,
	  false },
	{ "amd-v1 mock 2K", { .format = IMS_PT_AMD_V1, .granule_lg2 = 11 }, 1ull << 29, false },
	{ "amd-v1 mock 2K 5 levels",
	  { .format = IMS_PT_AMD_V1, .granule_lg2 = 11, .levels = 5, .features = IMS_PT_FEAT_DIRTY },
	  1ull << 29, true },
	{ "x86-64 4 levels", { .format = IMS_PT_X86_64 }, SZ_1G, false },
	{ "x86-64 5 levels", { .format = IMS_PT_X86_64, .levels = 5 }, SZ_1G, true },
	{ "vtd-ss 3 levels", { .format = IMS_PT_VTD_SS, .levels = 3 }, SZ_1G, true },
	{ "vtd-ss 4 levels dirty snoop",
	  { .format = IMS_PT_VTD_SS, .features = IMS_PT_FEAT_DIRTY | IMS_PT_FEAT_SNOOP }, SZ_1G,
	  false },
	{ "vtd-ss 5 levels", { .format = IMS_PT_VTD_SS, .levels = 5 }, SZ_1G, true },
	{ "s390 3 levels (RTTO)", { .format = IMS_PT_S390 }, SZ_4K, true },
	{ "s390 4 levels (RSTO)", { .format = IMS_PT_S390, .levels = 4 }, SZ_4K, false },
	{ "s390 5 levels (RFTO)", { .format = IMS_PT_S390, .levels = 5 }, SZ_4K, true },
	{ "sprd 256M (quarters)", { .format = IMS_PT_SPRD }, SZ_4K, false },
	{ "sprd 64M flat oas 32", { .format = IMS_PT_SPRD, .ias = 26, .oas = 32 }, SZ_4K, true },
	{ "tegra-gart 32M", { .format = IMS_PT_TEGRA_GART }, SZ_4K, false },
	{ "tegra-smmu 32-bit", { .format = IMS_PT_TEGRA_SMMU }, SZ_4K, true },
	{ "tegra-smmu 34-bit", { .format = IMS_PT_TEGRA_SMMU, .oas = 34 }, SZ_4K, false },
	{ "omap", { .format = IMS_PT_OMAP }, 1ull << 24, false },
	{ "arm-v7s", { .format = IMS_PT_ARM_V7S }, 1ull << 24, false },
	{ "arm-v7s ns", { .format = IMS_PT_ARM_V7S, .features = IMS_PT_FEAT_NS }, 1ull << 24, true },
	{ "arm-v7s mtk 34-bit iova",
	  { .format = IMS_PT_ARM_V7S, .ias = 34, .features = IMS_PT_FEAT_MTK_EXT | IMS_PT_FEAT_NS },
	  1ull << 24, true },
	{ "arm-v7s mtk 4GB mode", { .format = IMS_PT_ARM_V7S, .oas = 33, .features = IMS_PT_FEAT_MTK_EXT },
	  1ull << 24, false },
	{ "mtk-v1", { .format = IMS_PT_MTK_V1 }, SZ_4K, true },
	{ "exynos", { .format = IMS_PT_EXYNOS }, 1ull << 20, false },
	{ "exynos v5", { .format = IMS_PT_EXYNOS, .features = IMS_PT_FEAT_V2_LAYOUT }, 1ull << 20,
	  true },
	{ "rockchip v1", { .format = IMS_PT_ROCKCHIP }, SZ_4K, false },
	{ "rockchip v2", { .format = IMS_PT_ROCKCHIP, .features = IMS_PT_FEAT_V2_LAYOUT }, SZ_4K,
	  true },
	{ "sun50i", { .format = IMS_PT_SUN50I }, SZ_4K, true },
	{ "arm-lpae-s1 4K", { .format = IMS_PT_ARM_LPAE_S1 }, SZ_1G, false },
	{ "arm-lpae-s1 4K ias 32 dirty",
	  { .format = IMS_PT_ARM_LPAE_S1, .ias = 32, .features = IMS_PT_FEAT_DIRTY }, SZ_1G, true },
	{ "arm-lpae-s1 32-bit ns (ipmmu)",
	  { .format = IMS_PT_ARM_LPAE_S1, .ias = 32, .oas = 40, .features = IMS_PT_FEAT_NS },
	  SZ_1G, false },
	{ "arm-lpae-s1 16K", { .format = IMS_PT_ARM_LPAE_S1, .granule_lg2 = 14 }, SZ_32M, false },
	{ "arm-lpae-s1 64K 52-bit dirty",
	  { .format = IMS_PT_ARM_LPAE_S1, .granule_lg2 = 16, .ias = 52, .oas = 52,
	    .features = IMS_PT_FEAT_DIRTY }, SZ_512M, true },
	{ "arm-lpae-s2 4K", { .format = IMS_PT_ARM_LPAE_S2 }, SZ_1G, true },
	{ "arm-lpae-s2 4K 40-bit concatenated",
	  { .format = IMS_PT_ARM_LPAE_S2, .ias = 40, .oas = 40 }, SZ_1G, true },
	{ "arm-lpae-s2 16K 40-bit 16 concatenated",
	  { .format = IMS_PT_ARM_LPAE_S2, .granule_lg2 = 14, .ias = 40, .oas = 40 }, SZ_32M, false },
	{ "arm-lpae-s2 64K", { .format = IMS_PT_ARM_LPAE_S2, .granule_lg2 = 16 }, SZ_512M, false },
	{ "apple-dart 16K (t8103)", { .format = IMS_PT_APPLE_DART }, 1ull << 14, false },
	{ "apple-dart 4K, 4 TTBRs", { .format = IMS_PT_APPLE_DART, .granule_lg2 = 12 }, SZ_4K, true },
	{ "apple-dart2 16K (t6000)",
	  { .format = IMS_PT_APPLE_DART, .features = IMS_PT_FEAT_V2_LAYOUT }, 1ull << 14, true },
	{ "riscv sv39", { .format = IMS_PT_RISCV }, SZ_1G, false },
	{ "riscv sv48 dirty", { .format = IMS_PT_RISCV, .levels = 4, .features = IMS_PT_FEAT_DIRTY },
	  SZ_1G, true },
	{ "riscv sv57 4K+2M", { .format = IMS_PT_RISCV, .levels = 5, .pgsize_bitmap = SZ_4K | SZ_2M },
	  SZ_2M, false },
};
const size_t pt_test_nr_cfgs = sizeof(pt_test_cfgs) / sizeof(pt_test_cfgs[0]);

int pt_test_run_per_cfg(const char *group, void (*fn)(void **state))
{
	struct CMUnitTest *tests = calloc(pt_test_nr_cfgs, sizeof(*tests));
	int ret;

	assert_non_null(tests);
	for (size_t i = 0; i < pt_test_nr_cfgs; i++)
		tests[i] = (struct CMUnitTest){ .name = pt_test_cfgs[i].name,
						.test_func = fn,
						.initial_state = (void *)&pt_test_cfgs[i] };
	ret = _cmocka_run_group_tests(group, tests, pt_test_nr_cfgs, NULL, NULL);
	free(tests);
	return ret;
}

int pt_test_expect_prot(const struct ims_pt_cfg *cfg, int prot)
{
	switch (cfg->format) {
	case IMS_PT_AMD_V1:
		return prot & (IMS_PROT_READ | IMS_PROT_WRITE | IMS_PROT_CACHE);
	case IMS_PT_X86_64:
		/* x86 cannot express write-only; our leaves are user, no XD/PCD here */
		return IMS_PROT_READ | (prot & IMS_PROT_WRITE);
	case IMS_PT_VTD_SS:
		return (prot & (IMS_PROT_READ | IMS_PROT_WRITE)) |
		       (cfg->features & IMS_PT_FEAT_SNOOP ? prot & IMS_PROT_CACHE : 0);
	case IMS_PT_S390:
		/* only write protection: a write-only page is read-write */
		return IMS_PROT_READ | (prot & IMS_PROT_WRITE);
	case IMS_PT_TEGRA_SMMU:
		return prot & (IMS_PROT_READ | IMS_PROT_WRITE);
	case IMS_PT_SPRD:
	case IMS_PT_TEGRA_GART:
	case IMS_PT_OMAP:
		/* no permission bits */
		return IMS_PROT_READ | IMS_PROT_WRITE;
	case IMS_PT_ARM_V7S: {
		/* reads are always allowed; MMIO wins over CACHE; MediaTek has no permission bits */
		int attrs = prot & IMS_PROT_MMIO ? IMS_PROT_MMIO : prot & IMS_PROT_CACHE;

		if (cfg->features & IMS_PT_FEAT_MTK_EXT)
			return IMS_PROT_READ | IMS_PROT_WRITE | attrs;
		return IMS_PROT_READ | attrs |
		       (prot & (IMS_PROT_WRITE | IMS_PROT_NOEXEC | IMS_PROT_PRIV));
	}
	case IMS_PT_MTK_V1:
		return IMS_PROT_READ | IMS_PROT_WRITE;
	case IMS_PT_EXYNOS:
		/* before v5, write-only is served as read-write */
		if (cfg->features & IMS_PT_FEAT_V2_LAYOUT)
			return prot & (IMS_PROT_READ | IMS_PROT_WRITE);
		return IMS_PROT_READ | (prot & IMS_PROT_WRITE);
	case IMS_PT_ROCKCHIP:
	case IMS_PT_SUN50I:
		return prot & (IMS_PROT_READ | IMS_PROT_WRITE);
	case IMS_PT_ARM_LPAE_S1:
		/* AP[2:1] cannot express write-only; unprivileged access unless PRIV */
		return IMS_PROT_READ | (prot & (IMS_PROT_WRITE | IMS_PROT_CACHE | IMS_PROT_NOEXEC |
						IMS_PROT_PRIV | IMS_PROT_MMIO));
	case IMS_PT_ARM_LPAE_S2:
		return prot & (RW | IMS_PROT_CACHE | IMS_PROT_NOEXEC | IMS_PROT_MMIO);
	case IMS_PT_APPLE_DART:
		/* the kernel sets bit 1 in every page: DART2's no-cache */
		return prot & RW;
	case IMS_PT_RISCV:
		/* always R, never X; U unless PRIV; PBMT = IO for MMIO */
		return IMS_PROT_READ | IMS_PROT_NOEXEC |
		       (prot & (IMS_PROT_WRITE | IMS_PROT_PRIV | IMS_PROT_MMIO));
	default:
		fail_msg("no prot rule for format %d", cfg->format);
		return 0;
	}
}

uint64_t pt_test_split_sizes(const struct ims_pt_cfg *cfg)
{
	uint64_t sizes = 0;

	if (cfg->format != IMS_PT_ARM_LPAE_S1 && cfg->format != IMS_PT_ARM_LPAE_S2)
		return 0;
	for (unsigned int s = cfg->granule_lg2; s < 64; s += cfg->granule_lg2 - 3)
		sizes |= 1ull << s;
	return sizes;
}

bool pt_test_starts_dirty(const struct ims_pt_cfg *cfg)
{
	return cfg->format == IMS_PT_ARM_LPAE_S1 && (cfg->features & IMS_PT_FEAT_DIRTY);
}

uint64_t pt_test_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

uint64_t pt_test_seed(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 0x100000001b3ull;
	return h ? h : 1;
}

void pt_ref_init(struct pt_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
}

void pt_ref_destroy(struct pt_ref *ref)
{
	free(ref->leaves);
	pt_ref_init(ref);
}

size_t pt_ref_find(const struct pt_ref *ref, uint64_t iova)
{
	size_t lo = 0, hi = ref->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pt_ref_leaf *l = &ref->leaves[mid];

		if (l->iova + (l->size - 1) < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool pt_ref_overlaps(const struct pt_ref *ref, uint64_t iova, uint64_t last)
{
	size_t i = pt_ref_find(ref, iova);

	return i < ref->nr && ref->leaves[i].iova <= last;
}

void pt_ref_insert(struct pt_ref *ref, const struct pt_ref_leaf *leaf)
{
	size_t i = pt_ref_find(ref, leaf->iova);

	if (ref->nr == ref->cap) {
		ref->cap = ref->cap ? 2 * ref->cap : 256;
		ref->leaves = realloc(ref->leaves, ref->cap * sizeof(*ref->leaves));
		assert_non_null(ref->leaves);
	}
	memmove(&ref->leaves[i + 1], &ref->leaves[i], (ref->nr - i) * sizeof(*ref->leaves));
	ref->leaves[i] = *leaf;
	ref->nr++;
}

void pt_ref_remove(struct pt_ref *ref, size_t index)
{
	memmove(&ref->leaves[index], &ref->leaves[index + 1],
		(ref->nr - index - 1) * sizeof(*ref->leaves));
	ref->nr--;
}

int pt_ref_map(struct pt_ref *ref, uint64_t iova, uint64_t pa, uint64_t pgsize, size_t count,
	       int prot, size_t *mapped)
{
	*mapped = 0;
	for (size_t k = 0; k < count; k++) {
		struct pt_ref_leaf leaf = { iova + k * pgsize, pa + k * pgsize, pgsize, prot };

		if (pt_ref_overlaps(ref, leaf.iova, leaf.iova + (pgsize - 1)))
			return -EEXIST;
		pt_ref_insert(ref, &leaf);
		*mapped += pgsize;
	}
	return 0;
}

/* Cut leaf @index into leaves of the next smaller item size (ARM LPAE's split). */
static void pt_ref_split(struct pt_ref *ref, size_t index)
{
	struct pt_ref_leaf leaf = ref->leaves[index];
	uint64_t smaller = ref->split_sizes & (leaf.size - 1);
	uint64_t piece = 1ull << (63 - __builtin_clzll(smaller));

	pt_ref_remove(ref, index);
	for (uint64_t off = 0; off < leaf.size; off += piece) {
		struct pt_ref_leaf p = { leaf.iova + off, leaf.pa + off, piece, leaf.prot };

		pt_ref_insert(ref, &p);
	}
	ref->nr_splits++;
}

uint64_t pt_ref_unmap(struct pt_ref *ref, uint64_t iova, uint64_t pgsize, size_t count)
{
	uint64_t last = iova + (pgsize * count - 1), cur = iova, unmapped = 0;

	while (cur <= last) {
		size_t i = pt_ref_find(ref, cur);
		const struct pt_ref_leaf *leaf;
		uint64_t size;

		if (i == ref->nr || ref->leaves[i].iova > cur)
			break; /* a hole */
		leaf = &ref->leaves[i];
		if (ref->split_sizes && (leaf->iova != cur || leaf->size - 1 > last - cur)) {
			pt_ref_split(ref, i);
			continue;
		}
		if (leaf->iova != cur)
			break; /* the request starts inside a leaf */
		size = ref->leaves[i].size;
		pt_ref_remove(ref, i);
		unmapped += size;
		cur += size;
		if (!cur)
			break;
	}
	return unmapped;
}

struct check_ctx {
	const struct pt_ref *ref;
	size_t next;
	size_t seen;
};

static int check_leaf(void *arg, uint64_t iova, uint64_t pa, uint64_t size, int prot,
		      unsigned int level)
{
	struct check_ctx *c = arg;
	const struct pt_ref_leaf *want;

	if (c->next >= c->ref->nr)
		fail_msg("table has an extra leaf at %#llx size %#llx", (unsigned long long)iova,
			 (unsigned long long)size);
	want = &c->ref->leaves[c->next++];
	if (want->iova != iova || want->size != size || want->pa != pa || want->prot != prot)
		fail_msg("leaf at %#llx size %#llx pa %#llx prot %#x, model has %#llx size %#llx "
			 "pa %#llx prot %#x",
			 (unsigned long long)iova, (unsigned long long)size, (unsigned long long)pa,
			 prot, (unsigned long long)want->iova, (unsigned long long)want->size,
			 (unsigned long long)want->pa, want->prot);
	c->seen++;
	return 0;
}

void pt_ref_check(const struct pt_ref *ref, const struct ims_pt *pt, uint64_t iova,
		  uint64_t last)
{
	struct check_ctx c = { .ref = ref, .next = pt_ref_find(ref, iova) };
	size_t end = pt_ref_find(ref, last);

	if (end < ref->nr && ref->leaves[end].iova <= last)
		end++;
	assert_int_equal(ims_pt_walk(pt, iova, last - iova + 1, check_leaf, &c), 0);
	assert_int_equal(c.next, end);
}
