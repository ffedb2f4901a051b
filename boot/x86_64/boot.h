/*
 * boot.h - what the x86_64 entry (main.c) tells its platform (platform.c).
 * Internal to the target.
 */
#ifndef BOOT_X86_64_BOOT_H
#define BOOT_X86_64_BOOT_H

#include <stdbool.h>

/* The command line from the PVH start info, copied; "" when none. */
const char *boot_cmdline(void);

/* virtio.c: the virtio devices. */
struct netdev;
/* Probe virtio-rng; when present, make it x86_entropy_source. */
void boot_virtio_rng_init(void);
bool boot_virtio_rng_present(void);
/* Probe virtio-net and route its interrupt: the netdev, or NULL. */
struct netdev *boot_virtio_net_open(void);
/* From the loop: log a link change the device announced. */
void boot_virtio_poll(void);
/* The devices' counters, for the stats dump. */
void boot_virtio_stats(void);

#endif /* BOOT_X86_64_BOOT_H */
