/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the driver-model suites (test_s390.c, test_sprd.c, ...):
 * build a built-in platform (or a device-tree snippet) into a fresh core
 * of one profile, find devices, allocate and attach domains, expect one
 * answer per profile, and check the things every driver owes: a fresh
 * domain never answers the incompatible errno, and nothing leaks.
 */
#ifndef IMS_TEST_DRV_FIXTURE_H
#define IMS_TEST_DRV_FIXTURE_H

#include "../topo/topo_fixture.h"

#include "util/alloc.h"

struct drv {
	enum ims_profile profile;
	struct ims_platform *platform;
	struct ims_core *core;
	struct ims_topo *topo;
	size_t pt_pages;              /* page-table pages in use before */
};

#define FOR_EACH_PROFILE(p) \
	for (enum ims_profile p = IMS_PROFILE_UPSTREAM; p < IMS_PROFILE_NR; p++)

/* The answer a test expects in @p: 0 or a negative errno per profile. */
static inline int per_profile(enum ims_profile p, int upstream, int seed, int legacy)
{
	return p == IMS_PROFILE_UPSTREAM ? upstream : p == IMS_PROFILE_SEED ? seed : legacy;
}

static inline void drv_instantiate(struct drv *d, enum ims_profile profile)
{
	struct ims_core_config cfg = { .profile = profile, .strict = true };
	char err[512];

	d->profile = profile;
	d->pt_pages = ims_pt_pages_in_use();
	assert_int_equal(ims_core_create(&cfg, &d->core), 0);
	if (ims_topo_instantiate(d->platform, d->core, &d->topo, err, sizeof(err)))
		fail_msg("%s", err);
}

/* Build the built-in platform @name in @profile. */
static inline void drv_build(struct drv *d, const char *name, enum ims_profile profile)
{
	char err[512];

	if (ims_platform_load(name, &d->platform, err, sizeof(err)))
		fail_msg("%s", err);
	drv_instantiate(d, profile);
}

/* Build device-tree source @dts in @profile. */
static inline void drv_build_dts(struct drv *d, const char *dts, enum ims_profile profile)
{
	char err[512];

	if (load_dts(dts, &d->platform, err, sizeof(err), NULL, 0))
		fail_msg("%s", err);
	drv_instantiate(d, profile);
}

static inline void drv_teardown(struct drv *d)
{
	ims_topo_remove(d->topo);
	assert_core_empty(d->core);
	ims_core_destroy(d->core);
	ims_platform_free(d->platform);
	assert_int_equal(ims_pt_pages_in_use(), d->pt_pages);
}

static inline struct ims_device *drv_dev(const struct drv *d, const char *name)
{
	struct ims_device *dev = ims_device_find(d->core, name);

	if (!dev || !dev->group)
		fail_msg("no device %s with a group", name);
	return dev;
}

/* A paging domain for @name's group (the era decides whether the driver sees it). */
static inline struct ims_domain *drv_domain(const struct drv *d, const char *name)
{
	struct ims_domain *domain = ims_paging_domain_alloc(drv_dev(d, name), 0);

	assert_false(IS_ERR_OR_NULL(domain));
	return domain;
}

static inline int drv_attach(const struct drv *d, struct ims_domain *domain, const char *name)
{
	return ims_attach_group(domain, drv_dev(d, name)->group);
}

/* Take @dev off @domain (back to its default domain): it must leave. */
static inline void drv_leave(struct ims_domain *domain, struct ims_device *dev)
{
	if (dev->group->domain == domain)
		ims_detach_group(domain, dev->group);
	assert_ptr_not_equal(dev->hw_domain, domain);
}

/* Take @name's group off @domain, then free it. */
static inline void drv_release(const struct drv *d, struct ims_domain *domain, const char *name)
{
	drv_leave(domain, drv_dev(d, name));
	ims_domain_free(domain);
}

/*
 * Robin Murphy's rule (kernel-semantics 1.3): a freshly allocated domain
 * never answers the incompatible errno.  Every device of the platform, one
 * after the other, in @profile.
 */
static inline void drv_fresh_domains_compatible(const char *platform, enum ims_profile profile)
{
	struct ims_device *dev;
	struct drv d;

	drv_build(&d, platform, profile);
	ims_list_for_each_entry(dev, &d.core->devices, core_node) {
		struct ims_domain *domain;
		int ret, soft = ims_incompatible_errno(d.core);

		if (!dev->group)
			continue;
		domain = ims_paging_domain_alloc(dev, 0);
		assert_false(IS_ERR_OR_NULL(domain));
		ret = ims_attach_group(domain, dev->group);
		if (soft && ret == -soft)
			fail_msg("%s: a fresh domain answered %d in %s", dev->name, ret,
				 ims_profile_name(profile));
		drv_leave(domain, dev);
		ims_domain_free(domain);
	}
	drv_teardown(&d);
}

/*
 * One allocation, attach, map, unmap, detach and free on @name, with the
 * injection points armed by the caller: any failure is -ENOMEM and leaves
 * the device where it was and nothing mapped.  Returns 0 when all of it
 * went through.
 */
static inline int drv_attach_map_once(const struct drv *d, const char *name, uint64_t iova,
				      uint64_t pa, size_t size)
{
	struct ims_device *dev = drv_dev(d, name);
	struct ims_domain *old = dev->hw_domain, *domain;
	int ret;

	domain = ims_paging_domain_alloc(dev, 0);
	if (IS_ERR(domain))
		return (int)PTR_ERR(domain);
	ret = ims_attach_group(domain, dev->group);
	if (!ret) {
		ret = ims_iommu_map(domain, iova, pa, size, IMS_PROT_READ | IMS_PROT_WRITE);
		assert_int_equal(ims_iommu_iova_to_phys(domain, iova), ret ? 0 : pa);
		if (!ret)
			assert_int_equal(ims_iommu_unmap(domain, iova, size), size);
		ims_detach_group(domain, dev->group);
	} else {
		assert_ptr_equal(dev->hw_domain, old);
	}
	ims_domain_free(domain);
	return ret;
}

/*
 * The fail-nth sweep of drv_attach_map_once() on platform @platform in
 * every profile: the 1st, 2nd ... injection point fails until the sequence
 * no longer reaches it; every failure is ENOMEM with nothing left behind.
 */
static inline void drv_failnth_sweep(const char *platform, const char *name, uint64_t iova,
				     uint64_t pa, size_t size, bool all_profiles)
{
	FOR_EACH_PROFILE(p) {
		unsigned long n, failed = 0;

		if (!all_profiles && p == IMS_PROFILE_UPSTREAM)
			continue;
		for (n = 1;; n++) {
			struct drv d;
			int ret;

			drv_build(&d, platform, p);
			ims_fail_nth_set(n);
			ret = drv_attach_map_once(&d, name, iova, pa, size);
			if (ims_fail_nth_get()) { /* never reached: all went through */
				ims_fail_nth_set(0);
				assert_int_equal(ret, 0);
				drv_teardown(&d);
				break;
			}
			ims_fail_nth_set(0);
			assert_int_equal(ret, -ENOMEM);
			failed++;
			drv_teardown(&d);
		}
		print_message("# %s %s: %lu injection points\n", platform, ims_profile_name(p), failed);
		assert_true(failed >= 2);
	}
}

/* The reserved regions of @name, as the kernel reports them to VFIO. */
static inline void drv_resv(const struct drv *d, const char *name, struct ims_resv_list *list)
{
	ims_resv_list_init(list);
	assert_int_equal(ims_get_resv_regions(drv_dev(d, name), list), 0);
}

#endif
