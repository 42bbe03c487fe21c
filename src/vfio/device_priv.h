/* SPDX-License-Identifier: MIT */
/*
 * Internals of VFIO devices, shared by src/vfio/device*.c.  The public
 * part (what the host uses) is the "VFIO devices" section of vfio.h.
 *
 *   ims_vfio_device       [vfio_device] one per core device while it has
 *                         openers (or a caller holding a reference): its
 *                         open count and its driver's state.
 *   ims_vfio_device_ops   [vfio_device_ops] the driver: vfio-pci
 *                         (device_pci*.c) or vfio-platform.
 *   ims_vfio_device_file  [vfio_device_file] one open file: through the
 *                         group (VFIO_GROUP_GET_DEVICE_FD, device.c) or
 *                         the device's cdev (device_cdev.c), which gives
 *                         access only once VFIO_DEVICE_BIND_IOMMUFD
 *                         succeeded (@access_granted).
 *   ims_vfio_pci          vfio-pci's state of an open device: the endpoint
 *                         (src/devices), the virtualized config space
 *                         [vconfig + perm_bits], the interrupt contexts.
 *
 * Locking: vdev->lock [dev_set->lock, igate, memory_lock in one] protects
 * open_count, the iommufd binding and everything in the driver state, and
 * is the endpoint's lock (device models run under it).  Taken after the
 * group's lock and before the container's group_lock when a first open uses
 * the container; iommufd's locks (bind, attach) are taken inside it.
 */
#ifndef IMS_VFIO_DEVICE_PRIV_H
#define IMS_VFIO_DEVICE_PRIV_H

#include <linux/vfio.h>
#include <sys/types.h>

#include "iommusim/uapi/iommufd.h"   /* the cdev ioctls, newer than <linux/vfio.h> */

#include "devices/pci_ep.h"
#include "vfio.h"

struct ims_vfio_device;

struct ims_vfio_device_ops {
	const char *name;
	/* First open and last close [open_device, close_device]. */
	int (*open_device)(struct ims_vfio_device *vdev);
	void (*close_device)(struct ims_vfio_device *vdev);
	long (*ioctl)(struct ims_vfio_device *vdev, unsigned long cmd, void *arg);
	ssize_t (*rw)(struct ims_vfio_device *vdev, void *buf, size_t count, int64_t *pos,
		      bool write);
	/* May [off, off + len) be mapped?  @len is page-aligned and non-zero. */
	int (*mmap)(struct ims_vfio_device *vdev, uint64_t off, uint64_t len);
	int (*raise)(struct ims_vfio_device *vdev, unsigned int index, unsigned int vector,
		     bool level);
	/* The driver answers VFIO_DEVICE_FEATURE for features the core does
	 * not know (ENOTTY); without, the core answers EINVAL. */
	bool device_feature;
	/* The cdev path: the driver checks VF tokens [match_token_uuid] and
	 * attaches PASIDs [pasid_attach_ioas, pasid_detach_ioas]. */
	bool match_token;
	bool pasid_attach;
};

struct ims_vfio_device {
	struct ims_list node;              /* the registry (device.c) */
	struct ims_device *dev;
	struct ims_topo_device desc;       /* what the platform says */
	const struct ims_vfio_device_ops *ops;
	unsigned int refs;                 /* registry lock */
	struct ims_mutex lock;
	unsigned int open_count;
	struct ims_vfio_pci *pci;          /* vfio-pci, while open */
	/* opened through the cdev: the iommufd binding [vfio/iommufd.c] */
	struct ims_iommufd_device *idev;   /* [iommufd_device] */
	bool iommufd_attached;             /* the RID is attached */
	uint32_t *pasids;                  /* PASIDs attached [pasids ida] */
	size_t nr_pasids;
};

/* An open file of a device [vfio_device_file]. */
struct ims_vfio_device_file {
	struct ims_vfio_device *vdev;
	struct ims_vfio_group *group;      /* opened through this group, or NULL */
	bool access_granted;               /* ioctls, read, write, mmap (atomic) */
	/* opened through the cdev (device_cdev.c): */
	struct ims_vfio_group *dev_group;  /* the device's group, blocked while bound */
	struct ims_iommufd_ctx *iommufd;   /* bound to it (a reference; vdev->lock) */
	ims_vfio_iommufd_from_fd iommufd_from_fd;
	void *from_fd_arg;
};

/* The registry (device.c): a reference to @dev's device, made if needed. */
struct ims_vfio_device *ims_vfio_vdev_get(struct ims_device *dev,
					  const struct ims_topo_device *desc);
void ims_vfio_vdev_put(struct ims_vfio_device *vdev);

/*
 * A device's iommufd binding (device_cdev.c), for the cdev path and for a
 * group that joined an iommufd; vdev->lock held.  Open: bind to @ictx
 * (*@devid: the device object) and the driver's open_device.  Close: the
 * driver's close_device, then every attachment and the binding go.
 * Attach the RID to *@pt_id, or replace its attachment.
 */
int ims_vfio_iommufd_open(struct ims_vfio_device *vdev, struct ims_iommufd_ctx *ictx,
			  uint32_t *devid);
void ims_vfio_iommufd_close(struct ims_vfio_device *vdev);
int ims_vfio_iommufd_attach_rid(struct ims_vfio_device *vdev, uint32_t *pt_id);

/* The cdev path (device_cdev.c), called by device.c's file operations. */
long ims_vfio_cdev_bind(struct ims_vfio_device_file *df, void *arg);
long ims_vfio_cdev_attach(struct ims_vfio_device_file *df, void *arg);
long ims_vfio_cdev_detach(struct ims_vfio_device_file *df, void *arg);
void ims_vfio_cdev_release(struct ims_vfio_device_file *df);

/* Eventfds taken by SET_IRQS [eventfd_ctx]: our own duplicate, -1 = none. */
int ims_vfio_eventfd_get(int fd);
void ims_vfio_eventfd_put(int *efd);
void ims_vfio_eventfd_signal(int efd);

/* The argsz/capability-chain protocol of GET_INFO-style ioctls. */
struct ims_vfio_caps {
	uint8_t buf[256];
	size_t size;
};
/* A zeroed capability of @size bytes at the end of the chain, or NULL. */
void *ims_vfio_cap_add(struct ims_vfio_caps *caps, size_t size, uint16_t id,
		       uint16_t version);
/*
 * Finish an info ioctl with capabilities [the tail of the kernel's
 * GET_INFO handlers]: when @argsz leaves room after the @info_size bytes
 * of the struct, copy the chain there and return its offset; else raise
 * *@argsz to what is needed and return 0.  -EFAULT.
 */
long ims_vfio_caps_copy(struct ims_vfio_caps *caps, void *arg, size_t info_size,
			uint32_t *argsz);

size_t ims_vfio_page_size(void);

/* ---- vfio-pci ---- */

extern const struct ims_vfio_device_ops ims_vfio_pci_ops;
extern const struct ims_vfio_device_ops ims_vfio_platform_ops;

#define VFIO_PCI_IRQ_NONE VFIO_PCI_NUM_IRQS
#define IMS_VFIO_MAX_VECTORS 32

enum ims_vfio_cfg_area {
	IMS_CFG_UNASSIGNED,                /* raw hardware access */
	IMS_CFG_HEADER,
	IMS_CFG_PCIE,
	IMS_CFG_MSI,
	IMS_CFG_MSIX,
};

struct ims_vfio_pci {
	struct ims_vfio_device *vdev;
	struct ims_pci_ep *ep;
	/* config space: what the user sees of virtualized bits, which bits
	 * are virtualized and writable, and which capability owns each byte */
	uint8_t vconfig[IMS_PCI_CFG_SIZE];
	uint8_t virt[IMS_PCI_CFG_SIZE];
	uint8_t write[IMS_PCI_CFG_SIZE];
	uint8_t area[IMS_PCI_CFG_SIZE];
	unsigned int cfg_size;
	bool bardirty;
	bool reset_works;
	bool virq_disabled;                /* the user's Interrupt Disable */
	unsigned int msi_qmax;             /* log2 of the enabled MSI vectors */
	unsigned int msix_bar;             /* 0xff: none */
	uint64_t msix_offset, msix_size;   /* the table, hidden from read/write */
	/* interrupts [vfio_pci_intr_ctx] */
	unsigned int irq_type;             /* VFIO_PCI_*_IRQ_INDEX or _NONE */
	bool intx_masked;
	int trigger[IMS_VFIO_MAX_VECTORS]; /* per vector, -1 = none */
	unsigned int nvec;                 /* vectors enabled */
	int err_trigger, req_trigger;
};

/* device_pci_config.c */
void ims_vfio_pci_config_init(struct ims_vfio_pci *vp);
ssize_t ims_vfio_pci_config_rw(struct ims_vfio_pci *vp, void *buf, size_t count,
			       uint64_t pos, bool write);
/* pci_try_reset_function: save, FLR, restore. */
int ims_vfio_pci_try_reset(struct ims_vfio_pci *vp);

/* device_pci_intrs.c */
unsigned int ims_vfio_pci_irq_count(struct ims_vfio_pci *vp, unsigned int index);
long ims_vfio_pci_set_irqs(struct ims_vfio_pci *vp, void *arg);
void ims_vfio_pci_irqs_init(struct ims_vfio_pci *vp);
void ims_vfio_pci_irqs_release(struct ims_vfio_pci *vp);
void ims_vfio_pci_irq_notify(void *arg, enum ims_pci_irq irq, unsigned int vector);
void ims_vfio_pci_intx_mask(struct ims_vfio_pci *vp);
void ims_vfio_pci_intx_unmask(struct ims_vfio_pci *vp);
int ims_vfio_pci_raise(struct ims_vfio_device *vdev, unsigned int index, unsigned int vector,
		       bool level);

/* The validation every SET_IRQS shares [vfio_set_irqs_validate_and_prepare]. */
int ims_vfio_set_irqs_validate(const struct vfio_irq_set *hdr, unsigned int num_irqs,
			       unsigned int max_irq_type, size_t *data_size);

#endif
