/*
 * checksum.c - the Internet checksum (RFC 1071 §4.1): the 16-bit one's
 * complement of the one's complement sum of the data taken as big-endian
 * 16-bit words, an odd final byte padded with zero.
 */
#include <string.h>

#include "checksum.h"

/*
 * The sum in the machine's byte order, 8 bytes at a time: one's complement
 * addition commutes with swapping the bytes of every word (RFC 1071 §2(B)),
 * so the words are added as they lie in memory and the folded result is
 * swapped once at the end on a little-endian machine. Each 64-bit load
 * goes in as two 32-bit halves, so the 64-bit accumulator cannot overflow
 * for any length below 2^32 words.
 */
static uint16_t csum_native(const uint8_t *data, size_t len)
{
	uint64_t acc = 0;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, data + i, 8);
		acc += (v & 0xffffffffu) + (v >> 32);
	}
	for (; i + 2 <= len; i += 2) {
		uint16_t v;

		memcpy(&v, data + i, 2);
		acc += v;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	acc = ((acc & 0xff) << 8) | (acc >> 8);
#endif
	return (uint16_t)acc;
}

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
	uint64_t acc = (uint64_t)sum + csum_native(data, len & ~(size_t)1);

	if (len & 1)
		acc += (uint32_t)data[len - 1] << 8;
	acc = (acc & 0xffffffffu) + (acc >> 32);
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
