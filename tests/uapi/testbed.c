// SPDX-License-Identifier: MIT
/*
 * The UAPI test bed (see testbed.h): the host on testbed.dts, reached
 * directly through the library or, built with IMS_UAPI_SHIM, through the
 * real open/ioctl/close of a program running under `iommusim exec`.
 * Domain facts come from the JSON state in both builds.
 */
#include "testbed.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void die(const char *what, const char *why)
{
	fprintf(stderr, "test bed: %s: %s\n", what, why);
	exit(1);
}

#ifdef IMS_UAPI_SHIM
/* ------------------------------------------------------------------ */
/* Shim build: a plain program                                         */

#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static void set_env(const char *name, const char *value)
{
	if (value ? setenv(name, value, 1) : unsetenv(name))
		die(name, strerror(errno));
}

/* RLIMIT_MEMLOCK of this process (each test runs in its own). */
static void set_memlock(uint64_t limit)
{
	struct rlimit rl;

	if (!limit)
		return;
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		die("getrlimit", strerror(errno));
	rl.rlim_cur = limit;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < limit)
		rl.rlim_max = limit;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		die("setrlimit(RLIMIT_MEMLOCK)", strerror(errno));
}

/* CAP_IPC_LOCK in the effective set: 1 raise, -1 drop, 0 leave. */
static void set_ipc_lock(int want)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	uint32_t bit = 1u << (CAP_IPC_LOCK % 32);

	if (!want)
		return;
	if (syscall(SYS_capget, &hdr, data))
		die("capget", strerror(errno));
	if (want > 0)
		data[CAP_IPC_LOCK / 32].effective |= bit;
	else
		data[CAP_IPC_LOCK / 32].effective &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		die("capset(CAP_IPC_LOCK)", strerror(errno));
}

/* The shim's host goes; the next call makes one from the environment. */
static void reset_host(void)
{
	int fd = open("/sys/kernel/debug/iommusim/reset", O_WRONLY);

	if (fd < 0 || write(fd, "1", 1) != 1)
		die("reset through debugfs (is this running under `iommusim exec`?)",
		    strerror(errno));
	close(fd);
}

void t_host_up(const struct t_options *o)
{
	char limit[16];

	if (!getenv("IOMMUSIM_PLATFORM"))
		die("IOMMUSIM_PLATFORM is not set", "run this under `iommusim exec -p testbed.dtb`");
	snprintf(limit, sizeof(limit), "%u", o->dma_entry_limit);
	set_env("IOMMUSIM_PROFILE", o->profile);
	set_env("IOMMUSIM_ALLOW_UNSAFE_INTERRUPTS", o->allow_unsafe_interrupts ? "1" : NULL);
	set_env("IOMMUSIM_DMA_ENTRY_LIMIT", o->dma_entry_limit ? limit : NULL);
	set_memlock(o->memlock_limit);
	set_ipc_lock(o->ipc_lock);
	reset_host();
}

void t_host_up_platform(const char *platform, const struct t_options *o)
{
	set_env("IOMMUSIM_PLATFORM", platform);
	t_host_up(o);
}

void t_host_down(void)
{
	reset_host();
}

struct ims_host *t_host(void)
{
	return NULL;
}

int t_open(const char *path, int flags)
{
	return open(path, flags);
}

int t_close(int fd)
{
	return close(fd);
}

long t_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg);
}

ssize_t t_read(int fd, void *buf, size_t count)
{
	return read(fd, buf, count);
}

ssize_t t_write(int fd, const void *buf, size_t count)
{
	return write(fd, buf, count);
}

ssize_t t_pread(int fd, void *buf, size_t count, off_t offset)
{
	return pread(fd, buf, count, offset);
}

ssize_t t_pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	return pwrite(fd, buf, count, offset);
}

void *t_mmap(size_t length, int prot, int flags, int fd, off_t offset)
{
	return mmap(NULL, length, prot, flags, fd, offset);
}

int t_fstat(int fd, struct stat *st)
{
	return fstat(fd, st);
}

int t_dup(int fd)
{
	return dup(fd);
}

void t_fail_nth_set(unsigned long nth)
{
	int fd = open("/proc/thread-self/fail-nth", O_WRONLY);
	char text[24];
	int len = snprintf(text, sizeof(text), "%lu", nth);

	if (fd < 0 || write(fd, text, (size_t)len) != len)
		die("write /proc/thread-self/fail-nth", strerror(errno));
	close(fd);
}

unsigned long t_fail_nth_get(void)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDONLY);
	char text[24] = "";

	if (fd < 0 || read(fd, text, sizeof(text) - 1) <= 0)
		die("read /proc/thread-self/fail-nth", strerror(errno));
	close(fd);
	return strtoul(text, NULL, 10);
}

/* From the iommu_group link of the PCI function or platform device @bdf. */
int t_group_id(const char *bdf)
{
	char path[128], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/iommu_group", bdf);
		n = readlink(path, link, sizeof(link) - 1);
	}
	if (n <= 0)
		return -1;
	link[n] = '\0';
	return atoi(strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
}

static char *state_text(void)
{
	size_t len = 0, cap = 1 << 16;
	char *text = malloc(cap);
	int fd = open("/sys/kernel/debug/iommusim/state", O_RDONLY);
	ssize_t n;

	if (fd < 0 || !text)
		die("/sys/kernel/debug/iommusim/state", strerror(errno));
	while ((n = read(fd, text + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap && !(text = realloc(text, cap *= 2)))
			die("state", "out of memory");
	}
	close(fd);
	text[len] = '\0';
	return text;
}

#else
/* ------------------------------------------------------------------ */
/* Direct build: the host in-process                                   */

#include "core/core.h"
#include "harness/harness.h"
#include "host/host.h"
#include "util/alloc.h"
#include "vfio/vfio.h"

static struct ims_host *host;

void t_host_up_platform(const char *platform, const struct t_options *o)
{
	struct ims_host_options opts = {
		.profile = o->profile,
		.allow_unsafe_interrupts = o->allow_unsafe_interrupts,
		.dma_entry_limit = o->dma_entry_limit,
		.ipc_lock = o->ipc_lock,
		.memlock_limit = o->memlock_limit,
	};
	char err[512];
	int ret = ims_host_create(platform, &opts, &host, err, sizeof(err));

	if (ret)
		die(platform, err[0] ? err : strerror(-ret));
}

void t_host_up(const struct t_options *o)
{
	t_host_up_platform(IMS_TESTBED_PLATFORM, o);
}

void t_host_down(void)
{
	ims_host_destroy(host);
	host = NULL;
}

struct ims_host *t_host(void)
{
	return host;
}

int t_open(const char *path, int flags)
{
	return (int)harness_as_syscall(ims_open(host, path, flags));
}

int t_close(int fd)
{
	return (int)harness_as_syscall(ims_close(host, fd));
}

long t_ioctl(int fd, unsigned long cmd, void *arg)
{
	return harness_as_syscall(ims_ioctl(host, fd, cmd, arg));
}

ssize_t t_read(int fd, void *buf, size_t count)
{
	return harness_as_syscall(ims_read(host, fd, buf, count));
}

ssize_t t_write(int fd, const void *buf, size_t count)
{
	return harness_as_syscall(ims_write(host, fd, buf, count));
}

ssize_t t_pread(int fd, void *buf, size_t count, off_t offset)
{
	return harness_as_syscall(ims_pread(host, fd, buf, count, offset));
}

ssize_t t_pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	return harness_as_syscall(ims_pwrite(host, fd, buf, count, offset));
}

void *t_mmap(size_t length, int prot, int flags, int fd, off_t offset)
{
	int ret = ims_mmap_check(host, fd, (uint64_t)offset, length, prot);

	if (ret) {
		errno = -ret;
		return MAP_FAILED;
	}
	return mmap(NULL, length, prot, flags, fd, offset);
}

int t_fstat(int fd, struct stat *st)
{
	return (int)harness_as_syscall(ims_fstat(host, fd, st));
}

int t_dup(int fd)
{
	return (int)harness_as_syscall(ims_dup(host, fd, -1, 0));
}

void t_fail_nth_set(unsigned long nth)
{
	ims_fail_nth_set(nth);
}

unsigned long t_fail_nth_get(void)
{
	return ims_fail_nth_get();
}

int t_raise_irq(const char *name, unsigned int index, unsigned int vector, bool level)
{
	struct ims_device *dev = ims_device_find(host->core, name);

	return (int)harness_as_syscall(dev ? ims_vfio_device_raise(dev, index, vector, level) : -ENODEV);
}
static char *state_text(void)
{
	char *text = ims_host_state_json(host, false);

	if (!text)
		die("state", "out of memory");
	return text;
}

static json_object *state(void);
static json_object *find_by(json_object *array, const char *key, json_object *value);

int t_group_id(const char *bdf)
{
	json_object *o = state(), *name = json_object_new_string(bdf);
	json_object *dev = find_by(json_object_object_get(o, "devices"), "name", name);
	json_object *group = dev ? json_object_object_get(dev, "group") : NULL;
	int id = group ? json_object_get_int(group) : -1;

	json_object_put(name);
	json_object_put(o);
	return id;
}
#endif

/* ------------------------------------------------------------------ */
/* Both builds                                                         */

int t_open_group_of(const char *bdf)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", t_group_id(bdf));
	return t_open(path, O_RDWR);
}

static json_object *state(void)
{
	char *text = state_text();
	json_object *o = json_tokener_parse(text);

	free(text);
	if (!o)
		die("state", "not JSON");
	return o;
}

/* The element of @array whose @key equals @value. */
static json_object *find_by(json_object *array, const char *key, json_object *value)
{
	for (size_t i = 0; i < json_object_array_length(array); i++) {
		json_object *e = json_object_array_get_idx(array, i);

		if (json_object_equal(json_object_object_get(e, key), value))
			return e;
	}
	return NULL;
}

/* The domain the group of @bdf is attached to, from state @o; NULL if none. */
static json_object *domain_of(json_object *o, const char *bdf)
{
	json_object *id = json_object_new_int(t_group_id(bdf));
	json_object *group = find_by(json_object_object_get(o, "groups"), "id", id);
	json_object *domain = group ? json_object_object_get(group, "domain") : NULL;

	json_object_put(id);
	return domain ? find_by(json_object_object_get(o, "domains"), "id", domain) : NULL;
}

static bool is_unmanaged(json_object *domain)
{
	return domain && !strcmp(json_object_get_string(json_object_object_get(domain, "type")),
				 "UNMANAGED");
}

int t_nr_unmanaged_domains(void)
{
	json_object *o = state(), *domains = json_object_object_get(o, "domains");
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(domains); i++)
		n += is_unmanaged(json_object_array_get_idx(domains, i));
	json_object_put(o);
	return n;
}

int t_domain_of(const char *bdf)
{
	json_object *o = state(), *domain = domain_of(o, bdf);
	int id = is_unmanaged(domain) ? json_object_get_int(json_object_object_get(domain, "id")) : 0;

	json_object_put(o);
	return id;
}

uint64_t t_domain_mapped_bytes_of(const char *bdf)
{
	json_object *o = state(), *domain = domain_of(o, bdf);
	uint64_t bytes = domain ?
		(uint64_t)json_object_get_int64(json_object_object_get(domain, "mapped_bytes")) : 0;

	json_object_put(o);
	return bytes;
}
