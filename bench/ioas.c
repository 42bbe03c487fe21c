// SPDX-License-Identifier: MIT
/*
 * bench/ioas: iommufd IOAS bookkeeping (spec/performance.md 6, row 7).
 *
 * Prints one TSV line per measurement, in bench/vfio's columns
 * (bench  case  metric  value  unit):
 *
 *   itree      N=<n>            ns per insert / lookup / remove of the
 *                               interval tree alone: N areas of 64 KiB
 *                               inserted in random order, N lookups of
 *                               random IOVAs (drawn before the clock
 *                               starts), removal in random order
 *   ioas-map   N=<n>[,domain]   ns per IOMMU_IOAS_MAP of one 64 KiB area at
 *                               a fixed IOVA, random order, through the
 *                               ioctl surface; ",domain" with a mock paging
 *                               domain attached (pins and page-table writes
 *                               included)
 *   ioas-unmap N=<n>[,domain]   ns per IOMMU_IOAS_UNMAP of one area
 *
 * Every area maps the same 64 KiB buffer.  N = 1k, 64k and 1M for the tree
 * and the bare IOAS; 1k and 16k with a domain (the mock domain's 2 GiB
 * aperture holds 32k areas).  Medians of 5 runs (the 1M shapes: 3).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "clock.h"
#include "iommufd/test_abi.h"
#include "iommusim/host.h"
#include "util/itree.h"

#define SZ_64K (1ull << 16)
/* Inside the selftest mock domain's aperture [16 MiB, 2 GiB). */
#define IOVA_BASE (1ull << 24)

/* xorshift64: cheap and the same on every run. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* 0..n-1 in a random order (Fisher-Yates). */
static uint32_t *random_order(uint32_t n, uint64_t seed)
{
	uint32_t *order = malloc(n * sizeof(*order));

	if (!order) {
		perror("bench/ioas");
		exit(1);
	}
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(next_random(&seed) % (i + 1));
		uint32_t tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	return order;
}

static uint64_t slot_iova(uint32_t slot)
{
	return IOVA_BASE + (uint64_t)slot * SZ_64K;
}

/* ---- the interval tree alone ---- */

static void bench_itree(uint32_t n, int runs)
{
	struct ims_itree_node *nodes = calloc(n, sizeof(*nodes));
	uint64_t *queries = malloc(n * sizeof(*queries));
	uint32_t *order = random_order(n, 0x9e3779b97f4a7c15ull);
	double tins[5], tlook[5], trem[5];
	uint64_t seed = 42, found = 0;

	for (int r = 0; r < runs; r++) {
		struct ims_itree tree = IMS_ITREE_INIT;
		double t0 = now_ns();

		for (uint32_t i = 0; i < n; i++) {
			nodes[order[i]].start = slot_iova(order[i]);
			nodes[order[i]].last = slot_iova(order[i]) + SZ_64K - 1;
			ims_itree_insert(&tree, &nodes[order[i]]);
		}
		tins[r] = (now_ns() - t0) / n;
		for (uint32_t i = 0; i < n; i++)
			queries[i] = IOVA_BASE + next_random(&seed) % ((uint64_t)n * SZ_64K);
		t0 = now_ns();
		for (uint32_t i = 0; i < n; i++)
			found += ims_itree_iter_first(&tree, queries[i], queries[i]) != NULL;
		tlook[r] = (now_ns() - t0) / n;
		t0 = now_ns();
		for (uint32_t i = 0; i < n; i++)
			ims_itree_remove(&tree, &nodes[order[n - 1 - i]]);
		trem[r] = (now_ns() - t0) / n;
	}
	if (found != (uint64_t)n * runs)
		fprintf(stderr, "bench/ioas: the tree lost areas\n");
	printf("itree\tN=%u\tns_per_insert\t%.0f\tns\n", n, median(tins, runs));
	printf("itree\tN=%u\tns_per_lookup\t%.0f\tns\n", n, median(tlook, runs));
	printf("itree\tN=%u\tns_per_remove\t%.0f\tns\n", n, median(trem, runs));
	free(queries);
	free(order);
	free(nodes);
}

/* ---- the IOAS through the ioctl surface ---- */

struct ioas_bed {
	struct ims_host *host;
	int fd;
	uint32_t ioas;
};

static void must(long ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "bench/ioas: %s: %s\n", what, strerror((int)-ret));
		exit(1);
	}
}

static struct ioas_bed bed_create(bool domain)
{
	struct ims_host_options opts = { .iommufd_test = true, .ipc_lock = 1 };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct ioas_bed bed;

	must(ims_host_create("mock", &opts, &bed.host, NULL, 0), "host");
	bed.fd = ims_open(bed.host, "/dev/iommu", O_RDWR);
	must(bed.fd, "open /dev/iommu");
	must(ims_ioctl(bed.host, bed.fd, IOMMU_IOAS_ALLOC, &alloc), "IOMMU_IOAS_ALLOC");
	bed.ioas = alloc.out_ioas_id;
	if (domain) {
		struct ims_iommu_test_cmd cmd = {
			.size = sizeof(cmd), .op = IMS_TEST_OP_MOCK_DOMAIN, .id = bed.ioas,
		};

		must(ims_ioctl(bed.host, bed.fd, IMS_IOMMU_TEST_CMD, &cmd), "mock domain");
	}
	return bed;
}

static void bench_ioas(uint32_t n, bool domain, int runs, void *buf)
{
	uint32_t *order = random_order(n, 0x2545f4914f6cdd1dull);
	double tmap[5], tunmap[5];

	for (int r = 0; r < runs; r++) {
		struct ioas_bed bed = bed_create(domain);
		struct iommu_ioas_map map = {
			.size = sizeof(map), .ioas_id = bed.ioas, .length = SZ_64K,
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.user_va = (uintptr_t)buf,
		};
		struct iommu_ioas_unmap unmap = { .size = sizeof(unmap), .ioas_id = bed.ioas,
						  .length = SZ_64K };
		double t0 = now_ns();

		for (uint32_t i = 0; i < n; i++) {
			map.iova = slot_iova(order[i]);
			must(ims_ioctl(bed.host, bed.fd, IOMMU_IOAS_MAP, &map), "IOMMU_IOAS_MAP");
		}
		tmap[r] = (now_ns() - t0) / n;
		t0 = now_ns();
		for (uint32_t i = 0; i < n; i++) {
			unmap.iova = slot_iova(order[n - 1 - i]);
			must(ims_ioctl(bed.host, bed.fd, IOMMU_IOAS_UNMAP, &unmap), "IOMMU_IOAS_UNMAP");
		}
		tunmap[r] = (now_ns() - t0) / n;
		ims_host_destroy(bed.host);
	}
	printf("ioas-map\tN=%u%s\tns_per_area\t%.0f\tns\n", n, domain ? ",domain" : "",
	       median(tmap, runs));
	printf("ioas-unmap\tN=%u%s\tns_per_area\t%.0f\tns\n", n, domain ? ",domain" : "",
	       median(tunmap, runs));
	free(order);
}

int main(void)
{
	static const uint32_t sizes[] = { 1024, 65536, 1048576 }, with_domain[] = { 1024, 16384 };
	void *buf = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (buf == MAP_FAILED) {
		perror("bench/ioas: mmap");
		return 1;
	}
	printf("bench\tcase\tmetric\tvalue\tunit\n");
	for (size_t k = 0; k < 3; k++)
		bench_itree(sizes[k], k == 2 ? 3 : 5);
	for (size_t k = 0; k < 3; k++)
		bench_ioas(sizes[k], false, k == 2 ? 3 : 5, buf);
	for (size_t k = 0; k < 2; k++)
		bench_ioas(with_domain[k], true, 5, buf);
	munmap(buf, SZ_64K);
	return 0;
}
