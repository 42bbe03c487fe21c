// SPDX-License-Identifier: MIT
/*
 * errno names.  glibc (2.32+) knows every name through strerrorname_np();
 * we only add "0" for success and a fallback for unknown values.
 */
#include "errname.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *ims_errname(int err)
{
	const char *name;

	if (err < 0)
		err = -err;
	if (!err)
		return "0";
	name = strerrorname_np(err);
	return name ? name : "E?";
}

int ims_errno_from_name(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);

	if (*name && !*end)
		return (int)(v < 0 ? -v : v);
	for (int e = 1; e < 134; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return -EINVAL;
}
