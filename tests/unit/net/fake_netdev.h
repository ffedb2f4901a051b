/*
 * fake_netdev.h - a struct netdev for unit tests.
 *
 * Frames queued with fake_netdev_inject() are lent to the stack by rx_peek()
 * in order; frames the stack transmits are captured, up to FAKE_NETDEV_TX
 * of them, for the test to inspect with fake_netdev_tx() and clear with
 * fake_netdev_tx_clear(). tx_acquire() can be made to fail (ring full) and
 * the link taken down.
 *
 * fake_stack_up() initialises the stack on the fake device with a fixed
 * secret and address 10.0.0.2/24, gateway 10.0.0.1, MAC 02:00:00:00:00:02,
 * then clears the captured frames (the gratuitous ARP) and counters.
 *
 * Below that, what the protocol tests share: the peers on the fake link, a
 * reference Internet checksum, builders for the frames a peer sends, and
 * readers for the IPv4 frames the stack sent. They write wire bytes at
 * literal offsets, independently of net/'s *_wire.c, so that a test checks
 * the stack's encoding rather than repeating it.
 */
#ifndef FAKE_NETDEV_H
#define FAKE_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/netdev.h>
#include <net/stats.h>

#define FAKE_NETDEV_TX 64
#define FAKE_NETDEV_RX 64
#define FAKE_FRAME_MAX 1600

#define FAKE_IP 0x0a000002u
#define FAKE_GW 0x0a000001u
#define FAKE_MASK 0xffffff00u

struct fake_frame {
	size_t len;
	uint8_t data[FAKE_FRAME_MAX];
};

extern struct netdev fake_netdev;
extern const uint8_t fake_mac[6];

void fake_netdev_reset(void);
/* Queue a received frame; false when the fake's RX queue is full. */
bool fake_netdev_inject(const uint8_t *frame, size_t len);
size_t fake_netdev_tx_count(void);
const struct fake_frame *fake_netdev_tx(size_t i);
void fake_netdev_tx_clear(void);
void fake_netdev_set_tx_full(bool full);
void fake_netdev_set_link(bool up);

/* The stack up on the fake device; see above. */
void fake_stack_up(uint64_t now_ms);

/* ---- peers ---------------------------------------------------------- */

#define FAKE_PEER_IP	  FAKE_GW     /* 10.0.0.1, also the router */
#define FAKE_PEER2_IP	  0x0a000003u /* 10.0.0.3 */
#define FAKE_SUBNET_BCAST 0x0a0000ffu /* 10.0.0.255 */

extern const uint8_t fake_peer_mac[6];	/* 02:00:00:00:00:01 */
extern const uint8_t fake_peer2_mac[6]; /* 02:00:00:00:00:03 */
extern const uint8_t fake_bcast_mac[6]; /* ff:ff:ff:ff:ff:ff */

/* A stack counter: net_stats_get(), under a name short enough for CHECKs. */
uint64_t fake_stat(enum net_stat id);

/*
 * An ARP request from (ip, mac) for our address, injected and polled at
 * now_ms: ARP learns the peer, as from a real neighbour's first packet.
 * Our reply stays in the capture.
 */
void fake_learn(uint32_t ip, const uint8_t mac[6], uint64_t now_ms);

/* An ARP reply from (ip, mac) unicast to us, injected and polled. */
void fake_arp_reply(uint32_t ip, const uint8_t mac[6], uint64_t now_ms);

/*
 * fake_stack_up(), then fake_learn() of FAKE_PEER_IP at fake_peer_mac;
 * the capture and counters cleared again afterwards.
 */
void fake_stack_up_peer(uint64_t now_ms);

/* ---- reference checksum (RFC 1071) ---------------------------------- */

/* sum plus the 16-bit big-endian words of p, an odd last byte padded. */
uint64_t fake_csum_add(uint64_t sum, const uint8_t *p, size_t len);
/* sum folded to 16 bits with end-around carry, then complemented. */
uint16_t fake_csum_fold(uint64_t sum);
/* The Internet checksum of p: 0 over data whose checksum is right. */
uint16_t fake_csum(const uint8_t *p, size_t len);

/* ---- frames a peer sends -------------------------------------------- */

/* An IPv4 header for fake_ipv4_hdr() and fake_ipv4_frame(). */
struct fake_ip {
	uint32_t src, dst;
	uint8_t proto, ttl;
	uint16_t id;
	uint16_t frag;	       /* flags and fragment offset, as on the wire */
	const uint8_t *l2_dst; /* fake_ipv4_frame(): NULL means our MAC */
	const uint8_t *opt;    /* opt_len bytes of options, a multiple of 4 */
	size_t opt_len;
};

/* An Ethernet header into f; returns its length, 14. */
size_t fake_eth_hdr(uint8_t *f, const uint8_t dst[6], const uint8_t src[6],
		    uint16_t type);

/*
 * The IPv4 header `h` for payload_len bytes of payload into buf, TOS 0,
 * checksummed; returns its length, 20 + h->opt_len.
 */
size_t fake_ipv4_hdr(uint8_t *buf, const struct fake_ip *h, size_t payload_len);

/*
 * An Ethernet frame from fake_peer_mac to h->l2_dst carrying the IPv4
 * header `h` and len bytes of payload (NULL when len is 0) into f;
 * returns the frame's length.
 */
size_t fake_ipv4_frame(uint8_t *f, const struct fake_ip *h,
		       const uint8_t *payload, size_t len);

/*
 * The 8-byte header of an ICMP message with data_len bytes of data
 * already at msg + 8, checksum included; `rest` is the header's last four
 * bytes (id << 16 | seq for an echo, 0 for most errors). Returns the
 * message's length.
 */
size_t fake_icmp_msg(uint8_t *msg, uint8_t type, uint8_t code, uint32_t rest,
		     size_t data_len);

/* ---- IPv4 frames the stack sent ------------------------------------- */

/* The IP packet of captured frame i if it is IPv4 carrying `proto`. */
const uint8_t *fake_tx_ipv4(size_t i, uint8_t proto);

/*
 * The IP packet of captured frame i if it is IPv4 with a sane header:
 * version 4 without options, a right checksum, a total length (into
 * *len) that fills the frame and fits the MTU. NULL otherwise.
 */
const uint8_t *fake_tx_ipv4_sane(size_t i, size_t *len);

/*
 * Reassemble the payload of captured frames first..first + n - 1, all
 * sane fragments of one datagram, into out (cap bytes), checking the
 * rules of fragmentation (RFC 791) on the way: one ID, DF clear, every
 * fragment but the last a multiple of 8 bytes, no overlap, no gap.
 * Returns the payload length, or 0 when a rule is broken.
 */
size_t fake_tx_reassemble(size_t first, size_t n, uint8_t *out, size_t cap);

#endif /* FAKE_NETDEV_H */
