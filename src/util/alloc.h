/* SPDX-License-Identifier: MIT */
/*
 * Allocation with fault injection.
 *
 * Every allocation in the library goes through these wrappers, and every
 * other fallible step that the kernel treats as an injection point (object
 * lookup, pinning, user copies) calls ims_should_fail() itself.  That gives
 * one per-thread countdown, the userspace twin of the kernel's
 * /proc/self/task/<tid>/fail-nth:
 *
 *   ims_fail_nth_set(N)   arm: the N-th following injection point fails
 *                         (0 disarms);
 *   ims_fail_nth_get()    remaining count: 0 once the point has fired (or
 *                         when disarmed), otherwise how far it still is.
 *
 * A sweep runs a sequence with N = 1, 2, ... until ims_fail_nth_get() is not
 * 0 afterwards, i.e. the sequence finished without reaching the N-th point.
 * Each failure must leave consistent state and leak nothing.
 *
 * ims_free(NULL) is a no-op; sizes that overflow fail with NULL.
 */
#ifndef IMS_UTIL_ALLOC_H
#define IMS_UTIL_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

bool ims_should_fail(void);
void ims_fail_nth_set(unsigned long nth);
unsigned long ims_fail_nth_get(void);

void *ims_malloc(size_t size);
void *ims_zalloc(size_t size);
void *ims_calloc(size_t n, size_t size);
/* Resize an array of n elements; on failure the old block is untouched. */
void *ims_realloc_array(void *ptr, size_t n, size_t size);
char *ims_strdup(const char *s);
/* printf into a new string; NULL on failure. */
char *ims_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ims_free(void *ptr);

/* Zeroed, @align-aligned memory (align a power of two); free with ims_free. */
void *ims_aligned_zalloc(size_t align, size_t size);

#endif
