/* SPDX-License-Identifier: MIT */
/*
 * A small test harness in the shape of the kernel's selftests: fixtures
 * with setup and teardown, variants that run every test of a fixture again
 * with other parameters, TEST_F bodies, ASSERT_* (stop the test) and
 * EXPECT_* (record and go on), and EXPECT_ERRNO for calls that return -1
 * with errno.  Written for iommusim; no code from the kernel's harness.
 *
 * Each test runs in a child process (a crash or a failed ASSERT cannot take
 * the suite down; sanitizers check each test at its exit) and is reported
 * as one TAP line, "ok N fixture.variant.test".  Options:
 *   -f FIXTURE -v VARIANT -t TEST   run only the matching tests
 *   -l                              list the tests
 */
#ifndef IMS_TEST_HARNESS_H
#define IMS_TEST_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ims_harness_variant {
	const char *name;
	const void *data;
	struct ims_harness_variant *next;
};

struct ims_harness_fixture {
	const char *name;
	size_t size;                           /* sizeof the fixture struct */
	void (*setup)(void *self, const void *variant);
	void (*teardown)(void *self, const void *variant);
	struct ims_harness_variant *variants;  /* NULL: run once */
	struct ims_harness_fixture *next;
};

struct ims_harness_test {
	const char *name;
	struct ims_harness_fixture *fixture;
	void (*fn)(void *self, const void *variant);
	struct ims_harness_test *next;
};

void ims_harness_register_fixture(struct ims_harness_fixture *f);
void ims_harness_register_test(struct ims_harness_test *t);
void ims_harness_register_variant(struct ims_harness_fixture *f,
				  struct ims_harness_variant *v);
/* Record a failure of the current test; @fatal ends it now. */
void ims_harness_fail(const char *file, int line, bool fatal, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int ims_harness_main(int argc, char **argv);

/* A fixture without variants still needs the variant type. */
#define FIXTURE(fname)                                                        \
	struct _variant_##fname;                                              \
	static struct ims_harness_fixture _fixture_##fname;                   \
	struct _fixture_##fname

#define FIXTURE_VARIANT(fname) struct _variant_##fname
#define FIXTURE_DATA(fname) struct _fixture_##fname

#define FIXTURE_SETUP(fname)                                                  \
	static void _setup_##fname(struct _fixture_##fname *self,             \
				   const struct _variant_##fname *variant);   \
	static void _setup_thunk_##fname(void *s, const void *v)              \
	{                                                                     \
		_setup_##fname(s, v);                                         \
	}                                                                     \
	static void _setup_##fname(struct _fixture_##fname *self,             \
				   const struct _variant_##fname *variant)

#define FIXTURE_TEARDOWN(fname)                                               \
	static void _teardown_##fname(struct _fixture_##fname *self,          \
				      const struct _variant_##fname *variant); \
	static void _teardown_thunk_##fname(void *s, const void *v)           \
	{                                                                     \
		_teardown_##fname(s, v);                                      \
	}                                                                     \
	static struct ims_harness_fixture _fixture_##fname = {                \
		.name = #fname,                                               \
		.size = sizeof(struct _fixture_##fname),                      \
		.setup = _setup_thunk_##fname,                                \
		.teardown = _teardown_thunk_##fname,                          \
	};                                                                    \
	__attribute__((constructor)) static void _register_##fname(void)      \
	{                                                                     \
		ims_harness_register_fixture(&_fixture_##fname);              \
	}                                                                     \
	static void _teardown_##fname(struct _fixture_##fname *self,          \
				      const struct _variant_##fname *variant)

#define FIXTURE_VARIANT_ADD(fname, vname)                                     \
	static const struct _variant_##fname _v_##fname##_##vname;            \
	static struct ims_harness_variant _vr_##fname##_##vname = {           \
		.name = #vname, .data = &_v_##fname##_##vname,                \
	};                                                                    \
	__attribute__((constructor(200))) static void                         \
	_register_v_##fname##_##vname(void)                                   \
	{                                                                     \
		ims_harness_register_variant(&_fixture_##fname,               \
					     &_vr_##fname##_##vname);         \
	}                                                                     \
	static const struct _variant_##fname _v_##fname##_##vname =

#define TEST_F(fname, tname)                                                  \
	static void _test_##fname##_##tname(struct _fixture_##fname *self,    \
					    const struct _variant_##fname *variant); \
	static void _thunk_##fname##_##tname(void *s, const void *v)          \
	{                                                                     \
		_test_##fname##_##tname(s, v);                                \
	}                                                                     \
	static struct ims_harness_test _t_##fname##_##tname = {              \
		.name = #tname, .fixture = &_fixture_##fname,                 \
		.fn = _thunk_##fname##_##tname,                               \
	};                                                                    \
	__attribute__((constructor(300))) static void                         \
	_register_t_##fname##_##tname(void)                                   \
	{                                                                     \
		ims_harness_register_test(&_t_##fname##_##tname);             \
	}                                                                     \
	static void _test_##fname##_##tname(struct _fixture_##fname *self,    \
					    const struct _variant_##fname *variant)

#define _CMP(fatal, a, op, b)                                                 \
	do {                                                                  \
		long long _a = (long long)(a), _b = (long long)(b);           \
		if (!(_a op _b))                                              \
			ims_harness_fail(__FILE__, __LINE__, fatal,           \
					 "%s (%lld) " #op " %s (%lld)", #a, _a, #b, _b); \
	} while (0)

#define ASSERT_EQ(exp, seen) _CMP(true, seen, ==, exp)
#define ASSERT_NE(exp, seen) _CMP(true, seen, !=, exp)
#define ASSERT_GE(exp, seen) _CMP(true, seen, >=, exp)
#define ASSERT_TRUE(c) _CMP(true, !!(c), ==, 1)
#define ASSERT_FALSE(c) _CMP(true, !!(c), ==, 0)
#define EXPECT_EQ(exp, seen) _CMP(false, seen, ==, exp)
#define EXPECT_NE(exp, seen) _CMP(false, seen, !=, exp)
#define EXPECT_TRUE(c) _CMP(false, !!(c), ==, 1)
#define EXPECT_FALSE(c) _CMP(false, !!(c), ==, 0)

/*
 * What a system call would return for a library result (>= 0, or a
 * negative errno): the beds call the library directly and their callers
 * check with EXPECT_ERRNO, as they would check a real call.
 */
static inline long harness_as_syscall(long ret)
{
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* @call fails with -1 and errno == @expected. */
#define EXPECT_ERRNO(expected, call)                                          \
	do {                                                                  \
		errno = 0;                                                    \
		long _r = (long)(call);                                       \
		int _e = errno;                                               \
		if (_r != -1 || _e != (expected))                             \
			ims_harness_fail(__FILE__, __LINE__, false,           \
					 "%s: returned %ld, errno %s, expected %s", \
					 #call, _r, _r == -1 ? strerrorname_np(_e) : "-", \
					 strerrorname_np(expected));          \
	} while (0)

#define ASSERT_ERRNO(expected, call)                                          \
	do {                                                                  \
		EXPECT_ERRNO(expected, call);                                 \
		if (ims_harness_failed())                                     \
			ims_harness_fail(__FILE__, __LINE__, true, "stopping"); \
	} while (0)

bool ims_harness_failed(void);

#endif
