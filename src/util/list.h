/* SPDX-License-Identifier: MIT */
/*
 * Intrusive doubly linked list (circular, with a head node), the shape every
 * kernel reader knows.  Used for the core's object lists where order matters
 * (a group's devices are attached in list order, VFIO tries domains in list
 * order) and the lists are short.
 */
#ifndef IMS_UTIL_LIST_H
#define IMS_UTIL_LIST_H

#include <stdbool.h>
#include "err.h"

struct ims_list {
	struct ims_list *next, *prev;
};

#define IMS_LIST_INIT(name) { &(name), &(name) }

static inline void ims_list_init(struct ims_list *head)
{
	head->next = head->prev = head;
}

static inline bool ims_list_empty(const struct ims_list *head)
{
	return head->next == head;
}

static inline void ims_list_insert_between(struct ims_list *node,
					   struct ims_list *prev,
					   struct ims_list *next)
{
	next->prev = node;
	node->next = next;
	node->prev = prev;
	prev->next = node;
}

static inline void ims_list_add_tail(struct ims_list *node, struct ims_list *head)
{
	ims_list_insert_between(node, head->prev, head);
}

static inline void ims_list_add(struct ims_list *node, struct ims_list *head)
{
	ims_list_insert_between(node, head, head->next);
}

static inline void ims_list_del(struct ims_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node->prev = node;
}

static inline bool ims_list_is_singular(const struct ims_list *head)
{
	return !ims_list_empty(head) && head->next == head->prev;
}

static inline size_t ims_list_count(const struct ims_list *head)
{
	size_t n = 0;

	for (const struct ims_list *p = head->next; p != head; p = p->next)
		n++;
	return n;
}

#define ims_list_entry(ptr, type, member) ims_container_of(ptr, type, member)

#define ims_list_first_entry(head, type, member) \
	ims_list_entry((head)->next, type, member)

#define ims_list_for_each_entry(pos, head, member)                           \
	for (pos = ims_list_entry((head)->next, __typeof__(*pos), member);   \
	     &pos->member != (head);                                         \
	     pos = ims_list_entry(pos->member.next, __typeof__(*pos), member))

#define ims_list_for_each_entry_reverse(pos, head, member)                   \
	for (pos = ims_list_entry((head)->prev, __typeof__(*pos), member);   \
	     &pos->member != (head);                                         \
	     pos = ims_list_entry(pos->member.prev, __typeof__(*pos), member))

/* Continue backwards from (and excluding) pos. */
#define ims_list_for_each_entry_continue_reverse(pos, head, member)          \
	for (pos = ims_list_entry(pos->member.prev, __typeof__(*pos), member); \
	     &pos->member != (head);                                         \
	     pos = ims_list_entry(pos->member.prev, __typeof__(*pos), member))

#define ims_list_for_each_entry_safe(pos, tmp, head, member)                 \
	for (pos = ims_list_entry((head)->next, __typeof__(*pos), member),   \
	     tmp = ims_list_entry(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (head);                                         \
	     pos = tmp,                                                      \
	     tmp = ims_list_entry(tmp->member.next, __typeof__(*pos), member))

#endif
