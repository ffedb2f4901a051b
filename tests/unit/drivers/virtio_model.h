/*
 * virtio_model.h - a virtio 1.x device model in the test process, behind
 * the machine interface of drivers/virtio/virtio_hw.h.
 *
 * The model implements hw_read8/16/32 and hw_write8/16/32 over fake
 * register windows, the PCI configuration space of bus 0, hw_barrier() and
 * hw_dma_addr() (the host pointer's value), and acts as the devices: it
 * reads the driver's rings straight from memory, consumes transmit buffers
 * when notified, delivers receive frames into posted buffers when a test
 * asks, fills entropy requests, writes used-ring entries and raises the
 * interrupt status. It also provides platform_now_ms() and
 * platform_console_write() for kernel/log.c, keeping the log text for tests to
 * search.
 *
 * Tests build machines from it: MMIO windows at MODEL_MMIO_BASE (each
 * empty, without a device, legacy, or holding a device), and PCI functions
 * whose virtio structures sit in a memory BAR (32- or 64-bit) at an address
 * the test picks. Anything the driver touches outside them, or a register
 * accessed with the wrong width, is counted in model.bad_access and
 * printed; tests check it stays 0.
 *
 * Hostile behaviour for robustness tests: used entries with any id and
 * length, a used index that jumps, refusing FEATURES_OK, stalling.
 */
#ifndef TESTS_VIRTIO_MODEL_H
#define TESTS_VIRTIO_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_MMIO_BASE	   0xfeb00000u
#define MODEL_MMIO_STRIDE  0x200u
#define MODEL_MMIO_WINDOWS 8
#define MODEL_QUEUES	   2
#define MODEL_TX_LOG	   64
#define MODEL_FRAME_MAX	   2048
#define MODEL_CONFIG_LEN   64
#define MODEL_LOG_MAX	   16384

/* PCI layout inside the BAR (as QEMU 7.2 lays it out). */
#define MODEL_PCI_COMMON      0x0000u
#define MODEL_PCI_ISR	      0x1000u
#define MODEL_PCI_DEVICE      0x2000u
#define MODEL_PCI_NOTIFY      0x3000u
#define MODEL_PCI_BAR_LEN     0x4000u
#define MODEL_PCI_NOTIFY_MULT 4u

struct model_queue {
	uint16_t num_max;
	uint16_t num;
	bool ready;
	uint64_t desc, driver, device;
	uint16_t notify_off;
	uint16_t last_avail; /* next avail entry the device takes */
	uint16_t used_idx;   /* the device's used idx */
	uint32_t notifies;
};

struct model_frame {
	size_t len;
	uint8_t data[MODEL_FRAME_MAX];
	uint8_t hdr[12];
};

struct model_dev {
	uint32_t device_id; /* 1 net, 4 rng */
	uint64_t features;  /* offered */
	uint64_t driver_features;
	uint32_t dfsel, drvsel;
	uint8_t status;
	uint16_t queue_sel;
	struct model_queue q[MODEL_QUEUES];
	uint8_t config[MODEL_CONFIG_LEN];
	uint32_t config_gen;
	uint32_t isr;
	uint32_t resets;
	/* behaviour */
	bool refuse_features_ok;
	bool tx_stall;	  /* leave transmit buffers with the device */
	bool rng_stall;	  /* do not answer entropy requests */
	uint32_t rng_max; /* bytes per entropy answer; 0: all asked */
	bool rng_empty;	  /* answer entropy requests with 0 bytes */
	uint8_t rng_next; /* the next entropy byte (a counter) */
	uint32_t rng_answers;
	bool no_notify; /* set VIRTQ_USED_F_NO_NOTIFY in used rings */
	/* what the device saw */
	struct model_frame tx[MODEL_TX_LOG];
	uint32_t tx_count; /* frames transmitted (all, logged or not) */
	uint32_t bad_desc; /* descriptors with wrong flags or length */
};

enum model_window {
	MODEL_WIN_ZERO = 0,  /* nothing answers: reads 0 */
	MODEL_WIN_NO_DEVICE, /* magic and version 2, DeviceID 0 */
	MODEL_WIN_LEGACY,    /* version 1 */
	MODEL_WIN_DEVICE,    /* a modern device */
};

struct model_pci_fn {
	bool present;
	uint8_t cfg[256];
	struct model_dev *dev; /* NULL: some other device */
	uint64_t bar_addr;     /* where the virtio structures are */
};

struct model {
	enum model_window win[MODEL_MMIO_WINDOWS];
	struct model_dev *win_dev[MODEL_MMIO_WINDOWS];
	struct model_pci_fn pci[32][8];
	uint32_t bad_access;
	uint32_t barriers;
	uint32_t pci_status_writes; /* non-zero writes to PCI status (W1C) */
	char log[MODEL_LOG_MAX];
	size_t log_len;
};

extern struct model model;

/* Forget every device and window, clear the log. */
void model_reset(void);

/* A device of type id offering `features`, queues of num_max each. */
void model_dev_init(struct model_dev *d, uint32_t device_id, uint64_t features,
		    uint16_t num_max);

/* Put a window kind (and a device for MODEL_WIN_DEVICE/LEGACY) at slot i. */
void model_mmio_window(unsigned i, enum model_window kind, struct model_dev *d);

/*
 * A PCI function on bus 0 with vendor 0x1af4 and pci_id, the virtio
 * structures in BAR `bar` at bar_addr (64-bit when is_64), an MSI-X
 * capability in front of them, INTx line and pin.
 */
void model_pci_virtio(uint8_t dev, uint8_t fn, uint16_t pci_id,
		      struct model_dev *d, uint8_t bar, bool is_64,
		      uint64_t bar_addr, uint8_t line, uint8_t pin);
/* A non-virtio PCI function (vendor/device id), optionally multi-fn. */
void model_pci_other(uint8_t dev, uint8_t fn, uint32_t id, bool multi_fn);
/* Config space write helpers for tests that break things. */
void model_pci_cfg_write8(uint8_t dev, uint8_t fn, uint8_t off, uint8_t v);

/* Net: MAC and status in the config space (bumps the generation). */
void model_net_config(struct model_dev *d, const uint8_t mac[6],
		      uint16_t status);
/*
 * Deliver a frame into the next posted receive buffer: true when it went
 * in, false when no buffer was posted or it did not fit (dropped).
 */
bool model_net_deliver(struct model_dev *d, const uint8_t *frame, size_t len);
/* Let the device act on a queue as if notified (e.g. after a stall). */
void model_process(struct model_dev *d, uint16_t q);

/* Hostile: write a used entry with any id and len, then bump used idx. */
void model_push_used_raw(struct model_dev *d, uint16_t q, uint32_t id,
			 uint32_t len);
/* Hostile: move the used idx by `by` without writing entries. */
void model_bump_used_idx(struct model_dev *d, uint16_t q, uint16_t by);
/* Take the next available buffer without completing it: its desc id. */
int model_take_avail(struct model_dev *d, uint16_t q);
/* Avail entries published and not yet taken by the device. */
uint16_t model_avail_pending(const struct model_dev *d, uint16_t q);

/* Whether the log holds `text`. */
bool model_log_has(const char *text);

#endif /* TESTS_VIRTIO_MODEL_H */
