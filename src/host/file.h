/* SPDX-License-Identifier: MIT */
/*
 * Open files of a host and their operations, as the kernel's struct file
 * and file_operations.  Each kind of object the host hands out (VFIO
 * container, VFIO group, ...) has one ims_file_ops, in its own file under
 * src/host/; the syscall layer (syscalls.c) only looks up the fd and calls
 * the op.  A missing op answers as the kernel does for a file without it
 * (see each default in syscalls.c).
 *
 * Paths: each kind that is opened by path registers an ims_path_ops with
 * the prefix it serves (such as /dev/vfio/); ims_open() asks them in order.
 */
#ifndef IMS_HOST_FILE_H
#define IMS_HOST_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct ims_host;
struct ims_host_file;

struct ims_file_ops {
	const char *name;        /* memfd name, readlink text: "vfio", "[vfio-device]" */
	long (*ioctl)(struct ims_host *host, struct ims_host_file *file, unsigned long cmd,
		      void *arg);
	ssize_t (*read)(struct ims_host *host, struct ims_host_file *file, void *buf,
			size_t count, int64_t *pos);
	ssize_t (*write)(struct ims_host *host, struct ims_host_file *file, const void *buf,
			 size_t count, int64_t *pos);
	/*
	 * May [offset, offset + length) of the file be mapped with @prot?  0,
	 * or the kernel's errno.  The mapping itself is of the file's memfd
	 * (which the kind sizes and fills); the caller maps the fd it holds.
	 */
	int (*mmap)(struct ims_host *host, struct ims_host_file *file, uint64_t offset,
		    size_t length, int prot);
	/* st_mode and st_rdev of the file. */
	void (*stat)(struct ims_host_file *file, struct stat *st);
	/* The last reference is gone. */
	void (*release)(struct ims_host *host, struct ims_host_file *file);
};

struct ims_host_file {
	const struct ims_file_ops *ops;
	unsigned int refs;    /* fds + in-flight calls (host->lock) */
	void *obj;
	int64_t pos;          /* file position for read/write */
	int memfd;            /* the fd the file was created with (its backing) */
};

struct ims_path_ops {
	const char *prefix;   /* the paths this kind serves start with it */
	/* Open @path: 0 with @obj and @ops set, or -ENOENT (not ours), -EBUSY... */
	int (*open)(struct ims_host *host, const char *path, int flags,
		    const struct ims_file_ops **ops, void **obj);
};

/* The kinds of files, each defined in its own file. */
extern const struct ims_file_ops ims_vfio_container_fops;
extern const struct ims_file_ops ims_vfio_group_fops;
extern const struct ims_path_ops ims_vfio_paths;
extern const struct ims_file_ops ims_iommufd_fops;
extern const struct ims_file_ops ims_iommufd_access_fops;
extern const struct ims_path_ops ims_iommufd_paths;
extern const struct ims_file_ops ims_vfio_device_fops;
extern const struct ims_file_ops ims_vfio_cdev_fops;
extern const struct ims_path_ops ims_vfio_cdev_paths;

/* VFIO_GROUP_GET_DEVICE_FD on @group_file (file_device.c): a new fd or -errno. */
long ims_vfio_group_get_device_fd(struct ims_host *host, struct ims_host_file *group_file,
				  void *arg);

/*
 * The object of a VFIO device file, opened through its group
 * (ims_vfio_device_fops) or its cdev (ims_vfio_cdev_fops, file_cdev.c);
 * both kinds share the calls that only need the device.
 */
struct ims_device_file {
	struct ims_vfio_device_file *df;
	struct ims_host_file *group_file;   /* the group path: a reference */
	unsigned int cdev_index;            /* the cdev path: vfio<N> */
};
ssize_t ims_device_file_read(struct ims_host *host, struct ims_host_file *file, void *buf,
			     size_t count, int64_t *pos);
ssize_t ims_device_file_write(struct ims_host *host, struct ims_host_file *file,
			      const void *buf, size_t count, int64_t *pos);
int ims_device_file_mmap(struct ims_host *host, struct ims_host_file *file, uint64_t offset,
			 size_t length, int prot);

/*
 * Hand out a new fd for @obj with @ops (used by opens and by ioctls that
 * return fds, like VFIO_GROUP_GET_DEVICE_FD).  On failure @obj is not
 * consumed.
 */
int ims_host_new_file(struct ims_host *host, const struct ims_file_ops *ops, void *obj,
		      int flags);
/* A reference to the file behind @fd, or NULL; drop it with ims_host_put_file. */
struct ims_host_file *ims_host_get_file(struct ims_host *host, int fd);
void ims_host_put_file(struct ims_host *host, struct ims_host_file *file);

#endif
