// SPDX-License-Identifier: MIT
/*
 * bench/vfio: VFIO type1 costs through the syscall surface
 * (spec/performance.md 6, rows 6 and 8).
 *
 * Prints one TSV line per measurement:  bench  case  metric  value  unit
 *
 *   attach-search  D=<n>      extra ns to attach a group behind a new
 *                             instance with D domains already in the
 *                             container (no mappings), over a first attach
 *                  slope      ns per existing domain the attach had to try
 *                             (least-squares slope over D = 1..16)
 *   replay         <shape>    ns per 4 KiB page replayed into a new domain
 *                             (1k x 1 MiB and 64k x 16 KiB mappings)
 *   map-dma        <shape>    ns per 4 KiB page of resident memory:
 *                             1 GiB in one call, and 4 KiB per call
 *   unmap-dma      <shape>    the same for VFIO_IOMMU_UNMAP_DMA
 *   ioctl          null       ns per VFIO_GET_API_VERSION (dispatch only)
 *
 * The host is built by hand: one mock IOMMU instance per group, so that
 * every group needs its own domain and each existing domain costs one
 * refused attach (foreign instance).  Each figure is the median of 7 runs.
 */
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "clock.h"
#include "drivers/mock/mock.h"
#include "host/host.h"

#define SZ_4K (1ull << 12)
#define SZ_16K (1ull << 14)
#define SZ_1M (1ull << 20)
#define GIB (1ull << 30)
#define NR_GROUPS 20
#define RUNS 7
#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

static int build(struct ims_host *host, void *arg)
{
	char name[32];
	int ret = 0;

	(void)arg;
	for (int i = 0; !ret && i < NR_GROUPS; i++) {
		struct ims_iommu *iommu;
		struct ims_device_desc desc = { .bus = IMS_BUS_PLATFORM, .msi_isolated = true };
		struct ims_device *dev;

		snprintf(name, sizeof(name), "mock%d", i);
		ret = ims_mock_register(host->core, name, NULL, &iommu);
		snprintf(name, sizeof(name), "dev%d", i);
		desc.name = name;
		desc.iommu = iommu;
		dev = ret ? NULL : ims_device_add(host->core, &desc);
		if (!ret && IS_ERR(dev))
			ret = (int)PTR_ERR(dev);
	}
	return ret ? ret : ims_core_probe_finish(host->core);
}

static bool all_vfio(struct ims_host *host, struct ims_device *dev, void *arg)
{
	(void)host;
	(void)dev;
	(void)arg;
	return true;
}

static struct ims_host *new_host(void)
{
	struct ims_host_params p = { .build = build, .vfio_bound = all_vfio };
	struct ims_host *host;

	if (ims_host_create_params(&p, &host)) {
		fprintf(stderr, "bench/vfio: cannot create the host\n");
		exit(1);
	}
	return host;
}

static int join(struct ims_host *host, int container, int group)
{
	char path[32];
	int gfd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	gfd = ims_open(host, path, O_RDWR);
	if (gfd < 0 || ims_ioctl(host, gfd, VFIO_GROUP_SET_CONTAINER, &container)) {
		fprintf(stderr, "bench/vfio: group %d cannot join\n", group);
		exit(1);
	}
	return gfd;
}

static void map(struct ims_host *host, int c, uint64_t iova, void *va, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = RW, .vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	if (ims_ioctl(host, c, VFIO_IOMMU_MAP_DMA, &m)) {
		fprintf(stderr, "bench/vfio: MAP_DMA failed\n");
		exit(1);
	}
}

/* A container with group 0 and TYPE1v2 set. */
static int open_container(struct ims_host *host)
{
	int c = ims_open(host, "/dev/vfio/vfio", O_RDWR);

	join(host, c, 0);
	ims_ioctl(host, c, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU);
	return c;
}

/* Median time to attach group D+1 with D domains already there, less an
 * attach with nothing to try. */
static double attach_extra_ns(int d)
{
	double t[RUNS], base[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct ims_host *host = new_host();
		int c = open_container(host);
		double t0;

		for (int g = 1; g < d; g++)
			join(host, c, g);
		t0 = now_ns();
		join(host, c, d);
		t[r] = now_ns() - t0;
		ims_host_destroy(host);
		host = new_host();
		c = ims_open(host, "/dev/vfio/vfio", O_RDWR);
		t0 = now_ns();
		join(host, c, 0); /* an attach with nothing to try */
		base[r] = now_ns() - t0;
		ims_host_destroy(host);
	}
	return median(t, RUNS) - median(base, RUNS);
}

/*
 * The search's cost per existing domain is the slope of the extra time
 * over D (least squares); the extra time itself also holds what a second
 * attach costs whatever D is (the container's lookups, a new domain).
 */
static void bench_search(void)
{
	static const int ds[] = { 1, 2, 4, 8, 16 };
	const int n = sizeof(ds) / sizeof(ds[0]);
	double sx = 0, sy = 0, sxx = 0, sxy = 0;

	for (int k = 0; k < n; k++) {
		double extra = attach_extra_ns(ds[k]);

		printf("attach-search\tD=%d\textra_ns\t%.0f\tns\n", ds[k], extra);
		sx += ds[k];
		sy += extra;
		sxx += (double)ds[k] * ds[k];
		sxy += ds[k] * extra;
	}
	printf("attach-search\tslope\tns_per_domain\t%.0f\tns\n",
	       (n * sxy - sx * sy) / (n * sxx - sx * sx));
}

static void bench_replay(const char *shape, uint64_t count, uint64_t size, void *buf)
{
	double t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct ims_host *host = new_host();
		int c = open_container(host);
		double t0;

		for (uint64_t i = 0; i < count; i++)
			map(host, c, GIB + i * 2 * size, buf, size);
		t0 = now_ns();
		join(host, c, 1);
		t[r] = now_ns() - t0;
		ims_host_destroy(host);
	}
	printf("replay\t%s\tns_per_page\t%.2f\tns\n", shape, median(t, RUNS) / (count * size / SZ_4K));
}

static void bench_map(void *buf)
{
	double tmap[RUNS], tunmap[RUNS], tmap1[RUNS], tunmap1[RUNS];
	const uint64_t pages = GIB / SZ_4K, small = 16384;

	for (int r = 0; r < RUNS; r++) {
		struct ims_host *host = new_host();
		int c = open_container(host);
		struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .flags = VFIO_DMA_UNMAP_FLAG_ALL };
		double t0 = now_ns();

		map(host, c, GIB, buf, GIB);
		tmap[r] = now_ns() - t0;
		t0 = now_ns();
		ims_ioctl(host, c, VFIO_IOMMU_UNMAP_DMA, &u);
		tunmap[r] = now_ns() - t0;
		t0 = now_ns();
		for (uint64_t i = 0; i < small; i++)
			map(host, c, GIB + i * SZ_4K, (char *)buf + i * SZ_4K, SZ_4K);
		tmap1[r] = now_ns() - t0;
		t0 = now_ns();
		for (uint64_t i = 0; i < small; i++) {
			struct vfio_iommu_type1_dma_unmap u1 = { .argsz = sizeof(u1), .iova = GIB + i * SZ_4K,
								 .size = SZ_4K };

			ims_ioctl(host, c, VFIO_IOMMU_UNMAP_DMA, &u1);
		}
		tunmap1[r] = now_ns() - t0;
		ims_host_destroy(host);
	}
	printf("map-dma\t1G-1call\tns_per_page\t%.2f\tns\n", median(tmap, RUNS) / pages);
	printf("unmap-dma\t1G-1call\tns_per_page\t%.2f\tns\n", median(tunmap, RUNS) / pages);
	printf("map-dma\t4K-percall\tns_per_page\t%.1f\tns\n", median(tmap1, RUNS) / small);
	printf("unmap-dma\t4K-percall\tns_per_page\t%.1f\tns\n", median(tunmap1, RUNS) / small);
}

static void bench_null_ioctl(void)
{
	struct ims_host *host = new_host();
	int c = ims_open(host, "/dev/vfio/vfio", O_RDWR);
	const int n = 1000000;
	double t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();

		for (int i = 0; i < n; i++)
			ims_ioctl(host, c, VFIO_GET_API_VERSION, NULL);
		t[r] = (now_ns() - t0) / n;
	}
	printf("ioctl\tnull\tns_per_call\t%.1f\tns\n", median(t, RUNS));
	ims_host_destroy(host);
}

int main(void)
{
	void *buf = mmap(NULL, GIB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (buf == MAP_FAILED) {
		perror("bench/vfio: mmap");
		return 1;
	}
	printf("bench\tcase\tmetric\tvalue\tunit\n");
	bench_null_ioctl();
	bench_search();
	bench_replay("1k-x-1M", 1024, SZ_1M, buf);
	bench_replay("64k-x-16K", 65535 - 1, SZ_16K, buf);
	bench_map(buf);
	munmap(buf, GIB);
	return 0;
}
