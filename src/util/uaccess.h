/* SPDX-License-Identifier: MIT */
/*
 * copy_from_user / copy_to_user for a library that lives inside its "user".
 *
 * The kernel answers EFAULT when an ioctl argument points at unmapped
 * memory; a library that simply dereferenced it would crash the program
 * instead.  These helpers read and write the caller's memory with
 * process_vm_readv/writev on our own process, which fails cleanly with
 * EFAULT for unmapped or (for writes) read-only memory.  Where the system
 * refuses those calls (seccomp, EPERM/ENOSYS), they fall back to memcpy and
 * say so once in the log: the pointer is then trusted as the program's own.
 *
 * Each copy is an injection point (ims_should_fail), like the kernel's
 * fail-nth on user copies.
 */
#ifndef IMS_UTIL_UACCESS_H
#define IMS_UTIL_UACCESS_H

#include <stdbool.h>
#include <stddef.h>

/* 0 or -EFAULT. */
int ims_copy_from_user(void *dst, const void *usrc, size_t len);
int ims_copy_to_user(void *udst, const void *src, size_t len);
/*
 * The kernel's copy_struct_from_user: a struct the caller says is @usize
 * bytes into our @ksize-byte @dst.  A shorter one is zero-filled; a longer
 * one must have a zero tail: 0, -E2BIG, -EFAULT.
 */
int ims_copy_struct_from_user(void *dst, size_t ksize, const void *usrc, size_t usize);
/* Zero @len bytes at @udst; 0 or -EFAULT. */
int ims_clear_user(void *udst, size_t len);
/*
 * Make [@uaddr, @uaddr + @len) resident for reading (and writing), as a
 * kernel pin would: 0, or -EFAULT for holes and forbidden accesses.
 */
int ims_check_user_range(const void *uaddr, size_t len, bool write);

#endif
