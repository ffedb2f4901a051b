/*
 * tls.c - the one file that talks to wolfSSL: a TLS server context over
 * keel's TCP sockets, its memory from a static pool, its seed from the
 * platform's entropy.
 *
 * Memory: one WOLFSSL_STATIC_MEMORY pool, https.tls_memory bytes per
 * connection (https.connections plus the 503 slot) and HTTPS_TLS_BASE for
 * the context, its certificate and key. wolfSSL carves it into buckets
 * and refuses a connection it cannot fit (wolfSSL_new fails: the server
 * closes that connection). Nothing in wolfSSL can reach malloc: it is
 * built with WOLFSSL_NO_MALLOC, and the link checks for allocator symbols.
 *
 * I/O: wolfSSL's callbacks read and write the connection's TCP socket
 * without blocking; "would block" becomes WANT_READ/WANT_WRITE, which
 * https_tls_* turn back into NET_EAGAIN for the server's event loop.
 *
 * Entropy: wolfSSL's Hash_DRBG is seeded from platform_entropy()
 * (CUSTOM_RAND_GENERATE_SEED, see wolfssl/user_settings.h); a target
 * without a source never gets this far (the kernel refuses to start).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/log.h>
#include <kernel/platform.h>
#include <keel_config.h>
#include <net/net.h>
#include <net/tcp.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/memory.h>

#include "https.h"

/* The context's share: the CTX, the certificate chain and key, slack. */
#define HTTPS_TLS_BASE (64 * 1024)
#define HTTPS_TLS_POOL                                                         \
	(HTTPS_TLS_BASE +                                                      \
	 (size_t)(CONFIG_APP_HTTPS_CONNECTIONS + 1) *                          \
	     CONFIG_APP_HTTPS_TLS_MEMORY)

static uint8_t https_tls_pool[HTTPS_TLS_POOL]
    __attribute__((aligned(WOLFSSL_STATIC_ALIGN)));
static WOLFSSL_CTX *https_tls_ctx;
static uint64_t https_tls_now_ms;
static size_t https_tls_peak; /* the most pool one connection has used */

int keel_tls_seed(unsigned char *out, unsigned int len)
{
	return platform_entropy(out, len) == NET_OK ? 0 : -1;
}

void https_tls_set_now(uint64_t now_ms)
{
	https_tls_now_ms = now_ms;
}

static int https_tls_recv_cb(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	int n = net_tcp_recv(*(int *)ctx, buf, (size_t)sz, https_tls_now_ms);

	(void)ssl;
	if (n > 0)
		return n;
	if (n == NET_EAGAIN)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	if (n == 0)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	return WOLFSSL_CBIO_ERR_CONN_RST;
}

static int https_tls_send_cb(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	int n = net_tcp_send(*(int *)ctx, buf, (size_t)sz, https_tls_now_ms);

	(void)ssl;
	if (n > 0)
		return n;
	if (n == NET_EAGAIN || n == 0)
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	return WOLFSSL_CBIO_ERR_CONN_RST;
}

static int https_tls_load(void)
{
	int rc = wolfSSL_CTX_use_certificate_chain_buffer_format(
	    https_tls_ctx, https_cert.chain, (long)https_cert.chain_len,
	    WOLFSSL_FILETYPE_ASN1);

	if (rc != WOLFSSL_SUCCESS) {
		log_printf(LOG_ERROR, "https: wolfSSL refused the certificate "
				      "(%d)", rc);
		return NET_EINVAL;
	}
	rc = wolfSSL_CTX_use_PrivateKey_buffer(https_tls_ctx, https_cert.key,
					       (long)https_cert.key_len,
					       WOLFSSL_FILETYPE_ASN1);
	if (rc != WOLFSSL_SUCCESS) {
		log_printf(LOG_ERROR, "https: wolfSSL refused the private key "
				      "(%d)", rc);
		return NET_EINVAL;
	}
	return NET_OK;
}

int https_tls_init(void)
{
	wolfSSL_method_func method = CONFIG_APP_HTTPS_TLS12
					 ? wolfSSLv23_server_method_ex
					 : wolfTLSv1_3_server_method_ex;
	int rc = wolfSSL_Init();

	if (rc == WOLFSSL_SUCCESS)
		rc = wolfSSL_CTX_load_static_memory(
		    &https_tls_ctx, method, https_tls_pool,
		    sizeof(https_tls_pool),
		    WOLFMEM_GENERAL | WOLFMEM_TRACK_STATS,
		    CONFIG_APP_HTTPS_CONNECTIONS + 1);
	if (rc != WOLFSSL_SUCCESS || !https_tls_ctx) {
		log_printf(LOG_ERROR, "https: wolfSSL context: %d", rc);
		return NET_ENOBUFS;
	}
	if (CONFIG_APP_HTTPS_TLS12)
		wolfSSL_CTX_SetMinVersion(https_tls_ctx, WOLFSSL_TLSV1_2);
	wolfSSL_CTX_SetIORecv(https_tls_ctx, https_tls_recv_cb);
	wolfSSL_CTX_SetIOSend(https_tls_ctx, https_tls_send_cb);
	return https_tls_load();
}

struct WOLFSSL *https_tls_new(int *sock)
{
	WOLFSSL *ssl = wolfSSL_new(https_tls_ctx);

	if (!ssl)
		return NULL;
	wolfSSL_SetIOReadCtx(ssl, sock);
	wolfSSL_SetIOWriteCtx(ssl, sock);
	return ssl;
}

void https_tls_free(struct WOLFSSL *ssl)
{
	WOLFSSL_MEM_CONN_STATS st;

	if (!ssl)
		return;
	if (wolfSSL_is_static_memory(ssl, &st) == 1 &&
	    st.peakMem > https_tls_peak)
		https_tls_peak = st.peakMem;
	wolfSSL_free(ssl);
}

size_t https_tls_peak_bytes(void)
{
	return https_tls_peak;
}

/* A wolfSSL result as NET_EAGAIN, 0 (the peer closed) or an error. */
static int https_tls_error(struct WOLFSSL *ssl, int ret)
{
	int err = wolfSSL_get_error(ssl, ret);

	if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE)
		return NET_EAGAIN;
	if (err == WOLFSSL_ERROR_ZERO_RETURN)
		return 0;
	log_printf(LOG_DEBUG, "https: TLS error %d", err);
	return NET_EIO;
}

int https_tls_handshake(struct WOLFSSL *ssl)
{
	int ret = wolfSSL_accept(ssl);

	if (ret == WOLFSSL_SUCCESS)
		return NET_OK;
	ret = https_tls_error(ssl, ret);
	return ret == 0 ? NET_ECONNRESET : ret;
}

int https_tls_read(struct WOLFSSL *ssl, void *buf, size_t cap)
{
	int ret = wolfSSL_read(ssl, buf, (int)cap);

	return ret > 0 ? ret : https_tls_error(ssl, ret);
}

int https_tls_write(struct WOLFSSL *ssl, const void *buf, size_t len)
{
	int ret = wolfSSL_write(ssl, buf, (int)len);

	if (ret > 0)
		return ret;
	ret = https_tls_error(ssl, ret);
	return ret == 0 ? NET_ECONNRESET : ret;
}

bool https_tls_has_pending(struct WOLFSSL *ssl)
{
	return wolfSSL_pending(ssl) > 0;
}

void https_tls_shutdown(struct WOLFSSL *ssl)
{
	wolfSSL_shutdown(ssl); /* close_notify, best effort */
}

const char *https_tls_cipher(struct WOLFSSL *ssl)
{
	return wolfSSL_get_cipher_name(ssl);
}

size_t https_tls_pool_size(void)
{
	return sizeof(https_tls_pool);
}
