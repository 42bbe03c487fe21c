// SPDX-License-Identifier: MIT
/*
 * The msm IOMMU model (src/drivers/msm) on the built-in msm8960 platform:
 * EEXIST for a master that holds a context and ENODEV without a free
 * context bank, in every era; context 0 taken for "none"; detaching frees
 * the domain's table; a new table at every attach; the binding's
 * "qcom,ncb"; one master per IOMMU; maps through the short descriptor;
 * grouping, reserved regions, fresh domains.
 */
#include "soc32_bed.h"
#include "drivers/msm/msm.h"

#define MDP "5100000.mdp"
#define VIDC "4000000.vidc"
#define MDP_IOMMU "7500000.iommu"
#define VIDC_IOMMU "7400000.iommu"

#define DTS_HEAD "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"

/* Attach a new domain to @name, then replace it @replaces times; the domains, and the last answer. */
static int chain(struct bed *b, const char *name, unsigned int replaces, struct ims_domain **d)
{
	struct ims_group *group = bed_dev(b, name)->group;
	int ret = bed_attach(b, d[0] = bed_domain(b, name), name);

	for (unsigned int i = 1; i <= replaces && !ret; i++)
		ret = ims_group_replace_domain(group, d[i] = bed_domain(b, name));
	return ret;
}

static void unchain(struct bed *b, const char *name, struct ims_domain **d, unsigned int n)
{
	struct ims_group *group = bed_dev(b, name)->group;

	ims_detach_group(group->domain, group);
	for (unsigned int i = 0; i < n; i++)
		ims_domain_free(d[i]);
}

static void test_already_attached_each_era(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *d[3] = { 0 };
		struct bed b;

		bed_up(&b, "msm8960", p);
		assert_int_equal(chain(&b, MDP, 2, d), -EEXIST);
		/* A took context 0 ("none" to the driver), B context 1, C found it busy */
		assert_int_equal(ims_msm_master_context(bed_iommu(&b, MDP_IOMMU)), 1);
		assert_ptr_equal(bed_dev(&b, MDP)->group->domain, d[1]);
		unchain(&b, MDP, d, 3);
		bed_down(&b);
	}
}

static void test_context_exhausted_each_era(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *d[2] = { 0 };
		struct bed b;

		bed_up(&b, "msm8960", p);
		assert_int_equal(chain(&b, VIDC, 1, d), -ENODEV);
		assert_ptr_equal(bed_dev(&b, VIDC)->group->domain, d[0]);
		unchain(&b, VIDC, d, 2);
		bed_down(&b);
	}
}

/* Attach, detach, attach: context 0 again; detaching took the domain's table with it. */
static void test_detach_frees_table(void **state)
{
	struct ims_domain *a, *c;
	struct bed b;

	bed_up(&b, "msm8960", IMS_PROFILE_UPSTREAM);
	a = bed_domain(&b, VIDC);
	assert_int_equal(ims_iommu_map(a, 0x100000, 0x20000000, 0x1000, RW), -ENODEV);
	assert_int_equal(bed_attach(&b, a, VIDC), 0);
	assert_int_equal(ims_iommu_map(a, 0x100000, 0x20000000, 0x1000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(a, 0x100010), 0x20000010);
	ims_detach_group(a, bed_dev(&b, VIDC)->group);
	assert_int_equal(ims_iommu_iova_to_phys(a, 0x100010), 0);
	assert_int_equal(ims_iommu_unmap(a, 0x100000, 0x1000), 0);
	c = bed_domain(&b, VIDC);
	assert_int_equal(bed_attach(&b, c, VIDC), 0);
	assert_int_equal(ims_msm_master_context(bed_iommu(&b, VIDC_IOMMU)), 0);
	/* attaching again makes a new, empty table */
	assert_int_equal(ims_iommu_map(c, 0x100000, 0x20000000, 0x1000, RW), 0);
	ims_detach_group(c, bed_dev(&b, VIDC)->group);
	assert_int_equal(bed_attach(&b, c, VIDC), 0);
	assert_int_equal(ims_iommu_iova_to_phys(c, 0x100000), 0);
	bed_release(&b, c, VIDC);
	ims_domain_free(a);
	bed_down(&b);
}

static void test_map_through_the_table(void **state)
{
	struct ims_domain *domain;
	struct bed b;

	bed_up(&b, "msm8960", IMS_PROFILE_LEGACY);
	domain = bed_domain(&b, MDP);
	assert_int_equal(domain->pgsize_bitmap, 0x01111000);
	assert_int_equal(domain->geometry.aperture_end, 0xffffffff);
	assert_int_equal(bed_attach(&b, domain, MDP), 0);
	assert_int_equal(ims_iommu_map(domain, 0x1000000, 0x30000000, 0x1000000, IMS_PROT_READ), 0);
	assert_int_equal(ims_iommu_map(domain, 0x2010000, 0x40010000, 0x10000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x1abcdef), 0x30abcdef);
	assert_int_equal(ims_iommu_map(domain, 0x1800000, 0x50000000, 0x1000, RW), -EEXIST);
	assert_int_equal(ims_iommu_map(domain, 0x4000000, 1ull << 32, 0x1000, RW), -ERANGE);
	assert_int_equal(ims_iommu_unmap(domain, 0x1000000, 0x1000000), 0x1000000);
	assert_int_equal(ims_iommu_unmap(domain, 0x2010000, 0x10000), 0x10000);
	bed_release(&b, domain, MDP);
	bed_down(&b);
}

static void test_binding(void **state)
{
	char err[512] = "";
	struct bed b;

	assert_int_equal(bed_try(&b, DTS_HEAD "i: iommu@1000 { compatible = \"qcom,apq8064-iommu\";"
				 " reg = <0x1000 0x100>; #iommu-cells = <1>; };\n};\n",
				 IMS_PROFILE_UPSTREAM, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "property 'qcom,ncb': missing"));
	bed_down(&b);
	err[0] = '\0';
	assert_int_equal(bed_try(&b, DTS_HEAD "i: iommu@1000 { compatible = \"qcom,apq8064-iommu\";"
				 " reg = <0x1000 0x100>; #iommu-cells = <1>; qcom,ncb = <0>; };\n};\n",
				 IMS_PROFILE_UPSTREAM, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "0 context banks"));
	bed_down(&b);
	/* one master per IOMMU: a second device naming it cannot be added */
	err[0] = '\0';
	assert_int_equal(bed_try(&b, DTS_HEAD "i: iommu@1000 { compatible = \"qcom,apq8064-iommu\";"
				 " reg = <0x1000 0x100>; #iommu-cells = <1>; qcom,ncb = <2>; };\n"
				 "a@2000 { reg = <0x2000 0x10>; iommus = <&i 0>; };\n"
				 "b@3000 { reg = <0x3000 0x10>; iommus = <&i 1>; };\n};\n",
				 IMS_PROFILE_UPSTREAM, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "3000.b"));
	bed_down(&b);
}

static void test_groups_and_defaults(void **state)
{
	struct bed b;

	bed_up(&b, "msm8960", IMS_PROFILE_UPSTREAM);
	assert_ptr_not_equal(bed_dev(&b, MDP)->group, bed_dev(&b, VIDC)->group);
	assert_int_equal(bed_dev(&b, MDP)->group->default_domain->type, IMS_DOMAIN_IDENTITY);
	assert_int_equal(bed_dev(&b, MDP)->nr_ids, 2);
	bed_no_resv_regions(&b, MDP);
	bed_down(&b);
}

static void test_fresh_domains(void **state)
{
	static const char *const devices[] = { MDP, VIDC, NULL };

	bed_check_fresh_domains("msm8960", devices);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_already_attached_each_era),
		cmocka_unit_test(test_context_exhausted_each_era),
		cmocka_unit_test(test_detach_frees_table),
		cmocka_unit_test(test_map_through_the_table),
		cmocka_unit_test(test_binding),
		cmocka_unit_test(test_groups_and_defaults),
		cmocka_unit_test(test_fresh_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
