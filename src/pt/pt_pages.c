// SPDX-License-Identifier: MIT
/*
 * Table memory (see pt_pages.h).
 *
 * Chunk-carved blocks (1 KiB .. 64 KiB).  A chunk is 1 MiB aligned to
 * 1 MiB, so the chunk of any block is found by masking its address.  Its
 * first blocks hold the header: the free-block list and one link word per
 * block (used by the free list while the block is free, by a gather's list
 * while it waits for release).  The header takes one block for 4 KiB and
 * larger blocks, and more for sub-page ones (1024 links of a 1 KiB chunk
 * need nine blocks), so a carved block never starts a chunk.  Blocks of one
 * chunk all have the same size; each (pool, size) class keeps a list of its
 * chunks that still have free blocks.  A chunk whose blocks are all free is
 * kept for reuse, up to PT_KEEP_EMPTY_CHUNKS per class, and released beyond
 * that, so a process that once mapped a lot does not keep all of it.
 *
 * Blocks never handed out since the chunk was made are still zero (fresh
 * chunks are zeroed, or come zeroed from mmap); recycled ones are cleared
 * when handed out again, as the kernel allocates tables with __GFP_ZERO.
 *
 * Big blocks (128 KiB .. 4 MiB) are mappings of their own, aligned to their
 * size and so to a chunk boundary: that is how a block is told big.  Their
 * size, pool and gather link live in a record on pt_big_list.
 *
 * Lock: pt_mem_lock protects every class, chunk and big record; the links of
 * blocks in use belong to their owner (a gather is the caller's).
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
#define PT_NR_SIZES (PT_CHUNK_BLOCK_MAX_LG2 - PT_TABLE_MIN_LG2 + 1)

struct pt_class {
	enum pt_pool pool;
	unsigned int size_lg2;
	unsigned int first_block; /* blocks before it hold the chunk header */
	struct ims_list partial;  /* chunks with at least one free block */
	unsigned int nr_empty;    /* chunks with every block free */
};

struct pt_chunk {
	struct ims_list node; /* on class->partial while nr_free > 0 */
	struct pt_class *cls;
	void *free_head;          /* free blocks, linked through link[] */
	unsigned int nr_blocks;   /* usable blocks, from cls->first_block on */
	unsigned int nr_free;
	unsigned int next_fresh;  /* blocks from here on were never handed out */
	void *link[];             /* one per block of the chunk, by index */
};

/* A big block's record. */
struct pt_big {
	struct ims_list node;     /* on pt_big_list */
	void *block;
	unsigned int size_lg2;
	enum pt_pool pool;
	void *link;               /* a gather's list while it waits for release */
};

static struct ims_mutex pt_mem_lock;
static struct pt_class pt_classes[PT_POOL_NR][PT_NR_SIZES];
static struct ims_list pt_big_list;
static atomic_size_t pt_bytes_used;

static unsigned int header_blocks(unsigned int size_lg2)
{
	size_t header = sizeof(struct pt_chunk) + (PT_CHUNK_SIZE >> size_lg2) * sizeof(void *);

	return (unsigned int)((header + (1ul << size_lg2) - 1) >> size_lg2);
}

__attribute__((constructor)) static void pt_pages_init(void)
{
	ims_mutex_init(&pt_mem_lock);
	ims_list_init(&pt_big_list);
	for (int pool = 0; pool < PT_POOL_NR; pool++) {
		for (int i = 0; i < PT_NR_SIZES; i++) {
			struct pt_class *cls = &pt_classes[pool][i];

			cls->pool = pool;
			cls->size_lg2 = PT_TABLE_MIN_LG2 + i;
			cls->first_block = header_blocks(cls->size_lg2);
			ims_list_init(&cls->partial);
		}
	}
}

static bool is_big(const void *block)
{
	return !((uintptr_t)block & (PT_CHUNK_SIZE - 1));
}

static struct pt_chunk *chunk_of(const void *block)
{
	return (struct pt_chunk *)((uintptr_t)block & ~(PT_CHUNK_SIZE - 1));
}

static unsigned int block_index(const struct pt_chunk *chunk, const void *block)
{
	return ((uintptr_t)block - (uintptr_t)chunk) >> chunk->cls->size_lg2;
}

/* Low memory: map twice @size below 2 GiB and keep the aligned middle. */
static void *low32_map(size_t size)
{
#ifdef MAP_32BIT
	uint8_t *raw, *aligned;
	size_t head, tail;

	if (ims_should_fail())
		return NULL;
	raw = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	aligned = (uint8_t *)(((uintptr_t)raw + size - 1) & ~(size - 1));
	head = aligned - raw;
	tail = size - head;
	if (head)
		munmap(raw, head);
	if (tail)
		munmap(aligned + size, tail);
	return aligned;
#else
	(void)size;
	return NULL;
#endif
}

/* A zeroed region of @size aligned to max(@size, a chunk) from @pool; NULL. */
static void *region_alloc(enum pt_pool pool, size_t size)
{
	if (pool == PT_POOL_LOW32)
		return low32_map(size);
	return ims_aligned_zalloc(IMS_MAX(size, PT_CHUNK_SIZE), size);
}

static void region_free(enum pt_pool pool, void *p, size_t size)
{
	if (pool == PT_POOL_LOW32)
		munmap(p, size);
	else
		ims_free(p);
}

static struct pt_chunk *chunk_create(struct pt_class *cls)
{
	size_t header = (size_t)cls->first_block << cls->size_lg2;
	struct pt_chunk *chunk = region_alloc(cls->pool, PT_CHUNK_SIZE);

	if (!chunk)
		return NULL;
	chunk->cls = cls;
	chunk->nr_blocks = (PT_CHUNK_SIZE >> cls->size_lg2) - cls->first_block;
	chunk->nr_free = chunk->nr_blocks;
	chunk->next_fresh = cls->first_block;
	pt_poison((uint8_t *)chunk + header, PT_CHUNK_SIZE - header);
	ims_list_add(&chunk->node, &cls->partial);
	cls->nr_empty++;
	ims_dbg(IMS_LOG_PT, "new %s chunk %p of %u-byte blocks",
		cls->pool == PT_POOL_LOW32 ? "low32" : "any", (void *)chunk, 1u << cls->size_lg2);
	return chunk;
}

static void chunk_release(struct pt_chunk *chunk)
{
	enum pt_pool pool = chunk->cls->pool;

	ims_list_del(&chunk->node);
	chunk->cls->nr_empty--;
	pt_unpoison(chunk, PT_CHUNK_SIZE);
	region_free(pool, chunk, PT_CHUNK_SIZE);
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

static void *chunk_block_alloc(enum pt_pool pool, unsigned int size_lg2)
{
	struct pt_class *cls = &pt_classes[pool][size_lg2 - PT_TABLE_MIN_LG2];
	struct pt_chunk *chunk;
	void *block = NULL;

	ims_mutex_lock(&pt_mem_lock);
	if (ims_list_empty(&cls->partial))
		chunk = chunk_create(cls);
	else
		chunk = ims_container_of(cls->partial.next, struct pt_chunk, node);
	if (chunk)
		block = __chunk_take(chunk);
	ims_mutex_unlock(&pt_mem_lock);
	return block;
}

static void *big_alloc(enum pt_pool pool, unsigned int size_lg2)
{
	struct pt_big *big = ims_malloc(sizeof(*big));

	if (!big)
		return NULL;
	big->block = region_alloc(pool, (size_t)1 << size_lg2);
	if (!big->block) {
		ims_free(big);
		return NULL;
	}
	big->size_lg2 = size_lg2;
	big->pool = pool;
	big->link = NULL;
	ims_mutex_lock(&pt_mem_lock);
	ims_list_add(&big->node, &pt_big_list);
	ims_mutex_unlock(&pt_mem_lock);
	ims_dbg(IMS_LOG_PT, "big %s table %p of %zu bytes", pool == PT_POOL_LOW32 ? "low32" : "any",
		big->block, (size_t)1 << size_lg2);
	return big->block;
}

/* The record of big block @block.  Caller holds pt_mem_lock. */
static struct pt_big *__big_of(const void *block)
{
	struct pt_big *big;

	ims_list_for_each_entry(big, &pt_big_list, node)
		if (big->block == block)
			return big;
	return NULL; /* not reached for blocks from pt_pages_alloc() */
}

void *pt_pages_alloc(enum pt_pool pool, unsigned int size_lg2)
{
	void *block;

	if (pool >= PT_POOL_NR || size_lg2 < PT_TABLE_MIN_LG2 || size_lg2 > PT_TABLE_MAX_LG2)
		return NULL;
	if (ims_should_fail())
		return NULL;
	if (size_lg2 <= PT_CHUNK_BLOCK_MAX_LG2)
		block = chunk_block_alloc(pool, size_lg2);
	else
		block = big_alloc(pool, size_lg2);
	if (block)
		atomic_fetch_add_explicit(&pt_bytes_used, (size_t)1 << size_lg2,
					  memory_order_relaxed);
	return block;
}

static void big_free(void *block)
{
	struct pt_big *big;

	ims_mutex_lock(&pt_mem_lock);
	big = __big_of(block);
	ims_list_del(&big->node);
	ims_mutex_unlock(&pt_mem_lock);
	atomic_fetch_sub_explicit(&pt_bytes_used, (size_t)1 << big->size_lg2,
				  memory_order_relaxed);
	region_free(big->pool, block, (size_t)1 << big->size_lg2);
	ims_free(big);
}

void pt_pages_free(void *block)
{
	struct pt_chunk *chunk;
	struct pt_class *cls;

	if (!block)
		return;
	if (is_big(block)) {
		big_free(block);
		return;
	}
	chunk = chunk_of(block);
	cls = chunk->cls;
	atomic_fetch_sub_explicit(&pt_bytes_used, (size_t)1 << cls->size_lg2,
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
	size_t size;

	if (!is_big(block))
		return (size_t)1 << chunk_of(block)->cls->size_lg2;
	ims_mutex_lock(&pt_mem_lock);
	size = (size_t)1 << __big_of(block)->size_lg2;
	ims_mutex_unlock(&pt_mem_lock);
	return size;
}

/* Where @block's gather link lives. */
static void **link_of(void *block)
{
	struct pt_chunk *chunk;
	void **link;

	if (!is_big(block)) {
		chunk = chunk_of(block);
		return &chunk->link[block_index(chunk, block)];
	}
	ims_mutex_lock(&pt_mem_lock);
	link = &__big_of(block)->link;
	ims_mutex_unlock(&pt_mem_lock);
	return link;
}

void pt_pages_link_push(void **head, void *block)
{
	*link_of(block) = *head;
	*head = block;
}

void pt_pages_free_list(void *head)
{
	while (head) {
		void *next = *link_of(head);

		pt_pages_free(head);
		head = next;
	}
}

size_t pt_bytes_in_use(void)
{
	return atomic_load_explicit(&pt_bytes_used, memory_order_relaxed);
}

size_t pt_pages_in_use(void)
{
	return (pt_bytes_in_use() + (1ul << PT_PAGE_LG2) - 1) >> PT_PAGE_LG2;
}
