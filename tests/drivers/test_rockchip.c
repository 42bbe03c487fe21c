// SPDX-License-Identifier: MIT
/*
 * The Rockchip IOMMU model (src/drivers/rockchip) on the built-in rockchip
 * platform (rk3568, v2) and small trees of its own (v1): domains shared
 * across instances, the "virtual device" 0 for another driver's device per
 * era, 4K..4M written as 4 KiB entries, the driver's map answer, both
 * layouts and one layout per platform, one group per instance, reserved
 * regions, fresh domains.
 */
#include "soc32_bed.h"
#include "drivers/rockchip/rockchip.h"

#define VOP "fe040000.vop"
#define VPU "fdea0400.video-codec"
#define DMA "fe530000.dma"
#define VOP_MMU "fe043e00.iommu"
#define VPU_MMU "fdea0800.iommu"

#define DTS_HEAD "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
#define RK_V1(addr)                                                                  \
	"m" #addr ": iommu@" #addr " { compatible = \"rockchip,iommu\"; reg = <0x" #addr \
	" 0x100>; #iommu-cells = <0>; };\n"

static const char v1_two_masters[] = DTS_HEAD RK_V1(1000)
	"a@2000 { reg = <0x2000 0x10>; iommus = <&m1000>; };\n"
	"b@3000 { reg = <0x3000 0x10>; iommus = <&m1000>; };\n};\n";

static void test_foreign_instance_each_era(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *domain;
		struct bed b;

		bed_up(&b, "rockchip", p);
		domain = bed_domain(&b, VOP);
		assert_int_equal(bed_attach(&b, domain, VOP), 0);
		assert_int_equal(bed_attach(&b, domain, VPU), 0);
		assert_int_equal(ims_rockchip_active_domain(bed_iommu(&b, VOP_MMU)), domain->id);
		assert_int_equal(ims_rockchip_active_domain(bed_iommu(&b, VPU_MMU)), domain->id);
		ims_detach_group(domain, bed_dev(&b, VPU)->group);
		bed_release(&b, domain, VOP);
		/* freeing a domain no instance walks any more */
		assert_int_equal(ims_rockchip_active_domain(bed_iommu(&b, VOP_MMU)),
				 bed_dev(&b, VOP)->group->default_domain->id);
		bed_down(&b);
	}
}

static void test_foreign_driver_each_era(void **state)
{
	static const int want[IMS_PROFILE_NR] = {
		[IMS_PROFILE_UPSTREAM] = -EINVAL, [IMS_PROFILE_SEED] = -EMEDIUMTYPE,
		[IMS_PROFILE_LEGACY] = 0,
	};

	bed_for_each_profile(p) {
		struct ims_domain *domain, *before;
		struct bed b;

		bed_up(&b, "rockchip", p);
		before = bed_dev(&b, DMA)->hw_domain;
		domain = bed_domain(&b, VOP);
		assert_int_equal(bed_attach(&b, domain, DMA), want[p]);
		/* the 2022 0 changed nothing: a "virtual device" */
		assert_ptr_equal(bed_dev(&b, DMA)->hw_domain, before);
		bed_release(&b, domain, DMA);
		bed_down(&b);
	}
}

static void test_map_as_4k_entries(void **state)
{
	struct ims_domain *domain;
	struct bed b;

	bed_up(&b, "rockchip", IMS_PROFILE_UPSTREAM);
	domain = bed_domain(&b, VOP);
	assert_int_equal(domain->pgsize_bitmap, 0x7ff000);
	assert_int_equal(domain->geometry.aperture_end, 0xffffffff);
	assert_int_equal(bed_attach(&b, domain, VOP), 0);
	/* 4 MiB + 2 MiB: the core asks for large pages, the driver writes 4 KiB entries */
	assert_int_equal(ims_iommu_map(domain, 0x400000, 0xab00400000ull, 0x600000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x9ff123), 0xab009ff123ull);
	assert_int_equal(ims_iommu_map(domain, 0x800000, 0x1000, 0x1000, RW), -EADDRINUSE);
	/* an unmap of one 4 KiB page inside the "4 MiB page" is fine: they are 4 KiB entries */
	assert_int_equal(ims_iommu_unmap(domain, 0x401000, 0x1000), 0x1000);
	assert_int_equal(ims_iommu_unmap(domain, 0x400000, 0x600000), 0x1000);
	assert_int_equal(ims_iommu_unmap(domain, 0x402000, 0x5fe000), 0x5fe000);
	assert_int_equal(ims_iommu_map(domain, 0x400000, 1ull << 40, 0x1000, RW), -ERANGE);
	bed_release(&b, domain, VOP);
	bed_down(&b);
}

static void test_v1_layout_and_group(void **state)
{
	struct ims_domain *domain;
	struct bed b;

	bed_up(&b, v1_two_masters, IMS_PROFILE_UPSTREAM);
	/* one group per instance */
	assert_ptr_equal(bed_dev(&b, "2000.a")->group, bed_dev(&b, "3000.b")->group);
	domain = bed_domain(&b, "2000.a");
	assert_int_equal(bed_attach(&b, domain, "3000.b"), 0);
	assert_ptr_equal(bed_dev(&b, "2000.a")->hw_domain, domain);
	assert_int_equal(ims_iommu_map(domain, 0x1000, 0x80000000, 0x2000, RW), 0);
	assert_int_equal(ims_iommu_map(domain, 0x10000, 1ull << 32, 0x1000, RW), -ERANGE);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x2004), 0x80001004);
	bed_release(&b, domain, "3000.b");
	bed_down(&b);
}

static void test_one_layout_per_platform(void **state)
{
	char err[512] = "";
	struct bed b;

	assert_int_equal(bed_try(&b, DTS_HEAD RK_V1(1000)
				 "n: iommu@2000 { compatible = \"rockchip,rk3568-iommu\";"
				 " reg = <0x2000 0x100>; #iommu-cells = <0>; };\n};\n",
				 IMS_PROFILE_UPSTREAM, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a v2 IOMMU beside v1 ones"));
	bed_down(&b);
}

static void test_regions_and_defaults(void **state)
{
	struct bed b;

	bed_up(&b, "rockchip", IMS_PROFILE_UPSTREAM);
	assert_ptr_not_equal(bed_dev(&b, VOP)->group, bed_dev(&b, VPU)->group);
	assert_int_equal(bed_dev(&b, VOP)->group->default_domain->type, IMS_DOMAIN_DMA);
	bed_no_resv_regions(&b, VOP);
	bed_down(&b);
}

static void test_fresh_domains(void **state)
{
	static const char *const devices[] = { VOP, VPU, NULL };

	bed_check_fresh_domains("rockchip", devices);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_instance_each_era),
		cmocka_unit_test(test_foreign_driver_each_era),
		cmocka_unit_test(test_map_as_4k_entries),
		cmocka_unit_test(test_v1_layout_and_group),
		cmocka_unit_test(test_one_layout_per_platform),
		cmocka_unit_test(test_regions_and_defaults),
		cmocka_unit_test(test_fresh_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
