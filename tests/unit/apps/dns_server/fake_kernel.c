/*
 * fake_kernel.c - see fake_kernel.h.
 */
#include "fake_kernel.h"

#include <stddef.h>
#include <string.h>

#include <kernel/kernel.h>
#include <kernel/platform.h>
#include <net/net.h>

uint64_t fake_kernel_now;

static void (*fake_kernel_hook)(void);
static const char *fake_kernel_want;
static uint64_t fake_kernel_got;

uint64_t platform_now_ms(void)
{
	return fake_kernel_now;
}

void platform_console_write(const char *s, size_t len)
{
	(void)s;
	(void)len;
}

int platform_entropy(void *buf, size_t len)
{
	memset(buf, 0x5a, len);
	return NET_OK;
}

void kernel_set_app_stats_hook(void (*hook)(void))
{
	fake_kernel_hook = hook;
}

void kernel_print_stat(const char *name, uint64_t value)
{
	if (fake_kernel_want && strcmp(name, fake_kernel_want) == 0)
		fake_kernel_got = value;
}

uint64_t fake_kernel_app_stat(const char *name)
{
	fake_kernel_want = name;
	fake_kernel_got = UINT64_MAX;
	if (fake_kernel_hook)
		fake_kernel_hook();
	fake_kernel_want = NULL;
	return fake_kernel_got;
}
