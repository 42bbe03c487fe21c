// SPDX-License-Identifier: MIT
/*
 * The MediaTek M4U v1 model (src/drivers/mtk_iommu_v1) on the built-in
 * mt2701 platform: the foreign-domain answer in each era (silent 0 with
 * the hardware untouched, EMEDIUMTYPE in the seed), the internal domain's
 * first attach and its allocation failure, the flat table through the
 * core (the driver's unmap and iova_to_phys habits), page size and
 * aperture, grouping, reserved regions.
 */
#include "soc32_bed.h"
#include "drivers/mtk_iommu_v1/mtk_iommu_v1.h"
#include "util/alloc.h"

#define DISPLAY "14001000.display"
#define VDEC "16000000.video-codec"
#define M4U "10205000.iommu"
#define PA 0x40000000ull

static void test_foreign_domain_each_era(void **state)
{
	static const int want[IMS_PROFILE_NR] = {
		[IMS_PROFILE_UPSTREAM] = 0, [IMS_PROFILE_SEED] = -EMEDIUMTYPE,
		[IMS_PROFILE_LEGACY] = 0,
	};

	bed_for_each_profile(p) {
		struct bed b;
		struct ims_domain *domain, *before;

		bed_up(&b, "mt2701", p);
		before = bed_dev(&b, DISPLAY)->hw_domain;
		domain = bed_domain(&b, DISPLAY);
		assert_ptr_not_equal(domain, ims_mtk_v1_mapping_domain(bed_iommu(&b, M4U)));
		assert_int_equal(bed_attach(&b, domain, DISPLAY), want[p]);
		/* nothing changed in the hardware: the display keeps its identity domain */
		assert_ptr_equal(bed_dev(&b, DISPLAY)->hw_domain, before);
		assert_int_equal(before->type, IMS_DOMAIN_IDENTITY);
		bed_release(&b, domain, DISPLAY);
		bed_down(&b);
	}
}

/* The contract says a fresh domain is never "incompatible": the seed's conversion broke that. */
static void test_fresh_domain(void **state)
{
	bool applied;

	assert_int_equal(bed_fresh_attach("mt2701", IMS_PROFILE_UPSTREAM, VDEC, &applied), 0);
	assert_false(applied);
	assert_int_equal(bed_fresh_attach("mt2701", IMS_PROFILE_LEGACY, VDEC, &applied), 0);
	assert_false(applied);
	assert_int_equal(bed_fresh_attach("mt2701", IMS_PROFILE_SEED, VDEC, NULL), -EMEDIUMTYPE);
}

static void test_internal_domain_attaches(void **state)
{
	struct bed b;
	struct ims_domain *internal;

	bed_up(&b, "mt2701", IMS_PROFILE_UPSTREAM);
	internal = ims_mtk_v1_mapping_domain(bed_iommu(&b, M4U));
	assert_non_null(internal);
	assert_int_equal(bed_attach(&b, internal, DISPLAY), 0);
	assert_ptr_equal(bed_dev(&b, DISPLAY)->hw_domain, internal);
	/* the M4U already walks its table: a second master simply joins */
	assert_int_equal(bed_attach(&b, internal, VDEC), 0);
	assert_ptr_equal(bed_dev(&b, VDEC)->hw_domain, internal);
	ims_detach_group(internal, bed_dev(&b, DISPLAY)->group);
	ims_detach_group(internal, bed_dev(&b, VDEC)->group);
	bed_down(&b);
}

/* The table is allocated at the first attach: ENOMEM then, and nothing changes. */
static void test_first_attach_out_of_memory(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *internal, *before;
		unsigned long n;
		struct bed b;
		int ret;

		bed_up(&b, "mt2701", p);
		internal = ims_mtk_v1_mapping_domain(bed_iommu(&b, M4U));
		before = bed_dev(&b, DISPLAY)->hw_domain;
		for (n = 1;; n++) {
			ims_fail_nth_set(n);
			ret = bed_attach(&b, internal, DISPLAY);
			ims_fail_nth_set(0);
			if (!ret)
				break;
			assert_int_equal(ret, -ENOMEM);
			assert_ptr_equal(bed_dev(&b, DISPLAY)->hw_domain, before);
		}
		assert_true(n > 1);
		ims_detach_group(internal, bed_dev(&b, DISPLAY)->group);
		bed_down(&b);
	}
}

static void test_map_unmap_quirks(void **state)
{
	struct ims_domain *internal;
	struct bed b;

	bed_up(&b, "mt2701", IMS_PROFILE_UPSTREAM);
	internal = ims_mtk_v1_mapping_domain(bed_iommu(&b, M4U));
	assert_int_equal(internal->pgsize_bitmap, 0x1000);
	/* no geometry from the driver: [0, 0], not forced */
	assert_int_equal(internal->geometry.aperture_end, 0);
	assert_false(internal->geometry.force_aperture);
	/* before the first attach there is no table */
	assert_int_equal(ims_iommu_map(internal, 0x100000, PA, 0x1000, RW), -ENODEV);
	assert_int_equal(bed_attach(&b, internal, DISPLAY), 0);
	assert_int_equal(ims_iommu_map(internal, 0x100000, PA, 0x4000, RW), 0);
	/* iova_to_phys drops the offset inside the page */
	assert_int_equal(ims_iommu_iova_to_phys(internal, 0x101234), PA + 0x1000);
	assert_int_equal(ims_iommu_map(internal, 0x102000, PA, 0x1000, RW), -EEXIST);
	assert_int_equal(ims_iommu_map(internal, 0x200000, 1ull << 32, 0x1000, RW), -ERANGE);
	assert_int_equal(ims_iommu_map(internal, 0x200000, PA, 0x800, RW), -EINVAL);
	/* unmap clears the whole request and reports all of it, holes included */
	assert_int_equal(ims_iommu_unmap(internal, 0xfe000, 0x10000), 0x10000);
	assert_int_equal(ims_iommu_iova_to_phys(internal, 0x100000), 0);
	assert_int_equal(ims_iommu_iova_to_phys(internal, 0x103000), 0);
	ims_detach_group(internal, bed_dev(&b, DISPLAY)->group);
	bed_down(&b);
}

static void test_groups_and_regions(void **state)
{
	struct bed b;

	bed_up(&b, "mt2701", IMS_PROFILE_UPSTREAM);
	assert_ptr_not_equal(bed_dev(&b, DISPLAY)->group, bed_dev(&b, VDEC)->group);
	assert_int_equal(bed_dev(&b, DISPLAY)->group->default_domain->type, IMS_DOMAIN_IDENTITY);
	assert_int_equal(bed_dev(&b, VDEC)->nr_ids, 2);
	bed_no_resv_regions(&b, DISPLAY);
	assert_false(ims_device_capable(bed_dev(&b, DISPLAY), IMS_CAP_CACHE_COHERENCY));
	bed_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_domain_each_era),
		cmocka_unit_test(test_fresh_domain),
		cmocka_unit_test(test_internal_domain_attaches),
		cmocka_unit_test(test_first_attach_out_of_memory),
		cmocka_unit_test(test_map_unmap_quirks),
		cmocka_unit_test(test_groups_and_regions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
