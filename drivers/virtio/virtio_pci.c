/*
 * virtio_pci.c - the virtio-over-PCI transport, modern interface only
 * (virtio 1.2 §4.1).
 *
 * virtio_pci_probe() scans bus 0 (every device, every function of a
 * multi-function device) for vendor 0x1af4 with the modern device ID
 * 0x1040 + type, or the transitional ID of that type (0x1000 net,
 * 0x1005 entropy; QEMU's default devices are transitional and carry the
 * modern capabilities too). It walks the capability list for the
 * vendor-specific virtio_pci_cap structures (§4.1.4) and keeps the first
 * of each kind it can use: COMMON, NOTIFY (with notify_off_multiplier),
 * ISR and DEVICE. Each names a BAR, an offset and a length; the BAR is
 * read as firmware left it (SeaBIOS assigns them before a PVH kernel
 * starts), 32- or 64-bit memory (a 64-bit BAR takes the next one as its
 * upper half; QEMU puts it just below 4 GiB), never sized or moved.
 * I/O BARs (the legacy interface) are not used.
 *
 * Then memory decoding and bus mastering are switched on in the command
 * register, INTx is left enabled, and the interrupt line and pin (config
 * 0x3C, 0x3D) are reported for the target to route. Reading the ISR
 * register acknowledges the interrupt (§4.1.4.5).
 *
 * Everything a device says is checked before use: capability pointers stay
 * inside the configuration space and the walk is bounded, structures must
 * be long enough for what is read from them, a queue's notify address must
 * fall inside the NOTIFY structure.
 */
#include "virtio_pci.h"

#include <kernel/log.h>
#include <net/net.h>

#include "virtio_hw.h"

/* PCI configuration header (type 0). */
#define PCI_VENDOR	0x00
#define PCI_COMMAND	0x04
#define PCI_STATUS_WORD 0x06 /* upper half of the dword at 0x04 */
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0	0x10
#define PCI_CAP_PTR	0x34
#define PCI_INTERRUPT	0x3c /* line at 0x3c, pin at 0x3d */

#define PCI_COMMAND_MEMORY	 0x0002u
#define PCI_COMMAND_MASTER	 0x0004u
#define PCI_COMMAND_INTX_DISABLE 0x0400u
#define PCI_STATUS_CAP_LIST	 0x0010u
#define PCI_HEADER_MULTI_FN	 0x80u
#define PCI_CAP_ID_VENDOR	 0x09

#define PCI_DEVICES   32
#define PCI_FUNCTIONS 8
/* 256 bytes of config space hold at most 48 capabilities of 4 bytes. */
#define PCI_CAP_WALK_MAX 48

/* virtio_pci_cap (§4.1.4). */
#define VPCI_CAP_CFG_TYPE	3
#define VPCI_CAP_BAR		4
#define VPCI_CAP_OFFSET		8
#define VPCI_CAP_LENGTH		12
#define VPCI_CAP_NOTIFY_MULT	16
#define VPCI_CAP_LEN_MIN	16
#define VPCI_NOTIFY_CAP_LEN_MIN 20

#define VPCI_CFG_COMMON 1
#define VPCI_CFG_NOTIFY 2
#define VPCI_CFG_ISR	3
#define VPCI_CFG_DEVICE 4

/* virtio_pci_common_cfg (§4.1.4.3). */
#define VPCI_DEVICE_FEATURE_SELECT 0x00
#define VPCI_DEVICE_FEATURE	   0x04
#define VPCI_DRIVER_FEATURE_SELECT 0x08
#define VPCI_DRIVER_FEATURE	   0x0c
#define VPCI_NUM_QUEUES		   0x12
#define VPCI_DEVICE_STATUS	   0x14
#define VPCI_CONFIG_GENERATION	   0x15
#define VPCI_QUEUE_SELECT	   0x16
#define VPCI_QUEUE_SIZE		   0x18
#define VPCI_QUEUE_ENABLE	   0x1c
#define VPCI_QUEUE_NOTIFY_OFF	   0x1e
#define VPCI_QUEUE_DESC		   0x20
#define VPCI_QUEUE_DRIVER	   0x28
#define VPCI_QUEUE_DEVICE	   0x30
#define VPCI_COMMON_LEN		   0x38

#define VPCI_VENDOR		0x1af4u
#define VPCI_DEVICE_MODERN_BASE 0x1040u

/* One function's config space, read a dword at a time. */
struct virtio_pci_fn {
	uint8_t bus, dev, fn;
};

static uint32_t virtio_pci_cfg32(const struct virtio_pci_fn *f, uint16_t off)
{
	return hw_pci_read32(f->bus, f->dev, f->fn, (uint16_t)(off & ~3u));
}

static uint8_t virtio_pci_cfg8(const struct virtio_pci_fn *f, uint16_t off)
{
	return (uint8_t)(virtio_pci_cfg32(f, off) >> ((off & 3u) * 8));
}

static uint16_t virtio_pci_cfg16(const struct virtio_pci_fn *f, uint16_t off)
{
	return (uint16_t)(virtio_pci_cfg32(f, off) >> ((off & 2u) * 8));
}

/* ---- the transport ------------------------------------------------------ */

static uint64_t virtio_pci_device_features(struct virtio_dev *d)
{
	uint64_t f;

	hw_write32(d->common + VPCI_DEVICE_FEATURE_SELECT, 1);
	f = (uint64_t)hw_read32(d->common + VPCI_DEVICE_FEATURE) << 32;
	hw_write32(d->common + VPCI_DEVICE_FEATURE_SELECT, 0);
	return f | hw_read32(d->common + VPCI_DEVICE_FEATURE);
}

static void virtio_pci_set_driver_features(struct virtio_dev *d, uint64_t f)
{
	hw_write32(d->common + VPCI_DRIVER_FEATURE_SELECT, 0);
	hw_write32(d->common + VPCI_DRIVER_FEATURE, (uint32_t)f);
	hw_write32(d->common + VPCI_DRIVER_FEATURE_SELECT, 1);
	hw_write32(d->common + VPCI_DRIVER_FEATURE, (uint32_t)(f >> 32));
}

static uint8_t virtio_pci_get_status(struct virtio_dev *d)
{
	return hw_read8(d->common + VPCI_DEVICE_STATUS);
}

static void virtio_pci_set_status(struct virtio_dev *d, uint8_t status)
{
	hw_write8(d->common + VPCI_DEVICE_STATUS, status);
}

static uint16_t virtio_pci_queue_max(struct virtio_dev *d, uint16_t q)
{
	uint16_t size;

	if (q >= d->num_queues)
		return 0;
	hw_write16(d->common + VPCI_QUEUE_SELECT, q);
	/* §4.1.4.3: after reset, queue_size reads the maximum. */
	size = hw_read16(d->common + VPCI_QUEUE_SIZE);
	return size > VIRTQ_SIZE_MAX ? VIRTQ_SIZE_MAX : size;
}

/* A 64-bit field as two 32-bit writes, low half first (§4.1.3.1). */
static void virtio_pci_wr64(uintptr_t addr, uint64_t v)
{
	hw_write32(addr, (uint32_t)v);
	hw_write32(addr + 4, (uint32_t)(v >> 32));
}

static int virtio_pci_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	uint64_t off;

	hw_write16(d->common + VPCI_QUEUE_SELECT, vq->index);
	if (hw_read16(d->common + VPCI_QUEUE_ENABLE) != 0)
		return NET_EIO;
	/* §4.1.4.4: the queue's doorbell, checked against the structure. */
	off = (uint64_t)hw_read16(d->common + VPCI_QUEUE_NOTIFY_OFF) *
	      d->notify_mult;
	if (off + 2 > d->notify_len) {
		log_printf(LOG_ERROR,
			   "virtio-pci: queue %u notify offset "
			   "0x%llx outside the notify structure",
			   (unsigned)vq->index, (unsigned long long)off);
		return NET_EIO;
	}
	vq->notify_addr = d->notify + (uintptr_t)off;
	hw_write16(d->common + VPCI_QUEUE_SIZE, vq->size);
	virtio_pci_wr64(d->common + VPCI_QUEUE_DESC, virtq_desc_addr(vq));
	virtio_pci_wr64(d->common + VPCI_QUEUE_DRIVER, virtq_avail_addr(vq));
	virtio_pci_wr64(d->common + VPCI_QUEUE_DEVICE, virtq_used_addr(vq));
	hw_write16(d->common + VPCI_QUEUE_ENABLE, 1);
	return NET_OK;
}

static void virtio_pci_notify(struct virtio_dev *d, struct virtqueue *vq)
{
	(void)d;
	hw_write16(vq->notify_addr, vq->index);
}

static uint32_t virtio_pci_config_generation(struct virtio_dev *d)
{
	return hw_read8(d->common + VPCI_CONFIG_GENERATION);
}

static uint8_t virtio_pci_config_read8(struct virtio_dev *d, uint32_t off)
{
	if (off >= d->config_len)
		return 0;
	return hw_read8(d->device + off);
}

static uint16_t virtio_pci_config_read16(struct virtio_dev *d, uint32_t off)
{
	if (off + 2 > d->config_len || (off & 1))
		return 0;
	return hw_read16(d->device + off);
}

static uint32_t virtio_pci_ack_interrupt(struct virtio_dev *d)
{
	/* §4.1.4.5.1: reading ISR status resets it. */
	return hw_read8(d->isr) & (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG);
}

static const struct virtio_transport virtio_pci_ops = {
    .name = "pci",
    .device_features = virtio_pci_device_features,
    .set_driver_features = virtio_pci_set_driver_features,
    .get_status = virtio_pci_get_status,
    .set_status = virtio_pci_set_status,
    .queue_max = virtio_pci_queue_max,
    .queue_enable = virtio_pci_queue_enable,
    .notify = virtio_pci_notify,
    .config_generation = virtio_pci_config_generation,
    .config_read8 = virtio_pci_config_read8,
    .config_read16 = virtio_pci_config_read16,
    .ack_interrupt = virtio_pci_ack_interrupt,
};

/* ---- finding the device ------------------------------------------------- */

/* A BAR's memory address; 0 when it is I/O, unassigned or malformed. */
static uint64_t virtio_pci_bar_addr(const struct virtio_pci_fn *f, uint8_t bar)
{
	uint32_t lo, type;

	if (bar > 5)
		return 0;
	lo = virtio_pci_cfg32(f, (uint16_t)(PCI_BAR0 + 4 * bar));
	if (lo & 1u)
		return 0; /* I/O space: the legacy interface */
	type = (lo >> 1) & 3u;
	if (type == 0)
		return lo & ~0xfull;
	if (type != 2 || bar == 5)
		return 0;
	return (uint64_t)virtio_pci_cfg32(f,
					  (uint16_t)(PCI_BAR0 + 4 * (bar + 1)))
		   << 32 |
	       (lo & ~0xfull);
}

/* Whether a bus address is one this CPU can use as a pointer. */
static bool virtio_pci_is_addressable(uint64_t a)
{
	return (uint64_t)(uintptr_t)a == a;
}

/* Where one virtio_pci_cap points, if it is usable. */
static bool virtio_pci_cap_region(const struct virtio_pci_fn *f, uint8_t cap,
				  uintptr_t *addr, uint32_t *len)
{
	uint64_t bar =
	    virtio_pci_bar_addr(f, virtio_pci_cfg8(f, cap + VPCI_CAP_BAR));
	uint32_t off = virtio_pci_cfg32(f, cap + VPCI_CAP_OFFSET);
	uint32_t n = virtio_pci_cfg32(f, cap + VPCI_CAP_LENGTH);

	if (bar == 0 || bar + off < bar || bar + off + n < bar + off ||
	    !virtio_pci_is_addressable(bar + off + n))
		return false;
	*addr = (uintptr_t)(bar + off);
	*len = n;
	return true;
}

/* Record capability `cap` in d if it is a virtio one d still needs. */
static void virtio_pci_take_cap(const struct virtio_pci_fn *f, uint8_t cap,
				struct virtio_dev *d, uint32_t *common_len,
				uint32_t *isr_len)
{
	uint8_t type = virtio_pci_cfg8(f, cap + VPCI_CAP_CFG_TYPE);
	uint8_t cap_len = virtio_pci_cfg8(f, cap + 2);
	uintptr_t addr;
	uint32_t len;

	if (cap_len < VPCI_CAP_LEN_MIN ||
	    !virtio_pci_cap_region(f, cap, &addr, &len))
		return;
	if (type == VPCI_CFG_COMMON && !d->common) {
		d->common = addr;
		*common_len = len;
	} else if (type == VPCI_CFG_NOTIFY && !d->notify &&
		   cap_len >= VPCI_NOTIFY_CAP_LEN_MIN) {
		d->notify = addr;
		d->notify_len = len;
		d->notify_mult =
		    virtio_pci_cfg32(f, cap + VPCI_CAP_NOTIFY_MULT);
	} else if (type == VPCI_CFG_ISR && !d->isr) {
		d->isr = addr;
		*isr_len = len;
	} else if (type == VPCI_CFG_DEVICE && !d->device) {
		d->device = addr;
		d->config_len = len;
	}
}

/* Walk the capability list; NET_OK when COMMON, NOTIFY and ISR are found. */
static int virtio_pci_walk_caps(const struct virtio_pci_fn *f,
				struct virtio_dev *d)
{
	uint32_t common_len = 0, isr_len = 0;
	uint8_t cap;

	if (!(virtio_pci_cfg16(f, PCI_STATUS_WORD) & PCI_STATUS_CAP_LIST))
		return NET_ENOTSUP;
	cap = virtio_pci_cfg8(f, PCI_CAP_PTR) & 0xfc;
	for (int i = 0; i < PCI_CAP_WALK_MAX && cap >= 0x40; i++) {
		if (virtio_pci_cfg8(f, cap) == PCI_CAP_ID_VENDOR &&
		    cap <= 256 - VPCI_NOTIFY_CAP_LEN_MIN)
			virtio_pci_take_cap(f, cap, d, &common_len, &isr_len);
		cap = virtio_pci_cfg8(f, cap + 1) & 0xfc;
	}
	if (!d->common || common_len < VPCI_COMMON_LEN || !d->notify ||
	    d->notify_len < 2 || !d->isr || isr_len < 1)
		return NET_ENOTSUP;
	return NET_OK;
}

static bool virtio_pci_is_virtio(uint32_t id, uint32_t device_id)
{
	static const uint16_t transitional[] = {
	    [VIRTIO_ID_NET] = 0x1000, [VIRTIO_ID_RNG] = 0x1005};
	uint16_t vendor = (uint16_t)id, dev = (uint16_t)(id >> 16);

	if (vendor != VPCI_VENDOR)
		return false;
	if (dev == VPCI_DEVICE_MODERN_BASE + device_id)
		return true;
	return device_id < sizeof(transitional) / sizeof(transitional[0]) &&
	       transitional[device_id] && dev == transitional[device_id];
}

/* Turn on memory decoding and bus mastering; keep INTx enabled. */
static void virtio_pci_enable(const struct virtio_pci_fn *f)
{
	uint16_t cmd = virtio_pci_cfg16(f, PCI_COMMAND);

	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	cmd &= (uint16_t)~PCI_COMMAND_INTX_DISABLE;
	/* The status half is write-1-to-clear: write zeros there. */
	hw_pci_write32(f->bus, f->dev, f->fn, PCI_COMMAND, cmd);
}

static int virtio_pci_open(const struct virtio_pci_fn *f, struct virtio_dev *d,
			   uint32_t device_id)
{
	uint32_t irq;

	*d =
	    (struct virtio_dev){.ops = &virtio_pci_ops, .device_id = device_id};
	if (virtio_pci_walk_caps(f, d) != NET_OK) {
		log_printf(LOG_WARN,
			   "virtio-pci: 00:%02x.%u has no usable "
			   "modern interface (needs memory BARs)",
			   (unsigned)f->dev, (unsigned)f->fn);
		return NET_ENOTSUP;
	}
	virtio_pci_enable(f);
	d->num_queues = hw_read16(d->common + VPCI_NUM_QUEUES);
	irq = virtio_pci_cfg32(f, PCI_INTERRUPT);
	d->irq = (struct virtio_irq){.kind = VIRTIO_IRQ_PCI_INTX,
				     .line = (uint8_t)irq,
				     .pin = (uint8_t)(irq >> 8),
				     .pci_bus = f->bus,
				     .pci_dev = f->dev,
				     .pci_fn = f->fn};
	return NET_OK;
}

int virtio_pci_probe(struct virtio_dev *d, uint32_t device_id)
{
	for (uint8_t dev = 0; dev < PCI_DEVICES; dev++) {
		for (uint8_t fn = 0; fn < PCI_FUNCTIONS; fn++) {
			struct virtio_pci_fn f = {0, dev, fn};
			uint32_t id = virtio_pci_cfg32(&f, PCI_VENDOR);

			if ((uint16_t)id == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			if (virtio_pci_is_virtio(id, device_id) &&
			    virtio_pci_open(&f, d, device_id) == NET_OK)
				return NET_OK;
			if (fn == 0 && !(virtio_pci_cfg8(&f, PCI_HEADER_TYPE) &
					 PCI_HEADER_MULTI_FN))
				break;
		}
	}
	return NET_ENOENT;
}
