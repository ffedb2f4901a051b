/*
 * virtio_model.c - the virtio device model of the unit tests
 * (virtio_model.h): the machine interface virtio_hw.h, register decoding
 * for the MMIO and PCI transports, and the devices' side of the rings.
 *
 * Register layouts are the virtio 1.2 specification's (§4.1.4.3 common
 * configuration, §4.2.2 MMIO registers); the PCI capability layout follows
 * what QEMU 7.2 presents (docs/PLATFORM-NOTES: MSI-X first, then the
 * virtio structures in one 64-bit BAR).
 */
#include "virtio_model.h"

#include <stdio.h>
#include <string.h>

#include "virtio_hw.h"

struct model model;

/* ---- what kernel/log.c needs --------------------------------------------- */

uint64_t platform_now_ms(void);
void platform_console_write(const char *s, size_t len);

uint64_t platform_now_ms(void)
{
	return 0;
}

void platform_console_write(const char *s, size_t len)
{
	size_t room = sizeof(model.log) - 1 - model.log_len;

	if (len > room)
		len = room;
	memcpy(model.log + model.log_len, s, len);
	model.log_len += len;
	model.log[model.log_len] = '\0';
}

bool model_log_has(const char *text)
{
	return strstr(model.log, text) != NULL;
}

/* ---- devices ------------------------------------------------------------- */

static void model_bad(const char *what, uintptr_t addr)
{
	model.bad_access++;
	fprintf(stderr, "virtio_model: %s at %#lx\n", what,
		(unsigned long)addr);
}

void model_reset(void)
{
	memset(&model, 0, sizeof(model));
}

static void model_dev_reset(struct model_dev *d)
{
	d->status = 0;
	d->driver_features = 0;
	d->dfsel = d->drvsel = 0;
	d->queue_sel = 0;
	d->isr = 0;
	d->resets++;
	for (int i = 0; i < MODEL_QUEUES; i++) {
		struct model_queue *q = &d->q[i];
		uint16_t max = q->num_max;

		memset(q, 0, sizeof(*q));
		q->num_max = max;
		q->num = max;
		q->notify_off = (uint16_t)i;
	}
}

void model_dev_init(struct model_dev *d, uint32_t device_id, uint64_t features,
		    uint16_t num_max)
{
	memset(d, 0, sizeof(*d));
	d->device_id = device_id;
	d->features = features;
	for (int i = 0; i < MODEL_QUEUES; i++)
		d->q[i].num_max = num_max;
	model_dev_reset(d);
	d->resets = 0;
}

static void model_set_status(struct model_dev *d, uint8_t v)
{
	const uint8_t features_ok = 8;

	if (v == 0) {
		model_dev_reset(d);
		return;
	}
	if ((v & features_ok) && !(d->status & features_ok)) {
		bool subset = (d->driver_features & ~d->features) == 0;
		bool modern = d->driver_features & (1ull << 32);

		if (d->refuse_features_ok || !subset || !modern)
			v &= (uint8_t)~features_ok;
	}
	d->status = v;
}

static struct model_queue *model_sel(struct model_dev *d)
{
	return d->queue_sel < MODEL_QUEUES ? &d->q[d->queue_sel] : NULL;
}

/* ---- the device side of the rings ---------------------------------------- */

static void *model_ptr(uint64_t a)
{
	return (void *)(uintptr_t)a;
}

static uint16_t model_ld16(uint64_t a)
{
	uint16_t v;

	memcpy(&v, model_ptr(a), 2);
	return v;
}

static void model_st16(uint64_t a, uint16_t v)
{
	memcpy(model_ptr(a), &v, 2);
}

struct model_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
};

static struct model_desc model_desc(struct model_queue *q, uint16_t id)
{
	struct model_desc d;
	uint8_t raw[16];

	memcpy(raw, model_ptr(q->desc + 16u * id), 16);
	memcpy(&d.addr, raw, 8);
	memcpy(&d.len, raw + 8, 4);
	memcpy(&d.flags, raw + 12, 2);
	return d;
}

uint16_t model_avail_pending(const struct model_dev *d, uint16_t qi)
{
	const struct model_queue *q = &d->q[qi];

	if (!q->ready)
		return 0;
	return (uint16_t)(model_ld16(q->driver + 2) - q->last_avail);
}

/* The next available descriptor id without taking it, or -1. */
static int model_peek_avail(struct model_dev *d, uint16_t qi)
{
	struct model_queue *q = &d->q[qi];
	uint16_t id;

	if (model_avail_pending(d, qi) == 0)
		return -1;
	if (model_avail_pending(d, qi) > q->num) {
		d->bad_desc++;
		return -1;
	}
	id = model_ld16(q->driver + 4 + 2u * (q->last_avail % q->num));
	if (id >= q->num) {
		d->bad_desc++;
		return -1;
	}
	return id;
}

int model_take_avail(struct model_dev *d, uint16_t qi)
{
	int id = model_peek_avail(d, qi);

	if (id >= 0)
		d->q[qi].last_avail++;
	return id;
}

void model_push_used_raw(struct model_dev *d, uint16_t qi, uint32_t id,
			 uint32_t len)
{
	struct model_queue *q = &d->q[qi];
	uint64_t e = q->device + 4 + 8u * (q->used_idx % q->num);

	memcpy(model_ptr(e), &id, 4);
	memcpy(model_ptr(e + 4), &len, 4);
	q->used_idx++;
	model_st16(q->device + 2, q->used_idx);
	model_st16(q->device, d->no_notify ? 1 : 0);
	d->isr |= 1;
}

void model_bump_used_idx(struct model_dev *d, uint16_t qi, uint16_t by)
{
	struct model_queue *q = &d->q[qi];

	q->used_idx = (uint16_t)(q->used_idx + by);
	model_st16(q->device + 2, q->used_idx);
}

static void model_net_tx(struct model_dev *d)
{
	int id;

	while ((id = model_take_avail(d, 1)) >= 0) {
		struct model_desc de = model_desc(&d->q[1], (uint16_t)id);

		if ((de.flags & 2) || de.len < 12 ||
		    de.len - 12 > MODEL_FRAME_MAX) {
			d->bad_desc++;
		} else if (d->tx_count < MODEL_TX_LOG) {
			struct model_frame *f = &d->tx[d->tx_count];

			memcpy(f->hdr, model_ptr(de.addr), 12);
			f->len = de.len - 12;
			memcpy(f->data, (uint8_t *)model_ptr(de.addr) + 12,
			       f->len);
		}
		d->tx_count++;
		model_push_used_raw(d, 1, (uint32_t)id, 0);
	}
}

static void model_rng_fill(struct model_dev *d)
{
	int id;

	while ((id = model_take_avail(d, 0)) >= 0) {
		struct model_desc de = model_desc(&d->q[0], (uint16_t)id);
		uint32_t n = de.len;
		uint8_t *p = model_ptr(de.addr);

		if (!(de.flags & 2)) {
			d->bad_desc++;
			n = 0;
		}
		if (d->rng_max && n > d->rng_max)
			n = d->rng_max;
		if (d->rng_empty)
			n = 0;
		for (uint32_t i = 0; i < n; i++)
			p[i] = d->rng_next++;
		d->rng_answers++;
		model_push_used_raw(d, 0, (uint32_t)id, n);
	}
}

void model_process(struct model_dev *d, uint16_t qi)
{
	if (qi >= MODEL_QUEUES || !d->q[qi].ready)
		return;
	if (d->device_id == 1 && qi == 1 && !d->tx_stall)
		model_net_tx(d);
	if (d->device_id == 4 && qi == 0 && !d->rng_stall)
		model_rng_fill(d);
}

static void model_notify(struct model_dev *d, uint32_t qi, uintptr_t addr)
{
	if (qi >= MODEL_QUEUES || !d->q[qi].ready) {
		model_bad("notify of a queue not set up", addr);
		return;
	}
	/* §3.1.1: no notification before DRIVER_OK. */
	if (!(d->status & 4))
		model_bad("notify before DRIVER_OK", addr);
	d->q[qi].notifies++;
	model_process(d, (uint16_t)qi);
}

bool model_net_deliver(struct model_dev *d, const uint8_t *frame, size_t len)
{
	uint8_t hdr[12] = {0};
	struct model_desc de;
	int id = model_peek_avail(d, 0);

	if (id < 0)
		return false;
	de = model_desc(&d->q[0], (uint16_t)id);
	if (!(de.flags & 2)) {
		d->bad_desc++;
		return false;
	}
	if (12 + len > de.len)
		return false; /* does not fit: the device drops it */
	model_take_avail(d, 0);
	hdr[10] = 1; /* num_buffers */
	memcpy(model_ptr(de.addr), hdr, 12);
	memcpy((uint8_t *)model_ptr(de.addr) + 12, frame, len);
	model_push_used_raw(d, 0, (uint32_t)id, (uint32_t)(12 + len));
	return true;
}

void model_net_config(struct model_dev *d, const uint8_t mac[6],
		      uint16_t status)
{
	memcpy(d->config, mac, 6);
	d->config[6] = (uint8_t)status;
	d->config[7] = (uint8_t)(status >> 8);
	d->config_gen++;
	d->isr |= 2;
}

/* ---- register decoding --------------------------------------------------- */

static uint32_t model_config_read(struct model_dev *d, uint32_t off,
				  unsigned width)
{
	uint32_t v = 0;

	if (!d || off + width > MODEL_CONFIG_LEN)
		return 0;
	memcpy(&v, d->config + off, width);
	return v;
}

static void model_set_half(uint64_t *field, bool high, uint32_t v)
{
	if (high)
		*field = (*field & 0xffffffffull) | (uint64_t)v << 32;
	else
		*field = (*field & ~0xffffffffull) | v;
}

static uint32_t model_mmio_reg_read(unsigned w, uint32_t off)
{
	struct model_dev *d = model.win_dev[w];
	struct model_queue *q = model_sel(d);

	switch (off) {
	case 0x000:
		return 0x74726976u;
	case 0x004:
		return model.win[w] == MODEL_WIN_LEGACY ? 1 : 2;
	case 0x008:
		return d->device_id;
	case 0x00c:
		return 0x554d4551u;
	case 0x010:
		return d->dfsel < 2 ? (uint32_t)(d->features >> (32 * d->dfsel))
				    : 0;
	case 0x034:
		return q ? q->num_max : 0;
	case 0x044:
		return q ? q->ready : 0;
	case 0x060:
		return d->isr;
	case 0x070:
		return d->status;
	case 0x0fc:
		return d->config_gen;
	default:
		return 0;
	}
}

static void model_mmio_queue_write(struct model_queue *q, uint32_t off,
				   uint32_t v)
{
	switch (off) {
	case 0x038:
		q->num = (uint16_t)v;
		break;
	case 0x044:
		q->ready = v & 1;
		break;
	case 0x080:
	case 0x084:
		model_set_half(&q->desc, off & 4, v);
		break;
	case 0x090:
	case 0x094:
		model_set_half(&q->driver, off & 4, v);
		break;
	case 0x0a0:
	case 0x0a4:
		model_set_half(&q->device, off & 4, v);
		break;
	default:
		break;
	}
}

static void model_mmio_reg_write(unsigned w, uint32_t off, uint32_t v,
				 uintptr_t addr)
{
	struct model_dev *d = model.win_dev[w];
	struct model_queue *q = model_sel(d);

	switch (off) {
	case 0x014:
		d->dfsel = v;
		break;
	case 0x020:
		if (d->drvsel < 2)
			model_set_half(&d->driver_features, d->drvsel, v);
		break;
	case 0x024:
		d->drvsel = v;
		break;
	case 0x030:
		d->queue_sel = (uint16_t)v;
		break;
	case 0x050:
		model_notify(d, v, addr);
		break;
	case 0x064:
		d->isr &= ~v;
		break;
	case 0x070:
		model_set_status(d, (uint8_t)v);
		break;
	default:
		if (q)
			model_mmio_queue_write(q, off, v);
		else
			model_bad("queue register of a missing queue", addr);
		break;
	}
}

static bool model_mmio_read(uintptr_t addr, unsigned width, uint32_t *v)
{
	uintptr_t rel = addr - MODEL_MMIO_BASE;
	unsigned w;
	uint32_t off;

	if (addr < MODEL_MMIO_BASE ||
	    rel >= (uintptr_t)MODEL_MMIO_WINDOWS * MODEL_MMIO_STRIDE)
		return false;
	w = (unsigned)(rel / MODEL_MMIO_STRIDE);
	off = (uint32_t)(rel % MODEL_MMIO_STRIDE);
	if (model.win[w] == MODEL_WIN_ZERO) {
		*v = 0;
	} else if (off >= 0x100) {
		*v = model_config_read(model.win_dev[w], off - 0x100, width);
	} else if (width != 4) {
		model_bad("MMIO register read not 32-bit", addr);
		*v = 0;
	} else if (model.win[w] == MODEL_WIN_NO_DEVICE) {
		*v = off == 0 ? 0x74726976u : off == 4 ? 2 : 0;
	} else {
		*v = model_mmio_reg_read(w, off);
	}
	return true;
}

static bool model_mmio_write(uintptr_t addr, unsigned width, uint32_t v)
{
	uintptr_t rel = addr - MODEL_MMIO_BASE;
	unsigned w;
	uint32_t off;

	if (addr < MODEL_MMIO_BASE ||
	    rel >= (uintptr_t)MODEL_MMIO_WINDOWS * MODEL_MMIO_STRIDE)
		return false;
	w = (unsigned)(rel / MODEL_MMIO_STRIDE);
	off = (uint32_t)(rel % MODEL_MMIO_STRIDE);
	if (model.win[w] != MODEL_WIN_DEVICE)
		model_bad("write to a window without a modern device", addr);
	else if (width != 4 || off >= 0x100)
		model_bad("MMIO write not 32-bit or into config", addr);
	else
		model_mmio_reg_write(w, off, v, addr);
	return true;
}

/* PCI common configuration: each field's width (§4.1.4.3). */
static unsigned model_common_width(uint32_t off)
{
	if (off < 0x10 || (off >= 0x20 && off < 0x38))
		return 4;
	if (off == 0x14 || off == 0x15)
		return 1;
	return off < 0x20 ? 2 : 0;
}

static uint32_t model_common_read(struct model_dev *d, uint32_t off)
{
	struct model_queue *q = model_sel(d);

	switch (off) {
	case 0x00:
		return d->dfsel;
	case 0x04:
		return d->dfsel < 2 ? (uint32_t)(d->features >> (32 * d->dfsel))
				    : 0;
	case 0x12:
		return MODEL_QUEUES;
	case 0x14:
		return d->status;
	case 0x15:
		return (uint8_t)d->config_gen;
	case 0x16:
		return d->queue_sel;
	case 0x18:
		return q ? q->num : 0;
	case 0x1c:
		return q ? q->ready : 0;
	case 0x1e:
		return q ? q->notify_off : 0;
	default:
		return 0;
	}
}

static void model_common_write(struct model_dev *d, uint32_t off, uint32_t v)
{
	struct model_queue *q = model_sel(d);

	switch (off) {
	case 0x00:
		d->dfsel = v;
		return;
	case 0x08:
		d->drvsel = v;
		return;
	case 0x0c:
		if (d->drvsel < 2)
			model_set_half(&d->driver_features, d->drvsel, v);
		return;
	case 0x14:
		model_set_status(d, (uint8_t)v);
		return;
	case 0x16:
		d->queue_sel = (uint16_t)v;
		return;
	default:
		break;
	}
	if (!q)
		return;
	if (off == 0x18)
		q->num = (uint16_t)v;
	else if (off == 0x1c)
		q->ready = v & 1;
	else if (off >= 0x20 && off < 0x28)
		model_set_half(&q->desc, off & 4, v);
	else if (off >= 0x28 && off < 0x30)
		model_set_half(&q->driver, off & 4, v);
	else if (off >= 0x30 && off < 0x38)
		model_set_half(&q->device, off & 4, v);
}

/* The PCI function whose BAR holds addr, and the offset in it. */
static struct model_pci_fn *model_pci_at(uintptr_t addr, uint32_t *off)
{
	for (int dev = 0; dev < 32; dev++) {
		for (int fn = 0; fn < 8; fn++) {
			struct model_pci_fn *f = &model.pci[dev][fn];

			if (f->present && f->dev && addr >= f->bar_addr &&
			    addr - f->bar_addr < MODEL_PCI_BAR_LEN) {
				*off = (uint32_t)(addr - f->bar_addr);
				return f;
			}
		}
	}
	return NULL;
}

static bool model_pci_read(uintptr_t addr, unsigned width, uint32_t *v)
{
	uint32_t off;
	struct model_pci_fn *f = model_pci_at(addr, &off);
	struct model_dev *d;

	if (!f)
		return false;
	d = f->dev;
	*v = 0;
	if (off < MODEL_PCI_ISR) {
		if (model_common_width(off) != width)
			model_bad("common config read of the wrong width",
				  addr);
		else
			*v = model_common_read(d, off);
	} else if (off == MODEL_PCI_ISR && width == 1) {
		*v = d->isr;
		d->isr = 0; /* §4.1.4.5: reading clears */
	} else if (off >= MODEL_PCI_DEVICE && off < MODEL_PCI_NOTIFY) {
		*v = model_config_read(d, off - MODEL_PCI_DEVICE, width);
	} else {
		model_bad("PCI BAR read outside the structures", addr);
	}
	return true;
}

static bool model_pci_write(uintptr_t addr, unsigned width, uint32_t v)
{
	uint32_t off;
	struct model_pci_fn *f = model_pci_at(addr, &off);

	if (!f)
		return false;
	if (off < MODEL_PCI_ISR) {
		if (model_common_width(off) != width)
			model_bad("common config write of the wrong width",
				  addr);
		else
			model_common_write(f->dev, off, v);
	} else if (off >= MODEL_PCI_NOTIFY && width == 2) {
		uint32_t qoff = off - MODEL_PCI_NOTIFY;

		if (v >= MODEL_QUEUES ||
		    qoff != f->dev->q[v].notify_off * MODEL_PCI_NOTIFY_MULT)
			model_bad("notify at the wrong address", addr);
		else
			model_notify(f->dev, v, addr);
	} else {
		model_bad("PCI BAR write outside common/notify", addr);
	}
	return true;
}

static uint32_t model_read(uintptr_t addr, unsigned width)
{
	uint32_t v = 0;

	if (!model_mmio_read(addr, width, &v) &&
	    !model_pci_read(addr, width, &v))
		model_bad("read of unmapped address", addr);
	return v;
}

static void model_write(uintptr_t addr, unsigned width, uint32_t v)
{
	if (!model_mmio_write(addr, width, v) &&
	    !model_pci_write(addr, width, v))
		model_bad("write to unmapped address", addr);
}

/* ---- virtio_hw.h --------------------------------------------------------- */

uint8_t hw_read8(uintptr_t addr)
{
	return (uint8_t)model_read(addr, 1);
}

uint16_t hw_read16(uintptr_t addr)
{
	return (uint16_t)model_read(addr, 2);
}

uint32_t hw_read32(uintptr_t addr)
{
	return model_read(addr, 4);
}

void hw_write8(uintptr_t addr, uint8_t v)
{
	model_write(addr, 1, v);
}

void hw_write16(uintptr_t addr, uint16_t v)
{
	model_write(addr, 2, v);
}

void hw_write32(uintptr_t addr, uint32_t v)
{
	model_write(addr, 4, v);
}

void hw_barrier(void)
{
	model.barriers++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint64_t hw_dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

uint32_t hw_pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	uint32_t v;

	if (off & 3 || off > 252) {
		model_bad("unaligned PCI config read", off);
		return 0xffffffffu;
	}
	if (bus != 0 || dev >= 32 || fn >= 8 || !model.pci[dev][fn].present)
		return 0xffffffffu;
	memcpy(&v, &model.pci[dev][fn].cfg[off], 4);
	return v;
}

void hw_pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		    uint32_t v)
{
	struct model_pci_fn *f;

	if (bus != 0 || dev >= 32 || fn >= 8 || (off & 3) || off > 252 ||
	    !model.pci[dev][fn].present) {
		model_bad("PCI config write to nothing", off);
		return;
	}
	f = &model.pci[dev][fn];
	if (off == 0x04) {
		if (v >> 16)
			model.pci_status_writes++;
		f->cfg[4] = (uint8_t)v;
		f->cfg[5] = (uint8_t)(v >> 8);
		return;
	}
	memcpy(&f->cfg[off], &v, 4);
}

/* ---- building machines --------------------------------------------------- */

void model_mmio_window(unsigned i, enum model_window kind, struct model_dev *d)
{
	model.win[i] = kind;
	model.win_dev[i] = d;
}

static void model_cfg16(uint8_t *cfg, unsigned off, uint16_t v)
{
	cfg[off] = (uint8_t)v;
	cfg[off + 1] = (uint8_t)(v >> 8);
}

static void model_cfg32(uint8_t *cfg, unsigned off, uint32_t v)
{
	model_cfg16(cfg, off, (uint16_t)v);
	model_cfg16(cfg, off + 2, (uint16_t)(v >> 16));
}

/* A virtio_pci_cap at `at` (§4.1.4). */
static void model_vcap(uint8_t *cfg, uint8_t at, uint8_t next, uint8_t type,
		       uint8_t bar, uint32_t offset, uint32_t length)
{
	cfg[at] = 0x09;
	cfg[at + 1] = next;
	cfg[at + 2] = type == 2 || type == 5 ? 20 : 16;
	cfg[at + 3] = type;
	cfg[at + 4] = bar;
	model_cfg32(cfg, at + 8, offset);
	model_cfg32(cfg, at + 12, length);
	if (type == 2)
		model_cfg32(cfg, at + 16, MODEL_PCI_NOTIFY_MULT);
}

void model_pci_virtio(uint8_t dev, uint8_t fn, uint16_t pci_id,
		      struct model_dev *d, uint8_t bar, bool is_64,
		      uint64_t bar_addr, uint8_t line, uint8_t pin)
{
	struct model_pci_fn *f = &model.pci[dev][fn];
	uint8_t *c = f->cfg;

	memset(f, 0, sizeof(*f));
	f->present = true;
	f->dev = d;
	f->bar_addr = bar_addr;
	model_cfg16(c, 0x00, 0x1af4);
	model_cfg16(c, 0x02, pci_id);
	model_cfg16(c, 0x06, 0x0010);		   /* capability list */
	model_cfg32(c, 0x10 + 4 * 1, 0xfebd1000u); /* MSI-X table, 32-bit */
	if (is_64) {
		model_cfg32(c, 0x10 + 4 * bar,
			    ((uint32_t)bar_addr & ~0xfu) | 0x4 | 0x8);
		model_cfg32(c, 0x10 + 4 * (bar + 1),
			    (uint32_t)(bar_addr >> 32));
	} else {
		model_cfg32(c, 0x10 + 4 * bar, (uint32_t)bar_addr & ~0xfu);
	}
	c[0x34] = 0x98;
	c[0x98] = 0x11; /* MSI-X */
	c[0x99] = 0x84;
	model_vcap(c, 0x84, 0x70, 5, 0, 0, 0); /* PCI_CFG access */
	model_vcap(c, 0x70, 0x60, 2, bar, MODEL_PCI_NOTIFY, 0x1000);
	model_vcap(c, 0x60, 0x50, 4, bar, MODEL_PCI_DEVICE, 0x1000);
	model_vcap(c, 0x50, 0x40, 3, bar, MODEL_PCI_ISR, 0x1000);
	model_vcap(c, 0x40, 0x00, 1, bar, MODEL_PCI_COMMON, 0x1000);
	c[0x3c] = line;
	c[0x3d] = pin;
}

void model_pci_other(uint8_t dev, uint8_t fn, uint32_t id, bool multi_fn)
{
	struct model_pci_fn *f = &model.pci[dev][fn];

	memset(f, 0, sizeof(*f));
	f->present = true;
	model_cfg32(f->cfg, 0x00, id);
	f->cfg[0x0e] = multi_fn ? 0x80 : 0;
}

void model_pci_cfg_write8(uint8_t dev, uint8_t fn, uint8_t off, uint8_t v)
{
	model.pci[dev][fn].cfg[off] = v;
}
