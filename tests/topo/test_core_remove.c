// SPDX-License-Identifier: MIT
/*
 * The two core functions the platform loader needs to take a platform back
 * out of a core (ims_device_remove, ims_iommu_unregister): after removing
 * everything that was added, in reverse order, the core must look as it
 * did before -- no instances, devices, groups or domains, static ones
 * included.
 */
#include "../unit/core_fixture.h"
#include "topo_fixture.h"

static void add_and_remove(bool passthrough)
{
	struct ims_core_config cfg = { .profile = IMS_PROFILE_UPSTREAM,
				       .passthrough = passthrough };
	struct ims_mock_device_cfg with_a = { .group_with = "a" };
	struct ims_device_desc da = { .name = "a" }, db = { .name = "b" };
	struct ims_core *core;
	struct ims_iommu *m0;
	struct ims_device *a, *b;

	assert_int_equal(ims_core_create(&cfg, &core), 0);
	assert_int_equal(ims_mock_register(core, "mock0", NULL, &m0), 0);
	da.iommu = db.iommu = m0;
	db.platform_data = &with_a;
	a = ims_device_add(core, &da);
	b = ims_device_add(core, &db);
	assert_false(IS_ERR(a) || IS_ERR(b));
	assert_int_equal(ims_core_probe_finish(core), 0);
	assert_int_equal(ims_device_use_default_domain(b), 0);
	assert_ptr_equal(a->group, b->group);
	assert_int_equal(ims_iommu_unregister(m0), -EBUSY);

	ims_device_remove(b);
	assert_int_equal(a->group->nr_devices, 1);
	assert_int_equal(a->group->owner_cnt, 0);
	assert_int_equal(a->hw_domain->attach_count, 1);
	ims_device_remove(a);
	assert_int_equal(core->groups.count, 0);
	assert_int_equal(ims_iommu_unregister(m0), 0);
	assert_core_holds_nothing(core);
	ims_core_destroy(core);
}

static void test_remove_dma_default(void **state)
{
	(void)state;
	add_and_remove(false);
}

static void test_remove_identity_default(void **state)
{
	(void)state;
	add_and_remove(true); /* static identity domain goes with the instance */
}

static void test_static_domains_stay_for_other_instances(void **state)
{
	struct ims_core_config cfg = { .profile = IMS_PROFILE_SEED, .passthrough = true };
	struct ims_device_desc da = { .name = "a" };
	struct ims_iommu *m0, *m1;
	struct ims_core *core;
	struct ims_device *a;

	(void)state;
	assert_int_equal(ims_core_create(&cfg, &core), 0);
	assert_int_equal(ims_mock_register(core, "mock0", NULL, &m0), 0);
	assert_int_equal(ims_mock_register(core, "mock1", NULL, &m1), 0);
	da.iommu = m0;
	a = ims_device_add(core, &da);
	assert_false(IS_ERR(a));
	assert_int_equal(ims_core_probe_finish(core), 0);
	assert_int_equal(a->group->default_domain->type, IMS_DOMAIN_IDENTITY);
	assert_int_equal(ims_iommu_unregister(m1), 0);
	assert_int_equal(core->nr_iommus, 1);
	assert_false(ims_list_empty(&core->static_domains));
	assert_ptr_equal(ims_iommu_find(core, "mock1"), NULL);
	ims_core_destroy(core);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_dma_default),
		cmocka_unit_test(test_remove_identity_default),
		cmocka_unit_test(test_static_domains_stay_for_other_instances),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
