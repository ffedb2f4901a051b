/*
 * siphash.h - SipHash-2-4, a keyed 64-bit pseudo-random function.
 *
 * Used wherever keel needs an unpredictable value derived from public inputs
 * and a boot-time secret: ephemeral ports (RFC 6056), IPv4 IDs (RFC 7739),
 * TCP ISNs (RFC 6528), and the stack's random-number generator (SipHash over
 * a counter). Reference: Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF" (2012); test vectors from that paper.
 *
 * siphash24() hashes len bytes at data (any alignment; NULL is allowed when
 * len is 0) under a 16-byte key and returns the 64-bit tag as an integer:
 * the paper's output bytes are this value stored little-endian (st_le64).
 */
#ifndef KLIB_SIPHASH_H
#define KLIB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *data,
		   size_t len);

#endif /* KLIB_SIPHASH_H */
