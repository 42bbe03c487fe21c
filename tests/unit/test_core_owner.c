// SPDX-License-Identifier: MIT
/*
 * DMA ownership (kernel-semantics 2.6, 7 items 6-7): claims by groups and
 * devices with the same and another owner, kernel-driver users, and groups
 * with a direct-mapped (require-direct) device.
 */
#include "core_fixture.h"

static const int owner_a, owner_b;

static void test_group_claims(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	struct ims_group *g = fx_add_probed(fx, "a", fx->m0);

	(void)state;
	assert_int_equal(ims_group_claim_dma_owner(g, NULL), -EINVAL);
	assert_int_equal(ims_group_claim_dma_owner(g, &owner_a), 0);
	assert_ptr_equal(g->domain, g->blocking_domain);
	assert_ptr_equal(ims_group_first_device(g)->hw_domain, g->blocking_domain);
	assert_true(ims_group_dma_owner_claimed(g));
	/* A group claim is exclusive, whoever asks. */
	assert_int_equal(ims_group_claim_dma_owner(g, &owner_a), -EPERM);
	assert_int_equal(ims_group_claim_dma_owner(g, &owner_b), -EPERM);
	assert_int_equal(g->owner_cnt, 1);
	ims_group_release_dma_owner(g);
	assert_false(ims_group_dma_owner_claimed(g));
	assert_ptr_equal(g->domain, g->default_domain);
	assert_null(g->owner);
	fx_free(fx);
}

static void test_device_claims(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	struct ims_mock_device_cfg with = { .group_with = "a" };
	struct ims_device *a = fx_add(fx, "a", fx->m0, NULL);
	struct ims_device *b = fx_add(fx, "b", fx->m0, &with);
	struct ims_group *g = a->group;

	(void)state;
	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	assert_int_equal(ims_device_claim_dma_owner(a, NULL), -EINVAL);
	assert_int_equal(ims_device_claim_dma_owner(NULL, &owner_a), -ENODEV);
	assert_int_equal(ims_device_claim_dma_owner(a, &owner_a), 0);
	/* Same owner: counted; another owner: refused. */
	assert_int_equal(ims_device_claim_dma_owner(b, &owner_a), 0);
	assert_int_equal(g->owner_cnt, 2);
	assert_int_equal(ims_device_claim_dma_owner(b, &owner_b), -EPERM);
	assert_int_equal(g->owner_cnt, 2);
	ims_device_release_dma_owner(b);
	assert_int_equal(g->owner_cnt, 1);
	assert_ptr_equal(g->domain, g->blocking_domain);
	/* Last release: back to the default domain. */
	ims_device_release_dma_owner(a);
	assert_int_equal(g->owner_cnt, 0);
	assert_ptr_equal(g->domain, g->default_domain);
	assert_ptr_equal(a->hw_domain, g->default_domain);
	assert_ptr_equal(b->hw_domain, g->default_domain);
	fx_free(fx);
}

/* 7.7: a kernel driver on the default domain keeps external owners out. */
static void test_kernel_driver_users(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	struct ims_group *g = fx_add_probed(fx, "nvme", fx->m0);
	struct ims_device *dev = ims_group_first_device(g);
	struct ims_domain *domain;

	(void)state;
	assert_int_equal(ims_device_use_default_domain(dev), 0);
	assert_int_equal(ims_group_claim_dma_owner(g, &owner_a), -EPERM);
	assert_int_equal(ims_device_claim_dma_owner(dev, &owner_a), -EPERM);
	assert_ptr_equal(g->domain, g->default_domain);
	/* A second kernel user is fine while the group is on its default domain. */
	assert_int_equal(ims_device_use_default_domain(dev), 0);
	assert_int_equal(g->owner_cnt, 2);
	ims_device_unuse_default_domain(dev);
	ims_device_unuse_default_domain(dev);
	assert_int_equal(g->owner_cnt, 0);
	/* Kernel drivers cannot bind while the group is on an API domain. */
	domain = ims_paging_domain_alloc(dev, 0);
	assert_int_equal(ims_attach_group(domain, g), 0);
	assert_int_equal(ims_device_use_default_domain(dev), 0); /* first user: allowed */
	assert_int_equal(ims_device_use_default_domain(dev), -EBUSY);
	ims_device_unuse_default_domain(dev);
	/* And claiming needs the group back on its default domain. */
	assert_int_equal(ims_group_claim_dma_owner(g, &owner_a), -EBUSY);
	ims_detach_group(domain, g);
	assert_int_equal(ims_group_claim_dma_owner(g, &owner_a), 0);
	assert_int_equal(ims_device_use_default_domain(dev), -EBUSY);
	ims_group_release_dma_owner(g);
	ims_domain_free(domain);
	fx_free(fx);
}

/* 7.6: no blocking domain for a group with a require-direct device. */
static void test_require_direct(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	const struct ims_resv_region rmrr = {
		.start = 0x3e000000, .length = 0x20000,
		.prot = IMS_PROT_READ | IMS_PROT_WRITE, .type = IMS_RESV_DIRECT,
	};
	struct ims_device_desc desc = {
		.name = "usb", .iommu = fx->m0, .resv = &rmrr, .nr_resv = 1,
	};
	struct ims_device *dev = ims_device_add(fx->core, &desc);
	struct ims_group *g;

	(void)state;
	assert_false(IS_ERR(dev));
	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	g = dev->group;
	assert_true(dev->require_direct);
	/* The default DMA domain maps the region 1:1. */
	assert_int_equal(ims_iommu_iova_to_phys(g->default_domain, 0x3e010000), 0x3e010000);
	assert_int_equal(ims_group_claim_dma_owner(g, &owner_a), -EINVAL);
	assert_ptr_equal(g->domain, g->default_domain);
	assert_ptr_equal(dev->hw_domain, g->default_domain);
	assert_int_equal(g->owner_cnt, 0);
	assert_null(g->owner);
	assert_int_equal(ims_device_claim_dma_owner(dev, &owner_a), -EINVAL);
	assert_int_equal(g->owner_cnt, 0);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_claims),
		cmocka_unit_test(test_device_claims),
		cmocka_unit_test(test_kernel_driver_users),
		cmocka_unit_test(test_require_direct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
