// SPDX-License-Identifier: MIT
/*
 * The fds of the iommufd test interface's access objects (IOMMU_TEST_CMD
 * CREATE_ACCESS): an emulated in-kernel DMA user, handed out as an fd
 * whose number names it in later test commands.  The fd has no operations
 * of its own; its last close unpins what the access holds and destroys it
 * (and with it the access's reference on the iommufd context).
 */
#include "host.h"

static void access_file_release(struct ims_host *host, struct ims_host_file *file)
{
	(void)host;
	ims_test_access_release(file->obj);
}

const struct ims_file_ops ims_iommufd_access_fops = {
	.name = "[iommufd_test_staccess]",
	.release = access_file_release,
};
