/* SPDX-License-Identifier: MIT */
/*
 * errno names for people: "EINVAL", "EMEDIUMTYPE", "0".  Accepts positive or
 * negative values.
 */
#ifndef IMS_UTIL_ERRNAME_H
#define IMS_UTIL_ERRNAME_H

const char *ims_errname(int err);
/* Parse "EINVAL" (or a number) back into a positive errno; -EINVAL if unknown. */
int ims_errno_from_name(const char *name);

#endif
