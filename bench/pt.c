// SPDX-License-Identifier: MIT
/*
 * bench/pt: page-table map, unmap and lookup costs, with the machine's
 * memory floor measured in the same run (spec/performance.md 5 and 6,
 * rows 1-3).
 *
 * Prints one TSV line per measurement:
 *   format  shape  op  ns_per_leaf  table_pages
 * Shapes: 1G-4K-1call (1 GiB of 4 KiB leaves in one call), 1G-4K-percall
 * (one call per leaf), 1G-2M-1call, 1G-2M-percall (1G-1M-* for the 32-bit
 * formats with 1 MiB sections; none for those with 4 KiB pages only; the
 * Apple DART, whose only page is its 16 KiB granule, runs 1G-16K-1call and
 * 1G-16K-percall below its 32-bit IAS and 36-bit OAS instead).  The 32-bit
 * formats map IOVA and PA from 1 GiB.  Ops: map (a fresh table per run),
 * unmap (every leaf the map made, one gather sync per call), lookup-rand /
 * lookup-seq / lookup-dep (iova_to_phys of 1e6 random, sequential, and
 * dependent random IOVAs over 1 GiB of 4 KiB leaves, the DART's 16 KiB).  The
 * floor rows write 8-byte descriptors over 2 MiB of tables, hot and
 * pre-zeroed, or zeroing each 4 KiB table first.
 *
 * Each figure is, as performance.md 6 asks, the median of RUNS timed runs
 * after one warm-up run, and the whole matrix runs PASSES times: the line
 * printed is the median of the passes' medians (the first pass also warms
 * up the machine: this VM's first milliseconds are slower).
 * Usage: pt [runs]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "iommusim/pt.h"

#define GIB (1ull << 30)
#define SZ_4K (1ull << 12)
#define SZ_1M (1ull << 20)
#define SZ_2M (1ull << 21)
#define SZ_16K (1ull << 14)
#define BASE_IOVA (1ull << 32)
#define BASE_PA (1ull << 40)
#define NR_LOOKUPS 1000000
#define MAX_RUNS 31
#define PASSES 3
#define MAX_RESULTS 256
#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

static unsigned int runs = 7;
static unsigned int pass;

/* One line of output: its figure in each pass. */
struct result {
	const char *format, *shape, *op;
	double ns[PASSES];
	size_t pages;
};

static struct result results[MAX_RESULTS];
static unsigned int nr_results;

struct shape {
	const char *name;
	uint64_t pgsize;
	int per_call;
	const char *table;      /* the table it builds, as the lookup rows name it */
};

static const struct shape shapes[] = {
	{ "1G-4K-1call", SZ_4K, 0, "1G-4K" },
	{ "1G-4K-percall", SZ_4K, 1, "1G-4K" },
	{ "1G-2M-1call", SZ_2M, 0, "1G-2M" },
	{ "1G-2M-percall", SZ_2M, 1, "1G-2M" },
	{ "1G-1M-1call", SZ_1M, 0, "1G-1M" },
	{ "1G-1M-percall", SZ_1M, 1, "1G-1M" },
	{ "1G-16K-1call", SZ_16K, 0, "1G-16K" },
	{ "1G-16K-percall", SZ_16K, 1, "1G-16K" },
};

#define SHAPES_4K 0x3u
#define SHAPES_4K_2M 0xfu
#define SHAPES_4K_1M 0x33u
#define SHAPES_16K 0xc0u
#define LOOKUP_16K 6 /* the shape whose table the lookups walk: 16 KiB leaves */

struct bench_fmt {
	const char *name;
	struct ims_pt_cfg cfg;
	unsigned int shapes;    /* bit i: shapes[i] */
	uint64_t iova, pa;      /* where the 1 GiB goes, and from where */
	uint64_t span;          /* bytes measured: 1 GiB, or the format's whole window */
	unsigned int lookup;    /* the shape whose table the lookups walk (0: 4 KiB leaves) */
};

static uint64_t span_of(const struct bench_fmt *f)
{
	return f->span ? f->span : GIB;
}

static const struct bench_fmt formats[] = {
	{ "amd-v1", { .format = IMS_PT_AMD_V1 }, SHAPES_4K_2M, BASE_IOVA, BASE_PA, 0, 0 },
	{ "amd-v1-mock2k", { .format = IMS_PT_AMD_V1, .granule_lg2 = 11, .levels = 4 },
	  SHAPES_4K_2M, BASE_IOVA, BASE_PA, 0, 0 },
	{ "x86-64", { .format = IMS_PT_X86_64 }, SHAPES_4K_2M, BASE_IOVA, BASE_PA, 0, 0 },
	{ "vtd-ss", { .format = IMS_PT_VTD_SS }, SHAPES_4K_2M, BASE_IOVA, BASE_PA, 0, 0 },
	{ "arm-lpae-s1", { .format = IMS_PT_ARM_LPAE_S1 }, SHAPES_4K_2M, BASE_IOVA, BASE_PA, 0, 0 },
	{ "arm-lpae-s2", { .format = IMS_PT_ARM_LPAE_S2 }, SHAPES_4K_2M, BASE_IOVA, BASE_PA, 0, 0 },
	{ "apple-dart", { .format = IMS_PT_APPLE_DART }, SHAPES_16K, 0, 1ull << 34, 0, LOOKUP_16K },
	{ "riscv-sv39", { .format = IMS_PT_RISCV }, SHAPES_4K_2M, BASE_IOVA, BASE_PA, 0, 0 },
	{ "riscv-sv48", { .format = IMS_PT_RISCV, .levels = 4 }, SHAPES_4K_2M, BASE_IOVA, BASE_PA,
	  0, 0 },
	{ "arm-v7s", { .format = IMS_PT_ARM_V7S }, SHAPES_4K_1M, GIB, GIB, 0, 0 },
	{ "arm-v7s-mtk", { .format = IMS_PT_ARM_V7S, .features = IMS_PT_FEAT_MTK_EXT },
	  SHAPES_4K_1M, GIB, 4 * GIB, 0, 0 },
	{ "mtk-v1", { .format = IMS_PT_MTK_V1 }, SHAPES_4K, GIB, GIB, 0, 0 },
	{ "exynos", { .format = IMS_PT_EXYNOS }, SHAPES_4K_1M, GIB, GIB, 0, 0 },
	{ "rockchip", { .format = IMS_PT_ROCKCHIP }, SHAPES_4K, GIB, GIB, 0, 0 },
	{ "rockchip-v2", { .format = IMS_PT_ROCKCHIP, .features = IMS_PT_FEAT_V2_LAYOUT },
	  SHAPES_4K, GIB, 16 * GIB, 0, 0 },
	{ "sun50i", { .format = IMS_PT_SUN50I }, SHAPES_4K, GIB, GIB, 0, 0 },
	{ "s390", { .format = IMS_PT_S390 }, SHAPES_4K, BASE_IOVA, BASE_PA, 0, 0 },
	{ "sprd", { .format = IMS_PT_SPRD }, SHAPES_4K, 0, GIB, 256ull << 20, 0 },
	{ "tegra-gart", { .format = IMS_PT_TEGRA_GART }, SHAPES_4K, 0, GIB, 32ull << 20, 0 },
	{ "tegra-smmu", { .format = IMS_PT_TEGRA_SMMU }, SHAPES_4K, GIB, GIB, 0, 0 },
	{ "omap", { .format = IMS_PT_OMAP }, SHAPES_4K_1M, GIB, GIB, 0, 0 },
};

static void die(const char *what, int err);

static void emit(const char *format, const char *shape, const char *op, double ns,
		 size_t pages)
{
	struct result *r = NULL;

	for (unsigned int i = 0; i < nr_results && !r; i++)
		if (results[i].format == format && results[i].shape == shape && results[i].op == op)
			r = &results[i];
	if (!r) {
		if (nr_results == MAX_RESULTS)
			die("too many results", -1);
		r = &results[nr_results++];
		*r = (struct result){ .format = format, .shape = shape, .op = op };
	}
	r->ns[pass] = ns;
	r->pages = pages;
}

static void print_results(void)
{
	printf("format\tshape\top\tns_per_leaf\ttable_pages\n");
	for (unsigned int i = 0; i < nr_results; i++) {
		struct result *r = &results[i];

		printf("%s\t%s\t%s\t%.2f\t%zu\n", r->format, r->shape, r->op,
		       median(r->ns, PASSES), r->pages);
	}
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench/pt: %s: %d\n", what, err);
	exit(1);
}

static void map_shape(struct ims_pt *pt, const struct bench_fmt *f, const struct shape *s)
{
	size_t n = span_of(f) / s->pgsize, mapped;
	int ret;

	if (!s->per_call) {
		ret = ims_pt_map(pt, f->iova, f->pa, s->pgsize, n, RW, &mapped);
		if (ret)
			die("map", ret);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		ret = ims_pt_map(pt, f->iova + i * s->pgsize, f->pa + i * s->pgsize, s->pgsize, 1, RW,
				 &mapped);
		if (ret)
			die("map", ret);
	}
}

static void unmap_shape(struct ims_pt *pt, const struct bench_fmt *f, const struct shape *s)
{
	size_t n = span_of(f) / s->pgsize, calls = s->per_call ? n : 1, per = n / calls;
	struct ims_pt_gather g;

	ims_pt_gather_init(&g);
	for (size_t i = 0; i < calls; i++) {
		if (ims_pt_unmap(pt, f->iova + i * per * s->pgsize, s->pgsize, per, &g) !=
		    per * s->pgsize)
			die("unmap", -1);
		ims_pt_gather_sync(&g);
	}
}

static void bench_shape(const struct bench_fmt *f, const struct shape *s)
{
	double map_ns[MAX_RUNS], unmap_ns[MAX_RUNS];
	double leaves = (double)(span_of(f) / s->pgsize);
	struct ims_pt_mem_stats st = { 0 };

	for (unsigned int r = 0; r <= runs; r++) {
		struct ims_pt *pt;
		double t0, t1, t2;
		int ret = ims_pt_create(&f->cfg, &pt);

		if (ret)
			die("create", ret);
		t0 = now_ns();
		map_shape(pt, f, s);
		t1 = now_ns();
		ims_pt_mem_stats(pt, &st);
		unmap_shape(pt, f, s);
		t2 = now_ns();
		ims_pt_destroy(pt);
		if (r) { /* run 0 warms up */
			map_ns[r - 1] = (t1 - t0) / leaves;
			unmap_ns[r - 1] = (t2 - t1) / leaves;
		}
	}
	emit(f->name, s->name, "map", median(map_ns, runs), st.table_pages);
	emit(f->name, s->name, "unmap", median(unmap_ns, runs), st.table_pages);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* The next IOVA of the dependent chain, from the previous translation. */
static uint64_t next_dependent(const struct bench_fmt *f, uint64_t pa)
{
	uint64_t page = ((pa - f->pa) >> 12) * 0x9E3779B97F4A7C15ull;

	return f->iova + ((page >> 46) << 12);
}

static double time_lookups(const struct ims_pt *pt, const struct bench_fmt *f,
			   const uint64_t *iovas, int dependent)
{
	double t0 = now_ns();
	uint64_t sum = 0, iova = f->iova;

	for (size_t i = 0; i < NR_LOOKUPS; i++) {
		if (dependent) {
			uint64_t pa = ims_pt_iova_to_phys(pt, iova);

			iova = next_dependent(f, pa);
			sum += pa;
		} else {
			sum += ims_pt_iova_to_phys(pt, iovas[i]);
		}
	}
	if (!sum)
		die("lookup", -1);
	return (now_ns() - t0) / NR_LOOKUPS;
}

static void bench_lookups(const struct bench_fmt *f)
{
	static const char *const ops[] = { "lookup-rand", "lookup-seq", "lookup-dep" };
	uint64_t *iovas = malloc(2 * NR_LOOKUPS * sizeof(*iovas)), seed = 88172645463325252ull;
	struct ims_pt_mem_stats st;
	struct ims_pt *pt;

	if (!iovas || ims_pt_create(&f->cfg, &pt))
		die("lookup setup", -1);
	map_shape(pt, f, &shapes[f->lookup]);
	ims_pt_mem_stats(pt, &st);
	for (size_t i = 0; i < NR_LOOKUPS; i++) {
		iovas[i] = f->iova + (xorshift(&seed) % (span_of(f) >> 3)) * 8;
		iovas[NR_LOOKUPS + i] = f->iova + i * (span_of(f) / NR_LOOKUPS);
	}
	for (int op = 0; op < 3; op++) {
		double ns[MAX_RUNS];

		for (unsigned int r = 0; r <= runs; r++) {
			double t = time_lookups(pt, f, iovas + (op == 1 ? NR_LOOKUPS : 0), op == 2);

			if (r)
				ns[r - 1] = t;
		}
		emit(f->name, shapes[f->lookup].table, ops[op], median(ns, runs), st.table_pages);
	}
	ims_pt_destroy(pt);
	free(iovas);
}

/* The floor: 8-byte stores of pa | attrs over 2 MiB of tables, as one bulk map writes them. */
static double store_floor(uint64_t *tables, int zero_each_page)
{
	size_t n = GIB / SZ_4K;
	uint64_t e = BASE_PA | 0x67;
	double t0 = now_ns();

	for (size_t i = 0; i < n; i += 512) {
		uint64_t *t = tables + i;

		if (zero_each_page)
			memset(t, 0, SZ_4K);
		for (size_t k = 0; k < 512; k++, e += SZ_4K)
			__atomic_store_n(&t[k], e, __ATOMIC_RELAXED);
	}
	__asm__ volatile("" : : "r"(tables) : "memory");
	return (now_ns() - t0) / n;
}

static void bench_floor(void)
{
	static const char *const ops[] = { "store-hot", "store-zero" };
	size_t bytes = GIB / SZ_4K * 8;
	uint64_t *tables = aligned_alloc(SZ_4K, bytes);

	if (!tables)
		die("floor setup", -1);
	memset(tables, 0, bytes);
	for (int op = 0; op < 2; op++) {
		double ns[MAX_RUNS];

		for (unsigned int r = 0; r <= runs; r++) {
			double t;

			if (!op)
				memset(tables, 0, bytes);
			t = store_floor(tables, op);
			if (r)
				ns[r - 1] = t;
		}
		emit("floor", "1G-4K", ops[op], median(ns, runs), bytes / SZ_4K);
	}
	free(tables);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		runs = (unsigned int)atoi(argv[1]);
		if (runs < 1 || runs > MAX_RUNS)
			die("runs must be 1..31", -1);
	}
	for (pass = 0; pass < PASSES; pass++) {
		bench_floor();
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
				if (formats[i].shapes & (1u << s))
					bench_shape(&formats[i], &shapes[s]);
			bench_lookups(&formats[i]);
		}
	}
	print_results();
	return 0;
}
