/*
 * boot.h - what the aarch64 entry (main.c) tells its platform
 * (platform.c). Internal to the target.
 */
#ifndef BOOT_AARCH64_BOOT_H
#define BOOT_AARCH64_BOOT_H

/* The command line from the devicetree's /chosen bootargs, copied; "" when
 * none. */
const char *boot_cmdline(void);

#endif /* BOOT_AARCH64_BOOT_H */
