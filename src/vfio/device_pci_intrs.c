// SPDX-License-Identifier: MIT
/*
 * vfio-pci interrupts (drivers/vfio/pci/vfio_pci_intrs.c and the
 * SET_IRQS/GET_IRQ_INFO halves of vfio_pci_core.c) over the endpoint.
 *
 *   INTx   one vector, MASKABLE | AUTOMASKED: when the line rises the
 *          handler masks it (Interrupt Disable on the device, as PCI 2.3
 *          masking does) and signals the trigger; UNMASK clears the mask
 *          unless the device still asserts it, in which case it signals
 *          again and stays masked.  MASK and UNMASK with an eventfd are
 *          not available (ENOTTY: the kernel has no MASK eventfd either; an
 *          UNMASK eventfd would need a thread watching it).
 *   MSI    up to the device's vectors; enabling with N vectors programs
 *          the device and makes Multiple Message Capable read log2(N).
 *   MSI-X  up to the table size; vectors are unmasked while they have a
 *          trigger.  No dynamic allocation: vectors past those enabled are
 *          EINVAL until MSI-X is disabled and enabled again (NORESIZE).
 *   ERR    one trigger, signalled when an AER error is reported.
 *   REQ    one trigger, signalled when the device is asked back.
 *
 * Triggers are our own duplicates of the user's eventfds (device.c).
 * Every SET_IRQS goes through the validation the kernel shares between
 * drivers (ims_vfio_set_irqs_validate); MASK/UNMASK for anything but INTx
 * is ENOTTY.
 *
 * Locking: under vdev->lock; the endpoint calls irq_notify with it held.
 */
#include <errno.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <stddef.h>
#include <string.h>

#include "device_priv.h"
#include "util/alloc.h"
#include "util/uaccess.h"

unsigned int ims_vfio_pci_irq_count(struct ims_vfio_pci *vp, unsigned int index)
{
	struct ims_pci_ep *ep = vp->ep;

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return ims_pci_ep_cfg_read(ep, PCI_INTERRUPT_PIN, 1) ? 1 : 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		return ep->msi_cap ? 1u << ((ims_pci_ep_cfg16(ep, ep->msi_cap + PCI_MSI_FLAGS) &
					     PCI_MSI_FLAGS_QMASK) >> 1) : 0;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return ep->msix_cap ? (ims_pci_ep_cfg16(ep, ep->msix_cap + PCI_MSIX_FLAGS) &
				       PCI_MSIX_FLAGS_QSIZE) + 1u : 0;
	case VFIO_PCI_ERR_IRQ_INDEX:
		return ep->pcie_cap ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}

int ims_vfio_set_irqs_validate(const struct vfio_irq_set *hdr, unsigned int num_irqs,
			       unsigned int max_irq_type, size_t *data_size)
{
	const size_t minsz = offsetof(struct vfio_irq_set, count) + sizeof(uint32_t);
	const uint32_t known = VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK;
	size_t size;

	if (hdr->argsz < minsz || hdr->index >= max_irq_type ||
	    hdr->count >= UINT32_MAX - hdr->start || (hdr->flags & ~known))
		return -EINVAL;
	*data_size = 0;
	if (hdr->start >= num_irqs || hdr->start + hdr->count > num_irqs)
		return -EINVAL;
	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = sizeof(uint8_t);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(int32_t);
		break;
	default:
		return -EINVAL;
	}
	if (hdr->argsz - minsz < hdr->count * size)
		return -EINVAL;
	*data_size = hdr->count * size;
	return 0;
}

void ims_vfio_pci_irqs_init(struct ims_vfio_pci *vp)
{
	vp->irq_type = VFIO_PCI_IRQ_NONE;
	for (unsigned int i = 0; i < IMS_VFIO_MAX_VECTORS; i++)
		vp->trigger[i] = -1;
	vp->err_trigger = -1;
	vp->req_trigger = -1;
}

/* ---- INTx ---- */

static bool is_intx(const struct ims_vfio_pci *vp)
{
	return vp->irq_type == VFIO_PCI_INTX_IRQ_INDEX;
}

static bool is_none(const struct ims_vfio_pci *vp)
{
	return vp->irq_type == VFIO_PCI_IRQ_NONE;
}

/* pci_intx(): Interrupt Disable on the device. */
static void device_intx(struct ims_vfio_pci *vp, bool enable)
{
	uint16_t cmd = ims_pci_ep_cfg16(vp->ep, PCI_COMMAND);
	uint16_t want = enable ? cmd & ~PCI_COMMAND_INTX_DISABLE : cmd | PCI_COMMAND_INTX_DISABLE;

	if (want != cmd)
		ims_pci_ep_cfg_write(vp->ep, PCI_COMMAND, 2, want);
}

static bool device_intx_pending(struct ims_vfio_pci *vp)
{
	return ims_pci_ep_cfg16(vp->ep, PCI_STATUS) & PCI_STATUS_INTERRUPT;
}

static void send_intx(struct ims_vfio_pci *vp)
{
	if (is_intx(vp) && !vp->virq_disabled)
		ims_vfio_eventfd_signal(vp->trigger[0]);
}

void ims_vfio_pci_intx_mask(struct ims_vfio_pci *vp)
{
	if (!is_intx(vp)) {
		device_intx(vp, false);
	} else if (!vp->intx_masked) {
		device_intx(vp, false);
		vp->intx_masked = true;
	}
}

/* 1 when the device still asserts INTx: the caller signals again. */
static int intx_unmask_handler(struct ims_vfio_pci *vp)
{
	int ret = 0;

	if (!is_intx(vp)) {
		device_intx(vp, true);
		return 0;
	}
	if (vp->intx_masked && !vp->virq_disabled) {
		if (device_intx_pending(vp))
			ret = 1;
		else
			device_intx(vp, true);
		vp->intx_masked = ret > 0;
	}
	return ret;
}

void ims_vfio_pci_intx_unmask(struct ims_vfio_pci *vp)
{
	if (intx_unmask_handler(vp) > 0)
		send_intx(vp);
}

/* The host's handler of the INTx line [vfio_intx_handler]. */
static void intx_handler(struct ims_vfio_pci *vp)
{
	if (!is_intx(vp) || vp->intx_masked || !device_intx_pending(vp))
		return;
	device_intx(vp, false);
	vp->intx_masked = true;
	send_intx(vp);
}

static int intx_enable(struct ims_vfio_pci *vp, int trigger)
{
	if (!is_none(vp))
		return -EINVAL;
	vp->intx_masked = vp->virq_disabled;
	device_intx(vp, !vp->intx_masked);
	vp->irq_type = VFIO_PCI_INTX_IRQ_INDEX;
	vp->trigger[0] = trigger;
	if (ims_pci_ep_intx_asserted(vp->ep))   /* a level already up */
		intx_handler(vp);
	return 0;
}

static void intx_disable(struct ims_vfio_pci *vp)
{
	ims_vfio_eventfd_put(&vp->trigger[0]);
	vp->irq_type = VFIO_PCI_IRQ_NONE;
	vp->intx_masked = false;
}

/* INTx MASK (@mask) and UNMASK.  With an eventfd: the kernel has no MASK
 * eventfd (ENOTTY); an UNMASK eventfd would need a thread watching it, so
 * only its removal (fd < 0) is accepted. */
static int set_intx_mask(struct ims_vfio_pci *vp, bool mask, unsigned int start,
			 unsigned int count, uint32_t flags, const uint8_t *data)
{
	int32_t fd;

	if (!is_intx(vp) || start || count != 1)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		memcpy(&fd, data, sizeof(fd));
		return mask || fd >= 0 ? -ENOTTY : 0;
	}
	if (!(flags & VFIO_IRQ_SET_DATA_NONE) && !data[0])
		return 0;
	if (mask)
		ims_vfio_pci_intx_mask(vp);
	else
		ims_vfio_pci_intx_unmask(vp);
	return 0;
}

static int set_intx_trigger(struct ims_vfio_pci *vp, unsigned int start, unsigned int count,
			    uint32_t flags, const uint8_t *data)
{
	int32_t fd;
	int trigger = -1, ret;

	if (is_intx(vp) && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		intx_disable(vp);
		return 0;
	}
	if (!(is_intx(vp) || is_none(vp)) || start || count != 1)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		memcpy(&fd, data, sizeof(fd));
		if (fd >= 0) {
			trigger = ims_vfio_eventfd_get(fd);
			if (trigger < 0)
				return trigger;
		}
		if (!is_intx(vp))
			return intx_enable(vp, trigger);
		ims_vfio_eventfd_put(&vp->trigger[0]);
		vp->trigger[0] = trigger;
		return 0;
	}
	ret = is_intx(vp) ? 0 : -EINVAL;
	if (!ret && ((flags & VFIO_IRQ_SET_DATA_NONE) || data[0]))
		send_intx(vp);
	return ret;
}

/* ---- MSI and MSI-X ---- */

static int msi_enable(struct ims_vfio_pci *vp, unsigned int nvec, unsigned int index)
{
	if (!is_none(vp))
		return -EINVAL;
	if (nvec < 1)   /* pci_alloc_irq_vectors(pdev, 1, 0): maxvec < minvec */
		return -ERANGE;
	if (index == VFIO_PCI_MSIX_IRQ_INDEX) {
		ims_pci_ep_msix_enable(vp->ep);
	} else {
		ims_pci_ep_msi_enable(vp->ep, nvec);
		vp->msi_qmax = 0;
		while ((1u << vp->msi_qmax) < nvec)
			vp->msi_qmax++;
	}
	vp->irq_type = index;
	vp->nvec = nvec;
	return 0;
}

static void vector_mask(struct ims_vfio_pci *vp, unsigned int vector, bool masked)
{
	if (vp->irq_type == VFIO_PCI_MSIX_IRQ_INDEX)
		ims_pci_ep_msix_mask(vp->ep, vector, masked);
	else
		ims_pci_ep_msi_mask(vp->ep, vector, masked);
}

/* [vfio_msi_set_vector_signal] */
static int set_vector_signal(struct ims_vfio_pci *vp, unsigned int vector, int32_t fd)
{
	int trigger;

	if (vp->trigger[vector] >= 0) {
		vector_mask(vp, vector, true);
		ims_vfio_eventfd_put(&vp->trigger[vector]);
	}
	if (fd < 0)
		return 0;
	trigger = ims_vfio_eventfd_get(fd);
	if (trigger < 0)
		return trigger;
	if (vector >= vp->nvec) {   /* not allocated, and MSI-X cannot grow */
		ims_vfio_eventfd_put(&trigger);
		return -EINVAL;
	}
	vp->trigger[vector] = trigger;
	vector_mask(vp, vector, false);
	return 0;
}

static int set_block(struct ims_vfio_pci *vp, unsigned int start, unsigned int count,
		     const int32_t *fds)
{
	unsigned int i, j;
	int ret = 0;

	for (i = 0, j = start; i < count && !ret; i++, j++)
		ret = set_vector_signal(vp, j, fds ? fds[i] : -1);
	if (ret)
		for (i = start; i < j; i++)
			set_vector_signal(vp, i, -1);
	return ret;
}

static void msi_disable(struct ims_vfio_pci *vp)
{
	for (unsigned int v = 0; v < IMS_VFIO_MAX_VECTORS; v++)
		set_vector_signal(vp, v, -1);
	if (vp->irq_type == VFIO_PCI_MSIX_IRQ_INDEX)
		ims_pci_ep_msix_disable(vp->ep);
	else
		ims_pci_ep_msi_disable(vp->ep);
	vp->irq_type = VFIO_PCI_IRQ_NONE;
	vp->nvec = 0;
}

static int set_msi_trigger(struct ims_vfio_pci *vp, unsigned int index, unsigned int start,
			   unsigned int count, uint32_t flags, const uint8_t *data)
{
	int ret;

	if (vp->irq_type == index && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		msi_disable(vp);
		return 0;
	}
	if (!(vp->irq_type == index || is_none(vp)))
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		if (vp->irq_type == index)
			return set_block(vp, start, count, (const int32_t *)data);
		ret = msi_enable(vp, start + count, index);
		if (!ret)
			ret = set_block(vp, start, count, (const int32_t *)data);
		if (ret && vp->irq_type == index)
			msi_disable(vp);
		return ret;
	}
	if (vp->irq_type != index)
		return -EINVAL;
	for (unsigned int i = start; i < start + count; i++)
		if ((flags & VFIO_IRQ_SET_DATA_NONE) || data[i - start])
			ims_vfio_eventfd_signal(vp->trigger[i]);
	return 0;
}

/* ---- ERR and REQ [vfio_pci_set_ctx_trigger_single] ---- */

static int set_single(int *ctx, unsigned int start, unsigned int count, uint32_t flags,
		      const uint8_t *data)
{
	int32_t fd;
	int trigger;

	if (start || count > 1)
		return -EINVAL;
	if ((flags & VFIO_IRQ_SET_DATA_NONE) && *ctx >= 0) {
		if (count)
			ims_vfio_eventfd_signal(*ctx);
		else
			ims_vfio_eventfd_put(ctx);
		return 0;
	}
	if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (!count)
			return -EINVAL;
		if (data[0])
			ims_vfio_eventfd_signal(*ctx);
		return 0;
	}
	if (!(flags & VFIO_IRQ_SET_DATA_EVENTFD) || !count)
		return -EINVAL;
	memcpy(&fd, data, sizeof(fd));
	if (fd == -1) {
		ims_vfio_eventfd_put(ctx);
	} else if (fd >= 0) {
		trigger = ims_vfio_eventfd_get(fd);
		if (trigger < 0)
			return trigger;
		ims_vfio_eventfd_put(ctx);
		*ctx = trigger;
	}
	return 0;
}

/* ---- SET_IRQS ---- */

static int dispatch(struct ims_vfio_pci *vp, const struct vfio_irq_set *hdr,
		    const uint8_t *data)
{
	uint32_t action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	unsigned int start = hdr->start, count = hdr->count;

	switch (hdr->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_MASK || action == VFIO_IRQ_SET_ACTION_UNMASK)
			return set_intx_mask(vp, action == VFIO_IRQ_SET_ACTION_MASK, start, count,
					     hdr->flags, data);
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return set_intx_trigger(vp, start, count, hdr->flags, data);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return set_msi_trigger(vp, hdr->index, start, count, hdr->flags, data);
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return set_single(&vp->err_trigger, start, count, hdr->flags, data);
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return set_single(&vp->req_trigger, start, count, hdr->flags, data);
		break;
	}
	return -ENOTTY;
}

long ims_vfio_pci_set_irqs(struct ims_vfio_pci *vp, void *arg)
{
	const size_t minsz = offsetof(struct vfio_irq_set, count) + sizeof(uint32_t);
	struct vfio_irq_set hdr;
	uint8_t *data = NULL;
	size_t data_size;
	int ret;

	if (ims_copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	ret = ims_vfio_set_irqs_validate(&hdr, ims_vfio_pci_irq_count(vp, hdr.index),
					 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = ims_malloc(data_size);
		if (!data)
			return -ENOMEM;
		if (ims_copy_from_user(data, (char *)arg + minsz, data_size)) {
			ims_free(data);
			return -EFAULT;
		}
	}
	ret = dispatch(vp, &hdr, data);
	ims_free(data);
	return ret;
}

/* The endpoint raised an interrupt; we are the host's handlers. */
void ims_vfio_pci_irq_notify(void *arg, enum ims_pci_irq irq, unsigned int vector)
{
	struct ims_vfio_pci *vp = arg;

	if (irq == IMS_PCI_IRQ_INTX)
		intx_handler(vp);
	else if (irq == IMS_PCI_IRQ_MSI && vp->irq_type == VFIO_PCI_MSI_IRQ_INDEX)
		ims_vfio_eventfd_signal(vp->trigger[vector]);
	else if (irq == IMS_PCI_IRQ_MSIX && vp->irq_type == VFIO_PCI_MSIX_IRQ_INDEX)
		ims_vfio_eventfd_signal(vp->trigger[vector]);
}

/* At last close: interrupts off, triggers dropped [vfio_pci_core_disable]. */
void ims_vfio_pci_irqs_release(struct ims_vfio_pci *vp)
{
	if (is_intx(vp))
		intx_disable(vp);
	else if (!is_none(vp))
		msi_disable(vp);
	ims_vfio_eventfd_put(&vp->err_trigger);
	ims_vfio_eventfd_put(&vp->req_trigger);
}

int ims_vfio_pci_raise(struct ims_vfio_device *vdev, unsigned int index, unsigned int vector,
		       bool level)
{
	struct ims_vfio_pci *vp = vdev->pci;
	unsigned int n = ims_vfio_pci_irq_count(vp, index);

	if (index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	if (!n)
		return -ENODEV;
	if (vector >= n)
		return -EINVAL;
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		ims_pci_ep_set_intx(vp->ep, level);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		ims_pci_ep_msi(vp->ep, vector);
		break;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		ims_pci_ep_msix(vp->ep, vector);
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:   /* vfio_pci_core_aer_err_detected */
		ims_vfio_eventfd_signal(vp->err_trigger);
		break;
	default:                       /* vfio_pci_core_request */
		ims_vfio_eventfd_signal(vp->req_trigger);
	}
	return 0;
}
