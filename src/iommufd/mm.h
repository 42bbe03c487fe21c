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
 */
#ifndef IMS_IOMMUFD_MM_H
#define IMS_IOMMUFD_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "util/lock.h"

struct ims_mm {
	struct ims_mutex lock;   /* protects locked_vm */
	uint64_t locked_vm;      /* pages charged */
	bool lock_cap;           /* CAP_IPC_LOCK: no limit */
	uint64_t limit_bytes;    /* 0: RLIMIT_MEMLOCK of the process */
};

void ims_mm_init(struct ims_mm *mm, bool lock_cap, uint64_t limit_bytes);
void ims_mm_destroy(struct ims_mm *mm);
/* Does the process hold CAP_IPC_LOCK? */
bool ims_process_has_ipc_lock(void);

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

#endif
