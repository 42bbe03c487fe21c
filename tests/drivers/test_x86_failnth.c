// SPDX-License-Identifier: MIT
/*
 * Fail-nth sweeps over the x86 and virtio driver models: build a platform,
 * run a workload that allocates, attaches (across instances too), maps and
 * unmaps, then take everything back out.  The 1st, 2nd, ... injection point
 * fails until the sequence no longer reaches it.  Every failure must come
 * back as an errno, leave the core whole (taking the platform out leaves it
 * empty) and leak nothing (ASan in `make test`).
 */
#include "x86_fixture.h"

#include "util/alloc.h"

#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

struct load {
	const char *platform, *from, *to;
	uint32_t flags;
};

static const struct load loads[] = {
	{ "x86-intel", "0000:01:00.0", "0000:05:00.0", 0 },
	{ "x86-intel", "0000:05:00.0", "0000:01:00.0", 0 },
	{ "x86-intel", "0000:01:00.0", "0000:00:14.0", IMS_ALLOC_DIRTY_TRACKING },
	{ "x86-amd", "0000:01:00.0", "0000:03:00.0", 0 },
	{ "x86-amd", "0000:02:00.0", "0000:01:00.0", IMS_ALLOC_PASID },
	{ "virtio", "0000:00:03.0", "0000:00:04.0", 0 },
	{ "virtio", "0000:00:03.0", "0000:00:05.0", 0 },
};

/* Map, share with a second group if it fits, unmap; returns the first error. */
static int use_domain(struct ims_domain *domain, struct ims_group *from, struct ims_group *to)
{
	int ret = ims_attach_group(domain, from);

	if (ret)
		return ret;
	ret = ims_iommu_map(domain, 0x200000, 0x40000000, 0x200000 + 0x2000, RW);
	if (!ret && !ims_attach_group(domain, to))
		ims_detach_group(domain, to);
	if (!ret)
		ims_iommu_map(domain, 0x800000, 0x50000000, 0x1000, RW);
	ims_iommu_unmap(domain, 0x200000, 0x800000);
	ims_detach_group(domain, from);
	return ret;
}

static int workload(struct ims_core *core, const struct load *l)
{
	struct ims_device *from = ims_device_find(core, l->from);
	struct ims_device *to = ims_device_find(core, l->to);
	struct ims_domain *domain;
	int ret;

	assert_non_null(from);
	assert_non_null(to);
	domain = ims_paging_domain_alloc(from, l->flags);
	if (IS_ERR(domain))
		return (int)PTR_ERR(domain);
	ret = use_domain(domain, from->group, to->group);
	ims_domain_free(domain);
	return ret;
}

/* Returns 0 when everything succeeded. */
static int sequence(const struct load *l, enum ims_profile profile)
{
	struct ims_core_config cfg = { .profile = profile, .strict = true };
	struct ims_platform *platform = NULL;
	struct ims_topo *topo = NULL;
	struct ims_core *core = NULL;
	char err[512];
	int ret = ims_core_create(&cfg, &core);

	if (!ret)
		ret = ims_platform_load(l->platform, &platform, err, sizeof(err));
	if (!ret) {
		ret = ims_topo_instantiate(platform, core, &topo, err, sizeof(err));
		if (ret)
			assert_core_empty(core);
	}
	if (!ret)
		ret = workload(core, l);
	ims_topo_remove(topo);
	if (core)
		assert_core_holds_nothing(core);
	ims_platform_free(platform);
	ims_core_destroy(core);
	return ret;
}

static void sweep(const struct load *l, enum ims_profile profile)
{
	int failures = 0;

	for (unsigned long n = 1;; n++) {
		int ret;

		ims_fail_nth_set(n);
		ret = sequence(l, profile);
		if (ims_fail_nth_get() != 0) { /* the n-th point was never reached */
			ims_fail_nth_set(0);
			assert_int_equal(ret, 0);
			break;
		}
		ims_fail_nth_set(0);
		failures += ret != 0;
	}
	assert_true(failures > 20);
}

static void failnth(void **state)
{
	(void)state;
	for (size_t i = 0; i < IMS_ARRAY_SIZE(loads); i++)
		FOR_EACH_PROFILE(p)
			sweep(&loads[i], p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failnth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
