/*
 * iface.h - the stack's one interface: its driver, addresses and the
 * receive entry point. Internal to net/.
 *
 * keel appliances have one network interface; the state lives in one
 * struct so that a second interface later means an array, not a rewrite.
 */
#ifndef NET_IFACE_H
#define NET_IFACE_H

#include <net/net.h>

struct net_iface {
	struct netdev *dev;
	uint32_t addr;		/* host order; 0 when unconfigured */
	uint32_t netmask;
	uint32_t gateway;
	/*
	 * The IP MTU datagrams are fragmented to: dev->mtu, or less when
	 * the DHCP client applied a server's interface MTU (option 26).
	 */
	uint16_t mtu;
	/*
	 * Non-zero while the DHCP client runs: with no address, UDP
	 * broadcasts to this port (68) still pass ipv4_input() (RFC 2131
	 * §4.1); everything else is dropped as IPV4_RX_NO_ADDR.
	 */
	uint16_t bootstrap_port;
	uint8_t secret[NET_SECRET_LEN];
};

extern struct net_iface net_iface;

/*
 * Process one received Ethernet frame (without FCS). Public to tests and the
 * fuzz harness; net_poll() calls it for every frame the driver lends.
 */
void net_input(const uint8_t *frame, size_t len, uint64_t now_ms);

/*
 * Whether `cfg` could be set by net_set_ipv4(): a contiguous netmask of
 * /1../30, an address that is a unicast host on that subnet, and a gateway
 * that is 0 or another such host. NET_OK or NET_EINVAL; cfg->addr 0 is
 * NET_EINVAL here (net_set_ipv4() takes it as "clear").
 */
int iface_check_ipv4(const struct net_ipv4_config *cfg);

/* Whether `addr` is this interface's address. */
bool iface_is_local(const struct net_iface *ifc, uint32_t addr);
/* Whether `addr` is 255.255.255.255 or the subnet's directed broadcast. */
bool iface_is_broadcast(const struct net_iface *ifc, uint32_t addr);
/* Whether `addr` is on the attached subnet. */
bool iface_is_on_link(const struct net_iface *ifc, uint32_t addr);
/*
 * Whether `addr` may be a unicast host: not 0.0.0.0/8, 127/8, multicast,
 * class E, limited or directed broadcast.
 */
bool iface_is_unicast(const struct net_iface *ifc, uint32_t addr);

#endif /* NET_IFACE_H */
