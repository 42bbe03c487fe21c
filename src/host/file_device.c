// SPDX-License-Identifier: MIT
/*
 * VFIO device files opened through a group (VFIO_GROUP_GET_DEVICE_FD):
 * the host's half of drivers/vfio/group.c's vfio_group_ioctl_get_device_fd
 * and vfio_device_open_file.  The device itself is the VFIO layer's
 * (src/vfio/device*.c); this file resolves the name among the group's
 * devices that are bound to a VFIO driver, hands out the fd, and answers
 * for the file:
 *
 *   fd          O_CLOEXEC, as the kernel's get_unused_fd_flags(O_CLOEXEC);
 *               it holds a reference on the group's file, so the group
 *               stays open (and in its container) until the device fd is
 *               closed even if the group fd is closed first.
 *   mmap        the fd is a duplicate of the endpoint's BAR memfd: mapping
 *               the fd at a region offset the check allowed shows the
 *               device's memory.
 *   fstat       an anonymous inode ("[vfio-device]"): mode 0600 with no
 *               file type, no device number, owned by root, as fstat of a
 *               kernel anon-inode file shows.  (The cdev path,
 *               /dev/vfio/devices/vfioN, is a character device instead.)
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "host.h"
#include "util/alloc.h"
#include "util/err.h"

static long device_ioctl(struct ims_host *host, struct ims_host_file *file,
			 unsigned long cmd, void *arg)
{
	struct ims_device_file *f = file->obj;

	(void)host;
	return ims_vfio_device_ioctl(f->df, cmd, arg);
}

ssize_t ims_device_file_read(struct ims_host *host, struct ims_host_file *file, void *buf,
			     size_t count, int64_t *pos)
{
	struct ims_device_file *f = file->obj;

	(void)host;
	return ims_vfio_device_rw(f->df, buf, count, pos, false);
}

ssize_t ims_device_file_write(struct ims_host *host, struct ims_host_file *file,
			      const void *buf, size_t count, int64_t *pos)
{
	struct ims_device_file *f = file->obj;

	(void)host;
	return ims_vfio_device_rw(f->df, (void *)buf, count, pos, true);
}

int ims_device_file_mmap(struct ims_host *host, struct ims_host_file *file, uint64_t offset,
			 size_t length, int prot)
{
	struct ims_device_file *f = file->obj;

	(void)host;
	return ims_vfio_device_mmap_check(f->df, offset, length, prot);
}

static void device_stat(struct ims_host_file *file, struct stat *st)
{
	(void)file;
	st->st_mode = S_IRUSR | S_IWUSR;
	st->st_rdev = 0;
	st->st_uid = 0;
	st->st_gid = 0;
}

static void device_release(struct ims_host *host, struct ims_host_file *file)
{
	struct ims_device_file *f = file->obj;

	ims_vfio_device_file_release(f->df);
	ims_host_put_file(host, f->group_file);
	ims_free(f);
}

const struct ims_file_ops ims_vfio_device_fops = {
	.name = "[vfio-device]",
	.ioctl = device_ioctl,
	.read = ims_device_file_read,
	.write = ims_device_file_write,
	.mmap = ims_device_file_mmap,
	.stat = device_stat,
	.release = device_release,
};

/* The group's device named @name [vfio_device_get_from_name]. */
static struct ims_device *find_device(struct ims_host *host, struct ims_vfio_group *vg,
				      const char *name, int *err)
{
	struct ims_group *group = vg->group;
	struct ims_device *dev, *found = NULL;

	*err = -ENODEV;
	ims_mutex_lock(&group->mutex);
	ims_group_for_each_device(group, dev) {
		int m;

		if (!host->params.vfio_bound(host, dev, host->params.arg))
			continue;
		m = ims_vfio_device_match(dev, name);
		if (!m)
			continue;
		if (m > 0)
			found = dev;
		else
			*err = m;
		break;
	}
	ims_mutex_unlock(&group->mutex);
	return found;
}

static void hold_file(struct ims_host *host, struct ims_host_file *file)
{
	ims_mutex_lock(&host->lock);
	file->refs++;
	ims_mutex_unlock(&host->lock);
}

/* Make the new fd share the device's BAR memory (see the top). */
static int share_backing(struct ims_vfio_device_file *df, int fd)
{
	int memfd = ims_vfio_device_memfd(df);

	if (memfd < 0)
		return 0;
	return dup3(memfd, fd, O_CLOEXEC) < 0 ? -errno : 0;
}

/* An fd for @df, which is consumed whatever happens. */
static int new_device_fd(struct ims_host *host, struct ims_host_file *group_file,
			 struct ims_vfio_device_file *df)
{
	struct ims_device_file *f = ims_zalloc(sizeof(*f));
	int fd, ret;

	if (!f) {
		ims_vfio_device_file_release(df);
		return -ENOMEM;
	}
	f->df = df;
	f->group_file = group_file;
	hold_file(host, group_file);
	fd = ims_host_new_file(host, &ims_vfio_device_fops, f, O_CLOEXEC);
	if (fd < 0) {
		ims_vfio_device_file_release(df);
		ims_host_put_file(host, group_file);
		ims_free(f);
		return fd;
	}
	ret = share_backing(df, fd);
	if (ret) {
		ims_close(host, fd);   /* releases f and df */
		return ret;
	}
	return fd;
}

long ims_vfio_group_get_device_fd(struct ims_host *host, struct ims_host_file *group_file,
				  void *arg)
{
	struct ims_vfio_group *vg = group_file->obj;
	struct ims_vfio_device_file *df;
	struct ims_device *dev;
	char *name = ims_vfio_device_name_from_user(arg);
	int err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	dev = find_device(host, vg, name, &err);
	ims_free(name);
	if (!dev)
		return err;
	df = ims_vfio_device_open_group(vg, dev, host->topo ? ims_topo_device_of(host->topo, dev)
							    : NULL);
	if (IS_ERR(df))
		return PTR_ERR(df);
	return new_device_fd(host, group_file, df);
}
