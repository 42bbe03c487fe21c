// SPDX-License-Identifier: MIT
/*
 * ID table (see idtable.h).  A flat, growable array: the tables it serves
 * (iommufd objects, groups, domains, containers) hold at most thousands of
 * entries and are looked up far more often than they change, so an array
 * indexed by ID beats any tree.  @first_free makes repeated allocation
 * amortised O(1) while keeping "lowest free ID", which is what the kernel's
 * xa_alloc() hands out and what tests observe.
 */
#include "idtable.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"

static char reserved_marker;
#define RESERVED ((void *)&reserved_marker)

void ims_idtable_init(struct ims_idtable *t, uint32_t min_id, uint32_t max_id)
{
	memset(t, 0, sizeof(*t));
	t->min_id = min_id;
	t->max_id = max_id;
}

void ims_idtable_destroy(struct ims_idtable *t)
{
	ims_free(t->slots);
	t->slots = NULL;
	t->nr_slots = t->count = t->first_free = 0;
}

static int grow(struct ims_idtable *t, uint32_t need)
{
	uint32_t n = t->nr_slots ? t->nr_slots : 16;
	void **slots;

	while (n < need)
		n *= 2;
	slots = ims_realloc_array(t->slots, n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	memset(slots + t->nr_slots, 0, (n - t->nr_slots) * sizeof(*slots));
	t->slots = slots;
	t->nr_slots = n;
	return 0;
}

int ims_idtable_reserve(struct ims_idtable *t, uint32_t *id)
{
	uint32_t i = t->first_free;
	uint64_t range = (uint64_t)t->max_id - t->min_id + 1;

	while (i < t->nr_slots && t->slots[i])
		i++;
	if (i >= range)
		return -ENOSPC;
	if (i >= t->nr_slots) {
		int ret = grow(t, i + 1);

		if (ret)
			return ret;
	}
	t->slots[i] = RESERVED;
	t->first_free = i + 1;
	t->count++;
	*id = t->min_id + i;
	return 0;
}

int ims_idtable_alloc(struct ims_idtable *t, void *ptr, uint32_t *id)
{
	int ret = ims_idtable_reserve(t, id);

	if (!ret)
		ims_idtable_publish(t, *id, ptr);
	return ret;
}

static void **slot_of(const struct ims_idtable *t, uint32_t id)
{
	if (id < t->min_id || id - t->min_id >= t->nr_slots)
		return NULL;
	return &t->slots[id - t->min_id];
}

void ims_idtable_publish(struct ims_idtable *t, uint32_t id, void *ptr)
{
	void **slot = slot_of(t, id);

	if (slot && *slot)
		*slot = ptr;
}

void *ims_idtable_lookup(const struct ims_idtable *t, uint32_t id)
{
	void **slot = slot_of(t, id);

	if (!slot || *slot == RESERVED)
		return NULL;
	return *slot;
}

void *ims_idtable_remove(struct ims_idtable *t, uint32_t id)
{
	void **slot = slot_of(t, id);
	void *old;

	if (!slot || !*slot)
		return NULL;
	old = *slot == RESERVED ? NULL : *slot;
	*slot = NULL;
	t->count--;
	if (id - t->min_id < t->first_free)
		t->first_free = id - t->min_id;
	return old;
}

void *ims_idtable_next(const struct ims_idtable *t, uint32_t *id)
{
	uint32_t i = *id > t->min_id ? *id - t->min_id : 0;

	for (; i < t->nr_slots; i++) {
		if (t->slots[i] && t->slots[i] != RESERVED) {
			*id = t->min_id + i;
			return t->slots[i];
		}
	}
	return NULL;
}
