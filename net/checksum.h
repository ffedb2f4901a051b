/*
 * checksum.h - the Internet checksum (RFC 1071), used by IPv4, ICMP, UDP
 * and TCP.
 *
 * Sums are carried as a 32-bit partial sum so that a pseudo-header, a
 * transport header and a payload in different buffers can be summed in
 * turn: sum = csum_add(0, a, alen); sum = csum_add(sum, b, blen);
 * cksum = csum_fold(sum). csum_add() handles odd lengths at any position
 * only when every buffer but the last has an even length; callers keep it so.
 */
#ifndef NET_CHECKSUM_H
#define NET_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len);
/* Fold and complement: the value to store in a header's checksum field. */
uint16_t csum_fold(uint32_t sum);
/* The partial sum of the IPv4 pseudo-header (RFC 768, RFC 9293 §3.1). */
uint32_t csum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto,
			  uint16_t len);

#endif /* NET_CHECKSUM_H */
