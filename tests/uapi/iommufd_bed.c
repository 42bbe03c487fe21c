// SPDX-License-Identifier: MIT
/*
 * The iommufd UAPI test bed (see iommufd_bed.h): direct mode, through the
 * library's syscall surface on a host made by ims_host_create("mock").
 */
#include "iommufd_bed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/core.h"
#include "harness/harness.h"
#include "host/host.h"

static struct ims_host *host;

void b_up(const char *profile, bool test_interface)
{
	b_up_platform("mock", profile, test_interface);
}

void b_up_platform(const char *platform, const char *profile, bool test_interface)
{
	struct ims_host_options opts = { .profile = profile, .iommufd_test = test_interface };

	b_up_with(platform, &opts);
}

void b_up_with(const char *platform, const struct ims_host_options *opts)
{
	char err[256];
	int ret = ims_host_create(platform, opts, &host, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "test bed: %s\n", err);
		exit(1);
	}
}

static const char refusals_dts[] =
	"/dts-v1/;\n"
	"/ {\n"
	"	compatible = \"iommusim,test\";\n"
	"	#address-cells = <2>;\n"
	"	#size-cells = <2>;\n"
	"	incoherent: iommu@10000000 {\n"
	"		compatible = \"iommusim,mock\";\n"
	"		reg = <0x0 0x10000000 0x0 0x10000>;\n"
	"		#iommu-cells = <1>;\n"
	"		iommusim,incoherent-walk;\n"
	"	};\n"
	"	plain: iommu@11000000 {\n"
	"		compatible = \"iommusim,mock\";\n"
	"		reg = <0x0 0x11000000 0x0 0x10000>;\n"
	"		#iommu-cells = <1>;\n"
	"	};\n"
	"	dma@20000000 {\n"
	"		compatible = \"iommusim,dma-engine\";\n"
	"		reg = <0x0 0x20000000 0x0 0x1000>;\n"
	"		iommus = <&incoherent 0x1>;\n"
	"		iommusim,msi-isolated;\n"
	"		dma-coherent;\n"
	"	};\n"
	"	dma@21000000 {\n"
	"		compatible = \"iommusim,dma-engine\";\n"
	"		reg = <0x0 0x21000000 0x0 0x1000>;\n"
	"		iommus = <&plain 0x2>;\n"
	"		dma-coherent;\n"
	"	};\n"
	"};\n";

int b_write_refusals_platform(char *path, size_t len)
{
	ssize_t n;
	int fd;

	snprintf(path, len, "/tmp/iommusim-refusals-XXXXXX.dts");
	fd = mkstemps(path, 4);
	if (fd < 0)
		return -1;
	n = write(fd, refusals_dts, sizeof(refusals_dts) - 1);
	close(fd);
	return n == (ssize_t)sizeof(refusals_dts) - 1 ? 0 : -1;
}

void b_down(void)
{
	ims_host_destroy(host);
	host = NULL;
}

struct ims_host *b_host(void)
{
	return host;
}

int b_open(const char *path)
{
	return (int)harness_as_syscall(ims_open(host, path, O_RDWR));
}

int b_close(int fd)
{
	return (int)harness_as_syscall(ims_close(host, fd));
}

long b_ioctl(int fd, unsigned long cmd, void *arg)
{
	return harness_as_syscall(ims_ioctl(host, fd, cmd, arg));
}

int b_iommufd(void)
{
	int fd = b_open("/dev/iommu");

	if (fd < 0) {
		fprintf(stderr, "test bed: /dev/iommu: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

void *b_buffer(uint64_t size)
{
	uint8_t *p = mmap(NULL, size + SZ_64K, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return (void *)(((uintptr_t)p + SZ_64K - 1) & ~(uintptr_t)(SZ_64K - 1));
}

int b_ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret = (int)b_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (!ret)
		*id = cmd.out_ioas_id;
	return ret;
}

int b_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return (int)b_ioctl(fd, IOMMU_DESTROY, &cmd);
}

int b_map(int fd, uint32_t ioas, void *buf, uint64_t length, uint64_t *iova, uint32_t flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .flags = flags, .ioas_id = ioas,
		.user_va = (uintptr_t)buf, .length = length, .iova = iova ? *iova : 0,
	};
	int ret = (int)b_ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	if (!ret && iova)
		*iova = cmd.iova;
	return ret;
}

int b_map_fixed(int fd, uint32_t ioas, void *buf, uint64_t length, uint64_t iova)
{
	return b_map(fd, ioas, buf, length, &iova,
		     IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE);
}

int b_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t length, uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova, .length = length,
	};
	int ret = (int)b_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (!ret && unmapped)
		*unmapped = cmd.length;
	return ret;
}

int b_copy(int fd, uint32_t dst, uint32_t src, uint64_t src_iova, uint64_t length,
	   uint64_t *dst_iova, uint32_t flags)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd), .flags = flags, .dst_ioas_id = dst, .src_ioas_id = src,
		.length = length, .dst_iova = *dst_iova, .src_iova = src_iova,
	};
	int ret = (int)b_ioctl(fd, IOMMU_IOAS_COPY, &cmd);

	if (!ret)
		*dst_iova = cmd.dst_iova;
	return ret;
}

int b_iova_ranges(int fd, uint32_t ioas, struct iommu_iova_range *ranges, uint32_t *num,
		  uint64_t *align)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .num_iovas = *num,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int ret = (int)b_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	*num = cmd.num_iovas;
	if (align)
		*align = cmd.out_iova_alignment;
	return ret;
}

int b_allow(int fd, uint32_t ioas, const struct iommu_iova_range *ranges, uint32_t num)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .num_iovas = num,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return (int)b_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

int b_hwpt_alloc(int fd, uint32_t dev, uint32_t pt, uint32_t flags, uint32_t *hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = dev, .pt_id = pt,
	};
	int ret = (int)b_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!ret && hwpt)
		*hwpt = cmd.out_hwpt_id;
	return ret;
}

int b_option(int fd, uint32_t option, uint16_t op, uint32_t object, uint64_t *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = option, .op = op, .object_id = object,
		.val64 = *val,
	};
	int ret = (int)b_ioctl(fd, IOMMU_OPTION, &cmd);

	*val = cmd.val64;
	return ret;
}

/* ---- the test interface ---- */

int b_test(int fd, struct ims_iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return (int)b_ioctl(fd, IMS_IOMMU_TEST_CMD, cmd);
}

int b_mock_domain(int fd, uint32_t pt, uint32_t dev_flags, uint32_t *stdev, uint32_t *hwpt,
		  uint32_t *idev)
{
	struct ims_iommu_test_cmd cmd = {
		.op = dev_flags ? IMS_TEST_OP_MOCK_DOMAIN_FLAGS : IMS_TEST_OP_MOCK_DOMAIN,
		.id = pt,
		.mock_domain_flags = { .dev_flags = dev_flags },
	};
	int ret = b_test(fd, &cmd);

	if (!ret) {
		if (stdev)
			*stdev = cmd.mock_domain.out_stdev_id;
		if (hwpt)
			*hwpt = cmd.mock_domain.out_hwpt_id;
		if (idev)
			*idev = cmd.mock_domain.out_idev_id;
	}
	return ret;
}

int b_mock_replace(int fd, uint32_t stdev, uint32_t *pt)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev,
		.mock_domain_replace = { .pt_id = *pt },
	};
	int ret = b_test(fd, &cmd);

	if (!ret)
		*pt = cmd.mock_domain_replace.pt_id;
	return ret;
}

int b_add_reserved(int fd, uint32_t ioas, uint64_t start, uint64_t length)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_ADD_RESERVED, .id = ioas,
		.add_reserved = { .start = start, .length = length },
	};

	return b_test(fd, &cmd);
}

int b_check_map(int fd, uint32_t hwpt, uint64_t iova, uint64_t length, const void *uptr)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_MD_CHECK_MAP, .id = hwpt,
		.check_map = { .iova = iova, .length = length, .uptr = (uintptr_t)uptr },
	};

	return b_test(fd, &cmd);
}

int b_check_refs(int fd, const void *uptr, uint64_t length, uint32_t refs)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = length, .uptr = (uintptr_t)uptr, .refs = refs },
	};

	return b_test(fd, &cmd);
}

int b_create_access(int fd, uint32_t ioas, uint32_t flags, int *access_fd)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_CREATE_ACCESS, .id = ioas, .create_access = { .flags = flags },
	};
	int ret = b_test(fd, &cmd);

	if (!ret)
		*access_fd = (int)cmd.create_access.out_access_fd;
	return ret;
}

int b_access_pages(int fd, int access_fd, uint64_t iova, uint64_t length, const void *uptr,
		   uint32_t flags, uint32_t *item)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_ACCESS_PAGES, .id = (uint32_t)access_fd,
		.access_pages = { .flags = flags, .iova = iova, .length = length,
				  .uptr = (uintptr_t)uptr },
	};
	int ret = b_test(fd, &cmd);

	if (!ret && item)
		*item = cmd.access_pages.out_access_pages_id;
	return ret;
}

int b_destroy_access_pages(int fd, int access_fd, uint32_t item)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_DESTROY_ACCESS_PAGES, .id = (uint32_t)access_fd,
		.destroy_access_pages = { .access_pages_id = item },
	};

	return b_test(fd, &cmd);
}

int b_access_rw(int fd, int access_fd, uint64_t iova, void *buf, uint64_t length,
		uint32_t flags)
{
	struct ims_iommu_test_cmd cmd = {
		.op = IMS_TEST_OP_ACCESS_RW, .id = (uint32_t)access_fd,
		.access_rw = { .iova = iova, .length = length, .uptr = (uintptr_t)buf,
			       .flags = flags },
	};

	return b_test(fd, &cmd);
}

/* ---- platform devices through the device API ---- */

struct ims_iommufd_device *b_bind(int fd, const char *name, uint32_t *dev_id)
{
	struct ims_host_file *file = ims_host_get_file(host, fd);
	struct ims_device *dev = ims_device_find(host->core, name);
	struct ims_iommufd_device *idev;

	if (!file || !dev) {
		if (file)
			ims_host_put_file(host, file);
		errno = file ? ENODEV : EBADF;
		return NULL;
	}
	idev = ims_iommufd_device_bind(file->obj, dev, dev_id);
	ims_host_put_file(host, file);
	if (IS_ERR(idev)) {
		errno = (int)-PTR_ERR(idev);
		return NULL;
	}
	return idev;
}

void b_unbind(struct ims_iommufd_device *idev)
{
	ims_iommufd_device_unbind(idev);
}

int b_attach(struct ims_iommufd_device *idev, uint32_t *pt)
{
	return (int)harness_as_syscall(ims_iommufd_device_attach(idev, IMS_IOMMUFD_NO_PASID, pt));
}

int b_replace(struct ims_iommufd_device *idev, uint32_t *pt)
{
	return (int)harness_as_syscall(ims_iommufd_device_replace(idev, IMS_IOMMUFD_NO_PASID, pt));
}

void b_detach(struct ims_iommufd_device *idev)
{
	ims_iommufd_device_detach(idev, IMS_IOMMUFD_NO_PASID);
}

uint32_t b_domain_of(const char *name)
{
	struct ims_device *dev = ims_device_find(host->core, name);

	return dev && dev->group && dev->group->domain ? dev->group->domain->id : 0;
}

unsigned int b_nr_unmanaged(void)
{
	struct ims_domain *domain;
	unsigned int n = 0;
	uint32_t id;

	ims_idtable_for_each(&host->core->domains, id, domain)
		n += domain->type == IMS_DOMAIN_UNMANAGED;
	return n;
}

unsigned int b_pins_at(const void *addr)
{
	return ims_mm_page_pins(&host->mm, (uintptr_t)addr);
}
