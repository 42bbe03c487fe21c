// SPDX-License-Identifier: MIT
/*
 * IOAS objects and their ioctls (kernel ioas.c; kernel-semantics 5.6):
 * ALLOC, IOVA_RANGES, ALLOW_IOVAS, MAP, MAP_FILE, COPY, UNMAP and the
 * HUGE_PAGES option.  The rules live in the io_pagetable (iova.c); this
 * file reads the commands, checks their flags and overflows in the
 * kernel's order and takes the IOAS's locks.
 *
 * Every mapping is cache coherent (IMS_PROT_CACHE is added by the engine):
 * iommufd offers userspace no way to flush caches, and bind refuses devices
 * that cannot snoop.
 */
#include <errno.h>

#include "iommufd-priv.h"
#include "iommufd/test_abi.h"
#include "util/alloc.h"
#include "util/uaccess.h"

#define UNMAP_TRIES 100

static const uint32_t map_flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
				  IOMMU_IOAS_MAP_READABLE;

struct ims_ioas *ims_ioas_alloc(struct ims_iommufd_ctx *ictx)
{
	struct ims_ioas *ioas = ims_obj_alloc(ictx, sizeof(*ioas), IMS_OBJ_IOAS);

	if (IS_ERR(ioas))
		return ioas;
	ioas->mm = ictx->env->mm;
	ims_mutex_init(&ioas->mutex);
	ims_list_init(&ioas->hwpts);
	ims_mutex_init(&ioas->iova_lock);
	ims_iopt_init(&ioas->iopt);
	ims_mutex_init(&ioas->access_lock);
	ims_idtable_init(&ioas->accesses, 1, UINT16_MAX);
	return ioas;
}

void ims_ioas_destroy(struct ims_obj *obj)
{
	struct ims_ioas *ioas = ims_container_of(obj, struct ims_ioas, obj);

	ims_mutex_lock(&ioas->iova_lock);
	ims_iopt_unmap_all(&ioas->iopt);
	ims_mutex_unlock(&ioas->iova_lock);
	ims_iopt_destroy(&ioas->iopt);
	ims_idtable_destroy(&ioas->accesses);
	ims_mutex_destroy(&ioas->access_lock);
	ims_mutex_destroy(&ioas->iova_lock);
	ims_mutex_destroy(&ioas->mutex);
}

struct ims_ioas *ims_ioas_get(struct ims_iommufd_ctx *ictx, uint32_t id)
{
	struct ims_obj *obj = ims_obj_get(ictx, id, IMS_OBJ_IOAS);

	return IS_ERR(obj) ? (void *)obj : ims_container_of(obj, struct ims_ioas, obj);
}

int ims_ioas_prot(uint32_t flags)
{
	return (flags & IOMMU_IOAS_MAP_WRITEABLE ? IMS_PROT_WRITE : 0) |
	       (flags & IOMMU_IOAS_MAP_READABLE ? IMS_PROT_READ : 0);
}

int ims_ioas_alloc_ioctl(struct ims_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct ims_ioas *ioas;
	int ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = ims_ioas_alloc(ucmd->ictx);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	cmd->out_ioas_id = ioas->obj.id;
	ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	if (ret) {
		ims_obj_abort_and_destroy(ucmd->ictx, &ioas->obj);
		return ret;
	}
	ims_obj_finalize(ucmd->ictx, &ioas->obj);
	return 0;
}

/* ---- IOVA_RANGES ---- */

/* The holes of the reserved tree, written while they fit; *@n counts them all. */
static int report_ranges(struct ims_ioas *ioas, struct iommu_iova_range *uranges,
			 uint32_t max, uint32_t *n)
{
	struct ims_itree_span span;

	*n = 0;
	for (ims_itree_span_first(&span, &ioas->iopt.reserved, 0, UINT64_MAX); !span.done;
	     ims_itree_span_next(&span)) {
		struct iommu_iova_range r = { .start = span.start, .last = span.last };

		if (!span.is_hole)
			continue;
		if (*n < max && ims_copy_to_user(&uranges[*n], &r, sizeof(r)))
			return -EFAULT;
		(*n)++;
	}
	return 0;
}

int ims_ioas_iova_ranges(struct ims_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	uint32_t max = cmd->num_iovas;
	struct ims_ioas *ioas;
	int ret;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = ims_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	ims_mutex_lock(&ioas->iova_lock);
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	ret = report_ranges(ioas, (void *)(uintptr_t)cmd->allowed_iovas, max, &cmd->num_iovas);
	if (!ret)
		ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	if (!ret && cmd->num_iovas > max)
		ret = -EMSGSIZE;
	ims_mutex_unlock(&ioas->iova_lock);
	ims_obj_put(ucmd->ictx, &ioas->obj);
	return ret;
}

/* ---- ALLOW_IOVAS ---- */

static void free_ranges(struct ims_itree *tree)
{
	struct ims_itree_node *n;

	while ((n = ims_itree_first(tree))) {
		ims_itree_remove(tree, n);
		ims_free(ims_container_of(n, struct ims_iopt_allowed, node));
	}
}

/* Read the user's ranges: each start below its last, none overlapping. */
static int load_ranges(struct ims_itree *tree, const struct iommu_iova_range *uranges,
		       uint32_t num)
{
	for (uint32_t i = 0; i < num; i++) {
		struct iommu_iova_range r;
		struct ims_iopt_allowed *a;

		if (ims_copy_from_user(&r, &uranges[i], sizeof(r)))
			return -EFAULT;
		if (r.start >= r.last || ims_itree_iter_first(tree, r.start, r.last))
			return -EINVAL;
		a = ims_zalloc(sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->node.start = r.start;
		a->node.last = r.last;
		ims_itree_insert(tree, &a->node);
	}
	return 0;
}

int ims_ioas_allow_iovas(struct ims_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct ims_itree ranges = IMS_ITREE_INIT;
	struct ims_ioas *ioas;
	int ret;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = ims_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	ret = load_ranges(&ranges, (const void *)(uintptr_t)cmd->allowed_iovas, cmd->num_iovas);
	if (!ret) {
		ims_mutex_lock(&ioas->iova_lock);
		ret = ims_iopt_set_allowed(&ioas->iopt, &ranges);
		ims_mutex_unlock(&ioas->iova_lock);
	}
	free_ranges(&ranges);
	ims_obj_put(ucmd->ictx, &ioas->obj);
	return ret;
}

/* ---- MAP, MAP_FILE, COPY ---- */

/* The flag and overflow checks MAP, MAP_FILE and COPY share, in order. */
static int check_map_cmd(uint32_t flags, uint64_t a, uint64_t b, uint64_t c)
{
	if (flags & ~map_flags)
		return -EOPNOTSUPP;
	if (a >= UINT64_MAX || b >= UINT64_MAX || c >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	return 0;
}

static unsigned int placement(uint32_t flags)
{
	return flags & IOMMU_IOAS_MAP_FIXED_IOVA ? 0 : IMS_IOPT_ALLOC_IOVA;
}

/* Map one piece; on failure the piece's reference is dropped. */
static int map_piece(struct ims_ioas *ioas, struct ims_iopt_piece *piece, uint64_t *iova,
		     int prot, unsigned int flags)
{
	int ret;

	ims_mutex_lock(&ioas->iova_lock);
	ret = ims_iopt_map_pieces(&ioas->iopt, piece, 1, iova, prot, flags);
	ims_mutex_unlock(&ioas->iova_lock);
	if (ret)
		ims_iopt_pages_put(piece->pages);
	return ret;
}

int ims_ioas_map_user(struct ims_ioas *ioas, uint64_t uptr, uint64_t length, uint64_t *iova,
		      int prot, unsigned int flags)
{
	struct ims_iopt_piece piece = { .length = length };

	piece.pages = ims_iopt_pages_alloc_user(ioas->mm, uptr, length,
						prot & IMS_PROT_WRITE, &piece.start_byte);
	if (IS_ERR(piece.pages))
		return (int)PTR_ERR(piece.pages);
	return map_piece(ioas, &piece, iova, prot, flags);
}

static int map_respond(struct ims_ucmd *ucmd, __u64 *field, uint64_t iova, size_t size)
{
	*field = iova;
	return ims_ucmd_respond(ucmd, size);
}

int ims_ioas_map(struct ims_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	uint64_t iova = cmd->iova;
	struct ims_ioas *ioas;
	int ret;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ret = check_map_cmd(cmd->flags, cmd->iova, cmd->length, 0);
	if (ret)
		return ret;
	ioas = ims_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	ret = ims_ioas_map_user(ioas, cmd->user_va, cmd->length, &iova, ims_ioas_prot(cmd->flags),
				placement(cmd->flags));
	if (!ret)
		ret = map_respond(ucmd, &cmd->iova, iova, sizeof(*cmd));
	ims_obj_put(ucmd->ictx, &ioas->obj);
	return ret;
}

int ims_ioas_map_file(struct ims_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	int prot = ims_ioas_prot(cmd->flags);
	struct ims_iopt_piece piece = { .length = cmd->length };
	uint64_t iova = cmd->iova;
	struct ims_ioas *ioas;
	int ret;

	ret = check_map_cmd(cmd->flags, cmd->iova, cmd->length, 0);
	if (ret)
		return ret;
	ioas = ims_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	piece.pages = ims_iopt_pages_alloc_file(ioas->mm, cmd->fd, cmd->start, cmd->length,
						prot & IMS_PROT_WRITE, &piece.start_byte);
	ret = IS_ERR(piece.pages) ? (int)PTR_ERR(piece.pages) :
	      map_piece(ioas, &piece, &iova, prot, placement(cmd->flags));
	if (!ret)
		ret = map_respond(ucmd, &cmd->iova, iova, sizeof(*cmd));
	ims_obj_put(ucmd->ictx, &ioas->obj);
	return ret;
}

/* The source's pieces with a reference each (the source lock is not kept). */
static int copy_source(struct ims_iommufd_ctx *ictx, const struct iommu_ioas_copy *cmd,
		       struct ims_iopt_piece **pieces, size_t *nr)
{
	struct ims_ioas *src = ims_ioas_get(ictx, cmd->src_ioas_id);
	int ret;

	if (IS_ERR(src))
		return (int)PTR_ERR(src);
	ims_mutex_lock(&src->iova_lock);
	ret = ims_iopt_get_pieces(&src->iopt, cmd->src_iova, cmd->length, pieces, nr);
	ims_mutex_unlock(&src->iova_lock);
	ims_obj_put(ictx, &src->obj);
	return ret;
}

int ims_ioas_copy(struct ims_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct ims_iopt_piece *pieces = NULL;
	uint64_t iova = cmd->dst_iova;
	struct ims_ioas *dst;
	size_t nr = 0;
	int ret;

	if (ucmd->ictx->env->selftest && (cmd->flags & IMS_MOCK_ACCESS_SYZ)) {
		cmd->flags &= ~IMS_MOCK_ACCESS_SYZ;
		cmd->src_iova = ims_selftest_syz_src_iova(ucmd->ictx, cmd->src_ioas_id,
							  cmd->src_iova);
	}
	ret = check_map_cmd(cmd->flags, cmd->length, cmd->src_iova, cmd->dst_iova);
	if (!ret)
		ret = copy_source(ucmd->ictx, cmd, &pieces, &nr);
	if (ret)
		return ret;
	dst = ims_ioas_get(ucmd->ictx, cmd->dst_ioas_id);
	if (IS_ERR(dst)) {
		ret = (int)PTR_ERR(dst);
		goto out_pieces;
	}
	ims_mutex_lock(&dst->iova_lock);
	ret = ims_iopt_map_pieces(&dst->iopt, pieces, nr, &iova, ims_ioas_prot(cmd->flags),
				  placement(cmd->flags));
	ims_mutex_unlock(&dst->iova_lock);
	if (!ret) {
		nr = 0; /* the references belong to the new areas */
		ret = map_respond(ucmd, &cmd->dst_iova, iova, sizeof(*cmd));
	}
	ims_obj_put(ucmd->ictx, &dst->obj);
out_pieces:
	ims_iopt_pieces_free(pieces, nr);
	return ret;
}

/* ---- UNMAP ---- */

int ims_ioas_unmap_range(struct ims_ioas *ioas, uint64_t iova, uint64_t last,
			 uint64_t *unmapped)
{
	struct ims_iopt_area *busy;
	unsigned int tries = 0;
	int ret;

	*unmapped = 0;
	for (;;) {
		uint64_t at, length;

		ims_mutex_lock(&ioas->iova_lock);
		ret = ims_iopt_unmap_range(&ioas->iopt, iova, last, unmapped, &busy);
		if (ret == -EBUSY) {
			busy->prevent_access = true;
			at = ims_iopt_area_iova(busy);
			length = ims_iopt_area_length(busy);
		}
		ims_mutex_unlock(&ioas->iova_lock);
		if (ret != -EBUSY)
			return ret;
		/* Accesses hold pins there: ask them to let go, then retry. */
		if (at != iova)
			tries = 0;
		iova = at;
		if (++tries > UNMAP_TRIES)
			return -EDEADLOCK;
		ims_access_notify_unmap(ioas, at, length);
	}
}

int ims_ioas_unmap(struct ims_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	uint64_t unmapped = 0, last = UINT64_MAX;
	struct ims_ioas *ioas;
	bool all = !cmd->iova && cmd->length == UINT64_MAX;
	int ret = 0;

	ioas = ims_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	if (!all) {
		if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX)
			ret = -EOVERFLOW;
		else if (!cmd->length)
			ret = -EINVAL;
		else if (cmd->iova + cmd->length - 1 < cmd->iova)
			ret = -EOVERFLOW;
		else
			last = cmd->iova + cmd->length - 1;
	}
	if (!ret)
		ret = ims_ioas_unmap_range(ioas, all ? 0 : cmd->iova, last, &unmapped);
	/* An unmap that found nothing is ENOENT, except unmap-all. */
	if (!ret && !unmapped && !all)
		ret = -ENOENT;
	if (!ret) {
		cmd->length = unmapped;
		ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	}
	ims_obj_put(ucmd->ictx, &ioas->obj);
	return ret;
}

/* ---- the HUGE_PAGES option ---- */

static int huge_pages(struct ims_ioas *ioas, struct iommu_option *cmd)
{
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !ioas->iopt.disable_large_pages;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (cmd->val64 == 0)
		return ims_iopt_disable_large_pages(&ioas->iopt);
	if (cmd->val64 != 1)
		return -EINVAL;
	ims_iopt_enable_large_pages(&ioas->iopt);
	return 0;
}

int ims_ioas_option(struct ims_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct ims_ioas *ioas;
	int ret;

	ioas = ims_ioas_get(ucmd->ictx, cmd->object_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	ims_mutex_lock(&ioas->iova_lock);
	ret = huge_pages(ioas, cmd);
	ims_mutex_unlock(&ioas->iova_lock);
	ims_obj_put(ucmd->ictx, &ioas->obj);
	return ret;
}

/* ---- IOAS_CHANGE_PROCESS ---- */

static struct ims_ioas *to_ioas(struct ims_obj *obj)
{
	return ims_container_of(obj, struct ims_ioas, obj);
}

static bool only_file_pages(struct ims_ioas *ioas)
{
	struct ims_iopt_area *area;

	ims_assert_held(&ioas->iova_lock);
	ims_iopt_for_each_area(&ioas->iopt, area, 0, UINT64_MAX)
		if (!area->pages || area->pages->fd < 0)
			return false;
	return true;
}

/*
 * Pinned pages are charged to the process that mapped them; this command
 * moves the charge of every IOAS of the context to the caller, which the
 * kernel allows only when every mapping comes from a file (user memory
 * belongs to the address space that mapped it: EINVAL).  Each process has
 * a host of its own here (docs/limits.md, "Processes"), so the caller is
 * always the process the pages are charged to: once the mappings pass the
 * check there is nothing to move.  Every IOAS is held locked across the
 * check, as the kernel takes all their locks, in ID order (no other path
 * holds two iova locks).
 */
int ims_ioas_change_process(struct ims_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	struct ims_obj **list;
	size_t nr, locked = 0;
	int ret;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ret = ims_obj_collect(ucmd->ictx, IMS_OBJ_IOAS, &list, &nr);
	for (; !ret && locked < nr; locked++)
		ims_mutex_lock(&to_ioas(list[locked])->iova_lock);
	for (size_t i = 0; !ret && i < nr; i++)
		if (!only_file_pages(to_ioas(list[i])))
			ret = -EINVAL;
	for (size_t i = 0; i < nr; i++) {
		if (i < locked)
			ims_mutex_unlock(&to_ioas(list[i])->iova_lock);
		ims_obj_put(ucmd->ictx, list[i]);
	}
	ims_free(list);
	return ret;
}
