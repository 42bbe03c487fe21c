// SPDX-License-Identifier: MIT
/*
 * vfio-pci's config space virtualization (drivers/vfio/pci/
 * vfio_pci_config.c) over the endpoint's config space.
 *
 * Each byte belongs to an area (the header, a capability, or unassigned
 * space) and has two bit masks [perm_bits]: virtualized bits live in
 * vconfig, the user's copy, and never reach the device; the others are the
 * device's; writable bits are the only ones a write changes (the rest of a
 * write is dropped).  What the user sees:
 *
 *   header   IDs, class, revision read-only; Command writable, Interrupt
 *            Disable virtualized (emulated with the INTx mask), the Memory
 *            and I/O enables remembered for BAR accesses; Status
 *            read-only; BARs and the ROM BAR virtualized with sizing
 *            (a write of ones reads back the size mask and the type bits,
 *            absent BARs read 0); capability pointer, Interrupt Pin
 *            read-only, Interrupt Line virtualized.
 *   PCIe     Device Control writable but Phantom Functions; FLR, Max
 *            Payload and Max Read Request virtualized (FLR resets the
 *            function, MRRS reaches the device no lower than its MPS);
 *            Device Control 2 writable but ARI; the rest read-only.
 *   MSI      control (low byte), address and data virtualized: MSI is
 *            enabled through SET_IRQS, so Enable reads back 0 unless it
 *            is, Multiple Message Capable shows what SET_IRQS enabled
 *            (0 before) and Multiple Message Enable cannot exceed it; the
 *            mask and pending bits are the device's.
 *   MSI-X    read-only; the device's Enable shows what SET_IRQS did.
 *   others   raw access to the device (reads 0, writes dropped here).
 *
 * Accesses are split into pieces inside one dword and one area; anything
 * outside [0, 4 KiB) is EFAULT, as in the kernel.
 *
 * Locking: under vdev->lock.
 */
#include <endian.h>
#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>
#include <strings.h>

#include "device_priv.h"
#include "util/uaccess.h"

#define ALL 0xffffffffu

/* ---- permission tables ---- */

static void perm(struct ims_vfio_pci *vp, unsigned int off, unsigned int size,
		 uint32_t virt, uint32_t write)
{
	for (unsigned int i = 0; i < size; i++) {
		vp->virt[off + i] = (uint8_t)(virt >> (8 * i));
		vp->write[off + i] = (uint8_t)(write >> (8 * i));
	}
}

/* Read from the device, not writable. */
static void no_perms(struct ims_vfio_pci *vp, unsigned int off, unsigned int len)
{
	memset(vp->virt + off, 0, len);
	memset(vp->write + off, 0, len);
}

static void header_perms(struct ims_vfio_pci *vp)
{
	no_perms(vp, 0, PCI_STD_HEADER_SIZEOF);
	perm(vp, PCI_VENDOR_ID, 2, ALL, 0);
	perm(vp, PCI_DEVICE_ID, 2, ALL, 0);
	perm(vp, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE, ALL);
	perm(vp, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0);
	perm(vp, PCI_CACHE_LINE_SIZE, 1, 0, ALL);
	perm(vp, PCI_LATENCY_TIMER, 1, 0, ALL);
	perm(vp, PCI_BIST, 1, 0, ALL);
	for (unsigned int off = PCI_BASE_ADDRESS_0; off <= PCI_BASE_ADDRESS_5; off += 4)
		perm(vp, off, 4, ALL, ALL);
	perm(vp, PCI_ROM_ADDRESS, 4, ALL, ALL);
	perm(vp, PCI_CAPABILITY_LIST, 1, ALL, 0);
	perm(vp, PCI_INTERRUPT_LINE, 1, ALL, ALL);
	perm(vp, PCI_INTERRUPT_PIN, 1, ALL, 0);
}

static void pcie_perms(struct ims_vfio_pci *vp, unsigned int c, unsigned int len)
{
	no_perms(vp, c, len);
	perm(vp, c + PCI_CAP_LIST_NEXT, 1, ALL, 0);
	perm(vp, c + PCI_EXP_DEVCTL, 2,
	     PCI_EXP_DEVCTL_BCR_FLR | PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_READRQ,
	     ~(uint32_t)PCI_EXP_DEVCTL_PHANTOM);
	perm(vp, c + PCI_EXP_DEVCTL2, 2, 0, ~(uint32_t)PCI_EXP_DEVCTL2_ARI);
}

static void msi_perms(struct ims_vfio_pci *vp, unsigned int c, unsigned int len,
		      uint16_t flags)
{
	bool is64 = flags & PCI_MSI_FLAGS_64BIT;

	no_perms(vp, c, len);
	perm(vp, c + PCI_CAP_LIST_NEXT, 1, ALL, 0);
	perm(vp, c + PCI_MSI_FLAGS, 1, ALL, ALL);
	perm(vp, c + PCI_MSI_ADDRESS_LO, 4, ALL, ALL);
	if (is64)
		perm(vp, c + PCI_MSI_ADDRESS_HI, 4, ALL, ALL);
	perm(vp, c + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), 2, ALL, ALL);
	if (flags & PCI_MSI_FLAGS_MASKBIT) {
		perm(vp, c + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32), 4, 0, ALL);
		perm(vp, c + (is64 ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32), 4, 0, ALL);
	}
}

/* MSI-X: read from the device except the list bytes, no writes at all. */
static void msix_perms(struct ims_vfio_pci *vp, unsigned int c, unsigned int len)
{
	no_perms(vp, c, len);
	perm(vp, c, 2, ALL, 0);
}

/* ---- building vconfig [vfio_config_init, vfio_cap_init] ---- */

static unsigned int cap_len(struct ims_vfio_pci *vp, uint8_t id, unsigned int pos)
{
	uint16_t flags;

	switch (id) {
	case PCI_CAP_ID_EXP:
		return PCI_CAP_EXP_ENDPOINT_SIZEOF_V2;
	case PCI_CAP_ID_MSIX:
		return PCI_CAP_MSIX_SIZEOF;
	case PCI_CAP_ID_MSI:
		flags = ims_pci_ep_cfg16(vp->ep, pos + PCI_MSI_FLAGS);
		return 10 + (flags & PCI_MSI_FLAGS_64BIT ? 4 : 0) +
		       (flags & PCI_MSI_FLAGS_MASKBIT ? 10 : 0);
	default:
		return 0;   /* hidden from the user */
	}
}

static void cap_area(struct ims_vfio_pci *vp, uint8_t id, unsigned int pos, unsigned int len)
{
	enum ims_vfio_cfg_area area = id == PCI_CAP_ID_EXP ? IMS_CFG_PCIE :
				      id == PCI_CAP_ID_MSI ? IMS_CFG_MSI : IMS_CFG_MSIX;

	memset(vp->area + pos, area, len);
	for (unsigned int i = 0; i < len; i++)
		vp->vconfig[pos + i] = (uint8_t)ims_pci_ep_cfg_read(vp->ep, pos + i, 1);
	if (area == IMS_CFG_PCIE)
		pcie_perms(vp, pos, len);
	else if (area == IMS_CFG_MSI)
		msi_perms(vp, pos, len, ims_pci_ep_cfg16(vp->ep, pos + PCI_MSI_FLAGS));
	else
		msix_perms(vp, pos, len);
}

static void caps_init(struct ims_vfio_pci *vp)
{
	uint8_t *prev = &vp->vconfig[PCI_CAPABILITY_LIST];
	unsigned int pos = ims_pci_ep_cfg_read(vp->ep, PCI_CAPABILITY_LIST, 1);
	int loops = (256 - PCI_STD_HEADER_SIZEOF) / 4;

	if (!(ims_pci_ep_cfg16(vp->ep, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	while (pos && loops--) {
		uint8_t id = (uint8_t)ims_pci_ep_cfg_read(vp->ep, pos, 1);
		unsigned int next = ims_pci_ep_cfg_read(vp->ep, pos + PCI_CAP_LIST_NEXT, 1);
		unsigned int len = cap_len(vp, id, pos);

		if (!len) {
			*prev = (uint8_t)next;   /* hide it */
		} else {
			cap_area(vp, id, pos, len);
			prev = &vp->vconfig[pos + PCI_CAP_LIST_NEXT];
		}
		pos = next;
	}
}

void ims_vfio_pci_config_init(struct ims_vfio_pci *vp)
{
	vp->cfg_size = vp->ep->pcie_cap ? IMS_PCI_CFG_SIZE : 256;
	memset(vp->area, IMS_CFG_UNASSIGNED, sizeof(vp->area));
	memset(vp->virt, 0, sizeof(vp->virt));
	memset(vp->write, 0xff, sizeof(vp->write));   /* raw access by default */
	memset(vp->area, IMS_CFG_HEADER, PCI_STD_HEADER_SIZEOF);
	for (unsigned int i = 0; i < PCI_STD_HEADER_SIZEOF; i++)
		vp->vconfig[i] = (uint8_t)ims_pci_ep_cfg_read(vp->ep, i, 1);
	header_perms(vp);
	vp->bardirty = true;
	caps_init(vp);
	/* No extended capabilities: 0x100 stays raw and reads 0. */
}

/* ---- the header's special cases [vfio_basic_config_read/write] ---- */

static uint32_t vget(struct ims_vfio_pci *vp, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	memcpy(&v, vp->vconfig + off, size);
	return le32toh(v);
}

static void vset(struct ims_vfio_pci *vp, unsigned int off, unsigned int size, uint32_t value)
{
	uint32_t v = htole32(value);

	memcpy(vp->vconfig + off, &v, size);
}

static uint32_t bar_type_bits(const struct ims_pci_bar *b)
{
	if (b->flags & IMS_TOPO_BAR_IO)
		return PCI_BASE_ADDRESS_SPACE_IO;
	return (b->flags & IMS_TOPO_BAR_PREFETCH ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0) |
	       (b->flags & IMS_TOPO_BAR_MEM64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0);
}

/* BAR sizing on the virtual BARs [vfio_bar_fixup]. */
static void bar_fixup(struct ims_vfio_pci *vp)
{
	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++) {
		const struct ims_pci_bar *b = &vp->ep->bar[i];
		unsigned int off = PCI_BASE_ADDRESS_0 + 4 * i;
		uint64_t mask = ~(b->size - 1);

		if (!b->size) {
			vset(vp, off, 4, 0);
			continue;
		}
		vset(vp, off, 4, (vget(vp, off, 4) & (uint32_t)mask) | bar_type_bits(b));
		if (b->flags & IMS_TOPO_BAR_MEM64) {
			vset(vp, off + 4, 4, vget(vp, off + 4, 4) & (uint32_t)(mask >> 32));
			i++;
		}
	}
	vset(vp, PCI_ROM_ADDRESS, 4, 0);   /* no ROM */
	vp->bardirty = false;
}

static bool is_bar(unsigned int off)
{
	return (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_5 + 4) ||
	       (off >= PCI_ROM_ADDRESS && off < PCI_ROM_ADDRESS + 4);
}

/* Interrupt Disable as the user sees it masks INTx [vfio_basic_config_write]. */
static void emulate_intx_disable(struct ims_vfio_pci *vp)
{
	bool disable = vget(vp, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE;

	if (disable && !vp->virq_disabled) {
		vp->virq_disabled = true;
		ims_vfio_pci_intx_mask(vp);
	} else if (!disable && vp->virq_disabled) {
		vp->virq_disabled = false;
		ims_vfio_pci_intx_unmask(vp);
	}
}

/* ---- one piece ---- */

static uint32_t mask_of(const uint8_t *m, unsigned int off, unsigned int count)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < count; i++)
		v |= (uint32_t)m[off + i] << (8 * i);
	return v;
}

static uint32_t default_read(struct ims_vfio_pci *vp, unsigned int pos, unsigned int count)
{
	uint32_t virt = mask_of(vp->virt, pos, count), val = vget(vp, pos, count);
	uint32_t all = count == 4 ? ALL : (1u << (8 * count)) - 1;

	if (virt != all)
		val = (ims_pci_ep_cfg_read(vp->ep, pos, count) & ~virt) | (val & virt);
	return val;
}

static void default_write(struct ims_vfio_pci *vp, unsigned int pos, unsigned int count,
			  uint32_t val)
{
	uint32_t write = mask_of(vp->write, pos, count), virt = mask_of(vp->virt, pos, count);
	uint32_t phys;

	if (write & virt)
		vset(vp, pos, count, (vget(vp, pos, count) & ~(write & virt)) |
				     (val & write & virt));
	if (write & ~virt) {
		phys = ims_pci_ep_cfg_read(vp->ep, pos, count);
		phys = (phys & ~(write & ~virt)) | (val & write & ~virt);
		ims_pci_ep_cfg_write(vp->ep, pos, count, phys);
	}
}

static void header_write(struct ims_vfio_pci *vp, unsigned int pos, unsigned int count,
			 uint32_t val)
{
	const uint16_t enables = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;

	default_write(vp, pos, count, val);
	if (pos == PCI_COMMAND)   /* remember the enables for BAR accesses */
		vset(vp, PCI_COMMAND, 2, (vget(vp, PCI_COMMAND, 2) & ~enables) | (val & enables));
	if (pos >= PCI_COMMAND && pos <= PCI_COMMAND + 1)
		emulate_intx_disable(vp);
	if (is_bar(pos))
		vp->bardirty = true;
}

/* Max Read Request reaches the device, never below its Max Payload. */
static void set_readrq(struct ims_vfio_pci *vp, unsigned int ctl)
{
	uint16_t v = (uint16_t)vget(vp, ctl, 2);
	uint16_t phys = ims_pci_ep_cfg16(vp->ep, ctl);
	unsigned int rq = 128u << ((v & PCI_EXP_DEVCTL_READRQ) >> 12);
	unsigned int mps = 128u << ((phys & PCI_EXP_DEVCTL_PAYLOAD) >> 5);

	if (rq < mps)
		rq = mps;
	if (rq > 4096)
		return;
	phys = (uint16_t)((phys & ~PCI_EXP_DEVCTL_READRQ) | (unsigned int)(ffs((int)rq) - 8) << 12);
	ims_pci_ep_cfg_write(vp->ep, ctl, 2, phys);
}

static void pcie_write(struct ims_vfio_pci *vp, unsigned int pos, unsigned int count,
		       uint32_t val)
{
	unsigned int ctl = vp->ep->pcie_cap + PCI_EXP_DEVCTL;
	uint16_t readrq = vget(vp, ctl, 2) & PCI_EXP_DEVCTL_READRQ;
	uint16_t v;

	default_write(vp, pos, count, val);
	v = (uint16_t)vget(vp, ctl, 2);
	if (v & PCI_EXP_DEVCTL_BCR_FLR) {   /* reads as 0; resets if supported */
		vset(vp, ctl, 2, v & ~PCI_EXP_DEVCTL_BCR_FLR);
		ims_vfio_pci_try_reset(vp);
	}
	if (readrq != (vget(vp, ctl, 2) & PCI_EXP_DEVCTL_READRQ))
		set_readrq(vp, ctl);
}

static bool touches_msi_flags(unsigned int offset, unsigned int count)
{
	return offset <= PCI_MSI_FLAGS && offset + count >= PCI_MSI_FLAGS;
}

static uint32_t msi_read(struct ims_vfio_pci *vp, unsigned int pos, unsigned int offset,
			 unsigned int count)
{
	unsigned int flags = vp->ep->msi_cap + PCI_MSI_FLAGS;

	if (touches_msi_flags(offset, count))
		vset(vp, flags, 2, (vget(vp, flags, 2) & ~PCI_MSI_FLAGS_QMASK) | vp->msi_qmax << 1);
	return default_read(vp, pos, count);
}

static void msi_write(struct ims_vfio_pci *vp, unsigned int pos, unsigned int offset,
		      unsigned int count, uint32_t val)
{
	unsigned int reg = vp->ep->msi_cap + PCI_MSI_FLAGS;
	uint16_t flags;

	default_write(vp, pos, count, val);
	if (!touches_msi_flags(offset, count))
		return;
	flags = (uint16_t)vget(vp, reg, 2);
	if (vp->irq_type != VFIO_PCI_MSI_IRQ_INDEX)   /* MSI is enabled via ioctl */
		flags &= ~PCI_MSI_FLAGS_ENABLE;
	if ((unsigned int)((flags & PCI_MSI_FLAGS_QSIZE) >> 4) > vp->msi_qmax)
		flags = (uint16_t)((flags & ~PCI_MSI_FLAGS_QSIZE) | vp->msi_qmax << 4);
	vset(vp, reg, 2, flags);
	ims_pci_ep_cfg_write(vp->ep, reg, 2, flags);
}

static unsigned int area_start(struct ims_vfio_pci *vp, unsigned int pos)
{
	switch (vp->area[pos]) {
	case IMS_CFG_HEADER:
		return 0;
	case IMS_CFG_PCIE:
		return vp->ep->pcie_cap;
	case IMS_CFG_MSI:
		return vp->ep->msi_cap;
	case IMS_CFG_MSIX:
		return vp->ep->msix_cap;
	default:
		return pos;
	}
}

/* The piece at @pos: within one dword and one area, 4, 2 or 1 bytes. */
static unsigned int piece_len(struct ims_vfio_pci *vp, unsigned int pos, size_t count)
{
	unsigned int n = 1;

	while ((pos + n) % 4 && vp->area[pos + n] == vp->area[pos])
		n++;
	count = count < n ? count : n;
	if (count >= 4 && !(pos % 4))
		return 4;
	if (count >= 2 && !(pos % 2))
		return 2;
	return 1;
}

static void piece_write(struct ims_vfio_pci *vp, unsigned int pos, unsigned int count,
			uint32_t val)
{
	unsigned int offset = pos - area_start(vp, pos);

	switch (vp->area[pos]) {
	case IMS_CFG_HEADER:
		header_write(vp, pos, count, val);
		break;
	case IMS_CFG_PCIE:
		pcie_write(vp, pos, count, val);
		break;
	case IMS_CFG_MSI:
		msi_write(vp, pos, offset, count, val);
		break;
	default:
		default_write(vp, pos, count, val);
	}
}

static uint32_t piece_read(struct ims_vfio_pci *vp, unsigned int pos, unsigned int count)
{
	if (vp->area[pos] == IMS_CFG_HEADER && is_bar(pos) && vp->bardirty)
		bar_fixup(vp);
	if (vp->area[pos] == IMS_CFG_MSI)
		return msi_read(vp, pos, pos - area_start(vp, pos), count);
	return default_read(vp, pos, count);
}

static ssize_t do_piece(struct ims_vfio_pci *vp, char *buf, size_t count, unsigned int pos,
			bool write)
{
	unsigned int n = piece_len(vp, pos, count);
	uint32_t v = 0;

	if (write) {
		if (vp->area[pos] == IMS_CFG_MSIX)   /* no write handler at all */
			return n;
		if (ims_copy_from_user(&v, buf, n))
			return -EFAULT;
		piece_write(vp, pos, n, le32toh(v));
		return n;
	}
	v = htole32(piece_read(vp, pos, n));
	return ims_copy_to_user(buf, &v, n) ? -EFAULT : (ssize_t)n;
}

ssize_t ims_vfio_pci_config_rw(struct ims_vfio_pci *vp, void *buf, size_t count,
			       uint64_t pos, bool write)
{
	size_t done = 0;

	if (pos >= vp->cfg_size || count > vp->cfg_size - pos)
		return -EFAULT;
	while (done < count) {
		ssize_t n = do_piece(vp, (char *)buf + done, count - done,
				     (unsigned int)(pos + done), write);

		if (n < 0)
			return n;
		done += (size_t)n;
	}
	return (ssize_t)done;
}
