/*
 * iface.c - the stack's entry points: net_init(), net_set_ipv4(),
 * net_poll(), net_next_deadline(), and the interface's address predicates.
 *
 * net_poll() pulls at most CONFIG_NET_RX_BUDGET frames from the driver per
 * call, so a flood cannot starve the application or the timers, then runs
 * every layer's timers, and last calls the TCP readiness callbacks.
 */
#include "iface.h"

#include <string.h>

#include "arp.h"
#include "dhcp.h"
#include "dns.h"
#include "eth.h"
#include "icmp.h"
#include "ipv4.h"
#include "net_config.h"
#include "rand.h"
#include "stats_internal.h"
#include "tcp.h"
#include "udp.h"

struct net_iface net_iface;

static bool iface_mask_is_contiguous(uint32_t mask)
{
	/* ~mask + 1 is a power of two (or 0) exactly when the ones in mask
	 * are contiguous from the top bit. */
	uint32_t inv = ~mask;

	return (inv & (inv + 1)) == 0;
}

int net_init(struct netdev *dev, const uint8_t secret[NET_SECRET_LEN])
{
	if (!dev || !dev->ops || dev->mtu < 576 || dev->mtu > CONFIG_NET_MTU)
		return NET_EINVAL;
	memset(&net_iface, 0, sizeof(net_iface));
	net_iface.dev = dev;
	net_iface.mtu = dev->mtu;
	memcpy(net_iface.secret, secret, NET_SECRET_LEN);
	net_stats_reset();
	rand_init(secret);
	arp_init();
	ipv4_init();
	icmp_init();
	udp_init();
	tcp_init();
	dns_init();
	dhcp_init();
	return NET_OK;
}

int iface_check_ipv4(const struct net_ipv4_config *cfg)
{
	struct net_iface probe = {0};

	if (cfg->addr == 0 || !iface_mask_is_contiguous(cfg->netmask) ||
	    cfg->netmask == 0xffffffffu || cfg->netmask == 0xfffffffeu)
		return NET_EINVAL;
	probe.addr = cfg->addr;
	probe.netmask = cfg->netmask;
	if (!iface_is_unicast(&probe, cfg->addr))
		return NET_EINVAL;
	if (cfg->gateway != 0 &&
	    (!iface_is_unicast(&probe, cfg->gateway) ||
	     !iface_is_on_link(&probe, cfg->gateway) ||
	     cfg->gateway == cfg->addr))
		return NET_EINVAL;
	return NET_OK;
}

int net_set_ipv4(const struct net_ipv4_config *cfg, uint64_t now_ms)
{
	if (cfg->addr == 0) {
		net_iface.addr = 0;
		net_iface.netmask = 0;
		net_iface.gateway = 0;
		arp_flush();
		return NET_OK;
	}
	if (iface_check_ipv4(cfg) != NET_OK)
		return NET_EINVAL;
	if (net_iface.addr != cfg->addr || net_iface.netmask != cfg->netmask)
		arp_flush();
	net_iface.addr = cfg->addr;
	net_iface.netmask = cfg->netmask;
	net_iface.gateway = cfg->gateway;
	arp_announce(now_ms);
	return NET_OK;
}

void net_get_ipv4(struct net_ipv4_config *cfg)
{
	cfg->addr = net_iface.addr;
	cfg->netmask = net_iface.netmask;
	cfg->gateway = net_iface.gateway;
}

void net_poll(uint64_t now_ms)
{
	struct netdev *dev = net_iface.dev;
	const uint8_t *frame;

	if (!dev)
		return;
	for (unsigned i = 0; i < CONFIG_NET_RX_BUDGET; i++) {
		int len = dev->ops->rx_peek(dev, &frame);

		if (len == 0)
			break;
		if (len == NET_EMSGSIZE) {
			/* The driver already discarded the oversized frame. */
			NET_STAT_INC(ETH_RX_TOO_LONG);
			continue;
		}
		if (len < 0) {
			NET_STAT_INC(ETH_RX_DEV_ERROR);
			break;
		}
		net_input(frame, (size_t)len, now_ms);
		dev->ops->rx_done(dev);
	}
	arp_poll(now_ms);
	ipv4_poll(now_ms);
	tcp_poll(now_ms);
	/* Last: answers that arrived in this poll are handled in it. */
	dns_poll(now_ms);
	dhcp_poll(now_ms);
	/* After everything: a callback sees the state of the whole poll. */
	tcp_dispatch_events();
}

void net_input(const uint8_t *frame, size_t len, uint64_t now_ms)
{
	eth_input(frame, len, now_ms);
}

uint64_t net_next_deadline(void)
{
	uint64_t a = arp_next_deadline();
	uint64_t b = ipv4_next_deadline();
	uint64_t t = tcp_next_deadline();
	uint64_t d = dns_next_deadline();
	uint64_t h = dhcp_next_deadline();

	if (b < a)
		a = b;
	if (d < a)
		a = d;
	if (h < a)
		a = h;
	return t < a ? t : a;
}

bool iface_is_local(const struct net_iface *ifc, uint32_t addr)
{
	return ifc->addr != 0 && addr == ifc->addr;
}

bool iface_is_broadcast(const struct net_iface *ifc, uint32_t addr)
{
	if (addr == NET_IPV4_BROADCAST)
		return true;
	return ifc->addr != 0 && addr == (ifc->addr | ~ifc->netmask);
}

bool iface_is_on_link(const struct net_iface *ifc, uint32_t addr)
{
	return ifc->addr != 0 &&
	       (addr & ifc->netmask) == (ifc->addr & ifc->netmask);
}

bool iface_is_unicast(const struct net_iface *ifc, uint32_t addr)
{
	uint8_t top = (uint8_t)(addr >> 24);

	/* RFC 1122 §3.2.1.3 and RFC 5735: this-network, loopback, class D
	 * (multicast) and E (reserved) are never unicast hosts. */
	if (top == 0 || top == 127 || top >= 224)
		return false;
	if (iface_is_broadcast(ifc, addr))
		return false;
	/* The subnet's own network address ("all zeros host"). */
	if (ifc->addr != 0 && addr == (ifc->addr & ifc->netmask))
		return false;
	return true;
}

const char *net_strerror(int err)
{
	static const char *const names[] = {
		[0] = "success",
		[-NET_EAGAIN] = "try again",
		[-NET_EINVAL] = "invalid argument",
		[-NET_ENOBUFS] = "no buffer space",
		[-NET_EBADMSG] = "malformed message",
		[-NET_EADDRINUSE] = "address in use",
		[-NET_EBADF] = "not an open socket",
		[-NET_EMSGSIZE] = "message too long",
		[-NET_EHOSTUNREACH] = "host unreachable",
		[-NET_ENETUNREACH] = "network unreachable",
		[-NET_ECONNREFUSED] = "connection refused",
		[-NET_ETIMEDOUT] = "timed out",
		[-NET_EIO] = "device error",
		[-NET_ENOTSUP] = "not supported",
		[-NET_EADDRNOTAVAIL] = "address not available",
		[-NET_ENOTCONN] = "not connected",
		[-NET_ENOENT] = "no such entry",
		[-NET_ECONNRESET] = "connection reset",
		[-NET_ENODATA] = "no data of that type",
		[-NET_ESERVFAIL] = "name server failure",
	};

	if (err > 0 || err < NET_ERR_MIN)
		return "unknown error";
	return names[-err];
}
