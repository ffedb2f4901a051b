/*
 * http_parse.c - HTTP/1.1 request heads and chunked bodies (RFC 9112),
 * strictly. The contract and the list of what is rejected, and why, is in
 * http_parse.h. Grammar references are to RFC 9112 unless they name
 * RFC 9110.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_parse.h"

#define HTTP_METHOD_TOKEN_MAX 32
#define HTTP_LENGTH_DIGITS_MAX 18 /* < 10^18 fits in uint64_t with room */
#define HTTP_CHUNK_DIGITS_MAX 15  /* < 2^60 */

static const char *const http_method_names[HTTP_METHOD_COUNT] = {
    [HTTP_METHOD_GET] = "GET",	       [HTTP_METHOD_HEAD] = "HEAD",
    [HTTP_METHOD_POST] = "POST",       [HTTP_METHOD_PUT] = "PUT",
    [HTTP_METHOD_DELETE] = "DELETE",   [HTTP_METHOD_OPTIONS] = "OPTIONS",
    [HTTP_METHOD_PATCH] = "PATCH",
};

const char *http_method_name(enum http_method m)
{
	return m > HTTP_METHOD_UNKNOWN && m < HTTP_METHOD_COUNT
		   ? http_method_names[m]
		   : NULL;
}

const char *http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	case 507: return "Insufficient Storage";
	default: return "";
	}
}

/* tchar, RFC 9110 §5.6.2. */
static bool http_parse_is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar / SP / HTAB (RFC 9110 §5.5): everything but CTLs. */
static bool http_parse_is_field_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* The characters of a request-target (RFC 3986 §2, less '#'). */
static bool http_parse_is_target_char(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("-._~%!$&'()*+,;=:@/?", c) != NULL;
}

static bool http_parse_is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static unsigned http_parse_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return (unsigned)((c | 0x20) - 'a' + 10);
}

static char http_parse_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

static bool http_parse_ieq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (http_parse_lower(a[i]) != http_parse_lower(b[i]))
			return false;
	return true;
}

/*
 * The next element of a comma-separated list (RFC 9110 §5.6.1), OWS
 * trimmed; empty elements are skipped. False at the end.
 */
static bool http_parse_list_next(const char **pos, const char *end,
				 const char **elem, size_t *elen)
{
	const char *p = *pos;

	for (;;) {
		const char *s, *e;

		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p >= end) {
			*pos = p;
			return false;
		}
		s = p;
		while (p < end && *p != ',')
			p++;
		e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > s) {
			*pos = p;
			*elem = s;
			*elen = (size_t)(e - s);
			return true;
		}
	}
}

/*
 * Where the head ends (the index just past CRLF CRLF), scanning from
 * `from`; 0 when not there yet; -400 for a bare CR or LF.
 */
static long http_parse_head_end(const char *buf, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++) {
		if (buf[i] == '\n') {
			if (i == 0 || buf[i - 1] != '\r')
				return -400;
			if (i >= from + 3 && buf[i - 2] == '\n')
				return (long)(i + 1);
		} else if (i > 0 && buf[i - 1] == '\r') {
			return -400; /* CR not followed by LF */
		}
	}
	return 0;
}

/* Empty lines before the request line (§2.2: ignored): their length. */
static long http_parse_skip_empty(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n')) {
		if (buf[i] == '\n')
			return -400;
		if (i + 1 >= len)
			break;
		if (buf[i + 1] != '\n')
			return -400;
		i += 2;
	}
	return (long)i;
}

/*
 * While the request line is incomplete: 414 as soon as the target alone
 * is over the limit, 400 for a method that is not a short token.
 */
static int http_parse_partial_line(const char *p, size_t len,
				   const struct http_limits *lim)
{
	size_t i = 0, t;

	while (i < len && http_parse_is_tchar((unsigned char)p[i]))
		i++;
	if (i > HTTP_METHOD_TOKEN_MAX || (i < len && p[i] != ' '))
		return -400;
	if (i >= len)
		return 0;
	t = ++i;
	while (i < len && p[i] != ' ' && p[i] != '\r')
		i++;
	if (i - t > lim->target_max)
		return -414;
	return 0;
}

static enum http_method http_parse_method(const char *m, size_t len)
{
	for (int i = HTTP_METHOD_UNKNOWN + 1; i < HTTP_METHOD_COUNT; i++)
		if (strlen(http_method_names[i]) == len &&
		    memcmp(http_method_names[i], m, len) == 0)
			return (enum http_method)i;
	return HTTP_METHOD_UNKNOWN;
}

/* Check the characters and percent-escapes of a request-target. */
static bool http_parse_target_ok(const char *t, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!http_parse_is_target_char((unsigned char)t[i]))
			return false;
		if (t[i] == '%' &&
		    (i + 2 >= len ||
		     !http_parse_is_hex((unsigned char)t[i + 1]) ||
		     !http_parse_is_hex((unsigned char)t[i + 2])))
			return false;
	}
	return true;
}

/* Split the target (§3.2) into path and query. */
static int http_parse_target(struct http_request *req)
{
	const char *t = req->target, *end = t + req->target_len, *q;
	size_t skip = 0;

	if (!http_parse_target_ok(t, req->target_len))
		return -400;
	if (req->target_len == 1 && t[0] == '*') {
		if (req->method != HTTP_METHOD_OPTIONS)
			return -400;
		req->path = t;
		req->path_len = 1;
		return 0;
	}
	if (t[0] != '/') { /* absolute-form, §3.2.2 */
		if (req->target_len > 7 && http_parse_ieq(t, 7, "http://"))
			skip = 7;
		else if (req->target_len > 8 &&
			 http_parse_ieq(t, 8, "https://"))
			skip = 8;
		else
			return -400;
		t += skip;
		while (t < end && *t != '/' && *t != '?')
			t++;
		if (t == req->target + skip)
			return -400; /* no authority */
	}
	q = memchr(t, '?', (size_t)(end - t));
	req->path = t;
	req->path_len = (size_t)((q ? q : end) - t);
	if (req->path_len == 0) {
		req->path = "/";
		req->path_len = 1;
	}
	if (q) {
		req->query = q + 1;
		req->query_len = (size_t)(end - q - 1);
	}
	return 0;
}

/* The request line, ending at line_end (its CR). */
static int http_parse_request_line(const char *p, const char *line_end,
				   const struct http_limits *lim,
				   struct http_request *req)
{
	const char *s = p, *v;

	while (p < line_end && http_parse_is_tchar((unsigned char)*p))
		p++;
	if (p == s || p - s > HTTP_METHOD_TOKEN_MAX || p >= line_end ||
	    *p != ' ')
		return -400;
	req->method_name = s;
	req->method_len = (size_t)(p - s);
	req->method = http_parse_method(s, req->method_len);
	s = ++p;
	while (p < line_end && *p != ' ')
		p++;
	if (p == s || p >= line_end)
		return -400;
	if ((size_t)(p - s) > lim->target_max)
		return -414;
	req->target = s;
	req->target_len = (size_t)(p - s);
	v = p + 1;
	if (line_end - v != 8 || memcmp(v, "HTTP/", 5) != 0 ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' ||
	    v[7] > '9')
		return -400;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return -505;
	req->minor = v[7] - '0';
	return http_parse_target(req);
}

/* One field line [p, line_end); adds it to req->fields. */
static int http_parse_field_line(const char *p, const char *line_end,
				 struct http_request *req)
{
	const char *s = p, *vs, *ve;
	struct http_field *f;

	if (*p == ' ' || *p == '\t')
		return -400; /* obs-fold, §5.2 */
	while (p < line_end && http_parse_is_tchar((unsigned char)*p))
		p++;
	if (p == s || p >= line_end || *p != ':')
		return -400; /* includes whitespace before the colon, §5.1 */
	if (req->field_count >= HTTP_FIELDS_MAX)
		return -431;
	f = &req->fields[req->field_count++];
	f->name = s;
	f->name_len = (size_t)(p - s);
	vs = p + 1;
	for (const char *c = vs; c < line_end; c++)
		if (!http_parse_is_field_char((unsigned char)*c))
			return -400;
	while (vs < line_end && (*vs == ' ' || *vs == '\t'))
		vs++;
	ve = line_end;
	while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	f->value = vs;
	f->value_len = (size_t)(ve - vs);
	return 0;
}

/* Every element of a Content-Length value must be the same number. */
static int http_parse_content_length(const struct http_field *f,
				     struct http_request *req)
{
	const char *pos = f->value, *end = f->value + f->value_len, *e;
	size_t elen;
	bool any = false;

	while (http_parse_list_next(&pos, end, &e, &elen)) {
		uint64_t v = 0;

		if (elen > HTTP_LENGTH_DIGITS_MAX)
			return -400;
		for (size_t i = 0; i < elen; i++) {
			if (e[i] < '0' || e[i] > '9')
				return -400;
			v = v * 10 + (uint64_t)(e[i] - '0');
		}
		if (req->has_length && v != req->content_length)
			return -400; /* differing lengths, §6.3 */
		req->has_length = true;
		req->content_length = v;
		any = true;
	}
	return any ? 0 : -400;
}

/* Transfer-Encoding: only a lone, final "chunked" (§6.1, §7). */
static int http_parse_transfer_encoding(const struct http_field *f,
					struct http_request *req,
					bool *unknown)
{
	const char *pos = f->value, *end = f->value + f->value_len, *e;
	size_t elen;
	bool any = false;

	while (http_parse_list_next(&pos, end, &e, &elen)) {
		any = true;
		if (req->chunked)
			return -400; /* something after chunked, or twice */
		if (http_parse_ieq(e, elen, "chunked"))
			req->chunked = true;
		else
			*unknown = true;
	}
	return any ? 0 : -400;
}

/* Whether a q-value (RFC 9110 §12.4.2) given as "q=..." is zero. */
static bool http_parse_q_is_zero(const char *params, size_t len)
{
	const char *q = NULL;

	for (size_t i = 0; i + 1 < len; i++)
		if ((params[i] == 'q' || params[i] == 'Q') &&
		    params[i + 1] == '=')
			q = params + i + 2;
	if (!q)
		return false;
	if (*q != '0')
		return false;
	for (q++; q < params + len && (*q == '.' || *q == '0'); q++)
		;
	return q >= params + len || *q == ' ' || *q == ';' || *q == '\t';
}

static void http_parse_accept_encoding(const struct http_field *f,
				       int *gzip, int *star)
{
	const char *pos = f->value, *end = f->value + f->value_len, *e;
	size_t elen;

	while (http_parse_list_next(&pos, end, &e, &elen)) {
		const char *semi = memchr(e, ';', elen);
		size_t nlen = (size_t)((semi ? semi : e + elen) - e);
		int ok = semi && http_parse_q_is_zero(semi, (size_t)(e + elen - semi))
			     ? 0
			     : 1;

		while (nlen > 0 && (e[nlen - 1] == ' ' || e[nlen - 1] == '\t'))
			nlen--;
		if (http_parse_ieq(e, nlen, "gzip") ||
		    http_parse_ieq(e, nlen, "x-gzip"))
			*gzip = ok;
		else if (http_parse_ieq(e, nlen, "*"))
			*star = ok;
	}
}

static void http_parse_connection(const struct http_field *f,
				  struct http_request *req)
{
	const char *pos = f->value, *end = f->value + f->value_len, *e;
	size_t elen;

	while (http_parse_list_next(&pos, end, &e, &elen)) {
		if (http_parse_ieq(e, elen, "close"))
			req->keep_alive = false;
		else if (http_parse_ieq(e, elen, "keep-alive") &&
			 req->minor == 0)
			req->keep_alive = true;
	}
}

/* What the fields mean for framing and for us, once all are parsed. */
static int http_parse_semantics(struct http_request *req,
				const struct http_limits *lim)
{
	int hosts = 0, gzip = -1, star = -1, rc = 0;
	bool unknown_coding = false, te = false;

	req->keep_alive = req->minor == 1;
	for (size_t i = 0; i < req->field_count && rc == 0; i++) {
		const struct http_field *f = &req->fields[i];

		if (http_parse_ieq(f->name, f->name_len, "host"))
			hosts++;
		else if (http_parse_ieq(f->name, f->name_len,
					"content-length"))
			rc = http_parse_content_length(f, req);
		else if (http_parse_ieq(f->name, f->name_len,
					"transfer-encoding")) {
			te = true;
			rc = http_parse_transfer_encoding(f, req,
							  &unknown_coding);
		} else if (http_parse_ieq(f->name, f->name_len,
					  "connection"))
			http_parse_connection(f, req);
		else if (http_parse_ieq(f->name, f->name_len,
					"accept-encoding"))
			http_parse_accept_encoding(f, &gzip, &star);
		else if (http_parse_ieq(f->name, f->name_len, "expect")) {
			if (!http_parse_ieq(f->value, f->value_len,
					    "100-continue"))
				rc = -417;
			req->expect_continue = true;
		} else if (http_parse_ieq(f->name, f->name_len,
					  "if-none-match"))
			req->has_if_none_match = true;
	}
	if (rc != 0)
		return rc;
	if (hosts != 1 && (req->minor == 1 || hosts > 1))
		return -400; /* §3.2 */
	if (te && (req->has_length || req->minor == 0))
		return -400; /* §6.1, §6.3: the framing is not to be trusted */
	if (te && !req->chunked)
		return unknown_coding ? -501 : -400;
	if (unknown_coding)
		return -501;
	if (req->has_length && req->content_length > lim->body_max)
		return -413;
	req->accept_gzip = gzip == 1 || (gzip == -1 && star == 1);
	return 0;
}

int http_parse_head(const char *buf, size_t len,
		    const struct http_limits *lim, struct http_request *req)
{
	long skip = http_parse_skip_empty(buf, len), end;
	const char *p, *line_end;
	int rc;

	memset(req, 0, sizeof(*req));
	if (skip < 0)
		return -400;
	end = http_parse_head_end(buf, len, (size_t)skip);
	if (end < 0)
		return -400;
	if (end == 0) {
		rc = http_parse_partial_line(buf + skip, len - (size_t)skip,
					     lim);
		if (rc == 0 && len >= lim->head_max)
			rc = -431;
		return rc;
	}
	if ((size_t)end > lim->head_max) {
		rc = http_parse_partial_line(buf + skip, len - (size_t)skip,
					     lim);
		return rc ? rc : -431;
	}
	req->head_len = (size_t)end;
	p = buf + skip;
	line_end = memchr(p, '\r', (size_t)(buf + end - p));
	rc = http_parse_request_line(p, line_end, lim, req);
	for (p = line_end + 2; rc == 0 && p < buf + end - 2;
	     p = line_end + 2) {
		line_end = memchr(p, '\r', (size_t)(buf + end - p));
		rc = http_parse_field_line(p, line_end, req);
	}
	if (rc == 0)
		rc = http_parse_semantics(req, lim);
	return rc ? rc : (int)end;
}

const struct http_field *http_field_get(const struct http_request *req,
					const char *name)
{
	for (size_t i = 0; i < req->field_count; i++)
		if (http_parse_ieq(req->fields[i].name,
				   req->fields[i].name_len, name))
			return &req->fields[i];
	return NULL;
}

/* The opaque part of an entity-tag element, W/ dropped; false if bad. */
static bool http_parse_opaque(const char *e, size_t elen, const char **o,
			      size_t *olen)
{
	if (elen >= 2 && e[0] == 'W' && e[1] == '/') {
		e += 2;
		elen -= 2;
	}
	if (elen < 2 || e[0] != '"' || e[elen - 1] != '"')
		return false;
	*o = e;
	*olen = elen;
	return true;
}

bool http_etag_match(const struct http_request *req, const char *etag)
{
	size_t tlen = strlen(etag);

	for (size_t i = 0; i < req->field_count; i++) {
		const struct http_field *f = &req->fields[i];
		const char *pos = f->value, *end = f->value + f->value_len;
		const char *e, *o;
		size_t elen, olen;

		if (!http_parse_ieq(f->name, f->name_len, "if-none-match"))
			continue;
		while (http_parse_list_next(&pos, end, &e, &elen)) {
			if (elen == 1 && e[0] == '*')
				return true;
			if (http_parse_opaque(e, elen, &o, &olen) &&
			    olen == tlen && memcmp(o, etag, tlen) == 0)
				return true;
		}
	}
	return false;
}

/* ---- chunked bodies, §7.1 ---------------------------------------------- */

enum http_chunked_state {
	HTTP_CHUNKED_SIZE = 0,
	HTTP_CHUNKED_EXT,
	HTTP_CHUNKED_SIZE_LF,
	HTTP_CHUNKED_DATA,
	HTTP_CHUNKED_DATA_CR,
	HTTP_CHUNKED_DATA_LF,
	HTTP_CHUNKED_TRAILER,
	HTTP_CHUNKED_TRAILER_LINE,
	HTTP_CHUNKED_TRAILER_LF,
	HTTP_CHUNKED_END_LF,
	HTTP_CHUNKED_FINISHED,
};

/* One byte of the chunk-size line. */
static int http_chunked_size_byte(struct http_chunked *c, unsigned char b,
				  uint64_t body_max)
{
	switch (c->state) {
	case HTTP_CHUNKED_SIZE:
		if (http_parse_is_hex(b)) {
			if (++c->digits > HTTP_CHUNK_DIGITS_MAX)
				return -400;
			c->remaining = c->remaining << 4 |
				       http_parse_hex_value(b);
			return 0;
		}
		if (c->digits == 0)
			return -400;
		if (b == '\r') {
			c->state = HTTP_CHUNKED_SIZE_LF;
			return 0;
		}
		if (b != ';' && b != ' ' && b != '\t')
			return -400;
		c->state = HTTP_CHUNKED_EXT;
		c->ext_len = 1;
		return 0;
	case HTTP_CHUNKED_EXT:
		if (b == '\r') {
			c->state = HTTP_CHUNKED_SIZE_LF;
			return 0;
		}
		if (!http_parse_is_field_char(b) ||
		    ++c->ext_len > HTTP_CHUNK_EXT_MAX)
			return -400;
		return 0;
	default: /* HTTP_CHUNKED_SIZE_LF */
		if (b != '\n')
			return -400;
		c->digits = 0;
		if (c->remaining == 0) {
			c->state = HTTP_CHUNKED_TRAILER;
			return 0;
		}
		if (c->remaining > body_max - c->total)
			return -413;
		c->state = HTTP_CHUNKED_DATA;
		return 0;
	}
}

/* One byte after the data: CRLF, then the trailer section. */
static int http_chunked_tail_byte(struct http_chunked *c, unsigned char b)
{
	switch (c->state) {
	case HTTP_CHUNKED_DATA_CR:
		c->state = HTTP_CHUNKED_DATA_LF;
		return b == '\r' ? 0 : -400;
	case HTTP_CHUNKED_DATA_LF:
		c->state = HTTP_CHUNKED_SIZE;
		return b == '\n' ? 0 : -400;
	case HTTP_CHUNKED_TRAILER:
		if (b == '\r') {
			c->state = HTTP_CHUNKED_END_LF;
			return 0;
		}
		if (b == ' ' || b == '\t' || !http_parse_is_tchar(b))
			return -400; /* obs-fold or not a field name */
		c->state = HTTP_CHUNKED_TRAILER_LINE;
		return ++c->trailer_len > HTTP_TRAILER_MAX ? -431 : 0;
	case HTTP_CHUNKED_TRAILER_LINE:
		if (b == '\r')
			c->state = HTTP_CHUNKED_TRAILER_LF;
		else if (!http_parse_is_field_char(b))
			return -400;
		return ++c->trailer_len > HTTP_TRAILER_MAX ? -431 : 0;
	case HTTP_CHUNKED_TRAILER_LF:
		c->state = HTTP_CHUNKED_TRAILER;
		return b == '\n' ? 0 : -400;
	default: /* HTTP_CHUNKED_END_LF */
		c->state = HTTP_CHUNKED_FINISHED;
		return b == '\n' ? 0 : -400;
	}
}

int http_chunked_decode(struct http_chunked *c, const uint8_t *in,
			size_t len, uint8_t *out, uint64_t body_max,
			size_t *used, size_t *made)
{
	size_t i = 0, o = 0;
	int rc = 0;

	while (i < len && rc == 0 && c->state != HTTP_CHUNKED_FINISHED) {
		if (c->state == HTTP_CHUNKED_DATA) {
			size_t n = len - i;

			if (n > c->remaining)
				n = (size_t)c->remaining;
			memmove(out + o, in + i, n);
			i += n;
			o += n;
			c->remaining -= n;
			c->total += n;
			if (c->remaining == 0)
				c->state = HTTP_CHUNKED_DATA_CR;
		} else if (c->state <= HTTP_CHUNKED_SIZE_LF) {
			rc = http_chunked_size_byte(c, in[i++], body_max);
		} else {
			rc = http_chunked_tail_byte(c, in[i++]);
		}
	}
	*used = i;
	*made = o;
	if (rc)
		return rc;
	return c->state == HTTP_CHUNKED_FINISHED ? HTTP_CHUNKED_DONE
						 : HTTP_CHUNKED_MORE;
}
