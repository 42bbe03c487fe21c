// SPDX-License-Identifier: MIT
/*
 * Pinned-memory accounting (see mm.h).
 */
#include "mm.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/uaccess.h"

void ims_mm_init(struct ims_mm *mm, bool lock_cap, uint64_t limit_bytes)
{
	ims_mutex_init(&mm->lock);
	mm->locked_vm = 0;
	mm->lock_cap = lock_cap;
	mm->limit_bytes = limit_bytes;
	ims_itree_init(&mm->pinned);
	ims_itree_init(&mm->pinned_files);
}

void ims_mm_destroy(struct ims_mm *mm)
{
	ims_mutex_destroy(&mm->lock);
}

bool ims_process_capable(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

bool ims_process_has_ipc_lock(void)
{
	return ims_process_capable(CAP_IPC_LOCK);
}

uint64_t ims_page_size(void)
{
	static uint64_t size;

	if (!size)
		size = (uint64_t)sysconf(_SC_PAGESIZE);
	return size;
}

uint64_t ims_mm_npages(uint64_t uaddr, uint64_t length)
{
	uint64_t ps = ims_page_size();
	uint64_t first = uaddr & ~(ps - 1), end = (uaddr + length + ps - 1) & ~(ps - 1);

	return length ? (end - first) / ps : 0;
}

static uint64_t limit_pages(const struct ims_mm *mm)
{
	struct rlimit rl;

	if (mm->limit_bytes)
		return mm->limit_bytes / ims_page_size();
	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return rl.rlim_cur / ims_page_size();
}

int ims_mm_charge(struct ims_mm *mm, uint64_t npages)
{
	int ret = 0;

	ims_mutex_lock(&mm->lock);
	if (!mm->lock_cap && mm->locked_vm + npages > limit_pages(mm))
		ret = -ENOMEM;
	else
		mm->locked_vm += npages;
	ims_mutex_unlock(&mm->lock);
	return ret;
}

void ims_mm_uncharge(struct ims_mm *mm, uint64_t npages)
{
	ims_mutex_lock(&mm->lock);
	mm->locked_vm -= npages < mm->locked_vm ? npages : mm->locked_vm;
	ims_mutex_unlock(&mm->lock);
}

int ims_mm_pin(struct ims_mm *mm, uint64_t uaddr, uint64_t length, bool write)
{
	int ret = ims_check_user_range((const void *)(uintptr_t)uaddr, length, write);

	if (ret)
		return ret;
	return ims_mm_charge(mm, ims_mm_npages(uaddr, length));
}

void ims_mm_unpin(struct ims_mm *mm, uint64_t uaddr, uint64_t length)
{
	ims_mm_uncharge(mm, ims_mm_npages(uaddr, length));
}

static struct ims_itree *pin_tree(struct ims_mm *mm, const struct ims_mm_pin *pin)
{
	return pin->ino ? &mm->pinned_files : &mm->pinned;
}

void ims_mm_register_pins(struct ims_mm *mm, struct ims_mm_pin *pin)
{
	ims_mutex_lock(&mm->lock);
	ims_itree_insert(pin_tree(mm, pin), &pin->node);
	ims_mutex_unlock(&mm->lock);
}

void ims_mm_unregister_pins(struct ims_mm *mm, struct ims_mm_pin *pin)
{
	ims_mutex_lock(&mm->lock);
	ims_itree_remove(pin_tree(mm, pin), &pin->node);
	ims_mutex_unlock(&mm->lock);
}

unsigned int ims_mm_page_pins(struct ims_mm *mm, uint64_t addr)
{
	struct ims_itree_node *n;
	unsigned int pins = 0;

	ims_mutex_lock(&mm->lock);
	ims_itree_for_each_overlap(&mm->pinned, n, addr, addr)
		pins++;
	ims_mutex_unlock(&mm->lock);
	return pins;
}

unsigned int ims_mm_file_page_pins(struct ims_mm *mm, uint64_t dev, uint64_t ino, uint64_t off)
{
	struct ims_itree_node *n;
	unsigned int pins = 0;

	ims_mutex_lock(&mm->lock);
	ims_itree_for_each_overlap(&mm->pinned_files, n, off, off) {
		struct ims_mm_pin *pin = ims_container_of(n, struct ims_mm_pin, node);

		pins += pin->dev == dev && pin->ino == ino;
	}
	ims_mutex_unlock(&mm->lock);
	return pins;
}
