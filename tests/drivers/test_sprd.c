// SPDX-License-Identifier: MIT
/*
 * The Spreadtrum model (src/drivers/sprd): "already attached" per era, the
 * table made at first attach (and ENOMEM when it cannot be), re-attach
 * today, groups per instance, the 256 MiB window and 32-bit PAs, mapping
 * through the flat table, the fresh-domain rule.  Platform: "sharkl3".
 */
#include "drv_fixture.h"

#include "drivers/sprd/sprd.h"

#define DISPC "63000000.dispc"
#define VSP "62200000.vsp"
#define JPG "62300000.jpg"
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)
#define MIB(n) ((uint64_t)(n) << 20)

/* A domain attached to the display controller, then to the video codec's IOMMU. */
static void test_already_attached(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build(&d, "sharkl3", p);
		domain = drv_domain(&d, DISPC);
		assert_int_equal(drv_attach(&d, domain, DISPC), 0);
		assert_string_equal(ims_sprd_domain_table_owner(domain)->name, "63000800.iommu");
		assert_int_equal(drv_attach(&d, domain, VSP), per_profile(p, 0, -EMEDIUMTYPE, -EINVAL));
		assert_ptr_equal(drv_dev(&d, VSP)->hw_domain,
				 per_profile(p, 0, 1, 1) ? drv_dev(&d, VSP)->group->default_domain : domain);
		/* the table stays the one made for the first instance */
		assert_string_equal(ims_sprd_domain_table_owner(domain)->name, "63000800.iommu");
		drv_leave(domain, drv_dev(&d, VSP));
		drv_release(&d, domain, DISPC);
		drv_teardown(&d);
	}
}

/*
 * A domain comes back to the instance it was made for in every era (the
 * default domain after VFIO); to another instance only today.
 */
static void test_reattach(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct ims_device *jpg;
		struct drv d;

		drv_build(&d, "sharkl3", p);
		jpg = drv_dev(&d, JPG);
		domain = drv_domain(&d, JPG);
		assert_int_equal(drv_attach(&d, domain, JPG), 0);
		ims_detach_group(domain, jpg->group);
		assert_ptr_equal(jpg->hw_domain, jpg->group->default_domain);
		assert_int_equal(drv_attach(&d, domain, JPG), 0);
		ims_detach_group(domain, jpg->group);
		assert_int_equal(drv_attach(&d, domain, DISPC), per_profile(p, 0, -EMEDIUMTYPE, -EINVAL));
		drv_leave(domain, drv_dev(&d, DISPC));
		ims_domain_free(domain);
		drv_teardown(&d);
	}
}

/* The first attach allocates the table: ENOMEM when it cannot, nothing changed. */
static void test_table_alloc_fails(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build(&d, "sharkl3", p);
		domain = drv_domain(&d, JPG);
		ims_fail_nth_set(1);
		assert_int_equal(drv_attach(&d, domain, JPG), -ENOMEM);
		ims_fail_nth_set(0);
		assert_null(ims_sprd_domain_table_owner(domain));
		assert_ptr_equal(drv_dev(&d, JPG)->hw_domain, drv_dev(&d, JPG)->group->default_domain);
		/* no table yet: maps fail as the kernel's do without a device */
		assert_int_equal(ims_iommu_map(domain, 0, 0x12340000, 0x1000, RW), -EINVAL);
		assert_int_equal(drv_attach(&d, domain, JPG), 0);
		drv_release(&d, domain, JPG);
		drv_teardown(&d);
	}
}

#define DTS_FOREIGN                                                                \
	DTS_HEAD                                                                   \
	"\tsprd: iommu@63000800 { compatible = \"sprd,iommu-v1\"; reg = <0 0x63000800 0 0x80>;\n" \
	"\t\t#iommu-cells = <0>; };\n"                                             \
	"\tdispc@63000000 { reg = <0 0x63000000 0 0x800>; iommus = <&sprd>; };\n"   \
	"\tdma@20000000 { reg = <0 0x20000000 0 0x1000>; iommus = <&smmu 1>; };\n};\n"

static void test_foreign_driver(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build_dts(&d, DTS_FOREIGN, p);
		domain = drv_domain(&d, DISPC);
		assert_int_equal(drv_attach(&d, domain, "20000000.dma"),
				 per_profile(p, -EINVAL, -EMEDIUMTYPE, -ENODEV));
		drv_release(&d, domain, "20000000.dma");
		drv_teardown(&d);
	}
}

/* Every device behind one instance shares its group. */
static void test_group_per_instance(void **state)
{
	static const char dts[] =
		"/dts-v1/;\n/ {\n\t#address-cells = <2>; #size-cells = <2>;\n"
		"\tsprd: iommu@63000800 { compatible = \"sprd,iommu-v1\"; reg = <0 0x63000800 0 0x80>;\n"
		"\t\t#iommu-cells = <0>; };\n"
		"\tother: iommu@62200800 { compatible = \"sprd,iommu-v1\"; reg = <0 0x62200800 0 0x80>;\n"
		"\t\t#iommu-cells = <0>; };\n"
		"\ta@63000000 { reg = <0 0x63000000 0 0x400>; iommus = <&sprd>; };\n"
		"\tb@63000400 { reg = <0 0x63000400 0 0x400>; iommus = <&sprd>; };\n"
		"\tc@62200000 { reg = <0 0x62200000 0 0x400>; iommus = <&other>; };\n};\n";
	struct drv d;

	drv_build_dts(&d, dts, IMS_PROFILE_UPSTREAM);
	assert_ptr_equal(drv_dev(&d, "63000000.a")->group, drv_dev(&d, "63000400.b")->group);
	assert_int_equal(drv_dev(&d, "63000000.a")->group->nr_devices, 2);
	assert_ptr_not_equal(drv_dev(&d, "63000000.a")->group, drv_dev(&d, "62200000.c")->group);
	drv_teardown(&d);
}

/* 256 MiB window, 4 KiB pages, 32-bit PAs, through the flat table. */
static void test_map_through_table(void **state)
{
	struct ims_domain *domain;
	struct drv d;

	drv_build(&d, "sharkl3", IMS_PROFILE_UPSTREAM);
	domain = drv_domain(&d, DISPC);
	assert_int_equal(domain->pgsize_bitmap, 0x1000);
	assert_int_equal(domain->geometry.aperture_start, 0);
	assert_int_equal(domain->geometry.aperture_end, MIB(256) - 1);
	assert_int_equal(drv_attach(&d, domain, DISPC), 0);
	assert_int_equal(ims_iommu_map(domain, MIB(200), 0x87650000, 0x20000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, MIB(200) + 0x11234), 0x87661234);
	assert_int_equal(ims_iommu_map(domain, MIB(256), 0x87650000, 0x1000, RW), -EINVAL);
	assert_int_equal(ims_iommu_map(domain, 0, 0x100000000ull, 0x1000, RW), -ERANGE);
	assert_int_equal(ims_iommu_unmap(domain, MIB(200), 0x20000), 0x20000);
	assert_int_equal(ims_iommu_iova_to_phys(domain, MIB(200)), 0);
	drv_release(&d, domain, DISPC);
	drv_teardown(&d);
}

static void test_fresh_domains_compatible(void **state)
{
	FOR_EACH_PROFILE(p)
		drv_fresh_domains_compatible("sharkl3", p);
}

/* Every allocation failure on the way leaves nothing behind. */
static void test_failnth(void **state)
{
	drv_failnth_sweep("sharkl3", JPG, MIB(64), 0x12340000, 0x10000, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_already_attached),
		cmocka_unit_test(test_reattach),
		cmocka_unit_test(test_table_alloc_fails),
		cmocka_unit_test(test_foreign_driver),
		cmocka_unit_test(test_group_per_instance),
		cmocka_unit_test(test_map_through_table),
		cmocka_unit_test(test_fresh_domains_compatible),
		cmocka_unit_test(test_failnth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
