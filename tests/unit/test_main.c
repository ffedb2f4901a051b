/*
 * test_main.c - runs the cases registered through TEST() (see test.h).
 *
 * The suite name is the program's base name. The process exits 0 only when
 * every case passed.
 */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

static struct test_case *test_head;
static struct test_case **test_tail = &test_head;
static bool test_case_failed;
static char test_msg[512];

void test_register(struct test_case *tc)
{
	*test_tail = tc;
	test_tail = &tc->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	test_case_failed = true;
	n = snprintf(test_msg, sizeof(test_msg), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(test_msg))
		return;
	va_start(ap, fmt);
	vsnprintf(test_msg + n, sizeof(test_msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

bool test_failed(void)
{
	return test_case_failed;
}

int main(int argc, char **argv)
{
	const char *suite = argc > 0 ? argv[0] : "test";
	const char *slash = strrchr(suite, '/');
	int passed = 0, failed = 0;

	if (slash)
		suite = slash + 1;
	for (struct test_case *tc = test_head; tc; tc = tc->next) {
		test_case_failed = false;
		tc->fn();
		if (test_case_failed) {
			printf("FAIL %s.%s: %s\n", suite, tc->name, test_msg);
			failed++;
		} else {
			printf("ok   %s.%s\n", suite, tc->name);
			passed++;
		}
		fflush(stdout);
	}
	printf("%s: %d passed, %d failed\n", suite, passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
