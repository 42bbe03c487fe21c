// SPDX-License-Identifier: MIT
/*
 * The Tegra SMMU model (src/drivers/tegra-smmu): ASIDs taken at first
 * attach and given back by the identity domain (ENOSPC when none is left),
 * the kernel's leak on paging-to-paging switches, ENOENT / ENODEV for
 * devices without swgroups, no incompatibility check, the display group,
 * 32- and 34-bit output, the fresh-domain rule.  Platforms: "tegra124"
 * (128 ASIDs) and "tegra30" (4).
 */
#include "drv_fixture.h"

#include "drivers/tegra-smmu/tegra_smmu.h"

#define DC_A "54200000.dc"
#define DC_B "54240000.dc"
#define SATA "70020000.sata"
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

static const char *const tegra30_groups[] = {
	"54140000.gr2d", "6001a000.vde", "70020000.sata", "70030000.hda", "54080000.vi",
};

static struct ims_iommu *smmu_of(const struct drv *d)
{
	return drv_dev(d, DC_A)->iommu;
}

/* Tegra30's four ASIDs: the fifth group's first attach gets ENOSPC, in every era. */
static void test_asid_exhausted(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domains[5];
		struct ims_device *vi;
		struct drv d;

		drv_build(&d, "tegra30", p);
		for (int i = 0; i < 4; i++) {
			domains[i] = drv_domain(&d, tegra30_groups[i]);
			assert_int_equal(drv_attach(&d, domains[i], tegra30_groups[i]), 0);
			assert_int_equal(ims_tegra_smmu_domain_asid(domains[i]), i);
		}
		assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 4);
		vi = drv_dev(&d, tegra30_groups[4]);
		domains[4] = drv_domain(&d, tegra30_groups[4]);
		assert_int_equal(drv_attach(&d, domains[4], tegra30_groups[4]), -ENOSPC);
		assert_ptr_equal(vi->hw_domain, vi->group->default_domain);
		assert_int_equal(ims_tegra_smmu_domain_asid(domains[4]), -1);
		/* back to identity: the ASID is free again and the fifth fits */
		drv_release(&d, domains[0], tegra30_groups[0]);
		assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 3);
		assert_int_equal(drv_attach(&d, domains[4], tegra30_groups[4]), 0);
		for (int i = 1; i < 5; i++)
			drv_release(&d, domains[i], tegra30_groups[i]);
		assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 0);
		drv_teardown(&d);
	}
}

/*
 * An attach from one paging domain to another keeps the old one's ASID
 * (the driver prepares the new space without unpreparing the old), and
 * freeing a domain that still holds one loses it, as the kernel does.
 */
static void test_asid_leak_on_switch(void **state)
{
	struct ims_group *group;
	struct ims_domain *vfio;
	struct drv d;

	drv_build(&d, "tegra30", IMS_PROFILE_UPSTREAM);
	group = drv_dev(&d, SATA)->group;
	assert_int_equal(ims_group_claim_dma_owner(group, &d), 0); /* empty paging domain */
	assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 1);
	vfio = drv_domain(&d, SATA);
	assert_int_equal(ims_attach_group(vfio, group), 0);
	assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 2);
	ims_detach_group(vfio, group); /* back to the blocking domain: vfio keeps its ASID */
	assert_int_equal(ims_tegra_smmu_domain_asid(vfio), 1);
	ims_domain_free(vfio);
	/* identity: one use of the blocking domain goes, but it was prepared twice
	 * (before and after vfio's domain) and keeps its ASID too */
	ims_group_release_dma_owner(group);
	assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 2);
	drv_teardown(&d);
}

/* The display controllers share a group; one address space serves both swgroups. */
static void test_display_group(void **state)
{
	struct ims_domain *domain;
	struct drv d;

	drv_build(&d, "tegra124", IMS_PROFILE_UPSTREAM);
	assert_ptr_equal(drv_dev(&d, DC_A)->group, drv_dev(&d, DC_B)->group);
	assert_int_equal(drv_dev(&d, DC_A)->group->nr_devices, 2);
	assert_ptr_not_equal(drv_dev(&d, DC_A)->group, drv_dev(&d, SATA)->group);
	domain = drv_domain(&d, DC_A);
	assert_int_equal(drv_attach(&d, domain, DC_A), 0);
	assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 1);
	/* no incompatibility check: the same space serves another group */
	assert_int_equal(drv_attach(&d, domain, SATA), 0);
	assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 1);
	ims_detach_group(domain, drv_dev(&d, SATA)->group);
	drv_release(&d, domain, DC_A);
	assert_int_equal(ims_tegra_smmu_asids_used(smmu_of(&d)), 0);
	drv_teardown(&d);
}

/* A device behind the SMMU without swgroups: ENODEV. */
static void test_no_stream_ids(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_device_desc desc = { .name = "bare", .bus = IMS_BUS_PLATFORM };
		struct ims_domain *domain;
		struct ims_device *bare;
		struct drv d;

		drv_build(&d, "tegra124", p);
		desc.iommu = smmu_of(&d);
		bare = ims_device_add(d.core, &desc);
		assert_false(IS_ERR(bare));
		domain = drv_domain(&d, SATA);
		assert_int_equal(ims_attach_group(domain, bare->group), -ENODEV);
		ims_domain_free(domain);
		ims_device_remove(bare);
		drv_teardown(&d);
	}
}

static void test_foreign_driver(void **state)
{
	static const char dts[] =
		DTS_HEAD
		"\tmc: memory-controller@70019000 { compatible = \"nvidia,tegra124-mc\";\n"
		"\t\treg = <0 0x70019000 0 0x1000>; #iommu-cells = <1>; };\n"
		"\tsata@70020000 { reg = <0 0x70020000 0 0x10000>; iommus = <&mc 9>; };\n"
		"\tdma@20000000 { reg = <0 0x20000000 0 0x1000>; iommus = <&smmu 1>; };\n};\n";

	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build_dts(&d, dts, p);
		domain = drv_domain(&d, SATA);
		assert_int_equal(drv_attach(&d, domain, "20000000.dma"),
				 per_profile(p, -EINVAL, -EMEDIUMTYPE, -ENOENT));
		drv_release(&d, domain, "20000000.dma");
		drv_teardown(&d);
	}
}

/* 4 GiB of IOVA, 4 KiB pages; 34-bit PAs on Tegra124, 32 on Tegra30. */
static void test_map_widths(void **state)
{
	static const struct { const char *platform; int pa34; } rows[] = {
		{ "tegra124", 0 }, { "tegra30", -ERANGE },
	};

	for (size_t i = 0; i < IMS_ARRAY_SIZE(rows); i++) {
		struct ims_domain *domain;
		struct drv d;

		drv_build(&d, rows[i].platform, IMS_PROFILE_UPSTREAM);
		domain = drv_domain(&d, SATA);
		assert_int_equal(domain->geometry.aperture_end, 0xffffffffull);
		assert_int_equal(domain->pgsize_bitmap, 0x1000);
		assert_int_equal(drv_attach(&d, domain, SATA), 0);
		assert_int_equal(ims_iommu_map(domain, 0xfff00000, 0x12340000, 0x10000, RW), 0);
		assert_int_equal(ims_iommu_iova_to_phys(domain, 0xfff01234), 0x12341234);
		assert_int_equal(ims_iommu_map(domain, 0x1000, 0x345678000ull, 0x1000, RW),
				 rows[i].pa34);
		assert_int_equal(ims_iommu_unmap(domain, 0xfff00000, 0x10000), 0x10000);
		ims_iommu_unmap(domain, 0x1000, 0x1000);
		drv_release(&d, domain, SATA);
		drv_teardown(&d);
	}
}

static void test_fresh_domains_compatible(void **state)
{
	FOR_EACH_PROFILE(p) {
		drv_fresh_domains_compatible("tegra124", p);
		drv_fresh_domains_compatible("tegra30", p);
	}
}

/* Every allocation failure on the way leaves nothing behind. */
static void test_failnth(void **state)
{
	drv_failnth_sweep("tegra124", SATA, 0x10000000, 0x12340000, 0x10000, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asid_exhausted),
		cmocka_unit_test(test_asid_leak_on_switch),
		cmocka_unit_test(test_display_group),
		cmocka_unit_test(test_no_stream_ids),
		cmocka_unit_test(test_foreign_driver),
		cmocka_unit_test(test_map_widths),
		cmocka_unit_test(test_fresh_domains_compatible),
		cmocka_unit_test(test_failnth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
