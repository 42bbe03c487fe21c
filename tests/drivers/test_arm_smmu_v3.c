// SPDX-License-Identifier: MIT
/*
 * The arm-smmu-v3 model on arm64-server (and small platforms of its own):
 * every attach rule in every profile, binding at allocation or first
 * attach, stages and formats from the ID registers, mapping through the
 * LPAE table (with a split), HTTU dirty tracking, CANWBS coherency,
 * capabilities, reserved regions, grouping, ASID exhaustion, probe
 * refusals, and that a fresh domain never answers the incompatible errno.
 */
#include "arm_fixture.h"

#include "drivers/arm-smmu-v3/smmu_v3.h"
#include "iommusim/pt.h"

#define SRV "arm64-server"

static void test_foreign_instance(void **state)
{
	const struct fx_expect want = { { [UP] = -EINVAL, [SEED] = -EMEDIUMTYPE, [LEGACY] = -ENXIO } };

	fx_check_case(SRV, "0000:01:00.0", true, "0000:80:00.0", &want);
}

static void test_foreign_driver(void **state)
{
	const struct fx_expect want = { { [UP] = -EINVAL, [SEED] = -EMEDIUMTYPE, [LEGACY] = -ENXIO } };

	fx_check_case(SRV, "0000:01:00.0", true, "2e200000.sata", &want);
}

/* The 2022 S1 checks: gone since 2023, soft in the seed, EINVAL before it. */
static void test_ssid_bits_and_stall(void **state)
{
	const struct fx_expect want = { { [UP] = 0, [SEED] = -EMEDIUMTYPE, [LEGACY] = -EINVAL } };

	fx_check_case(SRV, "0000:04:00.0", true, "2c100000.accel", &want);
	fx_check_case(SRV, "0000:04:00.0", true, "2c200000.crypto", &want);
}

static void test_same_instance_fits(void **state)
{
	const struct fx_expect want = { { 0 } };

	fx_check_case(SRV, "0000:01:00.0", true, "0000:04:00.0", &want);
	fx_check_case(SRV, "0000:80:00.0", true, "0000:81:00.0", &want);
}

/* v6.13+: a domain enforces coherency when its masters are CANWBS, and refuses others. */
static void test_snoop_control(void **state)
{
	FX_EACH_PROFILE(p) {
		bool era = p == UP;
		struct ims_domain *d, *other;
		struct fx f;

		fx_up(&f, SRV, p);
		assert_int_equal(ims_device_capable(fx_dev(&f, "0000:04:00.0"),
						    IMS_CAP_ENFORCE_CACHE_COHERENCY), era);
		assert_false(ims_device_capable(fx_dev(&f, "2c000000.dma"),
						IMS_CAP_ENFORCE_CACHE_COHERENCY));
		d = fx_domain(&f, "0000:04:00.0", 0);
		assert_int_equal(fx_attach(&f, d, "0000:04:00.0"), 0);
		assert_int_equal(ims_domain_enforce_cache_coherency(d), era);
		assert_int_equal(fx_attach(&f, d, "2c000000.dma"), era ? -EINVAL : 0);
		if (!era)
			fx_detach(&f, d, "2c000000.dma");
		/* a domain a non-CANWBS master uses cannot enforce */
		other = fx_domain(&f, "2c000000.dma", 0);
		assert_int_equal(fx_attach(&f, other, "2c000000.dma"), 0);
		assert_false(ims_domain_enforce_cache_coherency(other));
		fx_detach(&f, other, "2c000000.dma");
		fx_detach(&f, d, "0000:04:00.0");
		ims_domain_free(other);
		ims_domain_free(d);
		fx_down(&f);
	}
}

/* Bound at allocation where the era allocates for a device, at first attach otherwise. */
static void test_binding(void **state)
{
	FX_EACH_PROFILE(p) {
		struct ims_iommu *smmu0;
		struct ims_domain *d;
		struct fx f;

		fx_up(&f, SRV, p);
		smmu0 = fx_dev(&f, "0000:01:00.0")->iommu;
		d = fx_domain(&f, "0000:01:00.0", 0);
		assert_ptr_equal(ims_smmu_v3_domain_instance(d), p == UP ? smmu0 : NULL);
		assert_int_equal(ims_smmu_v3_domain_pt(d) != NULL, p == UP);
		assert_int_equal(fx_attach(&f, d, "0000:01:00.0"), 0);
		assert_ptr_equal(ims_smmu_v3_domain_instance(d), smmu0);
		assert_ptr_equal(d->iommu, smmu0);
		fx_detach(&f, d, "0000:01:00.0");
		ims_domain_free(d);
		fx_down(&f);
	}
}

static void expect_alloc_error(struct fx *f, const char *dev, uint32_t flags, int err)
{
	struct ims_domain *d = ims_paging_domain_alloc(fx_dev(f, dev), flags);

	assert_true(IS_ERR(d));
	assert_int_equal(PTR_ERR(d), err);
}

/* Stage 1 by default, stage 2 for a nesting parent, dirty tracking where HTTU has it. */
static void test_stages_and_flags(void **state)
{
	const struct ims_pt_cfg *c;
	struct ims_domain *d;
	struct fx f;

	fx_up(&f, SRV, UP);
	d = fx_domain(&f, "0000:01:00.0", 0);
	c = ims_pt_config(ims_smmu_v3_domain_pt(d));
	assert_int_equal(c->format, IMS_PT_ARM_LPAE_S1);
	assert_int_equal(c->ias, 48);
	assert_int_equal(c->oas, 48); /* smmu0's OAS 52 needs the 64K granule */
	assert_int_equal(d->pgsize_bitmap, (1ull << 12) | (1ull << 21) | (1ull << 30));
	assert_int_equal(d->geometry.aperture_end, (1ull << 48) - 1);
	assert_true(d->geometry.force_aperture);
	ims_domain_free(d);
	d = fx_domain(&f, "0000:01:00.0", IMS_ALLOC_NEST_PARENT);
	assert_int_equal(ims_pt_config(ims_smmu_v3_domain_pt(d))->format, IMS_PT_ARM_LPAE_S2);
	ims_domain_free(d);
	d = fx_domain(&f, "0000:01:00.0", IMS_ALLOC_DIRTY_TRACKING);
	assert_true(ims_pt_config(ims_smmu_v3_domain_pt(d))->features & IMS_PT_FEAT_DIRTY);
	ims_domain_free(d);
	expect_alloc_error(&f, "0000:80:00.0", IMS_ALLOC_NEST_PARENT, -EOPNOTSUPP); /* S1 only */
	expect_alloc_error(&f, "0000:80:00.0", IMS_ALLOC_DIRTY_TRACKING, -EOPNOTSUPP); /* no HTTU */
	expect_alloc_error(&f, "0000:01:00.0", IMS_ALLOC_NEST_PARENT | IMS_ALLOC_DIRTY_TRACKING,
			   -EOPNOTSUPP);
	expect_alloc_error(&f, "0000:01:00.0", 1u << 7, -EOPNOTSUPP);
	fx_down(&f);
}

/* Through the core into the LPAE table: map, translate, and an unmap that splits a block. */
static void test_map_unmap(void **state)
{
	const uint64_t iova = 2ull << 20, pa = 0x40000000;
	struct ims_domain *d;
	struct fx f;

	fx_up(&f, SRV, UP);
	d = fx_domain(&f, "0000:04:00.0", 0);
	assert_int_equal(fx_attach(&f, d, "0000:04:00.0"), 0);
	assert_int_equal(ims_iommu_map(d, iova, pa, 2ull << 20, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(d, iova + 5), pa + 5);
	assert_int_equal(ims_iommu_map(d, iova, pa, 1ull << 12, RW), -EEXIST);
	assert_int_equal(ims_iommu_unmap(d, iova + 4096, 4096), 4096);
	assert_int_equal(ims_iommu_iova_to_phys(d, iova + 4096), 0);
	assert_int_equal(ims_iommu_iova_to_phys(d, iova + 8192 + 7), pa + 8192 + 7);
	assert_int_equal(ims_iommu_map(d, 1ull << 48, pa, 4096, RW), -ERANGE);
	assert_int_equal(ims_iommu_unmap(d, iova, 4096), 4096);
	assert_int_equal(ims_iommu_unmap(d, iova + 8192, (2ull << 20) - 8192), (2ull << 20) - 8192);
	fx_detach(&f, d, "0000:04:00.0");
	ims_domain_free(d);
	fx_down(&f);
}

static void count_dirty(void *arg, uint64_t iova, uint64_t size)
{
	*(unsigned int *)arg += (unsigned int)(size >> 12);
}

/* HTTU: DBM leaves start writable-dirty, as the kernel maps them; a device write dirties again. */
static void test_dirty_tracking(void **state)
{
	struct ims_pt_xlate x;
	unsigned int n = 0;
	struct ims_domain *d, *plain;
	struct fx f;

	fx_up(&f, SRV, UP);
	assert_true(ims_device_capable(fx_dev(&f, "0000:04:00.0"), IMS_CAP_DIRTY_TRACKING));
	assert_false(ims_device_capable(fx_dev(&f, "0000:80:00.0"), IMS_CAP_DIRTY_TRACKING));
	d = fx_domain(&f, "0000:04:00.0", IMS_ALLOC_DIRTY_TRACKING);
	assert_int_equal(fx_attach(&f, d, "0000:04:00.0"), 0);
	assert_int_equal(ims_domain_set_dirty_tracking(d, true), 0);
	assert_int_equal(ims_iommu_map(d, 0x100000, 0x40000000, 4 * 4096, RW), 0);
	assert_int_equal(ims_domain_read_and_clear_dirty(d, 0x100000, 1 << 20, 0, count_dirty, &n), 0);
	assert_int_equal(n, 4);
	n = 0;
	assert_int_equal(ims_domain_read_and_clear_dirty(d, 0x100000, 1 << 20, 0, count_dirty, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ims_pt_translate(ims_smmu_v3_domain_pt(d), 0x102008, IMS_PROT_WRITE, &x), 0);
	assert_int_equal(ims_domain_read_and_clear_dirty(d, 0x100000, 1 << 20, 0, count_dirty, &n), 0);
	assert_int_equal(n, 1);
	fx_detach(&f, d, "0000:04:00.0");
	plain = fx_domain(&f, "0000:04:00.0", 0);
	assert_int_equal(ims_domain_set_dirty_tracking(plain, true), -EOPNOTSUPP);
	ims_domain_free(plain);
	ims_domain_free(d);
	fx_down(&f);
}

static void test_capabilities_and_regions(void **state)
{
	uint64_t start = 0, length = 0;
	struct fx f;

	fx_up(&f, SRV, UP);
	assert_true(ims_device_capable(fx_dev(&f, "0000:01:00.0"), IMS_CAP_CACHE_COHERENCY));
	assert_true(ims_device_capable(fx_dev(&f, "0000:80:00.0"), IMS_CAP_CACHE_COHERENCY));
	assert_true(ims_device_capable(fx_dev(&f, "2c000000.dma"), IMS_CAP_NOEXEC));
	assert_true(ims_device_capable(fx_dev(&f, "2c000000.dma"), IMS_CAP_DEFERRED_FLUSH));
	assert_int_equal(fx_resv(&f, "0000:04:00.0", IMS_RESV_SW_MSI, &start, &length), 1);
	assert_int_equal(start, SMMU_V3_SW_MSI_BASE);
	assert_int_equal(length, SMMU_V3_SW_MSI_LENGTH);
	assert_int_equal(fx_resv(&f, "0000:03:00.0", IMS_RESV_DIRECT, &start, &length), 1);
	assert_int_equal(start, 0xf8000000);
	assert_true(fx_dev(&f, "0000:03:00.0")->require_direct);
	assert_true(fx_dev(&f, "0000:04:00.0")->msi_isolated);  /* the ITS */
	assert_true(fx_dev(&f, "2c000000.dma")->msi_isolated);
	fx_down(&f);
}

static void test_grouping(void **state)
{
	struct fx f;

	fx_up(&f, SRV, UP);
	/* a multi-function device without ACS is one group */
	assert_ptr_equal(fx_dev(&f, "0000:01:00.0")->group, fx_dev(&f, "0000:01:00.1")->group);
	assert_ptr_not_equal(fx_dev(&f, "0000:01:00.0")->group, fx_dev(&f, "0000:04:00.0")->group);
	assert_ptr_not_equal(fx_dev(&f, "0000:80:00.0")->group, fx_dev(&f, "0000:81:00.0")->group);
	assert_ptr_not_equal(fx_dev(&f, "2c000000.dma")->group, fx_dev(&f, "2c100000.accel")->group);
	fx_down(&f);
}

/* smmu1 has 8-bit ASIDs: 255 stage-1 domains at most (the kernel's xarray: -EBUSY). */
static void test_asid_exhaustion(void **state)
{
	struct ims_domain *held[256];
	int n = 0, err = 0;
	struct fx f;

	fx_up(&f, SRV, UP);
	while (n < 256) {
		struct ims_domain *d = ims_paging_domain_alloc(fx_dev(&f, "0000:80:00.0"), 0);

		if (IS_ERR(d)) {
			err = (int)PTR_ERR(d);
			break;
		}
		held[n++] = d;
	}
	assert_int_equal(err, -EBUSY);
	assert_true(n > 240 && n < 255); /* the default domains hold a few */
	ims_domain_free(held[--n]);
	held[n] = fx_domain(&f, "0000:80:00.0", 0);
	n++;
	while (n-- > 0)
		ims_domain_free(held[n]);
	fx_down(&f);
}

#define V3_NODE(idr0, idr1)                                                                  \
	"/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;\n"                          \
	"smmu: iommu@1000 { compatible = \"arm,smmu-v3\"; reg = <0 0x1000 0 0x1000>;\n"      \
	"#iommu-cells = <1>; iommusim,idr0 = <" idr0 ">; iommusim,idr1 = <" idr1 ">; };\n"

static void test_probe_refusals(void **state)
{
	struct fx f;

	assert_int_equal(fx_up_dts(&f, V3_NODE("0x8", "0x10") "};", UP), -EINVAL);
	assert_non_null(strstr(f.err, "neither stage 1 nor stage 2"));
	fx_down(&f);
	assert_int_equal(fx_up_dts(&f, V3_NODE("0x6", "0x10") "};", UP), -EINVAL);
	assert_non_null(strstr(f.err, "AArch64 table format"));
	fx_down(&f);
	/* a StreamID beyond IDR1.SIDSIZE (4 bits) cannot be probed */
	assert_int_equal(fx_up_dts(&f, V3_NODE("0xa", "0x4")
				   "dev@2000 { reg = <0 0x2000 0 0x100>; iommus = <&smmu 0x20>; };};", UP),
			 -ERANGE);
	assert_non_null(strstr(f.err, "2000.dev"));
	fx_down(&f);
	assert_int_equal(fx_up_dts(&f, V3_NODE("0xa", "0x4")
				   "dev@2000 { reg = <0 0x2000 0 0x100>; iommus = <&smmu 0xf>; };};", UP), 0);
	fx_down(&f);
}

static void test_fresh_domains_fit(void **state)
{
	assert_true(fx_fresh_domains_fit(SRV, "arm-smmu-v3", NULL) > 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_instance),
		cmocka_unit_test(test_foreign_driver),
		cmocka_unit_test(test_ssid_bits_and_stall),
		cmocka_unit_test(test_same_instance_fits),
		cmocka_unit_test(test_snoop_control),
		cmocka_unit_test(test_binding),
		cmocka_unit_test(test_stages_and_flags),
		cmocka_unit_test(test_map_unmap),
		cmocka_unit_test(test_dirty_tracking),
		cmocka_unit_test(test_capabilities_and_regions),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_asid_exhaustion),
		cmocka_unit_test(test_probe_refusals),
		cmocka_unit_test(test_fresh_domains_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
