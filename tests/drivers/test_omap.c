// SPDX-License-Identifier: MIT
/*
 * The OMAP IOMMU model (src/drivers/omap): one client device per domain
 * (EBUSY, EMEDIUMTYPE, EINVAL), "no associated IOMMU", page tables made at
 * attach and gone at detach, the paging-to-paging switch that keeps the
 * old domain's client, groups per MMU, the four page sizes, the binding,
 * the fresh-domain rule.  Platform: "omap".
 */
#include "drv_fixture.h"

#include "drivers/omap/omap.h"

#define DSP "40e00000.dsp"
#define IPU "55020000.ipu"
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)
#define MIB(n) ((uint64_t)(n) << 20)

static void test_second_device(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build(&d, "omap", p);
		domain = drv_domain(&d, DSP);
		assert_int_equal(drv_attach(&d, domain, DSP), 0);
		assert_ptr_equal(ims_omap_domain_device(domain), drv_dev(&d, DSP));
		assert_int_equal(drv_attach(&d, domain, IPU), per_profile(p, -EINVAL, -EMEDIUMTYPE, -EBUSY));
		assert_ptr_equal(drv_dev(&d, IPU)->hw_domain, drv_dev(&d, IPU)->group->default_domain);
		/* once the DSP left, the domain takes the IPU */
		ims_detach_group(domain, drv_dev(&d, DSP)->group);
		assert_null(ims_omap_domain_device(domain));
		assert_int_equal(drv_attach(&d, domain, IPU), 0);
		drv_release(&d, domain, IPU);
		drv_teardown(&d);
	}
}

/* The tables are the attached device's: made at attach, gone (with the mappings) at detach. */
static void test_tables_live_with_the_device(void **state)
{
	struct ims_domain *domain;
	struct drv d;

	drv_build(&d, "omap", IMS_PROFILE_UPSTREAM);
	domain = drv_domain(&d, DSP);
	assert_int_equal(ims_iommu_map(domain, MIB(16), 0x80000000, 0x1000, RW), -EINVAL);
	assert_int_equal(drv_attach(&d, domain, DSP), 0);
	assert_int_equal(ims_iommu_map(domain, MIB(16), 0x80000000, 0x1000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, MIB(16) + 8), 0x80000008);
	ims_detach_group(domain, drv_dev(&d, DSP)->group);
	assert_int_equal(ims_iommu_iova_to_phys(domain, MIB(16) + 8), 0);
	assert_int_equal(drv_attach(&d, domain, DSP), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, MIB(16) + 8), 0);
	drv_release(&d, domain, DSP);
	drv_teardown(&d);
}

/*
 * Today an attach from one paging domain to another leaves the first
 * naming the device as its client (only the identity domain detaches): the
 * blocking domain that VFIO's domain replaced refuses the device itself
 * afterwards, so the group cannot go back to it.  The kernel does the same.
 */
static void test_switch_keeps_old_client(void **state)
{
	struct ims_group *dsp;
	struct ims_domain *vfio, *blocking;
	struct drv d;

	drv_build(&d, "omap", IMS_PROFILE_UPSTREAM);
	dsp = drv_dev(&d, DSP)->group;
	assert_int_equal(ims_group_claim_dma_owner(dsp, &d), 0);
	blocking = dsp->blocking_domain;
	vfio = drv_domain(&d, DSP);
	assert_int_equal(ims_attach_group(vfio, dsp), 0);
	assert_ptr_equal(ims_omap_domain_device(blocking), drv_dev(&d, DSP));
	assert_ptr_equal(ims_omap_domain_device(vfio), drv_dev(&d, DSP));
	ims_detach_group(vfio, dsp); /* back to the blocking domain: refused */
	assert_ptr_equal(drv_dev(&d, DSP)->hw_domain, vfio);
	ims_group_release_dma_owner(dsp); /* identity detaches the group's domain */
	assert_null(ims_omap_domain_device(blocking));
	assert_ptr_equal(drv_dev(&d, DSP)->hw_domain, dsp->default_domain);
	ims_domain_free(vfio); /* still naming the DSP: freeing detaches it */
	drv_teardown(&d);
}

static void test_table_alloc_fails(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build(&d, "omap", p);
		domain = drv_domain(&d, IPU);
		ims_fail_nth_set(1);
		assert_int_equal(drv_attach(&d, domain, IPU), -ENOMEM);
		ims_fail_nth_set(0);
		assert_null(ims_omap_domain_device(domain));
		assert_int_equal(drv_attach(&d, domain, IPU), 0);
		drv_release(&d, domain, IPU);
		drv_teardown(&d);
	}
}

/* A device of another driver: "no associated iommu" (EINVAL in 2022) after the core. */
static void test_foreign_driver(void **state)
{
	static const char dts[] =
		DTS_HEAD
		"\tmmu: mmu@4a066000 { compatible = \"ti,omap4-iommu\"; reg = <0 0x4a066000 0 0x100>;\n"
		"\t\t#iommu-cells = <0>; };\n"
		"\tdsp@40e00000 { reg = <0 0x40e00000 0 0x8000>; iommus = <&mmu>; };\n"
		"\tdma@20000000 { reg = <0 0x20000000 0 0x1000>; iommus = <&smmu 1>; };\n};\n";

	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build_dts(&d, dts, p);
		domain = drv_domain(&d, DSP);
		assert_int_equal(drv_attach(&d, domain, "20000000.dma"),
				 per_profile(p, -EINVAL, -EMEDIUMTYPE, -EINVAL));
		drv_release(&d, domain, "20000000.dma");
		drv_teardown(&d);
	}
}

/* Two devices behind one MMU share its group, which then cannot use an OMAP domain. */
static void test_group_per_mmu(void **state)
{
	static const char dts[] =
		"/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n"
		"\tmmu: mmu@480bd400 { compatible = \"ti,omap2-iommu\"; reg = <0x480bd400 0x80>;\n"
		"\t\t#iommu-cells = <0>; };\n"
		"\tisp@480bc000 { reg = <0x480bc000 0x100>; iommus = <&mmu>; };\n"
		"\tccdc@480bc600 { reg = <0x480bc600 0x100>; iommus = <&mmu>; };\n};\n";

	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build_dts(&d, dts, p);
		assert_ptr_equal(drv_dev(&d, "480bc000.isp")->group,
				 drv_dev(&d, "480bc600.ccdc")->group);
		domain = drv_domain(&d, "480bc000.isp");
		assert_int_equal(drv_attach(&d, domain, "480bc000.isp"),
				 per_profile(p, -EINVAL, -EMEDIUMTYPE, -EBUSY));
		drv_release(&d, domain, "480bc000.isp");
		drv_teardown(&d);
	}
}

/* 4 KiB, 64 KiB, 1 MiB and 16 MiB pages in a 32-bit space. */
static void test_page_sizes(void **state)
{
	struct ims_domain *domain;
	struct drv d;

	drv_build(&d, "omap", IMS_PROFILE_UPSTREAM);
	domain = drv_domain(&d, DSP);
	assert_int_equal(domain->pgsize_bitmap, 0x1111000);
	assert_int_equal(domain->geometry.aperture_end, 0xffffffffull);
	assert_int_equal(drv_attach(&d, domain, DSP), 0);
	/* 16M + 1M + 64K + 4K: the core picks each size once */
	assert_int_equal(ims_iommu_map(domain, MIB(32), 0x40000000, MIB(17) + 0x11000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, MIB(32) + MIB(16) + 0x10008),
			 0x40000000 + MIB(16) + 0x10008);
	assert_int_equal(ims_iommu_unmap(domain, MIB(32), MIB(17) + 0x11000), MIB(17) + 0x11000);
	assert_int_equal(ims_iommu_map(domain, 0, 0x100000000ull, 0x1000, RW), -ERANGE);
	drv_release(&d, domain, DSP);
	drv_teardown(&d);
}

static void test_bad_binding(void **state)
{
	static const char dts[] =
		"/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n"
		"\tmmu@4a066000 { compatible = \"ti,omap4-iommu\"; reg = <0x4a066000 0x100>;\n"
		"\t\t#iommu-cells = <0>; ti,#tlb-entries = <16>; };\n};\n";
	struct ims_core *core = new_core(IMS_PROFILE_UPSTREAM);
	struct ims_platform *p;
	struct ims_topo *topo;
	char err[512];

	assert_int_equal(load_dts(dts, &p, err, sizeof(err), NULL, 0), 0);
	assert_int_equal(ims_topo_instantiate(p, core, &topo, err, sizeof(err)), -EINVAL);
	assert_contains(err, "'ti,#tlb-entries': 16 is not 8 or 32");
	ims_core_destroy(core);
	ims_platform_free(p);
}

static void test_fresh_domains_compatible(void **state)
{
	FOR_EACH_PROFILE(p)
		drv_fresh_domains_compatible("omap", p);
}

/* Every allocation failure on the way leaves nothing behind. */
static void test_failnth(void **state)
{
	drv_failnth_sweep("omap", DSP, MIB(16), 0x12300000, MIB(1) + 0x10000, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_device),
		cmocka_unit_test(test_tables_live_with_the_device),
		cmocka_unit_test(test_switch_keeps_old_client),
		cmocka_unit_test(test_table_alloc_fails),
		cmocka_unit_test(test_foreign_driver),
		cmocka_unit_test(test_group_per_mmu),
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_bad_binding),
		cmocka_unit_test(test_fresh_domains_compatible),
		cmocka_unit_test(test_failnth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
