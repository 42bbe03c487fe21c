// SPDX-License-Identifier: MIT
/*
 * /dev/iommu: every open is a new iommufd context (src/iommufd); its
 * ioctls are the context's; the last close of the file drops the file's
 * reference on the context, which then goes with its objects unless
 * something else still holds it (an access fd of the test interface, a
 * VFIO group that joined it).
 *
 * Also the host's side of iommufd's environment: the test interface's mock
 * IOMMU when the host enables it (ims_host_options.iommufd_test), and the
 * fd services its access objects need (file_iommufd_access.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "host.h"

/* /dev/iommu is a misc device with a dynamic minor; this is ours. */
#define IMS_IOMMUFD_MAJOR 10
#define IMS_IOMMUFD_MINOR 124

static long iommufd_file_ioctl(struct ims_host *host, struct ims_host_file *file,
			       unsigned long cmd, void *arg)
{
	(void)host;
	return ims_iommufd_ioctl(file->obj, cmd, arg);
}

static void iommufd_file_stat(struct ims_host_file *file, struct stat *st)
{
	(void)file;
	st->st_mode = S_IFCHR | 0660;
	st->st_rdev = makedev(IMS_IOMMUFD_MAJOR, IMS_IOMMUFD_MINOR);
}

static void iommufd_file_release(struct ims_host *host, struct ims_host_file *file)
{
	(void)host;
	ims_iommufd_ctx_put(file->obj);
}

const struct ims_file_ops ims_iommufd_fops = {
	.name = "iommufd",
	.ioctl = iommufd_file_ioctl,
	.stat = iommufd_file_stat,
	.release = iommufd_file_release,
};

static int iommufd_open(struct ims_host *host, const char *path, int flags,
			const struct ims_file_ops **ops, void **obj)
{
	struct ims_iommufd_ctx *ictx;

	(void)flags;
	if (strcmp(path, ims_iommufd_paths.prefix))
		return -ENOENT;
	ictx = ims_iommufd_ctx_open(&host->iommufd_env);
	if (IS_ERR(ictx))
		return (int)PTR_ERR(ictx);
	*ops = &ims_iommufd_fops;
	*obj = ictx;
	return 0;
}

const struct ims_path_ops ims_iommufd_paths = {
	.prefix = "/dev/iommu",
	.open = iommufd_open,
};

/* ---- the sysfs view: the misc device and the module parameter ---- */

int ims_host_iommufd_sysfs(struct ims_host *host, struct ims_sysfs *s)
{
	static const char dir[] = "/sys/devices/virtual/misc/iommu";
	int ret = ims_sysfs_own(s, dir);

	if (!ret)
		ret = ims_sysfs_add_file(s, "/sys/devices/virtual/misc/iommu/dev", 0444, "%u:%u\n",
					 IMS_IOMMUFD_MAJOR, IMS_IOMMUFD_MINOR);
	if (!ret)
		ret = ims_sysfs_own(s, "/sys/module/iommufd");
	if (!ret)
		ret = ims_sysfs_add_file(s, "/sys/module/iommufd/parameters/allow_unsafe_interrupts",
					 0644, "%c\n",
					 host->iommufd_env.allow_unsafe_interrupts ? 'Y' : 'N');
	if (!ret)
		ret = ims_sysfs_add_devnode(s, "/dev/iommu", 0660,
					    makedev(IMS_IOMMUFD_MAJOR, IMS_IOMMUFD_MINOR));
	return ret;
}

/* ---- the environment ---- */

static int access_fd_new(void *host, struct ims_test_access *access)
{
	return ims_host_new_file(host, &ims_iommufd_access_fops, access, O_CLOEXEC);
}

static struct ims_test_access *access_fd_get(void *host, int fd, void **file)
{
	struct ims_host_file *f = ims_host_get_file(host, fd);

	if (!f)
		return ERR_PTR(-EBADFD);
	if (f->ops != &ims_iommufd_access_fops) {
		ims_host_put_file(host, f);
		return ERR_PTR(-EBADFD);
	}
	*file = f;
	return f->obj;
}

static void access_fd_put(void *host, void *file)
{
	ims_host_put_file(host, file);
}

static void fd_close(void *host, int fd)
{
	ims_close(host, fd);
}

int ims_host_iommufd_init(struct ims_host *host)
{
	struct ims_iommufd_env *env = &host->iommufd_env;
	int ret = 0;

	*env = (struct ims_iommufd_env){
		.core = host->core,
		.mm = &host->mm,
		.allow_unsafe_interrupts = host->params.opts.allow_unsafe_interrupts,
		.access_fd_new = access_fd_new,
		.access_fd_get = access_fd_get,
		.access_fd_put = access_fd_put,
		.fd_close = fd_close,
		.host = host,
	};
	ret = ims_iommufd_registry_create(&env->registry);
	if (!ret && host->params.opts.iommufd_test)
		ret = ims_iommufd_selftest_create(host->core, &env->selftest);
	return ret;
}

void ims_host_iommufd_fini(struct ims_host *host)
{
	ims_iommufd_selftest_destroy(host->iommufd_env.selftest);
	host->iommufd_env.selftest = NULL;
	ims_iommufd_registry_destroy(host->iommufd_env.registry);
	host->iommufd_env.registry = NULL;
}
