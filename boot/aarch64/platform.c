/*
 * platform.c - <kernel/platform.h> for the aarch64 target under QEMU's
 * virt machine.
 *
 *   clock    the generic timer's virtual counter (CNTVCT_EL0 at CNTFRQ_EL0),
 *            counted from arm64_timer_init()
 *   console  the PL011 at 0x09000000, polled
 *   entropy  virtio-rng when main.c found one, else RNDR; NET_ENOTSUP
 *            with neither (a Cortex-A53 without virtio-rng)
 *   idle     the EL1 virtual timer armed for the deadline through the
 *            GICv2, then WFI
 *   exit     semihosting SYS_EXIT_EXTENDED (QEMU -semihosting exits with
 *            the code), else PSCI SYSTEM_OFF (status 0), else a stop
 *   netdev   virtio-net in virt's virtio-mmio windows (QEMU -device
 *            virtio-net-device with virtio-mmio.force-legacy=false), its
 *            interrupt (window i: INTID 48 + i) waking the idle; or
 *            drivers/null with the test key netdev=null
 *
 * Target keys, for tests (fault= and stop_ms= parsed by
 * kernel/arch/common/testkey.c, the same on every kernel target):
 *   fault=undef|data|exec|brk|text_write|data_exec|stack
 *                         raise that exception once the command line is
 *                         validated, to show the exception report
 *                         (undef: UDF; data: a read of 4 GiB, the first
 *                         address entry.S leaves unmapped; exec: a call
 *                         to it; brk: BRK #0; text_write, data_exec:
 *                         permission faults from the page protections;
 *                         stack: overflow the boot stack into its guard
 *                         page)
 *   netdev=null|virtio    null: a device that drops what it is sent, so
 *                         the kernel reaches its loop without a NIC;
 *                         virtio (the default): virtio-net
 *   stop_ms=N             after N ms of uptime print the counters (the
 *                         stack's, then aarch64.* and null.*) and stop
 *                         with exit code 0
 */
#include <kernel/platform.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <arch/arm64.h>
#include <arch/testkey.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <net/net.h>
#include <null_netdev.h>
#include <virtio_net.h>

#include "boot.h"

#define PLATFORM_NS_PER_MS 1000000u
/* 4 GiB: the first address entry.S leaves unmapped. */
#define PLATFORM_UNMAPPED 0x100000000ull

const char *const platform_cmdline_keys[] = {"fault", "netdev", "stop_ms",
					     NULL};

static bool platform_null;
static bool platform_virtio;
static uint64_t platform_virtio_irqs;

uint64_t platform_now_ms(void)
{
	return arm64_now_ns() / PLATFORM_NS_PER_MS;
}

void platform_console_write(const char *s, size_t len)
{
	arm64_uart_write(s, len);
}

int platform_entropy(void *buf, size_t len)
{
	return arm64_entropy(buf, len);
}

_Noreturn void platform_exit(int code)
{
	arm64_exit(code);
}

const char *platform_cmdline(void)
{
	return boot_cmdline();
}

/* ---- test keys ----------------------------------------------------------- */

static void platform_stats(void)
{
	struct arm64_irq_stats s;

	arm64_irq_get_stats(&s);
	kernel_print_stat("aarch64.idle_sleeps", s.idle_sleeps);
	kernel_print_stat("aarch64.timer_irqs", s.timer_irqs);
	kernel_print_stat("aarch64.device_irqs", s.device_irqs);
	kernel_print_stat("aarch64.other_irqs", s.other_irqs);
	kernel_print_stat("aarch64.spurious_irqs", s.spurious_irqs);
	if (platform_null)
		kernel_print_stat("null.tx_frames", null_netdev_tx_frames());
	if (platform_virtio)
		kernel_print_stat("aarch64.virtio_net_irqs",
				  platform_virtio_irqs);
}

/* Each a separate function, so the backtrace names it. */
__attribute__((noinline)) static void platform_fault_undef(void)
{
	__asm__ volatile("udf #0");
}

__attribute__((noinline)) static void platform_fault_data(void)
{
	(void)*(volatile uint64_t *)(uintptr_t)PLATFORM_UNMAPPED;
}

__attribute__((noinline)) static void platform_fault_exec(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)PLATFORM_UNMAPPED;

	fn();
}

__attribute__((noinline)) static void platform_fault_brk(void)
{
	__asm__ volatile("brk #0");
}

__attribute__((noinline)) static void platform_fault_text_write(void)
{
	/* Text is mapped read-only (boot/aarch64/entry.S). */
	*(volatile uint32_t *)(uintptr_t)platform_fault_undef = 0;
}

/* One `ret` instruction (0xd65f03c0), in writable, not executable data. */
static uint32_t platform_ret_in_data[1] = {0xd65f03c0u};

__attribute__((noinline)) static void platform_fault_data_exec(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)platform_ret_in_data;

	fn();
}

static void platform_fault(void)
{
	static const char expected[] =
	    "undef, data, exec, brk, text_write, data_exec or stack";
	static const struct testkey_fault faults[] = {
	    {"undef", platform_fault_undef},
	    {"data", platform_fault_data},
	    {"exec", platform_fault_exec},
	    {"brk", platform_fault_brk},
	    {"text_write", platform_fault_text_write},
	    {"data_exec", platform_fault_data_exec},
	    {"stack", testkey_fault_stack},
	};

	testkey_fault(faults, sizeof(faults) / sizeof(faults[0]), expected);
}

/* ---- device and idle ----------------------------------------------------- */

/* In the handler: the device's line stays up until its status is read. */
static void platform_virtio_irq(void *arg)
{
	(void)arg;
	if (virtio_net_ack_interrupt())
		platform_virtio_irqs++;
}

static struct netdev *platform_virtio_net(void)
{
	struct netdev *dev = virtio_net_probe_mmio(ARM64_VIRTIO_MMIO_BASE,
						   ARM64_VIRTIO_MMIO_COUNT,
						   ARM64_VIRTIO_MMIO_STRIDE);
	const struct virtio_irq *irq;
	unsigned intid;

	if (!dev)
		return NULL;
	platform_virtio = true;
	irq = virtio_net_irq();
	intid = ARM64_VIRTIO_MMIO_INTID + irq->slot;
	if (arm64_irq_enable(intid, platform_virtio_irq, NULL) != NET_OK) {
		log_printf(LOG_WARN,
			   "aarch64: virtio-net: intid %u unavailable; "
			   "frames wait for the next timer",
			   intid);
		return dev;
	}
	log_printf(LOG_INFO, "aarch64: virtio-net at 0x%lx, intid %u",
		   (unsigned long)irq->base, intid);
	return dev;
}

struct netdev *platform_netdev(void)
{
	char v[TESTKEY_VALUE_MAX] = "virtio";

	platform_fault();
	testkey_read_stop();
	kernel_set_stats_hook(platform_stats);
	(void)testkey_get("netdev", v, sizeof(v), "null or virtio");
	if (strcmp(v, "null") == 0) {
		platform_null = true;
		log_printf(LOG_INFO, "aarch64: netdev=null: frames sent are "
				     "dropped, none arrive");
		return null_netdev_open();
	}
	if (strcmp(v, "virtio") != 0)
		testkey_usage("netdev", v, "null or virtio");
	return platform_virtio_net();
}

void platform_idle(uint64_t deadline_ms)
{
	uint64_t now = platform_now_ms();

	if (testkey_stop_due(now, &deadline_ms))
		return;
	if (deadline_ms > UINT64_MAX / PLATFORM_NS_PER_MS)
		deadline_ms = UINT64_MAX / PLATFORM_NS_PER_MS;
	arm64_idle(deadline_ms * PLATFORM_NS_PER_MS);
}
