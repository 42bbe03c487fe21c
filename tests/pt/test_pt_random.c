// SPDX-License-Identifier: MIT
/*
 * Randomized map/unmap sequences against the reference model, for every
 * format configuration in pt_test_cfgs[] (one cmocka case each).
 *
 * Operations cluster around a few anchors of an IOVA window so that maps
 * collide (EEXIST), unmaps hit holes, start inside large leaves or remove
 * a large leaf with a small request (or, for formats that split, cut it).
 * After every operation its result must equal the model's and the table's
 * leaves around it must equal the model's leaves; the whole window is
 * compared every 128 operations.  At the end every leaf is unmapped, the
 * table must be empty, and after destroy no table memory may be left in use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pt_test.h"

#define NR_OPS 4000
#define WINDOW_MAX (16ull << 30)

struct rnd {
	const struct pt_test_cfg *tc;
	struct ims_pt *pt;
	struct pt_ref ref;
	uint64_t seed;
	uint64_t base, last;     /* the IOVA window */
	uint64_t pa_mask;        /* random PAs: the lower half of the output space, so that a
				  * run never passes its end, and below 2^40 */
	uint64_t sizes[64];
	unsigned int nr_sizes;
	unsigned int nr_eexist, nr_map_ok, nr_inside, nr_whole_large, nr_hole;
};

static void rnd_setup(struct rnd *r, const struct pt_test_cfg *tc, uint64_t seed)
{
	const struct ims_pt_cfg *cfg;
	uint64_t window;

	*r = (struct rnd){ .tc = tc, .seed = seed };
	assert_int_equal(ims_pt_create(&tc->cfg, &r->pt), 0);
	cfg = ims_pt_config(r->pt);
	for (unsigned int s = 0; s < 64; s++)
		if ((cfg->pgsize_bitmap & (1ull << s)) && (1ull << s) <= tc->max_test_pgsize)
			r->sizes[r->nr_sizes++] = 1ull << s;
	assert_true(r->nr_sizes > 0);
	window = cfg->ias >= 34 ? WINDOW_MAX : 1ull << cfg->ias;
	r->base = tc->window_at_top ? (cfg->ias >= 64 ? 0 : 1ull << cfg->ias) - window : 0;
	r->last = r->base + (window - 1);
	r->pa_mask = (1ull << (IMS_TEST_MIN(cfg->oas, 41u) - 1)) - 1;
	pt_ref_init(&r->ref);
	r->ref.split_sizes = pt_test_split_sizes(cfg);
}

static uint64_t rnd_below(struct rnd *r, uint64_t n)
{
	return pt_test_rand(&r->seed) % n;
}

/* Mostly the smallest size, so that tables fill up and large leaves collide. */
static uint64_t pick_size(struct rnd *r)
{
	if (rnd_below(r, 10) < 5)
		return r->sizes[0];
	return r->sizes[rnd_below(r, r->nr_sizes)];
}

/* An aligned IOVA near one of four anchors, with room for @count leaves. */
static bool pick_iova(struct rnd *r, uint64_t pgsize, size_t count, uint64_t *iova)
{
	uint64_t quarter = (r->last - r->base + 1) / 4;
	uint64_t anchor = (r->base + rnd_below(r, 4) * quarter) & ~(pgsize - 1);
	uint64_t span = IMS_TEST_MAX(pgsize * 16, 8ull << 20);

	if (span > quarter)
		span = quarter >= pgsize ? quarter : pgsize;
	*iova = anchor + rnd_below(r, span / pgsize) * pgsize;
	return pgsize * count - 1 <= r->last - *iova;
}

static int random_prot(struct rnd *r)
{
	static const int prots[] = {
		IMS_PROT_READ, IMS_PROT_WRITE, IMS_PROT_READ | IMS_PROT_WRITE,
		IMS_PROT_READ | IMS_PROT_WRITE | IMS_PROT_CACHE,
	};

	return prots[rnd_below(r, 4)];
}

static void check_around(struct rnd *r, uint64_t iova, uint64_t last)
{
	uint64_t big = r->sizes[r->nr_sizes - 1];
	uint64_t lo = iova & ~(big - 1), hi = last | (big - 1);

	pt_ref_check(&r->ref, r->pt, IMS_TEST_MAX(lo, r->base), hi < r->last ? hi : r->last);
}

static void op_map(struct rnd *r)
{
	uint64_t pgsize = pick_size(r), iova;
	size_t count = 1 + rnd_below(r, pgsize == r->sizes[0] ? 48 : 3);
	uint64_t pa = (pt_test_rand(&r->seed) & r->pa_mask) & ~(pgsize - 1);
	size_t mapped, want_mapped;
	int prot = random_prot(r), ret, want;

	if (!pick_iova(r, pgsize, count, &iova))
		return;
	want = pt_ref_map(&r->ref, iova, pa, pgsize, count,
			  pt_test_expect_prot(&r->tc->cfg, prot), &want_mapped);
	ret = ims_pt_map(r->pt, iova, pa, pgsize, count, prot, &mapped);
	assert_int_equal(ret, want);
	assert_int_equal(mapped, want_mapped);
	r->nr_eexist += ret == -EEXIST;
	r->nr_map_ok += ret == 0;
	check_around(r, iova, iova + (pgsize * count - 1));
}

/* Aim at a leaf of the model half of the time (its start, or inside it). */
static bool pick_unmap(struct rnd *r, uint64_t *iova, uint64_t *pgsize, size_t *count)
{
	*pgsize = pick_size(r);
	*count = 1 + rnd_below(r, *pgsize == r->sizes[0] ? 64 : 4);
	if (r->ref.nr && rnd_below(r, 2)) {
		const struct pt_ref_leaf *leaf = &r->ref.leaves[rnd_below(r, r->ref.nr)];

		*iova = leaf->iova;
		if (*pgsize < leaf->size && rnd_below(r, 4) == 0)
			*iova += rnd_below(r, leaf->size / *pgsize) * *pgsize;
		if (*iova & (*pgsize - 1))
			*pgsize = r->sizes[0];
		return *pgsize * *count - 1 <= r->last - *iova;
	}
	return pick_iova(r, *pgsize, *count, iova);
}

static void op_unmap(struct rnd *r)
{
	struct ims_pt_gather g;
	uint64_t iova, pgsize, want;
	size_t count, got;

	if (!pick_unmap(r, &iova, &pgsize, &count))
		return;
	ims_pt_gather_init(&g);
	want = pt_ref_unmap(&r->ref, iova, pgsize, count);
	got = ims_pt_unmap(r->pt, iova, pgsize, count, &g);
	assert_int_equal(got, want);
	if (got) {
		assert_int_equal(g.start, iova);
		assert_int_equal(g.last, iova + (got - 1));
	}
	r->nr_whole_large += got > pgsize * count;
	r->nr_hole += !got && !pt_ref_overlaps(&r->ref, iova, iova);
	r->nr_inside += !got && pt_ref_overlaps(&r->ref, iova, iova);
	ims_pt_gather_sync(&g);
	check_around(r, iova, iova + (IMS_TEST_MAX(got, pgsize * count) - 1));
}

static void unmap_everything(struct rnd *r)
{
	while (r->ref.nr) {
		struct pt_ref_leaf leaf = r->ref.leaves[r->ref.nr - 1];

		assert_int_equal(ims_pt_unmap(r->pt, leaf.iova, leaf.size, 1, NULL), leaf.size);
		pt_ref_remove(&r->ref, r->ref.nr - 1);
	}
	pt_ref_check(&r->ref, r->pt, r->base, r->last);
}

static void test_random(void **state)
{
	const struct pt_test_cfg *tc = *state;
	size_t bytes_before = ims_pt_bytes_in_use();
	struct rnd r;

	rnd_setup(&r, tc, pt_test_seed(tc->name));
	for (unsigned int i = 0; i < NR_OPS; i++) {
		if (rnd_below(&r, 100) < 45)
			op_map(&r);
		else
			op_unmap(&r);
		if (i % 128 == 127)
			pt_ref_check(&r.ref, r.pt, r.base, r.last);
	}
	print_message("# %s: %u maps, %u EEXIST, %u unmaps removing a larger leaf, "
		      "%u stopping inside one, %u at a hole, %u leaves split\n",
		      tc->name, r.nr_map_ok, r.nr_eexist, r.nr_whole_large, r.nr_inside, r.nr_hole,
		      r.ref.nr_splits);
	assert_true(r.nr_map_ok > 100 && r.nr_eexist > 10 && r.nr_hole > 10);
	if (r.nr_sizes > 1 && r.ref.split_sizes)
		assert_true(r.ref.nr_splits > 0 && !r.nr_whole_large && !r.nr_inside);
	else if (r.nr_sizes > 1)
		assert_true(r.nr_whole_large > 0 && r.nr_inside > 0);
	unmap_everything(&r);
	ims_pt_destroy(r.pt);
	pt_ref_destroy(&r.ref);
	assert_int_equal(ims_pt_bytes_in_use(), bytes_before);
}

int main(void)
{
	return pt_test_run_per_cfg("pt_random", test_random);
}
