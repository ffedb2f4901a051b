/*
 * fuzz_http.c - libFuzzer harness: bytes into the HTTP/1.1 request parser
 * (apps/https/http_parse.c), the way the server feeds it.
 *
 * Input: ctl:u8, then the bytes a client sends. ctl bits 0-1 pick the
 * limits (small ones reach every limit quickly), bits 2-7 the size of the
 * pieces a chunked body arrives in (1..64 bytes).
 *
 * For each request in the stream (pipelined, as the server walks them):
 * http_parse_head() on the bytes so far, and when it finds a head:
 *   - the head lies within the input and the limits, pointers point into
 *     it, a length and chunked never come together, Content-Length is
 *     within body_max;
 *   - every shorter prefix that ends inside the head is "more" (checked
 *     for the prefix one byte short and a middle one): a complete head is
 *     never judged on part of itself;
 *   - a chunked body is decoded in place piece by piece, and must give the
 *     same result, bytes and lengths as one decode of a copy in one go;
 *     its output never overtakes its input and stays within body_max.
 * Any violation abort()s.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

#define FUZZ_HTTP_MAX	   65536
#define FUZZ_HTTP_REQUESTS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct http_limits fuzz_http_limits[4] = {
    {8192, 2048, 8192},
    {256, 32, 64},
    {1024, 100, 0},
    {65536, 8192, 1u << 20},
};

static uint8_t fuzz_http_buf[FUZZ_HTTP_MAX];
static uint8_t fuzz_http_copy[FUZZ_HTTP_MAX];

#define FUZZ_HTTP_CHECK(cond)                                                  \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static bool fuzz_http_inside(const void *p, size_t len, const void *base,
			     size_t size)
{
	const uint8_t *b = base, *q = p;

	return q >= b && q + len <= b + size;
}

static void fuzz_http_check_head(const struct http_request *req,
				 const uint8_t *buf, size_t len,
				 const struct http_limits *lim)
{
	FUZZ_HTTP_CHECK(req->head_len <= len && req->head_len <= lim->head_max);
	FUZZ_HTTP_CHECK(req->target_len >= 1 &&
			req->target_len <= lim->target_max);
	FUZZ_HTTP_CHECK(fuzz_http_inside(req->target, req->target_len, buf,
					 req->head_len));
	FUZZ_HTTP_CHECK(req->path_len >= 1);
	FUZZ_HTTP_CHECK(req->path[0] == '/' || req->path[0] == '*');
	FUZZ_HTTP_CHECK(!(req->chunked && req->has_length));
	FUZZ_HTTP_CHECK(!req->has_length ||
			req->content_length <= lim->body_max);
	FUZZ_HTTP_CHECK(req->minor == 0 || req->minor == 1);
	FUZZ_HTTP_CHECK(req->field_count <= HTTP_FIELDS_MAX);
	for (size_t i = 0; i < req->field_count; i++) {
		const struct http_field *f = &req->fields[i];

		FUZZ_HTTP_CHECK(f->name_len > 0);
		FUZZ_HTTP_CHECK(fuzz_http_inside(f->name, f->name_len, buf,
						 req->head_len));
		FUZZ_HTTP_CHECK(fuzz_http_inside(f->value, f->value_len, buf,
						 req->head_len));
	}
	(void)http_etag_match(req, "\"0123456789abcdef\"");
}

/* Decode a chunked body at buf[off..len) in pieces, in place, against one
 * decode of a copy. Returns the bytes the body took, 0 when it is not
 * complete or bad (the stream ends there). */
static size_t fuzz_http_chunked(uint8_t *buf, size_t off, size_t len,
				size_t piece, const struct http_limits *lim)
{
	struct http_chunked one = {0}, inc = {0};
	size_t used1, made1, in = off, out = off;
	int rc1, rc = HTTP_CHUNKED_MORE;

	memcpy(fuzz_http_copy, buf + off, len - off);
	rc1 = http_chunked_decode(&one, fuzz_http_copy, len - off,
				  fuzz_http_copy, lim->body_max, &used1,
				  &made1);
	while (rc == HTTP_CHUNKED_MORE && in < len) {
		size_t n = len - in < piece ? len - in : piece, used, made;

		rc = http_chunked_decode(&inc, buf + in, n, buf + out,
					 lim->body_max, &used, &made);
		FUZZ_HTTP_CHECK(used <= n && made <= used);
		in += used;
		out += made;
		FUZZ_HTTP_CHECK(out <= in);
		FUZZ_HTTP_CHECK(inc.total <= lim->body_max);
		if (rc == HTTP_CHUNKED_MORE)
			FUZZ_HTTP_CHECK(used == n);
	}
	FUZZ_HTTP_CHECK(rc == rc1);
	if (rc != HTTP_CHUNKED_MORE || in == len) {
		FUZZ_HTTP_CHECK(in - off == used1 || rc < 0);
		if (rc >= 0) {
			FUZZ_HTTP_CHECK(out - off == made1);
			FUZZ_HTTP_CHECK(memcmp(buf + off, fuzz_http_copy,
					       made1) == 0);
		}
	}
	return rc == HTTP_CHUNKED_DONE ? in - off : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct http_limits *lim;
	size_t piece, len, pos = 0;
	struct http_request req, part;

	if (size < 1 || size - 1 > FUZZ_HTTP_MAX)
		return 0;
	lim = &fuzz_http_limits[data[0] & 3];
	piece = (size_t)(data[0] >> 2) + 1;
	len = size - 1;
	memcpy(fuzz_http_buf, data + 1, len);
	for (int r = 0; r < FUZZ_HTTP_REQUESTS && pos < len; r++) {
		const char *p = (const char *)fuzz_http_buf + pos;
		size_t avail = len - pos, body;
		int rc = http_parse_head(p, avail, lim, &req);

		if (rc <= 0) {
			FUZZ_HTTP_CHECK(rc == HTTP_PARSE_MORE || rc <= -400);
			return 0;
		}
		fuzz_http_check_head(&req, (const uint8_t *)p, avail, lim);
		FUZZ_HTTP_CHECK((size_t)rc == req.head_len);
		FUZZ_HTTP_CHECK(http_parse_head(p, (size_t)rc - 1, lim,
						&part) == HTTP_PARSE_MORE);
		FUZZ_HTTP_CHECK(http_parse_head(p, (size_t)rc / 2, lim,
						&part) == HTTP_PARSE_MORE);
		pos += (size_t)rc;
		if (req.chunked) {
			body = fuzz_http_chunked(fuzz_http_buf, pos, len,
						 piece, lim);
			if (body == 0)
				return 0;
		} else {
			body = req.has_length ? (size_t)req.content_length : 0;
			if (body > len - pos)
				return 0;
		}
		pos += body;
	}
	return 0;
}
