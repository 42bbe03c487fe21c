// SPDX-License-Identifier: MIT
/*
 * Interrupts of a PCI endpoint (see pci_ep.h).
 *
 *   INTx   a level.  Status.Interrupt follows it; the host sees the line
 *          asserted while the level is high, Command.Interrupt Disable is
 *          clear and neither MSI nor MSI-X is enabled, and is notified
 *          when the line rises (the host masks it from its handler).
 *   MSI    a message per vector below the enabled count (Multiple Message
 *          Enable), when MSI is enabled and Bus Master is set; a masked
 *          vector sets its pending bit and is sent when unmasked.
 *   MSI-X  the same with the table's per-vector masks, the function mask
 *          and the PBA; the table lives in BAR memory, so a program that
 *          maps that BAR can mask vectors itself (its unmasks are seen at
 *          the next message or host action, not at the store).
 *
 * The host's side (the kernel's MSI code): enable/disable and per-vector
 * mask, writing synthetic message addresses (0xfee00000, data = vector).
 *
 * All functions expect ep->lock held.
 */
#include <endian.h>
#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>

#include "pci_ep.h"

#define MSG_ADDRESS 0xfee00000u

static uint16_t command(struct ims_pci_ep *ep)
{
	return ims_pci_ep_cfg16(ep, PCI_COMMAND);
}

static bool msi_enabled(struct ims_pci_ep *ep)
{
	return ims_pci_ep_cfg16(ep, ep->msi_cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE;
}

static bool msix_enabled(struct ims_pci_ep *ep)
{
	return ep->msix_cap &&
	       (ims_pci_ep_cfg16(ep, ep->msix_cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE);
}

static void notify(struct ims_pci_ep *ep, enum ims_pci_irq irq, unsigned int vector)
{
	if (ep->sink.notify)
		ep->sink.notify(ep->sink.arg, irq, vector);
}

/* ---- INTx ---- */

bool ims_pci_ep_intx_asserted(const struct ims_pci_ep *ep)
{
	return ep->intx_line;
}

void ims_pci_ep_update_intx(struct ims_pci_ep *ep)
{
	bool line = ep->intx_level && !(command(ep) & PCI_COMMAND_INTX_DISABLE) &&
		    !msi_enabled(ep) && !msix_enabled(ep);
	bool rose = line && !ep->intx_line;

	if (ep->intx_level)
		ep->cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		ep->cfg[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
	ep->intx_line = line;
	if (rose)
		notify(ep, IMS_PCI_IRQ_INTX, 0);
}

void ims_pci_ep_set_intx(struct ims_pci_ep *ep, bool level)
{
	ims_assert_held(ep->lock);
	ep->intx_level = level;
	ims_pci_ep_update_intx(ep);
}

/* ---- MSI ---- */

static unsigned int msi_enabled_vectors(struct ims_pci_ep *ep)
{
	uint16_t flags = ims_pci_ep_cfg16(ep, ep->msi_cap + PCI_MSI_FLAGS);

	return 1u << ((flags & PCI_MSI_FLAGS_QSIZE) >> 4);
}

static bool msi_bit(struct ims_pci_ep *ep, unsigned int reg, unsigned int vector)
{
	return ims_pci_ep_cfg_read(ep, ep->msi_cap + reg, 4) & (1u << vector);
}

/* Pending bits are read-only to software: the device sets and clears them. */
static void msi_set_pending(struct ims_pci_ep *ep, unsigned int vector, bool pending)
{
	uint8_t *p = &ep->cfg[ep->msi_cap + PCI_MSI_PENDING_64 + vector / 8];

	if (pending)
		*p |= (uint8_t)(1u << (vector % 8));
	else
		*p &= (uint8_t)~(1u << (vector % 8));
}

static bool may_send_messages(struct ims_pci_ep *ep)
{
	return command(ep) & PCI_COMMAND_MASTER;
}

int ims_pci_ep_msi(struct ims_pci_ep *ep, unsigned int vector)
{
	ims_assert_held(ep->lock);
	if (vector >= IMS_PCI_MSI_VECTORS)
		return -EINVAL;
	if (!msi_enabled(ep) || vector >= msi_enabled_vectors(ep) || !may_send_messages(ep))
		return -ENODEV;
	if (msi_bit(ep, PCI_MSI_MASK_64, vector)) {
		msi_set_pending(ep, vector, true);
		return -EAGAIN;
	}
	notify(ep, IMS_PCI_IRQ_MSI, vector);
	return 0;
}

/* ---- MSI-X ---- */

static uint8_t *msix_entry(struct ims_pci_ep *ep, unsigned int vector)
{
	return ep->bar[ep->msix_bar].mem + ep->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
}

static uint32_t entry_get(struct ims_pci_ep *ep, unsigned int vector, unsigned int reg)
{
	uint32_t v;

	memcpy(&v, msix_entry(ep, vector) + reg, 4);
	return le32toh(v);
}

static void entry_set(struct ims_pci_ep *ep, unsigned int vector, unsigned int reg,
		      uint32_t value)
{
	uint32_t v = htole32(value);

	memcpy(msix_entry(ep, vector) + reg, &v, 4);
}

static uint8_t *pba_byte(struct ims_pci_ep *ep, unsigned int vector)
{
	return ep->bar[ep->msix_bar].mem + ep->msix_pba + vector / 8;
}

static bool msix_masked(struct ims_pci_ep *ep, unsigned int vector)
{
	uint16_t ctrl = ims_pci_ep_cfg16(ep, ep->msix_cap + PCI_MSIX_FLAGS);

	return (ctrl & PCI_MSIX_FLAGS_MASKALL) ||
	       (entry_get(ep, vector, PCI_MSIX_ENTRY_VECTOR_CTRL) & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

int ims_pci_ep_msix(struct ims_pci_ep *ep, unsigned int vector)
{
	ims_assert_held(ep->lock);
	if (!ep->msix_cap || vector >= ep->msix_vectors)
		return -EINVAL;
	if (!msix_enabled(ep) || !may_send_messages(ep))
		return -ENODEV;
	if (msix_masked(ep, vector)) {
		*pba_byte(ep, vector) |= (uint8_t)(1u << (vector % 8));
		return -EAGAIN;
	}
	notify(ep, IMS_PCI_IRQ_MSIX, vector);
	return 0;
}

void ims_pci_ep_msix_reset_table(struct ims_pci_ep *ep)
{
	if (!ep->msix_cap)
		return;
	for (unsigned int v = 0; v < ep->msix_vectors; v++) {
		memset(msix_entry(ep, v), 0, PCI_MSIX_ENTRY_SIZE);
		entry_set(ep, v, PCI_MSIX_ENTRY_VECTOR_CTRL, PCI_MSIX_ENTRY_CTRL_MASKBIT);
	}
	memset(ep->bar[ep->msix_bar].mem + ep->msix_pba, 0, (ep->msix_vectors + 63) / 64 * 8);
}

/* Send what was held back by a mask that is now clear. */
void ims_pci_ep_deliver_pending(struct ims_pci_ep *ep)
{
	if (!may_send_messages(ep))
		return;
	for (unsigned int v = 0; msi_enabled(ep) && v < msi_enabled_vectors(ep); v++) {
		if (msi_bit(ep, PCI_MSI_PENDING_64, v) && !msi_bit(ep, PCI_MSI_MASK_64, v)) {
			msi_set_pending(ep, v, false);
			notify(ep, IMS_PCI_IRQ_MSI, v);
		}
	}
	for (unsigned int v = 0; msix_enabled(ep) && v < ep->msix_vectors; v++) {
		uint8_t *p = pba_byte(ep, v), bit = (uint8_t)(1u << (v % 8));

		if ((*p & bit) && !msix_masked(ep, v)) {
			*p &= (uint8_t)~bit;
			notify(ep, IMS_PCI_IRQ_MSIX, v);
		}
	}
}

/* ---- the host programs them ---- */

static unsigned int order(unsigned int nvec)
{
	unsigned int o = 0;

	while ((1u << o) < nvec)
		o++;
	return o;
}

void ims_pci_ep_msi_enable(struct ims_pci_ep *ep, unsigned int nvec)
{
	unsigned int c = ep->msi_cap;
	uint16_t flags = ims_pci_ep_cfg16(ep, c + PCI_MSI_FLAGS) & ~PCI_MSI_FLAGS_QSIZE;

	ims_assert_held(ep->lock);
	ims_pci_ep_cfg_write(ep, c + PCI_MSI_MASK_64, 4, 0xffffffff);
	ims_pci_ep_cfg_write(ep, c + PCI_MSI_ADDRESS_LO, 4, MSG_ADDRESS);
	ims_pci_ep_cfg_write(ep, c + PCI_MSI_ADDRESS_HI, 4, 0);
	ims_pci_ep_cfg_write(ep, c + PCI_MSI_DATA_64, 2, 0);
	flags |= (uint16_t)(order(nvec) << 4) | PCI_MSI_FLAGS_ENABLE;
	ims_pci_ep_cfg_write(ep, c + PCI_MSI_FLAGS, 2, flags);
}

void ims_pci_ep_msi_disable(struct ims_pci_ep *ep)
{
	unsigned int c = ep->msi_cap;

	ims_assert_held(ep->lock);
	ims_pci_ep_cfg_write(ep, c + PCI_MSI_FLAGS, 2,
			     ims_pci_ep_cfg16(ep, c + PCI_MSI_FLAGS) & ~PCI_MSI_FLAGS_ENABLE);
}

void ims_pci_ep_msi_mask(struct ims_pci_ep *ep, unsigned int vector, bool masked)
{
	unsigned int reg = ep->msi_cap + PCI_MSI_MASK_64;
	uint32_t mask = ims_pci_ep_cfg_read(ep, reg, 4);

	ims_assert_held(ep->lock);
	mask = masked ? mask | 1u << vector : mask & ~(1u << vector);
	ims_pci_ep_cfg_write(ep, reg, 4, mask);
}

void ims_pci_ep_msix_enable(struct ims_pci_ep *ep)
{
	unsigned int reg = ep->msix_cap + PCI_MSIX_FLAGS;
	uint16_t ctrl = ims_pci_ep_cfg16(ep, reg);

	ims_assert_held(ep->lock);
	ims_pci_ep_cfg_write(ep, reg, 2, ctrl | PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE);
	for (unsigned int v = 0; v < ep->msix_vectors; v++) {
		entry_set(ep, v, PCI_MSIX_ENTRY_VECTOR_CTRL, PCI_MSIX_ENTRY_CTRL_MASKBIT);
		entry_set(ep, v, PCI_MSIX_ENTRY_LOWER_ADDR, MSG_ADDRESS);
		entry_set(ep, v, PCI_MSIX_ENTRY_UPPER_ADDR, 0);
		entry_set(ep, v, PCI_MSIX_ENTRY_DATA, v);
	}
	ims_pci_ep_cfg_write(ep, reg, 2, (ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
}

void ims_pci_ep_msix_disable(struct ims_pci_ep *ep)
{
	unsigned int reg = ep->msix_cap + PCI_MSIX_FLAGS;

	ims_assert_held(ep->lock);
	for (unsigned int v = 0; v < ep->msix_vectors; v++)
		entry_set(ep, v, PCI_MSIX_ENTRY_VECTOR_CTRL, PCI_MSIX_ENTRY_CTRL_MASKBIT);
	ims_pci_ep_cfg_write(ep, reg, 2, ims_pci_ep_cfg16(ep, reg) & ~PCI_MSIX_FLAGS_ENABLE);
}

void ims_pci_ep_msix_mask(struct ims_pci_ep *ep, unsigned int vector, bool masked)
{
	ims_assert_held(ep->lock);
	entry_set(ep, vector, PCI_MSIX_ENTRY_VECTOR_CTRL, masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
	if (!masked)
		ims_pci_ep_deliver_pending(ep);
}
