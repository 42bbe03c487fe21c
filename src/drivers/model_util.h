/* SPDX-License-Identifier: MIT */
/*
 * Small helpers the driver models share: registering an instance whose
 * state points back at it, and the fault-injected attach of a fresh
 * domain that some matrix cases use for a driver's allocation failure.
 */
#ifndef IMS_DRIVERS_MODEL_UTIL_H
#define IMS_DRIVERS_MODEL_UTIL_H

#include "core/core.h"

/*
 * Register @priv (freed with ims_free at core destruction) as instance
 * @name of @ops.  *@self, the instance pointer inside @priv, and *@out
 * (when not NULL) name it.  On failure @priv is freed.  0 or -errno.
 */
int ims_model_register(struct ims_core *core, const char *name, const struct ims_iommu_ops *ops,
		       void *priv, struct ims_iommu **self, struct ims_iommu **out);

/*
 * For `iommusim matrix` cases: allocate a fresh paging domain for the
 * group of device @name and attach it while the @nth fault-injection point
 * from there on fails (1: the attach's first allocation).  Cleans up and
 * returns the attach's answer (-ENODEV when the device is missing).
 */
int ims_matrix_attach_failing(struct ims_core *core, const char *name, unsigned long nth);

#endif
