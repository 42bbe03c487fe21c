// SPDX-License-Identifier: MIT
/*
 * The arm-smmu model (MMU-500 and SMMUv2) on arm64-server and small
 * platforms of its own: the foreign-driver and foreign-instance rules in
 * every profile (the seed's instance answer is the unconverted EINVAL),
 * finalisation at the first attach in every era, context banks and their
 * exhaustion, stream-match grouping, SMR conflicts and exhaustion, stream
 * IDs out of range, the page-table configuration from the ID registers,
 * mapping, capabilities and reserved regions, and fresh domains.
 */
#include "arm_fixture.h"

#include "drivers/arm-smmu/arm_smmu.h"
#include "iommusim/pt.h"

#define SRV "arm64-server"

static void test_foreign_instance(void **state)
{
	/* v1 of the series did not convert it, and the reviewer did not list it */
	const struct fx_expect want = { { [UP] = -EINVAL, [SEED] = -EINVAL, [LEGACY] = -EINVAL } };

	fx_check_case(SRV, "2e200000.sata", true, "2d000000.gpu", &want);
}

/* The reviewer's item: the fwspec-ops check (ENXIO), which the core took over. */
static void test_foreign_driver(void **state)
{
	const struct fx_expect want = { { [UP] = -EINVAL, [SEED] = -EMEDIUMTYPE, [LEGACY] = -ENXIO } };

	fx_check_case(SRV, "2e200000.sata", true, "0000:04:00.0", &want);
}

static void test_same_instance_fits(void **state)
{
	const struct fx_expect want = { { 0 } };

	fx_check_case(SRV, "2e200000.sata", true, "2e000000.ethernet", &want);
}

/* The SMMUv2's two context banks are held by its devices' default domains. */
static void test_context_banks_exhausted(void **state)
{
	const struct fx_expect want = { { [UP] = -ENOSPC, [SEED] = -ENOSPC, [LEGACY] = -ENOSPC } };

	fx_check_case(SRV, "2d100000.display", false, "2d100000.display", &want);
}

/* A paging domain is unbound until its first attach, which takes a context bank. */
static void test_first_attach_binds(void **state)
{
	FX_EACH_PROFILE(p) {
		struct ims_domain *d;
		int cb = -1;
		struct fx f;

		fx_up(&f, SRV, p);
		d = fx_domain(&f, "2e200000.sata", 0);
		assert_null(ims_arm_smmu_domain_instance(d, NULL));
		assert_null(ims_arm_smmu_domain_pt(d));
		assert_int_equal(ims_iommu_map(d, 0, 0x40000000, 4096, RW), -ENODEV);
		assert_int_equal(fx_attach(&f, d, "2e200000.sata"), 0);
		assert_ptr_equal(ims_arm_smmu_domain_instance(d, &cb), fx_dev(&f, "2e200000.sata")->iommu);
		assert_true(cb >= 0 && cb < 16);
		fx_detach(&f, d, "2e200000.sata");
		ims_domain_free(d);
		fx_down(&f);
	}
}

/* Stage 1 on AArch64 tables: IAS from UBS, OAS from the IPA size, 4K granule. */
static void test_table_configuration(void **state)
{
	const struct ims_pt_cfg *c;
	struct ims_domain *d;
	struct fx f;

	fx_up(&f, SRV, UP);
	d = fx_domain(&f, "2e200000.sata", 0);
	assert_int_equal(fx_attach(&f, d, "2e200000.sata"), 0);
	c = ims_pt_config(ims_arm_smmu_domain_pt(d));
	assert_int_equal(c->format, IMS_PT_ARM_LPAE_S1);
	assert_int_equal(c->ias, 48);
	assert_int_equal(c->oas, 48);
	assert_int_equal(d->pgsize_bitmap, (1ull << 12) | (1ull << 21) | (1ull << 30));
	assert_int_equal(d->geometry.aperture_end, (1ull << 48) - 1);
	assert_int_equal(ims_iommu_map(d, 1ull << 30, 0x80000000, 1ull << 30, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(d, (1ull << 30) + 77), 0x80000000 + 77);
	assert_int_equal(ims_iommu_unmap(d, (1ull << 30) + (2ull << 20), 2ull << 20), 2ull << 20);
	assert_int_equal(ims_iommu_iova_to_phys(d, (1ull << 30) + (2ull << 20)), 0);
	assert_int_equal(ims_iommu_iova_to_phys(d, (1ull << 30) + (4ull << 20)),
			 0x80000000 + (4ull << 20));
	fx_detach(&f, d, "2e200000.sata");
	ims_domain_free(d);
	fx_down(&f);
}

static void test_flags_refused(void **state)
{
	struct ims_domain *d;
	struct fx f;

	fx_up(&f, SRV, UP);
	d = ims_paging_domain_alloc(fx_dev(&f, "2e200000.sata"), IMS_ALLOC_DIRTY_TRACKING);
	assert_true(IS_ERR(d));
	assert_int_equal(PTR_ERR(d), -EOPNOTSUPP);
	fx_down(&f);
}

/* Streams that share an SMR share a group: ethernet 0x400/3 covers ptp's 0x401. */
static void test_stream_match_grouping(void **state)
{
	struct fx f;

	fx_up(&f, SRV, UP);
	assert_ptr_equal(fx_dev(&f, "2e000000.ethernet")->group, fx_dev(&f, "2e100000.ptp")->group);
	assert_ptr_not_equal(fx_dev(&f, "2e000000.ethernet")->group,
			     fx_dev(&f, "2e200000.sata")->group);
	assert_ptr_not_equal(fx_dev(&f, "2d000000.gpu")->group, fx_dev(&f, "2d100000.display")->group);
	fx_down(&f);
}

static void test_capabilities_and_regions(void **state)
{
	uint64_t start = 0, length = 0;
	struct fx f;

	fx_up(&f, SRV, UP);
	assert_true(ims_device_capable(fx_dev(&f, "2e200000.sata"), IMS_CAP_CACHE_COHERENCY));
	assert_true(ims_device_capable(fx_dev(&f, "2e200000.sata"), IMS_CAP_NOEXEC));
	assert_false(ims_device_capable(fx_dev(&f, "2e200000.sata"), IMS_CAP_DIRTY_TRACKING));
	assert_false(ims_device_capable(fx_dev(&f, "2e200000.sata"),
					IMS_CAP_ENFORCE_CACHE_COHERENCY));
	assert_int_equal(fx_resv(&f, "2e200000.sata", IMS_RESV_SW_MSI, &start, &length), 1);
	assert_int_equal(start, ARM_SMMU_SW_MSI_BASE);
	assert_int_equal(length, ARM_SMMU_SW_MSI_LENGTH);
	fx_down(&f);
}

#define V2_HEAD(cells, id0, id1)                                                              \
	"/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;\n"                           \
	"smmu: iommu@1000 { compatible = \"arm,mmu-500\"; reg = <0 0x1000 0 0x1000>;\n"       \
	"#iommu-cells = <" cells ">; iommusim,idr0 = <" id0 ">; iommusim,idr1 = <" id1 ">; };\n"
#define V2_DEV(addr, spec) "d@" addr " { reg = <0 0x" addr " 0 0x100>; iommus = <&smmu " spec ">; };\n"
/* S1TS | SMS | 4-bit stream IDs | 2 SMRs; 4 context banks */
#define V2_SMALL V2_HEAD("2", "0x48000802", "0x4")

static void test_smr_conflicts_and_exhaustion(void **state)
{
	struct fx f;

	/* 0x4/mask 1 and 0x5/mask 2 overlap in part (0x5): the kernel refuses the second */
	assert_int_equal(fx_up_dts(&f, V2_SMALL V2_DEV("2000", "0x4 0x1") V2_DEV("3000", "0x5 0x2")
				   "};", UP), -EINVAL);
	assert_non_null(strstr(f.err, "3000.d"));
	fx_down(&f);
	/* two SMRs: the third distinct stream finds none free */
	assert_int_equal(fx_up_dts(&f, V2_SMALL V2_DEV("2000", "0x1 0x0") V2_DEV("3000", "0x2 0x0")
				   V2_DEV("4000", "0x3 0x0") "};", UP), -ENOSPC);
	fx_down(&f);
	/* a stream ID beyond ID0.NUMSIDB (4 bits) */
	assert_int_equal(fx_up_dts(&f, V2_SMALL V2_DEV("2000", "0x10 0x0") "};", UP), -EINVAL);
	fx_down(&f);
	/* one-cell specifiers take the node's stream-match-mask */
	assert_int_equal(fx_up_dts(&f, V2_HEAD("1", "0x48000802", "0x4")
				   V2_DEV("2000", "0x4") V2_DEV("3000", "0x5") "};", UP), 0);
	assert_ptr_not_equal(fx_dev(&f, "2000.d")->group, fx_dev(&f, "3000.d")->group);
	fx_down(&f);
	assert_int_equal(fx_up_dts(&f, "/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;\n"
				   "smmu: iommu@1000 { compatible = \"arm,mmu-500\"; "
				   "reg = <0 0x1000 0 0x1000>; #iommu-cells = <1>; "
				   "stream-match-mask = <0x1>; iommusim,idr0 = <0x48000802>; };\n"
				   V2_DEV("2000", "0x4") V2_DEV("3000", "0x5") "};", UP), 0);
	assert_ptr_equal(fx_dev(&f, "2000.d")->group, fx_dev(&f, "3000.d")->group);
	fx_down(&f);
}

static void test_probe_refusals(void **state)
{
	struct fx f;

	assert_int_equal(fx_up_dts(&f, V2_HEAD("1", "0x08000802", "0x4") "};", UP), -EINVAL);
	assert_non_null(strstr(f.err, "no translation support"));
	fx_down(&f);
	assert_int_equal(fx_up_dts(&f, V2_HEAD("1", "0x48000800", "0x4") "};", UP), -EINVAL);
	assert_non_null(strstr(f.err, "no SMRs present"));
	fx_down(&f);
	assert_int_equal(fx_up_dts(&f, V2_HEAD("1", "0x48000802", "0x00050004") "};", UP), -EINVAL);
	assert_non_null(strstr(f.err, "stage-2 context banks"));
	fx_down(&f);
}

static void test_fresh_domains_fit(void **state)
{
	/* the SMMUv2's devices find no context bank: a hard failure, never the soft one */
	assert_true(fx_fresh_domains_fit(SRV, "arm-smmu", NULL) >= 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_instance),
		cmocka_unit_test(test_foreign_driver),
		cmocka_unit_test(test_same_instance_fits),
		cmocka_unit_test(test_context_banks_exhausted),
		cmocka_unit_test(test_first_attach_binds),
		cmocka_unit_test(test_table_configuration),
		cmocka_unit_test(test_flags_refused),
		cmocka_unit_test(test_stream_match_grouping),
		cmocka_unit_test(test_capabilities_and_regions),
		cmocka_unit_test(test_smr_conflicts_and_exhaustion),
		cmocka_unit_test(test_probe_refusals),
		cmocka_unit_test(test_fresh_domains_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
