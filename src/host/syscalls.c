// SPDX-License-Identifier: MIT
/*
 * The system-call surface of a host (see include/iommusim/host.h).
 *
 * Each open returns a real fd (a memfd, so that it can be polled, passed,
 * inherited and mmapped) registered in the fd table.  Calls on an fd look up
 * its file under host->lock, take a reference, drop the lock, and run the
 * file's op (file.h); the last reference releases the object.  The paths a
 * host owns are served by the kinds listed in path_kinds[].
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "host.h"
#include "util/alloc.h"
#include "util/err.h"

static const struct ims_path_ops *const path_kinds[] = {
	&ims_vfio_cdev_paths,
	&ims_vfio_paths,
	&ims_iommufd_paths,
	NULL,
};

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

/* Keep fd_bits in step with the table (host->lock). */
static void mark_fd(struct ims_host *host, int fd, bool set)
{
	const size_t per = 8 * sizeof(unsigned long);
	unsigned long bit;

	ims_assert_held(&host->lock);
	if (fd >= IMS_HOST_FD_BITS)
		return;
	bit = 1ul << ((size_t)fd % per);
	if (set)
		__atomic_fetch_or(&host->fd_bits[(size_t)fd / per], bit, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&host->fd_bits[(size_t)fd / per], ~bit, __ATOMIC_RELEASE);
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
		mark_fd(host, fd, true);
	}
	ims_mutex_unlock(&host->lock);
	return ret;
}

struct ims_host_file *ims_host_get_file(struct ims_host *host, int fd)
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

void ims_host_put_file(struct ims_host *host, struct ims_host_file *file)
{
	bool last;

	ims_mutex_lock(&host->lock);
	last = --file->refs == 0;
	ims_mutex_unlock(&host->lock);
	if (!last)
		return;
	if (file->ops->release)
		file->ops->release(host, file);
	ims_free(file);
}

int ims_host_new_file(struct ims_host *host, const struct ims_file_ops *ops, void *obj,
		      int flags)
{
	struct ims_host_file *file = ims_zalloc(sizeof(*file));
	int fd, ret;

	if (!file)
		return -ENOMEM;
	file->ops = ops;
	file->obj = obj;
	fd = memfd_create(ops->name, flags & O_CLOEXEC ? MFD_CLOEXEC : 0);
	if (fd < 0) {
		ret = -errno;
		ims_free(file);
		return ret;
	}
	file->memfd = fd;
	ret = install(host, fd, file);
	if (ret) {
		close(fd);
		ims_free(file);
		return ret;
	}
	return fd;
}

IMS_EXPORT int ims_open(struct ims_host *host, const char *path, int flags)
{
	if (!host || !path)
		return -EFAULT;
	for (size_t i = 0; path_kinds[i]; i++) {
		const struct ims_path_ops *k = path_kinds[i];
		const struct ims_file_ops *ops;
		void *obj;
		int ret, fd;

		if (strncmp(path, k->prefix, strlen(k->prefix)))
			continue;
		ret = k->open(host, path, flags, &ops, &obj);
		if (ret == -ENOENT)
			continue;
		if (ret)
			return ret;
		fd = ims_host_new_file(host, ops, obj, flags);
		if (fd < 0 && ops->release) {
			struct ims_host_file tmp = { .ops = ops, .obj = obj };

			ops->release(host, &tmp);
		}
		return fd;
	}
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
		mark_fd(host, fd, false);
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
	ims_host_put_file(host, file);
	return 0;
}

IMS_EXPORT bool ims_host_owns_fd(struct ims_host *host, int fd)
{
	const size_t per = 8 * sizeof(unsigned long);
	bool owned;

	if (fd >= 0 && fd < IMS_HOST_FD_BITS)
		return __atomic_load_n(&host->fd_bits[(size_t)fd / per], __ATOMIC_ACQUIRE) &
		       (1ul << ((size_t)fd % per));
	ims_mutex_lock(&host->lock);
	owned = fd >= 0 && fd < host->nr_files && host->files[fd];
	ims_mutex_unlock(&host->lock);
	return owned;
}

IMS_EXPORT int ims_dup(struct ims_host *host, int fd, int newfd, int flags)
{
	struct ims_host_file *file = ims_host_get_file(host, fd), *old;
	int ret;

	if (!file)
		return -EBADF;
	if (newfd < 0)
		ret = fcntl(fd, flags & O_CLOEXEC ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
	else
		ret = fd == newfd ? newfd : dup3(fd, newfd, flags & O_CLOEXEC);
	if (ret < 0 || ret == fd) {
		ims_host_put_file(host, file);
		return ret < 0 ? -errno : ret;
	}
	old = take_fd(host, ret); /* dup2 over one of ours closes it */
	if (old)
		ims_host_put_file(host, old);
	if (install(host, ret, file)) {
		close(ret);
		ims_host_put_file(host, file);
		return -ENOMEM;
	}
	ims_host_put_file(host, file);
	return ret;
}

IMS_EXPORT int ims_fstat(struct ims_host *host, int fd, struct stat *st)
{
	struct ims_host_file *file = ims_host_get_file(host, fd);

	if (!file)
		return -EBADF;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	if (file->ops->stat)
		file->ops->stat(file, st);
	ims_host_put_file(host, file);
	return 0;
}

IMS_EXPORT long ims_ioctl(struct ims_host *host, int fd, unsigned long cmd, void *arg)
{
	struct ims_host_file *file = ims_host_get_file(host, fd);
	long ret;

	if (!file)
		return -EBADF;
	ret = file->ops->ioctl ? file->ops->ioctl(host, file, cmd, arg) : -ENOTTY;
	ims_host_put_file(host, file);
	return ret;
}

/* read/write at an explicit position (@pos) or at the file's (NULL). */
static ssize_t do_rw(struct ims_host *host, int fd, void *buf, size_t count,
		     int64_t *pos, bool write)
{
	struct ims_host_file *file = ims_host_get_file(host, fd);
	ssize_t ret;

	if (!file)
		return -EBADF;
	if (write)
		ret = file->ops->write ? file->ops->write(host, file, buf, count,
							  pos ? pos : &file->pos) : -EINVAL;
	else
		ret = file->ops->read ? file->ops->read(host, file, buf, count,
							pos ? pos : &file->pos) : -EINVAL;
	ims_host_put_file(host, file);
	return ret;
}

IMS_EXPORT ssize_t ims_read(struct ims_host *host, int fd, void *buf, size_t count)
{
	return do_rw(host, fd, buf, count, NULL, false);
}

IMS_EXPORT ssize_t ims_write(struct ims_host *host, int fd, const void *buf, size_t count)
{
	return do_rw(host, fd, (void *)buf, count, NULL, true);
}

IMS_EXPORT ssize_t ims_pread(struct ims_host *host, int fd, void *buf, size_t count,
			     off_t offset)
{
	int64_t pos = offset;

	return offset < 0 ? -EINVAL : do_rw(host, fd, buf, count, &pos, false);
}

IMS_EXPORT ssize_t ims_pwrite(struct ims_host *host, int fd, const void *buf, size_t count,
			      off_t offset)
{
	int64_t pos = offset;

	return offset < 0 ? -EINVAL : do_rw(host, fd, (void *)buf, count, &pos, true);
}

IMS_EXPORT int ims_mmap_check(struct ims_host *host, int fd, uint64_t offset, size_t length,
			      int prot)
{
	struct ims_host_file *file = ims_host_get_file(host, fd);
	int ret;

	if (!file)
		return -EBADF;
	ret = file->ops->mmap ? file->ops->mmap(host, file, offset, length, prot) : -ENODEV;
	ims_host_put_file(host, file);
	return ret;
}
