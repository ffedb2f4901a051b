/*
 * virtio_mmio.c - the virtio-over-MMIO transport, version 2 ("modern")
 * register layout only (virtio 1.2 §4.2.2).
 *
 * A machine puts its MMIO transports in a row of equal windows (QEMU 7.2
 * microvm: 512 bytes each from 0xfeb00000, 24 with ACPI, 8 with -no-acpi,
 * the first -device in the highest; aarch64 virt: 32 of 0x200 from
 * 0x0a000000). Windows with nothing plugged in still answer: magic "virt",
 * a version, and DeviceID 0; memory past the last window has no magic.
 * virtio_mmio_probe() walks the row and takes the first window holding the
 * device type asked for; a window with a bad magic or DeviceID 0 is skipped
 * quietly, one with the legacy layout (Version 1) is skipped with a warning,
 * since QEMU gives legacy windows unless told otherwise (-global
 * virtio-mmio.force-legacy=false).
 *
 * The interrupt of a window is not in its registers: the machine wires
 * window i to a fixed line. The probe reports i (struct virtio_irq) and the
 * target maps it.
 */
#include "virtio_mmio.h"

#include <kernel/log.h>
#include <net/net.h>

#include "virtio_hw.h"

/* Register offsets (§4.2.2). */
#define MMIO_MAGIC		 0x000
#define MMIO_VERSION		 0x004
#define MMIO_DEVICE_ID		 0x008
#define MMIO_VENDOR_ID		 0x00c
#define MMIO_DEVICE_FEATURES	 0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES	 0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL		 0x030
#define MMIO_QUEUE_NUM_MAX	 0x034
#define MMIO_QUEUE_NUM		 0x038
#define MMIO_QUEUE_READY	 0x044
#define MMIO_QUEUE_NOTIFY	 0x050
#define MMIO_INTERRUPT_STATUS	 0x060
#define MMIO_INTERRUPT_ACK	 0x064
#define MMIO_STATUS		 0x070
#define MMIO_QUEUE_DESC_LOW	 0x080
#define MMIO_QUEUE_DESC_HIGH	 0x084
#define MMIO_QUEUE_DRIVER_LOW	 0x090
#define MMIO_QUEUE_DRIVER_HIGH	 0x094
#define MMIO_QUEUE_DEVICE_LOW	 0x0a0
#define MMIO_QUEUE_DEVICE_HIGH	 0x0a4
#define MMIO_CONFIG_GENERATION	 0x0fc
#define MMIO_CONFIG		 0x100

/* The configuration space a window can hold after MMIO_CONFIG. */
#define MMIO_CONFIG_MAX 0x100u

static uint32_t virtio_mmio_rd(struct virtio_dev *d, uint32_t off)
{
	return hw_read32(d->base + off);
}

static void virtio_mmio_wr(struct virtio_dev *d, uint32_t off, uint32_t v)
{
	hw_write32(d->base + off, v);
}

static uint64_t virtio_mmio_device_features(struct virtio_dev *d)
{
	uint64_t f;

	virtio_mmio_wr(d, MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)virtio_mmio_rd(d, MMIO_DEVICE_FEATURES) << 32;
	virtio_mmio_wr(d, MMIO_DEVICE_FEATURES_SEL, 0);
	return f | virtio_mmio_rd(d, MMIO_DEVICE_FEATURES);
}

static void virtio_mmio_set_driver_features(struct virtio_dev *d, uint64_t f)
{
	virtio_mmio_wr(d, MMIO_DRIVER_FEATURES_SEL, 0);
	virtio_mmio_wr(d, MMIO_DRIVER_FEATURES, (uint32_t)f);
	virtio_mmio_wr(d, MMIO_DRIVER_FEATURES_SEL, 1);
	virtio_mmio_wr(d, MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static uint8_t virtio_mmio_get_status(struct virtio_dev *d)
{
	return (uint8_t)virtio_mmio_rd(d, MMIO_STATUS);
}

static void virtio_mmio_set_status(struct virtio_dev *d, uint8_t status)
{
	virtio_mmio_wr(d, MMIO_STATUS, status);
}

static uint16_t virtio_mmio_queue_max(struct virtio_dev *d, uint16_t q)
{
	uint32_t max;

	virtio_mmio_wr(d, MMIO_QUEUE_SEL, q);
	max = virtio_mmio_rd(d, MMIO_QUEUE_NUM_MAX);
	return max > VIRTQ_SIZE_MAX ? VIRTQ_SIZE_MAX : (uint16_t)max;
}

static void virtio_mmio_wr64(struct virtio_dev *d, uint32_t lo, uint32_t hi,
			     uint64_t v)
{
	virtio_mmio_wr(d, lo, (uint32_t)v);
	virtio_mmio_wr(d, hi, (uint32_t)(v >> 32));
}

static int virtio_mmio_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	virtio_mmio_wr(d, MMIO_QUEUE_SEL, vq->index);
	/* §4.2.3.2: a queue must not be in use when it is set up. */
	if (virtio_mmio_rd(d, MMIO_QUEUE_READY) != 0)
		return NET_EIO;
	virtio_mmio_wr(d, MMIO_QUEUE_NUM, vq->size);
	virtio_mmio_wr64(d, MMIO_QUEUE_DESC_LOW, MMIO_QUEUE_DESC_HIGH,
			 virtq_desc_addr(vq));
	virtio_mmio_wr64(d, MMIO_QUEUE_DRIVER_LOW, MMIO_QUEUE_DRIVER_HIGH,
			 virtq_avail_addr(vq));
	virtio_mmio_wr64(d, MMIO_QUEUE_DEVICE_LOW, MMIO_QUEUE_DEVICE_HIGH,
			 virtq_used_addr(vq));
	virtio_mmio_wr(d, MMIO_QUEUE_READY, 1);
	return NET_OK;
}

static void virtio_mmio_notify(struct virtio_dev *d, struct virtqueue *vq)
{
	virtio_mmio_wr(d, MMIO_QUEUE_NOTIFY, vq->index);
}

static uint32_t virtio_mmio_config_generation(struct virtio_dev *d)
{
	return virtio_mmio_rd(d, MMIO_CONFIG_GENERATION);
}

static uint8_t virtio_mmio_config_read8(struct virtio_dev *d, uint32_t off)
{
	if (off >= MMIO_CONFIG_MAX)
		return 0;
	return hw_read8(d->base + MMIO_CONFIG + off);
}

static uint16_t virtio_mmio_config_read16(struct virtio_dev *d, uint32_t off)
{
	if (off + 2 > MMIO_CONFIG_MAX || (off & 1))
		return 0;
	return hw_read16(d->base + MMIO_CONFIG + off);
}

static uint32_t virtio_mmio_ack_interrupt(struct virtio_dev *d)
{
	uint32_t s = virtio_mmio_rd(d, MMIO_INTERRUPT_STATUS) &
		     (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG);

	if (s)
		virtio_mmio_wr(d, MMIO_INTERRUPT_ACK, s);
	return s;
}

static const struct virtio_transport virtio_mmio_ops = {
    .name = "mmio",
    .device_features = virtio_mmio_device_features,
    .set_driver_features = virtio_mmio_set_driver_features,
    .get_status = virtio_mmio_get_status,
    .set_status = virtio_mmio_set_status,
    .queue_max = virtio_mmio_queue_max,
    .queue_enable = virtio_mmio_queue_enable,
    .notify = virtio_mmio_notify,
    .config_generation = virtio_mmio_config_generation,
    .config_read8 = virtio_mmio_config_read8,
    .config_read16 = virtio_mmio_config_read16,
    .ack_interrupt = virtio_mmio_ack_interrupt,
};

/* Whether the window at base holds a modern device of type device_id. */
static bool virtio_mmio_is_match(uintptr_t base, uint32_t device_id)
{
	uint32_t version;

	if (hw_read32(base + MMIO_MAGIC) != VIRTIO_MMIO_MAGIC)
		return false;
	if (hw_read32(base + MMIO_DEVICE_ID) != device_id)
		return false;
	version = hw_read32(base + MMIO_VERSION);
	if (version != 2) {
		log_printf(LOG_WARN,
			   "virtio-mmio: device %u at %p has "
			   "version %u, only 2 (modern) is driven",
			   (unsigned)device_id, (void *)base,
			   (unsigned)version);
		return false;
	}
	return true;
}

int virtio_mmio_probe(struct virtio_dev *d, uint32_t device_id, uintptr_t base,
		      unsigned count, unsigned stride)
{
	if (device_id == 0 || stride < MMIO_CONFIG)
		return NET_EINVAL;
	for (unsigned i = 0; i < count; i++) {
		uintptr_t w = base + (uintptr_t)i * stride;

		if (!virtio_mmio_is_match(w, device_id))
			continue;
		*d = (struct virtio_dev){
		    .ops = &virtio_mmio_ops,
		    .device_id = device_id,
		    .base = w,
		    .config_len = stride - MMIO_CONFIG < MMIO_CONFIG_MAX
				      ? stride - MMIO_CONFIG
				      : MMIO_CONFIG_MAX,
		    .irq = {.kind = VIRTIO_IRQ_MMIO,
			    .slot = (uint16_t)i,
			    .base = w},
		};
		return NET_OK;
	}
	return NET_ENOENT;
}
