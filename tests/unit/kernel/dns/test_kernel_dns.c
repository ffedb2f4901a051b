/*
 * test_kernel_dns.c - kernel_dns_resolve_blocking() (kernel/kernel_dns.c)
 * with a fake platform: platform_now_ms() reads a fake clock and
 * platform_idle() jumps it to the deadline it is given, after letting the
 * test act as the network (answer the query, or ask the kernel to stop).
 *
 * The stack runs on the fake netdev (tests/unit/net/fake_netdev.h) with
 * 10.0.0.1 as the one name server, already known to ARP.
 */
#include "test.h"

#include <kernel/dns.h>
#include <kernel/kernel.h>
#include <kernel/platform.h>
#include <klib/bytes.h>
#include <net/dns.h>
#include <net/net.h>

#include "dns_build.h"
#include "fake_netdev.h"
#include "net_config.h"

#define T_SERVER FAKE_PEER_IP

/* What the fake network does when the loop sleeps. */
enum t_act { T_SILENT, T_ANSWER, T_NXDOMAIN, T_STOP };

static uint64_t t_now;
static bool t_stopping;
static enum t_act t_act;
static int t_idles;
static uint64_t t_max_sleep;
static struct tmsg tm;
static uint8_t frame[FAKE_FRAME_MAX];

/* ---- the fake platform and kernel ------------------------------------ */

uint64_t platform_now_ms(void)
{
	return t_now;
}

bool kernel_is_stopping(void)
{
	return t_stopping;
}

/* Answer the query in the capture, if there is one, from the server. */
static void t_answer(bool nxdomain)
{
	for (size_t i = 0; i < fake_netdev_tx_count(); i++) {
		const uint8_t *ip = fake_tx_ipv4(i, 17);
		struct fake_ip h = {
		    .src = T_SERVER, .dst = FAKE_IP, .proto = 17, .ttl = 64};
		uint8_t u[8 + TM_MAX];

		if (!ip || ld_be16(ip + 22) != 53)
			continue;
		tm_hdr(&tm, ld_be16(ip + 28), nxdomain ? 0x8183 : 0x8180, 1,
		       nxdomain ? 0 : 1, 0, 0);
		tm_question(&tm, "a.example", TM_A, TM_IN);
		if (!nxdomain)
			tm_rr_a(&tm, "a.example", 60, 0x0a010203);
		st_be16(u, 53);
		st_be16(u + 2, ld_be16(ip + 20));
		st_be16(u + 4, (uint16_t)(8 + tm.len));
		st_be16(u + 6, 0);
		memcpy(u + 8, tm.b, tm.len);
		fake_netdev_inject(frame,
				   fake_ipv4_frame(frame, &h, u, 8 + tm.len));
	}
	fake_netdev_tx_clear();
}

void platform_idle(uint64_t deadline_ms)
{
	t_idles++;
	if (deadline_ms > t_now && deadline_ms - t_now > t_max_sleep)
		t_max_sleep = deadline_ms - t_now;
	if (t_act == T_ANSWER || t_act == T_NXDOMAIN)
		t_answer(t_act == T_NXDOMAIN);
	else if (t_act == T_STOP)
		t_stopping = true;
	if (deadline_ms > t_now)
		t_now = deadline_ms;
}

static void t_setup(enum t_act act)
{
	static const uint32_t server = T_SERVER;

	t_now = 1000;
	fake_stack_up_peer(t_now);
	net_dns_set_servers(&server, 1);
	t_stopping = false;
	t_act = act;
	t_idles = 0;
	t_max_sleep = 0;
}

static void t_ignore(void *ctx, const struct net_dns_result *r)
{
	(void)ctx;
	(void)r;
}

/* ---- cases ----------------------------------------------------------- */

TEST(waits_for_the_answer)
{
	uint32_t addr = 0;

	t_setup(T_ANSWER);
	CHECK_EQ(kernel_dns_resolve_blocking("a.example", &addr, 10000),
		 NET_OK);
	CHECK_EQ(addr, 0x0a010203);
	CHECK_EQ(t_idles, 1);
	/* The cache answers the second time without sleeping. */
	addr = 0;
	t_act = T_SILENT;
	CHECK_EQ(kernel_dns_resolve_blocking("a.example", &addr, 10000),
		 NET_OK);
	CHECK_EQ(addr, 0x0a010203);
	CHECK_EQ(t_idles, 1);
}

TEST(reports_nxdomain)
{
	uint32_t addr = 7;

	t_setup(T_NXDOMAIN);
	CHECK_EQ(kernel_dns_resolve_blocking("a.example", &addr, 10000),
		 NET_ENOENT);
	CHECK_EQ(addr, 7);
}

TEST(gives_up_at_its_timeout_and_frees_the_lookup)
{
	uint32_t addr;

	t_setup(T_SILENT);
	CHECK_EQ(kernel_dns_resolve_blocking("a.example", &addr, 300),
		 NET_ETIMEDOUT);
	CHECK_EQ(t_now, 1300);
	/* Cancelled, not failed: every slot is free again. */
	CHECK_EQ(fake_stat(NET_STAT_DNS_LOOKUP_FAILED), 0);
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++)
		CHECK(net_dns_resolve("b.example", t_ignore, NULL, t_now) >= 0);
}

TEST(the_resolver_may_give_up_first)
{
	uint32_t addr;

	t_setup(T_SILENT);
	CHECK_EQ(kernel_dns_resolve_blocking("a.example", &addr, 3600000),
		 NET_ETIMEDOUT);
	CHECK_EQ(fake_stat(NET_STAT_DNS_LOOKUP_FAILED), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_TIMEOUT), CONFIG_DNS_ATTEMPTS);
	CHECK(t_now < 1000 + 3600000);
	CHECK(t_max_sleep <= KERNEL_IDLE_MAX_MS);
}

TEST(a_stop_request_ends_the_wait)
{
	uint32_t addr;

	t_setup(T_STOP);
	CHECK_EQ(kernel_dns_resolve_blocking("a.example", &addr, 60000),
		 NET_EAGAIN);
	CHECK_EQ(t_idles, 1);
}

TEST(a_bad_name_returns_at_once)
{
	uint32_t addr;

	t_setup(T_ANSWER);
	CHECK_EQ(kernel_dns_resolve_blocking("a..example", &addr, 1000),
		 NET_EINVAL);
	CHECK_EQ(t_idles, 0);
	net_dns_set_servers(NULL, 0);
	CHECK_EQ(kernel_dns_resolve_blocking("a.example", &addr, 1000),
		 NET_ENETUNREACH);
}
