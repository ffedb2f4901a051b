/*
 * virtqueue.c - split virtqueues (virtqueue.h): free list, publication and
 * the checks on what the device hands back.
 *
 * Memory order (virtio 1.2 §2.7.13): descriptor and ring entry are written,
 * then hw_barrier(), then avail->idx, then hw_barrier() before the caller
 * reads the device's flags and notifies. On the way back, used->idx is read,
 * then hw_barrier(), then the entries it covers. Words the device writes are
 * read through volatile pointers so each read really happens.
 */
#include "virtqueue.h"

#include <string.h>

#include <net/net.h>

#include "virtio_hw.h"

void virtq_init(struct virtqueue *vq, uint16_t index, uint16_t cap,
		struct virtq_desc *desc, struct virtq_avail *avail,
		struct virtq_used *used, struct virtq_slot *slot)
{
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->cap = cap;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->slot = slot;
}

static uint16_t virtq_pow2_floor(uint32_t n)
{
	uint32_t p = 1;

	while (p * 2 <= n)
		p *= 2;
	return (uint16_t)p;
}

uint16_t virtq_reset(struct virtqueue *vq, uint16_t size)
{
	uint32_t n = size;

	if (n > vq->cap)
		n = vq->cap;
	if (n > VIRTQ_SIZE_MAX)
		n = VIRTQ_SIZE_MAX;
	vq->size = n ? virtq_pow2_floor(n) : 0;
	memset(vq->desc, 0, sizeof(vq->desc[0]) * vq->cap);
	memset(vq->avail, 0, VIRTQ_AVAIL_BYTES(vq->cap));
	memset(vq->used, 0, VIRTQ_USED_BYTES(vq->cap));
	for (uint16_t i = 0; i < vq->cap; i++) {
		vq->slot[i].token = VIRTQ_TOKEN_NONE;
		vq->slot[i].len = 0;
		vq->slot[i].writable = false;
		vq->slot[i].next = (uint16_t)(i + 1);
	}
	vq->free_head = 0;
	vq->nfree = vq->size;
	vq->avail_idx = 0;
	vq->last_used = 0;
	vq->broken = false;
	memset(&vq->stats, 0, sizeof(vq->stats));
	return vq->size;
}

uint64_t virtq_desc_addr(const struct virtqueue *vq)
{
	return hw_dma_addr(vq->desc);
}

uint64_t virtq_avail_addr(const struct virtqueue *vq)
{
	return hw_dma_addr(vq->avail);
}

uint64_t virtq_used_addr(const struct virtqueue *vq)
{
	return hw_dma_addr(vq->used);
}

uint16_t virtq_free_count(const struct virtqueue *vq)
{
	return vq->nfree;
}

int virtq_add(struct virtqueue *vq, const void *buf, uint32_t len,
	      bool device_writes, uint16_t token)
{
	uint16_t id;
	struct virtq_desc *d;

	if (token == VIRTQ_TOKEN_NONE)
		return NET_EINVAL;
	if (vq->nfree == 0)
		return NET_ENOBUFS;
	id = vq->free_head;
	vq->free_head = vq->slot[id].next;
	vq->nfree--;
	vq->slot[id].token = token;
	vq->slot[id].len = len;
	vq->slot[id].writable = device_writes;

	d = &vq->desc[id];
	d->addr = hw_dma_addr(buf);
	d->len = len;
	d->flags = device_writes ? VIRTQ_DESC_F_WRITE : 0;
	d->next = 0;
	/* §2.7.13.2: the ring entry, at avail idx modulo the queue size. */
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = id;
	vq->avail_idx++;
	return NET_OK;
}

bool virtq_publish(struct virtqueue *vq)
{
	volatile uint16_t *idx = &vq->avail->idx;
	volatile const uint16_t *flags = &vq->used->flags;

	hw_barrier(); /* descriptors and ring entries before the index */
	*idx = vq->avail_idx;
	hw_barrier(); /* the index before the device's flags are read */
	return !(*flags & VIRTQ_USED_F_NO_NOTIFY);
}

static void virtq_free(struct virtqueue *vq, uint16_t id)
{
	vq->slot[id].token = VIRTQ_TOKEN_NONE;
	vq->slot[id].next = vq->free_head;
	vq->free_head = id;
	vq->nfree++;
}

/* The device's used index, checked: NET_EIO when it cannot be right. */
static int virtq_pending(struct virtqueue *vq)
{
	volatile const uint16_t *idx = &vq->used->idx;
	uint16_t pending = (uint16_t)(*idx - vq->last_used);
	uint16_t outstanding = (uint16_t)(vq->size - vq->nfree);

	if (vq->broken)
		return NET_EIO;
	/*
	 * §2.7.8: the device adds one entry per buffer it is done with, so
	 * it can never be ahead by more than the buffers it holds.
	 */
	if (pending > outstanding) {
		vq->stats.bad_used_idx++;
		vq->broken = true;
		return NET_EIO;
	}
	return pending;
}

int virtq_next_used(struct virtqueue *vq, uint16_t *token, uint32_t *len)
{
	int pending;

	while ((pending = virtq_pending(vq)) > 0) {
		volatile const struct virtq_used_elem *e;
		uint32_t id, wrote;

		hw_barrier(); /* the index before the entries it covers */
		e = &vq->used->ring[vq->last_used & (vq->size - 1)];
		id = e->id;
		wrote = e->len;
		vq->last_used++;
		if (id >= vq->size || vq->slot[id].token == VIRTQ_TOKEN_NONE) {
			vq->stats.bad_id++;
			continue;
		}
		*token = vq->slot[id].token;
		if (!vq->slot[id].writable) {
			wrote = 0;
		} else if (wrote > vq->slot[id].len) {
			vq->stats.bad_len++;
			virtq_free(vq, (uint16_t)id);
			return NET_EBADMSG;
		}
		*len = wrote;
		virtq_free(vq, (uint16_t)id);
		return 1;
	}
	return pending;
}

void virtq_set_interrupts(struct virtqueue *vq, bool on)
{
	volatile uint16_t *flags = &vq->avail->flags;

	*flags = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
}
