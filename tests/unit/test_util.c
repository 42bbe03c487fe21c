// SPDX-License-Identifier: MIT
/*
 * ID table, fail-nth countdown, log category parsing, errno names.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/alloc.h"
#include "util/errname.h"
#include "util/idtable.h"
#include "util/log.h"

static void test_idtable_lowest_free(void **state)
{
	struct ims_idtable t;
	int objs[40];
	uint32_t id;

	(void)state;
	ims_idtable_init(&t, 1, 1000);
	for (int i = 0; i < 40; i++) {
		assert_int_equal(ims_idtable_alloc(&t, &objs[i], &id), 0);
		assert_int_equal(id, (uint32_t)i + 1);
	}
	assert_ptr_equal(ims_idtable_remove(&t, 7), &objs[6]);
	assert_ptr_equal(ims_idtable_remove(&t, 3), &objs[2]);
	assert_null(ims_idtable_lookup(&t, 3));
	assert_null(ims_idtable_remove(&t, 3));
	assert_int_equal(ims_idtable_reserve(&t, &id), 0);
	assert_int_equal(id, 3);
	assert_null(ims_idtable_lookup(&t, 3)); /* reserved, not yet visible */
	ims_idtable_publish(&t, 3, &objs[0]);
	assert_ptr_equal(ims_idtable_lookup(&t, 3), &objs[0]);
	assert_int_equal(ims_idtable_alloc(&t, &objs[1], &id), 0);
	assert_int_equal(id, 7);
	assert_null(ims_idtable_lookup(&t, 0));
	assert_null(ims_idtable_lookup(&t, 5000));
	assert_int_equal(t.count, 40);
	ims_idtable_destroy(&t);
}

static void test_idtable_full_and_iterate(void **state)
{
	struct ims_idtable t;
	int a, b;
	uint32_t id, seen = 0;
	void *obj;

	(void)state;
	ims_idtable_init(&t, 5, 6);
	assert_int_equal(ims_idtable_alloc(&t, &a, &id), 0);
	assert_int_equal(id, 5);
	assert_int_equal(ims_idtable_reserve(&t, &id), 0);
	assert_int_equal(ims_idtable_alloc(&t, &b, &id), -ENOSPC);
	ims_idtable_publish(&t, 6, &b);
	ims_idtable_for_each(&t, id, obj)
		seen += id;
	assert_int_equal(seen, 11);
	ims_idtable_destroy(&t);
}

static void test_fail_nth(void **state)
{
	void *p;

	(void)state;
	ims_fail_nth_set(3);
	p = ims_malloc(8);
	assert_non_null(p);
	ims_free(p);
	assert_int_equal(ims_fail_nth_get(), 2);
	p = ims_zalloc(8);
	assert_non_null(p);
	ims_free(p);
	assert_null(ims_malloc(8)); /* third point fails */
	assert_int_equal(ims_fail_nth_get(), 0);
	p = ims_malloc(8);
	assert_non_null(p);
	ims_free(p);
	assert_null(ims_realloc_array(NULL, SIZE_MAX, 2));
}

static void test_log_parse(void **state)
{
	unsigned int m;

	(void)state;
	assert_int_equal(ims_log_parse("core,vfio", &m), 0);
	assert_int_equal(m, (1u << IMS_LOG_CORE) | (1u << IMS_LOG_VFIO));
	assert_int_equal(ims_log_parse("all", &m), 0);
	assert_int_equal(m, (1u << IMS_LOG_NR) - 1);
	assert_int_equal(ims_log_parse("", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(ims_log_parse("core,bogus", &m), -EINVAL);
}

static void test_errname(void **state)
{
	(void)state;
	assert_string_equal(ims_errname(-EINVAL), "EINVAL");
	assert_string_equal(ims_errname(EMEDIUMTYPE), "EMEDIUMTYPE");
	assert_string_equal(ims_errname(0), "0");
	assert_int_equal(ims_errno_from_name("EXDEV"), EXDEV);
	assert_int_equal(ims_errno_from_name("12"), 12);
	assert_int_equal(ims_errno_from_name("ENOTANERRNO"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idtable_lowest_free),
		cmocka_unit_test(test_idtable_full_and_iterate),
		cmocka_unit_test(test_fail_nth),
		cmocka_unit_test(test_log_parse),
		cmocka_unit_test(test_errname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
