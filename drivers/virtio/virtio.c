/*
 * virtio.c - the device initialisation every virtio driver shares
 * (virtio.h; virtio 1.2 §3.1.1), over whichever transport found it.
 */
#include "virtio.h"

#include <stdint.h>

#include <kernel/log.h>
#include <net/net.h>

/*
 * §4.1.4.3.2: after writing 0 the driver waits until the status reads 0.
 * QEMU resets synchronously; a device that never does is given up on.
 */
#define VIRTIO_RESET_POLLS 100000u
/* Configuration reads retried while the generation moves (§2.5.1). */
#define VIRTIO_CONFIG_TRIES 16u

int virtio_dev_fail(struct virtio_dev *d, const char *who, const char *why)
{
	d->ops->set_status(
	    d, (uint8_t)(d->ops->get_status(d) | VIRTIO_STATUS_FAILED));
	log_printf(LOG_ERROR, "%s: %s; device marked FAILED", who, why);
	return NET_EIO;
}

static int virtio_dev_reset(struct virtio_dev *d, const char *who)
{
	d->ops->set_status(d, 0);
	for (uint32_t i = 0; i < VIRTIO_RESET_POLLS; i++) {
		if (d->ops->get_status(d) == 0)
			return NET_OK;
	}
	return virtio_dev_fail(d, who, "device did not reset (status not 0)");
}

int virtio_dev_start(struct virtio_dev *d, const char *who, uint64_t wanted,
		     uint64_t required)
{
	uint64_t offered, agreed;
	uint8_t status;

	d->features = 0;
	if (virtio_dev_reset(d, who) != NET_OK)
		return NET_EIO;
	status = VIRTIO_STATUS_ACKNOWLEDGE;
	d->ops->set_status(d, status);
	status |= VIRTIO_STATUS_DRIVER;
	d->ops->set_status(d, status);

	offered = d->ops->device_features(d);
	if (!(offered & VIRTIO_F_VERSION_1)) {
		virtio_dev_fail(d, who,
				"legacy device (no VIRTIO_F_VERSION_1)"
				" not supported");
		return NET_ENOTSUP;
	}
	agreed = offered & (wanted | required);
	if ((agreed & required) != required) {
		log_printf(LOG_ERROR,
			   "%s: device offers features 0x%llx, "
			   "needs 0x%llx",
			   who, (unsigned long long)offered,
			   (unsigned long long)required);
		virtio_dev_fail(d, who, "required feature missing");
		return NET_ENOTSUP;
	}
	d->ops->set_driver_features(d, agreed);
	status |= VIRTIO_STATUS_FEATURES_OK;
	d->ops->set_status(d, status);
	/* §3.1.1 step 6: the device may refuse the subset. */
	if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		log_printf(LOG_ERROR, "%s: features 0x%llx refused", who,
			   (unsigned long long)agreed);
		return virtio_dev_fail(d, who, "FEATURES_OK did not stick");
	}
	d->features = agreed;
	return NET_OK;
}

int virtio_dev_setup_queue(struct virtio_dev *d, const char *who,
			   struct virtqueue *vq)
{
	uint16_t max = d->ops->queue_max(d, vq->index);

	if (max == 0)
		return virtio_dev_fail(d, who, "device lacks a needed queue");
	if (virtq_reset(vq, max) == 0)
		return virtio_dev_fail(d, who, "queue has no storage");
	if (d->ops->queue_enable(d, vq) != NET_OK)
		return virtio_dev_fail(d, who, "queue setup refused");
	return NET_OK;
}

void virtio_dev_ready(struct virtio_dev *d)
{
	d->ops->set_status(
	    d, (uint8_t)(d->ops->get_status(d) | VIRTIO_STATUS_DRIVER_OK));
}

void virtio_dev_kick(struct virtio_dev *d, struct virtqueue *vq)
{
	if (virtq_publish(vq))
		d->ops->notify(d, vq);
}

int virtio_dev_config_read(struct virtio_dev *d, uint32_t off, void *out,
			   size_t len)
{
	uint8_t *p = out;

	if (off > d->config_len || len > d->config_len - off)
		return NET_EIO;
	for (uint32_t t = 0; t < VIRTIO_CONFIG_TRIES; t++) {
		uint32_t before = d->ops->config_generation(d);

		for (size_t i = 0; i < len; i++)
			p[i] = d->ops->config_read8(d, off + (uint32_t)i);
		if (d->ops->config_generation(d) == before)
			return NET_OK;
	}
	return NET_EIO;
}
