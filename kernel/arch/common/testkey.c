/*
 * testkey.c - the target keys for tests (include/arch/testkey.h), read
 * through kernel/cmdline.c and reported through the kernel's log.
 */
#include <arch/testkey.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <arch/arch.h>
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <kernel/platform.h>
#include <net/net.h>

#define TESTKEY_STOP_MS_MAX 86400000u

static bool testkey_stop_set;
static uint64_t testkey_stop_at_ms;

_Noreturn void testkey_usage(const char *key, const char *value,
			     const char *expected)
{
	log_printf(LOG_ERROR, "%s: %s=%s: expected %s", arch_name, key, value,
		   expected);
	platform_exit(KERNEL_EXIT_USAGE);
}

bool testkey_get(const char *key, char *buf, size_t cap, const char *expected)
{
	int rc = cmdline_get(key, buf, cap);

	if (rc == NET_ENOENT)
		return false;
	if (rc < 0)
		testkey_usage(key, "...", expected);
	return true;
}

void testkey_fault(const struct testkey_fault *faults, size_t count,
		   const char *expected)
{
	char v[TESTKEY_VALUE_MAX];

	if (!testkey_get("fault", v, sizeof(v), expected))
		return;
	for (size_t i = 0; i < count; i++) {
		if (strcmp(v, faults[i].name) != 0)
			continue;
		log_printf(LOG_INFO, "%s: fault=%s: raising it now", arch_name,
			   v);
		faults[i].raise();
		log_printf(LOG_ERROR, "%s: fault=%s did not fault", arch_name,
			   v);
		platform_exit(KERNEL_EXIT_FAILURE);
	}
	testkey_usage("fault", v, expected);
}

/* Deeper and deeper until the boot stack's guard page stops it. */
__attribute__((noinline)) static unsigned testkey_fault_recurse(unsigned n)
{
	volatile uint8_t pad[256];

	pad[0] = (uint8_t)n;
	if (n > 1000000u) /* 256 MB: never reached with a 64 KiB stack */
		return pad[0];
	return testkey_fault_recurse(n + 1) + pad[0];
}

__attribute__((noinline)) void testkey_fault_stack(void)
{
	(void)testkey_fault_recurse(0);
}

void testkey_read_stop(void)
{
	char v[TESTKEY_VALUE_MAX];
	uint32_t ms;

	if (!testkey_get("stop_ms", v, sizeof(v), "milliseconds"))
		return;
	if (cmdline_parse_u32(v, 1, TESTKEY_STOP_MS_MAX, &ms) != NET_OK)
		testkey_usage("stop_ms", v, "1..86400000 milliseconds");
	testkey_stop_set = true;
	testkey_stop_at_ms = ms;
}

bool testkey_stop_due(uint64_t now_ms, uint64_t *deadline_ms)
{
	if (!testkey_stop_set)
		return false;
	if (now_ms >= testkey_stop_at_ms) {
		log_printf(LOG_INFO, "%s: stop_ms=%llu reached", arch_name,
			   (unsigned long long)testkey_stop_at_ms);
		kernel_dump_stats();
		kernel_request_stop(KERNEL_EXIT_OK);
		return true;
	}
	if (*deadline_ms > testkey_stop_at_ms)
		*deadline_ms = testkey_stop_at_ms;
	return false;
}
