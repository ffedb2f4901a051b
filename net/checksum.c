/*
 * checksum.c - the Internet checksum (RFC 1071 §4.1): the 16-bit one's
 * complement of the one's complement sum of the data taken as big-endian
 * 16-bit words, an odd final byte padded with zero.
 */
#include "checksum.h"

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
	uint64_t acc = sum;
	size_t i = 0;

	/* Four bytes at a time into a 64-bit accumulator: no carry is lost
	 * before the fold for any length a frame can have. */
	for (; i + 4 <= len; i += 4)
		acc += (uint32_t)data[i] << 8 | data[i + 1] |
		       ((uint32_t)data[i + 2] << 8 | data[i + 3]) << 16;
	for (; i + 2 <= len; i += 2)
		acc += (uint32_t)data[i] << 8 | data[i + 1];
	if (i < len)
		acc += (uint32_t)data[i] << 8;
	/* Fold the 16-bit halves of each 32-bit word: (hi + lo) keeps the
	 * one's complement sum. */
	acc = (acc & 0xffff) + ((acc >> 16) & 0xffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t csum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto,
			  uint16_t len)
{
	uint64_t acc = (src >> 16) + (src & 0xffff) + (dst >> 16) +
		       (dst & 0xffff) + proto + len;

	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}
