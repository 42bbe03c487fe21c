// SPDX-License-Identifier: MIT
/*
 * The sun50i IOMMU model (src/drivers/sun50i) on the built-in sun50i
 * platform: a domain on two instances (no check), one group per instance,
 * one table walked at a time, the driver's map answer, 4 KiB pages,
 * aperture, reserved regions, fresh domains.
 */
#include "soc32_bed.h"
#include "drivers/sun50i/sun50i.h"

#define DE "1000000.display-engine"
#define VE "1c0e000.video-codec"
#define DI "1e00000.deinterlace"
#define MMU "30f0000.iommu"
#define MMU2 "30f8000.iommu"

static void test_foreign_instance_each_era(void **state)
{
	bed_for_each_profile(p) {
		struct ims_domain *domain;
		struct bed b;

		bed_up(&b, "sun50i", p);
		domain = bed_domain(&b, DE);
		assert_int_equal(bed_attach(&b, domain, DE), 0);
		assert_int_equal(bed_attach(&b, domain, DI), 0);
		assert_ptr_equal(bed_dev(&b, DI)->hw_domain, domain);
		assert_int_equal(ims_sun50i_active_domain(bed_iommu(&b, MMU)), domain->id);
		assert_int_equal(ims_sun50i_active_domain(bed_iommu(&b, MMU2)), domain->id);
		ims_detach_group(domain, bed_dev(&b, DI)->group);
		assert_int_equal(ims_sun50i_active_domain(bed_iommu(&b, MMU2)),
				 bed_dev(&b, DI)->group->default_domain->id);
		bed_release(&b, domain, DE);
		bed_down(&b);
	}
}

/* All masters of an instance share its group: attaching the group switches them all. */
static void test_one_group_per_instance(void **state)
{
	struct ims_domain *domain;
	struct bed b;

	bed_up(&b, "sun50i", IMS_PROFILE_UPSTREAM);
	assert_ptr_equal(bed_dev(&b, DE)->group, bed_dev(&b, VE)->group);
	assert_ptr_not_equal(bed_dev(&b, DE)->group, bed_dev(&b, DI)->group);
	assert_int_equal(bed_dev(&b, DE)->group->default_domain->type, IMS_DOMAIN_DMA);
	domain = bed_domain(&b, VE);
	assert_int_equal(bed_attach(&b, domain, DE), 0);
	assert_ptr_equal(bed_dev(&b, VE)->hw_domain, domain);
	assert_int_equal(ims_attach_device(domain, bed_dev(&b, VE)), -EINVAL);
	bed_release(&b, domain, DE);
	bed_down(&b);
}

static void test_map_answers(void **state)
{
	struct ims_domain *domain;
	struct bed b;

	bed_up(&b, "sun50i", IMS_PROFILE_LEGACY);
	domain = bed_domain(&b, DI);
	assert_int_equal(domain->pgsize_bitmap, 0x1000);
	assert_int_equal(domain->geometry.aperture_end, 0xffffffff);
	assert_int_equal(bed_attach(&b, domain, DI), 0);
	assert_int_equal(ims_iommu_map(domain, 0x10000, 0x40000000, 0x3000, IMS_PROT_READ), 0);
	assert_int_equal(ims_iommu_map(domain, 0x12000, 0x50000000, 0x1000, RW), -EBUSY);
	assert_int_equal(ims_iommu_map(domain, 0x20000, 1ull << 32, 0x1000, RW), -ERANGE);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x11abc), 0x40001abc);
	/* unmap stops at the first empty entry */
	assert_int_equal(ims_iommu_unmap(domain, 0x10000, 0x5000), 0x3000);
	bed_release(&b, domain, DI);
	bed_no_resv_regions(&b, DI);
	bed_down(&b);
}

static void test_fresh_domains(void **state)
{
	static const char *const devices[] = { DE, DI, NULL };

	bed_check_fresh_domains("sun50i", devices);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_instance_each_era),
		cmocka_unit_test(test_one_group_per_instance),
		cmocka_unit_test(test_map_answers),
		cmocka_unit_test(test_fresh_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
