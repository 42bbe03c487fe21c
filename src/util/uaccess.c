// SPDX-License-Identifier: MIT
/*
 * User copies through process_vm_readv/writev (see uaccess.h), with one
 * shortcut: memory on the calling thread's own stack, between the current
 * frame and the stack's top, is mapped and writable by construction, so an
 * argument there (most ioctl arguments are locals) is copied with memcpy.
 * Each thread learns its stack bounds once (pthread_getattr_np); a thread
 * running on another stack (a coroutine, a signal stack) takes the system
 * calls like any other pointer.
 *
 * The shortcut is off in a process running AddressSanitizer (ours or the
 * program's): like the kernel, we read what a pointer and a length name,
 * past the end of the caller's object if the length says so (a name read
 * a chunk at a time, a test's deliberately short struct), and ASan would
 * report those reads as overflows; process_vm_readv is invisible to it.
 */
#include "uaccess.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"

static bool vm_calls_refused;

extern void __asan_init(void) __attribute__((weak));

/* The calling thread's stack, learnt on its first copy; lo == hi: unknown. */
static __thread struct {
	uintptr_t lo, hi;
	bool learnt;
} own_stack;

static void learn_own_stack(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	own_stack.learnt = true;
	if (__asan_init)
		return;
	if (pthread_getattr_np(pthread_self(), &attr))
		return;
	if (!pthread_attr_getstack(&attr, &addr, &size)) {
		own_stack.lo = (uintptr_t)addr;
		own_stack.hi = (uintptr_t)addr + size;
	}
	pthread_attr_destroy(&attr);
}

/* [@p, @p + @len) lies between this frame and the top of this thread's stack. */
static bool __attribute__((noinline)) on_own_stack(const void *p, size_t len)
{
	uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
	uintptr_t start = (uintptr_t)p;

	if (!own_stack.learnt)
		learn_own_stack();
	return frame >= own_stack.lo && frame < own_stack.hi && start >= frame &&
	       start <= own_stack.hi && len <= own_stack.hi - start;
}

static int copy_vm(void *dst, const void *src, size_t len, bool to_user)
{
	struct iovec local = { .iov_base = to_user ? (void *)src : dst, .iov_len = len };
	struct iovec remote = { .iov_base = to_user ? dst : (void *)src, .iov_len = len };
	ssize_t n;

	if (!len)
		return 0;
	if (ims_should_fail())
		return -EFAULT;
	if (vm_calls_refused || on_own_stack(to_user ? dst : src, len)) {
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
