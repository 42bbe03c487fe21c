// SPDX-License-Identifier: MIT
/*
 * The s390 zPCI model (src/drivers/s390): every attach condition in every
 * profile, domain geometry by era, reserved regions, IOAT answers, the
 * platform binding's refusals, mapping through the s390 tables, and the
 * fresh-domain rule.  Platform: the built-in "s390" (see its .dts).
 */
#include "drv_fixture.h"

#include "drivers/s390/s390.h"

#define FN_4G_8G "0000:00:00.0"    /* 4 GiB .. 8 GiB */
#define FN_4G_16G "0001:00:00.0"   /* 4 GiB .. 16 GiB */
#define FN_5T "0002:00:00.0"       /* 5 TiB .. 6 TiB, region-second capable */
#define FN_IOAT_ERR "0003:00:00.0"
#define FN_NOT_AVAIL "0004:00:00.0"
#define FN_BAD_HANDLE "0005:00:00.0"

#define GIB(n) ((uint64_t)(n) << 30)
#define TIB(n) ((uint64_t)(n) << 40)
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

/* A domain bound to the 4-8 GiB function, then attached to @target. */
static void expect_bound_then(const char *target, int upstream, int seed, int legacy)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct ims_device *dev;
		struct drv d;

		drv_build(&d, "s390", p);
		domain = drv_domain(&d, FN_4G_8G);
		assert_int_equal(drv_attach(&d, domain, FN_4G_8G), 0);
		dev = drv_dev(&d, target);
		assert_int_equal(drv_attach(&d, domain, target), per_profile(p, upstream, seed, legacy));
		/* a refused function stays on its default domain */
		if (per_profile(p, upstream, seed, legacy))
			assert_ptr_equal(dev->hw_domain, dev->group->default_domain);
		else
			ims_detach_group(domain, dev->group);
		drv_release(&d, domain, FN_4G_8G);
		drv_teardown(&d);
	}
}

/* 2022: the first function sets the aperture, the next must match it; today it overlaps. */
static void test_aperture_differs(void **state)
{
	expect_bound_then(FN_4G_16G, 0, -EMEDIUMTYPE, -EINVAL);
}

/* Today only a range outside the domain's table is refused (WARN, EINVAL). */
static void test_aperture_disjoint(void **state)
{
	expect_bound_then(FN_5T, -EINVAL, -EMEDIUMTYPE, -EINVAL);
}

/* A fresh domain on a function whose firmware refuses the IOAT. */
static void expect_ioat(const char *fn, int upstream, int seed, int legacy)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build(&d, "s390", p); /* default DMA domains register fine */
		domain = drv_domain(&d, fn);
		assert_int_equal(drv_attach(&d, domain, fn), per_profile(p, upstream, seed, legacy));
		drv_release(&d, domain, fn);
		drv_teardown(&d);
	}
}

static void test_ioat_error(void **state)
{
	expect_ioat(FN_IOAT_ERR, -EIO, -EIO, -EIO);
}

static void test_ioat_function_not_available(void **state)
{
	expect_ioat(FN_NOT_AVAIL, 0, -EIO, -EIO);
}

static void test_ioat_invalid_handle(void **state)
{
	expect_ioat(FN_BAD_HANDLE, 0, -EIO, -EIO);
}

#define DTS_FOREIGN                                                               \
	DTS_HEAD                                                                  \
	"\tzpci: zpci@10 { compatible = \"iommusim,s390-zpci\"; reg = <0 0x10 0 1>;\n" \
	"\t\t#iommu-cells = <1>; iommusim,start-dma = <1 0>; iommusim,end-dma = <1 0xffffffff>; };\n" \
	"\tpci@40000000 { device_type = \"pci\"; compatible = \"pci-host-ecam-generic\";\n" \
	"\t\treg = <0 0x40000000 0 0x100000>; #address-cells = <3>; #size-cells = <2>;\n" \
	"\t\tranges = <0x02000000 0 0x50000000 0 0x50000000 0 0x1000000>;\n"     \
	"\t\tiommu-map = <0x0 &zpci 0x0 0x8>, <0x8 &smmu 0x8 0x8>;\n"             \
	"\t\tnic@0 { reg = <0x0 0 0 0 0>; " DTS_IDS " };\n"                        \
	"\t\tnic@1 { reg = <0x800 0 0 0 0>; " DTS_IDS " };\n\t};\n};\n"

/* A device of another driver: the core refuses first, the 2022 driver says ENODEV. */
static void test_foreign_driver(void **state)
{
	FOR_EACH_PROFILE(p) {
		struct ims_domain *domain;
		struct drv d;

		drv_build_dts(&d, DTS_FOREIGN, p);
		domain = drv_domain(&d, "0000:00:00.0");
		assert_int_equal(drv_attach(&d, domain, "0000:00:01.0"),
				 per_profile(p, -EINVAL, -EMEDIUMTYPE, -ENODEV));
		drv_release(&d, domain, "0000:00:01.0");
		drv_teardown(&d);
	}
}

/* Today the origin type and aperture come from the function; in 2022 from the first attach. */
static void test_domain_geometry(void **state)
{
	struct ims_domain *rt, *rs;
	struct drv d;

	drv_build(&d, "s390", IMS_PROFILE_UPSTREAM);
	rt = drv_domain(&d, FN_4G_8G);
	rs = drv_domain(&d, FN_5T);
	assert_int_equal(ims_s390_domain_levels(rt), 3);
	assert_int_equal(rt->geometry.aperture_start, 0);
	assert_int_equal(rt->geometry.aperture_end, TIB(4) - 1);
	assert_int_equal(ims_s390_domain_levels(rs), 4);
	assert_int_equal(rs->geometry.aperture_end, (1ull << 53) - 1);
	assert_int_equal(rt->pgsize_bitmap, 4096);
	assert_int_equal(drv_attach(&d, rs, FN_5T), 0);
	drv_release(&d, rs, FN_5T);
	ims_domain_free(rt);
	drv_teardown(&d);

	drv_build(&d, "s390", IMS_PROFILE_LEGACY);
	rt = drv_domain(&d, FN_4G_16G);
	assert_int_equal(ims_s390_domain_levels(rt), 3);
	assert_int_equal(drv_attach(&d, rt, FN_4G_16G), 0);
	assert_int_equal(rt->geometry.aperture_start, GIB(4));
	assert_int_equal(rt->geometry.aperture_end, GIB(16) - 1);
	drv_release(&d, rt, FN_4G_16G);
	drv_teardown(&d);
}

/* Below start_dma, and above end_dma up to the domain's table: reserved. */
static void test_reserved_regions(void **state)
{
	struct ims_resv_list list;
	struct drv d;

	drv_build(&d, "s390", IMS_PROFILE_UPSTREAM);
	drv_resv(&d, FN_4G_8G, &list);
	assert_int_equal(list.nr, 2);
	assert_int_equal(list.regions[0].start, 0);
	assert_int_equal(list.regions[0].length, GIB(4));
	assert_int_equal(list.regions[0].type, IMS_RESV_RESERVED);
	assert_int_equal(list.regions[1].start, GIB(8));
	assert_int_equal(list.regions[1].length, TIB(4) - GIB(8));
	ims_resv_list_free(&list);
	/* on the blocking domain only the low region is left */
	assert_int_equal(ims_group_claim_dma_owner(drv_dev(&d, FN_4G_8G)->group, &d), 0);
	drv_resv(&d, FN_4G_8G, &list);
	assert_int_equal(list.nr, 1);
	ims_resv_list_free(&list);
	ims_group_release_dma_owner(drv_dev(&d, FN_4G_8G)->group);
	drv_teardown(&d);
}

/* Mapping through the s390 tables: aperture, page size, translation, unmap. */
static void test_map_through_tables(void **state)
{
	struct ims_domain *domain;
	struct drv d;

	drv_build(&d, "s390", IMS_PROFILE_UPSTREAM);
	domain = drv_domain(&d, FN_4G_8G);
	assert_int_equal(drv_attach(&d, domain, FN_4G_8G), 0);
	assert_int_equal(ims_iommu_map(domain, GIB(4), 0x12340000, 0x10000, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, GIB(4) + 0x5008), 0x12345008);
	assert_int_equal(ims_iommu_map(domain, TIB(4), 0x12340000, 0x1000, RW), -EINVAL);
	assert_int_equal(ims_iommu_map(domain, GIB(4), 0x12340000, 0x800, RW), -EINVAL);
	assert_int_equal(ims_iommu_map(domain, GIB(4), 0x12340000, 0x1000, RW), -EEXIST);
	assert_int_equal(ims_iommu_unmap(domain, GIB(4), 0x10000), 0x10000);
	assert_int_equal(ims_iommu_iova_to_phys(domain, GIB(4) + 0x5008), 0);
	drv_release(&d, domain, FN_4G_8G);
	drv_teardown(&d);
}

/* One group per function; the function's capabilities. */
static void test_groups_and_caps(void **state)
{
	struct drv d;

	drv_build(&d, "s390", IMS_PROFILE_UPSTREAM);
	assert_ptr_not_equal(drv_dev(&d, FN_4G_8G)->group, drv_dev(&d, FN_4G_16G)->group);
	assert_int_equal(drv_dev(&d, FN_4G_8G)->group->nr_devices, 1);
	assert_true(ims_device_capable(drv_dev(&d, FN_4G_8G), IMS_CAP_CACHE_COHERENCY));
	assert_false(ims_device_capable(drv_dev(&d, FN_4G_8G), IMS_CAP_ENFORCE_CACHE_COHERENCY));
	assert_true(drv_dev(&d, FN_4G_8G)->msi_isolated);
	drv_teardown(&d);
}

static void test_fresh_domains_compatible(void **state)
{
	FOR_EACH_PROFILE(p)
		drv_fresh_domains_compatible("s390", p);
}

/* The binding's refusals name the node and property. */
static void test_bad_binding(void **state)
{
	static const struct { const char *props, *msg; } bad[] = {
		{ "iommusim,end-dma = <1 0>;", "'iommusim,start-dma': missing" },
		{ "iommusim,start-dma = <2 0>; iommusim,end-dma = <1 0>;", "is beyond the end" },
		{ "iommusim,start-dma = <1 0>; iommusim,end-dma = <2 0>; iommusim,ioat-error = \"x\";",
		  "'iommusim,ioat-error': 'x'" },
		{ "iommusim,start-dma = <1 0>; iommusim,end-dma = <2 0>; iommusim,dtsm = <0x100>;",
		  "more than 8 bits" },
	};
	char dts[1024], err[512];
	struct ims_platform *p;

	for (size_t i = 0; i < IMS_ARRAY_SIZE(bad); i++) {
		struct ims_core *core = new_core(IMS_PROFILE_UPSTREAM);
		struct ims_topo *topo;

		snprintf(dts, sizeof(dts), "/dts-v1/;\n/ {\n\t#address-cells = <2>; #size-cells = <2>;\n"
			 "\tzpci@10 { compatible = \"iommusim,s390-zpci\"; reg = <0 0x10 0 1>;\n"
			 "\t\t#iommu-cells = <1>; %s };\n};\n", bad[i].props);
		assert_int_equal(load_dts(dts, &p, err, sizeof(err), NULL, 0), 0);
		assert_int_equal(ims_topo_instantiate(p, core, &topo, err, sizeof(err)), -EINVAL);
		assert_contains(err, bad[i].msg);
		assert_contains(err, "/zpci@10");
		ims_core_destroy(core);
		ims_platform_free(p);
	}
}

/* A second PCI function behind one zPCI node is refused at probe. */
static void test_one_function_per_node(void **state)
{
	static const char dts[] =
		"/dts-v1/;\n/ {\n\t#address-cells = <2>; #size-cells = <2>;\n"
		"\tzpci: zpci@10 { compatible = \"iommusim,s390-zpci\"; reg = <0 0x10 0 1>;\n"
		"\t\t#iommu-cells = <1>; iommusim,start-dma = <1 0>; iommusim,end-dma = <2 0>; };\n"
		"\tpci@40000000 { device_type = \"pci\"; compatible = \"pci-host-ecam-generic\";\n"
		"\t\treg = <0 0x40000000 0 0x100000>; #address-cells = <3>; #size-cells = <2>;\n"
		"\t\tranges = <0x02000000 0 0x50000000 0 0x50000000 0 0x1000000>;\n"
		"\t\tiommu-map = <0x0 &zpci 0x0 0x100>;\n"
		"\t\tnic@0 { reg = <0x0 0 0 0 0>; " DTS_IDS " };\n"
		"\t\tnic@1 { reg = <0x800 0 0 0 0>; " DTS_IDS " };\n\t};\n};\n";
	struct ims_core *core = new_core(IMS_PROFILE_UPSTREAM);
	struct ims_platform *p;
	struct ims_topo *topo;
	char err[512];

	assert_int_equal(load_dts(dts, &p, err, sizeof(err), NULL, 0), 0);
	assert_int_equal(ims_topo_instantiate(p, core, &topo, err, sizeof(err)), -EBUSY);
	assert_contains(err, "0000:00:01.0");
	assert_core_empty(core);
	ims_core_destroy(core);
	ims_platform_free(p);
}

/* Every allocation failure on the way leaves nothing behind. */
static void test_failnth(void **state)
{
	drv_failnth_sweep("s390", FN_4G_8G, GIB(4), 0x12340000, 0x10000, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aperture_differs),
		cmocka_unit_test(test_aperture_disjoint),
		cmocka_unit_test(test_ioat_error),
		cmocka_unit_test(test_ioat_function_not_available),
		cmocka_unit_test(test_ioat_invalid_handle),
		cmocka_unit_test(test_foreign_driver),
		cmocka_unit_test(test_domain_geometry),
		cmocka_unit_test(test_reserved_regions),
		cmocka_unit_test(test_map_through_tables),
		cmocka_unit_test(test_groups_and_caps),
		cmocka_unit_test(test_fresh_domains_compatible),
		cmocka_unit_test(test_bad_binding),
		cmocka_unit_test(test_one_function_per_node),
		cmocka_unit_test(test_failnth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
