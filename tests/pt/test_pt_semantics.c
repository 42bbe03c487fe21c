// SPDX-License-Identifier: MIT
/*
 * Map/unmap semantics (kernel-semantics 2.8) for every configuration of
 * pt_test_cfgs[]: bad input changes nothing; EEXIST reports the bytes
 * mapped before it; unmap stops at holes and inside large leaves and
 * removes a large leaf whole, or, for formats that split (ARM LPAE), cuts
 * the large leaf and removes only what was asked, keeping the rest's
 * attributes (and a split that cannot allocate changes nothing); fully
 * covered tables are freed through the gather and released only by its
 * sync; an empty table is replaced by a large leaf through the sync
 * callback; walk, translate and dirty tracking.
 * Plus create's errors and the effective configuration.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pt/pt_format.h"
#include "pt_test.h"
#include "pt/pt_engine.h"
#include "util/alloc.h"

#define RW (IMS_PROT_READ | IMS_PROT_WRITE)
#define PA 0x40000000ull /* 1 GiB aligned, below every OAS */

struct fixture {
	const struct pt_test_cfg *tc;
	struct ims_pt *pt;
	const struct ims_pt_cfg *cfg;
	uint64_t small;   /* smallest leaf */
	uint64_t big;     /* the next level's item: the leaf a small table spans */
	uint64_t base;    /* an IOVA aligned to big, with room for 4 * big after it */
	size_t leaf_entries;     /* entries of a table of the smallest leaves */
	size_t leaf_table_bytes; /* and its size */
	size_t bytes_before;
};

static uint64_t level_item(const struct fixture *f)
{
	/* The smallest leaf size that needs the level above the smallest leaf's. */
	uint64_t sizes = f->cfg->pgsize_bitmap;
	uint64_t entries = f->leaf_entries;

	for (uint64_t s = f->small * entries; s; s <<= 1)
		if (sizes & s)
			return s;
	return 0;
}

static int setup(void **state)
{
	const struct pt_test_cfg *tc = *state;
	struct fixture *f = calloc(1, sizeof(*f));
	unsigned int leaf_level;

	f->tc = tc;
	f->bytes_before = ims_pt_bytes_in_use();
	assert_int_equal(ims_pt_create(&tc->cfg, &f->pt), 0);
	f->cfg = ims_pt_config(f->pt);
	f->small = f->cfg->pgsize_bitmap & -f->cfg->pgsize_bitmap;
	leaf_level = f->pt->size_level[__builtin_ctzll(f->small)];
	f->leaf_entries = (size_t)1 << f->pt->lvl[leaf_level].index_bits;
	f->leaf_table_bytes = (size_t)1 << f->pt->lvl[leaf_level].table_lg2;
	f->big = level_item(f);
	f->base = f->cfg->ias > 34 ? 1ull << 33 : 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ims_pt_destroy(f->pt);
	assert_int_equal(ims_pt_bytes_in_use(), f->bytes_before);
	free(f);
	return 0;
}

static size_t table_bytes(const struct ims_pt *pt)
{
	struct ims_pt_mem_stats st;

	ims_pt_mem_stats(pt, &st);
	assert_int_equal(st.table_pages, (st.table_bytes + 4095) / 4096);
	return st.table_bytes;
}

static int count_leaf(void *arg, uint64_t iova, uint64_t pa, uint64_t size, int prot,
		      unsigned int level)
{
	(*(size_t *)arg)++;
	return 0;
}

static size_t leaves_in(const struct ims_pt *pt, uint64_t iova, uint64_t size)
{
	size_t n = 0;

	assert_int_equal(ims_pt_walk(pt, iova, size, count_leaf, &n), 0);
	return n;
}

static void expect_map_error(struct fixture *f, uint64_t iova, uint64_t pa, size_t pgsize,
			     size_t count, int prot, int err)
{
	size_t mapped = 12345;

	assert_int_equal(ims_pt_map(f->pt, iova, pa, pgsize, count, prot, &mapped), err);
	assert_int_equal(mapped, 0);
}

static void test_bad_input(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, max = f->cfg->ias >= 64 ? UINT64_MAX : (1ull << f->cfg->ias) - 1;
	uint64_t unsupported = 0;
	size_t bytes = table_bytes(f->pt), in_use = ims_pt_bytes_in_use();

	for (uint64_t z = s << 1; z && !unsupported; z <<= 1)
		if (!(f->cfg->pgsize_bitmap & z))
			unsupported = z;
	expect_map_error(f, s / 2, PA, s, 1, RW, -EINVAL);        /* misaligned iova */
	expect_map_error(f, 0, PA + s / 2, s, 1, RW, -EINVAL);    /* misaligned pa */
	expect_map_error(f, 0, PA, 0, 1, RW, -EINVAL);            /* size 0 */
	expect_map_error(f, 0, PA, 3 * s, 1, RW, -EINVAL);        /* not a power of two */
	if (unsupported)
		expect_map_error(f, 0, 0, unsupported, 1, RW, -EINVAL);
	expect_map_error(f, 0, PA, s, 0, RW, -EINVAL);            /* count 0 */
	expect_map_error(f, 0, PA, s, SIZE_MAX, RW, -EINVAL);     /* length beyond 64 bits */
	expect_map_error(f, 0, PA, s, 1, 0, -EINVAL);             /* neither read nor write */
	expect_map_error(f, 0, PA, s, 1, IMS_PROT_CACHE, -EINVAL);
	expect_map_error(f, UINT64_MAX - s + 1, PA, s, 2, RW, -ERANGE); /* iova + size wraps */
	expect_map_error(f, max - s + 1, PA, s, 2, RW, -ERANGE);  /* runs past IAS */
	if (max != UINT64_MAX)
		expect_map_error(f, max + 1, PA, s, 1, RW, -ERANGE); /* beyond IAS */
	if (f->cfg->oas < 64) {
		expect_map_error(f, 0, 1ull << f->cfg->oas, s, 1, RW, -ERANGE); /* beyond OAS */
		expect_map_error(f, 0, (1ull << f->cfg->oas) - s, s, 2, RW, -ERANGE);
	} else {
		expect_map_error(f, 0, UINT64_MAX - s + 1, s, 2, RW, -ERANGE); /* PA wraps */
	}
	assert_int_equal(table_bytes(f->pt), bytes);
	assert_int_equal(ims_pt_bytes_in_use(), in_use);
	assert_int_equal(leaves_in(f->pt, 0, max < (1ull << 40) ? max + 1 : 1ull << 40), 0);
}

static void test_bad_unmap(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small;
	size_t mapped;

	assert_int_equal(ims_pt_map(f->pt, f->base, PA, s, 4, RW, &mapped), 0);
	assert_int_equal(ims_pt_unmap(f->pt, f->base + s / 2, s, 1, NULL), 0);
	assert_int_equal(ims_pt_unmap(f->pt, f->base, 0, 1, NULL), 0);
	assert_int_equal(ims_pt_unmap(f->pt, f->base, 3 * s, 1, NULL), 0);
	assert_int_equal(ims_pt_unmap(f->pt, f->base, s, 0, NULL), 0);
	assert_int_equal(ims_pt_unmap(f->pt, f->base, s, SIZE_MAX, NULL), 0);
	assert_int_equal(ims_pt_unmap(f->pt, UINT64_MAX - s + 1, s, 2, NULL), 0);
	assert_int_equal(leaves_in(f->pt, f->base, 4 * s), 4);
	assert_int_equal(ims_pt_unmap(f->pt, f->base, s, 4, NULL), 4 * s);
}

static void test_eexist_reports_prefix(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	size_t mapped;

	assert_int_equal(ims_pt_map(f->pt, b + 3 * s, PA, s, 1, RW, &mapped), 0);
	assert_int_equal(ims_pt_map(f->pt, b, PA, s, 8, RW, &mapped), -EEXIST);
	assert_int_equal(mapped, 3 * s);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(ims_pt_iova_to_phys(f->pt, b + i * s), PA + i * s);
	assert_int_equal(ims_pt_iova_to_phys(f->pt, b + 3 * s), PA);
	assert_int_equal(leaves_in(f->pt, b + 4 * s, 4 * s), 0);
	/* A large leaf over a table that holds a leaf is in the way too. */
	if (f->big) {
		assert_int_equal(ims_pt_map(f->pt, b, PA, f->big, 1, RW, &mapped), -EEXIST);
		assert_int_equal(mapped, 0);
	}
	assert_int_equal(ims_pt_unmap(f->pt, b, s, 4, NULL), 4 * s);
}

static void test_unmap_stops_at_hole(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	size_t mapped;

	assert_int_equal(ims_pt_map(f->pt, b, PA, s, 1, RW, &mapped), 0);
	assert_int_equal(ims_pt_map(f->pt, b + 2 * s, PA, s, 1, RW, &mapped), 0);
	assert_int_equal(ims_pt_unmap(f->pt, b, s, 3, NULL), s);
	assert_int_equal(ims_pt_unmap(f->pt, b, s, 3, NULL), 0);
	assert_int_equal(ims_pt_iova_to_phys(f->pt, b + 2 * s), PA);
	assert_int_equal(ims_pt_unmap(f->pt, b + 2 * s, s, 1, NULL), s);
}

/*
 * A request inside a large leaf unmaps nothing; one at its start removes it
 * whole.  Formats that split remove exactly what was asked instead.
 */
static void test_unmap_large_leaf(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	size_t mapped;

	assert_int_equal(ims_pt_map(f->pt, b, PA, f->big, 1, RW, &mapped), 0);
	if (pt_test_split_sizes(f->cfg)) {
		assert_int_equal(ims_pt_unmap(f->pt, b + s, s, 1, NULL), s);
		assert_int_equal(ims_pt_iova_to_phys(f->pt, b + s), 0);
		assert_int_equal(ims_pt_unmap(f->pt, b, s, 1, NULL), s);
		assert_int_equal(ims_pt_iova_to_phys(f->pt, b + 2 * s), PA + 2 * s);
		assert_int_equal(leaves_in(f->pt, b, f->big), f->big / s - 2);
		assert_int_equal(ims_pt_unmap(f->pt, b + 2 * s, s, f->big / s - 2, NULL),
				 f->big - 2 * s);
		assert_int_equal(leaves_in(f->pt, b, f->big), 0);
		return;
	}
	assert_int_equal(ims_pt_unmap(f->pt, b + s, s, 1, NULL), 0);
	assert_int_equal(ims_pt_iova_to_phys(f->pt, b + s), PA + s);
	assert_int_equal(ims_pt_unmap(f->pt, b, s, 1, NULL), f->big);
	assert_int_equal(ims_pt_iova_to_phys(f->pt, b + s), 0);
	assert_int_equal(leaves_in(f->pt, b, f->big), 0);
}

/* Fully covered tables go onto the gather; pages are released by its sync only. */
static void test_gather_defers_release(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base, n = f->leaf_entries;
	struct ims_pt_gather g;
	size_t mapped, bytes, in_use;

	assert_int_equal(ims_pt_map(f->pt, b, PA, s, n, RW, &mapped), 0);
	bytes = table_bytes(f->pt);
	in_use = ims_pt_bytes_in_use();
	ims_pt_gather_init(&g);
	/* covering part of the leaf table frees nothing */
	assert_int_equal(ims_pt_unmap(f->pt, b, s, 1, &g), s);
	assert_int_equal(g.nr_freed, 0);
	assert_int_equal(ims_pt_unmap(f->pt, b + s, s, n - 1, &g), (n - 1) * s);
	assert_int_equal(g.nr_freed, 0);
	assert_int_equal(g.start, b);
	assert_int_equal(g.last, b + n * s - 1);
	assert_int_equal(g.pgsize, s);
	ims_pt_gather_sync(&g);
	assert_int_equal(table_bytes(f->pt), bytes);
	/* covering the whole table frees it, and its memory waits for the sync */
	assert_int_equal(ims_pt_map(f->pt, b, PA, s, n, RW, &mapped), 0);
	assert_int_equal(ims_pt_unmap(f->pt, b, s, n, &g), n * s);
	assert_int_equal(g.nr_freed, 1);
	assert_non_null(g.freelist);
	assert_int_equal(table_bytes(f->pt), bytes - f->leaf_table_bytes);
	assert_int_equal(ims_pt_bytes_in_use(), in_use);
	ims_pt_gather_sync(&g);
	assert_int_equal(ims_pt_bytes_in_use(), in_use - f->leaf_table_bytes);
	assert_null(g.freelist);
	assert_true(g.start > g.last);
}

struct sync_record {
	unsigned int calls;
	size_t nr_freed;
	uint64_t start, last;
	size_t in_use;
};

static void record_sync(void *arg, const struct ims_pt_gather *g)
{
	struct sync_record *r = arg;

	r->calls++;
	r->nr_freed = g->nr_freed;
	r->start = g->start;
	r->last = g->last;
	r->in_use = ims_pt_bytes_in_use();
}

/* An empty table in the way of a large leaf is replaced; its page goes through the sync. */
static void test_large_leaf_replaces_empty_table(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	struct sync_record rec = { 0 };
	size_t mapped, bytes, in_use;

	ims_pt_set_sync(f->pt, record_sync, &rec);
	assert_int_equal(ims_pt_map(f->pt, b + s, PA, s, 1, RW, &mapped), 0);
	assert_int_equal(ims_pt_unmap(f->pt, b + s, s, 1, NULL), s);
	bytes = table_bytes(f->pt);
	in_use = ims_pt_bytes_in_use();
	assert_int_equal(ims_pt_map(f->pt, b, PA, f->big, 1, RW, &mapped), 0);
	assert_int_equal(mapped, f->big);
	assert_int_equal(rec.calls, 1);
	assert_int_equal(rec.nr_freed, 1);
	assert_int_equal(rec.start, b);
	assert_int_equal(rec.last, b + f->big - 1);
	assert_int_equal(rec.in_use, in_use); /* not released before the callback */
	assert_int_equal(ims_pt_bytes_in_use(), in_use - f->leaf_table_bytes);
	assert_int_equal(table_bytes(f->pt), bytes - f->leaf_table_bytes);
	assert_int_equal(ims_pt_iova_to_phys(f->pt, b + s + 5), PA + s + 5);
	assert_int_equal(ims_pt_unmap(f->pt, b, f->big, 1, NULL), f->big);
}

/*
 * Splitting (ARM LPAE): a large leaf cut by an unmap becomes a table of the
 * next level's leaves with the same attributes; the gather covers what was
 * removed; a split whose table cannot be allocated removes nothing.
 */
static void test_split_keeps_attributes(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	int prot = RW | IMS_PROT_CACHE | IMS_PROT_NOEXEC;
	struct ims_pt_gather g;
	struct ims_pt_xlate x;
	size_t mapped, bytes;

	assert_int_equal(ims_pt_map(f->pt, b, PA, f->big, 1, prot, &mapped), 0);
	bytes = table_bytes(f->pt);
	ims_fail_nth_set(1);
	assert_int_equal(ims_pt_unmap(f->pt, b + 3 * s, s, 2, NULL), 0);
	ims_fail_nth_set(0);
	assert_int_equal(table_bytes(f->pt), bytes);
	assert_int_equal(ims_pt_iova_to_phys(f->pt, b + 3 * s), PA + 3 * s);
	ims_pt_gather_init(&g);
	assert_int_equal(ims_pt_unmap(f->pt, b + 3 * s, s, 2, &g), 2 * s);
	assert_int_equal(g.start, b + 3 * s);
	assert_int_equal(g.last, b + 5 * s - 1);
	assert_int_equal(g.nr_freed, 0);
	ims_pt_gather_sync(&g);
	assert_int_equal(table_bytes(f->pt), bytes + f->leaf_table_bytes);
	assert_int_equal(ims_pt_iova_to_phys(f->pt, b + 4 * s + 9), 0);
	assert_int_equal(ims_pt_translate(f->pt, b + 5 * s + 9, IMS_PROT_READ, &x), 0);
	assert_int_equal(x.pa, PA + 5 * s + 9);
	assert_int_equal(x.leaf_size, s);
	assert_int_equal(x.prot, pt_test_expect_prot(f->cfg, prot));
	assert_int_equal(leaves_in(f->pt, b, f->big), f->big / s - 2);
	/* the rest goes in two calls, stopping at the hole the first time */
	assert_int_equal(ims_pt_unmap(f->pt, b, s, f->big / s, NULL), 3 * s);
	assert_int_equal(ims_pt_unmap(f->pt, b + 5 * s, s, f->big / s - 5, NULL), f->big - 5 * s);
	assert_int_equal(leaves_in(f->pt, b, f->big), 0);
}

struct walk_record {
	uint64_t iova[4], size[4];
	unsigned int level[4];
	int prot[4];
	unsigned int n, stop_after;
};

static int record_leaf(void *arg, uint64_t iova, uint64_t pa, uint64_t size, int prot,
		       unsigned int level)
{
	struct walk_record *w = arg;

	w->iova[w->n] = iova;
	w->size[w->n] = size;
	w->level[w->n] = level;
	w->prot[w->n] = prot;
	return ++w->n == w->stop_after ? 77 : 0;
}

static void test_walk(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	struct walk_record w = { .stop_after = 4 };
	size_t mapped;

	assert_int_equal(ims_pt_map(f->pt, b, PA, f->big, 1, IMS_PROT_READ, &mapped), 0);
	assert_int_equal(ims_pt_map(f->pt, b + f->big, PA, s, 2, RW, &mapped), 0);
	/* a range starting inside the large leaf reports all of it */
	assert_int_equal(ims_pt_walk(f->pt, b + s, f->big + 2 * s, record_leaf, &w), 0);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.iova[0], b);
	assert_int_equal(w.size[0], f->big);
	assert_int_equal(w.prot[0], pt_test_expect_prot(f->cfg, IMS_PROT_READ));
	assert_int_equal(w.iova[2], b + f->big + s);
	assert_int_equal(w.size[2], s);
	assert_true(w.level[0] > w.level[2]);
	assert_int_equal(w.prot[2], pt_test_expect_prot(f->cfg, RW));
	w = (struct walk_record){ .stop_after = 2 };
	assert_int_equal(ims_pt_walk(f->pt, b, 4 * f->big, record_leaf, &w), 77);
	assert_int_equal(ims_pt_walk(f->pt, b, 0, record_leaf, &w), -EINVAL);
	assert_int_equal(ims_pt_walk(f->pt, UINT64_MAX, 2, record_leaf, &w), -ERANGE);
	assert_int_equal(ims_pt_unmap(f->pt, b, f->big, 1, NULL), f->big);
	assert_int_equal(ims_pt_unmap(f->pt, b + f->big, s, 2, NULL), 2 * s);
}

static void test_translate(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	int ro = pt_test_expect_prot(f->cfg, IMS_PROT_READ);
	int wo = pt_test_expect_prot(f->cfg, IMS_PROT_WRITE);
	struct ims_pt_xlate x;
	size_t mapped;

	assert_int_equal(ims_pt_map(f->pt, b, PA, s, 1, IMS_PROT_READ, &mapped), 0);
	assert_int_equal(ims_pt_map(f->pt, b + s, PA + s, s, 1, IMS_PROT_WRITE, &mapped), 0);
	assert_int_equal(ims_pt_translate(f->pt, b + 8, IMS_PROT_READ, &x), 0);
	assert_int_equal(x.pa, PA + 8);
	assert_int_equal(x.leaf_size, s);
	assert_int_equal(x.prot, ro);
	/* formats without permission bits (MediaTek) let the write through */
	assert_int_equal(ims_pt_translate(f->pt, b + 8, IMS_PROT_WRITE, &x),
			 ro & IMS_PROT_WRITE ? 0 : -EPERM);
	assert_int_equal(ims_pt_translate(f->pt, b + s, IMS_PROT_WRITE, &x), 0);
	assert_int_equal(ims_pt_translate(f->pt, b + s, IMS_PROT_READ, &x),
			 wo & IMS_PROT_READ ? 0 : -EPERM);
	assert_int_equal(ims_pt_translate(f->pt, b + 2 * s, IMS_PROT_READ, &x), -ENOENT);
	if (f->cfg->ias < 64)
		assert_int_equal(ims_pt_translate(f->pt, 1ull << f->cfg->ias, IMS_PROT_READ, &x),
				 -ENOENT);
	assert_int_equal(ims_pt_unmap(f->pt, b, s, 2, NULL), 2 * s);
}

struct dirty_record {
	uint64_t iova[8], size[8];
	unsigned int n;
};

static void record_dirty(void *arg, uint64_t iova, uint64_t size)
{
	struct dirty_record *d = arg;

	d->iova[d->n] = iova;
	d->size[d->n++] = size;
}

static unsigned int read_dirty(struct fixture *f, unsigned int flags, struct dirty_record *d)
{
	*d = (struct dirty_record){ 0 };
	assert_int_equal(ims_pt_read_and_clear_dirty(f->pt, f->base, 1ull << 30, flags,
						     record_dirty, d), 0);
	return d->n;
}

static void test_dirty(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	struct dirty_record d;
	struct ims_pt_xlate x;
	size_t mapped;

	if (!(f->cfg->features & IMS_PT_FEAT_DIRTY)) {
		assert_int_equal(ims_pt_read_and_clear_dirty(f->pt, b, s, 0, record_dirty, &d),
				 -EOPNOTSUPP);
		assert_int_equal(ims_pt_set_dirty(f->pt, b), -EOPNOTSUPP);
		return;
	}
	assert_int_equal(ims_pt_map(f->pt, b, PA, s, 4, RW, &mapped), 0);
	/* ARM maps writable leaves writable-dirty, as the kernel does: clear first */
	assert_int_equal(read_dirty(f, 0, &d), pt_test_starts_dirty(f->cfg) ? 4 : 0);
	assert_int_equal(read_dirty(f, 0, &d), 0);
	assert_int_equal(ims_pt_translate(f->pt, b + s + 1, IMS_PROT_READ, &x), 0);
	assert_int_equal(read_dirty(f, 0, &d), 0);
	assert_int_equal(ims_pt_translate(f->pt, b + s + 1, IMS_PROT_WRITE, &x), 0);
	assert_int_equal(ims_pt_set_dirty(f->pt, b + 3 * s), 0);
	assert_int_equal(read_dirty(f, IMS_PT_DIRTY_NO_CLEAR, &d), 2);
	assert_int_equal(read_dirty(f, 0, &d), 2);
	assert_int_equal(d.iova[0], b + s);
	assert_int_equal(d.iova[1], b + 3 * s);
	assert_int_equal(d.size[1], s);
	assert_int_equal(read_dirty(f, 0, &d), 0);
	assert_int_equal(ims_pt_set_dirty(f->pt, b + 4 * s), -ENOENT);
	/* a read-only leaf cannot become dirty */
	assert_int_equal(ims_pt_map(f->pt, b + 4 * s, PA, s, 1, IMS_PROT_READ, &mapped), 0);
	assert_int_equal(ims_pt_set_dirty(f->pt, b + 4 * s), -EPERM);
	assert_int_equal(ims_pt_translate(f->pt, b + 4 * s, IMS_PROT_WRITE, &x), -EPERM);
	assert_int_equal(read_dirty(f, 0, &d), 0);
	assert_int_equal(ims_pt_unmap(f->pt, b, s, 5, NULL), 5 * s);
}

/* A contiguous leaf (AMD next level 7) is dirty when any of its entries is. */
static void test_dirty_contiguous(void **state)
{
	struct fixture *f = *state;
	uint64_t s = f->small, b = f->base;
	struct dirty_record d;
	size_t mapped;

	assert_int_equal(ims_pt_map(f->pt, b, PA, 4 * s, 1, RW, &mapped), 0);
	assert_int_equal(ims_pt_set_dirty(f->pt, b + 2 * s + 7), 0);
	assert_int_equal(read_dirty(f, 0, &d), 1);
	assert_int_equal(d.iova[0], b);
	assert_int_equal(d.size[0], 4 * s);
	assert_int_equal(read_dirty(f, 0, &d), 0);
	assert_int_equal(ims_pt_unmap(f->pt, b, 4 * s, 1, NULL), 4 * s);
}

static void test_create_errors(void **state)
{
	static const struct ims_pt_cfg bad[] = {
		{ .format = IMS_PT_AMD_V1, .levels = 7 },
		{ .format = IMS_PT_AMD_V1, .ias = 65 },
		{ .format = IMS_PT_AMD_V1, .levels = 2, .ias = 31 },
		{ .format = IMS_PT_AMD_V1, .oas = 53 },
		{ .format = IMS_PT_AMD_V1, .granule_lg2 = 16 },
		{ .format = IMS_PT_AMD_V1, .granule_lg2 = 11, .levels = 6 },
		{ .format = IMS_PT_AMD_V1, .granule_lg2 = 11, .oas = 52 },
		{ .format = IMS_PT_AMD_V1, .features = IMS_PT_FEAT_SNOOP },
		{ .format = IMS_PT_AMD_V1, .pgsize_bitmap = 1ull << 39 },
		{ .format = IMS_PT_X86_64, .levels = 3 },
		{ .format = IMS_PT_X86_64, .ias = 58 },
		{ .format = IMS_PT_X86_64, .granule_lg2 = 14 },
		{ .format = IMS_PT_X86_64, .pgsize_bitmap = 1ull << 13 },
		{ .format = IMS_PT_VTD_SS, .levels = 6 },
		{ .format = IMS_PT_VTD_SS, .features = IMS_PT_FEAT_NS },
		{ .format = IMS_PT_S390, .levels = 2 },
		{ .format = IMS_PT_S390, .levels = 6 },
		{ .format = IMS_PT_S390, .levels = 3, .ias = 43 },
		{ .format = IMS_PT_S390, .ias = 65 },
		{ .format = IMS_PT_S390, .granule_lg2 = 16 },
		{ .format = IMS_PT_S390, .features = IMS_PT_FEAT_DIRTY },
		{ .format = IMS_PT_S390, .pgsize_bitmap = 1ull << 20 },
		{ .format = IMS_PT_SPRD, .ias = 33 },
		{ .format = IMS_PT_SPRD, .ias = 12 },
		{ .format = IMS_PT_SPRD, .oas = 45 },
		{ .format = IMS_PT_SPRD, .features = IMS_PT_FEAT_DIRTY },
		{ .format = IMS_PT_TEGRA_GART, .oas = 32 },
		{ .format = IMS_PT_TEGRA_GART, .granule_lg2 = 14 },
		{ .format = IMS_PT_TEGRA_SMMU, .ias = 31 },
		{ .format = IMS_PT_TEGRA_SMMU, .oas = 31 },
		{ .format = IMS_PT_TEGRA_SMMU, .oas = 35 },
		{ .format = IMS_PT_TEGRA_SMMU, .levels = 3 },
		{ .format = IMS_PT_OMAP, .ias = 31 },
		{ .format = IMS_PT_OMAP, .oas = 33 },
		{ .format = IMS_PT_OMAP, .levels = 1 },
		{ .format = IMS_PT_OMAP, .pgsize_bitmap = 1ull << 13 },
		{ .format = IMS_PT_ARM_V7S, .ias = 33 },                  /* 34 only for MediaTek */
		{ .format = IMS_PT_ARM_V7S, .ias = 35, .features = IMS_PT_FEAT_MTK_EXT },
		{ .format = IMS_PT_ARM_V7S, .ias = 20 },
		{ .format = IMS_PT_ARM_V7S, .oas = 33 },                  /* 35 only for MediaTek */
		{ .format = IMS_PT_ARM_V7S, .oas = 36, .features = IMS_PT_FEAT_MTK_EXT },
		{ .format = IMS_PT_ARM_V7S, .levels = 3 },
		{ .format = IMS_PT_ARM_V7S, .granule_lg2 = 16 },
		{ .format = IMS_PT_ARM_V7S, .features = IMS_PT_FEAT_DIRTY },
		{ .format = IMS_PT_ARM_V7S, .pgsize_bitmap = 1ull << 13 },
		{ .format = IMS_PT_MTK_V1, .ias = 31 },
		{ .format = IMS_PT_MTK_V1, .oas = 31 },
		{ .format = IMS_PT_MTK_V1, .levels = 2 },
		{ .format = IMS_PT_MTK_V1, .pgsize_bitmap = 1ull << 16 },
		{ .format = IMS_PT_EXYNOS, .oas = 33 },                   /* 36 only with v5 */
		{ .format = IMS_PT_EXYNOS, .features = IMS_PT_FEAT_NS },
		{ .format = IMS_PT_EXYNOS, .pgsize_bitmap = 1ull << 24 }, /* no supersections */
		{ .format = IMS_PT_ROCKCHIP, .oas = 40 },                 /* 40 only with v2 */
		{ .format = IMS_PT_ROCKCHIP, .ias = 34 },
		{ .format = IMS_PT_ROCKCHIP, .pgsize_bitmap = 1ull << 16 },
		{ .format = IMS_PT_SUN50I, .oas = 34 },
		{ .format = IMS_PT_SUN50I, .features = IMS_PT_FEAT_V2_LAYOUT },
		{ .format = IMS_PT_ARM_LPAE_S1, .granule_lg2 = 13 },
		{ .format = IMS_PT_ARM_LPAE_S1, .oas = 38 },          /* no TCR.IPS encoding */
		{ .format = IMS_PT_ARM_LPAE_S1, .ias = 24 },          /* T0SZ above 39 */
		{ .format = IMS_PT_ARM_LPAE_S1, .levels = 3 },        /* 48 bits need 4 */
		{ .format = IMS_PT_ARM_LPAE_S1, .granule_lg2 = 12, .pgsize_bitmap = 1ull << 16 },
		{ .format = IMS_PT_ARM_LPAE_S1, .pgsize_bitmap = 1ull << 21 }, /* no granule */
		{ .format = IMS_PT_ARM_LPAE_S1, .features = IMS_PT_FEAT_SNOOP },
		{ .format = IMS_PT_ARM_LPAE_S2, .features = IMS_PT_FEAT_DIRTY },
		{ .format = IMS_PT_ARM_LPAE_S2, .features = IMS_PT_FEAT_NS },
		/* concatenation mandatory but more than 16 initial tables */
		{ .format = IMS_PT_ARM_LPAE_S2, .granule_lg2 = 14, .ias = 47, .oas = 40 },
		{ .format = IMS_PT_APPLE_DART, .granule_lg2 = 16 },
		{ .format = IMS_PT_APPLE_DART, .oas = 40 },
		{ .format = IMS_PT_APPLE_DART, .ias = 40 },            /* beyond OAS 36 */
		{ .format = IMS_PT_APPLE_DART, .granule_lg2 = 12, .ias = 33 }, /* 8 TTBRs */
		{ .format = IMS_PT_APPLE_DART, .features = IMS_PT_FEAT_DIRTY },
		{ .format = IMS_PT_APPLE_DART, .features = IMS_PT_FEAT_V2_LAYOUT, .oas = 36 },
		{ .format = IMS_PT_APPLE_DART, .levels = 3 },
		{ .format = IMS_PT_APPLE_DART, .granule_lg2 = 12, .features = IMS_PT_FEAT_V2_LAYOUT },
		{ .format = IMS_PT_RISCV, .levels = 2 },               /* Sv39 is the smallest */
		{ .format = IMS_PT_RISCV, .levels = 6 },
		{ .format = IMS_PT_RISCV, .ias = 58 },
		{ .format = IMS_PT_RISCV, .oas = 57 },                 /* PPN ends at bit 53 */
		{ .format = IMS_PT_RISCV, .granule_lg2 = 14 },
		{ .format = IMS_PT_RISCV, .features = IMS_PT_FEAT_NS },
		{ .format = IMS_PT_RISCV, .pgsize_bitmap = 1ull << 16 },  /* no Svnapot */
		{ .format = (enum ims_pt_format)IMS_PT_FORMAT_NR },
	};
	struct ims_pt *pt = NULL;
	size_t in_use = ims_pt_bytes_in_use();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("# bad cfg %zu\n", i);
		assert_int_equal(ims_pt_create(&bad[i], &pt), -EINVAL);
		assert_null(pt);
	}
	assert_int_equal(ims_pt_bytes_in_use(), in_use);
	ims_pt_destroy(NULL);
}

struct cfg_expect {
	struct ims_pt_cfg in;
	unsigned int levels, ias, oas, granule_lg2;
	uint64_t pgsize_bitmap;
	size_t root_bytes; /* what the table holds after create: the root */
};

/* The effective configuration of @e and the bytes of a fresh table's root. */
static void check_effective_config(const struct cfg_expect *e)
{
	const struct ims_pt_cfg *c;
	struct ims_pt *pt;

	assert_int_equal(ims_pt_create(&e->in, &pt), 0);
	c = ims_pt_config(pt);
	print_message("# %s: sizes %#llx\n", ims_pt_format_name(e->in.format),
		      (unsigned long long)c->pgsize_bitmap);
	assert_int_equal(c->levels, e->levels);
	assert_int_equal(c->ias, e->ias);
	assert_int_equal(c->oas, e->oas);
	assert_int_equal(c->granule_lg2, e->granule_lg2);
	assert_int_equal(c->pgsize_bitmap, e->pgsize_bitmap);
	assert_int_equal(table_bytes(pt), e->root_bytes);
	ims_pt_destroy(pt);
}

static void test_effective_config(void **state)
{
	static const struct cfg_expect rows[] = {
		{ { .format = IMS_PT_AMD_V1 }, 4, 48, 52, 12, 0x0000FF7FFFFFF000ull, 4096 },
		{ { .format = IMS_PT_AMD_V1, .levels = 6 }, 6, 64, 52, 12, 0x000FFF7FFFFFF000ull, 4096 },
		{ { .format = IMS_PT_AMD_V1, .ias = 32 }, 3, 32, 52, 12, 0x00000001FFFFF000ull, 4096 },
		{ { .format = IMS_PT_AMD_V1, .granule_lg2 = 11 }, 3, 38, 51, 11, 0x0000003FFFFFF800ull, 4096 },
		{ { .format = IMS_PT_AMD_V1, .pgsize_bitmap = 0x40201000 }, 4, 48, 52, 12, 0x40201000, 4096 },
		{ { .format = IMS_PT_X86_64 }, 4, 48, 52, 12, 0x40201000, 4096 },
		{ { .format = IMS_PT_X86_64, .ias = 57 }, 5, 57, 52, 12, 0x40201000, 4096 },
		{ { .format = IMS_PT_VTD_SS, .ias = 39, .oas = 46 }, 3, 39, 46, 12, 0x40201000, 4096 },
		{ { .format = IMS_PT_VTD_SS, .pgsize_bitmap = 0x201000 }, 4, 48, 52, 12, 0x201000, 4096 },
		{ { .format = IMS_PT_ARM_V7S }, 2, 32, 32, 12, 0x01111000, 16384 },
		{ { .format = IMS_PT_ARM_V7S, .ias = 24 }, 2, 24, 32, 12, 0x01111000, 1024 },
		{ { .format = IMS_PT_ARM_V7S, .features = IMS_PT_FEAT_MTK_EXT }, 2, 32, 35, 12,
		  0x01111000, 16384 },
		{ { .format = IMS_PT_ARM_V7S, .ias = 34, .oas = 33, .features = IMS_PT_FEAT_MTK_EXT },
		  2, 34, 33, 12, 0x01111000, 65536 },
		{ { .format = IMS_PT_ARM_V7S, .pgsize_bitmap = 0x101000 }, 2, 32, 32, 12, 0x101000,
		  16384 },
		{ { .format = IMS_PT_MTK_V1 }, 1, 32, 32, 12, 0x1000, 4u << 20 },
		{ { .format = IMS_PT_EXYNOS }, 2, 32, 32, 12, 0x111000, 16384 },
		{ { .format = IMS_PT_EXYNOS, .features = IMS_PT_FEAT_V2_LAYOUT }, 2, 32, 36, 12,
		  0x111000, 16384 },
		{ { .format = IMS_PT_ROCKCHIP }, 2, 32, 32, 12, 0x1000, 4096 },
		{ { .format = IMS_PT_ROCKCHIP, .features = IMS_PT_FEAT_V2_LAYOUT }, 2, 32, 40, 12,
		  0x1000, 4096 },
		{ { .format = IMS_PT_SUN50I }, 2, 32, 32, 12, 0x1000, 16384 },
		/* s390: region and segment tables are 16 KiB */
		{ { .format = IMS_PT_S390 }, 3, 42, 64, 12, 0x1000, 16384 },
		{ { .format = IMS_PT_S390, .ias = 50 }, 4, 50, 64, 12, 0x1000, 16384 },
		{ { .format = IMS_PT_S390, .levels = 5 }, 5, 64, 64, 12, 0x1000, 16384 },
		/* sprd: the kernel's 256 MiB window in quarters, or one flat array */
		{ { .format = IMS_PT_SPRD }, 1, 28, 44, 12, 0x1000, 262144 },
		{ { .format = IMS_PT_SPRD, .ias = 26, .oas = 32 }, 1, 26, 32, 12, 0x1000, 65536 },
		{ { .format = IMS_PT_SPRD, .ias = 20 }, 1, 20, 44, 12, 0x1000, 1024 },
		{ { .format = IMS_PT_TEGRA_GART }, 1, 25, 31, 12, 0x1000, 32768 },
		{ { .format = IMS_PT_TEGRA_SMMU }, 2, 32, 32, 12, 0x1000, 4096 },
		{ { .format = IMS_PT_TEGRA_SMMU, .oas = 34 }, 2, 32, 34, 12, 0x1000, 4096 },
		{ { .format = IMS_PT_OMAP }, 2, 32, 32, 12, 0x1111000, 16384 },
		{ { .format = IMS_PT_OMAP, .pgsize_bitmap = 0x101000 }, 2, 32, 32, 12, 0x101000, 16384 },
		{ { .format = IMS_PT_ARM_LPAE_S1 }, 4, 48, 48, 12, 0x40201000, 4096 },
		{ { .format = IMS_PT_ARM_LPAE_S1, .ias = 32 }, 3, 32, 48, 12, 0x40201000, 4096 },
		{ { .format = IMS_PT_ARM_LPAE_S1, .ias = 52, .oas = 52 }, 4, 48, 48, 12, 0x40201000,
		  4096 },
		{ { .format = IMS_PT_ARM_LPAE_S1, .granule_lg2 = 14 }, 4, 48, 48, 14, 0x2004000,
		  4096 },
		{ { .format = IMS_PT_ARM_LPAE_S1, .granule_lg2 = 16, .oas = 52 }, 3, 48, 52, 16,
		  0x40020010000ull, 4096 },
		{ { .format = IMS_PT_ARM_LPAE_S1, .pgsize_bitmap = 0x20010000 }, 3, 48, 48, 16,
		  0x20010000, 4096 },
		{ { .format = IMS_PT_ARM_LPAE_S2, .ias = 40, .oas = 44 }, 4, 40, 44, 12, 0x40201000,
		  4096 },
		{ { .format = IMS_PT_APPLE_DART }, 2, 32, 36, 14, 0x4000, 4096 },
		{ { .format = IMS_PT_APPLE_DART, .granule_lg2 = 12 }, 3, 32, 36, 12, 0x1000, 4096 },
		{ { .format = IMS_PT_APPLE_DART, .features = IMS_PT_FEAT_V2_LAYOUT }, 2, 32, 42, 14,
		  0x4000, 4096 },
		{ { .format = IMS_PT_RISCV }, 3, 39, 56, 12, 0x40201000, 4096 },
		{ { .format = IMS_PT_RISCV, .ias = 32 }, 3, 32, 56, 12, 0x40201000, 4096 },
		{ { .format = IMS_PT_RISCV, .levels = 4 }, 4, 48, 56, 12, 0x8040201000ull, 4096 },
		{ { .format = IMS_PT_RISCV, .levels = 5, .oas = 50 }, 5, 57, 50, 12,
		  0x1008040201000ull, 4096 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_effective_config(&rows[i]);
}

/*
 * Stage-2 concatenated initial tables where the architecture requires them
 * (DDI 0487 K.a R_SRKBC, R_DXBSH): one level fewer and a larger root.
 */
static void test_arm_concatenated_roots(void **state)
{
	static const struct {
		struct ims_pt_cfg in;
		unsigned int levels;
		size_t root_bytes;
	} rows[] = {
		{ { .format = IMS_PT_ARM_LPAE_S2, .ias = 40, .oas = 40 }, 3, 8192 },
		{ { .format = IMS_PT_ARM_LPAE_S2, .ias = 42, .oas = 42 }, 3, 32768 },
		{ { .format = IMS_PT_ARM_LPAE_S2, .ias = 40, .oas = 44 }, 4, 4096 }, /* not mandatory */
		{ { .format = IMS_PT_ARM_LPAE_S2, .granule_lg2 = 14, .ias = 40, .oas = 40 }, 2, 262144 },
		{ { .format = IMS_PT_ARM_LPAE_S2, .granule_lg2 = 14 }, 3, 32768 },
		{ { .format = IMS_PT_ARM_LPAE_S1, .ias = 40, .oas = 40 }, 4, 4096 }, /* stage 1 never */
		{ { .format = IMS_PT_ARM_LPAE_S2, .granule_lg2 = 16, .ias = 48 }, 3, 4096 }, /* 64K: never */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ims_pt *pt;
		size_t mapped;
		uint64_t page, top;

		print_message("# concatenation row %zu\n", i);
		assert_int_equal(ims_pt_create(&rows[i].in, &pt), 0);
		assert_int_equal(ims_pt_config(pt)->levels, rows[i].levels);
		assert_int_equal(table_bytes(pt), rows[i].root_bytes);
		/* the last page of the input space lands in the last concatenated table */
		page = ims_pt_config(pt)->pgsize_bitmap & -ims_pt_config(pt)->pgsize_bitmap;
		top = (1ull << ims_pt_config(pt)->ias) - page;
		assert_int_equal(ims_pt_map(pt, top, PA, page, 1, RW, &mapped), 0);
		assert_int_equal(ims_pt_iova_to_phys(pt, top + 5), PA + 5);
		ims_pt_destroy(pt);
	}
}

/* Every format has a name, and an implementation that takes its defaults. */
static void test_format_names(void **state)
{
	enum ims_pt_format f;

	for (int i = 0; i < IMS_PT_FORMAT_NR; i++) {
		struct ims_pt_cfg cfg = { .format = (enum ims_pt_format)i };
		struct ims_pt *pt;

		assert_int_equal(ims_pt_format_from_name(ims_pt_format_name(i), &f), 0);
		assert_int_equal(f, i);
		assert_int_equal(ims_pt_create(&cfg, &pt), 0);
		ims_pt_destroy(pt);
	}
	assert_string_equal(ims_pt_format_name(IMS_PT_AMD_V1), "amd-v1");
	assert_string_equal(ims_pt_format_name(IMS_PT_FORMAT_NR), "unknown");
	assert_int_equal(ims_pt_format_from_name("amd-v2", &f), -EINVAL);
}

/* What a per-configuration case needs of the effective configuration. */
enum needs {
	ANY = 0,
	BIG = 1 << 0,        /* a leaf size of the level above the smallest leaves */
	DIRTY_CONTIG = 1 << 1, /* dirty tracking and 4-entry contiguous leaves */
	TABLES = 1 << 2,     /* a level of tables above the smallest leaves */
	SPLIT = 1 << 3,      /* BIG, and the format splits leaves */
};

struct per_cfg_case {
	struct CMUnitTest test;
	enum needs needs;
};

#define PER_CFG(fn, needs) { { #fn, fn, setup, teardown, NULL }, needs }

static enum needs cfg_offers(const struct pt_test_cfg *tc)
{
	struct fixture *f;
	void *state = (void *)tc;
	enum needs offers;

	setup(&state);
	f = state;
	offers = (f->big ? BIG : 0) |
		 (f->pt->size_level[__builtin_ctzll(f->small)] < f->pt->top ? TABLES : 0) |
		 ((f->cfg->features & IMS_PT_FEAT_DIRTY) && (f->cfg->pgsize_bitmap & (4 * f->small)) ?
			  DIRTY_CONTIG : 0) |
		 (f->big && pt_test_split_sizes(f->cfg) ? SPLIT : 0);
	teardown(&state);
	return offers;
}

static const struct per_cfg_case per_cfg[] = {
	PER_CFG(test_bad_input, ANY),
	PER_CFG(test_bad_unmap, ANY),
	PER_CFG(test_eexist_reports_prefix, ANY),
	PER_CFG(test_unmap_stops_at_hole, ANY),
	PER_CFG(test_unmap_large_leaf, BIG),
	PER_CFG(test_split_keeps_attributes, SPLIT),
	PER_CFG(test_gather_defers_release, TABLES),
	PER_CFG(test_large_leaf_replaces_empty_table, BIG),
	PER_CFG(test_walk, BIG),
	PER_CFG(test_translate, ANY),
	PER_CFG(test_dirty, ANY),
	PER_CFG(test_dirty_contiguous, DIRTY_CONTIG),
};

static const struct CMUnitTest global[] = {
	cmocka_unit_test(test_create_errors),
	cmocka_unit_test(test_effective_config),
	cmocka_unit_test(test_arm_concatenated_roots),
	cmocka_unit_test(test_format_names),
};

int main(void)
{
	const size_t n_per = sizeof(per_cfg) / sizeof(per_cfg[0]);
	const size_t n_global = sizeof(global) / sizeof(global[0]);
	size_t n = pt_test_nr_cfgs * n_per + n_global, k = 0;
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	char (*names)[96] = calloc(n, sizeof(*names));
	int ret;

	for (size_t c = 0; c < pt_test_nr_cfgs; c++) {
		enum needs offers = cfg_offers(&pt_test_cfgs[c]);

		for (size_t t = 0; t < n_per; t++) {
			if ((per_cfg[t].needs & offers) != per_cfg[t].needs)
				continue;
			snprintf(names[k], sizeof(names[k]), "%s: %s", pt_test_cfgs[c].name,
				 per_cfg[t].test.name + 5);
			tests[k] = per_cfg[t].test;
			tests[k].name = names[k];
			tests[k++].initial_state = (void *)&pt_test_cfgs[c];
		}
	}
	for (size_t t = 0; t < n_global; t++)
		tests[k++] = global[t];
	ret = _cmocka_run_group_tests("pt_semantics", tests, k, NULL, NULL);
	free(tests);
	free(names);
	return ret;
}
