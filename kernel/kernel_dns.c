/*
 * kernel_dns.c - kernel_dns_resolve_blocking() (include/kernel/dns.h): a
 * net_dns_resolve() lookup waited for in a loop of its own.
 *
 * The loop is the kernel's main loop without app_poll(): read the clock,
 * net_poll(), then sleep in platform_idle() until the earliest of the
 * stack's next deadline, the caller's timeout and KERNEL_IDLE_MAX_MS.
 * platform_idle() returns early for frames and for the target's own
 * events (a signal on Linux), so an answer is handled as soon as it
 * arrives and a stop request is seen within one idle.
 */
#include <kernel/dns.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/kernel.h>
#include <kernel/platform.h>
#include <net/dns.h>
#include <net/net.h>

/* What the callback saw. */
struct kernel_dns_wait {
  bool done;
  int status;
  uint32_t addr;
};

static void kernel_dns_done(void *ctx, const struct net_dns_result *r) {
  struct kernel_dns_wait *w = ctx;

  w->done = true;
  w->status = r->status;
  if (r->status == NET_OK && r->naddrs > 0)
    w->addr = r->addrs[0];
}

/* How long to sleep from `now`: until the stack's next deadline, the
 * caller's end or the longest idle, whichever comes first. */
static uint64_t kernel_dns_wake_at(uint64_t now, uint64_t end) {
  uint64_t wake = net_next_deadline();

  if (wake > end)
    wake = end;
  if (wake > now + KERNEL_IDLE_MAX_MS)
    wake = now + KERNEL_IDLE_MAX_MS;
  return wake;
}

int kernel_dns_resolve_blocking(const char *name, uint32_t *addr,
                                uint32_t timeout_ms) {
  struct kernel_dns_wait w = {false, NET_ETIMEDOUT, 0};
  uint64_t now = platform_now_ms();
  uint64_t end = now + timeout_ms;
  int h = net_dns_resolve(name, kernel_dns_done, &w, now);

  if (h < 0)
    return h;
  for (;;) {
    now = platform_now_ms();
    net_poll(now);
    if (w.done)
      break;
    if (kernel_is_stopping() || now >= end) {
      net_dns_cancel(h, now);
      return kernel_is_stopping() ? NET_EAGAIN : NET_ETIMEDOUT;
    }
    platform_idle(kernel_dns_wake_at(now, end));
  }
  if (w.status == NET_OK && addr)
    *addr = w.addr;
  return w.status;
}
