// SPDX-License-Identifier: MIT
/*
 * The UAPI test bed in direct mode: a host built in-process from the table
 * in testbed.h, reached through the library's syscall surface.
 */
#include "testbed.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/core.h"
#include "drivers/mock/mock.h"
#include "host/host.h"

struct tb_dev {
	const char *name, *iommu, *driver;
	uint8_t bus, devfn;
	struct ims_mock_device_cfg cfg;
	bool multifunction, msi_not_isolated, direct;
};

static const struct tb_dev tb_devs[] = {
	{ .name = "0000:00:01.0", .iommu = "mock0", .driver = "vfio-pci", .devfn = 0x08 },
	{ .name = "0000:00:02.0", .iommu = "mock0", .driver = "vfio-pci", .devfn = 0x10 },
	{ .name = "0000:00:03.0", .iommu = "mock1", .driver = "vfio-pci", .devfn = 0x18 },
	{ .name = "0000:00:04.0", .iommu = "mock0", .driver = "vfio-pci", .devfn = 0x20, .multifunction = true },
	{ .name = "0000:00:04.1", .iommu = "mock0", .driver = "nvme", .devfn = 0x21, .multifunction = true },
	{ .name = "0000:00:05.0", .iommu = "mock0", .driver = "vfio-pci", .devfn = 0x28, .cfg = { .fail_attach_errno = ENOSPC } },
	{ .name = "0000:00:06.0", .iommu = "mock0", .driver = "vfio-pci", .devfn = 0x30, .direct = true },
	{ .name = "0000:00:07.0", .iommu = "mock0", .driver = "vfio-pci", .devfn = 0x38, .msi_not_isolated = true },
	{ .name = "0000:00:08.0", .iommu = "dmar0", .driver = "vfio-pci", .devfn = 0x40 },
	{ .name = "0000:00:09.0", .iommu = "dmar1", .driver = "vfio-pci", .devfn = 0x48 },
	{ .name = "0000:00:0a.0", .iommu = "narrow", .driver = "vfio-pci", .devfn = 0x50 },
};

static const struct {
	const char *name;
	struct ims_mock_iommu_cfg cfg;
} tb_iommus[] = {
	{ "mock0", { .enforce_coherency = true, .dirty_tracking = true } },
	{ "mock1", { .no_sw_msi = false } },
	{ "dmar0", { .enforce_coherency = true, .global_domains = true } },
	{ "dmar1", { .global_domains = true } },
	{ "narrow", { .pgsize_bitmap = 1ull << 12, .aperture_end = 0xffffffffull,
		      .no_sw_msi = true } },
};

static const struct ims_resv_region tb_rmrr = {
	.start = 0x3e000000, .length = 0x100000, .prot = IMS_PROT_READ | IMS_PROT_WRITE,
	.type = IMS_RESV_DIRECT,
};

static struct ims_host *host;

static int add_device(struct ims_core *core, const struct tb_dev *d)
{
	struct ims_device_desc desc = {
		.name = d->name,
		.bus = IMS_BUS_PCI,
		.iommu = ims_iommu_find(core, d->iommu),
		.msi_isolated = !d->msi_not_isolated,
		.platform_data = (void *)&d->cfg,
		.resv = d->direct ? &tb_rmrr : NULL,
		.nr_resv = d->direct,
	};
	uint32_t rid = ((uint32_t)d->bus << 8) | d->devfn;
	struct ims_device *dev;

	desc.pci.bus = d->bus;
	desc.pci.devfn = d->devfn;
	desc.pci.multifunction = d->multifunction;
	desc.ids = &rid;
	desc.nr_ids = 1;
	dev = ims_device_add(core, &desc);
	return IS_ERR(dev) ? (int)PTR_ERR(dev) : 0;
}

static int build(struct ims_host *h, void *arg)
{
	struct ims_core *core = h->core;
	int ret = 0;

	(void)arg;
	for (size_t i = 0; !ret && i < IMS_ARRAY_SIZE(tb_iommus); i++)
		ret = ims_mock_register(core, tb_iommus[i].name, &tb_iommus[i].cfg, NULL);
	for (size_t i = 0; !ret && i < IMS_ARRAY_SIZE(tb_devs); i++)
		ret = add_device(core, &tb_devs[i]);
	if (!ret)
		ret = ims_core_probe_finish(core);
	for (size_t i = 0; !ret && i < IMS_ARRAY_SIZE(tb_devs); i++)
		if (strncmp(tb_devs[i].driver, "vfio", 4))
			ret = ims_device_use_default_domain(ims_device_find(core, tb_devs[i].name));
	return ret;
}

static bool vfio_bound(struct ims_host *h, struct ims_device *dev, void *arg)
{
	(void)arg;
	(void)h;
	for (size_t i = 0; i < IMS_ARRAY_SIZE(tb_devs); i++)
		if (!strcmp(tb_devs[i].name, dev->name))
			return !strncmp(tb_devs[i].driver, "vfio", 4);
	return false;
}

void t_host_up(const struct t_options *o)
{
	struct ims_host_params p = {
		.opts = {
			.profile = o->profile,
			.allow_unsafe_interrupts = o->allow_unsafe_interrupts,
			.dma_entry_limit = o->dma_entry_limit,
			.ipc_lock = o->ipc_lock,
			.memlock_limit = o->memlock_limit,
		},
		.build = build,
		.vfio_bound = vfio_bound,
	};
	int ret = ims_host_create_params(&p, &host);

	if (ret) {
		fprintf(stderr, "test bed: host creation failed: %s\n", strerror(-ret));
		exit(1);
	}
}

void t_host_up_platform(const char *platform, const struct t_options *o)
{
	struct ims_host_options opts = {
		.profile = o->profile,
		.allow_unsafe_interrupts = o->allow_unsafe_interrupts,
		.dma_entry_limit = o->dma_entry_limit,
		.ipc_lock = o->ipc_lock,
		.memlock_limit = o->memlock_limit,
	};
	char err[256];
	int ret = ims_host_create(platform, &opts, &host, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "test bed: host from %s failed: %s\n", platform, err);
		exit(1);
	}
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

static long as_syscall(long ret)
{
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

int t_open(const char *path, int flags)
{
	return (int)as_syscall(ims_open(host, path, flags));
}

int t_close(int fd)
{
	return (int)as_syscall(ims_close(host, fd));
}

long t_ioctl(int fd, unsigned long cmd, void *arg)
{
	return as_syscall(ims_ioctl(host, fd, cmd, arg));
}

ssize_t t_read(int fd, void *buf, size_t count)
{
	return as_syscall(ims_read(host, fd, buf, count));
}

ssize_t t_write(int fd, const void *buf, size_t count)
{
	return as_syscall(ims_write(host, fd, buf, count));
}

ssize_t t_pread(int fd, void *buf, size_t count, off_t offset)
{
	return as_syscall(ims_pread(host, fd, buf, count, offset));
}

ssize_t t_pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	return as_syscall(ims_pwrite(host, fd, buf, count, offset));
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
	return (int)as_syscall(ims_fstat(host, fd, st));
}

int t_dup(int fd)
{
	return (int)as_syscall(ims_dup(host, fd, -1, 0));
}

int t_raise_irq(const char *name, unsigned int index, unsigned int vector, bool level)
{
	struct ims_device *dev = ims_device_find(host->core, name);

	return (int)as_syscall(dev ? ims_vfio_device_raise(dev, index, vector, level) : -ENODEV);
}

int t_group_id(const char *bdf)
{
	struct ims_device *dev = ims_device_find(host->core, bdf);

	return dev && dev->group ? (int)dev->group->id : -1;
}

int t_open_group_of(const char *bdf)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", t_group_id(bdf));
	return t_open(path, O_RDWR);
}

static json_object *state(void)
{
	char *text = ims_host_state_json(host, false);
	json_object *o = text ? json_tokener_parse(text) : NULL;

	free(text);
	if (!o) {
		fprintf(stderr, "test bed: no JSON state\n");
		exit(1);
	}
	return o;
}

int t_nr_unmanaged_domains(void)
{
	json_object *o = state(), *domains = json_object_object_get(o, "domains");
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(domains); i++) {
		json_object *d = json_object_array_get_idx(domains, i);

		n += !strcmp(json_object_get_string(json_object_object_get(d, "type")), "UNMANAGED");
	}
	json_object_put(o);
	return n;
}

int t_domain_of(const char *bdf)
{
	struct ims_device *dev = ims_device_find(host->core, bdf);

	return dev && dev->group && dev->group->domain &&
	       dev->group->domain->type == IMS_DOMAIN_UNMANAGED ? (int)dev->group->domain->id : 0;
}

uint64_t t_domain_mapped_bytes_of(const char *bdf)
{
	struct ims_device *dev = ims_device_find(host->core, bdf);

	return dev && dev->group && dev->group->domain ? dev->group->domain->mapped_bytes : 0;
}
