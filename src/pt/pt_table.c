// SPDX-License-Identifier: MIT
/*
 * Page tables: the format registry, create and destroy, configuration and
 * accounting queries, and table allocation for the rest of the engine.
 *
 * The registry is indexed by enum ims_pt_format.  Every format has a name
 * (so that platform files and the command line can name formats that are
 * still to come); a format without an implementation has no hooks and
 * ims_pt_create() answers -EOPNOTSUPP for it.
 *
 * Table accounting: pt->nr_bytes counts the bytes of the tables linked into
 * the table (root included; second-level tables may be smaller than a
 * page); the allocator counts what is handed out process-wide, which also
 * includes tables unlinked by an unmap and waiting in a gather.
 */
#include <errno.h>
#include <string.h>

#include "pt_engine.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/log.h"

struct pt_registry_entry {
	const char *name;
	const struct pt_format *fmt;
};

static const struct pt_registry_entry pt_registry[IMS_PT_FORMAT_NR] = {
	[IMS_PT_ARM_LPAE_S1] = { "arm-lpae-s1", &pt_fmt_arm_lpae_s1 },
	[IMS_PT_ARM_LPAE_S2] = { "arm-lpae-s2", &pt_fmt_arm_lpae_s2 },
	[IMS_PT_APPLE_DART] = { "apple-dart", &pt_fmt_dart },
	[IMS_PT_ARM_V7S] = { "arm-v7s", &pt_fmt_arm_v7s },
	[IMS_PT_VTD_SS] = { "vtd-ss", &pt_fmt_vtdss },
	[IMS_PT_X86_64] = { "x86-64", &pt_fmt_x86_64 },
	[IMS_PT_AMD_V1] = { "amd-v1", &pt_fmt_amdv1 },
	[IMS_PT_RISCV] = { "riscv", &pt_fmt_riscv },
	[IMS_PT_MTK_V1] = { "mtk-v1", &pt_fmt_mtk_v1 },
	[IMS_PT_SPRD] = { "sprd", &pt_fmt_sprd },
	[IMS_PT_TEGRA_GART] = { "tegra-gart", &pt_fmt_tegra_gart },
	[IMS_PT_S390] = { "s390", &pt_fmt_s390 },
	[IMS_PT_TEGRA_SMMU] = { "tegra-smmu", &pt_fmt_tegra_smmu },
	[IMS_PT_EXYNOS] = { "exynos", &pt_fmt_exynos },
	[IMS_PT_ROCKCHIP] = { "rockchip", &pt_fmt_rockchip },
	[IMS_PT_OMAP] = { "omap", &pt_fmt_omap },
	[IMS_PT_SUN50I] = { "sun50i", &pt_fmt_sun50i },
};

IMS_EXPORT const char *ims_pt_format_name(enum ims_pt_format format)
{
	if ((unsigned int)format >= IMS_PT_FORMAT_NR)
		return "unknown";
	return pt_registry[format].name;
}

IMS_EXPORT int ims_pt_format_from_name(const char *name, enum ims_pt_format *format)
{
	for (unsigned int i = 0; i < IMS_PT_FORMAT_NR; i++) {
		if (!strcmp(pt_registry[i].name, name)) {
			*format = i;
			return 0;
		}
	}
	return -EINVAL;
}

void *pt_table_alloc(struct ims_pt *pt, unsigned int level)
{
	const struct pt_level *lvl = &pt->lvl[level];
	void *table = pt_pages_alloc(pt->pool, lvl->table_lg2);

	if (!table)
		return NULL;
	pt->nr_bytes += (size_t)1 << lvl->table_lg2;
	/* Zeroed by the allocator; formats with an invalid bit want it in every slot. */
	if (lvl->empty)
		for (size_t i = 0; i < (size_t)1 << (lvl->table_lg2 - pt->entry_lg2); i++)
			pt_store(pt, table, i, lvl->empty);
	return table;
}

void pt_drop_table(struct ims_pt *pt, void *table, struct ims_pt_gather *g)
{
	pt->nr_bytes -= pt_pages_size(table);
	if (!g) {
		pt_pages_free(table);
		return;
	}
	pt_pages_link_push(&g->freelist, table);
	g->nr_freed++;
}

struct pt_drop_visit {
	struct pt_visit v;
	struct ims_pt_gather *g;
};

static int drop_table_done(struct pt_visit *v, void *parent, size_t slot, void *table,
			   unsigned int table_level)
{
	pt_drop_table(v->pt, table, ims_container_of(v, struct pt_drop_visit, v)->g);
	return 0;
}

void pt_drop_subtree(struct ims_pt *pt, void *table, unsigned int level, struct ims_pt_gather *g)
{
	struct pt_drop_visit d = {
		.v = { .pt = pt, .table_done = drop_table_done },
		.g = g,
	};
	unsigned int span_lg2 = pt->lvl[level].shift + pt->lvl[level].index_bits;

	/* Where the subtree sits in the IOVA space does not matter: visit all its slots. */
	pt_visit_range(&d.v, table, level, 0, span_lg2 >= 64 ? UINT64_MAX : (1ull << span_lg2) - 1);
	pt_drop_table(pt, table, g);
}

int pt_check_iova_range(const struct ims_pt *pt, uint64_t iova, size_t pgsize, size_t count,
			uint64_t *last)
{
	unsigned int size_lg2 = __builtin_ctzll(pgsize);

	if (!count || count - 1 > (UINT64_MAX >> size_lg2))
		return -EINVAL;
	if (__builtin_add_overflow(iova, ((uint64_t)(count - 1) << size_lg2) + (pgsize - 1), last))
		return -ERANGE;
	return *last > pt->max_iova ? -ERANGE : 0;
}

static int pt_create_tables(struct ims_pt *pt)
{
	int ret = pt->fmt->init(pt);

	if (ret)
		return ret;
	ret = pt_geom_finish(pt);
	if (ret)
		return ret;
	pt->root = pt_table_alloc(pt, pt->top);
	return pt->root ? 0 : -ENOMEM;
}

IMS_EXPORT int ims_pt_create(const struct ims_pt_cfg *cfg, struct ims_pt **out)
{
	struct ims_pt *pt;
	int ret;

	if ((unsigned int)cfg->format >= IMS_PT_FORMAT_NR)
		return -EINVAL;
	if (!pt_registry[cfg->format].fmt)
		return -EOPNOTSUPP;
	pt = ims_zalloc(sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->fmt = pt_registry[cfg->format].fmt;
	pt->cfg = *cfg;
	ret = pt_create_tables(pt);
	if (ret)
		goto err_free_pt;
	ims_dbg(IMS_LOG_PT, "%s table %p: %u levels, ias %u, oas %u, sizes %#llx",
		pt_registry[cfg->format].name, (void *)pt, pt->top + 1u, pt->cfg.ias, pt->cfg.oas,
		(unsigned long long)pt->cfg.pgsize_bitmap);
	*out = pt;
	return 0;

err_free_pt:
	ims_free(pt);
	return ret;
}

IMS_EXPORT void ims_pt_destroy(struct ims_pt *pt)
{
	if (!pt)
		return;
	pt_drop_subtree(pt, pt->root, pt->top, NULL);
	ims_free(pt);
}

IMS_EXPORT const struct ims_pt_cfg *ims_pt_config(const struct ims_pt *pt)
{
	return &pt->cfg;
}

IMS_EXPORT void ims_pt_set_sync(struct ims_pt *pt, ims_pt_sync_fn fn, void *arg)
{
	pt->sync_fn = fn;
	pt->sync_arg = arg;
}

IMS_EXPORT uint64_t ims_pt_root(const struct ims_pt *pt)
{
	return (uintptr_t)pt->root;
}

IMS_EXPORT void ims_pt_mem_stats(const struct ims_pt *pt, struct ims_pt_mem_stats *out)
{
	out->table_bytes = pt->nr_bytes;
	out->table_pages = (pt->nr_bytes + (1ul << PT_PAGE_LG2) - 1) >> PT_PAGE_LG2;
}

IMS_EXPORT size_t ims_pt_pages_in_use(void)
{
	return pt_pages_in_use();
}

IMS_EXPORT size_t ims_pt_bytes_in_use(void)
{
	return pt_bytes_in_use();
}
