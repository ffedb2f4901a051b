/*
 * fuzz_tls.c - libFuzzer harness: a TLS client's bytes into keel's build
 * of wolfSSL (apps/https/wolfssl/user_settings.h), server side, the way
 * apps/https/tls.c drives it: static memory, user I/O callbacks, nothing
 * else of the host.
 *
 * Input: what the client sends, delivered in pieces: a 0xff byte followed
 * by n starts a new piece of n bytes (so mutations can split records across
 * reads, as TCP does); anything else is data. The receive callback hands
 * out one piece per call and says "would block" between pieces, and the
 * harness calls wolfSSL_accept() (then wolfSSL_read()) again after each,
 * like the server does after a readiness callback. What the server sends
 * is discarded.
 *
 * Checks, besides the sanitizers: after wolfSSL_free() the static pool
 * holds exactly as many allocations as before the session (a leak in the
 * pool would starve the server over time), and a session never holds more
 * than FUZZ_TLS_SESSION_MAX bytes of it. Any violation abort()s.
 *
 * The certificate and key are a development pair made by the fuzz tier
 * (build/fuzz/gen/https_cert.c); the DRBG's seed is fixed, so a crash
 * replays from its input alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/memory.h>

#include "https.h"

#define FUZZ_TLS_POOL	     (256 * 1024)
#define FUZZ_TLS_SESSION_MAX (96 * 1024)
#define FUZZ_TLS_TURNS	     64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int keel_tls_seed(unsigned char *out, unsigned int len);

static uint8_t fuzz_tls_pool[FUZZ_TLS_POOL]
    __attribute__((aligned(WOLFSSL_STATIC_ALIGN)));
static WOLFSSL_CTX *fuzz_tls_ctx;

struct fuzz_tls_input {
	const uint8_t *p, *end;
	size_t piece; /* bytes left in the current piece */
	bool blocked; /* the piece is used up: "would block" once */
};

int keel_tls_seed(unsigned char *out, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		out[i] = (unsigned char)(i * 131 + 7);
	return 0;
}

static void fuzz_tls_next_piece(struct fuzz_tls_input *in)
{
	if (in->p + 1 < in->end && in->p[0] == 0xff) {
		in->piece = in->p[1];
		in->p += 2;
	} else {
		in->piece = (size_t)(in->end - in->p);
	}
	if (in->piece > (size_t)(in->end - in->p))
		in->piece = (size_t)(in->end - in->p);
}

static int fuzz_tls_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct fuzz_tls_input *in = ctx;
	size_t n;

	(void)ssl;
	if (in->blocked || in->p >= in->end) {
		in->blocked = false;
		return in->p >= in->end ? WOLFSSL_CBIO_ERR_CONN_CLOSE
					: WOLFSSL_CBIO_ERR_WANT_READ;
	}
	n = in->piece < (size_t)sz ? in->piece : (size_t)sz;
	memcpy(buf, in->p, n);
	in->p += n;
	in->piece -= n;
	if (in->piece == 0) {
		in->blocked = true;
		fuzz_tls_next_piece(in);
	}
	return (int)n;
}

static int fuzz_tls_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	(void)ssl;
	(void)buf;
	(void)ctx;
	return sz;
}

static void fuzz_tls_init(void)
{
	if (wolfSSL_Init() != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_load_static_memory(
		&fuzz_tls_ctx, wolfTLSv1_3_server_method_ex, fuzz_tls_pool,
		sizeof(fuzz_tls_pool), WOLFMEM_GENERAL | WOLFMEM_TRACK_STATS,
		2) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_use_certificate_chain_buffer_format(
		fuzz_tls_ctx, https_cert.chain, (long)https_cert.chain_len,
		WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_use_PrivateKey_buffer(
		fuzz_tls_ctx, https_cert.key, (long)https_cert.key_len,
		WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS)
		abort();
	wolfSSL_CTX_SetIORecv(fuzz_tls_ctx, fuzz_tls_recv);
	wolfSSL_CTX_SetIOSend(fuzz_tls_ctx, fuzz_tls_send);
}

static unsigned fuzz_tls_allocs(void)
{
	WOLFSSL_MEM_STATS st;

	if (wolfSSL_CTX_is_static_memory(fuzz_tls_ctx, &st) != 1)
		abort();
	return st.curAlloc;
}

/* Drive the session the way the server does; false once it is over. */
static bool fuzz_tls_turn(WOLFSSL *ssl, bool *up)
{
	char buf[1024];
	int ret, err;

	if (!*up) {
		ret = wolfSSL_accept(ssl);
		if (ret == WOLFSSL_SUCCESS) {
			*up = true;
			return true;
		}
	} else {
		ret = wolfSSL_read(ssl, buf, sizeof(buf));
		if (ret > 0)
			return true;
	}
	err = wolfSSL_get_error(ssl, ret);
	return err == WOLFSSL_ERROR_WANT_READ ||
	       err == WOLFSSL_ERROR_WANT_WRITE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_tls_input in = {data, data + size, 0, false};
	WOLFSSL_MEM_CONN_STATS st;
	unsigned before;
	bool up = false;
	WOLFSSL *ssl;

	if (!fuzz_tls_ctx)
		fuzz_tls_init();
	before = fuzz_tls_allocs();
	fuzz_tls_next_piece(&in);
	ssl = wolfSSL_new(fuzz_tls_ctx);
	if (!ssl)
		abort();
	wolfSSL_SetIOReadCtx(ssl, &in);
	for (int t = 0; t < FUZZ_TLS_TURNS && in.p < in.end; t++)
		if (!fuzz_tls_turn(ssl, &up))
			break;
	if (wolfSSL_is_static_memory(ssl, &st) != 1 ||
	    st.peakMem > FUZZ_TLS_SESSION_MAX)
		abort();
	wolfSSL_free(ssl);
	if (fuzz_tls_allocs() != before)
		abort();
	return 0;
}
