/* SPDX-License-Identifier: MIT */
/*
 * What memory backs an address of the process, for the test interface's
 * "is this the same page?" checks (selftest_mem.c says why and how).
 */
#ifndef IMS_IOMMUFD_SELFTEST_MEM_H
#define IMS_IOMMUFD_SELFTEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ims_map_entry;

/* A snapshot of the process's mappings. */
struct ims_maps {
	struct ims_map_entry *e;
	size_t nr;
};

/* The memory behind one byte: a file offset, or the address for anonymous memory. */
struct ims_backing {
	bool file;
	uint64_t dev, ino;
	uint64_t where;
};

int ims_maps_load(struct ims_maps *maps);
void ims_maps_free(struct ims_maps *maps);
/* What backs @addr: 0, or -EFAULT when nothing is mapped there. */
int ims_maps_backing(const struct ims_maps *maps, uint64_t addr, struct ims_backing *out);
bool ims_backing_same(const struct ims_backing *a, const struct ims_backing *b);

#endif
