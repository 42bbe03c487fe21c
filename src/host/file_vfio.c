// SPDX-License-Identifier: MIT
/*
 * VFIO's files: /dev/vfio/vfio (a new container per open) and
 * /dev/vfio/<N> (the VFIO group of iommu_group N: ENOENT when no device of
 * the group is bound to a VFIO driver, EBUSY while already open).
 *
 * The group's ioctls that name other fds (SET_CONTAINER) are resolved here,
 * where the fd table is known; everything else is the VFIO layer's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "host.h"
#include "util/uaccess.h"

static long container_ioctl(struct ims_host *host, struct ims_host_file *file,
			    unsigned long cmd, void *arg)
{
	(void)host;
	return ims_vfio_container_ioctl(file->obj, cmd, arg);
}

static void container_stat(struct ims_host_file *file, struct stat *st)
{
	(void)file;
	st->st_mode = S_IFCHR | 0666;
	st->st_rdev = makedev(IMS_VFIO_CONTAINER_MAJOR, IMS_VFIO_CONTAINER_MINOR);
}

static void container_release(struct ims_host *host, struct ims_host_file *file)
{
	(void)host;
	ims_vfio_container_put(file->obj);
}

const struct ims_file_ops ims_vfio_container_fops = {
	.name = "vfio",
	.ioctl = container_ioctl,
	.stat = container_stat,
	.release = container_release,
};

static long group_set_container(struct ims_host *host, struct ims_vfio_group *vg, void *arg)
{
	struct ims_host_file *cfile;
	int32_t cfd;
	long ret;

	if (ims_copy_from_user(&cfd, arg, sizeof(cfd)))
		return -EFAULT;
	if (cfd < 0)
		return -EINVAL;
	cfile = ims_host_get_file(host, cfd);
	if (!cfile)
		return fcntl(cfd, F_GETFD) < 0 ? -EBADF : -EBADFD;
	if (cfile->ops == &ims_vfio_container_fops)
		ret = ims_vfio_group_set_container(vg, cfile->obj);
	else if (cfile->ops == &ims_iommufd_fops)
		ret = ims_vfio_group_set_iommufd(vg, cfile->obj);
	else
		ret = -EBADFD;
	ims_host_put_file(host, cfile);
	return ret;
}

static long group_ioctl(struct ims_host *host, struct ims_host_file *file, unsigned long cmd,
			void *arg)
{
	struct ims_vfio_group *vg = file->obj;

	switch (cmd) {
	case VFIO_GROUP_GET_DEVICE_FD:
		return ims_vfio_group_get_device_fd(host, file, arg);
	case VFIO_GROUP_GET_STATUS:
		return ims_vfio_group_get_status(vg, arg);
	case VFIO_GROUP_SET_CONTAINER:
		return group_set_container(host, vg, arg);
	case VFIO_GROUP_UNSET_CONTAINER:
		return ims_vfio_group_unset_container(vg);
	default:
		return -ENOTTY;
	}
}

static void group_stat(struct ims_host_file *file, struct stat *st)
{
	struct ims_vfio_group *vg = file->obj;

	st->st_rdev = makedev(IMS_VFIO_GROUP_MAJOR, vg->group->id);
}

static void group_release(struct ims_host *host, struct ims_host_file *file)
{
	(void)host;
	ims_vfio_group_release(file->obj);
}

const struct ims_file_ops ims_vfio_group_fops = {
	.name = "vfio-group",
	.ioctl = group_ioctl,
	.stat = group_stat,
	.release = group_release,
};

static int open_group(struct ims_host *host, const char *num, void **obj)
{
	struct ims_vfio_group *vg;
	char *end, canon[16];
	unsigned long id = strtoul(num, &end, 10);
	int ret;

	snprintf(canon, sizeof(canon), "%lu", id);
	if (*end || strcmp(canon, num) || id > UINT32_MAX)
		return -ENOENT;
	vg = ims_host_vfio_group(host, (uint32_t)id);
	if (!vg)
		return -ENOENT;
	ret = ims_vfio_group_open(vg);
	if (!ret)
		*obj = vg;
	return ret;
}

static int vfio_open(struct ims_host *host, const char *path, int flags,
		     const struct ims_file_ops **ops, void **obj)
{
	const char *name = path + strlen(ims_vfio_paths.prefix);

	(void)flags;
	if (!strcmp(name, "vfio")) {
		*obj = ims_vfio_container_open(&host->vfio_env);
		*ops = &ims_vfio_container_fops;
		return *obj ? 0 : -ENOMEM;
	}
	*ops = &ims_vfio_group_fops;
	return open_group(host, name, obj);
}

const struct ims_path_ops ims_vfio_paths = {
	.prefix = "/dev/vfio/",
	.open = vfio_open,
};
