// SPDX-License-Identifier: MIT
/*
 * The matrix runner (see matrix.h): builds the case's built-in platform in
 * a fresh core of the profile, performs the recipe of ims_matrix_case, and
 * classifies the final attach.  The driver's reason for its answer is taken
 * from the trace.
 */
#include "matrix.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topo.h"
#include "util/errname.h"

const char *ims_matrix_class_name(enum ims_matrix_class class)
{
	static const char *const names[] = {
		[IMS_MATRIX_OK] = "ok", [IMS_MATRIX_SOFT] = "soft", [IMS_MATRIX_HARD] = "hard",
		[IMS_MATRIX_SILENT] = "silent", [IMS_MATRIX_ABSENT] = "absent",
		[IMS_MATRIX_ERROR] = "error",
	};

	return class <= IMS_MATRIX_ERROR ? names[class] : "?";
}

/* Keep the reason of the last driver answer. */
static void keep_reason(void *arg, const struct ims_trace_event *ev)
{
	struct ims_matrix_result *out = arg;

	if ((ev->kind == IMS_TRACE_ATTACH || ev->kind == IMS_TRACE_REJECT) && ev->reason)
		snprintf(out->detail, sizeof(out->detail), "%s", ev->reason);
}

static int setup_error(struct ims_matrix_result *out, const char *what, const char *name, int err)
{
	snprintf(out->detail, sizeof(out->detail), "%s %s: %s", what, name ? name : "",
		 err ? ims_errname(err) : "not found");
	out->class = IMS_MATRIX_ERROR;
	return err ? err : -ENODEV;
}

static struct ims_device *need(struct ims_core *core, const char *name,
			       struct ims_matrix_result *out)
{
	struct ims_device *dev = name ? ims_device_find(core, name) : NULL;

	if (!dev || !dev->group)
		setup_error(out, "no device with a group named", name, 0);
	return dev && dev->group ? dev : NULL;
}

/* A domain for @name, attached to its group (steps 1 and 3). */
static struct ims_domain *alloc_for(struct ims_core *core, const char *name, uint32_t flags,
				    bool attach, struct ims_matrix_result *out)
{
	struct ims_device *dev = need(core, name, out);
	struct ims_domain *domain;
	int ret;

	if (!dev)
		return NULL;
	domain = ims_paging_domain_alloc(dev, flags);
	if (IS_ERR(domain)) {
		setup_error(out, "cannot allocate a domain for", name, (int)PTR_ERR(domain));
		return NULL;
	}
	ret = attach ? ims_attach_group(domain, dev->group) : 0;
	if (ret) {
		setup_error(out, "cannot attach the domain to", name, ret);
		ims_domain_free(domain);
		return NULL;
	}
	return domain;
}

static enum ims_matrix_class classify(struct ims_core *core, int err, struct ims_device *target,
				      struct ims_domain *domain)
{
	if (err)
		return ims_err_is_soft(core, err) ? IMS_MATRIX_SOFT : IMS_MATRIX_HARD;
	return target->hw_domain == domain ? IMS_MATRIX_OK : IMS_MATRIX_SILENT;
}

static bool violates(const struct ims_matrix_case *c, const struct ims_profile_facts *facts,
		     enum ims_matrix_class class)
{
	switch (class) {
	case IMS_MATRIX_SOFT:
		return !c->incompatible;
	case IMS_MATRIX_HARD:
		return c->incompatible && facts->incompatible_errno;
	case IMS_MATRIX_SILENT:
	case IMS_MATRIX_ERROR:
		return true;
	default:
		return false;
	}
}

/* Steps 1-5 on an instantiated core; the answer lands in @out. */
static void perform(const struct ims_matrix_case *c, struct ims_core *core,
		    struct ims_matrix_result *out)
{
	struct ims_domain *occupier = NULL, *domain;
	struct ims_device *target;

	if (c->run) {
		out->err = c->run(core);
		out->class = out->err ? classify(core, out->err, NULL, NULL) : IMS_MATRIX_OK;
		return;
	}
	if (c->occupy && !(occupier = alloc_for(core, c->occupy, 0, true, out)))
		return;
	domain = alloc_for(core, c->domain_for, c->alloc_flags, c->bind_first, out);
	target = domain ? need(core, c->target, out) : NULL;
	if (target) {
		if (c->enforce_coherency)
			ims_domain_enforce_cache_coherency(domain);
		out->detail[0] = '\0';
		ims_core_set_trace(core, keep_reason, out);
		out->err = ims_attach_group(domain, target->group);
		ims_core_set_trace(core, NULL, NULL);
		out->class = classify(core, out->err, target, domain);
		if (!out->err)
			ims_detach_group(domain, target->group);
	}
	if (domain && c->bind_first)
		ims_detach_group(domain, ims_device_find(core, c->domain_for)->group);
	ims_domain_free(domain);
	if (occupier)
		ims_detach_group(occupier, ims_device_find(core, c->occupy)->group);
	ims_domain_free(occupier);
}

void ims_matrix_run_case(const struct ims_driver_model *model,
			 const struct ims_matrix_case *mcase, enum ims_profile profile,
			 struct ims_matrix_result *out)
{
	struct ims_core_config cfg = { .profile = profile, .strict = true };
	struct ims_platform *platform = NULL;
	struct ims_core *core = NULL;
	struct ims_topo *topo = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	out->profile = profile;
	out->model = model;
	out->mcase = mcase;
	if (model->present && !model->present(ims_profile_facts(profile))) {
		out->class = IMS_MATRIX_ABSENT;
		return;
	}
	ret = ims_platform_load(mcase->platform, &platform, out->detail, sizeof(out->detail));
	if (!ret)
		ret = ims_core_create(&cfg, &core);
	if (!ret)
		ret = ims_topo_instantiate(platform, core, &topo, out->detail, sizeof(out->detail));
	if (ret)
		out->class = IMS_MATRIX_ERROR;
	else
		perform(mcase, core, out);
	out->violation = violates(mcase, ims_profile_facts(profile), out->class);
	ims_topo_remove(topo);
	ims_core_destroy(core);
	ims_platform_free(platform);
}
