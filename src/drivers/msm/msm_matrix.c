// SPDX-License-Identifier: MIT
/*
 * The msm IOMMU's compatibility cases for `iommusim matrix`, on the
 * built-in msm8960 platform (src/topo/platforms/msm8960.dts: the display
 * processor's IOMMU with two context banks, the video codec's with one).
 * Both need a second domain to reach the driver while a first is attached,
 * which only a replace does (the core answers EBUSY to a plain attach), so
 * they run their own steps: attach a domain, then replace it.
 *
 *   already-attached   display: attach A (context 0), replace with B
 *                      (context 1: the driver takes 0 for "none"),
 *                      replace with C: the master holds a context, EEXIST
 *                      in every era: left unconverted ("needs a bigger
 *                      change"), a hard answer where the contract wants
 *                      the incompatible errno;
 *   context-exhausted  codec: attach A, replace with B: no free context
 *                      bank, ENODEV: a hard failure, as it should be.
 */
#include <errno.h>

#include "drivers/registry.h"
#include "msm.h"

/* Attach a new domain to @name's group, then replace it @replaces times; the last answer. */
static int attach_then_replace(struct ims_core *core, const char *name, unsigned int replaces)
{
	struct ims_device *dev = ims_device_find(core, name);
	struct ims_domain *domains[4] = { 0 };
	unsigned int n = 0;
	int ret = 0;

	if (!dev || !dev->group || replaces >= IMS_ARRAY_SIZE(domains))
		return -ENODEV;
	for (; n <= replaces && !ret; n++) {
		domains[n] = ims_paging_domain_alloc(dev, 0);
		if (IS_ERR(domains[n])) {
			ret = (int)PTR_ERR(domains[n]);
			domains[n] = NULL;
			break;
		}
		ret = n ? ims_group_replace_domain(dev->group, domains[n]) :
			  ims_attach_group(domains[n], dev->group);
	}
	if (dev->group->domain != dev->group->default_domain)
		ims_detach_group(dev->group->domain, dev->group);
	for (unsigned int i = 0; i < IMS_ARRAY_SIZE(domains); i++)
		ims_domain_free(domains[i]);
	return ret;
}

static int already_attached(struct ims_core *core)
{
	return attach_then_replace(core, "5100000.mdp", 2);
}

static int context_exhausted(struct ims_core *core)
{
	return attach_then_replace(core, "4000000.vidc", 1);
}

const struct ims_matrix_case ims_msm_matrix_cases[] = {
	{
		.name = "already-attached", .platform = "msm8960",
		.incompatible = true, .run = already_attached,
	},
	{
		.name = "context-exhausted", .platform = "msm8960",
		.incompatible = false, .run = context_exhausted,
	},
	{ 0 },
};
