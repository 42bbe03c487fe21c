/* SPDX-License-Identifier: MIT */
/*
 * `iommusim matrix`: every driver's compatibility cases, run for real in a
 * profile, each answer classified against the profile's contract.
 *
 * Classes:
 *   ok      attached (the condition does not exist in this era)
 *   soft    the profile's incompatible errno
 *   hard    any other errno
 *   silent  0 returned but the device does not use the domain
 *   absent  the driver does not exist in this era
 *   error   the case could not be set up (a bug in the case or the model)
 *
 * Verdict: an incompatibility must be soft where the profile has a soft
 * errno (hard is acceptable only in legacy, which has none); a device or
 * system failure must be hard; silent is always a violation.
 */
#ifndef IMS_TOPO_MATRIX_H
#define IMS_TOPO_MATRIX_H

#include <stdbool.h>

#include "core/core.h"
#include "drivers/registry.h"

enum ims_matrix_class {
	IMS_MATRIX_OK,
	IMS_MATRIX_SOFT,
	IMS_MATRIX_HARD,
	IMS_MATRIX_SILENT,
	IMS_MATRIX_ABSENT,
	IMS_MATRIX_ERROR,
};

struct ims_matrix_result {
	enum ims_profile profile;
	const struct ims_driver_model *model;
	const struct ims_matrix_case *mcase;
	int err;                      /* the attach's answer (negative errno or 0) */
	enum ims_matrix_class class;
	bool violation;
	char detail[256];             /* the driver's reason, or what failed */
};

const char *ims_matrix_class_name(enum ims_matrix_class class);

/* Run one case in @profile; never fails (problems become IMS_MATRIX_ERROR). */
void ims_matrix_run_case(const struct ims_driver_model *model,
			 const struct ims_matrix_case *mcase, enum ims_profile profile,
			 struct ims_matrix_result *out);

#endif
