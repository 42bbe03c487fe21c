/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the core's files; nothing outside src/core includes
 * this.
 */
#ifndef IMS_CORE_PRIV_H
#define IMS_CORE_PRIV_H

#include "core.h"

/* Flags of __ims_group_set_domain_internal(). */
#define IMS_SET_DOMAIN_MUST_SUCCEED (1u << 0)

/* A driver's static blocked or identity domain, one per core and driver. */
struct ims_static_domain {
	struct ims_domain domain;
	struct ims_list node;       /* core->static_domains */
};

/* The reason the last driver answer gave, or NULL; clears it. */
const char *ims_take_attach_reason(char *buf, size_t len);
/* Did the last driver answer say ims_attach_not_applied()?  Clears it. */
bool ims_take_attach_not_applied(void);

/* Switch one device of @group to @new (require-direct, deferred attach, driver). */
int __ims_device_set_domain(struct ims_group *group, struct ims_device *dev,
			    struct ims_domain *new, unsigned int flags);
int __ims_group_set_domain_internal(struct ims_group *group,
				    struct ims_domain *new, unsigned int flags);
int __ims_group_set_domain(struct ims_group *group, struct ims_domain *new);
void __ims_group_set_domain_nofail(struct ims_group *group, struct ims_domain *new);
/* Back to the blocking domain if owned, else the default domain. */
void __ims_group_set_core_domain(struct ims_group *group);
int __ims_group_alloc_blocking_domain(struct ims_group *group);
struct ims_domain *ims_group_alloc_default_domain(struct ims_group *group, int req_type);
int ims_group_setup_default_domain(struct ims_group *group);
/* 1:1 map every DIRECT region of @dev into @domain (paging only). */
int ims_create_direct_mappings(struct ims_domain *domain, struct ims_device *dev);
void ims_group_release(struct ims_group *group);
void ims_domain_release_id(struct ims_domain *domain);
/* Free the static domains of driver @ops (NULL: of every driver). */
void ims_free_static_domains(struct ims_core *core, const struct ims_iommu_ops *ops);

/* Report an attach answer or a core refusal to the trace. */
void ims_trace_attach(struct ims_device *dev, struct ims_domain *domain,
		      int err, bool by_core, const char *reason);

static inline bool ims_domain_is_paging(const struct ims_domain *domain)
{
	return domain->type & IMS_DOMAIN_BIT_PAGING;
}

#endif
