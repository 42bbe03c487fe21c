// SPDX-License-Identifier: MIT
/*
 * iommusim: entry point and subcommand table.  Each subcommand lives in its
 * own file (cli/<name>.c) and parses its own options.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"

extern const struct cli_command cli_demo;
extern const struct cli_command cli_matrix;
extern const struct cli_command cli_exec;
extern const struct cli_command cli_platforms;
extern const struct cli_command cli_show;

static const struct cli_command *const commands[] = {
	&cli_demo,
	&cli_matrix,
	&cli_exec,
	&cli_platforms,
	&cli_show,
};

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("iommusim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'iommusim help'.\n", stderr);
	return 2;
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("iommusim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_parse_profile(const char *name, int *out)
{
	enum ims_profile p;

	if (ims_profile_from_name(name, &p))
		return cli_usage_error("unknown profile '%s' (upstream, seed, legacy)", name);
	*out = (int)p;
	return 0;
}

static int help(void)
{
	puts("usage: iommusim COMMAND [OPTIONS]\n\ncommands:");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
	puts("  help       this text\n\nSee iommusim(1) for options and environment variables.");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return help();
	if (!strcmp(argv[1], "--version")) {
		puts("iommusim " IMS_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i]->name))
			return commands[i]->run(argc - 1, argv + 1);
	return cli_usage_error("unknown command '%s'", argv[1]);
}
