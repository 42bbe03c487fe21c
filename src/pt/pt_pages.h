/* SPDX-License-Identifier: MIT */
/*
 * Table memory: the one page allocator behind every page table.
 *
 * Tables are the memory the simulated IOMMU walks, so they come from here
 * and from nowhere else.  A table is a naturally aligned power-of-two block
 * of 4 KiB .. 256 KiB (@size_lg2 12..18: the largest is an ARM stage-2
 * root of 16 concatenated 16 KiB tables), zeroed when handed out.  Blocks
 * are carved from 1 MiB chunks and recycled: a freed block goes back to its
 * chunk and the next allocation takes it again, already faulted in, as the
 * kernel's page allocator would.  Without recycling every new table costs a
 * page fault, several times the price of filling it with 512 entries.
 *
 * Pools say which addresses a table may have:
 *   PT_POOL_ANY    anywhere in the process (64-bit descriptors);
 *   PT_POOL_LOW32  below 4 GiB, for formats whose descriptors hold 32-bit
 *                  table addresses (x86-64: chunks come from
 *                  mmap(MAP_32BIT); elsewhere the pool is empty and every
 *                  allocation fails with NULL).
 *
 * Accounting: pt_pages_in_use() counts 4 KiB pages handed out and not yet
 * released, process-wide; the engine keeps each table's own count.
 *
 * Deferred release: a block that an unmap takes out of a table may still be
 * read through a stale IOTLB walk cache until the caller has invalidated,
 * so the engine puts it on a gather's list (pt_pages_link_push) and only
 * ims_pt_gather_sync() releases it.  The list link is kept in the chunk
 * header, never in the block, whose contents stay exactly as the table left
 * them.
 *
 * Every allocation is one ims_should_fail() point (a new chunk is a second
 * one, through ims_aligned_zalloc).  The allocator takes its own lock; it is
 * the only lock in src/pt.  With AddressSanitizer, free blocks are poisoned.
 */
#ifndef IMS_PT_PAGES_H
#define IMS_PT_PAGES_H

#include <stddef.h>
#include <stdint.h>

enum pt_pool {
	PT_POOL_ANY,
	PT_POOL_LOW32,
	PT_POOL_NR,
};

#define PT_PAGE_LG2 12
#define PT_TABLE_MIN_LG2 12
#define PT_TABLE_MAX_LG2 18

/* A zeroed block of 1 << @size_lg2 bytes aligned to its size, or NULL. */
void *pt_pages_alloc(enum pt_pool pool, unsigned int size_lg2);
/* Release a block now.  NULL is ignored. */
void pt_pages_free(void *block);
/* Bytes of the block that @block starts. */
size_t pt_pages_size(const void *block);

/* Deferred-release lists (a gather's freelist): push, and release them all. */
void pt_pages_link_push(void **head, void *block);
void pt_pages_free_list(void *head);

/* 4 KiB pages handed out and not yet released, process-wide. */
size_t pt_pages_in_use(void);

#endif
