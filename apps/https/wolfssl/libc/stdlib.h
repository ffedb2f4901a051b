/*
 * stdlib.h - empty on purpose: wolfSSL includes it, and keel's
 * freestanding build of wolfSSL must use nothing from it (no malloc, no
 * exit). A call that slips in fails to compile as an implicit declaration.
 */
#ifndef KEEL_WOLFSSL_STDLIB_H
#define KEEL_WOLFSSL_STDLIB_H
#include <stddef.h>
#endif
