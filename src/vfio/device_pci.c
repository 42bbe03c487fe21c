// SPDX-License-Identifier: MIT
/*
 * vfio-pci (drivers/vfio/pci/vfio_pci_core.c, vfio_pci_rdwr.c) over the
 * endpoint model of src/devices.
 *
 * Regions (offset = index << 40):
 *   0-5  BARs: size 0 and no flags when absent (and for the upper half of
 *        a 64-bit BAR); READ|WRITE, plus MMAP for memory BARs of at least
 *        a page that are not registers; the BAR holding the MSI-X table
 *        carries the MSIX_MAPPABLE capability (the whole BAR may be mapped,
 *        as since Linux 4.16); a BAR with ranges a device model traps
 *        carries SPARSE_MMAP listing the mappable areas.
 *   6    ROM: there is none: size 0, no flags; reads EINVAL.
 *   7    config space: 4 KiB (PCI Express), READ|WRITE, virtualized
 *        (device_pci_config.c).
 *   8    VGA: EINVAL (VFIO VGA support is not modelled).
 *
 * read/write: config space in dword-or-smaller pieces; BARs in naturally
 * aligned pieces of up to 8 bytes, clipped at the BAR's end (a short
 * count), EINVAL at or past it, EIO for a memory BAR while Memory Space is
 * disabled in the user's command register, the MSI-X table reading as ones
 * and dropping writes.
 *
 * Interrupts: device_pci_intrs.c.  Reset: FLR, with the config space saved
 * and restored around it (pci_try_reset_function), so the user's view of
 * config space is unchanged and the device's state is back to reset.
 *
 * Not emulated: VFIO_DEVICE_IOEVENTFD and VFIO_DEVICE_PCI_HOT_RESET
 * (ENOTTY), low-power and VF-token features (ENOTTY).
 *
 * Locking: every op runs under vdev->lock (device.c).
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stddef.h>
#include <string.h>

#include "device_priv.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/uaccess.h"

#define OFFSET_MASK ((1ull << IMS_PCI_REGION_SHIFT) - 1)

static struct ims_vfio_pci *pci(struct ims_vfio_device *vdev)
{
	return vdev->pci;
}

/* ---- open and close [vfio_pci_core_enable, _disable] ---- */

static bool has_bars(const struct ims_pci_ep *ep, bool io)
{
	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++)
		if (ep->bar[i].size && !!(ep->bar[i].flags & IMS_TOPO_BAR_IO) == io)
			return true;
	return false;
}

/* pci_clear_master, then pci_enable_device: decode what the BARs need. */
static void enable_device(struct ims_pci_ep *ep)
{
	uint16_t cmd = ims_pci_ep_cfg16(ep, PCI_COMMAND) & ~PCI_COMMAND_MASTER;

	if (has_bars(ep, false))
		cmd |= PCI_COMMAND_MEMORY;
	if (has_bars(ep, true))
		cmd |= PCI_COMMAND_IO;
	ims_pci_ep_cfg_write(ep, PCI_COMMAND, 2, cmd);
}

int ims_vfio_pci_try_reset(struct ims_vfio_pci *vp)
{
	struct ims_pci_ep_state st;

	if (!ims_pci_ep_has_flr(vp->ep))
		return -ENOTTY;
	ims_pci_ep_save_state(vp->ep, &st);
	ims_pci_ep_cfg_write(vp->ep, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	ims_pci_ep_flr(vp->ep);
	ims_pci_ep_restore_state(vp->ep, &st);
	return 0;
}

static void find_msix(struct ims_vfio_pci *vp)
{
	struct ims_pci_ep *ep = vp->ep;
	uint16_t flags;
	uint32_t table;

	vp->msix_bar = 0xff;
	if (!ep->msix_cap)
		return;
	flags = ims_pci_ep_cfg16(ep, ep->msix_cap + PCI_MSIX_FLAGS);
	table = ims_pci_ep_cfg_read(ep, ep->msix_cap + PCI_MSIX_TABLE, 4);
	vp->msix_bar = table & PCI_MSIX_TABLE_BIR;
	vp->msix_offset = table & PCI_MSIX_TABLE_OFFSET;
	vp->msix_size = ((flags & PCI_MSIX_FLAGS_QSIZE) + 1u) * 16u;
}

static int pci_open_device(struct ims_vfio_device *vdev)
{
	struct ims_vfio_pci *vp = ims_zalloc(sizeof(*vp));
	struct ims_pci_irq_sink sink = { ims_vfio_pci_irq_notify, vp };
	struct ims_pci_ep *ep;
	uint16_t cmd;

	if (!vp)
		return -ENOMEM;
	vp->vdev = vdev;
	ims_vfio_pci_irqs_init(vp);
	ep = ims_pci_ep_create(&vdev->desc, vdev->dev, &vdev->lock, &sink);
	if (IS_ERR(ep)) {
		ims_free(vp);
		return (int)PTR_ERR(ep);
	}
	vp->ep = ep;
	enable_device(ep);
	vp->reset_works = !ims_vfio_pci_try_reset(vp);
	cmd = ims_pci_ep_cfg16(ep, PCI_COMMAND);
	if (cmd & PCI_COMMAND_INTX_DISABLE)   /* PCI 2.3 INTx masking is ours */
		ims_pci_ep_cfg_write(ep, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_INTX_DISABLE);
	ims_vfio_pci_config_init(vp);
	find_msix(vp);
	vdev->pci = vp;
	return 0;
}

static void pci_close_device(struct ims_vfio_device *vdev)
{
	struct ims_vfio_pci *vp = pci(vdev);

	ims_vfio_pci_irqs_release(vp);
	ims_pci_ep_destroy(vp->ep);
	ims_free(vp);
	vdev->pci = NULL;
}

/* ---- info ioctls ---- */

static long get_info(struct ims_vfio_pci *vp, void *arg)
{
	size_t minsz = offsetof(struct vfio_device_info, num_irqs) + sizeof(uint32_t);
	/* The kernel sizes the optional part with vfio_iommu_type1_info's
	 * cap_offset: 20 bytes. */
	const size_t capsz = 20;
	struct vfio_device_info info;

	if (ims_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.argsz >= capsz) {
		minsz = capsz;
		info.cap_offset = 0;
	}
	info.flags = VFIO_DEVICE_FLAGS_PCI | (vp->reset_works ? VFIO_DEVICE_FLAGS_RESET : 0);
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return ims_copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

struct area {
	uint64_t start, end;
};

/* The page-expanded ranges of @bar the model traps, sorted by start. */
static unsigned int trapped_areas(const struct ims_pci_ep *ep, unsigned int bar,
				  struct area *a, unsigned int max)
{
	uint64_t page = ims_vfio_page_size();
	unsigned int n = 0;

	for (unsigned int i = 0; i < ep->model->nr_traps && n < max; i++) {
		const struct ims_pci_trap *t = &ep->model->traps[i];
		struct area new = {
			.start = t->offset & ~(page - 1),
			.end = (t->offset + t->size + page - 1) & ~(page - 1),
		};
		unsigned int j = n;

		if (t->bar != bar || !t->size)
			continue;
		for (; j && a[j - 1].start > new.start; j--)
			a[j] = a[j - 1];
		a[j] = new;
		n++;
	}
	return n;
}

/* The mappable areas of a BAR: what the traps leave. */
static unsigned int mmap_areas(const struct ims_pci_ep *ep, unsigned int bar,
			       struct area *out, unsigned int max)
{
	struct area traps[8];
	unsigned int nt = trapped_areas(ep, bar, traps, 8), n = 0;
	uint64_t at = 0, end = ep->bar[bar].map_len;

	for (unsigned int i = 0; i <= nt && n < max; i++) {
		uint64_t stop = i < nt ? IMS_MIN(traps[i].start, end) : end;

		if (stop > at)
			out[n++] = (struct area){ at, stop };
		if (i < nt)
			at = IMS_MAX(at, traps[i].end);
	}
	return n;
}

static bool bar_trapped(const struct ims_pci_ep *ep, unsigned int bar)
{
	struct area a[1];

	return trapped_areas(ep, bar, a, 1) > 0;
}

static int sparse_cap(struct ims_vfio_pci *vp, unsigned int bar, struct ims_vfio_caps *caps)
{
	struct vfio_region_info_cap_sparse_mmap *cap;
	struct area a[8];
	unsigned int n = mmap_areas(vp->ep, bar, a, 8);

	cap = ims_vfio_cap_add(caps, sizeof(*cap) + n * sizeof(cap->areas[0]),
			       VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1);
	if (!cap)
		return -ENOMEM;
	cap->nr_areas = n;
	for (unsigned int i = 0; i < n; i++) {
		cap->areas[i].offset = a[i].start;
		cap->areas[i].size = a[i].end - a[i].start;
	}
	return (int)n;
}

static int bar_info(struct ims_vfio_pci *vp, struct vfio_region_info *info,
		    struct ims_vfio_caps *caps)
{
	const struct ims_pci_bar *b = &vp->ep->bar[info->index];
	int areas = 1;

	info->size = b->size;
	info->flags = 0;
	if (!b->size)
		return 0;
	info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (!b->mmap)
		return 0;
	if (bar_trapped(vp->ep, info->index))
		areas = sparse_cap(vp, info->index, caps);
	if (areas < 0)
		return areas;
	if (areas)
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	if (info->index == vp->msix_bar &&
	    !ims_vfio_cap_add(caps, sizeof(struct vfio_info_cap_header),
			      VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1))
		return -ENOMEM;
	return 0;
}

static long get_region_info(struct ims_vfio_pci *vp, void *arg)
{
	const size_t minsz = offsetof(struct vfio_region_info, offset) + sizeof(uint64_t);
	struct ims_vfio_caps caps = { .size = 0 };
	struct vfio_region_info info;
	long ret = 0;

	if (ims_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.offset = ((uint64_t)info.index << IMS_PCI_REGION_SHIFT);
	switch (info.index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = vp->cfg_size;
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		ret = bar_info(vp, &info, &caps);
		break;
	case VFIO_PCI_ROM_REGION_INDEX:
		info.size = 0;
		info.flags = 0;
		break;
	default:   /* no VGA, no device-specific regions */
		return -EINVAL;
	}
	if (ret)
		return ret;
	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		ret = ims_vfio_caps_copy(&caps, arg, sizeof(info), &info.argsz);
		if (ret < 0)
			return ret;
		info.cap_offset = (uint32_t)ret;
	}
	return ims_copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long get_irq_info(struct ims_vfio_pci *vp, void *arg)
{
	const size_t minsz = offsetof(struct vfio_irq_info, count) + sizeof(uint32_t);
	struct vfio_irq_info info;

	if (ims_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	/* Every function here is PCI Express, so ERR exists. */
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	info.count = ims_vfio_pci_irq_count(vp, info.index);
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return ims_copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* ---- hot reset info: who a bus reset would take along ---- */

static bool below(const struct ims_device *d, const struct ims_device *bridge)
{
	for (const struct ims_device *u = d->pci.upstream; u; u = u->pci.upstream)
		if (u == bridge)
			return true;
	return false;
}

/* The functions on the device's bus and below it, into @out (up to @max);
 * returns how many there are, or -EPERM for one without an IOMMU group. */
static int bus_devices(struct ims_device *dev, struct vfio_pci_dependent_device *out,
		       int max)
{
	struct ims_core *core = dev->core;
	struct ims_device *d;
	int n = 0;

	ims_mutex_lock(&core->lock);
	ims_list_for_each_entry(d, &core->devices, core_node) {
		if (d->bus != IMS_BUS_PCI || !below(d, dev->pci.upstream))
			continue;
		if (out && n < max) {
			if (!d->group) {
				n = -EPERM;
				break;
			}
			out[n] = (struct vfio_pci_dependent_device){
				.group_id = d->group->id, .segment = d->pci.segment,
				.bus = d->pci.bus, .devfn = d->pci.devfn,
			};
		}
		n++;
	}
	ims_mutex_unlock(&core->lock);
	return n;
}

static long hot_reset_info(struct ims_vfio_pci *vp, void *arg)
{
	const size_t minsz = offsetof(struct vfio_pci_hot_reset_info, count) + sizeof(uint32_t);
	struct ims_device *dev = vp->vdev->dev;
	struct vfio_pci_dependent_device *devs;
	struct vfio_pci_hot_reset_info hdr;
	int n;
	long ret = 0;

	if (ims_copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz)
		return -EINVAL;
	hdr.flags = 0;
	if (!dev->pci.upstream)   /* a root bus has no secondary bus reset */
		return -ENODEV;
	n = bus_devices(dev, NULL, 0);
	if (hdr.argsz < sizeof(hdr) + (size_t)n * sizeof(*devs)) {
		hdr.count = (uint32_t)n;
		return ims_copy_to_user(arg, &hdr, minsz) ? -EFAULT : -ENOSPC;
	}
	devs = ims_calloc((size_t)n, sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	n = bus_devices(dev, devs, n);
	if (n < 0)
		ret = n;
	else
		hdr.count = (uint32_t)n;
	if (ims_copy_to_user(arg, &hdr, minsz))
		ret = -EFAULT;
	if (!ret && ims_copy_to_user((char *)arg + sizeof(hdr), devs, hdr.count * sizeof(*devs)))
		ret = -EFAULT;
	ims_free(devs);
	return ret;
}

static long pci_ioctl(struct ims_vfio_device *vdev, unsigned long cmd, void *arg)
{
	struct ims_vfio_pci *vp = pci(vdev);

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return get_info(vp, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return get_irq_info(vp, arg);
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return hot_reset_info(vp, arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return get_region_info(vp, arg);
	case VFIO_DEVICE_RESET:
		return vp->reset_works ? ims_vfio_pci_try_reset(vp) : -EINVAL;
	case VFIO_DEVICE_SET_IRQS:
		return ims_vfio_pci_set_irqs(vp, arg);
	default:
		return -ENOTTY;
	}
}

/* ---- read and write ---- */

static bool memory_enabled(struct ims_vfio_pci *vp)
{
	uint16_t cmd;

	memcpy(&cmd, vp->vconfig + PCI_COMMAND, sizeof(cmd));
	return le16toh(cmd) & PCI_COMMAND_MEMORY;
}

/* The largest naturally aligned piece at @off that fits @count. */
static unsigned int piece(uint64_t off, uint64_t count)
{
	for (unsigned int size = 8; size > 1; size /= 2)
		if (count >= size && !(off % size))
			return size;
	return 1;
}

/* One piece of a BAR access; returns its length or a negative errno. */
static ssize_t bar_piece(struct ims_vfio_pci *vp, unsigned int bar, char *buf, uint64_t off,
			 uint64_t count, bool write)
{
	uint64_t x_start = 0, x_end = 0, v = 0;
	unsigned int size;

	if (bar == vp->msix_bar) {
		x_start = vp->msix_offset;
		x_end = vp->msix_offset + vp->msix_size;
	}
	if (off >= x_start && off < x_end) {   /* the MSI-X table: ones, writes dropped */
		size_t n = (size_t)IMS_MIN(count, x_end - off);
		uint8_t ones[64];

		memset(ones, 0xff, sizeof(ones));
		n = IMS_MIN(n, sizeof(ones));
		if (!write && ims_copy_to_user(buf, ones, n))
			return -EFAULT;
		return (ssize_t)n;
	}
	if (off < x_start)
		count = IMS_MIN(count, x_start - off);
	size = piece(off, count);
	if (!(vp->ep->bar[bar].flags & IMS_TOPO_BAR_IO) && !memory_enabled(vp))
		return -EIO;
	if (write) {
		if (ims_copy_from_user(&v, buf, size))
			return -EFAULT;
		ims_pci_ep_bar_write(vp->ep, bar, off, size, le64toh(v));
		return size;
	}
	v = htole64(ims_pci_ep_bar_read(vp->ep, bar, off, size));
	return ims_copy_to_user(buf, &v, size) ? -EFAULT : (ssize_t)size;
}

static ssize_t bar_rw(struct ims_vfio_pci *vp, unsigned int bar, char *buf, size_t count,
		      uint64_t off, bool write)
{
	uint64_t end = vp->ep->bar[bar].size;
	size_t done = 0;

	if (!end || off >= end)
		return -EINVAL;
	count = (size_t)IMS_MIN((uint64_t)count, end - off);
	while (done < count) {
		ssize_t n = bar_piece(vp, bar, buf + done, off + done, count - done, write);

		if (n < 0)
			return n;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t pci_rw(struct ims_vfio_device *vdev, void *buf, size_t count, int64_t *pos,
		      bool write)
{
	struct ims_vfio_pci *vp = pci(vdev);
	unsigned int index = (unsigned int)((uint64_t)*pos >> IMS_PCI_REGION_SHIFT);
	uint64_t off = (uint64_t)*pos & OFFSET_MASK;
	ssize_t ret;

	if (!count)
		return 0;
	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		ret = ims_vfio_pci_config_rw(vp, buf, count, off, write);
	else if (index <= VFIO_PCI_BAR5_REGION_INDEX)
		ret = bar_rw(vp, index, buf, count, off, write);
	else   /* no ROM, no VGA */
		ret = -EINVAL;
	if (ret > 0)
		*pos += ret;
	return ret;
}

/* ---- mmap [vfio_pci_core_mmap] ---- */

static int pci_mmap(struct ims_vfio_device *vdev, uint64_t off, uint64_t len)
{
	struct ims_vfio_pci *vp = pci(vdev);
	unsigned int index = (unsigned int)(off >> IMS_PCI_REGION_SHIFT);
	uint64_t start = off & OFFSET_MASK;
	struct area a[8];
	unsigned int n;

	if (index >= VFIO_PCI_ROM_REGION_INDEX || !vp->ep->bar[index].mmap)
		return -EINVAL;
	if (start + len > vp->ep->bar[index].map_len)
		return -EINVAL;
	n = mmap_areas(vp->ep, index, a, 8);
	for (unsigned int i = 0; i < n; i++)
		if (start >= a[i].start && start + len <= a[i].end)
			return 0;
	return -EINVAL;   /* over a range the device model traps */
}

const struct ims_vfio_device_ops ims_vfio_pci_ops = {
	.name = "vfio-pci",
	.open_device = pci_open_device,
	.close_device = pci_close_device,
	.ioctl = pci_ioctl,
	.rw = pci_rw,
	.mmap = pci_mmap,
	.raise = ims_vfio_pci_raise,
	.device_feature = true,
	.match_token = true,
	.pasid_attach = true,
};
