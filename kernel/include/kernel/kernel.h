/*
 * kernel.h - the arch-neutral kernel: the one event loop, and the few
 * calls a target makes into it.
 *
 * A target's entry code sets up the machine (or the process), then calls
 * kernel_main(), which never returns: it validates the command line, takes
 * a boot secret from the platform's entropy, brings the stack up on the
 * platform's device, starts the application and loops
 *
 *   now = platform_now_ms(); net_poll(now); app_poll(now);
 *   platform_idle(min(net_next_deadline(), now + 1000));
 *
 * until kernel_request_stop(), then ends with platform_exit(). Every
 * failure to start is one clear console line and a distinct exit code.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdbool.h>

#include <stdint.h>

/* Exit codes: the process status on Linux, the debug-exit value in QEMU. */
enum kernel_exit {
	KERNEL_EXIT_OK = 0,
	KERNEL_EXIT_FAILURE = 1, /* a failure while running */
	KERNEL_EXIT_USAGE = 2,	 /* bad command line or settings */
	KERNEL_EXIT_ENTROPY = 3, /* no entropy source */
	KERNEL_EXIT_NETDEV = 4,	 /* no network device */
	KERNEL_EXIT_APP = 5,	 /* the application failed to start */
};

/* The longest time the loop sleeps without a deadline, in ms. */
#define KERNEL_IDLE_MAX_MS 1000

_Noreturn void kernel_main(void);

/*
 * Ask the loop to stop and end the image with `code` once the current turn
 * is over. The first request wins. Call from the loop only (a platform's
 * platform_idle(), an application's app_poll()), never from a handler.
 */
void kernel_request_stop(int code);

/* Whether a stop was requested (loops of their own, such as
 * kernel_dns_resolve_blocking(), end early). */
bool kernel_is_stopping(void);

/*
 * Print every stack counter on the console, one line each,
 *   stat <dotted.name> <value>
 * then the target's own (see kernel_set_stats_hook()), then a line
 * "stat end". Unprefixed, whatever the log level.
 */
void kernel_dump_stats(void);

/*
 * Print one counter line, "stat <name> <value>", as kernel_dump_stats()
 * does for the stack's counters.
 */
void kernel_print_stat(const char *name, uint64_t value);

/*
 * Have kernel_dump_stats() call hook() after the stack's counters and
 * before "stat end", so that a target can add counters of its own with
 * kernel_print_stat() (linux-tap's impair= layer does). NULL removes it.
 */
void kernel_set_stats_hook(void (*hook)(void));

/*
 * The same for the application's counters (the DNS server's): printed
 * after the target's. NULL removes it.
 */
void kernel_set_app_stats_hook(void (*hook)(void));

/*
 * Text describing the kernel's command-line keys, one "  key=VALUE  what"
 * line each, for a target's usage message.
 */
const char *kernel_usage(void);

#endif /* KERNEL_KERNEL_H */
