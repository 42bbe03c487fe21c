/* SPDX-License-Identifier: MIT */
/*
 * ID table: small integer IDs to pointers, lowest free ID first.
 *
 * This is the userspace stand-in for an allocating xarray, with the same
 * two-step life cycle iommufd uses: ims_idtable_reserve() takes an ID whose
 * slot holds no object yet (lookups see nothing), then
 * ims_idtable_publish() makes the object visible, or ims_idtable_remove()
 * gives the ID back.  IDs start at the table's @min_id and never exceed
 * @max_id.  Not thread-safe: the owner's lock protects it.
 */
#ifndef IMS_UTIL_IDTABLE_H
#define IMS_UTIL_IDTABLE_H

#include <stdint.h>

struct ims_idtable {
	void **slots;       /* index = id - min_id */
	uint32_t nr_slots;  /* allocated length of @slots */
	uint32_t first_free; /* no free slot below this index */
	uint32_t count;     /* reserved + published IDs */
	uint32_t min_id, max_id;
};

void ims_idtable_init(struct ims_idtable *t, uint32_t min_id, uint32_t max_id);
/* Frees the slot array only; the owner frees the objects first. */
void ims_idtable_destroy(struct ims_idtable *t);

/* Reserve the lowest free ID: 0, -ENOMEM, or -ENOSPC when the range is full. */
int ims_idtable_reserve(struct ims_idtable *t, uint32_t *id);
/* Reserve and publish at once. */
int ims_idtable_alloc(struct ims_idtable *t, void *ptr, uint32_t *id);
/* Make a reserved ID point at @ptr (or change the object of a published one). */
void ims_idtable_publish(struct ims_idtable *t, uint32_t id, void *ptr);
/* The object, or NULL for a free, reserved or out-of-range ID. */
void *ims_idtable_lookup(const struct ims_idtable *t, uint32_t id);
/* Free the ID; returns the object it held (NULL if only reserved). */
void *ims_idtable_remove(struct ims_idtable *t, uint32_t id);
/*
 * Iterate published objects in ID order: start with *id = 0 (or any ID);
 * returns the first object with ID >= *id and sets *id to it, or NULL.
 */
void *ims_idtable_next(const struct ims_idtable *t, uint32_t *id);

#define ims_idtable_for_each(t, id, obj)                               \
	for ((id) = 0; ((obj) = ims_idtable_next((t), &(id))) != NULL; (id)++)

#endif
