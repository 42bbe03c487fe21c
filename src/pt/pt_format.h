/* SPDX-License-Identifier: MIT */
/*
 * The page-table format contract: what one hardware format supplies to the
 * shared engine, and the per-table state they share.
 *
 * Glossary
 *   iova     an input address, as a device issues it.
 *   pa       an output address.  "Physical" addresses are the process's
 *            virtual addresses (DESIGN 4): a descriptor holds a pointer's
 *            value in the format's bit layout, and the address of a table
 *            is a pointer to it.
 *   level    0 is the level whose entries map the smallest pages; the top
 *            is levels - 1.  Each format file maps the manual's names (PTE,
 *            PDE, PML4E, AMD's "mode", ...) onto these numbers.
 *   table    the block of entries of one level, 1 << table_lg2 bytes, from
 *            the page allocator (pt_pages.h).
 *   entry    one descriptor word, 4 or 8 bytes (entry_lg2 2 or 3); its
 *            index in the table is its "slot".
 *   item     the IOVA span of one entry of a level: 1 << shift bytes.
 *   leaf     what translates: one page of any supported size.  A "single"
 *            leaf is one entry whose page is the level's item; a
 *            "contiguous" leaf is a larger page written as the same
 *            descriptor into 2^n aligned consecutive slots (AMD next-level
 *            7; later ARM's contiguous hint).  Pages smaller than an item
 *            live one level down.
 *   present  an entry the hardware would use.  Our tables only ever hold
 *            present entries or their level's empty word.
 *   empty    the word of an unused slot: zero, except in formats whose
 *            entries carry an *invalid* bit rather than a valid bit (s390),
 *            where it is that bit, as the kernel fills those tables.
 *   last     inclusive: [iova, last] names a range, never an exclusive end,
 *            so a range may end at UINT64_MAX (AMD's 64-bit IOVA space).
 *   _lg2     a log2 value: size_lg2 = 12 means 4096 bytes.
 *
 * Division of work
 *   The engine (pt_table.c, pt_map.c, pt_unmap.c, pt_lookup.c, pt_walk.c)
 *   owns every algorithm and the table memory.  A format describes itself:
 *
 *   - data, filled by its init hook into struct ims_pt: the level geometry
 *     (struct pt_level) and masks that classify an entry (present? table
 *     pointer? single leaf?) and extract addresses.  The hot loops (bulk
 *     map and unmap, iova_to_phys) use only these, never a hook per entry;
 *   - hooks (struct pt_format) that encode descriptors and decode what the
 *     masks cannot, called once per map call, per table installed or per
 *     leaf decoded by the slower paths.
 *
 *   Leaf encodings are linear in the PA: the descriptor of the k-th leaf
 *   of a run is make_leaf(pa) + k * (pgsize shifted by pa_shift), so the
 *   bulk loop writes `entry += delta`.  Every format so far is; a format
 *   that is not must say so (pa_linear = false) and the engine then calls
 *   make_leaf for each leaf.
 *
 * Memory ordering: the caller serialises changes to one table; a
 * translation (device DMA) may walk it concurrently.  Entries are read and
 * written with relaxed atomics, and a new table is published with a release
 * store after it is zeroed, so a walker sees either nothing or a table of
 * zeroes.  Hardware-set dirty bits are set and cleared atomically.
 */
#ifndef IMS_PT_FORMAT_H
#define IMS_PT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommusim/pt.h"

#define PT_MAX_LEVELS 6
/* pa_shift and table_shift of a RISC-V PPN (address >> 2), which the engine's fast paths know. */
#define PT_RISCV_SHIFT (-2)
#define PT_NO_LEVEL 0xff

/* table_mask/table_match of a level that holds no table pointers. */
#define PT_NEVER_MASK 0
#define PT_NEVER_MATCH 1

/* Bits hi..lo set, as the manuals draw fields. */
#define PT_GENMASK(hi, lo) ((~0ull >> (63 - (hi))) & (~0ull << (lo)))
#define PT_BIT(n) (1ull << (n))

/* Geometry and entry classification of one level. */
struct pt_level {
	uint8_t shift;      /* lg2 of the item: the IOVA bit where this level's index starts */
	uint8_t index_bits; /* lg2 of the number of entries of a table of this level */
	uint8_t table_lg2;  /* lg2 of the bytes allocated for one table of this level */
	uint64_t index_mask; /* (1 << index_bits) - 1, set by pt_geom_finish() */
	uint64_t pgsizes;   /* leaf sizes this level holds, single and contiguous */
	/* A present entry points at a table of level - 1 iff (e & table_mask) == table_match. */
	uint64_t table_mask, table_match;
	/* A present leaf is single iff (e & single_mask) == single_match; else decode_contig. */
	uint64_t single_mask, single_match;
	uint64_t oa_mask;   /* the PA field of a single leaf of this level */
	/* The word of an empty slot (usually 0): tables of this level are filled
	 * with it, cleared slots get it back, and presence is tested on e ^ empty. */
	uint64_t empty;
};

/* One page table.  The caller serialises changes (pt.h). */
struct ims_pt {
	const struct pt_format *fmt;
	struct ims_pt_cfg cfg;     /* effective configuration, defaults filled in */
	void *root;
	uint8_t top;               /* level of the root table: levels - 1 */
	uint8_t entry_lg2;         /* 3: 64-bit descriptors, 2: 32-bit */
	uint8_t pool;              /* enum pt_pool the tables come from */
	bool fast64;               /* 64-bit entries, linear, empty slots zero (engine) */
	bool radix9;               /* fast64 in place, 4 KiB items, 512 entries a table (engine) */
	bool radix9_ppn;           /* radix9's shape, addresses in a RISC-V PPN (engine) */
	int8_t pa_shift;           /* a leaf's PA field = pa << pa_shift (>> when negative) */
	int8_t table_shift;        /* a table entry's address field = table << table_shift */
	uint64_t present_mask;     /* present iff ((e ^ lvl[level].empty) & present_mask) != 0 */
	uint64_t table_addr_mask;  /* the address field of a table entry */
	uint64_t dirty_bit;        /* the leaf's hardware dirty bit; 0 without IMS_PT_FEAT_DIRTY */
	bool dirty_inverted;       /* the dirty state is dirty_bit *clear* (ARM DBM: a write
				    * clears AP[2], the read-only bit, of a writable leaf) */
	uint64_t max_iova;         /* 2^ias - 1 */
	uint64_t max_pa;           /* 2^oas - 1 */
	size_t nr_bytes;           /* bytes of the tables linked into this table */
	ims_pt_sync_fn sync_fn;    /* see ims_pt_set_sync() */
	void *sync_arg;
	uint8_t size_level[64];    /* leaf size lg2 -> its level, or PT_NO_LEVEL */
	struct pt_level lvl[PT_MAX_LEVELS];
};

/*
 * The hooks of one format.  All but decode_contig are required.  None may
 * fail on a table the engine built; none allocates.
 */
struct pt_format {
	/*
	 * Validate pt->cfg (the caller's configuration) and complete it: fill
	 * in ias, oas, levels and granule_lg2 where 0, and set every
	 * format-owned field of struct ims_pt: top, entry_lg2, pool (0 is
	 * PT_POOL_ANY), pa_shift, table_shift, the masks, dirty_bit (when the
	 * feature is asked for, and dirty_inverted) and lvl[0..top]: shift,
	 * index_bits, table_lg2, pgsizes, the masks and empty (usually
	 * pt_geom_settle(), then the masks and sizes).  A top table may be
	 * larger than the others (ARM stage-2 concatenated tables).  init may
	 * replace pt->fmt by a variant of its own format, e.g. one whose
	 * encoding is not pa_linear for some configurations.  The engine then
	 * narrows the page sizes to
	 * cfg.pgsize_bitmap, ias and oas, and fills index_mask, size_level,
	 * max_iova, max_pa, fast64, radix9 and radix9_ppn (pt_geom_finish()).
	 * Return: 0, or -EINVAL for a configuration the format cannot express.
	 */
	int (*init)(struct ims_pt *pt);
	/*
	 * The attribute bits a leaf carries for @prot (IMS_PROT_*):
	 * permissions, cacheability, accessed/dirty preset.  No address, no
	 * size encoding, no valid bit: make_leaf adds those.  Called once per
	 * map call.  Return: 0, or -EINVAL for a prot the format refuses.
	 */
	int (*leaf_bits)(const struct ims_pt *pt, int prot, uint64_t *bits);
	/*
	 * The descriptor of a leaf of 1 << @size_lg2 bytes at @pa, in a table
	 * of @level: the word written into each of its slots (one slot when
	 * size_lg2 is the level's shift).  @pa is aligned to the size and the
	 * size is in lvl[level].pgsizes.
	 */
	uint64_t (*make_leaf)(const struct ims_pt *pt, uint64_t pa, unsigned int level,
			      unsigned int size_lg2, uint64_t bits);
	/* The descriptor, in a table of @level, that points at @table (of level - 1). */
	uint64_t (*make_table)(const struct ims_pt *pt, const void *table, unsigned int level);
	/*
	 * For a present leaf that the level's single mask does not call
	 * single: its size and the PA where its page starts.  NULL when the
	 * format has no contiguous leaves.
	 */
	void (*decode_contig)(const struct ims_pt *pt, uint64_t e, unsigned int level,
			      unsigned int *size_lg2, uint64_t *pa);
	/*
	 * The IMS_PROT_* a present leaf of @level grants.  (Short-descriptor
	 * formats cannot tell a first-level section from a second-level small
	 * page by the descriptor alone: the level places the attribute field.)
	 */
	int (*leaf_prot)(const struct ims_pt *pt, uint64_t e, unsigned int level);
	/*
	 * The split hook.  NULL: the format never splits a leaf (a request
	 * that starts inside a leaf stops the unmap there, one that starts
	 * where a larger leaf starts removes it whole: generic_pt, x86, AMD).
	 * Set: unmap never removes more than asked, as io-pgtable-arm did
	 * until v6.13: a leaf only partly inside the request is replaced by
	 * a table of the next level whose leaves (one per slot, each the
	 * level's item) map the same addresses, and the engine unmaps in
	 * it.  The hook returns the bits make_leaf needs to write such
	 * leaves with the attributes of the present leaf @e (permissions,
	 * cacheability, dirty state).  Formats that split write only single
	 * leaves.
	 */
	uint64_t (*leaf_attrs)(const struct ims_pt *pt, uint64_t e, unsigned int level);
	/* Leaf encodings are linear in the PA (see above). */
	bool pa_linear;
};

/* The implemented formats, one per file in fmt/. */
extern const struct pt_format pt_fmt_amdv1;
extern const struct pt_format pt_fmt_x86_64;
extern const struct pt_format pt_fmt_vtdss;
extern const struct pt_format pt_fmt_s390;
extern const struct pt_format pt_fmt_sprd;
extern const struct pt_format pt_fmt_tegra_gart;
extern const struct pt_format pt_fmt_tegra_smmu;
extern const struct pt_format pt_fmt_omap;
extern const struct pt_format pt_fmt_arm_v7s;
extern const struct pt_format pt_fmt_mtk_v1;
extern const struct pt_format pt_fmt_exynos;
extern const struct pt_format pt_fmt_rockchip;
extern const struct pt_format pt_fmt_sun50i;
extern const struct pt_format pt_fmt_arm_lpae_s1;
extern const struct pt_format pt_fmt_arm_lpae_s2;
extern const struct pt_format pt_fmt_dart;
extern const struct pt_format pt_fmt_riscv;

/*
 * Geometry helpers for formats (pt_geom.c).
 *
 * pt_geom_radix(): @levels levels of tables of 1 << @table_lg2 bytes of
 * (1 << pt->entry_lg2)-byte entries, level 0 items of 1 << @granule_lg2
 * bytes; the top table indexes only the bits left below bit 64.  Leaves
 * masks and pgsizes at zero for the format to fill (every level then has
 * PT_NEVER table masks: set them for levels that point at tables).
 */
void pt_geom_radix(struct ims_pt *pt, unsigned int granule_lg2, unsigned int table_lg2,
		   unsigned int levels);

/* What a radix format allows, for pt_geom_settle(). */
struct pt_geom_limits {
	uint8_t granule_lg2; /* the level-0 item */
	uint8_t table_lg2;   /* bytes of every table */
	uint8_t min_levels, max_levels, default_levels;
	uint8_t max_ias;     /* input bits the format can use at most */
	uint8_t max_oas;     /* output bits at most, and the default */
	uint64_t features;   /* IMS_PT_FEAT_* the format offers */
};
/*
 * Settle cfg.levels, ias and oas against @lim, then pt_geom_radix(): the
 * levels from ias (the fewest that translate it, at least min_levels), or
 * ias from the levels (all they translate, at most max_ias), or
 * default_levels when neither is given.  pt->entry_lg2 must be set and
 * cfg.granule_lg2 is set to lim->granule_lg2.  -EINVAL for a given value
 * out of range (granule, levels, ias, oas, a feature not offered) or an ias
 * the levels cannot translate.
 */
int pt_geom_settle(struct ims_pt *pt, const struct pt_geom_limits *lim);
/*
 * The x86 style: levels 0..@leaf_top hold single leaves of their item size
 * (PA field bits @pa_hi..shift); above level 0 an entry is a table unless
 * @leaf_flag (the PS bit) is set, and above @leaf_top always a table.
 */
void pt_geom_flag_leaves(struct ims_pt *pt, uint64_t leaf_flag, unsigned int leaf_top,
			 unsigned int pa_hi);
/* Narrow page sizes, build size_level[] and max_iova/max_pa.  -EINVAL if no size is left. */
int pt_geom_finish(struct ims_pt *pt);

#endif
