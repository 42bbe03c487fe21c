// SPDX-License-Identifier: MIT
/*
 * Pinned memory shared between areas (see pages.h).
 *
 * A run is a maximal stretch of pinned pages created by one pin request (or
 * split from one): [first, last] by index in pages->runs, and the same
 * pages as addresses in the process's pin registry (mm.h).  Runs are split
 * at request boundaries and never merged, which is what lets unpin work
 * without allocating.
 */
#include "pages.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/log.h"
#include "util/uaccess.h"

struct pages_run {
	struct ims_itree_node node;  /* page indexes [first, last] */
	struct ims_mm_pin pin;       /* the same pages in the mm's registry */
	unsigned int users;
	struct pages_run *next;      /* while a pin request builds new runs */
};

static struct pages_run *to_run(struct ims_itree_node *n)
{
	return ims_container_of(n, struct pages_run, node);
}

static uint64_t psize(void)
{
	return ims_page_size();
}

static struct ims_iopt_pages *pages_new(struct ims_mm *mm, uint64_t start_byte,
					uint64_t length, bool writable)
{
	struct ims_iopt_pages *pages;

	if (!length || length > UINT64_MAX - 2 * psize())
		return ERR_PTR(-EINVAL);
	pages = ims_zalloc(sizeof(*pages));
	if (!pages)
		return ERR_PTR(-ENOMEM);
	ims_mutex_init(&pages->lock);
	pages->refs = 1;
	pages->mm = mm;
	pages->npages = (start_byte + length + psize() - 1) / psize();
	pages->writable = writable;
	pages->fd = -1;
	ims_itree_init(&pages->runs);
	return pages;
}

struct ims_iopt_pages *ims_iopt_pages_alloc_user(struct ims_mm *mm, uint64_t uptr,
						 uint64_t length, bool writable,
						 uint64_t *start_byte)
{
	struct ims_iopt_pages *pages;

	if (length && uptr + length - 1 < uptr)
		return ERR_PTR(-EOVERFLOW);
	*start_byte = uptr % psize();
	pages = pages_new(mm, *start_byte, length, writable);
	if (!IS_ERR(pages))
		pages->va = uptr - *start_byte;
	return pages;
}

/* Our own shared mapping of the file's pages; the fd stays for size checks. */
static int map_file(struct ims_iopt_pages *pages, int fd)
{
	int prot = PROT_READ | (pages->writable ? PROT_WRITE : 0);
	void *va;

	struct stat st;

	pages->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (pages->fd < 0)
		return errno == EBADF ? -EBADF : -EMFILE;
	if (fstat(pages->fd, &st))
		return -EBADF;
	pages->file_dev = st.st_dev;
	pages->file_ino = st.st_ino;
	va = mmap(NULL, pages->npages * psize(), prot, MAP_SHARED, pages->fd,
		  (off_t)pages->file_start);
	if (va == MAP_FAILED)
		return errno == EACCES ? -EPERM : errno == ENOMEM ? -ENOMEM : -EINVAL;
	pages->va = (uint64_t)(uintptr_t)va;
	return 0;
}

struct ims_iopt_pages *ims_iopt_pages_alloc_file(struct ims_mm *mm, int fd, uint64_t start,
						 uint64_t length, bool writable,
						 uint64_t *start_byte)
{
	struct ims_iopt_pages *pages;
	int ret;

	if (fd < 0)
		return ERR_PTR(-EBADF);
	if (length && start + length - 1 < start)
		return ERR_PTR(-EOVERFLOW);
	*start_byte = start % psize();
	pages = pages_new(mm, *start_byte, length, writable);
	if (IS_ERR(pages))
		return pages;
	pages->file_start = start - *start_byte;
	if (pages->file_start > INT64_MAX) {
		ret = -EOVERFLOW;
		goto out_put;
	}
	ret = map_file(pages, fd);
	if (!ret)
		return pages;
out_put:
	ims_iopt_pages_put(pages);
	return ERR_PTR(ret);
}

void ims_iopt_pages_get(struct ims_iopt_pages *pages)
{
	ims_mutex_lock(&pages->lock);
	pages->refs++;
	ims_mutex_unlock(&pages->lock);
}

void ims_iopt_pages_put(struct ims_iopt_pages *pages)
{
	bool last;

	ims_mutex_lock(&pages->lock);
	last = --pages->refs == 0;
	ims_mutex_unlock(&pages->lock);
	if (!last)
		return;
	if (!ims_itree_empty(&pages->runs))
		ims_dbg(IMS_LOG_IOMMUFD, "pages %p freed with pinned runs", (void *)pages);
	if (pages->fd >= 0) {
		if (pages->va)
			munmap((void *)(uintptr_t)pages->va, pages->npages * psize());
		close(pages->fd);
	}
	ims_mutex_destroy(&pages->lock);
	ims_free(pages);
}

/* ---- runs ---- */

static void run_set_span(struct ims_iopt_pages *pages, struct pages_run *run, uint64_t first,
			 uint64_t last)
{
	uint64_t base = pages->fd >= 0 ? pages->file_start : pages->va;

	run->node.start = first;
	run->node.last = last;
	run->pin.node.start = base + first * psize();
	run->pin.node.last = base + (last + 1) * psize() - 1;
	run->pin.dev = pages->file_dev;
	run->pin.ino = pages->file_ino;
}

static void run_insert(struct ims_iopt_pages *pages, struct pages_run *run)
{
	ims_itree_insert(&pages->runs, &run->node);
	ims_mm_register_pins(pages->mm, &run->pin);
}

static void run_remove(struct ims_iopt_pages *pages, struct pages_run *run)
{
	ims_itree_remove(&pages->runs, &run->node);
	ims_mm_unregister_pins(pages->mm, &run->pin);
}

static int __split_at(struct ims_iopt_pages *pages, uint64_t index)
{
	struct ims_itree_node *n = ims_itree_iter_first(&pages->runs, index, index);
	struct pages_run *run, *tail;
	uint64_t last;

	ims_assert_held(&pages->lock);
	if (!n || n->start == index)
		return 0;
	tail = ims_zalloc(sizeof(*tail));
	if (!tail)
		return -ENOMEM;
	run = to_run(n);
	last = n->last;
	run_remove(pages, run);
	run_set_span(pages, run, run->node.start, index - 1);
	run_insert(pages, run);
	run_set_span(pages, tail, index, last);
	tail->users = run->users;
	run_insert(pages, tail);
	return 0;
}

int ims_iopt_pages_split_at(struct ims_iopt_pages *pages, uint64_t index)
{
	int ret;

	ims_mutex_lock(&pages->lock);
	ret = __split_at(pages, index);
	ims_mutex_unlock(&pages->lock);
	return ret;
}

/* Is [first, last] of a file inside it, and the file a memfd (shmem)? */
static int check_file(const struct ims_iopt_pages *pages, uint64_t first, uint64_t last)
{
	uint64_t end = pages->file_start + (last + 1) * psize();
	struct stat st;

	if (fcntl(pages->fd, F_GET_SEALS) < 0 || fstat(pages->fd, &st))
		return -EINVAL;
	if (end > (((uint64_t)st.st_size + psize() - 1) & ~(psize() - 1)))
		return -EINVAL;
	return 0;
}

/* What a kernel pin does to fresh pages: fault them in and charge them. */
static int pin_fresh(struct ims_iopt_pages *pages, uint64_t first, uint64_t last)
{
	uint64_t n = last - first + 1;
	int ret = 0;

	if (pages->fd >= 0)
		ret = check_file(pages, first, last);
	if (!ret)
		ret = ims_check_user_range((const void *)(uintptr_t)(pages->va + first * psize()),
					   n * psize(), pages->writable);
	if (!ret)
		ret = ims_mm_charge(pages->mm, n);
	return ret;
}

static void free_list(struct pages_run *list)
{
	while (list) {
		struct pages_run *next = list->next;

		ims_free(list);
		list = next;
	}
}

/* New runs for the unpinned holes of [first, last], pinned and charged. */
static int pin_holes(struct ims_iopt_pages *pages, uint64_t first, uint64_t last,
		     struct pages_run **out)
{
	struct pages_run *list = NULL, *run;
	struct ims_itree_span span;
	int ret = 0;

	for (ims_itree_span_first(&span, &pages->runs, first, last); !span.done && !ret;
	     ims_itree_span_next(&span)) {
		if (!span.is_hole)
			continue;
		run = ims_zalloc(sizeof(*run));
		if (!run) {
			ret = -ENOMEM;
			break;
		}
		run_set_span(pages, run, span.start, span.last);
		ret = pin_fresh(pages, span.start, span.last);
		if (ret) {
			ims_free(run);
			break;
		}
		run->next = list;
		list = run;
	}
	if (ret) {
		for (run = list; run; run = run->next)
			ims_mm_uncharge(pages->mm, run->node.last - run->node.start + 1);
		free_list(list);
		return ret;
	}
	*out = list;
	return 0;
}

int ims_iopt_pages_pin(struct ims_iopt_pages *pages, uint64_t first, uint64_t last)
{
	struct pages_run *fresh = NULL, *next;
	struct ims_itree_node *n;
	int ret;

	if (last < first || last >= pages->npages)
		return -EINVAL;
	if (ims_should_fail())
		return -ENOMEM;
	ims_mutex_lock(&pages->lock);
	ret = __split_at(pages, first);
	if (!ret && last + 1 < pages->npages)
		ret = __split_at(pages, last + 1);
	if (!ret)
		ret = pin_holes(pages, first, last, &fresh);
	if (!ret) {
		ims_itree_for_each_overlap(&pages->runs, n, first, last)
			to_run(n)->users++;
		for (; fresh; fresh = next) {
			next = fresh->next;
			fresh->users = 1;
			run_insert(pages, fresh);
		}
	}
	ims_mutex_unlock(&pages->lock);
	return ret;
}

void ims_iopt_pages_unpin(struct ims_iopt_pages *pages, uint64_t first, uint64_t last)
{
	struct ims_itree_node *n;
	uint64_t cur = first;

	ims_mutex_lock(&pages->lock);
	while (cur <= last && (n = ims_itree_iter_first(&pages->runs, cur, last))) {
		struct pages_run *run = to_run(n);

		cur = n->last + 1;
		if (n->start < first || n->last > last)
			ims_dbg(IMS_LOG_IOMMUFD, "unpin [%llu, %llu] cuts run [%llu, %llu]",
				(unsigned long long)first, (unsigned long long)last,
				(unsigned long long)n->start, (unsigned long long)n->last);
		if (--run->users == 0) {
			run_remove(pages, run);
			ims_mm_uncharge(pages->mm, n->last - n->start + 1);
			ims_free(run);
		}
		if (!cur)
			break;
	}
	ims_mutex_unlock(&pages->lock);
}

int ims_iopt_pages_rw(struct ims_iopt_pages *pages, uint64_t start_byte, void *ubuf,
		      uint64_t length, bool to_pages)
{
	char bounce[1024];
	uint64_t done = 0;
	int ret = 0;

	if (!length || start_byte + length > pages->npages * psize())
		return -EINVAL;
	if (pages->fd >= 0) {
		ret = check_file(pages, start_byte / psize(), (start_byte + length - 1) / psize());
		if (ret)
			return ret;
	}
	while (!ret && done < length) {
		size_t n = (size_t)IMS_MIN(length - done, sizeof(bounce));
		void *mem = (void *)(uintptr_t)(pages->va + start_byte + done);
		char *user = (char *)ubuf + done;

		if (to_pages)
			ret = ims_copy_from_user(bounce, user, n) ?: ims_copy_to_user(mem, bounce, n);
		else
			ret = ims_copy_from_user(bounce, mem, n) ?: ims_copy_to_user(user, bounce, n);
		done += n;
	}
	return ret;
}
