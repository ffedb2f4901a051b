/*
 * platform.h - what a target gives the arch-neutral kernel.
 *
 * Every target (boot/<target>/) implements each function below exactly once;
 * the kernel (kernel/main.c, kernel/log.c) calls nothing else of the
 * machine. The kernel runs one event loop on one thread, so none of these
 * needs to be reentrant, and none is ever called from an interrupt or a
 * signal handler. Interrupts (or signals, on a hosted target) only wake
 * platform_idle(); whatever they ask for is acted upon from the loop.
 *
 * Time is a monotonic millisecond count from an origin the target chooses
 * (the boot, or the start of the process); it never goes backwards and is
 * the only clock the kernel, the stack and the application see.
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include <net/netdev.h>

/*
 * Milliseconds since the target's origin. Monotonic: two calls return
 * non-decreasing values. Must not wrap in the lifetime of an image.
 */
uint64_t platform_now_ms(void);

/*
 * Write `len` bytes of console text (UTF-8, lines ending in '\n'). Best
 * effort: it returns when the bytes are out or cannot be written, and never
 * fails the caller. One call carries one whole log line, so a target that
 * writes atomically keeps lines whole.
 */
void platform_console_write(const char *s, size_t len);

/*
 * Fill buf with `len` bytes from a cryptographically secure source: the
 * operating system's generator, a hardware RNG, or a seeded DRBG fed from
 * one. Returns NET_OK when all `len` bytes are filled, NET_ENOTSUP when the
 * target has no such source (the kernel then refuses to start the stack:
 * keel never runs on predictable ISNs, ports or IDs), or NET_EIO when the
 * source failed. Never returns partly filled output as NET_OK.
 */
int platform_entropy(void *buf, size_t len);

/*
 * Sleep until platform_now_ms() >= deadline_ms, or until the network device
 * has something to receive, or until some other event the target handles
 * (a signal on Linux, an interrupt on a machine). May return early for no
 * reason; the loop simply polls again. A deadline in the past returns at
 * once. The target may act on its own events here before returning, e.g.
 * call kernel_dump_stats() or kernel_request_stop().
 */
void platform_idle(uint64_t deadline_ms);

/*
 * End the image with `code`: 0 for success, non-zero for failure (the
 * process's exit status, or a debug-exit device's value under QEMU).
 */
_Noreturn void platform_exit(int code);

/*
 * The command line: tokens of the form key=value separated by spaces, as
 * kernel/cmdline.h parses them. Never NULL (an empty string when there is
 * none); the string lives as long as the image.
 */
const char *platform_cmdline(void);

/*
 * The command-line keys the target itself understands (e.g. "tap"), a
 * NULL-terminated array; { NULL } when there are none. The kernel accepts
 * them besides its own and the application's.
 */
extern const char *const platform_cmdline_keys[];

/*
 * The network device, opened and ready for net_init(), or NULL when the
 * target has none or it could not be brought up (the target has then said
 * why on the console). Called once, after the command line is validated,
 * so the target may read its own keys with cmdline_get(). The driver sets
 * mac to all zeros when it has no address of its own; the kernel then
 * chooses one and writes it into dev->mac before net_init().
 */
struct netdev *platform_netdev(void);

#endif /* KERNEL_PLATFORM_H */
