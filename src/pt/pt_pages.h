/* SPDX-License-Identifier: MIT */
/*
 * Table memory: the one page allocator behind every page table.
 *
 * Tables are the memory the simulated IOMMU walks, so they come from here
 * and from nowhere else.  A table is a naturally aligned power-of-two block
 * of 1 KiB .. 4 MiB (@size_lg2 10..22), zeroed when handed out:
 *
 *   1 KiB .. 64 KiB  carved from 1 MiB chunks and recycled: a freed block
 *                    goes back to its chunk and the next allocation takes it
 *                    again, already faulted in, as the kernel's page and slab
 *                    allocators would.  Without recycling every new table
 *                    costs a page fault, several times the price of filling
 *                    it.  The sub-page sizes are the second-level tables of
 *                    the 32-bit formats (ARM short descriptor, Exynos,
 *                    sun50i: 256 entries of 4 bytes), which the kernel takes
 *                    from a kmem_cache aligned to the table's size;
 *   128 KiB .. 4 MiB "big" tables, each its own mapping aligned to its size
 *                    (the MediaTek M4U v1 flat table is 4 MiB, from
 *                    dma_alloc_coherent in the kernel; an ARM stage-2 root
 *                    of up to 16 concatenated tables is 128 or 256 KiB with
 *                    the 16 KiB granule).  Few exist, so they are not
 *                    recycled; they are found through a short list.
 *
 * Pools say which addresses a table may have:
 *   PT_POOL_ANY    anywhere in the process (64-bit descriptors);
 *   PT_POOL_LOW32  below 4 GiB, for formats whose descriptors hold 32-bit
 *                  table addresses (x86-64: chunks come from
 *                  mmap(MAP_32BIT); elsewhere the pool is empty and every
 *                  allocation fails with NULL).
 *
 * Accounting: pt_bytes_in_use() counts the bytes of the blocks handed out
 * and not yet released, process-wide (pt_pages_in_use() is that in 4 KiB
 * pages, rounded up); the engine keeps each table's own count.
 *
 * Deferred release: a block that an unmap takes out of a table may still be
 * read through a stale IOTLB walk cache until the caller has invalidated,
 * so the engine puts it on a gather's list (pt_pages_link_push) and only
 * ims_pt_gather_sync() releases it.  The list link is kept in the chunk
 * header, never in the block, whose contents stay exactly as the table left
 * them.
 *
 * Every allocation is one ims_should_fail() point (a new chunk is a second
 * one, through ims_aligned_zalloc; a big table's record and memory are a
 * second and a third).  The allocator takes its own lock; it is
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
#define PT_TABLE_MIN_LG2 10
#define PT_CHUNK_BLOCK_MAX_LG2 16 /* larger tables are "big" (see above) */
#define PT_TABLE_MAX_LG2 22

/* A zeroed block of 1 << @size_lg2 bytes aligned to its size, or NULL. */
void *pt_pages_alloc(enum pt_pool pool, unsigned int size_lg2);
/* Release a block now.  NULL is ignored. */
void pt_pages_free(void *block);
/* Bytes of the block that @block starts. */
size_t pt_pages_size(const void *block);

/* Deferred-release lists (a gather's freelist): push, and release them all. */
void pt_pages_link_push(void **head, void *block);
void pt_pages_free_list(void *head);

/* Bytes handed out and not yet released, process-wide; and that in 4 KiB pages, rounded up. */
size_t pt_bytes_in_use(void);
size_t pt_pages_in_use(void);

#endif
