// SPDX-License-Identifier: MIT
/*
 * Kernel profiles: the one table of facts that differ between the kernels we
 * model (DESIGN 1, kernel-semantics 1 and 8).  Everything era-dependent in
 * the core, the drivers and the VFIO/iommufd layers reads this table or an
 * ims_attach_rule; nothing tests the profile enum directly.
 *
 *   upstream  today's kernel: EINVAL is the incompatible errno; the core
 *             checks the domain's owner (v6.8); paging domains are
 *             allocated for a device (v6.11); the core's unwind leaves the
 *             failing device alone (~v6.18); attaches during a PCI reset get
 *             EBUSY (v6.19); tegra-gart is gone (v6.7); type1 nesting is gone
 *             (v6.13); wrapping type1 ranges get EOVERFLOW (v6.18).
 *   seed      the 2022 series as posted in v1, plus the reviewer's list
 *             converted: EMEDIUMTYPE, patch 2's core ops check, and VFIO's
 *             simplified loop that ignores enforced coherency (patch 3, 5).
 *   legacy    v5.19, before the series: no dedicated errno, no core check,
 *             domains allocated per bus and bound at first attach.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "core-priv.h"

static const struct ims_profile_facts profiles[IMS_PROFILE_NR] = {
	[IMS_PROFILE_UPSTREAM] = {
		.profile = IMS_PROFILE_UPSTREAM,
		.name = "upstream",
		.era = "Linux v6.18 and later (EINVAL means incompatible)",
		.incompatible_errno = EINVAL,
		.core_owner_check = true,
		.alloc_for_device = true,
		.unwind_skips_failed = true,
		.reset_fence = true,
		.has_tegra_gart = false,
		.type1_attach = IMS_TYPE1_ALLOC_FIRST,
		.type1_match_coherency = true,
		.type1_nesting = false,
		.type1_overflow_eoverflow = true,
		.vfio_caps_aligned = true,
	},
	[IMS_PROFILE_SEED] = {
		.profile = IMS_PROFILE_SEED,
		.name = "seed",
		.era = "the June 2022 EMEDIUMTYPE series (v1) on Linux v5.19",
		.incompatible_errno = EMEDIUMTYPE,
		.core_owner_check = true,
		.alloc_for_device = false,
		.unwind_skips_failed = false,
		.reset_fence = false,
		.has_tegra_gart = true,
		.type1_attach = IMS_TYPE1_TRY_EXISTING,
		.type1_match_coherency = false,
		.type1_nesting = true,
		.type1_overflow_eoverflow = false,
	},
	[IMS_PROFILE_LEGACY] = {
		.profile = IMS_PROFILE_LEGACY,
		.name = "legacy",
		.era = "Linux v5.19, before the series (no dedicated errno)",
		.incompatible_errno = 0,
		.core_owner_check = false,
		.alloc_for_device = false,
		.unwind_skips_failed = false,
		.reset_fence = false,
		.has_tegra_gart = true,
		.type1_attach = IMS_TYPE1_ALLOC_FIRST,
		.type1_match_coherency = true,
		.type1_nesting = true,
		.type1_overflow_eoverflow = false,
	},
};

const struct ims_profile_facts *ims_profile_facts(enum ims_profile profile)
{
	return profile < IMS_PROFILE_NR ? &profiles[profile] : NULL;
}

const char *ims_profile_name(enum ims_profile profile)
{
	return profile < IMS_PROFILE_NR ? profiles[profile].name : "?";
}

int ims_profile_from_name(const char *name, enum ims_profile *out)
{
	for (int p = 0; p < IMS_PROFILE_NR; p++) {
		if (!strcmp(name, profiles[p].name)) {
			*out = (enum ims_profile)p;
			return 0;
		}
	}
	return -EINVAL;
}

bool ims_err_is_soft(const struct ims_core *core, int err)
{
	int soft = core->facts->incompatible_errno;

	return soft && err == -soft;
}

/*
 * The reason a driver gave for its last answer, kept per thread until the
 * core reports the attach (drivers run under the group mutex of the caller's
 * thread, so a thread-local slot cannot mix two attaches).
 */
static _Thread_local char attach_reason[160];
static _Thread_local bool attach_not_applied;

void ims_attach_reason(const char *fmt, ...)
{
	va_list ap;

	/* Cheap enough for the rare hard failures; the soft path skips it. */
	va_start(ap, fmt);
	vsnprintf(attach_reason, sizeof(attach_reason), fmt, ap);
	va_end(ap);
}

void ims_attach_not_applied(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(attach_reason, sizeof(attach_reason), fmt, ap);
	va_end(ap);
	attach_not_applied = true;
}

bool ims_take_attach_not_applied(void)
{
	bool was = attach_not_applied;

	attach_not_applied = false;
	return was;
}

const char *ims_take_attach_reason(char *buf, size_t len)
{
	if (!attach_reason[0])
		return NULL;
	snprintf(buf, len, "%s", attach_reason);
	attach_reason[0] = '\0';
	return buf;
}

int ims_rule_answer(const struct ims_attach_rule *rule, enum ims_profile profile)
{
	return rule->answer[profile];
}

int ims_rule_errno(const struct ims_attach_rule *rule, struct ims_device *dev,
		   const char *fmt, ...)
{
	int answer = rule->answer[dev->core->facts->profile];
	va_list ap;

	if (answer == IMS_ERR_NONE)
		return IMS_RULE_PASS;
	if (ims_tracing(dev->core)) { /* reasons are only for the trace */
		va_start(ap, fmt);
		vsnprintf(attach_reason, sizeof(attach_reason), fmt, ap);
		va_end(ap);
	}
	if (answer == IMS_ERR_SILENT) {
		attach_not_applied = true;
		return 0;
	}
	if (answer == IMS_ERR_SOFT) {
		/* Rules give legacy its own errno; EINVAL if a table forgot. */
		answer = dev->core->facts->incompatible_errno;
		if (!answer)
			answer = EINVAL;
	}
	return -answer;
}
