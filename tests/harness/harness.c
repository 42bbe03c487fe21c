// SPDX-License-Identifier: MIT
/*
 * The test harness's runner (see harness.h): registration lists filled by
 * constructors, one forked child per test, TAP on stdout, diagnostics as
 * TAP comments.
 */
#include "harness.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

static struct ims_harness_fixture *fixtures;
static struct ims_harness_test *tests, **tests_tail = &tests;
static bool current_failed;

/* Fixtures without a TEST_F still register; the bare TEST form has none. */
void ims_harness_register_fixture(struct ims_harness_fixture *f)
{
	f->next = fixtures;
	fixtures = f;
}

void ims_harness_register_variant(struct ims_harness_fixture *f, struct ims_harness_variant *v)
{
	struct ims_harness_variant **p = &f->variants;

	while (*p)
		p = &(*p)->next;
	*p = v;
}

void ims_harness_register_test(struct ims_harness_test *t)
{
	*tests_tail = t;
	tests_tail = &t->next;
}

bool ims_harness_failed(void)
{
	return current_failed;
}

void ims_harness_fail(const char *file, int line, bool fatal, const char *fmt, ...)
{
	va_list ap;

	current_failed = true;
	fprintf(stdout, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	if (fatal)
		exit(1);
}

static int run_child(const struct ims_harness_test *t, const struct ims_harness_variant *v)
{
	void *self = calloc(1, t->fixture->size ? t->fixture->size : 1);

	if (!self)
		return 1;
	t->fixture->setup(self, v ? v->data : NULL);
	if (!current_failed)
		t->fn(self, v ? v->data : NULL);
	t->fixture->teardown(self, v ? v->data : NULL);
	free(self);
	fflush(stdout);
	return current_failed ? 1 : 0;
}

static bool run_one(const struct ims_harness_test *t, const struct ims_harness_variant *v)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		alarm(120);
		exit(run_child(t, v));
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	if (WIFSIGNALED(status))
		printf("# killed by signal %d (%s)\n", WTERMSIG(status), strsignal(WTERMSIG(status)));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct filter {
	const char *fixture, *variant, *test;
	bool list;
};

static bool selected(const struct filter *f, const struct ims_harness_test *t,
		     const struct ims_harness_variant *v)
{
	return (!f->fixture || !strcmp(f->fixture, t->fixture->name)) &&
	       (!f->variant || (v && !strcmp(f->variant, v->name))) &&
	       (!f->test || !strcmp(f->test, t->name));
}

/* Call @fn for each selected (test, variant) pair; returns how many. */
static int for_each_case(const struct filter *f,
			 void (*fn)(const struct ims_harness_test *, const struct ims_harness_variant *,
				    int, int *),
			 int *failures)
{
	int n = 0;

	for (const struct ims_harness_test *t = tests; t; t = t->next) {
		const struct ims_harness_variant *v = t->fixture->variants;

		do {
			if (selected(f, t, v)) {
				n++;
				if (fn)
					fn(t, v, n, failures);
			}
			v = v ? v->next : NULL;
		} while (v);
	}
	return n;
}

static void report(const struct ims_harness_test *t, const struct ims_harness_variant *v,
		   int n, int *failures)
{
	bool ok = run_one(t, v);

	printf("%sok %d %s%s%s.%s\n", ok ? "" : "not ", n, t->fixture->name,
	       v ? "." : "", v ? v->name : "", t->name);
	fflush(stdout);
	*failures += !ok;
}

static void list_case(const struct ims_harness_test *t, const struct ims_harness_variant *v,
		      int n, int *failures)
{
	(void)n;
	(void)failures;
	printf("%s%s%s.%s\n", t->fixture->name, v ? "." : "", v ? v->name : "", t->name);
}

int ims_harness_main(int argc, char **argv)
{
	struct filter f = { 0 };
	int opt, failures = 0, total;

	while ((opt = getopt(argc, argv, "f:v:t:l")) != -1) {
		switch (opt) {
		case 'f': f.fixture = optarg; break;
		case 'v': f.variant = optarg; break;
		case 't': f.test = optarg; break;
		case 'l': f.list = true; break;
		default:
			fprintf(stderr, "usage: %s [-f FIXTURE] [-v VARIANT] [-t TEST] [-l]\n", argv[0]);
			return 2;
		}
	}
	if (f.list)
		return for_each_case(&f, list_case, &failures), 0;
	total = for_each_case(&f, NULL, &failures);
	printf("TAP version 13\n1..%d\n", total);
	for_each_case(&f, report, &failures);
	printf("# %d passed, %d failed\n", total - failures, failures);
	return failures ? 1 : 0;
}
