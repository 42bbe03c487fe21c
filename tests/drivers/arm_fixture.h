/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the ARM-family driver suites (arm-smmu-v3, arm-smmu,
 * ipmmu-vmsa, qcom_iommu, apple-dart): a platform (built-in or device-tree
 * source written to a temporary file) built into a fresh core of one
 * profile, device lookup, paging domains, attaches, and the table of
 * per-profile expectations the suites check their rules against.
 */
#ifndef IMS_TEST_ARM_FIXTURE_H
#define IMS_TEST_ARM_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/core.h"
#include "topo/topo.h"

struct fx {
	struct ims_platform *platform;
	struct ims_core *core;
	struct ims_topo *topo;
	char err[512];
};

static inline int fx_build(struct fx *f, enum ims_profile profile)
{
	struct ims_core_config cfg = { .profile = profile, .strict = true };

	assert_int_equal(ims_core_create(&cfg, &f->core), 0);
	return ims_topo_instantiate(f->platform, f->core, &f->topo, f->err, sizeof(f->err));
}

/* A built-in platform in a fresh core of @profile. */
static inline void fx_up(struct fx *f, const char *platform, enum ims_profile profile)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(ims_platform_load(platform, &f->platform, f->err, sizeof(f->err)), 0);
	if (fx_build(f, profile))
		fail_msg("%s", f->err);
}

/* Device-tree source: 0 with everything built, or the load/build errno with f->err set. */
static inline int fx_up_dts(struct fx *f, const char *dts, enum ims_profile profile)
{
	char path[64] = "/tmp/iommusim-arm-XXXXXX.dts";
	int fd, ret;

	memset(f, 0, sizeof(*f));
	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, dts, strlen(dts)), (ssize_t)strlen(dts));
	close(fd);
	ret = ims_platform_load(path, &f->platform, f->err, sizeof(f->err));
	unlink(path);
	if (!ret)
		ret = fx_build(f, profile);
	return ret;
}

static inline void fx_down(struct fx *f)
{
	ims_topo_remove(f->topo);
	if (f->core)
		ims_core_destroy(f->core);
	ims_platform_free(f->platform);
	memset(f, 0, sizeof(*f));
}

static inline struct ims_device *fx_dev(struct fx *f, const char *name)
{
	struct ims_device *dev = ims_device_find(f->core, name);

	if (!dev)
		fail_msg("no device %s", name);
	return dev;
}

/* A paging domain allocated for @name (as VFIO and iommufd allocate them). */
static inline struct ims_domain *fx_domain(struct fx *f, const char *name, uint32_t flags)
{
	struct ims_domain *domain = ims_paging_domain_alloc(fx_dev(f, name), flags);

	if (IS_ERR(domain))
		fail_msg("allocating for %s: %d", name, (int)PTR_ERR(domain));
	return domain;
}

static inline int fx_attach(struct fx *f, struct ims_domain *domain, const char *name)
{
	return ims_attach_group(domain, fx_dev(f, name)->group);
}

static inline void fx_detach(struct fx *f, struct ims_domain *domain, const char *name)
{
	ims_detach_group(domain, fx_dev(f, name)->group);
}

/* Shorthands of the suites' tables. */
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)
#define UP IMS_PROFILE_UPSTREAM
#define SEED IMS_PROFILE_SEED
#define LEGACY IMS_PROFILE_LEGACY

/* The negative errno each profile must answer (0: attached). */
struct fx_expect {
	int err[IMS_PROFILE_NR];
};

#define FX_EACH_PROFILE(p) for (enum ims_profile p = 0; p < IMS_PROFILE_NR; p++)

/*
 * A domain for @owner, bound by attaching it to @owner's group when @bind,
 * then attached to @target's group: the answer, with the target left on
 * the domain it had when the attach fails.
 */
static inline int fx_attach_case(struct fx *f, const char *owner, bool bind, const char *target)
{
	struct ims_domain *domain = fx_domain(f, owner, 0);
	struct ims_device *dev = fx_dev(f, target);
	struct ims_domain *before = dev->group->domain;
	int ret;

	if (bind)
		assert_int_equal(fx_attach(f, domain, owner), 0);
	ret = ims_attach_group(domain, dev->group);
	if (ret)
		assert_ptr_equal(dev->group->domain, before);
	else
		fx_detach(f, domain, target);
	if (bind)
		fx_detach(f, domain, owner);
	ims_domain_free(domain);
	return ret;
}

/* Every profile gives the expected answer to fx_attach_case(). */
static inline void fx_check_case(const char *platform, const char *owner, bool bind,
				 const char *target, const struct fx_expect *want)
{
	FX_EACH_PROFILE(p) {
		struct fx f;

		print_message("# %s -> %s in %s\n", owner, target, ims_profile_name(p));
		fx_up(&f, platform, p);
		assert_int_equal(fx_attach_case(&f, owner, bind, target), want->err[p]);
		fx_down(&f);
	}
}

/*
 * A domain allocated for a device and attached to it first never answers
 * the profile's incompatible errno (Robin Murphy's rule, kernel-semantics
 * 1.3): for every device of @platform behind @driver but @skip (may be
 * NULL), in every profile.  Returns how many attaches succeeded.
 */
static inline unsigned int fx_fresh_domains_fit(const char *platform, const char *driver,
						const char *skip)
{
	unsigned int ok = 0;

	FX_EACH_PROFILE(p) {
		struct ims_device *dev;
		struct fx f;

		fx_up(&f, platform, p);
		ims_list_for_each_entry(dev, &f.core->devices, core_node) {
			struct ims_domain *domain;
			int ret;

			if (!dev->iommu || strcmp(dev->iommu->ops->name, driver) ||
			    (skip && !strcmp(dev->name, skip)))
				continue;
			domain = ims_paging_domain_alloc(dev, 0);
			assert_false(IS_ERR(domain));
			ret = ims_attach_group(domain, dev->group);
			if (ret && ims_err_is_soft(f.core, ret))
				fail_msg("%s: a fresh domain answered %d in %s", dev->name, ret,
					 ims_profile_name(p));
			if (!ret)
				ims_detach_group(domain, dev->group);
			ok += !ret;
			ims_domain_free(domain);
		}
		fx_down(&f);
	}
	return ok;
}

/* The regions of @name's reserved list of @type, counted; the first's start in *start. */
static inline unsigned int fx_resv(struct fx *f, const char *name, enum ims_resv_type type,
				   uint64_t *start, uint64_t *length)
{
	struct ims_resv_list list;
	unsigned int n = 0;

	ims_resv_list_init(&list);
	assert_int_equal(ims_get_resv_regions(fx_dev(f, name), &list), 0);
	for (size_t i = 0; i < list.nr; i++) {
		if (list.regions[i].type != type)
			continue;
		if (!n++) {
			*start = list.regions[i].start;
			*length = list.regions[i].length;
		}
	}
	ims_resv_list_free(&list);
	return n;
}

#endif
