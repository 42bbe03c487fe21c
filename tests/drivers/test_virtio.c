// SPDX-License-Identifier: MIT
/*
 * The virtio-iommu model: the binding (an IOMMU that is a PCI function),
 * config space, domains bound at allocation (today) or at first attach
 * (2022), the driver's mapping record and the device's table (replay on
 * the first ATTACH, MAP/UNMAP while attached, freed with the last
 * endpoint), and every attach condition with its errno in each profile
 * (kernel-semantics 1.1, 3.1, 3.2).
 *
 * virtio (src/topo/platforms/virtio.dts): 0000:00:03.0 and 0000:00:04.0
 * behind 800.iommu (every page from 4 KiB, 48-bit input range),
 * 0000:00:05.0 behind 1000.iommu (4K/2M/1G, 39 bits, domain IDs 1-63).
 */
#include "x86_fixture.h"

#include "drivers/virtio/virtio.h"

#define NET0 "0000:00:03.0"
#define NVME "0000:00:04.0"
#define NET1 "0000:00:05.0"
#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

/* One virtio-iommu at 00:01.0 with @props, devices 00:02.0 and 00:03.0 behind it. */
static const char *one_viommu(const char *props)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
		 DTS_PCIE_OPEN
		 "\t\tiommu-map = <0x10 &v 0x10 0x10>;\n"
		 "\t\tv: iommu@1 { compatible = \"virtio,pci-iommu\", \"pci1af4,1057\";"
		 " reg = <0x0800 0 0 0 0>; #iommu-cells = <1>; vendor-id = <0x1af4>;"
		 " device-id = <0x1057>; %s };\n"
		 "\t\ta@2 { reg = <0x1000 0 0 0 0>; " DTS_IDS " };\n"
		 "\t\tb@3 { reg = <0x1800 0 0 0 0>; " DTS_IDS " };\n\t};\n};\n", props);
	return buf;
}

static struct ims_virtio_domain_info info_of(struct ims_domain *domain)
{
	struct ims_virtio_domain_info info;

	assert_int_equal(ims_virtio_domain_info(domain, &info), 0);
	return info;
}

static void platform(void **state)
{
	struct drv *d = drv_up("virtio", NULL, IMS_PROFILE_UPSTREAM);

	/* The IOMMUs are PCI functions themselves, not behind an IOMMU. */
	assert_non_null(ims_iommu_find(d->core, "800.iommu"));
	assert_non_null(ims_iommu_find(d->core, "1000.iommu"));
	assert_null(drv_dev(d, "0000:00:01.0")->group);
	assert_string_equal(drv_dev(d, NET1)->iommu->name, "1000.iommu");
	assert_ptr_not_equal(drv_dev(d, NET0)->group, drv_dev(d, NVME)->group);
	assert_true(drv_has_resv(d, NET0, IMS_VIRTIO_MSI_IOVA_BASE, IMS_VIRTIO_MSI_IOVA_LENGTH,
				 IMS_RESV_SW_MSI));
	assert_true(ims_device_capable(drv_dev(d, NET0), IMS_CAP_CACHE_COHERENCY));
	assert_false(ims_device_capable(drv_dev(d, NET0), IMS_CAP_ENFORCE_CACHE_COHERENCY));
	drv_down(d);
}

static void refused_platforms(void **state)
{
	drv_refused(one_viommu("iommusim,page-size-mask = <0 0>;"), "no page size");
	drv_refused(one_viommu("iommusim,page-size-mask = <0 0x400>;"), "cannot be modelled");
	drv_refused(one_viommu("iommusim,page-size-mask = <0 0x800>;"), "cannot be modelled");
	drv_refused(one_viommu("iommusim,input-range = <0 2 0 1>;"), "start is beyond end");
	drv_refused(one_viommu("iommusim,domain-range = <5 4>;"), "first <= last");
	drv_refused(one_viommu("iommusim,input-range = <0 1>;"), "found 2 cells");
}

static void domains_today(void **state)
{
	struct drv *d = drv_up("virtio", NULL, IMS_PROFILE_UPSTREAM);
	struct ims_domain *d0 = drv_domain_for(d, NET0, 0), *d1 = drv_domain_for(d, NET1, 0);
	struct ims_virtio_domain_info i = info_of(d1);

	/* Bound at allocation, with the instance's config space. */
	assert_true(info_of(d0).finalised);
	assert_int_equal(d0->pgsize_bitmap, ~0xfffull);
	assert_int_equal(d0->geometry.aperture_end, (1ull << 48) - 1);
	assert_true(i.finalised);
	assert_string_equal(i.iommu->name, "1000.iommu");
	assert_int_equal(i.id, 2); /* 1 is the default domain's */
	assert_int_equal(d1->pgsize_bitmap, 0x40201000);
	assert_int_equal(d1->geometry.aperture_end, (1ull << 39) - 1);
	assert_ptr_equal(ims_paging_domain_alloc(drv_dev(d, NET0), IMS_ALLOC_DIRTY_TRACKING),
			 ERR_PTR(-EOPNOTSUPP));
	ims_domain_free(d0);
	ims_domain_free(d1);
	drv_down(d);
}

static void domains_2022(void **state)
{
	struct drv *d = drv_up("virtio", NULL, IMS_PROFILE_LEGACY);
	struct ims_domain *domain = drv_domain_for(d, NET1, 0);

	/* iommu_domain_alloc(bus): no instance yet, so no map flags either. */
	assert_false(info_of(domain).finalised);
	assert_int_equal(domain->pgsize_bitmap, UINT64_MAX);
	assert_int_equal(ims_iommu_map(domain, 0, 0x1000, SZ_4K, RW), -EINVAL);
	assert_int_equal(drv_attach(d, domain, NET1), 0);
	assert_true(info_of(domain).finalised);
	assert_int_equal(domain->pgsize_bitmap, 0x40201000);
	assert_int_equal(domain->geometry.aperture_end, (1ull << 39) - 1);
	assert_int_equal(ims_iommu_map(domain, 0, 0x1000, SZ_4K, RW), 0);
	drv_detach_free(d, domain, NET1);
	drv_down(d);
}

static void driver_record_and_device_table(void **state)
{
	struct drv *d = drv_up("virtio", NULL, IMS_PROFILE_UPSTREAM);
	struct ims_domain *domain = drv_domain_for(d, NET0, 0);
	struct ims_virtio_domain_info i;

	/* Not attached: only the driver's record. */
	assert_int_equal(ims_iommu_map(domain, SZ_2M, 0x40000000, SZ_2M + SZ_4K, RW), 0);
	i = info_of(domain);
	assert_int_equal(i.nr_mappings, 2);
	assert_null(i.device_table);
	assert_int_equal(ims_iommu_iova_to_phys(domain, SZ_2M + 0x10), 0x40000010);
	/* The first ATTACH: the device builds the domain, the driver replays. */
	assert_int_equal(drv_attach(d, domain, NET0), 0);
	i = info_of(domain);
	assert_int_equal(i.nr_endpoints, 1);
	assert_int_equal(ims_pt_iova_to_phys(i.device_table, 2 * SZ_2M + 0x20), 0x40200020);
	/* MAP requests while attached; an overlapping one is S_INVAL. */
	assert_int_equal(ims_iommu_map(domain, 0x10000, 0x90000, 0x10000, RW), 0);
	assert_int_equal(ims_pt_iova_to_phys(info_of(domain).device_table, 0x10008), 0x90008);
	assert_int_equal(ims_iommu_map(domain, SZ_2M, 0x1000, SZ_4K, RW), -EINVAL);
	assert_int_equal(info_of(domain).nr_mappings, 3);
	/* UNMAP removes whole records and never splits one. */
	assert_int_equal(ims_iommu_unmap(domain, 0x10000, SZ_4K), 0x10000);
	assert_int_equal(ims_pt_iova_to_phys(info_of(domain).device_table, 0x10008), 0);
	assert_int_equal(ims_iommu_unmap(domain, SZ_2M + SZ_4K, SZ_4K), 0);
	assert_int_equal(ims_iommu_unmap(domain, SZ_2M, SZ_2M), SZ_2M);
	assert_int_equal(ims_iommu_unmap(domain, 2 * SZ_2M, SZ_4K), SZ_4K);
	assert_int_equal(info_of(domain).nr_mappings, 0);
	/* Asked for more than the records hold: the kernel drops the records,
	 * answers 0 and sends no UNMAP, so the device keeps translating. */
	assert_int_equal(ims_iommu_map(domain, 0x100000, 0x300000, 2 * SZ_4K, RW), 0);
	assert_int_equal(ims_iommu_unmap(domain, 0x100000, 4 * SZ_4K), 0);
	assert_int_equal(info_of(domain).nr_mappings, 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 0x100000), 0);
	assert_int_equal(ims_pt_iova_to_phys(info_of(domain).device_table, 0x100000), 0x300000);
	/* The last endpoint leaving frees the device's domain. */
	ims_detach_group(domain, drv_dev(d, NET0)->group);
	assert_null(info_of(domain).device_table);
	assert_int_equal(info_of(domain).nr_endpoints, 0);
	ims_domain_free(domain);
	drv_down(d);
}

static void endpoints_share_a_domain(void **state)
{
	struct drv *d = drv_up("virtio", NULL, IMS_PROFILE_UPSTREAM);
	struct ims_domain *domain = drv_domain_for(d, NET0, 0);

	assert_int_equal(drv_attach(d, domain, NET0), 0);
	assert_int_equal(drv_attach(d, domain, NVME), 0);
	assert_int_equal(info_of(domain).nr_endpoints, 2);
	ims_detach_group(domain, drv_dev(d, NET0)->group);
	assert_non_null(info_of(domain).device_table);
	drv_detach_free(d, domain, NVME);
	drv_down(d);
}

static void input_range(void **state)
{
	struct drv *d = drv_up("virtio", NULL, IMS_PROFILE_UPSTREAM);
	struct ims_domain *domain = drv_domain_for(d, NET1, 0);

	/* 39 bits: the device answers S_RANGE beyond them. */
	assert_int_equal(drv_attach(d, domain, NET1), 0);
	assert_int_equal(ims_iommu_map(domain, 1ull << 39, 0x1000, SZ_4K, RW), -ERANGE);
	assert_int_equal(info_of(domain).nr_mappings, 0);
	drv_detach_free(d, domain, NET1);
	drv_down(d);
}

/* ---- attach conditions, per profile ---- */

static void foreign_instance_rule(enum ims_profile p)
{
	struct drv *d = drv_up("virtio", NULL, p);
	struct ims_domain *domain = drv_domain_for(d, NET0, 0);

	assert_int_equal(drv_attach(d, domain, NET0), 0);
	assert_int_equal(drv_attach(d, domain, NET1), soft_or(p, EXDEV));
	assert_string_equal(d->reason, "domain bound to 800.iommu");
	drv_detach_free(d, domain, NET0);
	drv_down(d);
}

/*
 * A device behind an instance whose smallest page is 64 KiB: its default
 * domain cannot be made, so its probe fails -- with the allocation's
 * ENODEV today, the first attach's EINVAL in 2022 (neither is the seed's
 * incompatible errno).
 */
static void page_size_rule(enum ims_profile p)
{
	struct drv *d = drv_up("virtio", NULL, p);
	const struct ims_virtio_cfg cfg = { .page_size_mask = ~0xffffull };
	const uint32_t rid = 0xf8;
	struct ims_device_desc desc = {
		.name = "0000:00:1f.0", .bus = IMS_BUS_PCI, .ids = &rid, .nr_ids = 1,
		.pci = { .devfn = 0xf8 },
	};

	assert_int_equal(ims_virtio_register(d->core, "64k", &cfg, &desc.iommu), 0);
	assert_ptr_equal(ims_device_add(d->core, &desc),
			 ERR_PTR(p == IMS_PROFILE_UPSTREAM ? -ENODEV : -EINVAL));
	assert_string_equal(d->reason, p == IMS_PROFILE_UPSTREAM ? "" :
			    "64k pages are larger than the CPU page");
	assert_int_equal(ims_iommu_unregister(desc.iommu), 0);
	drv_down(d);
}

static void foreign_driver_rule(enum ims_profile p)
{
	struct drv *d = drv_up(NULL,
		"/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
		"\tsmmu: iommu@1000 { compatible = \"iommusim,mock\"; reg = <0 0x1000 0 0x1000>;"
		" #iommu-cells = <1>; };\n"
		DTS_PCIE_OPEN
		"\t\tiommu-map = <0x10 &v 0x10 0x8>, <0x18 &smmu 0x18 0x8>;\n"
		"\t\tv: iommu@1 { compatible = \"virtio,pci-iommu\"; reg = <0x0800 0 0 0 0>;"
		" #iommu-cells = <1>; vendor-id = <0x1af4>; device-id = <0x1057>; };\n"
		"\t\ta@2 { reg = <0x1000 0 0 0 0>; " DTS_IDS " };\n"
		"\t\tb@3 { reg = <0x1800 0 0 0 0>; " DTS_IDS " };\n\t};\n};\n", p);
	struct ims_domain *domain = drv_domain_for(d, "0000:00:02.0", 0);

	assert_int_equal(drv_attach(d, domain, "0000:00:03.0"), soft_or(p, EXDEV));
	drv_detach_free(d, domain, NULL);
	drv_down(d);
}

/* Domain IDs 5-6: the default domain takes 5. */
static void domain_ids_exhausted(enum ims_profile p)
{
	struct drv *d = drv_up(NULL, one_viommu("iommusim,domain-range = <5 6>;"), p);
	struct ims_domain *b = ims_paging_domain_alloc(drv_dev(d, "0000:00:02.0"), 0);
	struct ims_domain *c = ims_paging_domain_alloc(drv_dev(d, "0000:00:02.0"), 0);

	/* The second default domain took 6 already: today the allocation
	 * fails, in 2022 the first attach (hard, not "incompatible"). */
	if (p == IMS_PROFILE_UPSTREAM) {
		assert_ptr_equal(b, ERR_PTR(-ENOSPC));
		assert_ptr_equal(c, ERR_PTR(-ENOSPC));
	} else {
		assert_int_equal(drv_attach(d, b, "0000:00:02.0"), -ENOSPC);
		ims_domain_free(b);
		ims_domain_free(c);
	}
	drv_down(d);
}

static void fresh_domain_never_soft(void **state)
{
	const uint32_t flags[] = { 0 };

	(void)state;
	drv_fresh_domains("virtio", flags, 1, drv_never_soft);
}

PER_PROFILE(foreign_instance_rule)
PER_PROFILE(page_size_rule)
PER_PROFILE(foreign_driver_rule)
PER_PROFILE(domain_ids_exhausted)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(platform),
		cmocka_unit_test(refused_platforms),
		cmocka_unit_test(domains_today),
		cmocka_unit_test(domains_2022),
		cmocka_unit_test(driver_record_and_device_table),
		cmocka_unit_test(endpoints_share_a_domain),
		cmocka_unit_test(input_range),
		cmocka_unit_test(foreign_instance_rule_all),
		cmocka_unit_test(page_size_rule_all),
		cmocka_unit_test(foreign_driver_rule_all),
		cmocka_unit_test(domain_ids_exhausted_all),
		cmocka_unit_test(fresh_domain_never_soft),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
