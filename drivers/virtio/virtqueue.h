/*
 * virtqueue.h - split virtqueues of virtio 1.x (virtio 1.2 §2.7), in static
 * memory, for one driver thread.
 *
 * A queue is three areas the device reads or writes by DMA (the descriptor
 * table, the driver area or "available ring", the device area or "used
 * ring") plus a private slot per descriptor that the device never needs:
 * the token the driver gave the buffer, the length it posted, whether the
 * device may write it, and the free list. The driver declares all of it
 * with VIRTQ_STORAGE(name, capacity) and hands it to virtq_init(); the
 * transport then tells the device the queue's size and the three addresses
 * (virtq_*_addr()).
 *
 * Every buffer is one descriptor: no chains, no indirect descriptors
 * (VIRTIO_F_INDIRECT_DESC is not negotiated), so the descriptor index is the
 * id the device returns. VIRTIO_F_EVENT_IDX is not negotiated either: the
 * driver asks for no interrupts on a queue with virtq_set_interrupts() and
 * honours the device's VIRTQ_USED_F_NO_NOTIFY hint before notifying
 * (§2.7.7, §2.7.10). Both flags are only hints; nothing depends on them.
 *
 * The device is not trusted. virtq_next_used() checks each used-ring entry
 * against the driver's own record of what it posted: an index that claims
 * more completions than buffers outstanding breaks the queue (counted as
 * bad_used_idx, the queue reports NET_EIO from then on, since its used
 * ring can no longer be followed); an id out of range or not outstanding is
 * counted as bad_id and skipped; a written length larger than the buffer
 * posted is counted as bad_len and the buffer is given back with
 * NET_EBADMSG for the driver to recycle. Lengths and addresses are always
 * the driver's own, never read back from the shared descriptor table.
 *
 * Ring words are little-endian (VIRTIO_F_VERSION_1); every target keel
 * builds for is little-endian, which the header asserts.
 */
#ifndef DRIVERS_VIRTIO_VIRTQUEUE_H
#define DRIVERS_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "virtqueue.h: virtio 1.x rings are little-endian; so must the CPU be"
#endif

/* Descriptor flags (§2.7.5). */
#define VIRTQ_DESC_F_NEXT     1u
#define VIRTQ_DESC_F_WRITE    2u
#define VIRTQ_DESC_F_INDIRECT 4u
/* Driver area flags (§2.7.6): please do not interrupt. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
/* Device area flags (§2.7.8): please do not notify. */
#define VIRTQ_USED_F_NO_NOTIFY 1u

/* The largest queue a split virtqueue may have (§2.7). */
#define VIRTQ_SIZE_MAX 32768u
/* A token meaning "no buffer" in a slot. */
#define VIRTQ_TOKEN_NONE 0xffffu

/* Device layouts (§2.7.5, §2.7.6, §2.7.8), pinned below. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* size entries, then used_event (unused here) */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* size entries, then avail_event */
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(offsetof(struct virtq_desc, next) == 14, "virtq_desc.next");
_Static_assert(offsetof(struct virtq_avail, ring) == 4, "avail ring at 4");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used elem is 8 bytes");
_Static_assert(offsetof(struct virtq_used, ring) == 4, "used ring at 4");

/* Bytes of each area for a queue of n (§2.7: the event words included). */
#define VIRTQ_AVAIL_BYTES(n) (4u + 2u * (n) + 2u)
#define VIRTQ_USED_BYTES(n)  (4u + 8u * (n) + 2u)

/* What the driver remembers of each descriptor. Private: never DMA'd. */
struct virtq_slot {
	uint32_t len;	/* bytes posted */
	uint16_t token; /* the driver's buffer number; NONE when free */
	uint16_t next;	/* free list */
	bool writable;	/* posted for the device to write */
};

/*
 * Static storage for a queue of up to `cap` descriptors. Alignment per
 * §2.7: descriptor table 16, driver area 2, device area 4. The areas are
 * unions so a ring with a flexible array gets its full size.
 */
#define VIRTQ_STORAGE(name, cap)                                               \
	static _Alignas(16) struct virtq_desc name##_desc[cap];                \
	static _Alignas(4) union {                                             \
		struct virtq_avail ring;                                       \
		uint8_t bytes[VIRTQ_AVAIL_BYTES(cap)];                         \
	} name##_avail;                                                        \
	static _Alignas(4) union {                                             \
		struct virtq_used ring;                                        \
		uint8_t bytes[VIRTQ_USED_BYTES(cap)];                          \
	} name##_used;                                                         \
	static struct virtq_slot name##_slot[cap]

/* The arguments virtq_init() takes for storage declared as above. */
#define VIRTQ_STORAGE_ARGS(name)                                               \
	(uint16_t)(sizeof(name##_desc) / sizeof(name##_desc[0])), name##_desc, \
	    &name##_avail.ring, &name##_used.ring, name##_slot

/* Events counted per queue: a device that does not follow the rules. */
struct virtq_stats {
	uint64_t bad_used_idx; /* used idx ran ahead of what was posted */
	uint64_t bad_id;       /* used id out of range or not outstanding */
	uint64_t bad_len;      /* used len larger than the buffer posted */
};

struct virtqueue {
	uint16_t index; /* the queue's number on its device */
	uint16_t size;	/* descriptors in use: a power of 2, <= cap */
	uint16_t cap;	/* descriptors of storage */
	uint16_t free_head;
	uint16_t nfree;
	uint16_t avail_idx; /* next avail->idx, published or not */
	uint16_t last_used; /* next used entry to look at */
	bool broken;	    /* the device lost track of its own ring */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	struct virtq_slot *slot;
	uintptr_t notify_addr; /* set by the PCI transport */
	struct virtq_stats stats;
};

/*
 * Attach storage of `cap` descriptors to vq as queue `index`, with no size
 * yet: virtq_reset() sets it.
 */
void virtq_init(struct virtqueue *vq, uint16_t index, uint16_t cap,
		struct virtq_desc *desc, struct virtq_avail *avail,
		struct virtq_used *used, struct virtq_slot *slot);

/*
 * Empty the queue and give it `size` descriptors: the largest power of 2
 * no bigger than size, cap and VIRTQ_SIZE_MAX. Returns the size chosen,
 * 0 when size is 0. The device must not be using the queue.
 */
uint16_t virtq_reset(struct virtqueue *vq, uint16_t size);

/* Bus addresses of the three areas, for the transport. */
uint64_t virtq_desc_addr(const struct virtqueue *vq);
uint64_t virtq_avail_addr(const struct virtqueue *vq);
uint64_t virtq_used_addr(const struct virtqueue *vq);

/* Descriptors free for virtq_add(). */
uint16_t virtq_free_count(const struct virtqueue *vq);

/*
 * Make `len` bytes at buf (static memory) available to the device, for it
 * to write (device_writes) or to read, remembered by `token` (anything but
 * VIRTQ_TOKEN_NONE). The device sees it after virtq_publish(). NET_OK, or
 * NET_ENOBUFS when no descriptor is free, NET_EINVAL for a bad token.
 */
int virtq_add(struct virtqueue *vq, const void *buf, uint32_t len,
	      bool device_writes, uint16_t token);

/*
 * Publish what virtq_add() queued (§2.7.13: ring entries, barrier, index,
 * barrier). Returns whether the device wants to be notified (it has not
 * set VIRTQ_USED_F_NO_NOTIFY); the caller then has the transport notify.
 */
bool virtq_publish(struct virtqueue *vq);

/*
 * Take the next buffer the device is done with: returns 1 and sets *token
 * and *len (bytes the device wrote; 0 for a buffer it read), 0 when there
 * is none, NET_EBADMSG with *token set when the device claimed to write
 * more than the buffer holds (recycle the buffer, ignore its contents), or
 * NET_EIO when the queue is broken. Entries with a bad id are skipped.
 */
int virtq_next_used(struct virtqueue *vq, uint16_t *token, uint32_t *len);

/* Ask the device for interrupts on this queue, or ask it not to (hint). */
void virtq_set_interrupts(struct virtqueue *vq, bool on);

#endif /* DRIVERS_VIRTIO_VIRTQUEUE_H */
