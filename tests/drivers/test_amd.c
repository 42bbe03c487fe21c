// SPDX-License-Identifier: MIT
/*
 * The AMD-Vi model: EFR decoding, groups, reserved regions, v1 and v2
 * domains and their page sizes and apertures, mapping through the real
 * tables, coherency, dirty tracking, and every attach condition with its
 * errno in each profile (kernel-semantics 1.1, 3.1, 3.2).
 *
 * x86-amd (src/topo/platforms/x86-amd.dts): 0000:01:00.0 and the
 * PASID-capable 0000:02:00.0 behind fd200000.iommu (host dirty bit),
 * 0000:03:00.0 behind fd300000.iommu (none).
 */
#include "x86_fixture.h"

#include "drivers/amd/amd.h"
#include "drivers/registry.h"

#define NIC0 "0000:01:00.0"
#define GPU  "0000:02:00.0"
#define NIC1 "0000:03:00.0"
#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)
#define EFR_BASE (IMS_AMD_EFR_PPR | IMS_AMD_EFR_GT | IMS_AMD_EFR_GIOSUP)

/* Two instances from EFR values; 00:01.0 behind the first, 00:02.0 the second. */
static const char *two_instances(uint64_t efr0, uint64_t efr1, const char *flags1)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
		 "\ta0: iommu@1000 { compatible = \"iommusim,amd-vi\"; reg = <0 0x1000 0 0x1000>;"
		 " #iommu-cells = <1>; iommusim,efr = <0x%llx 0x%llx>; };\n"
		 "\ta1: iommu@2000 { compatible = \"iommusim,amd-vi\"; reg = <0 0x2000 0 0x1000>;"
		 " #iommu-cells = <1>; iommusim,efr = <0x%llx 0x%llx>; %s };\n"
		 DTS_PCIE_OPEN
		 "\t\tiommu-map = <0x0 &a0 0x0 0x10>, <0x10 &a1 0x10 0xfff0>;\n"
		 "\t\ta@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS " };\n"
		 "\t\tb@2 { reg = <0x1000 0 0 0 0>; " DTS_IDS " };\n\t};\n};\n",
		 (unsigned long long)(efr0 >> 32), (unsigned long long)(efr0 & 0xffffffff),
		 (unsigned long long)(efr1 >> 32), (unsigned long long)(efr1 & 0xffffffff),
		 flags1 ? flags1 : "");
	return buf;
}

static struct ims_amd_domain_info info_of(struct ims_domain *domain)
{
	struct ims_amd_domain_info info;

	assert_int_equal(ims_amd_domain_info(domain, &info), 0);
	return info;
}

static void registers_and_sysfs(void **state)
{
	struct drv *d = drv_up("x86-amd", NULL, IMS_PROFILE_UPSTREAM);
	const struct ims_driver_model *model = ims_driver_model_find("amd");
	char value[64];
	const char *path;

	assert_int_equal(ims_amd_efr(drv_dev(d, NIC1)->iommu), 0x5000f000003d2ull);
	/* The features file shows the global (first instance's) EFR. */
	assert_true(model->sysfs_attr(drv_dev(d, NIC1)->iommu, 0, &path, value, sizeof(value)));
	assert_string_equal(path, "amd-iommu/features");
	assert_string_equal(value, "17000f000003d2:0\n");
	assert_false(model->sysfs_attr(drv_dev(d, NIC1)->iommu, 1, &path, value, sizeof(value)));
	assert_true(drv_dev(d, NIC0)->msi_isolated);
	assert_true(ims_device_capable(drv_dev(d, NIC0), IMS_CAP_DIRTY_TRACKING));
	assert_false(ims_device_capable(drv_dev(d, NIC1), IMS_CAP_DIRTY_TRACKING));
	assert_true(ims_device_capable(drv_dev(d, NIC1), IMS_CAP_ENFORCE_CACHE_COHERENCY));
	drv_down(d);
	d = drv_up(NULL, two_instances(EFR_BASE, EFR_BASE, "iommusim,no-intremap;"),
		   IMS_PROFILE_UPSTREAM);
	assert_false(drv_dev(d, "0000:00:01.0")->msi_isolated);
	drv_down(d);
}

static void refused_platforms(void **state)
{
	drv_refused("/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
		    "iommu@1 { compatible = \"iommusim,amd-vi\"; reg = <1 1>; #iommu-cells = <1>; };\n};\n",
		    "property 'iommusim,efr': missing");
	drv_refused(two_instances(EFR_BASE | (3ull << 10), EFR_BASE, NULL), "HATS = 3 is reserved");
}

static void groups_and_regions(void **state)
{
	struct drv *d = drv_up("x86-amd", NULL, IMS_PROFILE_UPSTREAM);

	assert_ptr_not_equal(drv_dev(d, NIC0)->group, drv_dev(d, "0000:00:01.1")->group);
	/* A PASID-capable device starts on the identity domain. */
	assert_int_equal(drv_dev(d, GPU)->group->default_domain->type, IMS_DOMAIN_IDENTITY);
	assert_int_equal(drv_dev(d, NIC0)->group->default_domain->type, IMS_DOMAIN_DMA);
	assert_true(drv_has_resv(d, NIC1, IMS_AMD_MSI_START, 0x100000, IMS_RESV_MSI));
	assert_true(drv_has_resv(d, NIC1, IMS_AMD_HT_START, IMS_AMD_HT_END - IMS_AMD_HT_START + 1,
				 IMS_RESV_RESERVED));
	drv_down(d);
}

static void domains(void **state)
{
	struct drv *d = drv_up("x86-amd", NULL, IMS_PROFILE_UPSTREAM);
	struct ims_domain *v1 = drv_domain_for(d, NIC1, 0), *v2 = drv_domain_for(d, NIC0, IMS_ALLOC_PASID);

	/* v1, 4 levels (HATS 0): every power of two up to 2^47 but 512 GiB. */
	assert_false(info_of(v1).v2);
	assert_int_equal(info_of(v1).levels, 4);
	assert_int_equal(v1->geometry.aperture_end, (1ull << 48) - 1);
	assert_int_equal(v1->pgsize_bitmap, ((1ull << 48) - 1) & ~0xfffull & ~(1ull << 39));
	assert_true(info_of(v2).v2);
	assert_int_equal(v2->pgsize_bitmap, SZ_4K | SZ_2M | SZ_1G);
	assert_int_equal(v2->geometry.aperture_end, (1ull << 48) - 1);
	assert_ptr_equal(ims_paging_domain_alloc(drv_dev(d, NIC1), IMS_ALLOC_DIRTY_TRACKING),
			 ERR_PTR(-EOPNOTSUPP));
	assert_ptr_equal(ims_paging_domain_alloc(drv_dev(d, NIC0), IMS_ALLOC_DIRTY_TRACKING |
						 IMS_ALLOC_PASID), ERR_PTR(-EOPNOTSUPP));
	ims_domain_free(v1);
	ims_domain_free(v2);
	drv_down(d);
	/* 2022, per bus: a 6-level table, the whole 64-bit space. */
	d = drv_up("x86-amd", NULL, IMS_PROFILE_LEGACY);
	v1 = drv_domain_for(d, NIC0, 0);
	assert_int_equal(info_of(v1).levels, 6);
	assert_int_equal(v1->geometry.aperture_end, UINT64_MAX);
	ims_domain_free(v1);
	drv_down(d);
	/* HATS 2: 6 levels; no GT: no v2 tables, and no identity defaults. */
	d = drv_up(NULL, two_instances(IMS_AMD_EFR_PPR | (2ull << 10), EFR_BASE, NULL),
		   IMS_PROFILE_UPSTREAM);
	v1 = drv_domain_for(d, "0000:00:02.0", 0);
	assert_int_equal(info_of(v1).levels, 6);
	assert_ptr_equal(ims_paging_domain_alloc(drv_dev(d, "0000:00:01.0"), IMS_ALLOC_PASID),
			 ERR_PTR(-EOPNOTSUPP));
	ims_domain_free(v1);
	drv_down(d);
}

static int leaf_prot(void *arg, uint64_t iova, uint64_t pa, uint64_t size, int prot,
		     unsigned int level)
{
	*(int *)arg = prot;
	return 1;
}

static void map_unmap(enum ims_profile p, uint32_t flags)
{
	struct drv *d = drv_up("x86-amd", NULL, p);
	struct ims_domain *domain = drv_domain_for(d, GPU, flags);
	int prot = 0;

	assert_int_equal(drv_attach(d, domain, GPU), 0);
	assert_int_equal(ims_iommu_map(domain, SZ_1G, 0x80000000, SZ_1G + 2 * SZ_2M, RW), 0);
	assert_int_equal(ims_iommu_iova_to_phys(domain, SZ_1G + SZ_2M + 0x10), 0x80200010);
	assert_int_equal(ims_iommu_iova_to_phys(domain, 2 * SZ_1G + SZ_2M), 0x80000000 + SZ_1G + SZ_2M);
	if (!info_of(domain).v2) {
		/* v1 holds any power of two: a 64 KiB page is one leaf, with FC. */
		assert_int_equal(ims_iommu_map(domain, 0x10000, 0x20000, 0x10000, RW), 0);
		ims_pt_walk(info_of(domain).pt, 0x10000, 0x10000, leaf_prot, &prot);
		assert_true(prot & IMS_PROT_CACHE);
		assert_int_equal(ims_iommu_unmap(domain, 0x10000, 0x1000), 0x10000);
	}
	assert_int_equal(ims_iommu_map(domain, SZ_1G, 0x1000, SZ_4K, RW), -EEXIST);
	assert_int_equal(ims_iommu_unmap(domain, SZ_1G, SZ_1G + 2 * SZ_2M), SZ_1G + 2 * SZ_2M);
	assert_int_equal(ims_iommu_iova_to_phys(domain, SZ_1G), 0);
	assert_true(ims_domain_enforce_cache_coherency(domain));
	drv_detach_free(d, domain, GPU);
	drv_down(d);
}

static void map_unmap_all(void **state)
{
	FOR_EACH_PROFILE(p) {
		map_unmap(p, 0);
		map_unmap(p, IMS_ALLOC_PASID);
	}
}

static void count_dirty(void *arg, uint64_t iova, uint64_t size)
{
	*(uint64_t *)arg += size;
}

static void dirty_tracking(void **state)
{
	struct drv *d = drv_up("x86-amd", NULL, IMS_PROFILE_UPSTREAM);
	struct ims_domain *domain = drv_domain_for(d, NIC0, IMS_ALLOC_DIRTY_TRACKING);
	struct ims_pt_xlate x;
	uint64_t dirty = 0;

	assert_int_equal(ims_iommu_map(domain, 0, 0x200000, SZ_2M, RW), 0);
	assert_int_equal(ims_domain_read_and_clear_dirty(domain, 0, SZ_2M, 0, count_dirty, &dirty),
			 -EINVAL);
	assert_int_equal(ims_domain_set_dirty_tracking(domain, true), 0);
	assert_int_equal(ims_pt_translate(info_of(domain).pt, 0x1000, IMS_PROT_WRITE, &x), 0);
	assert_int_equal(ims_domain_read_and_clear_dirty(domain, 0, SZ_2M, 0, count_dirty, &dirty), 0);
	assert_int_equal(dirty, SZ_2M);
	ims_domain_free(domain);
	domain = drv_domain_for(d, NIC0, 0);
	assert_int_equal(ims_domain_set_dirty_tracking(domain, true), -EOPNOTSUPP);
	ims_domain_free(domain);
	drv_down(d);
}

/* ---- attach conditions, per profile ---- */

static void dirty_rule(enum ims_profile p)
{
	struct drv *d = drv_up("x86-amd", NULL, p);
	struct ims_domain *domain = drv_domain_for(d, NIC0, IMS_ALLOC_DIRTY_TRACKING);
	struct ims_device *nic1 = drv_dev(d, NIC1);
	struct ims_domain *before = nic1->hw_domain;

	assert_int_equal(drv_attach(d, domain, NIC0), 0);
	/* Born in v6.7 with EINVAL; checked before the old domain is left. */
	assert_int_equal(drv_attach(d, domain, NIC1), p == IMS_PROFILE_UPSTREAM ? -EINVAL : 0);
	if (p == IMS_PROFILE_UPSTREAM)
		assert_ptr_equal(nic1->hw_domain, before);
	else
		ims_detach_group(domain, nic1->group);
	drv_detach_free(d, domain, NIC0);
	drv_down(d);
}

static void v2_rule(enum ims_profile p)
{
	struct drv *d = drv_up("x86-amd", NULL, p);
	struct ims_domain *domain = drv_domain_for(d, GPU, IMS_ALLOC_PASID);
	struct ims_device *nic = drv_dev(d, NIC0);
	int ret;

	/* The GPU's default domain is identity: fine in every era. */
	assert_int_equal(drv_attach(d, domain, GPU), 0);
	ret = drv_attach(d, domain, NIC0);
	if (p == IMS_PROFILE_UPSTREAM) {
		assert_int_equal(ret, 0);
		assert_int_equal(info_of(domain).nr_devices, 2);
		ims_detach_group(domain, nic->group);
	} else {
		assert_int_equal(ret, soft_or(p, EINVAL));
		/* The 2022 driver detached first; older cores re-attach the old domain. */
		assert_ptr_equal(nic->hw_domain, nic->group->default_domain);
	}
	drv_detach_free(d, domain, GPU);
	drv_down(d);
}

static void shared_domain(enum ims_profile p)
{
	struct drv *d = drv_up("x86-amd", NULL, p);
	struct ims_domain *domain = drv_domain_for(d, NIC0, 0);

	assert_int_equal(drv_attach(d, domain, NIC0), 0);
	assert_int_equal(drv_attach(d, domain, NIC1), 0);
	assert_int_equal(info_of(domain).nr_devices, 2);
	ims_detach_group(domain, drv_dev(d, NIC1)->group);
	assert_int_equal(info_of(domain).nr_devices, 1);
	drv_detach_free(d, domain, NIC0);
	drv_down(d);
}

static void foreign_driver_rule(enum ims_profile p)
{
	struct drv *d = drv_up(NULL,
		"/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
		"\tsmmu: iommu@1000 { compatible = \"iommusim,mock\"; reg = <0 0x1000 0 0x1000>;"
		" #iommu-cells = <1>; };\n"
		"\ta0: iommu@2000 { compatible = \"iommusim,amd-vi\"; reg = <0 0x2000 0 0x1000>;"
		" #iommu-cells = <1>; iommusim,efr = <0 0x12>; };\n"
		DTS_PCIE_OPEN
		"\t\tiommu-map = <0x0 &a0 0x0 0x10>, <0x10 &smmu 0x10 0xfff0>;\n"
		"\t\ta@1 { reg = <0x0800 0 0 0 0>; " DTS_IDS " };\n"
		"\t\tb@2 { reg = <0x1000 0 0 0 0>; " DTS_IDS " };\n\t};\n};\n", p);
	struct ims_domain *domain = drv_domain_for(d, "0000:00:01.0", 0);

	/* 2022: check_device() found no AMD IOMMU for it: EINVAL. */
	assert_int_equal(drv_attach(d, domain, "0000:00:02.0"), soft_or(p, EINVAL));
	drv_detach_free(d, domain, NULL);
	drv_down(d);
}

/* A v2 domain on a DMA-default device is the seed's incompatibility even
 * when it is fresh (the series converted that check); today it attaches. */
static void never_soft_but_seed_v2(struct drv *d, struct ims_device *dev, uint32_t flags, int ret)
{
	if (!(flags & IMS_ALLOC_PASID) || d->core->facts->profile == IMS_PROFILE_UPSTREAM)
		drv_never_soft(d, dev, flags, ret);
}

static void fresh_domain_never_soft(void **state)
{
	const uint32_t flags[] = { 0, IMS_ALLOC_DIRTY_TRACKING, IMS_ALLOC_PASID };

	(void)state;
	drv_fresh_domains("x86-amd", flags, IMS_ARRAY_SIZE(flags), never_soft_but_seed_v2);
}

PER_PROFILE(dirty_rule)
PER_PROFILE(v2_rule)
PER_PROFILE(shared_domain)
PER_PROFILE(foreign_driver_rule)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registers_and_sysfs),
		cmocka_unit_test(refused_platforms),
		cmocka_unit_test(groups_and_regions),
		cmocka_unit_test(domains),
		cmocka_unit_test(map_unmap_all),
		cmocka_unit_test(dirty_tracking),
		cmocka_unit_test(dirty_rule_all),
		cmocka_unit_test(v2_rule_all),
		cmocka_unit_test(shared_domain_all),
		cmocka_unit_test(foreign_driver_rule_all),
		cmocka_unit_test(fresh_domain_never_soft),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
