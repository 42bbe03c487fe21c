// SPDX-License-Identifier: MIT
/*
 * The ipmmu-vmsa model on r-car and small platforms of its own: the
 * foreign-instance rule in every profile, binding at the first attach,
 * contexts (Gen3: eight, context 0 reserved; Gen2: one) and their
 * exhaustion (-EBUSY), one group per IPMMU, the 32-bit LPAE table with the
 * non-secure bit, no capabilities and no reserved regions, fresh domains.
 */
#include "arm_fixture.h"

#define RCAR "r-car"

static void test_foreign_instance(void **state)
{
	const struct fx_expect want = { { [UP] = -EINVAL, [SEED] = -EMEDIUMTYPE, [LEGACY] = -EINVAL } };

	fx_check_case(RCAR, "fea00000.fcp", true, "e6ef0000.video", &want);
}

/* Domains attached one after the other until the IPMMU's contexts run out. */
static int contexts_until_busy(struct fx *f, const char *name, int *held_count)
{
	struct ims_domain *held[16];
	int n = 0, ret = 0;

	while (!ret && n < 16) {
		held[n++] = fx_domain(f, name, 0);
		ret = fx_attach(f, held[n - 1], name);
		if (!ret)
			fx_detach(f, held[n - 1], name);
	}
	*held_count = n - 1; /* the last one failed */
	while (n-- > 0)
		ims_domain_free(held[n]);
	return ret;
}

static void test_contexts(void **state)
{
	FX_EACH_PROFILE(p) {
		int got;
		struct fx f;

		fx_up(&f, RCAR, p);
		/* eight contexts, 0 reserved, one held by the default domain */
		assert_int_equal(contexts_until_busy(&f, "feb00000.display", &got), -EBUSY);
		assert_int_equal(got, 6);
		fx_down(&f);
	}
}

#define GEN2 "/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;\n"                       \
	"mmu: iommu@1000 { compatible = \"renesas,ipmmu-r8a7790\", \"renesas,ipmmu-vmsa\";\n"   \
	"reg = <0 0x1000 0 0x1000>; #iommu-cells = <1>; };\n"                                    \
	"a@2000 { reg = <0 0x2000 0 0x100>; iommus = <&mmu 3>; };\n"                            \
	"b@3000 { reg = <0 0x3000 0 0x100>; iommus = <&mmu 7>; };};"

/* R-Car Gen2: one context, which the default domain holds; both masters one group. */
static void test_gen2_and_grouping(void **state)
{
	int got;
	struct fx f;

	assert_int_equal(fx_up_dts(&f, GEN2, UP), 0);
	assert_ptr_equal(fx_dev(&f, "2000.a")->group, fx_dev(&f, "3000.b")->group);
	assert_int_equal(contexts_until_busy(&f, "2000.a", &got), -EBUSY);
	assert_int_equal(got, 0);
	fx_down(&f);
	fx_up(&f, RCAR, UP);
	assert_ptr_not_equal(fx_dev(&f, "fea00000.fcp")->group, fx_dev(&f, "e6ef0000.video")->group);
	fx_down(&f);
}

static void test_domain_and_table(void **state)
{
	uint64_t start, length;
	struct ims_domain *d;
	struct fx f;

	fx_up(&f, RCAR, UP);
	d = fx_domain(&f, "fea00000.fcp", 0);
	assert_null(d->iommu);
	assert_int_equal(d->geometry.aperture_end, 0xffffffffull);
	assert_int_equal(fx_attach(&f, d, "fea00000.fcp"), 0);
	assert_ptr_equal(d->iommu, fx_dev(&f, "fea00000.fcp")->iommu);
	assert_int_equal(d->pgsize_bitmap, (1ull << 12) | (1ull << 21) | (1ull << 30));
	assert_int_equal(ims_iommu_map(d, 0x10000000, 0x12345000, 4096, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(d, 0x10000abc), 0x12345abc);
	assert_int_equal(ims_iommu_map(d, 1ull << 32, 0x12345000, 4096, RW), -ERANGE);
	assert_int_equal(ims_iommu_map(d, 0x20000000, 1ull << 40, 4096, RW), -ERANGE);
	assert_int_equal(ims_iommu_unmap(d, 0x10000000, 4096), 4096);
	fx_detach(&f, d, "fea00000.fcp");
	ims_domain_free(d);
	/* no capable op, no reserved regions */
	assert_false(ims_device_capable(fx_dev(&f, "fea00000.fcp"), IMS_CAP_CACHE_COHERENCY));
	assert_int_equal(fx_resv(&f, "fea00000.fcp", IMS_RESV_SW_MSI, &start, &length), 0);
	fx_down(&f);
}

static void test_fresh_domains_fit(void **state)
{
	assert_int_equal(fx_fresh_domains_fit(RCAR, "ipmmu-vmsa", NULL), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_instance),
		cmocka_unit_test(test_contexts),
		cmocka_unit_test(test_gen2_and_grouping),
		cmocka_unit_test(test_domain_and_table),
		cmocka_unit_test(test_fresh_domains_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
