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
	uint8_t secret[NET_SECRET_LEN];
};

extern struct net_iface net_iface;

/*
 * Process one received Ethernet frame (without FCS). Public to tests and the
 * fuzz harness; net_poll() calls it for every frame the driver lends.
 */
void net_input(const uint8_t *frame, size_t len, uint64_t now_ms);

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
