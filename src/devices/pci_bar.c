// SPDX-License-Identifier: MIT
/*
 * BAR accesses of a PCI endpoint (see pci_ep.h).  Memory BARs are the
 * memfd's bytes, the same a program sees through its mapping; register BARs
 * and ranges the model traps go to the model's bar_read/bar_write when it
 * has them, else they behave as memory too.
 *
 * Values are little-endian as on the bus.  Callers (the VFIO layer) have
 * already split accesses into naturally aligned pieces of 1, 2, 4 or 8
 * bytes inside the BAR and kept them off the MSI-X table.
 *
 * All functions expect ep->lock held.
 */
#include <endian.h>
#include <string.h>

#include "pci_ep.h"

bool ims_pci_ep_trapped(const struct ims_pci_ep *ep, unsigned int bar, uint64_t off,
			uint64_t len)
{
	for (unsigned int i = 0; i < ep->model->nr_traps; i++) {
		const struct ims_pci_trap *t = &ep->model->traps[i];

		if (t->bar == bar && off < t->offset + t->size && t->offset < off + len)
			return true;
	}
	return false;
}

static bool to_model(const struct ims_pci_ep *ep, unsigned int bar, uint64_t off,
		     unsigned int size)
{
	return !ep->bar[bar].mmap || ims_pci_ep_trapped(ep, bar, off, size);
}

uint64_t ims_pci_ep_bar_read(struct ims_pci_ep *ep, unsigned int bar, uint64_t off,
			     unsigned int size)
{
	uint64_t v = 0;

	ims_assert_held(ep->lock);
	if (ep->model->bar_read && to_model(ep, bar, off, size))
		return ep->model->bar_read(ep, ep->model_priv, bar, off, size);
	memcpy(&v, ep->bar[bar].mem + off, size);
	return le64toh(v);
}

void ims_pci_ep_bar_write(struct ims_pci_ep *ep, unsigned int bar, uint64_t off,
			  unsigned int size, uint64_t value)
{
	uint64_t v = htole64(value);

	ims_assert_held(ep->lock);
	if (ep->model->bar_write && to_model(ep, bar, off, size)) {
		ep->model->bar_write(ep, ep->model_priv, bar, off, size, value);
		return;
	}
	memcpy(ep->bar[bar].mem + off, &v, size);
}
