/*
 * fuzz_virtio.c - libFuzzer harness: a hostile virtio device against the
 * virtio-net and virtio-rng drivers (drivers/virtio/), through the unit
 * tests' device model (tests/unit/drivers/virtio_model.c).
 *
 * Each input starts a fresh machine, then plays a script against it. The
 * first four bytes choose the machine:
 *
 *     byte 0  bit 0: PCI (else MMIO); bit 1: offer VIRTIO_NET_F_STATUS;
 *             bit 2: offer VIRTIO_NET_F_MAC; bit 3: refuse FEATURES_OK
 *     byte 1  queue size the net device offers (0..255)
 *     byte 2  queue size the rng device offers
 *     byte 3  bytes per rng answer (0: all asked)
 *
 * then records of 9 bytes, `op:u8 a:u32 b:u32` (little-endian), where op
 * picks one of: deliver a frame of `a` bytes; push a used entry (any id,
 * any length) on queue a&3; move a used index by any amount; complete the
 * next available buffer with any length; drain the receive ring through
 * rx_peek/rx_done; send a frame of `a` bytes; stall or release transmit;
 * change the config status; acknowledge the interrupt; read entropy.
 *
 * Whatever the device does, the driver must not read or write outside its
 * buffers (ASan), must not touch a register outside the device (the model
 * counts it: abort), and must lend only frames of 1..mtu + 14 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel_config.h>
#include <net/net.h>

#include "virtio.h"
#include "virtio_model.h"
#include "virtio_net.h"
#include "virtio_rng.h"

#define FUZZ_FRAME_MAX (CONFIG_NET_MTU + 14)
#define FUZZ_RNG_READS 4 /* per input: a silent device costs every poll */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct model_dev fuzz_net, fuzz_rng;
static struct netdev *fuzz_nd;
static unsigned fuzz_rng_reads;

static uint32_t fuzz_ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void fuzz_setup(const uint8_t *m)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
	uint64_t f = VIRTIO_F_VERSION_1;

	if (m[0] & 2)
		f |= VIRTIO_NET_F_STATUS;
	if (m[0] & 4)
		f |= VIRTIO_NET_F_MAC;
	model_reset();
	model_dev_init(&fuzz_net, 1, f, m[1]);
	model_dev_init(&fuzz_rng, 4, VIRTIO_F_VERSION_1, m[2]);
	fuzz_net.refuse_features_ok = m[0] & 8;
	fuzz_rng.rng_max = m[3];
	model_net_config(&fuzz_net, mac, 1);
	if (m[0] & 1) {
		model_pci_virtio(3, 0, 0x1041, &fuzz_net, 4, true, 0xfe000000u,
				 11, 1);
		model_pci_virtio(4, 0, 0x1044, &fuzz_rng, 4, true, 0xfd000000u,
				 10, 1);
		fuzz_nd = virtio_net_probe_pci();
		virtio_rng_probe_pci();
	} else {
		model_mmio_window(1, MODEL_WIN_DEVICE, &fuzz_rng);
		model_mmio_window(2, MODEL_WIN_DEVICE, &fuzz_net);
		fuzz_nd = virtio_net_probe_mmio(
		    MODEL_MMIO_BASE, MODEL_MMIO_WINDOWS, MODEL_MMIO_STRIDE);
		virtio_rng_probe_mmio(MODEL_MMIO_BASE, MODEL_MMIO_WINDOWS,
				      MODEL_MMIO_STRIDE);
	}
	virtio_rng_set_wait(NULL);
	fuzz_rng_reads = 0;
}

static struct model_dev *fuzz_dev_of(uint32_t a)
{
	return a & 4 ? &fuzz_rng : &fuzz_net;
}

static void fuzz_drain(void)
{
	const uint8_t *frame;
	uint8_t copy[FUZZ_FRAME_MAX];
	int n;

	if (!fuzz_nd)
		return;
	for (int i = 0; i < 1024; i++) {
		n = fuzz_nd->ops->rx_peek(fuzz_nd, &frame);
		if (n <= 0)
			return;
		if (n > FUZZ_FRAME_MAX)
			abort();
		memcpy(copy, frame, (size_t)n); /* ASan checks every byte */
		fuzz_nd->ops->rx_done(fuzz_nd);
	}
}

static void fuzz_send(uint32_t len)
{
	size_t cap;
	uint8_t *buf;

	if (!fuzz_nd)
		return;
	buf = fuzz_nd->ops->tx_acquire(fuzz_nd, &cap);
	if (!buf)
		return;
	if (cap < FUZZ_FRAME_MAX)
		abort();
	len %= cap + 2; /* now and then one too many */
	memset(buf, 0x5a, len < cap ? len : cap);
	fuzz_nd->ops->tx_submit(fuzz_nd, len);
}

static void fuzz_op(uint8_t op, uint32_t a, uint32_t b)
{
	static uint8_t frame[4096];
	struct model_dev *d = fuzz_dev_of(a);
	uint16_t q = (uint16_t)(a & 1);
	int id;

	switch (op % 11) {
	case 0:
		memset(frame, (int)b, sizeof(frame));
		model_net_deliver(&fuzz_net, frame, a % sizeof(frame));
		break;
	case 1:
		if (d->q[q].ready && d->q[q].num)
			model_push_used_raw(d, q, b, a >> 3);
		break;
	case 2:
		if (d->q[q].ready && d->q[q].num)
			model_bump_used_idx(d, q, (uint16_t)b);
		break;
	case 3:
		id = d->q[q].num ? model_take_avail(d, q) : -1;
		if (id >= 0)
			model_push_used_raw(d, q, (uint32_t)id, b);
		break;
	case 4:
		fuzz_drain();
		break;
	case 5:
		fuzz_send(a);
		break;
	case 6:
		fuzz_net.tx_stall = a & 1;
		fuzz_rng.rng_stall = a & 2;
		model_process(&fuzz_net, 1);
		break;
	case 7:
		model_net_config(&fuzz_net, frame, (uint16_t)a);
		if (fuzz_nd)
			fuzz_nd->ops->is_link_up(fuzz_nd);
		break;
	case 8:
		virtio_net_ack_interrupt();
		break;
	case 9:
		if (fuzz_rng_reads++ < FUZZ_RNG_READS) {
			uint8_t out[300];

			virtio_rng_read(out, a % sizeof(out));
		}
		break;
	default:
		fuzz_net.no_notify = a & 1;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	fuzz_setup(data);
	for (size_t off = 4; off + 9 <= size; off += 9)
		fuzz_op(data[off], fuzz_ld32(data + off + 1),
			fuzz_ld32(data + off + 5));
	fuzz_drain();
	if (model.bad_access)
		abort();
	return 0;
}
