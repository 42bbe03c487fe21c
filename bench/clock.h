/* SPDX-License-Identifier: MIT */
/*
 * The benchmarks' clock and their one statistic: each figure is the median
 * of several timed runs (the VM's first runs and stray interrupts land in
 * the tails).  Header-only: bench/shim links nothing of iommusim.
 */
#ifndef IMS_BENCH_CLOCK_H
#define IMS_BENCH_CLOCK_H

#include <stdlib.h>
#include <time.h>

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v. */
static inline double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[n / 2];
}

#endif
