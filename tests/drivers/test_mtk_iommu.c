// SPDX-License-Identifier: MIT
/*
 * The MediaTek M4U model (src/drivers/mtk_iommu): a second domain on a
 * bank per era (silent today, sharing bank 0's table before v6.5), a
 * domain carried to another M4U (silent, every era), the mt8195 pair that
 * shares one table and one group, finalise's allocation failure (ENOMEM
 * today, ENODEV in 2022), 4 GB mode, maps through the short-descriptor
 * table with MediaTek's PA bits, page sizes, aperture, grouping, reserved
 * regions, and fresh domains never answered "incompatible".
 */
#include "soc32_bed.h"
#include "drivers/mtk_iommu/mtk_iommu.h"
#include "util/alloc.h"

#define DISPLAY "1400c000.display"
#define VDEC "16000000.video-codec"
#define VENC "18002000.video-codec"
#define M4U "10205000.iommu"

#define DTS_HEAD "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"

/* Two mt8173-like M4Us: no shared table, a master each. */
static const char two_m4us[] = DTS_HEAD
	"a: iommu@10205000 { compatible = \"mediatek,mt8173-m4u\"; reg = <0x10205000 0x1000>;"
	" #iommu-cells = <1>; };\n"
	"b: iommu@10206000 { compatible = \"mediatek,mt8173-m4u\"; reg = <0x10206000 0x1000>;"
	" #iommu-cells = <1>; };\n"
	"dev@1000 { reg = <0x1000 0x100>; iommus = <&a 0>; };\n"
	"dev@2000 { reg = <0x2000 0x100>; iommus = <&b 0>; };\n};\n";

/* mt8195's VDO and VPP M4Us: one hardware list, one page table. */
static const char mt8195_pair[] = DTS_HEAD
	"vdo: iommu@1c01f000 { compatible = \"mediatek,mt8195-iommu-vdo\";"
	" reg = <0x1c01f000 0x1000>; #iommu-cells = <1>; };\n"
	"vpp: iommu@1e802000 { compatible = \"mediatek,mt8195-iommu-vpp\";"
	" reg = <0x1e802000 0x1000>; #iommu-cells = <1>; };\n"
	"disp@1000 { reg = <0x1000 0x100>; iommus = <&vdo 0>; };\n"
	"mdp@2000 { reg = <0x2000 0x100>; iommus = <&vpp 0>; };\n};\n";

static const char four_gb[] = DTS_HEAD
	"m4u: iommu@10205000 { compatible = \"mediatek,mt8173-m4u\"; reg = <0x10205000 0x1000>;"
	" #iommu-cells = <1>; iommusim,4gb-mode; };\n"
	"dev@1000 { reg = <0x1000 0x100>; iommus = <&m4u 0>; };\n};\n";

static void test_second_domain_each_era(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *domain, *dflt;
		struct bed b;

		bed_up(&b, "mt8173", p);
		dflt = bed_dev(&b, DISPLAY)->group->default_domain;
		assert_int_equal(ims_mtk_bank_domain_id(bed_iommu(&b, M4U)), dflt->id);
		domain = bed_domain(&b, DISPLAY);
		assert_int_equal(bed_attach(&b, domain, DISPLAY), 0);
		if (p == IMS_PROFILE_UPSTREAM) {
			/* its own table, which the bank never walks */
			assert_false(ims_mtk_domains_share_table(domain, dflt));
			assert_ptr_equal(bed_dev(&b, DISPLAY)->hw_domain, dflt);
		} else {
			/* before v6.5: bank 0's table for every domain */
			assert_true(ims_mtk_domains_share_table(domain, dflt));
			assert_ptr_equal(bed_dev(&b, DISPLAY)->hw_domain, domain);
		}
		/* one group: every master goes with it */
		assert_ptr_equal(bed_dev(&b, VENC)->group, bed_dev(&b, DISPLAY)->group);
		bed_release(&b, domain, DISPLAY);
		bed_down(&b);
	}
}

/* A domain used on M4U a, then on M4U b whose bank walks its own default table: silent. */
static void test_foreign_instance_silent(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *domain;
		struct bed b;

		bed_up(&b, two_m4us, p);
		assert_ptr_not_equal(bed_dev(&b, "1000.dev")->group, bed_dev(&b, "2000.dev")->group);
		domain = bed_domain(&b, "1000.dev");
		assert_int_equal(bed_attach(&b, domain, "1000.dev"), 0);
		ims_detach_group(domain, bed_dev(&b, "1000.dev")->group);
		assert_int_equal(bed_attach(&b, domain, "2000.dev"), 0);
		assert_ptr_not_equal(bed_dev(&b, "2000.dev")->hw_domain, domain);
		bed_release(&b, domain, "2000.dev");
		bed_down(&b);
	}
}

/* mt8195 VDO and VPP: one hardware list, so one group and one table for every domain. */
static void test_shared_pgtable_pair(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *domain, *dflt;
		struct bed b;

		bed_up(&b, mt8195_pair, p);
		assert_ptr_equal(bed_dev(&b, "1000.disp")->group, bed_dev(&b, "2000.mdp")->group);
		dflt = bed_dev(&b, "1000.disp")->group->default_domain;
		domain = bed_domain(&b, "2000.mdp");
		assert_int_equal(bed_attach(&b, domain, "2000.mdp"), 0);
		assert_true(ims_mtk_domains_share_table(domain, dflt));
		assert_ptr_equal(bed_dev(&b, "1000.disp")->hw_domain, domain);
		assert_ptr_equal(bed_dev(&b, "2000.mdp")->hw_domain, domain);
		/* 34-bit IOVA tables, OAS 35: a PA at 16 GiB fits */
		assert_int_equal(ims_iommu_map(domain, 0x100000, 0x400000000ull, 0x100000, RW), 0);
		assert_int_equal(ims_iommu_iova_to_phys(dflt, 0x100010), 0x400000010ull);
		assert_int_equal(ims_iommu_unmap(domain, 0x100000, 0x100000), 0x100000);
		bed_release(&b, domain, "2000.mdp");
		bed_down(&b);
	}
}

/* With identity defaults no bank runs a table: the first paging attach allocates one. */
static void test_finalise_out_of_memory(void **state)
{
	static const int want[IMS_PROFILE_NR] = {
		[IMS_PROFILE_UPSTREAM] = -ENOMEM, [IMS_PROFILE_SEED] = -ENODEV,
		[IMS_PROFILE_LEGACY] = -ENODEV,
	};

	bed_for_each_profile(p) {
		struct ims_core_config cfg = { .profile = p, .passthrough = true };
		struct ims_domain *domain, *before;
		unsigned long n;
		struct bed b;
		int ret;

		bed_up_cfg(&b, "mt8173", &cfg);
		assert_int_equal(ims_mtk_bank_domain_id(bed_iommu(&b, M4U)), 0);
		domain = bed_domain(&b, VDEC);
		before = bed_dev(&b, VDEC)->hw_domain;
		for (n = 1;; n++) {
			ims_fail_nth_set(n);
			ret = bed_attach(&b, domain, VDEC);
			ims_fail_nth_set(0);
			if (!ret)
				break;
			assert_int_equal(ret, want[p]);
			assert_ptr_equal(bed_dev(&b, VDEC)->hw_domain, before);
			assert_int_equal(ims_mtk_bank_domain_id(bed_iommu(&b, M4U)), 0);
		}
		assert_true(n > 1);
		assert_int_equal(ims_mtk_bank_domain_id(bed_iommu(&b, M4U)), domain->id);
		bed_release(&b, domain, VDEC);
		bed_down(&b);
	}
}

static void test_map_through_the_table(void **state)
{
	struct ims_core_config cfg = { .profile = IMS_PROFILE_UPSTREAM, .passthrough = true };
	struct ims_domain *domain;
	struct bed b;

	bed_up_cfg(&b, "mt8173", &cfg);
	domain = bed_domain(&b, DISPLAY);
	assert_int_equal(domain->pgsize_bitmap, 0x01111000);
	assert_int_equal(domain->geometry.aperture_start, 0);
	assert_int_equal(domain->geometry.aperture_end, 0xffffffff);
	assert_int_equal(bed_attach(&b, domain, DISPLAY), 0);
	assert_ptr_equal(bed_dev(&b, DISPLAY)->hw_domain, domain);
	/* 16M + 1M + 64K + 4K: the core picks each size the alignment allows */
	assert_int_equal(ims_iommu_map(domain, 0x1000000, 0x20000000, 0x1111000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x1ffffff), 0x20ffffff);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x2110fff), 0x21110fff);
	assert_int_equal(ims_iommu_map(domain, 0x2000000, 0x30000000, 0x1000, RW), -EEXIST);
	assert_int_equal(ims_iommu_map(domain, 0x8000000, 1ull << 32, 0x1000, RW), -ERANGE);
	assert_int_equal(ims_iommu_unmap(domain, 0x1000000, 0x1111000), 0x1111000);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x1000000), 0);
	bed_release(&b, domain, DISPLAY);
	bed_down(&b);
}

/* 4 GB mode: PA bit 32 set in the table, cleared again by iova_to_phys above the remap base. */
static void test_4gb_mode(void **state)
{
	struct ims_core_config cfg = { .profile = IMS_PROFILE_UPSTREAM, .passthrough = true };
	struct ims_domain *domain;
	char err[256] = "";
	struct bed b;

	bed_up_cfg(&b, four_gb, &cfg);
	domain = bed_domain(&b, "1000.dev");
	assert_int_equal(bed_attach(&b, domain, "1000.dev"), 0);
	assert_int_equal(ims_iommu_map(domain, 0x10000, 0x40000000, 0x1000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x10008), 0x40000008);
	/* OAS 33: with bit 32 added, the highest 4 GiB of the output space is the last */
	assert_int_equal(ims_iommu_map(domain, 0x20000, 1ull << 33, 0x1000, RW), -ERANGE);
	bed_release(&b, domain, "1000.dev");
	bed_down(&b);
	/* only M4Us with HAS_4GB_MODE have it */
	assert_int_equal(bed_try(&b, DTS_HEAD "m: iommu@1 { compatible = "
				 "\"mediatek,mt8195-iommu-vdo\"; reg = <1 1>; #iommu-cells = <1>;"
				 " iommusim,4gb-mode; };\n};\n", IMS_PROFILE_UPSTREAM, err,
				 sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "property 'iommusim,4gb-mode': mediatek,mt8195-iommu-vdo has "
				    "no 4 GB mode"));
	bed_down(&b);
}

static void test_groups_and_regions(void **state)
{
	struct ims_resv_list list;
	struct bed b;

	bed_up(&b, "mt8173", IMS_PROFILE_UPSTREAM);
	assert_ptr_equal(bed_dev(&b, VDEC)->group, bed_dev(&b, DISPLAY)->group);
	assert_int_equal(bed_dev(&b, DISPLAY)->group->nr_devices, 3);
	assert_int_equal(bed_dev(&b, DISPLAY)->group->default_domain->type, IMS_DOMAIN_DMA);
	ims_resv_list_init(&list);
	assert_int_equal(ims_group_get_resv_regions(bed_dev(&b, DISPLAY)->group, &list), 0);
	assert_int_equal(list.nr, 0);
	ims_resv_list_free(&list);
	bed_down(&b);
}

static void test_fresh_domains(void **state)
{
	static const char *const devices[] = { DISPLAY, VDEC, NULL };

	bed_check_fresh_domains("mt8173", devices);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_domain_each_era),
		cmocka_unit_test(test_foreign_instance_silent),
		cmocka_unit_test(test_shared_pgtable_pair),
		cmocka_unit_test(test_finalise_out_of_memory),
		cmocka_unit_test(test_map_through_the_table),
		cmocka_unit_test(test_4gb_mode),
		cmocka_unit_test(test_groups_and_regions),
		cmocka_unit_test(test_fresh_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
