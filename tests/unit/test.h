/*
 * test.h - the host unit-test harness.
 *
 * A test file defines cases with TEST(name) { ... } and checks with CHECK()
 * and CHECK_EQ(); the harness (tests/unit/test_main.c) runs every case in
 * definition order and prints one line per case:
 *
 *   ok   <suite>.<case>
 *   FAIL <suite>.<case>: <file>:<line>: <what failed>
 *
 * which build.py counts. A failed check ends its case (the rest of the case
 * is skipped) but not the run. Tests run under ASan and UBSan; a sanitizer
 * report aborts the binary, which build.py reports as a failure.
 */
#ifndef TEST_H
#define TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool test_failed(void);

#define TEST(name)                                                       \
	static void test_fn_##name(void);                                \
	static struct test_case test_case_##name = {#name, test_fn_##name, \
						    NULL};               \
	__attribute__((constructor)) static void test_reg_##name(void)   \
	{                                                                \
		test_register(&test_case_##name);                        \
	}                                                                \
	static void test_fn_##name(void)

#define CHECK(expr)                                                      \
	do {                                                             \
		if (!(expr)) {                                           \
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #expr); \
			return;                                          \
		}                                                        \
	} while (0)

#define CHECK_EQ(a, b)                                                   \
	do {                                                             \
		long long check_a_ = (long long)(a);                     \
		long long check_b_ = (long long)(b);                     \
		if (check_a_ != check_b_) {                              \
			test_fail(__FILE__, __LINE__,                    \
				  "CHECK_EQ(%s, %s): %lld != %lld", #a, #b, \
				  check_a_, check_b_);                   \
			return;                                          \
		}                                                        \
	} while (0)

#define CHECK_STR(a, b)                                                  \
	do {                                                             \
		const char *check_a_ = (a);                              \
		const char *check_b_ = (b);                              \
		if (strcmp(check_a_, check_b_) != 0) {                   \
			test_fail(__FILE__, __LINE__,                    \
				  "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, \
				  #b, check_a_, check_b_);               \
			return;                                          \
		}                                                        \
	} while (0)

#define CHECK_MEM(a, b, n)                                               \
	do {                                                             \
		if (memcmp((a), (b), (n)) != 0) {                        \
			test_fail(__FILE__, __LINE__, "CHECK_MEM(%s, %s, %s)", \
				  #a, #b, #n);                           \
			return;                                          \
		}                                                        \
	} while (0)

#endif /* TEST_H */
