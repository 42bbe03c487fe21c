// SPDX-License-Identifier: MIT
/*
 * The commands, run as a user runs them (the binary's path comes from the
 * IOMMUSIM environment variable): `show --json` is JSON with the state's
 * arrays and the platform's facts, `show --dot` is a Graphviz digraph, the
 * text names every group, `platforms` lists the built-ins, and bad
 * arguments or platforms give exit status 2 or 1.
 */
#include "topo_fixture.h"

#include <sys/wait.h>

#include <json-c/json.h>

/* Run `iommusim ARGS`; stdout into a new string, the exit status returned. */
static int run(const char *args, char **out)
{
	const char *bin = getenv("IOMMUSIM");
	char cmd[512], buf[4096];
	size_t len = 0, n;
	FILE *f;
	int status;

	assert_non_null(bin);
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>/dev/null", bin, args);
	f = popen(cmd, "r");
	assert_non_null(f);
	*out = calloc(1, 1);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		*out = realloc(*out, len + n + 1);
		memcpy(*out + len, buf, n);
		len += n;
		(*out)[len] = '\0';
	}
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static size_t array_len(json_object *o, const char *key)
{
	json_object *a;

	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		fail_msg("no array '%s'", key);
	return json_object_array_length(a);
}

static void test_show_json(void **state)
{
	json_object *o, *platform, *name, *devices, *first, *driver;
	char *out;

	(void)state;
	assert_int_equal(run("show --json --profile seed -p mock", &out), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	assert_int_equal(array_len(o, "iommus"), 4);
	assert_int_equal(array_len(o, "devices"), 19);
	assert_int_equal(array_len(o, "groups"), 17);
	assert_true(array_len(o, "domains") >= 17);
	assert_true(json_object_object_get_ex(o, "platform", &platform));
	assert_true(json_object_object_get_ex(platform, "name", &name));
	assert_string_equal(json_object_get_string(name), "mock");
	assert_true(json_object_object_get_ex(o, "devices", &devices));
	first = json_object_array_get_idx(devices, 0);
	assert_true(json_object_object_get_ex(first, "driver", &driver));
	assert_string_equal(json_object_get_string(driver), "vfio-platform");
	json_object_put(o);
	free(out);
}

static void test_show_dot(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run("show --dot -p mock", &out), 0);
	assert_true(!strncmp(out, "digraph", 7));
	assert_contains(out, "subgraph cluster_group_0");
	assert_contains(out, "\"iommu 11000000.iommu\"");
	free(out);
}

static void test_show_text(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run("show --profile legacy -p mock", &out), 0);
	assert_contains(out, "10000000.iommu (mock)");
	assert_contains(out, "group 10");
	assert_contains(out, "0000:02:00.0   nvme");
	assert_contains(out, "owner kernel (1)");
	assert_contains(out, "direct-mapped");
	free(out);
}

static void test_platforms(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run("platforms", &out), 0);
	assert_true(!strncmp(out, "mock ", 5));
	free(out);
}

static void test_errors(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run("show --bogus", &out), 2);
	free(out);
	assert_int_equal(run("show --json --dot", &out), 2);
	free(out);
	assert_int_equal(run("show --profile nope", &out), 2);
	free(out);
	assert_int_equal(run("show -p", &out), 2);
	free(out);
	assert_int_equal(run("show -p /nonexistent.dts", &out), 1);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(run("platforms extra", &out), 2);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_json),
		cmocka_unit_test(test_show_dot),
		cmocka_unit_test(test_show_text),
		cmocka_unit_test(test_platforms),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
