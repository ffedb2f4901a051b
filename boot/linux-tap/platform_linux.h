/*
 * platform_linux.h - the parts of a hosted target (a Linux process on a
 * TAP device: linux-tap, stm32-model) and what they tell each other.
 *
 *   main.c      the entry: arguments into the command line, --help
 *   platform.c  clock, console, entropy, signals, idle, the TAP device
 *   netdev.c    the target's own: platform_netdev() and its keys, work
 *               done around each idle wait (boot/linux-tap/netdev.c: the
 *               TAP device, behind drivers/impair on request;
 *               boot/stm32-model/netdev.c: the STM32 driver on the model
 *               of its peripheral, bridged to the TAP device)
 */
#ifndef BOOT_LINUX_TAP_PLATFORM_LINUX_H
#define BOOT_LINUX_TAP_PLATFORM_LINUX_H

#include <stdint.h>

#include <net/netdev.h>

/*
 * Start the clock (platform_now_ms() counts from here) and take over the
 * signals: SIGUSR1 prints the counters, SIGTERM and SIGINT print them and
 * stop the loop with exit code 0, SIGPIPE is ignored. The three are blocked
 * except while platform_idle() waits, so their handlers only ever interrupt
 * the wait. NET_OK or NET_EIO.
 */
int platform_linux_start(void);

/* The command line platform_cmdline() returns from now on; kept by
 * reference. */
void platform_linux_set_cmdline(const char *line);

/*
 * Attach to the TAP interface named by tap= (else the image's [tap]
 * ifname); platform_idle() then waits on it. NULL after a log line.
 */
struct netdev *platform_linux_open_tap(void);

/*
 * Wait until a frame is waiting on the TAP device or deadline_ms, with
 * keel's signals left blocked (they are handled at the next idle).
 */
void platform_linux_wait_tap(uint64_t deadline_ms);

/* ---- netdev.c ---- */

/* The --help lines of the target's own command-line keys. */
extern const char platform_linux_usage[];

/* tap= in --help, for every netdev.c's platform_linux_usage. */
#define PLATFORM_LINUX_TAP_USAGE                                               \
	"  tap=IFNAME      TAP interface to attach to "                        \
	"(default: " CONFIG_TAP_IFNAME "); created if missing\n"

/*
 * Called by platform_idle() before it waits: do the work that is due;
 * return the time to wait until, deadline_ms or earlier (the past: do
 * not wait).
 */
uint64_t platform_linux_dev_due(uint64_t deadline_ms);

/* Called by platform_idle() after each wait, whatever ended it. */
void platform_linux_dev_woke(void);

#endif /* BOOT_LINUX_TAP_PLATFORM_LINUX_H */
