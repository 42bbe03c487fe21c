// SPDX-License-Identifier: MIT
/*
 * Probe-time behaviour of the core (kernel-semantics 2.2, 2.7, 2.9): PCI
 * grouping (ACS, multi-function, DMA aliases), default domain types,
 * reserved-region merging, hotplug into a running group, PASID attach.
 */
#include "core_fixture.h"

static struct ims_device *add_pci(struct fx *fx, const char *name, uint8_t bus,
				  uint8_t devfn, const struct ims_pci_info *extra)
{
	struct ims_device_desc desc = {
		.name = name, .bus = IMS_BUS_PCI, .iommu = fx->m0, .msi_isolated = true,
	};
	struct ims_device *dev;

	if (extra)
		desc.pci = *extra;
	desc.pci.bus = bus;
	desc.pci.devfn = devfn;
	dev = ims_device_add(fx->core, &desc);
	assert_false(IS_ERR(dev));
	return dev;
}

static void test_pci_grouping(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	struct ims_pci_info rp_acs = { .bridge = true, .acs = true };
	struct ims_pci_info rp_noacs = { .bridge = true };
	struct ims_device *rp0 = add_pci(fx, "rp0", 0, 0x08, &rp_acs);
	struct ims_device *rp1 = add_pci(fx, "rp1", 0, 0x10, &rp_noacs);
	struct ims_pci_info mf = { .multifunction = true, .upstream = rp0 };
	struct ims_pci_info mf_acs = { .multifunction = true, .acs = true, .upstream = rp0 };
	struct ims_device *f0 = add_pci(fx, "f0", 1, 0x00, &mf);
	struct ims_device *f1 = add_pci(fx, "f1", 1, 0x01, &mf);
	struct ims_device *f2 = add_pci(fx, "f2", 1, 0x02, &mf_acs);
	struct ims_pci_info under_noacs = { .upstream = rp1 };
	struct ims_device *e = add_pci(fx, "e", 2, 0x00, &under_noacs);
	struct ims_pci_info bridge = { .bridge = true, .upstream = rp0 };
	struct ims_device *p2p, *c0, *c1;

	(void)state;
	/* Functions without ACS share; an isolated function gets its own. */
	assert_ptr_equal(f0->group, f1->group);
	assert_ptr_not_equal(f0->group, f2->group);
	assert_ptr_not_equal(f0->group, rp0->group);
	/* Below a root port without ACS: the port's group. */
	assert_ptr_equal(e->group, rp1->group);
	/* Conventional PCI behind a PCIe-to-PCI bridge aliases to the bridge. */
	bridge.upstream = rp0;
	p2p = add_pci(fx, "p2p", 3, 0x00, &bridge);
	{
		struct ims_pci_info conv = { .upstream = p2p, .dma_alias = p2p };

		c0 = add_pci(fx, "c0", 4, 0x00, &conv);
		c1 = add_pci(fx, "c1", 4, 0x08, &conv);
	}
	assert_ptr_equal(c0->group, p2p->group);
	assert_ptr_equal(c1->group, p2p->group);
	assert_int_equal(p2p->group->nr_devices, 3);
	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	assert_ptr_equal(c1->hw_domain, p2p->group->default_domain);
	fx_free(fx);
}

static void check_default_type(const struct ims_core_config *cfg, bool untrusted,
			       enum ims_domain_type want)
{
	struct fx *fx = fx_new_cfg(cfg, NULL);
	struct ims_device_desc desc = {
		.name = "d", .bus = IMS_BUS_PCI, .iommu = fx->m0, .untrusted = untrusted,
	};
	struct ims_device *dev = ims_device_add(fx->core, &desc);

	assert_false(IS_ERR(dev));
	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	assert_int_equal(dev->group->default_domain->type, want);
	assert_ptr_equal(dev->group->domain, dev->group->default_domain);
	fx_free(fx);
}

static void test_default_domain_types(void **state)
{
	struct ims_core_config strict = { .profile = IMS_PROFILE_UPSTREAM, .strict = true };
	struct ims_core_config lazy = { .profile = IMS_PROFILE_UPSTREAM };
	struct ims_core_config pt = { .profile = IMS_PROFILE_UPSTREAM, .passthrough = true };

	(void)state;
	check_default_type(&strict, false, IMS_DOMAIN_DMA);
	/* The mock cannot flush lazily: DMA-FQ falls back to DMA. */
	check_default_type(&lazy, false, IMS_DOMAIN_DMA);
	check_default_type(&pt, false, IMS_DOMAIN_IDENTITY);
	/* Untrusted devices always get a DMA domain. */
	check_default_type(&pt, true, IMS_DOMAIN_DMA);
}

static void test_resv_merge(void **state)
{
	struct ims_resv_list l;
	const struct ims_resv_region in[] = {
		{ 0x1000, 0x1000, 0, IMS_RESV_RESERVED },
		{ 0x3000, 0x1000, 0, IMS_RESV_RESERVED },
		{ 0x2000, 0x1000, 0, IMS_RESV_RESERVED }, /* joins both neighbours */
		{ 0x2800, 0x100, 0, IMS_RESV_MSI },       /* other type: kept apart */
		{ 0x8000, 0x1000, 0, IMS_RESV_DIRECT },
		{ 0x8800, 0x2000, 0, IMS_RESV_DIRECT },   /* overlap: extends */
		{ 0x0, 0x0, 0, IMS_RESV_DIRECT },         /* empty: ignored */
	};

	(void)state;
	ims_resv_list_init(&l);
	for (size_t i = 0; i < IMS_ARRAY_SIZE(in); i++)
		assert_int_equal(ims_resv_list_insert(&l, &in[i]), 0);
	assert_int_equal(l.nr, 3);
	assert_int_equal(l.regions[0].start, 0x1000);
	assert_int_equal(l.regions[0].length, 0x3000);
	assert_int_equal(l.regions[1].type, IMS_RESV_MSI);
	assert_int_equal(l.regions[1].start, 0x2800);
	assert_int_equal(l.regions[2].start, 0x8000);
	assert_int_equal(l.regions[2].length, 0x2800);
	ims_resv_list_free(&l);
}

static void test_group_resv_union(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	const struct ims_resv_region r1 = { 0x40000000, 0x1000, 0, IMS_RESV_RESERVED };
	const struct ims_resv_region r2 = { 0x40001000, 0x1000, 0, IMS_RESV_RESERVED };
	struct ims_mock_device_cfg with = { .group_with = "a" };
	struct ims_device_desc a = { .name = "a", .iommu = fx->m0, .resv = &r1, .nr_resv = 1 };
	struct ims_device_desc b = { .name = "b", .iommu = fx->m0, .resv = &r2, .nr_resv = 1,
				     .platform_data = &with };
	struct ims_device *da = ims_device_add(fx->core, &a);
	struct ims_resv_list l;

	(void)state;
	assert_false(IS_ERR(ims_device_add(fx->core, &b)));
	ims_resv_list_init(&l);
	assert_int_equal(ims_group_get_resv_regions(da->group, &l), 0);
	/* Both devices' holes merge; the mock's SW_MSI window stays (once). */
	assert_int_equal(l.nr, 2);
	assert_int_equal(l.regions[0].type, IMS_RESV_SW_MSI);
	assert_int_equal(l.regions[0].start, IMS_MOCK_SW_MSI_BASE);
	assert_int_equal(l.regions[1].start, 0x40000000);
	assert_int_equal(l.regions[1].length, 0x2000);
	ims_resv_list_free(&l);
	fx_free(fx);
}

/* A device added after boot joins its group's current domain. */
static void test_hotplug(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	struct ims_device *a = fx_add(fx, "a", fx->m0, NULL);
	struct ims_mock_device_cfg with = { .group_with = "a" };
	struct ims_domain *domain;
	struct ims_device *b, *c;

	(void)state;
	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	domain = ims_paging_domain_alloc(a, 0);
	assert_int_equal(ims_attach_group(domain, a->group), 0);
	b = fx_add(fx, "b", fx->m0, &with);
	assert_ptr_equal(b->hw_domain, domain);
	/* A new lone device gets its default domain at once. */
	c = fx_add(fx, "c", fx->m1, NULL);
	assert_non_null(c->group->default_domain);
	assert_ptr_equal(c->hw_domain, c->group->default_domain);
	ims_detach_group(domain, a->group);
	assert_ptr_equal(b->hw_domain, a->group->default_domain);
	ims_domain_free(domain);
	fx_free(fx);
}

static void test_pasid(void **state)
{
	struct fx *fx = fx_new(IMS_PROFILE_UPSTREAM);
	struct ims_device_desc desc = { .name = "p", .iommu = fx->m0, .max_pasids = 1u << 20 };
	struct ims_device *dev = ims_device_add(fx->core, &desc);
	struct ims_device *nop = fx_add(fx, "nopasid", fx->m0, NULL);
	struct ims_domain *d1, *d2;

	(void)state;
	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	d1 = ims_paging_domain_alloc(dev, IMS_ALLOC_PASID);
	d2 = ims_paging_domain_alloc(dev, IMS_ALLOC_PASID);
	assert_int_equal(ims_attach_device_pasid(d1, dev, 0), -EINVAL);
	assert_int_equal(ims_attach_device_pasid(d1, dev, 1u << 20), -EINVAL);
	assert_int_equal(ims_attach_device_pasid(d1, nop, 5), -EINVAL);
	assert_int_equal(ims_attach_device_pasid(d1, dev, 5), 0);
	assert_int_equal(ims_attach_device_pasid(d2, dev, 5), -EBUSY);
	assert_int_equal(ims_replace_device_pasid(d2, dev, 6), -EINVAL);
	assert_int_equal(ims_replace_device_pasid(d2, dev, 5), 0);
	assert_ptr_equal(ims_get_domain_for_dev_pasid(dev, 5), d2);
	/* Ownership cannot change while PASIDs are attached. */
	assert_int_equal(ims_device_claim_dma_owner(dev, fx), -EBUSY);
	ims_detach_device_pasid(d1, dev, 5); /* not the attached domain: ignored */
	assert_ptr_equal(ims_get_domain_for_dev_pasid(dev, 5), d2);
	ims_detach_device_pasid(d2, dev, 5);
	assert_null(ims_get_domain_for_dev_pasid(dev, 5));
	ims_domain_free(d1);
	ims_domain_free(d2);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_grouping),
		cmocka_unit_test(test_default_domain_types),
		cmocka_unit_test(test_resv_merge),
		cmocka_unit_test(test_group_resv_union),
		cmocka_unit_test(test_hotplug),
		cmocka_unit_test(test_pasid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
