// SPDX-License-Identifier: MIT
/*
 * The Exynos SYSMMU model (src/drivers/exynos) on the built-in exynos
 * platform: a domain on masters of two SYSMMUs (no check), switching and
 * freeing, the driver's map and unmap answers, 32-bit IOVAs, the v5
 * layout, one layout per platform, the table of a domain allocated without
 * a device, grouping, reserved regions, fresh domains.
 */
#include "soc32_bed.h"
#include "drivers/exynos/exynos.h"

#define FIMD "14400000.fimd"
#define GSC "13e00000.gsc"
#define MIXER "14450000.mixer"
#define FIMD_MMU "14640000.sysmmu"
#define GSC_MMU "13e80000.sysmmu"

#define DTS_HEAD "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
#define SYSMMU(addr, ver)                                                                   \
	"s" #addr ": sysmmu@" #addr " { compatible = \"samsung,exynos-sysmmu\"; reg = <0x" #addr \
	" 0x100>; #iommu-cells = <0>; iommusim,mmu-version = <" ver ">; };\n"

static void test_foreign_instance_each_era(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *domain;
		struct bed b;

		bed_up(&b, "exynos", p);
		domain = bed_domain(&b, FIMD);
		assert_int_equal(bed_attach(&b, domain, FIMD), 0);
		assert_int_equal(bed_attach(&b, domain, GSC), 0);
		assert_ptr_equal(bed_dev(&b, GSC)->hw_domain, domain);
		assert_int_equal(ims_exynos_active_domain(bed_iommu(&b, FIMD_MMU)), domain->id);
		assert_int_equal(ims_exynos_active_domain(bed_iommu(&b, GSC_MMU)), domain->id);
		ims_detach_group(domain, bed_dev(&b, GSC)->group);
		/* the DMA default domain again */
		assert_int_equal(ims_exynos_active_domain(bed_iommu(&b, GSC_MMU)),
				 bed_dev(&b, GSC)->group->default_domain->id);
		bed_release(&b, domain, FIMD);
		bed_down(&b);
	}
}

static void test_map_unmap_answers(void **state)
{
	struct ims_domain *domain;
	struct bed b;

	bed_up(&b, "exynos", IMS_PROFILE_UPSTREAM);
	domain = bed_domain(&b, MIXER);
	assert_int_equal(domain->pgsize_bitmap, 0x111000);
	assert_int_equal(domain->geometry.aperture_end, UINT64_MAX);
	assert_int_equal(bed_attach(&b, domain, MIXER), 0);
	assert_int_equal(ims_iommu_map(domain, 0x100000, 0x20000000, 0x110000, RW), 0);
	assert_int_equal(ims_iommu_map(domain, 0x100000, 0x30000000, 0x1000, RW), -EADDRINUSE);
	/* an IOVA above 4 GiB is cut to 32 bits, as sysmmu_iova_t does */
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x100100000ull), 0x20000000);
	/* a part of a 64K page: refused */
	assert_int_equal(ims_iommu_unmap(domain, 0x200000, 0x1000), 0);
	/* holes count as unmapped */
	assert_int_equal(ims_iommu_unmap(domain, 0x200000, 0x10000), 0x10000);
	assert_int_equal(ims_iommu_unmap(domain, 0x210000, 0x20000), 0x20000);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x100000), 0x20000000);
	assert_int_equal(ims_iommu_unmap(domain, 0x100000, 0x100000), 0x100000);
	assert_int_equal(ims_iommu_map(domain, 0x400000, 1ull << 32, 0x1000, RW), -ERANGE);
	bed_release(&b, domain, MIXER);
	bed_down(&b);
}

static void test_v5_layout(void **state)
{
	struct ims_domain *domain;
	struct bed b;

	bed_up(&b, DTS_HEAD SYSMMU(1000, "5 1") "d@2000 { reg = <0x2000 0x10>; iommus = <&s1000>; };\n"
		   "};\n", IMS_PROFILE_UPSTREAM);
	domain = bed_domain(&b, "2000.d");
	assert_int_equal(bed_attach(&b, domain, "2000.d"), 0);
	assert_int_equal(ims_iommu_map(domain, 0x100000, 0x812300000ull, 0x100000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x100004), 0x812300004ull);
	assert_int_equal(ims_iommu_map(domain, 0x200000, 1ull << 36, 0x1000, RW), -ERANGE);
	bed_release(&b, domain, "2000.d");
	bed_down(&b);
}

static void test_one_layout_per_platform(void **state)
{
	char err[512] = "";
	struct bed b;

	assert_int_equal(bed_try(&b, DTS_HEAD SYSMMU(1000, "3 3") SYSMMU(2000, "5 0") "};\n",
				 IMS_PROFILE_UPSTREAM, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "v5.0 uses the 36-bit descriptor layout"));
	bed_down(&b);
	err[0] = '\0';
	assert_int_equal(bed_try(&b, DTS_HEAD SYSMMU(1000, "3") "};\n", IMS_PROFILE_UPSTREAM, err,
				 sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected <major minor>"));
	bed_down(&b);
}

/* 2022 allocated per bus, without a device: the table comes with the first attach. */
static void test_table_at_first_attach(void **state)
{
	struct ims_domain *domain;
	struct bed b;

	bed_up(&b, "exynos", IMS_PROFILE_LEGACY);
	domain = bed_domain(&b, FIMD);
	assert_int_equal(ims_iommu_map(domain, 0x100000, 0x20000000, 0x1000, RW), -ENODEV);
	assert_int_equal(bed_attach(&b, domain, FIMD), 0);
	assert_int_equal(ims_iommu_map(domain, 0x100000, 0x20000000, 0x1000, RW), 0);
	bed_release(&b, domain, FIMD);
	bed_down(&b);
}

static void test_groups_and_defaults(void **state)
{
	struct bed b;

	bed_up(&b, "exynos", IMS_PROFILE_UPSTREAM);
	assert_ptr_not_equal(bed_dev(&b, FIMD)->group, bed_dev(&b, GSC)->group);
	assert_int_equal(bed_dev(&b, FIMD)->group->default_domain->type, IMS_DOMAIN_DMA);
	bed_no_resv_regions(&b, FIMD);
	bed_down(&b);
}

static void test_fresh_domains(void **state)
{
	static const char *const devices[] = { FIMD, GSC, MIXER, NULL };

	bed_check_fresh_domains("exynos", devices);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_instance_each_era),
		cmocka_unit_test(test_map_unmap_answers),
		cmocka_unit_test(test_v5_layout),
		cmocka_unit_test(test_one_layout_per_platform),
		cmocka_unit_test(test_table_at_first_attach),
		cmocka_unit_test(test_groups_and_defaults),
		cmocka_unit_test(test_fresh_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
