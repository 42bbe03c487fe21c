/* SPDX-License-Identifier: MIT */
/*
 * The memory behind IOAS mappings (the kernel's iopt_pages): one object per
 * IOAS_MAP or IOAS_MAP_FILE call, shared by every area that maps part of it
 * (IOAS_COPY, and the halves of a split area), in any IOAS of the context.
 *
 * Glossary: the pages are CPU pages numbered from 0 ("index"); page 0
 * starts at @va, the "physical" address of the memory (DESIGN 4: the
 * user's own address for IOAS_MAP, our shared mapping of the file for
 * IOAS_MAP_FILE).  A "user" of a page is a reason to keep it pinned: an
 * area that is mapped into at least one domain, or an access that pinned
 * it.  @last is inclusive.
 *
 * Pinning is lazy, as in the kernel: a page is pinned (faulted in for the
 * access the pages allow, charged to RLIMIT_MEMLOCK, registered in the
 * process's pin registry) when it gets its first user and unpinned when it
 * loses its last, so an IOAS without domains or accesses pins nothing.
 * Pinned pages form runs with a user count each; a run boundary exists at
 * the first and one past the last page of every pin request, so that the
 * matching unpin never needs memory: destroy never fails.
 *
 * Locking: pages->lock protects refs and runs; it nests inside the IOAS
 * locks and outside the mm lock.
 */
#ifndef IMS_IOMMUFD_PAGES_H
#define IMS_IOMMUFD_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "iommufd/mm.h"
#include "util/itree.h"
#include "util/lock.h"

struct ims_iopt_pages {
	struct ims_mutex lock;     /* refs, runs */
	unsigned int refs;         /* areas and copy lists holding it */
	struct ims_mm *mm;
	uint64_t va;               /* address of page 0 */
	uint64_t npages;
	bool writable;             /* pinned for writing; areas may map it writable */
	int fd;                    /* file pages: our duplicate of the memfd, else -1 */
	uint64_t file_start;       /* file pages: file offset of page 0 */
	uint64_t file_dev, file_ino; /* file pages: which file (0: user memory) */
	struct ims_itree runs;     /* pinned runs, by page index */
};

/*
 * Pages for [@uptr, @uptr + @length) of the process; *@start_byte gets the
 * offset of @uptr in page 0.  ERR_PTR: -EINVAL (length 0), -EOVERFLOW,
 * -ENOMEM.  Nothing is pinned yet.
 */
struct ims_iopt_pages *ims_iopt_pages_alloc_user(struct ims_mm *mm, uint64_t uptr,
						 uint64_t length, bool writable,
						 uint64_t *start_byte);
/*
 * Pages for [@start, @start + @length) of the file @fd (a memfd).  The file
 * is mapped shared into our address space; its size is checked when pages
 * are pinned.  ERR_PTR: -EBADF, -EPERM (writable, fd not open for writing),
 * -EINVAL, -EOVERFLOW, -ENOMEM.
 */
struct ims_iopt_pages *ims_iopt_pages_alloc_file(struct ims_mm *mm, int fd, uint64_t start,
						 uint64_t length, bool writable,
						 uint64_t *start_byte);
void ims_iopt_pages_get(struct ims_iopt_pages *pages);
/* Drop a reference; the last one frees the pages, which have no users left. */
void ims_iopt_pages_put(struct ims_iopt_pages *pages);

/* Page indexes of bytes [start_byte, start_byte + length) of the pages. */
static inline uint64_t ims_pages_index(uint64_t start_byte, uint64_t page_size)
{
	return start_byte / page_size;
}

/*
 * Add a user to pages [@first, @last]: pin those that had none.  0,
 * -EFAULT (memory not there or not writable), -EINVAL (file too short, not a
 * memfd), -ENOMEM (RLIMIT_MEMLOCK, allocation).  On failure nothing changed.
 */
int ims_iopt_pages_pin(struct ims_iopt_pages *pages, uint64_t first, uint64_t last);
/* Drop a user of [@first, @last] (a range given to pin, or split there). */
void ims_iopt_pages_unpin(struct ims_iopt_pages *pages, uint64_t first, uint64_t last);
/* Make page @index start a run if it is pinned (splitting an area): 0 or -ENOMEM. */
int ims_iopt_pages_split_at(struct ims_iopt_pages *pages, uint64_t index);

/*
 * Copy @length bytes between the caller's buffer @ubuf and the memory at
 * byte @start_byte of the pages (@to_pages: from @ubuf into the pages).
 * 0, -EFAULT, -EINVAL (past the end of a file).
 */
int ims_iopt_pages_rw(struct ims_iopt_pages *pages, uint64_t start_byte, void *ubuf,
		      uint64_t length, bool to_pages);

#endif
