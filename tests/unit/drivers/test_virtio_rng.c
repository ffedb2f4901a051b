/*
 * test_virtio_rng.c - the virtio entropy driver (drivers/virtio/
 * virtio_rng.c) against the device model: reads of any length, short
 * answers, the bounded wait and its hook, a device that misbehaves.
 *
 * The model answers with a byte counter, so a test can tell that every
 * byte came from the device, in order, and none twice.
 */
#include "test.h"

#include <keel_config.h>
#include <net/net.h>

#include "virtio.h"
#include "virtio_model.h"
#include "virtio_rng.h"

static struct model_dev t_rng;
static uint32_t t_waits;
static uint32_t t_unstall_after; /* waits before the device answers */

static void t_wait(void)
{
	t_waits++;
	if (t_waits == t_unstall_after) {
		t_rng.rng_stall = false;
		model_process(&t_rng, 0);
	}
}

static int t_up_mmio(void)
{
	model_reset();
	model_dev_init(&t_rng, 4, VIRTIO_F_VERSION_1, 8);
	model_mmio_window(0, MODEL_WIN_NO_DEVICE, NULL);
	model_mmio_window(3, MODEL_WIN_DEVICE, &t_rng);
	t_waits = 0;
	t_unstall_after = 0;
	virtio_rng_set_wait(t_wait);
	return virtio_rng_probe_mmio(MODEL_MMIO_BASE, MODEL_MMIO_WINDOWS,
				     MODEL_MMIO_STRIDE);
}

static bool t_is_count(const uint8_t *p, size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(first + i))
			return false;
	return true;
}

TEST(no_device_is_not_supported)
{
	uint8_t b[4];

	model_reset();
	CHECK_EQ(virtio_rng_probe_mmio(MODEL_MMIO_BASE, MODEL_MMIO_WINDOWS,
				       MODEL_MMIO_STRIDE),
		 NET_ENOENT);
	CHECK_EQ(virtio_rng_probe_pci(), NET_ENOENT);
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_ENOTSUP);
}

TEST(read_fills_from_the_device_in_chunks)
{
	uint8_t b[200];
	struct virtio_rng_stats st;

	CHECK_EQ(t_up_mmio(), NET_OK);
	CHECK_EQ(t_rng.status, 1 | 2 | 8 | 4);
	CHECK_EQ(t_rng.driver_features, VIRTIO_F_VERSION_1);
	CHECK_EQ(t_rng.q[0].num, 4); /* the driver needs no more */
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_OK);
	CHECK(t_is_count(b, sizeof(b), 0));
	CHECK_EQ(t_rng.rng_answers, 4); /* 64 + 64 + 64 + 8 */
	CHECK_EQ(virtio_rng_read(b, 1), NET_OK);
	CHECK_EQ(b[0], 200);
	CHECK_EQ(virtio_rng_read(b, 0), NET_OK);
	virtio_rng_get_stats(&st);
	CHECK_EQ(st.bytes, 201);
	CHECK_EQ(t_waits, 0);
	CHECK_EQ(model.bad_access, 0);
}

TEST(short_answers_are_topped_up)
{
	uint8_t b[50];

	CHECK_EQ(t_up_mmio(), NET_OK);
	t_rng.rng_max = 7;
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_OK);
	CHECK(t_is_count(b, sizeof(b), 0));
	CHECK_EQ(t_rng.rng_answers, 8);
}

TEST(silent_device_times_out_after_the_configured_polls)
{
	uint8_t b[16];
	struct virtio_rng_stats st;

	CHECK_EQ(t_up_mmio(), NET_OK);
	t_rng.rng_stall = true;
	memset(b, 0xaa, sizeof(b));
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_EIO);
	CHECK_EQ(t_waits, CONFIG_VIRTIO_RNG_POLLS - 1);
	for (size_t i = 0; i < sizeof(b); i++)
		CHECK_EQ(b[i], 0); /* nothing partial handed out */
	virtio_rng_get_stats(&st);
	CHECK_EQ(st.timeouts, 1);
	CHECK(model_log_has("no answer after"));
	/* The request still out is used by the next read, not re-posted. */
	CHECK_EQ(model_avail_pending(&t_rng, 0), 1);
	t_rng.rng_stall = false;
	model_process(&t_rng, 0);
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_OK);
	CHECK(t_is_count(b, sizeof(b), 0));
	CHECK_EQ(t_rng.rng_answers, 1);
}

TEST(wait_hook_runs_while_the_device_thinks)
{
	uint8_t b[32];

	CHECK_EQ(t_up_mmio(), NET_OK);
	t_rng.rng_stall = true;
	t_unstall_after = 10;
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_OK);
	CHECK_EQ(t_waits, 10);
	CHECK(t_is_count(b, sizeof(b), 0));
}

/* The device completes with more bytes than asked, then behaves. */
static void t_wait_lying(void)
{
	int id;

	t_waits++;
	if (t_waits == 1) {
		id = model_take_avail(&t_rng, 0);
		if (id >= 0)
			model_push_used_raw(&t_rng, 0, (uint32_t)id, 4096);
	} else {
		t_rng.rng_stall = false;
		model_process(&t_rng, 0);
	}
}

TEST(answer_longer_than_the_request_is_dropped)
{
	uint8_t b[8];
	struct virtio_rng_stats st;

	CHECK_EQ(t_up_mmio(), NET_OK);
	t_rng.rng_stall = true;
	virtio_rng_set_wait(t_wait_lying);
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_OK);
	CHECK(t_is_count(b, sizeof(b), 0)); /* the lying answer gave none */
	virtio_rng_get_stats(&st);
	CHECK_EQ(st.dev_bad_used, 1);
}

TEST(zero_length_answers_count_against_the_wait)
{
	uint8_t b[8];

	CHECK_EQ(t_up_mmio(), NET_OK);
	t_rng.rng_empty = true; /* answers at once, with no bytes */
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_EIO);
	CHECK_EQ(t_rng.rng_answers, CONFIG_VIRTIO_RNG_POLLS);
	t_rng.rng_empty = false;
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_OK);
}

TEST(used_index_jump_fails_the_read)
{
	uint8_t b[8];

	CHECK_EQ(t_up_mmio(), NET_OK);
	t_rng.rng_stall = true;
	model_bump_used_idx(&t_rng, 0, 9);
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_EIO);
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_EIO);
}

TEST(pci_rng_device)
{
	uint8_t b[20];

	model_reset();
	model_dev_init(&t_rng, 4, VIRTIO_F_VERSION_1, 64);
	model_pci_virtio(5, 0, 0x1044, &t_rng, 4, true, 0xfe000000u, 10, 1);
	CHECK_EQ(virtio_rng_probe_pci(), NET_OK);
	CHECK_EQ(t_rng.q[0].num, 4); /* the driver's small queue */
	virtio_rng_set_wait(NULL);
	CHECK_EQ(virtio_rng_read(b, sizeof(b)), NET_OK);
	CHECK(t_is_count(b, sizeof(b), 0));
	CHECK_EQ(model.bad_access, 0);
}

TEST(interrupt_source_and_acknowledgment)
{
	CHECK_EQ(t_up_mmio(), NET_OK);
	CHECK(virtio_rng_irq() != NULL);
	CHECK_EQ(virtio_rng_irq()->kind, VIRTIO_IRQ_MMIO);
	CHECK_EQ(virtio_rng_irq()->slot, 3);
	t_rng.isr = 1;
	CHECK_EQ(virtio_rng_ack_interrupt(), VIRTIO_ISR_QUEUE);
	CHECK_EQ(virtio_rng_ack_interrupt(), 0);
	model_reset();
	CHECK_EQ(virtio_rng_probe_pci(), NET_ENOENT);
	CHECK(virtio_rng_irq() == NULL);
	CHECK_EQ(virtio_rng_ack_interrupt(), 0);
}
