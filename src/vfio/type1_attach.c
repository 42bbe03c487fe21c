// SPDX-License-Identifier: MIT
/*
 * Attaching a group to a type1 container: where the attach contract meets
 * userspace (kernel-semantics 4.3 and 1.1).
 *
 * Two algorithms, chosen by the profile:
 *
 * ALLOC_FIRST (today's kernel, and v5.19): allocate a new domain for the
 *   group and attach it (a failure here is hard); check the aperture,
 *   reserved regions and MSI isolation against the container; then try each
 *   existing domain with the same ops and the same enforced coherency,
 *   moving the group over on success and back to the new domain on *any*
 *   failure; keep the new domain only if nothing else took the group.  The
 *   errno of a refused reuse is never looked at.
 *
 * TRY_EXISTING (the 2022 series, patch 5): try each existing domain first;
 *   the incompatible errno means "next", any other errno fails the attach;
 *   only when none fits allocate, attach and replay a new domain; then the
 *   container checks follow, undone with the domain if they fail.
 *
 * Every attempt and decision goes to the trace, so `iommusim demo` and
 * `--trace` can show the story.
 */
#include <errno.h>
#include <string.h>

#include "util/alloc.h"
#include "util/errname.h"
#include "util/log.h"
#include "vfio.h"

#define CPU_PAGE_SIZE 4096ull

/* Tell the trace what the container decided after an attach answer. */
static void decide(struct ims_vfio_type1 *iommu, struct ims_group *group,
		   struct ims_domain *domain, int err, const char *action)
{
	struct ims_trace_event ev = {
		.kind = IMS_TRACE_DECISION, .subsys = "vfio", .group = group,
		.domain = domain, .err = err, .reason = action,
	};
	const char *class = !err ? "" : ims_err_is_soft(iommu->env->core, err) ? " (soft)" : " (hard)";

	if (!ims_tracing(iommu->env->core))
		return;
	ims_trace(iommu->env->core, &ev, "vfio: group %u -> domain %u: %s%s, %s", group->id,
		  domain ? domain->id : 0, ims_errname(err), class, action);
}

static struct ims_vfio_iommu_group *find_group(struct ims_vfio_type1 *iommu,
					       struct ims_group *group,
					       struct ims_vfio_domain **out)
{
	struct ims_vfio_domain *d;
	struct ims_vfio_iommu_group *g;

	ims_list_for_each_entry(d, &iommu->domains, node) {
		ims_list_for_each_entry(g, &d->groups, node) {
			if (g->group == group) {
				if (out)
					*out = d;
				return g;
			}
		}
	}
	return NULL;
}

static bool aperture_conflict(struct ims_vfio_type1 *iommu, const struct ims_domain *domain)
{
	const struct ims_vfio_iova_list *l = &iommu->iova;
	uint64_t start = domain->geometry.aperture_start, end = domain->geometry.aperture_end;
	uint64_t first = l->nr ? l->r[0].start : 0, last = l->nr ? l->r[l->nr - 1].last : 0;

	if (!l->nr)
		return false;
	if (start > last || end < first)
		return true;
	if (start > first && ims_vfio_find_dma(iommu, first, start - 1))
		return true;
	return end < last && ims_vfio_find_dma(iommu, end + 1, last);
}

static bool resv_conflict(struct ims_vfio_type1 *iommu, const struct ims_resv_list *resv)
{
	for (size_t i = 0; i < resv->nr; i++) {
		const struct ims_resv_region *r = &resv->regions[i];

		if (r->type != IMS_RESV_DIRECT_RELAXABLE &&
		    ims_vfio_find_dma(iommu, r->start, r->start + r->length - 1))
			return true;
	}
	return false;
}

/*
 * Steps 7-11: the container-level checks, producing the new IOVA list in
 * @copy.  0, -EINVAL (aperture, reserved overlap, nothing left), -EPERM
 * (MSI not isolated), -ENOMEM.
 */
static int container_checks(struct ims_vfio_type1 *iommu, struct ims_group *group,
			    const struct ims_domain *domain, const struct ims_resv_list *resv,
			    struct ims_vfio_iova_list *copy)
{
	const struct ims_domain_geometry *geo = &domain->geometry;
	int ret;

	if (aperture_conflict(iommu, domain))
		return -EINVAL;
	if (resv_conflict(iommu, resv))
		return -EINVAL;
	ret = ims_vfio_iova_copy(&iommu->iova, copy);
	if (!ret)
		ret = ims_vfio_iova_resize(copy, geo->aperture_start, geo->aperture_end);
	if (!ret)
		ret = ims_vfio_iova_exclude(copy, resv);
	if (ret)
		return ret;
	if (!iommu->env->allow_unsafe_interrupts && !ims_group_has_isolated_msi(group)) {
		ims_attach_reason("interrupts of group %u are not isolated", group->id);
		return -EPERM;
	}
	return 0;
}

/* vfio_test_domain_fgsp: does unmapping one page of two leave the other? */
static void test_fgsp(struct ims_vfio_domain *d, const struct ims_vfio_iova_list *regions)
{
	static _Alignas(8192) char pages[2 * CPU_PAGE_SIZE];

	for (size_t i = 0; i < regions->nr; i++) {
		uint64_t start = (regions->r[i].start + 2 * CPU_PAGE_SIZE - 1) & ~(2 * CPU_PAGE_SIZE - 1);

		if (start >= regions->r[i].last || regions->r[i].last - start < 2 * CPU_PAGE_SIZE)
			continue;
		if (!ims_iommu_map(d->domain, start, (uint64_t)(uintptr_t)pages, 2 * CPU_PAGE_SIZE,
				   IMS_PROT_READ | IMS_PROT_WRITE | IMS_PROT_CACHE)) {
			if (ims_iommu_unmap(d->domain, start, CPU_PAGE_SIZE) == CPU_PAGE_SIZE)
				ims_iommu_unmap(d->domain, start + CPU_PAGE_SIZE, CPU_PAGE_SIZE);
			else
				d->fgsp = true;
		}
		break;
	}
}

static struct ims_domain *alloc_domain(struct ims_vfio_type1 *iommu, struct ims_group *group)
{
	struct ims_device *dev = ims_group_first_device(group);
	struct ims_domain *domain = ims_paging_domain_alloc(dev, 0);

	/* Before v6.11 iommu_domain_alloc(bus) returned NULL and VFIO said EIO. */
	if (IS_ERR(domain) && !iommu->env->core->facts->alloc_for_device)
		return ERR_PTR(-EIO);
	return domain;
}

static struct ims_vfio_domain *new_vfio_domain(struct ims_domain *domain)
{
	struct ims_vfio_domain *d = ims_zalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->domain = domain;
	ims_list_init(&d->groups);
	return d;
}

/* Step 16-17 tail shared by both algorithms: make the new domain live. */
static int commit_new_domain(struct ims_vfio_type1 *iommu, struct ims_vfio_domain *d,
			     const struct ims_vfio_iova_list *regions)
{
	int ret;

	test_fgsp(d, regions);
	ret = ims_iopt_add_domain(&iommu->iopt, d->domain);
	if (ret)
		return ret;
	ims_list_add(&d->node, &iommu->domains);
	ims_vfio_update_pgsize_bitmap(iommu);
	return 0;
}

static void join(struct ims_vfio_domain *d, struct ims_vfio_iommu_group *g)
{
	ims_list_add(&g->node, &d->groups);
}

/* Step 13: try existing domains of equal ops and coherency. */
static struct ims_vfio_domain *try_reuse(struct ims_vfio_type1 *iommu, struct ims_group *group,
					 struct ims_vfio_domain *fresh, int *err)
{
	struct ims_vfio_domain *d;

	*err = 0;
	ims_list_for_each_entry(d, &iommu->domains, node) {
		if (d->domain->ops != fresh->domain->ops ||
		    d->enforce_cache_coherency != fresh->enforce_cache_coherency) {
			decide(iommu, group, d->domain, 0, d->domain->ops != fresh->domain->ops ?
			       "not tried: another driver's domain" :
			       "not tried: its enforced cache coherency differs");
			continue;
		}
		ims_detach_group(fresh->domain, group);
		*err = ims_attach_group(d->domain, group);
		if (!*err) {
			decide(iommu, group, d->domain, 0, "shares the existing domain");
			return d;
		}
		decide(iommu, group, d->domain, *err, "back to its new domain");
		*err = ims_attach_group(fresh->domain, group);
		if (*err)
			return NULL;
	}
	return NULL;
}

static int attach_alloc_first(struct ims_vfio_type1 *iommu, struct ims_group *group,
			      struct ims_vfio_iommu_group *g, const struct ims_resv_list *resv)
{
	struct ims_vfio_iova_list copy = { 0 };
	struct ims_vfio_domain *fresh, *reused;
	struct ims_domain *domain = alloc_domain(iommu, group);
	int ret;

	if (IS_ERR(domain))
		return (int)PTR_ERR(domain);
	ret = ims_attach_group(domain, group);
	if (ret) {
		decide(iommu, group, domain, ret, "the new domain refused it: attach fails");
		goto out_free_domain;
	}
	ret = container_checks(iommu, group, domain, resv, &copy);
	if (ret) {
		decide(iommu, group, domain, ret, "the container refuses the domain: attach fails");
		goto out_detach;
	}
	fresh = new_vfio_domain(domain);
	ret = fresh ? 0 : -ENOMEM;
	if (ret)
		goto out_detach;
	fresh->enforce_cache_coherency = ims_domain_enforce_cache_coherency(domain);
	reused = try_reuse(iommu, group, fresh, &ret);
	if (reused) {
		join(reused, g);
		ims_free(fresh);
		ims_domain_free(domain);
		goto out_commit;
	}
	if (ret)
		goto out_free_fresh;
	ret = commit_new_domain(iommu, fresh, &copy);
	if (ret) {
		decide(iommu, group, domain, ret, "replaying the mappings failed: attach fails");
		goto out_free_fresh;
	}
	decide(iommu, group, domain, 0, "keeps the new domain");
	join(fresh, g);
out_commit:
	ims_vfio_iova_free(&iommu->iova);
	iommu->iova = copy;
	return 0;

out_free_fresh:
	ims_free(fresh);
out_detach:
	ims_detach_group(domain, group);
out_free_domain:
	ims_vfio_iova_free(&copy);
	ims_domain_free(domain);
	return ret;
}

/* The series' loop: existing domains first, the incompatible errno means next. */
static struct ims_vfio_domain *seed_try_existing(struct ims_vfio_type1 *iommu,
						 struct ims_group *group, int *err)
{
	struct ims_vfio_domain *d;

	*err = 0;
	ims_list_for_each_entry(d, &iommu->domains, node) {
		*err = ims_attach_group(d->domain, group);
		if (!*err) {
			decide(iommu, group, d->domain, 0, "shares the existing domain");
			return d;
		}
		if (ims_err_is_soft(iommu->env->core, *err)) {
			decide(iommu, group, d->domain, *err, "incompatible, trying the next domain");
			continue;
		}
		decide(iommu, group, d->domain, *err, "hard failure: attach fails");
		return NULL;
	}
	*err = 0;
	return NULL;
}

static struct ims_vfio_domain *seed_alloc_attach(struct ims_vfio_type1 *iommu,
						 struct ims_group *group, int *err)
{
	struct ims_domain *domain = alloc_domain(iommu, group);
	struct ims_vfio_domain *d;

	*err = IS_ERR(domain) ? (int)PTR_ERR(domain) : ims_attach_group(domain, group);
	if (*err) {
		if (!IS_ERR(domain))
			ims_domain_free(domain);
		return NULL;
	}
	d = new_vfio_domain(domain);
	if (!d) {
		*err = -ENOMEM;
		goto out_detach;
	}
	d->enforce_cache_coherency = ims_domain_enforce_cache_coherency(domain);
	*err = commit_new_domain(iommu, d, &iommu->iova);
	if (*err)
		decide(iommu, group, domain, *err, "replaying the mappings failed: attach fails");
	if (!*err) {
		decide(iommu, group, domain, 0, "no domain fit: allocated a new one");
		return d;
	}
	ims_free(d);
out_detach:
	ims_detach_group(domain, group);
	ims_domain_free(domain);
	return NULL;
}

/* vfio_iommu_detach_destroy_domain, for the seed's error path and detach. */
static void detach_destroy(struct ims_vfio_type1 *iommu, struct ims_vfio_domain *d,
			   struct ims_vfio_iommu_group *g)
{
	ims_detach_group(d->domain, g->group);
	ims_list_del(&g->node);
	if (ims_list_empty(&d->groups)) {
		if (ims_list_is_singular(&iommu->domains)) {
			struct ims_itree_node *n;

			while ((n = ims_itree_first(&iommu->iopt.areas)))
				ims_vfio_remove_dma(iommu, ims_container_of(n, struct ims_vfio_dma,
									    area.node));
		}
		ims_iopt_remove_domain(&iommu->iopt, d->domain);
		ims_list_del(&d->node);
		ims_domain_free(d->domain);
		ims_free(d);
		ims_vfio_update_pgsize_bitmap(iommu);
	}
}

static int attach_try_existing(struct ims_vfio_type1 *iommu, struct ims_group *group,
			       struct ims_vfio_iommu_group *g, const struct ims_resv_list *resv)
{
	struct ims_vfio_iova_list copy = { 0 };
	struct ims_vfio_domain *d;
	int ret;

	d = seed_try_existing(iommu, group, &ret);
	if (!d && !ret)
		d = seed_alloc_attach(iommu, group, &ret);
	if (!d)
		return ret;
	join(d, g);
	ret = container_checks(iommu, group, d->domain, resv, &copy);
	if (ret) {
		decide(iommu, group, d->domain, ret, "container checks failed: undone");
		detach_destroy(iommu, d, g);
		ims_vfio_iova_free(&copy);
		return ret;
	}
	ims_vfio_iova_free(&iommu->iova);
	iommu->iova = copy;
	return 0;
}

int ims_vfio_type1_attach_group(struct ims_vfio_type1 *iommu, struct ims_group *group)
{
	const struct ims_profile_facts *facts = iommu->env->core->facts;
	struct ims_vfio_iommu_group *g;
	struct ims_resv_list resv;
	int ret;

	ims_mutex_lock(&iommu->lock);
	ret = iommu->vaddr_invalid_count ? -EBUSY : find_group(iommu, group, NULL) ? -EINVAL : 0;
	g = ret ? NULL : ims_zalloc(sizeof(*g));
	if (!ret && !g)
		ret = -ENOMEM;
	ims_resv_list_init(&resv);
	if (!ret)
		ret = ims_group_get_resv_regions(group, &resv);
	if (!ret) {
		g->group = group;
		ret = facts->type1_attach == IMS_TYPE1_ALLOC_FIRST ?
		      attach_alloc_first(iommu, group, g, &resv) :
		      attach_try_existing(iommu, group, g, &resv);
	}
	if (ret)
		ims_free(g);
	else
		iommu->num_non_pinned_groups++;
	ims_resv_list_free(&resv);
	ims_mutex_unlock(&iommu->lock);
	return ret;
}

/* vfio_iommu_aper_expand: the aperture after a domain left. */
static void aperture_expand(struct ims_vfio_type1 *iommu, struct ims_vfio_iova_list *copy)
{
	uint64_t start = 0, end = UINT64_MAX;
	struct ims_vfio_domain *d;

	if (!copy->nr)
		return;
	ims_list_for_each_entry(d, &iommu->domains, node) {
		start = IMS_MAX(start, d->domain->geometry.aperture_start);
		end = IMS_MIN(end, d->domain->geometry.aperture_end);
	}
	copy->r[0].start = start;
	copy->r[copy->nr - 1].last = end;
}

/* vfio_iommu_resv_refresh: rebuild @copy from the remaining groups' regions. */
static int resv_refresh(struct ims_vfio_type1 *iommu, struct ims_vfio_iova_list *copy)
{
	struct ims_vfio_domain *d;
	struct ims_vfio_iommu_group *g;
	struct ims_resv_list resv;
	uint64_t start, last;
	int ret = 0;

	if (!copy->nr)
		return -EINVAL;
	ims_resv_list_init(&resv);
	ims_list_for_each_entry(d, &iommu->domains, node)
		ims_list_for_each_entry(g, &d->groups, node)
			if (!ret)
				ret = ims_group_get_resv_regions(g->group, &resv);
	start = copy->r[0].start;
	last = copy->r[copy->nr - 1].last;
	copy->nr = 0;
	if (!ret)
		ret = ims_vfio_iova_resize(copy, start, last);
	if (!ret)
		ret = ims_vfio_iova_exclude(copy, &resv);
	ims_resv_list_free(&resv);
	return ret;
}

void ims_vfio_type1_detach_group(struct ims_vfio_type1 *iommu, struct ims_group *group)
{
	struct ims_vfio_iova_list copy = { 0 };
	struct ims_vfio_domain *d;
	struct ims_vfio_iommu_group *g;
	bool copied;

	ims_mutex_lock(&iommu->lock);
	copied = !ims_vfio_iova_copy(&iommu->iova, &copy);
	g = find_group(iommu, group, &d);
	if (g) {
		bool last_group = ims_list_is_singular(&d->groups);

		detach_destroy(iommu, d, g);
		if (!g->pinned_page_dirty_scope)
			iommu->num_non_pinned_groups--;
		ims_free(g);
		if (last_group)
			aperture_expand(iommu, &copy);
	}
	if (copied && !resv_refresh(iommu, &copy)) {
		ims_vfio_iova_free(&iommu->iova);
		iommu->iova = copy;
	} else {
		ims_vfio_iova_free(&copy);
	}
	ims_mutex_unlock(&iommu->lock);
}
