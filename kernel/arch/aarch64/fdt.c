/*
 * fdt.c - the little of the flattened devicetree the kernel reads
 * (Devicetree Specification v0.4, chapter 5).
 *
 * The header (40 bytes, big-endian): magic 0xd00dfeed, totalsize, the
 * structure and strings blocks' offsets and sizes, version >= 17 and
 * last_comp_version <= 17. Every offset and size is checked against
 * totalsize, and totalsize against the memory the caller says is there
 * (`limit`). The structure block is walked token by token (BEGIN_NODE,
 * END_NODE, PROP, NOP, END; §5.4.1), every length checked before use;
 * only these are kept:
 *   - the root's #address-cells / #size-cells (defaults 2 and 1, §2.3.5),
 *     and the first (address, size) of /memory's or /memory@...'s reg;
 *   - /chosen's bootargs (must end in NUL within its length) and whether
 *     rng-seed is there;
 *   - /psci's method, "hvc" or "smc".
 * Anything malformed is NET_EBADMSG with a console line saying what.
 */
#include <arch/arm64.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <kernel/log.h>
#include <klib/bytes.h>
#include <net/net.h>

#define FDT_MAGIC	0xd00dfeedu
#define FDT_HEADER_SIZE 40
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9
#define FDT_MAX_SIZE	(2u << 20)
#define FDT_MAX_DEPTH	16

enum fdt_node { FDT_OTHER, FDT_ROOT, FDT_MEMORY, FDT_CHOSEN, FDT_PSCI };

struct fdt_walk {
	const uint8_t *s; /* structure block */
	uint32_t s_len;
	const uint8_t *str; /* strings block */
	uint32_t str_len;
	uint32_t off;
	uint32_t addr_cells, size_cells;
	bool have_mem;
	struct arm64_fdt *out;
};

static int fdt_bad(const char *what)
{
	log_printf(LOG_ERROR, "aarch64: devicetree: %s", what);
	return NET_EBADMSG;
}

static bool fdt_prop_is(const uint8_t *v, uint32_t len, const char *s)
{
	size_t n = strlen(s);

	return len == n + 1 && memcmp(v, s, n + 1) == 0;
}

/* A name in the strings block, NUL within it; NULL when not. */
static const char *fdt_string(const struct fdt_walk *w, uint32_t off)
{
	if (off >= w->str_len ||
	    memchr(w->str + off, '\0', w->str_len - off) == NULL)
		return NULL;
	return (const char *)(w->str + off);
}

/* 1 or 2 big-endian cells at v into *out: false for another count. */
static bool fdt_cells(const uint8_t *v, uint32_t cells, uint64_t *out)
{
	if (cells == 1)
		*out = ld_be32(v);
	else if (cells == 2)
		*out = (uint64_t)ld_be32(v) << 32 | ld_be32(v + 4);
	else
		return false;
	return true;
}

static int fdt_memory_reg(struct fdt_walk *w, const uint8_t *v, uint32_t len)
{
	uint32_t need = 4 * (w->addr_cells + w->size_cells);

	if (w->have_mem)
		return NET_OK; /* the first range only */
	if (len < need || !fdt_cells(v, w->addr_cells, &w->out->mem_base) ||
	    !fdt_cells(v + 4 * w->addr_cells, w->size_cells, &w->out->mem_size))
		return fdt_bad("/memory reg: bad length or cell counts");
	w->have_mem = true;
	return NET_OK;
}

static int fdt_prop(struct fdt_walk *w, enum fdt_node node, const char *name,
		    const uint8_t *v, uint32_t len)
{
	switch (node) {
	case FDT_ROOT:
		if (strcmp(name, "#address-cells") == 0 && len == 4)
			w->addr_cells = ld_be32(v);
		else if (strcmp(name, "#size-cells") == 0 && len == 4)
			w->size_cells = ld_be32(v);
		return NET_OK;
	case FDT_MEMORY:
		return strcmp(name, "reg") == 0 ? fdt_memory_reg(w, v, len)
						: NET_OK;
	case FDT_CHOSEN:
		if (strcmp(name, "rng-seed") == 0)
			w->out->has_rng_seed = true;
		if (strcmp(name, "bootargs") != 0)
			return NET_OK;
		if (len == 0 || v[len - 1] != '\0')
			return fdt_bad("/chosen bootargs is not a string");
		w->out->bootargs = (const char *)v;
		w->out->bootargs_len = strlen((const char *)v);
		return NET_OK;
	case FDT_PSCI:
		if (strcmp(name, "method") != 0)
			return NET_OK;
		if (fdt_prop_is(v, len, "hvc"))
			w->out->psci = ARM64_PSCI_HVC;
		else if (fdt_prop_is(v, len, "smc"))
			w->out->psci = ARM64_PSCI_SMC;
		return NET_OK;
	default:
		return NET_OK;
	}
}

/* A 32-bit token at w->off: false past the block. */
static bool fdt_u32(struct fdt_walk *w, uint32_t *out)
{
	if (w->off > w->s_len || w->s_len - w->off < 4)
		return false;
	*out = ld_be32(w->s + w->off);
	w->off += 4;
	return true;
}

static enum fdt_node fdt_classify(const char *name, int depth)
{
	if (depth == 0)
		return FDT_ROOT;
	if (depth != 1)
		return FDT_OTHER;
	if (strcmp(name, "memory") == 0 || strncmp(name, "memory@", 7) == 0)
		return FDT_MEMORY;
	if (strcmp(name, "chosen") == 0)
		return FDT_CHOSEN;
	if (strcmp(name, "psci") == 0)
		return FDT_PSCI;
	return FDT_OTHER;
}

static int fdt_begin_node(struct fdt_walk *w, enum fdt_node *stack, int *depth)
{
	const char *name = (const char *)(w->s + w->off);
	const void *nul = memchr(name, '\0', w->s_len - w->off);
	uint32_t n;

	if (!nul)
		return fdt_bad("unterminated node name");
	n = (uint32_t)((const char *)nul - name) + 1;
	if (++*depth >= FDT_MAX_DEPTH)
		return fdt_bad("nodes nested too deep");
	stack[*depth] = fdt_classify(name, *depth);
	w->off += (n + 3) & ~3u;
	return NET_OK;
}

static int fdt_walk(struct fdt_walk *w)
{
	enum fdt_node stack[FDT_MAX_DEPTH];
	int depth = -1, rc;
	uint32_t tok, len, nameoff;
	const char *name;

	for (;;) {
		if (!fdt_u32(w, &tok))
			return fdt_bad("structure block ends without FDT_END");
		switch (tok) {
		case FDT_BEGIN_NODE:
			rc = fdt_begin_node(w, stack, &depth);
			break;
		case FDT_END_NODE:
			rc = depth-- < 0 ? fdt_bad("unbalanced FDT_END_NODE")
					 : NET_OK;
			break;
		case FDT_PROP:
			if (!fdt_u32(w, &len) || !fdt_u32(w, &nameoff) ||
			    depth < 0 || len > w->s_len - w->off)
				return fdt_bad("truncated property");
			name = fdt_string(w, nameoff);
			if (!name)
				return fdt_bad("property name outside the "
					       "strings block");
			rc =
			    fdt_prop(w, stack[depth], name, w->s + w->off, len);
			w->off += (len + 3) & ~3u;
			break;
		case FDT_NOP:
			rc = NET_OK;
			break;
		case FDT_END:
			return depth == -1 ? NET_OK
					   : fdt_bad("FDT_END inside a node");
		default:
			return fdt_bad("unknown structure token");
		}
		if (rc != NET_OK)
			return rc;
	}
}

int arm64_fdt_parse(uintptr_t addr, uint64_t limit, struct arm64_fdt *out)
{
	const uint8_t *h = (const uint8_t *)addr;
	struct fdt_walk w;
	uint32_t total, off_s, off_str, len_s, len_str;

	memset(out, 0, sizeof(*out));
	if (addr == 0 || addr % 8 || limit < FDT_HEADER_SIZE)
		return fdt_bad("no blob (bad address)");
	if (ld_be32(h) != FDT_MAGIC)
		return fdt_bad("bad magic (no blob where expected)");
	total = ld_be32(h + 4);
	off_s = ld_be32(h + 8);
	off_str = ld_be32(h + 12);
	len_str = ld_be32(h + 32);
	len_s = ld_be32(h + 36);
	if (total < FDT_HEADER_SIZE || total > FDT_MAX_SIZE || total > limit)
		return fdt_bad("bad totalsize");
	if (ld_be32(h + 20) < 17 || ld_be32(h + 24) > 17)
		return fdt_bad("version is not compatible with 17");
	if (off_s > total || len_s > total - off_s || off_s % 4 ||
	    off_str > total || len_str > total - off_str)
		return fdt_bad("a block lies outside totalsize");
	memset(&w, 0, sizeof(w));
	w.s = h + off_s;
	w.s_len = len_s;
	w.str = h + off_str;
	w.str_len = len_str;
	w.addr_cells = 2;
	w.size_cells = 1;
	w.out = out;
	out->totalsize = total;
	return fdt_walk(&w);
}
