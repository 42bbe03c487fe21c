// SPDX-License-Identifier: MIT
/*
 * Map, unmap and translate through the core (kernel-semantics 2.8, 7 items
 * 8-10): the page-size splitting of iommu_pgsize with bitmaps 4K|2M|1G and
 * 2K|4K|1M from unaligned starts, unwinding a partial failure, unmap's byte
 * counts (with the mock's real AMD v1 table), and iova_to_phys for paging, blocked and identity domains.
 */
#include "core_fixture.h"

#define SZ_2K (1ull << 11)
#define SZ_4K (1ull << 12)
#define SZ_1M (1ull << 20)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)

struct run {
	uint64_t iova;
	size_t pgsize, count;
};

/* Replay the core's split and collect the runs it would hand a driver. */
static size_t split(uint64_t bitmap, uint64_t iova, uint64_t pa, size_t size,
		    struct run *runs, size_t max)
{
	size_t n = 0;

	while (size) {
		size_t count, pg = ims_iommu_pgsize(bitmap, iova, pa, size, &count);

		assert_true(n < max);
		assert_true(pg && count);
		runs[n++] = (struct run){ iova, pg, count };
		iova += pg * count;
		pa += pg * count;
		size -= pg * count;
	}
	return n;
}

static void test_split_4k_2m_1g(void **state)
{
	const uint64_t bm = SZ_4K | SZ_2M | SZ_1G;
	struct run r[8];
	size_t n;

	(void)state;
	/* Starts 4K below a 2M boundary, runs through a whole 1G page. */
	n = split(bm, SZ_1G - SZ_2M - SZ_4K, SZ_1G - SZ_2M - SZ_4K,
		  SZ_4K + SZ_2M + SZ_1G + SZ_2M + SZ_4K, r, 8);
	assert_int_equal(n, 5);
	assert_int_equal(r[0].pgsize, SZ_4K); assert_int_equal(r[0].count, 1);
	assert_int_equal(r[1].pgsize, SZ_2M); assert_int_equal(r[1].count, 1);
	assert_int_equal(r[2].pgsize, SZ_1G); assert_int_equal(r[2].count, 1);
	assert_int_equal(r[3].pgsize, SZ_2M); assert_int_equal(r[3].count, 1);
	assert_int_equal(r[4].pgsize, SZ_4K); assert_int_equal(r[4].count, 1);
	/* iova and pa offset differently inside 2M: 4K pages only. */
	n = split(bm, SZ_2M, SZ_2M + SZ_4K, 2 * SZ_2M, r, 8);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].pgsize, SZ_4K);
	assert_int_equal(r[0].count, 1024);
	/* Too short for the next size: stay small, no early cut. */
	n = split(bm, SZ_4K, SZ_4K, SZ_2M + SZ_4K, r, 8);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].count, 513);
}

static void test_split_2k_4k_1m(void **state)
{
	const uint64_t bm = SZ_2K | SZ_4K | SZ_1M;
	struct run r[8];
	size_t n;

	(void)state;
	n = split(bm, SZ_1M - SZ_4K - SZ_2K, 0x40000000 - SZ_4K - SZ_2K,
		  SZ_2K + SZ_4K + SZ_1M + SZ_2K, r, 8);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].pgsize, SZ_2K); assert_int_equal(r[0].count, 1);
	assert_int_equal(r[1].pgsize, SZ_4K); assert_int_equal(r[1].count, 1);
	assert_int_equal(r[2].pgsize, SZ_1M); assert_int_equal(r[2].count, 1);
	assert_int_equal(r[3].pgsize, SZ_2K); assert_int_equal(r[3].count, 1);
	/* Both zero: any size goes. */
	n = split(bm, 0, 0, 3 * SZ_1M, r, 8);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].pgsize, SZ_1M);
	assert_int_equal(r[0].count, 3);
}

struct map_fx {
	struct fx *fx;
	struct ims_device *dev;
	struct ims_domain *domain;
};

static struct map_fx map_setup(uint64_t bitmap)
{
	struct ims_core_config cfg = { .profile = IMS_PROFILE_UPSTREAM, .strict = true };
	struct ims_mock_iommu_cfg icfg = { .pgsize_bitmap = bitmap };
	struct map_fx m;

	m.fx = fx_new_cfg(&cfg, &icfg);
	m.dev = fx_add(m.fx, "dev", m.fx->m1, NULL);
	assert_int_equal(ims_core_probe_finish(m.fx->core), 0);
	m.domain = ims_paging_domain_alloc(m.dev, 0);
	assert_false(IS_ERR(m.domain));
	assert_int_equal(m.domain->pgsize_bitmap, bitmap);
	return m;
}

static void map_teardown(struct map_fx *m)
{
	ims_domain_free(m->domain);
	fx_free(m->fx);
}

/* Count the leaves backing [iova, iova+size) by asking each smallest page. */
static uint64_t mapped_in(struct ims_domain *d, uint64_t iova, uint64_t size, uint64_t step)
{
	uint64_t n = 0;

	for (uint64_t a = iova; a < iova + size; a += step)
		n += ims_iommu_iova_to_phys(d, a) != 0;
	return n * step;
}

/* 7.8: alignment to the smallest page, largest pages, unwind on failure. */
static void test_map_rules(void **state)
{
	struct map_fx m = map_setup(SZ_4K | SZ_2M | SZ_1G);
	const uint64_t pa = 0x4000000000ull;

	(void)state;
	assert_int_equal(ims_iommu_map(m.domain, 0x1001, pa, SZ_4K, IMS_PROT_READ), -EINVAL);
	assert_int_equal(ims_iommu_map(m.domain, 0x1000, pa + 8, SZ_4K, IMS_PROT_READ), -EINVAL);
	assert_int_equal(ims_iommu_map(m.domain, 0x1000, pa, 100, IMS_PROT_READ), -EINVAL);
	assert_int_equal(ims_iommu_map(m.domain, 0x1000, pa, 0, IMS_PROT_READ), 0);
	assert_int_equal(m.domain->mapped_bytes, 0);
	/* A page in the way: the later run fails, the earlier runs are undone. */
	assert_int_equal(ims_iommu_map(m.domain, 4 * SZ_2M, pa, SZ_4K, IMS_PROT_READ), 0);
	assert_int_equal(ims_iommu_map(m.domain, 2 * SZ_2M, pa + SZ_2M, 2 * SZ_2M + SZ_4K,
				       IMS_PROT_READ | IMS_PROT_WRITE), -EEXIST);
	assert_int_equal(mapped_in(m.domain, 2 * SZ_2M, 2 * SZ_2M, SZ_4K), 0);
	assert_int_equal(ims_iommu_iova_to_phys(m.domain, 4 * SZ_2M), pa);
	assert_int_equal(m.domain->mapped_bytes, SZ_4K);
	/* Beyond the aperture (48 bits): the driver's ERANGE, nothing mapped. */
	assert_int_equal(ims_iommu_map(m.domain, (1ull << 48) - SZ_4K, pa, 2 * SZ_4K,
				       IMS_PROT_READ), -ERANGE);
	assert_int_equal(ims_iommu_iova_to_phys(m.domain, (1ull << 48) - SZ_4K), 0);
	/* Overflowing iova + size: refused by the format, no change. */
	assert_int_not_equal(ims_iommu_map(m.domain, UINT64_MAX - SZ_4K + 1, pa, 2 * SZ_4K,
					   IMS_PROT_READ), 0);
	assert_int_equal(m.domain->mapped_bytes, SZ_4K);
	map_teardown(&m);
}

/* 7.9: unmap returns bytes; 0 when misaligned; stops at a hole; may exceed. */
static void test_unmap_rules(void **state)
{
	struct map_fx m = map_setup(SZ_4K | SZ_2M | SZ_1G);
	const uint64_t pa = 0x4000000000ull;

	(void)state;
	assert_int_equal(ims_iommu_map(m.domain, SZ_1G, pa, SZ_2M, IMS_PROT_READ), 0);
	assert_int_equal(ims_iommu_iova_to_phys(m.domain, SZ_1G + 0x1234), pa + 0x1234);
	/*
	 * The mock's AMD v1 table (docs/pt.md, as generic_pt): a request that
	 * starts inside the 2M leaf removes nothing; one that starts at it
	 * removes the whole leaf, more than asked.
	 */
	assert_int_equal(ims_iommu_unmap(m.domain, SZ_1G + SZ_4K, SZ_4K), 0);
	assert_int_equal(ims_iommu_iova_to_phys(m.domain, SZ_1G + SZ_4K), pa + SZ_4K);
	assert_int_equal(ims_iommu_unmap(m.domain, SZ_1G, SZ_4K), SZ_2M);
	assert_int_equal(ims_iommu_iova_to_phys(m.domain, SZ_1G), 0);
	assert_int_equal(ims_iommu_map(m.domain, 0, pa, 3 * SZ_4K, IMS_PROT_READ), 0);
	assert_int_equal(ims_iommu_map(m.domain, 4 * SZ_4K, pa, SZ_4K, IMS_PROT_READ), 0);
	assert_int_equal(ims_iommu_unmap(m.domain, SZ_4K + 1, SZ_4K), 0);
	assert_int_equal(ims_iommu_unmap(m.domain, SZ_4K, 3), 0);
	/* Stops at the hole at 3*4K; the page after it survives. */
	assert_int_equal(ims_iommu_unmap(m.domain, 0, 5 * SZ_4K), 3 * SZ_4K);
	assert_int_equal(ims_iommu_iova_to_phys(m.domain, 4 * SZ_4K), pa);
	assert_int_equal(ims_iommu_unmap(m.domain, 0, SZ_4K), 0);
	assert_int_equal(ims_iommu_unmap(m.domain, 4 * SZ_4K, SZ_4K), SZ_4K);
	assert_int_equal(ims_iommu_unmap(NULL, 0, SZ_4K), 0);
	assert_int_equal(m.domain->mapped_bytes, 0);
	map_teardown(&m);
}

/* 2K pages: the iommufd selftest mock's granule. */
static void test_map_2k(void **state)
{
	struct map_fx m = map_setup(SZ_2K | SZ_4K | SZ_1M);
	const uint64_t pa = 0x7f0000000000ull;

	(void)state;
	assert_int_equal(ims_iommu_map(m.domain, SZ_1M - SZ_2K, pa + SZ_1M - SZ_2K,
				       SZ_2K + SZ_1M + SZ_2K, IMS_PROT_WRITE), 0);
	assert_int_equal(ims_iommu_iova_to_phys(m.domain, SZ_1M + 0x10), pa + SZ_1M + 0x10);
	assert_int_equal(ims_iommu_iova_to_phys(m.domain, SZ_1M - SZ_2K), pa + SZ_1M - SZ_2K);
	assert_int_equal(ims_iommu_map(m.domain, SZ_2K / 2, pa, SZ_2K, IMS_PROT_WRITE), -EINVAL);
	assert_int_equal(ims_iommu_unmap(m.domain, SZ_1M - SZ_2K, SZ_2K + SZ_1M + SZ_2K),
			 SZ_2K + SZ_1M + SZ_2K);
	map_teardown(&m);
}

/* 7.10: 0 for unmapped and blocked, identity for identity. */
static void test_iova_to_phys(void **state)
{
	struct ims_core_config cfg = { .profile = IMS_PROFILE_UPSTREAM, .passthrough = true };
	struct fx *fx = fx_new_cfg(&cfg, NULL);
	struct ims_group *g = fx_add_probed(fx, "a", fx->m0);
	struct ims_domain *domain;

	(void)state;
	assert_int_equal(g->default_domain->type, IMS_DOMAIN_IDENTITY);
	assert_int_equal(ims_iommu_iova_to_phys(g->default_domain, 0x1234000), 0x1234000);
	assert_int_equal(ims_group_claim_dma_owner(g, fx), 0);
	assert_int_equal(g->domain->type, IMS_DOMAIN_BLOCKED);
	assert_int_equal(ims_iommu_iova_to_phys(g->domain, 0x1234000), 0);
	assert_int_equal(ims_iommu_map(g->domain, 0, 0x1000, 0x1000, IMS_PROT_READ), -EINVAL);
	assert_int_equal(ims_iommu_unmap(g->domain, 0, 0x1000), 0);
	domain = ims_paging_domain_alloc(ims_group_first_device(g), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x1234000), 0);
	ims_group_release_dma_owner(g);
	ims_domain_free(domain);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_4k_2m_1g),
		cmocka_unit_test(test_split_2k_4k_1m),
		cmocka_unit_test(test_map_rules),
		cmocka_unit_test(test_unmap_rules),
		cmocka_unit_test(test_map_2k),
		cmocka_unit_test(test_iova_to_phys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
