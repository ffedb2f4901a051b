/*
 * siphash.c - SipHash-2-4 (include/klib/siphash.h).
 *
 * Follows section 2 of Aumasson and Bernstein, "SipHash: a fast short-input
 * PRF" (2012): the 128-bit key initialises four 64-bit state words, each
 * 8-byte little-endian block of the message is mixed in with two SipRounds
 * (the "2"), the last block carries the leftover bytes and the message
 * length mod 256 in its top byte, and four SipRounds (the "4") finalise.
 * Bytes are loaded with ld_le64() and friends, so the input may have any
 * alignment and the result is the same on every host byte order.
 */
#include <klib/siphash.h>

#include <klib/bytes.h>

/* The initialisation constants: "somepseudorandomlygeneratedbytes". */
#define SIPHASH_C0 0x736f6d6570736575ULL
#define SIPHASH_C1 0x646f72616e646f6dULL
#define SIPHASH_C2 0x6c7967656e657261ULL
#define SIPHASH_C3 0x7465646279746573ULL

#define SIPHASH_BLOCK_LEN 8

struct siphash_state {
	uint64_t v0, v1, v2, v3;
};

static uint64_t siphash_rotl(uint64_t x, unsigned bits)
{
	return x << bits | x >> (64 - bits);
}

static void siphash_rounds(struct siphash_state *s, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		s->v0 += s->v1;
		s->v1 = siphash_rotl(s->v1, 13);
		s->v1 ^= s->v0;
		s->v0 = siphash_rotl(s->v0, 32);
		s->v2 += s->v3;
		s->v3 = siphash_rotl(s->v3, 16);
		s->v3 ^= s->v2;
		s->v0 += s->v3;
		s->v3 = siphash_rotl(s->v3, 21);
		s->v3 ^= s->v0;
		s->v2 += s->v1;
		s->v1 = siphash_rotl(s->v1, 17);
		s->v1 ^= s->v2;
		s->v2 = siphash_rotl(s->v2, 32);
	}
}

static void siphash_compress(struct siphash_state *s, uint64_t m)
{
	s->v3 ^= m;
	siphash_rounds(s, 2);
	s->v0 ^= m;
}

/*
 * The final block: the 0..7 bytes after the last full block (which starts at
 * offset `full`), then len mod 256 in the top byte.
 */
static uint64_t siphash_last_block(const uint8_t *p, size_t full, size_t len)
{
	uint64_t m = (uint64_t)(len & 0xff) << 56;

	for (size_t i = 0; full + i < len; i++)
		m |= (uint64_t)p[full + i] << (8 * i);
	return m;
}

uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *data,
		   size_t len)
{
	const uint8_t *p = data;
	size_t full = len - len % SIPHASH_BLOCK_LEN;
	uint64_t k0 = ld_le64(key);
	uint64_t k1 = ld_le64(key + 8);
	struct siphash_state s = {
		.v0 = k0 ^ SIPHASH_C0,
		.v1 = k1 ^ SIPHASH_C1,
		.v2 = k0 ^ SIPHASH_C2,
		.v3 = k1 ^ SIPHASH_C3,
	};

	/* Indexing, not advancing p, keeps data == NULL with len == 0 legal. */
	for (size_t off = 0; off < full; off += SIPHASH_BLOCK_LEN)
		siphash_compress(&s, ld_le64(p + off));
	siphash_compress(&s, siphash_last_block(p, full, len));
	s.v2 ^= 0xff;
	siphash_rounds(&s, 4);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
