/*
 * dhcp.h - keel's DHCP client (RFC 2131, options of RFC 2132, address
 * probing of RFC 5227): the contract.
 *
 * The client runs inside the stack: net_poll() feeds it and runs its
 * timers, and net_next_deadline() includes its next one, so the owner of
 * the event loop only starts it and watches what it reports:
 *
 *   net_init(dev, secret)
 *   net_dhcp_start(&cfg, now)        instead of net_set_ipv4()
 *   loop: net_poll(now)
 *         ev = net_dhcp_take_events()  log, tell the application
 *         ...
 *
 * From start to stop the client owns the interface's IPv4 configuration:
 * start clears it, an acknowledged and probed lease sets it (address,
 * netmask, default router; net_set_ipv4() then announces the address),
 * renewals update it, and expiry, a NAK or stop clear it again. Nobody
 * else may call net_set_ipv4() meanwhile. The interface MTU a server
 * sends (option 26) lowers the IP MTU the stack fragments to, when it is
 * sane: within 576..the device's MTU (larger values cannot be used, as
 * every buffer is sized by the device); it is restored with the address.
 *
 * The client takes one of the CONFIG_UDP_SOCKETS UDP sockets, bound to
 * port 68, while it runs.
 *
 * A remembered address: the last lease stays in memory across a stop and a
 * start, and start then begins in INIT-REBOOT (RFC 2131 §3.2), asking for
 * it again; without one, cfg->requested_addr (from a `dhcp_addr=` hint)
 * is asked for the same way. A hint the server does not confirm costs a
 * few seconds, then the client falls back to discovering.
 */
#ifndef NET_DHCP_H
#define NET_DHCP_H

#include <stdbool.h>
#include <stdint.h>

/* DNS servers kept from a lease (option 6); more are ignored. */
#define NET_DHCP_DNS_MAX 3
/* The longest host name sent (option 12): one DNS label. */
#define NET_DHCP_HOSTNAME_MAX 63
/* A lease time or T1/T2 of "infinity" (RFC 2131 §3.3). */
#define NET_DHCP_INFINITE 0xffffffffu

enum net_dhcp_state {
	NET_DHCP_STATE_STOPPED = 0,
	NET_DHCP_STATE_INIT,	   /* waiting to send a DISCOVER */
	NET_DHCP_STATE_SELECTING,  /* DISCOVER sent, awaiting an OFFER */
	NET_DHCP_STATE_REQUESTING, /* REQUEST for an offer sent */
	NET_DHCP_STATE_REBOOTING,  /* INIT-REBOOT REQUEST sent */
	NET_DHCP_STATE_PROBING,	   /* ACKed; ARP-probing the address */
	NET_DHCP_STATE_BOUND,	   /* the address is in use */
	NET_DHCP_STATE_RENEWING,   /* past T1: REQUEST unicast to the server */
	NET_DHCP_STATE_REBINDING,  /* past T2: REQUEST broadcast to any */
};

struct net_dhcp_config {
	/*
	 * Sent as option 12; NULL or "" for none. 1..NET_DHCP_HOSTNAME_MAX
	 * letters, digits and '-', not starting or ending with '-' (RFC 1123
	 * §2.1). Copied by net_dhcp_start().
	 */
	const char *hostname;
	/* An address to ask for first (INIT-REBOOT); 0 for none. */
	uint32_t requested_addr;
};

/* What a server granted; addresses host order, times in seconds. */
struct net_dhcp_lease {
	uint32_t addr;
	uint32_t netmask; /* option 1, else the address's class mask */
	uint32_t router;  /* the first usable one of option 3; 0: none */
	uint32_t server;  /* option 54, the server identifier */
	uint32_t dns[NET_DHCP_DNS_MAX];
	unsigned dns_count;
	uint32_t lease_s;  /* option 51; NET_DHCP_INFINITE possible */
	uint32_t t1_s;	   /* option 58, else 0.5 x lease (§4.4.5) */
	uint32_t t2_s;	   /* option 59, else 0.875 x lease */
	uint16_t mtu;	   /* option 26 as applied; 0: none or unusable */
	uint64_t start_ms; /* when the lease began: its first REQUEST */
};

/* What happened since the last net_dhcp_take_events(), as bits. */
#define NET_DHCP_EV_BOUND    0x01u /* an address or its parameters set */
#define NET_DHCP_EV_RENEWED  0x02u /* the lease extended, nothing else */
#define NET_DHCP_EV_LOST     0x04u /* the address removed (expiry, NAK) */
#define NET_DHCP_EV_NAK	     0x08u /* a server said no; starting over */
#define NET_DHCP_EV_DECLINED 0x10u /* the offered address was in use */

/*
 * Whether `cfg` would be accepted by net_dhcp_start(): a valid host name
 * (or none) and a requested address that is 0 or could be a unicast host.
 * NET_OK or NET_EINVAL. For checking settings before the stack is up.
 */
int net_dhcp_check_config(const struct net_dhcp_config *cfg);

/*
 * Start the client (clearing the interface's address). NET_OK;
 * NET_EINVAL when the stack is not initialised, the client runs already
 * or net_dhcp_check_config() refuses `cfg`; NET_ENOBUFS when no UDP socket
 * is free; NET_EADDRINUSE when port 68 is taken.
 */
int net_dhcp_start(const struct net_dhcp_config *cfg, uint64_t now_ms);

/*
 * Stop the client: the address is removed (NET_DHCP_EV_LOST if there was
 * one) and the socket closed, but the lease is remembered for the next
 * start. No DHCPRELEASE is sent, so that the server keeps the address for
 * us. Does nothing when stopped.
 */
void net_dhcp_stop(uint64_t now_ms);

enum net_dhcp_state net_dhcp_state(void);

/* The state's name in lower case ("bound"), for logs. */
const char *net_dhcp_state_name(enum net_dhcp_state state);

/*
 * The lease in use: NET_OK with *out filled while BOUND, RENEWING or
 * REBINDING; NET_ENOENT otherwise.
 */
int net_dhcp_lease(struct net_dhcp_lease *out);

/* The NET_DHCP_EV_* bits since the last call, cleared. */
unsigned net_dhcp_take_events(void);

#endif /* NET_DHCP_H */
