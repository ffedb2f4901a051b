/*
 * platform_linux.h - what the linux-tap entry (main.c) tells its platform
 * (platform.c) before handing over to kernel_main(). Internal to the
 * target.
 */
#ifndef BOOT_LINUX_TAP_PLATFORM_LINUX_H
#define BOOT_LINUX_TAP_PLATFORM_LINUX_H

/*
 * Start the clock (platform_now_ms() counts from here) and take over the
 * signals: SIGUSR1 prints the counters, SIGTERM and SIGINT print them and
 * stop the loop with exit code 0, SIGPIPE is ignored. The three are blocked
 * except while platform_idle() waits, so their handlers only ever interrupt
 * the wait. NET_OK or NET_EIO.
 */
int platform_linux_start(void);

/* The command line platform_cmdline() returns from now on; kept by
 * reference. */
void platform_linux_set_cmdline(const char *line);

#endif /* BOOT_LINUX_TAP_PLATFORM_LINUX_H */
