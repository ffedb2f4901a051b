/*
 * udp.h - UDP (RFC 768) datagram input and the ICMP errors about datagrams
 * we sent. The socket calls are declared in <net/net.h>. Internal to net/.
 */
#ifndef NET_UDP_H
#define NET_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "ipv4.h"

void udp_init(void);

void udp_input(const struct ipv4_rx *ip, const uint8_t *data, size_t len,
	       uint64_t now_ms);

/*
 * Send one datagram from 0.0.0.0 to 255.255.255.255:dst_port on the bound
 * socket `sock`, while the interface has no address (RFC 2131 §4.1; for
 * the DHCP client only). Returns `len`; NET_EINVAL when the socket is
 * unbound or the interface has an address; otherwise as net_udp_sendto().
 */
int udp_sendto_unconfigured(int sock, const void *buf, size_t len,
			    uint16_t dst_port, uint64_t now_ms);

/*
 * An ICMP error quoting a UDP datagram: the quoted IP source and
 * destination and the quoted UDP header's first 8 bytes. Checked against the
 * socket table before it is believed (RFC 5927 §4.1).
 */
void udp_icmp_error(uint8_t type, uint8_t code, uint32_t quoted_src,
		    uint32_t quoted_dst, const uint8_t quoted_udp[8]);

#endif /* NET_UDP_H */
