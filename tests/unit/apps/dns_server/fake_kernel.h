/*
 * fake_kernel.h - the kernel and platform calls the dns-server application
 * and kernel/log.c make, faked for its unit tests: a clock the test sets,
 * a console that discards, fixed entropy, and the application's counters
 * captured from its stats hook.
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#include <stdint.h>

/* The time platform_now_ms() returns. */
extern uint64_t fake_kernel_now;

/*
 * The value the application's stats hook printed for `name`
 * ("dns_server.queries_udp") when called now; UINT64_MAX when it has no
 * such counter or no hook is set.
 */
uint64_t fake_kernel_app_stat(const char *name);

#endif /* FAKE_KERNEL_H */
