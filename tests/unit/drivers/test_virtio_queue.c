/*
 * test_virtio_queue.c - split virtqueues (drivers/virtio/virtqueue.c) on
 * their own: sizes, the free list, publication, and what a device hands
 * back, well-formed or not. The test plays the device by writing the used
 * ring directly.
 */
#include "test.h"

#include <net/net.h>

#include "virtio_model.h"
#include "virtqueue.h"

#define T_CAP 8

VIRTQ_STORAGE(t_mem, T_CAP);
static struct virtqueue t_vq;
static uint8_t t_buf[T_CAP][32];

static void t_init(uint16_t size)
{
	model_reset();
	virtq_init(&t_vq, 3, VIRTQ_STORAGE_ARGS(t_mem));
	virtq_reset(&t_vq, size);
}

/* The device completes descriptor id with len bytes written. */
static void t_used(uint32_t id, uint32_t len)
{
	struct virtq_used *u = t_vq.used;

	u->ring[u->idx & (t_vq.size - 1)].id = id;
	u->ring[u->idx & (t_vq.size - 1)].len = len;
	u->idx++;
}

/* The descriptor id the device would find at avail entry i. */
static uint16_t t_avail_id(uint16_t i)
{
	return t_vq.avail->ring[i & (t_vq.size - 1)];
}

TEST(sizes_are_powers_of_two_within_storage)
{
	t_init(100);
	CHECK_EQ(t_vq.size, 8);
	CHECK_EQ(virtq_reset(&t_vq, 6), 4);
	CHECK_EQ(virtq_reset(&t_vq, 1), 1);
	CHECK_EQ(virtq_reset(&t_vq, 0), 0);
	CHECK_EQ(virtq_reset(&t_vq, 8), 8);
	CHECK_EQ(virtq_free_count(&t_vq), 8);
	CHECK_EQ(t_vq.index, 3);
}

TEST(areas_are_aligned_as_the_spec_requires)
{
	t_init(8);
	CHECK_EQ(virtq_desc_addr(&t_vq) % 16, 0);
	CHECK_EQ(virtq_avail_addr(&t_vq) % 2, 0);
	CHECK_EQ(virtq_used_addr(&t_vq) % 4, 0);
	CHECK(sizeof(t_mem_avail) >= VIRTQ_AVAIL_BYTES(T_CAP));
	CHECK(sizeof(t_mem_used) >= VIRTQ_USED_BYTES(T_CAP));
}

TEST(add_fills_descriptor_and_ring_publish_moves_index)
{
	t_init(8);
	CHECK_EQ(virtq_add(&t_vq, t_buf[0], 32, true, 7), NET_OK);
	CHECK_EQ(virtq_add(&t_vq, t_buf[1], 20, false, 9), NET_OK);
	CHECK_EQ(t_vq.avail->idx, 0); /* not yet published */
	CHECK(virtq_publish(&t_vq));
	CHECK_EQ(t_vq.avail->idx, 2);
	CHECK(model.barriers >= 2);
	uint16_t d0 = t_avail_id(0), d1 = t_avail_id(1);
	CHECK(d0 != d1 && d0 < 8 && d1 < 8);
	CHECK_EQ(t_vq.desc[d0].addr, (uint64_t)(uintptr_t)t_buf[0]);
	CHECK_EQ(t_vq.desc[d0].len, 32);
	CHECK_EQ(t_vq.desc[d0].flags, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(t_vq.desc[d1].flags, 0);
	CHECK_EQ(virtq_free_count(&t_vq), 6);
}

TEST(full_queue_refuses_and_bad_token_is_refused)
{
	t_init(4);
	CHECK_EQ(virtq_add(&t_vq, t_buf[0], 8, true, VIRTQ_TOKEN_NONE),
		 NET_EINVAL);
	for (uint16_t i = 0; i < 4; i++)
		CHECK_EQ(virtq_add(&t_vq, t_buf[i], 8, true, i), NET_OK);
	CHECK_EQ(virtq_add(&t_vq, t_buf[4], 8, true, 4), NET_ENOBUFS);
}

TEST(publish_honours_no_notify)
{
	t_init(8);
	CHECK_EQ(virtq_add(&t_vq, t_buf[0], 8, true, 0), NET_OK);
	t_vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	CHECK(!virtq_publish(&t_vq));
	t_vq.used->flags = 0;
	CHECK(virtq_publish(&t_vq));
}

TEST(used_entries_give_back_token_and_length)
{
	uint16_t tok;
	uint32_t len;

	t_init(8);
	CHECK_EQ(virtq_add(&t_vq, t_buf[0], 32, true, 11), NET_OK);
	CHECK_EQ(virtq_add(&t_vq, t_buf[1], 32, false, 12), NET_OK);
	virtq_publish(&t_vq);
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), 0);
	t_used(t_avail_id(1), 999); /* a read buffer: len ignored */
	t_used(t_avail_id(0), 17);
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), 1);
	CHECK_EQ(tok, 12);
	CHECK_EQ(len, 0);
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), 1);
	CHECK_EQ(tok, 11);
	CHECK_EQ(len, 17);
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), 0);
	CHECK_EQ(virtq_free_count(&t_vq), 8);
	CHECK_EQ(t_vq.stats.bad_len + t_vq.stats.bad_id, 0);
}

TEST(id_out_of_range_or_not_outstanding_is_skipped)
{
	uint16_t tok;
	uint32_t len;

	t_init(8);
	CHECK_EQ(virtq_add(&t_vq, t_buf[0], 32, true, 1), NET_OK);
	CHECK_EQ(virtq_add(&t_vq, t_buf[1], 32, true, 2), NET_OK);
	CHECK_EQ(virtq_add(&t_vq, t_buf[2], 32, true, 3), NET_OK);
	virtq_publish(&t_vq);
	t_used(0xffffffffu, 4);	  /* out of range */
	t_used(t_avail_id(0), 4); /* good */
	t_used(t_avail_id(0), 4); /* the same one again */
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), 1);
	CHECK_EQ(tok, 1);
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), 0);
	CHECK_EQ(t_vq.stats.bad_id, 2);
	CHECK(!t_vq.broken);
}

TEST(length_beyond_the_buffer_is_refused_and_recycled)
{
	uint16_t tok;
	uint32_t len = 1234;

	t_init(8);
	CHECK_EQ(virtq_add(&t_vq, t_buf[0], 32, true, 5), NET_OK);
	virtq_publish(&t_vq);
	t_used(t_avail_id(0), 33);
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), NET_EBADMSG);
	CHECK_EQ(tok, 5);
	CHECK_EQ(len, 1234); /* untouched */
	CHECK_EQ(t_vq.stats.bad_len, 1);
	CHECK_EQ(virtq_free_count(&t_vq), 8);
}

TEST(used_index_running_ahead_breaks_the_queue)
{
	uint16_t tok;
	uint32_t len;

	t_init(8);
	CHECK_EQ(virtq_add(&t_vq, t_buf[0], 32, true, 5), NET_OK);
	virtq_publish(&t_vq);
	t_vq.used->idx = 2; /* one outstanding, two claimed */
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), NET_EIO);
	CHECK_EQ(t_vq.stats.bad_used_idx, 1);
	t_vq.used->idx = 0;
	CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), NET_EIO);
	CHECK_EQ(t_vq.stats.bad_used_idx, 1);
}

TEST(indices_wrap_over_many_buffers)
{
	uint16_t tok;
	uint32_t len;

	t_init(8);
	for (uint32_t i = 0; i < 70000; i++) {
		uint16_t slot = (uint16_t)(i % 5);

		CHECK_EQ(virtq_add(&t_vq, t_buf[slot], 32, true, slot), NET_OK);
		virtq_publish(&t_vq);
		t_used(t_avail_id((uint16_t)i), i % 33);
		CHECK_EQ(virtq_next_used(&t_vq, &tok, &len), 1);
		CHECK_EQ(tok, slot);
		CHECK_EQ(len, i % 33);
	}
	CHECK_EQ(t_vq.avail->idx, (uint16_t)70000);
	CHECK_EQ(virtq_free_count(&t_vq), 8);
}

TEST(interrupt_hint_sets_avail_flags)
{
	t_init(8);
	virtq_set_interrupts(&t_vq, false);
	CHECK_EQ(t_vq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtq_set_interrupts(&t_vq, true);
	CHECK_EQ(t_vq.avail->flags, 0);
}
