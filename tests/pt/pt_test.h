/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the page-table suites: the list of format
 * configurations every generic test runs over, the prot each format reports
 * back for a mapped prot, and a reference model of the mappings (a sorted
 * array of leaves) that the randomized test compares the table with.
 */
#ifndef IMS_TEST_PT_H
#define IMS_TEST_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommusim/pt.h"

struct pt_test_cfg {
	const char *name;
	struct ims_pt_cfg cfg;
	uint64_t max_test_pgsize; /* largest leaf the random test uses */
	bool window_at_top;      /* exercise the end of the IOVA space */
};

extern const struct pt_test_cfg pt_test_cfgs[];
extern const size_t pt_test_nr_cfgs;

/* Run @fn once per configuration (initial state: its struct pt_test_cfg). */
int pt_test_run_per_cfg(const char *group, void (*fn)(void **state));

/* The prot a leaf mapped with @prot reports in walks and translations. */
int pt_test_expect_prot(const struct ims_pt_cfg *cfg, int prot);
/*
 * For formats that split a leaf an unmap covers in part (ARM LPAE): the
 * sizes of every level's items, the sizes a split leaf is cut into.  0 for
 * formats that do not split.  @cfg is the effective configuration.
 */
uint64_t pt_test_split_sizes(const struct ims_pt_cfg *cfg);
/* Writable leaves start dirty (ARM DBM, as the kernel maps them) rather than clean. */
bool pt_test_starts_dirty(const struct ims_pt_cfg *cfg);

/* Reference model: leaves sorted by iova, never overlapping. */
struct pt_ref_leaf {
	uint64_t iova, pa, size;
	int prot;
};

struct pt_ref {
	struct pt_ref_leaf *leaves;
	size_t nr, cap;
	uint64_t split_sizes;   /* pt_test_split_sizes(); 0: leaves are never split */
	unsigned int nr_splits; /* leaves the model has split */
};

void pt_ref_init(struct pt_ref *ref);
void pt_ref_destroy(struct pt_ref *ref);
/* Index of the first leaf whose last byte is >= iova (nr when none). */
size_t pt_ref_find(const struct pt_ref *ref, uint64_t iova);
bool pt_ref_overlaps(const struct pt_ref *ref, uint64_t iova, uint64_t last);
void pt_ref_insert(struct pt_ref *ref, const struct pt_ref_leaf *leaf);
void pt_ref_remove(struct pt_ref *ref, size_t index);

/*
 * What ims_pt_map and ims_pt_unmap must do, per kernel-semantics 2.8 (see
 * pt_map.c/pt_unmap.c); unmap splits leaves when ref->split_sizes is set.
 */
int pt_ref_map(struct pt_ref *ref, uint64_t iova, uint64_t pa, uint64_t pgsize, size_t count,
	       int prot, size_t *mapped);
uint64_t pt_ref_unmap(struct pt_ref *ref, uint64_t iova, uint64_t pgsize, size_t count);

/*
 * Compare the table's leaves in [iova, last] with the model's: cmocka
 * failure on the first difference.
 */
void pt_ref_check(const struct pt_ref *ref, const struct ims_pt *pt, uint64_t iova,
		  uint64_t last);

/* xorshift64*, seeded from the test's name so that failures reproduce. */
uint64_t pt_test_rand(uint64_t *state);
uint64_t pt_test_seed(const char *name);

#define IMS_TEST_MAX(a, b) ((a) > (b) ? (a) : (b))
#define IMS_TEST_MIN(a, b) ((a) < (b) ? (a) : (b))

#endif
