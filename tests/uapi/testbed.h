/* SPDX-License-Identifier: MIT */
/*
 * The UAPI suites' test bed, reached the way a program reaches the kernel:
 * t_open/t_ioctl/t_close return -1 and set errno.  Each test gets a fresh
 * host (t_host_up) in the chosen profile on the platform testbed.dts
 * (mock driver):
 *
 *   device        instance        driver    why it is there
 *   0000:00:01.0  10000000.iommu  vfio-pci  plain device (snoop control)
 *   0000:00:02.0  10000000.iommu  vfio-pci  second device behind the same instance
 *   0000:00:03.0  11000000.iommu  vfio-pci  another instance, no snoop control
 *   0000:00:04.0  10000000.iommu  vfio-pci  function 0 of a multi-function device
 *   0000:00:04.1  10000000.iommu  nvme      function 1, a kernel driver: not viable
 *   0000:00:05.0  10000000.iommu  vfio-pci  attach fails hard (ENOSPC)
 *   0000:00:06.0  10000000.iommu  vfio-pci  direct-mapped reserved region
 *   0000:00:07.0  10000000.iommu  vfio-pci  MSIs not isolated
 *   0000:00:08.0  12000000.iommu  vfio-pci  domains span units, snoop control
 *   0000:00:09.0  13000000.iommu  vfio-pci  domains span units, no snoop control
 *   0000:00:0a.0  14000000.iommu  vfio-pci  aperture [0, 4 GiB), 4K pages only
 *
 * Every instance but the last reports the software MSI window at 0x8000000.
 *
 * Two builds of the same suites:
 *   direct  (default)      the host is made in-process with ims_host_create
 *                          and reached through the library's syscall
 *                          surface (ims_open, ims_ioctl ...);
 *   shim    (IMS_UAPI_SHIM) t_open is open(2), t_ioctl is ioctl(2), t_mmap
 *                          is mmap(2) ...: the program runs under
 *                          `iommusim exec -p testbed.dtb`, and t_host_up
 *                          sets the IOMMUSIM_* variables (t_host_up_platform
 *                          IOMMUSIM_PLATFORM too), RLIMIT_MEMLOCK and
 *                          CAP_IPC_LOCK, then resets the shim's host through
 *                          debugfs; group numbers come from sysfs, domains
 *                          from the debugfs JSON state.  What only the
 *                          library can do (t_raise_irq, device models) is
 *                          not there: suites guard it with IMS_UAPI_SHIM.
 */
#ifndef IMS_TEST_TESTBED_H
#define IMS_TEST_TESTBED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "iommusim/host.h"

struct t_options {
	const char *profile;
	bool allow_unsafe_interrupts;
	unsigned int dma_entry_limit;
	int ipc_lock;
	uint64_t memlock_limit;
};

void t_host_up(const struct t_options *opts);
/* A host built from a platform ("mock", a .dts/.dtb) instead of the table. */
void t_host_up_platform(const char *platform, const struct t_options *opts);
void t_host_down(void);
/* The in-process host (direct build); NULL in the shim build. */
struct ims_host *t_host(void);

int t_open(const char *path, int flags);
int t_close(int fd);
long t_ioctl(int fd, unsigned long cmd, void *arg);
ssize_t t_read(int fd, void *buf, size_t count);
ssize_t t_write(int fd, const void *buf, size_t count);
ssize_t t_pread(int fd, void *buf, size_t count, off_t offset);
ssize_t t_pwrite(int fd, const void *buf, size_t count, off_t offset);
/* mmap(2) of a host fd: MAP_FAILED with errno when the host refuses. */
void *t_mmap(size_t length, int prot, int flags, int fd, off_t offset);
int t_fstat(int fd, struct stat *st);
int t_dup(int fd);

/*
 * Fault injection in the calling thread, as the kernel's fail-nth file
 * (direct: the library's counter; shim: /proc/thread-self/fail-nth):
 * arm the N-th following injection point (0 disarms); the count left, 0
 * once it fired.
 */
void t_fail_nth_set(unsigned long nth);
unsigned long t_fail_nth_get(void);

#ifndef IMS_UAPI_SHIM
/*
 * Make device @name raise interrupt @vector of kind @index
 * (VFIO_PCI_*_IRQ_INDEX; INTx takes @level) as the hardware would: 0, or -1
 * with errno (ENODEV: not open or no such interrupt; EINVAL).  Direct
 * build only: a program has no system call that makes a device interrupt.
 */
int t_raise_irq(const char *name, unsigned int index, unsigned int vector, bool level);
#endif

/* /dev/vfio/<group of @bdf>, opened; -1 on error. */
int t_open_group_of(const char *bdf);
/* The iommu_group number of @bdf, or -1. */
int t_group_id(const char *bdf);
/* Domains in use by VFIO (UNMANAGED), and the bytes mapped in each. */
int t_nr_unmanaged_domains(void);
uint64_t t_domain_mapped_bytes_of(const char *bdf);
/* The domain the group of @bdf is attached to (its ID), or 0. */
int t_domain_of(const char *bdf);

#endif
