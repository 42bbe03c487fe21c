/* SPDX-License-Identifier: MIT */
/*
 * Pinned-memory accounting of the simulated process ("mm").
 *
 * The kernel charges every page VFIO or iommufd pins to the mm's locked_vm
 * and refuses (ENOMEM) to go past RLIMIT_MEMLOCK unless the task has
 * CAP_IPC_LOCK.  iommusim does the same with the real rlimit of the process,
 * read at each pin as the kernel does, and the real capability, read when
 * the host is created (a host configuration can override both, e.g. tests).
 *
 * Pinning itself faults the user range in for the access needed
 * (ims_check_user_range): holes and forbidden accesses give EFAULT.  Pages
 * are not locked against munmap; DESIGN 4 and docs/limits.md say so.
 *
 * The pin registry: iommufd's pinned memory (iopt_pages) registers every
 * pinned run of CPU pages here, so that the long-term pin count of any page
 * of the process can be asked for (the selftest's MD_CHECK_REFS, which the
 * kernel answers from the page refcount).  Runs of different pinners may
 * overlap: a page pinned by two IOAS_MAP calls counts two.  Memory pinned
 * through the process's addresses is registered by address; memory pinned
 * through a file (IOAS_MAP_FILE) by the file's device, inode and offset, so
 * that any mapping of the same file page finds it.
 */
#ifndef IMS_IOMMUFD_MM_H
#define IMS_IOMMUFD_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "util/itree.h"
#include "util/lock.h"

/* One registered run of pinned pages. */
struct ims_mm_pin {
	struct ims_itree_node node; /* addresses, or file offsets for a file */
	uint64_t dev, ino;          /* the file; 0, 0 for memory */
};

struct ims_mm {
	struct ims_mutex lock;   /* protects locked_vm, pinned, pinned_files */
	uint64_t locked_vm;      /* pages charged */
	struct ims_itree pinned; /* runs pinned by address */
	struct ims_itree pinned_files; /* runs pinned by file offset */
	bool lock_cap;           /* CAP_IPC_LOCK: no limit */
	uint64_t limit_bytes;    /* 0: RLIMIT_MEMLOCK of the process */
};

void ims_mm_init(struct ims_mm *mm, bool lock_cap, uint64_t limit_bytes);
void ims_mm_destroy(struct ims_mm *mm);
/* Does the process hold CAP_IPC_LOCK (or capability @cap, in its effective set)? */
bool ims_process_has_ipc_lock(void);
bool ims_process_capable(int cap);

/* Charge @npages: 0 or -ENOMEM past the limit. */
int ims_mm_charge(struct ims_mm *mm, uint64_t npages);
void ims_mm_uncharge(struct ims_mm *mm, uint64_t npages);

/* Pages of the host page size covering [uaddr, uaddr + length). */
uint64_t ims_mm_npages(uint64_t uaddr, uint64_t length);

/*
 * Pin [uaddr, uaddr + length) for @write access and charge it: 0, -EFAULT
 * (not mapped as needed) or -ENOMEM (over the limit).
 */
int ims_mm_pin(struct ims_mm *mm, uint64_t uaddr, uint64_t length, bool write);
void ims_mm_unpin(struct ims_mm *mm, uint64_t uaddr, uint64_t length);

/* The CPU page size (the kernel's PAGE_SIZE). */
uint64_t ims_page_size(void);

/* Register / forget a pinned run (a file run when @pin->ino is set). */
void ims_mm_register_pins(struct ims_mm *mm, struct ims_mm_pin *pin);
void ims_mm_unregister_pins(struct ims_mm *mm, struct ims_mm_pin *pin);
/* How many registered runs hold the page at @addr, or at offset @off of a file. */
unsigned int ims_mm_page_pins(struct ims_mm *mm, uint64_t addr);
unsigned int ims_mm_file_page_pins(struct ims_mm *mm, uint64_t dev, uint64_t ino, uint64_t off);

#endif
