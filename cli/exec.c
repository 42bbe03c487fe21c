// SPDX-License-Identifier: MIT
/*
 * iommusim exec [-p PLATFORM] [--profile P] [--trace] [--dump FILE] [--iommufd-test]
 *               -- PROG ARGS...
 *
 * Runs PROG on a simulated host: the LD_PRELOAD shim
 * (libiommusim-preload.so, src/shim/) goes in front of LD_PRELOAD and the
 * options become IOMMUSIM_* variables, which the shim reads when PROG
 * first touches the host (docs/shim.md).  exec replaces this process, so
 * the exit status is PROG's; 127 when PROG cannot be found, 126 when it
 * cannot be run, 1 for a bad platform, 2 for bad arguments.
 *
 * The shim is looked for in $IOMMUSIM_PRELOAD, next to this executable
 * (the build tree keeps it in src/shim/), then in the install libdir.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli/exec-paths.h"
#include "core/core.h"
#include "iommusim/platform.h"

#define PRELOAD_NAME "libiommusim-preload.so"

struct exec_opts {
	const char *platform, *profile, *dump, *debug, *dma_entry_limit;
	bool trace, unsafe_interrupts, iommufd_test;
	char **argv;           /* PROG ARGS... */
};

static const char usage[] =
	"usage: iommusim exec [-p PLATFORM] [--profile upstream|seed|legacy] [--trace]\n"
	"                     [--dump FILE] [--debug CATEGORIES] [--allow-unsafe-interrupts]\n"
	"                     [--dma-entry-limit N] [--iommufd-test] -- PROG ARGS...\n"
	"\n"
	"Run PROG with the simulated host: its /dev/vfio, /sys and ioctls are iommusim's.\n"
	"--trace prints every call on the host's files and the kernel's decisions on\n"
	"stderr; --dump writes the JSON state to FILE when PROG exits (%p: its pid).\n"
	"--iommufd-test enables /dev/iommu's test interface (IOMMU_TEST_CMD and its mock\n"
	"devices), which the kernel's iommufd selftests need.";

static int parse_args(struct exec_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "profile", required_argument, NULL, 'P' },
		{ "trace", no_argument, NULL, 't' },
		{ "dump", required_argument, NULL, 'd' },
		{ "debug", required_argument, NULL, 'D' },
		{ "allow-unsafe-interrupts", no_argument, NULL, 'u' },
		{ "dma-entry-limit", required_argument, NULL, 'l' },
		{ "iommufd-test", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:p:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': o->platform = optarg; break;
		case 'P': o->profile = optarg; break;
		case 't': o->trace = true; break;
		case 'd': o->dump = optarg; break;
		case 'D': o->debug = optarg; break;
		case 'u': o->unsafe_interrupts = true; break;
		case 'l': o->dma_entry_limit = optarg; break;
		case 'T': o->iommufd_test = true; break;
		case 'h': return puts(usage) < 0 ? 1 : -1;
		case ':': return cli_usage_error("exec: option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("exec: bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("exec: no program to run");
	o->argv = argv + optind;
	return 0;
}

/* Check what the shim would refuse later, while we can still say why. */
static int check_options(const struct exec_opts *o)
{
	struct ims_platform *platform;
	enum ims_profile profile;
	char err[512], *end;
	int ret;

	if (o->profile && ims_profile_from_name(o->profile, &profile))
		return cli_usage_error("exec: unknown profile '%s'", o->profile);
	if (o->dma_entry_limit &&
	    (strtoul(o->dma_entry_limit, &end, 0), *end || !*o->dma_entry_limit))
		return cli_usage_error("exec: --dma-entry-limit wants a number");
	ret = ims_platform_load(o->platform ? o->platform : ims_platform_default(), &platform,
				err, sizeof(err));
	if (ret)
		return cli_error("%s", err);
	ims_platform_free(platform);
	return 0;
}

/* @dir/@name into @buf, if it fits and can be read. */
static bool readable_at(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n > 0 && (size_t)n < len && !access(buf, R_OK);
}

static int find_preload(char *buf, size_t len)
{
	const char *env = getenv("IOMMUSIM_PRELOAD");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		if (strlen(env) >= len || access(env, R_OK))
			return cli_error("IOMMUSIM_PRELOAD=%s: %s", env, strerror(errno));
		strcpy(buf, env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		if (readable_at(buf, len, exe, "src/shim/" PRELOAD_NAME) ||
		    readable_at(buf, len, exe, PRELOAD_NAME))
			return 0;
	}
	if (readable_at(buf, len, IMS_PRELOAD_LIBDIR, PRELOAD_NAME))
		return 0;
	return cli_error("cannot find " PRELOAD_NAME " (set IOMMUSIM_PRELOAD)");
}

/* A path the program can still use after changing directory. */
static const char *absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];

	int n;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return path;
	n = snprintf(buf, len, "%s/%s", cwd, path);
	return n > 0 && (size_t)n < len ? buf : path;
}

/* A platform that names a file becomes absolute; built-in names stay. */
static const char *platform_value(const char *platform, char *buf, size_t len)
{
	size_t n = strlen(platform);

	if (strchr(platform, '/') || (n > 4 && (!strcmp(platform + n - 4, ".dts") ||
						 !strcmp(platform + n - 4, ".dtb"))))
		return absolute(platform, buf, len);
	return platform;
}

static int set_environment(const struct exec_opts *o, const char *preload)
{
	char pbuf[PATH_MAX], dbuf[PATH_MAX], *list;
	const char *old = getenv("LD_PRELOAD");
	int ret = 0;

	if (o->platform)
		ret |= setenv("IOMMUSIM_PLATFORM", platform_value(o->platform, pbuf, sizeof(pbuf)), 1);
	if (o->profile)
		ret |= setenv("IOMMUSIM_PROFILE", o->profile, 1);
	if (o->trace)
		ret |= setenv("IOMMUSIM_TRACE", "1", 1);
	if (o->dump)
		ret |= setenv("IOMMUSIM_DUMP", absolute(o->dump, dbuf, sizeof(dbuf)), 1);
	if (o->debug)
		ret |= setenv("IOMMUSIM_DEBUG", o->debug, 1);
	if (o->unsafe_interrupts)
		ret |= setenv("IOMMUSIM_ALLOW_UNSAFE_INTERRUPTS", "1", 1);
	if (o->dma_entry_limit)
		ret |= setenv("IOMMUSIM_DMA_ENTRY_LIMIT", o->dma_entry_limit, 1);
	if (o->iommufd_test)
		ret |= setenv("IOMMUSIM_IOMMUFD_TEST", "1", 1);
	if (asprintf(&list, "%s%s%s", preload, old && *old ? ":" : "", old ? old : "") < 0)
		return cli_error("out of memory");
	ret |= setenv("LD_PRELOAD", list, 1);
	free(list);
	return ret ? cli_error("cannot set the environment: %s", strerror(errno)) : 0;
}

static int exec_run(int argc, char **argv)
{
	struct exec_opts o = { 0 };
	char preload[PATH_MAX];
	int ret = parse_args(&o, argc, argv);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = check_options(&o);
	if (!ret)
		ret = find_preload(preload, sizeof(preload));
	if (!ret)
		ret = set_environment(&o, preload);
	if (ret)
		return ret;
	execvp(o.argv[0], o.argv);
	ret = errno == ENOENT ? 127 : 126;
	cli_error("exec: %s: %s", o.argv[0], strerror(errno));
	return ret;
}

const struct cli_command cli_exec = {
	.name = "exec",
	.summary = "run a program on the simulated host (LD_PRELOAD shim)",
	.run = exec_run,
};
