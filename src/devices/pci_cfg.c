// SPDX-License-Identifier: MIT
/*
 * Config space of a PCI endpoint as the hardware behaves (see pci_ep.h):
 * writes change only writable bits, RW1C bits clear where a 1 is written,
 * a write of Initiate FLR resets the function, and writes that change how
 * interrupts may be signalled (Interrupt Disable, MSI and MSI-X enables and
 * masks) take effect at once: a level INTx may now reach the host, pending
 * messages may now go out.
 *
 * Function level reset and pci_save_state/pci_restore_state's counterparts
 * live here too: the host (VFIO layer) saves, resets, restores, as the
 * kernel's pci_try_reset_function does.
 *
 * All functions expect ep->lock held.
 */
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <string.h>

#include "pci_ep.h"

uint32_t ims_pci_ep_cfg_read(struct ims_pci_ep *ep, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	ims_assert_held(ep->lock);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)ep->cfg[off + i] << (8 * i);
	return v;
}

static bool covers(unsigned int off, unsigned int size, unsigned int reg, unsigned int len)
{
	return off < reg + len && reg < off + size;
}

/* Does this write set Initiate FLR in the PCIe Device Control register? */
static bool starts_flr(struct ims_pci_ep *ep, unsigned int off, unsigned int size,
		       uint32_t v)
{
	unsigned int hi = ep->pcie_cap + PCI_EXP_DEVCTL + 1;

	if (!ep->pcie_cap || !covers(off, size, hi, 1))
		return false;
	return (v >> (8 * (hi - off))) & (PCI_EXP_DEVCTL_BCR_FLR >> 8);
}

void ims_pci_ep_cfg_write(struct ims_pci_ep *ep, unsigned int off, unsigned int size,
			  uint32_t value)
{
	bool flr = starts_flr(ep, off, size, value);

	ims_assert_held(ep->lock);
	for (unsigned int i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(value >> (8 * i));
		unsigned int o = off + i;

		ep->cfg[o] = (uint8_t)((ep->cfg[o] & ~ep->wmask[o]) | (b & ep->wmask[o]));
		ep->cfg[o] &= (uint8_t)~(b & ep->w1c[o]);
	}
	if (flr)
		ims_pci_ep_flr(ep);
	else
		ims_pci_ep_cfg_side_effects(ep, off, size);
}

void ims_pci_ep_cfg_side_effects(struct ims_pci_ep *ep, unsigned int off, unsigned int size)
{
	bool irq = covers(off, size, PCI_COMMAND, 2) ||
		   (ep->msi_cap && covers(off, size, ep->msi_cap, 24)) ||
		   (ep->msix_cap && covers(off, size, ep->msix_cap, 4));

	if (!irq)
		return;
	ims_pci_ep_update_intx(ep);
	ims_pci_ep_deliver_pending(ep);
}

bool ims_pci_ep_has_flr(struct ims_pci_ep *ep)
{
	return ep->pcie_cap &&
	       (ims_pci_ep_cfg_read(ep, ep->pcie_cap + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR);
}

/* Zero a BAR's backing: punch it out of the memfd (mappings see zeros). */
static void zero_bar(struct ims_pci_ep *ep, unsigned int i)
{
	struct ims_pci_bar *b = &ep->bar[i];

	if (fallocate(ep->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)((uint64_t)i << IMS_PCI_REGION_SHIFT), (off_t)b->map_len))
		memset(b->mem, 0, b->map_len);
}

void ims_pci_ep_flr(struct ims_pci_ep *ep)
{
	ims_assert_held(ep->lock);
	ims_pci_ep_power_on(ep);
	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++)
		if (ep->bar[i].size)
			zero_bar(ep, i);
	ims_pci_ep_msix_reset_table(ep);
	ep->intx_level = false;
	ep->intx_line = false;
	if (ep->model->reset)
		ep->model->reset(ep, ep->model_priv);
}

/* ---- pci_save_state / pci_restore_state ---- */

static uint8_t *msix_table(struct ims_pci_ep *ep)
{
	return ep->bar[ep->msix_bar].mem + ep->msix_table;
}

void ims_pci_ep_save_state(struct ims_pci_ep *ep, struct ims_pci_ep_state *st)
{
	ims_assert_held(ep->lock);
	memcpy(st->cfg, ep->cfg, sizeof(st->cfg));
	if (ep->msix_cap)
		memcpy(st->msix_table, msix_table(ep), ep->msix_vectors * PCI_MSIX_ENTRY_SIZE);
}

static uint32_t saved(const struct ims_pci_ep_state *st, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)st->cfg[off + i] << (8 * i);
	return v;
}

static void restore(struct ims_pci_ep *ep, const struct ims_pci_ep_state *st,
		    unsigned int off, unsigned int size)
{
	ims_pci_ep_cfg_write(ep, off, size, saved(st, off, size));
}

static void restore_pcie(struct ims_pci_ep *ep, const struct ims_pci_ep_state *st)
{
	static const unsigned int regs[] = {
		PCI_EXP_DEVCTL, PCI_EXP_LNKCTL, PCI_EXP_DEVCTL2, PCI_EXP_LNKCTL2,
	};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		restore(ep, st, ep->pcie_cap + regs[i], 2);
}

static void restore_msi(struct ims_pci_ep *ep, const struct ims_pci_ep_state *st)
{
	unsigned int c = ep->msi_cap;

	restore(ep, st, c + PCI_MSI_ADDRESS_LO, 4);
	restore(ep, st, c + PCI_MSI_ADDRESS_HI, 4);
	restore(ep, st, c + PCI_MSI_DATA_64, 2);
	restore(ep, st, c + PCI_MSI_MASK_64, 4);
	restore(ep, st, c + PCI_MSI_FLAGS, 2);
}

/* The order of the kernel's restore: header (BARs before the command), the
 * capabilities' controls, MSI, then MSI-X entries before its enable. */
void ims_pci_ep_restore_state(struct ims_pci_ep *ep, const struct ims_pci_ep_state *st)
{
	ims_assert_held(ep->lock);
	for (int off = PCI_STD_HEADER_SIZEOF - 4; off >= 0; off -= 4)
		restore(ep, st, (unsigned int)off, 4);
	if (ep->pcie_cap)
		restore_pcie(ep, st);
	if (ep->msi_cap)
		restore_msi(ep, st);
	if (ep->msix_cap) {
		memcpy(msix_table(ep), st->msix_table, ep->msix_vectors * PCI_MSIX_ENTRY_SIZE);
		restore(ep, st, ep->msix_cap + PCI_MSIX_FLAGS, 2);
	}
}
