// SPDX-License-Identifier: MIT
/*
 * Allocation wrappers and the per-thread fail-nth countdown (see alloc.h).
 */
#include "alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per thread, like the kernel's task->fail_nth. 0 = disarmed or fired. */
static _Thread_local unsigned long fail_nth;

bool ims_should_fail(void)
{
	if (!fail_nth)
		return false;
	return --fail_nth == 0;
}

void ims_fail_nth_set(unsigned long nth)
{
	fail_nth = nth;
}

unsigned long ims_fail_nth_get(void)
{
	return fail_nth;
}

void *ims_malloc(size_t size)
{
	if (ims_should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *ims_zalloc(size_t size)
{
	return ims_calloc(1, size);
}

void *ims_calloc(size_t n, size_t size)
{
	if (ims_should_fail())
		return NULL;
	if (!n || !size)
		n = size = 1;
	return calloc(n, size);
}

void *ims_realloc_array(void *ptr, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	if (ims_should_fail())
		return NULL;
	return realloc(ptr, n && size ? n * size : 1);
}

char *ims_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = ims_malloc(len);

	if (copy)
		memcpy(copy, s, len);
	return copy;
}

char *ims_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return NULL;
	out = ims_malloc((size_t)len + 1);
	if (!out)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(out, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return out;
}

void ims_free(void *ptr)
{
	free(ptr);
}

void *ims_aligned_zalloc(size_t align, size_t size)
{
	void *p;

	if (ims_should_fail())
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	if (posix_memalign(&p, align, size ? size : align))
		return NULL;
	memset(p, 0, size);
	return p;
}
