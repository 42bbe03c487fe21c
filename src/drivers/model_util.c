// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the driver models (see model_util.h).
 */
#include "model_util.h"

#include <errno.h>

#include "util/alloc.h"

int ims_model_register(struct ims_core *core, const char *name, const struct ims_iommu_ops *ops,
		       void *priv, struct ims_iommu **self, struct ims_iommu **out)
{
	int ret = ims_iommu_register(core, name, ops, priv, ims_free, self);

	if (ret) {
		ims_free(priv);
		return ret;
	}
	if (out)
		*out = *self;
	return 0;
}

int ims_matrix_attach_failing(struct ims_core *core, const char *name, unsigned long nth)
{
	struct ims_device *dev = ims_device_find(core, name);
	struct ims_domain *domain;
	int ret;

	if (!dev || !dev->group)
		return -ENODEV;
	domain = ims_paging_domain_alloc(dev, 0);
	if (IS_ERR(domain))
		return (int)PTR_ERR(domain);
	ims_fail_nth_set(nth);
	ret = ims_attach_group(domain, dev->group);
	ims_fail_nth_set(0);
	if (!ret)
		ims_detach_group(domain, dev->group);
	ims_domain_free(domain);
	return ret;
}
