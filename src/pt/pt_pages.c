// SPDX-License-Identifier: MIT
/*
 * Table memory (see pt_pages.h).
 *
 * A chunk is 1 MiB aligned to 1 MiB, so the chunk of any block is found by
 * masking its address.  Its first block holds the header: the free-block
 * list and one link word per block (used by the free list while the block
 * is free, by a gather's list while it waits for release).  Blocks of one
 * chunk all have the same size; each (pool, size) class keeps a list of its
 * chunks that still have free blocks.  A chunk whose blocks are all free is
 * kept for reuse, up to PT_KEEP_EMPTY_CHUNKS per class, and released beyond
 * that, so a process that once mapped a lot does not keep all of it.
 *
 * Blocks never handed out since the chunk was made are still zero (fresh
 * chunks are zeroed, or come zeroed from mmap); recycled ones are cleared
 * when handed out again, as the kernel allocates tables with __GFP_ZERO.
 */
#include "pt_pages.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/list.h"
#include "util/lock.h"
#include "util/log.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define pt_poison(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define pt_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define pt_poison(p, n) ((void)(p), (void)(n))
#define pt_unpoison(p, n) ((void)(p), (void)(n))
#endif

#define PT_CHUNK_LG2 20
#define PT_CHUNK_SIZE (1ul << PT_CHUNK_LG2)
#define PT_KEEP_EMPTY_CHUNKS 8
#define PT_NR_SIZES (PT_TABLE_MAX_LG2 - PT_TABLE_MIN_LG2 + 1)

struct pt_class {
	enum pt_pool pool;
	unsigned int size_lg2;
	struct ims_list partial; /* chunks with at least one free block */
	unsigned int nr_empty;   /* chunks with every block free */
};

struct pt_chunk {
	struct ims_list node; /* on class->partial while nr_free > 0 */
	struct pt_class *cls;
	void *free_head;          /* free blocks, linked through link[] */
	unsigned int nr_blocks;   /* usable blocks: block 0 is this header */
	unsigned int nr_free;
	unsigned int next_fresh;  /* blocks from here on were never handed out */
	void *link[];
};

_Static_assert(sizeof(struct pt_chunk) + (PT_CHUNK_SIZE >> PT_TABLE_MIN_LG2) * sizeof(void *) <=
		       (1u << PT_TABLE_MIN_LG2),
	       "the chunk header must fit in its smallest block");

/* Lock protects every class and chunk field; links of blocks in use belong to their owner. */
static struct ims_mutex pt_mem_lock;
static struct pt_class pt_classes[PT_POOL_NR][PT_NR_SIZES];
static atomic_size_t pt_pages_used;

__attribute__((constructor)) static void pt_pages_init(void)
{
	ims_mutex_init(&pt_mem_lock);
	for (int pool = 0; pool < PT_POOL_NR; pool++) {
		for (int i = 0; i < PT_NR_SIZES; i++) {
			struct pt_class *cls = &pt_classes[pool][i];

			cls->pool = pool;
			cls->size_lg2 = PT_TABLE_MIN_LG2 + i;
			ims_list_init(&cls->partial);
		}
	}
}

static struct pt_chunk *chunk_of(const void *block)
{
	return (struct pt_chunk *)((uintptr_t)block & ~(PT_CHUNK_SIZE - 1));
}

static unsigned int block_index(const struct pt_chunk *chunk, const void *block)
{
	return ((uintptr_t)block - (uintptr_t)chunk) >> chunk->cls->size_lg2;
}

/* Low memory: map twice the chunk size below 2 GiB and keep the aligned middle. */
static void *low32_chunk_map(void)
{
#ifdef MAP_32BIT
	uint8_t *raw, *aligned;
	size_t head, tail;

	if (ims_should_fail())
		return NULL;
	raw = mmap(NULL, 2 * PT_CHUNK_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	aligned = (uint8_t *)(((uintptr_t)raw + PT_CHUNK_SIZE - 1) & ~(PT_CHUNK_SIZE - 1));
	head = aligned - raw;
	tail = PT_CHUNK_SIZE - head;
	if (head)
		munmap(raw, head);
	if (tail)
		munmap(aligned + PT_CHUNK_SIZE, tail);
	return aligned;
#else
	return NULL;
#endif
}

static struct pt_chunk *chunk_create(struct pt_class *cls)
{
	struct pt_chunk *chunk;

	if (cls->pool == PT_POOL_LOW32)
		chunk = low32_chunk_map();
	else
		chunk = ims_aligned_zalloc(PT_CHUNK_SIZE, PT_CHUNK_SIZE);
	if (!chunk)
		return NULL;
	chunk->cls = cls;
	chunk->nr_blocks = (PT_CHUNK_SIZE >> cls->size_lg2) - 1;
	chunk->nr_free = chunk->nr_blocks;
	chunk->next_fresh = 1;
	pt_poison((uint8_t *)chunk + (1ul << cls->size_lg2), PT_CHUNK_SIZE - (1ul << cls->size_lg2));
	ims_list_add(&chunk->node, &cls->partial);
	cls->nr_empty++;
	ims_dbg(IMS_LOG_PT, "new %s chunk %p of %u-byte blocks",
		cls->pool == PT_POOL_LOW32 ? "low32" : "any", (void *)chunk, 1u << cls->size_lg2);
	return chunk;
}

static void chunk_release(struct pt_chunk *chunk)
{
	bool low32 = chunk->cls->pool == PT_POOL_LOW32;

	ims_list_del(&chunk->node);
	chunk->cls->nr_empty--;
	pt_unpoison(chunk, PT_CHUNK_SIZE);
	if (low32)
		munmap(chunk, PT_CHUNK_SIZE);
	else
		ims_free(chunk);
}

/* Take one block of @chunk.  Caller holds pt_mem_lock. */
static void *__chunk_take(struct pt_chunk *chunk)
{
	size_t size = 1ul << chunk->cls->size_lg2;
	uint8_t *block;
	bool fresh = !chunk->free_head;

	if (chunk->nr_free == chunk->nr_blocks)
		chunk->cls->nr_empty--;
	if (fresh) {
		block = (uint8_t *)chunk + ((size_t)chunk->next_fresh++ << chunk->cls->size_lg2);
	} else {
		block = chunk->free_head;
		chunk->free_head = chunk->link[block_index(chunk, block)];
	}
	if (--chunk->nr_free == 0)
		ims_list_del(&chunk->node);
	pt_unpoison(block, size);
	if (!fresh)
		memset(block, 0, size);
	return block;
}

void *pt_pages_alloc(enum pt_pool pool, unsigned int size_lg2)
{
	struct pt_class *cls;
	struct pt_chunk *chunk;
	void *block = NULL;

	if (pool >= PT_POOL_NR || size_lg2 < PT_TABLE_MIN_LG2 || size_lg2 > PT_TABLE_MAX_LG2)
		return NULL;
	if (ims_should_fail())
		return NULL;
	cls = &pt_classes[pool][size_lg2 - PT_TABLE_MIN_LG2];
	ims_mutex_lock(&pt_mem_lock);
	if (ims_list_empty(&cls->partial))
		chunk = chunk_create(cls);
	else
		chunk = ims_container_of(cls->partial.next, struct pt_chunk, node);
	if (chunk)
		block = __chunk_take(chunk);
	ims_mutex_unlock(&pt_mem_lock);
	if (block)
		atomic_fetch_add_explicit(&pt_pages_used, (size_t)1 << (size_lg2 - PT_PAGE_LG2),
					  memory_order_relaxed);
	return block;
}

void pt_pages_free(void *block)
{
	struct pt_chunk *chunk;
	struct pt_class *cls;

	if (!block)
		return;
	chunk = chunk_of(block);
	cls = chunk->cls;
	atomic_fetch_sub_explicit(&pt_pages_used, (size_t)1 << (cls->size_lg2 - PT_PAGE_LG2),
				  memory_order_relaxed);
	ims_mutex_lock(&pt_mem_lock);
	pt_poison(block, 1ul << cls->size_lg2);
	chunk->link[block_index(chunk, block)] = chunk->free_head;
	chunk->free_head = block;
	if (chunk->nr_free++ == 0)
		ims_list_add(&chunk->node, &cls->partial);
	if (chunk->nr_free == chunk->nr_blocks && ++cls->nr_empty > PT_KEEP_EMPTY_CHUNKS)
		chunk_release(chunk);
	ims_mutex_unlock(&pt_mem_lock);
}

size_t pt_pages_size(const void *block)
{
	return (size_t)1 << chunk_of(block)->cls->size_lg2;
}

void pt_pages_link_push(void **head, void *block)
{
	struct pt_chunk *chunk = chunk_of(block);

	chunk->link[block_index(chunk, block)] = *head;
	*head = block;
}

void pt_pages_free_list(void *head)
{
	while (head) {
		struct pt_chunk *chunk = chunk_of(head);
		void *next = chunk->link[block_index(chunk, head)];

		pt_pages_free(head);
		head = next;
	}
}

size_t pt_pages_in_use(void)
{
	return atomic_load_explicit(&pt_pages_used, memory_order_relaxed);
}
