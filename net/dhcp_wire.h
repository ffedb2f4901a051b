/*
 * dhcp_wire.h - the BOOTP/DHCP message on the wire (RFC 2131 §2, options
 * of RFC 2132): parse and emit, no state. Internal to net/.
 *
 * dhcp_wire_parse() checks a received message once and fills a host-order
 * struct with the fixed fields and the options a client acts on; it
 * returns which check failed so that the caller counts the right drop
 * reason. dhcp_wire_emit() writes the messages a client sends.
 *
 * Options understood: pad (0), end (255), subnet mask (1), router (3),
 * domain name servers (6), interface MTU (26), lease time (51), option
 * overload (52), message type (53), server identifier (54), renewal (T1,
 * 58) and rebinding (T2, 59) time. Every other option is skipped by its
 * length. Rules (a message breaking one is DHCP_WIRE_BAD_OPTIONS):
 *   - an option's length byte, and its data, stay within the field that
 *     holds it (options, or with overload file and sname, RFC 2131 §4.1);
 *     a field ends at an end option or at its last byte;
 *   - a known option has its length: 4 for addresses and times, 2 for the
 *     MTU, 1 for type and overload, a non-zero multiple of 4 for lists;
 *   - a scalar option appears once. RFC 3396 would concatenate repeated
 *     instances, which for a fixed-size option gives a wrong length;
 *   - list options (router, DNS) may repeat and are then concatenated
 *     (RFC 3396 §7), each instance holding whole addresses. Deviation:
 *     RFC 3396 allows a split inside an address; no server does that;
 *   - overload (RFC 2132 §9.3) only in the options field, with value 1
 *     (file holds options), 2 (sname) or 3 (both); the fields are read in
 *     the order options, file, sname (RFC 2131 §4.1).
 * Addresses in lists beyond what the struct holds are ignored.
 */
#ifndef NET_DHCP_WIRE_H
#define NET_DHCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

/* Byte offsets of the fixed part (RFC 2131 §2, Figure 1). */
#define DHCP_OFF_OP	 0
#define DHCP_OFF_HTYPE	 1
#define DHCP_OFF_HLEN	 2
#define DHCP_OFF_HOPS	 3
#define DHCP_OFF_XID	 4
#define DHCP_OFF_SECS	 8
#define DHCP_OFF_FLAGS	 10
#define DHCP_OFF_CIADDR	 12
#define DHCP_OFF_YIADDR	 16
#define DHCP_OFF_SIADDR	 20
#define DHCP_OFF_GIADDR	 24
#define DHCP_OFF_CHADDR	 28
#define DHCP_OFF_SNAME	 44
#define DHCP_OFF_FILE	 108
#define DHCP_OFF_COOKIE	 236
#define DHCP_OFF_OPTIONS 240

#define DHCP_CHADDR_LEN 16
#define DHCP_SNAME_LEN	64
#define DHCP_FILE_LEN	128
/* The fixed part and the magic cookie: the shortest DHCP message. */
#define DHCP_FIXED_LEN 240
/* RFC 1542 §3.1.1: BOOTP relays may drop messages under 300 bytes. */
#define DHCP_MIN_LEN 300
/* RFC 2131 §2: 576-byte IP datagrams, so 548 bytes of message. */
#define DHCP_CLIENT_MSG_MAX 548

#define DHCP_COOKIE 0x63825363u /* 99.130.83.99, RFC 2131 §3 */

#define DHCP_OP_REQUEST	    1 /* BOOTREQUEST */
#define DHCP_OP_REPLY	    2 /* BOOTREPLY */
#define DHCP_HTYPE_ETHERNET 1
#define DHCP_HLEN_ETHERNET  6
#define DHCP_FLAG_BROADCAST 0x8000

/* Option codes (RFC 2132). */
#define DHCP_OPT_PAD	       0
#define DHCP_OPT_SUBNET_MASK   1
#define DHCP_OPT_ROUTER	       3
#define DHCP_OPT_DNS	       6
#define DHCP_OPT_HOSTNAME      12
#define DHCP_OPT_MTU	       26
#define DHCP_OPT_REQUESTED_IP  50
#define DHCP_OPT_LEASE_TIME    51
#define DHCP_OPT_OVERLOAD      52
#define DHCP_OPT_MSG_TYPE      53
#define DHCP_OPT_SERVER_ID     54
#define DHCP_OPT_PARAM_REQUEST 55
#define DHCP_OPT_MAX_MSG_SIZE  57
#define DHCP_OPT_T1	       58
#define DHCP_OPT_T2	       59
#define DHCP_OPT_CLIENT_ID     61
#define DHCP_OPT_END	       255

/* Message types, option 53 (RFC 2132 §9.6). */
#define DHCP_DISCOVER 1
#define DHCP_OFFER    2
#define DHCP_REQUEST  3
#define DHCP_DECLINE  4
#define DHCP_ACK      5
#define DHCP_NAK      6
#define DHCP_RELEASE  7
#define DHCP_INFORM   8

/* Overload values, option 52 (RFC 2132 §9.3). */
#define DHCP_OVERLOAD_FILE  1
#define DHCP_OVERLOAD_SNAME 2

/* How many routers and DNS servers a parsed message keeps. */
#define DHCP_WIRE_ROUTERS_MAX 1
#define DHCP_WIRE_DNS_MAX     3

/* A received message, host order. The has_ flags say which options were
 * present; list counts are of the addresses kept. */
struct dhcp_msg {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	uint32_t ciaddr;
	uint32_t yiaddr;
	uint32_t siaddr;
	uint32_t giaddr;
	uint8_t chaddr[DHCP_CHADDR_LEN];
	uint8_t type; /* option 53; 0 when absent */
	bool has_netmask;
	bool has_server_id;
	bool has_lease;
	bool has_t1;
	bool has_t2;
	bool has_mtu;
	uint8_t overload; /* option 52; 0 when absent */
	uint32_t netmask;
	uint32_t server_id;
	uint32_t lease_s;
	uint32_t t1_s;
	uint32_t t2_s;
	uint16_t mtu;
	uint8_t router_count;
	uint8_t dns_count;
	uint32_t router[DHCP_WIRE_ROUTERS_MAX];
	uint32_t dns[DHCP_WIRE_DNS_MAX];
};

/* What dhcp_wire_parse() found; one value per drop reason. */
enum dhcp_wire_status {
	DHCP_WIRE_OK = 0,
	DHCP_WIRE_SHORT,       /* fewer than DHCP_FIXED_LEN bytes */
	DHCP_WIRE_BAD_HEADER,  /* op not 1 or 2, hlen over 16 */
	DHCP_WIRE_BAD_COOKIE,  /* no DHCP magic cookie: plain BOOTP */
	DHCP_WIRE_BAD_OPTIONS, /* a rule at the top of the file broken */
};

/* Check the `len`-byte message at buf (the UDP data) and fill *m. */
enum dhcp_wire_status dhcp_wire_parse(const uint8_t *buf, size_t len,
				      struct dhcp_msg *m);

/* A message a client sends. Zero fields and NULL pointers are left out. */
struct dhcp_out {
	uint8_t type; /* DHCP_DISCOVER, _REQUEST, _DECLINE, _RELEASE */
	uint32_t xid;
	uint16_t secs;
	bool broadcast; /* set the BROADCAST flag (RFC 2131 §4.1) */
	uint32_t ciaddr;
	uint8_t chaddr[DHCP_HLEN_ETHERNET];
	uint32_t requested_ip; /* option 50 */
	uint32_t server_id;    /* option 54 */
	const char *hostname;  /* option 12, hostname_len bytes */
	size_t hostname_len;
	uint16_t max_msg_size; /* option 57 */
	/* Option 55, the parameters a client wants (dhcp_wire.c's list). */
	bool param_request;
};

/*
 * Write the message `o` into buf (`cap` bytes), padded with zeros to
 * DHCP_MIN_LEN, with a client identifier (option 61: type 1, chaddr; RFC
 * 2132 §9.14). Returns its length, or 0 when it does not fit in `cap` or
 * the host name is longer than 255 bytes.
 */
size_t dhcp_wire_emit(uint8_t *buf, size_t cap, const struct dhcp_out *o);

#endif /* NET_DHCP_WIRE_H */
