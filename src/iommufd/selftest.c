// SPDX-License-Identifier: MIT
/*
 * The kernel's iommufd test interface, IOMMU_TEST_CMD (kernel selftest.c;
 * ../shared/spec/iommufd-selftest.md 2.4), on the context of an iommufd
 * whose host enabled it.
 *
 * Its devices are mock devices on the mock bus, each in its own group,
 * behind one mock IOMMU instance per host ("iommufd-selftest": the mock
 * driver with a real AMD v1 table of 2 KiB pages, aperture
 * [16 MiB, 2 GiB - 1], dirty tracking, a blocking default domain, no
 * reserved regions).  MOCK_DOMAIN makes one, binds it to the context and
 * attaches it; the SELFTEST object it returns owns all three, and
 * IOMMU_DESTROY of it undoes them.
 *
 * Access objects are handed out as fds (the host's file kind for them);
 * closing the fd unpins what the access still holds and destroys it.
 *
 * Implemented: ADD_RESERVED, MOCK_DOMAIN, MOCK_DOMAIN_FLAGS,
 * MOCK_DOMAIN_REPLACE, MD_CHECK_MAP, MD_CHECK_REFS, CREATE_ACCESS,
 * ACCESS_PAGES, DESTROY_ACCESS_PAGES, ACCESS_RW, ACCESS_REPLACE_IOAS,
 * SET_TEMP_MEMORY_LIMIT, DEV_CHECK_CACHE, DIRTY, PASID_ATTACH,
 * PASID_REPLACE, PASID_DETACH, PASID_CHECK_HWPT.  The others (nested
 * domains, faults, vIOMMUs, dma-bufs) answer EOPNOTSUPP.  HWPT_ALLOC data
 * of type SELFTEST selects the mock's page table: the default one is the
 * mock driver's; the huge one (1 MiB pages, no aperture) is not modelled.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/mock/mock.h"
#include "iommufd-priv.h"
#include "iommufd/selftest_mem.h"
#include "iommufd/test_abi.h"
#include "util/alloc.h"
#include "util/uaccess.h"

#define TEST_MAX_LENGTH (16ull << 20)   /* ACCESS_PAGES / ACCESS_RW limit */
#define MIN_MEMORY_LIMIT 12u             /* a batch holds one entry at least */

struct ims_iommufd_selftest {
	struct ims_core *core;
	struct ims_iommu *iommu;             /* the mock instance of its devices */
	struct ims_mutex lock;               /* next_dev, memory_limit */
	unsigned int next_dev;
	uint32_t memory_limit;               /* SET_TEMP_MEMORY_LIMIT, global */
};

/* A mock device made by MOCK_DOMAIN: the device, its binding, its cache words. */
struct selftest_obj {
	struct ims_obj obj;
	struct ims_mock_device_cfg cfg;
	struct ims_device *dev;
	struct ims_iommufd_device *idev;
	uint32_t cache[IMS_MOCK_DEV_CACHE_NUM];
};

struct ims_test_access {
	struct ims_access *access;
	struct ims_mutex lock;               /* items, next_id */
	struct ims_list items;
	uint32_t next_id;
};

struct access_item {
	struct ims_list node;
	uint64_t iova, length;
	uint32_t id;
};

static uint64_t psize(void)
{
	return ims_page_size();
}

static struct ims_iommufd_selftest *selftest_of(struct ims_iommufd_ctx *ictx)
{
	return ictx->env->selftest;
}

/* ---- the per-host state ---- */

int ims_iommufd_selftest_create(struct ims_core *core, struct ims_iommufd_selftest **out)
{
	const struct ims_mock_iommu_cfg cfg = {
		.pgsize_bitmap = ~(uint64_t)(IMS_MOCK_PAGE_SIZE - 1),
		.aperture_start = IMS_MOCK_APERTURE_START,
		.aperture_end = IMS_MOCK_APERTURE_LAST,
		.dirty_tracking = true,
		.no_sw_msi = true,
		.default_blocked = true,
	};
	struct ims_iommufd_selftest *st = ims_zalloc(sizeof(*st));
	int ret;

	if (!st)
		return -ENOMEM;
	ret = ims_mock_register(core, "iommufd-selftest", &cfg, &st->iommu);
	if (ret) {
		ims_free(st);
		return ret;
	}
	st->core = core;
	st->memory_limit = 65536;
	ims_mutex_init(&st->lock);
	*out = st;
	return 0;
}

void ims_iommufd_selftest_destroy(struct ims_iommufd_selftest *st)
{
	if (!st)
		return;
	ims_mutex_destroy(&st->lock);
	ims_free(st); /* the instance goes with the core */
}

bool ims_selftest_is_mock_dev(struct ims_iommufd_ctx *ictx, struct ims_device *dev)
{
	return selftest_of(ictx) && dev->iommu == selftest_of(ictx)->iommu;
}

int ims_selftest_hw_info(struct ims_iommufd_ctx *ictx, struct ims_device *dev,
			 uint32_t *type, void *data, uint32_t *len)
{
	struct ims_test_hw_info info = { .test_reg = IMS_HW_INFO_SELFTEST_REGVAL };

	if (!ims_selftest_is_mock_dev(ictx, dev))
		return -ENODEV;
	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT && *type != IMS_HW_INFO_TYPE_SELFTEST)
		return -EOPNOTSUPP;
	memcpy(data, &info, sizeof(info));
	*len = sizeof(info);
	*type = IMS_HW_INFO_TYPE_SELFTEST;
	return 0;
}

int ims_selftest_paging_data(struct ims_iommufd_ctx *ictx, struct ims_device *dev,
			     uint32_t type, uint64_t uptr, uint32_t len)
{
	const size_t minsz = offsetof(struct ims_hwpt_selftest, pagetable_type) + sizeof(uint32_t);
	struct ims_hwpt_selftest cfg;
	int ret;

	if (!ims_selftest_is_mock_dev(ictx, dev) || type != IMS_HWPT_DATA_SELFTEST)
		return -EOPNOTSUPP;
	if (len < minsz)
		return -EINVAL;
	ret = ims_copy_struct_from_user(&cfg, sizeof(cfg), (const void *)(uintptr_t)uptr, len);
	if (ret)
		return ret;
	return cfg.pagetable_type == IMS_MOCK_IOMMUPT_DEFAULT ? 0 : -EOPNOTSUPP;
}

/* ---- mock devices ---- */

static struct ims_device *mock_dev_create(struct ims_iommufd_selftest *st,
					  struct selftest_obj *sobj, uint32_t flags)
{
	char name[32];
	struct ims_device_desc desc = {
		.name = name,
		.bus = IMS_BUS_MOCK,
		.iommu = st->iommu,
		.msi_isolated = true,
		.cache_coherent = true,
		.max_pasids = flags & IMS_MOCK_DEV_PASID ? 1u << IMS_MOCK_PASID_WIDTH : 0,
		.platform_data = &sobj->cfg,
	};

	if (flags & ~(IMS_MOCK_DEV_NO_DIRTY | IMS_MOCK_DEV_PASID))
		return ERR_PTR(-EINVAL);
	sobj->cfg.no_dirty = flags & IMS_MOCK_DEV_NO_DIRTY;
	ims_mutex_lock(&st->lock);
	snprintf(name, sizeof(name), "iommufd_mock%u", st->next_dev++);
	ims_mutex_unlock(&st->lock);
	return ims_device_add(st->core, &desc);
}

void ims_selftest_destroy(struct ims_obj *obj)
{
	struct selftest_obj *sobj = ims_container_of(obj, struct selftest_obj, obj);
	uint32_t pasid, hwpt;

	/* Every attachment goes: the RID, and PASIDs a test left (the kernel warns). */
	while (ims_idev_attachments(sobj->idev, &pasid, &hwpt, 1))
		ims_iommufd_device_detach(sobj->idev, pasid);
	ims_iommufd_device_unbind(sobj->idev);
	ims_device_remove(sobj->dev);
}

static int mock_domain(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	uint32_t flags = cmd->op == IMS_TEST_OP_MOCK_DOMAIN_FLAGS ? cmd->mock_domain_flags.dev_flags : 0;
	struct ims_iommufd_ctx *ictx = ucmd->ictx;
	struct selftest_obj *sobj;
	uint32_t pt_id = cmd->id, idev_id;
	int ret;

	sobj = ims_obj_alloc(ictx, sizeof(*sobj), IMS_OBJ_SELFTEST);
	if (IS_ERR(sobj))
		return (int)PTR_ERR(sobj);
	for (int i = 0; i < IMS_MOCK_DEV_CACHE_NUM; i++)
		sobj->cache[i] = IMS_MOCK_DEV_CACHE_DEFAULT;
	sobj->dev = mock_dev_create(selftest_of(ictx), sobj, flags);
	ret = IS_ERR(sobj->dev) ? (int)PTR_ERR(sobj->dev) : 0;
	if (ret)
		goto out_abort;
	sobj->idev = ims_iommufd_device_bind(ictx, sobj->dev, &idev_id);
	ret = IS_ERR(sobj->idev) ? (int)PTR_ERR(sobj->idev) : 0;
	if (ret)
		goto out_remove;
	ret = ims_iommufd_device_attach(sobj->idev, IMS_IOMMUFD_NO_PASID, &pt_id);
	if (ret)
		goto out_unbind;
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_idev_id = idev_id;
	ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	if (!ret) {
		ims_obj_finalize(ictx, &sobj->obj);
		return 0;
	}
	ims_iommufd_device_detach(sobj->idev, IMS_IOMMUFD_NO_PASID);
out_unbind:
	ims_iommufd_device_unbind(sobj->idev);
out_remove:
	ims_device_remove(sobj->dev);
out_abort:
	ims_obj_abort(ictx, &sobj->obj);
	return ret;
}

static int mock_domain_replace(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	struct ims_obj *obj = ims_obj_get(ucmd->ictx, cmd->id, IMS_OBJ_SELFTEST);
	uint32_t pt_id = cmd->mock_domain_replace.pt_id;
	struct selftest_obj *sobj;
	int ret;

	if (IS_ERR(obj))
		return (int)PTR_ERR(obj);
	sobj = ims_container_of(obj, struct selftest_obj, obj);
	ret = ims_iommufd_device_replace(sobj->idev, IMS_IOMMUFD_NO_PASID, &pt_id);
	if (!ret) {
		cmd->mock_domain_replace.pt_id = pt_id;
		ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	}
	ims_obj_put(ucmd->ictx, obj);
	return ret;
}

/* ---- PASIDs of a mock device ---- */

static struct selftest_obj *sobj_get(struct ims_iommufd_ctx *ictx, uint32_t id)
{
	struct ims_obj *obj = ims_obj_get(ictx, id, IMS_OBJ_SELFTEST);

	return IS_ERR(obj) ? (void *)obj : ims_container_of(obj, struct selftest_obj, obj);
}

/* PASID_ATTACH, PASID_REPLACE: the device API on a PASID, the HWPT used comes back. */
static int pasid_attach(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd, bool replace)
{
	struct selftest_obj *sobj = sobj_get(ucmd->ictx, cmd->id);
	uint32_t pasid = cmd->pasid_attach.pasid;
	int ret;

	if (IS_ERR(sobj))
		return (int)PTR_ERR(sobj);
	ret = replace ? ims_iommufd_device_replace(sobj->idev, pasid, &cmd->pasid_attach.pt_id) :
			ims_iommufd_device_attach(sobj->idev, pasid, &cmd->pasid_attach.pt_id);
	if (!ret) {
		ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
		if (ret && !replace)
			ims_iommufd_device_detach(sobj->idev, pasid);
	}
	ims_obj_put(ucmd->ictx, &sobj->obj);
	return ret;
}

/* PASID_DETACH: detaching a PASID that is not attached is no error. */
static int pasid_detach(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	struct selftest_obj *sobj = sobj_get(ucmd->ictx, cmd->id);

	if (IS_ERR(sobj))
		return (int)PTR_ERR(sobj);
	ims_iommufd_device_detach(sobj->idev, cmd->pasid_attach.pasid);
	ims_obj_put(ucmd->ictx, &sobj->obj);
	return 0;
}

/* The HWPT on @pasid of the device, 0 for none. */
static uint32_t pasid_hwpt(struct ims_iommufd_device *idev, uint32_t pasid)
{
	uint32_t pasids[16], ids[16];
	size_t n = ims_idev_attachments(idev, pasids, ids, 16);

	for (size_t i = 0; i < IMS_MIN(n, (size_t)16); i++)
		if (pasids[i] == pasid)
			return ids[i];
	return 0;
}

/* PASID_CHECK_HWPT: @pasid must be on that HWPT (0: on none); EINVAL otherwise. */
static int pasid_check(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	struct selftest_obj *sobj = sobj_get(ucmd->ictx, cmd->id);
	uint32_t want = cmd->pasid_attach.pt_id;
	struct ims_obj *hwpt = NULL;
	int ret = 0;

	if (IS_ERR(sobj))
		return (int)PTR_ERR(sobj);
	if (want) {
		hwpt = ims_obj_get(ucmd->ictx, want, IMS_OBJ_HWPT_PAGING);
		ret = IS_ERR(hwpt) ? (int)PTR_ERR(hwpt) : 0;
	}
	if (!ret && pasid_hwpt(sobj->idev, cmd->pasid_attach.pasid) != want)
		ret = -EINVAL;
	if (!IS_ERR_OR_NULL(hwpt))
		ims_obj_put(ucmd->ictx, hwpt);
	ims_obj_put(ucmd->ictx, &sobj->obj);
	return ret;
}

/* The selftest object of a bound mock device, by the device's ID. */
static struct selftest_obj *sobj_of_idev(struct ims_iommufd_ctx *ictx,
					 const struct ims_iommufd_device *idev)
{
	struct selftest_obj *found = NULL;
	struct ims_obj *obj;
	uint32_t id;

	ims_mutex_lock(&ictx->lock);
	ims_idtable_for_each(&ictx->objects, id, obj) {
		struct selftest_obj *sobj = ims_container_of(obj, struct selftest_obj, obj);

		if (obj->type == IMS_OBJ_SELFTEST && sobj->idev == idev)
			found = sobj;
	}
	ims_mutex_unlock(&ictx->lock);
	return found;
}

static int dev_check_cache(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	struct ims_iommufd_device *idev = ims_idev_get(ucmd->ictx, cmd->id);
	uint32_t which = cmd->check_dev_cache.id;
	struct selftest_obj *sobj;
	int ret = 0;

	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	sobj = sobj_of_idev(ucmd->ictx, idev);
	if (!sobj || which >= IMS_MOCK_DEV_CACHE_NUM ||
	    sobj->cache[which] != cmd->check_dev_cache.cache)
		ret = -EINVAL;
	ims_obj_put(ucmd->ictx, &idev->obj);
	return ret;
}

/* ---- IOAS and domain checks ---- */

static int add_reserved(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	uint64_t start = cmd->add_reserved.start, length = cmd->add_reserved.length;
	struct ims_ioas *ioas;
	int ret;

	if (!length)
		return -EINVAL;
	if (start + length - 1 < start)
		return -EOVERFLOW;
	ioas = ims_ioas_get(ucmd->ictx, cmd->id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	ims_mutex_lock(&ioas->iova_lock);
	ret = ims_iopt_reserve(&ioas->iopt, start, start + length - 1, NULL);
	ims_mutex_unlock(&ioas->iova_lock);
	ims_obj_put(ucmd->ictx, &ioas->obj);
	return ret;
}

/* A paging HWPT whose domain is the mock driver's: -ENOENT, -EINVAL. */
static struct ims_hwpt_paging *get_md_pagetable(struct ims_iommufd_ctx *ictx, uint32_t id)
{
	struct ims_hwpt_paging *hwpt = ims_hwpt_paging_get(ictx, id);

	if (IS_ERR(hwpt))
		return hwpt;
	if (hwpt->domain->type != IMS_DOMAIN_UNMANAGED ||
	    !ims_domain_owned_by(hwpt->domain, &ims_mock_ops)) {
		ims_obj_put(ictx, &hwpt->obj);
		return ERR_PTR(-EINVAL);
	}
	return hwpt;
}

/* Each smallest page of [iova, +length) translates to the memory behind uptr. */
static int check_translations(struct ims_domain *domain, const struct ims_maps *maps,
			      uint64_t iova, uint64_t length, uint64_t uptr, uint64_t step)
{
	for (uint64_t done = 0; done < length; done += step) {
		uint64_t pa = ims_iommu_iova_to_phys(domain, iova + done);
		struct ims_backing user, mapped;
		int ret = ims_maps_backing(maps, uptr + done, &user);

		if (ret)
			return ret;
		if (!pa || ims_maps_backing(maps, pa, &mapped) || !ims_backing_same(&user, &mapped))
			return -EINVAL;
	}
	return 0;
}

static int md_check_map(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->check_map.iova, length = cmd->check_map.length;
	uint64_t uptr = cmd->check_map.uptr, step;
	struct ims_hwpt_paging *hwpt;
	struct ims_maps maps;
	int ret;

	hwpt = get_md_pagetable(ucmd->ictx, cmd->id);
	if (IS_ERR(hwpt))
		return (int)PTR_ERR(hwpt);
	step = 1ull << __builtin_ctzll(hwpt->domain->pgsize_bitmap);
	ret = (iova | length | uptr) & (step - 1) || uptr + length < uptr ? -EINVAL : 0;
	if (!ret)
		ret = ims_maps_load(&maps);
	if (!ret) {
		ret = check_translations(hwpt->domain, &maps, iova, length, uptr, step);
		ims_maps_free(&maps);
	}
	ims_obj_put(ucmd->ictx, &hwpt->obj);
	return ret;
}

/* Long-term pins of the page at @addr: by address, plus by file for file memory. */
static unsigned int page_pins(struct ims_mm *mm, uint64_t addr, const struct ims_backing *b)
{
	unsigned int pins = ims_mm_page_pins(mm, addr);

	if (b->file)
		pins += ims_mm_file_page_pins(mm, b->dev, b->ino, b->where & ~(psize() - 1));
	return pins;
}

static int md_check_refs(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	uint64_t uptr = cmd->check_refs.uptr, length = cmd->check_refs.length;
	struct ims_maps maps;
	int ret;

	if ((length | uptr) & (psize() - 1) || uptr + length < uptr)
		return -EINVAL;
	ret = ims_maps_load(&maps);
	if (ret)
		return ret;
	for (uint64_t off = 0; !ret && off < length; off += psize()) {
		struct ims_backing b;

		ret = ims_maps_backing(&maps, uptr + off, &b);
		if (!ret && page_pins(ucmd->ictx->env->mm, uptr + off, &b) != cmd->check_refs.refs)
			ret = -EIO;
	}
	ims_maps_free(&maps);
	return ret;
}

/* DIRTY: mark the IOVA of every set bit dirty, as a device write would. */
static int mark_dirty(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->dirty.iova, length = cmd->dirty.length, page = cmd->dirty.page_size;
	struct ims_hwpt_paging *hwpt;
	uint64_t bits, count = 0;
	unsigned char *map;
	int ret = 0;

	if (!page || !length || iova % page || length % page || !cmd->dirty.uptr)
		return -EINVAL;
	bits = length / page;
	if (bits > (16ull << 20) * 8)
		return -EOVERFLOW;
	hwpt = get_md_pagetable(ucmd->ictx, cmd->id);
	if (IS_ERR(hwpt))
		return (int)PTR_ERR(hwpt);
	map = hwpt->domain->dirty_tracking ? ims_zalloc((bits + 7) / 8) : NULL;
	if (!hwpt->domain->dirty_tracking)
		ret = -EINVAL;
	else if (!map)
		ret = -ENOMEM;
	else if (ims_copy_from_user(map, (void *)(uintptr_t)cmd->dirty.uptr, (bits + 7) / 8))
		ret = -EFAULT;
	for (uint64_t i = 0; !ret && i < bits; i++) {
		if (!(map[i / 8] & (1u << (i % 8))))
			continue;
		ims_mock_domain_set_dirty(hwpt->domain, iova + i * page);
		count++;
	}
	if (!ret) {
		cmd->dirty.out_nr_dirty = count;
		ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	}
	ims_free(map);
	ims_obj_put(ucmd->ictx, &hwpt->obj);
	return ret;
}

/* ---- access objects ---- */

static void access_unmap(void *data, uint64_t iova, uint64_t length)
{
	struct ims_test_access *sa = data;
	uint64_t last = iova + length - 1;
	struct access_item *item, *tmp;

	ims_mutex_lock(&sa->lock);
	ims_list_for_each_entry_safe(item, tmp, &sa->items, node) {
		if (iova > item->iova + item->length - 1 || last < item->iova)
			continue;
		ims_list_del(&item->node);
		ims_access_unpin_pages(sa->access, item->iova, item->length);
		ims_free(item);
	}
	ims_mutex_unlock(&sa->lock);
}

static const struct ims_access_ops access_ops_pin = {
	.needs_pin_pages = true,
	.unmap = access_unmap,
};

static const struct ims_access_ops access_ops = {
	.unmap = access_unmap,
};

void ims_test_access_release(struct ims_test_access *sa)
{
	if (sa->access) {
		access_unmap(sa, 0, UINT64_MAX);
		ims_access_destroy(sa->access);
	}
	ims_mutex_destroy(&sa->lock);
	ims_free(sa);
}

/* The access behind the fd @fd, with a file reference (*@file to put). */
static struct ims_test_access *access_get(struct ims_iommufd_ctx *ictx, uint32_t fd,
					  void **file)
{
	const struct ims_iommufd_env *env = ictx->env;

	if (!env->access_fd_get)
		return ERR_PTR(-EBADFD);
	return env->access_fd_get(env->host, (int)fd, file);
}

static void access_put(struct ims_iommufd_ctx *ictx, void *file)
{
	ictx->env->access_fd_put(ictx->env->host, file);
}

static int create_access(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	const struct ims_iommufd_env *env = ucmd->ictx->env;
	uint32_t flags = cmd->create_access.flags, id;
	struct ims_test_access *sa;
	int ret, fd;

	if (flags & ~IMS_MOCK_ACCESS_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	if (!env->access_fd_new)
		return -ENODEV;
	sa = ims_zalloc(sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	ims_mutex_init(&sa->lock);
	ims_list_init(&sa->items);
	sa->access = ims_access_create(ucmd->ictx, flags ? &access_ops_pin : &access_ops, sa, &id);
	ret = IS_ERR(sa->access) ? (int)PTR_ERR(sa->access) : 0;
	if (ret)
		sa->access = NULL;
	if (!ret)
		ret = ims_access_attach(sa->access, cmd->id);
	fd = ret ? ret : env->access_fd_new(env->host, sa);
	if (fd < 0) {
		ims_test_access_release(sa);
		return fd;
	}
	cmd->create_access.out_access_fd = (uint32_t)fd;
	ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
	if (ret)
		env->fd_close(env->host, fd); /* releases the access */
	return ret;
}

/* Does each pinned page (its address in @pages) hold the memory behind @uptr? */
static int check_pages(uint64_t uptr, const uint64_t *pages, uint64_t npages)
{
	struct ims_maps maps;
	int ret = ims_maps_load(&maps);

	for (uint64_t i = 0; !ret && i < npages; i++) {
		struct ims_backing user, pinned;

		ret = ims_maps_backing(&maps, uptr + i * psize(), &user);
		if (!ret && (ims_maps_backing(&maps, pages[i], &pinned) ||
			     !ims_backing_same(&user, &pinned)))
			ret = -EBADE;
	}
	ims_maps_free(&maps);
	return ret;
}

/* syzkaller's encoding: {nth area, offset} instead of an IOVA. */
static uint64_t syz_iova(struct ims_ioas *ioas, uint64_t encoded)
{
	uint32_t nth = (uint32_t)encoded, offset = (uint32_t)(encoded >> 32);
	struct ims_iopt_area *area;
	uint64_t iova = 0;

	if (!ioas)
		return 0;
	ims_mutex_lock(&ioas->iova_lock);
	ims_iopt_for_each_area(&ioas->iopt, area, 0, UINT64_MAX) {
		if (!nth--) {
			iova = ims_iopt_area_iova(area) + offset;
			break;
		}
	}
	ims_mutex_unlock(&ioas->iova_lock);
	return iova;
}

static uint64_t access_syz_iova(struct ims_test_access *sa, uint64_t encoded)
{
	struct ims_access *access = sa->access;
	uint64_t iova;

	ims_mutex_lock(&access->lock);
	iova = syz_iova(access->ioas, encoded);
	ims_mutex_unlock(&access->lock);
	return iova;
}

static int add_item(struct ims_test_access *sa, uint64_t iova, uint64_t length, uint32_t *id)
{
	struct access_item *item = ims_zalloc(sizeof(*item));

	if (!item)
		return -ENOMEM;
	item->iova = iova;
	item->length = length;
	item->id = *id = sa->next_id++;
	ims_list_add_tail(&item->node, &sa->items);
	return 0;
}

static int __access_pages(struct ims_ucmd *ucmd, struct ims_test_access *sa, uint64_t iova,
			  struct ims_iommu_test_cmd *cmd)
{
	uint64_t length = cmd->access_pages.length, uptr = cmd->access_pages.uptr;
	uint64_t first = iova & ~(psize() - 1);
	uint64_t npages = ((iova + length + psize() - 1) & ~(psize() - 1)) - first;
	uint64_t *pages = ims_calloc(npages / psize() + 1, sizeof(*pages));
	int ret = pages ? 0 : -ENOMEM;

	ims_assert_held(&sa->lock);
	if (!ret)
		ret = ims_access_pin_pages(sa->access, iova, length, pages,
					   cmd->access_pages.flags & IMS_MOCK_ACCESS_WRITE);
	if (ret)
		goto out_free;
	if (uptr)
		ret = check_pages(uptr - (iova - first), pages, npages / psize());
	if (!ret)
		ret = add_item(sa, iova, length, &cmd->access_pages.out_access_pages_id);
	if (!ret) {
		ret = ims_ucmd_respond(ucmd, sizeof(*cmd));
		if (ret) {
			struct access_item *item = ims_list_entry(sa->items.prev, struct access_item,
								  node);

			ims_list_del(&item->node);
			ims_free(item);
		}
	}
	if (ret)
		ims_access_unpin_pages(sa->access, iova, length);
out_free:
	ims_free(pages);
	return ret;
}

static int access_pages(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	uint32_t flags = cmd->access_pages.flags;
	uint64_t iova = cmd->access_pages.iova;
	struct ims_test_access *sa;
	void *file;
	int ret;

	if (cmd->access_pages.length > TEST_MAX_LENGTH)
		return -ENOMEM;
	if (flags & ~(IMS_MOCK_ACCESS_WRITE | IMS_MOCK_ACCESS_SYZ))
		return -EOPNOTSUPP;
	sa = access_get(ucmd->ictx, cmd->id, &file);
	if (IS_ERR(sa))
		return (int)PTR_ERR(sa);
	if (sa->access->ops != &access_ops_pin) {
		access_put(ucmd->ictx, file);
		return -EOPNOTSUPP;
	}
	if (flags & IMS_MOCK_ACCESS_SYZ)
		iova = access_syz_iova(sa, iova);
	/* One lock around pin and record: the unmap callback must find the item. */
	ims_mutex_lock(&sa->lock);
	ret = __access_pages(ucmd, sa, iova, cmd);
	ims_mutex_unlock(&sa->lock);
	access_put(ucmd->ictx, file);
	return ret;
}

static int destroy_access_pages(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	struct access_item *item;
	struct ims_test_access *sa;
	void *file;
	int ret = -ENOENT;

	sa = access_get(ucmd->ictx, cmd->id, &file);
	if (IS_ERR(sa))
		return (int)PTR_ERR(sa);
	ims_mutex_lock(&sa->lock);
	ims_list_for_each_entry(item, &sa->items, node) {
		if (item->id != cmd->destroy_access_pages.access_pages_id)
			continue;
		ims_list_del(&item->node);
		ims_access_unpin_pages(sa->access, item->iova, item->length);
		ims_free(item);
		ret = 0;
		break;
	}
	ims_mutex_unlock(&sa->lock);
	access_put(ucmd->ictx, file);
	return ret;
}

/* Copy between the caller's buffer and IOVA, through a kernel-side buffer. */
static int rw_through(struct ims_test_access *sa, struct ims_iommu_test_cmd *cmd, uint64_t iova)
{
	uint64_t length = cmd->access_rw.length;
	void *ubuf = (void *)(uintptr_t)cmd->access_rw.uptr;
	bool write = cmd->access_rw.flags & IMS_MOCK_RW_WRITE;
	void *tmp = ims_zalloc(length);
	int ret = tmp ? 0 : -ENOMEM;

	if (!ret && write && ims_copy_from_user(tmp, ubuf, length))
		ret = -EFAULT;
	if (!ret)
		ret = ims_access_rw(sa->access, iova, tmp, length, write);
	if (!ret && !write && ims_copy_to_user(ubuf, tmp, length))
		ret = -EFAULT;
	ims_free(tmp);
	return ret;
}

static int access_rw(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	const uint32_t known = IMS_MOCK_RW_WRITE | IMS_MOCK_RW_SLOW_PATH | IMS_MOCK_ACCESS_SYZ;
	uint64_t iova = cmd->access_rw.iova;
	struct ims_test_access *sa;
	void *file;
	int ret;

	if (cmd->access_rw.length > TEST_MAX_LENGTH)
		return -ENOMEM;
	if (cmd->access_rw.flags & ~known)
		return -EOPNOTSUPP;
	sa = access_get(ucmd->ictx, cmd->id, &file);
	if (IS_ERR(sa))
		return (int)PTR_ERR(sa);
	if (cmd->access_rw.flags & IMS_MOCK_ACCESS_SYZ)
		iova = access_syz_iova(sa, iova);
	ret = rw_through(sa, cmd, iova);
	access_put(ucmd->ictx, file);
	return ret;
}

static int access_replace_ioas(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	struct ims_test_access *sa;
	void *file;
	int ret;

	sa = access_get(ucmd->ictx, cmd->id, &file);
	if (IS_ERR(sa))
		return (int)PTR_ERR(sa);
	ret = ims_access_replace(sa->access, cmd->access_replace_ioas.ioas_id);
	access_put(ucmd->ictx, file);
	return ret;
}

static int set_memory_limit(struct ims_ucmd *ucmd, struct ims_iommu_test_cmd *cmd)
{
	struct ims_iommufd_selftest *st = selftest_of(ucmd->ictx);

	if (cmd->memory_limit.limit < MIN_MEMORY_LIMIT)
		return -EINVAL;
	ims_mutex_lock(&st->lock);
	st->memory_limit = cmd->memory_limit.limit;
	ims_mutex_unlock(&st->lock);
	return 0;
}

uint64_t ims_selftest_syz_src_iova(struct ims_iommufd_ctx *ictx, uint32_t ioas_id,
				   uint64_t encoded)
{
	struct ims_ioas *ioas = ims_ioas_get(ictx, ioas_id);
	uint64_t iova;

	if (IS_ERR(ioas))
		return encoded;
	iova = syz_iova(ioas, encoded);
	ims_obj_put(ictx, &ioas->obj);
	return iova;
}

int ims_iommufd_test(struct ims_ucmd *ucmd)
{
	struct ims_iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IMS_TEST_OP_ADD_RESERVED:
		return add_reserved(ucmd, cmd);
	case IMS_TEST_OP_MOCK_DOMAIN:
	case IMS_TEST_OP_MOCK_DOMAIN_FLAGS:
		return mock_domain(ucmd, cmd);
	case IMS_TEST_OP_MOCK_DOMAIN_REPLACE:
		return mock_domain_replace(ucmd, cmd);
	case IMS_TEST_OP_MD_CHECK_MAP:
		return md_check_map(ucmd, cmd);
	case IMS_TEST_OP_MD_CHECK_REFS:
		return md_check_refs(ucmd, cmd);
	case IMS_TEST_OP_DEV_CHECK_CACHE:
		return dev_check_cache(ucmd, cmd);
	case IMS_TEST_OP_CREATE_ACCESS:
		return create_access(ucmd, cmd);
	case IMS_TEST_OP_ACCESS_REPLACE_IOAS:
		return access_replace_ioas(ucmd, cmd);
	case IMS_TEST_OP_ACCESS_PAGES:
		return access_pages(ucmd, cmd);
	case IMS_TEST_OP_ACCESS_RW:
		return access_rw(ucmd, cmd);
	case IMS_TEST_OP_DESTROY_ACCESS_PAGES:
		return destroy_access_pages(ucmd, cmd);
	case IMS_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		return set_memory_limit(ucmd, cmd);
	case IMS_TEST_OP_DIRTY:
		return mark_dirty(ucmd, cmd);
	case IMS_TEST_OP_PASID_ATTACH:
	case IMS_TEST_OP_PASID_REPLACE:
		return pasid_attach(ucmd, cmd, cmd->op == IMS_TEST_OP_PASID_REPLACE);
	case IMS_TEST_OP_PASID_DETACH:
		return pasid_detach(ucmd, cmd);
	case IMS_TEST_OP_PASID_CHECK_HWPT:
		return pasid_check(ucmd, cmd);
	default:
		return -EOPNOTSUPP;
	}
}
