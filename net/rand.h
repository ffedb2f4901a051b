/*
 * rand.h - the stack's unpredictable numbers.
 *
 * Everything is derived from the boot secret given to net_init() through
 * SipHash-2-4: rand_u32() is SipHash over a counter (a PRF in counter mode),
 * rand_hash() a keyed hash of caller-chosen public inputs (RFC 6056 port
 * offsets, RFC 7739 IP ID buckets, RFC 6528 ISNs).
 */
#ifndef NET_RAND_H
#define NET_RAND_H

#include <stddef.h>
#include <stdint.h>

#include <net/net.h>

void rand_init(const uint8_t secret[NET_SECRET_LEN]);
uint32_t rand_u32(void);
/* A uniformly distributed value in [0, bound); bound > 0. */
uint32_t rand_below(uint32_t bound);
/* A keyed hash of `len` bytes under a key derived from the secret and `domain`. */
uint64_t rand_hash(uint32_t domain, const void *data, size_t len);

#endif /* NET_RAND_H */
