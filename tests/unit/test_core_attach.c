// SPDX-License-Identifier: MIT
/*
 * The attach contract in the core (kernel-semantics 2.4, 2.5 and 7 items
 * 1-5, 11): errno classes per profile, the core's own refusals, and the
 * exact rollback of a multi-device group.  Every test checks the errno and
 * the state afterwards (group->domain and each device's hardware domain).
 */
#include "core_fixture.h"

#include "util/alloc.h"

/* A second driver, so that a domain can belong to "another driver". */
static int other_attach_calls;

static int other_attach(struct ims_domain *domain, struct ims_device *dev,
			struct ims_domain *old)
{
	other_attach_calls++;
	return 0;
}

static void other_free(struct ims_domain *domain)
{
	ims_free(domain);
}

static const struct ims_domain_ops other_domain_ops = {
	.attach_dev = other_attach,
	.free = other_free,
};

static struct ims_domain *other_alloc(struct ims_device *dev, uint32_t flags,
				      const void *data)
{
	struct ims_domain *d = ims_zalloc(sizeof(*d));

	if (d)
		ims_domain_init(d, &other_domain_ops, 1ull << 12, 0, UINT32_MAX);
	return d ? d : ERR_PTR(-ENOMEM);
}

static const struct ims_iommu_ops other_ops = {
	.name = "other",
	.domain_alloc_paging = other_alloc,
	.static_blocked = true,
	.blocked_ops = &other_domain_ops,
	.pgsize_bitmap = 1ull << 12,
};

/* 7.1: the incompatible errno is soft, everything else hard. */
static void errno_classes(enum ims_profile p)
{
	struct fx *fx = fx_new(p);
	int soft = ims_profile_facts(p)->incompatible_errno;
	const int hard[] = { ENOMEM, ENOSPC, EBUSY, ENODEV, EIO, EXDEV };

	if (soft)
		assert_true(ims_err_is_soft(fx->core, -soft));
	else
		assert_false(ims_err_is_soft(fx->core, -EINVAL));
	for (size_t i = 0; i < IMS_ARRAY_SIZE(hard); i++)
		assert_false(ims_err_is_soft(fx->core, -hard[i]));
	assert_false(ims_err_is_soft(fx->core, 0));
	fx_free(fx);
}
TEST_PROFILES(errno_classes)

/* 7.2: a group on a non-core domain is busy, even for the same domain. */
static void busy_on_unmanaged(enum ims_profile p)
{
	struct fx *fx = fx_new(p);
	struct ims_group *g = fx_add_probed(fx, "dev0", fx->m0);
	struct ims_device *dev = ims_group_first_device(g);
	struct ims_domain *a = ims_paging_domain_alloc(dev, 0);
	struct ims_domain *b = ims_paging_domain_alloc(dev, 0);

	assert_false(IS_ERR(a));
	assert_false(IS_ERR(b));
	assert_int_equal(ims_attach_group(a, g), 0);
	fx_reset_counts(fx);
	assert_int_equal(ims_attach_group(a, g), -EBUSY);
	assert_int_equal(ims_attach_group(b, g), -EBUSY);
	assert_int_equal(fx->driver_calls, 0);
	assert_ptr_equal(g->domain, a);
	assert_ptr_equal(dev->hw_domain, a);
	ims_detach_group(a, g);
	assert_ptr_equal(g->domain, g->default_domain);
	assert_int_equal(ims_attach_group(b, g), 0);
	ims_detach_group(b, g);
	ims_domain_free(a);
	ims_domain_free(b);
	fx_free(fx);
}
TEST_PROFILES(busy_on_unmanaged)

/*
 * 7.3: a foreign driver's domain is refused by the core where the era checks
 * owners, without calling any driver.  In 2022 the domain's driver ran: the
 * mock answers as arm-smmu's fwspec check did (ENXIO); a driver without such
 * a check "succeeds" silently.
 */
static void foreign_driver(enum ims_profile p)
{
	struct fx *fx = fx_new(p);
	struct ims_iommu *oi;
	struct ims_device *odev, *dev;
	struct ims_domain *mock_dom, *other_dom, *before;
	bool legacy = !ims_profile_facts(p)->core_owner_check;

	assert_int_equal(ims_iommu_register(fx->core, "other0", &other_ops, NULL, NULL, &oi), 0);
	odev = fx_add(fx, "odev", oi, NULL);
	dev = fx_add(fx, "dev0", fx->m0, NULL);
	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	mock_dom = ims_paging_domain_alloc(dev, 0);
	other_dom = ims_paging_domain_alloc(odev, 0);
	assert_false(IS_ERR(mock_dom));
	assert_false(IS_ERR(other_dom));
	before = odev->group->domain;
	fx_reset_counts(fx);
	other_attach_calls = 0;
	if (legacy) {
		assert_int_equal(ims_attach_group(mock_dom, odev->group), -ENXIO);
		/* the mock refused; the 2022 unwind re-attached odev to its default */
		assert_int_equal(fx->driver_calls, 2);
		assert_int_equal(other_attach_calls, 1);
		assert_ptr_equal(odev->group->domain, before);
		other_attach_calls = 0;
		assert_int_equal(ims_attach_group(other_dom, dev->group), 0);
		assert_int_equal(other_attach_calls, 1);
		ims_detach_group(other_dom, dev->group);
	} else {
		int soft = -ims_profile_facts(p)->incompatible_errno;

		assert_int_equal(ims_attach_group(mock_dom, odev->group), soft);
		assert_int_equal(ims_attach_group(other_dom, dev->group), soft);
		assert_int_equal(fx->driver_calls, 0);
		assert_int_equal(fx->core_rejects, 2);
		assert_int_equal(other_attach_calls, 0);
		assert_ptr_equal(odev->group->domain, before);
		assert_ptr_equal(odev->hw_domain, before);
	}
	assert_ptr_equal(dev->group->domain, dev->group->default_domain);
	ims_domain_free(mock_dom);
	ims_domain_free(other_dom);
	fx_free(fx);
}
TEST_PROFILES(foreign_driver)

/* 7.4: iommu_attach_device needs a group of exactly one device. */
static void attach_device_singleton(enum ims_profile p)
{
	struct fx *fx = fx_new(p);
	struct ims_mock_device_cfg with0 = { .group_with = "dev0" };
	struct ims_device *d0 = fx_add(fx, "dev0", fx->m0, NULL);
	struct ims_device *d1;
	struct ims_domain *domain;

	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	domain = ims_paging_domain_alloc(d0, 0);
	assert_int_equal(ims_attach_device(domain, d0), 0);
	ims_detach_device(domain, d0);
	assert_ptr_equal(d0->group->domain, d0->group->default_domain);
	d1 = fx_add(fx, "dev1", fx->m0, &with0);
	assert_ptr_equal(d1->group, d0->group);
	assert_ptr_equal(d1->hw_domain, d0->group->default_domain);
	assert_int_equal(ims_attach_device(domain, d0), -EINVAL);
	assert_int_equal(ims_attach_device(domain, NULL), -ENODEV);
	assert_ptr_equal(d0->group->domain, d0->group->default_domain);
	ims_domain_free(domain);
	fx_free(fx);
}
TEST_PROFILES(attach_device_singleton)

/*
 * 7.5: a 3-device group where device 2 fails hard: devices 1 and 3 end on
 * the old domain, group->domain is unchanged, device 2's errno comes back.
 */
static void rollback(enum ims_profile p)
{
	struct fx *fx = fx_new(p);
	struct ims_mock_device_cfg fail = { .fail_attach_errno = ENOSPC, .group_with = "d1" };
	struct ims_mock_device_cfg with = { .group_with = "d1" };
	struct ims_device *d1 = fx_add(fx, "d1", fx->m0, NULL);
	struct ims_device *d2 = fx_add(fx, "d2", fx->m0, &fail);
	struct ims_device *d3 = fx_add(fx, "d3", fx->m0, &with);
	struct ims_group *g = d1->group;
	struct ims_domain *old, *domain;

	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	assert_int_equal(g->nr_devices, 3);
	old = g->domain;
	domain = ims_paging_domain_alloc(d1, 0);
	fx_reset_counts(fx);
	assert_int_equal(ims_attach_group(domain, g), -ENOSPC);
	assert_ptr_equal(g->domain, old);
	assert_ptr_equal(d1->hw_domain, old);
	assert_ptr_equal(d2->hw_domain, old);
	assert_ptr_equal(d3->hw_domain, old);
	/* d1 -> new, d2 fails, then the unwind: d1 back (+ d2 again in older eras) */
	assert_int_equal(fx->driver_calls, ims_profile_facts(p)->unwind_skips_failed ? 3 : 4);
	assert_int_equal(domain->attach_count, 0);
	assert_int_equal(old->attach_count, 3);
	ims_domain_free(domain);
	fx_free(fx);
}
TEST_PROFILES(rollback)

/* 7.11 for the mock: the same foreign-instance condition in each era. */
static void foreign_instance(enum ims_profile p)
{
	static const int expect[IMS_PROFILE_NR] = {
		[IMS_PROFILE_UPSTREAM] = EINVAL,
		[IMS_PROFILE_SEED] = EMEDIUMTYPE,
		[IMS_PROFILE_LEGACY] = ENXIO,
	};
	struct fx *fx = fx_new(p);
	struct ims_device *a = fx_add(fx, "a", fx->m0, NULL);
	struct ims_device *b = fx_add(fx, "b", fx->m1, NULL);
	struct ims_domain *domain;
	int ret;

	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	domain = ims_paging_domain_alloc(a, 0);
	/* Old eras bind at first attach; today the allocation already bound it. */
	assert_ptr_equal(ims_mock_domain_instance(domain),
			 ims_profile_facts(p)->alloc_for_device ? fx->m0 : NULL);
	assert_int_equal(ims_attach_group(domain, a->group), 0);
	assert_ptr_equal(ims_mock_domain_instance(domain), fx->m0);
	ret = ims_attach_group(domain, b->group);
	assert_int_equal(ret, -expect[p]);
	assert_int_equal(ims_err_is_soft(fx->core, ret), p != IMS_PROFILE_LEGACY);
	assert_ptr_equal(b->group->domain, b->group->default_domain);
	assert_ptr_equal(b->hw_domain, b->group->default_domain);
	ims_detach_group(domain, a->group);
	ims_domain_free(domain);
	fx_free(fx);
}
TEST_PROFILES(foreign_instance)

/* Replace switches non-core to non-core without EBUSY; failure keeps the old. */
static void replace(enum ims_profile p)
{
	struct fx *fx = fx_new(p);
	struct ims_device *a = fx_add(fx, "a", fx->m0, NULL);
	struct ims_device *b = fx_add(fx, "b", fx->m1, NULL);
	struct ims_domain *d1, *d2, *db;

	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	d1 = ims_paging_domain_alloc(a, 0);
	d2 = ims_paging_domain_alloc(a, 0);
	db = ims_paging_domain_alloc(b, 0);
	assert_int_equal(ims_attach_group(db, b->group), 0);
	assert_int_equal(ims_attach_group(d1, a->group), 0);
	assert_int_equal(ims_group_replace_domain(a->group, d2), 0);
	assert_ptr_equal(a->group->domain, d2);
	assert_int_equal(ims_group_replace_domain(a->group, d2), 0);
	assert_int_not_equal(ims_group_replace_domain(a->group, db), 0);
	assert_ptr_equal(a->group->domain, d2);
	assert_ptr_equal(a->hw_domain, d2);
	assert_int_equal(ims_group_replace_domain(a->group, NULL), -EINVAL);
	ims_detach_group(d2, a->group);
	ims_detach_group(db, b->group);
	ims_domain_free(d1);
	ims_domain_free(d2);
	ims_domain_free(db);
	fx_free(fx);
}
TEST_PROFILES(replace)

/* 7.26: attach while a PCI reset runs gets EBUSY (newest kernels only). */
static void reset_fence(enum ims_profile p)
{
	struct fx *fx = fx_new(p);
	struct ims_group *g = fx_add_probed(fx, "a", fx->m0);
	struct ims_device *a = ims_group_first_device(g);
	struct ims_domain *domain = ims_paging_domain_alloc(a, 0);

	assert_int_equal(ims_group_reset_prepare(g), 0);
	if (ims_profile_facts(p)->reset_fence) {
		assert_int_equal(ims_attach_group(domain, g), -EBUSY);
		assert_ptr_equal(a->hw_domain, g->blocking_domain);
		ims_group_reset_done(g);
		assert_ptr_equal(a->hw_domain, g->default_domain);
	}
	assert_int_equal(ims_attach_group(domain, g), 0);
	ims_detach_group(domain, g);
	ims_domain_free(domain);
	fx_free(fx);
}
TEST_PROFILES(reset_fence)

/* Dirty-tracking and snoop-control incompatibilities. */
static void capability_rules(enum ims_profile p)
{
	struct ims_core_config cfg = { .profile = p, .strict = true };
	struct ims_mock_iommu_cfg rich = { .dirty_tracking = true, .enforce_coherency = true };
	struct ims_mock_device_cfg nodirty = { .no_dirty = true };
	struct fx *fx = fx_new_cfg(&cfg, &rich);
	struct ims_device *a = fx_add(fx, "a", fx->m1, NULL);
	struct ims_device *b = fx_add(fx, "b", fx->m1, &nodirty);
	struct ims_device *c = fx_add(fx, "c", fx->m0, NULL);
	int soft = ims_profile_facts(p)->incompatible_errno;
	struct ims_domain *dirty, *cc;

	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	assert_true(ims_device_capable(a, IMS_CAP_DIRTY_TRACKING));
	assert_false(ims_device_capable(b, IMS_CAP_DIRTY_TRACKING));
	assert_true(IS_ERR(ims_paging_domain_alloc(b, IMS_ALLOC_DIRTY_TRACKING)));
	dirty = ims_paging_domain_alloc(a, IMS_ALLOC_DIRTY_TRACKING);
	assert_false(IS_ERR(dirty));
	assert_int_equal(ims_attach_group(dirty, b->group), soft ? -soft : -EOPNOTSUPP);
	assert_int_equal(ims_attach_group(dirty, a->group), 0);
	ims_detach_group(dirty, a->group);
	cc = ims_paging_domain_alloc(a, 0);
	assert_int_equal(ims_attach_group(cc, a->group), 0);
	assert_true(ims_domain_enforce_cache_coherency(cc));
	/* c sits behind mock0: another instance comes first in the checks */
	assert_int_not_equal(ims_attach_group(cc, c->group), 0);
	ims_detach_group(cc, a->group);
	ims_domain_free(dirty);
	ims_domain_free(cc);
	fx_free(fx);
}
TEST_PROFILES(capability_rules)

/* Bad input: NULL and error pointers, empty groups; nothing changes. */
static void test_bad_input(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	struct ims_group *g = fx_add_probed(fx, "a", fx->m0);
	struct ims_domain *before = g->domain;
	struct ims_device_desc dup = { .name = "a", .iommu = fx->m0 };
	struct ims_device_desc noname = { .iommu = fx->m0 };
	struct ims_device_desc badids = { .name = "x", .iommu = fx->m0, .nr_ids = 2 };

	(void)state;
	assert_int_equal(ims_attach_group(NULL, g), -EINVAL);
	assert_int_equal(ims_attach_group(ERR_PTR(-ENOMEM), g), -EINVAL);
	assert_int_equal(ims_attach_group(g->default_domain, NULL), -EINVAL);
	assert_int_equal(ims_group_replace_domain(NULL, before), -EINVAL);
	assert_int_equal(PTR_ERR(ims_paging_domain_alloc(NULL, 0)), -ENODEV);
	assert_int_equal(PTR_ERR(ims_device_add(fx->core, &dup)), -EEXIST);
	assert_int_equal(PTR_ERR(ims_device_add(fx->core, &noname)), -EINVAL);
	assert_int_equal(PTR_ERR(ims_device_add(fx->core, &badids)), -EINVAL);
	assert_int_equal(PTR_ERR(ims_paging_domain_alloc(ims_group_first_device(g), 1u << 9)),
			 -EOPNOTSUPP);
	assert_ptr_equal(g->domain, before);
	ims_detach_group(NULL, NULL);
	ims_domain_free(NULL);
	fx_free(fx);
}

static void test_profile_names(void **state)
{
	enum ims_profile p;

	(void)state;
	assert_int_equal(ims_profile_from_name("seed", &p), 0);
	assert_int_equal(p, IMS_PROFILE_SEED);
	assert_int_equal(ims_profile_from_name("v5.19", &p), -EINVAL);
	assert_string_equal(ims_profile_name(IMS_PROFILE_LEGACY), "legacy");
	assert_int_equal(ims_profile_facts(IMS_PROFILE_UPSTREAM)->incompatible_errno, EINVAL);
	assert_int_equal(ims_profile_facts(IMS_PROFILE_SEED)->incompatible_errno, EMEDIUMTYPE);
	assert_int_equal(ims_profile_facts(IMS_PROFILE_LEGACY)->incompatible_errno, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PROFILE_TESTS(errno_classes),
		PROFILE_TESTS(busy_on_unmanaged),
		PROFILE_TESTS(foreign_driver),
		PROFILE_TESTS(attach_device_singleton),
		PROFILE_TESTS(rollback),
		PROFILE_TESTS(foreign_instance),
		PROFILE_TESTS(replace),
		PROFILE_TESTS(reset_fence),
		PROFILE_TESTS(capability_rules),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_profile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
