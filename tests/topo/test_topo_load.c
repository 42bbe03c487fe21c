// SPDX-License-Identifier: MIT
/*
 * Platforms that load: every built-in in every profile, the mock platform's
 * groups and bindings (what the demo and the VFIO tests rely on), the same
 * tree from a .dtb and a .dts file, and the PCI and firmware features of
 * the format on a small platform of their own.
 */
#include "topo_fixture.h"

#include "core/state.h"
#include "drivers/registry.h"

struct built {
	struct ims_platform *platform;
	struct ims_core *core;
	struct ims_topo *topo;
};

static void build(struct built *b, const char *name, enum ims_profile profile)
{
	char err[512];

	assert_int_equal(ims_platform_load(name, &b->platform, err, sizeof(err)), 0);
	b->core = new_core(profile);
	if (ims_topo_instantiate(b->platform, b->core, &b->topo, err, sizeof(err)))
		fail_msg("%s", err);
}

static void teardown(struct built *b)
{
	ims_topo_remove(b->topo);
	assert_core_empty(b->core);
	ims_core_destroy(b->core);
	ims_platform_free(b->platform);
}

static struct ims_device *dev(const struct built *b, const char *name)
{
	struct ims_device *d = ims_device_find(b->core, name);

	assert_non_null(d);
	return d;
}

/* Does every IOMMU driver of @name exist in @profile (tegra-gart left in v6.7)? */
static bool drivers_present(const char *name, enum ims_profile profile)
{
	struct ims_platform *p;
	char err[512];
	bool present = true;

	assert_int_equal(ims_platform_load(name, &p, err, sizeof(err)), 0);
	for (size_t i = 0; i < ims_topo_nr_iommus(p); i++) {
		const struct ims_driver_model *m =
			ims_driver_model_find(ims_topo_iommu_driver(p, i));

		assert_non_null(m);
		present &= !m->present || m->present(ims_profile_facts(profile));
	}
	ims_platform_free(p);
	return present;
}

/* A platform whose driver is absent in @profile is refused, leaving the core empty. */
static void expect_absent(const char *name, enum ims_profile profile)
{
	struct ims_platform *p;
	struct ims_core *core = new_core(profile);
	struct ims_topo *topo = NULL;
	char err[512];

	assert_int_equal(ims_platform_load(name, &p, err, sizeof(err)), 0);
	assert_int_equal(ims_topo_instantiate(p, core, &topo, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not exist in the"));
	assert_core_empty(core);
	ims_core_destroy(core);
	ims_platform_free(p);
}

static void test_builtins_every_profile(void **state)
{
	const char *name;

	(void)state;
	assert_non_null(ims_platform_builtin_name(0));
	for (size_t i = 0; (name = ims_platform_builtin_name(i)) != NULL; i++) {
		assert_true(strlen(ims_platform_builtin_description(i)) > 10);
		for (int profile = 0; profile < IMS_PROFILE_NR; profile++) {
			struct built b;

			if (!drivers_present(name, (enum ims_profile)profile)) {
				expect_absent(name, (enum ims_profile)profile);
				continue;
			}
			build(&b, name, (enum ims_profile)profile);
			assert_int_equal(ims_list_count(&b.core->devices),
					 ims_topo_nr_devices(b.platform));
			assert_int_equal(b.core->nr_iommus, ims_topo_nr_iommus(b.platform));
			teardown(&b);
		}
	}
	assert_null(ims_platform_builtin_description(SIZE_MAX));
}

static void test_default_is_builtin(void **state)
{
	(void)state;
	assert_non_null(ims_topo_builtin_find(ims_platform_default()));
}

static void test_mock_groups(void **state)
{
	struct built b;
	struct ims_device *f0, *f1;

	(void)state;
	build(&b, "mock", IMS_PROFILE_UPSTREAM);
	f0 = dev(&b, "0000:01:00.0");
	f1 = dev(&b, "0000:01:00.1");
	/* Two functions without ACS: one group; the ACS root port apart. */
	assert_ptr_equal(f0->group, f1->group);
	assert_int_equal(f0->group->nr_devices, 2);
	assert_true(f0->pci.multifunction);
	assert_ptr_not_equal(f0->group, dev(&b, "0000:00:01.0")->group);
	assert_ptr_equal(f0->pci.upstream, dev(&b, "0000:00:01.0"));
	/* GPU and audio share a group too. */
	assert_ptr_equal(dev(&b, "0000:04:00.0")->group, dev(&b, "0000:04:00.1")->group);
	/* Every device behind an IOMMU has a group; 19 devices, 17 groups. */
	assert_int_equal(ims_list_count(&b.core->devices), 19);
	assert_int_equal(b.core->groups.count, 17);
	teardown(&b);
}

static void test_mock_iommu_map_split(void **state)
{
	static const struct { const char *dev, *iommu; uint32_t id; } want[] = {
		{ "0000:00:01.0", "10000000.iommu", 0x0008 },
		{ "0000:01:00.1", "10000000.iommu", 0x0101 },
		{ "0000:03:00.0", "10000000.iommu", 0x0300 },
		{ "0000:00:08.0", "11000000.iommu", 0x0040 },
		{ "0000:10:00.0", "11000000.iommu", 0x1000 },
		{ "0000:11:00.0", "11000000.iommu", 0x1100 },
		{ "20000000.dma", "10000000.iommu", 0x10000 },
	};
	struct built b;

	(void)state;
	build(&b, "mock", IMS_PROFILE_SEED);
	for (size_t i = 0; i < IMS_ARRAY_SIZE(want); i++) {
		struct ims_device *d = dev(&b, want[i].dev);

		assert_string_equal(d->iommu->name, want[i].iommu);
		assert_int_equal(d->nr_ids, 1);
		assert_int_equal(d->ids[0], want[i].id);
	}
	teardown(&b);
}

static void test_mock_kernel_driver_owns_group(void **state)
{
	struct built b;
	struct ims_device *nvme;
	const struct ims_topo_device *facts;
	int owner;

	(void)state;
	build(&b, "mock", IMS_PROFILE_UPSTREAM);
	nvme = dev(&b, "0000:02:00.0");
	facts = ims_topo_device_of(b.topo, nvme);
	assert_string_equal(facts->driver, "nvme");
	assert_int_equal(facts->binding, IMS_TOPO_KERNEL);
	assert_int_equal(nvme->group->owner_cnt, 1);
	assert_null(nvme->group->owner);
	assert_int_equal(ims_group_claim_dma_owner(nvme->group, &owner), -EPERM);
	/* Root ports are driver-managed (pcieport): their groups stay claimable. */
	assert_int_equal(dev(&b, "0000:00:02.0")->group->owner_cnt, 0);
	assert_int_equal(ims_group_claim_dma_owner(dev(&b, "0000:00:02.0")->group, &owner), 0);
	ims_group_release_dma_owner(dev(&b, "0000:00:02.0")->group);
	teardown(&b);
}

static void test_mock_direct_region(void **state)
{
	struct built b;
	struct ims_device *display;
	int owner;

	(void)state;
	build(&b, "mock", IMS_PROFILE_UPSTREAM);
	display = dev(&b, "0000:03:00.0");
	assert_true(display->require_direct);
	assert_int_equal(display->nr_fw_resv, 1);
	assert_int_equal(display->fw_resv[0].type, IMS_RESV_DIRECT);
	assert_int_equal(display->fw_resv[0].start, 0xfe000000);
	assert_int_equal(display->fw_resv[0].length, 0x800000);
	assert_true(display->fw_resv[0].prot & IMS_PROT_CACHE); /* dma-coherent bridge */
	assert_int_equal(ims_iommu_iova_to_phys(display->group->default_domain, 0xfe001000),
			 0xfe001000);
	assert_int_equal(ims_group_claim_dma_owner(display->group, &owner), -EINVAL);
	teardown(&b);
}

static void test_mock_instances_differ(void **state)
{
	struct built b;
	struct ims_domain *narrow, *wide, *dirty;

	(void)state;
	build(&b, "mock", IMS_PROFILE_UPSTREAM);
	narrow = ims_paging_domain_alloc(dev(&b, "0000:11:00.0"), 0);
	wide = ims_paging_domain_alloc(dev(&b, "0000:01:00.0"), 0);
	assert_false(IS_ERR(narrow) || IS_ERR(wide));
	assert_true(narrow->pgsize_bitmap & 0x800);
	assert_int_equal(narrow->geometry.aperture_end, 0xffffffff);
	assert_false(wide->pgsize_bitmap & 0x800);
	dirty = ims_paging_domain_alloc(dev(&b, "0000:11:00.0"), IMS_ALLOC_DIRTY_TRACKING);
	assert_int_equal(PTR_ERR(dirty), -EOPNOTSUPP);
	dirty = ims_paging_domain_alloc(dev(&b, "0000:01:00.0"), IMS_ALLOC_DIRTY_TRACKING);
	assert_false(IS_ERR(dirty));
	ims_domain_free(dirty);
	ims_domain_free(narrow);
	ims_domain_free(wide);
	teardown(&b);
}

static void test_mock_fail_attach_device(void **state)
{
	struct built b;
	struct ims_device *acc;
	struct ims_domain *domain;
	int owner;

	(void)state;
	build(&b, "mock", IMS_PROFILE_UPSTREAM);
	acc = dev(&b, "0000:10:00.0");
	assert_int_equal(ims_group_claim_dma_owner(acc->group, &owner), 0);
	domain = ims_paging_domain_alloc(acc, 0);
	assert_false(IS_ERR(domain));
	assert_int_equal(ims_attach_group(domain, acc->group), -ENOSPC);
	ims_domain_free(domain);
	ims_group_release_dma_owner(acc->group);
	teardown(&b);
}

static void test_mock_facts(void **state)
{
	struct built b;
	const struct ims_topo_device *nic, *dma;

	(void)state;
	build(&b, "mock", IMS_PROFILE_LEGACY);
	nic = ims_topo_find_device(b.platform, "0000:01:00.1");
	assert_non_null(nic);
	assert_string_equal(nic->node, "/pcie@40000000/pcie@1/ethernet@0,1");
	assert_string_equal(nic->driver, "vfio-pci");
	assert_int_equal(nic->pci.vendor, 0x8086);
	assert_int_equal(nic->pci.subsystem_device, 0x0001);
	assert_int_equal(nic->pci.class_code, 0x020000);
	assert_int_equal(nic->nr_bars, 2);
	assert_int_equal(nic->bars[0].size, 0x100000);
	assert_int_equal(nic->bars[0].flags, IMS_TOPO_BAR_MEM64 | IMS_TOPO_BAR_PREFETCH);
	assert_int_equal(nic->bars[1].index, 3);
	assert_true(nic->bars[1].flags & IMS_TOPO_BAR_NO_MMAP);
	assert_true(nic->msi_isolated);
	assert_ptr_equal(ims_topo_core_device(b.topo, nic), dev(&b, "0000:01:00.1"));
	dma = ims_topo_find_device(b.platform, "20000000.dma");
	assert_int_equal(dma->bus, IMS_BUS_PLATFORM);
	assert_string_equal(dma->driver, "vfio-platform");
	assert_string_equal(dma->iommu, "10000000.iommu");
	assert_true(dma->cache_coherent && dma->msi_isolated);
	teardown(&b);
}

/* The same tree as a .dtb file and through dtc from source. */
static void test_files(void **state)
{
	const struct ims_topo_builtin *mock = ims_topo_builtin_find("mock");
	struct ims_platform *p;
	struct tfile f;
	char err[512];

	(void)state;
	tfile_write(&f, ".dtb", mock->blob, mock->size);
	assert_int_equal(ims_platform_load(f.path, &p, err, sizeof(err)), 0);
	unlink(f.path);
	assert_string_equal(ims_platform_name(p), f.path);
	assert_int_equal(ims_topo_nr_devices(p), 19);
	ims_platform_free(p);
	if (load_dts(DTS_HEAD "};\n", &p, err, sizeof(err), NULL, 0))
		fail_msg("%s", err);
	assert_int_equal(ims_topo_nr_iommus(p), 1);
	assert_string_equal(ims_topo_iommu_name(p, 0), "1000.iommu");
	assert_string_equal(ims_topo_iommu_driver(p, 0), "mock");
	ims_platform_free(p);
}

/* PCI and firmware features on one small platform. */
static const char features_dts[] = DTS_HEAD
	"\tits: msi-controller@2000 { compatible = \"acme,msi\"; reg = <0 0x2000 0 0x100>; "
	"msi-controller; #msi-cells = <1>; };\n"
	"\tdisabled: iommu@3000 { compatible = \"iommusim,mock\"; reg = <0 0x3000 0 0x100>; "
	"#iommu-cells = <1>; status = \"disabled\"; };\n"
	"\thole { iommu-addresses = <&eng 0 0x100000 0 0x1000>; };\n"
	"\teng: engine@5000 { reg = <0 0x5000 0 0x100>; iommus = <&smmu 7>, <&smmu 8>;\n"
	"\t\tpasid-num-bits = <5>; memory-region = <&{/hole}>; msi-parent = <&its 1>; };\n"
	"\toff@6000 { reg = <0 0x6000 0 0x100>; iommus = <&disabled 1>; };\n"
	DTS_PCIE_OPEN
	"\t\tiommu-map = <0x0 &smmu 0x0 0x10000>; iommu-map-mask = <0xfff8>; linux,pci-domain = <2>;\n"
	"\t\tport@1 { reg = <0x0800 0 0 0 0>; #address-cells = <3>; #size-cells = <2>; "
	DTS_IDS " class-code = <0x060400>; iommusim,acs; external-facing;\n"
	"\t\t\tbridge@0 { reg = <0x10000 0 0 0 0>; #address-cells = <3>; #size-cells = <2>; "
	DTS_IDS " class-code = <0x060400>; iommusim,pcie-to-pci-bridge;\n"
	"\t\t\t\tdev@0 { reg = <0x20000 0 0 0 0>; " DTS_IDS " };\n"
	"\t\t\t\tdev@1 { reg = <0x20800 0 0 0 0>; " DTS_IDS " iommusim,driver = \"e1000\"; };\n"
	"\t\t\t};\n\t\t};\n"
	"\t\tdev@2 { reg = <0x1000 0 0 0 0>; " DTS_IDS " iommusim,untrusted; "
	"iommusim,msi-isolated; dma-noncoherent; };\n"
	"\t};\n};\n";

static void test_features(void **state)
{
	struct built b = { 0 };
	struct ims_device *c0, *c1, *bridge, *eng;
	char err[512];

	(void)state;
	if (load_dts(features_dts, &b.platform, err, sizeof(err), NULL, 0))
		fail_msg("%s", err);
	b.core = new_core(IMS_PROFILE_UPSTREAM);
	if (ims_topo_instantiate(b.platform, b.core, &b.topo, err, sizeof(err)))
		fail_msg("%s", err);
	c0 = dev(&b, "0002:02:00.0");
	c1 = dev(&b, "0002:02:01.0");
	bridge = dev(&b, "0002:01:00.0");
	/* Conventional PCI behind the PCIe-to-PCI bridge: alias, one group, two IDs. */
	assert_ptr_equal(c0->pci.dma_alias, bridge);
	assert_ptr_equal(c0->group, bridge->group);
	assert_ptr_equal(c1->group, bridge->group);
	assert_int_equal(c0->nr_ids, 1);          /* its RID is the alias RID */
	assert_int_equal(c0->ids[0], 0x200);
	assert_int_equal(c1->nr_ids, 2);
	assert_int_equal(c1->ids[0], 0x208);
	assert_int_equal(c1->ids[1], 0x200);
	assert_int_equal(bridge->group->owner_cnt, 1); /* e1000 on c1 */
	/* Below an external-facing port: untrusted; the port itself is not. */
	assert_true(c0->untrusted);
	assert_false(dev(&b, "0002:00:01.0")->untrusted);
	assert_true(dev(&b, "0002:00:02.0")->untrusted && dev(&b, "0002:00:02.0")->msi_isolated);
	assert_false(dev(&b, "0002:00:02.0")->cache_coherent);
	assert_false(c0->msi_isolated); /* no msi-map, no ITS */
	eng = dev(&b, "5000.engine");
	assert_int_equal(eng->nr_ids, 2);
	assert_int_equal(eng->ids[1], 8);
	assert_int_equal(eng->max_pasids, 32);
	assert_false(eng->msi_isolated); /* acme,msi does not isolate */
	assert_int_equal(eng->fw_resv[0].type, IMS_RESV_RESERVED);
	assert_false(eng->require_direct);
	/* Behind a disabled IOMMU: no IOMMU, no group, no driver. */
	assert_null(dev(&b, "6000.off")->group);
	assert_null(ims_topo_find_device(b.platform, "6000.off")->driver);
	assert_int_equal(b.core->nr_iommus, 1);
	teardown(&b);
}

/* A RID no iommu-map entry covers has no IOMMU, as of_map_id's bypass. */
static void test_rid_outside_map(void **state)
{
	static const char dts[] = DTS_HEAD DTS_PCIE_OPEN
		"\t\tiommu-map = <0x0 &smmu 0x0 0x8>;\n"
		"\t\tdev@0 { reg = <0x0000 0 0 0 0>; " DTS_IDS " };\n"
		"\t\tdev@5 { reg = <0x2800 0 0 0 0>; " DTS_IDS " };\n\t};\n};\n";
	struct built b = { 0 };
	char err[512];

	(void)state;
	if (load_dts(dts, &b.platform, err, sizeof(err), NULL, 0))
		fail_msg("%s", err);
	b.core = new_core(IMS_PROFILE_UPSTREAM);
	assert_int_equal(ims_topo_instantiate(b.platform, b.core, &b.topo, err, sizeof(err)), 0);
	assert_non_null(dev(&b, "0000:00:00.0")->group);
	assert_null(dev(&b, "0000:00:05.0")->group);
	assert_null(dev(&b, "0000:00:05.0")->iommu);
	assert_int_equal(ims_topo_find_device(b.platform, "0000:00:05.0")->binding,
			 IMS_TOPO_UNBOUND);
	teardown(&b);
}

static void test_state_json_has_platform_devices(void **state)
{
	struct built b;
	json_object *o = json_object_new_object(), *devices;

	(void)state;
	build(&b, "mock", IMS_PROFILE_UPSTREAM);
	ims_core_state_add_json(b.core, o);
	assert_true(json_object_object_get_ex(o, "devices", &devices));
	assert_int_equal(json_object_array_length(devices), ims_topo_nr_devices(b.platform));
	json_object_put(o);
	teardown(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins_every_profile),
		cmocka_unit_test(test_default_is_builtin),
		cmocka_unit_test(test_mock_groups),
		cmocka_unit_test(test_mock_iommu_map_split),
		cmocka_unit_test(test_mock_kernel_driver_owns_group),
		cmocka_unit_test(test_mock_direct_region),
		cmocka_unit_test(test_mock_instances_differ),
		cmocka_unit_test(test_mock_fail_attach_device),
		cmocka_unit_test(test_mock_facts),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_rid_outside_map),
		cmocka_unit_test(test_state_json_has_platform_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
