/*
 * rand.c - unpredictable numbers for the stack (see rand.h).
 *
 * Two SipHash keys are derived from the boot secret: one drives a counter-
 * mode generator, the other keys rand_hash(). Neither key nor the counter
 * ever leaves this file, so an observer of ports or IDs learns nothing that
 * predicts the next one.
 */
#include "rand.h"

#include <string.h>

#include <klib/bytes.h>
#include <klib/siphash.h>

static uint8_t rand_key_gen[SIPHASH_KEY_LEN];
static uint8_t rand_key_hash[SIPHASH_KEY_LEN];
static uint64_t rand_counter;
static uint64_t rand_pool;
static unsigned rand_pool_left;

static void rand_derive(uint8_t out[SIPHASH_KEY_LEN],
			const uint8_t secret[NET_SECRET_LEN], uint8_t label)
{
	uint8_t msg[2] = {label, 0};

	st_le64(out, siphash24(secret, msg, sizeof(msg)));
	msg[1] = 1;
	st_le64(out + 8, siphash24(secret, msg, sizeof(msg)));
}

void rand_init(const uint8_t secret[NET_SECRET_LEN])
{
	rand_derive(rand_key_gen, secret, 'g');
	rand_derive(rand_key_hash, secret, 'h');
	rand_counter = 0;
	rand_pool_left = 0;
}

uint32_t rand_u32(void)
{
	uint8_t ctr[8];

	if (rand_pool_left == 0) {
		st_le64(ctr, rand_counter++);
		rand_pool = siphash24(rand_key_gen, ctr, sizeof(ctr));
		rand_pool_left = 2;
	}
	rand_pool_left--;
	return (uint32_t)(rand_pool >> (32 * rand_pool_left));
}

uint32_t rand_below(uint32_t bound)
{
	/* Rejection sampling: drop the values of the last, partial copy of
	 * [0, bound) in 2^32 so that every result is equally likely. */
	uint32_t limit = (uint32_t)(0u - bound) % bound;
	uint32_t r;

	do {
		r = rand_u32();
	} while (r < limit);
	return r % bound;
}

uint64_t rand_hash(uint32_t domain, const void *data, size_t len)
{
	uint8_t key[SIPHASH_KEY_LEN];

	/* Fold the domain into the key rather than the message, so callers
	 * may hash any length without a copy. */
	memcpy(key, rand_key_hash, sizeof(key));
	st_le32(key, ld_le32(key) ^ domain);
	return siphash24(key, data, len);
}
