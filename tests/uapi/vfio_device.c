// SPDX-License-Identifier: MIT
/*
 * VFIO device fds on the built-in mock platform: VFIO_GROUP_GET_DEVICE_FD,
 * the device ioctls, config space, BARs through read/write and mmap,
 * interrupts through eventfds, reset, the plug-in interface for device
 * models, and the platform device (docs/devices.md).
 *
 * Devices used (src/topo/platforms/mock.dts):
 *   0000:01:00.0  NIC, function 0 of two in one group: BAR0 1 MiB 64-bit
 *                 prefetchable memory, BAR3 16 KiB of registers holding
 *                 MSI-X (table at 8 KiB, PBA at 12 KiB)
 *   0000:01:00.1  its second function
 *   0000:20:00.0  NIC with one 32 MiB BAR holding MSI-X (MSIX_MAPPABLE)
 *   0000:11:00.0  accelerator 1ded:0002 (BAR0 2 MiB, BAR2 4 KiB registers)
 *                 that the model tests plug a device model into
 *   0000:04:00.0  GPU whose group is not viable (its audio function has
 *                 a kernel driver)
 *   20000000.dma  platform DMA engine (vfio-platform)
 */
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/harness.h"
#include "testbed.h"
#ifndef IMS_UAPI_SHIM
#include "devices/pci_ep.h"
#endif

#define NIC "0000:01:00.0"
#define NIC1 "0000:01:00.1"
#define BIGNIC "0000:20:00.0"
#define ACCEL "0000:11:00.0"
#define GPU "0000:04:00.0"
#define DMA "20000000.dma"

#define REGION(i) ((off_t)(i) << 40)
#define CFG REGION(VFIO_PCI_CONFIG_REGION_INDEX)

static int group_fd(const char *dev, int container)
{
	int g = t_open_group_of(dev);

	ASSERT_NE(-1, g);
	if (container >= 0)
		ASSERT_EQ(0, t_ioctl(g, VFIO_GROUP_SET_CONTAINER, &container));
	return g;
}

static int set_iommu(int container)
{
	return (int)t_ioctl(container, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU);
}

static int device_fd(int group, const char *name)
{
	return (int)t_ioctl(group, VFIO_GROUP_GET_DEVICE_FD, (void *)name);
}

static uint32_t cfg_read(int dev, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	ASSERT_EQ((ssize_t)size, t_pread(dev, &v, size, CFG + off));
	return v;
}

static void cfg_write(int dev, unsigned int off, unsigned int size, uint32_t v)
{
	ASSERT_EQ((ssize_t)size, t_pwrite(dev, &v, size, CFG + off));
}

static struct vfio_region_info region(int dev, unsigned int index)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = index };

	ASSERT_EQ(0, t_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	return r;
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_NE(-1, fd);
	return fd;
}

/* The eventfd's count, consumed; 0 when it has not fired. */
static uint64_t fired(int efd)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, 0) != 1)
		return 0;
	ASSERT_EQ(8, read(efd, &n, sizeof(n)));
	return n;
}

/* SET_IRQS with eventfds for [start, start + count) of @index. */
static int set_eventfds(int dev, unsigned int index, unsigned int start, unsigned int count,
			const int *fds)
{
	char buf[sizeof(struct vfio_irq_set) + 32 * sizeof(int32_t)];
	struct vfio_irq_set *s = (void *)buf;

	s->argsz = (uint32_t)(sizeof(*s) + count * sizeof(int32_t));
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s->index = index;
	s->start = start;
	s->count = count;
	if (count)
		memcpy(s->data, fds, count * sizeof(int32_t));
	return (int)t_ioctl(dev, VFIO_DEVICE_SET_IRQS, s);
}

static int set_irqs_none(int dev, unsigned int index, uint32_t action, unsigned int start,
			 unsigned int count)
{
	struct vfio_irq_set s = {
		.argsz = sizeof(s), .flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = index, .start = start, .count = count,
	};

	return (int)t_ioctl(dev, VFIO_DEVICE_SET_IRQS, &s);
}

FIXTURE(dev)
{
	int container, group, dev;
};

FIXTURE_SETUP(dev)
{
	struct t_options o = { .profile = "upstream" };

	t_host_up_platform("mock", &o);
	self->container = t_open("/dev/vfio/vfio", O_RDWR);
	ASSERT_NE(-1, self->container);
	self->group = group_fd(NIC, self->container);
	ASSERT_EQ(0, set_iommu(self->container));
	self->dev = device_fd(self->group, NIC);
	ASSERT_NE(-1, self->dev);
}

FIXTURE_TEARDOWN(dev)
{
	t_host_down();
}

TEST_F(dev, get_info)
{
	struct vfio_device_info info = { .argsz = 16, .cap_offset = 0xdead };

	ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, info.flags);
	EXPECT_EQ(VFIO_PCI_NUM_REGIONS, info.num_regions);
	EXPECT_EQ(VFIO_PCI_NUM_IRQS, info.num_irqs);
	EXPECT_EQ(0xdead, info.cap_offset);   /* argsz below the optional part */
	info.argsz = sizeof(info);
	ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(0, info.cap_offset);
	EXPECT_EQ(sizeof(info), info.argsz);
	info.argsz = 15;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_ERRNO(EFAULT, t_ioctl(self->dev, VFIO_DEVICE_GET_INFO, NULL));
	/* Readable but not writable: the answer cannot be copied out. */
	struct vfio_device_info *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	ro->argsz = sizeof(*ro);
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	EXPECT_ERRNO(EFAULT, t_ioctl(self->dev, VFIO_DEVICE_GET_INFO, ro));
	munmap(ro, 4096);
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, _IO(VFIO_TYPE, VFIO_BASE + 60), NULL));
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, VFIO_GET_API_VERSION, NULL));
}

/* ---- VFIO_GROUP_GET_DEVICE_FD ---- */

TEST_F(dev, get_device_fd_names)
{
	char long_name[4096];
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd;

	ASSERT_TRUE(page != MAP_FAILED);
	EXPECT_ERRNO(EFAULT, device_fd(self->group, NULL));
	EXPECT_ERRNO(EFAULT, device_fd(self->group, (const char *)16));
	EXPECT_ERRNO(ENODEV, device_fd(self->group, "0000:01:00.7"));
	EXPECT_ERRNO(ENODEV, device_fd(self->group, BIGNIC));      /* another group */
	EXPECT_ERRNO(ENODEV, device_fd(self->group, "0000:00:01.0")); /* not ours */
	EXPECT_ERRNO(ENODEV, device_fd(self->group, NIC "x"));     /* no space after */
	EXPECT_ERRNO(ENODEV, device_fd(self->group, ""));
	EXPECT_ERRNO(EINVAL, device_fd(self->group, NIC " colour=blue"));
	EXPECT_ERRNO(EINVAL, device_fd(self->group, NIC " vf_token=1234"));
	/* A well-formed token for a function that is neither PF nor VF. */
	EXPECT_ERRNO(EINVAL, device_fd(self->group,
				       NIC " vf_token=bd8d9d2b-5a5f-4f5a-a211-f591514ba1f3"));
	memset(long_name, 'a', sizeof(long_name));
	EXPECT_ERRNO(EINVAL, device_fd(self->group, long_name));   /* no NUL in a page */
	/* A name that ends just before an unmapped page is fine... */
	ASSERT_EQ(0, munmap(page + 4096, 4096));
	strcpy(page + 4096 - sizeof(NIC), NIC);
	fd = device_fd(self->group, page + 4096 - sizeof(NIC));
	EXPECT_NE(-1, fd);
	EXPECT_EQ(0, t_close(fd));
	/* ...one that runs into it is not. */
	memset(page + 4096 - 4, 'a', 4);
	EXPECT_ERRNO(EFAULT, device_fd(self->group, page + 4096 - 4));
	fd = device_fd(self->group, NIC "   ");
	EXPECT_NE(-1, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, t_close(fd));
	munmap(page, 4096);
}

TEST_F(dev, fstat_anon_inode)
{
	struct stat st;

	ASSERT_EQ(0, t_fstat(self->dev, &st));
	EXPECT_EQ(0, st.st_mode & S_IFMT);   /* neither a char device nor a file */
	EXPECT_EQ(S_IRUSR | S_IWUSR, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_rdev);
	EXPECT_EQ(0, st.st_uid);
}

/* A host and nothing opened yet. */
FIXTURE(bare)
{
	int unused;
};

FIXTURE_SETUP(bare)
{
	struct t_options o = { .profile = "upstream" };

	t_host_up_platform("mock", &o);
}

FIXTURE_TEARDOWN(bare)
{
	t_host_down();
}

TEST_F(bare, get_device_fd_needs_container)
{
	int container, group, fd;

	container = t_open("/dev/vfio/vfio", O_RDWR);
	group = group_fd(NIC, -1);
	EXPECT_ERRNO(EINVAL, device_fd(group, NIC));             /* no container */
	ASSERT_EQ(0, t_ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	EXPECT_ERRNO(EINVAL, device_fd(group, NIC));             /* no IOMMU set */
	ASSERT_EQ(0, set_iommu(container));
	fd = device_fd(group, NIC);
	EXPECT_NE(-1, fd);
	EXPECT_EQ(0, t_close(fd));
	/* A group that cannot join a container cannot give out devices. */
	fd = group_fd(GPU, -1);
	EXPECT_ERRNO(EPERM, t_ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container));
	EXPECT_ERRNO(EINVAL, device_fd(fd, GPU));
}

TEST_F(dev, device_keeps_container)
{
	int dev1 = device_fd(self->group, NIC1), again;
	struct vfio_group_status st = { .argsz = sizeof(st) };

	ASSERT_NE(-1, dev1);
	EXPECT_ERRNO(EBUSY, t_ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER, NULL));
	again = device_fd(self->group, NIC);   /* the same device twice is fine */
	ASSERT_NE(-1, again);
	EXPECT_EQ(0, t_close(self->dev));
	EXPECT_ERRNO(EBUSY, t_ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER, NULL));
	EXPECT_EQ(0, t_close(again));
	EXPECT_ERRNO(EBUSY, t_ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER, NULL));
	EXPECT_EQ(0, t_close(dev1));
	EXPECT_EQ(0, t_ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER, NULL));
	EXPECT_EQ(0, t_ioctl(self->group, VFIO_GROUP_GET_STATUS, &st));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, st.flags);
}

/* The device fd holds the group file: closing the group fd first leaves
 * the group in its container until the device fd goes. */
TEST_F(dev, device_holds_group)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int group;

	EXPECT_EQ(0, t_close(self->group));
	EXPECT_EQ(1, t_nr_unmanaged_domains());
	EXPECT_ERRNO(EBUSY, t_open_group_of(NIC));
	EXPECT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(0, t_close(self->dev));
	EXPECT_EQ(0, t_nr_unmanaged_domains());
	group = t_open_group_of(NIC);
	EXPECT_NE(-1, group);
}

TEST_F(dev, dup_shares_the_file)
{
	int copy = t_dup(self->dev);
	uint32_t v = 0x5a5a5a5a, r = 0;

	ASSERT_NE(-1, copy);
	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(3) + 0x10));
	EXPECT_EQ(0, t_close(self->dev));
	ASSERT_EQ(4, t_pread(copy, &r, 4, REGION(3) + 0x10));
	EXPECT_EQ(v, r);
	EXPECT_ERRNO(EBUSY, t_ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER, NULL));
	EXPECT_EQ(0, t_close(copy));
	EXPECT_EQ(0, t_ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER, NULL));
}

/* ---- info ioctls ---- */

TEST_F(dev, region_info)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	struct vfio_region_info r;

	r = region(self->dev, VFIO_PCI_CONFIG_REGION_INDEX);
	EXPECT_EQ(4096, r.size);
	EXPECT_EQ(CFG, (off_t)r.offset);
	EXPECT_EQ(rw, r.flags);
	r = region(self->dev, 0);
	EXPECT_EQ(0x100000, r.size);
	EXPECT_EQ(0, r.offset);
	EXPECT_EQ(rw | VFIO_REGION_INFO_FLAG_MMAP, r.flags);
	r = region(self->dev, 1);                  /* upper half of BAR0 */
	EXPECT_EQ(0, r.size);
	EXPECT_EQ(0, r.flags);
	EXPECT_EQ(REGION(1), (off_t)r.offset);
	r = region(self->dev, 3);                  /* registers, with the MSI-X table */
	EXPECT_EQ(0x4000, r.size);
	EXPECT_EQ(rw, r.flags);
	EXPECT_EQ(0, r.cap_offset);
	r = region(self->dev, VFIO_PCI_ROM_REGION_INDEX);
	EXPECT_EQ(0, r.size);
	EXPECT_EQ(0, r.flags);
	r.index = VFIO_PCI_VGA_REGION_INDEX;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	r.index = VFIO_PCI_NUM_REGIONS;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	r.index = 0;
	r.argsz = sizeof(r) - 1;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	EXPECT_ERRNO(EFAULT, t_ioctl(self->dev, VFIO_DEVICE_GET_REGION_INFO, (void *)8));
}

TEST_F(dev, region_info_msix_mappable)
{
	int group = group_fd(BIGNIC, self->container), dev = device_fd(group, BIGNIC);
	struct {
		struct vfio_region_info info;
		struct vfio_info_cap_header cap;
	} r = { .info = { .argsz = sizeof(r.info), .index = 0 } };

	ASSERT_NE(-1, dev);
	/* Too small for the capability: argsz says what is needed, no caps. */
	ASSERT_EQ(0, t_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	EXPECT_EQ(sizeof(r), r.info.argsz);
	EXPECT_EQ(0, r.info.cap_offset);
	EXPECT_TRUE(r.info.flags & VFIO_REGION_INFO_FLAG_CAPS);
	EXPECT_TRUE(r.info.flags & VFIO_REGION_INFO_FLAG_MMAP);
	EXPECT_EQ(0, r.cap.id);
	ASSERT_EQ(0, t_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	EXPECT_EQ(sizeof(r.info), r.info.cap_offset);
	EXPECT_EQ(VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, r.cap.id);
	EXPECT_EQ(1, r.cap.version);
	EXPECT_EQ(0, r.cap.next);
	EXPECT_EQ(32 << 20, r.info.size);
}

TEST_F(dev, irq_info)
{
	static const struct { uint32_t count, flags; } want[VFIO_PCI_NUM_IRQS] = {
		[VFIO_PCI_INTX_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
						 VFIO_IRQ_INFO_AUTOMASKED },
		[VFIO_PCI_MSI_IRQ_INDEX] = { 4, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE },
		[VFIO_PCI_MSIX_IRQ_INDEX] = { 16, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE },
		[VFIO_PCI_ERR_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE },
		[VFIO_PCI_REQ_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE },
	};
	struct vfio_irq_info info = { .argsz = sizeof(info) };

	for (unsigned int i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		info.index = i;
		ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_GET_IRQ_INFO, &info));
		EXPECT_EQ(want[i].count, info.count);
		EXPECT_EQ(want[i].flags, info.flags);
	}
	info.index = VFIO_PCI_NUM_IRQS;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_GET_IRQ_INFO, &info));
	info.index = 0;
	info.argsz = sizeof(info) - 1;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_GET_IRQ_INFO, &info));
	EXPECT_ERRNO(EFAULT, t_ioctl(self->dev, VFIO_DEVICE_GET_IRQ_INFO, NULL));
}

TEST_F(dev, hot_reset_info)
{
	struct {
		struct vfio_pci_hot_reset_info hdr;
		struct vfio_pci_dependent_device devs[4];
	} r = { .hdr = { .argsz = sizeof(r.hdr) } };
	int group = t_group_id(NIC);

	EXPECT_ERRNO(ENOSPC, t_ioctl(self->dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &r));
	EXPECT_EQ(2, r.hdr.count);   /* both functions on bus 1 */
	r.hdr.argsz = sizeof(r);
	ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &r));
	ASSERT_EQ(2, r.hdr.count);
	EXPECT_EQ(0, r.hdr.flags);
	for (unsigned int i = 0; i < 2; i++) {
		EXPECT_EQ(group, r.devs[i].group_id);
		EXPECT_EQ(0, r.devs[i].segment);
		EXPECT_EQ(1, r.devs[i].bus);
		EXPECT_EQ(i, r.devs[i].devfn);
	}
	r.hdr.argsz = 11;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &r));
	EXPECT_ERRNO(EFAULT, t_ioctl(self->dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, NULL));
}

TEST_F(dev, device_feature)
{
	struct vfio_device_feature f = { .argsz = sizeof(f) };

	f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION;
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, VFIO_DEVICE_FEATURE, &f));
	f.flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY;
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, VFIO_DEVICE_FEATURE, &f));
	f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | 3;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_FEATURE, &f));
	f.flags |= VFIO_DEVICE_FEATURE_PROBE;
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, VFIO_DEVICE_FEATURE, &f));
	f.flags = 1u << 20;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_FEATURE, &f));
	f.argsz = 7;
	f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_FEATURE, &f));
	EXPECT_ERRNO(EFAULT, t_ioctl(self->dev, VFIO_DEVICE_FEATURE, NULL));
}

/* ---- config space ---- */

TEST_F(dev, config_ids_and_read_only)
{
	EXPECT_EQ(0x8086, cfg_read(self->dev, PCI_VENDOR_ID, 2));
	EXPECT_EQ(0x1521, cfg_read(self->dev, PCI_DEVICE_ID, 2));
	EXPECT_EQ(0x02000001, cfg_read(self->dev, PCI_CLASS_REVISION, 4));
	EXPECT_EQ(0x8086, cfg_read(self->dev, PCI_SUBSYSTEM_VENDOR_ID, 2));
	EXPECT_EQ(0x0001, cfg_read(self->dev, PCI_SUBSYSTEM_ID, 2));
	EXPECT_EQ(0x80, cfg_read(self->dev, PCI_HEADER_TYPE, 1));   /* multi-function */
	EXPECT_EQ(1, cfg_read(self->dev, PCI_INTERRUPT_PIN, 1));
	/* Read-only fields ignore writes. */
	cfg_write(self->dev, PCI_VENDOR_ID, 4, 0xffffffff);
	cfg_write(self->dev, PCI_CLASS_REVISION, 4, 0);
	cfg_write(self->dev, PCI_INTERRUPT_PIN, 1, 4);
	cfg_write(self->dev, PCI_CAPABILITY_LIST, 1, 0);
	cfg_write(self->dev, PCI_STATUS, 2, 0xffff);
	EXPECT_EQ(0x15218086, cfg_read(self->dev, PCI_VENDOR_ID, 4));
	EXPECT_EQ(0x02000001, cfg_read(self->dev, PCI_CLASS_REVISION, 4));
	EXPECT_EQ(1, cfg_read(self->dev, PCI_INTERRUPT_PIN, 1));
	EXPECT_EQ(0x40, cfg_read(self->dev, PCI_CAPABILITY_LIST, 1));
	EXPECT_EQ(PCI_STATUS_CAP_LIST, cfg_read(self->dev, PCI_STATUS, 2));
	/* Interrupt Line is the user's. */
	cfg_write(self->dev, PCI_INTERRUPT_LINE, 1, 0x2b);
	EXPECT_EQ(0x2b, cfg_read(self->dev, PCI_INTERRUPT_LINE, 1));
}

TEST_F(dev, config_capability_list)
{
	unsigned int pos = cfg_read(self->dev, PCI_CAPABILITY_LIST, 1);
	static const uint8_t ids[] = { PCI_CAP_ID_EXP, PCI_CAP_ID_MSI, PCI_CAP_ID_MSIX };

	for (unsigned int i = 0; i < sizeof(ids); i++) {
		ASSERT_NE(0, pos);
		EXPECT_EQ(ids[i], cfg_read(self->dev, pos, 1));
		if (ids[i] == PCI_CAP_ID_EXP)
			EXPECT_EQ(PCI_EXP_TYPE_ENDPOINT,
				  (cfg_read(self->dev, pos + PCI_EXP_FLAGS, 2) & PCI_EXP_FLAGS_TYPE) >> 4);
		if (ids[i] == PCI_CAP_ID_MSIX) {
			EXPECT_EQ(15, cfg_read(self->dev, pos + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE);
			EXPECT_EQ(0x2000 | 3, cfg_read(self->dev, pos + PCI_MSIX_TABLE, 4));
			EXPECT_EQ(0x3000 | 3, cfg_read(self->dev, pos + PCI_MSIX_PBA, 4));
			cfg_write(self->dev, pos + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
			EXPECT_EQ(15, cfg_read(self->dev, pos + PCI_MSIX_FLAGS, 2)); /* read-only */
		}
		pos = cfg_read(self->dev, pos + PCI_CAP_LIST_NEXT, 1);
	}
	EXPECT_EQ(0, pos);
	EXPECT_EQ(0, cfg_read(self->dev, 0x100, 4));   /* no extended capabilities */
}

TEST_F(dev, config_bar_sizing)
{
	uint32_t bar0 = cfg_read(self->dev, PCI_BASE_ADDRESS_0, 4);

	/* Firmware placed BAR0 (64-bit prefetchable) somewhere 1 MiB aligned. */
	EXPECT_EQ(PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH, bar0 & 0xf);
	EXPECT_EQ(0, bar0 & 0xffff0);
	cfg_write(self->dev, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	cfg_write(self->dev, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	EXPECT_EQ(0xfff0000c, cfg_read(self->dev, PCI_BASE_ADDRESS_0, 4));
	EXPECT_EQ(0xffffffff, cfg_read(self->dev, PCI_BASE_ADDRESS_1, 4));
	cfg_write(self->dev, PCI_BASE_ADDRESS_3, 4, 0xffffffff);   /* 16 KiB, 32-bit */
	EXPECT_EQ(0xffffc000, cfg_read(self->dev, PCI_BASE_ADDRESS_3, 4));
	cfg_write(self->dev, PCI_BASE_ADDRESS_2, 4, 0xffffffff);   /* absent */
	EXPECT_EQ(0, cfg_read(self->dev, PCI_BASE_ADDRESS_2, 4));
	cfg_write(self->dev, PCI_ROM_ADDRESS, 4, 0xffffffff);      /* no ROM */
	EXPECT_EQ(0, cfg_read(self->dev, PCI_ROM_ADDRESS, 4));
	cfg_write(self->dev, PCI_BASE_ADDRESS_0, 4, 0x12345678);
	EXPECT_EQ(0x1230000c, cfg_read(self->dev, PCI_BASE_ADDRESS_0, 4));
	/* Sizing is the user's view: BAR accesses are unaffected. */
	EXPECT_EQ(0, region(self->dev, 0).offset);
}

TEST_F(dev, config_command)
{
	uint16_t cmd = (uint16_t)cfg_read(self->dev, PCI_COMMAND, 2);
	uint32_t v = 0;

	/* Open enabled memory decode (the NIC has no I/O BAR), not bus master. */
	EXPECT_EQ(PCI_COMMAND_MEMORY, cmd);
	cfg_write(self->dev, PCI_COMMAND, 2, cmd | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	EXPECT_EQ(cmd | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE,
		  cfg_read(self->dev, PCI_COMMAND, 2));
	cfg_write(self->dev, PCI_COMMAND, 2, 0);
	EXPECT_ERRNO(EIO, t_pread(self->dev, &v, 4, REGION(3)));
	EXPECT_ERRNO(EIO, t_pwrite(self->dev, &v, 4, REGION(0)));
	cfg_write(self->dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(4, t_pread(self->dev, &v, 4, REGION(3)));
}

TEST_F(dev, config_partial_and_bounds)
{
	uint8_t b[8];

	ASSERT_EQ(3, t_pread(self->dev, b, 3, CFG + 1));
	EXPECT_EQ(0x80, b[0]);
	EXPECT_EQ(0x21, b[1]);
	EXPECT_EQ(0x15, b[2]);
	/* Across the header's end into the PCIe capability. */
	ASSERT_EQ(6, t_pread(self->dev, b, 6, CFG + 0x3e));
	EXPECT_EQ(PCI_CAP_ID_EXP, b[2]);
	EXPECT_EQ(1, t_pread(self->dev, b, 1, CFG + 4095));
	EXPECT_ERRNO(EFAULT, t_pread(self->dev, b, 2, CFG + 4095));
	EXPECT_ERRNO(EFAULT, t_pread(self->dev, b, 1, CFG + 4096));
	EXPECT_ERRNO(EFAULT, t_pread(self->dev, (void *)8, 4, CFG));
	EXPECT_EQ(0, t_pread(self->dev, b, 0, CFG + 8192));
	EXPECT_ERRNO(EINVAL, t_pread(self->dev, b, 1, REGION(VFIO_PCI_NUM_REGIONS)));
}

TEST_F(dev, config_msi_virtualized)
{
	unsigned int msi = 0x80;
	int efd[2] = { new_eventfd(), new_eventfd() };
	uint16_t flags;

	ASSERT_EQ(PCI_CAP_ID_MSI, cfg_read(self->dev, msi, 1));
	flags = (uint16_t)cfg_read(self->dev, msi + PCI_MSI_FLAGS, 2);
	EXPECT_EQ(PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT, flags);  /* MMC shows 0 */
	cfg_write(self->dev, msi + PCI_MSI_FLAGS, 2, flags | PCI_MSI_FLAGS_ENABLE | 0x70);
	EXPECT_EQ(flags, cfg_read(self->dev, msi + PCI_MSI_FLAGS, 2));  /* enable via ioctl */
	cfg_write(self->dev, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee01000);
	EXPECT_EQ(0xfee01000, cfg_read(self->dev, msi + PCI_MSI_ADDRESS_LO, 4));
	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSI_IRQ_INDEX, 0, 2, efd));
	EXPECT_EQ(1u << 1, cfg_read(self->dev, msi + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_QMASK);
	cfg_write(self->dev, msi + PCI_MSI_FLAGS, 2, flags | PCI_MSI_FLAGS_ENABLE | 0x70);
	EXPECT_EQ(PCI_MSI_FLAGS_ENABLE | 1u << 4,   /* capped at what is enabled */
		  cfg_read(self->dev, msi + PCI_MSI_FLAGS, 2) & (PCI_MSI_FLAGS_ENABLE | 0x70));
	close(efd[0]);
	close(efd[1]);
}

TEST_F(dev, config_pcie_controls)
{
	unsigned int ctl = 0x40 + PCI_EXP_DEVCTL;
	uint16_t v = (uint16_t)cfg_read(self->dev, ctl, 2);

	EXPECT_TRUE(cfg_read(self->dev, 0x40 + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR);
	cfg_write(self->dev, ctl, 2, v | PCI_EXP_DEVCTL_PHANTOM | PCI_EXP_DEVCTL_CERE);
	EXPECT_EQ(v | PCI_EXP_DEVCTL_CERE, cfg_read(self->dev, ctl, 2));
	cfg_write(self->dev, 0x40 + PCI_EXP_DEVCTL2, 2, PCI_EXP_DEVCTL2_ARI | 0x5);
	EXPECT_EQ(0x5, cfg_read(self->dev, 0x40 + PCI_EXP_DEVCTL2, 2));
	cfg_write(self->dev, 0x40 + PCI_EXP_LNKCTL, 2, 0x3);   /* not the user's */
	EXPECT_EQ(0, cfg_read(self->dev, 0x40 + PCI_EXP_LNKCTL, 2));
}

/* ---- BARs ---- */

TEST_F(dev, bar_registers)
{
	uint64_t q = 0x1122334455667788ull, r = 0;
	uint8_t b[16];
	uint32_t v;

	ASSERT_EQ(8, t_pwrite(self->dev, &q, 8, REGION(3) + 0x100));
	ASSERT_EQ(8, t_pread(self->dev, &r, 8, REGION(3) + 0x100));
	EXPECT_EQ(q, r);
	ASSERT_EQ(3, t_pread(self->dev, b, 3, REGION(3) + 0x101));   /* unaligned */
	EXPECT_EQ(0x77, b[0]);
	EXPECT_EQ(0x55, b[2]);
	/* Clipped at the end of the BAR: a short count; at or past it, EINVAL. */
	EXPECT_EQ(4, t_pread(self->dev, b, 16, REGION(3) + 0x4000 - 4));
	EXPECT_ERRNO(EINVAL, t_pread(self->dev, b, 1, REGION(3) + 0x4000));
	EXPECT_ERRNO(EINVAL, t_pread(self->dev, b, 1, REGION(2)));   /* no BAR2 */
	EXPECT_ERRNO(EINVAL, t_pread(self->dev, b, 1, REGION(VFIO_PCI_ROM_REGION_INDEX)));
	EXPECT_ERRNO(EINVAL, t_pwrite(self->dev, b, 1, REGION(VFIO_PCI_ROM_REGION_INDEX)));
	EXPECT_ERRNO(EINVAL, t_pread(self->dev, b, 1, REGION(VFIO_PCI_VGA_REGION_INDEX)));
	/* The MSI-X table reads as ones and drops writes; the PBA is readable. */
	v = 0;
	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(3) + 0x2000));
	ASSERT_EQ(4, t_pread(self->dev, &v, 4, REGION(3) + 0x2000));
	EXPECT_EQ(0xffffffff, v);
	ASSERT_EQ(4, t_pread(self->dev, &v, 4, REGION(3) + 0x3000));
	EXPECT_EQ(0, v);
	ASSERT_EQ(8, t_pread(self->dev, &q, 8, REGION(3) + 0x1ffc));   /* half in it */
	EXPECT_EQ(0xffffffff00000000ull, q & 0xffffffff00000000ull);
	EXPECT_ERRNO(EFAULT, t_pwrite(self->dev, (void *)8, 4, REGION(3)));
}

TEST_F(dev, bar_read_write_at_file_position)
{
	uint32_t v = 0xabcd, r = 0;

	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(0)));
	/* read() starts at the file position, 0: BAR0, and moves it. */
	ASSERT_EQ(4, t_read(self->dev, &r, 4));
	EXPECT_EQ(v, r);
	ASSERT_EQ(4, t_write(self->dev, &v, 4));
	ASSERT_EQ(4, t_pread(self->dev, &r, 4, REGION(0) + 4));
	EXPECT_EQ(v, r);
}

TEST_F(dev, mmap_bar)
{
	const size_t size = 0x100000;
	uint32_t v = 0x600dcafe, r = 0;
	uint32_t *p = t_mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, self->dev, REGION(0));
	uint32_t *q;

	ASSERT_TRUE(p != MAP_FAILED);
	/* The mapping and the device's view are the same memory. */
	p[16] = 0x12345678;
	ASSERT_EQ(4, t_pread(self->dev, &r, 4, REGION(0) + 64));
	EXPECT_EQ(0x12345678, r);
	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(0) + size - 4));
	EXPECT_EQ(v, p[size / 4 - 1]);
	/* A second device fd and its mapping see the same BAR. */
	int dev2 = device_fd(self->group, NIC);
	q = t_mmap(4096, PROT_READ, MAP_SHARED, dev2, REGION(0));
	ASSERT_TRUE(q != MAP_FAILED);
	EXPECT_EQ(0x12345678, q[16]);
	munmap(q, 4096);
	munmap(p, size);
	/* What may not be mapped. */
	EXPECT_TRUE(t_mmap(size + 4096, PROT_READ, MAP_SHARED, self->dev, REGION(0)) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(t_mmap(4096, PROT_READ, MAP_SHARED, self->dev, REGION(0) + size) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(t_mmap(4096, PROT_READ, MAP_SHARED, self->dev, REGION(0) + 100) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(t_mmap(0, PROT_READ, MAP_SHARED, self->dev, REGION(0)) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(t_mmap(4096, PROT_READ, MAP_SHARED, self->dev, REGION(3)) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);   /* registers */
	EXPECT_TRUE(t_mmap(4096, PROT_READ, MAP_SHARED, self->dev, REGION(1)) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(t_mmap(4096, PROT_READ, MAP_SHARED, self->dev, CFG) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(t_mmap(4096, PROT_READ, MAP_SHARED, self->dev,
			   REGION(VFIO_PCI_ROM_REGION_INDEX)) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, t_close(dev2));
}

TEST_F(dev, reset)
{
	uint32_t v = 0xfeedf00d, r;
	uint32_t *p = t_mmap(4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->dev, REGION(0));
	uint32_t bar0, cmd;

	ASSERT_TRUE(p != MAP_FAILED);
	p[0] = v;
	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(3) + 0x40));
	cfg_write(self->dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_write(self->dev, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	bar0 = cfg_read(self->dev, PCI_BASE_ADDRESS_0, 4);
	cmd = cfg_read(self->dev, PCI_COMMAND, 2);
	ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_RESET, NULL));
	/* The device's state is gone... */
	EXPECT_EQ(0, p[0]);
	ASSERT_EQ(4, t_pread(self->dev, &r, 4, REGION(3) + 0x40));
	EXPECT_EQ(0, r);
	/* ...the user's view of config space is what it was. */
	EXPECT_EQ(bar0, cfg_read(self->dev, PCI_BASE_ADDRESS_0, 4));
	EXPECT_EQ(cmd, cfg_read(self->dev, PCI_COMMAND, 2));
	/* Function level reset through the PCIe capability does the same. */
	p[1] = v;
	cfg_write(self->dev, 0x40 + PCI_EXP_DEVCTL, 2,
		  cfg_read(self->dev, 0x40 + PCI_EXP_DEVCTL, 2) | PCI_EXP_DEVCTL_BCR_FLR);
	EXPECT_EQ(0, p[1]);
	EXPECT_EQ(0, cfg_read(self->dev, 0x40 + PCI_EXP_DEVCTL, 2) & PCI_EXP_DEVCTL_BCR_FLR);
	EXPECT_EQ(cmd, cfg_read(self->dev, PCI_COMMAND, 2));
	munmap(p, 4096);
}

/* ---- interrupts ---- */

TEST_F(dev, set_irqs_validation)
{
	char buf[sizeof(struct vfio_irq_set) + 8];
	struct vfio_irq_set *s = (void *)buf;
	int efd = new_eventfd(), pipefd[2];
	int32_t fd;

	*s = (struct vfio_irq_set){
		.argsz = sizeof(*s) + 4, .index = VFIO_PCI_MSIX_IRQ_INDEX, .count = 1,
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
	};
	memcpy(s->data, &efd, 4);
	s->argsz = 19;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->argsz = sizeof(*s) + 3;                           /* short of the data */
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->argsz = sizeof(*s) + 4;
	s->index = VFIO_PCI_NUM_IRQS;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->start = 16;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->start = 15;
	s->count = 2;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->start = 1;
	s->count = UINT32_MAX;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->start = 0;
	s->count = 1;
	s->flags |= 1u << 12;                                 /* unknown flag */
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER;
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD;                 /* no action */
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_MASK;
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	EXPECT_ERRNO(EFAULT, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, NULL));
	fd = 9999;
	memcpy(s->data, &fd, 4);
	EXPECT_ERRNO(EBADF, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	ASSERT_EQ(0, pipe(pipefd));
	memcpy(s->data, &pipefd[0], 4);
	EXPECT_ERRNO(EINVAL, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	/* Nothing was enabled by any of that. */
	EXPECT_ERRNO(EINVAL, set_irqs_none(self->dev, VFIO_PCI_MSIX_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));
	/* Enabling with no vectors: pci_alloc_irq_vectors(1, 0). */
	EXPECT_ERRNO(ERANGE, set_eventfds(self->dev, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL));
	close(pipefd[0]);
	close(pipefd[1]);
	close(efd);
}

/* The loopback triggers, and what cannot be added to an enabled MSI-X. */
TEST_F(dev, msix_loopback_and_limits)
{
	int efd[3] = { new_eventfd(), new_eventfd(), new_eventfd() };
	int copy = dup(efd[0]);
	uint8_t yes = 1;
	char buf[sizeof(struct vfio_irq_set) + 1];
	struct vfio_irq_set *s = (void *)buf;
	int more[1];

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSIX_IRQ_INDEX, 0, 3, efd));
	/* Loopback: DATA_NONE and DATA_BOOL triggers. */
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_MSIX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 2, 1));
	EXPECT_EQ(1, fired(efd[2]));
	*s = (struct vfio_irq_set){ .argsz = sizeof(buf), .index = VFIO_PCI_MSIX_IRQ_INDEX,
				    .flags = VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
				    .start = 1, .count = 1 };
	memcpy(s->data, &yes, 1);
	ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	EXPECT_EQ(1, fired(efd[1]));
	EXPECT_EQ(0, fired(efd[0]));
	/* The device holds its own reference: the user may close theirs. */
	close(efd[0]);
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_MSIX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));
	EXPECT_EQ(1, fired(copy));
	/* Vectors past those enabled cannot be added (no dynamic MSI-X)... */
	more[0] = copy;
	EXPECT_ERRNO(EINVAL, set_eventfds(self->dev, VFIO_PCI_MSIX_IRQ_INDEX, 3, 1, more));
	/* ...and MSI cannot be enabled on top. */
	EXPECT_ERRNO(EINVAL, set_eventfds(self->dev, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, more));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_MSIX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0));
	EXPECT_EQ(0, cfg_read(self->dev, 0xa0 + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE);
	close(copy);
	close(efd[1]);
	close(efd[2]);
}

/*
 * Interrupts the device raises (direct build only: a program cannot make
 * a device interrupt; the shim build checks delivery with the loopback).
 */
#ifndef IMS_UAPI_SHIM
static void bus_master(int dev)
{
	cfg_write(dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

TEST_F(dev, msix_eventfds)
{
	int efd[3] = { new_eventfd(), new_eventfd(), new_eventfd() };
	int more[1];

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSIX_IRQ_INDEX, 0, 3, efd));
	EXPECT_TRUE(cfg_read(self->dev, 0xa0 + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE);
	/* No bus master, no messages. */
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 1, true));
	EXPECT_EQ(0, fired(efd[1]));
	bus_master(self->dev);
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 1, true));
	EXPECT_EQ(1, fired(efd[1]));
	EXPECT_EQ(0, fired(efd[0]));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 0, true));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 0, true));
	EXPECT_EQ(2, fired(efd[0]));
	/* A vector without a trigger, and one past the table. */
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 5, true));
	EXPECT_ERRNO(EINVAL, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 16, true));
	/* Unset one vector, then disable all. */
	more[0] = -1;
	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSIX_IRQ_INDEX, 1, 1, more));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 1, true));
	EXPECT_EQ(0, fired(efd[1]));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_MSIX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0));
	EXPECT_EQ(0, cfg_read(self->dev, 0xa0 + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE);
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 0, true));
	EXPECT_EQ(0, fired(efd[0]));
	for (int i = 0; i < 3; i++)
		close(efd[i]);
}

TEST_F(dev, msix_user_closes_eventfd)
{
	int efd = new_eventfd(), dup_of = dup(efd);

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &efd));
	close(efd);   /* the device still holds the eventfd */
	bus_master(self->dev);
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 0, true));
	EXPECT_EQ(1, fired(dup_of));
	close(dup_of);
}

TEST_F(dev, msi_masks_and_pending)
{
	unsigned int msi = 0x80;
	int efd[2] = { new_eventfd(), new_eventfd() };

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSI_IRQ_INDEX, 0, 2, efd));
	bus_master(self->dev);
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSI_IRQ_INDEX, 1, true));
	EXPECT_EQ(1, fired(efd[1]));
	/* The per-vector mask is the device's and the user's to set. */
	cfg_write(self->dev, msi + PCI_MSI_MASK_64, 4, 0x2);
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSI_IRQ_INDEX, 1, true));
	EXPECT_EQ(0, fired(efd[1]));
	EXPECT_EQ(0x2, cfg_read(self->dev, msi + PCI_MSI_PENDING_64, 4));
	cfg_write(self->dev, msi + PCI_MSI_MASK_64, 4, 0);
	EXPECT_EQ(1, fired(efd[1]));
	EXPECT_EQ(0, cfg_read(self->dev, msi + PCI_MSI_PENDING_64, 4));
	/* Vectors past those enabled are not sent. */
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSI_IRQ_INDEX, 3, true));
	EXPECT_ERRNO(EINVAL, t_raise_irq(NIC, VFIO_PCI_MSI_IRQ_INDEX, 4, true));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_MSI_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_MSI_IRQ_INDEX, 0, true));
	EXPECT_EQ(0, fired(efd[0]));
	close(efd[0]);
	close(efd[1]);
}

TEST_F(dev, intx_automasked)
{
	int efd = new_eventfd();

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_INTX_IRQ_INDEX, 0, true));
	EXPECT_EQ(1, fired(efd));
	EXPECT_TRUE(cfg_read(self->dev, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* Masked by the handler: Interrupt Disable stays clear to the user. */
	EXPECT_EQ(0, cfg_read(self->dev, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE);
	/* Unmasking while the device still asserts it: signalled again. */
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_INTX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	EXPECT_EQ(1, fired(efd));
	/* The device lowers it; unmask; a new assertion is a new interrupt. */
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_INTX_IRQ_INDEX, 0, false));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_INTX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	EXPECT_EQ(0, fired(efd));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_INTX_IRQ_INDEX, 0, true));
	EXPECT_EQ(1, fired(efd));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_INTX_IRQ_INDEX, 0, false));
	/* MASK by ioctl holds the next one back until UNMASK. */
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_INTX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_INTX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_MASK, 0, 1));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_INTX_IRQ_INDEX, 0, true));
	EXPECT_EQ(0, fired(efd));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_INTX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	EXPECT_EQ(1, fired(efd));
	close(efd);
}

TEST_F(dev, intx_disable_bit)
{
	int efd = new_eventfd();

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd));
	cfg_write(self->dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_INTX_IRQ_INDEX, 0, true));
	EXPECT_EQ(0, fired(efd));
	/* Clearing it while the device asserts INTx delivers it. */
	cfg_write(self->dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(1, fired(efd));
	close(efd);
}

TEST_F(dev, err_and_req)
{
	int err = new_eventfd(), req = new_eventfd();

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &err));
	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &req));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_ERR_IRQ_INDEX, 0, true));
	EXPECT_EQ(1, fired(err));
	EXPECT_EQ(0, fired(req));
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_REQ_IRQ_INDEX, 0, true));
	EXPECT_EQ(1, fired(req));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_ERR_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0));   /* release */
	EXPECT_EQ(0, t_raise_irq(NIC, VFIO_PCI_ERR_IRQ_INDEX, 0, true));
	EXPECT_EQ(0, fired(err));
	EXPECT_ERRNO(ENODEV, t_raise_irq(DMA, VFIO_PCI_ERR_IRQ_INDEX, 0, true));  /* not open */
	close(err);
	close(req);
}
#endif /* !IMS_UAPI_SHIM */

/* INTx's trigger replaced and tested by loopback; what INTx refuses. */
TEST_F(dev, intx_trigger_and_limits)
{
	int efd = new_eventfd(), other = new_eventfd();
	char buf[sizeof(struct vfio_irq_set) + 4];
	struct vfio_irq_set *s = (void *)buf;

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd));
	/* Replacing the trigger. */
	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &other));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_INTX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));   /* loopback */
	EXPECT_EQ(1, fired(other));
	EXPECT_EQ(0, fired(efd));
	/* Eventfd masking is not available; MSI cannot be enabled on INTx. */
	*s = (struct vfio_irq_set){ .argsz = sizeof(buf), .index = VFIO_PCI_INTX_IRQ_INDEX,
				    .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_MASK,
				    .count = 1 };
	memcpy(s->data, &efd, 4);
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK;
	EXPECT_ERRNO(ENOTTY, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	memcpy(s->data, &(int32_t){ -1 }, 4);
	EXPECT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_SET_IRQS, s));
	EXPECT_ERRNO(EINVAL, set_eventfds(self->dev, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_INTX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0));
	EXPECT_ERRNO(EINVAL, set_irqs_none(self->dev, VFIO_PCI_INTX_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	close(efd);
	close(other);
}

TEST_F(dev, err_and_req_loopback)
{
	int err = new_eventfd(), req = new_eventfd();

	EXPECT_ERRNO(EINVAL, set_irqs_none(self->dev, VFIO_PCI_ERR_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));   /* none set */
	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &err));
	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &req));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_ERR_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));   /* loopback */
	EXPECT_EQ(1, fired(err));
	EXPECT_EQ(0, fired(req));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_REQ_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));
	EXPECT_EQ(1, fired(req));
	ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_ERR_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0));   /* release */
	EXPECT_ERRNO(EINVAL, set_irqs_none(self->dev, VFIO_PCI_ERR_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));
	EXPECT_EQ(0, fired(err));
	EXPECT_ERRNO(ENOTTY, set_irqs_none(self->dev, VFIO_PCI_REQ_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_MASK, 0, 1));
	close(err);
	close(req);
}

/* ---- threads (direct build only: the device raises) ---- */

#ifndef IMS_UAPI_SHIM

struct raiser {
	bool stop;
	int raised;
};

static void *raise_loop(void *arg)
{
	struct raiser *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		t_raise_irq(NIC, VFIO_PCI_MSIX_IRQ_INDEX, 0, true);
		__atomic_add_fetch(&r->raised, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Interrupts raised from another thread while the program reconfigures. */
TEST_F(dev, concurrent_raise_and_set_irqs)
{
	struct raiser r = { .stop = false };
	int efd = new_eventfd();
	pthread_t t;
	uint64_t total = 0;

	bus_master(self->dev);
	ASSERT_EQ(0, pthread_create(&t, NULL, raise_loop, &r));
	for (int i = 0; i < 200 || __atomic_load_n(&r.raised, __ATOMIC_ACQUIRE) < 200; i++) {
		ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &efd));
		total += fired(efd);
		ASSERT_EQ(0, set_irqs_none(self->dev, VFIO_PCI_MSIX_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0));
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	total += fired(efd);
	EXPECT_TRUE(r.raised > 0);
	EXPECT_TRUE(total <= (uint64_t)r.raised);
	close(efd);
}
#endif

/* ---- vfio-platform ---- */

TEST_F(dev, platform_device)
{
	int group = group_fd(DMA, self->container), dev = device_fd(group, DMA);
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info r = { .argsz = sizeof(r) };
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	struct vfio_device_feature f = { .argsz = sizeof(f), .flags = VFIO_DEVICE_FEATURE_GET | 3 };
	char b[4];

	ASSERT_NE(-1, dev);
	EXPECT_ERRNO(ENODEV, device_fd(group, "20000000.dma "));   /* exact names only */
	ASSERT_EQ(0, t_ioctl(dev, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(VFIO_DEVICE_FLAGS_PLATFORM, info.flags);
	EXPECT_EQ(0, info.num_regions);
	EXPECT_EQ(0, info.num_irqs);
	EXPECT_ERRNO(EINVAL, t_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	EXPECT_ERRNO(EINVAL, t_ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	EXPECT_ERRNO(EINVAL, set_irqs_none(dev, 0, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0));
	EXPECT_ERRNO(EINVAL, t_ioctl(dev, VFIO_DEVICE_RESET, NULL));
	EXPECT_ERRNO(EINVAL, t_ioctl(dev, VFIO_DEVICE_FEATURE, &f));
	EXPECT_ERRNO(ENOTTY, t_ioctl(dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &r));
	EXPECT_ERRNO(EINVAL, t_pread(dev, b, 4, 0));
	EXPECT_ERRNO(EINVAL, t_pwrite(dev, b, 4, 0));
	EXPECT_TRUE(t_mmap(4096, PROT_READ, MAP_SHARED, dev, 0) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
#ifndef IMS_UAPI_SHIM
	EXPECT_ERRNO(ENODEV, t_raise_irq(DMA, 0, 0, true));
#endif
	EXPECT_EQ(0, t_close(dev));
}

/* ---- a device model plugged in (direct build only: library internals) ---- */

#ifndef IMS_UAPI_SHIM

/*
 * A doorbell device for the accelerator 1ded:0002: writing N to BAR0 +
 * 0x1000 (a trapped page of the mappable BAR) sends MSI-X vector N; BAR2
 * offset 0 is a register that reads back the complement of what was
 * written and resets to 0x1234.
 */
struct doorbell {
	uint32_t reg;
	uint32_t rings;
};

static int model_inits, model_releases, model_resets;

static int doorbell_init(struct ims_pci_ep *ep, void *priv)
{
	struct doorbell *d = priv;

	(void)ep;
	d->reg = 0x1234;
	model_inits++;
	return 0;
}

static void doorbell_release(struct ims_pci_ep *ep, void *priv)
{
	(void)ep, (void)priv;
	model_releases++;
}

static void doorbell_reset(struct ims_pci_ep *ep, void *priv)
{
	struct doorbell *d = priv;

	(void)ep;
	d->reg = 0x1234;
	model_resets++;
}

static uint64_t doorbell_read(struct ims_pci_ep *ep, void *priv, unsigned int bar,
			      uint64_t off, unsigned int size)
{
	struct doorbell *d = priv;

	(void)ep, (void)size;
	if (bar == 2 && off == 0)
		return ~d->reg;
	return bar == 0 ? d->rings : 0;
}

static void doorbell_write(struct ims_pci_ep *ep, void *priv, unsigned int bar, uint64_t off,
			   unsigned int size, uint64_t value)
{
	struct doorbell *d = priv;

	(void)size;
	if (bar == 2 && off == 0)
		d->reg = (uint32_t)value;
	if (bar == 0 && off == 0x1000) {
		d->rings++;
		ims_pci_ep_msix(ep, (unsigned int)value);
	}
}

static const struct ims_pci_trap doorbell_traps[] = {
	{ .bar = 0, .offset = 0x1000, .size = 0x800 },
};

static const struct ims_pci_model doorbell_model = {
	.name = "doorbell",
	.vendor = 0x1ded,
	.device = 0x0002,
	.priv_size = sizeof(struct doorbell),
	.traps = doorbell_traps,
	.nr_traps = 1,
	.init = doorbell_init,
	.release = doorbell_release,
	.reset = doorbell_reset,
	.bar_read = doorbell_read,
	.bar_write = doorbell_write,
};

FIXTURE(model)
{
	int container, group, dev;
};

FIXTURE_SETUP(model)
{
	struct t_options o = { .profile = "upstream" };

	ASSERT_EQ(0, ims_pci_model_register(&doorbell_model));
	t_host_up_platform("mock", &o);
	self->container = t_open("/dev/vfio/vfio", O_RDWR);
	self->group = group_fd(ACCEL, self->container);
	ASSERT_EQ(0, set_iommu(self->container));
	self->dev = device_fd(self->group, ACCEL);
	ASSERT_NE(-1, self->dev);
}

FIXTURE_TEARDOWN(model)
{
	t_host_down();
	ims_pci_model_unregister(&doorbell_model);
}

TEST_F(model, registry)
{
	EXPECT_EQ(1, model_inits);
	EXPECT_EQ(-EEXIST, ims_pci_model_register(&doorbell_model));
	EXPECT_EQ(-EBUSY, ims_pci_model_unregister(&doorbell_model));
	EXPECT_EQ(0, t_close(self->dev));
	EXPECT_EQ(1, model_releases);
	EXPECT_EQ(0, ims_pci_model_unregister(&doorbell_model));
	EXPECT_EQ(-ENOENT, ims_pci_model_unregister(&doorbell_model));
	/* Without the model the same function is generic again. */
	self->dev = device_fd(self->group, ACCEL);
	uint32_t v = 7, r = 0;
	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(2)));
	ASSERT_EQ(4, t_pread(self->dev, &r, 4, REGION(2)));
	EXPECT_EQ(7, r);
	EXPECT_EQ(1, model_inits);
}

TEST_F(model, sparse_mmap)
{
	struct {
		struct vfio_region_info info;
		struct vfio_region_info_cap_sparse_mmap cap;
		struct vfio_region_sparse_mmap_area areas[2];
	} r = { .info = { .argsz = sizeof(r.info), .index = 0 } };
	void *p;

	ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	EXPECT_EQ(sizeof(r), r.info.argsz);
	EXPECT_EQ(0, r.info.cap_offset);
	ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_GET_REGION_INFO, &r));
	EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS, r.info.flags);
	EXPECT_EQ(sizeof(r.info), r.info.cap_offset);
	EXPECT_EQ(VFIO_REGION_INFO_CAP_SPARSE_MMAP, r.cap.header.id);
	EXPECT_EQ(0, r.cap.header.next);
	ASSERT_EQ(2, r.cap.nr_areas);
	EXPECT_EQ(0, r.areas[0].offset);
	EXPECT_EQ(0x1000, r.areas[0].size);
	EXPECT_EQ(0x2000, r.areas[1].offset);
	EXPECT_EQ(0x200000 - 0x2000, r.areas[1].size);
	/* Mappable areas map; the trapped page does not. */
	EXPECT_TRUE(t_mmap(0x2000, PROT_READ, MAP_SHARED, self->dev, REGION(0)) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(t_mmap(0x1000, PROT_READ, MAP_SHARED, self->dev, REGION(0) + 0x1000) ==
		    MAP_FAILED);
	p = t_mmap(0x1000, PROT_READ, MAP_SHARED, self->dev, REGION(0));
	EXPECT_TRUE(p != MAP_FAILED);
	munmap(p, 0x1000);
	p = t_mmap(0x4000, PROT_READ, MAP_SHARED, self->dev, REGION(0) + 0x2000);
	EXPECT_TRUE(p != MAP_FAILED);
	munmap(p, 0x4000);
	/* MSI-X sits in the register BAR here: no MSIX_MAPPABLE on BAR0. */
	EXPECT_EQ(0x800 | 2, cfg_read(self->dev, 0xa0 + PCI_MSIX_TABLE, 4));
}

TEST_F(model, doorbell_raises_msix)
{
	int efd[4] = { new_eventfd(), new_eventfd(), new_eventfd(), new_eventfd() };
	uint32_t v = 3, r = 0;

	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSIX_IRQ_INDEX, 0, 4, efd));
	bus_master(self->dev);
	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(0) + 0x1000));
	EXPECT_EQ(1, fired(efd[3]));
	EXPECT_EQ(0, fired(efd[0]));
	ASSERT_EQ(4, t_pread(self->dev, &r, 4, REGION(0) + 0x1004));
	EXPECT_EQ(1, r);   /* the trap's reads are the model's too */
	/* The register BAR is the model's. */
	v = 0xf0f0f0f0;
	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(2)));
	ASSERT_EQ(4, t_pread(self->dev, &r, 4, REGION(2)));
	EXPECT_EQ(0x0f0f0f0f, r);
	for (int i = 0; i < 4; i++)
		close(efd[i]);
}

TEST_F(model, reset_reaches_the_model)
{
	uint32_t v = 0x55, r = 0;

	ASSERT_EQ(4, t_pwrite(self->dev, &v, 4, REGION(2)));
	EXPECT_EQ(1, model_resets);   /* the reset of the first open */
	ASSERT_EQ(0, t_ioctl(self->dev, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(2, model_resets);
	ASSERT_EQ(4, t_pread(self->dev, &r, 4, REGION(2)));
	EXPECT_EQ(~0x1234u, r);
}
#endif /* !IMS_UAPI_SHIM */

/* ---- nothing left behind ---- */

static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

TEST_F(dev, close_leaks_nothing)
{
	int efd[2] = { new_eventfd(), new_eventfd() };
	int before, dev2, group2;

	EXPECT_EQ(0, t_close(self->dev));
	before = open_fds();
	self->dev = device_fd(self->group, NIC);
	dev2 = device_fd(self->group, NIC1);
	group2 = group_fd(BIGNIC, self->container);
	ASSERT_EQ(0, set_eventfds(self->dev, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, efd));
	ASSERT_EQ(0, set_eventfds(dev2, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, efd));
	EXPECT_NE(before, open_fds());
	EXPECT_EQ(0, t_close(self->dev));
	EXPECT_EQ(0, t_close(dev2));
	EXPECT_EQ(0, t_close(group2));
	EXPECT_EQ(before, open_fds());
	close(efd[0]);
	close(efd[1]);
}

TEST_F(dev, fail_nth_open_and_irqs)
{
	int efd = new_eventfd();
	unsigned long n;

	EXPECT_EQ(0, t_close(self->dev));
	for (n = 1; n < 1000; n++) {
		int fd, ret = -1;
		unsigned long left;

		t_fail_nth_set(n);
		fd = device_fd(self->group, NIC);
		if (fd >= 0)
			ret = set_eventfds(fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &efd);
		left = t_fail_nth_get();
		t_fail_nth_set(0);
		if (fd >= 0)
			EXPECT_EQ(0, t_close(fd));
		if (left) {   /* the n-th point was never reached: all went well */
			EXPECT_EQ(0, ret);
			break;
		}
		/* Whatever failed left the group as it was. */
		EXPECT_ERRNO(EINVAL, t_ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	}
	EXPECT_NE(1000, n);
	EXPECT_TRUE(n > 8);   /* the sweep went through the whole path */
	EXPECT_EQ(0, t_ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER, NULL));
	close(efd);
}

int main(int argc, char **argv)
{
	return ims_harness_main(argc, argv);
}
