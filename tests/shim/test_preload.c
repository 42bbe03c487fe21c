// SPDX-License-Identifier: MIT
/*
 * The LD_PRELOAD shim seen from a program: run under
 * `iommusim exec -p mock`, this program only calls libc, as any program
 * would.  Each test runs in its own process (the harness forks), so each
 * gets its own simulated host, made on first use.
 *
 * Covered: character devices whose st_rdev matches the sysfs dev files,
 * /proc/self/fd links, the dup family, directory listings of /dev/vfio and
 * sysfs, fopen of sysfs files, files and fds that are not the host's left
 * alone (errno included), the fail-nth file protocol and a fail-nth sweep,
 * debugfs, threads, fork (a private copy) and exec (the shim comes back),
 * the debugfs state and reset files, close_range, and glibc's variant entry
 * points (__open_2, __read_chk, __xstat ...).
 *
 * On the mock platform, 0000:01:00.0 and 0000:01:00.1 form one viable
 * group behind 10000000.iommu; 0000:02:00.0 (nvme) is not viable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/harness.h"

/* glibc entry points a fortified or old build calls instead. */
int __open_2(const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen);
ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
int __xstat(int ver, const char *path, struct stat *st);
int __fxstat(int ver, int fd, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st);

extern char **environ;

#define NIC "0000:01:00.0"
#define SZ_4K 0x1000ull

FIXTURE(shim)
{
	int group_id;        /* iommu_group of NIC */
};

FIXTURE_SETUP(shim)
{
	char link[64];
	ssize_t n = readlink("/sys/bus/pci/devices/" NIC "/iommu_group", link, sizeof(link) - 1);

	ASSERT_TRUE(n > 0);
	link[n] = '\0';
	self->group_id = atoi(strrchr(link, '/') + 1);
}

FIXTURE_TEARDOWN(shim)
{
}

static int open_group(int id)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	return open(path, O_RDWR);
}

/* "maj:min\n" of a sysfs dev file. */
static dev_t sysfs_dev(const char *path)
{
	unsigned int maj = 0, min = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return (dev_t)-1;
	if (fscanf(f, "%u:%u", &maj, &min) != 2)
		maj = min = ~0u;
	fclose(f);
	return makedev(maj, min);
}

/* The first line of a file, without its newline. */
static const char *first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static const char *fd_link(int fd, char *buf, size_t len)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int api_version(int fd)
{
	return ioctl(fd, VFIO_GET_API_VERSION);
}

static int set_container(int group, int container)
{
	return ioctl(group, VFIO_GROUP_SET_CONTAINER, &container);
}

/* The debugfs JSON state, read whole. */
static char *state_text(void)
{
	static char text[1 << 17];
	int fd = open("/sys/kernel/debug/iommusim/state", O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	text[len] = '\0';
	return text;
}

static int count_substr(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

TEST_F(shim, rdev_matches_sysfs)
{
	char path[64];
	struct statx stx;
	struct stat st;
	int c = open("/dev/vfio/vfio", O_RDWR);
	int g = open_group(self->group_id);
	dev_t rdev;

	ASSERT_NE(-1, c);
	ASSERT_NE(-1, g);
	ASSERT_EQ(0, fstat(c, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(sysfs_dev("/sys/devices/virtual/misc/vfio/dev"), st.st_rdev);
	EXPECT_EQ(makedev(10, 196), st.st_rdev);
	snprintf(path, sizeof(path), "/sys/class/vfio/%d/dev", self->group_id);
	ASSERT_EQ(0, fstat(g, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(sysfs_dev(path), st.st_rdev);
	rdev = st.st_rdev;
	snprintf(path, sizeof(path), "/dev/vfio/%d", self->group_id);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(rdev, st.st_rdev);
	ASSERT_EQ(0, statx(AT_FDCWD, "/dev/vfio/vfio", 0, STATX_BASIC_STATS, &stx));
	EXPECT_EQ(10, stx.stx_rdev_major);
	EXPECT_EQ(196, stx.stx_rdev_minor);
	ASSERT_EQ(0, statx(c, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
	EXPECT_TRUE(S_ISCHR(stx.stx_mode));
	ASSERT_EQ(0, lstat("/dev/vfio/vfio", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0, fstatat(AT_FDCWD, "/dev/vfio/vfio", &st, 0));
	EXPECT_EQ(makedev(10, 196), st.st_rdev);
	close(g);
	close(c);
}

TEST_F(shim, proc_fd_links)
{
	char buf[PATH_MAX], want[64], proc[300];
	int c = open("/dev/vfio/vfio", O_RDWR), g = open_group(self->group_id);
	int attr = open("/sys/bus/pci/devices/" NIC "/vendor", O_RDONLY);
	int found = 0;
	struct dirent *e;
	DIR *fds;

	ASSERT_NE(-1, c);
	ASSERT_NE(-1, g);
	ASSERT_NE(-1, attr);
	EXPECT_EQ(0, strcmp("/dev/vfio/vfio", fd_link(c, buf, sizeof(buf))));
	snprintf(want, sizeof(want), "/dev/vfio/%d", self->group_id);
	EXPECT_EQ(0, strcmp(want, fd_link(g, buf, sizeof(buf))));
	EXPECT_EQ(0, strcmp("/sys/devices/pci0000:00/0000:00:01.0/" NIC "/vendor",
			    fd_link(attr, buf, sizeof(buf))));
	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", (int)getpid(), c);
	ASSERT_EQ(14, readlink(proc, buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp("/dev/vfio/vfio", buf, 14));
	/* readlink truncates without a terminator. */
	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", c);
	EXPECT_EQ(4, readlink(proc, buf, 4));
	/* SPDK finds DPDK's container this way. */
	fds = opendir("/proc/self/fd");
	ASSERT_TRUE(fds != NULL);
	while ((e = readdir(fds))) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(proc, buf, sizeof(buf) - 1);

		found += n == 14 && !strncmp(buf, "/dev/vfio/vfio", 14);
	}
	closedir(fds);
	EXPECT_EQ(1, found);
	close(attr);
	close(g);
	close(c);
}

TEST_F(shim, dup_family)
{
	int c = open("/dev/vfio/vfio", O_RDWR), g = open_group(self->group_id);
	int d1 = dup(c), d2 = fcntl(c, F_DUPFD_CLOEXEC, 100), d3 = dup2(c, 200);
	int d4 = dup3(c, 201, O_CLOEXEC), pipefd[2];

	ASSERT_NE(-1, c);
	ASSERT_NE(-1, d1);
	EXPECT_TRUE(d2 >= 100);
	EXPECT_EQ(FD_CLOEXEC, fcntl(d2, F_GETFD));
	EXPECT_EQ(200, d3);
	EXPECT_EQ(201, d4);
	EXPECT_EQ(FD_CLOEXEC, fcntl(d4, F_GETFD));
	EXPECT_EQ(c, dup2(c, c));
	close(c);
	/* The open file lives while one fd is left. */
	EXPECT_EQ(VFIO_API_VERSION, api_version(d1));
	EXPECT_EQ(VFIO_API_VERSION, api_version(d2));
	EXPECT_EQ(VFIO_API_VERSION, api_version(d3));
	EXPECT_EQ(0, set_container(g, d4));
	close(d1);
	close(d2);
	close(d3);
	close(d4);
	EXPECT_ERRNO(EBADF, api_version(d1));
	/* dup2 of another file over the group fd releases the group. */
	EXPECT_ERRNO(EBUSY, open_group(self->group_id));
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(g, dup2(pipefd[0], g));
	EXPECT_ERRNO(ENOTTY, ioctl(g, VFIO_GROUP_GET_STATUS, &(struct vfio_group_status){ 0 }));
	c = open_group(self->group_id);
	EXPECT_NE(-1, c);
	close(c);
	close(g);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(shim, dev_vfio_listing)
{
	DIR *dir = opendir("/dev/vfio");
	char name[32];
	bool saw_container = false, saw_group = false, all_chr = true;
	struct dirent *e;
	int fd;

	ASSERT_TRUE(dir != NULL);
	snprintf(name, sizeof(name), "%d", self->group_id);
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		saw_container |= !strcmp(e->d_name, "vfio");
		saw_group |= !strcmp(e->d_name, name);
		/* devices/ holds the VFIO device cdevs, as on a kernel with them */
		all_chr &= e->d_type == DT_CHR ||
			   (e->d_type == DT_DIR && !strcmp(e->d_name, "devices"));
	}
	EXPECT_TRUE(saw_container);
	EXPECT_TRUE(saw_group);
	EXPECT_TRUE(all_chr);
	/* A relative open from the folder reaches the device, not its placeholder. */
	fd = openat(dirfd(dir), "vfio", O_RDWR);
	ASSERT_NE(-1, fd);
	EXPECT_EQ(VFIO_API_VERSION, api_version(fd));
	close(fd);
	closedir(dir);
	/* The nvme's group is not VFIO's: no node. */
	EXPECT_ERRNO(ENOENT, open("/dev/vfio/9999", O_RDWR));
	EXPECT_ERRNO(ENOENT, access("/dev/vfio/9999", F_OK));
}

static int groups_in_state(void)
{
	const char *text = state_text(), *groups = text ? strstr(text, "\"groups\"") : NULL;
	const char *domains = groups ? strstr(groups, "\"domains\"") : NULL;
	int n = 0;

	for (const char *p = groups; p && p < domains && (p = strstr(p, "\"id\"")) && p < domains; p++)
		n++;
	return n;
}

static int not_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

TEST_F(shim, sysfs_listings)
{
	struct dirent **list;
	char buf[64];
	int n = scandir("/sys/kernel/iommu_groups", &list, not_dot, alphasort), fd;
	DIR *dir;

	ASSERT_TRUE(n > 0);
	EXPECT_EQ(groups_in_state(), n);
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	dir = opendir("/sys/kernel/iommu_groups");
	ASSERT_TRUE(dir != NULL);
	snprintf(buf, sizeof(buf), "%d/type", self->group_id);
	fd = openat(dirfd(dir), buf, O_RDONLY);
	ASSERT_NE(-1, fd);
	ASSERT_EQ(4, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp("DMA\n", buf, 4));
	close(fd);
	closedir(dir);
	dir = opendir("/sys/bus/pci/devices");
	ASSERT_TRUE(dir != NULL);
	n = 0;
	for (struct dirent *e; (e = readdir(dir));)
		n += !strcmp(e->d_name, NIC);
	closedir(dir);
	EXPECT_EQ(1, n);
}

TEST_F(shim, fopen_sysfs)
{
	char buf[PATH_MAX];
	struct stat st;
	FILE *f;

	EXPECT_EQ(0, strcmp("0x8086", first_line("/sys/bus/pci/devices/" NIC "/vendor", buf,
						  sizeof(buf))));
	EXPECT_EQ(0, strcmp("0x020000", first_line("/sys/bus/pci/devices/" NIC "/class", buf,
						    sizeof(buf))));
	EXPECT_EQ(0, strcmp("N", first_line("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
					    buf, sizeof(buf))));
	EXPECT_EQ(0, strcmp("65535", first_line("/sys/module/vfio_iommu_type1/parameters/"
						"dma_entry_limit", buf, sizeof(buf))));
	/* DPDK's "no Intel IOMMU" case. */
	errno = 0;
	f = fopen64("/sys/bus/pci/devices/" NIC "/iommu/intel-iommu/cap", "r");
	EXPECT_TRUE(f == NULL);
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, stat("/sys/module/vfio", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_TRUE(realpath("/sys/bus/pci/devices/" NIC, buf) != NULL);
	EXPECT_EQ(0, strcmp("/sys/devices/pci0000:00/0000:00:01.0/" NIC, buf));
	EXPECT_TRUE(realpath("/sys/bus/pci/devices/" NIC "/iommu_group", buf) != NULL);
	snprintf(buf + PATH_MAX / 2, PATH_MAX / 2, "/sys/kernel/iommu_groups/%d", self->group_id);
	EXPECT_EQ(0, strcmp(buf + PATH_MAX / 2, buf));
	EXPECT_EQ(0, strcmp("/dev/vfio/vfio", realpath("/dev/vfio//vfio", buf)));
	ASSERT_EQ(0, lstat("/sys/bus/pci/devices/" NIC, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	/* Paths with "." and ".." walk the tree as the kernel would. */
	EXPECT_EQ(0, strcmp("0x8086", first_line("/sys/bus/pci/./devices//" NIC "/../" NIC
						  "/vendor", buf, sizeof(buf))));
	EXPECT_EQ(0, strcmp("0x1b36", first_line("/sys/bus/pci/devices/" NIC "/../vendor", buf,
						  sizeof(buf))));
}

TEST_F(shim, foreign_files_untouched)
{
	char path[] = "/tmp/iommusim-shim-XXXXXX", buf[8];
	int fd = mkstemp(path), pipefd[2], c;
	struct stat st;

	ASSERT_NE(-1, fd);
	unlink(path);
	ASSERT_EQ(5, write(fd, "hello", 5));
	ASSERT_EQ(3, pread(fd, buf, 3, 1));
	EXPECT_EQ(0, strncmp("ell", buf, 3));
	ASSERT_EQ(2, pwrite(fd, "HE", 2, 0));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_EQ(5, read(fd, buf, 5));
	EXPECT_EQ(0, strncmp("HEllo", buf, 5));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(5, st.st_size);
	/* errno is what libc leaves, and nothing else. */
	errno = EXDEV;
	ASSERT_EQ(1, pread(fd, buf, 1, 0));
	EXPECT_EQ(EXDEV, errno);
	c = open("/dev/vfio/vfio", O_RDWR);
	errno = EXDEV;
	EXPECT_EQ(VFIO_API_VERSION, api_version(c));
	EXPECT_EQ(EXDEV, errno);
	close(c);
	close(fd);
	EXPECT_ERRNO(ENOENT, open("/nonexistent/iommusim", O_RDONLY));
	EXPECT_ERRNO(EBADF, close(-1));
	EXPECT_ERRNO(EBADF, fstat(-1, &st));
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_ERRNO(ENOTTY, ioctl(pipefd[0], VFIO_GET_API_VERSION));
	ASSERT_EQ(0, fstat(pipefd[0], &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	close(pipefd[0]);
	close(pipefd[1]);
	fd = open("/dev/null", O_RDWR);
	ASSERT_NE(-1, fd);
	EXPECT_EQ(3, write(fd, "abc", 3));
	close(fd);
	EXPECT_EQ(0, access("/etc", F_OK));
}

TEST_F(shim, node_errors)
{
	struct stat st;
	char buf[16];
	int c = open("/dev/vfio/vfio", O_RDWR);
	void *p;

	ASSERT_NE(-1, c);
	EXPECT_ERRNO(ENOENT, stat("/dev/vfio/9999", &st));
	EXPECT_EQ(0, access("/dev/vfio/vfio", R_OK | W_OK));
	EXPECT_ERRNO(EACCES, access("/dev/vfio/vfio", X_OK));
	EXPECT_ERRNO(EINVAL, readlink("/dev/vfio/vfio", buf, sizeof(buf)));
	/* A container has no mmap: the kernel's ENODEV, and nothing mapped. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, c, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(ENODEV, errno);
	EXPECT_ERRNO(ENOENT, open("/sys/bus/pci/devices/0000:99:00.0/vendor", O_RDONLY));
	EXPECT_ERRNO(ENOENT, stat("/sys/kernel/iommu_groups/9999", &st));
	close(c);
}

static int open_fail_nth(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", (int)syscall(SYS_gettid));
	return open(path, O_RDWR);
}

static const char *read_nth(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

TEST_F(shim, fail_nth_protocol)
{
	char buf[32], path[64];
	struct stat st;
	int fd, c;

	ASSERT_EQ(0, stat("/dev/vfio/vfio", &st)); /* the host exists before we arm */
	fd = open_fail_nth();
	ASSERT_NE(-1, fd);
	EXPECT_EQ(0, strcmp("0\n", read_nth(fd, buf, sizeof(buf))));
	/* The first injection point of the next call fails, then reads "0\n". */
	ASSERT_EQ(1, pwrite(fd, "1", 1, 0));
	EXPECT_ERRNO(ENOMEM, open("/dev/vfio/vfio", O_RDWR));
	EXPECT_EQ(0, strcmp("0\n", read_nth(fd, buf, sizeof(buf))));
	/* Far away: it does not fire, the count left shows. */
	ASSERT_EQ(5, pwrite(fd, "1000\n", 5, 0));
	c = open("/dev/vfio/vfio", O_RDWR);
	EXPECT_NE(-1, c);
	read_nth(fd, buf, sizeof(buf));
	EXPECT_TRUE(atoi(buf) > 0 && atoi(buf) < 1000);
	ASSERT_EQ(1, pwrite(fd, "0", 1, 0));
	EXPECT_EQ(0, strcmp("0\n", read_nth(fd, buf, sizeof(buf))));
	/* read() moves along the file; the kernel's parser refuses junk. */
	ASSERT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_ERRNO(EINVAL, pwrite(fd, "abc", 3, 0));
	EXPECT_ERRNO(EINVAL, pwrite(fd, "-1", 2, 0));
	EXPECT_ERRNO(EINVAL, pwrite(fd, "", 0, 0));
	EXPECT_ERRNO(ERANGE, pwrite(fd, "4294967296", 10, 0));
	ASSERT_EQ(4, pwrite(fd, "0x10", 4, 0));
	EXPECT_EQ(0, strcmp("16\n", read_nth(fd, buf, sizeof(buf))));
	ASSERT_EQ(1, pwrite(fd, "0", 1, 0));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	EXPECT_TRUE(readlink(path, buf, sizeof(buf)) > 0 && !strncmp(buf, "/proc/", 6));
	close(fd);
	/* /proc/thread-self names the calling thread too. */
	fd = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_NE(-1, fd);
	ASSERT_EQ(1, write(fd, "7", 1));
	EXPECT_EQ(0, strcmp("7\n", read_nth(fd, buf, sizeof(buf))));
	ASSERT_EQ(1, pwrite(fd, "0", 1, 0));
	close(fd);
	close(c);
}

struct nth_thread {
	int fd;
	int opened;
};

static void *open_own_fail_nth(void *arg)
{
	struct nth_thread *t = arg;

	t->fd = open("/proc/thread-self/fail-nth", O_RDWR);
	t->opened = t->fd >= 0 && pwrite(t->fd, "3", 1, 0) == 1;
	return NULL;
}

/* Another thread's file answers only that thread. */
TEST_F(shim, fail_nth_other_thread)
{
	struct nth_thread t = { -1, 0 };
	pthread_t th;
	char buf[8];

	ASSERT_EQ(0, pthread_create(&th, NULL, open_own_fail_nth, &t));
	pthread_join(th, NULL);
	EXPECT_TRUE(t.opened);
	EXPECT_ERRNO(EINVAL, pwrite(t.fd, "1", 1, 0));
	EXPECT_ERRNO(EINVAL, pread(t.fd, buf, sizeof(buf), 0));
	close(t.fd);
}

/* The iommufd selftest's constructor: debugfs writes relative to a dirfd. */
TEST_F(shim, debugfs_fault_injection)
{
	DIR *debugfs = opendir("/sys/kernel/debug/");
	int fails = 0, fd;
	struct dirent *e;
	char fn[300];

	ASSERT_TRUE(debugfs != NULL);
	fd = openat(dirfd(debugfs), "failslab/ignore-gfp-wait", O_WRONLY);
	ASSERT_NE(-1, fd);
	EXPECT_EQ(1, write(fd, "N", 1));
	close(fd);
	while ((e = readdir(debugfs))) {
		if (strncmp(e->d_name, "fail", 4))
			continue;
		snprintf(fn, sizeof(fn), "%s/verbose", e->d_name);
		fd = openat(dirfd(debugfs), fn, O_WRONLY);
		EXPECT_NE(-1, fd);
		EXPECT_EQ(1, write(fd, "0", 1));
		close(fd);
		fails++;
	}
	closedir(debugfs);
	EXPECT_EQ(3, fails);
}

/* One VFIO sequence; 0 or -1 at the first failing call. */
static int vfio_sequence(int group_id, void *buf)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf, .iova = 0x100000, .size = 4 * SZ_4K,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = 0x100000, .size = 4 * SZ_4K,
	};
	int c = open("/dev/vfio/vfio", O_RDWR), g = c < 0 ? -1 : open_group(group_id);
	int ret = g < 0 ? -1 : 0;

	if (!ret)
		ret = set_container(g, c);
	if (!ret)
		ret = ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
	if (!ret)
		ret = ioctl(c, VFIO_IOMMU_MAP_DMA, &map);
	if (!ret)
		ret = ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap);
	if (g >= 0)
		close(g);
	if (c >= 0)
		close(c);
	return ret;
}

/*
 * The fail-nth sweep of iommufd_fail_nth.c, through the shim: every
 * injection point of the sequence fails once; afterwards the group can be
 * opened again and VFIO holds no domain: nothing leaked.
 */
TEST_F(shim, fail_nth_sweep)
{
	void *buf = mmap(NULL, 4 * SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	int fd = open_fail_nth(), iteration, failures = 0;
	char nth[16], count[32];

	ASSERT_NE(-1, fd);
	ASSERT_EQ(0, vfio_sequence(self->group_id, buf));
	for (iteration = 1; iteration < 1000; iteration++) {
		int len = snprintf(nth, sizeof(nth), "%d", iteration), ret;

		ASSERT_EQ(len, pwrite(fd, nth, (size_t)len, 0));
		ret = vfio_sequence(self->group_id, buf);
		read_nth(fd, count, sizeof(count));
		ASSERT_EQ(1, pwrite(fd, "0", 1, 0));
		failures += ret != 0;
		EXPECT_EQ(0, count_substr(state_text(), "\"UNMANAGED\""));
		if (strcmp(count, "0\n")) {
			EXPECT_EQ(0, ret); /* the last, complete run */
			break;
		}
	}
	EXPECT_TRUE(iteration > 5 && iteration < 1000);
	EXPECT_TRUE(failures > 0);
	ASSERT_EQ(0, vfio_sequence(self->group_id, buf));
	close(fd);
	munmap(buf, 4 * SZ_4K);
}

struct worker {
	int errors;
};

static int list_dir(const char *path);

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char buf[PATH_MAX];

	for (int i = 0; i < 200; i++) {
		int c = open("/dev/vfio/vfio", O_RDWR), d = c < 0 ? -1 : dup(c);
		struct stat st;

		w->errors += c < 0 || d < 0;
		w->errors += api_version(c) != VFIO_API_VERSION;
		w->errors += ioctl(d, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1;
		w->errors += fstat(d, &st) || st.st_rdev != makedev(10, 196);
		w->errors += strcmp(fd_link(d, buf, sizeof(buf)), "/dev/vfio/vfio") != 0;
		w->errors += readlink("/sys/bus/pci/devices/" NIC "/iommu_group", buf,
				      sizeof(buf)) <= 0;
		w->errors += close(c) || close(d);
		w->errors += list_dir("/sys/kernel/iommu_groups") <= 0;
	}
	return NULL;
}

/* Entries of a folder opened through the shim (tracked while open). */
static int list_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY), n = 0;
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);

	for (struct dirent *e; dir && (e = readdir(dir));)
		n++;
	if (dir)
		closedir(dir);
	return dir ? n : -1;
}

TEST_F(shim, threads)
{
	struct worker w[8] = { 0 };
	pthread_t t[8];

	for (int i = 0; i < 8; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_main, &w[i]));
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].errors);
	}
}

/*
 * The child of fork() in a process whose threads are in calls on the host
 * and in the shim's tables: the shim's locks and the host work in it.  As
 * POSIX asks of a child of a threaded process, it only makes calls that do
 * not allocate (ASan's allocator is not fork-safe).
 */
static int forked_child_calls(int container, int nth)
{
	struct stat st;
	char buf[8];

	if (api_version(container) != VFIO_API_VERSION || fstat(container, &st) ||
	    st.st_rdev != makedev(10, 196))
		return 1;
	/* The shim's tables: the file names the parent's thread. */
	return pread(nth, buf, sizeof(buf), 0) == -1 && errno == EINVAL ? 0 : 2;
}

/* fork while other threads are in calls on the host: no deadlock, a sane child. */
TEST_F(shim, fork_while_threads_call)
{
	int c = open("/dev/vfio/vfio", O_RDWR), nth = open_fail_nth(), status, bad = 0;
	struct worker w[4] = { 0 };
	pthread_t t[4];

	ASSERT_NE(-1, c);
	ASSERT_NE(-1, nth);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_main, &w[i]));
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();

		ASSERT_NE(-1, pid);
		if (!pid)
			_exit(forked_child_calls(c, nth));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].errors);
	}
	EXPECT_EQ(0, bad);
	close(nth);
	close(c);
}

/* fork: the child works on a private copy; the parent's state is its own. */
TEST_F(shim, fork_private_copy)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int c = open("/dev/vfio/vfio", O_RDWR), g = open_group(self->group_id), status;
	pid_t pid;

	ASSERT_EQ(0, set_container(g, c));
	pid = fork();
	ASSERT_NE(-1, pid);
	if (!pid) {
		int ok = ioctl(g, VFIO_GROUP_GET_STATUS, &st) == 0 &&
			 st.flags == (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET) &&
			 close(g) == 0 && (g = open_group(self->group_id)) >= 0 &&
			 ioctl(g, VFIO_GROUP_GET_STATUS, &st) == 0 &&
			 st.flags == VFIO_GROUP_FLAGS_VIABLE;
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, ioctl(g, VFIO_GROUP_GET_STATUS, &st));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET, st.flags);
	EXPECT_ERRNO(EBUSY, open_group(self->group_id));
	close(g);
	close(c);
}

/* The child half of the exec tests (main, "--exec-child"). */
static int exec_child(void)
{
	const char *preload = getenv("LD_PRELOAD");
	int c = open("/dev/vfio/vfio", O_RDWR);
	struct stat st;

	if (!preload || !strstr(preload, "libiommusim-preload.so") || !getenv("IOMMUSIM_PLATFORM"))
		return 2;
	if (c < 0 || api_version(c) != VFIO_API_VERSION || fstat(c, &st) ||
	    st.st_rdev != makedev(10, 196))
		return 3;
	return close(c) ? 4 : 0;
}

/* An environment without LD_PRELOAD and IOMMUSIM_* but with the trace. */
static char **bare_environment(void)
{
	static char *env[64];
	size_t n = 0;

	for (char **e = environ; *e && n < 62; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) && strncmp(*e, "IOMMUSIM_", 9))
			env[n++] = *e;
	env[n++] = "IOMMUSIM_TRACE=1";
	env[n] = NULL;
	return env;
}

/* Run @argv[0] with stderr to a pipe; its exit status, and stderr in @err. */
static int run_child(bool spawn, char *err, size_t len)
{
	char self_path[PATH_MAX], *argv[] = { self_path, "--exec-child", NULL };
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	int pipefd[2], status = -1;
	size_t got = 0;
	pid_t pid;

	if (n <= 0 || pipe(pipefd))
		return -1;
	self_path[n] = '\0';
	if (spawn) {
		posix_spawn_file_actions_t fa;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
		if (posix_spawn(&pid, self_path, &fa, NULL, argv, bare_environment()))
			pid = -1;
		posix_spawn_file_actions_destroy(&fa);
	} else if (!(pid = fork())) {
		dup2(pipefd[1], STDERR_FILENO);
		execve(self_path, argv, bare_environment());
		_exit(127);
	}
	close(pipefd[1]);
	while (got < len - 1 && (n = read(pipefd[0], err + got, len - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* exec with an environment that dropped the shim: the shim comes back. */
TEST_F(shim, exec_child_gets_shim)
{
	char err[8192];

	EXPECT_EQ(0, run_child(false, err, sizeof(err)));
	EXPECT_TRUE(strstr(err, "open(\"/dev/vfio/vfio\", O_RDWR) = ") != NULL);
	EXPECT_TRUE(strstr(err, "VFIO_GET_API_VERSION") != NULL);
	EXPECT_EQ(0, run_child(true, err, sizeof(err)));
	EXPECT_TRUE(strstr(err, "VFIO_GET_API_VERSION") != NULL);
}

/* Does @dir hold @want entries? */
static bool exec_stale_check(const char *dir, int want)
{
	DIR *d = opendir(dir);
	int n = 0;

	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return d && n == want;
}

/* The new program of an exec (main, "--exec-stale DIR"): DIR is empty. */
static int exec_stale(const char *dir)
{
	bool empty = exec_stale_check(dir, 0);

	rmdir(dir);
	return empty ? 0 : 1;
}

/* exec without atexit: the next program removes the old one's folder. */
TEST_F(shim, exec_removes_stale_folder)
{
	char dir[] = "/tmp/iommusim-stale-XXXXXX", self_path[PATH_MAX];
	int status, fd;
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	pid_t pid;

	ASSERT_TRUE(n > 0);
	self_path[n] = '\0';
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	pid = fork();
	ASSERT_NE(-1, pid);
	if (!pid) {
		char *argv[] = { self_path, "--exec-stale", dir, NULL };

		setenv("IOMMUSIM_TMPDIR", dir, 1);
		fd = open("/sys/kernel/debug/iommusim/reset", O_WRONLY);
		if (fd < 0 || write(fd, "1", 1) != 1 || access("/sys/bus/pci/devices/" NIC, F_OK))
			_exit(3);
		if (!exec_stale_check(dir, 1))
			_exit(4); /* the host's folder is there */
		execv(self_path, argv);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_ERRNO(ENOENT, access(dir, F_OK));
	rmdir(dir);
}

TEST_F(shim, state_and_reset)
{
	int c = open("/dev/vfio/vfio", O_RDWR), g = open_group(self->group_id), fd;
	const char *text;

	ASSERT_EQ(0, set_container(g, c));
	text = state_text();
	ASSERT_TRUE(text != NULL);
	EXPECT_TRUE(strstr(text, "\"profile\":\"upstream\"") != NULL);
	EXPECT_EQ(1, count_substr(text, "\"iommu_type\""));
	/* A reset closes the host's fds; the next host has the new profile. */
	ASSERT_EQ(0, setenv("IOMMUSIM_PROFILE", "legacy", 1));
	fd = open("/sys/kernel/debug/iommusim/reset", O_WRONLY);
	ASSERT_NE(-1, fd);
	EXPECT_ERRNO(EINVAL, write(fd, "2", 1));
	EXPECT_EQ(1, write(fd, "1", 1));
	close(fd);
	EXPECT_ERRNO(EBADF, fcntl(c, F_GETFD));
	EXPECT_ERRNO(EBADF, fcntl(g, F_GETFD));
	text = state_text();
	EXPECT_TRUE(strstr(text, "\"profile\":\"legacy\"") != NULL);
	EXPECT_EQ(0, count_substr(text, "\"iommu_type\""));
	g = open_group(self->group_id);
	EXPECT_NE(-1, g);
	close(g);
}

TEST_F(shim, close_range_releases)
{
	int g = open_group(self->group_id);

	ASSERT_NE(-1, g);
	EXPECT_EQ(0, close_range((unsigned int)g, (unsigned int)g, 0));
	g = open_group(self->group_id);
	EXPECT_NE(-1, g);
	close(g);
}

TEST_F(shim, glibc_variants)
{
	char buf[PATH_MAX], proc[64];
	struct stat st;
	int c = __open_2("/dev/vfio/vfio", O_RDWR), nth = open_fail_nth();
	char *canon;

	ASSERT_NE(-1, c);
	ASSERT_NE(-1, nth);
	EXPECT_EQ(2, __read_chk(nth, buf, sizeof(buf), sizeof(buf)));
	EXPECT_EQ(2, __pread_chk(nth, buf, sizeof(buf), 0, sizeof(buf)));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", c);
	EXPECT_EQ(14, __readlink_chk(proc, buf, sizeof(buf), sizeof(buf)));
	EXPECT_TRUE(__realpath_chk("/sys/bus/pci/devices/" NIC, buf, sizeof(buf)) != NULL);
	EXPECT_EQ(0, strncmp("/sys/devices/", buf, 13));
	ASSERT_EQ(0, __xstat(1, "/dev/vfio/vfio", &st));
	EXPECT_EQ(makedev(10, 196), st.st_rdev);
	ASSERT_EQ(0, __fxstat(1, c, &st));
	EXPECT_EQ(makedev(10, 196), st.st_rdev);
	ASSERT_EQ(0, __lxstat(1, "/sys/bus/pci/devices/" NIC, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	close(nth);
	close(c);
	c = open64("/dev/vfio/vfio", O_RDWR);
	EXPECT_EQ(VFIO_API_VERSION, api_version(c));
	close(c);
	c = openat64(AT_FDCWD, "/dev/vfio/vfio", O_RDWR);
	EXPECT_EQ(VFIO_API_VERSION, api_version(c));
	close(c);
	free(canon = canonicalize_file_name("/sys/bus/pci/devices/" NIC "/driver"));
	EXPECT_TRUE(canon != NULL);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--exec-child"))
		return exec_child();
	if (argc == 3 && !strcmp(argv[1], "--exec-stale"))
		return exec_stale(argv[2]);
	return ims_harness_main(argc, argv);
}
