/*
 * app.h - what an application gives the kernel.
 *
 * An image holds exactly one application (apps/<name>/). The kernel calls
 * app_init() once, after the stack is up and the interface has its address
 * (with DHCP: once the first lease is bound, which may take a while or
 * never happen), then app_poll() once per turn of the event loop, right
 * after net_poll().
 * The application talks to the network only through <net/net.h> socket
 * calls, which never block: whatever cannot be done now is retried on a
 * later app_poll(), or when a readiness callback (net_tcp_set_callback)
 * says it can be. Where waiting is fine (app_init), the blocking calls of
 * <kernel/tcp.h> and <kernel/dns.h> run the loop until done. It reads its settings from the image definition
 * (CONFIG_APP_*) and, for the keys it names in app_cmdline_keys, from the
 * command line with cmdline_get().
 */
#ifndef KERNEL_APP_H
#define KERNEL_APP_H

#include <stdint.h>

/*
 * Open sockets and read settings. Returns NET_OK, or a negative NET_E* code
 * after logging why; any failure is fatal: the kernel says so and exits.
 */
int app_init(void);

/*
 * Do whatever can be done now without waiting: receive, answer, retry.
 * `now_ms` is the time given to the net_poll() just before. Must return
 * promptly (bounded work per call) so the loop keeps serving timers.
 */
void app_poll(uint64_t now_ms);

/*
 * The command-line keys the application accepts (e.g. "port"), a
 * NULL-terminated array; { NULL } when none. Any other key that is not the
 * kernel's or the target's makes the command line invalid.
 */
extern const char *const app_cmdline_keys[];

#endif /* KERNEL_APP_H */
