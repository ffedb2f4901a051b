/*
 * test_fdt.c - kernel/arch/aarch64/fdt.c: devicetree blobs built here
 * token by token (Devicetree Specification v0.4 chapter 5) shaped like
 * QEMU virt's, then truncated, corrupted and mis-sized ones, which must
 * be NET_EBADMSG and never read outside the blob (ASan watches).
 */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arch/arm64.h>
#include <klib/bytes.h>
#include <net/net.h>

uint64_t platform_now_ms(void);
void platform_console_write(const char *s, size_t len);

uint64_t platform_now_ms(void)
{
	return 0;
}

void platform_console_write(const char *s, size_t len)
{
	(void)s;
	(void)len;
}

#define FDT_CAP 4096

/* A blob under construction: structure and strings kept apart. */
struct fdt_build {
	uint8_t s[FDT_CAP];
	uint32_t s_len;
	char str[512];
	uint32_t str_len;
};

static void fb_u32(struct fdt_build *b, uint32_t v)
{
	st_be32(b->s + b->s_len, v);
	b->s_len += 4;
}

static void fb_bytes(struct fdt_build *b, const void *p, uint32_t n)
{
	memcpy(b->s + b->s_len, p, n);
	b->s_len += n;
	while (b->s_len % 4)
		b->s[b->s_len++] = 0;
}

static void fb_begin(struct fdt_build *b, const char *name)
{
	fb_u32(b, 1);
	fb_bytes(b, name, (uint32_t)strlen(name) + 1);
}

static void fb_end(struct fdt_build *b)
{
	fb_u32(b, 2);
}

static void fb_prop(struct fdt_build *b, const char *name, const void *v,
		    uint32_t len)
{
	uint32_t off = b->str_len;

	memcpy(b->str + off, name, strlen(name) + 1);
	b->str_len += (uint32_t)strlen(name) + 1;
	fb_u32(b, 3);
	fb_u32(b, len);
	fb_u32(b, off);
	fb_bytes(b, v, len);
}

static void fb_prop_u32(struct fdt_build *b, const char *name, uint32_t v)
{
	uint8_t be[4];

	st_be32(be, v);
	fb_prop(b, name, be, 4);
}

/* Header + structure + strings into out (8-aligned): the total size. */
static uint32_t fb_finish(struct fdt_build *b, uint8_t *out)
{
	uint32_t off_s = 40 + 16; /* an empty reservation map after it */
	uint32_t off_str = off_s + b->s_len;
	uint32_t total = off_str + b->str_len;

	memset(out, 0, total);
	st_be32(out, 0xd00dfeedu);
	st_be32(out + 4, total);
	st_be32(out + 8, off_s);
	st_be32(out + 12, off_str);
	st_be32(out + 16, 40);
	st_be32(out + 20, 17);
	st_be32(out + 24, 16);
	st_be32(out + 32, b->str_len);
	st_be32(out + 36, b->s_len);
	memcpy(out + off_s, b->s, b->s_len);
	memcpy(out + off_str, b->str, b->str_len);
	return total;
}

/* A blob shaped like QEMU virt's: 128 MiB at 0x40000000, bootargs, HVC. */
static uint32_t fdt_virt(uint8_t *out, const char *bootargs)
{
	static struct fdt_build b;
	uint8_t reg[16];

	memset(&b, 0, sizeof(b));
	fb_begin(&b, "");
	fb_prop_u32(&b, "#address-cells", 2);
	fb_prop_u32(&b, "#size-cells", 2);
	fb_begin(&b, "psci");
	fb_prop(&b, "compatible", "arm,psci-1.0", 13);
	fb_prop(&b, "method", "hvc", 4);
	fb_end(&b);
	fb_begin(&b, "memory@40000000");
	st_be32(reg, 0);
	st_be32(reg + 4, 0x40000000u);
	st_be32(reg + 8, 0);
	st_be32(reg + 12, 0x08000000u);
	fb_prop(&b, "reg", reg, 16);
	fb_prop(&b, "device_type", "memory", 7);
	fb_end(&b);
	fb_begin(&b, "chosen");
	fb_prop(&b, "rng-seed", "0123456789abcdef", 16);
	if (bootargs)
		fb_prop(&b, "bootargs", bootargs,
			(uint32_t)strlen(bootargs) + 1);
	fb_end(&b);
	fb_begin(&b, "pl011@9000000");
	fb_prop(&b, "method", "smc", 4); /* not /psci: ignored */
	fb_end(&b);
	fb_end(&b);
	fb_u32(&b, 9);
	return fb_finish(&b, out);
}

static _Alignas(8) uint8_t blob[FDT_CAP + 1024];

TEST(fdt_virt_like)
{
	struct arm64_fdt f;
	uint32_t n = fdt_virt(blob, "netdev=null stop_ms=5");

	CHECK_EQ(arm64_fdt_parse((uintptr_t)blob, n, &f), NET_OK);
	CHECK_EQ(f.totalsize, n);
	CHECK_EQ(f.mem_base, 0x40000000u);
	CHECK_EQ(f.mem_size, 0x08000000u);
	CHECK_EQ(f.psci, ARM64_PSCI_HVC);
	CHECK(f.has_rng_seed);
	CHECK(f.bootargs != NULL);
	CHECK_STR(f.bootargs, "netdev=null stop_ms=5");
	CHECK_EQ(f.bootargs_len, 21);
}

TEST(fdt_no_bootargs)
{
	struct arm64_fdt f;
	uint32_t n = fdt_virt(blob, NULL);

	CHECK_EQ(arm64_fdt_parse((uintptr_t)blob, n, &f), NET_OK);
	CHECK(f.bootargs == NULL);
}

TEST(fdt_bad_header)
{
	struct arm64_fdt f;
	uint32_t n = fdt_virt(blob, "a=1");
	/* magic, totalsize, the blocks' offsets, last_comp_version, the
	 * blocks' sizes */
	static const uint32_t fields[] = {0, 4, 8, 12, 24, 32, 36};

	CHECK_EQ(arm64_fdt_parse((uintptr_t)blob, n - 1, &f), NET_EBADMSG);
	CHECK_EQ(arm64_fdt_parse((uintptr_t)blob, 39, &f), NET_EBADMSG);
	CHECK_EQ(arm64_fdt_parse(0, n, &f), NET_EBADMSG);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint32_t saved = ld_be32(blob + fields[i]);

		st_be32(blob + fields[i], 0xfffffff0u);
		CHECK_EQ(arm64_fdt_parse((uintptr_t)blob, n, &f), NET_EBADMSG);
		st_be32(blob + fields[i], saved);
	}
	st_be32(blob + 20, 16); /* version 16: no size_dt_struct */
	CHECK_EQ(arm64_fdt_parse((uintptr_t)blob, n, &f), NET_EBADMSG);
	st_be32(blob + 20, 18); /* later, still compatible with 17 */
	CHECK_EQ(arm64_fdt_parse((uintptr_t)blob, n, &f), NET_OK);
}

/* Every shorter structure block (the header saying so) is refused or
 * parsed without reading past it; only the whole one has FDT_END. */
TEST(fdt_truncated_structure)
{
	struct arm64_fdt f;
	uint32_t n = fdt_virt(blob, "a=1");
	uint32_t len_s = ld_be32(blob + 36);

	for (uint32_t cut = 0; cut < len_s; cut++) {
		uint8_t *copy = malloc(n);

		memcpy(copy, blob, n);
		st_be32(copy + 36, cut);
		CHECK_EQ(arm64_fdt_parse((uintptr_t)copy, n, &f), NET_EBADMSG);
		free(copy);
	}
}

/* Bytes of the structure block flipped one at a time: any result, but
 * never a read outside the blob. */
TEST(fdt_corrupted_structure)
{
	struct arm64_fdt f;
	uint32_t n = fdt_virt(blob, "a=1");
	uint32_t off_s = ld_be32(blob + 8), len_s = ld_be32(blob + 36);

	for (uint32_t i = 0; i < len_s; i++) {
		uint8_t *copy = malloc(n);

		memcpy(copy, blob, n);
		copy[off_s + i] ^= 0xff;
		(void)arm64_fdt_parse((uintptr_t)copy, n, &f);
		free(copy);
	}
}

TEST(fdt_bootargs_not_terminated)
{
	struct arm64_fdt f;
	uint32_t n = fdt_virt(blob, "abc");
	uint8_t *p = memmem(blob, n, "abc", 4);

	CHECK(p != NULL);
	p[3] = 'd'; /* the property's last byte is no longer NUL */
	CHECK_EQ(arm64_fdt_parse((uintptr_t)blob, n, &f), NET_EBADMSG);
}
