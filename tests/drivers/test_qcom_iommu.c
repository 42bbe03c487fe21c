// SPDX-License-Identifier: MIT
/*
 * The qcom_iommu model on the qcom platform: the foreign-instance rule in
 * every profile, binding at the first attach, the 32-bit LPAE table the
 * format restricts to 4K pages, contexts from child nodes and specifiers
 * checked against them, capabilities, generic grouping, fresh domains.
 */
#include "arm_fixture.h"

#define QCOM "qcom"

static void test_foreign_instance(void **state)
{
	const struct fx_expect want = { { [UP] = -EINVAL, [SEED] = -EMEDIUMTYPE, [LEGACY] = -EINVAL } };
	const struct fx_expect same = { { 0 } };

	fx_check_case(QCOM, "1a01000.mdp", true, "1c00000.gpu", &want);
	fx_check_case(QCOM, "1a01000.mdp", true, "1d00000.video-codec", &same);
}

static void test_domain_and_table(void **state)
{
	struct ims_domain *d;
	struct fx f;

	fx_up(&f, QCOM, UP);
	d = fx_domain(&f, "1a01000.mdp", 0);
	assert_null(d->iommu);
	assert_int_equal(fx_attach(&f, d, "1a01000.mdp"), 0);
	/* io-pgtable keeps 4K of the driver's 4K|64K|1M|16M (ARM_32_LPAE_S1) */
	assert_int_equal(d->pgsize_bitmap, 1ull << 12);
	assert_int_equal(d->geometry.aperture_end, 0xffffffffull);
	assert_int_equal(ims_iommu_map(d, 0x100000, 0x23456000, 0x10000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(d, 0x10f123), 0x23465123);
	assert_int_equal(ims_iommu_unmap(d, 0x100000, 0x10000), 0x10000);
	fx_detach(&f, d, "1a01000.mdp");
	ims_domain_free(d);
	assert_true(ims_device_capable(fx_dev(&f, "1c00000.gpu"), IMS_CAP_CACHE_COHERENCY));
	assert_ptr_not_equal(fx_dev(&f, "1a01000.mdp")->group,
			     fx_dev(&f, "1d00000.video-codec")->group);
	fx_down(&f);
}

#define QHEAD "/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;\n"                   \
	"q: iommu@1000 { compatible = \"qcom,msm-iommu-v1\"; reg = <0 0x1000 0 0x10000>;\n"  \
	"#address-cells = <1>; #size-cells = <1>; #iommu-cells = <1>;\n"

static void test_contexts_and_specifiers(void **state)
{
	struct fx f;

	assert_int_equal(fx_up_dts(&f, QHEAD "};};", UP), -EINVAL);
	assert_non_null(strstr(f.err, "no context bank"));
	fx_down(&f);
	/* a specifier naming no context is refused by of_xlate */
	assert_int_equal(fx_up_dts(&f, QHEAD "c@2000 { compatible = \"qcom,msm-iommu-v1-ns\"; "
				   "reg = <0x2000 0x1000>; };};\n"
				   "d@9000 { reg = <0 0x9000 0 0x100>; iommus = <&q 3>; };};", UP),
			 -EINVAL);
	assert_non_null(strstr(f.err, "qcom_iommu refuses the specifier"));
	fx_down(&f);
	assert_int_equal(fx_up_dts(&f, QHEAD "c@2000 { compatible = \"qcom,msm-iommu-v1-sec\"; "
				   "reg = <0x2000 0x1000>; qcom,ctx-asid = <7>; };};\n"
				   "d@9000 { reg = <0 0x9000 0 0x100>; iommus = <&q 7>; };};", UP), 0);
	fx_down(&f);
}

static void test_fresh_domains_fit(void **state)
{
	assert_int_equal(fx_fresh_domains_fit(QCOM, "qcom_iommu", NULL), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_instance),
		cmocka_unit_test(test_domain_and_table),
		cmocka_unit_test(test_contexts_and_specifiers),
		cmocka_unit_test(test_fresh_domains_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
