/* SPDX-License-Identifier: MIT */
/*
 * Error pointers and small helpers shared by every layer.
 *
 * Inside the library every fallible function returns a negative errno (or 0),
 * and every function that returns a pointer returns either a valid pointer or
 * an error encoded with ERR_PTR().  The encoding is the kernel's: the top 4095
 * addresses are never valid objects, so they can carry -1..-4095.  Only the
 * shim turns these into -1/errno.
 */
#ifndef IMS_UTIL_ERR_H
#define IMS_UTIL_ERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMS_MAX_ERRNO 4095

static inline void *ERR_PTR(long err)
{
	return (void *)(intptr_t)err;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)(intptr_t)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return (uintptr_t)ptr >= (uintptr_t)-IMS_MAX_ERRNO;
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

#define IMS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ims_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define IMS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define IMS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Public symbols of libiommusim; everything else is hidden. */
#define IMS_EXPORT __attribute__((visibility("default")))

#define ims_likely(x) __builtin_expect(!!(x), 1)
#define ims_unlikely(x) __builtin_expect(!!(x), 0)

#endif
