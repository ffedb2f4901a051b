/*
 * http_parse.h - HTTP/1.1 request parsing (RFC 9110, RFC 9112), pure:
 * bytes in, a description out; no I/O, no state beyond what the caller
 * passes in, no allocation. The HTTPS server, the unit tests and the fuzz
 * harness all drive it the same way.
 *
 *   http_parse_head()     the request line and header section, once the
 *                         whole of it is in the buffer: the head's length,
 *                         HTTP_PARSE_MORE while it is incomplete, or the
 *                         negated status to answer (-400, -414, ...)
 *   http_chunked_decode() a chunked body (RFC 9112 §7.1), incrementally
 *                         and in place
 *   http_etag_match()     If-None-Match against an entity tag
 *
 * Strict on purpose (every input is hostile, and a lenient parser in front
 * of another one is how requests are smuggled): lines end in CRLF only, a
 * bare CR or LF is 400, obs-fold is 400 (RFC 9112 §5.2), whitespace before
 * a field's colon is 400 (§5.1), Content-Length together with
 * Transfer-Encoding is 400 (§6.3 allows rejecting it), differing
 * Content-Length values are 400 (§6.3), a transfer coding other than a
 * lone "chunked" is 501, a request without exactly one Host is 400
 * (§3.2). Limits give 414 (target), 431 (head or field count) and 413
 * (body).
 */
#ifndef HTTPS_HTTP_PARSE_H
#define HTTPS_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header fields kept per request; more is 431. */
#define HTTP_FIELDS_MAX 32
/* Longest chunk extension, and trailer section, accepted. */
#define HTTP_CHUNK_EXT_MAX  256
#define HTTP_TRAILER_MAX    4096

/* http_parse_head(): the head is not complete yet. */
#define HTTP_PARSE_MORE 0

enum http_method {
	HTTP_METHOD_UNKNOWN = 0, /* a token we do not implement: 501 */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_POST,
	HTTP_METHOD_PUT,
	HTTP_METHOD_DELETE,
	HTTP_METHOD_OPTIONS,
	HTTP_METHOD_PATCH,
	HTTP_METHOD_COUNT,
};

#define HTTP_METHOD_BIT(m) (1u << (m))

struct http_limits {
	size_t head_max;   /* request line + fields + the empty line */
	size_t target_max; /* request-target */
	uint64_t body_max; /* Content-Length or decoded chunked body */
};

struct http_field {
	const char *name;
	size_t name_len;
	const char *value; /* without surrounding whitespace */
	size_t value_len;
};

struct http_request {
	enum http_method method;
	const char *method_name; /* the token as sent */
	size_t method_len;
	const char *target; /* as sent */
	size_t target_len;
	const char *path; /* origin-form path, "*" for asterisk-form */
	size_t path_len;
	const char *query; /* after '?', NULL when none */
	size_t query_len;
	int minor; /* HTTP/1.<minor>: 0 or 1 */
	size_t head_len; /* bytes of the head, leading empty lines included */
	struct http_field fields[HTTP_FIELDS_MAX];
	size_t field_count;
	bool keep_alive;
	bool chunked;
	bool has_length;
	uint64_t content_length;
	bool accept_gzip;
	bool expect_continue;
	bool has_if_none_match;
};

/*
 * Parse the head at the start of buf[0..len). Returns its length (> 0)
 * and fills req; HTTP_PARSE_MORE when the head is not complete and still
 * within the limits; otherwise the negated status code that answers it:
 * -400 malformed, -413 body too large, -414 target too long, -417 an
 * Expect we do not meet, -431 head too large or too many fields, -501
 * unknown transfer coding, -505 an HTTP version other than 1.0 and 1.1.
 * An unknown method is not an error here (HTTP_METHOD_UNKNOWN; the server
 * answers 501). Pointers in req point into buf.
 */
int http_parse_head(const char *buf, size_t len,
		    const struct http_limits *lim, struct http_request *req);

/* The first field called `name` (case-insensitive), or NULL. */
const struct http_field *http_field_get(const struct http_request *req,
					const char *name);

/*
 * Whether If-None-Match (every such field of req) matches `etag` (a
 * quoted entity tag, "\"...\""), by the weak comparison RFC 9110 §13.1.2
 * asks for; "*" matches any. False when req has no If-None-Match.
 */
bool http_etag_match(const struct http_request *req, const char *etag);

/* Chunked body decoding state; zero it before the first call. */
struct http_chunked {
	uint8_t state;
	uint8_t digits;	     /* hex digits of the current size */
	uint64_t remaining;  /* data bytes left in the current chunk */
	uint64_t total;	     /* data bytes decoded so far */
	size_t ext_len;	     /* bytes of the current chunk extension */
	size_t trailer_len;  /* bytes of trailer section so far */
};

/* http_chunked_decode() results besides a negated status. */
#define HTTP_CHUNKED_MORE 0
#define HTTP_CHUNKED_DONE 1

/*
 * Decode in[0..len) into out, which may be `in` itself or lie before it
 * (the data only ever moves towards the start). Sets *used to the input
 * bytes consumed and *made to the data bytes written. Returns
 * HTTP_CHUNKED_DONE once the last chunk and trailer section are consumed
 * (bytes after them are not used), HTTP_CHUNKED_MORE when it needs more
 * input, -400 for malformed input or -413 when the data would pass
 * body_max.
 */
int http_chunked_decode(struct http_chunked *c, const uint8_t *in,
			size_t len, uint8_t *out, uint64_t body_max,
			size_t *used, size_t *made);

/* The reason phrase of a status code ("Not Found"), "" when unknown. */
const char *http_reason(int status);

/* The method's name ("GET"), NULL for HTTP_METHOD_UNKNOWN. */
const char *http_method_name(enum http_method m);

#endif /* HTTPS_HTTP_PARSE_H */
