// SPDX-License-Identifier: MIT
/*
 * Malformed platforms: each is refused with -EINVAL and a message naming
 * the file, the node and the property, and a core it was built into is left
 * exactly as it was -- empty when fresh (ASan checks that nothing leaks),
 * untouched when it already held an instance and a device.
 */
#include "topo_fixture.h"

#include "drivers/mock/mock.h"
#include "drivers/registry.h"

struct bad_case {
	const char *what;
	const char *dts;
	const char *node;   /* expected in the message */
	const char *text;   /* expected in the message: property and reason */
};

#define PCIE(body) DTS_HEAD DTS_PCIE_OPEN "\t\tiommu-map = <0x0 &smmu 0x0 0x10000>;\n" body "\t};\n};\n"
#define DEV(body) DTS_HEAD "\tdev@2000 { reg = <0 0x2000 0 0x100>; " body " };\n};\n"

static const struct bad_case cases[] = {
	{ "dangling phandle", DEV("iommus = <0x99 1>;"),
	  "/dev@2000", "property 'iommus': phandle 0x99 points at no node" },
	{ "phandle to a non-IOMMU", DTS_HEAD "\tn: clock@3000 { reg = <0 0x3000 0 1>; };\n"
	  "\tdev@2000 { reg = <0 0x2000 0 0x100>; iommus = <&n 1>; };\n};\n",
	  "/dev@2000", "property 'iommus': entry 0: /clock@3000 is not an IOMMU" },
	{ "wrong #iommu-cells", "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
	  "\tiommu@1000 { compatible = \"iommusim,mock\"; reg = <0 0x1000 0 0x1000>; "
	  "#iommu-cells = <2>; };\n};\n",
	  "/iommu@1000", "property '#iommu-cells': the mock binding needs <1>, found <2>" },
	{ "missing #iommu-cells", "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
	  "\tiommu@1000 { compatible = \"iommusim,mock\"; reg = <0 0x1000 0 0x1000>; };\n};\n",
	  "/iommu@1000", "property '#iommu-cells': missing" },
	{ "specifier too short", DEV("iommus = <&smmu>;"),
	  "/dev@2000", "property 'iommus': entry 0 is truncated: the IOMMU takes 1 cells, 0 left" },
	{ "unknown IOMMU", DTS_HEAD "\tiommu@3000 { compatible = \"acme,super-iommu\"; "
	  "reg = <0 0x3000 0 0x100>; #iommu-cells = <1>; };\n};\n",
	  "/iommu@3000", "property 'compatible': no driver model for IOMMU 'acme,super-iommu'" },
	{ "IOMMUs of one device differ", DTS_HEAD "\tb: iommu@3000 { compatible = "
	  "\"iommusim,mock\"; reg = <0 0x3000 0 0x100>; #iommu-cells = <1>; };\n"
	  "\tdev@2000 { reg = <0 0x2000 0 0x100>; iommus = <&smmu 1>, <&b 2>; };\n};\n",
	  "/dev@2000", "property 'iommus': entries point at 1000.iommu and 3000.iommu" },
	{ "overlapping iommu-map", DTS_HEAD DTS_PCIE_OPEN
	  "\t\tiommu-map = <0x0 &smmu 0x0 0x100>, <0x80 &smmu 0x1000 0x100>;\n\t};\n};\n",
	  "/pcie@40000000", "property 'iommu-map': entries 0 and 1 overlap (IDs 0x80..0xff)" },
	{ "iommu-map length", DTS_HEAD DTS_PCIE_OPEN
	  "\t\tiommu-map = <0x0 &smmu 0x0>;\n\t};\n};\n",
	  "/pcie@40000000", "property 'iommu-map': 3 cells is not a list of" },
	{ "iommu-map to nowhere", DTS_HEAD DTS_PCIE_OPEN
	  "\t\tiommu-map = <0x0 0x77 0x0 0x100>;\n\t};\n};\n",
	  "/pcie@40000000", "property 'iommu-map': phandle 0x77 points at no node" },
	{ "duplicate BDF", PCIE("\t\ta@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS " };\n"
				"\t\tb@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS " };\n"),
	  "/pcie@40000000/b@1", "property 'reg': 0000:00:01.0 is already used by /pcie@40000000/a@1" },
	{ "not a config address", PCIE("\t\ta@1 { reg = <0x02000810 0 0 0 0>; " DTS_IDS " };\n"),
	  "/pcie@40000000/a@1", "property 'reg': not a PCI configuration-space address" },
	{ "root bus", PCIE("\t\ta@1 { reg = <0x030800 0 0 0 0>; " DTS_IDS " };\n"),
	  "/pcie@40000000/a@1", "property 'reg': bus 0x03, but functions of the host bridge" },
	{ "missing vendor-id", PCIE("\t\ta@1 { reg = <0x0800 0 0 0 0>; device-id = <1>; };\n"),
	  "/pcie@40000000/a@1", "property 'vendor-id': missing" },
	{ "children below an endpoint", PCIE("\t\ta@1 { reg = <0x0800 0 0 0 0>; "
	  "#address-cells = <3>; #size-cells = <2>; " DTS_IDS "\n"
	  "\t\t\tb@0 { reg = <0x10000 0 0 0 0>; " DTS_IDS " }; };\n"),
	  "/pcie@40000000/a@1", "property 'class-code': 0x000000 is not a PCI bridge" },
	{ "iommus on a function", PCIE("\t\ta@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS
				       " iommus = <&smmu 1>; };\n"),
	  "/pcie@40000000/a@1", "property 'iommus': PCI functions reach their IOMMU" },
	{ "64-bit BAR 5", PCIE("\t\ta@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS
			       " iommusim,bars = <5 0x2 0 0x1000>; };\n"),
	  "/pcie@40000000/a@1", "property 'iommusim,bars': entry 0 (BAR 5): a 64-bit BAR needs" },
	{ "BAR size", PCIE("\t\ta@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS
			   " iommusim,bars = <0 0x0 0 0x3000>; };\n"),
	  "/pcie@40000000/a@1", "property 'iommusim,bars': entry 0 (BAR 0): size must be" },
	{ "BAR twice", PCIE("\t\ta@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS
			    " iommusim,bars = <0 0x2 0 0x1000>, <1 0x0 0 0x1000>; };\n"),
	  "/pcie@40000000/a@1", "property 'iommusim,bars': entry 1 (BAR 1): BAR used twice" },
	{ "vfio-pci on a platform device", DEV("iommus = <&smmu 1>; iommusim,driver = \"vfio-pci\";"),
	  "/dev@2000", "property 'iommusim,driver': vfio-pci binds PCI functions only" },
	{ "vfio without an IOMMU", DTS_HEAD DTS_PCIE_OPEN
	  "\t\ta@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS " iommusim,driver = \"vfio-pci\"; };\n"
	  "\t};\n};\n",
	  "/pcie@40000000/a@1", "property 'iommusim,driver': vfio-pci needs a device behind an IOMMU" },
	{ "driver name", DEV("iommus = <&smmu 1>; iommusim,driver = \"a b\";"),
	  "/dev@2000", "property 'iommusim,driver': 'a b' is not a driver name" },
	{ "driver knob", DEV("iommus = <&smmu 1>; iommusim,fail-attach = \"EBOGUS\";"),
	  "/dev@2000", "property 'iommusim,fail-attach': 'EBOGUS' is not an errno" },
	{ "memory-region to nowhere", DEV("iommus = <&smmu 1>; memory-region = <0x55>;"),
	  "/dev@2000", "property 'memory-region': phandle 0x55 points at no node" },
	{ "iommu-addresses truncated", DTS_HEAD
	  "\tr { iommu-addresses = <&d 0 0x1000 0>; };\n"
	  "\td: dev@2000 { reg = <0 0x2000 0 0x100>; iommus = <&smmu 1>; };\n};\n",
	  "/r", "property 'iommu-addresses': entry 0 is truncated: dev@2000 takes 2 address and 2 size" },
	{ "segment twice", DTS_HEAD
	  "\tpci@1 { device_type = \"pci\"; reg = <0 0x1 0 1>; linux,pci-domain = <1>; "
	  "#address-cells = <3>; #size-cells = <2>; ranges; };\n"
	  "\tpci@2 { device_type = \"pci\"; reg = <0 0x2 0 1>; linux,pci-domain = <1>; "
	  "#address-cells = <3>; #size-cells = <2>; ranges; };\n};\n",
	  "/pci@2", "property 'linux,pci-domain': segment 1 is already used by pci@1" },
	{ "IOMMU driver refuses its node (instantiate)", DTS_HEAD
	  "\tiommu@3000 { compatible = \"iommusim,mock\"; reg = <0 0x3000 0 0x100>; "
	  "#iommu-cells = <1>; iommusim,aperture-start = <0 0x2000>; "
	  "iommusim,aperture-end = <0 0x1000>; };\n"
	  "\tdev@2000 { reg = <0 0x2000 0 0x100>; iommus = <&smmu 1>; };\n};\n",
	  "/iommu@3000", "aperture start is beyond its end" },
};

/* Load @dts and build it into @core: the error and its message. */
static int try_platform(const char *dts, struct ims_core *core, char *err, size_t errlen,
			char *path, size_t pathlen)
{
	struct ims_platform *p = NULL;
	struct ims_topo *topo = NULL;
	int ret = load_dts(dts, &p, err, errlen, path, pathlen);

	if (!ret) {
		ret = ims_topo_instantiate(p, core, &topo, err, errlen);
		assert_int_not_equal(ret, 0);
		assert_null(topo);
	}
	ims_platform_free(p);
	return ret;
}

static void test_bad_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < IMS_ARRAY_SIZE(cases); i++) {
		struct ims_core *core = new_core(IMS_PROFILE_UPSTREAM);
		char err[512] = "", path[64];

		print_message("# %s\n", cases[i].what);
		assert_int_equal(try_platform(cases[i].dts, core, err, sizeof(err), path,
					      sizeof(path)), -EINVAL);
		assert_contains(err, path);
		assert_contains(err, cases[i].node);
		assert_contains(err, cases[i].text);
		assert_core_empty(core);
		ims_core_destroy(core);
	}
}

/* A failure half-way leaves a core that already held things as it was. */
static void test_rollback_keeps_existing(void **state)
{
	static const char dts[] = DTS_HEAD
		"\tiommu@3000 { compatible = \"iommusim,mock\"; reg = <0 0x3000 0 0x100>; "
		"#iommu-cells = <1>; };\n"
		"\tdev@2000 { reg = <0 0x2000 0 0x100>; iommus = <&smmu 1>; };\n"
		"\tdev@4000 { reg = <0 0x4000 0 0x100>; iommus = <&smmu 2>; };\n};\n";
	struct ims_core *core = new_core(IMS_PROFILE_SEED);
	struct ims_device_desc desc = { .name = "4000.dev" };
	struct ims_iommu *mine;
	char err[512];

	(void)state;
	assert_int_equal(ims_mock_register(core, "mine", NULL, &mine), 0);
	desc.iommu = mine;
	assert_false(IS_ERR(ims_device_add(core, &desc)));
	assert_int_equal(ims_core_probe_finish(core), 0);
	/* 2000.dev is added, then 4000.dev clashes with the existing device. */
	assert_int_equal(try_platform(dts, core, err, sizeof(err), NULL, 0), -EEXIST);
	assert_contains(err, "/dev@4000: cannot add device 4000.dev: EEXIST");
	assert_int_equal(ims_list_count(&core->iommus), 1);
	assert_int_equal(core->nr_iommus, 1);
	assert_int_equal(ims_list_count(&core->devices), 1);
	assert_int_equal(core->groups.count, 1);
	assert_int_equal(core->domains.count, 1);
	assert_true(core->booted);
	assert_null(ims_device_find(core, "2000.dev"));
	ims_core_destroy(core);
}

/* A driver the chosen kernel lacks (tegra-gart left in v6.7). */
static bool legacy_only(const struct ims_profile_facts *facts)
{
	return facts->profile == IMS_PROFILE_LEGACY;
}

/* Compile @dts with dtc here, for ims_topo_load_blob(). */
static void *compile(const char *dts, size_t *size)
{
	struct tfile src;
	char cmd[256], out[80];
	void *blob;
	FILE *f;
	long len;

	tfile_write(&src, ".dts", dts, strlen(dts));
	snprintf(out, sizeof(out), "%s.dtb", src.path);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", out, src.path);
	assert_int_equal(system(cmd), 0);
	f = fopen(out, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	blob = malloc((size_t)len);
	assert_int_equal(fread(blob, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	unlink(out);
	unlink(src.path);
	*size = (size_t)len;
	return blob;
}

static void test_model_absent_in_profile(void **state)
{
	static const char *const compatibles[] = { "acme,gart", NULL };
	extern const struct ims_driver_model ims_mock_model;
	static const char dts[] = "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
		"\tg: iommu@1000 { compatible = \"acme,gart\"; reg = <0x1000 0x100>; "
		"#iommu-cells = <1>; };\n"
		"\tgpu@2000 { reg = <0x2000 0x100>; iommus = <&g 1>; };\n};\n";
	struct ims_driver_model gart = ims_mock_model;
	const struct ims_driver_model *models[] = { &gart, NULL };
	struct ims_platform *p;
	struct ims_topo *topo = NULL;
	struct ims_core *core;
	size_t size;
	void *blob = compile(dts, &size);
	char err[512];

	(void)state;
	gart.name = "gart";
	gart.compatibles = compatibles;
	gart.present = legacy_only;
	assert_int_equal(ims_topo_load_blob(blob, size, "gart", "gart.dts", NULL, &p, err,
					    sizeof(err)), -EINVAL);
	assert_contains(err, "gart.dts: /iommu@1000: property 'compatible': no driver model");
	assert_int_equal(ims_topo_load_blob(blob, size, "gart", "gart.dts", models, &p, err,
					    sizeof(err)), 0);
	core = new_core(IMS_PROFILE_UPSTREAM);
	assert_int_equal(ims_topo_instantiate(p, core, &topo, err, sizeof(err)), -EINVAL);
	assert_contains(err, "gart.dts: /iommu@1000: property 'compatible': the gart driver "
			"does not exist in the upstream profile");
	assert_core_empty(core);
	ims_core_destroy(core);
	core = new_core(IMS_PROFILE_LEGACY);
	assert_int_equal(ims_topo_instantiate(p, core, &topo, err, sizeof(err)), 0);
	assert_non_null(ims_device_find(core, "2000.gpu")->group);
	ims_topo_remove(topo);
	assert_core_empty(core);
	ims_core_destroy(core);
	ims_platform_free(p);
	free(blob);
}

static void test_dtc_error(void **state)
{
	struct ims_platform *p;
	char err[512], path[64];

	(void)state;
	assert_int_equal(load_dts("/dts-v1/;\n/ { oops\n", &p, err, sizeof(err), path,
				  sizeof(path)), -EINVAL);
	assert_contains(err, path);
	assert_contains(err, "dtc failed");
}

static void test_missing_file_and_builtin(void **state)
{
	struct ims_platform *p;
	char err[512];

	(void)state;
	assert_int_equal(ims_platform_load("/nonexistent/board.dts", &p, err, sizeof(err)),
			 -ENOENT);
	assert_contains(err, "/nonexistent/board.dts: No such file or directory");
	assert_int_equal(ims_platform_load("arm128-server", &p, err, sizeof(err)), -ENOENT);
	assert_contains(err, "arm128-server: no such built-in platform (built-in: mock");
	assert_int_equal(ims_platform_load("", &p, err, sizeof(err)), -EINVAL);
}

static void test_not_a_blob(void **state)
{
	static const char junk[] = "\xd0\x0d\xfe\xed garbage that is not a tree";
	struct ims_platform *p;
	struct tfile f;
	char err[512];

	(void)state;
	tfile_write(&f, ".dtb", junk, sizeof(junk));
	assert_int_equal(ims_platform_load(f.path, &p, err, sizeof(err)), -EINVAL);
	unlink(f.path);
	assert_contains(err, "not a valid device-tree blob");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_rollback_keeps_existing),
		cmocka_unit_test(test_model_absent_in_profile),
		cmocka_unit_test(test_dtc_error),
		cmocka_unit_test(test_missing_file_and_builtin),
		cmocka_unit_test(test_not_a_blob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
