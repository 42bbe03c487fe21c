// SPDX-License-Identifier: MIT
/*
 * User copies: what reaches the caller's memory and what answers EFAULT,
 * on both paths (a local on this thread's stack, copied directly, and
 * everything else, copied by process_vm_readv/writev), and the bound of
 * the direct path at the very top of a thread's stack.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/uaccess.h"

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void test_stack_and_heap_copies(void **state)
{
	uint64_t local = 0x1122334455667788ull, back = 0;
	uint64_t *heap = malloc(sizeof(*heap));

	(void)state;
	assert_non_null(heap);
	assert_int_equal(ims_copy_from_user(&back, &local, sizeof(local)), 0);
	assert_true(back == local);
	assert_int_equal(ims_copy_to_user(heap, &local, sizeof(local)), 0);
	assert_true(*heap == local);
	*heap = 7;
	assert_int_equal(ims_copy_to_user(&local, heap, sizeof(local)), 0);
	assert_true(local == 7);
	assert_int_equal(ims_clear_user(&local, sizeof(local)), 0);
	assert_true(local == 0);
	free(heap);
}

static void test_faults(void **state)
{
	size_t pg = page_size();
	char *p = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[16] = { 0 };

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(munmap(p + pg, pg), 0);
	assert_int_equal(ims_copy_from_user(buf, NULL, 1), -EFAULT);
	assert_int_equal(ims_copy_from_user(buf, p, sizeof(buf)), 0);
	assert_int_equal(ims_copy_to_user(p, buf, sizeof(buf)), -EFAULT); /* read-only */
	assert_int_equal(ims_copy_from_user(buf, p + pg - 8, sizeof(buf)), -EFAULT);
	assert_int_equal(ims_copy_from_user(buf, p + pg, 1), -EFAULT);
	assert_int_equal(ims_copy_from_user(buf, (void *)-8l, 16), -EFAULT);
	munmap(p, pg);
}

static void test_struct_sizes(void **state)
{
	uint32_t user[4] = { 1, 2, 0, 0 }, kernel[3];

	(void)state;
	assert_int_equal(ims_copy_struct_from_user(kernel, sizeof(kernel), user, 8), 0);
	assert_true(kernel[0] == 1 && kernel[1] == 2 && kernel[2] == 0);
	assert_int_equal(ims_copy_struct_from_user(kernel, sizeof(kernel), user, 16), 0);
	user[3] = 9;
	assert_int_equal(ims_copy_struct_from_user(kernel, sizeof(kernel), user, 16), -E2BIG);
}

/*
 * A thread on a stack of our own, with an inaccessible page right above
 * its top: a copy ending at the top is direct, one crossing it faults.
 */
struct stack_bed {
	char *top;
	int inside, across, to_across;
};

static void *at_the_top(void *arg)
{
	struct stack_bed *bed = arg;
	char buf[16];

	bed->inside = ims_copy_from_user(buf, bed->top - 16, 16);
	bed->across = ims_copy_from_user(buf, bed->top - 8, 16);
	bed->to_across = ims_copy_to_user(bed->top - 8, buf, 16);
	return NULL;
}

static void test_stack_top(void **state)
{
	size_t pg = page_size(), size = 64 * pg;
	char *area = mmap(NULL, size + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	struct stack_bed bed = { .top = area + size };
	pthread_attr_t attr;
	pthread_t thread;

	(void)state;
	assert_true(area != MAP_FAILED);
	assert_int_equal(mprotect(area + size, pg, PROT_NONE), 0);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstack(&attr, area, size), 0);
	assert_int_equal(pthread_create(&thread, &attr, at_the_top, &bed), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	pthread_attr_destroy(&attr);
	assert_int_equal(bed.inside, 0);
	assert_int_equal(bed.across, -EFAULT);
	assert_int_equal(bed.to_across, -EFAULT);
	munmap(area, size + pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_and_heap_copies),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_struct_sizes),
		cmocka_unit_test(test_stack_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
