// SPDX-License-Identifier: MIT
/*
 * libiommusim-preload.so: unmodified programs on a simulated host.
 *
 * Loaded with LD_PRELOAD (by `iommusim exec` or by hand), this library
 * overrides the libc functions through which programs reach VFIO and
 * iommufd — open, ioctl, read/write, mmap, stat, readlink, opendir, fopen,
 * dup, exec ... — and answers those that name a path or an fd of the host
 * from the host (include/iommusim/host.h).  Everything else goes to the
 * real libc, untouched, errno included.
 *
 * What is the host's:
 *   fds      every fd the host handed out (ims_host_owns_fd), and the
 *            shim's own special fds (fail-nth, debugfs reset);
 *   paths    device nodes (/dev/vfio/...: ims_open, ims_stat_path), the
 *            host's /sys tree (redirected to its folder), the debugfs
 *            files iommusim/state (a fresh memfd snapshot per open) and
 *            iommusim/reset, and /proc/.../fail-nth of this process.
 *            A relative path counts when its directory fd was opened
 *            through the shim on such a path (tracked_dirs).
 *
 * The host is made on first use from the IOMMUSIM_* environment (see
 * docs/shim.md), and remade after a write of "1" to
 * /sys/kernel/debug/iommusim/reset.
 *
 * Structure (docs/design.md; checked by tests/static/check-shim.py):
 *   - everything above the "Overridden libc functions" banner is static
 *     and never calls an overridden function by name: the real ones are
 *     reached through libc(name), looked up lazily with dlsym(RTLD_NEXT);
 *   - every function below the banner is an exported wrapper.
 *
 * Re-entrancy: library code (the host, dtc spawning, logging) calls libc
 * too, and lands in these wrappers; a thread-local depth counter sends
 * those calls straight to libc (IN_LIB).
 *
 * Locking, outermost first:
 *   shim_mutex   the special-fd and directory tables, host creation and
 *                reset; all signals are blocked while it is held, so a
 *                handler that calls into the shim cannot deadlock;
 *   host_rwlock  (never taken before shim_mutex by the same thread)
 *                held for reading across every call into the host, for
 *                writing to create, reset or destroy it, and by fork's
 *                prepare handler, so that a child never inherits a host in
 *                the middle of a call (its locks held by a thread that does
 *                not exist in the child).  Readers may nest (glibc's default
 *                rwlock prefers readers), as a signal handler would.
 *
 * fork: the child keeps a private copy of the host (fds, containers,
 * mappings): what one process does is not seen by the other, unlike the
 * kernel where both share the open files (docs/limits.md).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/core.h"
#include "host/host.h"
#include "iommusim/host.h"
#include "iommusim/uapi/iommufd.h"
#include "util/alloc.h"
#include "util/errname.h"
#include "util/log.h"

_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "a 64-bit ABI is assumed");
_Static_assert(sizeof(off_t) == sizeof(off64_t), "a 64-bit ABI is assumed");

/* glibc entry points that its headers no longer (or only when fortified) declare. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t off, size_t buflen);
ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len, size_t buflen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);
void __chk_fail(void) __attribute__((noreturn));

extern char **environ;

/* ------------------------------------------------------------------ */
/* Utility functions                                                   */

/* Real libc functions: one lazily filled slot each. */
#define REAL_SLOT(name) static void *real_slot_##name
#define libc(name) ((__typeof__(&name))real_lookup(&real_slot_##name, #name))

static void shim_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void *real_lookup(void **slot, const char *name)
{
	void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (ims_unlikely(!fn)) {
		fn = dlsym(RTLD_NEXT, name);
		if (!fn)
			shim_fatal("the C library has no %s", name);
		__atomic_store_n(slot, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

REAL_SLOT(open); REAL_SLOT(open64); REAL_SLOT(openat); REAL_SLOT(openat64);
REAL_SLOT(__open_2); REAL_SLOT(__open64_2); REAL_SLOT(__openat_2); REAL_SLOT(__openat64_2);
REAL_SLOT(creat); REAL_SLOT(creat64); REAL_SLOT(close); REAL_SLOT(close_range);
REAL_SLOT(closefrom); REAL_SLOT(ioctl); REAL_SLOT(read); REAL_SLOT(__read_chk);
REAL_SLOT(write); REAL_SLOT(pread); REAL_SLOT(pread64); REAL_SLOT(__pread_chk);
REAL_SLOT(__pread64_chk); REAL_SLOT(pwrite); REAL_SLOT(pwrite64); REAL_SLOT(mmap);
REAL_SLOT(mmap64); REAL_SLOT(stat); REAL_SLOT(stat64); REAL_SLOT(lstat); REAL_SLOT(lstat64);
REAL_SLOT(fstat); REAL_SLOT(fstat64); REAL_SLOT(fstatat); REAL_SLOT(fstatat64);
REAL_SLOT(__xstat); REAL_SLOT(__xstat64); REAL_SLOT(__lxstat); REAL_SLOT(__lxstat64);
REAL_SLOT(__fxstat); REAL_SLOT(__fxstat64); REAL_SLOT(__fxstatat); REAL_SLOT(__fxstatat64);
REAL_SLOT(statx); REAL_SLOT(access); REAL_SLOT(faccessat); REAL_SLOT(readlink);
REAL_SLOT(readlinkat); REAL_SLOT(__readlink_chk); REAL_SLOT(__readlinkat_chk);
REAL_SLOT(realpath); REAL_SLOT(__realpath_chk); REAL_SLOT(canonicalize_file_name);
REAL_SLOT(opendir); REAL_SLOT(closedir); REAL_SLOT(readdir); REAL_SLOT(readdir64);
REAL_SLOT(scandir); REAL_SLOT(scandir64); REAL_SLOT(fopen); REAL_SLOT(fopen64);
REAL_SLOT(dup); REAL_SLOT(dup2); REAL_SLOT(dup3); REAL_SLOT(fcntl); REAL_SLOT(fcntl64);
REAL_SLOT(execve); REAL_SLOT(execvpe); REAL_SLOT(fexecve); REAL_SLOT(execveat);
REAL_SLOT(posix_spawn); REAL_SLOT(posix_spawnp); REAL_SLOT(getxattr); REAL_SLOT(lgetxattr);
REAL_SLOT(fgetxattr); REAL_SLOT(listxattr); REAL_SLOT(llistxattr); REAL_SLOT(flistxattr);

/* Calls from library code land in the wrappers too: they go straight to libc. */
static __thread unsigned int shim_depth __attribute__((tls_model("initial-exec")));

#define IN_LIB(expr)                              \
	({                                        \
		shim_depth++;                     \
		__typeof__(expr) in_lib_r = (expr); \
		shim_depth--;                     \
		in_lib_r;                         \
	})

/* Write one line to stderr, keeping errno. */
static void shim_say(const char *fmt, va_list ap)
{
	int saved = errno;
	char line[1024];
	int n = snprintf(line, sizeof(line), "iommusim: ");

	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	libc(write)(STDERR_FILENO, line, (size_t)n);
	errno = saved;
}

static void shim_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	shim_say(fmt, ap);
	va_end(ap);
	_exit(127);
}

static void __attribute__((format(printf, 1, 2))) shim_debug(const char *fmt, ...)
{
	va_list ap;

	if (!ims_log_enabled(IMS_LOG_SHIM))
		return;
	va_start(ap, fmt);
	shim_say(fmt, ap);
	va_end(ap);
}

/* Internal answer meaning "not the host's: let libc do it". */
#define NOT_OURS (-EREMOTE)

/* -1 with errno from a negative errno; otherwise the value. */
static long as_syscall(long ret)
{
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static pid_t current_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ------------------------------------------------------------------ */
/* Configuration (IOMMUSIM_* variables, read when the host is made)    */

struct shim_config {
	bool trace;
	char *dump;                /* IOMMUSIM_DUMP, or NULL */
	char *self_token;          /* our entry in LD_PRELOAD */
	char **saved_env;          /* "IOMMUSIM_X=v" at start, NULL-terminated */
};

static struct shim_config config;

static bool env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && (!strcmp(v, "1") || !strcasecmp(v, "y") || !strcasecmp(v, "yes") ||
		     !strcasecmp(v, "true"));
}

/* Our own entry in LD_PRELOAD (as written there), else our path. */
static char *find_self_token(void)
{
	const char *list = getenv("LD_PRELOAD");
	const char *base;
	Dl_info info;

	if (!dladdr((void *)find_self_token, &info) || !info.dli_fname)
		return NULL;
	base = strrchr(info.dli_fname, '/') ? strrchr(info.dli_fname, '/') + 1 : info.dli_fname;
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ": ");
		const char *slash = memrchr(p, '/', n);
		const char *b = slash ? slash + 1 : p;

		if (n && (size_t)(p + n - b) == strlen(base) && !strncmp(b, base, strlen(base)))
			return strndup(p, n);
		p += n + (p[n] != '\0');
	}
	return strdup(info.dli_fname);
}

static void save_environment(void)
{
	size_t n = 0;

	for (char **e = environ; e && *e; e++)
		n += !strncmp(*e, "IOMMUSIM_", 9);
	config.saved_env = calloc(n + 1, sizeof(char *));
	n = 0;
	for (char **e = environ; config.saved_env && e && *e; e++)
		if (!strncmp(*e, "IOMMUSIM_", 9) && strncmp(*e, "IOMMUSIM_STALE_TREE=", 20))
			config.saved_env[n++] = strdup(*e);
}

/* ------------------------------------------------------------------ */
/* Locks                                                               */

/*
 * The host's folder, for exec (which must not build anything) and for
 * /proc/self/fd links: written once per host and process by the first
 * thread to see it (tree_root_state 0 -> 1 -> 2), cleared with the host.
 */
static char tree_root[PATH_MAX];
static int tree_root_state;

static pthread_mutex_t shim_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t host_rwlock = PTHREAD_RWLOCK_INITIALIZER;
static __thread sigset_t fork_saved_mask;

static void shim_lock(sigset_t *saved)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, saved);
	pthread_mutex_lock(&shim_mutex);
}

static void shim_unlock(const sigset_t *saved)
{
	pthread_mutex_unlock(&shim_mutex);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

static void fork_prepare(void)
{
	shim_lock(&fork_saved_mask);
	pthread_rwlock_wrlock(&host_rwlock);
}

static void fork_parent(void)
{
	pthread_rwlock_unlock(&host_rwlock);
	shim_unlock(&fork_saved_mask);
}

static void fork_child(void)
{
	pthread_mutex_init(&shim_mutex, NULL);
	pthread_rwlock_init(&host_rwlock, NULL);
	tree_root_state = 0; /* the child's host builds a folder of its own */
	pthread_sigmask(SIG_SETMASK, &fork_saved_mask, NULL);
}

/* ------------------------------------------------------------------ */
/* The trace (IOMMUSIM_TRACE=1)                                        */

static void __attribute__((format(printf, 1, 2))) trace_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	shim_say(fmt, ap);
	va_end(ap);
}

/* The arguments (names, result texts) are only worked out when tracing. */
#define trace(...)                                         \
	do {                                               \
		if (__builtin_expect(config.trace, 0))     \
			trace_line(__VA_ARGS__);           \
	} while (0)

/* The core's and VFIO's decisions, between the calls that caused them. */
static void trace_event(void *arg, const struct ims_trace_event *ev)
{
	(void)arg;
	trace("  | %s", ev->text ? ev->text : "");
}

/* " = 3" or " = -1 EINVAL (Invalid argument)" */
static const char *result_text(long ret, int err, char *buf, size_t len)
{
	if (ret < 0)
		snprintf(buf, len, "-1 %s (%s)", ims_errname(err), strerror(err));
	else
		snprintf(buf, len, "%ld", ret);
	return buf;
}

static const char *open_flags_text(int flags, char *buf, size_t len)
{
	static const struct { int flag; const char *name; } names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" }, { O_CLOEXEC, "O_CLOEXEC" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" }, { O_PATH, "O_PATH" },
	};
	int acc = flags & O_ACCMODE;
	size_t used;

	snprintf(buf, len, "%s", acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" :
				 "O_RDWR");
	for (size_t i = 0; i < IMS_ARRAY_SIZE(names); i++) {
		used = strlen(buf);
		if (flags & names[i].flag)
			snprintf(buf + used, len - used, "|%s", names[i].name);
	}
	return buf;
}

/*
 * VFIO numbers its ioctls per kind of file: container and device ioctls
 * share numbers (VFIO_IOMMU_MAP_DMA is VFIO_DEVICE_PCI_HOT_RESET), so the
 * name depends on what the fd is ('c' container, 'g' group, 'd' device,
 * 'i' iommufd).
 */
#define IOCTL_NAME(kind, x) { kind, x, #x }

static const struct { char kind; unsigned long cmd; const char *name; } ioctl_names[] = {
	IOCTL_NAME('c', VFIO_GET_API_VERSION), IOCTL_NAME('c', VFIO_CHECK_EXTENSION),
	IOCTL_NAME('c', VFIO_SET_IOMMU), IOCTL_NAME('c', VFIO_IOMMU_GET_INFO),
	IOCTL_NAME('c', VFIO_IOMMU_MAP_DMA), IOCTL_NAME('c', VFIO_IOMMU_UNMAP_DMA),
	IOCTL_NAME('c', VFIO_IOMMU_ENABLE), IOCTL_NAME('c', VFIO_IOMMU_DISABLE),
	IOCTL_NAME('c', VFIO_IOMMU_DIRTY_PAGES),
	IOCTL_NAME('g', VFIO_GROUP_GET_STATUS), IOCTL_NAME('g', VFIO_GROUP_SET_CONTAINER),
	IOCTL_NAME('g', VFIO_GROUP_UNSET_CONTAINER), IOCTL_NAME('g', VFIO_GROUP_GET_DEVICE_FD),
	IOCTL_NAME('d', VFIO_DEVICE_GET_INFO), IOCTL_NAME('d', VFIO_DEVICE_GET_REGION_INFO),
	IOCTL_NAME('d', VFIO_DEVICE_GET_IRQ_INFO), IOCTL_NAME('d', VFIO_DEVICE_SET_IRQS),
	IOCTL_NAME('d', VFIO_DEVICE_RESET), IOCTL_NAME('d', VFIO_DEVICE_GET_PCI_HOT_RESET_INFO),
	IOCTL_NAME('d', VFIO_DEVICE_PCI_HOT_RESET), IOCTL_NAME('d', VFIO_DEVICE_IOEVENTFD),
	IOCTL_NAME('d', VFIO_DEVICE_FEATURE), IOCTL_NAME('d', VFIO_DEVICE_BIND_IOMMUFD),
	IOCTL_NAME('d', VFIO_DEVICE_ATTACH_IOMMUFD_PT),
	IOCTL_NAME('d', VFIO_DEVICE_DETACH_IOMMUFD_PT),
	IOCTL_NAME('i', IOMMU_DESTROY), IOCTL_NAME('i', IOMMU_IOAS_ALLOC),
	IOCTL_NAME('i', IOMMU_IOAS_IOVA_RANGES), IOCTL_NAME('i', IOMMU_IOAS_ALLOW_IOVAS),
	IOCTL_NAME('i', IOMMU_IOAS_MAP), IOCTL_NAME('i', IOMMU_IOAS_MAP_FILE),
	IOCTL_NAME('i', IOMMU_IOAS_COPY), IOCTL_NAME('i', IOMMU_IOAS_UNMAP),
	IOCTL_NAME('i', IOMMU_OPTION), IOCTL_NAME('i', IOMMU_VFIO_IOAS),
	IOCTL_NAME('i', IOMMU_HWPT_ALLOC), IOCTL_NAME('i', IOMMU_GET_HW_INFO),
	IOCTL_NAME('i', IOMMU_HWPT_SET_DIRTY_TRACKING), IOCTL_NAME('i', IOMMU_HWPT_GET_DIRTY_BITMAP),
	IOCTL_NAME('i', IOMMU_HWPT_INVALIDATE), IOCTL_NAME('i', IOMMU_VIOMMU_ALLOC),
	IOCTL_NAME('i', IOMMU_VDEVICE_ALLOC), IOCTL_NAME('i', IOMMU_IOAS_CHANGE_PROCESS),
	/* VFIO's container ioctls on an iommufd (the compat path) */
	IOCTL_NAME('i', VFIO_GET_API_VERSION), IOCTL_NAME('i', VFIO_CHECK_EXTENSION),
	IOCTL_NAME('i', VFIO_SET_IOMMU), IOCTL_NAME('i', VFIO_IOMMU_GET_INFO),
	IOCTL_NAME('i', VFIO_IOMMU_MAP_DMA), IOCTL_NAME('i', VFIO_IOMMU_UNMAP_DMA),
};

/* What kind of file @link (ims_host_fd_link) names. */
static char vfio_kind(const char *link)
{
	if (!strcmp(link, "/dev/vfio/vfio"))
		return 'c';
	if (!strcmp(link, "/dev/iommu"))
		return 'i';
	if (!strncmp(link, "/dev/vfio/", 10) && strncmp(link, "/dev/vfio/devices/", 18))
		return 'g';
	return 'd';
}

static const char *ioctl_text(char kind, unsigned long cmd, char *buf, size_t len)
{
	for (size_t i = 0; i < IMS_ARRAY_SIZE(ioctl_names); i++)
		if (ioctl_names[i].cmd == cmd && ioctl_names[i].kind == kind)
			return ioctl_names[i].name;
	snprintf(buf, len, "_IOC(%u, 0x%x, 0x%x, %u)", (unsigned int)_IOC_DIR(cmd),
		 (unsigned int)_IOC_TYPE(cmd), (unsigned int)_IOC_NR(cmd),
		 (unsigned int)_IOC_SIZE(cmd));
	return buf;
}

/* ------------------------------------------------------------------ */
/* The host: made on first use, remade after a reset                   */

static struct ims_host *shim_host;       /* host_rwlock; loaded atomically */
static bool shim_exiting;

static void options_from_env(struct ims_host_options *o)
{
	const char *limit = getenv("IOMMUSIM_DMA_ENTRY_LIMIT");

	memset(o, 0, sizeof(*o));
	o->profile = getenv("IOMMUSIM_PROFILE");
	o->allow_unsafe_interrupts = env_flag("IOMMUSIM_ALLOW_UNSAFE_INTERRUPTS");
	o->iommufd_test = env_flag("IOMMUSIM_IOMMUFD_TEST");
	if (limit) {
		char *end;
		unsigned long v = strtoul(limit, &end, 0);

		if (*end || !*limit || v > UINT32_MAX)
			shim_fatal("IOMMUSIM_DMA_ENTRY_LIMIT=%s is not a number", limit);
		o->dma_entry_limit = (unsigned int)v;
	}
}

/* Make the host (shim_mutex and host_rwlock held for writing). */
static void __create_host(void)
{
	const char *platform = getenv("IOMMUSIM_PLATFORM");
	struct ims_host_options opts;
	struct ims_host *host;
	char err[512];
	int ret;

	options_from_env(&opts);
	ret = IN_LIB(ims_host_create(platform && *platform ? platform : NULL, &opts, &host,
				     err, sizeof(err)));
	if (ret)
		shim_fatal("cannot build the simulated host: %s", err[0] ? err : strerror(-ret));
	if (config.trace)
		ims_core_set_trace(host->core, trace_event, NULL);
	shim_debug("host made from %s, profile %s", platform ? platform : "the default platform",
		   opts.profile ? opts.profile : "upstream");
	__atomic_store_n(&shim_host, host, __ATOMIC_RELEASE);
}

static void create_host(void)
{
	sigset_t saved;

	shim_lock(&saved);
	pthread_rwlock_wrlock(&host_rwlock);
	if (!shim_host && !shim_exiting)
		__create_host();
	pthread_rwlock_unlock(&host_rwlock);
	shim_unlock(&saved);
}

/* The host, held for reading (release with host_put), or NULL while exiting. */
static struct ims_host *host_get(void)
{
	struct ims_host *host;

	for (;;) {
		pthread_rwlock_rdlock(&host_rwlock);
		host = __atomic_load_n(&shim_host, __ATOMIC_ACQUIRE);
		if (host || shim_exiting)
			break;
		pthread_rwlock_unlock(&host_rwlock);
		create_host();
	}
	if (!host)
		pthread_rwlock_unlock(&host_rwlock);
	return host;
}

static void host_put(void)
{
	pthread_rwlock_unlock(&host_rwlock);
}

static void write_dump(struct ims_host *host)
{
	char path[PATH_MAX], *json;
	const char *p = strstr(config.dump, "%p");
	int fd;

	if (p)
		snprintf(path, sizeof(path), "%.*s%d%s", (int)(p - config.dump), config.dump,
			 (int)getpid(), p + 2);
	else
		snprintf(path, sizeof(path), "%s", config.dump);
	json = IN_LIB(ims_host_state_json(host, true));
	fd = libc(open)(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !json) {
		shim_debug("cannot write the state to %s: %s", path, strerror(errno));
	} else {
		libc(write)(fd, json, strlen(json));
		libc(write)(fd, "\n", 1);
	}
	if (fd >= 0)
		libc(close)(fd);
	free(json);
}

/* Destroy the host (shim_mutex and host_rwlock held for writing). */
static void __drop_host(void)
{
	struct ims_host *host = shim_host;

	if (!host)
		return;
	__atomic_store_n(&shim_host, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&tree_root_state, 0, __ATOMIC_RELEASE);
	ims_core_set_trace(host->core, NULL, NULL); /* the teardown is not the program's */
	IN_LIB((ims_host_destroy(host), 0));
}

static void reset_host(void)
{
	sigset_t saved;

	shim_lock(&saved);
	pthread_rwlock_wrlock(&host_rwlock);
	__drop_host();
	pthread_rwlock_unlock(&host_rwlock);
	shim_unlock(&saved);
	shim_debug("host reset: the next call makes a new one");
}

static void at_exit(void)
{
	sigset_t saved;

	shim_lock(&saved);
	pthread_rwlock_wrlock(&host_rwlock);
	shim_exiting = true;
	if (shim_host && config.dump)
		write_dump(shim_host);
	__drop_host();
	pthread_rwlock_unlock(&host_rwlock);
	shim_unlock(&saved);
}

static void note_tree_root(struct ims_host *host)
{
	int idle = 0;
	const char *root;

	if (__atomic_load_n(&tree_root_state, __ATOMIC_ACQUIRE) == 2 ||
	    !__atomic_compare_exchange_n(&tree_root_state, &idle, 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return;
	root = IN_LIB(ims_host_sysfs_root(host));
	if (root)
		snprintf(tree_root, sizeof(tree_root), "%s", root);
	__atomic_store_n(&tree_root_state, root ? 2 : 0, __ATOMIC_RELEASE);
}

/* The host's folder once known, else NULL. */
static const char *known_tree_root(void)
{
	return __atomic_load_n(&tree_root_state, __ATOMIC_ACQUIRE) == 2 ? tree_root : NULL;
}

/* ------------------------------------------------------------------ */
/* Special fds and directories opened on the host's paths              */

enum special_kind {
	SPECIAL_FAILNTH,       /* /proc/.../fail-nth of one thread */
	SPECIAL_RESET,         /* /sys/kernel/debug/iommusim/reset */
};

struct special {
	int fd;
	enum special_kind kind;
	pid_t tid;             /* FAILNTH: the thread it names */
	int64_t pos;           /* read position */
	char path[64];         /* for readlink of /proc/self/fd */
};

struct tracked_dir {
	int fd;
	dev_t dev;             /* to recognise a reused fd number */
	ino_t ino;
	char *vpath;           /* the path the program opened */
};

struct tracked_dirp {
	DIR *dir;              /* a /dev folder of the host: d_type fixed */
	char *vpath;
};

/* shim_mutex; the counts are also read without it, to skip the tables. */
static struct special *specials;
static size_t nr_specials;
static struct tracked_dir *tracked_dirs;
static size_t nr_tracked_dirs;
static struct tracked_dirp *tracked_dirps;
static size_t nr_tracked_dirps;

static size_t count_of(const size_t *n)
{
	return __atomic_load_n(n, __ATOMIC_ACQUIRE);
}

/* Append @item (of @size) to the array *@arr of *@n: false when out of memory. */
static bool __append(void *arr, size_t *n, const void *item, size_t size)
{
	void **a = arr;
	void *grown = realloc(*a, (*n + 1) * size);

	if (!grown)
		return false;
	memcpy((char *)grown + *n * size, item, size);
	*a = grown;
	__atomic_store_n(n, *n + 1, __ATOMIC_RELEASE);
	return true;
}

static void __remove_at(void *arr, size_t *n, size_t i, size_t size)
{
	char *a = *(char **)arr;

	memmove(a + i * size, a + (i + 1) * size, (*n - i - 1) * size);
	__atomic_store_n(n, *n - 1, __ATOMIC_RELEASE);
}

/*
 * Which fds below SHIM_FD_BITS are in a table (special or tracked): set
 * and cleared under shim_mutex, read without it, so that a program holding
 * a fail-nth fd or a sysfs folder open does not take the mutex on each of
 * its reads, writes and closes.  Larger fds always look in the tables.
 */
#define SHIM_FD_BITS 65536
#define BITS_PER_WORD (8 * sizeof(unsigned long))
static unsigned long shim_fd_bits[SHIM_FD_BITS / BITS_PER_WORD];

static void __mark_fd(int fd, bool set)
{
	unsigned long bit = 1ul << ((unsigned int)fd % BITS_PER_WORD);

	if (fd < 0 || fd >= SHIM_FD_BITS)
		return;
	if (set)
		__atomic_fetch_or(&shim_fd_bits[fd / BITS_PER_WORD], bit, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&shim_fd_bits[fd / BITS_PER_WORD], ~bit, __ATOMIC_RELEASE);
}

/* Might @fd be in the special or tracked tables? */
static bool maybe_in_tables(int fd)
{
	if (fd < 0 || (!count_of(&nr_specials) && !count_of(&nr_tracked_dirs)))
		return false;
	if (fd >= SHIM_FD_BITS)
		return true;
	return __atomic_load_n(&shim_fd_bits[fd / BITS_PER_WORD], __ATOMIC_ACQUIRE) &
	       (1ul << ((unsigned int)fd % BITS_PER_WORD));
}

static bool add_special(const struct special *sp)
{
	sigset_t saved;
	bool ok;

	shim_lock(&saved);
	ok = __append(&specials, &nr_specials, sp, sizeof(*sp));
	if (ok)
		__mark_fd(sp->fd, true);
	shim_unlock(&saved);
	return ok;
}

/* A copy of the special entry for @fd: true if there is one. */
static bool find_special(int fd, struct special *out)
{
	bool found = false;
	sigset_t saved;

	if (!maybe_in_tables(fd))
		return false;
	shim_lock(&saved);
	for (size_t i = 0; i < nr_specials && !found; i++)
		if (specials[i].fd == fd) {
			*out = specials[i];
			found = true;
		}
	shim_unlock(&saved);
	return found;
}

static void set_special_pos(int fd, int64_t pos)
{
	sigset_t saved;

	shim_lock(&saved);
	for (size_t i = 0; i < nr_specials; i++)
		if (specials[i].fd == fd)
			specials[i].pos = pos;
	shim_unlock(&saved);
}

static void track_dir(int fd, const char *vpath)
{
	struct tracked_dir t = { .fd = fd };
	struct stat st;
	sigset_t saved;

	if (libc(fstat)(fd, &st) || !S_ISDIR(st.st_mode))
		return;
	t.dev = st.st_dev;
	t.ino = st.st_ino;
	t.vpath = strdup(vpath);
	if (!t.vpath)
		return;
	shim_lock(&saved);
	if (__append(&tracked_dirs, &nr_tracked_dirs, &t, sizeof(t)))
		__mark_fd(fd, true);
	else
		free(t.vpath);
	shim_unlock(&saved);
}

/* The shim forgets @fd (closed, or about to be replaced). */
static void forget_fd(int fd)
{
	sigset_t saved;

	if (!maybe_in_tables(fd))
		return;
	shim_lock(&saved);
	for (size_t i = nr_tracked_dirs; i--;)
		if (tracked_dirs[i].fd == fd) {
			free(tracked_dirs[i].vpath);
			__remove_at(&tracked_dirs, &nr_tracked_dirs, i, sizeof(*tracked_dirs));
		}
	for (size_t i = nr_specials; i--;)
		if (specials[i].fd == fd) {
			__remove_at(&specials, &nr_specials, i, sizeof(*specials));
		}
	__mark_fd(fd, false);
	shim_unlock(&saved);
}

/* The virtual path of tracked directory @fd into @buf, if it is still that one. */
static bool tracked_dir_path(int fd, char *buf, size_t len)
{
	struct stat st;
	sigset_t saved;
	bool found = false;

	if (!maybe_in_tables(fd) || libc(fstat)(fd, &st))
		return false;
	shim_lock(&saved);
	for (size_t i = 0; i < nr_tracked_dirs && !found; i++) {
		const struct tracked_dir *t = &tracked_dirs[i];

		if (t->fd == fd && t->dev == st.st_dev && t->ino == st.st_ino)
			found = (size_t)snprintf(buf, len, "%s", t->vpath) < len;
	}
	shim_unlock(&saved);
	return found;
}

static void track_dirp(DIR *dir, const char *vpath)
{
	struct tracked_dirp t = { .dir = dir, .vpath = strdup(vpath) };
	sigset_t saved;

	if (!t.vpath)
		return;
	shim_lock(&saved);
	if (!__append(&tracked_dirps, &nr_tracked_dirps, &t, sizeof(t)))
		free(t.vpath);
	shim_unlock(&saved);
}

static bool dirp_path(DIR *dir, char *buf, size_t len)
{
	sigset_t saved;
	bool found = false;

	if (!count_of(&nr_tracked_dirps))
		return false;
	shim_lock(&saved);
	for (size_t i = 0; i < nr_tracked_dirps && !found; i++)
		if (tracked_dirps[i].dir == dir)
			found = (size_t)snprintf(buf, len, "%s", tracked_dirps[i].vpath) < len;
	shim_unlock(&saved);
	return found;
}

static void forget_dirp(DIR *dir)
{
	sigset_t saved;

	if (!count_of(&nr_tracked_dirps))
		return;
	shim_lock(&saved);
	for (size_t i = nr_tracked_dirps; i--;)
		if (tracked_dirps[i].dir == dir) {
			free(tracked_dirps[i].vpath);
			__remove_at(&tracked_dirps, &nr_tracked_dirps, i, sizeof(*tracked_dirps));
		}
	shim_unlock(&saved);
}

/* ------------------------------------------------------------------ */
/* Which path, which fd                                                */

enum target {
	T_FOREIGN,
	T_NODE,        /* a device node of the host */
	T_TREE,        /* a file of the host's /sys: `real` holds where */
	T_STATE,       /* debugfs iommusim/state */
	T_RESET,       /* debugfs iommusim/reset */
	T_FAILNTH,     /* /proc/.../fail-nth */
};

struct where {
	enum target target;
	const char *path;       /* absolute, as the program means it */
	char vbuf[PATH_MAX];    /* a relative path joined to its directory */
	char real[PATH_MAX];    /* T_TREE */
	pid_t tid;              /* T_FAILNTH */
	struct ims_host *host;  /* held (host_put) for T_NODE, T_TREE, T_STATE */
};

static bool parse_uint(const char *s, size_t n, unsigned long *out)
{
	char *end;

	if (!n || n > 10 || s[0] < '0' || s[0] > '9')
		return false;
	*out = strtoul(s, &end, 10);
	return end == s + n;
}

/*
 * "/proc/self/", "/proc/<our pid>/", "/proc/thread-self/" or
 * "/proc/<pid>/task/<tid>/": the rest after it, the tid it names (0: none).
 */
static const char *proc_self_rest(const char *path, pid_t *tid)
{
	const char *p = path + 6;
	unsigned long v;
	size_t n;

	*tid = 0;
	if (strncmp(path, "/proc/", 6))
		return NULL;
	n = strcspn(p, "/");
	if (n == 11 && !strncmp(p, "thread-self", 11))
		*tid = current_tid();
	else if (!(n == 4 && !strncmp(p, "self", 4)) &&
		 !(parse_uint(p, n, &v) && (pid_t)v == getpid()))
		return NULL;
	p += n + (p[n] == '/');
	if (*tid || strncmp(p, "task/", 5))
		return p;
	p += 5;
	n = strcspn(p, "/");
	if (!parse_uint(p, n, &v))
		return NULL;
	*tid = (pid_t)v;
	return p + n + (p[n] == '/');
}

/* /proc/.../fail-nth of a thread of this process: its tid, or 0. */
static pid_t failnth_tid(const char *path)
{
	char task[64];
	pid_t tid;
	const char *rest = proc_self_rest(path, &tid);

	if (!rest || !tid || strcmp(rest, "fail-nth"))
		return 0;
	snprintf(task, sizeof(task), "/proc/self/task/%d", (int)tid);
	return tid == current_tid() || !libc(access)(task, F_OK) ? tid : 0;
}

/* /proc/.../fd/N of this process: N, or -1. */
static int proc_fd_number(const char *path)
{
	unsigned long v;
	pid_t tid;
	const char *rest = proc_self_rest(path, &tid);

	if (!rest || strncmp(rest, "fd/", 3) || !parse_uint(rest + 3, strlen(rest + 3), &v))
		return -1;
	return v > INT_MAX ? -1 : (int)v;
}

/* The absolute path a call names: @path, or @path joined to tracked @dirfd. */
static const char *call_path(int dirfd, const char *path, char *buf, size_t len)
{
	size_t used;

	if (!path)
		return NULL;
	if (path[0] == '/')
		return path;
	if (dirfd == AT_FDCWD || !path[0] || !tracked_dir_path(dirfd, buf, len))
		return NULL;
	used = strlen(buf);
	return (size_t)snprintf(buf + used, len - used, "/%s", path) < len - used ? buf : NULL;
}

static bool is_debugfs_file(const char *vpath, const char *name)
{
	static const char dir[] = "/sys/kernel/debug/iommusim/";

	return !strncmp(vpath, dir, sizeof(dir) - 1) && !strcmp(vpath + sizeof(dir) - 1, name);
}

/* Classify with the host: node, tree (and its debugfs files) or foreign. */
static void __classify_host(struct where *w)
{
	char vpath[PATH_MAX];
	int kind = IN_LIB(ims_host_resolve_path(w->host, w->path, w->real, sizeof(w->real)));

	/* Falling back to the real /dev/vfio could reach real devices: stop. */
	if (kind < 0 && kind != -ENAMETOOLONG)
		shim_fatal("cannot build the host's /sys view: %s", strerror(-kind));
	w->target = kind == IMS_PATH_NODE ? T_NODE : kind == IMS_PATH_TREE ? T_TREE : T_FOREIGN;
	shim_debug("%s: %s%s", w->path, kind == IMS_PATH_NODE ? "device node" :
		   kind == IMS_PATH_TREE ? "redirected to " : "not the host's",
		   kind == IMS_PATH_TREE ? w->real : "");
	if (w->target != T_TREE)
		return;
	note_tree_root(w->host);
	if (IN_LIB(ims_host_unresolve_path(w->host, w->real, vpath, sizeof(vpath))) != 1)
		return;
	if (is_debugfs_file(vpath, "state"))
		w->target = T_STATE;
	else if (is_debugfs_file(vpath, "reset"))
		w->target = T_RESET;
}

/*
 * What (@dirfd, @path) names.  For the host's paths (not T_FAILNTH) the
 * host is held: release it with where_done().
 */
static void classify(struct where *w, int dirfd, const char *path)
{
	w->target = T_FOREIGN;
	w->host = NULL;
	w->path = call_path(dirfd, path, w->vbuf, sizeof(w->vbuf));
	if (!w->path)
		return;
	if (!strncmp(w->path, "/proc/", 6)) {
		w->tid = failnth_tid(w->path);
		w->target = w->tid ? T_FAILNTH : T_FOREIGN;
		return;
	}
	if (!ims_host_path_candidate(w->path) || !(w->host = host_get()))
		return;
	__classify_host(w);
	if (w->target == T_FOREIGN) {
		host_put();
		w->host = NULL;
	}
}

static void where_done(struct where *w)
{
	if (w->host)
		host_put();
	w->host = NULL;
}

/* The trace line of a call on a classified path: fn("path") = result. */
static void trace_path(const char *fn, const struct where *w, long ret)
{
	if (config.trace && w->target != T_FOREIGN && ret != NOT_OURS)
		trace("%s(\"%s\") = %s%s", fn, w->path,
		      result_text(ret < 0 ? -1 : ret, (int)-ret, (char[96]){ 0 }, 96),
		      w->target == T_TREE ? " [sysfs]" : "");
}

/* Is @fd one of the host's, at a glance (nothing held)? */
static bool host_of_fd_unheld(int fd)
{
	struct ims_host *host = __atomic_load_n(&shim_host, __ATOMIC_ACQUIRE);

	return fd >= 0 && host && ims_host_owns_fd(host, fd);
}

/* Is @fd one of the host's?  Then the host is held (host_put). */
static struct ims_host *host_of_fd(int fd)
{
	struct ims_host *host;

	if (!host_of_fd_unheld(fd))
		return NULL;
	host = host_get();
	if (host && !ims_host_owns_fd(host, fd)) {
		host_put();
		host = NULL;
	}
	return host;
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */

/* A fresh snapshot of the JSON state in a memfd, positioned at 0. */
static int open_state(struct ims_host *host, int flags)
{
	char *json = IN_LIB(ims_host_state_json(host, true));
	int fd, ret = 0;

	if (!json)
		return -ENOMEM;
	fd = memfd_create("iommusim-state", flags & O_CLOEXEC ? MFD_CLOEXEC : 0);
	if (fd < 0)
		ret = -errno;
	for (size_t done = 0, len = strlen(json); !ret && done < len;) {
		ssize_t n = libc(write)(fd, json + done, len - done);

		if (n < 0)
			ret = -errno;
		else
			done += (size_t)n;
	}
	free(json);
	if (!ret && lseek(fd, 0, SEEK_SET) < 0)
		ret = -errno;
	if (ret && fd >= 0)
		libc(close)(fd);
	return ret ? ret : fd;
}

static int open_special(const struct where *w, int flags)
{
	struct special sp = { .kind = w->target == T_FAILNTH ? SPECIAL_FAILNTH : SPECIAL_RESET,
			      .tid = w->tid };
	int fd;

	snprintf(sp.path, sizeof(sp.path), sp.kind == SPECIAL_FAILNTH ?
		 "/proc/%d/task/%d/fail-nth" : "/sys/kernel/debug/iommusim/reset",
		 (int)getpid(), (int)w->tid);
	fd = memfd_create(sp.kind == SPECIAL_FAILNTH ? "fail-nth" : "iommusim-reset",
			  flags & O_CLOEXEC ? MFD_CLOEXEC : 0);
	if (fd < 0)
		return -errno;
	sp.fd = fd;
	if (!add_special(&sp)) {
		libc(close)(fd);
		return -ENOMEM;
	}
	return fd;
}

/*
 * open/openat of a host path (the host held): the fd, or a negative errno.
 * Specials are opened by the caller, with the host released.
 */
static int open_ours(struct where *w, int flags, mode_t mode)
{
	int fd;

	switch (w->target) {
	case T_NODE:
		return IN_LIB(ims_open(w->host, w->path, flags));
	case T_STATE:
		return open_state(w->host, flags);
	case T_TREE:
		fd = libc(openat)(AT_FDCWD, w->real, flags, mode);
		return fd < 0 ? -errno : fd;
	default:
		return -ENOENT;
	}
}

static bool wants_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* Every open of a path: the fd, a negative errno, or NOT_OURS. */
static int shim_openat(int dirfd, const char *path, int flags, mode_t mode, const char *fn)
{
	struct where w;
	char fbuf[128];
	int ret;

	classify(&w, dirfd, path);
	if (w.target == T_FOREIGN)
		return NOT_OURS;
	if (w.target == T_RESET || w.target == T_FAILNTH) {
		where_done(&w); /* the shim's tables are locked outside the host */
		ret = open_special(&w, flags);
	} else {
		ret = open_ours(&w, flags, mode);
		where_done(&w);
		if (ret >= 0 && w.target == T_TREE)
			track_dir(ret, w.path);
	}
	trace("%s(\"%s\", %s) = %s%s", fn, w.path, open_flags_text(flags, fbuf, sizeof(fbuf)),
	      result_text(ret < 0 ? -1 : ret, -ret, (char[96]){ 0 }, 96),
	      w.target == T_TREE ? " [sysfs]" : "");
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reading and writing the special fds                                 */

static ssize_t read_text(const char *text, void *buf, size_t count, int64_t pos)
{
	size_t len = strlen(text);

	if (pos < 0)
		return -EINVAL;
	if ((uint64_t)pos >= len)
		return 0;
	count = IMS_MIN(count, len - (size_t)pos);
	memcpy(buf, text + pos, count);
	return (ssize_t)count;
}

/* The kernel's kstrtouint: decimal, 0x hex or 0 octal, one newline allowed. */
static int parse_written_uint(const void *buf, size_t count, unsigned int *out)
{
	char text[32], *end;
	unsigned long v;

	if (!count || count >= sizeof(text))
		return -EINVAL;
	memcpy(text, buf, count);
	text[count] = '\0';
	if (text[count - 1] == '\n')
		text[count - 1] = '\0';
	if (!text[0] || text[0] == '-' || text[0] == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(text, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > UINT_MAX)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

static ssize_t special_read(const struct special *sp, void *buf, size_t count, int64_t pos)
{
	char text[32];

	if (sp->kind != SPECIAL_FAILNTH)
		return -EINVAL;
	if (sp->tid != current_tid())
		return -EINVAL;
	snprintf(text, sizeof(text), "%lu\n", ims_fail_nth_get());
	return read_text(text, buf, count, pos);
}

static ssize_t special_write(const struct special *sp, const void *buf, size_t count)
{
	unsigned int v;
	int ret = parse_written_uint(buf, count, &v);

	if (ret)
		return ret;
	if (sp->kind == SPECIAL_RESET) {
		if (v != 1)
			return -EINVAL;
		reset_host();
		return (ssize_t)count;
	}
	if (sp->tid != current_tid())
		return -EINVAL;
	ims_fail_nth_set(v);
	return (ssize_t)count;
}

/* read/pread (@pos NULL: the fd's own position) of a special fd. */
static ssize_t special_rw(const struct special *sp, void *buf, size_t count, const int64_t *pos,
			  bool write)
{
	ssize_t ret;

	if (write)
		return special_write(sp, buf, count);
	ret = special_read(sp, buf, count, pos ? *pos : sp->pos);
	if (ret > 0 && !pos)
		set_special_pos(sp->fd, sp->pos + ret);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Calls on fds                                                        */

/* read/write/pread/pwrite; NOT_OURS when the fd is not the host's or ours. */
static ssize_t shim_rw(int fd, void *buf, size_t count, const int64_t *pos, bool write)
{
	struct special sp;
	struct ims_host *host = host_of_fd(fd);
	char at[24] = "";
	ssize_t ret;

	if (!host)
		return find_special(fd, &sp) ? special_rw(&sp, buf, count, pos, write) : NOT_OURS;
	if (config.trace && pos)
		snprintf(at, sizeof(at), ", %#llx", (unsigned long long)*pos);
	if (write)
		ret = pos ? IN_LIB(ims_pwrite(host, fd, buf, count, *pos)) :
			    IN_LIB(ims_write(host, fd, buf, count));
	else
		ret = pos ? IN_LIB(ims_pread(host, fd, buf, count, *pos)) :
			    IN_LIB(ims_read(host, fd, buf, count));
	host_put();
	trace("%s%s(%d, %p, %zu%s) = %s", pos ? "p" : "", write ? "write" : "read", fd, buf,
	      count, at, result_text(ret < 0 ? -1 : ret, (int)-ret, (char[96]){ 0 }, 96));
	return ret;
}

static long shim_ioctl(struct ims_host *host, int fd, unsigned long cmd, void *arg)
{
	char name[64], link[PATH_MAX];
	long ret;

	if (!config.trace)
		return IN_LIB(ims_ioctl(host, fd, cmd, arg));
	link[0] = '\0';
	IN_LIB(ims_host_fd_link(host, fd, link, sizeof(link)));
	ret = IN_LIB(ims_ioctl(host, fd, cmd, arg));
	trace("ioctl(%d, %s, %p) = %s", fd, ioctl_text(vfio_kind(link), cmd, name, sizeof(name)),
	      arg, result_text(ret < 0 ? -1 : ret, (int)-ret, (char[96]){ 0 }, 96));
	return ret;
}

static int shim_close(int fd)
{
	struct ims_host *host;
	int ret;

	forget_fd(fd); /* before the host is held: shim_mutex comes first */
	host = host_of_fd(fd);
	if (!host)
		return NOT_OURS;
	ret = IN_LIB(ims_close(host, fd));
	host_put();
	trace("close(%d) = %s", fd, result_text(ret, -ret, (char[96]){ 0 }, 96));
	return ret;
}

/* dup2/dup3 (@newfd >= 0) or dup/F_DUPFD (@newfd < 0, from @min). */
static int shim_dup(int fd, int newfd, int min, int flags)
{
	struct ims_host *host;
	int ret, placeholder = -1;

	if (newfd >= 0 && host_of_fd_unheld(fd))
		forget_fd(newfd); /* before the host is held: shim_mutex comes first */
	host = host_of_fd(fd);
	if (!host)
		return NOT_OURS;
	if (newfd < 0 && min > 0) {
		/* Hold the lowest free number >= min, then dup onto it. */
		placeholder = libc(fcntl)(fd, F_DUPFD, min);
		if (placeholder < 0) {
			host_put();
			return -errno;
		}
		newfd = placeholder;
	}
	ret = IN_LIB(ims_dup(host, fd, newfd, flags));
	if (ret < 0 && placeholder >= 0)
		libc(close)(placeholder);
	host_put();
	trace("dup(%d) = %s", fd, result_text(ret, -ret, (char[96]){ 0 }, 96));
	return ret;
}

/* @newfd is the host's and something else is dup'ed over it: close it first. */
static void drop_replaced_fd(int oldfd, int newfd)
{
	struct ims_host *host;

	forget_fd(newfd); /* before the host is held: shim_mutex comes first */
	host = host_of_fd(newfd);
	if (host && oldfd != newfd) {
		IN_LIB(ims_close(host, newfd));
		host_put();
	} else if (host) {
		host_put();
	}
}

static void close_host_range(unsigned int first, unsigned int last)
{
	for (unsigned int fd = first; fd <= last && fd < IMS_HOST_FD_BITS; fd++)
		shim_close((int)fd);
}

/* ------------------------------------------------------------------ */
/* stat, access, readlink, realpath                                    */

static void fill_special_stat(struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_blksize = 4096;
}

/* Device nodes belong to the user, as after "chown user /dev/vfio/N". */
static int node_stat(struct where *w, struct stat *st)
{
	int ret = IN_LIB(ims_stat_path(w->host, w->path, st));

	if (!ret) {
		st->st_uid = getuid();
		st->st_gid = getgid();
	}
	return ret;
}

/* fstatat semantics on a classified path; NOT_OURS for foreign ones. */
static int stat_where(struct where *w, struct stat *st, int flags)
{
	switch (w->target) {
	case T_NODE:
		return node_stat(w, st);
	case T_FAILNTH:
		fill_special_stat(st);
		return 0;
	case T_TREE:
	case T_STATE:
	case T_RESET:
		return libc(fstatat)(AT_FDCWD, w->real, st, flags & AT_SYMLINK_NOFOLLOW) ? -errno : 0;
	default:
		return NOT_OURS;
	}
}

static int shim_fstat(int fd, struct stat *st)
{
	struct ims_host *host = host_of_fd(fd);
	struct special sp;
	int ret;

	if (!host) {
		if (!find_special(fd, &sp))
			return NOT_OURS;
		fill_special_stat(st);
		return 0;
	}
	ret = IN_LIB(ims_fstat(host, fd, st));
	if (!ret) {
		st->st_uid = getuid();
		st->st_gid = getgid();
	}
	host_put();
	trace("fstat(%d) = %s", fd, result_text(ret, -ret, (char[96]){ 0 }, 96));
	return ret;
}

static int shim_statat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct where w;
	int ret;

	if (path && !path[0] && (flags & AT_EMPTY_PATH))
		return shim_fstat(dirfd, st);
	classify(&w, dirfd, path);
	ret = stat_where(&w, st, flags);
	where_done(&w);
	trace_path(flags & AT_SYMLINK_NOFOLLOW ? "lstat" : "stat", &w, ret);
	return ret;
}

static void stat_to_statx(const struct stat *st, struct statx *stx)
{
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = (uint32_t)st->st_blksize;
	stx->stx_nlink = (uint32_t)st->st_nlink;
	stx->stx_uid = st->st_uid;
	stx->stx_gid = st->st_gid;
	stx->stx_mode = (uint16_t)st->st_mode;
	stx->stx_ino = st->st_ino;
	stx->stx_size = (uint64_t)st->st_size;
	stx->stx_blocks = (uint64_t)st->st_blocks;
	stx->stx_atime = (struct statx_timestamp){ st->st_atim.tv_sec, (uint32_t)st->st_atim.tv_nsec, 0 };
	stx->stx_mtime = (struct statx_timestamp){ st->st_mtim.tv_sec, (uint32_t)st->st_mtim.tv_nsec, 0 };
	stx->stx_ctime = (struct statx_timestamp){ st->st_ctim.tv_sec, (uint32_t)st->st_ctim.tv_nsec, 0 };
	stx->stx_rdev_major = major(st->st_rdev);
	stx->stx_rdev_minor = minor(st->st_rdev);
	stx->stx_dev_major = major(st->st_dev);
	stx->stx_dev_minor = minor(st->st_dev);
}

/* statx: host fds, nodes and specials are answered; tree paths go to libc. */
static int shim_statx(int dirfd, const char *path, int flags, unsigned int mask,
		      struct statx *stx)
{
	struct where w;
	struct stat st;
	int ret;

	if (path && !path[0] && (flags & AT_EMPTY_PATH)) {
		ret = shim_fstat(dirfd, &st);
		if (!ret)
			stat_to_statx(&st, stx);
		return ret;
	}
	classify(&w, dirfd, path);
	if (w.target == T_TREE || w.target == T_STATE || w.target == T_RESET) {
		ret = libc(statx)(AT_FDCWD, w.real, flags, mask, stx) ? -errno : 0;
	} else {
		ret = stat_where(&w, &st, flags);
		if (!ret)
			stat_to_statx(&st, stx);
	}
	where_done(&w);
	trace_path("statx", &w, ret);
	return ret;
}

static int shim_access(int dirfd, const char *path, int mode, int flags)
{
	struct where w;
	int ret;

	classify(&w, dirfd, path);
	switch (w.target) {
	case T_NODE:
	case T_FAILNTH:
		ret = mode & X_OK ? -EACCES : 0;
		break;
	case T_TREE:
	case T_STATE:
	case T_RESET:
		ret = libc(faccessat)(AT_FDCWD, w.real, mode, flags) ? -errno : 0;
		break;
	default:
		ret = NOT_OURS;
	}
	where_done(&w);
	trace_path("access", &w, ret);
	return ret;
}

/* readlink's copy: no terminator, truncated to @len. */
static ssize_t link_out(const char *text, char *buf, size_t len)
{
	size_t n = IMS_MIN(strlen(text), len);

	memcpy(buf, text, n);
	return (ssize_t)n;
}

/* /proc/self/fd/N: the host's fds, ours, and files inside the tree. */
static ssize_t proc_fd_link(int fd, char *buf, size_t len)
{
	struct ims_host *host = host_of_fd(fd);
	char text[PATH_MAX], real[PATH_MAX], proc[64];
	struct special sp;
	ssize_t n;
	int ret;

	if (host) {
		ret = IN_LIB(ims_host_fd_link(host, fd, text, sizeof(text)));
		host_put();
		return ret ? ret : link_out(text, buf, len);
	}
	if (find_special(fd, &sp))
		return link_out(sp.path, buf, len);
	if (!known_tree_root())
		return NOT_OURS;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = libc(readlink)(proc, real, sizeof(real) - 1);
	if (n < 0)
		return NOT_OURS;
	real[n] = '\0';
	host = host_get();
	ret = host ? IN_LIB(ims_host_unresolve_path(host, real, text, sizeof(text))) : 0;
	if (host)
		host_put();
	return ret == 1 ? link_out(text, buf, len) : NOT_OURS;
}

static ssize_t shim_readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	struct where w;
	ssize_t ret;
	int fd;

	if (path && (fd = proc_fd_number(path)) >= 0)
		return proc_fd_link(fd, buf, len);
	classify(&w, dirfd, path);
	switch (w.target) {
	case T_NODE:
	case T_FAILNTH:
		ret = -EINVAL;
		break;
	case T_TREE:
	case T_STATE:
	case T_RESET:
		ret = libc(readlinkat)(AT_FDCWD, w.real, buf, len);
		ret = ret < 0 ? -errno : ret;
		break;
	default:
		ret = NOT_OURS;
	}
	where_done(&w);
	trace_path("readlink", &w, ret);
	return ret;
}

/* realpath into @out (PATH_MAX): 0, a negative errno, or NOT_OURS. */
static int shim_realpath(const char *path, char *out)
{
	char real[PATH_MAX];
	struct where w;
	int ret = 0;

	classify(&w, AT_FDCWD, path);
	switch (w.target) {
	case T_NODE:
		IN_LIB(ims_host_resolve_path(w.host, w.path, out, PATH_MAX));
		break;
	case T_FAILNTH:
		snprintf(out, PATH_MAX, "/proc/%d/task/%d/fail-nth", (int)getpid(), (int)w.tid);
		break;
	case T_TREE:
	case T_STATE:
	case T_RESET:
		if (!libc(realpath)(w.real, real))
			ret = -errno;
		else if (IN_LIB(ims_host_unresolve_path(w.host, real, out, PATH_MAX)) != 1)
			ret = -ENOENT;
		break;
	default:
		ret = NOT_OURS;
	}
	where_done(&w);
	trace_path("realpath", &w, ret);
	return ret;
}

/*
 * getxattr/listxattr (ls -l asks for ACLs): nodes and host fds have none,
 * tree paths answer for their real files.  @list selects listxattr.
 */
static ssize_t shim_xattr(const char *path, bool nofollow, const char *name, void *value,
			  size_t size, bool list)
{
	struct where w;
	ssize_t ret;

	classify(&w, AT_FDCWD, path);
	switch (w.target) {
	case T_NODE:
	case T_FAILNTH:
		ret = list ? 0 : -ENODATA;
		break;
	case T_TREE:
	case T_STATE:
	case T_RESET:
		if (list)
			ret = nofollow ? libc(llistxattr)(w.real, value, size) :
					 libc(listxattr)(w.real, value, size);
		else
			ret = nofollow ? libc(lgetxattr)(w.real, name, value, size) :
					 libc(getxattr)(w.real, name, value, size);
		ret = ret < 0 ? -errno : ret;
		break;
	default:
		ret = NOT_OURS;
	}
	where_done(&w);
	return ret;
}

static ssize_t shim_fxattr(int fd, bool list)
{
	struct ims_host *host = host_of_fd(fd);
	struct special sp;

	if (host)
		host_put();
	else if (!find_special(fd, &sp))
		return NOT_OURS;
	return list ? 0 : -ENODATA;
}

/* ------------------------------------------------------------------ */
/* Directories                                                         */

/* A real folder above the host's (/sys/kernel, /dev): relative opens from it count. */
static bool above_host(const char *path)
{
	return path && (!strncmp(path, "/sys", 4) || !strncmp(path, "/dev", 4));
}

/* opendir of a host path; *@err < 0 when @path is not the shim's business. */
static DIR *shim_opendir(const char *path, int *err)
{
	const char *open_path = NULL;
	struct where w;
	DIR *dir = NULL;

	classify(&w, AT_FDCWD, path);
	*err = -1;
	if (w.target == T_TREE)
		open_path = w.real;
	else if (w.target == T_FOREIGN && above_host(w.path))
		open_path = w.path;
	else if (w.target != T_FOREIGN)
		*err = ENOTDIR;
	if (open_path) {
		dir = libc(opendir)(open_path);
		*err = dir ? 0 : errno;
	}
	where_done(&w);
	if (dir) {
		track_dir(dirfd(dir), w.path);
		if (w.target == T_TREE && !strncmp(w.path, "/dev/", 5))
			track_dirp(dir, w.path);
	}
	if (*err >= 0)
		trace("opendir(\"%s\") = %s", w.path, dir ? "ok" : strerror(*err));
	return dir;
}

/* d_type of an entry of a host /dev folder: the placeholders are nodes. */
static unsigned char node_type(DIR *dir, const char *name, unsigned char type)
{
	char vpath[PATH_MAX];
	struct ims_host *host;
	struct stat st;
	size_t used;
	int ret = -1;

	if (!dirp_path(dir, vpath, sizeof(vpath)) || type != DT_REG)
		return type;
	used = strlen(vpath);
	snprintf(vpath + used, sizeof(vpath) - used, "/%s", name);
	host = host_get();
	if (host) {
		ret = IN_LIB(ims_stat_path(host, vpath, &st));
		host_put();
	}
	return ret ? type : DT_CHR;
}

/* scandir on the real path of a host folder. */
static const char *scandir_path(const char *path, char *real, size_t len)
{
	struct where w;

	classify(&w, AT_FDCWD, path);
	if (w.target == T_TREE)
		snprintf(real, len, "%s", w.real);
	where_done(&w);
	return w.target == T_TREE ? real : path;
}

/* ------------------------------------------------------------------ */
/* exec: children get the shim and the configuration again             */

/* The environment an exec'ed program gets: mmap'ed, for vfork children. */
struct exec_env {
	char **envp;
	void *map;
	size_t len;
};

static bool is_self_token(const char *p, size_t n)
{
	return config.self_token && strlen(config.self_token) == n &&
	       !strncmp(p, config.self_token, n);
}

/* LD_PRELOAD's value with us added (or removed, @strip) into @out. */
static void preload_value(const char *old, bool strip, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	if (!strip)
		used = (size_t)snprintf(out, len, "%s", config.self_token);
	for (const char *p = old; p && *p && used < len;) {
		size_t n = strcspn(p, ": ");

		if (n && !is_self_token(p, n))
			used += (size_t)snprintf(out + used, len - used, "%s%.*s", used ? ":" : "",
						 (int)n, p);
		p += n + (p[n] != '\0');
	}
}

static bool env_has(char *const envp[], const char *entry)
{
	size_t n = strcspn(entry, "=") + 1;

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, entry, n))
			return true;
	return false;
}

static size_t env_count(char *const envp[])
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	return n;
}

/* Text appended to the environment: LD_PRELOAD and the stale-tree mark. */
static size_t env_extras(char *const envp[], bool strip, char *preload, size_t plen,
			 char *stale, size_t slen)
{
	const char *old = NULL;

	for (char *const *e = envp; e && *e; e++)
		if (!strncmp(*e, "LD_PRELOAD=", 11))
			old = *e + 11;
	memcpy(preload, "LD_PRELOAD=", 11);
	preload_value(old, strip, preload + 11, plen - 11);
	stale[0] = '\0';
	if (!strip && known_tree_root())
		snprintf(stale, slen, "IOMMUSIM_STALE_TREE=%s", known_tree_root());
	return strlen(preload) + strlen(stale) + 2;
}

static bool env_build(char *const envp[], bool strip, struct exec_env *out)
{
	static const size_t plen = 8192;
	char *preload, *stale, **e, *text;
	size_t n = env_count(envp), i = 0;
	size_t saved = 0;

	while (config.saved_env && config.saved_env[saved])
		saved++;
	out->len = (n + saved + 3) * sizeof(char *) + plen + PATH_MAX + 64;
	out->map = libc(mmap)(NULL, out->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
	if (out->map == MAP_FAILED)
		return false;
	e = out->map;
	preload = (char *)(e + n + saved + 3);
	stale = preload + plen;
	env_extras(envp, strip, preload, plen, stale, PATH_MAX + 64);
	for (size_t k = 0; k < n; k++)
		if (strncmp(envp[k], "LD_PRELOAD=", 11) &&
		    (strip || strncmp(envp[k], "IOMMUSIM_STALE_TREE=", 20)))
			e[i++] = envp[k];
	if (preload[11])
		e[i++] = preload;
	for (size_t k = 0; !strip && k < saved; k++)
		if (!env_has(envp, config.saved_env[k]))
			e[i++] = config.saved_env[k];
	text = stale;
	if (text[0])
		e[i++] = text;
	e[i] = NULL;
	out->envp = e;
	return true;
}

/* Prepare @envp for an exec: from library code (dtc) without the shim. */
static char **exec_env(char *const envp[], struct exec_env *env)
{
	env->map = NULL;
	if (!config.self_token || !env_build(envp, shim_depth > 0, env))
		return (char **)envp;
	return env->envp;
}

static void exec_env_done(struct exec_env *env)
{
	int saved = errno;

	if (env->map)
		munmap(env->map, env->len);
	errno = saved;
}

/* execl's arguments as an argv, mmap'ed; NULL on failure. */
static char **collect_args(const char *arg0, va_list ap, size_t *len, char ***envp)
{
	va_list count;
	size_t n = 1;
	char **argv;

	va_copy(count, ap);
	while (va_arg(count, char *))
		n++;
	va_end(count);
	*len = (n + 1) * sizeof(char *);
	argv = libc(mmap)(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (argv == MAP_FAILED)
		return NULL;
	argv[0] = (char *)arg0;
	for (size_t i = 1; i <= n; i++)
		argv[i] = va_arg(ap, char *);
	if (envp)
		*envp = va_arg(ap, char **);
	return argv;
}

/* The execl family: @search looks @file up in PATH, @with_env reads envp. */
static int exec_list(const char *file, const char *arg0, va_list ap, bool search,
		     bool with_env)
{
	char **envp = environ, **argv;
	struct exec_env env;
	size_t len;
	int ret;

	argv = collect_args(arg0, ap, &len, with_env ? &envp : NULL);
	if (!argv)
		return errno = ENOMEM, -1;
	envp = exec_env(envp, &env);
	ret = search ? libc(execvpe)(file, argv, envp) : libc(execve)(file, argv, envp);
	exec_env_done(&env);
	exec_env_done(&(struct exec_env){ .map = argv, .len = len });
	return ret;
}

/* ------------------------------------------------------------------ */
/* Start                                                               */

__attribute__((constructor)) static void shim_start(void)
{
	const char *stale = getenv("IOMMUSIM_STALE_TREE");

	shim_depth++;
	config.trace = env_flag("IOMMUSIM_TRACE");
	config.dump = getenv("IOMMUSIM_DUMP") ? strdup(getenv("IOMMUSIM_DUMP")) : NULL;
	config.self_token = find_self_token();
	save_environment();
	if (stale) {
		ims_host_sysfs_remove_stale(stale);
		unsetenv("IOMMUSIM_STALE_TREE");
	}
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	atexit(at_exit);
	shim_depth--;
}

/* ================================================================== */
/* Overridden libc functions                                           */
/* ================================================================== */

/*
 * Every wrapper: calls from library code, and fds or paths that are not
 * the host's, go to libc untouched.  For the host's, the result is the
 * host's, turned into -1/errno.
 */

#define OPEN_WRAPPER(fn, dirfd, path, flags, real_call)                       \
	{                                                                     \
		mode_t mode = 0;                                              \
		int ret;                                                      \
		if (wants_mode(flags)) {                                      \
			va_list ap;                                           \
			va_start(ap, flags);                                  \
			mode = (mode_t)va_arg(ap, int);                       \
			va_end(ap);                                           \
		}                                                             \
		if (shim_depth)                                               \
			return real_call;                                     \
		ret = shim_openat(dirfd, path, flags, mode, fn);              \
		return ret == NOT_OURS ? real_call : (int)as_syscall(ret);    \
	}

int open(const char *path, int flags, ...)
OPEN_WRAPPER("open", AT_FDCWD, path, flags, libc(open)(path, flags, mode))

int open64(const char *path, int flags, ...)
OPEN_WRAPPER("open", AT_FDCWD, path, flags, libc(open64)(path, flags, mode))

int openat(int dirfd, const char *path, int flags, ...)
OPEN_WRAPPER("openat", dirfd, path, flags, libc(openat)(dirfd, path, flags, mode))

int openat64(int dirfd, const char *path, int flags, ...)
OPEN_WRAPPER("openat", dirfd, path, flags, libc(openat64)(dirfd, path, flags, mode))

int __open_2(const char *path, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_openat(AT_FDCWD, path, flags, 0, "open");

	return ret == NOT_OURS ? libc(__open_2)(path, flags) : (int)as_syscall(ret);
}

int __open64_2(const char *path, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_openat(AT_FDCWD, path, flags, 0, "open");

	return ret == NOT_OURS ? libc(__open64_2)(path, flags) : (int)as_syscall(ret);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_openat(dirfd, path, flags, 0, "openat");

	return ret == NOT_OURS ? libc(__openat_2)(dirfd, path, flags) : (int)as_syscall(ret);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_openat(dirfd, path, flags, 0, "openat");

	return ret == NOT_OURS ? libc(__openat64_2)(dirfd, path, flags) : (int)as_syscall(ret);
}

int creat(const char *path, mode_t mode)
{
	int flags = O_CREAT | O_WRONLY | O_TRUNC;
	int ret = shim_depth ? NOT_OURS : shim_openat(AT_FDCWD, path, flags, mode, "creat");

	return ret == NOT_OURS ? libc(creat)(path, mode) : (int)as_syscall(ret);
}

int creat64(const char *path, mode_t mode)
{
	int flags = O_CREAT | O_WRONLY | O_TRUNC;
	int ret = shim_depth ? NOT_OURS : shim_openat(AT_FDCWD, path, flags, mode, "creat");

	return ret == NOT_OURS ? libc(creat64)(path, mode) : (int)as_syscall(ret);
}

FILE *fopen(const char *path, const char *mode)
{
	int flags = strchr(mode, '+') ? O_RDWR : mode[0] == 'r' ? O_RDONLY : O_WRONLY;
	int ret, saved;
	FILE *f;

	flags |= mode[0] == 'w' ? O_CREAT | O_TRUNC : mode[0] == 'a' ? O_CREAT | O_APPEND : 0;
	flags |= strchr(mode, 'e') ? O_CLOEXEC : 0;
	ret = shim_depth ? NOT_OURS : shim_openat(AT_FDCWD, path, flags, 0666, "fopen");
	if (ret == NOT_OURS)
		return libc(fopen)(path, mode);
	if (ret < 0)
		return errno = -ret, NULL;
	f = fdopen(ret, mode);
	if (!f) {
		saved = errno;
		close(ret);
		errno = saved;
	}
	return f;
}

FILE *fopen64(const char *path, const char *mode)
{
	return shim_depth ? libc(fopen64)(path, mode) : fopen(path, mode);
}

int close(int fd)
{
	int ret = shim_depth ? NOT_OURS : shim_close(fd);

	return ret == NOT_OURS ? libc(close)(fd) : (int)as_syscall(ret);
}

int close_range(unsigned int first, unsigned int last, int flags)
{
	if (!shim_depth && !(flags & CLOSE_RANGE_CLOEXEC))
		close_host_range(first, last);
	return libc(close_range)(first, last, flags);
}

void closefrom(int lowfd)
{
	if (!shim_depth && lowfd >= 0)
		close_host_range((unsigned int)lowfd, ~0u);
	libc(closefrom)(lowfd);
}

/*
 * glibc's prototype is int ioctl(int, unsigned long, ...).  The one
 * argument is read as a pointer: every ioctl we answer takes a pointer or
 * an integer passed in the same register.
 */
int ioctl(int fd, unsigned long request, ...)
{
	struct ims_host *host;
	va_list ap;
	void *arg;
	long ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	host = shim_depth ? NULL : host_of_fd(fd);
	if (!host)
		return libc(ioctl)(fd, request, arg);
	ret = shim_ioctl(host, fd, request, arg);
	host_put();
	return (int)as_syscall(ret);
}

ssize_t read(int fd, void *buf, size_t count)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_rw(fd, buf, count, NULL, false);

	return ret == NOT_OURS ? libc(read)(fd, buf, count) : as_syscall(ret);
}

ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	ssize_t ret;

	if (count > buflen)
		__chk_fail();
	ret = shim_depth ? NOT_OURS : shim_rw(fd, buf, count, NULL, false);
	return ret == NOT_OURS ? libc(__read_chk)(fd, buf, count, buflen) : as_syscall(ret);
}

ssize_t write(int fd, const void *buf, size_t count)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_rw(fd, (void *)buf, count, NULL, true);

	return ret == NOT_OURS ? libc(write)(fd, buf, count) : as_syscall(ret);
}

ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	int64_t pos = off;
	ssize_t ret = shim_depth ? NOT_OURS : shim_rw(fd, buf, count, &pos, false);

	return ret == NOT_OURS ? libc(pread)(fd, buf, count, off) : as_syscall(ret);
}

ssize_t pread64(int fd, void *buf, size_t count, off64_t off)
{
	int64_t pos = off;
	ssize_t ret = shim_depth ? NOT_OURS : shim_rw(fd, buf, count, &pos, false);

	return ret == NOT_OURS ? libc(pread64)(fd, buf, count, off) : as_syscall(ret);
}

ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen)
{
	int64_t pos = off;
	ssize_t ret;

	if (count > buflen)
		__chk_fail();
	ret = shim_depth ? NOT_OURS : shim_rw(fd, buf, count, &pos, false);
	return ret == NOT_OURS ? libc(__pread_chk)(fd, buf, count, off, buflen) : as_syscall(ret);
}

ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t off, size_t buflen)
{
	int64_t pos = off;
	ssize_t ret;

	if (count > buflen)
		__chk_fail();
	ret = shim_depth ? NOT_OURS : shim_rw(fd, buf, count, &pos, false);
	return ret == NOT_OURS ? libc(__pread64_chk)(fd, buf, count, off, buflen) :
				 as_syscall(ret);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
	int64_t pos = off;
	ssize_t ret = shim_depth ? NOT_OURS : shim_rw(fd, (void *)buf, count, &pos, true);

	return ret == NOT_OURS ? libc(pwrite)(fd, buf, count, off) : as_syscall(ret);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t off)
{
	int64_t pos = off;
	ssize_t ret = shim_depth ? NOT_OURS : shim_rw(fd, (void *)buf, count, &pos, true);

	return ret == NOT_OURS ? libc(pwrite64)(fd, buf, count, off) : as_syscall(ret);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct ims_host *host = shim_depth ? NULL : host_of_fd(fd);
	int ret;

	if (!host)
		return libc(mmap)(addr, len, prot, flags, fd, off);
	ret = IN_LIB(ims_mmap_check(host, fd, (uint64_t)off, len, prot));
	host_put();
	trace("mmap(%p, %zu, %d, %d, %d, 0x%llx) = %s", addr, len, prot, flags, fd,
	      (unsigned long long)off, ret ? ims_errname(ret) : "ok");
	if (ret) {
		errno = -ret;
		return MAP_FAILED;
	}
	return libc(mmap)(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return shim_depth ? libc(mmap64)(addr, len, prot, flags, fd, off) :
			    mmap(addr, len, prot, flags, fd, off);
}

int stat(const char *path, struct stat *st)
{
	int ret = shim_depth ? NOT_OURS : shim_statat(AT_FDCWD, path, st, 0);

	return ret == NOT_OURS ? libc(stat)(path, st) : (int)as_syscall(ret);
}

int stat64(const char *path, struct stat64 *st)
{
	int ret = shim_depth ? NOT_OURS : shim_statat(AT_FDCWD, path, (struct stat *)st, 0);

	return ret == NOT_OURS ? libc(stat64)(path, st) : (int)as_syscall(ret);
}

int lstat(const char *path, struct stat *st)
{
	int ret = shim_depth ? NOT_OURS :
		  shim_statat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);

	return ret == NOT_OURS ? libc(lstat)(path, st) : (int)as_syscall(ret);
}

int lstat64(const char *path, struct stat64 *st)
{
	int ret = shim_depth ? NOT_OURS :
		  shim_statat(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);

	return ret == NOT_OURS ? libc(lstat64)(path, st) : (int)as_syscall(ret);
}

int fstat(int fd, struct stat *st)
{
	int ret = shim_depth ? NOT_OURS : shim_fstat(fd, st);

	return ret == NOT_OURS ? libc(fstat)(fd, st) : (int)as_syscall(ret);
}

int fstat64(int fd, struct stat64 *st)
{
	int ret = shim_depth ? NOT_OURS : shim_fstat(fd, (struct stat *)st);

	return ret == NOT_OURS ? libc(fstat64)(fd, st) : (int)as_syscall(ret);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_statat(dirfd, path, st, flags);

	return ret == NOT_OURS ? libc(fstatat)(dirfd, path, st, flags) : (int)as_syscall(ret);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_statat(dirfd, path, (struct stat *)st, flags);

	return ret == NOT_OURS ? libc(fstatat64)(dirfd, path, st, flags) : (int)as_syscall(ret);
}

int __xstat(int ver, const char *path, struct stat *st)
{
	int ret = shim_depth ? NOT_OURS : shim_statat(AT_FDCWD, path, st, 0);

	return ret == NOT_OURS ? libc(__xstat)(ver, path, st) : (int)as_syscall(ret);
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
	int ret = shim_depth ? NOT_OURS : shim_statat(AT_FDCWD, path, (struct stat *)st, 0);

	return ret == NOT_OURS ? libc(__xstat64)(ver, path, st) : (int)as_syscall(ret);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
	int ret = shim_depth ? NOT_OURS :
		  shim_statat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);

	return ret == NOT_OURS ? libc(__lxstat)(ver, path, st) : (int)as_syscall(ret);
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	int ret = shim_depth ? NOT_OURS :
		  shim_statat(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);

	return ret == NOT_OURS ? libc(__lxstat64)(ver, path, st) : (int)as_syscall(ret);
}

int __fxstat(int ver, int fd, struct stat *st)
{
	int ret = shim_depth ? NOT_OURS : shim_fstat(fd, st);

	return ret == NOT_OURS ? libc(__fxstat)(ver, fd, st) : (int)as_syscall(ret);
}

int __fxstat64(int ver, int fd, struct stat64 *st)
{
	int ret = shim_depth ? NOT_OURS : shim_fstat(fd, (struct stat *)st);

	return ret == NOT_OURS ? libc(__fxstat64)(ver, fd, st) : (int)as_syscall(ret);
}

int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_statat(dirfd, path, st, flags);

	return ret == NOT_OURS ? libc(__fxstatat)(ver, dirfd, path, st, flags) :
				 (int)as_syscall(ret);
}

int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_statat(dirfd, path, (struct stat *)st, flags);

	return ret == NOT_OURS ? libc(__fxstatat64)(ver, dirfd, path, st, flags) :
				 (int)as_syscall(ret);
}

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	int ret = shim_depth ? NOT_OURS : shim_statx(dirfd, path, flags, mask, stx);

	return ret == NOT_OURS ? libc(statx)(dirfd, path, flags, mask, stx) : (int)as_syscall(ret);
}

int access(const char *path, int mode)
{
	int ret = shim_depth ? NOT_OURS : shim_access(AT_FDCWD, path, mode, 0);

	return ret == NOT_OURS ? libc(access)(path, mode) : (int)as_syscall(ret);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	int ret = shim_depth ? NOT_OURS : shim_access(dirfd, path, mode, flags);

	return ret == NOT_OURS ? libc(faccessat)(dirfd, path, mode, flags) : (int)as_syscall(ret);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_readlinkat(AT_FDCWD, path, buf, len);

	return ret == NOT_OURS ? libc(readlink)(path, buf, len) : as_syscall(ret);
}

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_readlinkat(dirfd, path, buf, len);

	return ret == NOT_OURS ? libc(readlinkat)(dirfd, path, buf, len) : as_syscall(ret);
}

ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen)
{
	ssize_t ret;

	if (len > buflen)
		__chk_fail();
	ret = shim_depth ? NOT_OURS : shim_readlinkat(AT_FDCWD, path, buf, len);
	return ret == NOT_OURS ? libc(__readlink_chk)(path, buf, len, buflen) : as_syscall(ret);
}

ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len, size_t buflen)
{
	ssize_t ret;

	if (len > buflen)
		__chk_fail();
	ret = shim_depth ? NOT_OURS : shim_readlinkat(dirfd, path, buf, len);
	return ret == NOT_OURS ? libc(__readlinkat_chk)(dirfd, path, buf, len, buflen) :
				 as_syscall(ret);
}

char *realpath(const char *path, char *resolved)
{
	char out[PATH_MAX];
	int ret = shim_depth || !path ? NOT_OURS : shim_realpath(path, out);

	if (ret == NOT_OURS)
		return libc(realpath)(path, resolved);
	if (ret < 0)
		return errno = -ret, NULL;
	if (!resolved)
		return strdup(out);
	return strcpy(resolved, out);
}

char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		__chk_fail();
	return shim_depth ? libc(__realpath_chk)(path, resolved, resolvedlen) :
			    realpath(path, resolved);
}

char *canonicalize_file_name(const char *path)
{
	return shim_depth ? libc(canonicalize_file_name)(path) : realpath(path, NULL);
}

DIR *opendir(const char *path)
{
	DIR *dir;
	int err;

	if (shim_depth)
		return libc(opendir)(path);
	dir = shim_opendir(path, &err);
	if (err < 0)
		return libc(opendir)(path);
	if (!dir)
		errno = err;
	return dir;
}

int closedir(DIR *dir)
{
	if (!shim_depth) {
		forget_dirp(dir);
		forget_fd(dirfd(dir));
	}
	return libc(closedir)(dir);
}

struct dirent *readdir(DIR *dir)
{
	struct dirent *e = libc(readdir)(dir);

	if (e && !shim_depth && count_of(&nr_tracked_dirps)) {
		int saved = errno;

		e->d_type = node_type(dir, e->d_name, e->d_type);
		errno = saved;
	}
	return e;
}

struct dirent64 *readdir64(DIR *dir)
{
	struct dirent64 *e = libc(readdir64)(dir);

	if (e && !shim_depth && count_of(&nr_tracked_dirps)) {
		int saved = errno;

		e->d_type = node_type(dir, e->d_name, e->d_type);
		errno = saved;
	}
	return e;
}

int scandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *),
	    int (*compar)(const struct dirent **, const struct dirent **))
{
	char real[PATH_MAX];

	return libc(scandir)(shim_depth ? path : scandir_path(path, real, sizeof(real)), list,
			     filter, compar);
}

int scandir64(const char *path, struct dirent64 ***list,
	      int (*filter)(const struct dirent64 *),
	      int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	char real[PATH_MAX];

	return libc(scandir64)(shim_depth ? path : scandir_path(path, real, sizeof(real)), list,
			       filter, compar);
}

int dup(int fd)
{
	int ret = shim_depth ? NOT_OURS : shim_dup(fd, -1, 0, 0);

	return ret == NOT_OURS ? libc(dup)(fd) : (int)as_syscall(ret);
}

int dup2(int fd, int newfd)
{
	int ret = shim_depth ? NOT_OURS : shim_dup(fd, newfd, 0, 0);

	if (ret != NOT_OURS)
		return (int)as_syscall(ret);
	if (!shim_depth)
		drop_replaced_fd(fd, newfd);
	return libc(dup2)(fd, newfd);
}

int dup3(int fd, int newfd, int flags)
{
	int ret = shim_depth || fd == newfd ? NOT_OURS : shim_dup(fd, newfd, 0, flags);

	if (ret != NOT_OURS)
		return (int)as_syscall(ret);
	if (!shim_depth && fd != newfd)
		drop_replaced_fd(fd, newfd);
	return libc(dup3)(fd, newfd, flags);
}

/* As glibc: the one optional argument is read as a pointer-sized value. */
int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	int ret = NOT_OURS;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!shim_depth && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		ret = shim_dup(fd, -1, (int)(intptr_t)arg, cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0);
	return ret == NOT_OURS ? libc(fcntl)(fd, cmd, arg) : (int)as_syscall(ret);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	int ret = NOT_OURS;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!shim_depth && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		ret = shim_dup(fd, -1, (int)(intptr_t)arg, cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0);
	return ret == NOT_OURS ? libc(fcntl64)(fd, cmd, arg) : (int)as_syscall(ret);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	struct exec_env env;
	int ret = libc(execve)(path, argv, exec_env(envp, &env));

	exec_env_done(&env);
	return ret;
}

int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	struct exec_env env;
	int ret = libc(execveat)(dirfd, path, argv, exec_env(envp, &env), flags);

	exec_env_done(&env);
	return ret;
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	struct exec_env env;
	int ret = libc(fexecve)(fd, argv, exec_env(envp, &env));

	exec_env_done(&env);
	return ret;
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct exec_env env;
	int ret = libc(execvpe)(file, argv, exec_env(envp, &env));

	exec_env_done(&env);
	return ret;
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

int execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg0);
	ret = exec_list(path, arg0, ap, false, false);
	va_end(ap);
	return ret;
}

int execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg0);
	ret = exec_list(file, arg0, ap, true, false);
	va_end(ap);
	return ret;
}

int execle(const char *path, const char *arg0, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg0);
	ret = exec_list(path, arg0, ap, false, true);
	va_end(ap);
	return ret;
}

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	struct exec_env env;
	int ret = libc(posix_spawn)(pid, path, actions, attr, argv, exec_env(envp, &env));

	exec_env_done(&env);
	return ret;
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
		 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	struct exec_env env;
	int ret = libc(posix_spawnp)(pid, file, actions, attr, argv, exec_env(envp, &env));

	exec_env_done(&env);
	return ret;
}

ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_xattr(path, false, name, value, size, false);

	return ret == NOT_OURS ? libc(getxattr)(path, name, value, size) : as_syscall(ret);
}

ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_xattr(path, true, name, value, size, false);

	return ret == NOT_OURS ? libc(lgetxattr)(path, name, value, size) : as_syscall(ret);
}

ssize_t fgetxattr(int fd, const char *name, void *value, size_t size)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_fxattr(fd, false);

	return ret == NOT_OURS ? libc(fgetxattr)(fd, name, value, size) : as_syscall(ret);
}

ssize_t listxattr(const char *path, char *list, size_t size)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_xattr(path, false, NULL, list, size, true);

	return ret == NOT_OURS ? libc(listxattr)(path, list, size) : as_syscall(ret);
}

ssize_t llistxattr(const char *path, char *list, size_t size)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_xattr(path, true, NULL, list, size, true);

	return ret == NOT_OURS ? libc(llistxattr)(path, list, size) : as_syscall(ret);
}

ssize_t flistxattr(int fd, char *list, size_t size)
{
	ssize_t ret = shim_depth ? NOT_OURS : shim_fxattr(fd, true);

	return ret == NOT_OURS ? libc(flistxattr)(fd, list, size) : as_syscall(ret);
}
