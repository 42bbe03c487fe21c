/* SPDX-License-Identifier: MIT */
/*
 * A generic PCI Express endpoint: the hardware behind a vfio-pci device
 * fd (docs/devices.md).  It is built from what the platform says about a
 * function (IDs, class, revision, BARs) and behaves as a real function
 * does on the bus:
 *
 *   config space  4 KiB: the type 0 header, a PCI Express capability
 *                 (v2 endpoint, FLR), MSI (64-bit, per-vector masks) and,
 *                 when a BAR can hold them, MSI-X with its table and PBA.
 *                 Writes obey each register's writable bits (BAR sizing
 *                 falls out of them), RW1C status bits, FLR.
 *   BARs          every BAR is backed by one memfd, BAR i at offset
 *                 i << 40 (the offset vfio-pci gives region i), so that a
 *                 program that maps its device fd sees the same memory as
 *                 the device.  Register BARs (IMS_TOPO_BAR_NO_MMAP) and
 *                 ranges a model traps are reached through the model's
 *                 bar_read/bar_write instead.
 *   interrupts    INTx as a level (status bit, Interrupt Disable, the line
 *                 seen by the host only on its rising edge), MSI and MSI-X
 *                 messages honouring enables and masks, pending bits.
 *                 Delivery goes to the host's sink (the VFIO layer).
 *
 * Device models plug in through struct ims_pci_model (models.c): a model
 * registered for a vendor:device pair gets its own state, sees accesses to
 * register BARs and trapped ranges, and resets with the function.  Models
 * raise interrupts with ims_pci_ep_set_intx/ims_pci_ep_msi/ims_pci_ep_msix.
 * DMA is not modelled yet: ep->dev names the core device whose IOMMU
 * domain a DMA-capable model will translate through (docs/devices.md).
 *
 * The host side (the kernel's PCI core, played by the VFIO layer) uses
 * cfg_read/cfg_write, FLR with save/restore, and programs MSI/MSI-X with
 * ims_pci_ep_msi_enable/ims_pci_ep_msix_enable and the vector masks.
 *
 * Glossary: BAR = base address register; FLR = function level reset; MSI,
 * MSI-X = message signalled interrupts; PBA = MSI-X pending bit array;
 * RW1C = write 1 to clear.
 *
 * Locking: an endpoint has no lock of its own.  Its owner's mutex (given at
 * creation, ep->lock) must be held around every call, including a model's
 * calls from its own threads; model ops run with it held.
 */
#ifndef IMS_DEVICES_PCI_EP_H
#define IMS_DEVICES_PCI_EP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "topo/topo.h"
#include "util/lock.h"

#define IMS_PCI_CFG_SIZE      4096u
#define IMS_PCI_NUM_BARS      6u
#define IMS_PCI_REGION_SHIFT  40   /* BAR i backed at i << 40, as vfio-pci offsets */
#define IMS_PCI_MSI_VECTORS   4u   /* MSI: Multiple Message Capable = 4 */
#define IMS_PCI_MSIX_VECTORS  16u  /* MSI-X table size when a BAR can hold it */
#define IMS_PCI_MSIX_MIN_BAR  1024u /* smallest BAR that takes table + PBA */

struct ims_pci_ep;

/* A range of an mmappable BAR that a model traps: not mmappable, its
 * accesses go to bar_read/bar_write. */
struct ims_pci_trap {
	unsigned int bar;
	uint64_t offset, size;
};

/*
 * A device model.  Every op is optional; without bar_read/bar_write a
 * register BAR behaves as plain memory, without reset it is zeroed by FLR.
 * @priv is the model's zeroed state of priv_size bytes, one per endpoint.
 * Accesses come with @size 1, 2, 4 or 8, naturally aligned, little-endian
 * values, and never cover the MSI-X table or PBA.
 */
struct ims_pci_model {
	const char *name;
	uint16_t vendor, device;        /* the functions it models */
	size_t priv_size;
	const struct ims_pci_trap *traps;
	unsigned int nr_traps;
	/* The endpoint is built; 0 or a negative errno (creation fails). */
	int (*init)(struct ims_pci_ep *ep, void *priv);
	void (*release)(struct ims_pci_ep *ep, void *priv);
	/* Function level reset: BAR memory is already zero. */
	void (*reset)(struct ims_pci_ep *ep, void *priv);
	uint64_t (*bar_read)(struct ims_pci_ep *ep, void *priv, unsigned int bar,
			     uint64_t offset, unsigned int size);
	void (*bar_write)(struct ims_pci_ep *ep, void *priv, unsigned int bar,
			  uint64_t offset, unsigned int size, uint64_t value);
};

/*
 * Register a model; endpoints created from then on for its vendor:device
 * use it.  -EEXIST when a model already claims that pair, -ENOMEM.
 */
int ims_pci_model_register(const struct ims_pci_model *model);
/* -EBUSY while an endpoint uses it, -ENOENT when not registered. */
int ims_pci_model_unregister(const struct ims_pci_model *model);
/* The generic model every other function gets (plain memory BARs). */
extern const struct ims_pci_model ims_pci_generic_model;

/* Interrupts as the host receives them. */
enum ims_pci_irq {
	IMS_PCI_IRQ_INTX,   /* the INTx line rose */
	IMS_PCI_IRQ_MSI,    /* an MSI message for @vector */
	IMS_PCI_IRQ_MSIX,   /* an MSI-X message for @vector */
};

struct ims_pci_irq_sink {
	void (*notify)(void *arg, enum ims_pci_irq irq, unsigned int vector);
	void *arg;
};

struct ims_pci_bar {
	uint64_t size;       /* 0: not implemented (or the upper half of a 64-bit BAR) */
	uint32_t flags;      /* IMS_TOPO_BAR_* */
	uint64_t addr;       /* where the firmware placed it (synthetic) */
	bool mmap;           /* a program may map it: memory, >= a page, not NO_MMAP */
	uint8_t *mem;        /* the endpoint's mapping of its backing */
	size_t map_len;      /* page-aligned size of @mem */
};

/* Fields are read-only outside src/devices; change them through functions. */
struct ims_pci_ep {
	struct ims_device *dev;          /* core device (DMA will go through its domain) */
	struct ims_topo_device desc;     /* what the platform said (shallow copy) */
	struct ims_mutex *lock;          /* the owner's, see the top of the file */
	uint8_t cfg[IMS_PCI_CFG_SIZE];   /* register contents */
	uint8_t wmask[IMS_PCI_CFG_SIZE]; /* writable bits */
	uint8_t w1c[IMS_PCI_CFG_SIZE];   /* write-1-to-clear bits */
	struct ims_pci_bar bar[IMS_PCI_NUM_BARS];
	int memfd;                       /* backing of every BAR */
	uint8_t pcie_cap, msi_cap, msix_cap; /* capability offsets, 0 = absent */
	unsigned int msix_bar;           /* MSI-X: BAR, table, PBA, vectors */
	uint32_t msix_table, msix_pba;
	unsigned int msix_vectors;
	bool intx_level;                 /* the function wants an interrupt */
	bool intx_line;                  /* INTx as the host sees it */
	const struct ims_pci_model *model;
	void *model_priv;
	struct ims_pci_irq_sink sink;
};

/*
 * Build the endpoint of PCI function @desc (@dev is its core device):
 * power-on config space, BAR backing, firmware BAR addresses, the model
 * registered for its IDs (or the generic one) initialised.  Call with
 * @lock held.  ERR_PTR: -EINVAL for a non-PCI or bridge @desc, -ENOMEM,
 * the errno of memfd_create/ftruncate/mmap, or the model's error.
 */
struct ims_pci_ep *ims_pci_ep_create(const struct ims_topo_device *desc,
				     struct ims_device *dev, struct ims_mutex *lock,
				     const struct ims_pci_irq_sink *sink);
void ims_pci_ep_destroy(struct ims_pci_ep *ep);

/* Config space as the bus sees it: @size 1, 2, 4, naturally aligned, < 4 KiB. */
uint32_t ims_pci_ep_cfg_read(struct ims_pci_ep *ep, unsigned int off, unsigned int size);
void ims_pci_ep_cfg_write(struct ims_pci_ep *ep, unsigned int off, unsigned int size,
			  uint32_t value);
static inline uint16_t ims_pci_ep_cfg16(struct ims_pci_ep *ep, unsigned int off)
{
	return (uint16_t)ims_pci_ep_cfg_read(ep, off, 2);
}

/* Function level reset: power-on config space, zero BARs, model reset. */
void ims_pci_ep_flr(struct ims_pci_ep *ep);
/* Does the function advertise FLR (PCIe Device Capabilities)? */
bool ims_pci_ep_has_flr(struct ims_pci_ep *ep);

/* What pci_save_state keeps: config header, PCIe controls, MSI, MSI-X. */
struct ims_pci_ep_state {
	uint8_t cfg[256];
	uint8_t msix_table[IMS_PCI_MSIX_VECTORS * 16];
};
void ims_pci_ep_save_state(struct ims_pci_ep *ep, struct ims_pci_ep_state *st);
void ims_pci_ep_restore_state(struct ims_pci_ep *ep, const struct ims_pci_ep_state *st);

/* BAR accesses: @size 1, 2, 4, 8, aligned, inside the BAR, not MSI-X. */
uint64_t ims_pci_ep_bar_read(struct ims_pci_ep *ep, unsigned int bar, uint64_t off,
			     unsigned int size);
void ims_pci_ep_bar_write(struct ims_pci_ep *ep, unsigned int bar, uint64_t off,
			  unsigned int size, uint64_t value);
/* Is [off, off + len) of @bar trapped by the model? */
bool ims_pci_ep_trapped(const struct ims_pci_ep *ep, unsigned int bar, uint64_t off,
			uint64_t len);

/* Interrupts raised by the function (models, tests). */
void ims_pci_ep_set_intx(struct ims_pci_ep *ep, bool level);
/* 0 sent, -EAGAIN masked (now pending), -ENODEV not enabled, -EINVAL no such vector. */
int ims_pci_ep_msi(struct ims_pci_ep *ep, unsigned int vector);
int ims_pci_ep_msix(struct ims_pci_ep *ep, unsigned int vector);
/* Is the INTx line asserted as the host sees it? */
bool ims_pci_ep_intx_asserted(const struct ims_pci_ep *ep);

/* The host programs message interrupts (the kernel's PCI MSI code). */
void ims_pci_ep_msi_enable(struct ims_pci_ep *ep, unsigned int nvec);
void ims_pci_ep_msi_disable(struct ims_pci_ep *ep);
void ims_pci_ep_msi_mask(struct ims_pci_ep *ep, unsigned int vector, bool masked);
void ims_pci_ep_msix_enable(struct ims_pci_ep *ep);
void ims_pci_ep_msix_disable(struct ims_pci_ep *ep);
void ims_pci_ep_msix_mask(struct ims_pci_ep *ep, unsigned int vector, bool masked);

/* Internals shared by the files of src/devices. */
void ims_pci_ep_power_on(struct ims_pci_ep *ep);
void ims_pci_ep_cfg_side_effects(struct ims_pci_ep *ep, unsigned int off, unsigned int size);
void ims_pci_ep_update_intx(struct ims_pci_ep *ep);
void ims_pci_ep_deliver_pending(struct ims_pci_ep *ep);
void ims_pci_ep_msix_reset_table(struct ims_pci_ep *ep);
const struct ims_pci_model *ims_pci_model_get(uint16_t vendor, uint16_t device);
void ims_pci_model_put(const struct ims_pci_model *model);

#endif
