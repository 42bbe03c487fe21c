/* SPDX-License-Identifier: MIT */
/*
 * iommusim host: one simulated kernel — a platform, every piece of IOMMU,
 * VFIO and iommufd state, and the system-call surface programs use.
 *
 * Files are named by path (/dev/vfio/vfio, /dev/vfio/<group>, ...) and
 * handed out as real file descriptors of this process, so that poll, dup,
 * close, fork and exec behave; the host maps each one to its object.
 *
 * Every function returns what the kernel would: a non-negative result, or a
 * negative errno (these functions never set errno; the LD_PRELOAD shim turns
 * results into -1/errno).  Arguments that point into the caller's memory are
 * read and written with EFAULT checks, never blindly dereferenced.
 *
 * All functions are thread-safe: VMMs issue ioctls from several threads.
 */
#ifndef IOMMUSIM_HOST_H
#define IOMMUSIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_host;

/* Options of a host; zero means the default. */
struct ims_host_options {
	const char *profile;            /* "upstream" (default), "seed", "legacy" */
	bool allow_unsafe_interrupts;   /* vfio/iommufd module parameter */
	unsigned int dma_entry_limit;   /* type1 module parameter (65535) */
	int ipc_lock;                   /* CAP_IPC_LOCK: 1 yes, -1 no, 0 the process's */
	uint64_t memlock_limit;         /* bytes; 0 = the process's RLIMIT_MEMLOCK */
	bool iommufd_test;              /* IOMMU_TEST_CMD and its mock IOMMU
					 * (the kernel's CONFIG_IOMMUFD_TEST);
					 * IOMMUSIM_IOMMUFD_TEST=1 for programs */
};

/*
 * Create a host from a platform: a built-in name ("mock", see
 * `iommusim platforms`), a .dts or .dtb file, or NULL for the default.
 * @opts may be NULL.  On failure a negative errno is returned and @err (if
 * given) says why, naming file, node and property for a bad platform.
 */
int ims_host_create(const char *platform, const struct ims_host_options *opts,
		    struct ims_host **out, char *err, size_t errlen);

/* Close every file, then free everything.  Never fails; NULL is ignored. */
void ims_host_destroy(struct ims_host *host);

/* open(2) of a path the host owns: a new fd, or -ENOENT, -EBUSY, ... */
int ims_open(struct ims_host *host, const char *path, int flags);
/* close(2): 0 or -EBADF. */
int ims_close(struct ims_host *host, int fd);
/* ioctl(2): the command's result (>= 0) or a negative errno. */
long ims_ioctl(struct ims_host *host, int fd, unsigned long cmd, void *arg);
/* read(2), write(2), pread(2), pwrite(2): bytes, or a negative errno. */
ssize_t ims_read(struct ims_host *host, int fd, void *buf, size_t count);
ssize_t ims_write(struct ims_host *host, int fd, const void *buf, size_t count);
ssize_t ims_pread(struct ims_host *host, int fd, void *buf, size_t count, off_t offset);
ssize_t ims_pwrite(struct ims_host *host, int fd, const void *buf, size_t count, off_t offset);
/*
 * mmap(2) of a host fd: 0 when [offset, offset + length) may be mapped with
 * @prot (PROT_*), else the kernel's errno.  The fd is a memfd holding the
 * mapped contents (a device's BARs...): on 0, the caller maps the fd itself.
 */
int ims_mmap_check(struct ims_host *host, int fd, uint64_t offset, size_t length, int prot);
/* fstat(2) of a host fd: character devices as /sys reports them. */
int ims_fstat(struct ims_host *host, int fd, struct stat *st);
/* dup(2)/dup3(2) of a host fd: the new fd shares the open file. */
int ims_dup(struct ims_host *host, int fd, int newfd, int flags);
/* Does @fd belong to the host? */
bool ims_host_owns_fd(struct ims_host *host, int fd);

/* The JSON state (DESIGN 3) as a malloc'ed string; NULL on ENOMEM. */
char *ims_host_state_json(struct ims_host *host, bool pretty);

/*
 * Paths.  A host owns the device nodes it serves (/dev/vfio/vfio,
 * /dev/vfio/<group>, ...) and whole subtrees of /sys (kernel/iommu_groups,
 * bus/pci, class/iommu, module/vfio*, kernel/debug, ...), which it
 * materialises as real files and relative symbolic links in a private
 * folder, created on first use and removed with the host.  Everything else
 * is the real file system's.
 */
enum ims_path_kind {
	IMS_PATH_FOREIGN = 0,  /* not the host's */
	IMS_PATH_NODE = 1,     /* a device node: ims_open(), ims_stat_path() */
	IMS_PATH_TREE = 2,     /* the host's /sys: the real path is in @buf */
};

/*
 * Could a host own absolute @path at all?  A cheap test, without a host,
 * for callers that see every path of a program.
 */
bool ims_host_path_candidate(const char *path);
/*
 * What @path is to @host: an ims_path_kind, or a negative errno
 * (-ENAMETOOLONG, or why the folder could not be made).  Relative paths are
 * IMS_PATH_FOREIGN.  For IMS_PATH_TREE the real path goes to @buf, whether
 * the file exists or not (a missing one is missing there too); for
 * IMS_PATH_NODE the node's path, without "//" or "/./".
 */
int ims_host_resolve_path(struct ims_host *host, const char *path, char *buf, size_t len);
/* The path a program knows for @real, a path inside the folder: 1, or 0 if it is not. */
int ims_host_unresolve_path(struct ims_host *host, const char *real, char *buf, size_t len);
/* stat(2) of a device node path (IMS_PATH_NODE): 0 or -ENOENT. */
int ims_stat_path(struct ims_host *host, const char *path, struct stat *st);
/* The folder holding the host's tree, made on first use; NULL if it cannot be. */
const char *ims_host_sysfs_root(struct ims_host *host);
/*
 * Remove the folder that a host of this process left behind when exec(2)
 * replaced the program (the pid stays, atexit handlers do not run): only a
 * folder whose owner mark names this process goes.  0, -EPERM or -errno.
 */
int ims_host_sysfs_remove_stale(const char *root);
/*
 * What readlink("/proc/self/fd/N") shows for host fd @fd: the node it was
 * opened as ("/dev/vfio/3"), or "anon_inode:<name>" for files that ioctls
 * hand out.  0, -EBADF or -ENAMETOOLONG.
 */
int ims_host_fd_link(struct ims_host *host, int fd, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
