/* SPDX-License-Identifier: MIT */
/*
 * The iommufd UAPI suites' test bed: a host built from the built-in "mock"
 * platform (iommusim show -p mock) in the chosen profile, with the iommufd
 * test interface on or off, reached like the kernel: calls return -1 and
 * set errno.  Helpers come in pairs, as in the kernel's selftests: b_xxx()
 * returns the call's result for EXPECT_ERRNO, and asserting wrappers are
 * left to the tests.
 *
 * Devices of the platform that the tests bind (through the device API the
 * VFIO cdev will call, ims_iommufd_device_bind):
 *
 *   0000:01:00.0 + 01:00.1  mock0   one group of two functions
 *   20000000.dma            mock0   platform device, own group
 *   0000:03:00.0            mock0   direct-mapped framebuffer (require-direct)
 *   0000:10:00.0            mock1   every attach to an API domain fails ENOSPC
 *   0000:11:00.0            mock1   2K|4K|2M pages, aperture [0, 4 GiB)
 *   0000:20:00.0            mock2   VT-d-like shared domains, no snoop control
 *   0000:21:00.0            mock3   VT-d-like shared domains, snoop control
 *
 * Every mock0/mock1 device reports the software MSI window 0x8000000-0x80fffff.
 */
#ifndef IMS_TEST_IOMMUFD_BED_H
#define IMS_TEST_IOMMUFD_BED_H

#include <stdbool.h>
#include <stdint.h>

#include "iommufd/iommufd.h"
#include "iommufd/test_abi.h"
#include "iommusim/host.h"
#include "iommusim/uapi/iommufd.h"

#define SZ_2K 0x800ull
#define SZ_4K 0x1000ull
#define SZ_64K 0x10000ull
#define SZ_1M 0x100000ull
#define SZ_2M 0x200000ull

#define MSI_WINDOW 0x8000000ull

void b_up(const char *profile, bool test_interface);
/* The same on another platform (a built-in name or a .dts path). */
void b_up_platform(const char *platform, const char *profile, bool test_interface);
void b_up_with(const char *platform, const struct ims_host_options *opts);
/*
 * A platform for bind's refusals (kernel-semantics 7.25) in a temporary
 * .dts file whose path goes to @path (the caller unlinks it): 20000000.dma
 * behind a mock IOMMU without coherent page-table walks (no
 * IOMMU_CAP_CACHE_COHERENCY), 21000000.dma with MSIs that are not isolated.
 * 0 or -1.
 */
int b_write_refusals_platform(char *path, size_t len);
void b_down(void);
struct ims_host *b_host(void);

int b_open(const char *path);
int b_close(int fd);
long b_ioctl(int fd, unsigned long cmd, void *arg);
/* A fresh /dev/iommu; exits the test on failure. */
int b_iommufd(void);

/* 64 KiB-aligned anonymous memory (freed with munmap by the test's exit). */
void *b_buffer(uint64_t size);

int b_ioas_alloc(int fd, uint32_t *id);
int b_destroy(int fd, uint32_t id);
int b_map(int fd, uint32_t ioas, void *buf, uint64_t length, uint64_t *iova, uint32_t flags);
int b_map_fixed(int fd, uint32_t ioas, void *buf, uint64_t length, uint64_t iova);
int b_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t length, uint64_t *unmapped);
int b_copy(int fd, uint32_t dst, uint32_t src, uint64_t src_iova, uint64_t length,
	   uint64_t *dst_iova, uint32_t flags);
/* IOVA_RANGES into @ranges (capacity *@num); *@num and *@align come back. */
int b_iova_ranges(int fd, uint32_t ioas, struct iommu_iova_range *ranges, uint32_t *num,
		  uint64_t *align);
int b_allow(int fd, uint32_t ioas, const struct iommu_iova_range *ranges, uint32_t num);
int b_hwpt_alloc(int fd, uint32_t dev, uint32_t pt, uint32_t flags, uint32_t *hwpt);
int b_option(int fd, uint32_t option, uint16_t op, uint32_t object, uint64_t *val);

/* The test interface (the host must have it on). */
int b_test(int fd, struct ims_iommu_test_cmd *cmd);
int b_mock_domain(int fd, uint32_t pt, uint32_t dev_flags, uint32_t *stdev, uint32_t *hwpt,
		  uint32_t *idev);
int b_mock_replace(int fd, uint32_t stdev, uint32_t *pt);
int b_add_reserved(int fd, uint32_t ioas, uint64_t start, uint64_t length);
int b_check_map(int fd, uint32_t hwpt, uint64_t iova, uint64_t length, const void *uptr);
int b_check_refs(int fd, const void *uptr, uint64_t length, uint32_t refs);
int b_create_access(int fd, uint32_t ioas, uint32_t flags, int *access_fd);
int b_access_pages(int fd, int access_fd, uint64_t iova, uint64_t length, const void *uptr,
		   uint32_t flags, uint32_t *item);
int b_destroy_access_pages(int fd, int access_fd, uint32_t item);
int b_access_rw(int fd, int access_fd, uint64_t iova, void *buf, uint64_t length,
		uint32_t flags);

/*
 * Platform devices through the device API (what VFIO_DEVICE_BIND_IOMMUFD
 * and ATTACH_IOMMUFD_PT do): 0 or -1/errno.  A bound device must be
 * unbound before its iommufd is closed.
 */
struct ims_iommufd_device *b_bind(int fd, const char *name, uint32_t *dev_id);
void b_unbind(struct ims_iommufd_device *idev);
int b_attach(struct ims_iommufd_device *idev, uint32_t *pt);
int b_replace(struct ims_iommufd_device *idev, uint32_t *pt);
void b_detach(struct ims_iommufd_device *idev);

/* The core domain the group of @name uses now (its ID), or 0. */
uint32_t b_domain_of(const char *name);
/* Paging domains in API use (UNMANAGED): one per HWPT. */
unsigned int b_nr_unmanaged(void);
/* Long-term pins the host's process registry counts at @addr. */
unsigned int b_pins_at(const void *addr);

#endif
