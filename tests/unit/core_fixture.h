/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture for the core suites: a core in a chosen profile with two
 * mock instances, helpers to add devices, and a trace sink that counts how
 * often a driver was actually asked (IMS_TRACE_ATTACH) versus refused by
 * the core (IMS_TRACE_REJECT).
 */
#ifndef IMS_TEST_CORE_FIXTURE_H
#define IMS_TEST_CORE_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"
#include "drivers/mock/mock.h"

struct fx {
	struct ims_core *core;
	struct ims_iommu *m0, *m1;
	int driver_calls;   /* attach_dev answers seen */
	int core_rejects;   /* refusals before any driver ran */
	int last_err;
};

static inline void fx_trace(void *arg, const struct ims_trace_event *ev)
{
	struct fx *fx = arg;

	if (ev->kind == IMS_TRACE_ATTACH)
		fx->driver_calls++;
	else if (ev->kind == IMS_TRACE_REJECT)
		fx->core_rejects++;
	else
		return;
	fx->last_err = ev->err;
}

static inline struct fx *fx_new_cfg(const struct ims_core_config *cfg,
				    const struct ims_mock_iommu_cfg *m1cfg)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(ims_core_create(cfg, &fx->core), 0);
	assert_int_equal(ims_mock_register(fx->core, "mock0", NULL, &fx->m0), 0);
	assert_int_equal(ims_mock_register(fx->core, "mock1", m1cfg, &fx->m1), 0);
	ims_core_set_trace(fx->core, fx_trace, fx);
	return fx;
}

static inline struct fx *fx_new(enum ims_profile profile)
{
	struct ims_core_config cfg = { .profile = profile, .strict = true };

	return fx_new_cfg(&cfg, NULL);
}

static inline void fx_free(struct fx *fx)
{
	ims_core_destroy(fx->core);
	free(fx);
}

static inline void fx_reset_counts(struct fx *fx)
{
	fx->driver_calls = fx->core_rejects = 0;
	fx->last_err = 0;
}

static inline struct ims_device *fx_add(struct fx *fx, const char *name,
					struct ims_iommu *iommu,
					const struct ims_mock_device_cfg *cfg)
{
	struct ims_device_desc desc = {
		.name = name,
		.bus = IMS_BUS_PLATFORM,
		.iommu = iommu,
		.msi_isolated = true,
		.platform_data = (void *)cfg,
	};
	struct ims_device *dev = ims_device_add(fx->core, &desc);

	assert_false(IS_ERR(dev));
	return dev;
}

/* Add, finish probing and return the device's group. */
static inline struct ims_group *fx_add_probed(struct fx *fx, const char *name,
					      struct ims_iommu *iommu)
{
	struct ims_device *dev = fx_add(fx, name, iommu, NULL);

	assert_int_equal(ims_core_probe_finish(fx->core), 0);
	return dev->group;
}

#define TEST_PROFILES(fn)                                                      \
	static void fn##_upstream(void **s) { (void)s; fn(IMS_PROFILE_UPSTREAM); } \
	static void fn##_seed(void **s) { (void)s; fn(IMS_PROFILE_SEED); }         \
	static void fn##_legacy(void **s) { (void)s; fn(IMS_PROFILE_LEGACY); }

#define PROFILE_TESTS(fn)                 \
	cmocka_unit_test(fn##_upstream), \
	cmocka_unit_test(fn##_seed),     \
	cmocka_unit_test(fn##_legacy)

#endif
