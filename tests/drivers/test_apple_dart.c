// SPDX-License-Identifier: MIT
/*
 * The apple-dart model on apple-m1 and small platforms of its own:
 * page-size-too-large, bypass-unsupported and foreign-instance in every
 * profile (the seed's DART-set answer is the unconverted EINVAL), default
 * domain types, binding at allocation or first attach, the DART1 table
 * (DART2's is in tests/pt), stream grouping and its conflicts, the PCIe MSI doorbell, and
 * fresh domains.
 */
#include "arm_fixture.h"

#include "iommusim/pt.h"

#define M1 "apple-m1"

extern const struct ims_iommu_ops ims_apple_dart_ops;

static void test_page_size_too_large(void **state)
{
	const struct fx_expect want = { { [UP] = -EINVAL, [SEED] = -EMEDIUMTYPE, [LEGACY] = -EINVAL } };

	fx_check_case(M1, "231000000.display", false, "231000000.display", &want);
}

static void test_foreign_instance(void **state)
{
	const struct fx_expect want = { { [UP] = -EINVAL, [SEED] = -EINVAL, [LEGACY] = -EINVAL } };

	fx_check_case(M1, "382000000.isp", true, "39b000000.sio", &want);
}

static void test_bypass_unsupported(void **state)
{
	const int want[IMS_PROFILE_NR] = { [UP] = -EINVAL, [SEED] = -EMEDIUMTYPE, [LEGACY] = -EINVAL };

	FX_EACH_PROFILE(p) {
		struct ims_domain *id;
		struct fx f;

		fx_up(&f, M1, p);
		id = ims_static_domain(f.core, &ims_apple_dart_ops, IMS_DOMAIN_IDENTITY);
		assert_int_equal(fx_attach(&f, id, "39b000000.sio"), want[p]);
		assert_int_equal(fx_attach(&f, id, "382000000.isp"), 0);
		fx_detach(&f, id, "382000000.isp");
		fx_down(&f);
	}
}

/* A DART that forces bypass defaults to identity, one without bypass to DMA. */
static void test_default_domains(void **state)
{
	struct fx f;

	fx_up(&f, M1, UP);
	assert_int_equal(fx_dev(&f, "231000000.display")->group->default_domain->type,
			 IMS_DOMAIN_IDENTITY);
	assert_int_equal(fx_dev(&f, "39b000000.sio")->group->default_domain->type, IMS_DOMAIN_DMA);
	fx_down(&f);
}

static void test_binding_and_tables(void **state)
{
	FX_EACH_PROFILE(p) {
		struct ims_domain *d;
		struct fx f;

		fx_up(&f, M1, p);
		d = fx_domain(&f, "0000:01:00.0", 0);
		assert_int_equal(d->iommu != NULL, p == UP);
		assert_int_equal(fx_attach(&f, d, "0000:01:00.0"), 0);
		assert_int_equal(d->pgsize_bitmap, 1ull << 12);
		assert_int_equal(d->geometry.aperture_end, 0xffffffffull);
		/* DART1 (t8103) outputs 36 bits */
		assert_int_equal(ims_iommu_map(d, 0x1000, 0x912345000ull, 4096, RW), 0);
		assert_int_equal(ims_iommu_iova_to_phys(d, 0x1008), 0x912345008ull);
		assert_int_equal(ims_iommu_map(d, 0x2000, 1ull << 36, 4096, RW), -ERANGE);
		assert_int_equal(ims_iommu_map(d, 1ull << 32, 0x12345000, 4096, RW), -ERANGE);
		assert_int_equal(ims_iommu_unmap(d, 0x1000, 4096), 4096);
		fx_detach(&f, d, "0000:01:00.0");
		ims_domain_free(d);
		fx_down(&f);
	}
}

static void test_msi_doorbell(void **state)
{
	uint64_t start = 0, length = 0;
	struct fx f;

	fx_up(&f, M1, UP);
	assert_int_equal(fx_resv(&f, "0000:01:00.0", IMS_RESV_MSI, &start, &length), 1);
	assert_int_equal(start, 0xfffff000);
	assert_int_equal(length, 4096);
	assert_int_equal(fx_resv(&f, "382000000.isp", IMS_RESV_MSI, &start, &length), 0);
	fx_down(&f);
}

/* A lone "apple,<model>-dart" with DART_PARAMS1 @params1 is refused, saying @why. */
static void dart_refused(const char *model, const char *params1, const char *why)
{
	char dts[512];
	struct fx f;

	snprintf(dts, sizeof(dts), "/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;\n"
		 "iommu@1000 { compatible = \"apple,%s-dart\"; reg = <0 0x1000 0 0x1000>; "
		 "#iommu-cells = <1>; iommusim,params1 = <%s>; };};", model, params1);
	assert_int_equal(fx_up_dts(&f, dts, UP), -EINVAL);
	assert_non_null(strstr(f.err, why));
	fx_down(&f);
}

#define DHEAD "/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;\n"                      \
	"dart: iommu@1000 { compatible = \"apple,t8103-dart\"; reg = <0 0x1000 0 0x1000>;\n"   \
	"#iommu-cells = <1>; iommusim,params1 = <0x0c000000>; };\n"
#define DDEV(addr, streams) "d@" addr " { reg = <0 0x" addr " 0 0x100>; iommus = " streams "; };\n"

/* Devices sharing a stream share a group; streams in two groups cannot be served. */
static void test_stream_grouping(void **state)
{
	struct fx f;

	assert_int_equal(fx_up_dts(&f, DHEAD DDEV("2000", "<&dart 1>") DDEV("3000", "<&dart 1>")
				   DDEV("4000", "<&dart 2>") "};", UP), 0);
	assert_ptr_equal(fx_dev(&f, "2000.d")->group, fx_dev(&f, "3000.d")->group);
	assert_ptr_not_equal(fx_dev(&f, "2000.d")->group, fx_dev(&f, "4000.d")->group);
	fx_down(&f);
	assert_int_equal(fx_up_dts(&f, DHEAD DDEV("2000", "<&dart 1>") DDEV("3000", "<&dart 2>")
				   DDEV("4000", "<&dart 1>, <&dart 2>") "};", UP), -EINVAL);
	fx_down(&f);
	assert_int_equal(fx_up_dts(&f, DHEAD DDEV("2000", "<&dart 16>") "};", UP), -EINVAL);
	assert_non_null(strstr(f.err, "apple-dart refuses the specifier"));
	fx_down(&f);
	dart_refused("t8103", "0x0d000000", "PAGE_SHIFT 13");
	/* DART2 page tables take 16 KiB pages only */
	dart_refused("t6000", "0x0c000000", "t6000");
}

static void test_fresh_domains_fit(void **state)
{
	/* the 16K DART's device cannot take any paging domain on a 4K CPU */
	assert_int_equal(fx_fresh_domains_fit(M1, "apple-dart", "231000000.display"), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_size_too_large),
		cmocka_unit_test(test_foreign_instance),
		cmocka_unit_test(test_bypass_unsupported),
		cmocka_unit_test(test_default_domains),
		cmocka_unit_test(test_binding_and_tables),
		cmocka_unit_test(test_msi_doorbell),
		cmocka_unit_test(test_stream_grouping),
		cmocka_unit_test(test_fresh_domains_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
