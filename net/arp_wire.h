/*
 * arp_wire.h - the ARP packet for IPv4 over Ethernet on the wire (RFC 826,
 * "Packet format"): parse and emit, no state. Internal to net/.
 *
 * Only the one combination keel speaks is accepted: hardware type Ethernet
 * (1) with 6-byte addresses, protocol type IPv4 (0x0800) with 4-byte
 * addresses, opcode request (1) or reply (2). That fixes the packet at
 * ARP_WIRE_LEN bytes; anything after them (Ethernet minimum-size padding) is
 * ignored.
 */
#ifndef NET_ARP_WIRE_H
#define NET_ARP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define ARP_WIRE_LEN 28

/* Byte offsets within the packet. */
#define ARP_OFF_HTYPE 0
#define ARP_OFF_PTYPE 2
#define ARP_OFF_HLEN  4
#define ARP_OFF_PLEN  5
#define ARP_OFF_OP    6
#define ARP_OFF_SHA   8	 /* sender hardware address */
#define ARP_OFF_SPA   14 /* sender protocol address */
#define ARP_OFF_THA   18 /* target hardware address */
#define ARP_OFF_TPA   24 /* target protocol address */

#define ARP_HTYPE_ETHERNET 1
#define ARP_PTYPE_IPV4	   0x0800
#define ARP_HLEN_ETHERNET  6
#define ARP_PLEN_IPV4	   4

#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

/* A parsed packet, host order; the fixed fields are implied. */
struct arp_pkt {
	uint16_t op;
	uint8_t sha[ARP_HLEN_ETHERNET];
	uint32_t spa;
	uint8_t tha[ARP_HLEN_ETHERNET];
	uint32_t tpa;
};

/*
 * Check the `len` bytes at buf (trailing padding allowed) and fill *p.
 * NET_OK, or NET_EBADMSG when the packet is shorter than ARP_WIRE_LEN or
 * its htype, ptype, hlen, plen or op is not one listed above.
 */
int arp_wire_parse(const uint8_t *buf, size_t len, struct arp_pkt *p);

/* Write the ARP_WIRE_LEN-byte packet into buf. Returns ARP_WIRE_LEN. */
size_t arp_wire_emit(uint8_t *buf, const struct arp_pkt *p);

#endif /* NET_ARP_WIRE_H */
