// SPDX-License-Identifier: MIT
/*
 * The system-call surface of a host (see include/iommusim/host.h).
 *
 * Paths the host owns:
 *   /dev/vfio/vfio     a new VFIO container
 *   /dev/vfio/<N>      the VFIO group of iommu_group N (ENOENT when no device
 *                      of the group is bound to a VFIO driver, EBUSY while
 *                      already open)
 *
 * Each open returns a real fd (a memfd, so that it can be polled, passed,
 * inherited and mmapped) registered in the fd table.  Calls on an fd look up
 * its file under host->lock, take a reference, drop the lock, and run the
 * object's handler; the last reference releases the object.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "host.h"
#include "util/err.h"
#include "util/alloc.h"
#include "util/uaccess.h"

static int grow_table(struct ims_host *host, int fd)
{
	int n = host->nr_files ? host->nr_files : 64;
	struct ims_host_file **files;

	while (n <= fd)
		n *= 2;
	files = ims_realloc_array(host->files, (size_t)n, sizeof(*files));
	if (!files)
		return -ENOMEM;
	memset(files + host->nr_files, 0, (size_t)(n - host->nr_files) * sizeof(*files));
	host->files = files;
	host->nr_files = n;
	return 0;
}

/* Put @file at @fd (which the table does not hold yet). */
static int install(struct ims_host *host, int fd, struct ims_host_file *file)
{
	int ret = 0;

	ims_mutex_lock(&host->lock);
	if (fd >= host->nr_files)
		ret = grow_table(host, fd);
	if (!ret) {
		host->files[fd] = file;
		file->refs++;
	}
	ims_mutex_unlock(&host->lock);
	return ret;
}

static struct ims_host_file *get_file(struct ims_host *host, int fd)
{
	struct ims_host_file *file = NULL;

	ims_mutex_lock(&host->lock);
	if (fd >= 0 && fd < host->nr_files && host->files[fd]) {
		file = host->files[fd];
		file->refs++;
	}
	ims_mutex_unlock(&host->lock);
	return file;
}

static void release_file(struct ims_host_file *file)
{
	switch (file->kind) {
	case IMS_FILE_CONTAINER:
		ims_vfio_container_put(file->obj);
		break;
	case IMS_FILE_GROUP:
		ims_vfio_group_release(file->obj);
		break;
	}
	ims_free(file);
}

static void put_file(struct ims_host *host, struct ims_host_file *file)
{
	bool last;

	ims_mutex_lock(&host->lock);
	last = --file->refs == 0;
	ims_mutex_unlock(&host->lock);
	if (last)
		release_file(file);
}

static int new_fd(enum ims_file_kind kind, int flags)
{
	static const char *const names[] = {
		[IMS_FILE_CONTAINER] = "iommusim:vfio",
		[IMS_FILE_GROUP] = "iommusim:vfio-group",
	};
	int fd = memfd_create(names[kind], flags & O_CLOEXEC ? MFD_CLOEXEC : 0);

	return fd < 0 ? -errno : fd;
}

/* Create the file for @obj and its fd; on failure @obj is not consumed. */
static int open_file(struct ims_host *host, enum ims_file_kind kind, void *obj, int flags)
{
	struct ims_host_file *file = ims_zalloc(sizeof(*file));
	int fd, ret;

	if (!file)
		return -ENOMEM;
	file->kind = kind;
	file->obj = obj;
	fd = new_fd(kind, flags);
	if (fd < 0) {
		ims_free(file);
		return fd;
	}
	ret = install(host, fd, file);
	if (ret) {
		close(fd);
		ims_free(file);
		return ret;
	}
	return fd;
}

static int open_container(struct ims_host *host, int flags)
{
	struct ims_vfio_container *c = ims_vfio_container_open(&host->vfio_env);
	int fd;

	if (!c)
		return -ENOMEM;
	fd = open_file(host, IMS_FILE_CONTAINER, c, flags);
	if (fd < 0)
		ims_vfio_container_put(c);
	return fd;
}

static int open_group(struct ims_host *host, const char *num, int flags)
{
	struct ims_vfio_group *vg;
	char *end;
	unsigned long id = strtoul(num, &end, 10);
	char canon[16];
	int ret, fd;

	snprintf(canon, sizeof(canon), "%lu", id);
	if (*end || strcmp(canon, num) || id > UINT32_MAX)
		return -ENOENT;
	vg = ims_host_vfio_group(host, (uint32_t)id);
	if (!vg)
		return -ENOENT;
	ret = ims_vfio_group_open(vg);
	if (ret)
		return ret;
	fd = open_file(host, IMS_FILE_GROUP, vg, flags);
	if (fd < 0)
		ims_vfio_group_release(vg);
	return fd;
}

IMS_EXPORT int ims_open(struct ims_host *host, const char *path, int flags)
{
	static const char vfio_dir[] = "/dev/vfio/";

	if (!host || !path)
		return -EFAULT;
	if (!strcmp(path, "/dev/vfio/vfio"))
		return open_container(host, flags);
	if (!strncmp(path, vfio_dir, sizeof(vfio_dir) - 1))
		return open_group(host, path + sizeof(vfio_dir) - 1, flags);
	return -ENOENT;
}

/* Forget @fd in the table; returns its file (one reference passes to the caller). */
static struct ims_host_file *take_fd(struct ims_host *host, int fd)
{
	struct ims_host_file *file = NULL;

	ims_mutex_lock(&host->lock);
	if (fd >= 0 && fd < host->nr_files) {
		file = host->files[fd];
		host->files[fd] = NULL;
	}
	ims_mutex_unlock(&host->lock);
	return file;
}

IMS_EXPORT int ims_close(struct ims_host *host, int fd)
{
	struct ims_host_file *file = take_fd(host, fd);

	if (!file)
		return -EBADF;
	close(fd);
	put_file(host, file);
	return 0;
}

IMS_EXPORT bool ims_host_owns_fd(struct ims_host *host, int fd)
{
	bool owned;

	ims_mutex_lock(&host->lock);
	owned = fd >= 0 && fd < host->nr_files && host->files[fd];
	ims_mutex_unlock(&host->lock);
	return owned;
}

IMS_EXPORT int ims_dup(struct ims_host *host, int fd, int newfd, int flags)
{
	struct ims_host_file *file = get_file(host, fd), *old;
	int ret;

	if (!file)
		return -EBADF;
	if (newfd < 0)
		ret = fcntl(fd, flags & O_CLOEXEC ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
	else
		ret = fd == newfd ? newfd : dup3(fd, newfd, flags & O_CLOEXEC);
	if (ret < 0 || ret == fd) {
		put_file(host, file);
		return ret < 0 ? -errno : ret;
	}
	old = take_fd(host, ret); /* dup2 over one of ours closes it */
	if (old)
		put_file(host, old);
	if (install(host, ret, file)) {
		close(ret);
		put_file(host, file);
		return -ENOMEM;
	}
	put_file(host, file);
	return ret;
}

IMS_EXPORT int ims_fstat(struct ims_host *host, int fd, struct stat *st)
{
	struct ims_host_file *file = get_file(host, fd);

	if (!file)
		return -EBADF;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0666;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	if (file->kind == IMS_FILE_CONTAINER) {
		st->st_rdev = makedev(IMS_VFIO_CONTAINER_MAJOR, IMS_VFIO_CONTAINER_MINOR);
	} else {
		struct ims_vfio_group *vg = file->obj;

		st->st_mode = S_IFCHR | 0600;
		st->st_rdev = makedev(IMS_VFIO_GROUP_MAJOR, vg->group->id);
	}
	put_file(host, file);
	return 0;
}

static long group_set_container(struct ims_host *host, struct ims_vfio_group *vg, void *arg)
{
	struct ims_host_file *cfile;
	int32_t cfd;
	long ret;

	if (ims_copy_from_user(&cfd, arg, sizeof(cfd)))
		return -EFAULT;
	if (cfd < 0)
		return -EINVAL;
	cfile = get_file(host, cfd);
	if (!cfile)
		return fcntl(cfd, F_GETFD) < 0 ? -EBADF : -EBADFD;
	ret = cfile->kind == IMS_FILE_CONTAINER ? ims_vfio_group_set_container(vg, cfile->obj)
						: -EBADFD;
	put_file(host, cfile);
	return ret;
}

static long group_ioctl(struct ims_host *host, struct ims_vfio_group *vg, unsigned long cmd,
			void *arg)
{
	switch (cmd) {
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

IMS_EXPORT long ims_ioctl(struct ims_host *host, int fd, unsigned long cmd, void *arg)
{
	struct ims_host_file *file = get_file(host, fd);
	long ret;

	if (!file)
		return -EBADF;
	switch (file->kind) {
	case IMS_FILE_CONTAINER:
		ret = ims_vfio_container_ioctl(file->obj, cmd, arg);
		break;
	case IMS_FILE_GROUP:
		ret = group_ioctl(host, file->obj, cmd, arg);
		break;
	default:
		ret = -ENOTTY;
	}
	put_file(host, file);
	return ret;
}
