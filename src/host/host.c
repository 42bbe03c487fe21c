// SPDX-License-Identifier: MIT
/*
 * Host creation and teardown (see host.h).
 *
 * Creation builds the core through the caller's callback, then creates a
 * VFIO group for every iommu_group that has a device bound to a VFIO
 * driver.  Destruction closes whatever files are still open (a program that
 * exits without closing), which releases containers and groups and with
 * them every domain VFIO allocated, before the core goes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "util/err.h"
#include "util/alloc.h"

static bool group_has_vfio_device(struct ims_host *host, struct ims_group *group)
{
	struct ims_device *dev;
	bool found = false;

	ims_mutex_lock(&group->mutex);
	ims_group_for_each_device(group, dev)
		found |= host->params.vfio_bound(host, dev, host->params.arg);
	ims_mutex_unlock(&group->mutex);
	return found;
}

static int create_vfio_groups(struct ims_host *host)
{
	struct ims_group *group;
	uint32_t id, max = 0;

	ims_idtable_for_each(&host->core->groups, id, group)
		max = id + 1;
	host->vgroups = ims_calloc(max ? max : 1, sizeof(*host->vgroups));
	if (!host->vgroups)
		return -ENOMEM;
	host->nr_vgroups = max;
	ims_idtable_for_each(&host->core->groups, id, group) {
		if (!group_has_vfio_device(host, group))
			continue;
		host->vgroups[id] = ims_vfio_group_new(&host->vfio_env, group);
		if (!host->vgroups[id])
			return -ENOMEM;
	}
	return 0;
}

static bool ipc_lock_of(const struct ims_host_options *o)
{
	return o->ipc_lock ? o->ipc_lock > 0 : ims_process_has_ipc_lock();
}

int ims_host_create_params(const struct ims_host_params *params, struct ims_host **out)
{
	struct ims_core_config cfg = { .strict = true };
	struct ims_host *host;
	int ret;

	ret = ims_profile_from_name(params->opts.profile ? params->opts.profile : "upstream",
				    &cfg.profile);
	host = ret ? NULL : ims_zalloc(sizeof(*host));
	if (!host) {
		ims_platform_free(params->platform); /* ours from the call on */
		return ret ? ret : -ENOMEM;
	}
	cfg.allow_unsafe_interrupts = params->opts.allow_unsafe_interrupts;
	host->params = *params;
	host->platform = params->platform;
	ims_mutex_init(&host->lock);
	ims_mm_init(&host->mm, ipc_lock_of(&params->opts), params->opts.memlock_limit);
	ret = ims_sysfs_create(host, &host->sysfs);
	if (!ret)
		ret = ims_core_create(&cfg, &host->core);
	if (!ret)
		ret = params->build(host, params->arg);
	host->vfio_env = (struct ims_vfio_env){
		.core = host->core,
		.mm = &host->mm,
		.dma_entry_limit = params->opts.dma_entry_limit ? params->opts.dma_entry_limit :
				   IMS_VFIO_DMA_ENTRY_LIMIT,
		.allow_unsafe_interrupts = params->opts.allow_unsafe_interrupts,
	};
	if (!ret)
		ret = create_vfio_groups(host);
	if (!ret)
		ret = ims_host_iommufd_init(host);
	if (ret) {
		ims_host_destroy(host);
		return ret;
	}
	*out = host;
	return 0;
}

struct platform_build {
	char *err;
	size_t errlen;
};

static int build_from_platform(struct ims_host *host, void *arg)
{
	struct platform_build *b = arg;

	return ims_topo_instantiate(host->platform, host->core, &host->topo, b->err, b->errlen);
}

static bool platform_vfio_bound(struct ims_host *host, struct ims_device *dev, void *arg)
{
	const struct ims_topo_device *d = ims_topo_device_of(host->topo, dev);

	(void)arg;
	return d && d->binding == IMS_TOPO_VFIO;
}

IMS_EXPORT int ims_host_create(const char *platform, const struct ims_host_options *opts,
			       struct ims_host **out, char *err, size_t errlen)
{
	static const struct ims_host_options defaults;
	struct platform_build b = { err, errlen };
	struct ims_host_params p = {
		.opts = opts ? *opts : defaults,
		.build = build_from_platform,
		.vfio_bound = platform_vfio_bound,
		.arg = &b,
	};
	struct ims_platform *plat;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	ret = ims_platform_load(platform ? platform : ims_platform_default(), &plat, err, errlen);
	if (ret)
		return ret;
	p.platform = plat;
	ret = ims_host_create_params(&p, out);
	if (ret == -EINVAL && err && errlen && !err[0])
		snprintf(err, errlen, "unknown profile '%s' (upstream, seed, legacy)",
			 p.opts.profile);
	else if (ret && err && errlen && !err[0])
		snprintf(err, errlen, "cannot create the host: %s", strerror(-ret));
	return ret;
}

struct ims_vfio_group *ims_host_vfio_group(struct ims_host *host, uint32_t id)
{
	return id < host->nr_vgroups ? host->vgroups[id] : NULL;
}

IMS_EXPORT void ims_host_destroy(struct ims_host *host)
{
	if (!host)
		return;
	for (int fd = 0; fd < host->nr_files; fd++)
		if (host->files && host->files[fd])
			ims_close(host, fd);
	ims_sysfs_destroy(host->sysfs);
	for (uint32_t i = 0; i < host->nr_vgroups; i++)
		ims_vfio_group_free(host->vgroups[i]);
	ims_free(host->vgroups);
	ims_free(host->files);
	ims_host_iommufd_fini(host);
	ims_topo_remove(host->topo);
	ims_core_destroy(host->core);
	ims_platform_free(host->platform);
	ims_mm_destroy(&host->mm);
	ims_mutex_destroy(&host->lock);
	ims_free(host);
}
