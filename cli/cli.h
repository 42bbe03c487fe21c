/* SPDX-License-Identifier: MIT */
/*
 * The iommusim command: one file per subcommand, each exporting a
 * struct cli_command that main.c lists.
 */
#ifndef IMS_CLI_H
#define IMS_CLI_H

struct cli_command {
	const char *name;
	const char *summary; /* one line for "iommusim help" */
	int (*run)(int argc, char **argv);
};

/* Print "iommusim: <msg>" to stderr and return exit status 2 (usage) or 1. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --profile NAME: its index in *@out, or a usage message and the exit status 2. */
int cli_parse_profile(const char *name, int *out);

#endif
