/*
 * boot.h - what the x86_64 entry (main.c) tells its platform (platform.c).
 * Internal to the target.
 */
#ifndef BOOT_X86_64_BOOT_H
#define BOOT_X86_64_BOOT_H

/* The command line from the PVH start info, copied; "" when none. */
const char *boot_cmdline(void);

#endif /* BOOT_X86_64_BOOT_H */
