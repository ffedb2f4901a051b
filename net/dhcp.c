/*
 * dhcp.c - the DHCP client (RFC 2131 §3, §4.4; options of RFC 2132;
 * address probing of RFC 5227 §2.1): the state machine behind
 * <net/dhcp.h>. Message bytes are dhcp_wire.c's business.
 *
 * States and their one timer, `deadline`:
 *
 *   INIT        wait a random 0..1 s, then a fresh xid and a DISCOVER
 *               (or, first after a start with an address to ask for, an
 *               INIT-REBOOT REQUEST: REBOOTING).
 *   SELECTING   DISCOVER retransmitted with exponential backoff 4, 8, 16,
 *               32, 64, 64 ... s, each +-1 s (RFC 2131 §4.1), for ever. The
 *               first usable OFFER is taken (§4.4.1 allows waiting for
 *               more; keel does not).
 *   REQUESTING  REQUEST (server identifier, requested address) broadcast,
 *               retransmitted the same way; after DHCP_REQUEST_TRIES
 *               unanswered ones, back to INIT (§3.1 step 3).
 *   REBOOTING   REQUEST for the remembered address without server
 *               identifier (§3.2, §4.3.2); after DHCP_REBOOT_TRIES
 *               unanswered ones, SELECTING with that address as a hint in
 *               the DISCOVER (option 50, §4.4.1 "MAY").
 *   PROBING     ACKed: RFC 5227 §2.1.1 probing before the address is used
 *               (RFC 2131 §2.2, §3.1 step 5 "SHOULD"): a random 0..1 s
 *               (PROBE_WAIT), three ARP probes 1..2 s apart, then 2 s
 *               (ANNOUNCE_WAIT). Any ARP from another host claiming the
 *               address, or probing for it, in that time is a conflict: a
 *               DHCPDECLINE, and INIT again after 10 s (§3.1 step 5). No
 *               conflict: BOUND, the interface configured (net_set_ipv4()
 *               announces the address, RFC 5227 §2.3).
 *   BOUND       until T1.
 *   RENEWING    REQUEST unicast to the server (ciaddr set). Retransmitted
 *               after half the time left until T2, at least 60 s
 *               (§4.4.5), until T2.
 *   REBINDING   REQUEST broadcast, to any server; retransmitted after half
 *               the time left in the lease, at least 60 s, until the lease
 *               expires: the address is removed, and INIT.
 *
 * The lease runs from the first REQUEST of the exchange that got the ACK
 * (§4.4.1). T1 and T2 default to 0.5 and 0.875 of it (§4.4.5); values a
 * server sends are used when 0 < T1 <= T2 <= lease.
 *
 * Every reply must carry our xid and our chaddr, be a BOOTREPLY for
 * Ethernet, and come with a server identifier (§4.3.1: MUST in OFFER, ACK
 * and NAK); while REQUESTING and RENEWING it must be the server we are
 * talking to. Each check that fails is a counted drop (dhcp.rx_*). A NAK
 * (§3.1 step 5, §4.4.5) removes the address if there was one and restarts
 * from INIT: at once the first time, then after 4, 8 ... 64 s while NAKs
 * keep coming, so a confused server cannot make us loop fast.
 *
 * An OFFER or ACK is usable when it has a lease time of at least
 * DHCP_LEASE_MIN_S (shorter ones would renew in a tight loop) and an
 * address that is a unicast host on its subnet (option 1; without it the
 * address's class mask, RFC 2131 §2 leaves it open; /31 and /32 are
 * refused as net_set_ipv4() refuses them). The router is the first of
 * option 3 if it is a host on that subnet; DNS servers are the unicast
 * ones of option 6, up to NET_DHCP_DNS_MAX; the interface MTU (option 26)
 * is applied when within 576..the device's MTU.
 *
 * Until the address is configured the client sends from 0.0.0.0 to
 * 255.255.255.255 (udp_sendto_unconfigured(), RFC 2131 §4.1) with the
 * BROADCAST flag set, so that the replies come back as broadcasts, which
 * ipv4.c lets through to port 68 while the interface has no address
 * (net_iface.bootstrap_port).
 *
 * Deviations: the wait before the first DISCOVER is 0..1 s, not the 1..10 s
 * RFC 2131 §4.4.1 suggests (an appliance boots once, and waits for its
 * network); one ARP announcement, not two (arp.c). Left out: DHCPINFORM,
 * DHCPRELEASE (see <net/dhcp.h>), RFC 3118 authentication (so anyone on
 * the link who sees our xid can NAK us, as with every DHCP client),
 * RFC 4361 DUID client identifiers, RFC 5227 §2.4 defence of the address
 * once bound (arp.c counts such conflicts), classless static routes.
 */
#include "dhcp.h"

#include <string.h>

#include <net/net.h>

#include "arp.h"
#include "dhcp_wire.h"
#include "iface.h"
#include "net_config.h"
#include "rand.h"
#include "stats_internal.h"
#include "udp.h"

#define DHCP_NONE	      UINT64_MAX
#define DHCP_START_DELAY_MS   1000
#define DHCP_BACKOFF_FIRST_MS 4000  /* RFC 2131 §4.1 */
#define DHCP_BACKOFF_MAX_MS   64000 /* RFC 2131 §4.1 */
#define DHCP_JITTER_MS	      1000  /* RFC 2131 §4.1: +-1 s */
#define DHCP_REQUEST_TRIES    4
#define DHCP_REBOOT_TRIES     2
#define DHCP_RENEW_MIN_MS     60000 /* RFC 2131 §4.4.5 */
#define DHCP_DECLINE_WAIT_MS  10000 /* RFC 2131 §3.1 step 5 */
#define DHCP_LEASE_MIN_S      10
#define DHCP_PROBE_WAIT_MS    1000 /* RFC 5227 §1.1 constants */
#define DHCP_PROBE_NUM	      3
#define DHCP_PROBE_MIN_MS     1000
#define DHCP_PROBE_MAX_MS     2000
#define DHCP_ANNOUNCE_WAIT_MS 2000
#define DHCP_MTU_MIN	      576
#define DHCP_IP_UDP_HDR_LEN   28
/* Received messages up to a 1500-byte IP datagram (option 57 says so). */
#define DHCP_RX_MAX (1500 - DHCP_IP_UDP_HDR_LEN)
/* Timer events run per dhcp_poll(): enough for T1, T2 and expiry at once. */
#define DHCP_TIMER_EVENTS_MAX 8

_Static_assert(DHCP_WIRE_DNS_MAX == NET_DHCP_DNS_MAX,
	       "dhcp_wire.h and <net/dhcp.h> keep as many DNS servers");

struct dhcp_client {
	enum net_dhcp_state state;
	int sock;
	uint32_t xid;
	uint16_t secs;	     /* of the last DISCOVER (its REQUEST reuses it) */
	uint64_t started_ms; /* when this exchange began: the secs field */
	uint64_t deadline;   /* the next timer event */
	unsigned tries;	     /* messages sent (probes sent) in this state */
	unsigned naks;	     /* NAKs since the last bound lease */
	bool reboot;	     /* INIT goes to REBOOTING (once per start) */
	uint64_t requested_ms; /* first REQUEST of the exchange: lease start */
	uint32_t requested_addr; /* REBOOTING's address; a DISCOVER's hint */
	struct net_dhcp_lease offer; /* being requested or probed */
	struct net_dhcp_lease lease; /* in use, or remembered */
	bool has_lease;
	uint64_t t1_at;
	uint64_t t2_at;
	uint64_t expire_at;
	unsigned events;
	size_t hostname_len;
	char hostname[NET_DHCP_HOSTNAME_MAX];
	uint8_t rx[DHCP_RX_MAX];
	uint8_t tx[DHCP_CLIENT_MSG_MAX];
};

static struct dhcp_client dhcp;

static void dhcp_timer(uint64_t now_ms);

/* ---- small helpers ---------------------------------------------------- */

/* RFC 2131 §4.1: 4 s doubling up to 64 s, +-1 s; `tries` >= 1 sent. */
static uint64_t dhcp_backoff_ms(unsigned tries)
{
	uint64_t base = DHCP_BACKOFF_FIRST_MS;

	for (unsigned i = 1; i < tries && base < DHCP_BACKOFF_MAX_MS; i++)
		base *= 2;
	if (base > DHCP_BACKOFF_MAX_MS)
		base = DHCP_BACKOFF_MAX_MS;
	return base - DHCP_JITTER_MS + rand_below(2 * DHCP_JITTER_MS + 1);
}

/* The secs field: seconds since the exchange began (RFC 2131 §2). */
static uint16_t dhcp_secs(uint64_t now_ms)
{
	uint64_t s = (now_ms - dhcp.started_ms) / 1000;

	return s > 0xffff ? 0xffff : (uint16_t)s;
}

/* `s` seconds after `start`, or DHCP_NONE for an infinite time. */
static uint64_t dhcp_at(uint64_t start_ms, uint32_t s)
{
	if (s == NET_DHCP_INFINITE)
		return DHCP_NONE;
	return start_ms + (uint64_t)s * 1000;
}

static void dhcp_enter(enum net_dhcp_state state, uint64_t deadline)
{
	dhcp.state = state;
	dhcp.tries = 0;
	dhcp.deadline = deadline;
}

static void dhcp_new_exchange(uint64_t now_ms)
{
	dhcp.xid = rand_u32();
	dhcp.started_ms = now_ms;
}

/* Start over from INIT after `delay_ms`. */
static void dhcp_restart(uint64_t now_ms, uint64_t delay_ms)
{
	arp_probe_watch(0);
	dhcp_enter(NET_DHCP_STATE_INIT, now_ms + delay_ms);
}

/* ---- the interface ------------------------------------------------------ */

/* Configure the interface from lease `l` (validated when it was made). */
static int dhcp_apply(const struct net_dhcp_lease *l, uint64_t now_ms)
{
	struct net_ipv4_config cfg = {l->addr, l->netmask, l->router};
	int rc = net_set_ipv4(&cfg, now_ms);

	if (rc == NET_OK)
		net_iface.mtu = l->mtu ? l->mtu : net_iface.dev->mtu;
	return rc;
}

/* Stop using the lease's address (RFC 2131 §4.4.5: expiry and NAK). */
static void dhcp_unconfigure(uint64_t now_ms)
{
	struct net_ipv4_config none = {0, 0, 0};

	(void)net_set_ipv4(&none, now_ms);
	net_iface.mtu = net_iface.dev->mtu;
	dhcp.has_lease = false;
	dhcp.events |= NET_DHCP_EV_LOST;
}

/* Forget a remembered or offered address that must not be asked for. */
static void dhcp_forget(uint32_t addr)
{
	if (dhcp.lease.addr == addr)
		memset(&dhcp.lease, 0, sizeof(dhcp.lease));
	if (dhcp.requested_addr == addr)
		dhcp.requested_addr = 0;
}

/* ---- sending ------------------------------------------------------------ */

static void dhcp_out_init(struct dhcp_out *o, uint8_t type)
{
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->xid = dhcp.xid;
	memcpy(o->chaddr, net_iface.dev->mac, DHCP_HLEN_ETHERNET);
}

/* What a message asking for a lease adds (RFC 2131 §4.4.1, Table 5). */
static void dhcp_out_params(struct dhcp_out *o)
{
	size_t max = DHCP_RX_MAX + DHCP_IP_UDP_HDR_LEN;

	o->hostname = dhcp.hostname;
	o->hostname_len = dhcp.hostname_len;
	/* RFC 2132 §9.10: the largest IP datagram we take, at least 576. */
	o->max_msg_size = (uint16_t)(net_iface.mtu < max ? net_iface.mtu : max);
	o->param_request = true;
}

/* Send `o` to `dst`: from 0.0.0.0 to the broadcast while unconfigured. */
static int dhcp_send(const struct dhcp_out *o, uint32_t dst, uint64_t now_ms)
{
	size_t len = dhcp_wire_emit(dhcp.tx, sizeof(dhcp.tx), o);
	int rc;

	if (len == 0)
		rc = NET_EMSGSIZE;
	else if (net_iface.addr == 0)
		rc = udp_sendto_unconfigured(dhcp.sock, dhcp.tx, len,
					     DHCP_SERVER_PORT, now_ms);
	else
		rc = net_udp_sendto(dhcp.sock, dhcp.tx, len, dst,
				    DHCP_SERVER_PORT, now_ms);
	if (rc < 0) {
		/* The retransmission timer tries again. */
		NET_STAT_INC(DHCP_TX_FAILED);
		return rc;
	}
	return NET_OK;
}

static void dhcp_send_discover(uint64_t now_ms)
{
	struct dhcp_out o;

	dhcp_out_init(&o, DHCP_DISCOVER);
	dhcp_out_params(&o);
	o.broadcast = true;
	o.secs = dhcp.secs = dhcp_secs(now_ms);
	o.requested_ip = dhcp.requested_addr;
	if (dhcp_send(&o, NET_IPV4_BROADCAST, now_ms) == NET_OK)
		NET_STAT_INC(DHCP_TX_DISCOVER);
}

/* The fields of a REQUEST that depend on the state (RFC 2131 §4.3.2). */
static uint32_t dhcp_request_fields(struct dhcp_out *o)
{
	switch (dhcp.state) {
	case NET_DHCP_STATE_REQUESTING:
		o->secs = dhcp.secs; /* §4.4.1: the DISCOVER's */
		o->broadcast = true;
		o->requested_ip = dhcp.offer.addr;
		o->server_id = dhcp.offer.server;
		return NET_IPV4_BROADCAST;
	case NET_DHCP_STATE_REBOOTING:
		o->broadcast = true;
		o->requested_ip = dhcp.requested_addr;
		return NET_IPV4_BROADCAST;
	case NET_DHCP_STATE_RENEWING:
		o->ciaddr = dhcp.lease.addr;
		return dhcp.lease.server;
	default: /* REBINDING */
		o->ciaddr = dhcp.lease.addr;
		return NET_IPV4_BROADCAST;
	}
}

static void dhcp_send_request(uint64_t now_ms)
{
	struct dhcp_out o;
	uint32_t dst;

	dhcp_out_init(&o, DHCP_REQUEST);
	dhcp_out_params(&o);
	o.secs = dhcp_secs(now_ms);
	dst = dhcp_request_fields(&o);
	if (dhcp.tries == 0)
		dhcp.requested_ms = now_ms;
	dhcp.tries++;
	if (dhcp_send(&o, dst, now_ms) == NET_OK)
		NET_STAT_INC(DHCP_TX_REQUEST);
}

/* RFC 2131 §4.4.1: DECLINE with the address and the server identifier. */
static void dhcp_send_decline(uint64_t now_ms)
{
	struct dhcp_out o;

	dhcp_out_init(&o, DHCP_DECLINE);
	o.requested_ip = dhcp.offer.addr;
	o.server_id = dhcp.offer.server;
	if (dhcp_send(&o, NET_IPV4_BROADCAST, now_ms) == NET_OK)
		NET_STAT_INC(DHCP_TX_DECLINE);
}

/* Send the current exchange's message and schedule its retransmission. */
static void dhcp_transmit(uint64_t now_ms)
{
	if (dhcp.state == NET_DHCP_STATE_SELECTING) {
		dhcp_send_discover(now_ms);
		dhcp.tries++;
	} else {
		dhcp_send_request(now_ms);
	}
	dhcp.deadline = now_ms + dhcp_backoff_ms(dhcp.tries);
}

/* ---- leases ------------------------------------------------------------- */

/* The mask of the address's class: what a lease without option 1 gets. */
static uint32_t dhcp_class_mask(uint32_t addr)
{
	if (addr < 0x80000000u)
		return 0xff000000u;
	if (addr < 0xc0000000u)
		return 0xffff0000u;
	return 0xffffff00u;
}

/* RFC 2131 §4.4.5 defaults unless the server's values make sense. */
static void dhcp_lease_times(const struct dhcp_msg *m, struct net_dhcp_lease *l)
{
	uint32_t lease = m->lease_s;
	uint32_t half;

	l->lease_s = lease;
	if (lease == NET_DHCP_INFINITE) {
		l->t1_s = l->t2_s = NET_DHCP_INFINITE;
		return;
	}
	if (m->has_t2 && m->t2_s > 0 && m->t2_s <= lease)
		l->t2_s = m->t2_s;
	else
		l->t2_s = (uint32_t)((uint64_t)lease * 7 / 8);
	half = lease / 2 < l->t2_s ? lease / 2 : l->t2_s;
	if (m->has_t1 && m->t1_s > 0 && m->t1_s <= l->t2_s)
		l->t1_s = m->t1_s;
	else
		l->t1_s = half;
}

/* Router and DNS servers of `m` that suit the lease's subnet. */
static void dhcp_lease_hosts(const struct dhcp_msg *m, struct net_dhcp_lease *l)
{
	struct net_ipv4_config cfg = {l->addr, l->netmask, 0};
	struct net_iface probe = {0};

	if (m->router_count > 0) {
		cfg.gateway = m->router[0];
		if (iface_check_ipv4(&cfg) == NET_OK)
			l->router = m->router[0];
	}
	probe.addr = l->addr;
	probe.netmask = l->netmask;
	for (unsigned i = 0; i < m->dns_count; i++) {
		if (iface_is_unicast(&probe, m->dns[i]) &&
		    l->dns_count < NET_DHCP_DNS_MAX)
			l->dns[l->dns_count++] = m->dns[i];
	}
}

/* A lease from an OFFER or ACK: false when it cannot be used. */
static bool dhcp_lease_from_msg(const struct dhcp_msg *m,
				struct net_dhcp_lease *l)
{
	struct net_ipv4_config cfg;

	memset(l, 0, sizeof(*l));
	if (!m->has_lease || m->lease_s < DHCP_LEASE_MIN_S)
		return false;
	l->addr = m->yiaddr;
	l->netmask = m->has_netmask ? m->netmask : dhcp_class_mask(m->yiaddr);
	l->server = m->server_id;
	cfg.addr = l->addr;
	cfg.netmask = l->netmask;
	cfg.gateway = 0;
	if (l->netmask == 0 || iface_check_ipv4(&cfg) != NET_OK)
		return false;
	dhcp_lease_hosts(m, l);
	dhcp_lease_times(m, l);
	if (m->has_mtu && m->mtu >= DHCP_MTU_MIN &&
	    m->mtu <= net_iface.dev->mtu)
		l->mtu = m->mtu;
	return true;
}

/* Whether two leases configure the interface and its users alike. */
static bool dhcp_lease_same_config(const struct net_dhcp_lease *a,
				   const struct net_dhcp_lease *b)
{
	return a->addr == b->addr && a->netmask == b->netmask &&
	       a->router == b->router && a->mtu == b->mtu &&
	       a->dns_count == b->dns_count &&
	       memcmp(a->dns, b->dns, sizeof(a->dns)) == 0;
}

/* The lease in dhcp.lease is (again) in force: its timers from its start. */
static void dhcp_enter_bound(void)
{
	const struct net_dhcp_lease *l = &dhcp.lease;

	dhcp.has_lease = true;
	dhcp.naks = 0;
	dhcp.t1_at = dhcp_at(l->start_ms, l->t1_s);
	dhcp.t2_at = dhcp_at(l->start_ms, l->t2_s);
	dhcp.expire_at = dhcp_at(l->start_ms, l->lease_s);
	dhcp_enter(NET_DHCP_STATE_BOUND, dhcp.t1_at);
}

/* Probing found no conflict: configure the interface (RFC 5227 §2.1.1). */
static void dhcp_bind(uint64_t now_ms)
{
	arp_probe_watch(0);
	if (dhcp_apply(&dhcp.offer, now_ms) != NET_OK) {
		/* Checked when the lease was made; cannot happen. */
		dhcp_forget(dhcp.offer.addr);
		dhcp_restart(now_ms, DHCP_DECLINE_WAIT_MS);
		return;
	}
	dhcp.lease = dhcp.offer;
	dhcp_enter_bound();
	dhcp.events |= NET_DHCP_EV_BOUND;
}

/* An ACK while RENEWING or REBINDING: the lease `l` replaces ours. */
static void dhcp_renewed(const struct net_dhcp_lease *l, uint64_t now_ms)
{
	bool same = dhcp_lease_same_config(l, &dhcp.lease);

	if (!same && dhcp_apply(l, now_ms) != NET_OK)
		return; /* validated like any lease: cannot happen */
	dhcp.lease = *l;
	dhcp_enter_bound();
	dhcp.events |= same ? NET_DHCP_EV_RENEWED : NET_DHCP_EV_BOUND;
}

/* The lease ran out (RFC 2131 §4.4.5): stop using it, start over. */
static void dhcp_expire(uint64_t now_ms)
{
	uint32_t addr = dhcp.lease.addr;

	NET_STAT_INC(DHCP_EXPIRED);
	dhcp_unconfigure(now_ms);
	memset(&dhcp.lease, 0, sizeof(dhcp.lease));
	/* Asking for it again in the DISCOVER is allowed (§4.4.1). */
	dhcp.requested_addr = addr;
	dhcp_restart(now_ms, 0);
}

/* RFC 5227 §2.1.1 conflict while probing: decline, wait, start over. */
static void dhcp_decline(uint64_t now_ms)
{
	NET_STAT_INC(DHCP_CONFLICT);
	dhcp_send_decline(now_ms);
	dhcp_forget(dhcp.offer.addr);
	dhcp.events |= NET_DHCP_EV_DECLINED;
	dhcp_restart(now_ms, DHCP_DECLINE_WAIT_MS);
}

/* ---- timers ------------------------------------------------------------- */

static void dhcp_enter_probing(uint64_t now_ms)
{
	arp_probe_watch(dhcp.offer.addr);
	dhcp_enter(NET_DHCP_STATE_PROBING,
		   now_ms + rand_below(DHCP_PROBE_WAIT_MS + 1));
}

static void dhcp_timer_init(uint64_t now_ms)
{
	bool reboot = dhcp.reboot && dhcp.requested_addr;

	/* Only the first INIT after a start may reboot (RFC 2131 §3.2). */
	dhcp.reboot = false;
	dhcp_new_exchange(now_ms);
	if (reboot) {
		dhcp_enter(NET_DHCP_STATE_REBOOTING, now_ms);
	} else {
		dhcp_enter(NET_DHCP_STATE_SELECTING, now_ms);
	}
	dhcp_transmit(now_ms);
}

static void dhcp_timer_requesting(uint64_t now_ms)
{
	if (dhcp.tries >= DHCP_REQUEST_TRIES)
		dhcp_restart(now_ms, 0);
	else
		dhcp_transmit(now_ms);
}

static void dhcp_timer_rebooting(uint64_t now_ms)
{
	if (dhcp.tries < DHCP_REBOOT_TRIES) {
		dhcp_transmit(now_ms);
		return;
	}
	/* No answer for the remembered address: discover, hinting at it. */
	dhcp_new_exchange(now_ms);
	dhcp_enter(NET_DHCP_STATE_SELECTING, now_ms);
	dhcp_transmit(now_ms);
}

static void dhcp_timer_probing(uint64_t now_ms)
{
	if (dhcp.tries >= DHCP_PROBE_NUM) {
		dhcp_bind(now_ms);
		return;
	}
	/* A probe the device had no room for is counted by arp.c; the
	 * address is still probed by the others. */
	(void)arp_probe_send(dhcp.offer.addr);
	dhcp.tries++;
	if (dhcp.tries < DHCP_PROBE_NUM)
		dhcp.deadline =
		    now_ms + DHCP_PROBE_MIN_MS +
		    rand_below(DHCP_PROBE_MAX_MS - DHCP_PROBE_MIN_MS + 1);
	else
		dhcp.deadline = now_ms + DHCP_ANNOUNCE_WAIT_MS;
}

/* RFC 2131 §4.4.5: half the time left until `end`, at least 60 s. */
static uint64_t dhcp_renew_next(uint64_t now_ms, uint64_t end)
{
	uint64_t wait = (end - now_ms) / 2;

	if (wait < DHCP_RENEW_MIN_MS)
		wait = DHCP_RENEW_MIN_MS;
	return end - now_ms > wait ? now_ms + wait : end;
}

static void dhcp_timer_rebinding(uint64_t now_ms)
{
	if (now_ms >= dhcp.expire_at) {
		dhcp_expire(now_ms);
		return;
	}
	dhcp_send_request(now_ms);
	dhcp.deadline = dhcp_renew_next(now_ms, dhcp.expire_at);
}

static void dhcp_timer_renewing(uint64_t now_ms)
{
	if (now_ms >= dhcp.t2_at) {
		NET_STAT_INC(DHCP_REBIND);
		dhcp_new_exchange(now_ms);
		dhcp_enter(NET_DHCP_STATE_REBINDING, now_ms);
		dhcp_timer_rebinding(now_ms);
		return;
	}
	dhcp_send_request(now_ms);
	dhcp.deadline = dhcp_renew_next(now_ms, dhcp.t2_at);
}

static void dhcp_timer_bound(uint64_t now_ms)
{
	NET_STAT_INC(DHCP_RENEW);
	dhcp_new_exchange(now_ms);
	dhcp_enter(NET_DHCP_STATE_RENEWING, now_ms);
	/* Past T2 or expiry already (a long sleep): it moves on at once. */
	dhcp_timer_renewing(now_ms);
}

static void dhcp_timer(uint64_t now_ms)
{
	switch (dhcp.state) {
	case NET_DHCP_STATE_INIT:
		dhcp_timer_init(now_ms);
		break;
	case NET_DHCP_STATE_SELECTING:
		dhcp_transmit(now_ms);
		break;
	case NET_DHCP_STATE_REQUESTING:
		dhcp_timer_requesting(now_ms);
		break;
	case NET_DHCP_STATE_REBOOTING:
		dhcp_timer_rebooting(now_ms);
		break;
	case NET_DHCP_STATE_PROBING:
		dhcp_timer_probing(now_ms);
		break;
	case NET_DHCP_STATE_BOUND:
		dhcp_timer_bound(now_ms);
		break;
	case NET_DHCP_STATE_RENEWING:
		dhcp_timer_renewing(now_ms);
		break;
	case NET_DHCP_STATE_REBINDING:
		dhcp_timer_rebinding(now_ms);
		break;
	case NET_DHCP_STATE_STOPPED:
		dhcp.deadline = DHCP_NONE;
		break;
	}
}

/* ---- input -------------------------------------------------------------- */

static bool dhcp_check_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
{
	switch (dhcp_wire_parse(buf, len, m)) {
	case DHCP_WIRE_OK:
		break;
	case DHCP_WIRE_SHORT:
		NET_STAT_INC(DHCP_RX_SHORT);
		return false;
	case DHCP_WIRE_BAD_HEADER:
		NET_STAT_INC(DHCP_RX_BAD_HEADER);
		return false;
	case DHCP_WIRE_BAD_COOKIE:
		NET_STAT_INC(DHCP_RX_NOT_DHCP);
		return false;
	case DHCP_WIRE_BAD_OPTIONS:
		NET_STAT_INC(DHCP_RX_BAD_OPTIONS);
		return false;
	}
	if (m->op != DHCP_OP_REPLY || m->htype != DHCP_HTYPE_ETHERNET ||
	    m->hlen != DHCP_HLEN_ETHERNET) {
		NET_STAT_INC(DHCP_RX_BAD_HEADER);
		return false;
	}
	if (m->type == 0) { /* a BOOTP reply */
		NET_STAT_INC(DHCP_RX_NOT_DHCP);
		return false;
	}
	return true;
}

/* Whether the state has a request out, so that a reply can answer it. */
static bool dhcp_is_waiting(void)
{
	switch (dhcp.state) {
	case NET_DHCP_STATE_SELECTING:
	case NET_DHCP_STATE_REQUESTING:
	case NET_DHCP_STATE_REBOOTING:
	case NET_DHCP_STATE_RENEWING:
	case NET_DHCP_STATE_REBINDING:
		return true;
	default:
		return false;
	}
}

/* xid and chaddr: the reply answers our current request (§4.4.1). */
static bool dhcp_check_ours(const struct dhcp_msg *m)
{
	if (!dhcp_is_waiting()) {
		NET_STAT_INC(DHCP_RX_UNEXPECTED);
		return false;
	}
	if (m->xid != dhcp.xid) {
		NET_STAT_INC(DHCP_RX_BAD_XID);
		return false;
	}
	if (memcmp(m->chaddr, net_iface.dev->mac, DHCP_HLEN_ETHERNET) != 0) {
		NET_STAT_INC(DHCP_RX_BAD_CHADDR);
		return false;
	}
	return true;
}

/* The server identifier: present, and the one we talk to if we do. */
static bool dhcp_check_server(const struct dhcp_msg *m)
{
	struct net_iface empty = {0};
	uint32_t want = 0;

	if (dhcp.state == NET_DHCP_STATE_REQUESTING)
		want = dhcp.offer.server;
	else if (dhcp.state == NET_DHCP_STATE_RENEWING)
		want = dhcp.lease.server;
	if (m->has_server_id && iface_is_unicast(&empty, m->server_id) &&
	    (want == 0 || m->server_id == want))
		return true;
	NET_STAT_INC(DHCP_RX_BAD_SERVER);
	return false;
}

static void dhcp_input_offer(const struct dhcp_msg *m, uint64_t now_ms)
{
	struct net_dhcp_lease l;

	if (dhcp.state != NET_DHCP_STATE_SELECTING) {
		NET_STAT_INC(DHCP_RX_UNEXPECTED);
		return;
	}
	if (!dhcp_check_server(m))
		return;
	if (!dhcp_lease_from_msg(m, &l)) {
		NET_STAT_INC(DHCP_RX_BAD_LEASE);
		return;
	}
	NET_STAT_INC(DHCP_RX_OFFER);
	dhcp.offer = l;
	dhcp_enter(NET_DHCP_STATE_REQUESTING, now_ms);
	dhcp_transmit(now_ms);
}

/* The address an ACK must grant in this state. */
static uint32_t dhcp_expected_addr(void)
{
	switch (dhcp.state) {
	case NET_DHCP_STATE_REQUESTING:
		return dhcp.offer.addr;
	case NET_DHCP_STATE_REBOOTING:
		return dhcp.requested_addr;
	default: /* RENEWING, REBINDING */
		return dhcp.lease.addr;
	}
}

static void dhcp_input_ack(const struct dhcp_msg *m, uint64_t now_ms)
{
	struct net_dhcp_lease l;

	if (dhcp.state == NET_DHCP_STATE_SELECTING) {
		NET_STAT_INC(DHCP_RX_UNEXPECTED);
		return;
	}
	if (!dhcp_check_server(m))
		return;
	if (!dhcp_lease_from_msg(m, &l) || l.addr != dhcp_expected_addr()) {
		NET_STAT_INC(DHCP_RX_BAD_LEASE);
		return;
	}
	NET_STAT_INC(DHCP_RX_ACK);
	l.start_ms = dhcp.requested_ms;
	if (dhcp.state == NET_DHCP_STATE_RENEWING ||
	    dhcp.state == NET_DHCP_STATE_REBINDING) {
		dhcp_renewed(&l, now_ms);
		return;
	}
	dhcp.offer = l;
	dhcp_enter_probing(now_ms);
}

static void dhcp_input_nak(const struct dhcp_msg *m, uint64_t now_ms)
{
	uint64_t delay;

	if (dhcp.state == NET_DHCP_STATE_SELECTING) {
		NET_STAT_INC(DHCP_RX_UNEXPECTED);
		return;
	}
	if (!dhcp_check_server(m))
		return;
	NET_STAT_INC(DHCP_RX_NAK);
	dhcp.events |= NET_DHCP_EV_NAK;
	if (dhcp.has_lease)
		dhcp_unconfigure(now_ms);
	dhcp_forget(dhcp_expected_addr());
	/* At once the first time; then backing off (top of the file). */
	delay = dhcp.naks == 0 ? rand_below(DHCP_START_DELAY_MS + 1)
			       : dhcp_backoff_ms(dhcp.naks);
	dhcp.naks++;
	dhcp_restart(now_ms, delay);
}

static void dhcp_input(const uint8_t *buf, size_t len, uint64_t now_ms)
{
	struct dhcp_msg m;

	if (!dhcp_check_parse(buf, len, &m) || !dhcp_check_ours(&m))
		return;
	switch (m.type) {
	case DHCP_OFFER:
		dhcp_input_offer(&m, now_ms);
		break;
	case DHCP_ACK:
		dhcp_input_ack(&m, now_ms);
		break;
	case DHCP_NAK:
		dhcp_input_nak(&m, now_ms);
		break;
	default:
		NET_STAT_INC(DHCP_RX_UNEXPECTED);
		break;
	}
}

/* Every queued message: the ring bounds the work. */
static void dhcp_poll_rx(uint64_t now_ms)
{
	for (;;) {
		int n = net_udp_recvfrom(dhcp.sock, dhcp.rx, sizeof(dhcp.rx),
					 NULL, NULL);

		if (n == NET_EAGAIN || n == NET_EBADF)
			return;
		if (n < 0)
			continue; /* an ICMP error about a renewal: ignored */
		NET_STAT_INC(DHCP_RX);
		if ((size_t)n > sizeof(dhcp.rx)) {
			NET_STAT_INC(DHCP_RX_TOO_LONG);
			continue;
		}
		dhcp_input(dhcp.rx, (size_t)n, now_ms);
	}
}

/* ---- interface ---------------------------------------------------------- */

void dhcp_init(void)
{
	memset(&dhcp, 0, sizeof(dhcp));
	dhcp.sock = -1;
	dhcp.deadline = DHCP_NONE;
}

void dhcp_poll(uint64_t now_ms)
{
	if (dhcp.state == NET_DHCP_STATE_STOPPED)
		return;
	dhcp_poll_rx(now_ms);
	if (dhcp.state == NET_DHCP_STATE_PROBING && arp_probe_has_conflict())
		dhcp_decline(now_ms);
	/* Each event moves the deadline on or changes state; a few at most
	 * fall due together (T1, T2 and expiry after a long sleep). */
	for (int i = 0; i < DHCP_TIMER_EVENTS_MAX && dhcp.deadline <= now_ms;
	     i++)
		dhcp_timer(now_ms);
}

uint64_t dhcp_next_deadline(void)
{
	return dhcp.state == NET_DHCP_STATE_STOPPED ? DHCP_NONE : dhcp.deadline;
}

/* RFC 1123 §2.1: one label of letters, digits and inner hyphens. */
static bool dhcp_is_hostname(const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (c != '-' || i == 0 || i == len - 1))
			return false;
	}
	return true;
}

int net_dhcp_check_config(const struct net_dhcp_config *cfg)
{
	struct net_iface empty = {0};
	const char *name = cfg->hostname;
	size_t len = name ? strnlen(name, NET_DHCP_HOSTNAME_MAX + 1) : 0;

	if (len > NET_DHCP_HOSTNAME_MAX || !dhcp_is_hostname(name, len))
		return NET_EINVAL;
	if (cfg->requested_addr != 0 &&
	    !iface_is_unicast(&empty, cfg->requested_addr))
		return NET_EINVAL;
	return NET_OK;
}

/* Keep a copy of the (checked) host name. */
static void dhcp_set_hostname(const char *name)
{
	size_t len = name ? strnlen(name, NET_DHCP_HOSTNAME_MAX) : 0;

	if (len > 0)
		memcpy(dhcp.hostname, name, len);
	dhcp.hostname_len = len;
}

static int dhcp_open_socket(void)
{
	int sock = net_udp_open();
	int rc;

	if (sock < 0)
		return sock;
	rc = net_udp_bind(sock, NET_IPV4_ANY, DHCP_CLIENT_PORT);
	if (rc != NET_OK) {
		net_udp_close(sock);
		return rc;
	}
	dhcp.sock = sock;
	return NET_OK;
}

int net_dhcp_start(const struct net_dhcp_config *cfg, uint64_t now_ms)
{
	struct net_ipv4_config none = {0, 0, 0};
	int rc;

	if (!net_iface.dev || !cfg || dhcp.state != NET_DHCP_STATE_STOPPED ||
	    net_dhcp_check_config(cfg) != NET_OK)
		return NET_EINVAL;
	rc = dhcp_open_socket();
	if (rc != NET_OK)
		return rc;
	dhcp_set_hostname(cfg->hostname);
	(void)net_set_ipv4(&none, now_ms);
	net_iface.mtu = net_iface.dev->mtu;
	net_iface.bootstrap_port = DHCP_CLIENT_PORT;
	/* The remembered lease is fresher than a hint from the start-up. */
	dhcp.requested_addr =
	    dhcp.lease.addr ? dhcp.lease.addr : cfg->requested_addr;
	dhcp.reboot = true;
	dhcp.naks = 0;
	dhcp.has_lease = false;
	dhcp_restart(now_ms, rand_below(DHCP_START_DELAY_MS + 1));
	return NET_OK;
}

void net_dhcp_stop(uint64_t now_ms)
{
	if (dhcp.state == NET_DHCP_STATE_STOPPED)
		return;
	if (dhcp.has_lease)
		dhcp_unconfigure(now_ms); /* dhcp.lease stays remembered */
	arp_probe_watch(0);
	net_udp_close(dhcp.sock);
	dhcp.sock = -1;
	net_iface.bootstrap_port = 0;
	dhcp_enter(NET_DHCP_STATE_STOPPED, DHCP_NONE);
}

enum net_dhcp_state net_dhcp_state(void)
{
	return dhcp.state;
}

const char *net_dhcp_state_name(enum net_dhcp_state state)
{
	static const char *const names[] = {
	    [NET_DHCP_STATE_STOPPED] = "stopped",
	    [NET_DHCP_STATE_INIT] = "init",
	    [NET_DHCP_STATE_SELECTING] = "selecting",
	    [NET_DHCP_STATE_REQUESTING] = "requesting",
	    [NET_DHCP_STATE_REBOOTING] = "rebooting",
	    [NET_DHCP_STATE_PROBING] = "probing",
	    [NET_DHCP_STATE_BOUND] = "bound",
	    [NET_DHCP_STATE_RENEWING] = "renewing",
	    [NET_DHCP_STATE_REBINDING] = "rebinding",
	};

	if ((unsigned)state >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[state];
}

int net_dhcp_lease(struct net_dhcp_lease *out)
{
	if (!dhcp.has_lease)
		return NET_ENOENT;
	*out = dhcp.lease;
	return NET_OK;
}

unsigned net_dhcp_take_events(void)
{
	unsigned ev = dhcp.events;

	dhcp.events = 0;
	return ev;
}
