/*
 * arp_wire.c - ARP packet parse and emit (RFC 826, "Packet format"), for
 * Ethernet hardware addresses and IPv4 protocol addresses only.
 *
 * No state, no I/O: arp.c decides what a packet means. Fields are read and
 * written through klib/bytes.h at the named offsets of arp_wire.h.
 */
#include "arp_wire.h"

#include <stdbool.h>
#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>

/* Whether the fixed header names Ethernet/IPv4 with their address sizes. */
static bool arp_wire_is_ether_ipv4(const uint8_t *buf)
{
	return ld_be16(buf + ARP_OFF_HTYPE) == ARP_HTYPE_ETHERNET &&
	       ld_be16(buf + ARP_OFF_PTYPE) == ARP_PTYPE_IPV4 &&
	       buf[ARP_OFF_HLEN] == ARP_HLEN_ETHERNET &&
	       buf[ARP_OFF_PLEN] == ARP_PLEN_IPV4;
}

int arp_wire_parse(const uint8_t *buf, size_t len, struct arp_pkt *p)
{
	uint16_t op;

	if (len < ARP_WIRE_LEN || !arp_wire_is_ether_ipv4(buf))
		return NET_EBADMSG;
	/* RFC 826 defines only these two opcodes; RARP (3, 4, RFC 903) and
	 * InARP (8, 9, RFC 2390) are not ours to answer. */
	op = ld_be16(buf + ARP_OFF_OP);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return NET_EBADMSG;
	p->op = op;
	memcpy(p->sha, buf + ARP_OFF_SHA, ARP_HLEN_ETHERNET);
	p->spa = ld_be32(buf + ARP_OFF_SPA);
	memcpy(p->tha, buf + ARP_OFF_THA, ARP_HLEN_ETHERNET);
	p->tpa = ld_be32(buf + ARP_OFF_TPA);
	return NET_OK;
}

size_t arp_wire_emit(uint8_t *buf, const struct arp_pkt *p)
{
	st_be16(buf + ARP_OFF_HTYPE, ARP_HTYPE_ETHERNET);
	st_be16(buf + ARP_OFF_PTYPE, ARP_PTYPE_IPV4);
	buf[ARP_OFF_HLEN] = ARP_HLEN_ETHERNET;
	buf[ARP_OFF_PLEN] = ARP_PLEN_IPV4;
	st_be16(buf + ARP_OFF_OP, p->op);
	memcpy(buf + ARP_OFF_SHA, p->sha, ARP_HLEN_ETHERNET);
	st_be32(buf + ARP_OFF_SPA, p->spa);
	memcpy(buf + ARP_OFF_THA, p->tha, ARP_HLEN_ETHERNET);
	st_be32(buf + ARP_OFF_TPA, p->tpa);
	return ARP_WIRE_LEN;
}
