// SPDX-License-Identifier: MIT
/*
 * The iommufd context: its object table and its ioctl table (kernel
 * main.c; the object model is described in iommufd-priv.h).
 *
 * Ioctl dispatch.  Every iommufd command passes a struct whose first u32 is
 * its size.  The table below gives, per command number, the handler, the
 * size of the struct we know and its minimum (the end of the last
 * mandatory field).  The dispatcher reads the size (EFAULT), refuses one
 * below the minimum (EINVAL), requires the bytes past what we know to be
 * zero (E2BIG), copies the rest into a kernel-side buffer (zero-filled) and
 * calls the handler, which answers through ims_ucmd_respond() (never more
 * than the caller's size).  A number outside the table goes to the VFIO
 * compatibility ioctls; a hole in it, or a command whose encoding differs
 * from the table's, is ENOTTY.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "iommufd-priv.h"
#include "iommufd/test_abi.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/uaccess.h"

#define IMS_OBJ_MAX_ID 0x7fffffffu

/* ---- counts ---- */

static bool inc_not_zero(unsigned int *v)
{
	unsigned int old = __atomic_load_n(v, __ATOMIC_RELAXED);

	do {
		if (!old)
			return false;
	} while (!__atomic_compare_exchange_n(v, &old, old + 1, false, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

static bool dec_if_one(unsigned int *v)
{
	unsigned int one = 1;

	return __atomic_compare_exchange_n(v, &one, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

void ims_obj_users_inc(struct ims_obj *obj)
{
	__atomic_add_fetch(&obj->users, 1, __ATOMIC_RELAXED);
}

void ims_obj_users_dec(struct ims_obj *obj)
{
	__atomic_sub_fetch(&obj->users, 1, __ATOMIC_RELEASE);
}

/* ---- object operations per type ---- */

struct obj_ops {
	void (*destroy)(struct ims_obj *obj);
	void (*abort)(struct ims_obj *obj);  /* NULL: destroy */
};

static const struct obj_ops obj_ops[IMS_OBJ_NR] = {
	[IMS_OBJ_DEVICE] = { .destroy = ims_idev_destroy },
	[IMS_OBJ_HWPT_PAGING] = { .destroy = ims_hwpt_paging_destroy,
				  .abort = ims_hwpt_paging_abort },
	[IMS_OBJ_IOAS] = { .destroy = ims_ioas_destroy },
	[IMS_OBJ_ACCESS] = { .destroy = ims_access_destroy_object },
	[IMS_OBJ_SELFTEST] = { .destroy = ims_selftest_destroy },
};

/* ---- the table ---- */

void *ims_obj_alloc(struct ims_iommufd_ctx *ictx, size_t size, enum ims_obj_type type)
{
	struct ims_obj *obj = ims_zalloc(size);
	int ret;

	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	obj->users = 1;
	obj->shortterm = 1;
	/* The ID is taken now; lookups see nothing until finalize. */
	ims_mutex_lock(&ictx->lock);
	ret = ims_idtable_reserve(&ictx->objects, &obj->id);
	ims_mutex_unlock(&ictx->lock);
	if (ret) {
		ims_free(obj);
		return ERR_PTR(ret);
	}
	return obj;
}

void ims_obj_finalize(struct ims_iommufd_ctx *ictx, struct ims_obj *obj)
{
	ims_mutex_lock(&ictx->lock);
	ims_idtable_publish(&ictx->objects, obj->id, obj);
	ims_mutex_unlock(&ictx->lock);
}

void ims_obj_abort(struct ims_iommufd_ctx *ictx, struct ims_obj *obj)
{
	ims_mutex_lock(&ictx->lock);
	ims_idtable_remove(&ictx->objects, obj->id);
	ims_mutex_unlock(&ictx->lock);
	ims_free(obj);
}

void ims_obj_abort_and_destroy(struct ims_iommufd_ctx *ictx, struct ims_obj *obj)
{
	const struct obj_ops *ops = &obj_ops[obj->type];

	if (ops->abort)
		ops->abort(obj);
	else
		ops->destroy(obj);
	ims_obj_abort(ictx, obj);
}

struct ims_obj *ims_obj_get(struct ims_iommufd_ctx *ictx, uint32_t id, enum ims_obj_type type)
{
	struct ims_obj *obj;

	/* The kernel's fail_iommufd makes a lookup fail. */
	if (ims_should_fail())
		return ERR_PTR(-ENOENT);
	ims_mutex_lock(&ictx->lock);
	obj = ims_idtable_lookup(&ictx->objects, id);
	if (!obj || (type != IMS_OBJ_ANY && obj->type != type) || !inc_not_zero(&obj->users))
		obj = ERR_PTR(-ENOENT);
	else if (!inc_not_zero(&obj->shortterm)) {
		ims_obj_users_dec(obj);
		obj = ERR_PTR(-ENOENT);
	}
	ims_mutex_unlock(&ictx->lock);
	return obj;
}

bool ims_obj_try_get(struct ims_obj *obj)
{
	if (!inc_not_zero(&obj->users))
		return false;
	if (inc_not_zero(&obj->shortterm))
		return true;
	ims_obj_users_dec(obj);
	return false;
}

void ims_obj_put(struct ims_iommufd_ctx *ictx, struct ims_obj *obj)
{
	(void)ictx;
	__atomic_sub_fetch(&obj->shortterm, 1, __ATOMIC_RELEASE);
	ims_obj_users_dec(obj);
}

/* Destruction waits until no call in flight holds the object. */
static void wait_shortterm(struct ims_obj *obj)
{
	__atomic_sub_fetch(&obj->shortterm, 1, __ATOMIC_RELEASE); /* the table's bias */
	while (__atomic_load_n(&obj->shortterm, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void destroy_removed(struct ims_obj *obj)
{
	wait_shortterm(obj);
	obj_ops[obj->type].destroy(obj);
	ims_free(obj);
}

int ims_obj_remove(struct ims_iommufd_ctx *ictx, struct ims_obj *to_destroy, uint32_t id)
{
	struct ims_obj *obj;
	int ret = 0;

	ims_mutex_lock(&ictx->lock);
	obj = ims_idtable_lookup(&ictx->objects, id);
	if (to_destroy) {
		ims_obj_users_dec(to_destroy);
		if (obj != to_destroy)
			ret = -ENOENT;
	} else if (!obj) {
		ret = -ENOENT;
	}
	if (!ret && !dec_if_one(&obj->users))
		ret = -EBUSY;
	if (!ret) {
		ims_idtable_remove(&ictx->objects, id);
		if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
			ictx->vfio_ioas = NULL;
	}
	ims_mutex_unlock(&ictx->lock);
	if (!ret)
		destroy_removed(obj);
	return ret;
}

/* Users beyond the table's and those of calls in flight: real long-term users. */
static bool held_long_term(struct ims_obj *obj)
{
	unsigned int users = __atomic_load_n(&obj->users, __ATOMIC_ACQUIRE);
	unsigned int inflight = __atomic_load_n(&obj->shortterm, __ATOMIC_ACQUIRE) - 1;

	return users > inflight + 1;
}

/*
 * The creator's reference goes and the object with it.  Calls in flight
 * (a short-term reference, which also counts as a user) are waited for; a
 * long-term user left over is a refcounting bug (the kernel WARNs).
 */
void ims_obj_destroy_user(struct ims_iommufd_ctx *ictx, struct ims_obj *obj)
{
	uint32_t id = obj->id;
	int ret;

	ims_obj_users_dec(obj);
	while ((ret = ims_obj_remove(ictx, NULL, id)) == -EBUSY && !held_long_term(obj))
		sched_yield();
	if (ret)
		ims_dbg(IMS_LOG_IOMMUFD, "object %u still in use at destroy: %d", id, ret);
}

int ims_obj_collect(struct ims_iommufd_ctx *ictx, enum ims_obj_type type,
		    struct ims_obj ***out, size_t *nr)
{
	struct ims_obj **list = NULL, **grown, *obj;
	uint32_t id;
	int ret = 0;

	*nr = 0;
	ims_mutex_lock(&ictx->lock);
	ims_idtable_for_each(&ictx->objects, id, obj) {
		if (type != IMS_OBJ_ANY && obj->type != type)
			continue;
		grown = ims_realloc_array(list, *nr + 1, sizeof(*list));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		list = grown;
		if (ims_obj_try_get(obj))
			list[(*nr)++] = obj;
	}
	ims_mutex_unlock(&ictx->lock);
	*out = list;
	return ret;
}

int ims_ucmd_respond(struct ims_ucmd *ucmd, size_t len)
{
	return ims_copy_to_user(ucmd->ubuffer, ucmd->cmd, IMS_MIN((size_t)ucmd->user_size, len)) ?
	       -EFAULT : 0;
}

/* ---- the registry of a host's contexts ---- */

int ims_iommufd_registry_create(struct ims_iommufd_registry **out)
{
	struct ims_iommufd_registry *r = ims_zalloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	ims_mutex_init(&r->lock);
	ims_list_init(&r->contexts);
	*out = r;
	return 0;
}

void ims_iommufd_registry_destroy(struct ims_iommufd_registry *r)
{
	if (!r)
		return;
	ims_mutex_destroy(&r->lock);
	ims_free(r);
}

static void registry_add(struct ims_iommufd_ctx *ictx)
{
	struct ims_iommufd_registry *r = ictx->env->registry;

	ims_list_init(&ictx->registry_node);
	if (!r)
		return;
	ims_mutex_lock(&r->lock);
	ictx->serial = ++r->next_serial;
	ims_list_add_tail(&ictx->registry_node, &r->contexts);
	ims_mutex_unlock(&r->lock);
}

static void registry_del(struct ims_iommufd_ctx *ictx)
{
	struct ims_iommufd_registry *r = ictx->env->registry;

	if (!r)
		return;
	ims_mutex_lock(&r->lock);
	ims_list_del(&ictx->registry_node);
	ims_mutex_unlock(&r->lock);
}

int ims_iommufd_registry_get_all(const struct ims_iommufd_env *env,
				 struct ims_iommufd_ctx ***out, size_t *nr)
{
	struct ims_iommufd_registry *r = env->registry;
	struct ims_iommufd_ctx **list = NULL, **grown, *ictx;
	int ret = 0;

	*nr = 0;
	if (!r) {
		*out = NULL;
		return 0;
	}
	ims_mutex_lock(&r->lock);
	ims_list_for_each_entry(ictx, &r->contexts, registry_node) {
		grown = ims_realloc_array(list, *nr + 1, sizeof(*list));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		list = grown;
		if (inc_not_zero(&ictx->refs))  /* not one being released */
			list[(*nr)++] = ictx;
	}
	ims_mutex_unlock(&r->lock);
	*out = list;
	return ret;
}

/* ---- the context ---- */

struct ims_iommufd_ctx *ims_iommufd_ctx_open(const struct ims_iommufd_env *env)
{
	struct ims_iommufd_ctx *ictx = ims_zalloc(sizeof(*ictx));

	if (!ictx)
		return ERR_PTR(-ENOMEM);
	ictx->env = env;
	ictx->refs = 1;
	ims_mutex_init(&ictx->lock);
	ims_idtable_init(&ictx->objects, 1, IMS_OBJ_MAX_ID);
	ims_list_init(&ictx->igroups);
	registry_add(ictx);
	return ictx;
}

void ims_iommufd_ctx_get(struct ims_iommufd_ctx *ictx)
{
	__atomic_add_fetch(&ictx->refs, 1, __ATOMIC_RELAXED);
}

/* Take out the next object the table alone holds (a leaf), or NULL. */
static struct ims_obj *take_leaf(struct ims_iommufd_ctx *ictx, bool *any)
{
	struct ims_obj *obj;
	uint32_t id;

	*any = false;
	ims_mutex_lock(&ictx->lock);
	ims_idtable_for_each(&ictx->objects, id, obj) {
		*any = true;
		if (dec_if_one(&obj->users)) {
			ims_idtable_remove(&ictx->objects, id);
			ims_mutex_unlock(&ictx->lock);
			return obj;
		}
	}
	ims_mutex_unlock(&ictx->lock);
	return NULL;
}

/*
 * Close: the objects form a graph of user counts; destroying every object
 * that only the table uses releases its references on the others, so
 * repeating reaches everything.  No progress with objects left is a
 * refcounting bug (the kernel WARNs); they are left alone.
 */
static void release(struct ims_iommufd_ctx *ictx)
{
	struct ims_obj *obj;
	bool any;

	registry_del(ictx);
	for (;;) {
		obj = take_leaf(ictx, &any);
		if (!obj)
			break;
		destroy_removed(obj);
	}
	if (any)
		ims_dbg(IMS_LOG_IOMMUFD, "close left objects behind (refcount bug)");
	ims_idtable_destroy(&ictx->objects);
	ims_mutex_destroy(&ictx->lock);
	ims_free(ictx);
}

void ims_iommufd_ctx_put(struct ims_iommufd_ctx *ictx)
{
	if (__atomic_sub_fetch(&ictx->refs, 1, __ATOMIC_ACQ_REL) == 0)
		release(ictx);
}

/* ---- DESTROY and OPTION ---- */

static int destroy_ioctl(struct ims_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return ims_obj_remove(ucmd->ictx, NULL, cmd->id);
}

/* RLIMIT_MODE: global; set it only with CAP_SYS_RESOURCE and no objects. */
static int option_rlimit_mode(struct ims_iommufd_ctx *ictx, struct iommu_option *cmd)
{
	int ret = 0;

	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->account_mm;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!ims_process_capable(CAP_SYS_RESOURCE))
		return -EPERM;
	ims_mutex_lock(&ictx->lock);
	if (ictx->objects.count)
		ret = -EBUSY;
	else if (cmd->val64 > 1)
		ret = -EINVAL;
	else
		ictx->account_mm = cmd->val64;
	ims_mutex_unlock(&ictx->lock);
	return ret;
}

static int option_ioctl(struct ims_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	int ret;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		ret = option_rlimit_mode(ucmd->ictx, cmd);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		ret = ims_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (ret)
		return ret;
	return ims_copy_to_user((char *)ucmd->ubuffer + offsetof(struct iommu_option, val64),
				&cmd->val64, sizeof(cmd->val64)) ? -EFAULT : 0;
}

/* ---- the ioctl table ---- */

union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_hw_info info;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate invalidate;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_change_process change_process;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vdevice_alloc vdevice;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_viommu_alloc viommu;
	struct ims_iommu_test_cmd test;
};

struct ioctl_op {
	unsigned int size;       /* of the struct we know */
	unsigned int min_size;   /* end of its last mandatory field */
	unsigned long ioctl_num;
	int (*execute)(struct ims_ucmd *ucmd);
	bool test_only;          /* only with the test interface enabled */
};

#define IOCTL_OP(_ioctl, _fn, _struct, _last)                                  \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                               \
		.size = sizeof(_struct),                                       \
		.min_size = offsetof(_struct, _last) + sizeof(((_struct *)0)->_last), \
		.ioctl_num = _ioctl,                                           \
		.execute = _fn,                                                \
	}

static const struct ioctl_op ioctl_ops[] = {
	IOCTL_OP(IOMMU_DESTROY, destroy_ioctl, struct iommu_destroy, id),
	IOCTL_OP(IOMMU_GET_HW_INFO, ims_get_hw_info, struct iommu_hw_info, __reserved),
	IOCTL_OP(IOMMU_HWPT_ALLOC, ims_hwpt_alloc_ioctl, struct iommu_hwpt_alloc, __reserved),
	IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, ims_hwpt_get_dirty_bitmap,
		 struct iommu_hwpt_get_dirty_bitmap, data),
	IOCTL_OP(IOMMU_HWPT_INVALIDATE, ims_hwpt_invalidate, struct iommu_hwpt_invalidate,
		 __reserved),
	IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING, ims_hwpt_set_dirty_tracking,
		 struct iommu_hwpt_set_dirty_tracking, __reserved),
	IOCTL_OP(IOMMU_IOAS_ALLOC, ims_ioas_alloc_ioctl, struct iommu_ioas_alloc, out_ioas_id),
	IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, ims_ioas_allow_iovas, struct iommu_ioas_allow_iovas,
		 allowed_iovas),
	IOCTL_OP(IOMMU_IOAS_CHANGE_PROCESS, ims_ioas_change_process,
		 struct iommu_ioas_change_process, __reserved),
	IOCTL_OP(IOMMU_IOAS_COPY, ims_ioas_copy, struct iommu_ioas_copy, src_iova),
	IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, ims_ioas_iova_ranges, struct iommu_ioas_iova_ranges,
		 out_iova_alignment),
	IOCTL_OP(IOMMU_IOAS_MAP, ims_ioas_map, struct iommu_ioas_map, iova),
	IOCTL_OP(IOMMU_IOAS_MAP_FILE, ims_ioas_map_file, struct iommu_ioas_map_file, iova),
	IOCTL_OP(IOMMU_IOAS_UNMAP, ims_ioas_unmap, struct iommu_ioas_unmap, length),
	IOCTL_OP(IOMMU_OPTION, option_ioctl, struct iommu_option, val64),
	IOCTL_OP(IOMMU_VFIO_IOAS, ims_vfio_ioas, struct iommu_vfio_ioas, __reserved),
	IOCTL_OP(IOMMU_VIOMMU_ALLOC, ims_viommu_alloc_ioctl, struct iommu_viommu_alloc,
		 out_viommu_id),
	IOCTL_OP(IOMMU_VDEVICE_ALLOC, ims_vdevice_alloc_ioctl, struct iommu_vdevice_alloc, virt_id),
	IOCTL_OP(IMS_IOMMU_TEST_CMD, ims_iommufd_test, struct ims_iommu_test_cmd, last),
};

static const struct ioctl_op *find_op(struct ims_iommufd_ctx *ictx, unsigned long cmd)
{
	unsigned int nr = _IOC_NR(cmd);
	const struct ioctl_op *op;

	if (nr < IOMMUFD_CMD_BASE || nr - IOMMUFD_CMD_BASE >= IMS_ARRAY_SIZE(ioctl_ops))
		return NULL;
	op = &ioctl_ops[nr - IOMMUFD_CMD_BASE];
	if (op->ioctl_num == IMS_IOMMU_TEST_CMD && !ictx->env->selftest)
		return NULL;
	return op;
}

long ims_iommufd_ioctl(struct ims_iommufd_ctx *ictx, unsigned long cmd, void *arg)
{
	const struct ioctl_op *op = find_op(ictx, cmd);
	struct ims_ucmd ucmd = { .ictx = ictx, .ubuffer = arg };
	union ucmd_buffer buf;
	int ret;

	if (!op)
		return ims_iommufd_vfio_ioctl(ictx, cmd, arg);
	if (ims_copy_from_user(&ucmd.user_size, arg, sizeof(ucmd.user_size)))
		return -EFAULT;
	if (op->ioctl_num != cmd)
		return -ENOTTY;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	ret = ims_copy_struct_from_user(&buf, op->size, arg, ucmd.user_size);
	if (ret)
		return ret;
	ucmd.cmd = &buf;
	return op->execute(&ucmd);
}
