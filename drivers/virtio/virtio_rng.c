/*
 * virtio_rng.c - the virtio entropy device (virtio_rng.h): one request at a
 * time through a small static bounce buffer, with a bounded wait.
 */
#include "virtio_rng.h"

#include <stdbool.h>
#include <string.h>

#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>

#include "virtio.h"
#include "virtio_mmio.h"
#include "virtio_pci.h"

#define VRNG_QUEUE 0
/* One request is out at a time; a few descriptors are plenty. */
#define VRNG_QUEUE_CAP 4
#define VRNG_CHUNK     64

VIRTQ_STORAGE(virtio_rng_q_mem, VRNG_QUEUE_CAP);
static uint8_t virtio_rng_buf[VRNG_CHUNK];

struct virtio_rng_state {
	bool up;
	bool pending; /* a request is with the device */
	struct virtio_dev dev;
	struct virtqueue q;
	void (*wait)(void);
	struct virtio_rng_stats stats;
};

static struct virtio_rng_state vrng;

static const char virtio_rng_who[] = "virtio-rng";

static int virtio_rng_start(void)
{
	if (virtio_dev_start(&vrng.dev, virtio_rng_who, VIRTIO_F_VERSION_1,
			     VIRTIO_F_VERSION_1) != NET_OK)
		return NET_EIO;
	virtq_init(&vrng.q, VRNG_QUEUE, VIRTQ_STORAGE_ARGS(virtio_rng_q_mem));
	if (virtio_dev_setup_queue(&vrng.dev, virtio_rng_who, &vrng.q) !=
	    NET_OK)
		return NET_EIO;
	virtq_set_interrupts(&vrng.q, false); /* polled */
	virtio_dev_ready(&vrng.dev);
	vrng.up = true;
	log_printf(LOG_INFO, "%s: %s, %u descriptors", virtio_rng_who,
		   vrng.dev.ops->name, (unsigned)vrng.q.size);
	return NET_OK;
}

static void virtio_rng_clear(void)
{
	void (*wait)(void) = vrng.wait;

	memset(&vrng, 0, sizeof(vrng));
	vrng.wait = wait;
}

int virtio_rng_probe_pci(void)
{
	virtio_rng_clear();
	if (virtio_pci_probe(&vrng.dev, VIRTIO_ID_RNG) != NET_OK)
		return NET_ENOENT;
	return virtio_rng_start();
}

int virtio_rng_probe_mmio(uintptr_t base, unsigned count, unsigned stride)
{
	virtio_rng_clear();
	if (virtio_mmio_probe(&vrng.dev, VIRTIO_ID_RNG, base, count, stride) !=
	    NET_OK)
		return NET_ENOENT;
	return virtio_rng_start();
}

void virtio_rng_set_wait(void (*wait)(void))
{
	vrng.wait = wait;
}

/* Ask for up to `want` bytes, unless a request is already out. */
static void virtio_rng_request(size_t want)
{
	if (vrng.pending)
		return;
	if (want > VRNG_CHUNK)
		want = VRNG_CHUNK;
	if (virtq_add(&vrng.q, virtio_rng_buf, (uint32_t)want, true, 0) !=
	    NET_OK)
		return; /* no free descriptor: the queue is broken anyway */
	vrng.pending = true;
	virtio_dev_kick(&vrng.dev, &vrng.q);
}

/*
 * One look at the ring: bytes copied to out (> 0), 0 for none yet,
 * NET_EIO when the queue is broken.
 */
static int virtio_rng_collect(uint8_t *out, size_t room)
{
	uint16_t token;
	uint32_t got;
	int rc = virtq_next_used(&vrng.q, &token, &got);

	if (rc == 0)
		return 0;
	if (rc == NET_EIO)
		return NET_EIO; /* counted by the queue */
	vrng.pending = false;
	if (rc != 1)
		got = 0; /* wrote more than asked (counted): drop it */
	if (got > room)
		got = (uint32_t)room; /* an earlier, larger request */
	memcpy(out, virtio_rng_buf, got);
	memset(virtio_rng_buf, 0, sizeof(virtio_rng_buf));
	return (int)got;
}

int virtio_rng_read(void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t done = 0;
	uint32_t idle = 0;

	if (!vrng.up)
		return NET_ENOTSUP;
	while (done < len) {
		int n;

		virtio_rng_request(len - done);
		n = virtio_rng_collect(out + done, len - done);
		if (n < 0)
			goto out_fail;
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (++idle >= CONFIG_VIRTIO_RNG_POLLS) {
			vrng.stats.timeouts++;
			log_printf(LOG_WARN, "%s: no answer after %u polls",
				   virtio_rng_who, (unsigned)idle);
			goto out_fail;
		}
		if (vrng.wait)
			vrng.wait();
	}
	vrng.stats.bytes += len;
	return NET_OK;

out_fail:
	memset(buf, 0, len);
	return NET_EIO;
}

void virtio_rng_get_stats(struct virtio_rng_stats *out)
{
	*out = vrng.stats;
	out->dev_bad_used += vrng.q.stats.bad_used_idx + vrng.q.stats.bad_id +
			     vrng.q.stats.bad_len;
}

uint32_t virtio_rng_ack_interrupt(void)
{
	if (!vrng.up)
		return 0;
	return vrng.dev.ops->ack_interrupt(&vrng.dev);
}

const struct virtio_irq *virtio_rng_irq(void)
{
	return vrng.up ? &vrng.dev.irq : NULL;
}
