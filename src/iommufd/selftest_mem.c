// SPDX-License-Identifier: MIT
/*
 * "Same memory?" for the test interface.  The kernel's MD_CHECK_MAP,
 * MD_CHECK_REFS and ACCESS_PAGES compare struct pages: the page a domain or
 * an access holds against the page behind a user address.  In iommusim a
 * "physical" address is an address of this process (DESIGN 4), and two
 * different addresses can name the same memory when it is a file (a memfd
 * mapped twice, or mapped by us for IOAS_MAP_FILE).  So a page is
 * identified by what backs it, as /proc/self/maps tells: the file's device,
 * inode and offset for a file or shared mapping, the address itself for
 * anonymous private memory.
 *
 * Limits: a private file page that was written (copy-on-write) is still
 * reported as the file's; nothing in the tests writes such pages.
 */
#include "selftest_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"

struct ims_map_entry {
	uint64_t start, end;       /* [start, end) */
	uint64_t offset, dev, ino;
};

/* The whole of /proc/self/maps, NUL-terminated. */
static char *read_maps(void)
{
	size_t len = 0, cap = 16384;
	char *buf = ims_malloc(cap);
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;

	while (buf && fd >= 0 && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *bigger = ims_realloc_array(buf, cap * 2, 1);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	if (fd >= 0)
		close(fd);
	if (!buf || fd < 0 || n < 0 || len + 1 == cap) {
		ims_free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static bool parse_line(const char *line, struct ims_map_entry *e)
{
	unsigned int maj, min;
	uint64_t start, end, offset, ino;
	char perms[8];

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64, &start, &end,
		   perms, &offset, &maj, &min, &ino) != 7)
		return false;
	*e = (struct ims_map_entry){ .start = start, .end = end, .offset = offset,
				     .dev = makedev(maj, min), .ino = ino };
	return true;
}

int ims_maps_load(struct ims_maps *maps)
{
	char *text = read_maps(), *line, *save = NULL;
	size_t cap = 64;

	maps->nr = 0;
	maps->e = text ? ims_calloc(cap, sizeof(*maps->e)) : NULL;
	if (!maps->e) {
		ims_free(text);
		return -ENOMEM;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (maps->nr == cap) {
			struct ims_map_entry *e = ims_realloc_array(maps->e, cap * 2, sizeof(*e));

			if (!e) {
				ims_maps_free(maps);
				ims_free(text);
				return -ENOMEM;
			}
			maps->e = e;
			cap *= 2;
		}
		if (parse_line(line, &maps->e[maps->nr]))
			maps->nr++;
	}
	ims_free(text);
	return 0;
}

void ims_maps_free(struct ims_maps *maps)
{
	ims_free(maps->e);
	maps->e = NULL;
	maps->nr = 0;
}

int ims_maps_backing(const struct ims_maps *maps, uint64_t addr, struct ims_backing *out)
{
	size_t lo = 0, hi = maps->nr;

	while (lo < hi) { /* the kernel lists mappings in address order */
		size_t mid = (lo + hi) / 2;
		const struct ims_map_entry *e = &maps->e[mid];

		if (addr < e->start) {
			hi = mid;
		} else if (addr >= e->end) {
			lo = mid + 1;
		} else {
			*out = (struct ims_backing){ .file = e->ino != 0, .dev = e->dev, .ino = e->ino,
						     .where = e->ino ? e->offset + (addr - e->start) :
						     addr };
			return 0;
		}
	}
	return -EFAULT;
}

bool ims_backing_same(const struct ims_backing *a, const struct ims_backing *b)
{
	return a->file == b->file && a->dev == b->dev && a->ino == b->ino && a->where == b->where;
}
