/*
 * fuzz_dns_server.c - libFuzzer harness: queries into the DNS server's
 * answer path (apps/dns_server/dns_answer.c) over the unit tests' zone
 * (tests/unit/apps/dns_server/test.zone).
 *
 * Input: byte 0 picks the transport and the EDNS payload size we
 * advertise (bit 0: TCP; bits 1-2: 512, 1232, 4096 or 1400); the rest is
 * the query. Every response is checked: no longer than the transport
 * allows, a header whose ID is the query's with QR set, and records that
 * walk - every name decompresses with pointers strictly backwards, the
 * section counts match, and the last record ends where the message ends.
 * A truncated form (the RRL slip) must walk too. Anything else abort()s.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <klib/bytes.h>

#include "dns_answer.h"
#include "dns_test_zone.h"

#define FUZZ_OUT_MAX 65535

static uint8_t fuzz_out[FUZZ_OUT_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(bool ok)
{
	if (!ok)
		abort();
}

/* Step over a name in the response, following pointers backwards only. */
static bool fuzz_name(const uint8_t *m, size_t len, size_t *off)
{
	size_t pos = *off, end = 0, total = 0;
	int hops = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return false;
		c = m[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t t;

			if (pos + 1 >= len || ++hops > 128)
				return false;
			t = (size_t)(c & 0x3f) << 8 | m[pos + 1];
			if (t >= pos || t < 12)
				return false;
			if (hops == 1)
				end = pos + 2;
			pos = t;
			continue;
		}
		if (c > 63)
			return false;
		total += 1 + (size_t)c;
		if (total > 255)
			return false;
		if (c == 0)
			break;
		pos += 1 + (size_t)c;
	}
	*off = hops ? end : pos + 1;
	return true;
}

static bool fuzz_walk(const uint8_t *m, size_t len)
{
	size_t off = 12;
	unsigned n;

	if (len < 12 || ld_be16(m + 4) > 1)
		return false;
	if (ld_be16(m + 4) == 1) {
		if (!fuzz_name(m, len, &off) || len - off < 4)
			return false;
		off += 4;
	}
	n = (unsigned)ld_be16(m + 6) + ld_be16(m + 8) + ld_be16(m + 10);
	for (unsigned i = 0; i < n; i++) {
		if (!fuzz_name(m, len, &off) || len - off < 10)
			return false;
		off += 10;
		if (len - off < ld_be16(m + off - 2))
			return false;
		off += ld_be16(m + off - 2);
	}
	return off == len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t payloads[] = {512, 1232, 4096, 1400};
	struct dns_answer_info info;
	bool tcp;
	uint16_t payload;
	size_t len, limit;

	if (size < 1)
		return 0;
	tcp = data[0] & 1;
	payload = payloads[(data[0] >> 1) & 3];
	len = dns_answer(&dns_test_zone, data + 1, size - 1, tcp, payload,
			 fuzz_out, sizeof(fuzz_out), &info);
	limit = tcp ? FUZZ_OUT_MAX : payload;
	fuzz_check(len <= limit);
	fuzz_check((len == 0) == (info.kind == DNS_ANSWER_DROP));
	if (len == 0)
		return 0;
	fuzz_check(len >= 12 && size - 1 >= 12);
	fuzz_check(ld_be16(fuzz_out) == ld_be16(data + 1));
	fuzz_check(ld_be16(fuzz_out + 2) & 0x8000);
	fuzz_check(fuzz_walk(fuzz_out, len));
	if (!tcp && !info.edns)
		fuzz_check(len <= 512);
	if (info.question_end) {
		len = dns_answer_truncate(fuzz_out, len, &info);
		fuzz_check(fuzz_walk(fuzz_out, len));
	}
	return 0;
}
