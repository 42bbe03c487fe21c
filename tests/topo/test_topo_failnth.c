// SPDX-License-Identifier: MIT
/*
 * Fail-nth sweep over loading the mock platform and building it into a
 * fresh core: the 1st, 2nd, ... injection point fails until the sequence no
 * longer reaches the point.  A failure must come back as an errno with
 * nothing built (the core empty, no platform) -- or be absorbed the way the
 * kernel absorbs it (a DMA-FQ default domain that cannot be had falls back
 * to DMA; direct mappings that fail before the default domain's attach are
 * made again after it), leaving a whole platform -- and leak nothing (ASan in
 * `make test`); the last run must succeed untouched.
 */
#include "topo_fixture.h"

#include "util/alloc.h"

/* Returns 0 when everything succeeded. */
static int sequence(enum ims_profile profile)
{
	struct ims_core_config cfg = { .profile = profile };
	struct ims_platform *platform = NULL;
	struct ims_topo *topo = NULL;
	struct ims_core *core = NULL;
	char err[512];
	int ret;

	ret = ims_core_create(&cfg, &core);
	if (ret)
		return ret;
	ret = ims_platform_load("mock", &platform, err, sizeof(err));
	if (ret) {
		assert_null(platform);
		goto out;
	}
	ret = ims_topo_instantiate(platform, core, &topo, err, sizeof(err));
	if (ret) {
		assert_null(topo);
		assert_true(err[0] != '\0');
		assert_core_empty(core);
		goto out;
	}
	assert_int_equal(ims_list_count(&core->devices), ims_topo_nr_devices(platform));
	ims_topo_remove(topo);
	assert_core_empty(core);
out:
	ims_platform_free(platform);
	ims_core_destroy(core);
	return ret;
}

static void sweep(enum ims_profile profile)
{
	unsigned long n;
	int failures = 0, absorbed = 0;

	for (n = 1;; n++) {
		int ret;

		ims_fail_nth_set(n);
		ret = sequence(profile);
		if (ims_fail_nth_get() != 0) { /* the n-th point was never reached */
			ims_fail_nth_set(0);
			assert_int_equal(ret, 0);
			break;
		}
		ims_fail_nth_set(0);
		if (ret)
			failures++;
		else
			absorbed++;
	}
	print_message("# %d injection points failed the load, %d absorbed\n", failures,
		      absorbed);
	/* Each group's DMA-FQ default domain (a real page table: a few
	 * allocations) may fall back to DMA, and direct mappings that fail
	 * before the attach are made after it (the mock's framebuffer takes a
	 * few table allocations on AMD v1); nothing else is absorbed. */
	assert_true(absorbed < 80);
	assert_true(failures > 50);
}

static void test_failnth_upstream(void **state)
{
	(void)state;
	sweep(IMS_PROFILE_UPSTREAM);
}

static void test_failnth_legacy(void **state)
{
	(void)state;
	sweep(IMS_PROFILE_LEGACY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failnth_upstream),
		cmocka_unit_test(test_failnth_legacy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
