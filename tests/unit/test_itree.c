// SPDX-License-Identifier: MIT
/*
 * Interval tree: random inserts/removes checked against a brute-force
 * reference after every step, plus the span iterator and edge values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/itree.h"

#define NR_NODES 600

struct item {
	struct ims_itree_node node;
	bool in;
};

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static bool overlaps(const struct item *it, uint64_t s, uint64_t l)
{
	return it->in && it->node.start <= l && s <= it->node.last;
}

/* Every overlapping node is reported exactly once, in start order. */
static void check_query(struct item *items, struct ims_itree *t, uint64_t s, uint64_t l)
{
	size_t expect = 0, got = 0;
	uint64_t prev_start = 0;
	struct ims_itree_node *n;

	for (int i = 0; i < NR_NODES; i++)
		expect += overlaps(&items[i], s, l);
	ims_itree_for_each_overlap(t, n, s, l) {
		struct item *it = ims_container_of(n, struct item, node);

		assert_true(overlaps(it, s, l));
		assert_true(n->start >= prev_start);
		prev_start = n->start;
		got++;
	}
	assert_int_equal(got, expect);
}

static void test_random_against_reference(void **state)
{
	static struct item items[NR_NODES];
	struct ims_itree t;

	(void)state;
	ims_itree_init(&t);
	for (int step = 0; step < 20000; step++) {
		struct item *it = &items[rnd() % NR_NODES];

		if (it->in) {
			ims_itree_remove(&t, &it->node);
			it->in = false;
		} else {
			it->node.start = rnd() % 100000;
			it->node.last = it->node.start + rnd() % 700;
			ims_itree_insert(&t, &it->node);
			it->in = true;
		}
		if (step % 97 == 0) {
			uint64_t s = rnd() % 100000;

			assert_int_equal(ims_itree_validate(&t), 0);
			check_query(items, &t, s, s + rnd() % 3000);
		}
	}
	assert_int_equal(ims_itree_validate(&t), 0);
	for (int i = 0; i < NR_NODES; i++)
		if (items[i].in)
			ims_itree_remove(&t, &items[i].node);
	assert_true(ims_itree_empty(&t));
	assert_int_equal(t.count, 0);
}

static void test_extremes(void **state)
{
	struct item a = { .node = { .start = 0, .last = 0 } };
	struct item b = { .node = { .start = UINT64_MAX - 10, .last = UINT64_MAX } };
	struct ims_itree t = IMS_ITREE_INIT;

	(void)state;
	ims_itree_insert(&t, &a.node);
	ims_itree_insert(&t, &b.node);
	assert_ptr_equal(ims_itree_iter_first(&t, 0, UINT64_MAX), &a.node);
	assert_ptr_equal(ims_itree_iter_next(&a.node, 0, UINT64_MAX), &b.node);
	assert_null(ims_itree_iter_first(&t, 1, UINT64_MAX - 11));
	assert_ptr_equal(ims_itree_iter_first(&t, UINT64_MAX, UINT64_MAX), &b.node);
	assert_ptr_equal(ims_itree_first(&t), &a.node);
	assert_ptr_equal(ims_itree_last(&t), &b.node);
	assert_ptr_equal(ims_itree_prev(&b.node), &a.node);
	assert_null(ims_itree_next(&b.node));
}

struct span_expect {
	uint64_t start, last;
	bool hole;
};

static void check_spans(struct ims_itree *t, uint64_t s, uint64_t l,
			const struct span_expect *e, size_t nr)
{
	struct ims_itree_span span;
	size_t i = 0;

	for (ims_itree_span_first(&span, t, s, l); !span.done; ims_itree_span_next(&span)) {
		assert_true(i < nr);
		assert_int_equal(span.start, e[i].start);
		assert_int_equal(span.last, e[i].last);
		assert_int_equal(span.is_hole, e[i].hole);
		i++;
	}
	assert_int_equal(i, nr);
}

static void test_spans(void **state)
{
	struct item a = { .node = { .start = 10, .last = 19 } };
	struct item b = { .node = { .start = 15, .last = 29 } };  /* overlaps a */
	struct item c = { .node = { .start = 30, .last = 39 } };  /* adjacent */
	struct item d = { .node = { .start = 50, .last = 59 } };
	struct ims_itree t = IMS_ITREE_INIT;
	static const struct span_expect all[] = {
		{ 0, 9, true }, { 10, 39, false }, { 40, 49, true },
		{ 50, 59, false }, { 60, UINT64_MAX, true },
	};
	static const struct span_expect inner[] = {
		{ 12, 39, false }, { 40, 49, true }, { 50, 55, false },
	};
	static const struct span_expect empty[] = { { 0, UINT64_MAX, true } };

	(void)state;
	check_spans(&t, 0, UINT64_MAX, empty, 1);
	ims_itree_insert(&t, &a.node);
	ims_itree_insert(&t, &b.node);
	ims_itree_insert(&t, &c.node);
	ims_itree_insert(&t, &d.node);
	check_spans(&t, 0, UINT64_MAX, all, 5);
	check_spans(&t, 12, 55, inner, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_spans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
