// SPDX-License-Identifier: MIT
/*
 * User copies through process_vm_readv/writev (see uaccess.h).
 */
#include "uaccess.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"

static bool vm_calls_refused;

static int copy_vm(void *dst, const void *src, size_t len, bool to_user)
{
	struct iovec local = { .iov_base = to_user ? (void *)src : dst, .iov_len = len };
	struct iovec remote = { .iov_base = to_user ? dst : (void *)src, .iov_len = len };
	ssize_t n;

	if (!len)
		return 0;
	if (ims_should_fail())
		return -EFAULT;
	if (vm_calls_refused) {
		memcpy(dst, src, len);
		return 0;
	}
	n = to_user ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0)
		    : process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		vm_calls_refused = true;
		ims_dbg(IMS_LOG_HOST, "process_vm_readv refused: user pointers are trusted");
		memcpy(dst, src, len);
		return 0;
	}
	return -EFAULT;
}

int ims_copy_from_user(void *dst, const void *usrc, size_t len)
{
	if (!usrc && len)
		return -EFAULT;
	return copy_vm(dst, usrc, len, false);
}

int ims_copy_to_user(void *udst, const void *src, size_t len)
{
	if (!udst && len)
		return -EFAULT;
	return copy_vm(udst, src, len, true);
}

int ims_clear_user(void *udst, size_t len)
{
	static const char zeros[256];

	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);
		int ret = ims_copy_to_user(udst, zeros, n);

		if (ret)
			return ret;
		udst = (char *)udst + n;
		len -= n;
	}
	return 0;
}

/* Bytes [@from, @to) at @usrc must be zero: 0, -E2BIG or -EFAULT. */
static int check_zeroed_user(const void *usrc, size_t from, size_t to)
{
	unsigned char chunk[256];

	for (size_t off = from; off < to;) {
		size_t n = to - off < sizeof(chunk) ? to - off : sizeof(chunk);

		if (ims_copy_from_user(chunk, (const char *)usrc + off, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (chunk[i])
				return -E2BIG;
		off += n;
	}
	return 0;
}

int ims_copy_struct_from_user(void *dst, size_t ksize, const void *usrc, size_t usize)
{
	int ret;

	memset(dst, 0, ksize);
	if (usize > ksize) {
		ret = check_zeroed_user(usrc, ksize, usize);
		if (ret)
			return ret;
	}
	return ims_copy_from_user(dst, usrc, usize < ksize ? usize : ksize);
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

static int check_mapped(uintptr_t start, uintptr_t end, uintptr_t page)
{
	unsigned char vec[64];

	for (uintptr_t p = start; p < end; p += page * sizeof(vec)) {
		size_t n = end - p < page * sizeof(vec) ? end - p : page * sizeof(vec);

		if (mincore((void *)p, n, vec))
			return -EFAULT;
	}
	return 0;
}

/*
 * What pinning checks: fault the range in as the access needs, as
 * get_user_pages does.  MADV_POPULATE_{READ,WRITE} (Linux 5.14) fails for
 * holes and for memory the access may not touch (a write to a read-only
 * mapping), and breaks copy-on-write for private memory pinned writable,
 * like a FOLL_WRITE pin.  Kernels without it, and I/O mappings it refuses,
 * fall back to a presence check with mincore().
 */
int ims_check_user_range(const void *uaddr, size_t len, bool write)
{
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)uaddr & ~(page - 1);
	uintptr_t end = (uintptr_t)uaddr + len;

	if (!len)
		return 0;
	if (end < (uintptr_t)uaddr)
		return -EFAULT;
	end = (end + page - 1) & ~(page - 1);
	if (!madvise((void *)start, end - start, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ))
		return 0;
	if (errno != EINVAL)
		return -EFAULT;
	return check_mapped(start, end, page);
}
