// SPDX-License-Identifier: MIT
/*
 * The table page allocator (src/pt/pt_pages.c): alignment, zeroing of
 * recycled blocks, accounting, the low-32-bit pool, deferred-release
 * lists, bad requests and fault injection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pt/pt_pages.h"
#include "util/alloc.h"

#define NR_MANY 600 /* more blocks than one chunk holds */

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_sizes_aligned_zeroed_accounted(void **state)
{
	for (unsigned int lg2 = PT_TABLE_MIN_LG2; lg2 <= PT_TABLE_MAX_LG2; lg2++) {
		size_t before = pt_pages_in_use(), size = (size_t)1 << lg2;
		uint8_t *p = pt_pages_alloc(PT_POOL_ANY, lg2), *q;

		assert_non_null(p);
		assert_int_equal((uintptr_t)p & (size - 1), 0);
		assert_int_equal(pt_pages_size(p), size);
		assert_int_equal(pt_pages_in_use(), before + (size >> 12));
		assert_true(all_zero(p, size));
		memset(p, 0xa5, size);
		pt_pages_free(p);
		assert_int_equal(pt_pages_in_use(), before);
		q = pt_pages_alloc(PT_POOL_ANY, lg2); /* the same block, recycled */
		assert_ptr_equal(q, p);
		assert_true(all_zero(q, size));
		pt_pages_free(q);
	}
}

static void test_low32_pool(void **state)
{
#if defined(__x86_64__)
	size_t before = pt_pages_in_use();
	void *blocks[NR_MANY];

	for (int i = 0; i < NR_MANY; i++) {
		blocks[i] = pt_pages_alloc(PT_POOL_LOW32, 12 + (i % 3) * 2);
		assert_non_null(blocks[i]);
		assert_true((uintptr_t)blocks[i] + pt_pages_size(blocks[i]) <= (1ull << 32));
		assert_true(all_zero(blocks[i], pt_pages_size(blocks[i])));
	}
	for (int i = 0; i < NR_MANY; i++)
		pt_pages_free(blocks[i]);
	assert_int_equal(pt_pages_in_use(), before);
#else
	skip();
#endif
}

static void test_many_blocks_distinct(void **state)
{
	static void *blocks[NR_MANY];
	size_t before = pt_pages_in_use();

	for (int i = 0; i < NR_MANY; i++) {
		blocks[i] = pt_pages_alloc(PT_POOL_ANY, 12);
		assert_non_null(blocks[i]);
		memset(blocks[i], i & 0xff, 4096);
	}
	for (int i = 0; i < NR_MANY; i++)
		assert_int_equal(((uint8_t *)blocks[i])[4095], i & 0xff);
	assert_int_equal(pt_pages_in_use(), before + NR_MANY);
	for (int i = 0; i < NR_MANY; i++)
		pt_pages_free(blocks[i]);
	assert_int_equal(pt_pages_in_use(), before);
}

/* A gather's list: blocks keep their contents until released. */
static void test_release_list(void **state)
{
	size_t before = pt_pages_in_use();
	void *head = NULL;
	uint64_t *blocks[3];

	for (int i = 0; i < 3; i++) {
		blocks[i] = pt_pages_alloc(PT_POOL_ANY, 12 + i);
		blocks[i][0] = 0x1234 + i;
		pt_pages_link_push(&head, blocks[i]);
	}
	assert_ptr_equal(head, blocks[2]);
	for (int i = 0; i < 3; i++)
		assert_int_equal(blocks[i][0], 0x1234 + i);
	assert_int_equal(pt_pages_in_use(), before + 1 + 2 + 4);
	pt_pages_free_list(head);
	assert_int_equal(pt_pages_in_use(), before);
	pt_pages_free_list(NULL);
	pt_pages_free(NULL);
}

static void test_bad_requests_and_injection(void **state)
{
	size_t before = pt_pages_in_use();

	assert_null(pt_pages_alloc(PT_POOL_ANY, PT_TABLE_MIN_LG2 - 1));
	assert_null(pt_pages_alloc(PT_POOL_ANY, PT_TABLE_MAX_LG2 + 1));
	assert_null(pt_pages_alloc(PT_POOL_NR, 12));
	ims_fail_nth_set(1);
	assert_null(pt_pages_alloc(PT_POOL_ANY, 12));
	assert_int_equal(ims_fail_nth_get(), 0);
	assert_int_equal(pt_pages_in_use(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_aligned_zeroed_accounted),
		cmocka_unit_test(test_low32_pool),
		cmocka_unit_test(test_many_blocks_distinct),
		cmocka_unit_test(test_release_list),
		cmocka_unit_test(test_bad_requests_and_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
