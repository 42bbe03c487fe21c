// SPDX-License-Identifier: MIT
/*
 * The vIOMMU family of commands as a context answers them when no driver
 * of the platform implements virtual IOMMUs (kernel viommu.c and
 * hw_pagetable.c's invalidate), which is every driver modelled so far,
 * the test interface's mock driver included (docs/iommufd.md, "Limits"):
 *
 *   VIOMMU_ALLOC     flags or type DEFAULT: EOPNOTSUPP; unknown device:
 *                    ENOENT; then EOPNOTSUPP (the driver has no
 *                    viommu_init)
 *   VDEVICE_ALLOC    the vIOMMU named cannot exist: ENOENT
 *   HWPT_INVALIDATE  __reserved: EOPNOTSUPP; entries without a buffer or
 *                    an entry size: EINVAL; unknown ID: ENOENT; any object
 *                    that is neither a nested HWPT nor a vIOMMU: EINVAL;
 *                    entry_num comes back as the entries handled (0), on
 *                    every path as in the kernel.
 *
 * The size rules of all three are the dispatcher's (main.c), so programs
 * probing the ABI see the kernel's EINVAL / E2BIG answers.
 */
#include <errno.h>

#include "iommufd-priv.h"

int ims_viommu_alloc_ioctl(struct ims_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	struct ims_iommufd_device *idev;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	idev = ims_idev_get(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	ims_obj_put(ucmd->ictx, &idev->obj);
	return -EOPNOTSUPP;
}

int ims_vdevice_alloc_ioctl(struct ims_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct ims_obj *viommu = ims_obj_get(ucmd->ictx, cmd->viommu_id, IMS_OBJ_VIOMMU);

	/* No vIOMMU object is ever created here: the lookup cannot succeed. */
	if (!IS_ERR(viommu)) {
		ims_obj_put(ucmd->ictx, viommu);
		return -EOPNOTSUPP;
	}
	return (int)PTR_ERR(viommu);
}

static int invalidate(struct ims_ucmd *ucmd, struct iommu_hwpt_invalidate *cmd)
{
	struct ims_obj *pt;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len))
		return -EINVAL;
	pt = ims_obj_get(ucmd->ictx, cmd->hwpt_id, IMS_OBJ_ANY);
	if (IS_ERR(pt))
		return (int)PTR_ERR(pt);
	/* Only nested HWPTs and vIOMMUs take invalidations; none exists here. */
	ims_obj_put(ucmd->ictx, pt);
	return -EINVAL;
}

int ims_hwpt_invalidate(struct ims_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	int ret = invalidate(ucmd, cmd);

	cmd->entry_num = 0;
	if (ims_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return ret;
}
