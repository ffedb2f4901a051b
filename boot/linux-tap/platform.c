/*
 * platform.c - <kernel/platform.h> for a Linux process on a TAP device,
 * shared by the hosted targets (linux-tap, stm32-model):
 *
 *   clock    CLOCK_MONOTONIC, counted from platform_linux_start()
 *   console  stderr, one write() per line
 *   entropy  getrandom(2)
 *   idle     ppoll(2) on the TAP descriptor until the deadline, with the
 *            signals keel handles unblocked only for the wait; the
 *            target's network side (netdev.c) does its due work before
 *            the wait and after it (platform_linux.h)
 *   exit     _exit(2)
 *   netdev   the target's netdev.c, over the TAP interface that
 *            platform_linux_open_tap() attaches to: tap= or the image's
 *            [tap] ifname
 *
 * Signal handlers only set flags; platform_idle() acts on them from the
 * loop once ppoll() returns: SIGUSR1 prints the counters, SIGTERM and
 * SIGINT print them and ask the loop to stop with exit code 0.
 */
#include <kernel/platform.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>

#include "platform_linux.h"
#include "tap.h"

/* Longest tap= value kept; tap_open() rejects names over 15 bytes. */
#define PLATFORM_IFNAME_MAX 64

static int64_t platform_start_ns;
static const char *platform_line = "";
static struct netdev *platform_dev; /* the TAP device */
/* The signal mask ppoll() waits with: keel's signals unblocked. */
static sigset_t platform_wait_mask;
static volatile sig_atomic_t platform_got_usr1;
static volatile sig_atomic_t platform_got_stop; /* the signal number */

/* ---- clock, console, entropy, exit -------------------------------------- */

static int64_t platform_monotonic_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t platform_now_ms(void)
{
	return (uint64_t)(platform_monotonic_ns() - platform_start_ns) /
	       1000000u;
}

void platform_console_write(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

int platform_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ENOSYS ? NET_ENOTSUP : NET_EIO;
		p += n;
		len -= (size_t)n;
	}
	return NET_OK;
}

_Noreturn void platform_exit(int code)
{
	_exit(code);
}

const char *platform_cmdline(void)
{
	return platform_line;
}

void platform_linux_set_cmdline(const char *line)
{
	platform_line = line ? line : "";
}

/* ---- the TAP device ----------------------------------------------------- */

struct netdev *platform_linux_open_tap(void)
{
	char ifname[PLATFORM_IFNAME_MAX];
	struct netdev *dev;
	int rc = cmdline_get("tap", ifname, sizeof(ifname));

	if (rc == NET_ENOENT) {
		memcpy(ifname, CONFIG_TAP_IFNAME, sizeof(CONFIG_TAP_IFNAME));
	} else if (rc < 0) {
		log_printf(LOG_ERROR, "tap=...: an interface name is 1 to 15 "
				      "bytes");
		return NULL;
	}
	if (tap_open(ifname, &dev) != NET_OK)
		return NULL;
	platform_dev = dev;
	return dev;
}

/* ---- signals and idle -----------------------------------------------------
 */

static void platform_on_signal(int sig)
{
	if (sig == SIGUSR1)
		platform_got_usr1 = 1;
	else
		platform_got_stop = sig;
}

static int platform_catch(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigfillset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) == 0 ? NET_OK : NET_EIO;
}

int platform_linux_start(void)
{
	sigset_t keel;

	platform_start_ns = platform_monotonic_ns();
	sigemptyset(&keel);
	sigaddset(&keel, SIGUSR1);
	sigaddset(&keel, SIGTERM);
	sigaddset(&keel, SIGINT);
	/* Block first, so no signal lands between a check and the wait. */
	if (sigprocmask(SIG_BLOCK, &keel, &platform_wait_mask) != 0)
		return NET_EIO;
	sigdelset(&platform_wait_mask, SIGUSR1);
	sigdelset(&platform_wait_mask, SIGTERM);
	sigdelset(&platform_wait_mask, SIGINT);
	if (platform_catch(SIGUSR1, platform_on_signal) != NET_OK ||
	    platform_catch(SIGTERM, platform_on_signal) != NET_OK ||
	    platform_catch(SIGINT, platform_on_signal) != NET_OK ||
	    platform_catch(SIGPIPE, SIG_IGN) != NET_OK)
		return NET_EIO;
	return NET_OK;
}

static void platform_handle_signals(void)
{
	int stop = platform_got_stop;

	if (platform_got_usr1) {
		platform_got_usr1 = 0;
		kernel_dump_stats();
	}
	if (stop) {
		platform_got_stop = 0;
		log_printf(LOG_INFO, "keel: %s, stopping",
			   stop == SIGINT ? "SIGINT" : "SIGTERM");
		kernel_dump_stats();
		kernel_request_stop(KERNEL_EXIT_OK);
	}
}

/* The wait until deadline_ms, at most a day (ppoll takes any timespec). */
static struct timespec platform_timeout(uint64_t deadline_ms)
{
	uint64_t now = platform_now_ms();
	uint64_t ms = deadline_ms > now ? deadline_ms - now : 0;
	struct timespec ts;

	if (ms > 86400000u)
		ms = 86400000u;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	return ts;
}

static void platform_check_device(short revents)
{
	if ((revents & (POLLERR | POLLHUP | POLLNVAL)) == 0)
		return;
	log_printf(LOG_ERROR, "tap: %s is gone (deleted on the Linux side?)",
		   platform_dev->name);
	kernel_request_stop(KERNEL_EXIT_FAILURE);
}

void platform_linux_wait_tap(uint64_t deadline_ms)
{
	struct timespec ts = platform_timeout(deadline_ms);
	struct pollfd pfd = {.fd = -1, .events = POLLIN};

	if (platform_dev)
		pfd.fd = tap_fd(platform_dev);
	/* The current mask: keel's signals stay blocked. */
	(void)ppoll(&pfd, 1, &ts, NULL);
}

void platform_idle(uint64_t deadline_ms)
{
	struct timespec ts =
	    platform_timeout(platform_linux_dev_due(deadline_ms));
	struct pollfd pfd = {.fd = -1, .events = POLLIN};
	int n;

	if (platform_dev)
		pfd.fd = tap_fd(platform_dev);
	n = ppoll(&pfd, 1, &ts, &platform_wait_mask);
	if (n < 0 && errno != EINTR) {
		log_printf(LOG_ERROR, "keel: ppoll: %s", strerror(errno));
		kernel_request_stop(KERNEL_EXIT_FAILURE);
	}
	if (n > 0 && platform_dev)
		platform_check_device(pfd.revents);
	platform_linux_dev_woke();
	platform_handle_signals();
}
