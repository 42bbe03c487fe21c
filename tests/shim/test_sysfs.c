// SPDX-License-Identifier: MIT
/*
 * The host's sysfs, debugfs and /dev views through the library API
 * (src/host/sysfs.c), without the shim: the tree's files and links in
 * Linux's formats, path classification, device-node stat and fd links,
 * the hooks other layers use, the folder's lifetime (fork, exec leftovers)
 * and a fail-nth sweep over building it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "drivers/mock/mock.h"
#include "host/host.h"
#include "util/alloc.h"

#define NIC "0000:01:00.0"
#define NIC_DIR "/sys/devices/pci0000:00/0000:00:01.0/" NIC

static struct ims_host *make_host(const struct ims_host_options *opts)
{
	struct ims_host *host;
	char err[256];

	assert_int_equal(ims_host_create("mock", opts, &host, err, sizeof(err)), 0);
	return host;
}

/* The contents of @vpath in @host's tree ("" when missing). */
static const char *tree_file(struct ims_host *host, const char *vpath)
{
	static char text[8192];
	char real[PATH_MAX];
	ssize_t n = -1;
	int fd;

	snprintf(real, sizeof(real), "%s%s", ims_host_sysfs_root(host), vpath);
	fd = open(real, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	text[n > 0 ? n : 0] = '\0';
	return text;
}

static const char *tree_link(struct ims_host *host, const char *vpath)
{
	static char link[PATH_MAX];
	char real[PATH_MAX];
	ssize_t n;

	snprintf(real, sizeof(real), "%s%s", ims_host_sysfs_root(host), vpath);
	n = readlink(real, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	return link;
}

static bool tree_has(struct ims_host *host, const char *vpath)
{
	char real[PATH_MAX];
	struct stat st;

	snprintf(real, sizeof(real), "%s%s", ims_host_sysfs_root(host), vpath);
	return !lstat(real, &st);
}

static void test_iommu_groups(void **state)
{
	struct ims_host *host = make_host(NULL);

	(void)state;
	assert_string_equal(tree_link(host, NIC_DIR "/iommu_group"), "../../../../kernel/iommu_groups/2");
	assert_string_equal(tree_file(host, "/sys/kernel/iommu_groups/2/type"), "DMA\n");
	assert_string_equal(tree_file(host, "/sys/kernel/iommu_groups/2/reserved_regions"),
			    "0x0000000008000000 0x00000000080fffff msi\n");
	assert_string_equal(tree_link(host, "/sys/kernel/iommu_groups/2/devices/" NIC),
			    "../../../../devices/pci0000:00/0000:00:01.0/" NIC);
	assert_true(tree_has(host, "/sys/kernel/iommu_groups/2/devices/0000:01:00.1"));
	/* The display's framebuffer is direct-mapped. */
	assert_string_equal(tree_link(host, "/sys/bus/pci/devices/0000:03:00.0/iommu_group"),
			    "../../../../kernel/iommu_groups/6");
	assert_non_null(strstr(tree_file(host, "/sys/kernel/iommu_groups/6/reserved_regions"),
			       "0x00000000fe000000 0x00000000fe7fffff direct\n"));
	ims_host_destroy(host);
}

static void test_pci_device(void **state)
{
	struct ims_host *host = make_host(NULL);
	const char *cfg, *res;

	(void)state;
	assert_string_equal(tree_link(host, "/sys/bus/pci/devices/" NIC),
			    "../../../devices/pci0000:00/0000:00:01.0/" NIC);
	assert_string_equal(tree_file(host, NIC_DIR "/vendor"), "0x8086\n");
	assert_string_equal(tree_file(host, NIC_DIR "/device"), "0x1521\n");
	assert_string_equal(tree_file(host, NIC_DIR "/subsystem_vendor"), "0x8086\n");
	assert_string_equal(tree_file(host, NIC_DIR "/subsystem_device"), "0x0001\n");
	assert_string_equal(tree_file(host, NIC_DIR "/class"), "0x020000\n");
	assert_string_equal(tree_file(host, NIC_DIR "/revision"), "0x01\n");
	assert_string_equal(tree_file(host, NIC_DIR "/numa_node"), "-1\n");
	assert_string_equal(tree_file(host, NIC_DIR "/modalias"),
			    "pci:v00008086d00001521sv00008086sd00000001bc02sc00i00\n");
	assert_string_equal(tree_link(host, NIC_DIR "/driver"), "../../../../bus/pci/drivers/vfio-pci");
	assert_string_equal(tree_link(host, NIC_DIR "/iommu"), "../../../virtual/iommu/10000000.iommu");
	assert_string_equal(tree_link(host, "/sys/bus/pci/drivers/vfio-pci/" NIC),
			    "../../../../devices/pci0000:00/0000:00:01.0/" NIC);
	assert_string_equal(tree_link(host, "/sys/devices/pci0000:00/0000:00:02.0/0000:02:00.0/driver"),
			    "../../../../bus/pci/drivers/nvme");
	assert_string_equal(tree_link(host, "/sys/devices/pci0000:00/0000:00:01.0/driver"),
			    "../../../bus/pci/drivers/pcieport");
	assert_string_equal(tree_file(host, "/sys/devices/pci0000:00/0000:00:01.0/secondary_bus_number"),
			    "1\n");
	/* BAR0: 1 MiB, 64-bit prefetchable; BAR3: 16 KiB of registers; 13 lines. */
	res = tree_file(host, NIC_DIR "/resource");
	assert_non_null(strstr(res, "0x0000004000000000 0x00000040000fffff 0x000000000014220c\n"));
	assert_non_null(strstr(res, "0x0000000080000000 0x0000000080003fff 0x0000000000040200\n"));
	assert_int_equal(strlen(res), 13 * 57);
	/* Configuration space: IDs, a multi-function header, BAR0's address. */
	cfg = tree_file(host, NIC_DIR "/config");
	assert_memory_equal(cfg, "\x86\x80\x21\x15", 4);
	assert_int_equal((uint8_t)cfg[0x0e], 0x80);
	assert_memory_equal(cfg + 0x10, "\x0c\x00\x00\x00\x40\x00\x00\x00", 8);
	ims_host_destroy(host);
}

static void test_instances_and_modules(void **state)
{
	struct ims_host_options opts = { .allow_unsafe_interrupts = true, .dma_entry_limit = 7 };
	struct ims_host *host = make_host(NULL), *other;

	(void)state;
	assert_string_equal(tree_link(host, "/sys/class/iommu/10000000.iommu"),
			    "../../devices/virtual/iommu/10000000.iommu");
	assert_string_equal(tree_link(host, "/sys/devices/virtual/iommu/10000000.iommu/devices/" NIC),
			    "../../../../pci0000:00/0000:00:01.0/" NIC);
	assert_string_equal(tree_file(host, "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"),
			    "N\n");
	assert_string_equal(tree_file(host, "/sys/module/vfio_iommu_type1/parameters/"
				      "allow_unsafe_interrupts"), "N\n");
	assert_string_equal(tree_file(host, "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"),
			    "65535\n");
	assert_string_equal(tree_file(host, "/sys/class/vfio/2/dev"), "243:2\n");
	assert_string_equal(tree_file(host, "/sys/devices/virtual/misc/vfio/dev"), "10:196\n");
	assert_string_equal(tree_link(host, "/sys/bus/platform/devices/20000000.dma"),
			    "../../../devices/platform/20000000.dma");
	assert_string_equal(tree_link(host, "/sys/devices/platform/20000000.dma/driver"),
			    "../../../bus/platform/drivers/vfio-platform");
	assert_true(tree_has(host, "/sys/module/vfio_platform"));
	assert_string_equal(tree_file(host, "/sys/kernel/debug/failslab/ignore-gfp-wait"), "Y\n");
	assert_true(tree_has(host, "/sys/kernel/debug/fail_iommufd/verbose"));
	assert_true(tree_has(host, "/sys/kernel/debug/iommusim/state"));
	/* The nvme's group (not VFIO's) has no node. */
	assert_false(tree_has(host, "/dev/vfio/4"));
	assert_true(tree_has(host, "/dev/vfio/2"));
	other = make_host(&opts);
	assert_string_equal(tree_file(other, "/sys/module/vfio_iommu_type1/parameters/"
				      "allow_unsafe_interrupts"), "Y\n");
	assert_string_equal(tree_file(other, "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"),
			    "7\n");
	assert_string_not_equal(ims_host_sysfs_root(host), ims_host_sysfs_root(other));
	ims_host_destroy(other);
	ims_host_destroy(host);
}

static void test_resolve(void **state)
{
	struct ims_host *host = make_host(NULL);
	const char *root = ims_host_sysfs_root(host);
	char buf[PATH_MAX], want[PATH_MAX], longpath[PATH_MAX + 16];

	(void)state;
	assert_true(ims_host_path_candidate("/sys/bus/pci"));
	assert_true(ims_host_path_candidate("/dev/vfio/3"));
	assert_false(ims_host_path_candidate("/dev/null"));
	assert_false(ims_host_path_candidate("sys/bus"));
	assert_int_equal(ims_host_resolve_path(host, "/etc/passwd", buf, sizeof(buf)), IMS_PATH_FOREIGN);
	assert_int_equal(ims_host_resolve_path(host, "sys/bus/pci", buf, sizeof(buf)), IMS_PATH_FOREIGN);
	assert_int_equal(ims_host_resolve_path(host, "/sys", buf, sizeof(buf)), IMS_PATH_FOREIGN);
	assert_int_equal(ims_host_resolve_path(host, "/sys/class/net", buf, sizeof(buf)),
			 IMS_PATH_FOREIGN);
	assert_int_equal(ims_host_resolve_path(host, "/dev/vfio//./2", buf, sizeof(buf)), IMS_PATH_NODE);
	assert_string_equal(buf, "/dev/vfio/2");
	assert_int_equal(ims_host_resolve_path(host, "/sys/bus/pci/devices/", buf, sizeof(buf)),
			 IMS_PATH_TREE);
	snprintf(want, sizeof(want), "%s/sys/bus/pci/devices", root);
	assert_string_equal(buf, want);
	/* ".." above the host's folders is taken back; inside, it is the tree's. */
	assert_int_equal(ims_host_resolve_path(host, "/sys/kernel/../bus/pci", buf, sizeof(buf)),
			 IMS_PATH_TREE);
	snprintf(want, sizeof(want), "%s/sys/bus/pci", root);
	assert_string_equal(buf, want);
	assert_int_equal(ims_host_resolve_path(host, "/sys/bus/pci/devices/" NIC "/..", buf,
					       sizeof(buf)), IMS_PATH_TREE);
	snprintf(want, sizeof(want), "%s/sys/bus/pci/devices/" NIC "/..", root);
	assert_string_equal(buf, want);
	/* Missing files of the host's folders are missing, not the real ones. */
	assert_int_equal(ims_host_resolve_path(host, "/dev/vfio/99", buf, sizeof(buf)), IMS_PATH_TREE);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	memcpy(longpath, "/sys/bus/pci/", 13);
	assert_int_equal(ims_host_resolve_path(host, longpath, buf, sizeof(buf)), -ENAMETOOLONG);
	assert_int_equal(ims_host_resolve_path(host, "/sys/bus/pci", buf, 8), -ENAMETOOLONG);
	snprintf(want, sizeof(want), "%s/sys/kernel", root);
	assert_int_equal(ims_host_unresolve_path(host, want, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "/sys/kernel");
	assert_int_equal(ims_host_unresolve_path(host, root, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "/");
	assert_int_equal(ims_host_unresolve_path(host, "/etc", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%sx/sys", root);
	assert_int_equal(ims_host_unresolve_path(host, want, buf, sizeof(buf)), 0);
	ims_host_destroy(host);
}

static void test_nodes_and_fd_links(void **state)
{
	struct ims_host *host = make_host(NULL);
	struct stat st;
	char buf[64];
	int c, g;

	(void)state;
	assert_int_equal(ims_stat_path(host, "/dev/vfio/vfio", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0666);
	assert_true(st.st_rdev == makedev(10, 196));
	assert_int_equal(ims_stat_path(host, "/dev/vfio/2", &st), 0);
	assert_true(st.st_rdev == makedev(IMS_VFIO_GROUP_MAJOR, 2));
	assert_int_equal(ims_stat_path(host, "/dev/vfio/99", &st), -ENOENT);
	assert_int_equal(ims_stat_path(host, "/sys/bus", &st), -ENOENT);
	c = ims_open(host, "/dev/vfio/vfio", O_RDWR);
	g = ims_open(host, "/dev/vfio/2", O_RDWR);
	assert_true(c >= 0 && g >= 0);
	assert_int_equal(ims_host_fd_link(host, c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/dev/vfio/vfio");
	assert_int_equal(ims_host_fd_link(host, g, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/dev/vfio/2");
	assert_int_equal(ims_host_fd_link(host, g, buf, 4), -ENAMETOOLONG);
	assert_int_equal(ims_host_fd_link(host, 0, buf, sizeof(buf)), -EBADF);
	ims_close(host, g);
	ims_close(host, c);
	ims_host_destroy(host);
}

static void test_hooks(void **state)
{
	struct ims_host *host = make_host(NULL);
	struct ims_sysfs *s = host->sysfs;
	char buf[PATH_MAX];
	struct stat st;

	(void)state;
	/* iommufd's node, outside any host folder. */
	assert_int_equal(ims_sysfs_add_devnode(s, "/dev/iommu", 0666, makedev(10, 123)), 0);
	assert_int_equal(ims_host_resolve_path(host, "/dev/iommu", buf, sizeof(buf)), IMS_PATH_NODE);
	assert_int_equal(ims_stat_path(host, "/dev/iommu", &st), 0);
	assert_true(st.st_rdev == makedev(10, 123));
	assert_int_equal(ims_host_resolve_path(host, "/dev/null", buf, sizeof(buf)), IMS_PATH_FOREIGN);
	/* A VFIO cdev (a number the host's own cdevs leave free). */
	assert_int_equal(ims_sysfs_add_vfio_cdev(s, NIC, 100, makedev(511, 100)), 0);
	assert_string_equal(tree_file(host, NIC_DIR "/vfio-dev/vfio100/dev"), "511:100\n");
	assert_string_equal(tree_link(host, "/sys/class/vfio-dev/vfio100"),
			    "../../devices/pci0000:00/0000:00:01.0/" NIC "/vfio-dev/vfio100");
	assert_int_equal(ims_stat_path(host, "/dev/vfio/devices/vfio100", &st), 0);
	assert_true(st.st_rdev == makedev(511, 100));
	assert_int_equal(ims_sysfs_add_vfio_cdev(s, "0000:99:00.0", 1, makedev(511, 1)), -ENODEV);
	/* A module of its own. */
	assert_int_equal(ims_sysfs_own(s, "/sys/module/iommufd"), 0);
	assert_int_equal(ims_sysfs_add_file(s, "/sys/module/iommufd/parameters/allow_unsafe_interrupts",
					    0644, "%c\n", 'N'), 0);
	assert_string_equal(tree_file(host, "/sys/module/iommufd/parameters/allow_unsafe_interrupts"),
			    "N\n");
	assert_int_equal(ims_host_resolve_path(host, "/sys/module/iommufd/x", buf, sizeof(buf)),
			 IMS_PATH_TREE);
	assert_int_equal(ims_sysfs_add_link(s, "/sys/module/iommufd/holder", "/sys/module/vfio"), 0);
	assert_string_equal(tree_link(host, "/sys/module/iommufd/holder"), "../vfio");
	/* Paths must be absolute and plain. */
	assert_int_equal(ims_sysfs_add_file(s, "sys/x", 0644, "x"), -EINVAL);
	assert_int_equal(ims_sysfs_add_file(s, "/sys/module/../x", 0644, "x"), -EINVAL);
	assert_int_equal(ims_sysfs_add_link(s, "/sys/module/iommufd/y", "../x"), -EINVAL);
	assert_int_equal(ims_sysfs_add_devnode(s, "/sys/module/x", 0600, 0), -EINVAL);
	assert_int_equal(ims_sysfs_own(s, "/sys/./x"), -EINVAL);
	ims_host_destroy(host);
}

static void test_folder_lifetime(void **state)
{
	struct ims_host *host = make_host(NULL);
	char root[PATH_MAX], marker[PATH_MAX + 32];
	struct stat st;
	int status, fd;
	pid_t pid;

	(void)state;
	snprintf(root, sizeof(root), "%s", ims_host_sysfs_root(host));
	assert_int_equal(stat(root, &st), 0);
	/*
	 * A forked child's copy builds a folder of its own on first use, and
	 * takes only that one with it.
	 */
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		const char *mine = ims_host_sysfs_root(host);
		char copy[PATH_MAX];
		bool ok = mine && strcmp(mine, root) && !stat(mine, &st) &&
			  !strcmp(tree_file(host, NIC_DIR "/vendor"), "0x8086\n");

		snprintf(copy, sizeof(copy), "%s", mine ? mine : "");
		ims_host_destroy(host);
		_exit(ok && stat(copy, &st) ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(stat(root, &st), 0);
	ims_host_destroy(host);
	assert_int_equal(stat(root, &st), -1);
	/* What exec leaves behind: removed only when the mark names us. */
	host = make_host(NULL);
	snprintf(root, sizeof(root), "%s", ims_host_sysfs_root(host));
	snprintf(marker, sizeof(marker), "%s/.iommusim-owner", root);
	fd = open(marker, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "1\n", 2), 2);
	close(fd);
	assert_int_equal(ims_host_sysfs_remove_stale(root), -EPERM);
	assert_int_equal(stat(root, &st), 0);
	fd = open(marker, O_WRONLY | O_TRUNC);
	assert_true(dprintf(fd, "%d\n", (int)getpid()) > 0);
	close(fd);
	assert_int_equal(ims_host_sysfs_remove_stale(root), 0);
	assert_int_equal(stat(root, &st), -1);
	assert_int_equal(ims_host_sysfs_remove_stale(root), -ENOENT);
	ims_host_destroy(host);
}

/* Folders whose owner died without its atexit handler are swept by the next host. */
static void test_orphans_swept(void **state)
{
	char parent[] = "/tmp/iommusim-sweep-XXXXXX", orphan[PATH_MAX], mark[PATH_MAX + 32];
	char alive[PATH_MAX], alive_mark[PATH_MAX + 32];
	struct ims_host *host;
	struct stat st;
	pid_t dead = fork();
	FILE *f;

	(void)state;
	if (!dead)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	assert_non_null(mkdtemp(parent));
	snprintf(orphan, sizeof(orphan), "%s/iommusim-ORPHAN", parent);
	snprintf(alive, sizeof(alive), "%s/iommusim-ALIVE1", parent);
	snprintf(mark, sizeof(mark), "%s/.iommusim-owner", orphan);
	snprintf(alive_mark, sizeof(alive_mark), "%s/.iommusim-owner", alive);
	assert_int_equal(mkdir(orphan, 0700), 0);
	assert_int_equal(mkdir(alive, 0700), 0);
	assert_non_null(f = fopen(mark, "w"));
	fprintf(f, "%d\n", (int)dead);
	fclose(f);
	assert_non_null(f = fopen(alive_mark, "w"));
	fprintf(f, "%d\n", (int)getppid());
	fclose(f);
	setenv("IOMMUSIM_TMPDIR", parent, 1);
	host = make_host(NULL);
	assert_non_null(ims_host_sysfs_root(host));
	assert_int_equal(strncmp(ims_host_sysfs_root(host), parent, strlen(parent)), 0);
	assert_int_equal(stat(orphan, &st), -1);
	assert_int_equal(stat(alive, &st), 0);
	ims_host_destroy(host);
	unsetenv("IOMMUSIM_TMPDIR");
	unlink(alive_mark);
	rmdir(alive);
	assert_int_equal(rmdir(parent), 0);
}

/* Every injection point of building the tree fails once; nothing leaks. */
static void test_build_fail_nth(void **state)
{
	unsigned long nth;

	(void)state;
	for (nth = 1; nth < 10000; nth++) {
		struct ims_host *host = make_host(NULL);
		const char *root;

		ims_fail_nth_set(nth);
		root = ims_host_sysfs_root(host);
		if (ims_fail_nth_get()) {
			ims_fail_nth_set(0);
			assert_non_null(root);
			ims_host_destroy(host);
			break;
		}
		assert_null(root);
		/* The next use builds it whole. */
		assert_non_null(ims_host_sysfs_root(host));
		assert_string_equal(tree_file(host, NIC_DIR "/vendor"), "0x8086\n");
		ims_host_destroy(host);
	}
	assert_true(nth > 10 && nth < 10000);
}

/* A host built by hand (no platform): what the core knows. */
static int build_by_hand(struct ims_host *host, void *arg)
{
	struct ims_device_desc desc = { .name = "0000:00:05.0", .bus = IMS_BUS_PCI };
	uint32_t rid = 0x28;
	struct ims_device *dev;
	int ret;

	(void)arg;
	ret = ims_mock_register(host->core, "mock0", NULL, &desc.iommu);
	desc.ids = &rid;
	desc.nr_ids = 1;
	desc.pci.devfn = 0x28;
	desc.pci.vendor = 0x1234;
	desc.pci.device = 0x5678;
	dev = ret ? NULL : ims_device_add(host->core, &desc);
	if (IS_ERR(dev))
		return (int)PTR_ERR(dev);
	return ret ? ret : ims_core_probe_finish(host->core);
}

static bool all_vfio(struct ims_host *host, struct ims_device *dev, void *arg)
{
	(void)host;
	(void)dev;
	(void)arg;
	return true;
}

static void test_hand_built_host(void **state)
{
	struct ims_host_params p = { .build = build_by_hand, .vfio_bound = all_vfio };
	struct ims_host *host;

	(void)state;
	assert_int_equal(ims_host_create_params(&p, &host), 0);
	assert_string_equal(tree_file(host, "/sys/devices/pci0000:00/0000:00:05.0/vendor"), "0x1234\n");
	assert_string_equal(tree_link(host, "/sys/devices/pci0000:00/0000:00:05.0/driver"),
			    "../../../bus/pci/drivers/vfio-pci");
	assert_string_equal(tree_link(host, "/sys/devices/pci0000:00/0000:00:05.0/iommu"),
			    "../../virtual/iommu/mock0");
	assert_true(tree_has(host, "/dev/vfio/0"));
	ims_host_destroy(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iommu_groups),
		cmocka_unit_test(test_pci_device),
		cmocka_unit_test(test_instances_and_modules),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_nodes_and_fd_links),
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_folder_lifetime),
		cmocka_unit_test(test_orphans_swept),
		cmocka_unit_test(test_build_fail_nth),
		cmocka_unit_test(test_hand_built_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
