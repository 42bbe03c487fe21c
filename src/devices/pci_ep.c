// SPDX-License-Identifier: MIT
/*
 * Building and tearing down a PCI endpoint (see pci_ep.h): the BAR layout
 * and its memfd backing, where MSI-X goes, the power-on config space, the
 * firmware's BAR assignment and the model.
 *
 * Config layout of every endpoint:
 *
 *   0x00  type 0 header            0x34 -> 0x40
 *   0x40  PCI Express capability   v2 endpoint, FLR, 0x3c bytes
 *   0x80  MSI                      64-bit, per-vector masks, 4 vectors
 *   0xa0  MSI-X                    when a BAR of >= 1 KiB can hold it
 *   0x100 no extended capabilities (the header dword reads 0)
 *
 * MSI-X lives in the first register BAR (IMS_TOPO_BAR_NO_MMAP) of at least
 * 1 KiB, else in the smallest other memory BAR of at least 1 KiB: table at
 * half the BAR, PBA at three quarters, so the first half stays the
 * device's.  No such BAR, no MSI-X capability.
 *
 * BAR addresses are what a firmware would have assigned: 32-bit memory
 * from 0xc0000000, 64-bit from 256 GiB, I/O from 0x1000, each naturally
 * aligned, per endpoint (different endpoints may show the same addresses;
 * nothing decodes them).
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pci_ep.h"
#include "util/alloc.h"
#include "util/err.h"

#define MEM32_BASE 0xc0000000ull
#define MEM64_BASE (256ull << 30)
#define IO_BASE    0x1000ull

#define CAP_PCIE 0x40
#define CAP_MSI  0x80
#define CAP_MSIX 0xa0

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void put(struct ims_pci_ep *ep, unsigned int off, unsigned int size, uint32_t v,
		uint32_t wmask, uint32_t w1c)
{
	for (unsigned int i = 0; i < size; i++) {
		ep->cfg[off + i] = (uint8_t)(v >> (8 * i));
		ep->wmask[off + i] = (uint8_t)(wmask >> (8 * i));
		ep->w1c[off + i] = (uint8_t)(w1c >> (8 * i));
	}
}

static bool has_bar_kind(const struct ims_pci_ep *ep, bool io)
{
	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++)
		if (ep->bar[i].size && !!(ep->bar[i].flags & IMS_TOPO_BAR_IO) == io)
			return true;
	return false;
}

static void header_bar(struct ims_pci_ep *ep, unsigned int i)
{
	const struct ims_pci_bar *b = &ep->bar[i];
	unsigned int off = PCI_BASE_ADDRESS_0 + 4 * i;
	uint64_t mask = ~(b->size - 1);
	uint32_t flags = 0;

	if (b->flags & IMS_TOPO_BAR_IO) {
		put(ep, off, 4, PCI_BASE_ADDRESS_SPACE_IO, (uint32_t)mask & ~3u, 0);
		return;
	}
	if (b->flags & IMS_TOPO_BAR_PREFETCH)
		flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	if (b->flags & IMS_TOPO_BAR_MEM64)
		flags |= PCI_BASE_ADDRESS_MEM_TYPE_64;
	put(ep, off, 4, flags, (uint32_t)mask & ~0xfu, 0);
	if (b->flags & IMS_TOPO_BAR_MEM64)
		put(ep, off + 4, 4, 0, (uint32_t)(mask >> 32), 0);
}

static void header(struct ims_pci_ep *ep)
{
	const struct ims_topo_pci *p = &ep->desc.pci;
	uint32_t cmd = PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
		       PCI_COMMAND_INTX_DISABLE;

	if (has_bar_kind(ep, false))
		cmd |= PCI_COMMAND_MEMORY;
	if (has_bar_kind(ep, true))
		cmd |= PCI_COMMAND_IO;
	put(ep, PCI_VENDOR_ID, 2, p->vendor, 0, 0);
	put(ep, PCI_DEVICE_ID, 2, p->device, 0, 0);
	put(ep, PCI_COMMAND, 2, 0, cmd, 0);
	put(ep, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0, 0xf900);
	put(ep, PCI_CLASS_REVISION, 4, p->class_code << 8 | p->revision, 0, 0);
	put(ep, PCI_CACHE_LINE_SIZE, 1, 0, 0xff, 0);
	put(ep, PCI_HEADER_TYPE, 1, p->multifunction ? 0x80 : PCI_HEADER_TYPE_NORMAL, 0, 0);
	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++)
		if (ep->bar[i].size)
			header_bar(ep, i);
	put(ep, PCI_SUBSYSTEM_VENDOR_ID, 2, p->subsystem_vendor, 0, 0);
	put(ep, PCI_SUBSYSTEM_ID, 2, p->subsystem_device, 0, 0);
	put(ep, PCI_CAPABILITY_LIST, 1, CAP_PCIE, 0, 0);
	put(ep, PCI_INTERRUPT_LINE, 1, 0, 0xff, 0);
	put(ep, PCI_INTERRUPT_PIN, 1, 1, 0, 0);  /* INTA */
}

static void pcie_cap(struct ims_pci_ep *ep)
{
	unsigned int c = CAP_PCIE;

	put(ep, c + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP, 0, 0);
	put(ep, c + PCI_CAP_LIST_NEXT, 1, CAP_MSI, 0, 0);
	put(ep, c + PCI_EXP_FLAGS, 2, 2 | PCI_EXP_TYPE_ENDPOINT << 4, 0, 0);
	put(ep, c + PCI_EXP_DEVCAP, 4, 1 /* 256-byte payload */ | PCI_EXP_DEVCAP_EXT_TAG |
	    PCI_EXP_DEVCAP_RBER | PCI_EXP_DEVCAP_FLR, 0, 0);
	/* FLR is handled by cfg_write; Phantom Functions are not supported. */
	put(ep, c + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN |
	    PCI_EXP_DEVCTL_READRQ_512B,
	    0xffff & ~(PCI_EXP_DEVCTL_PHANTOM | PCI_EXP_DEVCTL_BCR_FLR), 0);
	put(ep, c + PCI_EXP_DEVSTA, 2, 0, 0, 0x000f);
	put(ep, c + PCI_EXP_LNKCAP, 4, PCI_EXP_LNKCAP_SLS_2_5GB | 1u << 4, 0, 0);
	put(ep, c + PCI_EXP_LNKCTL, 2, 0, 0x01c3, 0);
	put(ep, c + PCI_EXP_LNKSTA, 2, PCI_EXP_LNKSTA_CLS_2_5GB | 1u << 4, 0, 0);
	put(ep, c + PCI_EXP_DEVCAP2, 4, 0x1f, 0, 0);  /* completion timeout ranges + disable */
	put(ep, c + PCI_EXP_DEVCTL2, 2, 0, 0x001f, 0);
	put(ep, c + PCI_EXP_LNKCAP2, 4, PCI_EXP_LNKCAP2_SLS_2_5GB, 0, 0);
	put(ep, c + PCI_EXP_LNKCTL2, 2, PCI_EXP_LNKCTL2_TLS_2_5GT, 0, 0);
}

static void msi_cap(struct ims_pci_ep *ep)
{
	unsigned int c = CAP_MSI;

	put(ep, c + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSI, 0, 0);
	put(ep, c + PCI_CAP_LIST_NEXT, 1, ep->msix_vectors ? CAP_MSIX : 0, 0, 0);
	put(ep, c + PCI_MSI_FLAGS, 2, 2u << 1 /* 4 vectors */ | PCI_MSI_FLAGS_64BIT |
	    PCI_MSI_FLAGS_MASKBIT, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, 0);
	put(ep, c + PCI_MSI_ADDRESS_LO, 4, 0, 0xfffffffc, 0);
	put(ep, c + PCI_MSI_ADDRESS_HI, 4, 0, 0xffffffff, 0);
	put(ep, c + PCI_MSI_DATA_64, 2, 0, 0xffff, 0);
	put(ep, c + PCI_MSI_MASK_64, 4, 0, (1u << IMS_PCI_MSI_VECTORS) - 1, 0);
	put(ep, c + PCI_MSI_PENDING_64, 4, 0, 0, 0);
}

static void msix_cap(struct ims_pci_ep *ep)
{
	unsigned int c = CAP_MSIX;

	put(ep, c + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX, 0, 0);
	put(ep, c + PCI_CAP_LIST_NEXT, 1, 0, 0, 0);
	put(ep, c + PCI_MSIX_FLAGS, 2, ep->msix_vectors - 1,
	    PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
	put(ep, c + PCI_MSIX_TABLE, 4, ep->msix_table | ep->msix_bar, 0, 0);
	put(ep, c + PCI_MSIX_PBA, 4, ep->msix_pba | ep->msix_bar, 0, 0);
}

void ims_pci_ep_power_on(struct ims_pci_ep *ep)
{
	memset(ep->cfg, 0, sizeof(ep->cfg));
	memset(ep->wmask, 0, sizeof(ep->wmask));
	memset(ep->w1c, 0, sizeof(ep->w1c));
	ep->pcie_cap = CAP_PCIE;
	ep->msi_cap = CAP_MSI;
	ep->msix_cap = ep->msix_vectors ? CAP_MSIX : 0;
	header(ep);
	pcie_cap(ep);
	msi_cap(ep);
	if (ep->msix_cap)
		msix_cap(ep);
	ep->intx_line = false;
}

/* ---- BARs ---- */

static void setup_bars(struct ims_pci_ep *ep)
{
	for (unsigned int i = 0; i < ep->desc.nr_bars; i++) {
		const struct ims_topo_bar *t = &ep->desc.bars[i];
		struct ims_pci_bar *b = &ep->bar[t->index];

		b->size = t->size;
		b->flags = t->flags;
		b->map_len = (t->size + page_size() - 1) & ~(page_size() - 1);
		b->mmap = !(t->flags & (IMS_TOPO_BAR_IO | IMS_TOPO_BAR_NO_MMAP)) &&
			  t->size >= page_size();
	}
}

static bool msix_fits(const struct ims_pci_bar *b)
{
	return b->size >= IMS_PCI_MSIX_MIN_BAR && !(b->flags & IMS_TOPO_BAR_IO);
}

static void choose_msix_bar(struct ims_pci_ep *ep)
{
	int best = -1;

	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS && best < 0; i++)
		if (msix_fits(&ep->bar[i]) && (ep->bar[i].flags & IMS_TOPO_BAR_NO_MMAP))
			best = (int)i;
	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS && best < 0; i++)
		if (msix_fits(&ep->bar[i]) &&
		    (best < 0 || ep->bar[i].size < ep->bar[best].size))
			best = (int)i;
	if (best < 0)
		return;
	ep->msix_bar = (unsigned int)best;
	ep->msix_table = (uint32_t)(ep->bar[best].size / 2);
	ep->msix_pba = (uint32_t)(ep->bar[best].size / 2 + ep->bar[best].size / 4);
	ep->msix_vectors = IMS_PCI_MSIX_VECTORS;
}

/* One memfd; BAR i at i << 40, mapped for the endpoint's own accesses. */
static int back_bars(struct ims_pci_ep *ep)
{
	uint64_t len = 0;

	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++)
		if (ep->bar[i].size)
			len = ((uint64_t)i << IMS_PCI_REGION_SHIFT) + ep->bar[i].map_len;
	ep->memfd = memfd_create("iommusim-bars", MFD_CLOEXEC);
	if (ep->memfd < 0 || ftruncate(ep->memfd, (off_t)len))
		return -errno;
	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++) {
		struct ims_pci_bar *b = &ep->bar[i];
		void *p;

		if (!b->size)
			continue;
		p = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, ep->memfd,
			 (off_t)((uint64_t)i << IMS_PCI_REGION_SHIFT));
		if (p == MAP_FAILED)
			return -errno;
		b->mem = p;
	}
	return 0;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* What the firmware does at enumeration: write each BAR's address. */
static void assign_bars(struct ims_pci_ep *ep)
{
	uint64_t next[3] = { MEM32_BASE, MEM64_BASE, IO_BASE };

	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++) {
		struct ims_pci_bar *b = &ep->bar[i];
		unsigned int kind = b->flags & IMS_TOPO_BAR_IO ? 2 :
				    b->flags & IMS_TOPO_BAR_MEM64 ? 1 : 0;
		unsigned int off = PCI_BASE_ADDRESS_0 + 4 * i;

		if (!b->size)
			continue;
		b->addr = align_up(next[kind], b->size);
		next[kind] = b->addr + b->size;
		ims_pci_ep_cfg_write(ep, off, 4, (uint32_t)b->addr);
		if (kind == 1)
			ims_pci_ep_cfg_write(ep, off + 4, 4, (uint32_t)(b->addr >> 32));
	}
}

static int attach_model(struct ims_pci_ep *ep)
{
	ep->model = ims_pci_model_get(ep->desc.pci.vendor, ep->desc.pci.device);
	if (ep->model->priv_size) {
		ep->model_priv = ims_zalloc(ep->model->priv_size);
		if (!ep->model_priv)
			return -ENOMEM;
	}
	return ep->model->init ? ep->model->init(ep, ep->model_priv) : 0;
}

struct ims_pci_ep *ims_pci_ep_create(const struct ims_topo_device *desc,
				     struct ims_device *dev, struct ims_mutex *lock,
				     const struct ims_pci_irq_sink *sink)
{
	struct ims_pci_ep *ep;
	int ret;

	if (desc->bus != IMS_BUS_PCI || desc->pci.bridge)
		return ERR_PTR(-EINVAL);
	ep = ims_zalloc(sizeof(*ep));
	if (!ep)
		return ERR_PTR(-ENOMEM);
	ep->desc = *desc;
	ep->dev = dev;
	ep->lock = lock;
	ep->sink = *sink;
	ep->memfd = -1;
	setup_bars(ep);
	choose_msix_bar(ep);
	ret = back_bars(ep);
	if (ret)
		goto err_destroy;
	ims_pci_ep_power_on(ep);
	assign_bars(ep);
	ims_pci_ep_msix_reset_table(ep);
	ret = attach_model(ep);
	if (ret)
		goto err_destroy;
	return ep;

err_destroy:
	if (ep->model) {        /* init failed or never ran: no release */
		ims_free(ep->model_priv);
		ims_pci_model_put(ep->model);
		ep->model = NULL;
		ep->model_priv = NULL;
	}
	ims_pci_ep_destroy(ep);
	return ERR_PTR(ret);
}

void ims_pci_ep_destroy(struct ims_pci_ep *ep)
{
	if (!ep)
		return;
	if (ep->model) {
		if (ep->model->release)
			ep->model->release(ep, ep->model_priv);
		ims_free(ep->model_priv);
		ims_pci_model_put(ep->model);
	}
	for (unsigned int i = 0; i < IMS_PCI_NUM_BARS; i++)
		if (ep->bar[i].mem)
			munmap(ep->bar[i].mem, ep->bar[i].map_len);
	if (ep->memfd >= 0)
		close(ep->memfd);
	ims_free(ep);
}
