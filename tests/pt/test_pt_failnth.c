// SPDX-License-Identifier: MIT
/*
 * Fail-nth sweep over a create/map/unmap sequence, for every configuration
 * of pt_test_cfgs[]: with injection point N failing, for N = 1, 2, ...
 * until the sequence completes without reaching N.
 *
 * After each failed map: the error is -ENOMEM, *mapped is whole leaves,
 * exactly [iova, iova + mapped) translates and nothing after it (no half-
 * written leaf), and unmapping the prefix returns the table to where it
 * was.  At the end of every run the table holds exactly the maps that
 * succeeded, and after destroy no table memory is left in use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pt_test.h"
#include "util/alloc.h"

#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

struct map_op {
	uint64_t iova, pa, pgsize;
	size_t count;
};

struct sweep {
	const struct pt_test_cfg *tc;
	struct map_op ops[8];
	unsigned int nr_ops;
	unsigned int nr_failed_maps;
};

/* Maps that allocate tables at several levels, cross a table boundary, and use large leaves. */
static void plan_ops(struct sweep *sw, const struct ims_pt_cfg *cfg)
{
	uint64_t sizes = cfg->pgsize_bitmap, s = sizes & -sizes;
	uint64_t far = cfg->ias >= 40 ? 1ull << 39 : 1ull << (cfg->ias - 1);
	uint64_t big = 0;

	for (uint64_t z = s * 512; z && !big; z <<= 1)
		if (sizes & z)
			big = z;
	sw->ops[sw->nr_ops++] = (struct map_op){ 0, 0x10000000, s, 3 };
	if (s * 1600 <= far)
		sw->ops[sw->nr_ops++] = (struct map_op){ s * 1000, 0x20000000, s, 600 };
	else
		sw->ops[sw->nr_ops++] = (struct map_op){ s * 100, 0x20000000, s, 50 };
	sw->ops[sw->nr_ops++] = (struct map_op){ far, 0x30000000, s, 1 };
	if (sizes & (4 * s))
		sw->ops[sw->nr_ops++] = (struct map_op){ far + 64 * s, 0x40000000, 4 * s, 2 };
	if (big && 6 * big <= far)
		sw->ops[sw->nr_ops++] = (struct map_op){ 4 * big, 0x40000000, big, 2 };
}

/* A failed map left exactly its prefix; take it back out. */
static void check_failed_map(const struct map_op *op, struct ims_pt *pt, int ret, size_t mapped)
{
	assert_int_equal(ret, -ENOMEM);
	assert_int_equal(mapped % op->pgsize, 0);
	for (size_t k = 0; k < op->count; k++) {
		uint64_t want = k * op->pgsize < mapped ? op->pa + k * op->pgsize : 0;

		assert_int_equal(ims_pt_iova_to_phys(pt, op->iova + k * op->pgsize), want);
		assert_int_equal(ims_pt_iova_to_phys(pt, op->iova + (k + 1) * op->pgsize - 1),
				 want ? want + op->pgsize - 1 : 0);
	}
	if (mapped)
		assert_int_equal(ims_pt_unmap(pt, op->iova, op->pgsize, mapped / op->pgsize, NULL),
				 mapped);
}

static void run_maps(struct sweep *sw, struct ims_pt *pt, struct pt_ref *ref)
{
	for (unsigned int i = 0; i < sw->nr_ops; i++) {
		const struct map_op *op = &sw->ops[i];
		size_t mapped, want_mapped;
		int ret = ims_pt_map(pt, op->iova, op->pa, op->pgsize, op->count, RW, &mapped);

		if (ret) {
			sw->nr_failed_maps++;
			check_failed_map(op, pt, ret, mapped);
			continue;
		}
		assert_int_equal(pt_ref_map(ref, op->iova, op->pa, op->pgsize, op->count,
					    pt_test_expect_prot(&sw->tc->cfg, RW), &want_mapped), 0);
	}
}

/* One run with whatever injection point is armed; destroys what it made. */
static void run_sequence(struct sweep *sw)
{
	struct ims_pt *pt;
	struct pt_ref ref;
	unsigned int ias;
	int ret = ims_pt_create(&sw->tc->cfg, &pt);

	if (ret) {
		assert_int_equal(ret, -ENOMEM);
		return;
	}
	pt_ref_init(&ref);
	run_maps(sw, pt, &ref);
	ias = ims_pt_config(pt)->ias;
	pt_ref_check(&ref, pt, 0, ias >= 40 ? (1ull << 40) - 1 : (1ull << ias) - 1);
	while (ref.nr) {
		struct pt_ref_leaf leaf = ref.leaves[0];

		assert_int_equal(ims_pt_unmap(pt, leaf.iova, leaf.size, 1, NULL), leaf.size);
		pt_ref_remove(&ref, 0);
	}
	ims_pt_destroy(pt);
	pt_ref_destroy(&ref);
}

static void test_fail_nth(void **state)
{
	struct sweep sw = { .tc = *state };
	size_t in_use = ims_pt_bytes_in_use();
	struct ims_pt *probe;
	unsigned int levels;
	unsigned long n;

	assert_int_equal(ims_pt_create(&sw.tc->cfg, &probe), 0);
	plan_ops(&sw, ims_pt_config(probe));
	levels = ims_pt_config(probe)->levels;
	ims_pt_destroy(probe);
	for (n = 1;; n++) {
		unsigned long left;

		ims_fail_nth_set(n);
		run_sequence(&sw);
		left = ims_fail_nth_get();
		ims_fail_nth_set(0);
		assert_int_equal(ims_pt_bytes_in_use(), in_use);
		if (left)
			break;
	}
	print_message("# %s: %lu injection points, %u maps failed\n", sw.tc->name, n - 1,
		      sw.nr_failed_maps);
	/* a one-level table allocates nothing after create; two levels a
	 * table per map, though two levels of 64 KiB tables (sprd's quarters)
	 * take only two of the maps' tables */
	assert_true(n > 2);
	assert_true(sw.nr_failed_maps >= (levels > 2 ? 3u : levels == 2 ? 2u : 0u));
}

int main(void)
{
	return pt_test_run_per_cfg("pt_failnth", test_fail_nth);
}
