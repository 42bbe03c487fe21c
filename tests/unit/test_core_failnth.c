// SPDX-License-Identifier: MIT
/*
 * Fail-nth sweep over the core: run a sequence that succeeds (build a core,
 * probe devices, allocate, attach, map, claim, release, tear down), then make
 * the 1st, 2nd, ... injection point fail until the sequence no longer reaches
 * the point.  Each failing step must return an errno, leave the state it
 * found (checked here), and leak nothing (checked by ASan in `make test`).
 */
#include "core_fixture.h"

#include "util/alloc.h"

static int sequence(bool *completed)
{
	struct ims_core_config cfg = { .profile = IMS_PROFILE_UPSTREAM, .strict = true };
	struct ims_mock_device_cfg with = { .group_with = "a" };
	struct ims_device_desc da = { .name = "a", .msi_isolated = true };
	struct ims_device_desc db = { .name = "b", .platform_data = &with };
	struct ims_domain *domain = NULL, *before;
	struct ims_core *core = NULL;
	struct ims_iommu *m0;
	struct ims_device *a, *b;
	int ret;

	*completed = false;
	ret = ims_core_create(&cfg, &core);
	if (ret)
		return ret;
	ret = ims_mock_register(core, "mock0", NULL, &m0);
	if (ret)
		goto out;
	da.iommu = db.iommu = m0;
	a = ims_device_add(core, &da);
	if (IS_ERR(a)) {
		ret = (int)PTR_ERR(a);
		goto out;
	}
	b = ims_device_add(core, &db);
	if (IS_ERR(b)) {
		ret = (int)PTR_ERR(b);
		assert_null(ims_device_find(core, "b"));
		assert_int_equal(a->group->nr_devices, 1);
		goto out;
	}
	ret = ims_core_probe_finish(core);
	if (ret)
		goto out;
	domain = ims_paging_domain_alloc(a, 0);
	if (IS_ERR(domain)) {
		ret = (int)PTR_ERR(domain);
		domain = NULL;
		goto out;
	}
	before = a->group->domain;
	ret = ims_attach_group(domain, a->group);
	if (ret) {
		assert_ptr_equal(a->group->domain, before);
		goto out;
	}
	/* 4K + 2M + 4K leaves */
	ret = ims_iommu_map(domain, 0x1ff000, 0x70001ff000ull, 0x202000,
			    IMS_PROT_READ | IMS_PROT_WRITE);
	if (ret) {
		assert_int_equal(domain->mapped_bytes, 0);
		assert_int_equal(ims_iommu_iova_to_phys(domain, 0x1ff000), 0);
		goto out_detach;
	}
	assert_int_equal(ims_iommu_unmap(domain, 0x1ff000, 0x202000), 0x202000);
	ims_detach_group(domain, a->group);
	ret = ims_group_claim_dma_owner(a->group, core);
	if (ret) {
		assert_false(ims_group_dma_owner_claimed(a->group));
		assert_ptr_equal(a->group->domain, a->group->default_domain);
		goto out;
	}
	ims_group_release_dma_owner(a->group);
	*completed = true;
	goto out;

out_detach:
	ims_detach_group(domain, a->group);
out:
	ims_domain_free(domain);
	ims_core_destroy(core);
	return ret;
}

static void test_sweep(void **state)
{
	bool completed;
	unsigned long n;

	(void)state;
	ims_fail_nth_set(0);
	assert_int_equal(sequence(&completed), 0);
	assert_true(completed);
	for (n = 1; n < 1000; n++) {
		int ret;

		ims_fail_nth_set(n);
		ret = sequence(&completed);
		if (ims_fail_nth_get()) { /* never reached the n-th point */
			ims_fail_nth_set(0);
			assert_int_equal(ret, 0);
			assert_true(completed);
			break;
		}
		/* a failed step reports its errno; must-succeed paths carry on */
		if (!completed)
			assert_true(ret < 0);
	}
	ims_fail_nth_set(0);
	assert_true(n > 5);   /* the sequence has real injection points */
	assert_true(n < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
