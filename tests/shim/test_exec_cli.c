// SPDX-License-Identifier: MIT
/*
 * `iommusim exec`, run as a user runs it (the binary's path comes from the
 * IOMMUSIM environment variable): exit statuses (the program's own, 127,
 * 126, 1 for a bad platform, 2 for bad arguments), the variables the
 * options become, the shim first in LD_PRELOAD, files made absolute, the
 * dump at exit, and a host that cannot be built stopping the program.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* Run `iommusim ARGS` through sh; stdout into @out, the exit status returned. */
static int run(const char *args, char *out, size_t len)
{
	const char *bin = getenv("IOMMUSIM");
	char cmd[2048];
	size_t got = 0, n;
	FILE *f;
	int status;

	assert_non_null(bin);
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>/dev/null", bin, args);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (got < len - 1 && (n = fread(out + got, 1, len - 1 - got, f)) > 0)
		got += n;
	out[got] = '\0';
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_exit_statuses(void **state)
{
	char out[4096];

	(void)state;
	assert_int_equal(run("exec -- sh -c 'exit 7'", out, sizeof(out)), 7);
	assert_int_equal(run("exec -p mock -- true", out, sizeof(out)), 0);
	assert_int_equal(run("exec -- /nonexistent/program", out, sizeof(out)), 127);
	assert_int_equal(run("exec -- /etc/passwd", out, sizeof(out)), 126);
	assert_int_equal(run("exec -p no-such-platform -- true", out, sizeof(out)), 1);
	assert_int_equal(run("exec -p /nonexistent.dtb -- true", out, sizeof(out)), 1);
	assert_int_equal(run("exec --profile bogus -- true", out, sizeof(out)), 2);
	assert_int_equal(run("exec --dma-entry-limit x -- true", out, sizeof(out)), 2);
	assert_int_equal(run("exec --bogus -- true", out, sizeof(out)), 2);
	assert_int_equal(run("exec -p", out, sizeof(out)), 2);
	assert_int_equal(run("exec", out, sizeof(out)), 2);
	assert_int_equal(run("exec --help", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "usage: iommusim exec"));
	assert_int_equal(run("help", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "exec"));
}

static void test_environment(void **state)
{
	char out[8192], *preload;

	(void)state;
	assert_int_equal(run("exec -p mock --profile seed --trace --debug shim "
			     "--allow-unsafe-interrupts --dma-entry-limit 9 -- sh -c "
			     "'echo $IOMMUSIM_PLATFORM $IOMMUSIM_PROFILE $IOMMUSIM_TRACE "
			     "$IOMMUSIM_DEBUG $IOMMUSIM_ALLOW_UNSAFE_INTERRUPTS "
			     "$IOMMUSIM_DMA_ENTRY_LIMIT'", out, sizeof(out)), 0);
	assert_string_equal(out, "mock seed 1 shim 1 9\n");
	/* The shim goes first; what LD_PRELOAD had stays behind it. */
	setenv("LD_PRELOAD", "libnothing-else.so", 1);
	assert_int_equal(run("exec -- sh -c 'echo $LD_PRELOAD'", out, sizeof(out)), 0);
	unsetenv("LD_PRELOAD");
	assert_non_null(strstr(out, "libiommusim-preload.so:libnothing-else.so\n"));
	/* A variable already set stays when its option is not given. */
	setenv("IOMMUSIM_PROFILE", "legacy", 1);
	assert_int_equal(run("exec -- sh -c 'echo $IOMMUSIM_PROFILE'", out, sizeof(out)), 0);
	unsetenv("IOMMUSIM_PROFILE");
	assert_string_equal(out, "legacy\n");
	preload = getenv("IOMMUSIM_PRELOAD") ? strdup(getenv("IOMMUSIM_PRELOAD")) : NULL;
	setenv("IOMMUSIM_PRELOAD", "/nonexistent/libiommusim-preload.so", 1);
	assert_int_equal(run("exec -- true", out, sizeof(out)), 1);
	if (preload)
		setenv("IOMMUSIM_PRELOAD", preload, 1);
	else
		unsetenv("IOMMUSIM_PRELOAD");
	free(preload);
}

/* Count the files in the current folder whose names start with @prefix. */
static int count_files(const char *prefix)
{
	char out[64], cmd[128];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -1 | grep -c '^%s'", prefix);
	f = popen(cmd, "r");
	if (f && fgets(out, sizeof(out), f))
		n = atoi(out);
	if (f)
		pclose(f);
	return n;
}

/* A platform file and the dump file are passed on as absolute paths. */
static void test_paths_and_dump(void **state)
{
	char dir[] = "/tmp/iommusim-exec-XXXXXX", cwd[PATH_MAX], out[8192], args[PATH_MAX * 2];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	snprintf(args, sizeof(args), "cp '%s' board.dtb", getenv("IOMMUSIM_TESTBED_DTB"));
	assert_int_equal(system(args), 0);
	assert_int_equal(run("exec -p board.dtb --dump state-%p.json -- sh -c "
			     "'cd /; echo $IOMMUSIM_PLATFORM $IOMMUSIM_DUMP'", out, sizeof(out)), 0);
	snprintf(args, sizeof(args), "%s/board.dtb %s/state-%%p.json\n", dir, dir);
	assert_string_equal(out, args);
	/* The shell never touched the host: no dump.  cat did: one, by its pid. */
	assert_int_equal(count_files("state-"), 0);
	assert_int_equal(run("exec -p board.dtb --dump state-%p.json -- cat "
			     "/sys/kernel/iommu_groups/0/type", out, sizeof(out)), 0);
	assert_string_equal(out, "DMA\n");
	assert_int_equal(count_files("state-"), 1);
	assert_int_equal(system("grep -q '\"containers\"' state-*.json"), 0);
	assert_int_equal(system("rm -f state-*.json board.dtb"), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A host the shim cannot build stops the program (127), loudly. */
static void test_bad_host_is_fatal(void **state)
{
	char out[4096];

	(void)state;
	assert_int_equal(run("exec -- sh -c 'IOMMUSIM_PROFILE=bogus cat /sys/kernel/iommu_groups/0/type'",
			     out, sizeof(out)), 127);
	assert_int_equal(run("exec -- sh -c 'IOMMUSIM_DMA_ENTRY_LIMIT=x ls /dev/vfio'",
			     out, sizeof(out)), 127);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_statuses),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_paths_and_dump),
		cmocka_unit_test(test_bad_host_is_fatal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
