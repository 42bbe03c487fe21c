// SPDX-License-Identifier: MIT
/*
 * The Tegra20 GART model (src/drivers/tegra-gart): one active domain at a
 * time (EBUSY in 2022, the seed's EMEDIUMTYPE), devices joining and
 * leaving it, the blocking domain that takes the GART in 2022, the
 * aperture and its table, the binding, and that the driver is gone today.
 * Platform: "tegra20".
 */
#include "drv_fixture.h"

#include "drivers/tegra-gart/gart.h"

#define GR2D "54140000.gr2d"
#define GR3D "54180000.gr3d"
#define APERTURE 0x58000000ull
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

/* The profiles that have the driver. */
#define FOR_EACH_GART_PROFILE(p) \
	for (enum ims_profile p = IMS_PROFILE_SEED; p < IMS_PROFILE_NR; p++)

static struct ims_iommu *gart_of(const struct drv *d)
{
	return drv_dev(d, GR2D)->iommu;
}

static void test_other_active_domain(void **state)
{
	FOR_EACH_GART_PROFILE(p) {
		struct ims_domain *a, *b;
		struct drv d;

		drv_build(&d, "tegra20", p);
		a = drv_domain(&d, GR2D);
		b = drv_domain(&d, GR3D);
		assert_int_equal(drv_attach(&d, a, GR2D), 0);
		assert_ptr_equal(ims_gart_active_domain(gart_of(&d)), a);
		assert_int_equal(drv_attach(&d, b, GR3D), per_profile(p, 0, -EMEDIUMTYPE, -EBUSY));
		assert_ptr_equal(ims_gart_active_domain(gart_of(&d)), a);
		/* the active domain takes more devices */
		assert_int_equal(drv_attach(&d, a, GR3D), 0);
		ims_detach_group(a, drv_dev(&d, GR3D)->group);
		assert_ptr_equal(ims_gart_active_domain(gart_of(&d)), a);
		/* once its last device leaves, another domain can be active */
		ims_detach_group(a, drv_dev(&d, GR2D)->group);
		assert_null(ims_gart_active_domain(gart_of(&d)));
		assert_int_equal(drv_attach(&d, b, GR3D), 0);
		drv_release(&d, b, GR3D);
		ims_domain_free(a);
		drv_teardown(&d);
	}
}

/*
 * The GART had no blocking domain: claiming a group for VFIO attaches an
 * empty GART domain, which becomes the active one, so VFIO's own domain is
 * refused even for the same device.
 */
static void test_blocking_domain_takes_the_gart(void **state)
{
	FOR_EACH_GART_PROFILE(p) {
		struct ims_group *group;
		struct ims_domain *vfio;
		struct drv d;

		drv_build(&d, "tegra20", p);
		group = drv_dev(&d, GR2D)->group;
		assert_int_equal(ims_group_claim_dma_owner(group, &d), 0);
		assert_ptr_equal(ims_gart_active_domain(gart_of(&d)), group->blocking_domain);
		vfio = drv_domain(&d, GR2D);
		assert_int_equal(ims_attach_group(vfio, group), per_profile(p, 0, -EMEDIUMTYPE, -EBUSY));
		ims_domain_free(vfio);
		ims_group_release_dma_owner(group);
		assert_null(ims_gart_active_domain(gart_of(&d)));
		drv_teardown(&d);
	}
}

/* The aperture is the domain's; its table is indexed from the aperture base. */
static void test_aperture_and_map(void **state)
{
	struct ims_domain *domain;
	struct drv d;

	drv_build(&d, "tegra20", IMS_PROFILE_LEGACY);
	domain = drv_domain(&d, GR2D);
	/* allocated per bus: no GART yet, so no aperture and no table */
	assert_int_equal(ims_iommu_map(domain, APERTURE, 0x12340000, 0x1000, RW), -EINVAL);
	assert_int_equal(drv_attach(&d, domain, GR2D), 0);
	assert_int_equal(domain->geometry.aperture_start, APERTURE);
	assert_int_equal(domain->geometry.aperture_end, APERTURE + (32 << 20) - 1);
	assert_int_equal(domain->pgsize_bitmap, 0x1000);
	assert_int_equal(ims_iommu_map(domain, APERTURE + 0x1ff0000, 0x12340000, 0x10000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, APERTURE + 0x1ff5678), 0x12345678);
	assert_int_equal(ims_iommu_map(domain, APERTURE - 0x1000, 0x12340000, 0x1000, RW), -EINVAL);
	assert_int_equal(ims_iommu_map(domain, APERTURE, 0x80000000, 0x1000, RW), -ERANGE);
	assert_int_equal(ims_iommu_unmap(domain, APERTURE + 0x1ff0000, 0x10000), 0x10000);
	assert_int_equal(ims_iommu_iova_to_phys(domain, APERTURE + 0x1ff5678), 0);
	drv_release(&d, domain, GR2D);
	drv_teardown(&d);
}

/* A device of another driver: the 2022 GART did not look (silent 0). */
static void test_foreign_driver(void **state)
{
	static const char dts[] =
		DTS_HEAD
		"\tmc: memory-controller@7000f000 { compatible = \"nvidia,tegra20-mc-gart\";\n"
		"\t\treg = <0 0x7000f000 0 0x400>, <0 0x58000000 0 0x2000000>; #iommu-cells = <0>; };\n"
		"\tgr2d@54140000 { reg = <0 0x54140000 0 0x40000>; iommus = <&mc>; };\n"
		"\tdma@20000000 { reg = <0 0x20000000 0 0x1000>; iommus = <&smmu 1>; };\n};\n";

	FOR_EACH_GART_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build_dts(&d, dts, p);
		domain = drv_domain(&d, GR2D);
		assert_int_equal(drv_attach(&d, domain, "20000000.dma"),
				 per_profile(p, 0, -EMEDIUMTYPE, 0));
		assert_null(ims_gart_active_domain(gart_of(&d)));
		drv_release(&d, domain, "20000000.dma");
		drv_teardown(&d);
	}
}

/* Removed in v6.7: a platform with a GART does not load today. */
static void test_absent_upstream(void **state)
{
	struct ims_core *core = new_core(IMS_PROFILE_UPSTREAM);
	struct ims_platform *p;
	struct ims_topo *topo;
	char err[512];

	assert_int_equal(ims_platform_load("tegra20", &p, err, sizeof(err)), 0);
	assert_int_equal(ims_topo_instantiate(p, core, &topo, err, sizeof(err)), -EINVAL);
	assert_contains(err, "the tegra-gart driver does not exist in the upstream profile");
	ims_core_destroy(core);
	ims_platform_free(p);
}

/* One group per device; untranslated DMA (identity) by default. */
static void test_groups_and_default(void **state)
{
	struct drv d;

	drv_build(&d, "tegra20", IMS_PROFILE_SEED);
	assert_ptr_not_equal(drv_dev(&d, GR2D)->group, drv_dev(&d, GR3D)->group);
	assert_int_equal(drv_dev(&d, GR2D)->group->default_domain->type, IMS_DOMAIN_IDENTITY);
	assert_null(ims_gart_active_domain(gart_of(&d)));
	drv_teardown(&d);
}

static void test_bad_binding(void **state)
{
	static const struct { const char *reg, *msg; } bad[] = {
		{ "<0x7000f000 0x400>", "expected two ranges" },
		{ "<0x7000f000 0x400>, <0x58000800 0x2000000>", "not a 4 KiB aligned window" },
		{ "<0x7000f000 0x400>, <0x58000000 0>", "not a 4 KiB aligned window" },
	};
	char dts[512], err[512];

	for (size_t i = 0; i < IMS_ARRAY_SIZE(bad); i++) {
		struct ims_core *core = new_core(IMS_PROFILE_LEGACY);
		struct ims_platform *p;
		struct ims_topo *topo;

		snprintf(dts, sizeof(dts), "/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n"
			 "\tmc@7000f000 { compatible = \"nvidia,tegra20-gart\"; reg = %s;\n"
			 "\t\t#iommu-cells = <0>; };\n};\n", bad[i].reg);
		assert_int_equal(load_dts(dts, &p, err, sizeof(err), NULL, 0), 0);
		assert_int_equal(ims_topo_instantiate(p, core, &topo, err, sizeof(err)), -EINVAL);
		assert_contains(err, bad[i].msg);
		ims_core_destroy(core);
		ims_platform_free(p);
	}
}

static void test_fresh_domains_compatible(void **state)
{
	FOR_EACH_GART_PROFILE(p)
		drv_fresh_domains_compatible("tegra20", p);
}

/* Every allocation failure on the way leaves nothing behind. */
static void test_failnth(void **state)
{
	drv_failnth_sweep("tegra20", GR2D, APERTURE + 0x100000, 0x12340000, 0x10000, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_other_active_domain),
		cmocka_unit_test(test_blocking_domain_takes_the_gart),
		cmocka_unit_test(test_aperture_and_map),
		cmocka_unit_test(test_foreign_driver),
		cmocka_unit_test(test_absent_upstream),
		cmocka_unit_test(test_groups_and_default),
		cmocka_unit_test(test_bad_binding),
		cmocka_unit_test(test_fresh_domains_compatible),
		cmocka_unit_test(test_failnth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
