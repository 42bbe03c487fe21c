// SPDX-License-Identifier: MIT
/*
 * bench/shim: what an unmodified program pays per ioctl when the shim
 * serves it (spec/performance.md 0, "ioctl round trip").
 *
 * This program knows nothing of iommusim: scripts/run-bench starts it
 * under `iommusim exec`, so open() and ioctl() below go through the
 * LD_PRELOAD shim.  Prints one TSV line per measurement, in bench/vfio's
 * columns (bench  case  metric  value  unit):
 *
 *   shim-ioctl  host-fd      ns per VFIO_GET_API_VERSION on /dev/vfio/vfio
 *                            (interposition + fd lookup + dispatch)
 *   shim-ioctl  passthrough  ns per ioctl on /dev/null: the shim's lookup
 *                            misses and the real syscall runs (ENOTTY)
 *
 * Each figure is the median of 7 runs of one million calls.  Without the
 * shim the first line fails (no /dev/vfio/vfio here) and says so.
 */
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "clock.h"

#define RUNS 7
#define CALLS 1000000

static double median_ns_per_ioctl(int fd)
{
	double t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();

		for (int i = 0; i < CALLS; i++)
			ioctl(fd, VFIO_GET_API_VERSION);
		t[r] = (now_ns() - t0) / CALLS;
	}
	return median(t, RUNS);
}

static int measure(const char *shape, const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	printf("shim-ioctl\t%s\tns_per_call\t%.1f\tns\n", shape, median_ns_per_ioctl(fd));
	close(fd);
	return 0;
}

int main(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR);

	if (fd < 0 || ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		fprintf(stderr, "bench/shim: no VFIO container here; run it under `iommusim exec`\n");
		return 1;
	}
	close(fd);
	return measure("host-fd", "/dev/vfio/vfio") | measure("passthrough", "/dev/null");
}
