/*
 * test_http_parse.c - the HTTP/1.1 request parser (apps/https/
 * http_parse.c): heads that parse and what they mean, every rejection
 * with its status, incremental input (every prefix of a good head is
 * "more"), chunked bodies fed whole and byte by byte, If-None-Match.
 */
#include "test.h"

#include "http_parse.h"

static const struct http_limits lim = {
    .head_max = 1024, .target_max = 64, .body_max = 100};

static int parse(const char *s, struct http_request *req)
{
	return http_parse_head(s, strlen(s), &lim, req);
}

static bool field_is(const struct http_request *req, const char *name,
		     const char *value)
{
	const struct http_field *f = http_field_get(req, name);

	return f && f->value_len == strlen(value) &&
	       memcmp(f->value, value, f->value_len) == 0;
}

TEST(simple_get)
{
	struct http_request req;
	const char *s = "GET /a/b.css?x=1&y HTTP/1.1\r\nHost: keel\r\n"
			"Accept:  text/css \t\r\n\r\n";

	CHECK_EQ(parse(s, &req), (int)strlen(s));
	CHECK_EQ(req.method, HTTP_METHOD_GET);
	CHECK_EQ(req.minor, 1);
	CHECK_EQ(req.path_len, 8);
	CHECK_MEM(req.path, "/a/b.css", 8);
	CHECK_EQ(req.query_len, 5);
	CHECK_MEM(req.query, "x=1&y", 5);
	CHECK(req.keep_alive);
	CHECK(!req.has_length && !req.chunked && !req.accept_gzip);
	CHECK_EQ(req.field_count, 2);
	CHECK(field_is(&req, "ACCEPT", "text/css"));
	CHECK(field_is(&req, "host", "keel"));
}

TEST(leading_empty_lines_and_pipelined_rest)
{
	struct http_request req;
	const char *s = "\r\n\r\nHEAD / HTTP/1.1\r\nHost: k\r\n\r\nGET /";

	CHECK_EQ(parse(s, &req), (int)strlen(s) - 5);
	CHECK_EQ(req.method, HTTP_METHOD_HEAD);
}

TEST(http10_keep_alive_and_close)
{
	struct http_request req;

	CHECK(parse("GET / HTTP/1.0\r\n\r\n", &req) > 0);
	CHECK(!req.keep_alive);
	CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req) >
	      0);
	CHECK(req.keep_alive);
	CHECK(parse("GET / HTTP/1.1\r\nHost: k\r\nConnection: foo, close\r\n"
		    "\r\n",
		    &req) > 0);
	CHECK(!req.keep_alive);
}

TEST(absolute_form_and_asterisk)
{
	struct http_request req;

	CHECK(parse("GET https://keel:443/x?q HTTP/1.1\r\nHost: keel\r\n\r\n",
		    &req) > 0);
	CHECK_EQ(req.path_len, 2);
	CHECK_MEM(req.path, "/x", 2);
	CHECK(parse("GET http://keel HTTP/1.1\r\nHost: keel\r\n\r\n", &req) >
	      0);
	CHECK_EQ(req.path_len, 1);
	CHECK(parse("OPTIONS * HTTP/1.1\r\nHost: k\r\n\r\n", &req) > 0);
	CHECK_EQ(parse("GET * HTTP/1.1\r\nHost: k\r\n\r\n", &req), -400);
	CHECK_EQ(parse("GET ftp://x/ HTTP/1.1\r\nHost: k\r\n\r\n", &req), -400);
}

TEST(lengths_and_codings)
{
	struct http_request req;

	CHECK(parse("PUT /k HTTP/1.1\r\nHost: k\r\nContent-Length: 42\r\n\r\n",
		    &req) > 0);
	CHECK(req.has_length);
	CHECK_EQ(req.content_length, 42);
	/* The same length twice is one length (RFC 9112 §6.3). */
	CHECK(parse("PUT /k HTTP/1.1\r\nHost: k\r\nContent-Length: 7, 7\r\n"
		    "Content-Length: 7\r\n\r\n",
		    &req) > 0);
	CHECK_EQ(req.content_length, 7);
	CHECK(parse("PUT /k HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: "
		    "Chunked\r\n\r\n",
		    &req) > 0);
	CHECK(req.chunked);
}

TEST(accept_encoding)
{
	static const struct {
		const char *value;
		bool gzip;
	} cases[] = {
	    {"gzip", true},	    {"deflate, gzip;q=0.5", true},
	    {"gzip;q=0", false},    {"gzip; q=0.000", false},
	    {"*", true},	    {"*;q=0, gzip", true},
	    {"gzip;q=0, *", false}, {"identity", false},
	    {"x-gzip", true},	    {"br, GZIP ;q=1", true},
	};
	char buf[160];
	struct http_request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf),
			 "GET / HTTP/1.1\r\nHost: k\r\nAccept-Encoding: "
			 "%s\r\n\r\n",
			 cases[i].value);
		CHECK(parse(buf, &req) > 0);
		if (req.accept_gzip != cases[i].gzip)
			test_fail(__FILE__, __LINE__, "Accept-Encoding: %s",
				  cases[i].value);
	}
}

TEST(rejections)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
	    {"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: 1\r\n"
	     "Transfer-Encoding: chunked\r\n\r\n",
	     -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: 1\r\n"
	     "Content-Length: 2\r\n\r\n",
	     -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: 1, 2\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: -1\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: 0x10\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: \r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: "
	     "99999999999999999999\r\n\r\n",
	     -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: 101\r\n\r\n", -413},
	    {"GET / HTTP/1.1\r\nHost: k\r\nX: a\r\n b\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\n\tb\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\rX: y\r\n\r\n", -400},
	    {"GET / HTTP/1.1\nHost: k\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\n\n", -400},
	    {"\nGET / HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost : k\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\n: v\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nX: a\x01\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: k\r\nX: a\x7f\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\n\r\n", -400},
	    {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400},
	    {"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", -400},
	    {"GET /a b HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET  / HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET / HTTP/1.1 \r\nHost: k\r\n\r\n", -400},
	    {"GET /%zz HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET /%2 HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET /<x> HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET /#frag HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET x HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET / http/1.1\r\nHost: k\r\n\r\n", -400},
	    {"GET / HTTP/1.10\r\nHost: k\r\n\r\n", -400},
	    {"GET / HTTP/2.0\r\nHost: k\r\n\r\n", -505},
	    {"GET / HTTP/1.2\r\nHost: k\r\n\r\n", -505},
	    {"G(T / HTTP/1.1\r\nHost: k\r\n\r\n", -400},
	    {"POST / HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: gzip\r\n\r\n",
	     -501},
	    {"POST / HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: gzip, "
	     "chunked\r\n\r\n",
	     -501},
	    {"POST / HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: chunked, "
	     "gzip\r\n\r\n",
	     -400},
	    {"POST / HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: chunked\r\n"
	     "Transfer-Encoding: chunked\r\n\r\n",
	     -400},
	    {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", -400},
	    {"POST / HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: \r\n\r\n", -400},
	    {"PUT / HTTP/1.1\r\nHost: k\r\nExpect: 200-ok\r\n\r\n", -417},
	};
	struct http_request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].req, &req);

		if (rc != cases[i].status)
			test_fail(__FILE__, __LINE__, "case %zu: %d, not %d",
				  i, rc, cases[i].status);
	}
}

TEST(unknown_method_is_not_a_parse_error)
{
	struct http_request req;

	CHECK(parse("BREW /pot HTTP/1.1\r\nHost: k\r\n\r\n", &req) > 0);
	CHECK_EQ(req.method, HTTP_METHOD_UNKNOWN);
	CHECK_EQ(req.method_len, 4);
}

TEST(limits)
{
	char buf[2048];
	struct http_request req;
	size_t n;

	/* 414 as soon as the target is too long, line complete or not. */
	n = (size_t)snprintf(buf, sizeof(buf), "GET /%065d", 0);
	CHECK_EQ(http_parse_head(buf, n, &lim, &req), -414);
	n = (size_t)snprintf(buf, sizeof(buf),
			     "GET /%065d HTTP/1.1\r\nHost: k\r\n\r\n", 0);
	CHECK_EQ(http_parse_head(buf, n, &lim, &req), -414);
	/* A target of exactly target_max is fine. */
	n = (size_t)snprintf(buf, sizeof(buf),
			     "GET /%063d HTTP/1.1\r\nHost: k\r\n\r\n", 0);
	CHECK(http_parse_head(buf, n, &lim, &req) > 0);
	/* 431: an unfinished head at the limit, or a finished one past it */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET / HTTP/1.1\r\nX: ", 19);
	CHECK_EQ(http_parse_head(buf, 1023, &lim, &req), HTTP_PARSE_MORE);
	CHECK_EQ(http_parse_head(buf, 1024, &lim, &req), -431);
	memcpy(buf + 1100, "\r\n\r\n", 4);
	CHECK_EQ(http_parse_head(buf, 1104, &lim, &req), -431);
	/* 431: too many fields */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: k\r\n");
	for (int i = 0; i < HTTP_FIELDS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X: %d\r\n", i);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
	CHECK_EQ(http_parse_head(buf, n, &lim, &req), -431);
}

TEST(every_prefix_is_more)
{
	const char *s = "POST /kv/x?y HTTP/1.1\r\nHost: keel\r\n"
			"Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n"
			"\r\n";
	struct http_request req;
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++)
		CHECK_EQ(http_parse_head(s, i, &lim, &req), HTTP_PARSE_MORE);
	CHECK_EQ(http_parse_head(s, len, &lim, &req), (int)len);
	CHECK(req.expect_continue && req.chunked);
}

TEST(etag_match)
{
	struct http_request req;
	const char *tag = "\"abc\"";

	CHECK(parse("GET / HTTP/1.1\r\nHost: k\r\n\r\n", &req) > 0);
	CHECK(!http_etag_match(&req, tag));
	CHECK(parse("GET / HTTP/1.1\r\nHost: k\r\nIf-None-Match: \"abc\"\r\n\r\n",
		    &req) > 0);
	CHECK(req.has_if_none_match);
	CHECK(http_etag_match(&req, tag));
	CHECK(parse("GET / HTTP/1.1\r\nHost: k\r\nIf-None-Match: \"x\", "
		    "W/\"abc\"\r\n\r\n",
		    &req) > 0);
	CHECK(http_etag_match(&req, tag));
	CHECK(parse("GET / HTTP/1.1\r\nHost: k\r\nIf-None-Match: \"x\"\r\n"
		    "If-None-Match: \"abc\"\r\n\r\n",
		    &req) > 0);
	CHECK(http_etag_match(&req, tag));
	CHECK(parse("GET / HTTP/1.1\r\nHost: k\r\nIf-None-Match: *\r\n\r\n",
		    &req) > 0);
	CHECK(http_etag_match(&req, tag));
	CHECK(parse("GET / HTTP/1.1\r\nHost: k\r\nIf-None-Match: abc, "
		    "\"abcd\"\r\n\r\n",
		    &req) > 0);
	CHECK(!http_etag_match(&req, tag));
}

static int chunked_all(const char *in, char *out, size_t *used,
		       size_t *made)
{
	struct http_chunked c = {0};

	return http_chunked_decode(&c, (const uint8_t *)in, strlen(in),
				   (uint8_t *)out, 100, used, made);
}

TEST(chunked_whole)
{
	const char *in = "3\r\nabc\r\n0A;name=val\r\n0123456789\r\n"
			 "0\r\nTrailer: x\r\n\r\nGET";
	char out[64];
	size_t used, made;

	CHECK_EQ(chunked_all(in, out, &used, &made), HTTP_CHUNKED_DONE);
	CHECK_EQ(made, 13);
	CHECK_MEM(out, "abc0123456789", 13);
	CHECK_EQ(used, strlen(in) - 3);
}

TEST(chunked_in_place_byte_by_byte)
{
	char buf[] = "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n";
	size_t len = strlen(buf), in = 0, out = 0;
	struct http_chunked c = {0};
	int rc = HTTP_CHUNKED_MORE;

	/* Feed one more byte each time; decode into the same buffer. */
	for (size_t avail = 1; avail <= len && rc == HTTP_CHUNKED_MORE;
	     avail++) {
		size_t used, made;

		rc = http_chunked_decode(&c, (uint8_t *)buf + in, avail - in,
					 (uint8_t *)buf + out, 100, &used,
					 &made);
		in += used;
		out += made;
	}
	CHECK_EQ(rc, HTTP_CHUNKED_DONE);
	CHECK_EQ(in, len);
	CHECK_EQ(out, 11);
	CHECK_MEM(buf, "hello world", 11);
}

TEST(chunked_rejections)
{
	static const struct {
		const char *in;
		int rc;
	} cases[] = {
	    {"x\r\n", -400},
	    {"\r\n", -400},
	    {"3\nabc\r\n0\r\n\r\n", -400},
	    {"3\r\nabcd\r\n", -400},
	    {"3\r\nabc\n0\r\n\r\n", -400},
	    {"3 x\r\nabc\r\n0\r\n\r\n", 1}, /* BWS then an extension */
	    {"3\x01\r\nabc\r\n", -400},
	    {"1000000000000000\r\n", -400},
	    {"65\r\n", -413}, /* 101 > body_max */
	    {"32\r\n", 0},    /* 50: fine so far */
	    {"0\r\n x: y\r\n\r\n", -400}, /* obs-fold in the trailer */
	    {"0\r\nx: \x01\r\n\r\n", -400},
	    {"0\r\n\r\r", -400},
	};
	char out[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t used, made;
		int rc = chunked_all(cases[i].in, out, &used, &made);

		if (rc != cases[i].rc)
			test_fail(__FILE__, __LINE__, "case %zu: %d, not %d",
				  i, rc, cases[i].rc);
	}
}

TEST(chunked_total_limit)
{
	/* Two chunks of 60: the second passes body_max (100). */
	char in[200], out[200];
	size_t n = 0, used, made;
	struct http_chunked c = {0};

	n += (size_t)snprintf(in + n, sizeof(in) - n, "3c\r\n");
	memset(in + n, 'a', 60);
	n += 60;
	n += (size_t)snprintf(in + n, sizeof(in) - n, "\r\n3c\r\n");
	CHECK_EQ(http_chunked_decode(&c, (uint8_t *)in, n, (uint8_t *)out, 100,
				     &used, &made),
		 -413);
}

TEST(reasons)
{
	CHECK_STR(http_reason(431), "Request Header Fields Too Large");
	CHECK_STR(http_reason(299), "");
	CHECK_STR(http_method_name(HTTP_METHOD_DELETE), "DELETE");
	CHECK(http_method_name(HTTP_METHOD_UNKNOWN) == NULL);
}
