/*
 * user_settings.h - how keel builds wolfSSL (WOLFSSL_USER_SETTINGS).
 *
 * wolfSSL comes from Debian's source package (5.5.4), fetched by build.py;
 * these settings replace its configure script. The result is a TLS server
 * only, TLS 1.3 only unless the image asks for TLS 1.2 (build.py passes
 * -DKEEL_TLS12=1), with:
 *   key exchange  ECDHE on P-256 (SP math) and X25519
 *   certificates  ECDSA (P-256), and RSA (2048/3072, PSS for TLS 1.3)
 *                 when the image's key is an RSA key (-DKEEL_RSA=1)
 *   ciphers       AES-GCM (128, 256) and ChaCha20-Poly1305
 *   hashes        SHA-256, SHA-384 (and SHA-1 only where X.509 needs it)
 * and nothing of the host: no files, no sockets, no threads, no malloc.
 * Memory comes from WOLFSSL_STATIC_MEMORY pools the application hands to
 * wolfSSL_CTX_load_static_memory(); I/O from callbacks over keel's TCP
 * sockets; the DRBG's seed from platform_entropy() through
 * keel_tls_seed(). The hooks live in
 * apps/https/tls.c.
 *
 * wolfSSL is compiled freestanding (-ffreestanding -nostdinc) against
 * gcc's own headers, kernel/lib/libc/string.h and the two stubs in
 * libc/ beside this file, on every target alike.
 */
#ifndef KEEL_WOLFSSL_USER_SETTINGS_H
#define KEEL_WOLFSSL_USER_SETTINGS_H

#ifndef KEEL_TLS12
#define KEEL_TLS12 0
#endif
#ifndef KEEL_RSA
#define KEEL_RSA 1
#endif

/* ---- the platform: none of the host's services ------------------------ */
#define WOLFSSL_USER_IO		/* wolfSSL_SetIORecv/Send callbacks */
#define WOLFSSL_NO_SOCK
#define NO_FILESYSTEM
#define NO_WRITEV
#define NO_STDIO_FILESYSTEM
#define SINGLE_THREADED
#define NO_DEV_RANDOM
#define NO_MAIN_DRIVER
#define BENCH_EMBEDDED
#define CTYPE_USER
#define XTOLOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + ('a' - 'A') : (c))
#define XTOUPPER(c) ((c) >= 'a' && (c) <= 'z' ? (c) - ('a' - 'A') : (c))

/* No clock: a server that asks for no client certificate checks no
 * certificate dates, and without resumption TLS 1.3 keeps no ticket ages. */
#define NO_ASN_TIME

/* The DRBG's seed: the platform's entropy (keel_tls_seed in tls.c). */
int keel_tls_seed(unsigned char *out, unsigned int len);
#define CUSTOM_RAND_GENERATE_SEED keel_tls_seed
#define HAVE_HASHDRBG

/* ---- memory: static pools only ---------------------------------------- */
#define WOLFSSL_STATIC_MEMORY
#define WOLFSSL_NO_MALLOC
#define WOLFSSL_SP_NO_MALLOC
#define NO_SESSION_CACHE	/* no resumption: no shared cache to size */
/* The pool's largest bucket must hold a whole incoming record: 2^14 bytes
 * of plaintext, up to 256 of expansion (RFC 8446 §5.2), the header. */
#define LARGEST_MEM_BUCKET 16896
#define NO_ERROR_STRINGS	/* codes are logged as numbers */

/* ---- protocol ---------------------------------------------------------- */
#define WOLFSSL_TLS13
#define NO_WOLFSSL_CLIENT
#define NO_OLD_TLS
#if !KEEL_TLS12
#define WOLFSSL_NO_TLS12
#else
#define HAVE_EXTENDED_MASTER
#define HAVE_AEAD
/* RFC 5746: say renegotiation is safe (it is never done); OpenSSL 3
 * refuses a TLS 1.2 server that does not. */
#define HAVE_SERVER_RENEGOTIATION_INFO
#endif
#define HAVE_TLS_EXTENSIONS
#define HAVE_SUPPORTED_CURVES
#define HAVE_SNI
#define HAVE_HKDF
#if KEEL_RSA
#define WC_RSA_PSS
#endif

/* ---- algorithms -------------------------------------------------------- */
#define HAVE_ECC
#define ECC_TIMING_RESISTANT
#define ECC_USER_CURVES		/* P-256 only */
#define HAVE_ECC256
#define HAVE_CURVE25519
#define TFM_TIMING_RESISTANT
#define WC_RSA_BLINDING
#define HAVE_AESGCM
#define NO_AES_CBC		/* AEAD suites only, in TLS 1.2 too */
#define GCM_TABLE_4BIT
#define WOLFSSL_AES_128
#define WOLFSSL_AES_256
#define HAVE_CHACHA
#define HAVE_POLY1305
#define WOLFSSL_SHA384
#define WOLFSSL_SHA512		/* SHA-384 is built on it */
#define NO_DH
#define NO_DSA
#define NO_RC4
#define NO_DES3
#define NO_MD4
#define NO_MD5
#define NO_PWDBASED
#define NO_PSK
#define NO_OLD_RNGNAME

/* SP math: single-precision code for P-256 and RSA 2048/3072, plus the
 * generic big integers X.509 parsing needs. */
#define WOLFSSL_SP_MATH_ALL
#define WOLFSSL_HAVE_SP_ECC
#if KEEL_RSA
#define WOLFSSL_HAVE_SP_RSA
#define SP_INT_BITS 4096
#else
/* An ECDSA server key (build.py passes -DKEEL_RSA=0): no RSA code at all,
 * big integers only as wide as P-256 needs. */
#define NO_RSA
#define SP_INT_BITS 256
#endif
#if defined(__x86_64__)
#define WOLFSSL_SP_X86_64
#define HAVE___UINT128_T 1
#elif defined(__aarch64__)
#define WOLFSSL_SP_ARM64
#define HAVE___UINT128_T 1
#elif defined(__arm__)
#define WOLFSSL_SP_ARM_THUMB
#endif

#endif /* KEEL_WOLFSSL_USER_SETTINGS_H */
