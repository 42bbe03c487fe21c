// SPDX-License-Identifier: MIT
/*
 * VFIO type1 MAP/UNMAP against a reference model: random sequences (v1 and
 * v2 rules) compared call by call, and several threads mapping at once.
 */
#include <fcntl.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "harness/harness.h"
#include "testbed.h"

#define SZ_4K 0x1000ull
#define WINDOW (256 * SZ_4K)   /* IOVAs drawn from [BASE, BASE + WINDOW) */
#define BASE 0x10000000ull
#define MAX_MAPS 128

struct ref_map {
	uint64_t iova, size;
};

FIXTURE(random)
{
	int container, group;
	void *buf;
	struct ref_map maps[MAX_MAPS];
	int nr;
	uint64_t rnd;
};

FIXTURE_VARIANT(random)
{
	const char *profile;
	unsigned long type;
};

FIXTURE_VARIANT_ADD(random, upstream_v2) { .profile = "upstream", .type = VFIO_TYPE1v2_IOMMU };
FIXTURE_VARIANT_ADD(random, upstream_v1) { .profile = "upstream", .type = VFIO_TYPE1_IOMMU };
FIXTURE_VARIANT_ADD(random, seed_v2) { .profile = "seed", .type = VFIO_TYPE1v2_IOMMU };
FIXTURE_VARIANT_ADD(random, legacy_v1) { .profile = "legacy", .type = VFIO_TYPE1_IOMMU };

FIXTURE_SETUP(random)
{
	struct t_options o = { .profile = variant->profile };
	int c;

	t_host_up(&o);
	self->container = t_open("/dev/vfio/vfio", O_RDWR);
	self->group = t_open_group_of("0000:00:01.0");
	c = self->container;
	ASSERT_EQ(0, t_ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &c));
	ASSERT_EQ(0, t_ioctl(self->container, VFIO_SET_IOMMU, (void *)variant->type));
	self->buf = mmap(NULL, WINDOW, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(self->buf != MAP_FAILED);
	self->rnd = 0x9e3779b97f4a7c15ull;
}

FIXTURE_TEARDOWN(random)
{
	munmap(self->buf, WINDOW);
	t_host_down();
}

static uint64_t next_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static bool overlaps(const struct ref_map *m, uint64_t iova, uint64_t size)
{
	return m->iova < iova + size && iova < m->iova + m->size;
}

static int ref_map(FIXTURE_DATA(random) *self, uint64_t iova, uint64_t size)
{
	for (int i = 0; i < self->nr; i++)
		if (overlaps(&self->maps[i], iova, size))
			return EEXIST;
	if (self->nr == MAX_MAPS)
		return -1; /* the model is full: skip */
	self->maps[self->nr++] = (struct ref_map){ iova, size };
	return 0;
}

/* The kernel's answer to an unmap of [iova, iova + size): errno and bytes. */
static int ref_unmap(FIXTURE_DATA(random) *self, bool v2, uint64_t iova, uint64_t size,
		     uint64_t *done)
{
	*done = 0;
	for (int i = 0; v2 && i < self->nr; i++) {
		const struct ref_map *m = &self->maps[i];

		if ((m->iova < iova && m->iova + m->size > iova) ||
		    (m->iova < iova + size && m->iova + m->size > iova + size))
			return EINVAL;
	}
	/* v1 stops at the first mapping (in IOVA order) that starts before iova. */
	for (int i = 0; !v2 && i < self->nr; i++)
		if (self->maps[i].iova < iova && overlaps(&self->maps[i], iova, size))
			return 0;
	for (int i = 0; i < self->nr;) {
		if (overlaps(&self->maps[i], iova, size)) {
			*done += self->maps[i].size;
			self->maps[i] = self->maps[--self->nr];
		} else {
			i++;
		}
	}
	return 0;
}

static uint64_t ref_total(FIXTURE_DATA(random) *self)
{
	uint64_t t = 0;

	for (int i = 0; i < self->nr; i++)
		t += self->maps[i].size;
	return t;
}

static void one_step(FIXTURE_DATA(random) *self, bool v2)
{
	uint64_t iova = BASE + (next_rnd(&self->rnd) % 256) * SZ_4K;
	uint64_t size = (1 + next_rnd(&self->rnd) % 16) * SZ_4K;
	int expect;

	if (iova + size > BASE + WINDOW)
		size = BASE + WINDOW - iova;
	if (next_rnd(&self->rnd) % 2) {
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ,
			.vaddr = (uintptr_t)self->buf + (iova - BASE), .iova = iova, .size = size,
		};

		expect = ref_map(self, iova, size);
		if (expect < 0)
			return;
		if (expect)
			EXPECT_ERRNO(expect, t_ioctl(self->container, VFIO_IOMMU_MAP_DMA, &m));
		else
			EXPECT_EQ(0, t_ioctl(self->container, VFIO_IOMMU_MAP_DMA, &m));
	} else {
		struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = size };
		uint64_t done;

		expect = ref_unmap(self, v2, iova, size, &done);
		if (expect) {
			EXPECT_ERRNO(expect, t_ioctl(self->container, VFIO_IOMMU_UNMAP_DMA, &u));
		} else {
			EXPECT_EQ(0, t_ioctl(self->container, VFIO_IOMMU_UNMAP_DMA, &u));
			EXPECT_EQ(done, u.size);
		}
	}
}

TEST_F(random, against_reference)
{
	bool v2 = variant->type == VFIO_TYPE1v2_IOMMU;

	for (int step = 0; step < 1000 && !ims_harness_failed(); step++) {
		one_step(self, v2);
		if (step % 50 == 0)
			ASSERT_EQ(ref_total(self), t_domain_mapped_bytes_of("0000:00:01.0"));
	}
	ASSERT_EQ(ref_total(self), t_domain_mapped_bytes_of("0000:00:01.0"));
}

struct worker {
	int container;
	uint64_t base;
	char *buf;
	int errors;
};

static int map_one(int container, uint64_t iova, void *buf)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf, .iova = iova, .size = SZ_4K,
	};

	return (int)t_ioctl(container, VFIO_IOMMU_MAP_DMA, &m);
}

/* Map and unmap 300 times, then leave 16 pages mapped. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 300; i++) {
		uint64_t iova = w->base + (uint64_t)(i % 16) * SZ_4K;
		struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = SZ_4K };

		w->errors += map_one(w->container, iova, w->buf) != 0;
		w->errors += t_ioctl(w->container, VFIO_IOMMU_UNMAP_DMA, &u) != 0 || u.size != SZ_4K;
	}
	for (int i = 0; i < 16; i++)
		w->errors += map_one(w->container, w->base + (uint64_t)i * SZ_4K, w->buf) != 0;
	return NULL;
}

/* Four threads, disjoint windows: every call succeeds, the end state adds up. */
TEST_F(random, concurrent_threads)
{
	struct worker w[4];
	pthread_t t[4];

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ self->container, BASE + (uint64_t)i * 0x1000000,
					self->buf, 0 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_main, &w[i]));
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].errors);
	}
	EXPECT_EQ(4 * 16 * SZ_4K, t_domain_mapped_bytes_of("0000:00:01.0"));
}

int main(int argc, char **argv)
{
	return ims_harness_main(argc, argv);
}
