// SPDX-License-Identifier: MIT
/*
 * iommusim platforms: the built-in platforms, one line each (name and the
 * root node's `model`).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "iommusim/platform.h"

static int platforms_run(int argc, char **argv)
{
	const char *name;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: iommusim platforms\n\nList the built-in platforms.");
		return 0;
	}
	if (argc > 1)
		return cli_usage_error("platforms: unexpected argument '%s'", argv[1]);
	for (size_t i = 0; (name = ims_platform_builtin_name(i)) != NULL; i++)
		printf("%-14s %s%s\n", name, ims_platform_builtin_description(i),
		       strcmp(name, ims_platform_default()) ? "" : " (default)");
	return 0;
}

const struct cli_command cli_platforms = {
	.name = "platforms",
	.summary = "list the built-in platforms",
	.run = platforms_run,
};
