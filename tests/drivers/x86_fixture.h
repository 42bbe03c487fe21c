/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture for the x86 and virtio driver suites: a platform (a
 * built-in, or device-tree source through dtc) built into a fresh core of a
 * profile, a trace sink keeping the last driver answer and its reason, and
 * small helpers for the checks every driver suite makes.
 */
#ifndef IMS_TEST_X86_FIXTURE_H
#define IMS_TEST_X86_FIXTURE_H

#include "../topo/topo_fixture.h"

#include "iommusim/platform.h"

struct drv {
	struct ims_platform *platform;
	struct ims_core *core;
	struct ims_topo *topo;
	int driver_answers;       /* IMS_TRACE_ATTACH events seen */
	char reason[160];         /* the last refusal's reason */
};

static inline void drv_trace(void *arg, const struct ims_trace_event *ev)
{
	struct drv *d = arg;

	if (ev->kind != IMS_TRACE_ATTACH && ev->kind != IMS_TRACE_REJECT)
		return;
	d->driver_answers += ev->kind == IMS_TRACE_ATTACH;
	if (ev->err) /* keep the last refusal's reason */
		snprintf(d->reason, sizeof(d->reason), "%s", ev->reason ? ev->reason : "");
}

/* Build @platform (built-in name) or, with @dts, that source, in @profile. */
static inline struct drv *drv_up_cfg(const char *platform, const char *dts,
				     const struct ims_core_config *cfg)
{
	struct drv *d = calloc(1, sizeof(*d));
	char err[512] = "";

	assert_non_null(d);
	if (dts)
		assert_int_equal(load_dts(dts, &d->platform, err, sizeof(err), NULL, 0), 0);
	else
		assert_int_equal(ims_platform_load(platform, &d->platform, err, sizeof(err)), 0);
	assert_int_equal(ims_core_create(cfg, &d->core), 0);
	if (ims_topo_instantiate(d->platform, d->core, &d->topo, err, sizeof(err)))
		fail_msg("instantiate: %s", err);
	ims_core_set_trace(d->core, drv_trace, d);
	return d;
}

static inline struct drv *drv_up(const char *platform, const char *dts, enum ims_profile p)
{
	struct ims_core_config cfg = { .profile = p, .strict = true };

	return drv_up_cfg(platform, dts, &cfg);
}

static inline void drv_down(struct drv *d)
{
	ims_topo_remove(d->topo);
	assert_core_holds_nothing(d->core);
	ims_core_destroy(d->core);
	ims_platform_free(d->platform);
	free(d);
}

static inline struct ims_device *drv_dev(struct drv *d, const char *name)
{
	struct ims_device *dev = ims_device_find(d->core, name);

	if (!dev)
		fail_msg("no device %s", name);
	return dev;
}

static inline struct ims_domain *drv_domain_for(struct drv *d, const char *name, uint32_t flags)
{
	struct ims_domain *domain = ims_paging_domain_alloc(drv_dev(d, name), flags);

	if (IS_ERR(domain))
		fail_msg("domain for %s: %d", name, (int)PTR_ERR(domain));
	return domain;
}

/* Attach @domain to @name's group. */
static inline int drv_attach(struct drv *d, struct ims_domain *domain, const char *name)
{
	return ims_attach_group(domain, drv_dev(d, name)->group);
}

static inline void drv_detach_free(struct drv *d, struct ims_domain *domain, const char *name)
{
	if (name)
		ims_detach_group(domain, drv_dev(d, name)->group);
	ims_domain_free(domain);
}

/* The errno a rule answering "incompatible" gives in @p, with @legacy for 2022. */
static inline int soft_or(enum ims_profile p, int legacy)
{
	int soft = ims_profile_facts(p)->incompatible_errno;

	return -(soft ? soft : legacy);
}

/* Does @name's group report a reserved region [start, start + len) of @type? */
static inline bool drv_has_resv(struct drv *d, const char *name, uint64_t start, uint64_t len,
				enum ims_resv_type type)
{
	struct ims_resv_list list;
	bool found = false;

	ims_resv_list_init(&list);
	assert_int_equal(ims_get_resv_regions(drv_dev(d, name), &list), 0);
	for (size_t i = 0; i < list.nr; i++)
		found |= list.regions[i].start == start && list.regions[i].length == len &&
			 list.regions[i].type == type;
	ims_resv_list_free(&list);
	return found;
}

/* Load @dts and expect a refusal whose message contains @needle. */
static inline void drv_refused(const char *dts, const char *needle)
{
	struct ims_platform *p = NULL;
	struct ims_core *core;
	struct ims_topo *topo = NULL;
	char err[512] = "";
	int ret = load_dts(dts, &p, err, sizeof(err), NULL, 0);

	if (!ret) {
		core = new_core(IMS_PROFILE_UPSTREAM);
		ret = ims_topo_instantiate(p, core, &topo, err, sizeof(err));
		ims_topo_remove(topo);
		ims_core_destroy(core);
		ims_platform_free(p);
	}
	assert_int_equal(ret, -EINVAL);
	assert_contains(err, needle);
}

#define FOR_EACH_PROFILE(p) for (enum ims_profile p = 0; p < IMS_PROFILE_NR; p++)

/* A suite's fn(enum ims_profile) run in every profile, as fn_all. */
#define PER_PROFILE(fn)                         \
	static void fn##_all(void **state)      \
	{                                       \
		(void)state;                    \
		FOR_EACH_PROFILE(p)             \
			fn(p);                  \
	}

/* Judges one fresh domain's answer (@ret) for @dev. */
typedef void (*drv_answer_fn)(struct drv *d, struct ims_device *dev, uint32_t flags, int ret);

static inline void drv_never_soft(struct drv *d, struct ims_device *dev, uint32_t flags, int ret)
{
	(void)dev;
	(void)flags;
	assert_false(ims_err_is_soft(d->core, ret));
}

/*
 * Robin's rule, over @platform in every profile: a domain allocated for a
 * device (with each of @flags it can be had with) and attached to that
 * device's own group is judged by @judge (drv_never_soft: never the
 * incompatible errno).
 */
static inline void drv_fresh_domains(const char *platform, const uint32_t *flags, size_t nr,
				     drv_answer_fn judge)
{
	FOR_EACH_PROFILE(p) {
		struct drv *d = drv_up(platform, NULL, p);
		struct ims_device *dev;

		ims_list_for_each_entry(dev, &d->core->devices, core_node) {
			for (size_t f = 0; dev->group && f < nr; f++) {
				struct ims_domain *domain = ims_paging_domain_alloc(dev, flags[f]);
				int ret;

				if (IS_ERR(domain))
					continue;
				ret = ims_attach_group(domain, dev->group);
				judge(d, dev, flags[f], ret);
				if (!ret)
					ims_detach_group(domain, dev->group);
				ims_domain_free(domain);
			}
		}
		drv_down(d);
	}
}

#endif
