/*
 * fuzz_https.c - libFuzzer harness: the https application's connection
 * handling (apps/https/https.c, with the key-value route), over fake TLS
 * and fake TCP sockets, with the small limits of fuzz_https.toml.
 *
 * Input: a script of operations, each a byte whose low 3 bits are the
 * kind and whose high bits pick one of the client connections, some with
 * an argument byte:
 *
 *   0  connect: a new connection waits on the listener
 *   1  n, then n bytes: the client sends them (plaintext; TLS is fake)
 *   2  s: the connection's send ring takes s * 64 bytes from now on
 *   3  t: the clock moves t * 50 ms
 *   4  the client closes (close_notify after what it sent)
 *   5  the connection is reset
 *   6  the handshake completes (until then it would block)
 *   7  nothing (just a turn of the loop)
 *
 * and after each, app_poll() runs. The fakes check how https.c uses them:
 * any call on a socket that is not open (closed, aborted, never accepted),
 * a second close, a write longer than the send ring said it could take,
 * or a write that is not the same as the one wolfSSL asked to repeat,
 * abort()s. At the end every connection is reset (as in the stack, a
 * connection gone has a send ring without room, not an error): one more
 * turn must give every slot back.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>
#include <net/tcp.h>

#include "https.h"

#define FUZZ_HTTPS_SOCKS  16
#define FUZZ_HTTPS_LISTEN 15
#define FUZZ_HTTPS_IN	  4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum fuzz_https_state {
	FUZZ_SOCK_FREE = 0,
	FUZZ_SOCK_QUEUED, /* waits on the listener */
	FUZZ_SOCK_OPEN,	  /* accepted by https.c */
};

struct fuzz_https_sock {
	enum fuzz_https_state state;
	bool reset, closed_by_peer, handshaken;
	int space;
	size_t in_len, in_off;
	uint8_t in[FUZZ_HTTPS_IN];
	size_t pend; /* length of a write to be repeated */
	net_tcp_callback cb;
	void *ctx;
};

/* The fake TLS session of a socket: the socket's index is all it needs. */
struct WOLFSSL {
	int *sock;
	bool used;
};

static struct fuzz_https_sock fuzz_socks[FUZZ_HTTPS_SOCKS];
static struct WOLFSSL fuzz_ssl[FUZZ_HTTPS_SOCKS];
static net_tcp_callback fuzz_listen_cb;
static void *fuzz_listen_ctx;
static bool fuzz_inited;

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static struct fuzz_https_sock *fuzz_open_sock(int s)
{
	FUZZ_CHECK(s >= 0 && s < FUZZ_HTTPS_LISTEN);
	FUZZ_CHECK(fuzz_socks[s].state == FUZZ_SOCK_OPEN);
	return &fuzz_socks[s];
}

/* ---- the kernel and stack calls https.c makes ------------------------- */

void log_printf(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

int cmdline_get(const char *key, char *buf, size_t cap)
{
	(void)key;
	(void)buf;
	(void)cap;
	return NET_ENOENT;
}

int cmdline_parse_u32(const char *str, uint32_t min, uint32_t max,
		      uint32_t *out)
{
	(void)str;
	(void)min;
	(void)max;
	(void)out;
	return NET_EINVAL;
}

const char *net_strerror(int err)
{
	(void)err;
	return "error";
}

int net_tcp_open(void)
{
	return FUZZ_HTTPS_LISTEN;
}

int net_tcp_bind(int sock, uint32_t addr, uint16_t port)
{
	(void)addr;
	(void)port;
	FUZZ_CHECK(sock == FUZZ_HTTPS_LISTEN);
	return NET_OK;
}

int net_tcp_setsockopt(int sock, int opt, int value)
{
	(void)opt;
	(void)value;
	FUZZ_CHECK(sock == FUZZ_HTTPS_LISTEN);
	return NET_OK;
}

int net_tcp_listen(int sock, int backlog)
{
	(void)backlog;
	FUZZ_CHECK(sock == FUZZ_HTTPS_LISTEN);
	return NET_OK;
}

int net_tcp_set_callback(int sock, net_tcp_callback fn, void *ctx)
{
	if (sock == FUZZ_HTTPS_LISTEN) {
		fuzz_listen_cb = fn;
		fuzz_listen_ctx = ctx;
		return NET_OK;
	}
	fuzz_open_sock(sock)->cb = fn;
	fuzz_socks[sock].ctx = ctx;
	return NET_OK;
}

int net_tcp_accept(int sock, uint32_t *peer, uint16_t *peer_port)
{
	(void)peer;
	(void)peer_port;
	FUZZ_CHECK(sock == FUZZ_HTTPS_LISTEN);
	for (int s = 0; s < FUZZ_HTTPS_LISTEN; s++) {
		if (fuzz_socks[s].state == FUZZ_SOCK_QUEUED) {
			fuzz_socks[s].state = FUZZ_SOCK_OPEN;
			return s;
		}
	}
	return NET_EAGAIN;
}

/* Like the stack: no room, and no error, once the connection is gone. */
int net_tcp_send_space(int sock)
{
	struct fuzz_https_sock *k = fuzz_open_sock(sock);

	return k->reset ? 0 : k->space;
}

enum tcp_state net_tcp_state(int sock)
{
	return fuzz_open_sock(sock)->reset ? TCP_STATE_CLOSED
					   : TCP_STATE_ESTABLISHED;
}

static void fuzz_free_sock(int sock)
{
	struct fuzz_https_sock *k = fuzz_open_sock(sock);

	FUZZ_CHECK(!fuzz_ssl[sock].used); /* TLS freed first */
	memset(k, 0, sizeof(*k));
}

int net_tcp_close(int sock, uint64_t now_ms)
{
	(void)now_ms;
	fuzz_free_sock(sock);
	return NET_OK;
}

int net_tcp_abort(int sock, uint64_t now_ms)
{
	(void)now_ms;
	if (sock >= 0 && sock < FUZZ_HTTPS_LISTEN &&
	    fuzz_socks[sock].state == FUZZ_SOCK_OPEN && !fuzz_ssl[sock].used)
		fuzz_free_sock(sock);
	else
		FUZZ_CHECK(false);
	return NET_OK;
}

/* ---- fake TLS ---------------------------------------------------------- */

int https_tls_init(void)
{
	return NET_OK;
}

void https_tls_set_now(uint64_t now_ms)
{
	(void)now_ms;
}

struct WOLFSSL *https_tls_new(int *sock)
{
	struct WOLFSSL *ssl = &fuzz_ssl[*sock];

	fuzz_open_sock(*sock);
	FUZZ_CHECK(!ssl->used);
	ssl->used = true;
	ssl->sock = sock;
	return ssl;
}

void https_tls_free(struct WOLFSSL *ssl)
{
	FUZZ_CHECK(ssl->used);
	ssl->used = false;
}

static struct fuzz_https_sock *fuzz_ssl_sock(struct WOLFSSL *ssl)
{
	FUZZ_CHECK(ssl->used);
	return fuzz_open_sock(*ssl->sock);
}

int https_tls_handshake(struct WOLFSSL *ssl)
{
	struct fuzz_https_sock *k = fuzz_ssl_sock(ssl);

	if (k->reset)
		return NET_EIO;
	return k->handshaken ? NET_OK : NET_EAGAIN;
}

int https_tls_read(struct WOLFSSL *ssl, void *buf, size_t cap)
{
	struct fuzz_https_sock *k = fuzz_ssl_sock(ssl);
	size_t n = k->in_len - k->in_off;

	if (k->reset)
		return NET_EIO;
	if (n == 0)
		return k->closed_by_peer ? 0 : NET_EAGAIN;
	if (n > cap)
		n = cap;
	memcpy(buf, k->in + k->in_off, n);
	k->in_off += n;
	return (int)n;
}

int https_tls_write(struct WOLFSSL *ssl, const void *buf, size_t len)
{
	struct fuzz_https_sock *k = fuzz_ssl_sock(ssl);

	(void)buf;
	if (k->reset)
		return NET_EIO;
	FUZZ_CHECK(len > 0);
	if (k->pend)
		FUZZ_CHECK(len == k->pend);
	/* Like wolfSSL over a ring with too little room: the record is
	 * made, and must be written again with the same arguments. */
	if ((int)len > k->space) {
		k->pend = len;
		return NET_EAGAIN;
	}
	k->pend = 0;
	return (int)len;
}

bool https_tls_has_pending(struct WOLFSSL *ssl)
{
	fuzz_ssl_sock(ssl);
	return false;
}

void https_tls_shutdown(struct WOLFSSL *ssl)
{
	fuzz_ssl_sock(ssl);
}

const char *https_tls_cipher(struct WOLFSSL *ssl)
{
	(void)ssl;
	return "fake";
}

size_t https_tls_pool_size(void)
{
	return 0;
}

size_t https_tls_peak_bytes(void)
{
	return 0;
}

/* ---- the generated tables ------------------------------------------------ */

static const uint8_t fuzz_https_index[] = "<p>keel</p>\n";
static const uint8_t fuzz_https_gz[] = {0x1f, 0x8b, 0x08, 0x00};
const struct https_file https_site_files[] = {
    {"/index.html", "text/html", fuzz_https_index,
     sizeof(fuzz_https_index) - 1, "\"a\"", fuzz_https_gz,
     sizeof(fuzz_https_gz), "\"b\""},
    {"/x.bin", "application/octet-stream", fuzz_https_index, 5, "\"c\"",
     NULL, 0, NULL},
};
const size_t https_site_count = 2;

void https_register_kv(void);

void https_routes_register(void)
{
	https_register_kv();
}

/* ---- the script ------------------------------------------------------------ */

static void fuzz_https_wake(int s)
{
	struct fuzz_https_sock *k = &fuzz_socks[s];

	if (k->state == FUZZ_SOCK_OPEN && k->cb)
		k->cb(s, NET_POLLIN | NET_POLLOUT, k->ctx);
}

/* The connection an op's high bits name: the n-th open or queued one. */
static int fuzz_https_pick(uint8_t op)
{
	int want = op >> 3, seen = 0, last = -1;

	for (int s = 0; s < FUZZ_HTTPS_LISTEN; s++) {
		if (fuzz_socks[s].state == FUZZ_SOCK_FREE)
			continue;
		if (seen++ == want)
			return s;
		last = s;
	}
	return last;
}

static void fuzz_https_connect(void)
{
	for (int s = 0; s < FUZZ_HTTPS_LISTEN; s++) {
		if (fuzz_socks[s].state == FUZZ_SOCK_FREE) {
			fuzz_socks[s].state = FUZZ_SOCK_QUEUED;
			fuzz_socks[s].space = 65536;
			if (fuzz_listen_cb)
				fuzz_listen_cb(FUZZ_HTTPS_LISTEN, NET_POLLIN,
					       fuzz_listen_ctx);
			return;
		}
	}
}

static size_t fuzz_https_op(const uint8_t *p, size_t left, uint64_t *now)
{
	uint8_t op = p[0];
	int s = fuzz_https_pick(op);
	struct fuzz_https_sock *k = s >= 0 ? &fuzz_socks[s] : NULL;
	size_t used = 1, n;

	switch (op & 7) {
	case 0:
		fuzz_https_connect();
		break;
	case 1:
		n = left > 1 ? p[1] : 0;
		if (n > left - 2 || left < 2)
			n = left >= 2 ? left - 2 : 0;
		used = 2 + n;
		if (k && k->in_len + n <= sizeof(k->in)) {
			memcpy(k->in + k->in_len, p + 2, n);
			k->in_len += n;
		}
		break;
	case 2:
		if (k && left > 1)
			k->space = p[1] * 64;
		used = 2;
		break;
	case 3:
		*now += left > 1 ? (uint64_t)p[1] * 50 : 0;
		used = 2;
		break;
	case 4:
		if (k)
			k->closed_by_peer = true;
		break;
	case 5:
		if (k)
			k->reset = true;
		break;
	case 6:
		if (k)
			k->handshaken = true;
		break;
	default:
		break;
	}
	if (s >= 0)
		fuzz_https_wake(s);
	return used < left ? used : left;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t now = 1000;
	size_t pos = 0;

	if (!fuzz_inited) {
		FUZZ_CHECK(app_init() == NET_OK);
		fuzz_inited = true;
	}
	while (pos < size) {
		pos += fuzz_https_op(data + pos, size - pos, &now);
		app_poll(now);
	}
	/* Every connection is reset; every slot must come back in the next
	 * turn, with no deadline's help. */
	for (int s = 0; s < FUZZ_HTTPS_LISTEN; s++) {
		if (fuzz_socks[s].state == FUZZ_SOCK_QUEUED)
			fuzz_socks[s].state = FUZZ_SOCK_FREE;
		fuzz_socks[s].reset = true;
		fuzz_https_wake(s);
	}
	app_poll(now);
	for (int s = 0; s < FUZZ_HTTPS_LISTEN; s++)
		FUZZ_CHECK(fuzz_socks[s].state == FUZZ_SOCK_FREE &&
			   !fuzz_ssl[s].used);
	return 0;
}
