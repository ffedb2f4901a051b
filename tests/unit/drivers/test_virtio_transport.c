/*
 * test_virtio_transport.c - finding and starting virtio devices over MMIO
 * (drivers/virtio/virtio_mmio.c) and PCI (virtio_pci.c), and the status
 * handshake and feature negotiation they share (virtio.c), against the
 * device model.
 */
#include "test.h"

#include <keel_config.h>
#include <net/net.h>

#include "virtio_model.h"
#include "virtio_net.h"
#include "virtio_rng.h"

#define T_OK_STATUS (1 | 2 | 8 | 4) /* ACK, DRIVER, FEATURES_OK, DRIVER_OK */
#define T_FAILED    128
#define T_NET_FEATURES                                                         \
	(VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS)
#define T_BAR_LOW  0xfe000000ull
#define T_BAR_HIGH 0x1fe000000ull /* a 64-bit BAR above 4 GiB */

static struct model_dev t_net, t_rng;

static void t_machine(uint64_t net_features, uint16_t num_max)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 9};

	model_reset();
	model_dev_init(&t_net, 1, net_features, num_max);
	model_net_config(&t_net, mac, 1);
	model_dev_init(&t_rng, 4, VIRTIO_F_VERSION_1, 8);
}

static struct netdev *t_probe_mmio(void)
{
	return virtio_net_probe_mmio(MODEL_MMIO_BASE, MODEL_MMIO_WINDOWS,
				     MODEL_MMIO_STRIDE);
}

/* ---- status handshake and features ------------------------------------- */

TEST(mmio_handshake_ends_in_driver_ok_after_a_reset)
{
	t_machine(T_NET_FEATURES | VIRTIO_NET_F_CTRL_VQ, 256);
	t_net.status = 0x55; /* left over from firmware */
	model_mmio_window(0, MODEL_WIN_DEVICE, &t_net);
	CHECK(t_probe_mmio() != NULL);
	CHECK(t_net.resets >= 1);
	CHECK_EQ(t_net.status, T_OK_STATUS);
	CHECK_EQ(t_net.driver_features, T_NET_FEATURES);
	CHECK_EQ(model.bad_access, 0);
}

TEST(device_refusing_features_ok_is_marked_failed)
{
	t_machine(T_NET_FEATURES, 256);
	t_net.refuse_features_ok = true;
	model_mmio_window(0, MODEL_WIN_DEVICE, &t_net);
	CHECK(t_probe_mmio() == NULL);
	CHECK(t_net.status & T_FAILED);
	CHECK(!(t_net.status & 4));
	CHECK(model_log_has("FEATURES_OK did not stick"));
	CHECK(model_log_has("device marked FAILED"));
	CHECK(virtio_net_irq() == NULL);
	CHECK_EQ(virtio_net_ack_interrupt(), 0);
}

TEST(device_without_version_1_is_refused)
{
	t_machine(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS, 256);
	model_mmio_window(0, MODEL_WIN_DEVICE, &t_net);
	CHECK(t_probe_mmio() == NULL);
	CHECK(t_net.status & T_FAILED);
	CHECK(model_log_has("no VIRTIO_F_VERSION_1"));
}

TEST(device_without_a_queue_is_marked_failed)
{
	t_machine(T_NET_FEATURES, 0);
	model_mmio_window(0, MODEL_WIN_DEVICE, &t_net);
	CHECK(t_probe_mmio() == NULL);
	CHECK(t_net.status & T_FAILED);
	CHECK(model_log_has("lacks a needed queue"));
}

/* ---- queue setup -------------------------------------------------------- */

TEST(mmio_queue_registers_get_size_and_addresses)
{
	t_machine(T_NET_FEATURES, 1024);
	model_mmio_window(0, MODEL_WIN_DEVICE, &t_net);
	CHECK(t_probe_mmio() != NULL);
	for (int i = 0; i < 2; i++) {
		struct model_queue *q = &t_net.q[i];

		CHECK(q->ready);
		CHECK_EQ(q->num, CONFIG_VIRTIO_QUEUE_SIZE);
		CHECK(q->desc && q->driver && q->device);
		CHECK_EQ(q->desc % 16, 0);
		CHECK_EQ(q->driver % 2, 0);
		CHECK_EQ(q->device % 4, 0);
	}
	CHECK(t_net.q[0].desc != t_net.q[1].desc);
	CHECK(t_net.q[0].device != t_net.q[1].device);
}

TEST(queue_size_not_a_power_of_two_is_rounded_down)
{
	t_machine(T_NET_FEATURES, 100);
	model_mmio_window(0, MODEL_WIN_DEVICE, &t_net);
	CHECK(t_probe_mmio() != NULL);
	CHECK_EQ(t_net.q[0].num, 64);
	CHECK_EQ(t_net.q[1].num, 64);
}

TEST(pci_queue_registers_get_size_and_addresses)
{
	t_machine(T_NET_FEATURES, 256);
	model_pci_virtio(3, 0, 0x1041, &t_net, 4, true, T_BAR_LOW, 11, 1);
	CHECK(virtio_net_probe_pci() != NULL);
	CHECK_EQ(t_net.status, T_OK_STATUS);
	CHECK_EQ(t_net.driver_features, T_NET_FEATURES);
	for (int i = 0; i < 2; i++) {
		CHECK(t_net.q[i].ready);
		CHECK_EQ(t_net.q[i].num, 256 < CONFIG_VIRTIO_QUEUE_SIZE
					     ? 256
					     : CONFIG_VIRTIO_QUEUE_SIZE);
		CHECK_EQ(t_net.q[i].desc % 16, 0);
	}
	CHECK(t_net.q[0].notifies >= 1); /* at the queue's notify address */
	CHECK_EQ(model.bad_access, 0);
}

/* ---- MMIO probe --------------------------------------------------------- */

TEST(mmio_probe_skips_empty_deviceless_and_legacy_windows)
{
	const struct virtio_irq *irq;

	t_machine(T_NET_FEATURES, 256);
	model_mmio_window(0, MODEL_WIN_ZERO, NULL);
	model_mmio_window(1, MODEL_WIN_NO_DEVICE, NULL);
	model_mmio_window(2, MODEL_WIN_LEGACY, &t_rng);
	model_mmio_window(3, MODEL_WIN_LEGACY, &t_net);
	model_mmio_window(4, MODEL_WIN_DEVICE, &t_rng);
	model_mmio_window(5, MODEL_WIN_DEVICE, &t_net);
	CHECK(t_probe_mmio() != NULL);
	irq = virtio_net_irq();
	CHECK(irq != NULL);
	CHECK_EQ(irq->kind, VIRTIO_IRQ_MMIO);
	CHECK_EQ(irq->slot, 5);
	CHECK_EQ(irq->base, MODEL_MMIO_BASE + 5 * MODEL_MMIO_STRIDE);
	CHECK(model_log_has("version 1, only 2 (modern) is driven"));
	CHECK_EQ(t_rng.resets, 0);     /* never touched */
	CHECK_EQ(model.bad_access, 0); /* no write to a foreign window */
}

TEST(mmio_probe_with_no_device_says_so)
{
	t_machine(T_NET_FEATURES, 256);
	model_mmio_window(0, MODEL_WIN_NO_DEVICE, NULL);
	model_mmio_window(1, MODEL_WIN_DEVICE, &t_rng);
	CHECK(t_probe_mmio() == NULL);
	CHECK(model_log_has("no device in 8 MMIO windows"));
	CHECK(virtio_net_probe_mmio(MODEL_MMIO_BASE, 4, 0x10) == NULL);
	CHECK_EQ(model.bad_access, 0);
}

/* ---- PCI probe ---------------------------------------------------------- */

TEST(pci_capability_walk_with_64_bit_bar_above_4g)
{
	const struct virtio_irq *irq;

	t_machine(T_NET_FEATURES, 256);
	model_pci_other(0, 0, 0x12378086u, false); /* host bridge */
	model_pci_virtio(3, 0, 0x1041, &t_net, 4, true, T_BAR_HIGH, 11, 1);
	CHECK(virtio_net_probe_pci() != NULL);
	CHECK_EQ(model.bad_access, 0); /* every access hit the high BAR */
	irq = virtio_net_irq();
	CHECK(irq != NULL);
	CHECK_EQ(irq->kind, VIRTIO_IRQ_PCI_INTX);
	CHECK_EQ(irq->line, 11);
	CHECK_EQ(irq->pin, 1);
	CHECK_EQ(irq->pci_dev, 3);
	/* Memory decoding and bus mastering on, W1C status left alone. */
	CHECK_EQ(model.pci[3][0].cfg[4] & 0x6, 0x6);
	CHECK_EQ(model.pci[3][0].cfg[5] & 0x4, 0);
	CHECK_EQ(model.pci_status_writes, 0);
}

TEST(pci_32_bit_bar_and_transitional_id)
{
	t_machine(T_NET_FEATURES, 256);
	model_pci_virtio(2, 0, 0x1000, &t_net, 2, false, 0xfd000000u, 10, 1);
	CHECK(virtio_net_probe_pci() != NULL);
	CHECK_EQ(t_net.status, T_OK_STATUS);
	CHECK_EQ(model.bad_access, 0);
}

TEST(pci_scan_finds_a_later_function_of_a_multifunction_device)
{
	t_machine(T_NET_FEATURES, 256);
	model_pci_other(1, 0, 0x70008086u, true);
	model_pci_virtio(1, 3, 0x1041, &t_net, 4, true, T_BAR_LOW, 9, 2);
	/* Function 2 of a single-function device is never looked at. */
	model_pci_other(2, 0, 0x11111234u, false);
	model_pci_virtio(2, 2, 0x1041, &t_rng, 4, true, T_BAR_HIGH, 5, 1);
	CHECK(virtio_net_probe_pci() != NULL);
	CHECK_EQ(virtio_net_irq()->pci_dev, 1);
	CHECK_EQ(virtio_net_irq()->pci_fn, 3);
	CHECK_EQ(t_rng.resets, 0);
}

TEST(pci_other_virtio_types_and_io_bars_are_passed_over)
{
	t_machine(T_NET_FEATURES, 256);
	model_pci_virtio(3, 0, 0x1044, &t_rng, 4, true, T_BAR_HIGH, 11, 1);
	model_pci_virtio(4, 0, 0x1041, &t_net, 4, true, T_BAR_LOW, 11, 1);
	/* Make BAR4 of 00:04.0 an I/O BAR: a legacy-only device. */
	model_pci_cfg_write8(4, 0, 0x20, 0x01);
	CHECK(virtio_net_probe_pci() == NULL);
	CHECK(model_log_has("no usable modern interface"));
	CHECK(model_log_has("virtio-net: no device on PCI bus 0"));
	CHECK_EQ(t_rng.resets, 0);
	CHECK_EQ(model.bad_access, 0);
}

TEST(pci_capability_cycle_ends_the_walk)
{
	t_machine(T_NET_FEATURES, 256);
	model_pci_virtio(3, 0, 0x1041, &t_net, 4, true, T_BAR_LOW, 11, 1);
	model_pci_cfg_write8(3, 0, 0x41, 0x98); /* last cap points to first */
	CHECK(virtio_net_probe_pci() != NULL);
	/* A pointer into the header ends the walk before any virtio cap. */
	model_pci_cfg_write8(3, 0, 0x99, 0x10);
	CHECK(virtio_net_probe_pci() == NULL);
	/* No capability list at all. */
	model_pci_cfg_write8(3, 0, 0x99, 0x84);
	model_pci_cfg_write8(3, 0, 0x06, 0x00);
	CHECK(virtio_net_probe_pci() == NULL);
	CHECK_EQ(model.bad_access, 0);
}

TEST(pci_notify_offset_outside_its_structure_fails)
{
	t_machine(T_NET_FEATURES, 256);
	model_pci_virtio(3, 0, 0x1041, &t_net, 4, true, T_BAR_LOW, 11, 1);
	/* NOTIFY cap at 0x70: length 4 holds queue 0's doorbell, not 1's. */
	model_pci_cfg_write8(3, 0, 0x70 + 12, 4);
	model_pci_cfg_write8(3, 0, 0x70 + 13, 0);
	CHECK(virtio_net_probe_pci() == NULL);
	CHECK(model_log_has("outside the notify structure"));
	CHECK(t_net.status & T_FAILED);
}

TEST(pci_short_common_structure_is_unusable)
{
	t_machine(T_NET_FEATURES, 256);
	model_pci_virtio(3, 0, 0x1041, &t_net, 4, true, T_BAR_LOW, 11, 1);
	model_pci_cfg_write8(3, 0, 0x40 + 12, 0x20); /* COMMON length 0x20 */
	model_pci_cfg_write8(3, 0, 0x40 + 13, 0);
	CHECK(virtio_net_probe_pci() == NULL);
	CHECK_EQ(t_net.resets, 0);
}

TEST(pci_interrupt_status_read_clears_it)
{
	t_machine(T_NET_FEATURES, 256);
	model_pci_virtio(3, 0, 0x1041, &t_net, 4, true, T_BAR_LOW, 11, 1);
	CHECK(virtio_net_probe_pci() != NULL);
	t_net.isr = 3;
	CHECK_EQ(virtio_net_ack_interrupt(), 3);
	CHECK_EQ(virtio_net_ack_interrupt(), 0);
}

TEST(pci_device_without_device_config_gets_no_mac_or_status)
{
	static const uint8_t zero[6];
	struct netdev *nd;

	t_machine(T_NET_FEATURES, 256);
	model_pci_virtio(3, 0, 0x1041, &t_net, 4, true, T_BAR_LOW, 11, 1);
	model_pci_cfg_write8(3, 0, 0x60 + 3, 7); /* DEVICE cap: unknown type */
	nd = virtio_net_probe_pci();
	CHECK(nd != NULL);
	CHECK_EQ(t_net.driver_features, VIRTIO_F_VERSION_1);
	CHECK_MEM(nd->mac, zero, 6);
	CHECK(nd->ops->is_link_up(nd));
}
