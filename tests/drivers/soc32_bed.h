/* SPDX-License-Identifier: MIT */
/*
 * A test bed for the 32-bit SoC IOMMU models' suites: a platform (a
 * built-in by name, or device-tree source written to a temporary file and
 * compiled by dtc) built into a fresh core of one profile, with shortcuts
 * to its devices, to fresh domains and to attaching them, and a check that
 * taking it down leaves no page-table memory behind.
 */
#ifndef IMS_TEST_SOC32_BED_H
#define IMS_TEST_SOC32_BED_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/core.h"
#include "iommusim/platform.h"
#include "iommusim/pt.h"
#include "topo/topo.h"

#define RW (IMS_PROT_READ | IMS_PROT_WRITE)

struct bed {
	struct ims_platform *platform;
	struct ims_core *core;
	struct ims_topo *topo;
	size_t pt_bytes;  /* table memory in use before the bed came up */
};

/* Load @what (a built-in name, or DTS source starting with "/dts-v1/"): 0 or its errno. */
static inline int bed_load(const char *what, struct ims_platform **out, char *err, size_t len)
{
	char path[64];
	int fd, ret;

	if (strncmp(what, "/dts-v1/", 8))
		return ims_platform_load(what, out, err, len);
	snprintf(path, sizeof(path), "/tmp/iommusim-drv-XXXXXX.dts");
	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, what, strlen(what)), (ssize_t)strlen(what));
	close(fd);
	ret = ims_platform_load(path, out, err, len);
	unlink(path);
	return ret;
}

/* Build @what into a fresh core made with @cfg; 0 or the errno, with the message in @err. */
static inline int bed_try_cfg(struct bed *b, const char *what, const struct ims_core_config *cfg,
			      char *err, size_t len)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->pt_bytes = ims_pt_bytes_in_use();
	ret = bed_load(what, &b->platform, err, len);
	if (!ret)
		ret = ims_core_create(cfg, &b->core);
	if (!ret)
		ret = ims_topo_instantiate(b->platform, b->core, &b->topo, err, len);
	return ret;
}

static inline void bed_down(struct bed *b)
{
	ims_topo_remove(b->topo);
	ims_core_destroy(b->core);
	ims_platform_free(b->platform);
	assert_int_equal(ims_pt_bytes_in_use(), b->pt_bytes);
	memset(b, 0, sizeof(*b));
}

/* The same in a core of @profile (strict DMA default domains, as the matrix builds them). */
static inline int bed_try(struct bed *b, const char *what, enum ims_profile profile, char *err,
			  size_t len)
{
	struct ims_core_config cfg = { .profile = profile, .strict = true };

	return bed_try_cfg(b, what, &cfg, err, len);
}

static inline void bed_up_cfg(struct bed *b, const char *what, const struct ims_core_config *cfg)
{
	char err[512] = "";
	int ret = bed_try_cfg(b, what, cfg, err, sizeof(err));

	if (ret)
		fail_msg("cannot build %.40s: %d %s", what, ret, err);
}

static inline void bed_up(struct bed *b, const char *what, enum ims_profile profile)
{
	struct ims_core_config cfg = { .profile = profile, .strict = true };

	bed_up_cfg(b, what, &cfg);
}

static inline struct ims_device *bed_dev(struct bed *b, const char *name)
{
	struct ims_device *dev = ims_device_find(b->core, name);

	if (!dev)
		fail_msg("no device %s", name);
	return dev;
}

static inline struct ims_iommu *bed_iommu(struct bed *b, const char *name)
{
	struct ims_iommu *iommu = ims_iommu_find(b->core, name);

	if (!iommu)
		fail_msg("no IOMMU %s", name);
	return iommu;
}

/* A fresh paging domain for @name's device (as VFIO or iommufd allocates one). */
static inline struct ims_domain *bed_domain(struct bed *b, const char *name)
{
	struct ims_domain *domain = ims_paging_domain_alloc(bed_dev(b, name), 0);

	assert_false(IS_ERR(domain));
	return domain;
}

static inline int bed_attach(struct bed *b, struct ims_domain *domain, const char *name)
{
	return ims_attach_group(domain, bed_dev(b, name)->group);
}

/* Back to the group's core domain, then free. */
static inline void bed_release(struct bed *b, struct ims_domain *domain, const char *name)
{
	struct ims_group *group = bed_dev(b, name)->group;

	if (group->domain == domain)
		ims_detach_group(domain, group);
	ims_domain_free(domain);
}

/* The driver reports no reserved region for @name (none of the 32-bit SoC drivers has one). */
static inline void bed_no_resv_regions(struct bed *b, const char *name)
{
	struct ims_resv_list list;

	ims_resv_list_init(&list);
	assert_int_equal(ims_get_resv_regions(bed_dev(b, name), &list), 0);
	assert_int_equal(list.nr, 0);
	ims_resv_list_free(&list);
}

/* The answer, in @profile, of attaching a fresh domain for @name to @name's group. */
static inline int bed_fresh_attach(const char *what, enum ims_profile profile, const char *name,
				   bool *applied)
{
	struct ims_domain *domain;
	struct bed b;
	int ret;

	bed_up(&b, what, profile);
	domain = bed_domain(&b, name);
	ret = bed_attach(&b, domain, name);
	if (applied)
		*applied = bed_dev(&b, name)->hw_domain == domain;
	bed_release(&b, domain, name);
	bed_down(&b);
	return ret;
}

/* Every device of @what, in every profile: a fresh domain is never answered "incompatible". */
static inline void bed_check_fresh_domains(const char *what, const char *const *devices)
{
	for (int p = 0; p < IMS_PROFILE_NR; p++) {
		const struct ims_profile_facts *facts = ims_profile_facts(p);

		for (const char *const *name = devices; *name; name++) {
			int ret = bed_fresh_attach(what, p, *name, NULL);

			print_message("# %s %s: %d\n", facts->name, *name, ret);
			if (facts->incompatible_errno)
				assert_int_not_equal(ret, -facts->incompatible_errno);
		}
	}
}

#define bed_for_each_profile(p) for (int p = 0; p < IMS_PROFILE_NR; p++)

#endif
