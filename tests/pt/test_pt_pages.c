// SPDX-License-Identifier: MIT
/*
 * The table page allocator (src/pt/pt_pages.c): alignment, zeroing of
 * recycled blocks, accounting, the low-32-bit pool, sub-page blocks (whose
 * chunk header spans several blocks), big blocks, deferred-release lists,
 * bad requests and fault injection.
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
		size_t before = pt_bytes_in_use(), size = (size_t)1 << lg2;
		uint8_t *p = pt_pages_alloc(PT_POOL_ANY, lg2), *q;

		assert_non_null(p);
		assert_int_equal((uintptr_t)p & (size - 1), 0);
		assert_int_equal(pt_pages_size(p), size);
		assert_int_equal(pt_bytes_in_use(), before + size);
		assert_int_equal(pt_pages_in_use(), (before + size + 4095) / 4096);
		assert_true(all_zero(p, size));
		memset(p, 0xa5, size);
		pt_pages_free(p);
		assert_int_equal(pt_bytes_in_use(), before);
		q = pt_pages_alloc(PT_POOL_ANY, lg2);
		if (lg2 <= PT_CHUNK_BLOCK_MAX_LG2)
			assert_ptr_equal(q, p); /* the same block, recycled */
		assert_true(all_zero(q, size));
		pt_pages_free(q);
	}
}

static void test_low32_pool(void **state)
{
#if defined(__x86_64__)
	size_t before = pt_bytes_in_use();
	void *blocks[NR_MANY];

	for (int i = 0; i < NR_MANY; i++) {
		blocks[i] = pt_pages_alloc(PT_POOL_LOW32, i % 50 ? 10 + (i % 4) * 2 : 22);
		assert_non_null(blocks[i]);
		assert_true((uintptr_t)blocks[i] + pt_pages_size(blocks[i]) <= (1ull << 32));
		assert_true(all_zero(blocks[i], pt_pages_size(blocks[i])));
	}
	for (int i = 0; i < NR_MANY; i++)
		pt_pages_free(blocks[i]);
	assert_int_equal(pt_bytes_in_use(), before);
#else
	skip();
#endif
}

/* Fill @n blocks of 1 << @lg2 with their index; none may overlap another or a header. */
static void many_blocks_distinct(unsigned int lg2, int n)
{
	static void *blocks[2 * NR_MANY];
	size_t before = pt_bytes_in_use(), size = (size_t)1 << lg2;

	for (int i = 0; i < n; i++) {
		blocks[i] = pt_pages_alloc(PT_POOL_ANY, lg2);
		assert_non_null(blocks[i]);
		memset(blocks[i], i & 0xff, size);
	}
	for (int i = 0; i < n; i++) {
		assert_int_equal(((uint8_t *)blocks[i])[0], i & 0xff);
		assert_int_equal(((uint8_t *)blocks[i])[size - 1], i & 0xff);
	}
	assert_int_equal(pt_bytes_in_use(), before + n * size);
	for (int i = 0; i < n; i++)
		pt_pages_free(blocks[i]);
	assert_int_equal(pt_bytes_in_use(), before);
}

static void test_many_blocks_distinct(void **state)
{
	many_blocks_distinct(12, NR_MANY);
	/* 1 KiB blocks: a chunk holds 1015 after its nine-block header */
	many_blocks_distinct(10, 2 * NR_MANY);
	many_blocks_distinct(11, NR_MANY);
}

/* A big block: its own mapping, aligned to its size, on a release list too. */
static void test_big_blocks(void **state)
{
	size_t before = pt_bytes_in_use();
	uint32_t *a = pt_pages_alloc(PT_POOL_ANY, 22), *b = pt_pages_alloc(PT_POOL_ANY, 17);
	void *head = NULL;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal((uintptr_t)a & ((1u << 22) - 1), 0);
	assert_int_equal((uintptr_t)b & ((1u << 17) - 1), 0);
	assert_int_equal(pt_pages_size(a), 1u << 22);
	assert_int_equal(pt_pages_size(b), 1u << 17);
	assert_true(all_zero(a, 1u << 22));
	a[(1u << 20) - 1] = 0xdeadbeef;
	assert_int_equal(pt_bytes_in_use(), before + (1u << 22) + (1u << 17));
	pt_pages_link_push(&head, a);
	pt_pages_link_push(&head, b);
	assert_int_equal(a[(1u << 20) - 1], 0xdeadbeef);
	pt_pages_free_list(head);
	assert_int_equal(pt_bytes_in_use(), before);
}

/* A gather's list: blocks keep their contents until released. */
static void test_release_list(void **state)
{
	size_t before = pt_bytes_in_use();
	void *head = NULL;
	uint64_t *blocks[4];

	for (int i = 0; i < 4; i++) {
		blocks[i] = pt_pages_alloc(PT_POOL_ANY, 10 + i);
		blocks[i][0] = 0x1234 + i;
		pt_pages_link_push(&head, blocks[i]);
	}
	assert_ptr_equal(head, blocks[3]);
	for (int i = 0; i < 4; i++)
		assert_int_equal(blocks[i][0], 0x1234 + i);
	assert_int_equal(pt_bytes_in_use(), before + 1024 + 2048 + 4096 + 8192);
	pt_pages_free_list(head);
	assert_int_equal(pt_bytes_in_use(), before);
	pt_pages_free_list(NULL);
	pt_pages_free(NULL);
}

static void test_bad_requests_and_injection(void **state)
{
	size_t before = pt_bytes_in_use();

	assert_null(pt_pages_alloc(PT_POOL_ANY, PT_TABLE_MIN_LG2 - 1));
	assert_null(pt_pages_alloc(PT_POOL_ANY, PT_TABLE_MAX_LG2 + 1));
	assert_null(pt_pages_alloc(PT_POOL_NR, 12));
	ims_fail_nth_set(1);
	assert_null(pt_pages_alloc(PT_POOL_ANY, 12));
	assert_int_equal(ims_fail_nth_get(), 0);
	/* a big block: the call, its record, its memory */
	for (unsigned long nth = 1; nth <= 3; nth++) {
		ims_fail_nth_set(nth);
		assert_null(pt_pages_alloc(PT_POOL_ANY, 20));
		assert_int_equal(ims_fail_nth_get(), 0);
	}
	assert_int_equal(pt_bytes_in_use(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_aligned_zeroed_accounted),
		cmocka_unit_test(test_low32_pool),
		cmocka_unit_test(test_many_blocks_distinct),
		cmocka_unit_test(test_big_blocks),
		cmocka_unit_test(test_release_list),
		cmocka_unit_test(test_bad_requests_and_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
