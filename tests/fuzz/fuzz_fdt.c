/*
 * fuzz_fdt.c - libFuzzer harness: arbitrary bytes as a flattened
 * devicetree for arm64_fdt_parse() (kernel/arch/aarch64/fdt.c).
 *
 * The input is copied into an 8-byte-aligned buffer of exactly its size
 * and parsed with that size as the limit: whatever the header and the
 * structure block claim, the parser must not read outside it (ASan), and
 * what it returns must be consistent: on NET_OK bootargs, when set, is a
 * NUL-terminated string inside the input. Seeds: tests/fuzz/corpus/fdt/
 * (a blob shaped like QEMU virt's, from tests/fuzz/make_fdt_seeds.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arch/arm64.h>
#include <net/net.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arm64_fdt f;
	uint8_t *copy = aligned_alloc(8, (size + 7) / 8 * 8 + 8);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (arm64_fdt_parse((uintptr_t)copy, size, &f) == NET_OK &&
	    f.bootargs) {
		const uint8_t *p = (const uint8_t *)f.bootargs;

		if (p < copy || p + f.bootargs_len >= copy + size ||
		    strlen(f.bootargs) != f.bootargs_len)
			abort();
	}
	free(copy);
	return 0;
}
